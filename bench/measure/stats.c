/* bench/measure/stats.c - summaries of raw repetitions and the --reps auto stopping rule.
 *
 * Order statistics are computed here by sorting a copy; the confidence interval of the median
 * comes from the binomial distribution of how many samples fall below it, so it holds whatever
 * shape the timing distribution has (skewed, bimodal, with outliers).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* Two-sided 95% standard-normal quantile, Phi^-1(0.975). */
#define Z_975 1.959963984540054

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double stats_median_sort(double *v, size_t n)
{
    if (n)
        qsort(v, n, sizeof(*v), compare_doubles);
    return stats_percentile_sorted(v, n, 50);
}

double stats_percentile_sorted(const double *sorted, size_t n, double q)
{
    if (n == 0 || isnan(q))
        return NAN;
    if (q < 0)
        q = 0;
    if (q > 100)
        q = 100;
    /* Type 7: h = (n - 1) q, 0-based; interpolate between the order statistics around it. */
    double h = (double)(n - 1) * q / 100.0;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1)
        return sorted[n - 1];
    double frac = h - (double)lo;
    return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

int stats_median_ci_ranks(size_t n, size_t *lo, size_t *hi)
{
    /* Below 6 samples even the widest interval, [min, max], covers the median with probability
     * 1 - 2 / 2^n < 0.95: no distribution-free 95% interval exists. */
    if (n < REPS_AUTO_MIN)
        return -EDOM;
    size_t j = 0;
    if (n <= STATS_CI_EXACT_MAX) {
        /* lo = j is allowed while P(B <= j - 1) <= 0.025: then the coverage of ranks j and
         * n + 1 - j, P(j <= B <= n - j), is 1 - 2 P(B <= j - 1) >= 0.95. Binomial terms by the
         * recurrence C(n, i+1) = C(n, i) (n - i) / (i + 1); 2^-n is still a normal double at
         * n = 1000. The tail probabilities are multiples of 2^-n, never exactly 0.025. */
        double term = ldexp(1.0, -(int)n), cdf = term;
        for (size_t i = 0; cdf <= 0.025; i++) {
            j = i + 1;
            term *= (double)(n - i) / (double)(i + 1);
            cdf += term;
        }
    } else {
        /* P(B <= j - 1) ~ Phi((j - 1 + 0.5 - n/2) / (sqrt(n) / 2)) <= 0.025. Against the exact
         * rule this is sometimes one rank wider, never narrower (checked for n < 3000). */
        double x = floor(((double)n + 1.0 - Z_975 * sqrt((double)n)) / 2.0);
        j = x < 1 ? 1 : (size_t)x;
    }
    *lo = j;
    *hi = n + 1 - j;
    return 0;
}

/* Median and its CI from sorted samples; the part of the summary reps_next needs. */
static void median_and_ci(const double *sorted, size_t n, struct stats_summary *out)
{
    size_t lo, hi;
    out->median = stats_percentile_sorted(sorted, n, 50);
    if (stats_median_ci_ranks(n, &lo, &hi) == 0) {
        out->ci_low = sorted[lo - 1];
        out->ci_high = sorted[hi - 1];
    } else {
        out->ci_low = NAN;
        out->ci_high = NAN;
    }
}

static double *sorted_copy(const double *samples, size_t n, int *err)
{
    *err = 0;
    if (!samples || n == 0) {
        *err = -EINVAL;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(samples[i])) {
            *err = -EINVAL;
            return NULL;
        }
    }
    if (n > SIZE_MAX / sizeof(double)) {
        *err = -ENOMEM;
        return NULL;
    }
    double *sorted = malloc(n * sizeof(double));
    if (!sorted) {
        *err = -ENOMEM;
        return NULL;
    }
    memcpy(sorted, samples, n * sizeof(double));
    qsort(sorted, n, sizeof(double), compare_doubles);
    return sorted;
}

int stats_summarize(const double *samples, size_t n, struct stats_summary *out)
{
    int err;
    double *sorted = sorted_copy(samples, n, &err);
    if (!sorted)
        return err;

    struct stats_summary s = {.n = n, .min = sorted[0], .max = sorted[n - 1]};
    median_and_ci(sorted, n, &s);
    s.p90 = stats_percentile_sorted(sorted, n, 90);
    s.p99 = stats_percentile_sorted(sorted, n, 99);

    /* Two passes: the mean first, then squared deviations from it, which keeps the variance
     * accurate when the spread is tiny next to the mean (a 1 ns jitter on 10 ms samples). */
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += sorted[i];
    s.mean = sum / (double)n;
    double ss = 0;
    for (size_t i = 0; i < n; i++) {
        double d = sorted[i] - s.mean;
        ss += d * d;
    }
    s.stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
    if (!isfinite(s.mean) || !isfinite(s.stddev)) {
        free(sorted);
        return -ERANGE;
    }
    s.cv = s.mean != 0 ? s.stddev / s.mean : NAN;

    /* MAD: the median of the absolute deviations, re-using the sorted buffer. */
    for (size_t i = 0; i < n; i++)
        sorted[i] = fabs(sorted[i] - s.median);
    qsort(sorted, n, sizeof(double), compare_doubles);
    s.mad = stats_percentile_sorted(sorted, n, 50);
    free(sorted);
    if (!isfinite(s.mad))
        return -ERANGE;

    *out = s;
    return 0;
}

bool stats_ci_within(const struct stats_summary *s, double rel)
{
    if (!s || isnan(s->ci_low) || isnan(s->ci_high) || isnan(rel))
        return false;
    double half_width = (s->ci_high - s->ci_low) / 2;
    return half_width <= rel * fabs(s->median);
}

static bool budget_spent(const struct reps_policy *p, double elapsed_s)
{
    /* A NAN elapsed time compares false: no evidence that the budget ran out. */
    return p->budget_s > 0 && elapsed_s >= p->budget_s;
}

/* Whether the median's CI of the samples so far is within the target: one sort, no MAD. */
static bool auto_converged(const double *samples, size_t n, double target)
{
    int err;
    double *sorted = sorted_copy(samples, n, &err);
    if (!sorted)
        return false;
    struct stats_summary s = {.n = n};
    median_and_ci(sorted, n, &s);
    free(sorted);
    return stats_ci_within(&s, target);
}

enum reps_stop reps_next(const struct reps_policy *p, const double *samples, size_t n,
                         double elapsed_s)
{
    if (n == 0)
        return REPS_CONTINUE;
    if (!p->autorep) {
        unsigned reps = p->reps ? p->reps : 1;
        if (n >= reps)
            return REPS_STOP_FIXED;
        return budget_spent(p, elapsed_s) ? REPS_STOP_BUDGET : REPS_CONTINUE;
    }

    size_t min = p->reps > REPS_AUTO_MIN ? p->reps : REPS_AUTO_MIN;
    size_t cap = p->max_reps ? p->max_reps : REPS_AUTO_MAX_DEFAULT;
    /* An explicit minimum beats the cap: "at least 50, at most 20" means 50. */
    if (cap < min)
        cap = min;
    double target = p->target_rel_ci > 0 ? p->target_rel_ci : REPS_AUTO_TARGET_DEFAULT;

    /* A converged result is the best reason to stop, so it is checked before the limits. */
    if (n >= min && auto_converged(samples, n, target))
        return REPS_STOP_CONVERGED;
    if (n >= cap)
        return REPS_STOP_MAX;
    return budget_spent(p, elapsed_s) ? REPS_STOP_BUDGET : REPS_CONTINUE;
}

const char *reps_stop_name(enum reps_stop stop)
{
    switch (stop) {
    case REPS_CONTINUE:
        return "continue";
    case REPS_STOP_FIXED:
        return "fixed";
    case REPS_STOP_CONVERGED:
        return "converged";
    case REPS_STOP_BUDGET:
        return "budget";
    case REPS_STOP_MAX:
        return "max";
    }
    return "unknown";
}

int reps_stop_parse(const char *text, enum reps_stop *out)
{
    for (enum reps_stop r = REPS_CONTINUE; r <= REPS_STOP_MAX; r++)
        if (!strcmp(text, reps_stop_name(r))) {
            *out = r;
            return 0;
        }
    return -EINVAL;
}
