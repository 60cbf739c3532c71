/* tests/unit/test_results_csv.c - result files: the reader, the writer's round trip, validation.
 *
 * A real results directory is written by the writer from hand-built cases (a heap named
 * "linux,cma", error texts with quotes and commas), validated, read back field by field, then
 * copied and damaged one way per test: each damage must be an error naming the file and line.
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

#include "csv_read.h"
#include "csv_write.h"
#include "metadata.h"
#include "result_fixture.h"
#include "results_csv.h"
#include "results_validate.h"
#include "runner.h"
#include "sweep.h"

/* --- csv_read on memory ----------------------------------------------------------------------- */

static struct csv_reader *open_text(const char *text)
{
    struct csv_reader *r;
    assert_int_equal(csv_reader_open_mem(&r, "mem", text, strlen(text)), 0);
    return r;
}

/* The next row must be exactly these fields (NULL-terminated), starting on line. */
static void expect_row(struct csv_reader *r, unsigned long line, ...)
{
    struct csv_row row;
    int ret = csv_reader_next(r, &row);
    if (ret != 1)
        fail_msg("expected a row on line %lu, got %d: %s", line, ret, csv_reader_error(r));
    assert_int_equal(row.line, line);
    va_list ap;
    va_start(ap, line);
    size_t i = 0;
    for (const char *want; (want = va_arg(ap, const char *)); i++) {
        if (i >= row.n)
            fail_msg("line %lu: %zu fields, expected more", line, row.n);
        assert_string_equal(row.fields[i], want);
    }
    va_end(ap);
    assert_int_equal(row.n, i);
}

static void expect_end(struct csv_reader *r)
{
    struct csv_row row;
    assert_int_equal(csv_reader_next(r, &row), 0);
    assert_int_equal(csv_reader_next(r, &row), 0);
    assert_string_equal(csv_reader_error(r), "");
}

static void expect_error(struct csv_reader *r, int err, const char *where, const char *what)
{
    struct csv_row row;
    assert_int_equal(csv_reader_next(r, &row), err);
    if (!strstr(csv_reader_error(r), where) || !strstr(csv_reader_error(r), what))
        fail_msg("error '%s' lacks '%s' or '%s'", csv_reader_error(r), where, what);
    assert_int_equal(csv_reader_next(r, &row), err); /* sticky */
}

static void test_read_quoting(void **state)
{
    (void)state;
    struct csv_reader *r = open_text("a,\"b,c\",\"say \"\"hi\"\"\",d\n"
                                     " spaced , kept \n"
                                     "\"linux,cma\"\n");
    expect_row(r, 1, "a", "b,c", "say \"hi\"", "d", NULL);
    expect_row(r, 2, " spaced ", " kept ", NULL);
    expect_row(r, 3, "linux,cma", NULL);
    expect_end(r);
    csv_reader_close(r);
}

static void test_read_embedded_newlines_and_blank_lines(void **state)
{
    (void)state;
    struct csv_reader *r = open_text("x,\"one\ntwo\nthree\"\n\n\ny,z\n\"\n\",last\n");
    expect_row(r, 1, "x", "one\ntwo\nthree", NULL);
    expect_row(r, 6, "y", "z", NULL); /* blank lines 4 and 5 skipped, but counted */
    expect_row(r, 7, "\n", "last", NULL);
    expect_end(r);
    csv_reader_close(r);
}

static void test_read_crlf(void **state)
{
    (void)state;
    struct csv_reader *r = open_text("a,b\r\nc,\"d\r\ne\"\r\n\r\nf,g\r\n");
    expect_row(r, 1, "a", "b", NULL);
    expect_row(r, 2, "c", "d\r\ne", NULL);
    expect_row(r, 5, "f", "g", NULL);
    expect_end(r);
    csv_reader_close(r);
}

static void test_read_empty_fields(void **state)
{
    (void)state;
    struct csv_reader *r = open_text(",,\n\"\",x\na,\n\"\"\n");
    expect_row(r, 1, "", "", "", NULL);
    expect_row(r, 2, "", "x", NULL);
    expect_row(r, 3, "a", "", NULL);
    expect_row(r, 4, "", NULL);
    expect_end(r);
    csv_reader_close(r);
    r = open_text("");
    expect_end(r);
    csv_reader_close(r);
}

static void test_read_truncated_row(void **state)
{
    (void)state;
    /* Cut after a field: the partial row comes back with -EPIPE. */
    struct csv_reader *r = open_text("a,b\nc,d");
    expect_row(r, 1, "a", "b", NULL);
    struct csv_row row;
    assert_int_equal(csv_reader_next(r, &row), -EPIPE);
    assert_int_equal(row.line, 2);
    assert_int_equal(row.n, 2);
    assert_string_equal(row.fields[1], "d");
    assert_string_equal(csv_reader_error(r), "mem:2: truncated last row: no newline at the end "
                                             "of the file");
    assert_int_equal(csv_reader_next(r, &row), -EPIPE);
    csv_reader_close(r);

    /* Cut inside a quoted field that spans lines: the row's first line is named. */
    r = open_text("a,b\nc,\"d\ne\n");
    expect_row(r, 1, "a", "b", NULL);
    assert_int_equal(csv_reader_next(r, &row), -EPIPE);
    assert_int_equal(row.line, 2);
    assert_int_equal(row.n, 2);
    assert_string_equal(row.fields[1], "d\ne\n");
    assert_non_null(strstr(csv_reader_error(r), "mem:2: truncated last row: a quoted field"));
    csv_reader_close(r);

    /* A complete last row without its newline reads the same: the caller decides. */
    r = open_text("\"x\"");
    expect_error(r, -EPIPE, "mem:1:", "no newline");
    csv_reader_close(r);
}

static void test_read_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
            "h\nok,1\na,b\"c\n",        /* a quote inside an unquoted field */
            "h\nok,1\n\"a\"b,c\n",      /* text after a closing quote */
            "h\nok,1\n\"a\" ,c\n",      /* even a blank */
            "h\nok,1\nx,\"a\"\"b\"c\n", /* after an escaped quote too */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        struct csv_reader *r = open_text(bad[i]);
        expect_row(r, 1, "h", NULL);
        expect_row(r, 2, "ok", "1", NULL);
        expect_error(r, -EBADMSG, "mem:3:", "malformed quoting");
        csv_reader_close(r);
    }
    static const char nul[] = "a,b\nc,d\0e\n";
    struct csv_reader *r;
    assert_int_equal(csv_reader_open_mem(&r, "nul.csv", nul, sizeof(nul) - 1), 0);
    expect_row(r, 1, "a", "b", NULL);
    expect_error(r, -EBADMSG, "nul.csv:2:", "NUL byte");
    csv_reader_close(r);
}

static void test_read_file_across_chunks(void **state)
{
    (void)state;
    /* 3000 rows of two lines each, about 150 KiB: rows and quoted newlines straddle the
     * reader's 64 KiB chunks. */
    char path[] = "/tmp/dmabench-csv-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    for (int i = 0; i < 3000; i++)
        fprintf(f, "%d,\"text with a, comma and a \"\"quote\"\"\nsecond line %d\",%d\r\n", i, i,
                i * 7);
    assert_int_equal(fclose(f), 0);

    char err[256];
    struct csv_reader *r;
    assert_int_equal(csv_reader_open(&r, path, err, sizeof(err)), 0);
    assert_string_equal(csv_reader_name(r), path);
    for (int i = 0; i < 3000; i++) {
        char first[16], second[128], third[16];
        snprintf(first, sizeof(first), "%d", i);
        snprintf(second, sizeof(second), "text with a, comma and a \"quote\"\nsecond line %d", i);
        snprintf(third, sizeof(third), "%d", i * 7);
        expect_row(r, 2 * (unsigned long)i + 1, first, second, third, NULL);
    }
    expect_end(r);
    csv_reader_close(r);
    unlink(path);

    assert_int_equal(csv_reader_open(&r, path, err, sizeof(err)), -ENOENT);
    assert_null(r);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "No such file"));
}

static void test_row_find(void **state)
{
    (void)state;
    struct csv_reader *r = open_text("schema_version,key,value\n");
    struct csv_row row;
    assert_int_equal(csv_reader_next(r, &row), 1);
    assert_int_equal(csv_row_find(&row, "key"), 1);
    assert_int_equal(csv_row_find(&row, "value"), 2);
    assert_int_equal(csv_row_find(&row, "nope"), -ENOENT);
    csv_reader_close(r);
}

/* --- a results directory written by the writer ----------------------------------------------- */

#define RUN_ID "20261121T141500Z"
#define BOARD  "Raspberry Pi 5 Model B, rev \"1.0\""

struct run_fixture {
    char root[64]; /* everything the tests write is under here */
    char run[96];  /* the writer's output */
    unsigned copies;
    struct job alloc_job, cpu_job;
    struct bench_case cases[4];
    struct case_result *results[4];
};

enum { CASE_A, CASE_B, CASE_C, CASE_D };

static const struct sweep_value v_cma = {.text = "linux,cma"}, v_system = {.text = "system"},
                                v_4k = {.text = "4KiB", .bytes = 4096},
                                v_64k = {.text = "64KiB", .bytes = 65536},
                                v_align0 = {.text = "0B", .bytes = 0},
                                v_base = {.text = "base", .page_kind = HEAP_PAGES_BASE},
                                v_one = {.text = "1", .number = 1},
                                v_two = {.text = "2", .number = 2}, v_alloc = {.text = "alloc"},
                                v_touch = {.text = "alloc-touch"},
                                v_avx512 = {.text = "read:avx512"}, v_read_c = {.text = "read:c"},
                                v_any = {.text = "any", .number = -1};

/* A case over the axes its job's benchmark uses, with the id the sweep would give it. */
static void make_case(struct bench_case *c, const struct job *job, const struct sweep_value *heap,
                      const struct sweep_value *size, const struct sweep_value *count,
                      const struct sweep_value *kernel)
{
    const struct sweep_value *all[N_SWEEP_AXES] = {
            [AXIS_HEAP] = heap,         [AXIS_SIZE] = size,     [AXIS_ALIGN] = &v_align0,
            [AXIS_PAGE_SIZE] = &v_base, [AXIS_THREADS] = count, [AXIS_BATCH] = count,
            [AXIS_KERNEL] = kernel,     [AXIS_NODE] = &v_any,
    };
    unsigned axes = sweep_bench_axes(job->bench);
    assert_int_not_equal(axes, 0);
    memset(c, 0, sizeof(*c));
    c->job = job;
    for (int a = 0; a < N_SWEEP_AXES; a++)
        if (axes & (1u << a))
            c->value[a] = all[a];
    sweep_case_id(c, c->id, sizeof(c->id));
}

static void add_metric(struct case_result *r, const char *name, const char *unit,
                       enum metric_better better, enum case_status status, int err,
                       const char *reason, const double *samples, const unsigned *reps, size_t n,
                       double mux_ratio)
{
    struct metric_result *m = &r->metrics[r->n_metrics++];
    snprintf(m->name, sizeof(m->name), "%s", name);
    snprintf(m->unit, sizeof(m->unit), "%s", unit);
    snprintf(m->reason, sizeof(m->reason), "%s", reason);
    m->better = better;
    m->status = status;
    m->err = err;
    m->mux_ratio = mux_ratio;
    if (!n)
        return;
    m->samples = malloc(n * sizeof(*m->samples));
    m->sample_rep = malloc(n * sizeof(*m->sample_rep));
    assert_non_null(m->samples);
    assert_non_null(m->sample_rep);
    memcpy(m->samples, samples, n * sizeof(*samples));
    memcpy(m->sample_rep, reps, n * sizeof(*reps));
    m->n = m->cap = n;
    assert_int_equal(stats_summarize(samples, n, &m->stats), 0);
}

/* Sample values with at most 10 significant digits, so that "%.10g" gives them back exactly. */
static const double thr_a[] = {1000, 1250.5, 1500, 1750};
static const unsigned thr_a_reps[] = {0, 1, 2, 3};
static const double lat_a[] = {100, 200, 300, 400, 500, 600, 700, 800};
static const unsigned lat_a_reps[] = {0, 0, 1, 1, 2, 2, 3, 3};
static const double bw_c[] = {1.25e9, 1.5e9, 1.75e9, 2e9, 2.25e9, 2.625e9};
static const double cyc_c[] = {0.25, 0.5, 0.75, 1, 1.25, 1.5};
static const unsigned six_reps[] = {0, 1, 2, 3, 4, 5};
static const double thr_d[] = {10, 20}, lat_d[] = {50000, 60000};
static const unsigned two_reps[] = {0, 1};

#define COUNTER_REASON "counter \"perf::cycles\": no PMU, perf_event_paranoid 2"
#define D_REASON       "rep 3: \"linux,cma\" has no room, try --batch 1"

/* results.csv: A on lines 2-4, B on 5, C on 6-7, D on 8-9; samples.csv: A's throughput on
 * 2-5, its latency on 6-13, C on 14-25, D's throughput on 26-27 and latency on 28-29. */
static void build_cases(struct run_fixture *fx)
{
    job_init(&fx->alloc_job, "camera,pool");
    snprintf(fx->alloc_job.bench, sizeof(fx->alloc_job.bench), "alloc");
    job_init(&fx->cpu_job, "cpu");
    snprintf(fx->cpu_job.bench, sizeof(fx->cpu_job.bench), "cpu");
    make_case(&fx->cases[CASE_A], &fx->alloc_job, &v_cma, &v_4k, &v_two, &v_alloc);
    make_case(&fx->cases[CASE_B], &fx->cpu_job, &v_system, &v_64k, &v_one, &v_avx512);
    make_case(&fx->cases[CASE_C], &fx->cpu_job, &v_system, &v_64k, &v_one, &v_read_c);
    make_case(&fx->cases[CASE_D], &fx->alloc_job, &v_system, &v_4k, &v_one, &v_touch);
    for (int i = 0; i < 4; i++) {
        fx->results[i] = calloc(1, sizeof(*fx->results[i]));
        assert_non_null(fx->results[i]);
    }
    struct case_result *r = fx->results[CASE_A];
    add_metric(r, "alloc_throughput", "buffers/s", BETTER_HIGHER, CASE_OK, 0, "", thr_a, thr_a_reps,
               4, NAN);
    add_metric(r, "alloc_latency", "ns", BETTER_LOWER, CASE_OK, 0, "", lat_a, lat_a_reps, 8, NAN);
    add_metric(r, "perf::cycles", "events/buffer", BETTER_LOWER, CASE_SKIPPED, -ENOENT,
               COUNTER_REASON, NULL, NULL, 0, NAN);
    result_fixture_time_reps(r, 4);
    r->stop = REPS_STOP_FIXED;

    r = fx->results[CASE_B];
    add_metric(r, "bandwidth", "bytes/s", BETTER_HIGHER, CASE_SKIPPED, -EOPNOTSUPP,
               "this CPU has no AVX-512", NULL, NULL, 0, NAN);
    r->status = CASE_SKIPPED;

    r = fx->results[CASE_C];
    add_metric(r, "bandwidth", "bytes/s", BETTER_HIGHER, CASE_OK, 0, "", bw_c, six_reps, 6, NAN);
    add_metric(r, "perf::cycles", "events/byte", BETTER_LOWER, CASE_OK, 0, "", cyc_c, six_reps, 6,
               0.5);
    result_fixture_time_reps(r, 6);
    r->stop = REPS_STOP_CONVERGED;

    /* Failed in its third repetition: the two before it keep their samples. */
    r = fx->results[CASE_D];
    add_metric(r, "alloc_throughput", "buffers/s", BETTER_HIGHER, CASE_ERROR, -ENOMEM, D_REASON,
               thr_d, two_reps, 2, NAN);
    add_metric(r, "alloc_latency", "ns", BETTER_LOWER, CASE_ERROR, -ENOMEM, D_REASON, lat_d,
               two_reps, 2, NAN);
    r->status = CASE_ERROR;
    result_fixture_time_reps(r, 2);
    r->stop = REPS_CONTINUE;
}

static void write_metadata(const struct results_writer *w, bool finished)
{
    struct metadata *md = malloc(sizeof(*md));
    assert_non_null(md);
    metadata_init(md);
    metadata_set(md, "board", "%s", BOARD);
    metadata_set(md, "kernel_release", "6.12.9-amd64");
    metadata_set(md, "dmabench_version", "0.1");
    metadata_set(md, "git_sha", "0123456789ab");
    metadata_set(md, "run_id", RUN_ID);
    metadata_set_time(md, "start_time");
    if (finished)
        metadata_set_time(md, "end_time");
    assert_int_equal(md->err, 0);
    assert_int_equal(results_write_metadata(w, md), 0);
    free(md);
}

static int setup_run(void **state)
{
    struct run_fixture *fx = calloc(1, sizeof(*fx));
    if (!fx)
        return -1;
    snprintf(fx->root, sizeof(fx->root), "/tmp/dmabench-results-XXXXXX");
    if (!mkdtemp(fx->root))
        return -1;
    snprintf(fx->run, sizeof(fx->run), "%s/board/" RUN_ID, fx->root);
    build_cases(fx);
    struct results_writer w;
    char err[256];
    if (results_open(&w, fx->run, RUN_ID, err, sizeof(err)))
        return -1;
    write_metadata(&w, false); /* as a run starts, and then as it ends */
    for (int i = 0; i < 4; i++)
        if (results_write_case(&w, &fx->cases[i], NULL, fx->results[i]))
            return -1;
    write_metadata(&w, true);
    if (results_close(&w))
        return -1;
    *state = fx;
    return 0;
}

static int teardown_run(void **state)
{
    struct run_fixture *fx = *state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->root);
    int ret = system(cmd);
    for (int i = 0; i < 4; i++) {
        case_result_free(fx->results[i]);
        free(fx->results[i]);
    }
    free(fx);
    return ret == 0 ? 0 : -1;
}

/* --- the round trip -------------------------------------------------------------------------- */

static void test_written_run_is_valid(void **state)
{
    struct run_fixture *fx = *state;
    struct results_validation v = {0};
    char err[512];
    if (results_validate_dir(fx->run, &v, err, sizeof(err)))
        fail_msg("%s", err);
    assert_string_equal(err, "");
    assert_int_equal(v.rows, 8);
    assert_int_equal(v.cases, 4);
    assert_int_equal(v.ok, 4);
    assert_int_equal(v.skipped, 2);
    assert_int_equal(v.errors, 2);
    assert_int_equal(v.samples, 4 + 8 + 6 + 6 + 2 + 2);
    assert_int_equal(v.metadata_keys, 7);
    assert_false(v.truncated);
    assert_false(v.interrupted);
}

static struct csv_reader *open_run_file(const char *dir, const char *name)
{
    char path[256], err[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    struct csv_reader *r;
    if (csv_reader_open(&r, path, err, sizeof(err)))
        fail_msg("%s", err);
    return r;
}

static void expect_header(struct csv_reader *r, const char *const *columns, size_t n)
{
    struct csv_row row;
    assert_int_equal(csv_reader_next(r, &row), 1);
    assert_int_equal(row.n, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(row.fields[i], columns[i]);
}

static void expect_number(const struct csv_row *row, size_t col, double value)
{
    char text[32] = "";
    if (!isnan(value))
        snprintf(text, sizeof(text), "%.10g", value);
    assert_string_equal(row->fields[col], text);
}

#define COL(name) ((size_t)csv_row_find(&header_row, name))

static void test_results_read_back_exactly(void **state)
{
    struct run_fixture *fx = *state;
    struct csv_reader *r = open_run_file(fx->run, "results.csv");
    expect_header(r, results_columns, n_results_columns);
    /* A header row to look columns up in, independent of the reader's buffers. */
    struct csv_row header_row = {.fields = (char **)results_columns, .n = n_results_columns};
    unsigned long line = 2;
    for (int c = 0; c < 4; c++) {
        const struct bench_case *bc = &fx->cases[c];
        const struct case_result *res = fx->results[c];
        for (size_t i = 0; i < res->n_metrics; i++, line++) {
            const struct metric_result *m = &res->metrics[i];
            struct csv_row row;
            assert_int_equal(csv_reader_next(r, &row), 1);
            assert_int_equal(row.line, line);
            assert_int_equal(row.n, n_results_columns);
            assert_string_equal(row.fields[COL("schema_version")], RESULTS_SCHEMA_VERSION);
            assert_string_equal(row.fields[COL("run_id")], RUN_ID);
            assert_string_equal(row.fields[COL("case_id")], bc->id);
            assert_string_equal(row.fields[COL("bench")], bc->job->bench);
            assert_string_equal(row.fields[COL("job")], bc->job->name);
            assert_string_equal(row.fields[COL("heap")], bc->value[AXIS_HEAP]->text);
            assert_string_equal(row.fields[COL("backend")], ""); /* heap NULL */
            assert_string_equal(row.fields[COL("size_bytes")],
                                bc->value[AXIS_SIZE] == &v_4k ? "4096" : "65536");
            assert_string_equal(row.fields[COL("kernel")], bc->value[AXIS_KERNEL]->text);
            assert_string_equal(row.fields[COL("metric")], m->name);
            assert_string_equal(row.fields[COL("unit")], m->unit);
            assert_string_equal(row.fields[COL("status")], case_status_name(m->status));
            bool have = m->n > 0;
            expect_number(&row, COL("n"), have ? (double)m->n : NAN);
            expect_number(&row, COL("median"), have ? m->stats.median : NAN);
            expect_number(&row, COL("min"), have ? m->stats.min : NAN);
            expect_number(&row, COL("max"), have ? m->stats.max : NAN);
            expect_number(&row, COL("p99"), have ? m->stats.p99 : NAN);
            expect_number(&row, COL("ci_low"), have ? m->stats.ci_low : NAN);
            expect_number(&row, COL("reps"), res->reps);
            expect_number(&row, COL("mux_ratio"), m->mux_ratio);
        }
    }
    struct csv_row row;
    assert_int_equal(csv_reader_next(r, &row), 0);
    csv_reader_close(r);

    /* The tricky fields, spelled out rather than recomputed. */
    r = open_run_file(fx->run, "results.csv");
    for (int i = 0; i < 4; i++)
        assert_int_equal(csv_reader_next(r, &row), 1);
    assert_int_equal(row.line, 4);
    assert_string_equal(row.fields[COL("heap")], "linux,cma");
    assert_string_equal(row.fields[COL("job")], "camera,pool");
    assert_string_equal(row.fields[COL("error")], "No such file or directory: " COUNTER_REASON);
    for (int i = 0; i < 5; i++)
        assert_int_equal(csv_reader_next(r, &row), 1);
    assert_int_equal(row.line, 9);
    assert_string_equal(row.fields[COL("error")], "Cannot allocate memory: " D_REASON);
    assert_string_equal(row.fields[COL("reps_stop")], "continue");
    csv_reader_close(r);
}

static void test_samples_and_metadata_read_back_exactly(void **state)
{
    struct run_fixture *fx = *state;
    struct csv_reader *r = open_run_file(fx->run, "samples.csv");
    expect_header(r, samples_columns, n_samples_columns);
    struct csv_row row;
    unsigned long line = 2;
    for (int c = 0; c < 4; c++) {
        const struct case_result *res = fx->results[c];
        for (size_t i = 0; i < res->n_metrics; i++) {
            const struct metric_result *m = &res->metrics[i];
            for (size_t k = 0; k < m->n; k++, line++) {
                assert_int_equal(csv_reader_next(r, &row), 1);
                assert_int_equal(row.line, line);
                assert_int_equal(row.n, 8);
                assert_string_equal(row.fields[2], fx->cases[c].id);
                assert_string_equal(row.fields[3], m->name);
                assert_string_equal(row.fields[4], m->unit);
                assert_int_equal(strtoul(row.fields[5], NULL, 10), m->sample_rep[k]);
                assert_true(strtod(row.fields[6], NULL) == m->samples[k]);
                assert_true(strtod(row.fields[7], NULL) == res->rep_ns[m->sample_rep[k]]);
            }
        }
    }
    assert_int_equal(csv_reader_next(r, &row), 0);
    csv_reader_close(r);

    r = open_run_file(fx->run, "metadata.csv");
    expect_header(r, metadata_columns, n_metadata_columns);
    assert_int_equal(csv_reader_next(r, &row), 1);
    assert_int_equal(row.n, 3);
    assert_string_equal(row.fields[1], "board");
    assert_string_equal(row.fields[2], BOARD);
    csv_reader_close(r);
}

/* --- damaged copies -------------------------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("%s: %s", path, strerror(errno));
    char *data = NULL;
    size_t cap = 0;
    FILE *out = open_memstream(&data, &cap);
    assert_non_null(out);
    char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
        fwrite(buf, 1, got, out);
    fclose(f);
    assert_int_equal(fclose(out), 0);
    *len = cap;
    return data;
}

static void spit(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static const char *const run_files[] = {"results.csv", "samples.csv", "metadata.csv"};

/* A fresh copy of the run, to damage. */
static const char *copy_run(struct run_fixture *fx)
{
    static char dir[128];
    snprintf(dir, sizeof(dir), "%s/copy%u", fx->root, fx->copies++);
    assert_int_equal(mkdir(dir, 0755), 0);
    for (size_t i = 0; i < 3; i++) {
        char from[256], to[256];
        size_t len;
        snprintf(from, sizeof(from), "%s/%s", fx->run, run_files[i]);
        snprintf(to, sizeof(to), "%s/%s", dir, run_files[i]);
        char *data = slurp(from, &len);
        spit(to, data, len);
        free(data);
    }
    return dir;
}

static char *file_of(const char *dir, const char *name, size_t *len, char *path, size_t path_len)
{
    snprintf(path, path_len, "%s/%s", dir, name);
    return slurp(path, len);
}

/* Set column's field on line (value NULL drops the field), through the reader and writer. */
static void set_field(const char *dir, const char *name, unsigned long line, const char *column,
                      const char *value)
{
    char path[256];
    size_t len;
    char *data = file_of(dir, name, &len, path, sizeof(path));
    struct csv_reader *r;
    assert_int_equal(csv_reader_open_mem(&r, name, data, len), 0);
    char *text = NULL;
    size_t text_len = 0;
    FILE *out = open_memstream(&text, &text_len);
    assert_non_null(out);
    struct csv_row row;
    int col = -1;
    bool done = false;
    while (csv_reader_next(r, &row) == 1) {
        if (col < 0)
            col = csv_row_find(&row, column);
        assert_true(col >= 0);
        const char *fields[64];
        size_t n = 0;
        for (size_t i = 0; i < row.n && n < 64; i++) {
            if (row.line != line || (int)i != col)
                fields[n++] = row.fields[i];
            else if (value)
                fields[n++] = value;
        }
        done |= row.line == line;
        csv_write_row(out, fields, n);
    }
    assert_true(done);
    csv_reader_close(r);
    assert_int_equal(fclose(out), 0);
    spit(path, text, text_len);
    free(text);
    free(data);
}

/* Replace the first occurrence of old, which must be there. */
static void replace_text(const char *dir, const char *name, const char *old, const char *new)
{
    char path[256];
    size_t len;
    char *data = file_of(dir, name, &len, path, sizeof(path));
    char *at = strstr(data, old);
    if (!at)
        fail_msg("%s has no '%s'", path, old);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fwrite(data, 1, at - data, f);
    fputs(new, f);
    fputs(at + strlen(old), f);
    assert_int_equal(fclose(f), 0);
    free(data);
}

/* Cut bytes off the end, as a kill -9 at the wrong moment. */
static void cut_file(const char *dir, const char *name, size_t bytes)
{
    char path[256];
    size_t len;
    char *data = file_of(dir, name, &len, path, sizeof(path));
    assert_true(len > bytes);
    spit(path, data, len - bytes);
    free(data);
}

enum line_edit { LINE_DELETE, LINE_TWICE, LINE_TO_END };

/* Delete line (1-based), write it twice, or move it to the end of the file. */
static void edit_line(const char *dir, const char *name, unsigned long line, enum line_edit how)
{
    char path[256];
    size_t len;
    char *data = file_of(dir, name, &len, path, sizeof(path));
    char *start = data;
    for (unsigned long i = 1; i < line; i++) {
        start = strchr(start, '\n');
        assert_non_null(start);
        start++;
    }
    char *end = strchr(start, '\n');
    assert_non_null(end);
    end++;
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fwrite(data, 1, (how == LINE_TWICE ? end : start) - data, f);
    if (how == LINE_TWICE)
        fwrite(start, 1, end - start, f);
    fputs(end, f);
    if (how == LINE_TO_END)
        fwrite(start, 1, end - start, f);
    assert_int_equal(fclose(f), 0);
    free(data);
}

static void expect_invalid(const char *dir, bool allow_truncated, int err, const char *where,
                           const char *what)
{
    struct results_validation v = {.allow_truncated = allow_truncated};
    char msg[512];
    int ret = results_validate_dir(dir, &v, msg, sizeof(msg));
    if (ret != err)
        fail_msg("validation gave %d (%s), expected %d", ret, msg, err);
    char full[256];
    snprintf(full, sizeof(full), "%s/%s", dir, where);
    if (!strstr(msg, full) || !strstr(msg, what))
        fail_msg("error '%s' lacks '%s' or '%s'", msg, full, what);
}

static struct results_validation expect_valid(const char *dir, bool allow_truncated)
{
    struct results_validation v = {.allow_truncated = allow_truncated};
    char msg[512];
    if (results_validate_dir(dir, &v, msg, sizeof(msg)))
        fail_msg("%s", msg);
    return v;
}

static void test_bad_header(void **state)
{
    const char *dir = copy_run(*state);
    set_field(dir, "results.csv", 1, "case_id", "case");
    expect_invalid(dir, false, -EBADMSG, "results.csv:1:", "column 3 is 'case'");
    dir = copy_run(*state);
    set_field(dir, "samples.csv", 1, "duration_ns", NULL);
    expect_invalid(dir, false, -EBADMSG, "samples.csv:1:", "7 columns, expected 8");
}

static void test_missing_field(void **state)
{
    const char *dir = copy_run(*state);
    set_field(dir, "results.csv", 3, "unit", NULL);
    expect_invalid(dir, false, -EBADMSG, "results.csv:3:", "54 fields, the header has 55");
}

static void test_bad_quote(void **state)
{
    const char *dir = copy_run(*state);
    replace_text(dir, "results.csv", "\"linux,cma\"", "\"linux,\"cma\"");
    expect_invalid(dir, false, -EBADMSG, "results.csv:2:", "malformed quoting");
    /* Cutting the run short does not excuse it. */
    expect_invalid(dir, true, -EBADMSG, "results.csv:2:", "malformed quoting");
}

static void test_schema_version(void **state)
{
    const char *dir = copy_run(*state);
    set_field(dir, "results.csv", 5, "schema_version", "1");
    expect_invalid(dir, false, -EBADMSG,
                   "results.csv:5:", "schema_version is '1', expected " RESULTS_SCHEMA_VERSION);
    dir = copy_run(*state);
    set_field(dir, "metadata.csv", 3, "schema_version", "1");
    expect_invalid(dir, false, -EBADMSG, "metadata.csv:3:", "schema_version");
}

static void test_stats_out_of_order(void **state)
{
    const char *dir = copy_run(*state);
    set_field(dir, "results.csv", 6, "min", "3e9"); /* above the max, 2.625e9 */
    expect_invalid(dir, false, -EBADMSG, "results.csv:6:", "min 3e9 > median");
    dir = copy_run(*state);
    set_field(dir, "results.csv", 7, "ci_high", "0.5"); /* below the median */
    expect_invalid(dir, false, -EBADMSG, "results.csv:7:", "median 0.875 > ci_high 0.5");
    dir = copy_run(*state);
    set_field(dir, "results.csv", 3, "p99", "801");
    expect_invalid(dir, false, -EBADMSG, "results.csv:3:", "p99 801 > max 800");
    dir = copy_run(*state);
    set_field(dir, "results.csv", 2, "median", "fast");
    expect_invalid(dir, false, -EBADMSG, "results.csv:2:", "median 'fast' is not a finite");
}

static void test_unknown_unit_status_better(void **state)
{
    const char *dir = copy_run(*state);
    set_field(dir, "results.csv", 2, "unit", "furlongs/fortnight");
    expect_invalid(dir, false, -EBADMSG, "results.csv:2:", "unknown unit 'furlongs/fortnight'");
    dir = copy_run(*state);
    set_field(dir, "results.csv", 6, "status", "done");
    expect_invalid(dir, false, -EBADMSG, "results.csv:6:", "status 'done'");
    dir = copy_run(*state);
    set_field(dir, "results.csv", 5, "error", "");
    expect_invalid(dir, false, -EBADMSG, "results.csv:5:", "skipped without an error");
    dir = copy_run(*state);
    set_field(dir, "results.csv", 6, "better", "faster");
    expect_invalid(dir, false, -EBADMSG, "results.csv:6:", "better 'faster'");
    /* Skipped with samples is a contradiction for a metric, not for a counter. */
    dir = copy_run(*state);
    set_field(dir, "results.csv", 6, "status", "skipped");
    set_field(dir, "results.csv", 6, "error", "no reason");
    expect_invalid(dir, false, -EBADMSG, "results.csv:6:", "status skipped with n = 6");
    dir = copy_run(*state);
    set_field(dir, "results.csv", 7, "status", "skipped");
    set_field(dir, "results.csv", 7, "error", "counter lost its PMU");
    expect_valid(dir, false);
}

/* Case C's counter row and its samples in another unit. */
static void set_counter_unit(const char *dir, const char *unit)
{
    char field[64];
    snprintf(field, sizeof(field), ",%s,", unit);
    set_field(dir, "results.csv", 7, "unit", unit);
    for (int i = 0; i < 6; i++)
        replace_text(dir, "samples.csv", ",events/byte,", field);
}

/* A counter's unit is a counter unit per a benchmark's work unit: the clock's ns/byte is a
 * counter (skipped without a PMU, a mux_ratio allowed), the benchmarks' own ns/MiB is not, and
 * per something no benchmark does is no unit at all. */
static void test_counter_units(void **state)
{
    static const struct {
        const char *unit;
        bool counter;
    } units[] = {
            {"events/byte", true},  {"ns/byte", true},  {"ns/buffer", true}, {"ns/sync", true},
            {"events/probe", true}, {"ns/frame", true}, {"ns/MiB", false},   {"ns", false},
            {"events/MiB", false},  {"ns/", false},     {"/byte", false},    {"joules/byte", false},
            {"nsx/byte", false},    {"events", false},  {"bytes/s", false},
    };
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (results_unit_is_counter(units[i].unit) != units[i].counter)
            fail_msg("'%s' %s a counter unit", units[i].unit,
                     units[i].counter ? "should be" : "is not");
    /* Row 7 is case C's perf::cycles, 6 samples (the only ones in events/byte), mux_ratio 0.5. */
    const char *dir = copy_run(*state);
    set_counter_unit(dir, "ns/byte");
    expect_valid(dir, false);
    set_field(dir, "results.csv", 7, "status", "skipped");
    set_field(dir, "results.csv", 7, "error", "counter lost its PMU");
    expect_valid(dir, false);
    dir = copy_run(*state);
    set_counter_unit(dir, "ns/MiB");
    expect_invalid(dir, false, -EBADMSG, "results.csv:7:", "not a counter");
    dir = copy_run(*state);
    set_counter_unit(dir, "ns/furlong");
    expect_invalid(dir, false, -EBADMSG, "results.csv:7:", "unknown unit 'ns/furlong'");
}

static void test_samples_count_mismatch(void **state)
{
    const char *dir = copy_run(*state);
    edit_line(dir, "samples.csv", 3, LINE_DELETE); /* one of A's throughput samples */
    expect_invalid(dir, false, -EBADMSG, "results.csv:2:", "n = 4 but samples.csv has 3");
    /* A is not the last case: a cut run does not explain it. */
    expect_invalid(dir, true, -EBADMSG, "results.csv:2:", "n = 4 but samples.csv has 3");
    dir = copy_run(*state);
    edit_line(dir, "samples.csv", 14, LINE_TWICE); /* one of C's bandwidth samples, twice */
    expect_invalid(dir, false, -EBADMSG, "samples.csv:20:", "more samples");
    dir = copy_run(*state);
    edit_line(dir, "results.csv", 3, LINE_DELETE); /* A's latency row: its samples have no row */
    expect_invalid(dir, true, -EBADMSG, "samples.csv:6:", "no row in results.csv");
    dir = copy_run(*state);
    for (int i = 0; i < 3; i++) /* all of A: its samples belong to no case at all */
        edit_line(dir, "results.csv", 2, LINE_DELETE);
    expect_invalid(dir, true, -EBADMSG, "samples.csv:2:", "no row in results.csv");
    /* D's latency row lost, and D no longer the last case: not a cut run either. */
    dir = copy_run(*state);
    edit_line(dir, "results.csv", 9, LINE_DELETE);
    edit_line(dir, "results.csv", 5, LINE_TO_END);
    expect_invalid(dir, false, -EBADMSG, "samples.csv:28:", "no row in results.csv");
    expect_invalid(dir, true, -EBADMSG, "samples.csv:28:", "no row in results.csv");
    /* A sample from a repetition the case did not take. */
    dir = copy_run(*state);
    set_field(dir, "samples.csv", 2, "rep", "4");
    expect_invalid(dir, false, -EBADMSG, "samples.csv:2:", "rep 4, but results.csv:2 took 4");
}

static void test_mux_ratio(void **state)
{
    const char *dir = copy_run(*state);
    set_field(dir, "results.csv", 7, "mux_ratio", "1.5");
    expect_invalid(dir, false, -EBADMSG, "results.csv:7:", "mux_ratio 1.5 outside [0, 1]");
    dir = copy_run(*state);
    set_field(dir, "results.csv", 6, "mux_ratio", "1");
    expect_invalid(dir, false, -EBADMSG, "results.csv:6:", "not a counter");
}

/* Schema 3's facts: a fraction is a fraction, every repetition was timed, every sample says
 * how long its repetition took. */
static void test_facts_and_durations(void **state)
{
    const char *dir = copy_run(*state);
    set_field(dir, "results.csv", 2, "huge_fraction", "1.01");
    expect_invalid(dir, false, -EBADMSG, "results.csv:2:", "huge_fraction 1.01 outside [0, 1]");
    dir = copy_run(*state);
    set_field(dir, "results.csv", 2, "min_sample_ns", "");
    expect_invalid(dir, false, -EBADMSG, "results.csv:2:", "min_sample_ns '' after 4 repetitions");
    dir = copy_run(*state);
    set_field(dir, "samples.csv", 3, "duration_ns", "0");
    expect_invalid(dir, false, -EBADMSG, "samples.csv:3:", "duration_ns '0' is not a positive");
    dir = copy_run(*state);
    set_field(dir, "results.csv", 2, "huge_fraction", "0.5");
    expect_valid(dir, false);
}

static void test_truncated_results(void **state)
{
    const char *dir = copy_run(*state);
    cut_file(dir, "results.csv", 10); /* inside D's last row */
    expect_invalid(dir, false, -EPIPE, "results.csv:9:", "truncated last row");
    struct results_validation v = expect_valid(dir, true);
    assert_true(v.truncated);
    assert_int_equal(v.rows, 7);
    assert_int_equal(v.errors, 1);
    assert_int_equal(v.samples, 28); /* D's latency samples: the cut row's */
    /* Cut at a row boundary: D's latency samples have no row, which only a cut run explains. */
    dir = copy_run(*state);
    edit_line(dir, "results.csv", 9, LINE_DELETE);
    expect_invalid(dir, false, -EBADMSG, "samples.csv:28:", "no row in results.csv");
    v = expect_valid(dir, true);
    assert_false(v.truncated);
}

static void test_truncated_samples(void **state)
{
    const char *dir = copy_run(*state);
    cut_file(dir, "samples.csv", 3); /* D's last latency sample */
    expect_invalid(dir, false, -EPIPE, "samples.csv:29:", "truncated last row");
    struct results_validation v = expect_valid(dir, true);
    assert_true(v.truncated);
    assert_int_equal(v.samples, 27);
    /* Cut at a row boundary: nothing looks truncated, but D lacks a sample. */
    dir = copy_run(*state);
    edit_line(dir, "samples.csv", 29, LINE_DELETE);
    expect_invalid(dir, false, -EBADMSG, "results.csv:9:", "n = 2 but samples.csv has 1");
    v = expect_valid(dir, true);
    assert_false(v.truncated);
}

static void test_empty_files(void **state)
{
    const char *dir = copy_run(*state);
    char path[256];
    snprintf(path, sizeof(path), "%s/samples.csv", dir);
    spit(path, "", 0);
    expect_invalid(dir, false, -EBADMSG, "samples.csv:1:", "empty file");
    /* Killed before any sample reached the disk: every case still misses its samples. */
    expect_invalid(dir, true, -EBADMSG, "results.csv:2:", "n = 4 but samples.csv has 0");
    snprintf(path, sizeof(path), "%s/results.csv", dir);
    spit(path, "", 0);
    struct results_validation v = expect_valid(dir, true);
    assert_true(v.truncated);
    assert_int_equal(v.rows, 0);
    snprintf(path, sizeof(path), "%s/metadata.csv", dir);
    unlink(path);
    expect_invalid(dir, true, -ENOENT, "metadata.csv", "No such file");
}

static void test_metadata_keys(void **state)
{
    const char *dir = copy_run(*state);
    replace_text(dir, "metadata.csv", "\n" RESULTS_SCHEMA_VERSION ",end_time,",
                 "\n" RESULTS_SCHEMA_VERSION ",end_time_was_here,");
    struct results_validation v = expect_valid(dir, false);
    assert_true(v.interrupted);
    dir = copy_run(*state);
    replace_text(dir, "metadata.csv", "\n" RESULTS_SCHEMA_VERSION ",git_sha,",
                 "\n" RESULTS_SCHEMA_VERSION ",git_shaa,");
    expect_invalid(dir, false, -EBADMSG, "metadata.csv", "no 'git_sha' key");
    dir = copy_run(*state);
    set_field(dir, "metadata.csv", 5, "key", "board");
    expect_invalid(dir, false, -EBADMSG, "metadata.csv:5:", "key 'board' again (first on line 2)");
    dir = copy_run(*state);
    replace_text(dir, "metadata.csv", "\n" RESULTS_SCHEMA_VERSION ",run_id," RUN_ID,
                 "\n" RESULTS_SCHEMA_VERSION ",run_id,20990101T000000Z");
    expect_invalid(dir, false, -EBADMSG, "results.csv:2:", "run_id '" RUN_ID "'");
}

static void test_duplicate_row(void **state)
{
    const char *dir = copy_run(*state);
    edit_line(dir, "results.csv", 5, LINE_TWICE);
    expect_invalid(dir, false, -EBADMSG, "results.csv:6:", "again (first on line 5)");
}

int main(void)
{
    const struct CMUnitTest reader[] = {
            cmocka_unit_test(test_read_quoting),
            cmocka_unit_test(test_read_embedded_newlines_and_blank_lines),
            cmocka_unit_test(test_read_crlf),
            cmocka_unit_test(test_read_empty_fields),
            cmocka_unit_test(test_read_truncated_row),
            cmocka_unit_test(test_read_malformed),
            cmocka_unit_test(test_read_file_across_chunks),
            cmocka_unit_test(test_row_find),
    };
    const struct CMUnitTest run[] = {
            cmocka_unit_test(test_written_run_is_valid),
            cmocka_unit_test(test_results_read_back_exactly),
            cmocka_unit_test(test_samples_and_metadata_read_back_exactly),
            cmocka_unit_test(test_bad_header),
            cmocka_unit_test(test_missing_field),
            cmocka_unit_test(test_bad_quote),
            cmocka_unit_test(test_schema_version),
            cmocka_unit_test(test_stats_out_of_order),
            cmocka_unit_test(test_unknown_unit_status_better),
            cmocka_unit_test(test_counter_units),
            cmocka_unit_test(test_samples_count_mismatch),
            cmocka_unit_test(test_mux_ratio),
            cmocka_unit_test(test_facts_and_durations),
            cmocka_unit_test(test_truncated_results),
            cmocka_unit_test(test_truncated_samples),
            cmocka_unit_test(test_empty_files),
            cmocka_unit_test(test_metadata_keys),
            cmocka_unit_test(test_duplicate_row),
    };
    int failed = cmocka_run_group_tests_name("csv_read", reader, NULL, NULL);
    return failed + cmocka_run_group_tests_name("results_csv", run, setup_run, teardown_run);
}
