/* tests/unit/test_alloc_pressure.c - alloc-pressure's bound and stop rule, and its note.
 *
 * The bound is what keeps a fill from taking the machine down, so each of its limits is pinned
 * here: --max-mem as a size and as a share (of CmaFree too for a CMA heap), the reserve of
 * MemAvailable, the open files a dma-buf heap's buffers take, the cap.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "alloc_pressure.h"

#define MIB ((size_t)1 << 20)

static const struct mem_info board = {.mem_total = 1024 * MIB,
                                      .mem_available = 800 * MIB,
                                      .cma_free = 60 * MIB,
                                      .have_cma = true};

/* --max-mem SIZE is the bound, whatever is free; a share is of MemAvailable, or of CmaFree when
 * that is less for a CMA heap. */
static void test_bound_from_max_mem(void **state)
{
    (void)state;
    struct pressure_bound b;
    struct mem_limit size = {.bytes = 256 * MIB}, half = {.percent = 50};
    pressure_bound_set(&b, &size, &board, true, true, 1 << 20);
    assert_int_equal(b.bytes, 256 * MIB);
    assert_int_equal(b.by, PRESSURE_MAX_MEM);
    assert_string_equal(b.why, "--max-mem 256 MiB");
    pressure_bound_set(&b, &half, &board, false, true, 1 << 20);
    assert_int_equal(b.bytes, 400 * MIB);
    assert_string_equal(b.why, "--max-mem 50% of MemAvailable, 400 MiB");
    pressure_bound_set(&b, NULL, &board, true, true, 1 << 20);
    assert_int_equal(b.bytes, 30 * MIB);
    assert_string_equal(b.why, "--max-mem 50% of CmaFree, 30 MiB");
}

/* Whatever --max-mem allows, MemAvailable never falls below an eighth of MemTotal. */
static void test_bound_keeps_a_reserve(void **state)
{
    (void)state;
    struct pressure_bound b;
    struct mem_limit size = {.bytes = 1000 * MIB};
    pressure_bound_set(&b, &size, &board, false, false, 1024);
    assert_int_equal(b.bytes, 800 * MIB - 128 * MIB);
    assert_int_equal(b.by, PRESSURE_RESERVE);
    assert_string_equal(b.why, "the memory reserve, 672 MiB (MemAvailable less an eighth of "
                               "MemTotal, 128 MiB)");
    struct mem_info low = board;
    low.mem_available = 100 * MIB;
    pressure_bound_set(&b, &size, &low, false, false, 1024);
    assert_int_equal(b.bytes, 0);
    assert_int_equal(pressure_max_buffers(&b, 4096), 0);
}

/* A dma-buf heap's buffers are open files (two each at most); host memory's are not. */
static void test_bound_counts_files(void **state)
{
    (void)state;
    struct pressure_bound b;
    struct mem_limit size = {.bytes = 64 * MIB};
    pressure_bound_set(&b, &size, &board, false, true, 1024);
    assert_int_equal(b.buffers, (1024 - PRESSURE_SPARE_FILES) / 2);
    assert_int_equal(b.buffers_by, PRESSURE_FILES);
    pressure_bound_set(&b, &size, &board, false, false, 1024);
    assert_int_equal(b.buffers, PRESSURE_MAX_BUFFERS);
    assert_int_equal(b.buffers_by, PRESSURE_CAP);
    pressure_bound_set(&b, &size, &board, false, true, 10);
    assert_int_equal(b.buffers, 0);
    /* 64 MiB of 4 KiB buffers is 16384, more than the files allow. */
    pressure_bound_set(&b, &size, &board, false, true, 1024);
    assert_int_equal(pressure_max_buffers(&b, 4096), 480);
    assert_int_equal(pressure_max_buffers(&b, MIB), 64);
    assert_int_equal(pressure_max_buffers(&b, 3 * MIB), 21);
}

/* A buffer that fits exactly goes; one byte more stops the fill; so does the buffer count. */
static void test_stop_rule(void **state)
{
    (void)state;
    struct pressure_bound b = {
            .bytes = 4 * MIB, .by = PRESSURE_MAX_MEM, .buffers = 3, .buffers_by = PRESSURE_FILES};
    assert_int_equal(pressure_next(&b, 0, 0, MIB), PRESSURE_GOING);
    assert_int_equal(pressure_next(&b, 2 * MIB, 2, 2 * MIB), PRESSURE_GOING);
    assert_int_equal(pressure_next(&b, 2 * MIB, 2, 2 * MIB + 4096), PRESSURE_MAX_MEM);
    assert_int_equal(pressure_next(&b, MIB, 3, MIB), PRESSURE_FILES);
    assert_int_equal(pressure_next(&b, 5 * MIB, 1, 1), PRESSURE_MAX_MEM); /* already over */
    b.by = PRESSURE_RESERVE;
    b.buffers = 100;
    assert_int_equal(pressure_next(&b, 4 * MIB, 4, MIB), PRESSURE_RESERVE);
    /* Sizes near SIZE_MAX do not wrap around the comparison. */
    assert_int_equal(pressure_next(&b, MIB, 1, SIZE_MAX - 1), PRESSURE_RESERVE);
}

/* The note says where and how: the refusal's errno by name and in words, or the bound. */
static void test_describe(void **state)
{
    (void)state;
    char text[320];
    struct pressure_bound b;
    struct mem_limit size = {.bytes = 64 * MIB};
    pressure_bound_set(&b, &size, &board, false, true, 1024);
    struct pressure_fill f = {
            .stop = PRESSURE_REFUSED, .err = -ENOMEM, .buffers = 60, .bytes = 60 * MIB};
    pressure_describe(&f, &b, MIB, text, sizeof(text));
    assert_string_equal(text, "alloc-pressure: the heap refused buffer 61 (1 MiB) with ENOMEM "
                              "(Cannot allocate memory) after 60 buffers, 60 MiB held");
    f = (struct pressure_fill){.stop = PRESSURE_MAX_MEM, .buffers = 64, .bytes = 64 * MIB};
    pressure_describe(&f, &b, MIB, text, sizeof(text));
    assert_string_equal(text, "alloc-pressure: stopped at --max-mem 64 MiB after 64 buffers of 1 "
                              "MiB, 64 MiB held; the heap never refused");
    f = (struct pressure_fill){.stop = PRESSURE_FILES, .buffers = 480, .bytes = 480 * 4096};
    pressure_describe(&f, &b, 4096, text, sizeof(text));
    assert_string_equal(text, "alloc-pressure: stopped at the open-file limit of 480 buffers (4 "
                              "KiB each), 1.9 MiB held; the heap never refused");
    f = (struct pressure_fill){.stop = PRESSURE_REFUSED, .err = -EBUSY, .buffers = 2, .bytes = 2};
    pressure_describe(&f, &b, 1, text, sizeof(text));
    assert_non_null(strstr(text, "with EBUSY (Device or resource busy) after 2 buffers"));
    /* One buffer is one buffer. */
    f = (struct pressure_fill){.stop = PRESSURE_REFUSED, .err = -EBUSY, .buffers = 1, .bytes = 1};
    pressure_describe(&f, &b, 1, text, sizeof(text));
    assert_non_null(strstr(text, "after 1 buffer, 1 B held"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_bound_from_max_mem), cmocka_unit_test(test_bound_keeps_a_reserve),
            cmocka_unit_test(test_bound_counts_files), cmocka_unit_test(test_stop_rule),
            cmocka_unit_test(test_describe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
