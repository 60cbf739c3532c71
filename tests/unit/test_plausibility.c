/* tests/unit/test_plausibility.c - the physical rules, each with a figure just inside and just
 * outside it; what the run learns (and refuses to learn) about its L1; how a case's rows become
 * the figure a rule reads; and that results/README.md lists every rule of the table.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bench_fixture.h"
#include "plausibility.h"

static struct plausibility_run run_without_clock(void)
{
    struct plausibility_run s;
    plausibility_run_init(&s, 32 << 10, 0);
    return s;
}

static int check(const struct plausibility_run *s, enum plausibility_kind kind, double value,
                 size_t working_set, char *reason)
{
    struct plausibility_case c = {
            .kind = kind, .value = value, .working_set = working_set, .cached = true};
    reason[0] = '\0';
    return plausibility_check(s, &c, reason, 192);
}

static void learn(struct plausibility_run *s, enum plausibility_kind kind, double value,
                  size_t working_set, bool cached)
{
    struct plausibility_case c = {
            .kind = kind, .value = value, .working_set = working_set, .cached = cached};
    plausibility_learn(s, &c);
}

static void test_false_sharing_below_1x(void **state)
{
    (void)state;
    struct plausibility_run s = run_without_clock();
    char reason[192];
    assert_int_equal(check(&s, PLAUSIBILITY_FALSE_SHARING, 1.0, 0, reason), -1);
    /* SMT siblings share their L1: a ratio near 1, within the 5% a ratio of medians wanders. */
    assert_int_equal(check(&s, PLAUSIBILITY_FALSE_SHARING, 0.951, 0, reason), -1);
    assert_int_equal(check(&s, PLAUSIBILITY_FALSE_SHARING, 0.949, 0, reason),
                     PLAUSIBILITY_FALSE_SHARING_BELOW_1X);
    assert_int_equal(check(&s, PLAUSIBILITY_FALSE_SHARING, 0.821, 0, reason),
                     PLAUSIBILITY_FALSE_SHARING_BELOW_1X);
    assert_non_null(strstr(reason, "false-sharing cost below 1x: 0.821x"));
    assert_int_equal(plausibility_rule_columns[PLAUSIBILITY_FALSE_SHARING_BELOW_1X],
                     PLAUSIBILITY_IMPLAUSIBLE);
}

static void test_bandwidth_above_l1(void **state)
{
    (void)state;
    struct plausibility_run s = run_without_clock();
    char reason[192];
    /* No L1-sized case yet: nothing to compare with. */
    assert_int_equal(check(&s, PLAUSIBILITY_CPU_BANDWIDTH, 1e15, 1 << 20, reason), -1);
    learn(&s, PLAUSIBILITY_CPU_BANDWIDTH, 80e9, 16 << 10, true);
    learn(&s, PLAUSIBILITY_CPU_BANDWIDTH, 100e9, 8 << 10, true);
    learn(&s, PLAUSIBILITY_CPU_BANDWIDTH, 90e9, 16 << 10, true);
    assert_true(s.l1_bandwidth == 100e9);
    assert_int_equal(check(&s, PLAUSIBILITY_CPU_BANDWIDTH, 109.9e9, 1 << 20, reason), -1);
    assert_int_equal(check(&s, PLAUSIBILITY_CPU_BANDWIDTH, 110.1e9, 1 << 20, reason),
                     PLAUSIBILITY_BANDWIDTH_ABOVE_L1);
    assert_non_null(strstr(reason, "bandwidth above L1: 110.1 GB/s per thread"));
    assert_non_null(strstr(reason, "L1-sized cases 100 GB/s"));
    /* An L1-sized case is the reference, not checked against it: fill and read differ. */
    assert_int_equal(check(&s, PLAUSIBILITY_CPU_BANDWIDTH, 300e9, 16 << 10, reason), -1);
}

static void test_what_the_l1_reference_learns_from(void **state)
{
    (void)state;
    struct plausibility_run s = run_without_clock();
    /* Through an uncached mapping nothing sits in L1; above half the L1 set conflicts start. */
    learn(&s, PLAUSIBILITY_CPU_BANDWIDTH, 50e9, 16 << 10, false);
    learn(&s, PLAUSIBILITY_CPU_BANDWIDTH, 50e9, (16 << 10) + 64, true);
    learn(&s, PLAUSIBILITY_CPU_LATENCY, 1.0, 32 << 10, true);
    /* Zero or infinite figures are broken samples, not a cache's speed. */
    learn(&s, PLAUSIBILITY_CPU_BANDWIDTH, 0, 16 << 10, true);
    learn(&s, PLAUSIBILITY_CPU_BANDWIDTH, INFINITY, 16 << 10, true);
    learn(&s, PLAUSIBILITY_CPU_LATENCY, 0, 16 << 10, true);
    assert_true(isnan(s.l1_bandwidth) && isnan(s.l1_chase_ns));
    /* A case flagged either way teaches nothing: a disturbed L1 case reads low. */
    struct plausibility_case c = {
            .kind = PLAUSIBILITY_CPU_BANDWIDTH, .value = 40e9, .working_set = 4096, .cached = true};
    struct case_result *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    snprintf(r->disturbed, sizeof(r->disturbed), "run-queue wait: 40%% of the case");
    assert_int_equal(plausibility_apply(&s, &c, r), -1);
    assert_true(isnan(s.l1_bandwidth));
    r->disturbed[0] = '\0';
    r->status = CASE_ERROR;
    plausibility_apply(&s, &c, r);
    assert_true(isnan(s.l1_bandwidth));
    r->status = CASE_OK;
    plausibility_apply(&s, &c, r);
    assert_true(s.l1_bandwidth == 40e9);
    free(r);
}

static void test_latency_floor_without_a_clock(void **state)
{
    (void)state;
    struct plausibility_run s = run_without_clock();
    char reason[192];
    assert_true(s.l1_floor_ns == PLAUSIBILITY_L1_FLOOR_NS);
    assert_int_equal(check(&s, PLAUSIBILITY_CPU_LATENCY, 0.51, 16 << 10, reason), -1);
    assert_int_equal(check(&s, PLAUSIBILITY_CPU_LATENCY, 0.49, 16 << 10, reason),
                     PLAUSIBILITY_LATENCY_BELOW_L1_HIT);
    assert_non_null(strstr(reason, "latency below an L1 hit: 0.49 ns"));
    assert_non_null(strstr(reason, "the 0.5 ns floor"));
    assert_int_equal(check(&s, PLAUSIBILITY_C2C_LATENCY, 0.49, 0, reason),
                     PLAUSIBILITY_LATENCY_BELOW_L1_HIT);
}

static void test_latency_floor_from_the_clock(void **state)
{
    (void)state;
    struct plausibility_run s;
    char reason[192];
    /* A 1 GHz board: one cycle is 1 ns, and an L1 hit takes 3 at least. */
    plausibility_run_init(&s, 32 << 10, 1e9);
    assert_true(fabs(s.l1_floor_ns - 1.0) < 1e-12);
    assert_int_equal(check(&s, PLAUSIBILITY_CPU_LATENCY, 1.01, 16 << 10, reason), -1);
    assert_int_equal(check(&s, PLAUSIBILITY_CPU_LATENCY, 0.99, 16 << 10, reason),
                     PLAUSIBILITY_LATENCY_BELOW_L1_HIT);
    assert_non_null(strstr(reason, "one cycle of the top clock"));
    /* A 4 GHz core: a cycle (0.25 ns) is below the 0.5 ns floor, which stays. */
    plausibility_run_init(&s, 48 << 10, 4e9);
    assert_true(s.l1_floor_ns == PLAUSIBILITY_L1_FLOOR_NS);
    assert_int_equal(s.l1d_bytes, 48 << 10);
    plausibility_run_init(&s, 0, 0);
    assert_int_equal(s.l1d_bytes, PLAUSIBILITY_L1D_FALLBACK);
}

static void test_latency_below_the_runs_l1_chase(void **state)
{
    (void)state;
    struct plausibility_run s = run_without_clock();
    char reason[192];
    learn(&s, PLAUSIBILITY_CPU_LATENCY, 2.2, 16 << 10, true);
    learn(&s, PLAUSIBILITY_CPU_LATENCY, 2.0, 8 << 10, true);
    learn(&s, PLAUSIBILITY_CPU_LATENCY, 2.4, 16 << 10, true);
    assert_true(s.l1_chase_ns == 2.0);
    /* 2.0 / 1.1 = 1.818 ns */
    assert_int_equal(check(&s, PLAUSIBILITY_CPU_LATENCY, 1.83, 1 << 20, reason), -1);
    assert_int_equal(check(&s, PLAUSIBILITY_CPU_LATENCY, 1.80, 1 << 20, reason),
                     PLAUSIBILITY_LATENCY_BELOW_L1_HIT);
    assert_non_null(strstr(reason, "the L1-sized chase / 1.1"));
    assert_int_equal(check(&s, PLAUSIBILITY_C2C_LATENCY, 1.80, 0, reason),
                     PLAUSIBILITY_LATENCY_BELOW_L1_HIT);
    /* Another L1-sized chase faster than the first is only held to the floor. */
    assert_int_equal(check(&s, PLAUSIBILITY_CPU_LATENCY, 1.2, 16 << 10, reason), -1);
}

static void test_c2c_above_1us_is_disturbed(void **state)
{
    (void)state;
    struct plausibility_run s = run_without_clock();
    char reason[192];
    assert_int_equal(check(&s, PLAUSIBILITY_C2C_LATENCY, 1000.0, 0, reason), -1);
    assert_int_equal(check(&s, PLAUSIBILITY_C2C_LATENCY, 1000.1, 0, reason),
                     PLAUSIBILITY_C2C_ABOVE_1US);
    assert_int_equal(plausibility_rule_columns[PLAUSIBILITY_C2C_ABOVE_1US], PLAUSIBILITY_DISTURBED);
    /* Into the disturbed column, after what the machine's measures put there. */
    struct case_result *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    snprintf(r->disturbed, sizeof(r->disturbed), "run-queue wait: 40%% of the case");
    struct plausibility_case c = {.kind = PLAUSIBILITY_C2C_LATENCY, .value = 1401};
    assert_int_equal(plausibility_apply(&s, &c, r), PLAUSIBILITY_C2C_ABOVE_1US);
    assert_true(strncmp(r->disturbed,
                        "run-queue wait: 40% of the case; c2c latency above 1 us: "
                        "1401 ns",
                        strlen("run-queue wait: 40% of the case; c2c latency above 1 us: 1401 "
                               "ns")) == 0);
    assert_string_equal(r->implausible, "");
    /* A full column gives up its last reasons (context) for the rule's. */
    memset(r->disturbed, 'x', sizeof(r->disturbed) - 1);
    r->disturbed[sizeof(r->disturbed) - 1] = '\0';
    memcpy(r->disturbed, "run-queue wait: 9% of the case; ", 32);
    plausibility_apply(&s, &c, r);
    assert_string_equal(r->disturbed,
                        "run-queue wait: 9% of the case; c2c latency above 1 us: 1401 ns");
    /* An implausible figure goes to its own column. */
    memset(r, 0, sizeof(*r));
    c = (struct plausibility_case){.kind = PLAUSIBILITY_FALSE_SHARING, .value = 0.5};
    assert_int_equal(plausibility_apply(&s, &c, r), PLAUSIBILITY_FALSE_SHARING_BELOW_1X);
    assert_string_equal(r->disturbed, "");
    assert_non_null(strstr(r->implausible, "false-sharing cost below 1x: 0.5x"));
    free(r);
}

/* --- from a case's rows to the figure ------------------------------------------------------ */

static void one_metric(struct case_result *r, const char *name, double median)
{
    memset(r, 0, sizeof(*r));
    r->n_metrics = 1;
    snprintf(r->metrics[0].name, sizeof(r->metrics[0].name), "%s", name);
    r->metrics[0].n = 5;
    r->metrics[0].stats.median = median;
}

static void test_case_of_cpu_and_coherency(void **state)
{
    (void)state;
    struct fixture_case *k = calloc(1, sizeof(*k));
    struct case_result *r = calloc(1, sizeof(*r));
    assert_non_null(k);
    assert_non_null(r);
    struct plausibility_case pc;
    bench_fixture_case(k, "cpu", bench_cpu.axes, AXIS_HEAP, "host", AXIS_SIZE, "16K", AXIS_THREADS,
                       "2", AXIS_KERNEL, "copy", -1);
    one_metric(r, "bandwidth", 300e9);
    plausibility_case_of(&k->c, r, true, &pc);
    assert_int_equal(pc.kind, PLAUSIBILITY_CPU_BANDWIDTH);
    assert_true(pc.value == 150e9);             /* per thread */
    assert_int_equal(pc.working_set, 16 << 10); /* two 16 KiB buffers over two threads */
    assert_true(pc.cached);

    bench_fixture_case(k, "cpu", bench_cpu.axes, AXIS_HEAP, "host", AXIS_SIZE, "64K", AXIS_THREADS,
                       "1", AXIS_KERNEL, "chase", -1);
    one_metric(r, "latency", 1.9);
    plausibility_case_of(&k->c, r, false, &pc);
    assert_int_equal(pc.kind, PLAUSIBILITY_CPU_LATENCY);
    assert_true(pc.value == 1.9);
    assert_int_equal(pc.working_set, 64 << 10);
    /* No samples: no median to judge. */
    r->metrics[0].n = 0;
    plausibility_case_of(&k->c, r, false, &pc);
    assert_int_equal(pc.kind, PLAUSIBILITY_NONE);

    bench_fixture_case(k, "coherency", bench_coherency.axes, AXIS_HEAP, "host", AXIS_KERNEL, "c2c",
                       AXIS_CPU, "0", AXIS_PEER, "1", -1);
    one_metric(r, "c2c_latency", 1401);
    plausibility_case_of(&k->c, r, true, &pc);
    assert_int_equal(pc.kind, PLAUSIBILITY_C2C_LATENCY);
    assert_true(pc.value == 1401);

    bench_fixture_case(k, "coherency", bench_coherency.axes, AXIS_HEAP, "host", AXIS_KERNEL,
                       "false-sharing", -1);
    one_metric(r, "false_sharing_cost", 0.821);
    plausibility_case_of(&k->c, r, true, &pc);
    assert_int_equal(pc.kind, PLAUSIBILITY_FALSE_SHARING);

    bench_fixture_case(k, "alloc", bench_alloc.axes, AXIS_HEAP, "host", AXIS_SIZE, "4K",
                       AXIS_KERNEL, "alloc", -1);
    one_metric(r, "alloc_latency", 0.1);
    plausibility_case_of(&k->c, r, true, &pc);
    assert_int_equal(pc.kind, PLAUSIBILITY_NONE);
    free(k);
    free(r);
}

/* --- the table and its documentation ------------------------------------------------------- */

static void test_results_readme_lists_every_rule(void **state)
{
    (void)state;
    FILE *f = fopen("results/README.md", "r");
    assert_non_null(f);
    static char text[1 << 18];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    for (size_t i = 0; i < N_PLAUSIBILITY_RULES; i++) {
        assert_true(strlen(plausibility_rule_texts[i]) > 20);
        char cell[64];
        snprintf(cell, sizeof(cell), "| `%s` | `%s` |", plausibility_rule_names[i],
                 plausibility_rule_columns[i] == PLAUSIBILITY_DISTURBED ? "disturbed"
                                                                        : "implausible");
        if (!strstr(text, cell))
            fail_msg("results/README.md has no row '%s'", cell);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_false_sharing_below_1x),
            cmocka_unit_test(test_bandwidth_above_l1),
            cmocka_unit_test(test_what_the_l1_reference_learns_from),
            cmocka_unit_test(test_latency_floor_without_a_clock),
            cmocka_unit_test(test_latency_floor_from_the_clock),
            cmocka_unit_test(test_latency_below_the_runs_l1_chase),
            cmocka_unit_test(test_c2c_above_1us_is_disturbed),
            cmocka_unit_test(test_case_of_cpu_and_coherency),
            cmocka_unit_test(test_results_readme_lists_every_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
