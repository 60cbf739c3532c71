/* tests/unit/test_bench_cpu.c - the cpu benchmark's samples, for real on host memory.
 *
 * Every sample lasts at least the floor it was given, whatever the buffer's size (an L1-sized
 * read was sized from one cold pass and lasted a twentieth of it), and says how long its timed
 * part lasted; the case names the code that ran (the dispatched kernel, or "chase") even when
 * the kernel axis names only the operation.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bench_fixture.h"

#include "bench.h"
#include "cpu_kernels.h"
#include "timing.h"

#define FLOOR_NS 3e6 /* short, for a quick test, and far above any clock's step */

static struct bench_fixture fx;

static int setup_board(void **state)
{
    (void)state;
    bench_fixture_open(&fx, "cpu", NULL, FLOOR_NS);
    return 0;
}

static int teardown_board(void **state)
{
    (void)state;
    bench_fixture_close(&fx);
    return 0;
}

/* The cpu case of one host buffer of size, one thread. */
static void make_case(struct fixture_case *k, const char *size, const char *kernel)
{
    bench_fixture_case(k, "cpu", bench_cpu.axes, AXIS_HEAP, "host", AXIS_SIZE, size, AXIS_ALIGN,
                       "0", AXIS_PAGE_SIZE, "base", AXIS_THREADS, "1", AXIS_KERNEL, kernel,
                       AXIS_NODE, "any", -1);
}

/* Set the case up, take reps samples, check each against the floor, tear down. */
static void run_case(const char *size, const char *kernel, struct case_facts *facts, int reps)
{
    struct fixture_case k;
    make_case(&k, size, kernel);
    struct bench_env env = fx.env;
    env.facts = facts;
    char reason[192] = "";
    void *st = NULL;
    if (bench_cpu.setup(&k.c, &env, &st, reason, sizeof(reason)))
        fail_msg("cpu %s %s: setup: %s", size, kernel, reason);
    for (int r = 0; r < reps; r++) {
        struct sample_out out = {0};
        uint64_t t0 = timing_now();
        assert_int_equal(bench_cpu.sample(st, &out, reason, sizeof(reason)), 0);
        double call_ns = timing_ticks_to_ns(timing_now() - t0);
        if (!(out.timed_ns >= FLOOR_NS) || out.timed_ns > call_ns)
            fail_msg("cpu %s %s: sample %d timed %.0f ns (the call %.0f ns), floor %.0f ns", size,
                     kernel, r, out.timed_ns, call_ns, FLOOR_NS);
        assert_int_equal(out.n[0], 1);
        assert_true(out.values[0][0] > 0 && isfinite(out.values[0][0]));
        assert_true(out.work > 0);
    }
    bench_cpu.teardown(st);
    if (facts)
        assert_string_equal(facts->note, ""); /* no sample stayed short */
}

/* L1-sized, L2-sized and larger, each kernel kind and the chase. */
static void test_every_sample_lasts_the_floor(void **state)
{
    (void)state;
    static const char *const sizes[] = {"16K", "1M", "16M"};
    static const char *const kernels[] = {"read", "write", "copy", "fill", "chase"};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        for (size_t j = 0; j < sizeof(kernels) / sizeof(kernels[0]); j++) {
            struct case_facts facts = {0};
            run_case(sizes[i], kernels[j], &facts, 3);
        }
}

/* A sample that falls short of the floor (here: the floor rose 20x after the loop was sized) is
 * taken again with more loops, and counts the work of every run it made, so that counters per
 * byte stay right. */
static void test_a_short_sample_is_taken_again_longer(void **state)
{
    (void)state;
    static const char *const kernels[] = {"read", "chase"};
    for (size_t i = 0; i < sizeof(kernels) / sizeof(kernels[0]); i++) {
        struct fixture_case k;
        make_case(&k, "64K", kernels[i]);
        struct case_facts facts = {0};
        struct bench_env env = fx.env;
        env.facts = &facts;
        env.min_sample_ns = FLOOR_NS / 8;
        char reason[192] = "";
        void *st = NULL;
        assert_int_equal(bench_cpu.setup(&k.c, &env, &st, reason, sizeof(reason)), 0);
        struct sample_out sized = {0}, longer = {0};
        assert_int_equal(bench_cpu.sample(st, &sized, reason, sizeof(reason)), 0);
        assert_true(sized.timed_ns >= FLOOR_NS / 8);
        env.min_sample_ns = 20 * sized.timed_ns;
        assert_int_equal(bench_cpu.sample(st, &longer, reason, sizeof(reason)), 0);
        assert_true(longer.timed_ns >= env.min_sample_ns);
        /* the short run's work and the retaken one's, which had more loops than the first */
        assert_true(longer.work > 2 * sized.work);
        bench_cpu.teardown(st);
        assert_string_equal(facts.note, "");
    }
}

/* A unit test or another caller may give no facts to fill. */
static void test_a_case_without_facts_runs(void **state)
{
    (void)state;
    run_case("64K", "read", NULL, 1);
    run_case("64K", "chase", NULL, 1);
}

static void test_case_names_the_code_that_ran(void **state)
{
    (void)state;
    const char *why = "";
    const struct cpu_kernel *best = cpu_kernel_find(CPU_OP_READ, CPU_IMPL_AUTO, &why);
    assert_non_null(best);
    struct case_facts facts = {0};
    run_case("64K", "read", &facts, 1);
    assert_string_equal(facts.implementation, best->name);
    assert_true(strncmp(facts.implementation, "read:", 5) == 0);

    const struct cpu_kernel *portable = cpu_kernel_find(CPU_OP_COPY, CPU_IMPL_C, &why);
    assert_non_null(portable);
    memset(&facts, 0, sizeof(facts));
    run_case("64K", "copy:c", &facts, 1);
    assert_string_equal(facts.implementation, portable->name);

    memset(&facts, 0, sizeof(facts));
    run_case("64K", "chase", &facts, 1);
    assert_string_equal(facts.implementation, "chase");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_every_sample_lasts_the_floor, setup_board,
                                            teardown_board),
            cmocka_unit_test_setup_teardown(test_a_short_sample_is_taken_again_longer, setup_board,
                                            teardown_board),
            cmocka_unit_test_setup_teardown(test_a_case_without_facts_runs, setup_board,
                                            teardown_board),
            cmocka_unit_test_setup_teardown(test_case_names_the_code_that_ran, setup_board,
                                            teardown_board),
    };
    return cmocka_run_group_tests_name("bench_cpu", tests, NULL, NULL);
}
