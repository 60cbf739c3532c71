/* bench/runner.h - runs one case of a benchmark: setup, repetitions, counters, statistics.
 *
 * The only place that decides how often a case is repeated (bench/measure/stats.h reps_next) and
 * that turns raw samples into summaries, so every benchmark gets the same rules.
 */
#ifndef DMABENCH_RUNNER_H
#define DMABENCH_RUNNER_H

#include <stdbool.h>
#include <stddef.h>

#include "bench.h"
#include "counters.h"
#include "stats.h"

enum case_status {
    CASE_OK,
    CASE_SKIPPED, /* does not apply here (kernel the CPU lacks, counter without a PMU ...) */
    CASE_ERROR,   /* failed: errno and reason say why */
};

/* One metric of a case: a benchmark metric or a counter (events per unit of work). */
struct metric_result {
    char name[COUNTER_NAME_MAX];
    char unit[32];
    enum metric_better better;
    enum case_status status;
    int err; /* -errno when status != CASE_OK */
    char reason[192];
    double mux_ratio; /* counters: time running / time enabled; NAN for other metrics */
    double *samples;
    unsigned *sample_rep; /* repetition each sample came from */
    size_t n, cap;
    struct stats_summary stats; /* valid when n > 0 */
};

#define RESULT_MAX_METRICS (BENCH_MAX_METRICS + COUNTERS_MAX)

struct case_result {
    enum case_status status;
    int err;
    char reason[192];
    size_t n_metrics;
    struct metric_result metrics[RESULT_MAX_METRICS];
    unsigned reps;           /* repetitions taken */
    enum reps_stop stop;     /* why they stopped */
    double elapsed_s;        /* wall time of the repetitions */
    int stop_signal;         /* the signal that interrupted the case, or 0 */
    bool timed_out;          /* the case timeout abandoned it */
    bool leaked;             /* resources grew from before setup to after teardown */
    struct case_facts facts; /* what the case really ran on (bench.h), from the benchmark */
    double *rep_ns;          /* each repetition's timed duration, reps of them */
    size_t rep_ns_cap;
    char disturbed[192];   /* why the machine disturbed this case's numbers, or "" */
    char implausible[192]; /* the physical rule a result breaks, or "" */
};

/* What stops a case besides its repetition policy. */
struct runner_limits {
    double case_timeout_s; /* > 0: abandon the case between samples after this long */
    bool check_leaks;      /* compare fds, dma-bufs, buffer mappings and the core's live
                            * buffers before setup and after teardown; growth is an error */
};

/* The error text of a case stopped by a signal contains this; --resume runs such a case again
 * (bench/run_resume.h), whereas a timeout or a failure is a result and is kept. */
#define RUNNER_INTERRUPTED_MARK "interrupted by signal "

/* Run c (its benchmark found by name) and fill *out; never fails the run: an error becomes
 * out->status = CASE_ERROR with the reason. A stop signal (bench/run_signals.h) or the case
 * timeout ends the case between samples: what was measured is kept, the case is an error
 * (-EINTR with RUNNER_INTERRUPTED_MARK, or -ETIME), and out->stop_signal says which signal.
 * limits may be NULL (no timeout, no leak check). Returns -ENOMEM only. */
int runner_run_case(const struct bench_def *b, const struct bench_case *c,
                    const struct bench_env *env, const struct reps_policy *policy,
                    const struct runner_limits *limits, struct case_result *out);
/* How many results rows (metrics, counters included) the case gives: runner_run_case always
 * fills this many, whatever happens. */
size_t runner_case_rows(const struct bench_def *b, const struct bench_case *c,
                        const struct bench_env *env);
void case_result_free(struct case_result *r);
/* The metric of r called name that succeeded with samples, or NULL. */
const struct metric_result *case_result_metric(const struct case_result *r, const char *name);
/* The shortest repetition of r in ns (rep_ns), or NAN when it took none. */
double case_result_min_rep_ns(const struct case_result *r);
const char *case_status_name(enum case_status s);
/* The status case_status_name spells as text: 0, or -EINVAL. */
int case_status_parse(const char *text, enum case_status *out);

#endif
