/* bench/sample_sizing.c - sizing a repetition's inner loop from warm passes, re-checked.
 *
 * A pass of the sized count is kept as soon as it reaches the floor within the wall cap: a
 * slower pass does not trim the count (the undisturbed repetitions that follow would then fall
 * short), and only a pass past the cap does, so that a few quick warm loops cannot size a
 * repetition many times longer than it needs to be.
 */
#include "sample_sizing.h"

#include <math.h>

#include "bench.h"
#include "timing.h"

uint64_t sample_sizing_inner_loops(double op_ns, double min_sample_ns)
{
    /* Past this a sample would run for years; it also keeps the conversion below defined. */
    const double most = 0x1p62;
    double resolution = timing_resolution_ns();
    /* A probe that read 0 ticks says only that the operation is shorter than one step. */
    if (op_ns == 0)
        op_ns = resolution;
    if (!(op_ns > 0))
        return 1;
    double target = 1000 * resolution;
    if (min_sample_ns > target)
        target = min_sample_ns;
    double loops = ceil(target / op_ns);
    if (!(loops >= 1))
        return 1;
    return loops > most ? (uint64_t)most : (uint64_t)loops;
}

void sample_sizing_fit(struct sample_sizing *z, uint64_t loops, const struct sizing_pass *p)
{
    if (loops == 0)
        loops = 1;
    double per = p->timed_ns / (double)loops;
    /* A pass too quick to see lasted at most one step of the clock. */
    if (!(per > 0))
        per = timing_resolution_ns() / (double)loops;
    double wall = p->wall_ns / (double)loops;
    z->loop_ns = per;
    z->loop_wall_ns = wall > per ? wall : per;
    double want = (double)sample_sizing_inner_loops(per, z->floor_ns * SAMPLE_SIZING_MARGIN);
    if (z->max_wall_ns > 0) {
        double by_wall = floor(z->max_wall_ns / z->loop_wall_ns);
        if (want > by_wall)
            want = by_wall > 1 ? by_wall : 1;
    }
    if (z->max_loops && want > (double)z->max_loops)
        want = (double)z->max_loops;
    z->loops = (uint64_t)want;
    z->capped = sample_sizing_expected_ns(z) < z->floor_ns;
}

/* Whether a pass of the sized count is one to keep: it reached the floor, or the cap holds it
 * back anyway; and it stayed about within the wall cap. */
static bool pass_fits(const struct sample_sizing *z, const struct sizing_pass *p)
{
    bool long_enough = p->timed_ns >= z->floor_ns || z->capped;
    double most = z->max_wall_ns * SAMPLE_SIZING_WALL_SLACK;
    return long_enough && !(z->max_wall_ns > 0 && p->wall_ns > most);
}

int sample_sizing_run(struct sample_sizing *z, uint64_t warm_loops, sizing_pass_fn pass, void *ctx)
{
    struct sizing_pass p;
    if (warm_loops == 0)
        warm_loops = 1;
    z->short_reps = 0;
    int ret = pass(ctx, warm_loops, &p); /* warm-up: faults, caches, clocks; discarded */
    if (!ret)
        ret = pass(ctx, warm_loops, &p);
    if (ret)
        return ret;
    sample_sizing_fit(z, warm_loops, &p);
    for (int check = 0; check < SAMPLE_SIZING_CHECKS; check++) {
        uint64_t loops = z->loops;
        bool capped = z->capped;
        if ((ret = pass(ctx, loops, &p)) != 0)
            return ret;
        if (pass_fits(z, &p)) {
            /* Kept as it is; a capped count's figures come from its own, longer pass. */
            if (capped)
                sample_sizing_fit(z, loops, &p);
            break;
        }
        sample_sizing_fit(z, loops, &p);
    }
    return 0;
}

bool sample_sizing_after(struct sample_sizing *z, uint64_t loops, const struct sizing_pass *p,
                         struct case_facts *facts)
{
    /* Short by the cap is what the row already says; short otherwise is news. */
    if (p->timed_ns >= z->floor_ns || z->capped)
        return false;
    uint64_t before = z->loops;
    sample_sizing_fit(z, loops, p);
    if (z->loops < before)
        z->loops = before; /* only ever more: this repetition ran faster than the sizing */
    if (++z->short_reps > 1)
        return false;
    case_facts_note(facts,
                    "%s: a repetition timed %.2g ms, under the %.3g ms floor (speed varied); more "
                    "%s after it",
                    z->who, p->timed_ns / 1e6, z->floor_ns / 1e6, z->loop_name);
    return true;
}

void sample_sizing_note_cap(const struct sample_sizing *z, struct case_facts *facts)
{
    if (!z->capped)
        return;
    case_facts_note(facts,
                    "%s: a repetition is capped at %llu %s, timing about %.2g ms, short of the "
                    "%.3g ms floor",
                    z->who, (unsigned long long)z->loops, z->loop_name,
                    sample_sizing_expected_ns(z) / 1e6, z->floor_ns / 1e6);
}

double sample_sizing_expected_ns(const struct sample_sizing *z)
{
    return (double)z->loops * z->loop_ns;
}
