/* tests/unit/bench_fixture.c - open and close the fake board of tests/unit/bench_fixture.h. */
#include "bench_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fake_dev.h"

void bench_fixture_open(struct bench_fixture *f, const char *tag, heap_ioctl_fn hook,
                        double min_sample_ns)
{
    memset(f, 0, sizeof(*f));
    fake_dev_plant(f->dev_root, tag);
    heap_ioctl_set_hook(hook);
    assert_int_equal(heap_registry_open(&f->reg, NULL, 0), 0);
    char err[256];
    assert_int_equal(pinning_open(&f->pins, "", err, sizeof(err)), 0);
    counter_totals_init(&f->totals, &f->no_counters);
    f->env = (struct bench_env){.registry = f->reg,
                                .counters = &f->no_counters,
                                .totals = &f->totals,
                                .pins = f->pins,
                                .min_sample_ns = min_sample_ns};
}

void bench_fixture_close(struct bench_fixture *f)
{
    pinning_close(f->pins);
    struct heap_counts leaked;
    heap_registry_close(f->reg, &leaked);
    assert_int_equal(leaked.buffers, 0);
    assert_int_equal(leaked.mappings, 0);
    heap_ioctl_set_hook(NULL);
    fake_dev_remove(f->dev_root);
}

void bench_fixture_axis(struct fixture_case *k, enum sweep_axis axis, const char *text)
{
    char err[128];
    if (sweep_parse_axis(axis, text, &k->job.axes[axis], err, sizeof(err)))
        fail_msg("axis %d '%s': %s", (int)axis, text, err);
}

void bench_fixture_case_v(struct fixture_case *k, const char *bench, unsigned axes, va_list pairs)
{
    job_init(&k->job, "t");
    snprintf(k->job.bench, sizeof(k->job.bench), "%s", bench);
    for (int axis; (axis = va_arg(pairs, int)) >= 0;)
        bench_fixture_axis(k, (enum sweep_axis)axis, va_arg(pairs, const char *));
    memset(&k->c, 0, sizeof(k->c));
    k->c.job = &k->job;
    for (int a = 0; a < N_SWEEP_AXES; a++)
        if (axes & (1u << a))
            k->c.value[a] = &k->job.axes[a].v[0];
}

void bench_fixture_case(struct fixture_case *k, const char *bench, unsigned axes, ...)
{
    va_list pairs;
    va_start(pairs, axes);
    bench_fixture_case_v(k, bench, axes, pairs);
    va_end(pairs);
}
