/* tests/unit/test_compare.c - the Mann-Whitney test against R, and compare on result sets whose
 * answer is known (tests/data/compare, see make-sets.py there): a 10% slowdown in 1% noise is a
 * regression, 10% inside 20% noise is not, improvements never are, one-sided cases are kept,
 * boards give differences; the geometric means; samples.csv errors name the file and line.
 * Run from the repository root (make unit does), where tests/data is.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "compare.h"
#include "compare_format.h"
#include "compare_samples.h"
#include "export_lava.h"
#include "mann_whitney.h"
#include "result_fixture.h"
#include "result_set.h"

#define DATA "tests/data/compare/"

static void assert_close(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want)))
        fail_msg("got %.15g, want %.15g (relative tolerance %g)", got, want, rel);
}

/* --- Mann-Whitney U against R 4.2.2 (Debian r-base-core), wilcox.test(x, y) with its defaults
 * (two-sided, exact when both samples are below 50 and nothing is tied, else the normal
 * approximation with continuity correction), printed with options(digits = 15). ------------ */

static void test_mw_exact_small(void **state)
{
    (void)state;
    /* x <- c(12.1, 10.4, 11.7, 13.0, 9.8, 12.6); y <- c(14.2, 13.5, 15.1, 12.9, 16.0, 14.8, 13.9)
     * wilcox.test(x, y): W = 1, p-value = 0.00233100233100233 (= 2 * 2 / choose(13, 6)). */
    const double x[] = {12.1, 10.4, 11.7, 13.0, 9.8, 12.6};
    const double y[] = {14.2, 13.5, 15.1, 12.9, 16.0, 14.8, 13.9};
    struct mw_result r;
    assert_int_equal(mann_whitney(x, 6, y, 7, &r), 0);
    assert_int_equal(r.method, MW_EXACT);
    assert_false(r.ties);
    assert_close(r.u, 1, 0);
    assert_close(r.p, 0.00233100233100233, 1e-12);
    /* The other way round: W = 6 * 7 - 1 = 41, the same p. */
    assert_int_equal(mann_whitney(y, 7, x, 6, &r), 0);
    assert_close(r.u, 41, 0);
    assert_close(r.p, 0.00233100233100233, 1e-12);

    /* wilcox.test(1:5, 6:10): p = 0.00793650793650794 = 2 / choose(10, 5), the smallest p that 5
     * and 5 samples can give. */
    const double a[] = {1, 2, 3, 4, 5}, b[] = {6, 7, 8, 9, 10};
    assert_int_equal(mann_whitney(a, 5, b, 5, &r), 0);
    assert_close(r.p, 0.00793650793650794, 1e-12);
    assert_close(mann_whitney_min_p(5, 5), 0.00793650793650794, 1e-9);
    /* Three a side can never reach 0.05: 2 / choose(6, 3) = 0.1. */
    assert_close(mann_whitney_min_p(3, 3), 0.1, 1e-9);
}

static void test_mw_exact_cdf(void **state)
{
    (void)state;
    /* pwilcox(7, 6, 7) = 0.0256410256410256, pwilcox(20, 6, 7) = 0.472610722610723. */
    assert_close(mann_whitney_exact_cdf(7, 6, 7), 0.0256410256410256, 1e-12);
    assert_close(mann_whitney_exact_cdf(20, 6, 7), 0.472610722610723, 1e-12);
    assert_close(mann_whitney_exact_cdf(42, 6, 7), 1, 1e-15);
    assert_close(mann_whitney_exact_cdf(-1, 6, 7), 0, 0);
    assert_true(isnan(mann_whitney_exact_cdf(1, 0, 7)));
}

static void test_mw_ties_normal(void **state)
{
    (void)state;
    /* R's own example data (?wilcox.test, depression scores): with the tie at 1.29 / 1.06 R
     * warns "cannot compute exact p-value with ties" and uses the normal approximation:
     * W = 58, p-value = 0.132919458185319. */
    const double x[] = {1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30};
    const double y[] = {0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29};
    struct mw_result r;
    assert_int_equal(mann_whitney(x, 9, y, 9, &r), 0);
    assert_true(r.ties);
    assert_int_equal(r.method, MW_NORMAL);
    assert_close(r.u, 58, 0);
    assert_close(r.p, 0.132919458185319, 1e-12);
}

static void test_mw_large_normal(void **state)
{
    (void)state;
    /* a <- (0:59) * 1.5 + 0.25; b <- (0:59) * 1.5 + 10: 60 a side, no ties, so normal without
     * tie correction: W = 1431, p-value = 0.0530979572855834. */
    double a[60], b[60];
    for (int i = 0; i < 60; i++) {
        a[i] = i * 1.5 + 0.25;
        b[i] = i * 1.5 + 10;
    }
    struct mw_result r;
    assert_int_equal(mann_whitney(a, 60, b, 60, &r), 0);
    assert_int_equal(r.method, MW_NORMAL);
    assert_false(r.ties);
    assert_close(r.u, 1431, 0);
    assert_close(r.p, 0.0530979572855834, 1e-12);
}

static void test_mw_degenerate(void **state)
{
    (void)state;
    struct mw_result r;
    const double same[] = {3, 3, 3}, bad[] = {1, NAN};
    /* R gives NaN for all-equal samples; nothing tells them apart, so p = 1. */
    assert_int_equal(mann_whitney(same, 3, same, 3, &r), 0);
    assert_close(r.p, 1, 0);
    assert_int_equal(mann_whitney(same, 0, same, 3, &r), -EINVAL);
    assert_int_equal(mann_whitney(bad, 2, same, 3, &r), -EINVAL);
}

/* --- compare on the shipped sets -------------------------------------------------------------- */

struct loaded {
    struct compare_input in[3];
    size_t n;
    struct compare_report *r;
};

static void load(struct loaded *l, const char *const *names, size_t n, bool expect_ok)
{
    char err[512];
    memset(l, 0, sizeof(*l));
    l->n = n;
    for (size_t i = 0; i < n; i++) {
        char path[256];
        snprintf(path, sizeof(path), DATA "%s", names[i]);
        if (result_set_load(&l->in[i].set, path, err, sizeof(err)))
            fail_msg("%s", err);
        if (sample_index_load(&l->in[i].samples, l->in[i].set->dir, err, sizeof(err)))
            fail_msg("%s", err);
    }
    struct compare_opts o = {.alpha = COMPARE_ALPHA_DEFAULT,
                             .threshold = COMPARE_THRESHOLD_DEFAULT,
                             .min_samples = COMPARE_MIN_SAMPLES_DEFAULT};
    int ret = compare_build(l->in, n, &o, &l->r, err, sizeof(err));
    if (expect_ok && ret)
        fail_msg("%s", err);
}

static void unload(struct loaded *l)
{
    compare_report_free(l->r);
    for (size_t i = 0; i < l->n; i++) {
        result_set_free(l->in[i].set);
        sample_index_free(l->in[i].samples);
    }
}

static const struct compare_case *find_case(const struct compare_report *r, const char *size,
                                            const char *kernel, const char *metric)
{
    for (size_t i = 0; i < r->n_cases; i++) {
        const struct compare_case *c = &r->cases[i];
        char want[64];
        snprintf(want, sizeof(want), "size=%s;", size);
        if (strstr(c->case_id, want) && strstr(c->case_id, kernel) && !strcmp(c->metric, metric))
            return c;
    }
    fail_msg("no case %s %s %s", size, kernel, metric);
    return NULL;
}

#define BW(size)  find_case(l.r, size, "kernel=read:c;", "bandwidth")
#define LAT(size) find_case(l.r, size, "kernel=alloc;", "alloc_latency")

static void test_slowdown_in_low_noise_is_a_regression(void **state)
{
    (void)state;
    struct loaded l;
    load(&l, (const char *[]){"base", "slower"}, 2, true);
    const struct compare_cell *cell = &BW("4KiB")->cell[0];
    assert_int_equal(cell->verdict, VERDICT_REGRESSION);
    assert_close(cell->ratio, 0.9, 1e-9);
    /* Every slow sample below every base sample: p = 2 / choose(24, 12). */
    assert_close(cell->test.p, 2.0 / 2704156, 1e-9);
    assert_false(cell->few_samples);
    assert_false(l.r->boards);
    assert_true(compare_failed(l.r));
    assert_string_equal(l.r->labels[0], "base");
    assert_string_equal(l.r->labels[1], "new");
    /* Latency and the other bandwidth moved within the threshold. */
    assert_int_equal(LAT("4KiB")->cell[0].verdict, VERDICT_SAME);
    assert_int_equal(BW("1MiB")->cell[0].verdict, VERDICT_SAME);
    unload(&l);
}

static void test_change_inside_noise_is_not_flagged(void **state)
{
    (void)state;
    struct loaded l;
    load(&l, (const char *[]){"base", "noisy"}, 2, true);
    const struct compare_cell *cell = &BW("1MiB")->cell[0];
    /* -10% on the median, but with +-20% noise 12 samples a side do not show it: R's
     * wilcox.test on the same samples gives p = 0.05965706. */
    assert_close(cell->ratio, 0.9, 1e-9);
    assert_close(cell->test.p, 0.05965706, 1e-6);
    assert_int_equal(cell->verdict, VERDICT_NOT_SIGNIFICANT);
    assert_false(compare_failed(l.r));
    unload(&l);
}

static void test_improvement_is_never_a_regression(void **state)
{
    (void)state;
    struct loaded l;
    load(&l, (const char *[]){"base", "faster"}, 2, true);
    /* More bandwidth (higher is better) and less latency (lower is better). */
    assert_int_equal(BW("4KiB")->cell[0].verdict, VERDICT_IMPROVEMENT);
    assert_int_equal(LAT("4KiB")->cell[0].verdict, VERDICT_IMPROVEMENT);
    assert_close(LAT("4KiB")->cell[0].ratio, 0.9, 1e-9);
    assert_int_equal(l.r->count[VERDICT_REGRESSION], 0);
    assert_false(compare_failed(l.r));
    unload(&l);
}

static void test_one_side_only_cases_are_listed(void **state)
{
    (void)state;
    struct loaded l;
    load(&l, (const char *[]){"base", "slower"}, 2, true);
    /* base has 64KiB, slower has copy:c instead; both are there, base's order first. */
    assert_int_equal(l.r->n_cases, 7);
    assert_int_equal(BW("64KiB")->cell[0].verdict, VERDICT_BASE_ONLY);
    const struct compare_case *copy = find_case(l.r, "4KiB", "kernel=copy:c;", "bandwidth");
    assert_int_equal(copy->cell[0].verdict, VERDICT_NEW_ONLY);
    assert_ptr_equal(copy, &l.r->cases[6]);
    assert_null(copy->side[0].row);
    assert_int_equal(find_case(l.r, "4KiB", "read:avx512", "bandwidth")->cell[0].verdict,
                     VERDICT_SKIPPED);
    assert_int_equal(l.r->count[VERDICT_BASE_ONLY], 1);
    assert_int_equal(l.r->count[VERDICT_NEW_ONLY], 1);
    unload(&l);
}

static void test_error_in_new_fails(void **state)
{
    (void)state;
    struct loaded l;
    load(&l, (const char *[]){"base", "failing"}, 2, true);
    assert_int_equal(LAT("1MiB")->cell[0].verdict, VERDICT_FAILING);
    assert_true(compare_failed(l.r));
    unload(&l);
    /* The other way round the case got fixed: an error, not a failure. */
    load(&l, (const char *[]){"failing", "base"}, 2, true);
    assert_int_equal(LAT("1MiB")->cell[0].verdict, VERDICT_ERROR);
    assert_false(compare_failed(l.r));
    unload(&l);
}

/* A set of stale-probe rows, one per verdict, as `dmabench run coherency` writes them (a
 * verdict needs no samples to fail a case). */
static const char *plant_verdicts(const char *const *verdicts, size_t n)
{
    char rows[8][512];
    const char *row[8];
    assert_true(n <= 8);
    for (size_t i = 0; i < n; i++) {
        snprintf(rows[i], sizeof(rows[i]),
                 "schema_version=3|run_id=r|case_id=coherency:heap=udmabuf;size=4KiB;"
                 "kernel=stale;strategy=s%zu|bench=coherency|job=cli|heap=udmabuf|kernel=stale|"
                 "metric=stale_lines_cpu_to_dev|unit=lines|better=lower|n=3|median=0|min=0|"
                 "max=64|status=ok|verdict=%s",
                 i, verdicts[i]);
        row[i] = rows[i];
    }
    return result_fixture_plant_rows(row, n);
}

/* Load the two sets in dirs into in and compare them with the default options. */
static struct compare_report *compare_dirs(char dirs[2][64], struct compare_input in[2])
{
    char err[512];
    for (int i = 0; i < 2; i++) {
        if (result_set_load(&in[i].set, dirs[i], err, sizeof(err)) ||
            sample_index_load(&in[i].samples, dirs[i], err, sizeof(err)))
            fail_msg("%s", err);
    }
    struct compare_opts o = {.alpha = COMPARE_ALPHA_DEFAULT,
                             .threshold = COMPARE_THRESHOLD_DEFAULT,
                             .min_samples = COMPARE_MIN_SAMPLES_DEFAULT};
    struct compare_report *r;
    if (compare_build(in, 2, &o, &r, err, sizeof(err)))
        fail_msg("%s", err);
    return r;
}

static void free_dirs(char dirs[2][64], struct compare_input in[2])
{
    for (int i = 0; i < 2; i++) {
        result_set_free(in[i].set);
        sample_index_free(in[i].samples);
        result_fixture_unplant(dirs[i]);
    }
}

/* A check that held in BASE and says fail or sync-ineffective in NEW is failing, whichever of
 * the two; one that failed in BASE, as either (an older dmabench said fail where the
 * exporter's sync left stale lines, now sync-ineffective), is not newly failing; needs-sync
 * describes a heap and fails nothing. */
static void test_failing_verdicts(void **state)
{
    (void)state;
    static const char *const base[] = {"pass", "pass", "fail", "sync-ineffective", "coherent"};
    static const char *const next[] = {"fail", "sync-ineffective", "sync-ineffective", "fail",
                                       "needs-sync"};
    static const enum compare_verdict want[] = {VERDICT_FAILING, VERDICT_FAILING, VERDICT_UNTESTED,
                                                VERDICT_UNTESTED, VERDICT_UNTESTED};
    const size_t n = sizeof(base) / sizeof(base[0]);
    char dirs[2][64];
    snprintf(dirs[0], sizeof(dirs[0]), "%s", plant_verdicts(base, n));
    snprintf(dirs[1], sizeof(dirs[1]), "%s", plant_verdicts(next, n));
    struct compare_input in[2];
    struct compare_report *r = compare_dirs(dirs, in);
    assert_int_equal(r->n_cases, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(r->cases[i].cell[0].verdict, want[i]);
    assert_true(compare_failed(r));
    /* The message names the verdict NEW gave. */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(compare_write(r, COMPARE_FORMAT_JUNIT, f, NULL), 0);
    fclose(f);
    assert_non_null(strstr(text, "failing: the verdict is sync-ineffective in new"));
    assert_non_null(strstr(text, "failing: the verdict is fail in new"));
    free(text);
    compare_report_free(r);
    free_dirs(dirs, in);
}

/* A failing check in a run whose metadata shows it disturbed (load 3.5 on the 2 CPUs it used)
 * is inconclusive, not failing, and the comparison does not fail; the cell keeps what the
 * samples said, and the reason names the run. */
static void test_disturbed_run_is_inconclusive(void **state)
{
    (void)state;
    static const char *const base[] = {"pass", "pass"}, *const next[] = {"fail", "pass"};
    char dirs[2][64], path[96];
    snprintf(dirs[0], sizeof(dirs[0]), "%s", plant_verdicts(base, 2));
    snprintf(dirs[1], sizeof(dirs[1]), "%s", plant_verdicts(next, 2));
    snprintf(path, sizeof(path), "%s/metadata.csv", dirs[1]);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("schema_version,key,value\n3,cpus_used,2\n3,after_loadavg_1,3.50\n", f);
    assert_int_equal(fclose(f), 0);
    struct compare_input in[2];
    struct compare_report *r = compare_dirs(dirs, in);
    assert_false(r->disturbed[0]);
    assert_true(r->disturbed[1]);
    assert_string_equal(r->noise[1], "load 3.50 on 2 CPUs");
    assert_int_equal(r->cases[0].cell[0].verdict, VERDICT_INCONCLUSIVE);
    assert_int_equal(r->cases[0].cell[0].judged, VERDICT_FAILING);
    assert_int_equal(r->cases[1].cell[0].verdict, VERDICT_UNTESTED);
    assert_int_equal(r->count[VERDICT_FAILING], 0);
    assert_int_equal(compare_inconclusive(r, 1), 1);
    assert_false(compare_failed(r));
    char why[256];
    compare_noise_reason(r, 1, why, sizeof(why));
    assert_string_equal(why, "new: load 3.50 on 2 CPUs");
    compare_report_free(r);
    free_dirs(dirs, in);
    /* Quiet (no metadata), the same sets fail. */
    snprintf(dirs[0], sizeof(dirs[0]), "%s", plant_verdicts(base, 2));
    snprintf(dirs[1], sizeof(dirs[1]), "%s", plant_verdicts(next, 2));
    r = compare_dirs(dirs, in);
    assert_int_equal(r->cases[0].cell[0].verdict, VERDICT_FAILING);
    assert_true(compare_failed(r));
    compare_report_free(r);
    free_dirs(dirs, in);
}

static void test_boards_give_differences(void **state)
{
    (void)state;
    struct loaded l;
    load(&l, (const char *[]){"base", "boardb"}, 2, true);
    assert_true(l.r->boards);
    assert_string_equal(l.r->labels[0], "Test Board A");
    assert_string_equal(l.r->labels[1], "Test Board B");
    assert_int_equal(BW("4KiB")->cell[0].verdict, VERDICT_WORSE);
    assert_int_equal(l.r->count[VERDICT_REGRESSION], 0);
    assert_false(compare_failed(l.r));
    unload(&l);
}

/* A third set from another board: base vs slower is still a regression (run vs run), base vs
 * boardb a difference. The verdict is decided per pair, not for the whole comparison. */
static void test_boards_decided_per_pair(void **state)
{
    (void)state;
    struct loaded l;
    load(&l, (const char *[]){"base", "slower", "boardb"}, 3, true);
    assert_true(l.r->boards);
    assert_false(l.r->other_board[1]);
    assert_true(l.r->other_board[2]);
    assert_int_equal(BW("4KiB")->cell[0].verdict, VERDICT_REGRESSION);
    assert_int_equal(BW("4KiB")->cell[1].verdict, VERDICT_WORSE);
    assert_true(compare_failed(l.r));
    assert_string_equal(l.r->labels[1], "Test Board A (2)");
    unload(&l);
    /* The other board first: nothing changes for the pair of one board. */
    load(&l, (const char *[]){"base", "boardb", "slower"}, 3, true);
    assert_int_equal(BW("4KiB")->cell[0].verdict, VERDICT_WORSE);
    assert_int_equal(BW("4KiB")->cell[1].verdict, VERDICT_REGRESSION);
    assert_true(compare_failed(l.r));
    unload(&l);
}

static void test_several_new_sets(void **state)
{
    (void)state;
    struct loaded l;
    load(&l, (const char *[]){"base", "slower", "faster"}, 3, true);
    assert_string_equal(l.r->labels[1], "new1");
    assert_string_equal(l.r->labels[2], "new2");
    assert_int_equal(BW("4KiB")->cell[0].verdict, VERDICT_REGRESSION);
    assert_int_equal(BW("4KiB")->cell[1].verdict, VERDICT_IMPROVEMENT);
    unload(&l);
}

/* A run in schema version 1 (before the sync columns and verdict) against the same run in
 * version 2: the readers take both, and nothing differs. */
static void test_schema_1_compares_with_2(void **state)
{
    (void)state;
    struct loaded l;
    load(&l, (const char *[]){"v1-base", "base"}, 2, true);
    assert_int_equal(l.r->n_cases, 6);
    assert_int_equal(l.r->count[VERDICT_SAME], 5);
    assert_int_equal(l.r->count[VERDICT_SKIPPED], 1);
    assert_false(compare_failed(l.r));
    const struct compare_cell *cell = &BW("4KiB")->cell[0];
    assert_close(cell->ratio, 1, 0);
    assert_false(cell->few_samples);
    unload(&l);
}

static void test_few_samples_are_flagged(void **state)
{
    (void)state;
    struct loaded l;
    load(&l, (const char *[]){"base", "few"}, 2, true);
    const struct compare_cell *cell = &BW("4KiB")->cell[0];
    assert_true(cell->few_samples);
    assert_int_equal(l.r->few_samples, 1);
    /* 12 vs 4, all below: exact p = 2 / choose(16, 4) = 0.001098901. */
    assert_close(cell->test.p, 2.0 / 1820, 1e-9);
    unload(&l);
}

static void test_geometric_means(void **state)
{
    (void)state;
    const double x[] = {2, 8}, y[] = {1e300, 1e300, 1e-300}, z[] = {1, 0};
    assert_close(compare_geomean(x, 2), 4, 1e-15);
    assert_close(compare_geomean(y, 3), 1e100, 1e-12); /* no overflow: a sum of logs */
    assert_true(isnan(compare_geomean(z, 2)));
    assert_true(isnan(compare_geomean(x, 0)));

    /* faster vs base, cpu/system/bandwidth: 4KiB x1.1, 1MiB and 64KiB moved half a step
     * (x(1 + 0.2/12) and x(1 + 0.01/12)); counters and the skipped case left out. */
    struct loaded l;
    load(&l, (const char *[]){"base", "faster"}, 2, true);
    const struct compare_group *bw = NULL;
    for (size_t g = 0; g < l.r->n_groups; g++)
        if (!strcmp(l.r->groups[g].bench, "cpu"))
            bw = &l.r->groups[g];
    assert_non_null(bw);
    assert_int_equal(bw->cases, 3);
    assert_close(bw->geomean, cbrt(1.1 * (1 + 0.2 / 12) * (1 + 0.01 / 12)), 1e-8);
    assert_int_equal(bw->better, 1);
    assert_int_equal(bw->worse, 0);
    unload(&l);
}

/* --- inputs that are wrong ----------------------------------------------------------------------
 */

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void test_samples_errors_name_file_and_line(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/dmabench-compare-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    static const struct {
        const char *text, *want;
        int ret;
    } cases[] = {
            {"case_id,metric,value\na,m,1\na,m,x\n", "samples.csv:3: value 'x' is not a finite",
             -EBADMSG},
            {"case_id,metric,value\na,m,1\n\"a,m,2\n", "samples.csv:3: truncated", 0},
            {"case_id,metric,value\na,m\"x\",1\n", "samples.csv:2: malformed quoting", -EBADMSG},
            {"case_id,value\na,1\n", "samples.csv:1: no 'metric' column", -EBADMSG},
            {"case_id,metric,value\na,m,1,2\n", "samples.csv:2: 4 fields, the header has 3",
             -EBADMSG},
            {"", "samples.csv:1: empty file", -EBADMSG},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        write_file("samples.csv", cases[i].text);
        struct sample_index *idx;
        char err[512];
        int ret = sample_index_load(&idx, tmpdir, err, sizeof(err));
        assert_int_equal(ret, cases[i].ret);
        if (ret == 0) {
            /* A cut last row is a killed run: the rows before it count. */
            assert_int_equal(idx->truncated_line, 3);
            assert_int_equal(sample_index_find(idx, "a", "m")->n, 1);
            sample_index_free(idx);
        } else if (!strstr(err, cases[i].want)) {
            fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].want);
        }
    }
    /* Series split and repeated (files concatenated) come back as one. */
    write_file("samples.csv", "case_id,metric,value\nb,m,1\na,m,2\nb,m,3\nb,n,4\n");
    struct sample_index *idx;
    char err[512];
    assert_int_equal(sample_index_load(&idx, tmpdir, err, sizeof(err)), 0);
    assert_int_equal(idx->n, 3);
    const struct sample_series *b = sample_index_find(idx, "b", "m");
    assert_non_null(b);
    assert_int_equal(b->n, 2);
    assert_close(b->values[0] + b->values[1], 4, 0);
    assert_null(sample_index_find(idx, "c", "m"));
    sample_index_free(idx);
    unlink(strcat(strcpy(err, tmpdir), "/samples.csv"));
    assert_int_equal(sample_index_load(&idx, tmpdir, err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, "samples.csv: No such file"));
    rmdir(tmpdir);
}

/* Counter rows, in events or in ns per unit of work, are counters to compare and to the plots
 * and reports (result_row_measured): shown case by case, left out of the geometric means. A
 * benchmark's own ns/MiB is a measurement. */
static void write_counter_set(const char *name, double bandwidth, double clock)
{
    char dir[128], path[160];
    snprintf(dir, sizeof(dir), "%s/%s", tmpdir, name);
    assert_int_equal(mkdir(dir, 0755), 0);
    static const char *const rows[][4] = {
            /* case, bench, metric, unit */
            {"c1", "cpu", "bandwidth", "bytes/s"},
            {"c1", "cpu", "perf::task-clock", "ns/byte"},
            {"c1", "cpu", "perf::page-faults", "events/byte"},
            {"c2", "alloc", "alloc_time_per_mib", "ns/MiB"},
    };
    double medians[] = {bandwidth, clock, clock, 10};
    snprintf(path, sizeof(path), "%s/results.csv", dir);
    FILE *results = fopen(path, "w");
    snprintf(path, sizeof(path), "%s/samples.csv", dir);
    FILE *samples = fopen(path, "w");
    assert_non_null(results);
    assert_non_null(samples);
    fprintf(results, "case_id,bench,heap,metric,unit,better,median,status\n");
    fprintf(samples, "case_id,metric,value\n");
    for (size_t i = 0; i < 4; i++) {
        fprintf(results, "%s,%s,h,%s,%s,%s,%g,ok\n", rows[i][0], rows[i][1], rows[i][2], rows[i][3],
                i ? "lower" : "higher", medians[i]);
        for (int k = 0; k < 12; k++)
            fprintf(samples, "%s,%s,%g\n", rows[i][0], rows[i][2], medians[i] * (1 + k * 1e-4));
    }
    assert_int_equal(fclose(results), 0);
    assert_int_equal(fclose(samples), 0);
}

static void test_counter_units_are_counters(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/dmabench-compare-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    write_counter_set("base", 100, 1);
    write_counter_set("new", 110, 4); /* the counters quadrupled: no summary may show it */
    struct loaded l;
    char err[512], path[160];
    memset(&l, 0, sizeof(l));
    l.n = 2;
    static const char *const names[] = {"base", "new"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
        assert_int_equal(result_set_load(&l.in[i].set, path, err, sizeof(err)), 0);
        assert_int_equal(sample_index_load(&l.in[i].samples, path, err, sizeof(err)), 0);
    }
    for (size_t i = 0; i < l.in[0].set->n_rows; i++) {
        const struct result_row *r = &l.in[0].set->rows[i];
        const char *unit = result_text(r, l.in[0].set->c.unit);
        bool counter = strchr(result_text(r, l.in[0].set->c.metric), ':') != NULL;
        if (result_row_measured(l.in[0].set, r) == counter)
            fail_msg("a row in %s is %s by result_row_measured", unit,
                     counter ? "a measurement" : "not a measurement");
    }
    struct compare_opts o = {.alpha = COMPARE_ALPHA_DEFAULT,
                             .threshold = COMPARE_THRESHOLD_DEFAULT,
                             .min_samples = COMPARE_MIN_SAMPLES_DEFAULT};
    assert_int_equal(compare_build(l.in, 2, &o, &l.r, err, sizeof(err)), 0);
    assert_int_equal(l.r->n_cases, 4);
    for (size_t i = 0; i < l.r->n_cases; i++) {
        const struct compare_case *c = &l.r->cases[i];
        if (c->counter != (strncmp(c->metric, "perf::", 6) == 0))
            fail_msg("%s (%s): counter %d", c->metric, c->unit, c->counter);
    }
    size_t groups = 0;
    for (size_t g = 0; g < l.r->n_groups; g++) {
        const struct compare_group *grp = &l.r->groups[g];
        if (!strncmp(grp->metric, "perf::", 6))
            fail_msg("a summary of counter %s", grp->metric);
        if (!strcmp(grp->metric, "bandwidth"))
            assert_close(grp->geomean, 1.1, 1e-9);
        groups++;
    }
    assert_int_equal(groups, 2); /* bandwidth, alloc_time_per_mib */
    /* The counters quadrupled (lower is better) and the samples tell it plainly, yet a counter
     * explains a change rather than measures one: a difference, never a regression, and not
     * what the exit status counts. */
    for (size_t i = 0; i < l.r->n_cases; i++) {
        const struct compare_case *c = &l.r->cases[i];
        if (c->counter)
            assert_int_equal(c->cell[0].verdict, VERDICT_WORSE);
    }
    assert_int_equal(l.r->count[VERDICT_REGRESSION], 0);
    assert_int_equal(l.r->count[VERDICT_WORSE], 2);
    assert_false(compare_failed(l.r));
    unload(&l);
    assert_int_equal(system((snprintf(path, sizeof(path), "rm -rf '%s'", tmpdir), path)), 0);
}

static void test_duplicate_case_is_an_error(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/dmabench-compare-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    write_file("results.csv", "case_id,bench,heap,metric,unit,better,median,status\n"
                              "c1,cpu,h,bandwidth,bytes/s,higher,1,ok\n"
                              "c2,cpu,h,bandwidth,bytes/s,higher,1,ok\n"
                              "c1,cpu,h,bandwidth,bytes/s,higher,2,ok\n");
    write_file("samples.csv", "case_id,metric,value\n");
    struct loaded l;
    char path[128];
    snprintf(path, sizeof(path), "%s", tmpdir);
    char err[512];
    memset(&l, 0, sizeof(l));
    assert_int_equal(result_set_load(&l.in[0].set, path, err, sizeof(err)), 0);
    assert_int_equal(sample_index_load(&l.in[0].samples, path, err, sizeof(err)), 0);
    l.in[1] = l.in[0];
    struct compare_opts o = {.alpha = 0.05, .threshold = 0.05, .min_samples = 9};
    assert_int_equal(compare_build(l.in, 2, &o, &l.r, err, sizeof(err)), -EBADMSG);
    if (!strstr(err, "results.csv:4: case 'c1' metric 'bandwidth' again (first on line 2)"))
        fail_msg("%s", err);
    o.alpha = 1;
    assert_int_equal(compare_build(l.in, 2, &o, &l.r, err, sizeof(err)), -EINVAL);
    result_set_free(l.in[0].set);
    sample_index_free(l.in[0].samples);
    unlink(strcat(strcpy(path, tmpdir), "/results.csv"));
    unlink(strcat(strcpy(path, tmpdir), "/samples.csv"));
    rmdir(tmpdir);
}

static void test_case_paths(void **state)
{
    (void)state;
    char out[256];
    export_case_path(out, sizeof(out), NULL,
                     "cpu:heap=system;size=4KiB;align=0B;page-size=base;threads=1;"
                     "kernel=read:avx2;node=any",
                     "bandwidth");
    assert_string_equal(out, "cpu.system.4KiB.0B.base.1.read_avx2.any.bandwidth");
    export_case_path(out, sizeof(out), "dmabench", "alloc:heap=linux,cma;size=1MiB",
                     "perf::cycles");
    assert_string_equal(out, "dmabench.alloc.linux_cma.1MiB.perf__cycles");
    export_case_path(out, sizeof(out), "new 2", "odd id", "");
    assert_string_equal(out, "new_2.odd_id._");
    export_case_path(out, 8, NULL, "cpu:heap=system", "bandwidth");
    assert_string_equal(out, "cpu.sys");
}

static void test_lava_names(void **state)
{
    (void)state;
    char name[LAVA_NAME_MAX + 1], other[LAVA_NAME_MAX + 1];
    /* A name that fits is the dotted path. */
    assert_false(lava_case_name(name, NULL, "alloc:heap=linux,cma-uncached;size=1MiB", "alloc"));
    assert_string_equal(name, "alloc.linux_cma-uncached.1MiB.alloc");
    /* A longer one: the longest part cut first, then a hash of the case. */
    const char *id = "sync:heap=vendor,secure-video-protected-carveout-heap-uncached-region-001;"
                     "size=4MiB;align=0B;page-size=base;node=any;strategy=partial-user;"
                     "direction=write;region=256KiB;region-offset=0B;regions=1;lines=dirty;"
                     "importers=1";
    assert_true(lava_case_name(name, NULL, id, "sync_cost"));
    assert_true(strlen(name) <= LAVA_NAME_MAX);
    assert_non_null(strstr(name, ".4MiB.0B.base.any.partial-user.write.256KiB.0B.1.dirty.1."));
    assert_int_equal(strspn(name + strlen(name) - 13, "-0123456789abcdef"), 13);
    assert_int_equal(strncmp(name, "sync.vendor_secure-", 19), 0);
    /* The same case, the same name; cases whose paths are the same (',' and '_' both become
     * '_') still differ by their hash. */
    assert_true(lava_case_name(other, NULL, id, "sync_cost"));
    assert_string_equal(name, other);
    char id2[512];
    snprintf(id2, sizeof(id2), "%s", id);
    *strchr(id2, ',') = '_';
    assert_true(lava_case_name(other, NULL, id2, "sync_cost"));
    assert_string_not_equal(name, other);
    /* The prefix is part of the case. */
    assert_true(lava_case_name(other, "new", id, "sync_cost"));
    assert_string_not_equal(name + strlen(name) - 12, other + strlen(other) - 12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_mw_exact_small),
            cmocka_unit_test(test_lava_names),
            cmocka_unit_test(test_mw_exact_cdf),
            cmocka_unit_test(test_mw_ties_normal),
            cmocka_unit_test(test_mw_large_normal),
            cmocka_unit_test(test_mw_degenerate),
            cmocka_unit_test(test_slowdown_in_low_noise_is_a_regression),
            cmocka_unit_test(test_change_inside_noise_is_not_flagged),
            cmocka_unit_test(test_improvement_is_never_a_regression),
            cmocka_unit_test(test_one_side_only_cases_are_listed),
            cmocka_unit_test(test_error_in_new_fails),
            cmocka_unit_test(test_failing_verdicts),
            cmocka_unit_test(test_disturbed_run_is_inconclusive),
            cmocka_unit_test(test_boards_give_differences),
            cmocka_unit_test(test_boards_decided_per_pair),
            cmocka_unit_test(test_several_new_sets),
            cmocka_unit_test(test_schema_1_compares_with_2),
            cmocka_unit_test(test_few_samples_are_flagged),
            cmocka_unit_test(test_geometric_means),
            cmocka_unit_test(test_samples_errors_name_file_and_line),
            cmocka_unit_test(test_duplicate_case_is_an_error),
            cmocka_unit_test(test_counter_units_are_counters),
            cmocka_unit_test(test_case_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
