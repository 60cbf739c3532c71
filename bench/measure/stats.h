/* bench/measure/stats.h - what a set of repeated samples says: centre, spread, tails, confidence.
 *
 * Every figure dmabench reports is a summary of raw samples that are also kept; the median
 * with a distribution-free 95% confidence interval is the headline because benchmark samples
 * are skewed (interrupts, frequency changes) and rarely normal.
 */
#ifndef DMABENCH_STATS_H
#define DMABENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>

struct stats_summary {
    size_t n;
    double median, mean, min, max;
    double stddev;          /* sample standard deviation (n - 1); 0 when n == 1 */
    double mad;             /* median absolute deviation (raw, not scaled by 1.4826) */
    double cv;              /* stddev / mean; NAN when mean == 0 */
    double p90, p99;        /* percentiles, linear interpolation between order statistics */
    double ci_low, ci_high; /* 95% CI of the median from order statistics; NAN when n < 6 */
};

/* Summarise n samples (not modified). -EINVAL when n == 0 or a sample is not finite, -ERANGE
 * when the mean or spread overflows a double, -ENOMEM. */
int stats_summarize(const double *samples, size_t n, struct stats_summary *out);
/* Percentile q in [0, 100] of sorted[0..n), linear interpolation (type 7, as R and numpy);
 * q outside [0, 100] is clamped, NAN when n == 0 or q is NAN. */
double stats_percentile_sorted(const double *sorted, size_t n, double q);
/* The median of v[0..n) as stats_percentile_sorted gives it, sorting v in place; NAN for n 0. */
double stats_median_sort(double *v, size_t n);
/* Whether the CI half-width, (ci_high - ci_low) / 2, is at most rel (0.01 = 1%) of |median|;
 * false when the CI is NAN. */
bool stats_ci_within(const struct stats_summary *s, double rel);
/* The 1-based ranks lo < hi of the order statistics that bound the 95% CI of the median of n
 * samples: symmetric (hi = n + 1 - lo), the narrowest whose binomial(n, 1/2) coverage
 * P(lo <= B < hi) is >= 0.95. Exact binomial up to STATS_CI_EXACT_MAX, beyond it the normal
 * approximation with continuity correction (never narrower than exact). -EDOM when n < 6. */
int stats_median_ci_ranks(size_t n, size_t *lo, size_t *hi);
#define STATS_CI_EXACT_MAX 1000

/* Why repetitions stopped. */
enum reps_stop {
    REPS_CONTINUE = 0,
    REPS_STOP_FIXED,     /* the requested number of repetitions ran */
    REPS_STOP_CONVERGED, /* --reps auto: CI half-width <= target */
    REPS_STOP_BUDGET,    /* the case's time budget ran out first */
    REPS_STOP_MAX,       /* --reps auto hit the hard cap on repetitions */
};

/* A zero field takes its default, so a policy built with designated initialisers that names
 * only what it changes is complete. */
struct reps_policy {
    unsigned reps; /* fixed count (0 = 1); with autorep the minimum (at least 6) */
    bool autorep;
    unsigned max_reps;    /* hard cap for autorep; 0 = REPS_AUTO_MAX_DEFAULT */
    double target_rel_ci; /* autorep target; <= 0 = REPS_AUTO_TARGET_DEFAULT (1%) */
    double budget_s;      /* per case; <= 0 means no budget */
};

#define REPS_AUTO_MIN            6 /* fewer samples have no distribution-free CI */
#define REPS_AUTO_MAX_DEFAULT    1000
#define REPS_AUTO_TARGET_DEFAULT 0.01

/* Decide after n samples taken in elapsed_s seconds whether to take another. The first sample
 * is always taken (n == 0 continues), so every case has a result. The budget stops fixed mode
 * too: a fixed count that would take an hour still ends, and says it stopped early (BUDGET).
 * In auto mode a sample set that cannot be summarised (not finite, no memory) never counts as
 * converged; max_reps and the budget still end it. */
enum reps_stop reps_next(const struct reps_policy *p, const double *samples, size_t n,
                         double elapsed_s);
/* "fixed", "converged", "budget", "max" ("continue" for REPS_CONTINUE). */
const char *reps_stop_name(enum reps_stop stop);
/* The reason reps_stop_name spells as text ("continue" included): 0, or -EINVAL. */
int reps_stop_parse(const char *text, enum reps_stop *out);

#endif
