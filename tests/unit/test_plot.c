/* tests/unit/test_plot.c - result sets read back for plots, rows grouped into series, the bars.
 *
 * Reads the fixed sample sets in tests/data/plot-sample (host/: a real run on host memory;
 * board-b/: a synthetic board with sync, pipeline and coherency rows in extra columns), then
 * damaged copies of host/results.csv, each of which must fail naming the file and line. Run
 * from the source tree's root, as `make unit` does.
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "result_fixture.h"
#include "metadata.h"
#include "plot.h"
#include "plot_bars.h"
#include "result_set.h"
#include "plot_select.h"

#define SAMPLE "tests/data/plot-sample"

/* Loading text must fail with ret, and the message must contain want. */
static void expect_load_error(const char *text, int ret, const char *want)
{
    const char *dir = result_fixture_plant(text);
    struct result_set *s;
    char err[1024];
    assert_int_equal(result_set_load(&s, dir, err, sizeof(err)), ret);
    assert_null(s);
    if (!strstr(err, want))
        fail_msg("error '%s' lacks '%s'", err, want);
    result_fixture_unplant(dir);
}

#define HEADER "schema_version,case_id,bench,heap,size_bytes,kernel,metric,unit,median,status\n"

static void test_load_sample(void **state)
{
    (void)state;
    struct result_set *s = result_fixture_load(SAMPLE "/host");
    assert_int_equal(s->n_rows, 44);
    assert_int_equal(s->n_cols, 55);
    assert_int_equal(s->truncated_line, 0);
    assert_string_equal(result_set_board(s), "vm"); /* board unknown: the hostname */
    assert_string_equal(result_set_meta(s, "kernel_release"), "6.18.44-fc-v1252");
    assert_string_equal(result_set_meta(s, "no-such-key"), "unknown");
    char desc[256];
    result_set_describe(s, desc, sizeof(desc));
    assert_string_equal(
            desc, "vm (Intel(R) Xeon(R) Processor), Linux 6.18.44-fc-v1252, run 20261205T194554Z");
    assert_int_equal(s->rows[0].line, 2);
    assert_string_equal(result_text(&s->rows[0], s->c.metric), "alloc_throughput");
    assert_true(result_row_measured(s, &s->rows[0]));
    assert_true(isnan(result_num(&s->rows[0], s->c.threads))); /* empty for alloc */
    assert_true(isnan(result_num(&s->rows[0], -1)));
    assert_string_equal(result_text(&s->rows[0], -1), "");
    result_set_free(s);

    /* The results.csv inside a set names the set too. */
    s = result_fixture_load(SAMPLE "/board-b/results.csv");
    assert_string_equal(s->dir, SAMPLE "/board-b");
    assert_true(result_set_col(s, "region_bytes") >= 0);
    assert_string_equal(result_set_board(s), "Synthetic Arm board B");
    result_set_free(s);
}

static void test_load_errors(void **state)
{
    (void)state;
    struct result_set *s;
    char err[1024];
    assert_int_equal(result_set_load(&s, "/nonexistent/run", err, sizeof(err)), -ENOENT);
    assert_string_equal(err, "/nonexistent/run: No such file or directory");
    assert_int_equal(result_set_load(&s, SAMPLE "/sample.ini", err, sizeof(err)), -ENOTDIR);

    expect_load_error("", -EBADMSG, "results.csv:1: empty file");
    expect_load_error("schema_version,case_id\n1,x\n", -EBADMSG,
                      "results.csv:1: no 'bench' column: not a dmabench results.csv");
    expect_load_error(HEADER "1,a,cpu,host,4096,read,bandwidth,bytes/s,fast,ok\n", -EBADMSG,
                      "results.csv:2: median 'fast' is not a number");
    expect_load_error(HEADER "1,a,cpu,host,4096,read,bandwidth,bytes/s,1e9,ok\n"
                             "1,b,cpu,host,4K,read,bandwidth,bytes/s,1e9,ok\n",
                      -EBADMSG, "results.csv:3: size_bytes '4K' is not a number");
    expect_load_error(HEADER "1,a,cpu,host,4096,read,bandwidth,bytes/s,1e9\n", -EBADMSG,
                      "results.csv:2: 9 fields, the header has 10");
    expect_load_error(HEADER "4,a,cpu,host,4096,read,bandwidth,bytes/s,1e9,ok\n", -EBADMSG,
                      "results.csv:2: schema_version '4': this dmabench reads versions 1 to 3");
    expect_load_error(HEADER "1,a,cpu,\"ho\"st,4096,read,bandwidth,bytes/s,1e9,ok\n", -EBADMSG,
                      "results.csv:2: malformed quoting");
    expect_load_error(HEADER "1,a,cpu,host,inf,read,bandwidth,bytes/s,1e9,ok\n", -EBADMSG,
                      "size_bytes 'inf' is not a number");
    /* Plain decimals are checked without strtod; what they cannot hold still goes to it. */
    expect_load_error(HEADER "1,a,cpu,host,4096,read,bandwidth,bytes/s,1e999,ok\n", -EBADMSG,
                      "median '1e999' is not a number");
    expect_load_error(HEADER "1,a,cpu,host,4096,read,bandwidth,bytes/s,1.5e,ok\n", -EBADMSG,
                      "median '1.5e' is not a number");
    expect_load_error(HEADER "1,a,cpu,host,4096,read,bandwidth,bytes/s,-.,ok\n", -EBADMSG,
                      "median '-.' is not a number");
    expect_load_error(HEADER "1,a,cpu,host,4096,read,bandwidth,bytes/s, 5,ok\n", -EBADMSG,
                      "median ' 5' is not a number");
    const char *numbers = HEADER "1,a,cpu,host,4096,read,bandwidth,bytes/s,-1.25e-07,ok\n"
                                 "1,b,cpu,host,4096,read,bandwidth,bytes/s,5.,ok\n"
                                 "1,c,cpu,host,4096,read,bandwidth,bytes/s,0x10,ok\n"
                                 "1,d,cpu,host,4096,read,bandwidth,bytes/s,1e300,ok\n";
    struct result_set *ok = result_fixture_load(result_fixture_plant(numbers));
    assert_true(result_num(&ok->rows[0], ok->c.median) == -1.25e-07);
    assert_true(result_num(&ok->rows[1], ok->c.median) == 5);
    assert_true(result_num(&ok->rows[2], ok->c.median) == 16);
    assert_true(result_num(&ok->rows[3], ok->c.median) == 1e300);
    result_fixture_unplant(ok->dir);
    result_set_free(ok);
}

/* Schema version 1 (tests/data/compare/v1-base) is still read: it lacks the columns version 2
 * added, and those read as empty. Both versions may even meet in one file. */
static void test_load_schema_1(void **state)
{
    (void)state;
    struct result_set *s = result_fixture_load("tests/data/compare/v1-base");
    assert_int_equal(s->n_cols, 36);
    assert_int_equal(s->n_rows, 6);
    const char *const added[] = {"strategy", "region_bytes", "pool_depth", "cpu", "verdict"};
    for (size_t i = 0; i < sizeof(added) / sizeof(*added); i++) {
        int col = result_set_col(s, added[i]);
        assert_int_equal(col, -1);
        assert_string_equal(result_text(&s->rows[0], col), "");
        assert_true(isnan(result_num(&s->rows[0], col)));
    }
    assert_string_equal(result_text(&s->rows[0], s->c.metric), "bandwidth");
    assert_true(result_row_measured(s, &s->rows[0]));
    result_set_free(s);

    const char *dir =
            result_fixture_plant(HEADER "1,a,cpu,host,4096,read,bandwidth,bytes/s,1e9,ok\n"
                                        "2,b,cpu,host,4096,write,bandwidth,bytes/s,2e9,ok\n");
    s = result_fixture_load(dir);
    assert_int_equal(s->n_rows, 2);
    result_set_free(s);
    result_fixture_unplant(dir);
}

static void test_load_truncated(void **state)
{
    (void)state;
    /* A run killed mid-write: the cut row is left out and its line remembered. */
    const char *dir =
            result_fixture_plant(HEADER "1,a,cpu,host,4096,read,bandwidth,bytes/s,1e9,ok\n"
                                        "1,b,cpu,host,8192,read,band");
    struct result_set *s = result_fixture_load(dir);
    assert_int_equal(s->n_rows, 1);
    assert_int_equal(s->truncated_line, 3);
    assert_string_equal(result_set_board(s), "unknown"); /* no metadata.csv */
    result_set_free(s);
    result_fixture_unplant(dir);
}

static void test_parse_size(void **state)
{
    (void)state;
    assert_true(result_parse_size("32 KiB x2, line 64 B") == 32768);
    assert_true(result_parse_size("1.5 MiB x1") == 1.5 * 1048576);
    assert_true(result_parse_size("64 B") == 64);
    assert_true(result_parse_size("2M") == 2097152);
    assert_true(result_parse_size("1 GiB") == 1073741824);
    assert_true(result_parse_size("4096") == 4096);
    assert_true(result_parse_size("unknown") == 0);
    assert_true(result_parse_size("3 parsecs") == 0);
    assert_true(result_parse_size("-1 KiB") == 0);
}

static void test_numeric_columns(void **state)
{
    (void)state;
    assert_true(result_col_is_numeric("median"));
    assert_true(result_col_is_numeric("region_bytes"));
    assert_true(result_col_is_numeric("size_bytes"));
    assert_true(result_col_is_numeric("pool_depth"));
    assert_false(result_col_is_numeric("_bytes"));
    assert_false(result_col_is_numeric("kernel"));
    assert_false(result_col_is_numeric("src_cpu"));
}

static void test_select_bandwidth(void **state)
{
    (void)state;
    struct result_set *s = result_fixture_load(SAMPLE "/host");
    struct plot_selection sel;
    char err[256];
    assert_int_equal(plot_select(s, &plot_type_find("bandwidth")->query, &sel, err, sizeof(err)),
                     0);
    assert_string_equal(sel.metric, "bandwidth");
    assert_string_equal(sel.unit, "bytes/s");
    assert_string_equal(s->cols[sel.x_col], "size_bytes");
    assert_int_equal(sel.y_col, -1);
    assert_int_equal(sel.n_series, 3);
    assert_int_equal(sel.n_points, 12);
    /* Only the kernel varies: it alone names the lines; the heap is in the title. */
    assert_string_equal(sel.series[0].label, "read");
    assert_string_equal(sel.series[1].label, "write");
    assert_string_equal(sel.series[2].label, "copy");
    assert_string_equal(sel.common, "heap host");
    for (size_t i = 0; i < sel.n_series; i++) {
        assert_int_equal(sel.series[i].n, 4);
        for (size_t k = 1; k < sel.series[i].n; k++)
            assert_true(sel.series[i].pts[k - 1].x < sel.series[i].pts[k].x);
        for (size_t k = 0; k < sel.series[i].n; k++) {
            const struct plot_point *p = &sel.series[i].pts[k];
            assert_true(p->lo <= p->median && p->median <= p->hi);
        }
    }
    assert_true(sel.series[0].pts[0].x == 16384);
    assert_true(sel.series[0].pts[3].x == 67108864);
    plot_selection_free(&sel);

    /* Nothing of a benchmark the set does not have. */
    assert_int_equal(plot_select(s, &plot_type_find("sync")->query, &sel, err, sizeof(err)), 0);
    assert_int_equal(sel.n_points, 0);
    plot_selection_free(&sel);
    result_set_free(s);
}

static void test_select_new_columns(void **state)
{
    (void)state;
    struct result_set *s = result_fixture_load(SAMPLE "/board-b");
    struct plot_selection sel;
    char err[256];
    /* Sync cost by region size, a line per strategy: columns this code never named. */
    assert_int_equal(plot_select(s, &plot_type_find("sync")->query, &sel, err, sizeof(err)), 0);
    assert_string_equal(s->cols[sel.x_col], "region_bytes");
    assert_string_equal(sel.metric, "sync_cost");
    assert_int_equal(sel.n_series, 3);
    assert_string_equal(sel.series[0].label, "full");
    assert_string_equal(sel.series[1].label, "partial-user");
    assert_string_equal(sel.series[2].label, "none");
    assert_int_equal(sel.series[1].n, 6);
    assert_string_equal(sel.common, "heap system");
    plot_selection_free(&sel);

    /* The heatmap: a CPU pair as the two axes. */
    assert_int_equal(plot_select(s, &plot_type_find("c2c")->query, &sel, err, sizeof(err)), 0);
    assert_string_equal(s->cols[sel.x_col], "cpu");
    assert_string_equal(s->cols[sel.y_col], "peer");
    assert_int_equal(sel.n_series, 1);
    assert_int_equal(sel.n_points, 12);
    assert_true(sel.series[0].pts[0].x == 0 && sel.series[0].pts[0].y == 1);
    plot_selection_free(&sel);

    /* Pool depth on x, throughput in frames/s, a line per heap. */
    assert_int_equal(plot_select(s, &plot_type_find("pipeline")->query, &sel, err, sizeof(err)), 0);
    assert_string_equal(s->cols[sel.x_col], "pool_depth");
    assert_string_equal(sel.unit, "frames/s");
    assert_int_equal(sel.n_series, 2);
    assert_string_equal(sel.series[0].label, "system");
    plot_selection_free(&sel);
    result_set_free(s);
}

static void test_select_unit_fallback(void **state)
{
    (void)state;
    /* A sync benchmark that names its metric differently: every ns metric of it, by size, and
     * rows that are not ok or are counters are left out. */
    const char *dir =
            result_fixture_plant(HEADER "1,a,sync,system,4096,full,cost_start,ns,100,ok\n"
                                        "1,a,sync,system,4096,full,cost_end,ns,120,ok\n"
                                        "1,b,sync,system,8192,full,cost_start,ns,150,ok\n"
                                        "1,c,sync,system,8192,full,cost_end,ns,,error\n"
                                        "1,a,sync,system,4096,full,perf::cycles,events/byte,3,ok\n"
                                        "1,a,sync,system,4096,full,per_mib,ns/MiB,9,ok\n");
    struct result_set *s = result_fixture_load(dir);
    struct plot_selection sel;
    char err[256];
    assert_int_equal(plot_select(s, &plot_type_find("sync")->query, &sel, err, sizeof(err)), 0);
    assert_string_equal(sel.metric, "");
    assert_string_equal(sel.unit, "ns");
    assert_int_equal(sel.n_series, 2);
    assert_string_equal(sel.series[0].label, "cost_start");
    assert_int_equal(sel.series[0].n, 2);
    assert_string_equal(sel.series[1].label, "cost_end");
    assert_int_equal(sel.series[1].n, 1);
    plot_selection_free(&sel);
    result_set_free(s);
    result_fixture_unplant(dir);
}

static void test_select_bad_axis(void **state)
{
    (void)state;
    const char *dir = result_fixture_plant(
            "schema_version,case_id,bench,heap,src_cpu,dst_cpu,metric,unit,median,status\n"
            "1,a,coherency,host,0,1,c2c_latency,ns,50,ok\n"
            "1,b,coherency,host,0,two,c2c_latency,ns,50,ok\n");
    struct result_set *s = result_fixture_load(dir);
    struct plot_selection sel;
    char err[256];
    assert_int_equal(plot_select(s, &plot_type_find("c2c")->query, &sel, err, sizeof(err)),
                     -EBADMSG);
    if (!strstr(err, "results.csv:3: dst_cpu 'two' is not a number"))
        fail_msg("%s", err);
    result_set_free(s);
    result_fixture_unplant(dir);
}

static void test_labels(void **state)
{
    (void)state;
    const char *dir =
            result_fixture_plant("schema_version,case_id,bench,job,heap,size_bytes,threads,kernel,"
                                 "metric,unit,median,status\n"
                                 "1,a,cpu,j1,host,4096,1,read,bandwidth,bytes/s,1,ok\n"
                                 "1,b,cpu,j2,host,65536,,read,bandwidth,bytes/s,1,ok\n"
                                 "1,c,cpu,j2,sys,4096,2,read,bandwidth,bytes/s,1,ok\n");
    struct result_set *s = result_fixture_load(dir);
    const struct result_row *rows[3] = {&s->rows[0], &s->rows[1], &s->rows[2]};
    char *labels[3];
    /* heap first, sizes without _bytes and in units, job never, an empty value no part. */
    assert_int_equal(plot_label_rows(s, rows, 3, NULL, 0, labels), 0);
    assert_string_equal(labels[0], "host size=4KiB threads=1");
    assert_string_equal(labels[1], "host size=64KiB");
    assert_string_equal(labels[2], "sys size=4KiB threads=2");
    for (int i = 0; i < 3; i++)
        free(labels[i]);
    int skip = s->c.size;
    assert_int_equal(plot_label_rows(s, rows, 2, &skip, 1, labels), 0);
    assert_string_equal(labels[0], ""); /* 1 and empty threads do not differ */
    free(labels[0]);
    free(labels[1]);
    result_set_free(s);
    result_fixture_unplant(dir);
}

static void test_bars(void **state)
{
    (void)state;
    struct result_set *sets[2] = {result_fixture_load(SAMPLE "/host"),
                                  result_fixture_load(SAMPLE "/board-b")};
    assert_true(plot_bars_boards_differ(sets, 2));
    assert_false(plot_bars_boards_differ(sets, 1));
    struct bar_cases bars;
    assert_int_equal(plot_bars_build(sets, 2, &bars), 0);
    /* 12 bandwidth + 4 latency + 8 alloc cases in both; too many: the largest size of each. */
    assert_int_equal(bars.n_common, 24);
    assert_int_equal(bars.n, 6);
    for (size_t i = 0; i < bars.n; i++) {
        const struct bar_case *c = &bars.cases[i];
        assert_true(c->rel[0] == 1);
        assert_true(c->lo[0] <= 1 && c->hi[0] >= 1);
        const char *metric = result_text(c->rows[0], sets[0]->c.metric);
        /* board-b is host/ scaled: bandwidth x0.35, latency x1.6, alloc x2.2. */
        double want = !strcmp(metric, "bandwidth") ? 0.35
                      : !strcmp(metric, "latency") ? 1 / 1.6
                                                   : 1 / 2.2;
        assert_float_equal(c->rel[1], want, 1e-6);
        assert_true(c->lower_is_better == (strcmp(metric, "bandwidth") != 0));
        assert_true(result_num(c->rows[0], sets[0]->c.size) ==
                    (!strcmp(metric, "alloc_latency") ? 4194304 : 67108864));
    }
    assert_string_equal(bars.cases[2].label, "read bandwidth size=64MiB");
    plot_bars_free(&bars);
    result_set_free(sets[0]);
    result_set_free(sets[1]);
}

static void test_types(void **state)
{
    (void)state;
    static const char *const names[] = {"bandwidth", "latency", "alloc", "sync",
                                        "pipeline",  "c2c",     "versus"};
    assert_int_equal(plot_type_count(), sizeof(names) / sizeof(*names));
    for (size_t i = 0; i < plot_type_count(); i++) {
        assert_string_equal(plot_type_at(i)->name, names[i]);
        assert_ptr_equal(plot_type_find(names[i]), plot_type_at(i));
        /* Every type has its script. */
        char path[128];
        snprintf(path, sizeof(path), "plot/%s.gp", names[i]);
        assert_int_equal(access(path, R_OK), 0);
    }
    assert_null(plot_type_find("pie"));
    assert_null(plot_type_at(plot_type_count()));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_load_sample),
            cmocka_unit_test(test_load_errors),
            cmocka_unit_test(test_load_schema_1),
            cmocka_unit_test(test_load_truncated),
            cmocka_unit_test(test_parse_size),
            cmocka_unit_test(test_numeric_columns),
            cmocka_unit_test(test_select_bandwidth),
            cmocka_unit_test(test_select_new_columns),
            cmocka_unit_test(test_select_unit_fallback),
            cmocka_unit_test(test_select_bad_axis),
            cmocka_unit_test(test_labels),
            cmocka_unit_test(test_bars),
            cmocka_unit_test(test_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
