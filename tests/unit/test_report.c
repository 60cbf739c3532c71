/* tests/unit/test_report.c - report.md from the fixed sample sets: sections, tables, advice.
 *
 * host/ (a real host-memory run) has no uncached heap, no sync and no coherency rows: the report
 * must say what is missing instead of guessing. board-b/ (synthetic) has them all, built so that
 * the answers are known: uncached wins write-once buffers below 64 KiB, a partial sync of 4 KiB
 * saves 50x, the cached heap leaves 37 stale lines. Run from the source tree's root.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "result_fixture.h"
#include "result_set.h"
#include "report.h"
#include "report_md.h"

#define SAMPLE "tests/data/plot-sample"

/* The report of these sets, without plots. */
static char *report_of(struct result_set *const *sets, size_t n)
{
    char *text = NULL, err[256] = "";
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    struct report_input in = {.sets = sets, .n_sets = n, .no_plots = "made with --no-plots"};
    int ret = report_write(f, &in, err, sizeof(err));
    fclose(f);
    if (ret)
        fail_msg("report_write: %d: %s", ret, err);
    return text;
}

static void expect_in(const char *text, const char *want)
{
    if (!strstr(text, want))
        fail_msg("the report lacks: %s", want);
}

static void expect_not_in(const char *text, const char *unwanted)
{
    if (strstr(text, unwanted))
        fail_msg("the report should not have: %s", unwanted);
}

static void test_num(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(report_num(412.3, b, sizeof(b)), "412");
    assert_string_equal(report_num(41.23, b, sizeof(b)), "41.2");
    assert_string_equal(report_num(4.123, b, sizeof(b)), "4.12");
    assert_string_equal(report_num(0.4123, b, sizeof(b)), "0.412");
    assert_string_equal(report_num(0, b, sizeof(b)), "0");
    assert_string_equal(report_num(NAN, b, sizeof(b)), "-");
    assert_string_equal(report_size(65536, b, sizeof(b)), "64KiB");
}

static void test_cells(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    report_cell(f, "a|b\nc");
    fputc('\n', f);
    report_table_head(f, "size|GB/s|rows");
    fclose(f);
    assert_string_equal(text, "a/b c\n| size | GB/s | rows |\n|---|---|---|\n");
    free(text);
}

static void test_host_only(void **state)
{
    (void)state;
    struct result_set *s = result_fixture_load(SAMPLE "/host");
    char *r = report_of(&s, 1);
    expect_in(r, "# dmabench report\n");
    expect_in(r, "| 1 | `" SAMPLE
                 "/host` | vm | Intel(R) Xeon(R) Processor | 6.18.44-fc-v1252 | 20261205T194554Z | "
                 "44 / 0 / 0 |");
    expect_in(r, "## Recommendations\n");
    /* No uncached heap, no sync: the write-once question is left open, with what would answer
     * it. */
    expect_in(r, "- **Write-once buffers** (uncached heap vs cached heap + sync): not computable "
                 "from this set.");
    expect_in(r, "(a) cpu write bandwidth on a heap of class uncached [missing], (b) the same on "
                 "a heap of class cached [present], and (c) the cost of syncing that many bytes "
                 "of the cached heap, from `dmabench run sync` [missing]");
    expect_not_in(r, "needs sync on this board");
    /* The allocation tail is in the data: p99 12.7x p50 at 4 MiB, batch 4. */
    expect_in(r, "`host` at 4MiB takes 0.949 µs at p50 but 12.1 µs at p99 (12.7×) "
                 "(`alloc:heap=host;size=4MiB;align=0B;page-size=base;batch=4;kernel=alloc;"
                 "node=any` (line 27))");
    expect_in(r, "## Set 1: vm (Intel(R) Xeon(R) Processor), Linux 6.18.44-fc-v1252, run "
                 "20261205T194554Z\n");
    expect_in(r, "No plots: made with --no-plots.");
    expect_in(r, "### Cached vs uncached CPU bandwidth\n\nNot in this set: its cpu bandwidth "
                 "rows are from cached (host) only.");
    expect_in(r, "### Sync cost per MiB\n\nNot in this set: it has no sync rows");
    expect_in(r, "### Allocation latency (p50, p90, p99)\n\nAll rows: heap host, kernel alloc.");
    expect_in(r, "| batch=1 | 4KiB | 1.13 | 8.28 | 14.2 | 12.5 | 6 | "
                 "`alloc:heap=host;size=4KiB;align=0B;page-size=base;batch=1;kernel=alloc;"
                 "node=any` (line 3) |");
    expect_in(r, "### Coherency verdicts\n\nNot in this set: it has no coherency probe rows");
    expect_not_in(r, "side by side");
    free(r);
    result_set_free(s);
}

static void test_board_b(void **state)
{
    (void)state;
    struct result_set *s = result_fixture_load(SAMPLE "/board-b");
    char *r = report_of(&s, 1);
    /* The crossover: uncached wins at 4 and 16 KiB, cached + partial sync from 64 KiB. */
    expect_in(r, "**below 64KiB, use `system-uncached`**: at 16KiB writing through it takes 8.19 "
                 "µs against 2.05 µs for writing `system` plus 9.64 µs for its cheapest sync; "
                 "from 64KiB, `system` + sync is faster (25.5 µs against 32.8 µs).");
    expect_in(r, "  | 4KiB | 2.05 | 0.512 | 8.41 | 8.92 | system-uncached | "
                 "`cpu:heap=system-uncached;size=4KiB;");
    expect_in(r, "  | 64KiB | 32.8 | 10.9 | 14.6 | 25.5 | system | ");
    expect_in(r, "- **Sync only what was touched**: a partial-user sync of 4KiB costs 8.41 µs "
                 "against 427 µs for a full sync of the same buffer (50.8× less)");
    expect_in(r, "- **`system` needs sync on this board**: without it the probe saw 37 stale "
                 "cache lines");
    expect_in(r, "- `system-uncached` showed no stale lines without sync");
    expect_in(r, "- **Do not read uncached buffers with the CPU** where it can be avoided: at "
                 "4KiB, `system-uncached` reads at 0.15 GB/s against 12.0 GB/s for `system` "
                 "(80.0× slower)");
    expect_in(r, "- **Pool depth for system**: 6 buffers in flight reach 95% of the best "
                 "throughput (127 frames/s at 8)");
    /* Tables: the ratio per case, sync per MiB from the benchmark's own metric, verdicts. */
    expect_in(r, "| write size=4KiB | system | 8.00 | system-uncached | 2.00 | 4.00 | "
                 "`cpu:heap=system;size=4KiB;");
    expect_not_in(r, "| host | "); /* process memory stands in only without a cached heap */
    expect_in(r, "| partial-user | 4KiB | 8.41 | 2153 | `sync:heap=system;size=4MiB;align=0B;"
                 "page-size=base;node=any;strategy=partial-user;direction=write;region=4KiB;"
                 "region-offset=0B;regions=1;lines=dirty;importers=1` (line 34), `sync:heap="
                 "system;size=4MiB;align=0B;page-size=base;node=any;strategy=partial-user;"
                 "direction=write;region=4KiB;region-offset=0B;regions=1;lines=dirty;"
                 "importers=1` (line 35) |");
    expect_in(r, "| full | 4KiB | 427 | 107 |");
    /* The strategy none is the floor: it is never the cheapest sync a buffer can have. */
    expect_in(r, "| none | 4KiB | 0.9 | 0.225 |");
    expect_not_in(r, "strategy=none;direction=write;region=4KiB;region-offset=0B;regions=1;"
                     "lines=dirty;importers=1` (line 36) |\n  |");
    expect_in(r,
              "| system | cached | none | - | 64KiB | stale_lines | 37 lines | **needs-sync** |");
    expect_in(
            r,
            "| system-uncached | uncached | none | - | 64KiB | stale_lines | 0 lines | coherent |");
    expect_in(r, "Core to core (c2c_latency, 12 pairs): from 49.0 ns (CPU 0 to 1, ");
    free(r);
    result_set_free(s);
}

/* A bounce lab's stale probes (swiotlb=force): the exporter's sync keeps system coherent where
 * user-space maintenance cannot, and udmabuf's own sync does not reach the device. The report
 * says what each means for a board, and what to use instead. */
static void test_bounce_verdicts(void **state)
{
    (void)state;
    static const struct {
        const char *heap, *strategy, *verdict, *max;
    } probes[] = {
            {"system", "none", "needs-sync", "64"},
            {"system", "full", "pass", "0"},
            {"system", "full-user:clflushopt", "fail", "64"},
            {"udmabuf", "none", "needs-sync", "64"},
            {"udmabuf", "full", "sync-ineffective", "48"},
            {"udmabuf", "full", "sync-ineffective", "64"},
    };
    const size_t n = sizeof(probes) / sizeof(probes[0]);
    char rows[8][512];
    const char *row[8];
    for (size_t i = 0; i < n; i++) {
        snprintf(rows[i], sizeof(rows[i]),
                 "schema_version=3|run_id=r|case_id=coherency:heap=%s;size=4KiB;kernel=stale;"
                 "strategy=%s;engine=edu;m=%zu|bench=coherency|job=cli|heap=%s|heap_class=cached|"
                 "size_bytes=4096|kernel=stale|strategy=%s|engine=edu|"
                 "metric=stale_lines_cpu_to_dev|unit=lines|better=lower|n=3|median=0|min=0|"
                 "max=%s|status=ok|verdict=%s",
                 probes[i].heap, probes[i].strategy, i, probes[i].heap, probes[i].strategy,
                 probes[i].max, probes[i].verdict);
        row[i] = rows[i];
    }
    const char *dir = result_fixture_plant_rows(row, n);
    struct result_set *s = result_fixture_load(dir);
    char *r = report_of(&s, 1);
    expect_in(r, "| udmabuf | cached | full | edu | 4KiB | stale_lines_cpu_to_dev | 64 lines | "
                 "**sync-ineffective** |");
    expect_in(r, "| system | cached | full-user:clflushopt | edu | 4KiB | stale_lines_cpu_to_dev | "
                 "64 lines | **fail** |");
    expect_in(r, "**sync-ineffective**: stale lines remained after the exporter's own sync");
    expect_in(r, "**fail** (user-space strategies): stale lines remained after maintaining the "
                 "CPU's caches from user space. That maintenance does not move bounce buffers");
    /* The worst row of each, and the row where the exporter's sync passed. */
    expect_in(r, "- **`udmabuf`'s own sync does not reach a device's mapping**: after "
                 "`DMA_BUF_IOCTL_SYNC` (full) the probe still saw 64 stale cache lines. A device "
                 "behind bounce buffers (a 32-bit DMA device on a 64-bit board, or any device "
                 "under `swiotlb=force`) cannot rely on this heap's sync: give it buffers from a "
                 "heap whose sync passed, as `system` (`coherency:heap=udmabuf;size=4KiB;"
                 "kernel=stale;strategy=full;engine=edu;m=5` (line 7), `coherency:heap=system;");
    expect_in(r, "- **User-space cache maintenance does not keep `system` coherent**: after "
                 "`full-user:clflushopt` the probe still saw 64 stale cache lines.");
    expect_in(r, "through the DMA API, which does, and passed here (");
    expect_not_in(r, "User-space cache maintenance does not keep `udmabuf`");
    free(r);
    result_set_free(s);
    result_fixture_unplant(dir);
}

/* How many times want is in text. */
static size_t count_in(const char *text, const char *want)
{
    size_t n = 0;
    for (const char *p = strstr(text, want); p; p = strstr(p + 1, want))
        n++;
    return n;
}

/* Probes without sync at two sizes, each with two metrics (CPU to device and back), through a
 * device and the CPU engine: one recommendation per heap, citing its worst probe, never one per
 * row. */
static void test_one_coherency_advice_per_heap(void **state)
{
    (void)state;
    static const struct {
        const char *heap, *size, *engine, *metric, *max;
    } probes[] = {
            {"system", "4KiB", "edu", "stale_lines_cpu_to_dev", "64"},
            {"system", "4KiB", "edu", "stale_lines_dev_to_cpu", "60"},
            {"system", "64KiB", "edu", "stale_lines_cpu_to_dev", "1024"},
            {"system", "64KiB", "edu", "stale_lines_dev_to_cpu", "1000"},
            {"udmabuf", "4KiB", "edu", "stale_lines_cpu_to_dev", "0"},
            {"udmabuf", "64KiB", "edu", "stale_lines_dev_to_cpu", "0"},
            {"udmabuf", "4KiB", "cpu", "stale_lines_cpu_to_dev", "0"},
            {"host", "4KiB", "cpu", "stale_lines_cpu_to_dev", "0"},
            {"host", "64KiB", "cpu", "stale_lines_dev_to_cpu", "0"},
    };
    const size_t n = sizeof(probes) / sizeof(probes[0]);
    char rows[16][512];
    const char *row[16];
    for (size_t i = 0; i < n; i++) {
        snprintf(rows[i], sizeof(rows[i]),
                 "schema_version=3|run_id=r|case_id=coherency:heap=%s;size=%s;kernel=stale;"
                 "strategy=none;engine=%s|bench=coherency|job=cli|heap=%s|heap_class=cached|"
                 "size_bytes=4096|kernel=stale|strategy=none|engine=%s|"
                 "metric=%s|unit=lines|better=lower|n=3|median=0|min=0|"
                 "max=%s|status=ok|verdict=%s",
                 probes[i].heap, probes[i].size, probes[i].engine, probes[i].heap, probes[i].engine,
                 probes[i].metric, probes[i].max,
                 strcmp(probes[i].max, "0") ? "needs-sync" : "coherent");
        row[i] = rows[i];
    }
    const char *dir = result_fixture_plant_rows(row, n);
    struct result_set *s = result_fixture_load(dir);
    char *r = report_of(&s, 1);
    assert_int_equal(count_in(r, "needs sync on this board"), 1);
    expect_in(r, "- **`system` needs sync on this board**: without it the probe saw 1024 stale "
                 "cache lines (`coherency:heap=system;size=64KiB;kernel=stale;strategy=none;"
                 "engine=edu` (line 4)).");
    /* udmabuf passed through a device: that is what counts, once; host only through the CPU. */
    assert_int_equal(count_in(r, "- `udmabuf` showed no stale lines"), 1);
    expect_in(r, "- `udmabuf` showed no stale lines without sync in this probe");
    assert_int_equal(count_in(r, "- `host` showed no stale lines"), 1);
    expect_in(r, "- `host` showed no stale lines without sync through the CPU engine");
    free(r);
    result_set_free(s);
    result_fixture_unplant(dir);
}

static void test_two_sets(void **state)
{
    (void)state;
    struct result_set *sets[2] = {result_fixture_load(SAMPLE "/host"),
                                  result_fixture_load(SAMPLE "/board-b")};
    char *r = report_of(sets, 2);
    expect_in(r, "from 2 result sets");
    expect_in(r, "### Set 1: vm (Intel(R) Xeon(R) Processor)");
    expect_in(r, "### Set 2: Synthetic Arm board B (Cortex-A55 (synthetic)), Linux "
                 "6.6.0-synthetic, run 20261120T090000Z");
    expect_in(r, "## The sets side by side\n");
    expect_in(r, "24 cases were measured in every set; the largest size of each is shown.");
    expect_in(r, "| read bandwidth size=64MiB | 14.5 GB/s | 5.07 GB/s | 0.35 | "
                 "`cpu:heap=host;size=64MiB;align=0B;page-size=base;threads=1;kernel=read;"
                 "node=any` (line 39) |");
    expect_in(r, "| chase latency size=64MiB | 115 ns | 184 ns | 0.625 |");
    free(r);
    result_set_free(sets[0]);
    result_set_free(sets[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_num),
            cmocka_unit_test(test_cells),
            cmocka_unit_test(test_host_only),
            cmocka_unit_test(test_board_b),
            cmocka_unit_test(test_two_sets),
            cmocka_unit_test(test_bounce_verdicts),
            cmocka_unit_test(test_one_coherency_advice_per_heap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
