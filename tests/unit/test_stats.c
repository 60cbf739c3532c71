/* tests/unit/test_stats.c - summaries, the median's confidence interval and --reps auto.
 *
 * Expected values are derived outside the code under test: by hand (shown in the comments, as
 * R's quantile(type = 7) defines them), from published binomial tables, and from an
 * independent binomial computation (lgamma) for every n the exact rule covers.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "stats.h"

#define EPS 1e-9

static struct stats_summary summarize_ok(const double *v, size_t n)
{
    struct stats_summary s;
    memset(&s, 0xa5, sizeof(s));
    assert_int_equal(stats_summarize(v, n, &s), 0);
    assert_int_equal(s.n, n);
    return s;
}

/* Deterministic noise so that no test depends on luck: xorshift64, uniform in (0, 1). */
static double uniform(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return ((double)(x >> 11) + 0.5) / 9007199254740992.0;
}

/* Skewed like real timings: a floor plus an exponential tail. */
static double timing_like(uint64_t *state, double floor_ns, double tail_ns)
{
    return floor_ns - tail_ns * log(uniform(state));
}

static void test_one_to_ten(void **state)
{
    (void)state;
    /* Shuffled, so that the sort is exercised. */
    const double v[] = {7, 3, 10, 1, 5, 9, 2, 8, 6, 4};
    double copy[10];
    memcpy(copy, v, sizeof(v));
    struct stats_summary s = summarize_ok(v, 10);
    assert_memory_equal(copy, v, sizeof(v)); /* the samples are not modified */

    assert_float_equal(s.median, 5.5, EPS);
    assert_float_equal(s.mean, 5.5, EPS);
    assert_float_equal(s.min, 1, EPS);
    assert_float_equal(s.max, 10, EPS);
    /* Sample variance of 1..n is n(n+1)/12 = 110/12. */
    assert_float_equal(s.stddev, sqrt(110.0 / 12.0), EPS);
    assert_float_equal(s.stddev, 3.0276503540974917, EPS);
    /* |x - 5.5| = 0.5 0.5 1.5 1.5 2.5 2.5 3.5 3.5 4.5 4.5: median 2.5. */
    assert_float_equal(s.mad, 2.5, EPS);
    assert_float_equal(s.cv, 3.0276503540974917 / 5.5, EPS);
    /* Type 7: h = (n-1) q = 8.1 -> x[8] + 0.1 (x[9] - x[8]) = 9.1 (0-based); 8.91 -> 9.91. */
    assert_float_equal(s.p90, 9.1, EPS);
    assert_float_equal(s.p99, 9.91, EPS);
    /* n = 10: order statistics 2 and 9, coverage 1 - 2 * 11/1024 = 97.9%. */
    assert_float_equal(s.ci_low, 2, EPS);
    assert_float_equal(s.ci_high, 9, EPS);
}

static void test_single_sample(void **state)
{
    (void)state;
    const double v[] = {5};
    struct stats_summary s = summarize_ok(v, 1);
    assert_float_equal(s.median, 5, EPS);
    assert_float_equal(s.mean, 5, EPS);
    assert_float_equal(s.min, 5, EPS);
    assert_float_equal(s.max, 5, EPS);
    assert_float_equal(s.stddev, 0, EPS);
    assert_float_equal(s.mad, 0, EPS);
    assert_float_equal(s.cv, 0, EPS);
    assert_float_equal(s.p90, 5, EPS);
    assert_float_equal(s.p99, 5, EPS);
    assert_true(isnan(s.ci_low));
    assert_true(isnan(s.ci_high));
}

static void test_skewed_with_outlier(void **state)
{
    (void)state;
    /* Nine samples around 11 and one interrupt-sized outlier. */
    const double v[] = {10, 11, 12, 10, 11, 13, 10, 12, 11, 100};
    struct stats_summary s = summarize_ok(v, 10);
    /* Sorted: 10 10 10 11 11 11 12 12 13 100. */
    assert_float_equal(s.median, 11, EPS);
    assert_float_equal(s.mean, 20, EPS); /* 200 / 10: the outlier drags the mean */
    /* Squared deviations from 20: 3*100 + 3*81 + 2*64 + 49 + 6400 = 7120; / 9. */
    assert_float_equal(s.stddev, sqrt(7120.0 / 9.0), EPS);
    assert_float_equal(s.cv, sqrt(7120.0 / 9.0) / 20, EPS);
    /* |x - 11| sorted: 0 0 0 1 1 1 1 1 2 89: median 1, untouched by the outlier. */
    assert_float_equal(s.mad, 1, EPS);
    /* R: quantile(x, c(.9, .99)) = 13 + 0.1 * 87 = 21.7, 13 + 0.91 * 87 = 92.17. */
    assert_float_equal(s.p90, 21.7, EPS);
    assert_float_equal(s.p99, 92.17, EPS);
    /* Ranks 2 and 9 of the sorted samples. */
    assert_float_equal(s.ci_low, 10, EPS);
    assert_float_equal(s.ci_high, 13, EPS);
}

static void test_odd_count(void **state)
{
    (void)state;
    const double v[] = {3, 1, 4, 1, 5, 9, 2};
    struct stats_summary s = summarize_ok(v, 7);
    /* Sorted: 1 1 2 3 4 5 9. */
    assert_float_equal(s.median, 3, EPS);
    assert_float_equal(s.mean, 25.0 / 7.0, EPS);
    /* |x - 3| sorted: 0 1 1 2 2 2 6. */
    assert_float_equal(s.mad, 2, EPS);
    /* h = 6 * 0.9 = 5.4: 5 + 0.4 * 4 = 6.6; h = 5.94: 5 + 0.94 * 4 = 8.76. */
    assert_float_equal(s.p90, 6.6, EPS);
    assert_float_equal(s.p99, 8.76, EPS);
    /* n = 7: P(B <= 0) = 1/128 <= 0.025 < P(B <= 1) = 8/128: ranks 1 and 7, min and max. */
    assert_float_equal(s.ci_low, 1, EPS);
    assert_float_equal(s.ci_high, 9, EPS);
}

static void test_percentile_edges(void **state)
{
    (void)state;
    const double sorted[] = {1, 2, 4, 8};
    assert_float_equal(stats_percentile_sorted(sorted, 4, 0), 1, EPS);
    assert_float_equal(stats_percentile_sorted(sorted, 4, 100), 8, EPS);
    assert_float_equal(stats_percentile_sorted(sorted, 4, -5), 1, EPS);
    assert_float_equal(stats_percentile_sorted(sorted, 4, 250), 8, EPS);
    /* R: quantile(c(1,2,4,8), c(.25, .5, .75)) = 1.75 3 5. */
    assert_float_equal(stats_percentile_sorted(sorted, 4, 25), 1.75, EPS);
    assert_float_equal(stats_percentile_sorted(sorted, 4, 50), 3, EPS);
    assert_float_equal(stats_percentile_sorted(sorted, 4, 75), 5, EPS);
    assert_true(isnan(stats_percentile_sorted(sorted, 0, 50)));
    assert_true(isnan(stats_percentile_sorted(sorted, 4, NAN)));

    /* An even count interpolates the MAD too: median 3, |x - 3| = 1 1 2 5, MAD 1.5. */
    const double shuffled[] = {8, 1, 4, 2};
    struct stats_summary s = summarize_ok(shuffled, 4);
    assert_float_equal(s.median, 3, EPS);
    assert_float_equal(s.mean, 3.75, EPS);
    assert_float_equal(s.mad, 1.5, EPS);
}

static void test_rejects_bad_input(void **state)
{
    (void)state;
    struct stats_summary s;
    const double ok[] = {1, 2, 3};
    assert_int_equal(stats_summarize(ok, 0, &s), -EINVAL);
    assert_int_equal(stats_summarize(NULL, 3, &s), -EINVAL);
    const double with_nan[] = {1, NAN, 3};
    assert_int_equal(stats_summarize(with_nan, 3, &s), -EINVAL);
    const double with_inf[] = {1, 2, INFINITY};
    assert_int_equal(stats_summarize(with_inf, 3, &s), -EINVAL);
    const double with_minus_inf[] = {-INFINITY, 2, 3};
    assert_int_equal(stats_summarize(with_minus_inf, 3, &s), -EINVAL);
    /* Finite samples whose sum is not. */
    const double huge[] = {DBL_MAX, DBL_MAX};
    assert_int_equal(stats_summarize(huge, 2, &s), -ERANGE);
    /* A zero mean has no coefficient of variation. */
    const double around_zero[] = {-1, 1};
    s = summarize_ok(around_zero, 2);
    assert_true(isnan(s.cv));
}

static void test_ci_ranks_from_tables(void **state)
{
    (void)state;
    /* Published tables of distribution-free CIs for the median (e.g. Conover, Practical
     * Nonparametric Statistics), 95%, 1-based ranks. n = 6: P(B <= 0) = 1/64. n = 1000 and
     * 2000 from exact integer binomial sums: the largest lo with P(B <= lo-1) <= 0.025. */
    static const struct {
        size_t n, lo, hi;
    } table[] = {
            {6, 1, 6},     {10, 2, 9},       {17, 5, 13},       {20, 6, 15},
            {100, 40, 61}, {1000, 469, 532}, {2000, 956, 1045}, {5000, 2431, 2570},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        size_t lo = 0, hi = 0;
        assert_int_equal(stats_median_ci_ranks(table[i].n, &lo, &hi), 0);
        if (lo != table[i].lo || hi != table[i].hi)
            fail_msg("n=%zu: ranks %zu..%zu, want %zu..%zu", table[i].n, lo, hi, table[i].lo,
                     table[i].hi);
    }
    size_t lo, hi;
    for (size_t n = 0; n < 6; n++)
        assert_int_equal(stats_median_ci_ranks(n, &lo, &hi), -EDOM);
}

/* P(B <= m) for B ~ binomial(n, 1/2), through lgamma: a different route from the code's. */
static double binom_half_cdf(size_t n, size_t m)
{
    double p = 0;
    for (size_t i = 0; i <= m; i++)
        p += exp(lgamma((double)n + 1) - lgamma((double)i + 1) - lgamma((double)(n - i) + 1) -
                 (double)n * log(2.0));
    return p;
}

static void test_ci_ranks_cover_95_and_are_the_narrowest(void **state)
{
    (void)state;
    for (size_t n = 6; n <= 3000; n += n < 300 ? 1 : 37) {
        size_t lo, hi;
        assert_int_equal(stats_median_ci_ranks(n, &lo, &hi), 0);
        assert_int_equal(hi, n + 1 - lo);
        assert_true(lo >= 1 && lo < hi && hi <= n);
        double tail = binom_half_cdf(n, lo - 1);
        if (1 - 2 * tail < 0.95 - 1e-9)
            fail_msg("n=%zu: ranks %zu..%zu cover only %.4f", n, lo, hi, 1 - 2 * tail);
        /* One rank further in would drop below 95%: exact up to the limit, and at most one
         * rank wider than that under the normal approximation. */
        size_t slack = n <= STATS_CI_EXACT_MAX ? 1 : 2;
        double inner = binom_half_cdf(n, lo - 1 + slack);
        if (1 - 2 * inner >= 0.95)
            fail_msg("n=%zu: ranks %zu..%zu are wider than needed", n, lo, hi);
    }
}

static void test_ci_uses_order_statistics(void **state)
{
    (void)state;
    /* Samples 1..n: the CI bounds are the ranks themselves. */
    static double v[100];
    for (size_t i = 0; i < 100; i++)
        v[i] = (double)(100 - i);
    struct stats_summary s = summarize_ok(v, 20);
    /* v[0..20) = 100..81; ranks 6 and 15 of the sorted 81..100. */
    assert_float_equal(s.ci_low, 86, EPS);
    assert_float_equal(s.ci_high, 95, EPS);
    s = summarize_ok(v, 100);
    assert_float_equal(s.ci_low, 40, EPS);
    assert_float_equal(s.ci_high, 61, EPS);
    assert_float_equal(s.median, 50.5, EPS);
    s = summarize_ok(v, 5);
    assert_true(isnan(s.ci_low) && isnan(s.ci_high));
}

static void test_ci_shrinks_with_more_samples(void **state)
{
    (void)state;
    enum { MAX_N = 5000 };
    double *v = malloc(MAX_N * sizeof(double));
    assert_non_null(v);
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < MAX_N; i++)
        v[i] = timing_like(&rng, 1000, 50);
    /* Width goes as 1/sqrt(n): 20 -> 200 -> 5000 samples shrink it about 3x and 5x. */
    double last = INFINITY;
    const size_t ns[] = {20, 200, 5000};
    for (size_t i = 0; i < 3; i++) {
        struct stats_summary s = summarize_ok(v, ns[i]);
        double width = s.ci_high - s.ci_low;
        assert_true(s.ci_low <= s.median && s.median <= s.ci_high);
        if (!(width < last / 2))
            fail_msg("n=%zu: CI width %g, not half of %g", ns[i], width, last);
        last = width;
    }
    /* The population median is 1000 + 50 ln 2 = 1034.66; 5000 samples pin it within 1%. */
    struct stats_summary s = summarize_ok(v, MAX_N);
    assert_true(s.ci_low < 1000 + 50 * log(2.0) && 1000 + 50 * log(2.0) < s.ci_high);
    assert_true(stats_ci_within(&s, 0.01));
    free(v);
}

static void test_ci_within(void **state)
{
    (void)state;
    struct stats_summary s = {.n = 10, .median = 100, .ci_low = 99.5, .ci_high = 100.5};
    assert_true(stats_ci_within(&s, 0.01));   /* half-width 0.5 <= 1 */
    assert_true(stats_ci_within(&s, 0.005));  /* 0.5 <= 0.5 */
    assert_false(stats_ci_within(&s, 0.004)); /* 0.5 > 0.4 */
    s.median = -100; /* a negative median (a difference) is measured by its size */
    s.ci_low = -100.5;
    s.ci_high = -99.5;
    assert_true(stats_ci_within(&s, 0.01));
    s.ci_low = NAN;
    assert_false(stats_ci_within(&s, 0.5));
}

/* --- --reps ------------------------------------------------------------------------------- */

/* Feed samples from next() until reps_next stops; returns the reason and the count in *n. */
static enum reps_stop run_reps(const struct reps_policy *p, double *v, size_t cap,
                               double (*next)(uint64_t *), double s_per_sample, size_t *n)
{
    uint64_t rng = 12345;
    *n = cap;
    for (size_t i = 0; i <= cap; i++) {
        enum reps_stop stop = reps_next(p, v, i, (double)i * s_per_sample);
        if (stop != REPS_CONTINUE) {
            *n = i;
            return stop;
        }
        if (i == cap)
            break;
        v[i] = next(&rng);
    }
    fail_msg("reps_next never stopped in %zu samples", cap);
    return REPS_CONTINUE;
}

static double constant_sample(uint64_t *rng)
{
    (void)rng;
    return 4242;
}

/* Uniform on [1000, 2000]: the CI half-width is about 980 / sqrt(n), so 1% of the median (15)
 * takes some 4000 samples, far beyond any cap used here. */
static double wide_sample(uint64_t *rng)
{
    return 1000 + 1000 * uniform(rng);
}

/* About 5% noise: the half-width is about 98 / sqrt(n), within 1% after some 90 samples. */
static double noisy_sample(uint64_t *rng)
{
    return timing_like(rng, 1000, 50);
}

static void test_reps_fixed(void **state)
{
    (void)state;
    double v[64];
    size_t n;
    struct reps_policy p = {.reps = 5, .budget_s = 10};
    assert_int_equal(run_reps(&p, v, 64, noisy_sample, 0.1, &n), REPS_STOP_FIXED);
    assert_int_equal(n, 5);
    /* Constant data does not end a fixed count early. */
    p.reps = 20;
    assert_int_equal(run_reps(&p, v, 64, constant_sample, 0, &n), REPS_STOP_FIXED);
    assert_int_equal(n, 20);
    /* The last requested sample landing exactly on the budget still counts as complete. */
    assert_int_equal(reps_next(&p, v, 20, 10.0), REPS_STOP_FIXED);
    /* reps = 0 means one. */
    p.reps = 0;
    assert_int_equal(run_reps(&p, v, 64, noisy_sample, 0, &n), REPS_STOP_FIXED);
    assert_int_equal(n, 1);
}

static void test_reps_fixed_stops_at_budget(void **state)
{
    (void)state;
    double v[64];
    size_t n;
    /* 1000 repetitions of 0.25 s against a 3 s budget: stops at 12, and says why. */
    struct reps_policy p = {.reps = 1000, .budget_s = 3};
    assert_int_equal(run_reps(&p, v, 64, noisy_sample, 0.25, &n), REPS_STOP_BUDGET);
    assert_int_equal(n, 12);
    /* Without a budget the same policy keeps going. */
    p.budget_s = 0;
    assert_int_equal(reps_next(&p, v, 63, 1e6), REPS_CONTINUE);
    /* The first sample is always taken, whatever the clock says. */
    p.budget_s = 1;
    assert_int_equal(reps_next(&p, v, 0, 5), REPS_CONTINUE);
    assert_int_equal(reps_next(&p, v, 1, 5), REPS_STOP_BUDGET);
    assert_int_equal(reps_next(&p, v, 1, NAN), REPS_CONTINUE);
}

static void test_reps_auto_constant_converges_at_minimum(void **state)
{
    (void)state;
    double v[64];
    size_t n;
    struct reps_policy p = {.autorep = true, .max_reps = 1000, .target_rel_ci = 0.01};
    assert_int_equal(run_reps(&p, v, 64, constant_sample, 0, &n), REPS_STOP_CONVERGED);
    assert_int_equal(n, 6); /* the smallest n with a CI */
    p.reps = 10;
    assert_int_equal(run_reps(&p, v, 64, constant_sample, 0, &n), REPS_STOP_CONVERGED);
    assert_int_equal(n, 10);
    /* Zeroed fields take the defaults (1% target, 1000 cap). */
    struct reps_policy defaults = {.autorep = true};
    assert_int_equal(run_reps(&defaults, v, 64, constant_sample, 0, &n), REPS_STOP_CONVERGED);
    assert_int_equal(n, 6);
}

static void test_reps_auto_noisy_keeps_going_then_converges(void **state)
{
    (void)state;
    enum { CAP = 1000 };
    double *v = malloc(CAP * sizeof(double));
    assert_non_null(v);
    size_t n;
    struct reps_policy p = {.autorep = true, .max_reps = CAP, .target_rel_ci = 0.01};
    assert_int_equal(run_reps(&p, v, CAP, noisy_sample, 0, &n), REPS_STOP_CONVERGED);
    /* A 5% spread needs far more than the minimum before the CI is within 1%. */
    assert_true(n > 20);
    assert_true(n < CAP);
    struct stats_summary s = summarize_ok(v, n);
    assert_true(stats_ci_within(&s, 0.01));
    struct stats_summary before = summarize_ok(v, n - 1);
    assert_false(stats_ci_within(&before, 0.01));

    /* A spread that needs thousands of samples: the cap ends it. */
    p.max_reps = 200;
    assert_int_equal(run_reps(&p, v, CAP, wide_sample, 0, &n), REPS_STOP_MAX);
    assert_int_equal(n, 200);
    free(v);
}

static void test_reps_auto_budget_and_limits(void **state)
{
    (void)state;
    double v[512];
    size_t n;
    /* 0.1 s per sample, 2 s budget: 20 samples, well before the cap. */
    struct reps_policy p = {.autorep = true, .max_reps = 500, .budget_s = 2};
    assert_int_equal(run_reps(&p, v, 512, wide_sample, 0.1, &n), REPS_STOP_BUDGET);
    assert_int_equal(n, 20);
    /* The budget also cuts the minimum short. */
    p.reps = 50;
    assert_int_equal(run_reps(&p, v, 512, constant_sample, 0.5, &n), REPS_STOP_BUDGET);
    assert_int_equal(n, 4);
    /* A converged set stops as converged even when the budget is also gone. */
    assert_int_equal(run_reps(&p, v, 512, constant_sample, 0, &n), REPS_STOP_CONVERGED);
    assert_int_equal(reps_next(&p, v, 50, 100), REPS_STOP_CONVERGED);
    /* An explicit minimum above the cap wins: at least 50, even with max_reps 20. */
    struct reps_policy q = {.autorep = true, .reps = 50, .max_reps = 20};
    assert_int_equal(run_reps(&q, v, 512, wide_sample, 0, &n), REPS_STOP_MAX);
    assert_int_equal(n, 50);
    /* Samples that cannot be summarised never converge; the cap still ends the case. */
    for (size_t i = 0; i < 20; i++)
        v[i] = i == 3 ? NAN : 7;
    q.reps = 6;
    assert_int_equal(reps_next(&q, v, 19, 0), REPS_CONTINUE);
    assert_int_equal(reps_next(&q, v, 20, 0), REPS_STOP_MAX);
}

static void test_reps_stop_names(void **state)
{
    (void)state;
    assert_string_equal(reps_stop_name(REPS_STOP_FIXED), "fixed");
    assert_string_equal(reps_stop_name(REPS_STOP_CONVERGED), "converged");
    assert_string_equal(reps_stop_name(REPS_STOP_BUDGET), "budget");
    assert_string_equal(reps_stop_name(REPS_STOP_MAX), "max");
    assert_string_equal(reps_stop_name(REPS_CONTINUE), "continue");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_one_to_ten),
            cmocka_unit_test(test_single_sample),
            cmocka_unit_test(test_skewed_with_outlier),
            cmocka_unit_test(test_odd_count),
            cmocka_unit_test(test_percentile_edges),
            cmocka_unit_test(test_rejects_bad_input),
            cmocka_unit_test(test_ci_ranks_from_tables),
            cmocka_unit_test(test_ci_ranks_cover_95_and_are_the_narrowest),
            cmocka_unit_test(test_ci_uses_order_statistics),
            cmocka_unit_test(test_ci_shrinks_with_more_samples),
            cmocka_unit_test(test_ci_within),
            cmocka_unit_test(test_reps_fixed),
            cmocka_unit_test(test_reps_fixed_stops_at_budget),
            cmocka_unit_test(test_reps_auto_constant_converges_at_minimum),
            cmocka_unit_test(test_reps_auto_noisy_keeps_going_then_converges),
            cmocka_unit_test(test_reps_auto_budget_and_limits),
            cmocka_unit_test(test_reps_stop_names),
    };
    return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
