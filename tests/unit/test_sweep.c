/* tests/unit/test_sweep.c - sweep axes, their expansion into cases, and case ids.
 *
 * Ids are what results are compared by across runs and boards, so their exact text, their
 * stability and what changes them are pinned down here, with every rule of the axis syntax.
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
#include "heap_dev.h"
#include "size_units.h"
#include "sweep.h"
#include "topology.h"

static struct sweep_axis_values values;
static char err[256];

/* Parse text for axis, expecting success; returns the values as "a|b|c". */
static const char *parsed(enum sweep_axis axis, const char *text)
{
    static char joined[SWEEP_MAX_VALUES * SWEEP_TEXT_MAX];
    err[0] = '\0';
    int ret = sweep_parse_axis(axis, text, &values, err, sizeof(err));
    if (ret)
        fail_msg("%s '%s': %d %s", sweep_axis_key(axis), text, ret, err);
    joined[0] = '\0';
    for (size_t i = 0; i < values.n; i++) {
        if (i)
            strcat(joined, "|");
        strcat(joined, values.v[i].text);
    }
    return joined;
}

/* Parse text for axis, expecting ret; returns the reason. */
static const char *refused(enum sweep_axis axis, const char *text, int ret)
{
    err[0] = '\0';
    assert_int_equal(sweep_parse_axis(axis, text, &values, err, sizeof(err)), ret);
    assert_true(err[0] != '\0');
    return err;
}

static void test_lists_are_canonical(void **state)
{
    (void)state;
    assert_string_equal(parsed(AXIS_SIZE, "4K,64K,1M"), "4KiB|64KiB|1MiB");
    assert_int_equal(values.v[1].bytes, 65536);
    assert_string_equal(parsed(AXIS_SIZE, " 4096 , 1g,5000"), "4KiB|1GiB|5000B");
    assert_string_equal(parsed(AXIS_ALIGN, "0,3,64,4K"), "0B|3B|64B|4KiB");
    assert_int_equal(values.v[0].bytes, 0);
    assert_int_equal(values.v[1].bytes, 3);
    /* Canonical texts read back as themselves, so ids and CSV cells can go into job files. */
    assert_string_equal(parsed(AXIS_ALIGN, "0B,5000B,4KiB,1MiB"), "0B|5000B|4KiB|1MiB");
    assert_int_equal(values.v[1].bytes, 5000);
    assert_string_equal(parsed(AXIS_THREADS, "1,3,1024"), "1|3|1024");
    assert_int_equal(values.v[2].number, 1024);
    assert_string_equal(parsed(AXIS_BATCH, "1,65536"), "1|65536");
    assert_string_equal(parsed(AXIS_NODE, "any,0,1023"), "any|0|1023");
    assert_int_equal(values.v[0].number, -1);
    assert_int_equal(values.v[2].number, 1023);
    assert_string_equal(parsed(AXIS_KERNEL, "read,read:avx2,copy:nt,alloc-touch,x_1"),
                        "read|read:avx2|copy:nt|alloc-touch|x_1");
    assert_string_equal(parsed(AXIS_HEAP, "system,qcom.sys_1,dma-heap:system,MTK"),
                        "system|qcom.sys_1|dma-heap:system|MTK");
    assert_string_equal(parsed(AXIS_HEAP, "all"), "all");
}

static void test_page_sizes(void **state)
{
    (void)state;
    assert_string_equal(parsed(AXIS_PAGE_SIZE, "base,thp,2M,1G"), "base|thp|2MiB|1GiB");
    assert_int_equal(values.v[0].page_kind, HEAP_PAGES_BASE);
    assert_int_equal(values.v[1].page_kind, HEAP_PAGES_THP);
    assert_int_equal(values.v[2].page_kind, HEAP_PAGES_HUGETLB);
    assert_int_equal(values.v[2].bytes, 2u << 20);
    /* The base page size by its size is base: one case, one id. */
    char base[32];
    size_format_compact(heap_base_page_size(), base, sizeof(base));
    assert_string_equal(parsed(AXIS_PAGE_SIZE, base), "base");
    assert_int_equal(values.v[0].page_kind, HEAP_PAGES_BASE);
    char both[64];
    snprintf(both, sizeof(both), "base,%s", base);
    assert_string_equal(refused(AXIS_PAGE_SIZE, both, -EINVAL), "base listed twice");
    assert_string_equal(refused(AXIS_PAGE_SIZE, "3M", -EINVAL),
                        "'3M' is not a page size (base, thp, or a power-of-two size such as 2M)");
    refused(AXIS_PAGE_SIZE, "0", -EINVAL);
    refused(AXIS_PAGE_SIZE, "huge", -EINVAL);
}

static void test_ranges_double(void **state)
{
    (void)state;
    parsed(AXIS_SIZE, "4K..64M");
    assert_int_equal(values.n, 15);
    assert_string_equal(values.v[0].text, "4KiB");
    assert_string_equal(values.v[14].text, "64MiB");
    for (size_t i = 1; i < values.n; i++)
        assert_int_equal(values.v[i].bytes, 2 * values.v[i - 1].bytes);
    assert_string_equal(parsed(AXIS_THREADS, "1..8"), "1|2|4|8");
    assert_int_equal(values.v[3].number, 8);
    assert_string_equal(parsed(AXIS_BATCH, "4..16"), "4|8|16");
    assert_string_equal(parsed(AXIS_ALIGN, "0,1..8"), "0B|1B|2B|4B|8B");
    assert_string_equal(parsed(AXIS_SIZE, "3M..12M,1K"), "3MiB|6MiB|12MiB|1KiB");
    assert_string_equal(parsed(AXIS_SIZE, "4K..4K"), "4KiB");
}

static void test_bad_ranges(void **state)
{
    (void)state;
    assert_string_equal(refused(AXIS_SIZE, "4K..100K", -EINVAL),
                        "'4K..100K': 100KiB is not reachable from 4KiB by doubling (x2 steps)");
    assert_string_equal(refused(AXIS_THREADS, "1..6", -EINVAL),
                        "'1..6': 6 is not reachable from 1 by doubling (x2 steps)");
    assert_string_equal(refused(AXIS_SIZE, "64M..4K", -EINVAL),
                        "'64M..4K': the end is below the start");
    assert_string_equal(refused(AXIS_ALIGN, "0..4K", -EINVAL),
                        "'0..4K': a range must start above 0");
    assert_string_equal(refused(AXIS_THREADS, "1..2048", -EINVAL),
                        "'2048' is not a thread count from 1 to 1024");
    assert_string_equal(refused(AXIS_SIZE, "4K..", -EINVAL), "'' is not a size");
    assert_string_equal(refused(AXIS_SIZE, "..4K", -EINVAL), "'' is not a size");
    assert_string_equal(refused(AXIS_NODE, "0..2", -EINVAL),
                        "'0..2': ranges (A..B) are only for size, align, threads, batch, region, "
                        "region-offset, regions and pool");
    refused(AXIS_PAGE_SIZE, "4K..2M", -EINVAL);
    refused(AXIS_KERNEL, "a..b", -EINVAL);
    /* A heap name may hold dots: "a..b" is a name, not a range. */
    assert_string_equal(parsed(AXIS_HEAP, "a..b"), "a..b");
}

static void test_bad_values(void **state)
{
    (void)state;
    assert_string_equal(refused(AXIS_SIZE, "4Q", -EINVAL), "'4Q' is not a size");
    assert_string_equal(refused(AXIS_SIZE, "0", -EINVAL), "'0': a size must be at least 1 byte");
    assert_string_equal(refused(AXIS_SIZE, "99999999999999999999", -EINVAL),
                        "'99999999999999999999' is too large");
    refused(AXIS_SIZE, "-4K", -EINVAL);
    refused(AXIS_SIZE, "4 K", -EINVAL);
    refused(AXIS_SIZE, "B", -EINVAL);
    refused(AXIS_SIZE, "4BB", -EINVAL);
    assert_string_equal(refused(AXIS_THREADS, "0", -EINVAL),
                        "'0' is not a thread count from 1 to 1024");
    refused(AXIS_THREADS, "1025", -EINVAL);
    refused(AXIS_THREADS, "+2", -EINVAL);
    refused(AXIS_THREADS, "2x", -EINVAL);
    assert_string_equal(refused(AXIS_BATCH, "65537", -EINVAL),
                        "'65537' is not a batch size from 1 to 65536");
    assert_string_equal(refused(AXIS_NODE, "-1", -EINVAL),
                        "'-1' is not a NUMA node (any, or 0 to 1023)");
    refused(AXIS_NODE, "1024", -EINVAL);
    assert_string_equal(refused(AXIS_KERNEL, "Read", -EINVAL),
                        "'Read' is not a kernel name (a-z, 0-9, ':', '_', '-')");
    refused(AXIS_KERNEL, "read avx", -EINVAL);
    assert_string_equal(
            refused(AXIS_HEAP, "sys/tem", -EINVAL),
            "'sys/tem' is not a heap name (letters, digits, '_', ',', '.', ':', '-'), nor all");
    char long_name[80];
    memset(long_name, 'k', 64);
    long_name[64] = '\0';
    assert_string_equal(refused(AXIS_KERNEL, long_name, -EINVAL),
                        "'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk' is "
                        "longer than 63 characters");
    long_name[63] = '\0';
    parsed(AXIS_KERNEL, long_name);
    assert_string_equal(refused(AXIS_SIZE, "", -EINVAL), "no value given");
    assert_string_equal(refused(AXIS_SIZE, "  ", -EINVAL), "no value given");
    assert_string_equal(refused(AXIS_SIZE, "4K,,8K", -EINVAL), "empty value in '4K,,8K'");
    assert_string_equal(refused(AXIS_SIZE, "4K,", -EINVAL), "empty value in '4K,'");
    assert_string_equal(refused(AXIS_HEAP, "all,system", -EINVAL),
                        "all cannot be listed with other heaps");
}

/* The heap-name rule: a comma separates, unless it is inside double quotes. */
static void test_heap_names_with_commas_are_quoted(void **state)
{
    (void)state;
    assert_string_equal(parsed(AXIS_HEAP, "linux,cma"), "linux|cma");
    assert_string_equal(parsed(AXIS_HEAP, "\"linux,cma\""), "linux,cma");
    assert_string_equal(parsed(AXIS_HEAP, "system, \"linux,cma\" ,\"qcom,system\""),
                        "system|linux,cma|qcom,system");
    assert_string_equal(parsed(AXIS_HEAP, "\"linux,cma-uncached\",\"linux,cma\""),
                        "linux,cma-uncached|linux,cma");
    assert_string_equal(refused(AXIS_HEAP, "\"linux,cma", -EINVAL),
                        "unterminated quote in '\"linux,cma'");
    assert_string_equal(refused(AXIS_HEAP, "\"linux,cma\"x", -EINVAL),
                        "text after a closing quote in '\"linux,cma\"x'");
    assert_string_equal(refused(AXIS_HEAP, "\"\"", -EINVAL), "empty value in '\"\"'");
    assert_string_equal(refused(AXIS_HEAP, "\"linux,cma\",\"linux,cma\"", -EINVAL),
                        "linux,cma listed twice");
    /* Quotes only protect commas; the value inside is checked like any other. */
    assert_string_equal(parsed(AXIS_SIZE, "\"4K\""), "4KiB");
    refused(AXIS_HEAP, "\"a b\"", -EINVAL);
}

static void test_duplicates_in_any_spelling(void **state)
{
    (void)state;
    assert_string_equal(refused(AXIS_SIZE, "4K,4K", -EINVAL), "4KiB listed twice");
    assert_string_equal(refused(AXIS_SIZE, "4K,4096", -EINVAL), "4KiB listed twice");
    assert_string_equal(refused(AXIS_SIZE, "8K,4K..64K", -EINVAL), "8KiB listed twice");
    assert_string_equal(refused(AXIS_THREADS, "1..4,2", -EINVAL), "2 listed twice");
    assert_string_equal(refused(AXIS_NODE, "any,any", -EINVAL), "any listed twice");
    assert_string_equal(refused(AXIS_KERNEL, "read,copy,read", -EINVAL), "read listed twice");
    assert_string_equal(refused(AXIS_HEAP, "system,system", -EINVAL), "system listed twice");
    assert_string_equal(refused(AXIS_PAGE_SIZE, "thp,thp", -EINVAL), "thp listed twice");
}

static void test_too_many_values(void **state)
{
    (void)state;
    /* 1 B .. 8 EiB is exactly 64 doublings' worth: the most an axis holds. */
    parsed(AXIS_ALIGN, "1..8E");
    assert_int_equal(values.n, SWEEP_MAX_VALUES);
    assert_string_equal(refused(AXIS_ALIGN, "0,1..8E", -E2BIG), "more than 64 values");
    char list[SWEEP_MAX_VALUES * 8] = "";
    for (int i = 0; i <= SWEEP_MAX_VALUES; i++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%sk%d", i ? "," : "", i);
    assert_string_equal(refused(AXIS_KERNEL, list, -E2BIG), "more than 64 values");
    list[strlen(list) - 4] = '\0'; /* drop ",k64" */
    parsed(AXIS_KERNEL, list);
    assert_int_equal(values.n, SWEEP_MAX_VALUES);
}

static void test_a_failed_parse_changes_nothing(void **state)
{
    (void)state;
    parsed(AXIS_SIZE, "1K,2K");
    assert_int_equal(sweep_parse_axis(AXIS_SIZE, "8K,4Q", &values, err, sizeof(err)), -EINVAL);
    assert_int_equal(values.n, 2);
    assert_string_equal(values.v[1].text, "2KiB");
}

/* The axes of sync, coherency and pipeline: canonical words, formats, CPUs, and refusals that
 * name what is allowed. */
static void test_cache_maintenance_axes(void **state)
{
    (void)state;
    assert_string_equal(parsed(AXIS_STRATEGY, "none,full,partial-ioctl,partial-user,full-user"),
                        "none|full|partial-ioctl|partial-user|full-user");
    assert_string_equal(parsed(AXIS_STRATEGY, "partial-user:clwb,full-user:dc-civac"),
                        "partial-user:clwb|full-user:dc-civac");
    assert_true(strstr(refused(AXIS_STRATEGY, "full:clwb", -EINVAL), "not a sync strategy"));
    refused(AXIS_STRATEGY, "partial-user:dc_civac", -EINVAL);
    refused(AXIS_STRATEGY, "partial", -EINVAL);
    assert_string_equal(parsed(AXIS_DIRECTION, "read,write,rw"), "read|write|rw");
    assert_int_equal(values.v[0].number, HEAP_SYNC_READ);
    assert_int_equal(values.v[2].number, HEAP_SYNC_RW);
    assert_string_equal(refused(AXIS_DIRECTION, "both", -EINVAL),
                        "'both' is not a direction (read, write, rw)");
    assert_string_equal(parsed(AXIS_REGION, "64..256"), "64B|128B|256B");
    assert_string_equal(refused(AXIS_REGION, "0", -EINVAL), "'0': a size must be at least 1 byte");
    assert_string_equal(parsed(AXIS_REGION_OFFSET, "0,1,4K"), "0B|1B|4KiB");
    assert_string_equal(parsed(AXIS_REGIONS, "1..8"), "1|2|4|8");
    assert_string_equal(refused(AXIS_REGIONS, "0", -EINVAL),
                        "'0' is not a region count from 1 to 65536");
    assert_string_equal(parsed(AXIS_LINES, "dirty,clean"), "dirty|clean");
    assert_int_equal(values.v[0].number, 1);
    assert_int_equal(values.v[1].number, 0);
    assert_string_equal(parsed(AXIS_IMPORTERS, "0,1"), "0|1");
    assert_string_equal(refused(AXIS_IMPORTERS, "9", -EINVAL),
                        "'9' is not an importer count from 0 to 8");
    assert_string_equal(parsed(AXIS_POOL, "1..4"), "1|2|4");
    /* Formats in any spelling are one value: 1080p is 1920x1080. */
    assert_string_equal(parsed(AXIS_FORMAT, "nv12:1080p,rgba:4k,rgb24:640x480"),
                        "nv12:1920x1080|rgba:3840x2160|rgb24:640x480");
    assert_int_equal(values.v[0].bytes, 1920 * 1080 * 3 / 2);
    assert_int_equal(values.v[1].bytes, 3840 * 2160 * 4);
    assert_string_equal(refused(AXIS_FORMAT, "nv12:1080p,nv12:1920x1080", -EINVAL),
                        "nv12:1920x1080 listed twice");
    refused(AXIS_FORMAT, "nv12:1921x1080", -EINVAL); /* odd width with 4:2:0 chroma */
    refused(AXIS_FORMAT, "h264:1080p", -EINVAL);
    refused(AXIS_FORMAT, "rgba:8x8", -EINVAL);
    assert_string_equal(parsed(AXIS_ENGINE, "cpu,v4l2,vgem"), "cpu|v4l2|vgem");
    assert_string_equal(refused(AXIS_ENGINE, "gpu", -EINVAL),
                        "'gpu' is not an engine (cpu, v4l2, vgem, sw_sync, edu, drm)");
    assert_string_equal(parsed(AXIS_CPU, "0,3"), "0|3");
    assert_string_equal(parsed(AXIS_PEER, "all"), "all");
    assert_int_equal(values.v[0].number, -1);
    assert_string_equal(refused(AXIS_CPU, "all,1", -EINVAL),
                        "all cannot be listed with other CPUs");
    refused(AXIS_CPU, "0..4", -EINVAL);
}

static void test_axis_keys(void **state)
{
    (void)state;
    const char *keys[] = {"heap",   "size",          "align",   "page-size", "threads",
                          "batch",  "kernel",        "node",    "strategy",  "direction",
                          "region", "region-offset", "regions", "lines",     "importers",
                          "pool",   "format",        "engine",  "cpu",       "peer"};
    assert_int_equal(sizeof(keys) / sizeof(keys[0]), N_SWEEP_AXES);
    for (int a = 0; a < N_SWEEP_AXES; a++) {
        assert_string_equal(sweep_axis_key(a), keys[a]);
        assert_int_equal(sweep_axis_from_key(keys[a]), a);
    }
    assert_int_equal(sweep_axis_from_key("sizes"), -1);
    assert_int_equal(sweep_axis_from_key("bench"), -1);
    /* The frame format is --frame to people and format= in case ids; both names find it. */
    assert_string_equal(sweep_axis_option(AXIS_FORMAT), "frame");
    assert_int_equal(sweep_axis_from_key("frame"), AXIS_FORMAT);
    assert_string_equal(sweep_axis_option(AXIS_SIZE), "size");
}

static struct job *new_job(const char *bench)
{
    struct job *job = malloc(sizeof(*job));
    assert_non_null(job);
    job_init(job, "t");
    snprintf(job->bench, sizeof(job->bench), "%s", bench);
    return job;
}

static void set_axis(struct job *job, enum sweep_axis axis, const char *text)
{
    if (sweep_parse_axis(axis, text, &job->axes[axis], err, sizeof(err)))
        fail_msg("%s: %s", text, err);
}

/* A job of bench with the axes given as (axis, text) pairs up to -1. */
static struct job *new_job_with(const char *bench, ...)
{
    struct job *job = new_job(bench);
    va_list pairs;
    va_start(pairs, bench);
    for (int axis; (axis = va_arg(pairs, int)) >= 0;)
        set_axis(job, (enum sweep_axis)axis, va_arg(pairs, const char *));
    va_end(pairs);
    return job;
}

static void test_job_defaults(void **state)
{
    (void)state;
    struct job *job = new_job("");
    assert_string_equal(job->name, "t");
    assert_string_equal(job->bench, "");
    assert_int_equal(job->reps, 5);
    assert_false(job->reps_auto);
    assert_true(job->time_budget_s == 10.0);
    assert_string_equal(job->counters, "default");
    assert_string_equal(job->cpus, "");
    const char *defaults[] = {
            "all",  "4KiB", "0B", "base",  "1", "1", "default",        "any", "full", "rw",
            "4KiB", "0B",   "1",  "dirty", "0", "1", "nv12:1920x1080", "cpu", "all",  "all"};
    assert_int_equal(sizeof(defaults) / sizeof(defaults[0]), N_SWEEP_AXES);
    for (int a = 0; a < N_SWEEP_AXES; a++) {
        assert_int_equal(job->axes[a].n, 1);
        assert_string_equal(job->axes[a].v[0].text, defaults[a]);
        assert_string_equal(sweep_axis_default(a), defaults[a]);
    }
    assert_int_equal(job->axes[AXIS_SIZE].v[0].bytes, 4096);
    assert_int_equal(job->axes[AXIS_THREADS].v[0].number, 1);
    assert_int_equal(job->axes[AXIS_NODE].v[0].number, -1);
    assert_int_equal(job->axes[AXIS_PAGE_SIZE].v[0].page_kind, HEAP_PAGES_BASE);
    free(job);
}

static void test_bench_axes(void **state)
{
    (void)state;
    unsigned alloc = sweep_bench_axes("alloc"), cpu = sweep_bench_axes("cpu");
    assert_int_equal(alloc, (1u << AXIS_HEAP) | (1u << AXIS_SIZE) | (1u << AXIS_ALIGN) |
                                    (1u << AXIS_PAGE_SIZE) | (1u << AXIS_THREADS) |
                                    (1u << AXIS_BATCH) | (1u << AXIS_KERNEL) | (1u << AXIS_NODE));
    assert_int_equal(cpu, (1u << AXIS_HEAP) | (1u << AXIS_SIZE) | (1u << AXIS_ALIGN) |
                                  (1u << AXIS_PAGE_SIZE) | (1u << AXIS_THREADS) |
                                  (1u << AXIS_KERNEL) | (1u << AXIS_NODE));
    assert_int_equal(sweep_bench_axes("nope"), 0);
    assert_string_equal(sweep_bench_name(0), "alloc");
    assert_string_equal(sweep_bench_name(1), "cpu");
    assert_string_equal(sweep_bench_name(2), "sync");
    size_t n = 0;
    while (sweep_bench_name(n))
        n++;
    assert_int_equal(n, bench_count());
}

static const char *const two_heaps[] = {"system", "host"};

static void test_cartesian_product_order(void **state)
{
    (void)state;
    struct job *job = new_job("cpu");
    set_axis(job, AXIS_SIZE, "4K,8K");
    set_axis(job, AXIS_THREADS, "1,2");
    set_axis(job, AXIS_KERNEL, "read,write");
    struct bench_case *cases;
    size_t n;
    assert_int_equal(sweep_expand(job, two_heaps, 2, &cases, &n), 0);
    assert_int_equal(n, 16);
    /* heap, size, ..., threads, ..., kernel: the last axis varies fastest. */
    const char *expect[][4] = {
            {"system", "4KiB", "1", "read"}, {"system", "4KiB", "1", "write"},
            {"system", "4KiB", "2", "read"}, {"system", "4KiB", "2", "write"},
            {"system", "8KiB", "1", "read"}, {"system", "8KiB", "1", "write"},
            {"system", "8KiB", "2", "read"}, {"system", "8KiB", "2", "write"},
            {"host", "4KiB", "1", "read"},   {"host", "4KiB", "1", "write"},
    };
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
        assert_ptr_equal(cases[i].job, job);
        assert_string_equal(cases[i].value[AXIS_HEAP]->text, expect[i][0]);
        assert_string_equal(cases[i].value[AXIS_SIZE]->text, expect[i][1]);
        assert_string_equal(cases[i].value[AXIS_THREADS]->text, expect[i][2]);
        assert_string_equal(cases[i].value[AXIS_KERNEL]->text, expect[i][3]);
        assert_string_equal(cases[i].value[AXIS_NODE]->text, "any");
        assert_null(cases[i].value[AXIS_BATCH]); /* cpu does not use it */
    }
    assert_string_equal(cases[15].value[AXIS_HEAP]->text, "host");
    assert_string_equal(cases[15].value[AXIS_KERNEL]->text, "write");
    /* Values come from the job itself, so the bench reads bytes and numbers from them. */
    assert_ptr_equal(cases[4].value[AXIS_SIZE], &job->axes[AXIS_SIZE].v[1]);
    assert_int_equal(cases[4].value[AXIS_SIZE]->bytes, 8192);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            assert_string_not_equal(cases[i].id, cases[j].id);
    free(cases);
    free(job);
}

static void test_heap_all_and_named_heaps(void **state)
{
    (void)state;
    struct job *job = new_job("alloc");
    set_axis(job, AXIS_BATCH, "1,8");
    struct bench_case *cases;
    size_t n;
    const char *three[] = {"system", "linux,cma", "udmabuf"};
    assert_int_equal(sweep_expand(job, three, 3, &cases, &n), 0);
    assert_int_equal(n, 6);
    assert_string_equal(cases[0].value[AXIS_HEAP]->text, "system");
    assert_string_equal(cases[2].value[AXIS_HEAP]->text, "linux,cma");
    assert_string_equal(cases[5].value[AXIS_HEAP]->text, "udmabuf");
    assert_string_equal(cases[3].value[AXIS_BATCH]->text, "8");
    assert_null(cases[0].value[AXIS_THREADS]); /* alloc does not use it */
    assert_string_equal(cases[2].id, "alloc:heap=linux,cma;size=4KiB;align=0B;page-size=base;"
                                     "batch=1;kernel=default;node=any");
    free(cases);

    /* Heaps named in the job are used as they are, whatever is available. */
    set_axis(job, AXIS_HEAP, "udmabuf,\"linux,cma\"");
    assert_int_equal(sweep_expand(job, three, 3, &cases, &n), 0);
    assert_int_equal(n, 4);
    assert_string_equal(cases[0].value[AXIS_HEAP]->text, "udmabuf");
    assert_string_equal(cases[2].value[AXIS_HEAP]->text, "linux,cma");
    free(cases);
    assert_int_equal(sweep_expand(job, NULL, 0, &cases, &n), 0);
    assert_int_equal(n, 4);
    free(cases);

    set_axis(job, AXIS_HEAP, "all");
    assert_int_equal(sweep_expand(job, NULL, 0, &cases, &n), -EINVAL);
    char long_name[100];
    memset(long_name, 'h', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    const char *bad[] = {long_name};
    assert_int_equal(sweep_expand(job, bad, 1, &cases, &n), -EINVAL);
    free(job);
}

static void test_expand_refuses(void **state)
{
    (void)state;
    struct job *job = new_job("fly");
    struct bench_case *cases;
    size_t n;
    assert_int_equal(sweep_expand(job, two_heaps, 2, &cases, &n), -EINVAL);
    snprintf(job->bench, sizeof(job->bench), "cpu");
    job->axes[AXIS_KERNEL].n = 0;
    assert_int_equal(sweep_expand(job, two_heaps, 2, &cases, &n), -EINVAL);
    set_axis(job, AXIS_KERNEL, "read");
    /* 64 x 64 x 64 = 262144 cases: over SWEEP_MAX_CASES. */
    set_axis(job, AXIS_ALIGN, "1..8E");
    set_axis(job, AXIS_SIZE, "1..8E");
    char list[SWEEP_MAX_VALUES * 8] = "";
    for (int i = 0; i < SWEEP_MAX_VALUES; i++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%sk%d", i ? "," : "", i);
    set_axis(job, AXIS_KERNEL, list);
    assert_int_equal(sweep_expand(job, two_heaps, 2, &cases, &n), -E2BIG);
    /* Counted without being made: the run adds up every job's count before it makes any. */
    assert_int_equal(sweep_count(job, 2, &n), 0);
    assert_int_equal(n, 2 * 64 * 64 * 64);
    snprintf(job->bench, sizeof(job->bench), "fly");
    assert_int_equal(sweep_count(job, 2, &n), -EINVAL);
    snprintf(job->bench, sizeof(job->bench), "cpu");
    /* An axis the benchmark does not use does not multiply: batch is not a cpu axis. */
    set_axis(job, AXIS_ALIGN, "0");
    set_axis(job, AXIS_BATCH, "1..32768");
    assert_int_equal(sweep_expand(job, two_heaps, 2, &cases, &n), 0);
    assert_int_equal(n, 2 * 64 * 64);
    size_t counted;
    assert_int_equal(sweep_count(job, 2, &counted), 0);
    assert_int_equal(counted, n);
    free(cases);
    free(job);
}

/* The id of the one case of job (on heap "system"). */
static const char *only_id(const struct job *job)
{
    static char id[sizeof(((struct bench_case *)0)->id)];
    struct bench_case *cases;
    size_t n;
    const char *system[] = {"system"};
    assert_int_equal(sweep_expand(job, system, 1, &cases, &n), 0);
    assert_int_equal(n, 1);
    char again[sizeof(id)];
    sweep_case_id(&cases[0], again, sizeof(again));
    assert_string_equal(again, cases[0].id);
    snprintf(id, sizeof(id), "%s", cases[0].id);
    free(cases);
    return id;
}

static void test_case_ids(void **state)
{
    (void)state;
    struct job *job = new_job("cpu");
    set_axis(job, AXIS_KERNEL, "read:avx2");
    assert_string_equal(only_id(job), "cpu:heap=system;size=4KiB;align=0B;page-size=base;"
                                      "threads=1;kernel=read:avx2;node=any");
    snprintf(job->bench, sizeof(job->bench), "alloc");
    set_axis(job, AXIS_KERNEL, "alloc-touch");
    set_axis(job, AXIS_PAGE_SIZE, "2M");
    set_axis(job, AXIS_NODE, "1");
    assert_string_equal(only_id(job), "alloc:heap=system;size=4KiB;align=0B;page-size=2MiB;"
                                      "batch=1;kernel=alloc-touch;node=1");

    /* The longest id fits whole: every field at its longest. */
    snprintf(job->bench, sizeof(job->bench), "%s", "cpu");
    char name[SWEEP_TEXT_MAX];
    memset(name, 'a', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    char quoted[sizeof(name) + 2];
    snprintf(quoted, sizeof(quoted), "\"%s\"", name);
    set_axis(job, AXIS_HEAP, quoted);
    set_axis(job, AXIS_KERNEL, name);
    set_axis(job, AXIS_SIZE, "18446744073709551615");
    set_axis(job, AXIS_ALIGN, "18446744073709551615");
    struct bench_case *cases;
    size_t n;
    assert_int_equal(sweep_expand(job, NULL, 0, &cases, &n), 0);
    char expect[512];
    snprintf(expect, sizeof(expect),
             "cpu:heap=%s;size=18446744073709551615B;align=18446744073709551615B;page-size=2MiB;"
             "threads=1;kernel=%s;node=1",
             name, name);
    assert_string_equal(cases[0].id, expect);
    free(cases);
    free(job);
}

/* Changing any axis a benchmark uses changes the id; spelling and unused axes do not. */
static void test_ids_are_stable(void **state)
{
    (void)state;
    struct job *job = new_job("cpu");
    char base[512];
    snprintf(base, sizeof(base), "%s", only_id(job));
    set_axis(job, AXIS_SIZE, "4096");
    assert_string_equal(only_id(job), base);
    set_axis(job, AXIS_BATCH, "16"); /* not a cpu axis */
    assert_string_equal(only_id(job), base);
    job->reps = 50; /* how often a case repeats is not what it is */
    job->reps_auto = true;
    snprintf(job->name, sizeof(job->name), "other");
    assert_string_equal(only_id(job), base);

    const char *changed[N_SWEEP_AXES] = {
            [AXIS_HEAP] = "host",      [AXIS_SIZE] = "8K",        [AXIS_ALIGN] = "64",
            [AXIS_PAGE_SIZE] = "thp",  [AXIS_THREADS] = "2",      [AXIS_BATCH] = "4",
            [AXIS_KERNEL] = "write",   [AXIS_NODE] = "0",         [AXIS_STRATEGY] = "none",
            [AXIS_DIRECTION] = "read", [AXIS_REGION] = "64",      [AXIS_REGION_OFFSET] = "8",
            [AXIS_REGIONS] = "2",      [AXIS_LINES] = "clean",    [AXIS_IMPORTERS] = "1",
            [AXIS_POOL] = "3",         [AXIS_FORMAT] = "rgba:4k", [AXIS_ENGINE] = "vgem",
            [AXIS_CPU] = "1",          [AXIS_PEER] = "0",
    };
    for (int a = 0; a < N_SWEEP_AXES; a++) {
        struct job *other = new_job("cpu");
        set_axis(other, a, changed[a]);
        /* Batch and the cache-maintenance axes are not cpu axes: the id stays. */
        if (a == AXIS_BATCH || a >= AXIS_STRATEGY)
            assert_string_equal(only_id(other), base);
        else
            assert_string_not_equal(only_id(other), base);
        free(other);
    }
    struct job *alloc = new_job("alloc");
    assert_string_not_equal(only_id(alloc), base);
    /* One thread, alloc's default: its ids are what they were before alloc had threads. */
    assert_null(strstr(only_id(alloc), "threads"));
    assert_non_null(strstr(only_id(alloc), "batch=1"));
    set_axis(alloc, AXIS_THREADS, "8");
    assert_non_null(strstr(only_id(alloc), "page-size=base;threads=8;batch=1;"));
    free(alloc);
    free(job);
}

/* cpu's default sizes are a sweep axis: they must parse, increase and never repeat, whatever
 * hwloc reports (QEMU's arm64 virt board gave caches without sizes: "4KiB listed twice"). */
static void test_cpu_default_sizes(void **state)
{
    (void)state;
    char out[128], why[256];
    struct sweep_axis_values v;
    struct topology_summary topo = {.n_caches = 3,
                                    .caches = {{.level = 1, .type = 'd', .size = 48 << 10},
                                               {.level = 2, .type = 'u', .size = 1 << 20},
                                               {.level = 3, .type = 'u', .size = 32 << 20}}};
    bench_cpu_default_sizes(&topo, out, sizeof(out));
    assert_string_equal(out, "16384,524288,16777216,268435456");
    /* No topology: typical sizes. */
    bench_cpu_default_sizes(NULL, out, sizeof(out));
    assert_string_equal(out, "16384,524288,4194304,268435456");
    /* Caches without sizes count as unknown. */
    for (size_t i = 0; i < topo.n_caches; i++)
        topo.caches[i].size = 0;
    bench_cpu_default_sizes(&topo, out, sizeof(out));
    assert_string_equal(out, "16384,524288,4194304,268435456");
    assert_int_equal(sweep_parse_axis(AXIS_SIZE, out, &v, why, sizeof(why)), 0);
    /* An L2 as large as the LLC, and a tiny L1: no value twice. */
    topo = (struct topology_summary){.n_caches = 3,
                                     .caches = {{.level = 1, .type = 'd', .size = 4 << 10},
                                                {.level = 2, .type = 'u', .size = 2 << 20},
                                                {.level = 3, .type = 'u', .size = 2 << 20}}};
    bench_cpu_default_sizes(&topo, out, sizeof(out));
    assert_string_equal(out, "4096,1048576,268435456");
    assert_int_equal(sweep_parse_axis(AXIS_SIZE, out, &v, why, sizeof(why)), 0);
}

/* A probe takes its own default list of an axis the job left at the benchmark's default, and
 * the user's list as given: coherency's stale copies with cpu and v4l2, fence fences with vgem
 * and sw_sync, and neither gets a product of cases that can only be skipped. */
static void test_kernel_defaults_narrow_defaulted_axes(void **state)
{
    (void)state;
    struct job *job =
            new_job_with("coherency", AXIS_HEAP, "host", AXIS_KERNEL, "stale,fence", AXIS_SIZE,
                         "4K", AXIS_STRATEGY, "none", AXIS_ENGINE, "cpu,v4l2,vgem,sw_sync", -1);
    job->axes_defaulted = 1u << AXIS_ENGINE;
    struct bench_case *cases;
    size_t n;
    assert_int_equal(sweep_expand(job, NULL, 0, &cases, &n), 0);
    assert_int_equal(n, 4);
    assert_string_equal(cases[0].id,
                        "coherency:heap=host;size=4KiB;kernel=stale;strategy=none;engine=cpu");
    assert_string_equal(cases[1].value[AXIS_ENGINE]->text, "v4l2");
    assert_string_equal(cases[2].id, "coherency:heap=host;kernel=fence;engine=vgem");
    assert_string_equal(cases[3].value[AXIS_ENGINE]->text, "sw_sync");
    free(cases);
    /* Set by the user (or a job file): every kernel takes the whole list. */
    job->axes_defaulted = 0;
    assert_int_equal(sweep_expand(job, NULL, 0, &cases, &n), 0);
    assert_int_equal(n, 8);
    assert_string_equal(cases[2].value[AXIS_ENGINE]->text, "vgem");
    free(cases);
    free(job);
}

/* sync's importer engine means nothing without an importer: the importer-less cases keep the ids
 * they had before sync swept engines, once each, and only the others multiply by engine. */
static void test_idle_axes_do_not_multiply(void **state)
{
    (void)state;
    struct job *job = new_job_with("sync", AXIS_HEAP, "system", AXIS_SIZE, "1M", AXIS_STRATEGY,
                                   "none,full", AXIS_DIRECTION, "write", AXIS_REGION, "1M",
                                   AXIS_IMPORTERS, "0,1,2", AXIS_ENGINE, "vgem,v4l2", -1);
    struct bench_case *cases;
    size_t n;
    assert_int_equal(sweep_expand(job, NULL, 0, &cases, &n), 0);
    assert_int_equal(n, 2 * (1 + 2 + 2)); /* per strategy: importers 0 once, 1 and 2 twice */
    const char *prefix = "sync:heap=system;size=1MiB;page-size=base;strategy=none;"
                         "direction=write;region=1MiB;region-offset=0B;regions=1;lines=dirty;";
    const char *tails[] = {"importers=0", "importers=1;engine=vgem", "importers=1;engine=v4l2",
                           "importers=2;engine=vgem", "importers=2;engine=v4l2"};
    for (size_t i = 0; i < 5; i++) {
        char want[320];
        snprintf(want, sizeof(want), "%s%s", prefix, tails[i]);
        assert_string_equal(cases[i].id, want);
        /* The row leaves the idle axis's column empty, as it does an axis sync does not use. */
        assert_int_equal(cases[i].value[AXIS_ENGINE] == NULL, i == 0);
        assert_int_equal(!!(cases[i].axes & (1u << AXIS_ENGINE)), i != 0);
    }
    assert_non_null(strstr(cases[5].id, "strategy=full;"));
    assert_non_null(strstr(cases[5].id, ";importers=0"));
    assert_null(strstr(cases[5].id, "engine"));
    free(cases);
    /* Without importers at all, the engine list changes no case. */
    set_axis(job, AXIS_IMPORTERS, "0");
    assert_int_equal(sweep_expand(job, NULL, 0, &cases, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(cases[0].id, "sync:heap=system;size=1MiB;page-size=base;strategy=none;"
                                     "direction=write;region=1MiB;region-offset=0B;regions=1;"
                                     "lines=dirty;importers=0");
    free(cases);
    free(job);
}

/* alloc's threads axis is idle at one thread, wherever 1 sits in the list: one-thread cases keep
 * the ids they had before the axis, the others name their threads; alloc-pressure has no batch
 * and no threads (a fill decides how many buffers it holds, on one thread). */
static void test_alloc_threads_idle_at_one(void **state)
{
    (void)state;
    struct job *job = new_job_with("alloc", AXIS_HEAP, "host", AXIS_SIZE, "4K", AXIS_BATCH, "1,2",
                                   AXIS_THREADS, "2,1", AXIS_KERNEL, "alloc,alloc-pressure", -1);
    struct bench_case *cases;
    size_t n;
    assert_int_equal(sweep_expand(job, NULL, 0, &cases, &n), 0);
    const char *want[] = {
            "alloc:heap=host;size=4KiB;align=0B;page-size=base;threads=2;batch=1;kernel=alloc;"
            "node=any",
            "alloc:heap=host;size=4KiB;align=0B;page-size=base;kernel=alloc-pressure;node=any",
            "alloc:heap=host;size=4KiB;align=0B;page-size=base;threads=2;batch=2;kernel=alloc;"
            "node=any",
            "alloc:heap=host;size=4KiB;align=0B;page-size=base;batch=1;kernel=alloc;node=any",
            "alloc:heap=host;size=4KiB;align=0B;page-size=base;batch=2;kernel=alloc;node=any",
    };
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(cases[i].id, want[i]);
    assert_null(cases[3].value[AXIS_THREADS]);
    assert_null(cases[1].value[AXIS_BATCH]);
    assert_int_equal(cases[0].value[AXIS_THREADS]->number, 2);
    free(cases);
    free(job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_lists_are_canonical),
            cmocka_unit_test(test_page_sizes),
            cmocka_unit_test(test_ranges_double),
            cmocka_unit_test(test_bad_ranges),
            cmocka_unit_test(test_bad_values),
            cmocka_unit_test(test_heap_names_with_commas_are_quoted),
            cmocka_unit_test(test_duplicates_in_any_spelling),
            cmocka_unit_test(test_too_many_values),
            cmocka_unit_test(test_a_failed_parse_changes_nothing),
            cmocka_unit_test(test_cache_maintenance_axes),
            cmocka_unit_test(test_axis_keys),
            cmocka_unit_test(test_job_defaults),
            cmocka_unit_test(test_bench_axes),
            cmocka_unit_test(test_cartesian_product_order),
            cmocka_unit_test(test_heap_all_and_named_heaps),
            cmocka_unit_test(test_expand_refuses),
            cmocka_unit_test(test_case_ids),
            cmocka_unit_test(test_ids_are_stable),
            cmocka_unit_test(test_cpu_default_sizes),
            cmocka_unit_test(test_kernel_defaults_narrow_defaulted_axes),
            cmocka_unit_test(test_idle_axes_do_not_multiply),
            cmocka_unit_test(test_alloc_threads_idle_at_one),
    };
    return cmocka_run_group_tests_name("sweep", tests, NULL, NULL);
}
