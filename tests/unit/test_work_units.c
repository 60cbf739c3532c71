/* tests/unit/test_work_units.c - each benchmark's counter rows are per its true unit of work.
 *
 * The runner divides each counter by what the benchmark says a repetition did (sample_out.work)
 * and labels the row with the benchmark's work unit; these run real benchmarks on host memory
 * with software counters and check the quotient against something physical: one page fault
 * per page first touched (alloc: per buffer), the CPU time of the threads that do the work
 * (cpu: per byte; coherency: per round trip, per increment).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bench_fixture.h"
#include "runner.h"

static struct bench_fixture fx;

static int no_ioctl(int fd, unsigned long request, void *arg)
{
    (void)fd;
    (void)request;
    (void)arg;
    return -ENOTTY;
}

static int setup_board(void **state)
{
    (void)state;
    bench_fixture_open(&fx, "units", no_ioctl, 2e6);
    return 0;
}

static int teardown_board(void **state)
{
    (void)state;
    bench_fixture_close(&fx);
    return 0;
}

/* Run case k of benchmark b with the software counters `events` and fixed repetitions. */
static void run_counted(const struct bench_def *b, const struct fixture_case *k, const char *events,
                        unsigned reps, struct case_result *r)
{
    struct counter_spec spec;
    struct counter_totals totals;
    char err[256];
    assert_int_equal(counters_spec_parse(events, &spec, err, sizeof(err)), 0);
    struct bench_env env = fx.env;
    env.counters = &spec;
    env.totals = &totals;
    struct reps_policy policy = {.reps = reps};
    assert_int_equal(runner_run_case(b, &k->c, &env, &policy, NULL, r), 0);
    if (r->status != CASE_OK)
        fail_msg("%s: %s", k->c.id, r->reason);
}

static const struct metric_result *metric(const struct case_result *r, const char *name,
                                          const char *unit)
{
    for (size_t i = 0; i < r->n_metrics; i++)
        if (!strcmp(r->metrics[i].name, name)) {
            if (strcmp(r->metrics[i].unit, unit))
                fail_msg("%s: unit '%s', expected '%s'", name, r->metrics[i].unit, unit);
            if (r->metrics[i].status != CASE_OK || !r->metrics[i].n)
                fail_msg("%s: %s", name, r->metrics[i].reason);
            return &r->metrics[i];
        }
    fail_msg("no metric %s", name);
    return NULL;
}

/* alloc-touch writes every page of each buffer once: a buffer of 16 pages takes 16 faults
 * (a few more under ASan, for its shadow of new mappings), whatever the batch. Without the
 * touch nothing faults. */
static void test_alloc_counts_per_buffer(void **state)
{
    (void)state;
    long page = sysconf(_SC_PAGESIZE);
    char size[32];
    snprintf(size, sizeof(size), "%ld", 16 * page);
    static const char *const batches[] = {"1", "8"};
    for (size_t b = 0; b < 2; b++) {
        struct fixture_case k;
        bench_fixture_case(&k, "alloc", bench_alloc.axes, AXIS_HEAP, "host", AXIS_SIZE, size,
                           AXIS_BATCH, batches[b], AXIS_KERNEL, "alloc-touch", -1);
        struct case_result r;
        run_counted(&bench_alloc, &k, "perf::page-faults", 4, &r);
        const struct metric_result *faults = metric(&r, "perf::page-faults", "events/buffer");
        print_message("batch %s: %.2f page faults per buffer of 16 pages\n", batches[b],
                      faults->stats.median);
        assert_true(faults->stats.median >= 16 && faults->stats.median <= 20);
        case_result_free(&r);
    }
    struct fixture_case k;
    bench_fixture_case(&k, "alloc", bench_alloc.axes, AXIS_HEAP, "host", AXIS_SIZE, size,
                       AXIS_BATCH, "8", AXIS_KERNEL, "alloc", -1);
    struct case_result r;
    run_counted(&bench_alloc, &k, "perf::page-faults", 4, &r);
    assert_true(metric(&r, "perf::page-faults", "events/buffer")->stats.median < 1);
    case_result_free(&r);
}

/* One thread reading: its CPU time per byte times the bytes per second is the share of the
 * sample it was on a CPU, at most 1. */
static void test_cpu_counts_per_byte(void **state)
{
    (void)state;
    struct fixture_case k;
    bench_fixture_case(&k, "cpu", bench_cpu.axes, AXIS_HEAP, "host", AXIS_SIZE, "256K", AXIS_KERNEL,
                       "read", AXIS_THREADS, "1", -1);
    struct case_result r;
    run_counted(&bench_cpu, &k, "perf::task-clock", 5, &r);
    const struct metric_result *bw = metric(&r, "bandwidth", "bytes/s");
    const struct metric_result *clock = metric(&r, "perf::task-clock", "ns/byte");
    for (size_t i = 0; i < clock->n; i++) {
        double on_cpu = clock->samples[i] * 1e-9 * bw->samples[i];
        print_message("rep %zu: %.3g ns/byte x %.3g bytes/s = %.3f\n", i, clock->samples[i],
                      bw->samples[i], on_cpu);
        assert_true(on_cpu > 0.02 && on_cpu < 1.1);
    }
    case_result_free(&r);
}

/* c2c: both threads spin for the whole round trip, so their CPU time per round trip is up to
 * twice the round trip (four one-way latencies), and not less than one thread's share of it
 * on a busy machine. The counters of the thread that only starts and joins the pair (what was
 * counted before) came to about 1 ns. */
static void test_c2c_counts_both_threads_per_round_trip(void **state)
{
    (void)state;
    if (pinning_count(fx.pins) < 2)
        skip();
    char cpu[16], peer[16];
    snprintf(cpu, sizeof(cpu), "%u", pinning_cpu(fx.pins, 0));
    snprintf(peer, sizeof(peer), "%u", pinning_cpu(fx.pins, 1));
    struct fixture_case k;
    unsigned axes = 1u << AXIS_HEAP | 1u << AXIS_KERNEL | bench_coherency.kernel_axes("c2c");
    bench_fixture_case(&k, "coherency", axes, AXIS_HEAP, "host", AXIS_KERNEL, "c2c", AXIS_CPU, cpu,
                       AXIS_PEER, peer, -1);
    k.c.axes = axes;
    struct case_result r;
    run_counted(&bench_coherency, &k, "perf::task-clock", 5, &r);
    const struct metric_result *one_way = metric(&r, "c2c_latency", "ns");
    const struct metric_result *clock = metric(&r, "perf::task-clock", "ns/probe");
    double ratio = clock->stats.median / (4 * one_way->stats.median);
    print_message("%.1f ns per round trip on CPUs, one way %.1f ns: %.2f of both threads\n",
                  clock->stats.median, one_way->stats.median, ratio);
    assert_true(ratio > 0.25 && ratio < 1.1);
    case_result_free(&r);
}

/* false-sharing: per increment of either thread, the CPU time lies between the two phases'
 * times per increment (each thread's own clock), whatever their mix. */
static void test_false_sharing_counts_per_increment(void **state)
{
    (void)state;
    if (pinning_count(fx.pins) < 2)
        skip();
    struct fixture_case k;
    unsigned axes = 1u << AXIS_HEAP | 1u << AXIS_KERNEL;
    bench_fixture_case(&k, "coherency", axes, AXIS_HEAP, "host", AXIS_KERNEL, "false-sharing", -1);
    k.c.axes = axes;
    struct case_result r;
    run_counted(&bench_coherency, &k, "perf::task-clock", 5, &r);
    double shared = metric(&r, "increment_time_shared_line", "ns")->stats.median;
    double own = metric(&r, "increment_time_own_lines", "ns")->stats.median;
    double clock = metric(&r, "perf::task-clock", "ns/probe")->stats.median;
    print_message("%.2f ns per increment on CPUs; %.2f shared, %.2f own\n", clock, shared, own);
    assert_true(clock > 0.25 * fmin(shared, own) && clock < 1.1 * fmax(shared, own));
    case_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_alloc_counts_per_buffer),
            cmocka_unit_test(test_cpu_counts_per_byte),
            cmocka_unit_test(test_c2c_counts_both_threads_per_round_trip),
            cmocka_unit_test(test_false_sharing_counts_per_increment),
    };
    return cmocka_run_group_tests_name("work_units", tests, setup_board, teardown_board);
}
