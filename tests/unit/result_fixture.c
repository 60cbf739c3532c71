/* tests/unit/result_fixture.c - results for unit tests (see result_fixture.h). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "result_fixture.h"
#include "results_columns.h"
#include "stats.h"

struct result_set *result_fixture_load(const char *path)
{
    struct result_set *s;
    char err[1024];
    int ret = result_set_load(&s, path, err, sizeof(err));
    if (ret)
        fail_msg("%s: %d: %s", path, ret, err);
    return s;
}

char *result_fixture_schema_doc(void)
{
    static char doc[1 << 18];
    FILE *f = fopen("results/README.md", "r");
    if (!f)
        fail_msg("results/README.md: %s", strerror(errno));
    doc[fread(doc, 1, sizeof(doc) - 1, f)] = '\0';
    fclose(f);
    return doc;
}

const char *result_fixture_plant(const char *text)
{
    static char dir[64];
    snprintf(dir, sizeof(dir), "/tmp/dmabench-set-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[96];
    snprintf(path, sizeof(path), "%s/results.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    return dir;
}

/* The value rows gives column name in one row's "name=value|..." text, or "". */
static void put_cell(FILE *f, const char *row, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = row; p && *p; p = strchr(p, '|') ? strchr(p, '|') + 1 : NULL) {
        if (!strncmp(p, name, len) && p[len] == '=') {
            const char *v = p + len + 1;
            fprintf(f, "%.*s", (int)strcspn(v, "|"), v);
            return;
        }
    }
}

const char *result_fixture_plant_rows(const char *const *rows, size_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    for (size_t c = 0; c < n_results_columns; c++)
        fprintf(f, "%s%s", c ? "," : "", results_columns[c]);
    for (size_t i = 0; i < n; i++) {
        for (size_t c = 0; c < n_results_columns; c++) {
            fputs(c ? "," : "\n", f);
            put_cell(f, rows[i], results_columns[c]);
        }
    }
    fputc('\n', f);
    assert_int_equal(fclose(f), 0);
    const char *dir = result_fixture_plant(text);
    free(text);
    char path[96];
    snprintf(path, sizeof(path), "%s/samples.csv", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("schema_version,run_id,case_id,metric,unit,rep,value,duration_ns\n", f);
    assert_int_equal(fclose(f), 0);
    return dir;
}

void result_fixture_unplant(const char *dir)
{
    static const char *const files[] = {"results.csv", "samples.csv", "metadata.csv"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[96];
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

void result_fixture_time_reps(struct case_result *r, unsigned reps)
{
    r->reps = reps;
    r->rep_ns = calloc(reps ? reps : 1, sizeof(*r->rep_ns));
    assert_non_null(r->rep_ns);
    r->rep_ns_cap = reps;
    for (unsigned i = 0; i < reps; i++)
        r->rep_ns[i] = 10e6 + 1e6 * i;
}

void result_fixture_fill(struct case_result *r, unsigned reps, bool interrupted)
{
    memset(r, 0, sizeof(*r));
    r->n_metrics = 1;
    struct metric_result *m = &r->metrics[0];
    snprintf(m->name, sizeof(m->name), "alloc_throughput");
    snprintf(m->unit, sizeof(m->unit), "buffers/s");
    m->better = BETTER_HIGHER;
    m->mux_ratio = NAN;
    m->samples = calloc(reps, sizeof(double));
    m->sample_rep = calloc(reps, sizeof(unsigned));
    assert_true(m->samples && m->sample_rep);
    for (unsigned i = 0; i < reps; i++) {
        m->samples[i] = 1000 + i;
        m->sample_rep[i] = i;
    }
    m->n = m->cap = reps;
    stats_summarize(m->samples, m->n, &m->stats);
    r->facts.huge_fraction = NAN;
    result_fixture_time_reps(r, reps);
    r->stop = interrupted ? REPS_CONTINUE : REPS_STOP_FIXED;
    if (interrupted) {
        r->status = m->status = CASE_ERROR;
        r->err = m->err = -EINTR;
        snprintf(m->reason, sizeof(m->reason), RUNNER_INTERRUPTED_MARK "SIGINT after %u", reps);
    }
}
