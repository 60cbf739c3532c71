/* bench/analysis/history_gate.c - change points per series, and the gate on the newest run.
 *
 * change_points_find sees the medians of the undisturbed runs; the indices it returns are
 * mapped back to the series' points. Worse and regression are decided here, from the metric's
 * better direction, the threshold and the significance level.
 */
#include "history_gate.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "history_read.h"

static const char *const verdict_names[] = {
#define HISTORY_VERDICT_NAME(id, name) [HISTORY_VERDICT_##id] = name,
        HISTORY_VERDICTS(HISTORY_VERDICT_NAME)
#undef HISTORY_VERDICT_NAME
};

const char *history_verdict_name(enum history_verdict v)
{
    return (unsigned)v < N_HISTORY_VERDICTS ? verdict_names[v] : "unknown";
}

const char *history_change_direction(const struct history_change *c)
{
    return c->worse ? "worse" : "better";
}

const char *history_change_label(const struct history_change *c)
{
    if (c->inconclusive)
        return "inconclusive";
    return c->regression ? "regression" : history_change_direction(c);
}

void history_gate_opts_default(struct history_gate_opts *o)
{
    o->threshold = COMPARE_THRESHOLD_DEFAULT;
    cp_opts_default(&o->cp);
}

/* Room for the longest series, shared by all. */
struct scratch {
    size_t *which;
    double *x;
    struct history_point *pts;
    struct history_change *all;
};

static void judge_change(struct history_change *c, const struct history_series *s,
                         const struct history_gate_opts *o)
{
    c->worse = s->higher_better ? c->change < 0 : c->change > 0;
    c->regression = c->worse && fabs(c->change) > o->threshold && c->p_value < o->cp.alpha;
}

/* What the raw samples of the runs around each change say (change_points_confirm). They are
 * not independent between runs (each run has its own conditions) and hold warm-up outliers, so
 * they inform and never veto: on real alloc samples at alpha 0.01 they would drop 10% steps. */
static int check_samples(const struct history_point *pts, size_t n, struct history_change *c,
                         size_t found, double alpha)
{
    for (size_t i = 0; i < found; i++) {
        struct cp_confirmation conf;
        int ret = change_points_confirm(pts, n, c, found, i, CP_CONFIRM_WINDOW, alpha, &conf);
        if (ret)
            return ret;
        c[i].samples_p = conf.tested ? conf.p_value : NAN;
        c[i].samples_confirmed = conf.confirmed;
    }
    return 0;
}

/* Change points of the points selected by which[0..n) (indices into s->points): stored in
 * out with indices of s->points. */
static int find_in(const struct history_series *s, const size_t *which, size_t n,
                   const struct history_gate_opts *o, struct scratch *w, struct history_change *out,
                   size_t *found)
{
    for (size_t i = 0; i < n; i++) {
        w->x[i] = s->points[which[i]].median;
        w->pts[i] = s->points[which[i]];
    }
    int ret = change_points_find(w->x, n, &o->cp, out, n, found);
    if (!ret)
        ret = check_samples(w->pts, n, out, *found, o->cp.alpha);
    if (ret)
        return ret;
    for (size_t i = 0; i < *found; i++) {
        out[i].index = which[out[i].index];
        judge_change(&out[i], s, o);
    }
    return 0;
}

static int compare_changes(const void *a, const void *b)
{
    size_t x = ((const struct history_change *)a)->index;
    size_t y = ((const struct history_change *)b)->index;
    return (x > y) - (x < y);
}

/* A regression that the undisturbed runs do not show, but all runs do, is inconclusive: the
 * disturbed runs after it say why. */
static bool add_inconclusive(const struct history *h, struct history_series *s,
                             const struct history_change *all, size_t n_all)
{
    if (!n_all || !all[n_all - 1].regression)
        return false;
    const struct history_change *last = &all[n_all - 1];
    for (size_t i = 0; i < s->n_changes; i++)
        if (s->changes[i].regression && s->changes[i].index + 1 >= last->index &&
            s->changes[i].index <= last->index + 1)
            return false; /* the baseline shows it too */
    struct history_change *c = &s->changes[s->n_changes++];
    *c = *last;
    c->inconclusive = true;
    for (size_t p = last->index; p < s->n_points; p++) {
        const struct history_run *r = &h->runs[s->points[p].run];
        if (r->disturbed) {
            snprintf(c->reason, sizeof(c->reason), "run %.40s disturbed: %.100s", r->run_id,
                     r->reason);
            break;
        }
    }
    return true;
}

static int series_changes(const struct history *h, struct history_series *s,
                          const struct history_gate_opts *o, struct scratch *w)
{
    size_t *which = w->which;
    free(s->changes);
    s->changes = NULL;
    s->n_changes = 0;
    size_t n_clean = 0;
    for (size_t p = 0; p < s->n_points; p++)
        if (!h->runs[s->points[p].run].disturbed)
            which[n_clean++] = p;
    /* Room for the baseline's changes and one inconclusive. */
    if (!(s->changes = calloc(s->n_points + 1, sizeof(*s->changes))))
        return -ENOMEM;
    int ret = find_in(s, which, n_clean, o, w, s->changes, &s->n_changes);
    bool trailing_disturbed = s->n_points && h->runs[s->points[s->n_points - 1].run].disturbed;
    if (!ret && trailing_disturbed) {
        for (size_t p = 0; p < s->n_points; p++)
            which[p] = p;
        size_t n_all;
        ret = find_in(s, which, s->n_points, o, w, w->all, &n_all);
        if (!ret && add_inconclusive(h, s, w->all, n_all))
            qsort(s->changes, s->n_changes, sizeof(*s->changes), compare_changes);
    }
    return ret;
}

int history_find_changes(struct history *h, const struct history_gate_opts *o)
{
    size_t most = 1;
    for (size_t i = 0; i < h->n_series; i++)
        if (h->series[i].n_points > most)
            most = h->series[i].n_points;
    int ret = 0;
    /* Series are independent (each has its own seed, so the answer is the same on any number
     * of threads): they are searched on every CPU OpenMP is given (OMP_NUM_THREADS), each
     * thread with its own scratch. */
#pragma omp parallel
    {
        struct scratch w = {.which = malloc(most * sizeof(*w.which)),
                            .x = malloc(most * sizeof(*w.x)),
                            .pts = malloc(most * sizeof(*w.pts)),
                            .all = calloc(most, sizeof(*w.all))};
        int mine = w.which && w.x && w.pts && w.all ? 0 : -ENOMEM;
#pragma omp for schedule(dynamic, 1)
        for (size_t i = 0; i < h->n_series; i++)
            if (!mine)
                mine = series_changes(h, &h->series[i], o, &w);
#pragma omp critical
        if (mine && !ret)
            ret = mine;
        free(w.which);
        free(w.x);
        free(w.pts);
        free(w.all);
    }
    return ret;
}

const struct history_run *history_board_newest(const struct history *h, size_t board)
{
    const struct history_board *b = &h->boards[board];
    return b->n_runs ? &h->runs[b->runs[b->n_runs - 1]] : NULL;
}

enum history_verdict history_series_verdict(const struct history *h, const struct history_series *s,
                                            const struct history_change **why)
{
    if (why)
        *why = NULL;
    int board = history_board_find(h, s->board);
    const struct history_board *b = board >= 0 ? &h->boards[board] : NULL;
    if (!b || !b->n_runs || !s->n_points ||
        s->points[s->n_points - 1].run != b->runs[b->n_runs - 1])
        return HISTORY_VERDICT_MISSING;
    if (s->n_points == 1)
        return HISTORY_VERDICT_SINGLE;
    if (!s->n_changes || !s->changes[s->n_changes - 1].regression)
        return HISTORY_VERDICT_PASS;
    const struct history_change *last = &s->changes[s->n_changes - 1];
    if (why)
        *why = last;
    return last->inconclusive ? HISTORY_VERDICT_INCONCLUSIVE : HISTORY_VERDICT_REGRESSION;
}

enum history_verdict history_board_verdict(const struct history *h, size_t board)
{
    enum history_verdict v = HISTORY_VERDICT_PASS;
    for (size_t i = 0; i < h->n_series; i++) {
        const struct history_series *s = &h->series[i];
        if (strcmp(s->board, h->boards[board].name))
            continue;
        enum history_verdict sv = history_series_verdict(h, s, NULL);
        if (sv == HISTORY_VERDICT_REGRESSION)
            return sv;
        if (sv == HISTORY_VERDICT_INCONCLUSIVE)
            v = sv;
    }
    const struct history_run *newest = history_board_newest(h, board);
    return newest && newest->disturbed ? HISTORY_VERDICT_INCONCLUSIVE : v;
}
