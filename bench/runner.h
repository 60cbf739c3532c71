/* bench/runner.h - runs one case of a benchmark: setup, repetitions, counters, statistics.
 *
 * The only place that decides how often a case is repeated (bench/stats.h reps_next) and that
 * turns raw samples into summaries, so every benchmark gets the same rules.
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
    unsigned reps;       /* repetitions taken */
    enum reps_stop stop; /* why they stopped */
    double elapsed_s;    /* wall time of the repetitions */
};

/* Run c (its benchmark found by name) and fill *out; never fails the run: an error becomes
 * out->status = CASE_ERROR with the reason. Returns -ENOMEM only. */
int runner_run_case(const struct bench_def *b, const struct bench_case *c,
                    const struct bench_env *env, const struct reps_policy *policy,
                    struct case_result *out);
void case_result_free(struct case_result *r);
const char *case_status_name(enum case_status s);

#endif
