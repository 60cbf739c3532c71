/* bench/runner.c - one case from setup to statistics.
 *
 * Repetitions stop by the same rule for every benchmark (fixed count, CI convergence, time
 * budget); counters are read per repetition as deltas of the threads' totals, so each counter
 * has raw samples and statistics like any other metric.
 */
#include "runner.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_disturbance.h"
#include "counters_probe.h"
#include "resource_snapshot.h"
#include "run_signals.h"
#include "timing.h"

const char *case_status_name(enum case_status s)
{
    switch (s) {
    case CASE_OK:
        return "ok";
    case CASE_SKIPPED:
        return "skipped";
    default:
        return "error";
    }
}

int case_status_parse(const char *text, enum case_status *out)
{
    for (enum case_status st = CASE_OK; st <= CASE_ERROR; st++)
        if (!strcmp(text, case_status_name(st))) {
            *out = st;
            return 0;
        }
    return -EINVAL;
}

static int append_sample(struct metric_result *m, double value, unsigned rep)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        double *samples = realloc(m->samples, cap * sizeof(*samples));
        if (!samples)
            return -ENOMEM;
        m->samples = samples;
        unsigned *reps = realloc(m->sample_rep, cap * sizeof(*reps));
        if (!reps)
            return -ENOMEM;
        m->sample_rep = reps;
        m->cap = cap;
    }
    m->samples[m->n] = value;
    m->sample_rep[m->n++] = rep;
    return 0;
}

static int append_rep_ns(struct case_result *r, double ns)
{
    if (r->reps == r->rep_ns_cap) {
        size_t cap = r->rep_ns_cap ? r->rep_ns_cap * 2 : 64;
        double *rep_ns = realloc(r->rep_ns, cap * sizeof(*rep_ns));
        if (!rep_ns)
            return -ENOMEM;
        r->rep_ns = rep_ns;
        r->rep_ns_cap = cap;
    }
    r->rep_ns[r->reps] = ns;
    return 0;
}

static void mark_all(struct case_result *r, enum case_status status, int err, const char *reason)
{
    r->status = status;
    r->err = err;
    snprintf(r->reason, sizeof(r->reason), "%s", reason);
    for (size_t i = 0; i < r->n_metrics; i++) {
        r->metrics[i].status = status;
        r->metrics[i].err = err;
        snprintf(r->metrics[i].reason, sizeof(r->metrics[i].reason), "%s", reason);
    }
}

static size_t bench_metric_count(const struct bench_def *b, const struct bench_case *c,
                                 const struct metric_def *const **defs)
{
    size_t n = b->metrics(c, defs);
    return n < BENCH_MAX_METRICS ? n : BENCH_MAX_METRICS;
}

size_t runner_case_rows(const struct bench_def *b, const struct bench_case *c,
                        const struct bench_env *env)
{
    const struct metric_def *const *defs;
    return bench_metric_count(b, c, &defs) + env->counters->n;
}

static void init_metrics(const struct bench_def *b, const struct bench_case *c,
                         const struct bench_env *env, struct case_result *r)
{
    const struct metric_def *const *defs;
    size_t n = bench_metric_count(b, c, &defs);
    for (size_t i = 0; i < n; i++) {
        struct metric_result *m = &r->metrics[r->n_metrics++];
        snprintf(m->name, sizeof(m->name), "%s", defs[i]->name);
        snprintf(m->unit, sizeof(m->unit), "%s", defs[i]->unit);
        m->better = defs[i]->better;
        m->mux_ratio = NAN;
    }
    for (size_t i = 0; i < env->counters->n; i++) {
        struct metric_result *m = &r->metrics[r->n_metrics++];
        snprintf(m->name, sizeof(m->name), "%s", env->counters->names[i]);
        snprintf(m->unit, sizeof(m->unit), "%s/%s",
                 counter_unit_name(counter_unit_of(env->counters->names[i])), b->work_unit);
        m->better = BETTER_LOWER;
        m->mux_ratio = NAN;
    }
}

static size_t n_bench_metrics(const struct case_result *r, const struct bench_env *env)
{
    return r->n_metrics - env->counters->n;
}

/* Append one repetition: the benchmark's samples, then each counter's delta per unit of work. */
static int record_sample(struct case_result *r, const struct bench_env *env,
                         const struct sample_out *s, const struct counter_totals *before)
{
    size_t nb = n_bench_metrics(r, env);
    for (size_t i = 0; i < nb; i++)
        for (size_t k = 0; k < s->n[i]; k++)
            if (append_sample(&r->metrics[i], s->values[i][k], r->reps))
                return -ENOMEM;
    for (size_t i = 0; i < env->counters->n; i++) {
        if (env->totals->err[i] || s->work <= 0)
            continue;
        double delta = env->totals->value[i] - before->value[i];
        if (append_sample(&r->metrics[nb + i], delta / s->work, r->reps))
            return -ENOMEM;
    }
    return 0;
}

static void finish_counters(struct case_result *r, const struct bench_env *env)
{
    size_t nb = n_bench_metrics(r, env);
    for (size_t i = 0; i < env->counters->n; i++) {
        struct metric_result *m = &r->metrics[nb + i];
        m->mux_ratio = counter_totals_running_ratio(env->totals, i);
        if (env->totals->err[i] && m->status == CASE_OK) {
            m->status = CASE_SKIPPED;
            m->err = env->totals->err[i];
            counter_error_reason(env->counters->names[i], m->err, m->reason, sizeof(m->reason));
        }
    }
}

static void summarize_all(struct case_result *r)
{
    for (size_t i = 0; i < r->n_metrics; i++)
        if (r->metrics[i].n)
            stats_summarize(r->metrics[i].samples, r->metrics[i].n, &r->metrics[i].stats);
}

/* What the kernel and the core hold for us; before and after a case must be equal. */
struct leak_probe {
    bool valid;
    struct resource_snapshot res;
    struct heap_counts live;
};

static void leak_probe_take(const struct bench_env *env, struct leak_probe *p)
{
    p->valid = resource_snapshot_take(&p->res) == 0;
    p->live = env->registry ? heap_registry_live(env->registry)
                            : (struct heap_counts){.buffers = 0, .mappings = 0};
}

/* After teardown: anything that grew is a leak, named in the case's error. */
static void leak_check(const struct bench_env *env, const struct leak_probe *before,
                       struct case_result *r)
{
    struct leak_probe after;
    leak_probe_take(env, &after);
    char what[160] = "";
    if (before->valid && after.valid)
        resource_snapshot_describe_growth(&before->res, &after.res, what, sizeof(what));
    long buffers = after.live.buffers - before->live.buffers;
    long maps = after.live.mappings - before->live.mappings;
    size_t used = strlen(what);
    if (buffers > 0 || maps > 0)
        snprintf(what + used, sizeof(what) - used, "%s%ld heap buffer(s), %ld mapping(s) live",
                 used ? ", " : "", buffers > 0 ? buffers : 0, maps > 0 ? maps : 0);
    if (!what[0])
        return;
    r->leaked = true;
    char reason[sizeof(r->reason)];
    if (r->status == CASE_ERROR) {
        /* Both halves cut to fit: the leak must show even after a long error text. */
        snprintf(reason, sizeof(reason), "%.70s; and leaked after teardown: %.85s", r->reason,
                 what);
        mark_all(r, CASE_ERROR, r->err, reason);
    } else {
        snprintf(reason, sizeof(reason), "leaked after teardown: %s", what);
        mark_all(r, CASE_ERROR, 0, reason);
    }
}

static const char *signal_name(int signo)
{
    static char name[16];
    const char *abbrev = sigabbrev_np(signo);
    snprintf(name, sizeof(name), "SIG%s", abbrev ? abbrev : "?");
    return name;
}

/* A stop signal or the case timeout, checked before every sample: the sample under way always
 * finishes (never cut out of a kernel call), the next one never starts. */
static bool stopped_between_samples(const struct runner_limits *limits, uint64_t case_start,
                                    struct case_result *out)
{
    char reason[192];
    int signo = run_stop_signal();
    if (signo) {
        out->stop_signal = signo;
        snprintf(reason, sizeof(reason),
                 RUNNER_INTERRUPTED_MARK "%s after %u repetitions (--resume runs this case "
                                         "again)",
                 signal_name(signo), out->reps);
        mark_all(out, CASE_ERROR, -EINTR, reason);
        return true;
    }
    if (!limits || !(limits->case_timeout_s > 0))
        return false;
    double elapsed = timing_ticks_to_ns(timing_now() - case_start) / 1e9;
    if (run_case_timer_expired() || elapsed >= limits->case_timeout_s) {
        out->timed_out = true;
        snprintf(reason, sizeof(reason), "case timeout of %g s exceeded after %u repetitions",
                 limits->case_timeout_s, out->reps);
        mark_all(out, CASE_ERROR, -ETIME, reason);
        return true;
    }
    return false;
}

static int run_repetitions(const struct bench_def *b, const struct bench_env *env,
                           const struct reps_policy *policy, const struct runner_limits *limits,
                           uint64_t case_start, void *state, struct case_result *out)
{
    char reason[192] = "";
    uint64_t start = timing_now();
    while (!stopped_between_samples(limits, case_start, out)) {
        struct counter_totals before = *env->totals;
        struct sample_out s = {0};
        uint64_t t0 = timing_now();
        int ret = b->sample(state, &s, reason, sizeof(reason));
        double call_ns = timing_ticks_to_ns(timing_now() - t0);
        if (ret) {
            mark_all(out, CASE_ERROR, ret, reason);
            break;
        }
        if ((ret = record_sample(out, env, &s, &before)) != 0 ||
            (ret = append_rep_ns(out, s.timed_ns > 0 ? s.timed_ns : call_ns)) != 0)
            return ret;
        out->reps++;
        out->elapsed_s = timing_ticks_to_ns(timing_now() - start) / 1e9;
        out->stop = reps_next(policy, out->metrics[0].samples, out->metrics[0].n, out->elapsed_s);
        if (out->stop != REPS_CONTINUE)
            break;
    }
    return 0;
}

int runner_run_case(const struct bench_def *b, const struct bench_case *c,
                    const struct bench_env *env, const struct reps_policy *policy,
                    const struct runner_limits *limits, struct case_result *out)
{
    memset(out, 0, sizeof(*out));
    out->facts.huge_fraction = NAN;
    /* The benchmark fills in what it really ran on through its env. */
    struct bench_env case_env = *env;
    case_env.facts = &out->facts;
    env = &case_env;
    init_metrics(b, c, env, out);
    counter_totals_init(env->totals, env->counters);
    struct leak_probe before = {.valid = false};
    bool check_leaks = limits && limits->check_leaks;
    if (check_leaks)
        leak_probe_take(env, &before);
    uint64_t case_start = timing_now();
    if (limits)
        run_case_timer_arm(limits->case_timeout_s);
    char reason[192] = "";
    void *state = NULL;
    int ret = b->setup(c, env, &state, reason, sizeof(reason));
    if (ret) {
        mark_all(out, ret == -EOPNOTSUPP ? CASE_SKIPPED : CASE_ERROR, ret, reason);
        ret = 0;
    } else {
        /* Around the repetitions only: setup's warm-up and allocations are not measured. */
        struct case_disturbance_snapshot around[2];
        case_disturbance_take(env->pins, &around[0]);
        ret = run_repetitions(b, env, policy, limits, case_start, state, out);
        case_disturbance_take(env->pins, &around[1]);
        case_disturbance_check(&around[0], &around[1], out->disturbed, sizeof(out->disturbed));
        b->teardown(state);
        if (!ret) {
            finish_counters(out, env);
            summarize_all(out);
        }
    }
    if (limits)
        run_case_timer_disarm();
    if (ret) /* -ENOMEM keeping samples: the caller stops the run */
        return ret;
    if (check_leaks)
        leak_check(env, &before, out);
    return 0;
}

void case_result_free(struct case_result *r)
{
    for (size_t i = 0; i < r->n_metrics; i++) {
        free(r->metrics[i].samples);
        free(r->metrics[i].sample_rep);
    }
    free(r->rep_ns);
    memset(r, 0, sizeof(*r));
}

const struct metric_result *case_result_metric(const struct case_result *r, const char *name)
{
    for (size_t i = 0; i < r->n_metrics; i++)
        if (!strcmp(r->metrics[i].name, name) && r->metrics[i].status == CASE_OK && r->metrics[i].n)
            return &r->metrics[i];
    return NULL;
}

double case_result_min_rep_ns(const struct case_result *r)
{
    double min = NAN;
    for (size_t i = 0; r->rep_ns && i < r->reps; i++)
        if (isnan(min) || r->rep_ns[i] < min)
            min = r->rep_ns[i];
    return min;
}
