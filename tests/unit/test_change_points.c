/* tests/unit/test_change_points.c - E-divisive change points on synthetic series whose answer
 * is known: issue 14's acceptance (steps in noise found at the right run with p < 0.01, no step
 * found in at most 5 of 100 noisy series), the edges, and the raw-samples check.
 *
 * The noise is seeded Gaussian (tests/unit/seeded_noise.h: Box-Muller on xorshift64), one seed
 * per series, so every run of the test sees the same series. The statistic is checked against a
 * direct O(n^2) sum over all pairs, written here from the paper's formula.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "change_points.h"
#include "seeded_noise.h"

/* levels[k] from step[k - 1] (0 for k = 0) to step[k], then levels[n_levels - 1] to n, with
 * Gaussian noise of sd = noise x the level. */
static void make_series(double *x, size_t n, const double *levels, const size_t *steps,
                        size_t n_steps, double noise, uint64_t seed)
{
    uint64_t state = seed * 0x9e3779b97f4a7c15ULL + 1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        while (k < n_steps && i >= steps[k])
            k++;
        x[i] = levels[k] * (1 + noise * noise_gaussian(&state));
    }
}

/* c is within one run of `at`, significant, and moved by between lo and hi (signed). */
static void assert_change_near(const struct history_change *c, size_t at, double lo, double hi)
{
    if (c->index + 1 < at || c->index > at + 1 || !(c->change > lo && c->change < hi) ||
        !(c->p_value < 0.01))
        fail_msg("change at %zu by %.3f (p %.4f), expected within one of %zu by %.3f .. %.3f",
                 c->index, c->change, c->p_value, at, lo, hi);
}

static size_t find_ok(const double *x, size_t n, const struct cp_opts *o,
                      struct history_change *out, size_t max)
{
    size_t found = 12345;
    assert_int_equal(change_points_find(x, n, o, out, max, &found), 0);
    return found;
}

/* One step in noise, in 200 seeded series of 30 runs with the step anywhere from run 10 to
 * run 20: found in every one with p < 0.01 and the right size, at the right run (within one)
 * in at least 95% of them (noise sometimes makes the runs next to the step look like the step:
 * a location is an estimate: over 2,000 series of 10% in 3% noise it is within one run in
 * 97.3%, as often as the least-squares split, the best there is for Gaussian noise). Prints
 * both rates. */
static void one_step_found(double step, double noise)
{
    enum { SERIES = 200 };
    struct cp_opts o;
    cp_opts_default(&o);
    unsigned at_the_run = 0;
    for (unsigned seed = 1; seed <= SERIES; seed++) {
        double x[30];
        size_t at = 10 + seed % 11;
        make_series(x, 30, (double[]){100, 100 * (1 + step)}, &at, 1, noise, seed);
        struct history_change c[4];
        size_t found = find_ok(x, 30, &o, c, 4);
        if (!found)
            fail_msg("seed %u: the %.0f%% step at run %zu not found", seed, step * 100, at);
        size_t hit = 0; /* the nearest change point */
        for (size_t i = 1; i < found && i < 4; i++)
            if (labs((long)c[i].index - (long)at) < labs((long)c[hit].index - (long)at))
                hit = i;
        at_the_run += c[hit].index + 1 >= at && c[hit].index <= at + 1;
        assert_true(c[hit].p_value < 0.01);
        assert_true(c[hit].p_value >= 1.0 / (o.permutations + 1));
        /* Medians of short noisy segments: the size within 60% of the step's. */
        if (!(c[hit].change > step * 0.4 && c[hit].change < step * 1.6))
            fail_msg("seed %u: found %zu, nearest at %zu (step %zu) changes %.3f", seed, found,
                     c[hit].index, at, c[hit].change);
        assert_false(c[hit].worse || c[hit].regression || c[hit].inconclusive);
    }
    print_message("change points: %.0f%% step in %.0f%% noise, 30 runs: found with p < 0.01 in "
                  "%u of %u seeded series, within one run of the step in %u\n",
                  step * 100, noise * 100, SERIES, SERIES, at_the_run);
    assert_true(at_the_run >= SERIES * 95 / 100);
}

static void test_ten_percent_step_in_three_percent_noise(void **state)
{
    (void)state;
    one_step_found(0.10, 0.03);
}

static void test_five_percent_step_in_one_percent_noise(void **state)
{
    (void)state;
    one_step_found(0.05, 0.01);
}

static void test_no_step_in_five_percent_noise(void **state)
{
    (void)state;
    unsigned with_change = 0;
    for (unsigned seed = 1; seed <= 100; seed++) {
        double x[30];
        make_series(x, 30, (double[]){100}, NULL, 0, 0.05, 1000 + seed);
        struct history_change c[4];
        with_change += find_ok(x, 30, NULL, c, 4) > 0;
    }
    print_message("change points: no step in 5%% noise, 30 runs: %u of 100 seeded series had a "
                  "change point (false-positive rate %.0f%%)\n",
                  with_change, (double)with_change);
    assert_true(with_change <= 5);
}

static void test_two_steps_up_then_down(void **state)
{
    (void)state;
    double x[45];
    make_series(x, 45, (double[]){100, 115, 95}, (size_t[]){15, 30}, 2, 0.02, 7);
    struct history_change c[4];
    assert_int_equal(find_ok(x, 45, NULL, c, 4), 2);
    assert_change_near(&c[0], 15, 0.10, 0.20);
    assert_change_near(&c[1], 30, -0.25, -0.12);
    /* The medians are of the segments between change points: the middle one is shared. */
    assert_float_equal(c[0].after, c[1].before, 0);
    assert_true(fabs(c[0].before - 100) < 3 && fabs(c[0].after - 115) < 3);
    assert_true(fabs(c[1].after - 95) < 3);
}

static void test_step_down(void **state)
{
    (void)state;
    double x[30];
    size_t at = 12;
    make_series(x, 30, (double[]){200, 180}, &at, 1, 0.02, 3);
    struct history_change c[2];
    assert_int_equal(find_ok(x, 30, NULL, c, 2), 1);
    assert_change_near(&c[0], 12, -0.13, -0.07);
    assert_true(c[0].before > c[0].after);
    assert_float_equal(c[0].change, (c[0].after - c[0].before) / c[0].before, 1e-12);
}

static void test_constant_and_short_series(void **state)
{
    (void)state;
    double same[40];
    for (size_t i = 0; i < 40; i++)
        same[i] = 42.5;
    struct history_change c[2];
    memset(c, 0x5a, sizeof(c));
    assert_int_equal(find_ok(same, 40, NULL, c, 2), 0);
    assert_int_equal(find_ok(NULL, 0, NULL, NULL, 0), 0);
    assert_int_equal(find_ok((double[]){1}, 1, NULL, c, 2), 0);
    assert_int_equal(find_ok((double[]){1, 100}, 2, NULL, c, 2), 0);
    /* Five points cannot hold two segments of three. */
    assert_int_equal(find_ok((double[]){1, 1, 1, 100, 100}, 5, NULL, c, 2), 0);
    size_t split = 7;
    assert_float_equal(change_points_statistic(same, 40, 3, &split), 0, 0);
    assert_int_equal(split, 7);
}

/* Exact values, no noise: every permutation ties with many others, and the step is still
 * found at its run with the smallest p there is. */
static void test_step_without_noise(void **state)
{
    (void)state;
    double x[30];
    for (size_t i = 0; i < 30; i++)
        x[i] = i < 15 ? 1.0 : 2.0;
    struct history_change c[2];
    assert_int_equal(find_ok(x, 30, NULL, c, 2), 1);
    assert_int_equal(c[0].index, 15);
    assert_float_equal(c[0].before, 1.0, 0);
    assert_float_equal(c[0].after, 2.0, 0);
    assert_float_equal(c[0].change, 1.0, 0);
    assert_float_equal(c[0].p_value, 1.0 / (CP_PERMUTATIONS_DEFAULT + 1), 1e-15);
}

/* One wild run (three times the level: a disturbed night) or two in a row are not a change:
 * two extreme runs side by side is too common among the permutations (about 1 in 15) to be
 * significant. Three in a row are a level of their own, and are found. */
static void test_outlier_runs_are_not_changes(void **state)
{
    (void)state;
    for (unsigned wild = 1; wild <= 3; wild++)
        for (unsigned seed = 1; seed <= 20; seed++) {
            double x[30];
            make_series(x, 30, (double[]){100}, NULL, 0, 0.03, 500 + seed);
            for (unsigned i = 0; i < wild; i++)
                x[14 + i] *= 3;
            struct history_change c[2];
            size_t found = find_ok(x, 30, NULL, c, 2);
            if (wild < 3 && found)
                fail_msg("%u wild run(s), seed %u: a change point at %zu", wild, seed, c[0].index);
            if (wild == 3 && (found != 2 || c[0].index != 14 || c[1].index != 17))
                fail_msg("3 wild runs, seed %u: %zu change points", seed, found);
        }
}

static void test_not_finite_is_einval(void **state)
{
    (void)state;
    double x[30];
    make_series(x, 30, (double[]){100}, NULL, 0, 0.01, 5);
    size_t found = 99;
    x[17] = NAN;
    assert_int_equal(change_points_find(x, 30, NULL, NULL, 0, &found), -EINVAL);
    assert_int_equal(found, 0);
    x[17] = INFINITY;
    assert_int_equal(change_points_find(x, 30, NULL, NULL, 0, &found), -EINVAL);
    size_t split;
    assert_true(isnan(change_points_statistic(x, 30, 3, &split)));
}

static void test_bad_options(void **state)
{
    (void)state;
    double x[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    size_t found;
    struct history_change c;
    struct cp_opts o;
    const double bad_alpha[] = {0, 1, -0.5, NAN};
    for (size_t i = 0; i < sizeof(bad_alpha) / sizeof(*bad_alpha); i++) {
        cp_opts_default(&o);
        o.alpha = bad_alpha[i];
        assert_int_equal(change_points_find(x, 10, &o, &c, 1, &found), -EINVAL);
    }
    cp_opts_default(&o);
    o.permutations = 99; /* p >= 1/100: never below 0.01 */
    assert_int_equal(change_points_find(x, 10, &o, &c, 1, &found), -EINVAL);
    o.permutations = 0;
    assert_int_equal(change_points_find(x, 10, &o, &c, 1, &found), -EINVAL);
    cp_opts_default(&o);
    o.min_segment = 1;
    assert_int_equal(change_points_find(x, 10, &o, &c, 1, &found), -EINVAL);
    assert_int_equal(change_points_find(x, 10, NULL, NULL, 1, &found), -EINVAL);
    assert_int_equal(change_points_find(x, 10, NULL, &c, 1, NULL), -EINVAL);
    assert_int_equal(change_points_find(NULL, 10, NULL, &c, 1, &found), -EINVAL);
}

/* Three steps of very different sizes; room for one keeps the strongest, and counts all. */
static void test_max_smaller_than_found(void **state)
{
    (void)state;
    double x[60];
    make_series(x, 60, (double[]){100, 104, 150, 146}, (size_t[]){15, 30, 45}, 3, 0.005, 11);
    struct history_change all[8], one[2];
    assert_int_equal(find_ok(x, 60, NULL, all, 8), 3);
    memset(one, 0x5a, sizeof(one));
    assert_int_equal(find_ok(x, 60, NULL, one, 1), 3);
    assert_true(one[0].index >= 29 && one[0].index <= 31); /* the +44% step */
    assert_true(one[0].change > 0.35);
    const unsigned char *canary = (const unsigned char *)&one[1];
    for (size_t i = 0; i < sizeof(one[1]); i++)
        assert_int_equal(canary[i], 0x5a);
    /* Counting only. */
    assert_int_equal(find_ok(x, 60, NULL, NULL, 0), 3);
    for (size_t i = 1; i < 3; i++)
        assert_true(all[i - 1].index < all[i].index);
}

/* A level must last min_segment runs: a change cannot be placed with fewer than that after it.
 * A 30% step in the last two runs of 30 is not a change point with the default of 3 (here it
 * is not found at all: three runs at the end, one before the step, do not stand out from what
 * permutations give); a step in the last three is, at its run; with min_segment 2 the step in
 * the last two is found, at its run. */
static void test_min_segment_at_the_end(void **state)
{
    (void)state;
    double x[30];
    struct history_change c[2];
    size_t at = 28;
    make_series(x, 30, (double[]){100, 130}, &at, 1, 0.01, 21);
    assert_int_equal(find_ok(x, 30, NULL, c, 2), 0);
    at = 27;
    make_series(x, 30, (double[]){100, 130}, &at, 1, 0.01, 21);
    assert_int_equal(find_ok(x, 30, NULL, c, 2), 1);
    assert_int_equal(c[0].index, 27);
    struct cp_opts o;
    cp_opts_default(&o);
    o.min_segment = 2;
    at = 28;
    make_series(x, 30, (double[]){100, 130}, &at, 1, 0.01, 21);
    assert_int_equal(find_ok(x, 30, &o, c, 2), 1);
    assert_int_equal(c[0].index, 28);
}

/* Same seed, same answer, to the bit; another seed moves the p-values, not the change. */
static void test_deterministic_for_a_seed(void **state)
{
    (void)state;
    double x[40];
    size_t at = 20;
    /* A weak step that noise half hides (p near 0.28), so that the p-value is not simply the
     * smallest possible and depends on the permutations drawn. */
    make_series(x, 40, (double[]){100, 104}, &at, 1, 0.03, 4);
    struct cp_opts o;
    cp_opts_default(&o);
    o.alpha = 0.5;
    struct history_change a[4], b[4], other[4];
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    size_t na = find_ok(x, 40, &o, a, 4), nb = find_ok(x, 40, &o, b, 4);
    assert_int_equal(na, nb);
    assert_true(na >= 1);
    assert_memory_equal(a, b, sizeof(a));
    bool p_moved = false;
    for (unsigned long long seed = 1; seed <= 8 && !p_moved; seed++) {
        o.seed = seed;
        if (find_ok(x, 40, &o, other, 4) >= 1 && other[0].index == a[0].index &&
            other[0].p_value != a[0].p_value)
            p_moved = true;
    }
    assert_true(p_moved);
}

/* The calls share nothing: series searched on several threads at once give what they give one
 * at a time (history may spread its series over cores). */
static void test_parallel_calls_agree(void **state)
{
    (void)state;
    enum { SERIES = 16, N = 60 };
    static double x[SERIES][N];
    static struct history_change alone[SERIES][4], together[SERIES][4];
    size_t found_alone[SERIES], found_together[SERIES];
    memset(alone, 0, sizeof(alone));
    memset(together, 0, sizeof(together));
    for (size_t i = 0; i < SERIES; i++) {
        size_t at = 20 + i;
        make_series(x[i], N, (double[]){100, 108}, &at, 1, 0.03, 900 + i);
        found_alone[i] = find_ok(x[i], N, NULL, alone[i], 4);
    }
    int errors = 0;
#pragma omp parallel for num_threads(4) reduction(+ : errors)
    for (size_t i = 0; i < SERIES; i++)
        errors += change_points_find(x[i], N, NULL, together[i], 4, &found_together[i]) != 0;
    assert_int_equal(errors, 0);
    for (size_t i = 0; i < SERIES; i++)
        assert_int_equal(found_together[i], found_alone[i]);
    assert_memory_equal(together, alone, sizeof(alone));
}

/* The paper's Q of x[0..tau) against x[tau..kappa), from its sums over pairs: c is the
 * cumulative matrix of |x_i - x_j|, c[i][j] = sum over a < i, b < j (row length n + 1). */
static double pair_sum(const double *c, size_t n, size_t r0, size_t r1, size_t c0, size_t c1)
{
    size_t w = n + 1;
    return c[r1 * w + c1] - c[r0 * w + c1] - c[r1 * w + c0] + c[r0 * w + c0];
}

static double direct_statistic(const double *c, size_t n, size_t tau, size_t kappa)
{
    double m = (double)tau, k = (double)(kappa - tau);
    double left = pair_sum(c, n, 0, tau, 0, tau) / 2;
    double right = pair_sum(c, n, tau, kappa, tau, kappa) / 2;
    double across = pair_sum(c, n, 0, tau, tau, kappa);
    double e = 2 * across / (m * k) - left / (m * (m - 1) / 2) - right / (k * (k - 1) / 2);
    return m * k / (m + k) * e;
}

/* The largest direct Q with min points in each sample, over the pairs (tau, kappa) the header
 * promises: every one up to CP_ANY_END_MAX points; beyond, kappa = n or kappa - tau at most
 * CP_SECOND_SAMPLE_MAX. */
static double direct_best(const double *x, size_t n, size_t min, size_t *split)
{
    double *c = calloc((n + 1) * (n + 1), sizeof(*c));
    assert_non_null(c);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            c[(i + 1) * (n + 1) + j + 1] = fabs(x[i] - x[j]) + c[i * (n + 1) + j + 1] +
                                           c[(i + 1) * (n + 1) + j] - c[i * (n + 1) + j];
    double best = -INFINITY;
    for (size_t kappa = 2 * min; kappa <= n; kappa++)
        for (size_t tau = min; tau + min <= kappa; tau++) {
            if (n > CP_ANY_END_MAX && kappa < n && kappa - tau > CP_SECOND_SAMPLE_MAX)
                continue;
            double q = direct_statistic(c, n, tau, kappa);
            if (q > best) {
                best = q;
                *split = tau;
            }
        }
    free(c);
    return best;
}

static void statistic_matches(const double *x, size_t n, size_t min)
{
    size_t want_split = 0, got_split = 0;
    double want = direct_best(x, n, min, &want_split);
    double got = change_points_statistic(x, n, min, &got_split);
    assert_true(fabs(got - want) <= 1e-9 * fabs(want));
    assert_int_equal(got_split, want_split);
}

/* The statistic and its split against the sums over all pairs: short series (every end of the
 * second sample), and long ones (its end or a short second sample). Values near 1e9 (ns), ties,
 * and rises that fall back, which only a free end isolates. */
static void test_statistic_matches_the_pairwise_sums(void **state)
{
    (void)state;
    double x[CP_ANY_END_MAX + 200];
    make_series(x, 37, (double[]){1e9, 1.07e9, 1e9}, (size_t[]){12, 24}, 2, 0.02, 9);
    x[5] = x[6];
    x[30] = x[2];
    statistic_matches(x, 37, 3);
    statistic_matches(x, 37, 2);
    statistic_matches(x, 37, 5);
    make_series(x, CP_ANY_END_MAX, (double[]){5, 6}, (size_t[]){200}, 1, 0.1, 10);
    statistic_matches(x, CP_ANY_END_MAX, 3);
    /* Long series: a short rise that only a short second sample isolates; a long one, where
     * a second sample of any length would do better than the statistic is allowed to; a
     * step, where the sample to the end is best. */
    size_t n = CP_ANY_END_MAX + 200;
    make_series(x, n, (double[]){5, 5.5, 5}, (size_t[]){200, 220}, 2, 0.1, 11);
    statistic_matches(x, n, 3);
    make_series(x, n, (double[]){5, 5.5, 5}, (size_t[]){150, 250}, 2, 0.1, 11);
    statistic_matches(x, n, 3);
    make_series(x, n, (double[]){5, 5.2}, (size_t[]){100}, 1, 0.1, 12);
    statistic_matches(x, n, 3);
    size_t split;
    assert_true(isnan(change_points_statistic(x, 5, 3, &split)));
    assert_true(isnan(change_points_statistic(x, 30, 1, &split)));
}

/* A regression fixed 20 runs later, in the middle of 300 runs: both changes are found (the
 * second sample of the statistic need not run to the end). */
static void test_rise_that_falls_back_in_a_long_series(void **state)
{
    (void)state;
    double x[300];
    make_series(x, 300, (double[]){100, 110, 100}, (size_t[]){140, 160}, 2, 0.03, 13);
    struct history_change c[4];
    assert_int_equal(find_ok(x, 300, NULL, c, 4), 2);
    assert_change_near(&c[0], 140, 0.05, 0.15);
    assert_change_near(&c[1], 160, -0.14, -0.04);
}

/* Raw samples: runs of 10 samples around each run's median. */
static void make_points(struct history_point *p, double *samples, const double *x, size_t n,
                        double spread, uint64_t seed)
{
    uint64_t state = seed;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < 10; j++)
            samples[i * 10 + j] = x[i] * (1 + spread * noise_gaussian(&state));
        p[i] = (struct history_point){.run = i,
                                      .median = x[i],
                                      .ci_low = NAN,
                                      .ci_high = NAN,
                                      .samples = samples + i * 10,
                                      .n_samples = 10};
    }
}

static void test_raw_samples_confirm_a_real_step(void **state)
{
    (void)state;
    double x[30], samples[300];
    size_t at = 15;
    make_series(x, 30, (double[]){100, 110}, &at, 1, 0.02, 31);
    struct history_point p[30];
    make_points(p, samples, x, 30, 0.02, 77);
    struct history_change c[2];
    assert_int_equal(find_ok(x, 30, NULL, c, 2), 1);
    struct cp_confirmation r;
    assert_int_equal(change_points_confirm(p, 30, c, 1, 0, CP_CONFIRM_WINDOW, 0.01, &r), 0);
    assert_true(r.tested && r.confirmed);
    assert_true(r.p_value < 0.01);
    assert_int_equal(r.runs_before, CP_CONFIRM_WINDOW);
    assert_int_equal(r.runs_after, CP_CONFIRM_WINDOW);
    assert_int_equal(r.samples_before, 10 * CP_CONFIRM_WINDOW);

    /* A change whose samples moved the other way than its medians is not confirmed. */
    struct history_change flipped = c[0];
    flipped.before = c[0].after;
    flipped.after = c[0].before;
    assert_int_equal(change_points_confirm(p, 30, &flipped, 1, 0, CP_CONFIRM_WINDOW, 0.01, &r), 0);
    assert_true(r.tested && !r.confirmed);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Medians that jumped while the samples hardly moved: bimodal runs (modes at 100 and 110)
 * with 6 of 10 samples low before run 10 and 4 of 10 after, so each run's median flips from
 * the low mode to the high one. The medians find a 10% change; the pooled samples (30 of 50
 * low against 20 of 50) do not show one at 0.01, and veto it. */
static void test_raw_samples_veto_a_median_artefact(void **state)
{
    (void)state;
    double x[20], samples[200], sorted[10];
    struct history_point p[20];
    uint64_t st = 5;
    for (size_t i = 0; i < 20; i++) {
        size_t low = i < 10 ? 6 : 4;
        for (size_t j = 0; j < 10; j++)
            samples[i * 10 + j] = (j < low ? 100 : 110) + 0.1 * noise_gaussian(&st);
        memcpy(sorted, samples + i * 10, sizeof(sorted));
        qsort(sorted, 10, sizeof(*sorted), compare_double);
        x[i] = (sorted[4] + sorted[5]) / 2;
        p[i] = (struct history_point){.run = i,
                                      .median = x[i],
                                      .ci_low = NAN,
                                      .ci_high = NAN,
                                      .samples = samples + i * 10,
                                      .n_samples = 10};
    }
    struct history_change c[2];
    assert_int_equal(find_ok(x, 20, NULL, c, 2), 1);
    assert_int_equal(c[0].index, 10);
    assert_true(c[0].change > 0.08 && c[0].p_value < 0.01);
    struct cp_confirmation r;
    assert_int_equal(change_points_confirm(p, 20, c, 1, 0, 5, 0.01, &r), 0);
    assert_true(r.tested);
    assert_false(r.confirmed);
    assert_true(r.p_value > 0.01);
}

/* No samples on a side: not tested, the medians decide. The window stops at the neighbours. */
static void test_raw_samples_missing_and_window(void **state)
{
    (void)state;
    double x[30], samples[300];
    make_series(x, 30, (double[]){100, 120, 100}, (size_t[]){10, 20}, 2, 0.01, 41);
    struct history_point p[30];
    make_points(p, samples, x, 30, 0.01, 78);
    struct history_change c[3];
    assert_int_equal(find_ok(x, 30, NULL, c, 3), 2);
    struct cp_confirmation r;
    assert_int_equal(change_points_confirm(p, 30, c, 2, 1, 100, 0.01, &r), 0);
    /* From the previous change point to the end, not 100 runs. */
    assert_int_equal(r.runs_before, c[1].index - c[0].index);
    assert_int_equal(r.runs_after, 30 - c[1].index);
    assert_true(r.confirmed);

    for (size_t i = c[1].index; i < 30; i++)
        p[i].samples = NULL;
    assert_int_equal(change_points_confirm(p, 30, c, 2, 1, 5, 0.01, &r), 0);
    assert_false(r.tested);
    assert_false(r.confirmed);
    assert_true(isnan(r.p_value));
    assert_int_equal(r.runs_after, 0);

    assert_int_equal(change_points_confirm(p, 30, c, 2, 2, 5, 0.01, &r), -EINVAL);
    assert_int_equal(change_points_confirm(p, 30, c, 2, 0, 0, 0.01, &r), -EINVAL);
    assert_int_equal(change_points_confirm(p, 30, c, 2, 0, 5, 1, &r), -EINVAL);
    struct history_change outside = {.index = 30};
    assert_int_equal(change_points_confirm(p, 30, &outside, 1, 0, 5, 0.01, &r), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_ten_percent_step_in_three_percent_noise),
            cmocka_unit_test(test_five_percent_step_in_one_percent_noise),
            cmocka_unit_test(test_no_step_in_five_percent_noise),
            cmocka_unit_test(test_two_steps_up_then_down),
            cmocka_unit_test(test_step_down),
            cmocka_unit_test(test_constant_and_short_series),
            cmocka_unit_test(test_step_without_noise),
            cmocka_unit_test(test_outlier_runs_are_not_changes),
            cmocka_unit_test(test_not_finite_is_einval),
            cmocka_unit_test(test_bad_options),
            cmocka_unit_test(test_max_smaller_than_found),
            cmocka_unit_test(test_min_segment_at_the_end),
            cmocka_unit_test(test_deterministic_for_a_seed),
            cmocka_unit_test(test_parallel_calls_agree),
            cmocka_unit_test(test_statistic_matches_the_pairwise_sums),
            cmocka_unit_test(test_rise_that_falls_back_in_a_long_series),
            cmocka_unit_test(test_raw_samples_confirm_a_real_step),
            cmocka_unit_test(test_raw_samples_veto_a_median_artefact),
            cmocka_unit_test(test_raw_samples_missing_and_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
