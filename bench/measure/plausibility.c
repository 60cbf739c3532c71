/* bench/measure/plausibility.c - each case against the physical rules; the run's L1 learnt.
 *
 * The L1 figures come from the run itself: an L1-sized case (its working set at most half the
 * L1 data cache, leaving room for the stack and set conflicts) on a cached mapping that no rule
 * and no disturbance flagged. Cases run in sweep order, sizes ascending within a heap, so the
 * L1-sized ones usually come first; a case that runs before any is checked only against the
 * bounds that need no reference (the 0.5 ns or one-cycle floor, 1 us, 1x).
 */
#include "plausibility.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topology.h"

const enum plausibility_column plausibility_rule_columns[N_PLAUSIBILITY_RULES] = {
#define PLAUSIBILITY_RULE_COLUMN(id, column, name, rule) [PLAUSIBILITY_##id] = column,
        PLAUSIBILITY_RULES(PLAUSIBILITY_RULE_COLUMN)
#undef PLAUSIBILITY_RULE_COLUMN
};

const char *const plausibility_rule_names[N_PLAUSIBILITY_RULES] = {
#define PLAUSIBILITY_RULE_NAME(id, column, name, rule) [PLAUSIBILITY_##id] = name,
        PLAUSIBILITY_RULES(PLAUSIBILITY_RULE_NAME)
#undef PLAUSIBILITY_RULE_NAME
};

const char *const plausibility_rule_texts[N_PLAUSIBILITY_RULES] = {
#define PLAUSIBILITY_RULE_TEXT(id, column, name, rule) [PLAUSIBILITY_##id] = rule,
        PLAUSIBILITY_RULES(PLAUSIBILITY_RULE_TEXT)
#undef PLAUSIBILITY_RULE_TEXT
};

void plausibility_run_init(struct plausibility_run *s, size_t l1d_bytes, double max_hz)
{
    s->l1d_bytes = l1d_bytes ? l1d_bytes : PLAUSIBILITY_L1D_FALLBACK;
    /* An L1 hit takes 3 cycles or more on every core; cpufreq may list a base clock below the
     * boost clock (acpi-cpufreq), by less than 3x: one cycle of the listed clock is below any
     * hit, and 0.5 ns (3 cycles at 6 GHz) is below it wherever the clock is unknown or fast. */
    double cycle_ns = max_hz > 0 ? 1e9 / max_hz : 0;
    s->l1_floor_ns = cycle_ns > PLAUSIBILITY_L1_FLOOR_NS ? cycle_ns : PLAUSIBILITY_L1_FLOOR_NS;
    s->l1_bandwidth = NAN;
    s->l1_chase_ns = NAN;
}

/* The highest cpuinfo_max_freq of any CPU, in Hz; 0 without cpufreq (most VMs). */
static double max_cpu_hz(void)
{
    DIR *dir = opendir("/sys/devices/system/cpu");
    if (!dir)
        return 0;
    double best = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (strncmp(de->d_name, "cpu", 3) || de->d_name[3] < '0' || de->d_name[3] > '9')
            continue;
        char path[96];
        snprintf(path, sizeof(path), "/sys/devices/system/cpu/%.16s/cpufreq/cpuinfo_max_freq",
                 de->d_name);
        FILE *f = fopen(path, "re");
        unsigned long khz = 0;
        if (f && fscanf(f, "%lu", &khz) == 1 && khz * 1e3 > best)
            best = khz * 1e3;
        if (f)
            fclose(f);
    }
    closedir(dir);
    return best;
}

void plausibility_run_init_here(struct plausibility_run *s)
{
    struct topology_summary topo;
    size_t l1d = 0;
    if (topology_read(&topo) == 0)
        for (size_t i = 0; i < topo.n_caches; i++)
            if (topo.caches[i].level == 1 && topo.caches[i].type == 'd')
                l1d = topo.caches[i].size;
    plausibility_run_init(s, l1d, max_cpu_hz());
}

static const struct metric_result *median_of(const struct case_result *r, const char *name)
{
    for (size_t i = 0; i < r->n_metrics; i++)
        if (!strcmp(r->metrics[i].name, name) && r->metrics[i].n > 0)
            return &r->metrics[i];
    return NULL;
}

void plausibility_case_of(const struct bench_case *c, const struct case_result *r, bool cached,
                          struct plausibility_case *out)
{
    memset(out, 0, sizeof(*out));
    const struct bench_def *b = bench_find(c->job->bench);
    struct plausibility_case figure = {.kind = PLAUSIBILITY_NONE};
    const char *metric =
            c->value[AXIS_KERNEL] && b && b->plausibility ? b->plausibility(c, &figure) : NULL;
    const struct metric_result *m = metric ? median_of(r, metric) : NULL;
    if (!m || isnan(m->stats.median))
        return;
    *out = figure;
    out->value = m->stats.median;
    out->cached = cached;
    const struct sweep_value *threads = c->value[AXIS_THREADS];
    if (out->kind == PLAUSIBILITY_CPU_BANDWIDTH && threads && threads->number > 0)
        out->value /= (double)threads->number; /* the rule is per thread */
}

static bool l1_sized(const struct plausibility_run *s, const struct plausibility_case *c)
{
    return c->working_set > 0 && c->working_set <= s->l1d_bytes / 2;
}

/* The fastest latency that is still an L1 hit or slower. */
static double l1_hit_ns(const struct plausibility_run *s, bool *from_run)
{
    double run = isnan(s->l1_chase_ns) ? 0 : s->l1_chase_ns / PLAUSIBILITY_L1_MARGIN;
    *from_run = run > s->l1_floor_ns;
    return *from_run ? run : s->l1_floor_ns;
}

int plausibility_check(const struct plausibility_run *s, const struct plausibility_case *c,
                       char *reason, size_t reason_len)
{
    bool from_run;
    double bound;
    switch (c->kind) {
    case PLAUSIBILITY_FALSE_SHARING:
        if (!(c->value < PLAUSIBILITY_FALSE_SHARING_MIN))
            return -1;
        snprintf(reason, reason_len, "%s: %.3gx",
                 plausibility_rule_names[PLAUSIBILITY_FALSE_SHARING_BELOW_1X], c->value);
        return PLAUSIBILITY_FALSE_SHARING_BELOW_1X;
    case PLAUSIBILITY_CPU_BANDWIDTH:
        bound = s->l1_bandwidth * PLAUSIBILITY_L1_MARGIN;
        if (l1_sized(s, c) || isnan(bound) || !(c->value > bound))
            return -1;
        snprintf(reason, reason_len, "%s: %.4g GB/s per thread, L1-sized cases %.4g GB/s",
                 plausibility_rule_names[PLAUSIBILITY_BANDWIDTH_ABOVE_L1], c->value / 1e9,
                 s->l1_bandwidth / 1e9);
        return PLAUSIBILITY_BANDWIDTH_ABOVE_L1;
    case PLAUSIBILITY_C2C_LATENCY:
        if (c->value > PLAUSIBILITY_C2C_MAX_NS) {
            snprintf(reason, reason_len, "%s: %.4g ns",
                     plausibility_rule_names[PLAUSIBILITY_C2C_ABOVE_1US], c->value);
            return PLAUSIBILITY_C2C_ABOVE_1US;
        }
        /* a transfer is no faster than an L1 hit either */
        __attribute__((fallthrough));
    case PLAUSIBILITY_CPU_LATENCY:
        bound = l1_hit_ns(s, &from_run);
        if (c->kind == PLAUSIBILITY_CPU_LATENCY && l1_sized(s, c)) {
            bound = s->l1_floor_ns; /* the reference itself: only the floor applies */
            from_run = false;
        }
        if (!(c->value < bound))
            return -1;
        snprintf(reason, reason_len, "%s: %.3g ns, under %.3g ns (%s)",
                 plausibility_rule_names[PLAUSIBILITY_LATENCY_BELOW_L1_HIT], c->value, bound,
                 from_run                           ? "the L1-sized chase / 1.1"
                 : bound > PLAUSIBILITY_L1_FLOOR_NS ? "one cycle of the top clock"
                                                    : "the 0.5 ns floor");
        return PLAUSIBILITY_LATENCY_BELOW_L1_HIT;
    default:
        return -1;
    }
}

void plausibility_learn(struct plausibility_run *s, const struct plausibility_case *c)
{
    if (!c->cached || !l1_sized(s, c) || !(c->value > 0) || isinf(c->value))
        return; /* a zero or infinite figure is no reference (a broken sample, not a cache) */
    if (c->kind == PLAUSIBILITY_CPU_BANDWIDTH && !(c->value <= s->l1_bandwidth))
        s->l1_bandwidth = c->value;
    if (c->kind == PLAUSIBILITY_CPU_LATENCY && !(c->value >= s->l1_chase_ns))
        s->l1_chase_ns = c->value;
}

/* Append text to a column, "; " between reasons; to fit, the column's last reasons (the
 * context after the signs) give way first. */
static void append_reason(char *column, size_t len, const char *text)
{
    char *last;
    while (strlen(column) + 2 + strlen(text) >= len && (last = strrchr(column, ';')))
        *last = '\0';
    size_t used = strlen(column);
    int room = (int)(len - used) - 1 - (used ? 2 : 0);
    if (room > 0)
        snprintf(column + used, len - used, "%s%.*s", used ? "; " : "", room, text);
}

int plausibility_apply(struct plausibility_run *s, const struct plausibility_case *c,
                       struct case_result *r)
{
    char reason[192];
    int rule = plausibility_check(s, c, reason, sizeof(reason));
    if (rule >= 0 && plausibility_rule_columns[rule] == PLAUSIBILITY_DISTURBED)
        append_reason(r->disturbed, sizeof(r->disturbed), reason);
    else if (rule >= 0)
        append_reason(r->implausible, sizeof(r->implausible), reason);
    if (!r->disturbed[0] && !r->implausible[0] && r->status == CASE_OK)
        plausibility_learn(s, c);
    return rule;
}
