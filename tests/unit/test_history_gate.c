/* tests/unit/test_history_gate.c - history's change points and gate on histories built by hand:
 * a step found on the undisturbed runs, its direction and regression from the metric's better
 * column and the threshold, the newest run after a regression fails, an improvement never does,
 * a regression only in disturbed runs and a disturbed newest run are inconclusive, a case the
 * newest run lacks and a series of one run are not judged; the order and verdict names.
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

#include "history.h"
#include "history_gate.h"

#define RUNS_MAX 64

/* One board "b" of n runs (disturbed as marked) and one series of the given medians; a NAN
 * median leaves that run out of the series (the case did not run there). */
struct built {
    struct history h;
    struct history_run runs[RUNS_MAX];
    struct history_board board;
    size_t order[RUNS_MAX];
    struct history_series series;
    struct history_point points[RUNS_MAX];
};

static void build(struct built *b, const double *medians, size_t n, const bool *disturbed,
                  bool higher_better)
{
    memset(b, 0, sizeof(*b));
    for (size_t i = 0; i < n; i++) {
        b->runs[i] = (struct history_run){
                .board = "b", .run_id = "r", .disturbed = disturbed && disturbed[i]};
        if (b->runs[i].disturbed)
            snprintf(b->runs[i].reason, sizeof(b->runs[i].reason), "load 9.00 on 2 CPUs");
        b->order[i] = i;
        if (!isnan(medians[i]))
            b->points[b->series.n_points++] = (struct history_point){
                    .run = i, .median = medians[i], .ci_low = NAN, .ci_high = NAN};
    }
    b->board = (struct history_board){.name = "b", .runs = b->order, .n_runs = n};
    b->series = (struct history_series){.board = "b",
                                        .case_id = "cpu:heap=host",
                                        .metric = "bandwidth",
                                        .unit = "bytes/s",
                                        .higher_better = higher_better,
                                        .points = b->points,
                                        .n_points = b->series.n_points};
    b->h = (struct history){.runs = b->runs,
                            .n_runs = n,
                            .boards = &b->board,
                            .n_boards = 1,
                            .series = &b->series,
                            .n_series = 1};
}

/* level before `at`, level * step from it on, with +-0.5% alternating noise. */
static void step_series(double *x, size_t n, size_t at, double step)
{
    for (size_t i = 0; i < n; i++)
        x[i] = 100 * (i >= at ? step : 1) * (1 + (i % 2 ? 0.005 : -0.005) * ((i % 3) + 1) / 3);
}

static void find(struct built *b)
{
    struct history_gate_opts o;
    history_gate_opts_default(&o);
    assert_int_equal(history_find_changes(&b->h, &o), 0);
}

static void free_built(struct built *b)
{
    free(b->series.changes);
}

static void test_slower_is_a_regression_at_the_newest_run(void **state)
{
    (void)state;
    double x[24];
    step_series(x, 24, 12, 0.85); /* bandwidth 15% down */
    struct built b;
    build(&b, x, 24, NULL, true);
    find(&b);
    assert_int_equal(b.series.n_changes, 1);
    const struct history_change *c = &b.series.changes[0];
    assert_in_range(c->index, 11, 13);
    assert_true(c->p_value < 0.01);
    assert_true(c->change < -0.10 && c->change > -0.20);
    assert_true(c->worse && c->regression && !c->inconclusive);
    assert_string_equal(history_change_direction(c), "worse");
    const struct history_change *why;
    assert_int_equal(history_series_verdict(&b.h, &b.series, &why), HISTORY_VERDICT_REGRESSION);
    assert_ptr_equal(why, c);
    assert_int_equal(history_board_verdict(&b.h, 0), HISTORY_VERDICT_REGRESSION);
    free_built(&b);

    /* The same step in a lower-is-better metric is an improvement: never a regression. */
    build(&b, x, 24, NULL, false);
    find(&b);
    assert_int_equal(b.series.n_changes, 1);
    assert_false(b.series.changes[0].worse);
    assert_false(b.series.changes[0].regression);
    assert_string_equal(history_change_direction(&b.series.changes[0]), "better");
    assert_int_equal(history_series_verdict(&b.h, &b.series, NULL), HISTORY_VERDICT_PASS);
    assert_int_equal(history_board_verdict(&b.h, 0), HISTORY_VERDICT_PASS);
    free_built(&b);
}

static void test_threshold(void **state)
{
    (void)state;
    double x[24];
    step_series(x, 24, 12, 0.96); /* 4% down: significant, not above the 5% threshold */
    struct built b;
    build(&b, x, 24, NULL, true);
    find(&b);
    assert_int_equal(b.series.n_changes, 1);
    assert_true(b.series.changes[0].worse);
    assert_false(b.series.changes[0].regression);
    assert_int_equal(history_series_verdict(&b.h, &b.series, NULL), HISTORY_VERDICT_PASS);
    free_built(&b);
}

static void test_disturbed_runs_are_not_the_baseline(void **state)
{
    (void)state;
    /* 16 flat runs, the last four disturbed and 30% slower: only they show it. */
    double x[16];
    bool disturbed[16] = {false};
    step_series(x, 16, 12, 0.70);
    for (size_t i = 12; i < 16; i++)
        disturbed[i] = true;
    struct built b;
    build(&b, x, 16, disturbed, true);
    find(&b);
    assert_int_equal(b.series.n_changes, 1);
    const struct history_change *c = &b.series.changes[0];
    assert_true(c->regression && c->inconclusive);
    assert_in_range(c->index, 11, 13);
    assert_non_null(strstr(c->reason, "disturbed: load 9.00 on 2 CPUs"));
    assert_int_equal(history_series_verdict(&b.h, &b.series, NULL), HISTORY_VERDICT_INCONCLUSIVE);
    assert_int_equal(history_board_verdict(&b.h, 0), HISTORY_VERDICT_INCONCLUSIVE);
    free_built(&b);

    /* A disturbed newest run alone: nothing to find, and the board is inconclusive. */
    double flat[2] = {100, 100};
    bool newest[2] = {false, true};
    build(&b, flat, 2, newest, true);
    find(&b);
    assert_int_equal(b.series.n_changes, 0);
    assert_int_equal(history_series_verdict(&b.h, &b.series, NULL), HISTORY_VERDICT_PASS);
    assert_int_equal(history_board_verdict(&b.h, 0), HISTORY_VERDICT_INCONCLUSIVE);
    free_built(&b);

    /* Disturbed runs in the middle, slow: left out, so no change at all. */
    double y[20];
    bool middle[20] = {false};
    step_series(y, 20, 0, 1);
    for (size_t i = 8; i < 12; i++) {
        middle[i] = true;
        y[i] *= 0.6;
    }
    build(&b, y, 20, middle, true);
    find(&b);
    assert_int_equal(b.series.n_changes, 0);
    assert_int_equal(history_board_verdict(&b.h, 0), HISTORY_VERDICT_PASS);
    free_built(&b);
}

static void test_missing_and_single(void **state)
{
    (void)state;
    double x[10];
    step_series(x, 10, 0, 1);
    x[9] = NAN; /* the newest run lacks the case */
    struct built b;
    build(&b, x, 10, NULL, true);
    find(&b);
    assert_int_equal(history_series_verdict(&b.h, &b.series, NULL), HISTORY_VERDICT_MISSING);
    assert_int_equal(history_board_verdict(&b.h, 0), HISTORY_VERDICT_PASS);
    free_built(&b);
    double one[1] = {5};
    build(&b, one, 1, NULL, true);
    find(&b);
    assert_int_equal(history_series_verdict(&b.h, &b.series, NULL), HISTORY_VERDICT_SINGLE);
    free_built(&b);
}

static void test_names(void **state)
{
    (void)state;
    enum history_order o;
    for (int i = 0; i < N_HISTORY_ORDERS; i++) {
        assert_int_equal(history_order_parse(history_order_name((enum history_order)i), &o), 0);
        assert_int_equal(o, i);
    }
    assert_string_equal(history_order_name(HISTORY_ORDER_KERNEL), "kernel");
    assert_int_equal(history_order_parse("random", &o), -EINVAL);
    assert_string_equal(history_verdict_name(HISTORY_VERDICT_INCONCLUSIVE), "inconclusive");
    assert_string_equal(history_verdict_name(N_HISTORY_VERDICTS), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_slower_is_a_regression_at_the_newest_run),
            cmocka_unit_test(test_threshold),
            cmocka_unit_test(test_disturbed_runs_are_not_the_baseline),
            cmocka_unit_test(test_missing_and_single),
            cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
