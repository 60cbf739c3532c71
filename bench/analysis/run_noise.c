/* bench/analysis/run_noise.c - judges whether runs were disturbed, from their metadata and the
 * flags on their rows, on their own and against their peers (run_noise.h says the rules).
 *
 * Reading (facts of one set) and judging (a run against its peers) are apart, so that history
 * can keep a thousand runs' facts without keeping a thousand sets.
 */
#include "run_noise.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metadata.h"
#include "stats.h"

const char *const run_noise_rule_texts[N_RUN_NOISE_RULES] = {
#define RUN_NOISE_RULE_TEXT(id, rule) [RUN_NOISE_##id] = rule,
        RUN_NOISE_RULES(RUN_NOISE_RULE_TEXT)
#undef RUN_NOISE_RULE_TEXT
};

static const struct {
    const char *key, *word;
} settings[N_RUN_NOISE_SETTINGS] = {
#define RUN_NOISE_SETTING_ROW(id, key, word) [RUN_NOISE_SETTING_##id] = {key, word},
        RUN_NOISE_SETTINGS(RUN_NOISE_SETTING_ROW)
#undef RUN_NOISE_SETTING_ROW
};

/* ---- reading ----------------------------------------------------------------------------- */

/* A finite number, the whole of the value; NAN for a missing key, "unknown", "nan" ... */
static double meta_number(const struct result_set *s, const char *key)
{
    const char *v = metadata_get(s->md, key);
    char *end;
    if (!v || !*v)
        return NAN;
    double d = strtod(v, &end);
    return *end || !isfinite(d) ? NAN : d;
}

/* The larger of two, either of which may be NAN. */
static double max_known(double a, double b)
{
    return isnan(a) ? b : isnan(b) ? a : a > b ? a : b;
}

/* Per-policy values as metadata groups them, "policy0-3=1800000;policy4-5=2400000": the
 * largest number among them; NAN when none is one ("none", "unknown"). */
static double largest_policy_value(const char *value)
{
    double best = NAN;
    for (const char *p = value ? strchr(value, '=') : NULL; p; p = strchr(p + 1, '=')) {
        char *end;
        double v = strtod(p + 1, &end);
        if (end != p + 1 && (*end == ';' || !*end) && isfinite(v))
            best = max_known(best, v);
    }
    return best;
}

/* Whether every policy's governor keeps the clock where it is set. */
static bool governor_holds_clock(const char *value)
{
    if (!value || !strchr(value, '='))
        return false;
    for (const char *p = strchr(value, '='); p; p = strchr(p + 1, '=')) {
        size_t len = strcspn(p + 1, ";");
        if (!(len == 11 && !strncmp(p + 1, "performance", len)) &&
            !(len == 9 && !strncmp(p + 1, "userspace", len)))
            return false;
    }
    return true;
}

static void read_cases(const struct result_set *s, struct run_noise_facts *f)
{
    int disturbed = result_set_col(s, "disturbed");
    f->has_flag_column = disturbed >= 0;
    const char *last = NULL;
    bool ok = false, flagged = false;
    /* A case's rows are written together: a new case id starts a case. */
    for (size_t i = 0; i <= s->n_rows; i++) {
        const struct result_row *r = i < s->n_rows ? &s->rows[i] : NULL;
        const char *id = r ? result_text(r, s->c.case_id) : NULL;
        if (last && (!id || strcmp(id, last))) {
            f->measured += ok;
            f->flagged += ok && flagged;
        }
        if (!r)
            break;
        if (!last || strcmp(id, last)) {
            f->cases++;
            ok = flagged = false;
        }
        ok |= !strcmp(result_text(r, s->c.status), "ok");
        flagged |= *result_text(r, disturbed) != '\0';
        last = id;
    }
}

void run_noise_facts_read(const struct result_set *s, struct run_noise_facts *f)
{
    *f = (struct run_noise_facts){0};
    f->load = max_known(meta_number(s, "before_loadavg_1"), meta_number(s, "after_loadavg_1"));
    f->cpus = meta_number(s, "cpus_used");
    if (!(f->cpus > 0)) {
        f->cpus = meta_number(s, "cpu_pus");
        f->cpus_is_machine = true;
    }
    if (!(f->cpus > 0))
        f->cpus = NAN;
    f->steal_percent = meta_number(s, "steal_percent");
    if (isnan(f->steal_percent))
        f->steal_percent = metadata_steal_percent(s->md);
    for (size_t k = 0; k < N_RUN_NOISE_SETTINGS; k++) {
        const char *v = metadata_get(s->md, settings[k].key);
        if (v && strcmp(v, "unknown") != 0)
            snprintf(f->setting[k], sizeof(f->setting[k]), "%s", v);
    }
    f->clock_holds = governor_holds_clock(metadata_get(s->md, "cpufreq_governor"));
    double before = largest_policy_value(metadata_get(s->md, "before_cpufreq_cur_khz"));
    double after = largest_policy_value(metadata_get(s->md, "after_cpufreq_cur_khz"));
    f->clock_khz = isnan(before) || isnan(after) ? max_known(before, after)
                                                 : (before < after ? before : after);
    read_cases(s, f);
    /* A resumed run's span holds the pause; an unfinished one has no end_time. */
    double start = metadata_parse_time(metadata_get(s->md, "start_time"));
    double end = metadata_parse_time(metadata_get(s->md, "end_time"));
    f->case_seconds = NAN;
    if (!metadata_get(s->md, "resumes") && f->cases && end >= start)
        f->case_seconds = (end - start) / (double)f->cases;
}

/* ---- judging ----------------------------------------------------------------------------- */

static void add_reason(char reason[HISTORY_REASON_MAX], const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void add_reason(char reason[HISTORY_REASON_MAX], const char *fmt, ...)
{
    size_t used = strlen(reason);
    if (used && used + 2 < HISTORY_REASON_MAX) {
        memcpy(reason + used, "; ", 3);
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason + used, HISTORY_REASON_MAX - used, fmt, ap);
    va_end(ap);
}

/* The value more than half of run i's peers that recorded setting k share, or NULL. */
static const char *peers_majority(const struct run_noise_facts *f, size_t n, size_t i, size_t k)
{
    size_t known = 0;
    for (size_t j = 0; j < n; j++)
        known += j != i && f[j].setting[k][0];
    for (size_t j = 0; j < n; j++) {
        if (j == i || !f[j].setting[k][0])
            continue;
        size_t same = 0;
        for (size_t m = 0; m < n; m++)
            same += m != i && !strcmp(f[m].setting[k], f[j].setting[k]);
        if (2 * same > known)
            return f[j].setting[k];
    }
    return NULL;
}

static double clock_of(const struct run_noise_facts *f)
{
    return f->clock_holds ? f->clock_khz : NAN;
}

static double case_seconds_of(const struct run_noise_facts *f)
{
    return f->case_seconds;
}

/* The median of what get gives run i's peers, those that know it (and, with same_cases, ran as
 * many cases: another job's time per case says nothing); NAN when none does. */
static double peers_median(const struct run_noise_facts *f, size_t n, size_t i,
                           double (*get)(const struct run_noise_facts *), bool same_cases)
{
    double *v = malloc(n * sizeof(*v));
    size_t m = 0;
    for (size_t j = 0; v && j < n; j++)
        if (j != i && !isnan(get(&f[j])) && (!same_cases || f[j].cases == f[i].cases))
            v[m++] = get(&f[j]);
    double median = v ? stats_median_sort(v, m) : NAN;
    free(v);
    return median;
}

static void judge_one(const struct run_noise_facts *all, size_t n, size_t i,
                      char reason[HISTORY_REASON_MAX])
{
    const struct run_noise_facts *f = &all[i];
    reason[0] = '\0';
    if (f->load > f->cpus)
        add_reason(reason, "load %.2f on %s%.0f CPUs", f->load,
                   f->cpus_is_machine ? "the machine's " : "", f->cpus);
    if (f->steal_percent > RUN_NOISE_STEAL_PERCENT)
        add_reason(reason, "steal %.1f%%", f->steal_percent);
    for (size_t k = 0; k < N_RUN_NOISE_SETTINGS; k++) {
        const char *peers = peers_majority(all, n, i, k);
        if (f->setting[k][0] && peers && strcmp(f->setting[k], peers))
            add_reason(reason, "%s %.40s, peers %.40s", settings[k].word, f->setting[k], peers);
    }
    double clock = peers_median(all, n, i, clock_of, false);
    if (clock_of(f) < (1 - RUN_NOISE_CLOCK_DROP) * clock)
        add_reason(reason, "clock %.2f GHz, peers %.2f GHz", f->clock_khz / 1e6, clock / 1e6);
    double seconds = peers_median(all, n, i, case_seconds_of, true);
    if (seconds > 0 && f->case_seconds > RUN_NOISE_DURATION_RATIO * seconds)
        add_reason(reason, "ran %.1fx its peers' median time per case", f->case_seconds / seconds);
    if (f->has_flag_column && f->measured &&
        (double)f->flagged > RUN_NOISE_FLAGGED_SHARE * (double)f->measured)
        add_reason(reason, "%zu of %zu cases flagged disturbed", f->flagged, f->measured);
}

void run_noise_judge_facts(const struct run_noise_facts *facts, size_t n, bool *disturbed,
                           char (*reason)[HISTORY_REASON_MAX])
{
    for (size_t i = 0; i < n; i++) {
        judge_one(facts, n, i, reason[i]);
        disturbed[i] = reason[i][0] != '\0';
    }
}

void run_noise_judge(const struct result_set *const *sets, size_t n, bool *disturbed,
                     char (*reason)[HISTORY_REASON_MAX])
{
    struct run_noise_facts *facts = calloc(n ? n : 1, sizeof(*facts));
    if (!facts) {
        /* No room for the peers: each run on its own facts. */
        struct run_noise_facts one;
        for (size_t i = 0; i < n; i++) {
            run_noise_facts_read(sets[i], &one);
            run_noise_judge_facts(&one, 1, &disturbed[i], &reason[i]);
        }
        return;
    }
    for (size_t i = 0; i < n; i++)
        run_noise_facts_read(sets[i], &facts[i]);
    run_noise_judge_facts(facts, n, disturbed, reason);
    free(facts);
}
