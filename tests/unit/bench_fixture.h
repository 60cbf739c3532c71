/* tests/unit/bench_fixture.h - what a benchmark's setup needs, on a fake board, for unit tests.
 *
 * A planted /dev (fake_dev.h) whose heap ioctls a test's hook answers, the heap registry over
 * it, every CPU to pin threads to and no counters: the bench_env a benchmark's setup takes.
 * Closing it fails the test when a buffer or a mapping was left behind.
 */
#ifndef DMABENCH_TESTS_BENCH_FIXTURE_H
#define DMABENCH_TESTS_BENCH_FIXTURE_H

#include <stdarg.h>

#include "bench.h"
#include "heap_ioctl.h"

struct bench_fixture {
    char dev_root[64];
    struct heap_registry *reg;
    struct pinning *pins;
    struct counter_spec no_counters;
    struct counter_totals totals;
    struct bench_env env;
};

/* Plant /dev (a temporary tree named after tag), route heap ioctls to hook, open the registry
 * and the pinning, and fill f->env with samples of at least min_sample_ns. */
void bench_fixture_open(struct bench_fixture *f, const char *tag, heap_ioctl_fn hook,
                        double min_sample_ns);
/* Close everything, asserting that no buffer or mapping is still live, and unplant /dev. */
void bench_fixture_close(struct bench_fixture *f);

/* One case of one job, one value per axis, as the runner hands it to a benchmark. */
struct fixture_case {
    struct job job;
    struct bench_case c;
};
/* The case of the benchmark named bench with the axis/value pairs that follow (an enum
 * sweep_axis, then its text), ending with -1; c.value[] points at the value of every axis in
 * axes, the others stay NULL. A value that does not parse fails the test. */
void bench_fixture_case(struct fixture_case *k, const char *bench, unsigned axes, ...);
void bench_fixture_case_v(struct fixture_case *k, const char *bench, unsigned axes, va_list pairs);
/* Parse one more axis value into the case's job (value[] already points at it when the axis was
 * in axes); a value that does not parse fails the test. */
void bench_fixture_axis(struct fixture_case *k, enum sweep_axis axis, const char *text);

#endif
