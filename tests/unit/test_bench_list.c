/* tests/unit/test_bench_list.c - BENCHES(X) is the registry, and each benchmark carries the rules
 * the harness used to look up by its name.
 *
 * The post-run tools name a benchmark's rows through the list (bench_is), the harness finds the
 * benchmark through the registry: both must agree on every name and on the order.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bench.h"
#include "bench_list.h"
#include "job_options.h"

static void test_list_is_the_registry(void **state)
{
    (void)state;
    assert_int_equal(bench_count(), N_BENCH_IDS - 1);
    for (int id = BENCH_NONE + 1; id < N_BENCH_IDS; id++) {
        const char *name = bench_name((enum bench_id)id);
        const struct bench_def *b = bench_find(name);
        assert_non_null(b);
        assert_ptr_equal(bench_at((size_t)id - 1), b); /* `dmabench run` order is the list's */
        assert_string_equal(b->name, name);
        assert_int_equal(bench_id_of(name), id);
        assert_true(bench_is(name, (enum bench_id)id));
    }
    assert_ptr_equal(bench_find("cpu"), &bench_cpu);
    assert_string_equal(bench_name(BENCH_coherency), "coherency");
    assert_string_equal(bench_name(BENCH_NONE), "");
    assert_int_equal(bench_id_of("nosuch"), BENCH_NONE);
    assert_int_equal(bench_id_of(""), BENCH_NONE);
    assert_false(bench_is("", BENCH_NONE));
    assert_false(bench_is("cpu", BENCH_alloc));
}

/* Who has which rule: what the harness once decided by comparing names. */
static void test_rules_belong_to_their_benchmarks(void **state)
{
    (void)state;
    for (size_t i = 0; i < bench_count(); i++) {
        const struct bench_def *b = bench_at(i);
        bool cpu = b == &bench_cpu, alloc = b == &bench_alloc, pipeline = b == &bench_pipeline;
        bool grids = b == &bench_sync || b == &bench_coherency || pipeline;
        assert_int_equal(b->machine_default != NULL, cpu || b == &bench_sync);
        assert_int_equal(b->idle_axes != NULL, b == &bench_sync || alloc);
        assert_int_equal(b->check_job != NULL, alloc);
        assert_int_equal(b->buffers_held != NULL, cpu || alloc || pipeline);
        assert_int_equal(b->smaller_with != NULL, cpu || pipeline);
        assert_int_equal(b->plausibility != NULL, cpu || b == &bench_coherency);
        assert_int_equal(b->heap_summary != NULL, cpu || alloc);
        assert_int_equal(b->print_tables != NULL, grids);
    }
    char sizes[128];
    assert_ptr_equal(bench_cpu.machine_default(AXIS_SIZE, sizes, sizeof(sizes)), sizes);
    assert_non_null(strchr(sizes, ','));
    assert_null(bench_cpu.machine_default(AXIS_KERNEL, sizes, sizeof(sizes)));
    /* sync's importers: the engines here that keep an import mapped, or vgem (not here). */
    char engines[128];
    const char *importers = bench_sync.machine_default(AXIS_ENGINE, engines, sizeof(engines));
    assert_non_null(importers);
    assert_non_null(strstr(importers, "vgem"));
    assert_null(bench_sync.machine_default(AXIS_SIZE, engines, sizeof(engines)));
}

/* alloc's align places the mapping: a value that is no power of two is refused up front. */
static void test_alloc_checks_its_align(void **state)
{
    (void)state;
    struct job job;
    char err[256] = "";
    job_init(&job, "t");
    assert_int_equal(job_apply_option(&job, "bench", "alloc", err, sizeof(err)), 0);
    assert_int_equal(job_apply_option(&job, "align", "0,64,4K", err, sizeof(err)), 0);
    assert_int_equal(bench_alloc.check_job(&job, err, sizeof(err)), 0);
    assert_int_equal(job_apply_option(&job, "align", "64,96", err, sizeof(err)), 0);
    assert_int_equal(bench_alloc.check_job(&job, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "align: 96B is not a power of two (alloc aligns the mapping of "
                             "each buffer)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_list_is_the_registry),
            cmocka_unit_test(test_rules_belong_to_their_benchmarks),
            cmocka_unit_test(test_alloc_checks_its_align),
    };
    return cmocka_run_group_tests_name("bench_list", tests, NULL, NULL);
}
