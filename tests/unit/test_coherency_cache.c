/* tests/unit/test_coherency_cache.c - cache-line arithmetic and cache-maintenance methods.
 *
 * Region rounding and layout decide which bytes a partial sync maintains, so every edge is
 * pinned down; method availability must match what CPUID / the build says, and an unavailable
 * method must say why rather than run something else.
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

#include "cache_maint.h"
#include "cache_region.h"

static void test_span_rounds_outward(void **state)
{
    (void)state;
    struct cache_span s;
    assert_int_equal(cache_span_of(0, 64, 64, UINTPTR_MAX, &s), 0);
    assert_int_equal(s.start, 0);
    assert_int_equal(s.len, 64);
    assert_int_equal(s.lines, 1);
    /* One byte past a boundary spills into a second line; one byte anywhere is one line. */
    assert_int_equal(cache_span_of(1, 64, 64, UINTPTR_MAX, &s), 0);
    assert_int_equal(s.start, 0);
    assert_int_equal(s.len, 128);
    assert_int_equal(s.lines, 2);
    assert_int_equal(cache_span_of(63, 1, 64, UINTPTR_MAX, &s), 0);
    assert_int_equal(s.lines, 1);
    assert_int_equal(cache_span_of(63, 2, 64, UINTPTR_MAX, &s), 0);
    assert_int_equal(s.lines, 2);
    assert_int_equal(cache_span_of(4096 + 32, 4096, 64, UINTPTR_MAX, &s), 0);
    assert_int_equal(s.start, 4096);
    assert_int_equal(s.len, 4096 + 64);
    assert_int_equal(s.lines, 65);
    /* 128-byte lines (some arm64 cores, POWER) and a clamp at the buffer's end. */
    assert_int_equal(cache_span_of(100, 10, 128, UINTPTR_MAX, &s), 0);
    assert_int_equal(s.start, 0);
    assert_int_equal(s.len, 128);
    assert_int_equal(cache_span_of(4000, 96, 64, 4096, &s), 0);
    assert_int_equal(s.start, 3968);
    assert_int_equal(s.len, 128);
    assert_int_equal(cache_span_of(4090, 100, 64, 4100, &s), 0);
    assert_int_equal(s.start, 4032);
    assert_int_equal(s.len, 68);
    assert_int_equal(s.lines, 2); /* the clamped last line still counts */
}

static void test_span_refuses_nonsense(void **state)
{
    (void)state;
    struct cache_span s;
    assert_int_equal(cache_span_of(0, 0, 64, UINTPTR_MAX, &s), -EINVAL);
    assert_int_equal(cache_span_of(0, 8, 48, UINTPTR_MAX, &s), -EINVAL);
    assert_int_equal(cache_span_of(0, 8, 0, UINTPTR_MAX, &s), -EINVAL);
    assert_int_equal(cache_span_of(4096, 8, 64, 4096, &s), -EINVAL);
    assert_int_equal(cache_span_of(UINTPTR_MAX - 10, 20, 64, UINTPTR_MAX, &s), -EOVERFLOW);
    assert_int_equal(cache_span_of(UINTPTR_MAX - 100, 90, 64, UINTPTR_MAX, &s), -EOVERFLOW);
}

static struct sync_layout layout(size_t buf, size_t region, size_t offset, size_t count)
{
    return (struct sync_layout){
            .buf_size = buf, .region = region, .offset = offset, .count = count, .line = 64};
}

static void test_layout_spreads_regions(void **state)
{
    (void)state;
    char why[256];
    struct sync_layout l = layout(1 << 20, 4096, 0, 4);
    assert_int_equal(sync_layout_check(&l, why, sizeof(why)), 0);
    assert_int_equal(sync_layout_stride(&l), 256 << 10);
    assert_int_equal(sync_layout_region(&l, 0), 0);
    assert_int_equal(sync_layout_region(&l, 3), 768 << 10);
    assert_int_equal(sync_layout_lines(&l), 4 * 64);
    assert_int_equal(sync_layout_bytes(&l), 4 * 4096);
    /* A misaligned offset is kept by every region (the stride is whole lines), so each
     * region spills into one more line. */
    l = layout(1 << 20, 4096, 32, 4);
    assert_int_equal(sync_layout_check(&l, why, sizeof(why)), 0);
    assert_int_equal(sync_layout_stride(&l) % 64, 0);
    for (size_t k = 0; k < 4; k++)
        assert_int_equal(sync_layout_region(&l, k) % 64, 32);
    assert_int_equal(sync_layout_lines(&l), 4 * 65);
    /* One region takes whatever follows the offset. */
    l = layout(10000, 10000, 0, 1);
    assert_int_equal(sync_layout_check(&l, why, sizeof(why)), 0);
    assert_int_equal(sync_layout_stride(&l), 10000);
    assert_int_equal(sync_layout_bytes(&l), 10000); /* the last line is clamped */
    assert_int_equal(sync_layout_lines(&l), 157);
    /* Tiny regions far apart: one line each. */
    l = layout(1 << 20, 1, 5, 16);
    assert_int_equal(sync_layout_check(&l, why, sizeof(why)), 0);
    assert_int_equal(sync_layout_lines(&l), 16);
}

static void test_layout_refuses_what_does_not_fit(void **state)
{
    (void)state;
    char why[256];
    struct sync_layout l = layout(4096, 4096, 64, 1);
    assert_int_equal(sync_layout_check(&l, why, sizeof(why)), -ERANGE);
    assert_string_equal(why, "a 4096 B region at offset 64 does not fit a 4096 B buffer");
    l = layout(4096, 1, 4096, 1);
    assert_int_equal(sync_layout_check(&l, why, sizeof(why)), -ERANGE);
    /* Two 64-byte regions at offset 1 need two lines each: 4 x 2 lines do not fit 4 lines. */
    l = layout(256, 64, 1, 4);
    assert_int_equal(sync_layout_check(&l, why, sizeof(why)), -ERANGE);
    assert_non_null(strstr(why, "without sharing 64 B cache lines"));
    l = layout(256, 64, 0, 4);
    assert_int_equal(sync_layout_check(&l, why, sizeof(why)), 0);
    l = layout(256, 64, 0, 5);
    assert_int_equal(sync_layout_check(&l, why, sizeof(why)), -ERANGE);
    l = layout(256, 0, 0, 1);
    assert_int_equal(sync_layout_check(&l, why, sizeof(why)), -EINVAL);
    l = layout(256, 8, 0, 0);
    assert_int_equal(sync_layout_check(&l, why, sizeof(why)), -EINVAL);
    l = layout(256, 8, 0, 1);
    l.line = 48;
    assert_int_equal(sync_layout_check(&l, why, sizeof(why)), -EINVAL);
}

static void test_method_names_and_operations(void **state)
{
    (void)state;
    for (int m = 0; m < N_CACHE_METHODS; m++) {
        enum cache_method back;
        assert_int_equal(cache_method_parse(cache_method_name(m), &back), 0);
        assert_int_equal(back, m);
        assert_non_null(cache_method_info(m)->insn);
    }
    enum cache_method m;
    assert_int_equal(cache_method_parse("clflushopt", &m), 0);
    assert_int_equal(m, CACHE_M_CLFLUSHOPT);
    assert_int_equal(cache_method_parse("dc civac", &m), -EINVAL);
    assert_int_equal(cache_method_parse("", &m), -EINVAL);
    /* A clean + invalidate is also a clean; a clean is not an invalidate; PoU is its own. */
    assert_true(cache_method_does(CACHE_M_CLFLUSH, CACHE_OP_CLEAN));
    assert_true(cache_method_does(CACHE_M_CLFLUSHOPT, CACHE_OP_CLEAN_INVAL));
    assert_false(cache_method_does(CACHE_M_CLWB, CACHE_OP_CLEAN_INVAL));
    assert_true(cache_method_does(CACHE_M_DC_CIVAC, CACHE_OP_CLEAN));
    assert_false(cache_method_does(CACHE_M_DC_CVAC, CACHE_OP_CLEAN_INVAL));
    assert_false(cache_method_does(CACHE_M_DC_CVAU, CACHE_OP_CLEAN));
    assert_true(cache_method_does(CACHE_M_DC_CVAU, CACHE_OP_CLEAN_POU));
    assert_false(cache_method_does(CACHE_M_DC_CIVAC, CACHE_OP_CLEAN_POU));
}

/* What the CPU says, read independently of the code under test. */
static int cpuinfo_has(const char *flag)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[8192];
    int found = 0;
    while (f && !found && fgets(line, sizeof(line), f)) {
        if (strncmp(line, "flags", 5))
            continue;
        char framed[64];
        snprintf(framed, sizeof(framed), " %s ", flag);
        line[strcspn(line, "\n")] = ' ';
        found = strstr(line, framed) != NULL;
    }
    if (f)
        fclose(f);
    return found;
}

static void test_availability_matches_the_cpu(void **state)
{
    (void)state;
    const char *why = NULL;
#if defined(__x86_64__)
    static const struct {
        enum cache_method m;
        const char *flag;
    } x86[] = {{CACHE_M_CLFLUSH, "clflush"},
               {CACHE_M_CLFLUSHOPT, "clflushopt"},
               {CACHE_M_CLWB, "clwb"}};
    for (size_t i = 0; i < 3; i++) {
        why = NULL;
        int ret = cache_method_available(x86[i].m, &why);
        assert_int_equal(ret, cpuinfo_has(x86[i].flag) ? 0 : -EOPNOTSUPP);
        if (ret)
            assert_non_null(strstr(why, "CPUID"));
    }
    assert_int_equal(cache_method_available(CACHE_M_DC_CVAC, &why), -EOPNOTSUPP);
    assert_string_equal(why, "an arm64 instruction: not an arm64 build");
    assert_int_equal(cache_method_available(CACHE_M_DC_CVAU, &why), -EOPNOTSUPP);
    enum cache_method best;
    assert_int_equal(cache_method_best(CACHE_OP_CLEAN, &best, &why), 0);
    assert_int_equal(best, cpuinfo_has("clwb")         ? CACHE_M_CLWB
                           : cpuinfo_has("clflushopt") ? CACHE_M_CLFLUSHOPT
                                                       : CACHE_M_CLFLUSH);
    assert_int_equal(cache_method_best(CACHE_OP_CLEAN_INVAL, &best, &why), 0);
    assert_int_equal(best, cpuinfo_has("clflushopt") ? CACHE_M_CLFLUSHOPT : CACHE_M_CLFLUSH);
    /* x86 has no PoU clean: unavailable, with x86's reason rather than a silent substitute. */
    assert_int_equal(cache_method_best(CACHE_OP_CLEAN_POU, &best, &why), -EOPNOTSUPP);
    assert_string_equal(cache_line_source(), "cpuid");
#elif defined(__aarch64__)
    for (int m = CACHE_M_DC_CVAC; m <= CACHE_M_DC_CVAU; m++)
        assert_int_equal(cache_method_available(m, &why), 0);
    assert_int_equal(cache_method_available(CACHE_M_CLWB, &why), -EOPNOTSUPP);
    assert_string_equal(why, "an x86-64 instruction: not an x86-64 build");
    enum cache_method best;
    assert_int_equal(cache_method_best(CACHE_OP_CLEAN, &best, &why), 0);
    assert_int_equal(best, CACHE_M_DC_CVAC);
    assert_int_equal(cache_method_best(CACHE_OP_CLEAN_INVAL, &best, &why), 0);
    assert_int_equal(best, CACHE_M_DC_CIVAC);
    assert_string_equal(cache_line_source(), "ctr_el0");
#endif
    assert_int_equal(cache_method_available(N_CACHE_METHODS, &why), -EINVAL);
    size_t line = cache_line_size();
    assert_true(line >= 16 && line <= 512 && !(line & (line - 1)));
}

/* Every available method runs over a real buffer, keeps its data and reports its lines. */
static void test_maintenance_keeps_data(void **state)
{
    (void)state;
    size_t line = cache_line_size(), size = 64 * 1024;
    unsigned char *buf = aligned_alloc(4096, size);
    assert_non_null(buf);
    for (int m = 0; m < N_CACHE_METHODS; m++) {
        const char *why;
        if (cache_method_available(m, &why))
            continue;
        for (size_t i = 0; i < size; i++)
            buf[i] = (unsigned char)(i * 7 + m);
        assert_int_equal(cache_maint_range(m, buf, size), size / line);
        assert_int_equal(cache_maint_range(m, buf + 1, line), 2);
        assert_int_equal(cache_maint_lines(m, buf + 3, 1), 1);
        cache_maint_fence(m);
        for (size_t i = 0; i < size; i++)
            if (buf[i] != (unsigned char)(i * 7 + m))
                fail_msg("%s changed byte %zu", cache_method_name(m), i);
    }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_span_rounds_outward),
            cmocka_unit_test(test_span_refuses_nonsense),
            cmocka_unit_test(test_layout_spreads_regions),
            cmocka_unit_test(test_layout_refuses_what_does_not_fit),
            cmocka_unit_test(test_method_names_and_operations),
            cmocka_unit_test(test_availability_matches_the_cpu),
            cmocka_unit_test(test_maintenance_keeps_data),
    };
    return cmocka_run_group_tests_name("coherency_cache", tests, NULL, NULL);
}
