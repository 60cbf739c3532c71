/* bench/analysis/compare_samples.c - reads samples.csv into one series per (case_id, metric).
 *
 * The writer puts a case's samples together, so a new series starts whenever the key changes;
 * series are then sorted by key and any key seen twice (files concatenated by hand) merged, so
 * a lookup is a binary search.
 */
#include "compare_samples.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_read.h"
#include "results_csv.h"

static int fail(char *err, size_t err_len, int ret, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t err_len, int ret, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
    return ret;
}

static int compare_keys(const char *case_a, const char *metric_a, const char *case_b,
                        const char *metric_b)
{
    int c = strcmp(case_a, case_b);
    return c ? c : strcmp(metric_a, metric_b);
}

static int compare_series(const void *a, const void *b)
{
    const struct sample_series *x = a, *y = b;
    int c = compare_keys(x->case_id, x->metric, y->case_id, y->metric);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

static struct sample_series *new_series(struct sample_index *idx, size_t *cap, const char *case_id,
                                        const char *metric, unsigned long line)
{
    if (idx->n == *cap) {
        size_t cap2 = *cap ? 2 * *cap : 64;
        struct sample_series *s = realloc(idx->series, cap2 * sizeof(*s));
        if (!s)
            return NULL;
        idx->series = s;
        *cap = cap2;
    }
    size_t lc = strlen(case_id) + 1, lm = strlen(metric) + 1;
    char *text = malloc(lc + lm);
    if (!text)
        return NULL;
    struct sample_series *s = &idx->series[idx->n++];
    *s = (struct sample_series){.case_id = memcpy(text, case_id, lc),
                                .metric = memcpy(text + lc, metric, lm),
                                .line = line,
                                .duration_ns = NAN};
    return s;
}

static int push_value(struct sample_series *s, double v)
{
    if (s->n == s->cap) {
        size_t cap2 = s->cap ? 2 * s->cap : 16;
        double *values = realloc(s->values, cap2 * sizeof(*values));
        if (!values)
            return -ENOMEM;
        s->values = values;
        s->cap = cap2;
    }
    s->values[s->n++] = v;
    return 0;
}

/* Sort, then fold each run of equal keys into its first series. */
static int merge_series(struct sample_index *idx)
{
    if (!idx->n)
        return 0;
    qsort(idx->series, idx->n, sizeof(*idx->series), compare_series);
    size_t out = 0;
    for (size_t i = 1; i < idx->n; i++) {
        struct sample_series *keep = &idx->series[out], *s = &idx->series[i];
        if (compare_keys(keep->case_id, keep->metric, s->case_id, s->metric) != 0) {
            idx->series[++out] = *s;
            continue;
        }
        for (size_t k = 0; k < s->n; k++)
            if (push_value(keep, s->values[k]))
                return -ENOMEM;
        if (!isnan(s->duration_ns))
            keep->duration_ns = (isnan(keep->duration_ns) ? 0 : keep->duration_ns) + s->duration_ns;
        free(s->case_id);
        free(s->values);
    }
    idx->n = out + 1;
    return 0;
}

static bool parse_value(const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    return *s && !isspace((unsigned char)*s) && !*end && isfinite(*out);
}

struct columns {
    int schema, case_id, metric, value, rep, duration; /* rep, duration: -1 when absent */
    size_t n;
};

/* Where the reading is: the series rows go to and the repetition its last row came from. */
struct read_state {
    struct sample_series *cur;
    size_t cap;
    const char *last_rep; /* in the series' own row; NULL at a series' start */
    char rep[32];
};

static int take_header(const struct sample_index *idx, const struct csv_row *row, struct columns *c,
                       char *err, size_t err_len)
{
    *c = (struct columns){.schema = csv_row_find(row, "schema_version"),
                          .case_id = csv_row_find(row, "case_id"),
                          .metric = csv_row_find(row, "metric"),
                          .value = csv_row_find(row, "value"),
                          .rep = csv_row_find(row, "rep"),
                          .duration = csv_row_find(row, "duration_ns"),
                          .n = row->n};
    const char *missing = c->case_id < 0  ? "case_id"
                          : c->metric < 0 ? "metric"
                          : c->value < 0  ? "value"
                                          : NULL;
    if (missing)
        return fail(err, err_len, -EBADMSG, "%s:%lu: no '%s' column: not a dmabench samples.csv",
                    idx->path, row->line, missing);
    return 0;
}

/* A repetition's duration counts once: at its first sample in the series. */
static void add_duration(struct read_state *st, const struct columns *c, const struct csv_row *row)
{
    double d;
    if (c->duration < 0 || c->rep < 0 || !parse_value(row->fields[c->duration], &d))
        return;
    const char *rep = row->fields[c->rep];
    if (st->last_rep && !strcmp(st->rep, rep))
        return;
    snprintf(st->rep, sizeof(st->rep), "%s", rep);
    st->last_rep = st->rep;
    st->cur->duration_ns = (isnan(st->cur->duration_ns) ? 0 : st->cur->duration_ns) + d;
}

static int take_row(struct sample_index *idx, const struct columns *c, const struct csv_row *row,
                    struct read_state *st, char *err, size_t err_len)
{
    if (row->n != c->n)
        return fail(err, err_len, -EBADMSG, "%s:%lu: %zu fields, the header has %zu", idx->path,
                    row->line, row->n, c->n);
    if (c->schema >= 0 && !results_schema_readable(row->fields[c->schema]))
        return fail(err, err_len, -EBADMSG,
                    "%s:%lu: schema_version '%s': this dmabench reads "
                    "versions " RESULTS_SCHEMA_READABLE,
                    idx->path, row->line, row->fields[c->schema]);
    const char *case_id = row->fields[c->case_id], *metric = row->fields[c->metric];
    double v;
    if (!parse_value(row->fields[c->value], &v))
        return fail(err, err_len, -EBADMSG, "%s:%lu: value '%s' is not a finite number", idx->path,
                    row->line, row->fields[c->value]);
    if (!st->cur || compare_keys(st->cur->case_id, st->cur->metric, case_id, metric) != 0) {
        if (!(st->cur = new_series(idx, &st->cap, case_id, metric, row->line)))
            return -ENOMEM;
        st->last_rep = NULL;
    }
    add_duration(st, c, row);
    return push_value(st->cur, v);
}

static int read_samples(struct sample_index *idx, char *err, size_t err_len)
{
    struct csv_reader *r;
    int ret = csv_reader_open(&r, idx->path, err, err_len);
    if (ret)
        return ret;
    struct columns c = {0};
    struct csv_row row;
    struct read_state st = {0};
    bool header = true;
    while ((ret = csv_reader_next(r, &row)) > 0) {
        ret = header ? take_header(idx, &row, &c, err, err_len)
                     : take_row(idx, &c, &row, &st, err, err_len);
        if (ret)
            break;
        header = false;
    }
    if (ret == -EPIPE && !header) {
        idx->truncated_line = row.line; /* a killed run: every complete row still counts */
        ret = 0;
    } else if (ret < 0 && ret != -ENOMEM && !*err) {
        snprintf(err, err_len, "%s", csv_reader_error(r));
    } else if (ret == 0 && header) {
        ret = fail(err, err_len, -EBADMSG, "%s:1: empty file, expected the header", idx->path);
    }
    csv_reader_close(r);
    return ret;
}

int sample_index_load(struct sample_index **out, const char *dir, char *err, size_t err_len)
{
    *out = NULL;
    err[0] = '\0';
    struct sample_index *idx = calloc(1, sizeof(*idx));
    if (!idx || asprintf(&idx->path, "%s/samples.csv", dir) < 0) {
        free(idx);
        return fail(err, err_len, -ENOMEM, "%s: out of memory", dir);
    }
    int ret = read_samples(idx, err, err_len);
    if (!ret)
        ret = merge_series(idx);
    if (ret == -ENOMEM && !*err)
        snprintf(err, err_len, "%s: out of memory", idx->path);
    if (ret) {
        sample_index_free(idx);
        return ret;
    }
    *out = idx;
    return 0;
}

const struct sample_series *sample_index_find(const struct sample_index *idx, const char *case_id,
                                              const char *metric)
{
    size_t lo = 0, hi = idx->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct sample_series *s = &idx->series[mid];
        int c = compare_keys(s->case_id, s->metric, case_id, metric);
        if (c == 0)
            return s;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void sample_index_free(struct sample_index *idx)
{
    if (!idx)
        return;
    for (size_t i = 0; i < idx->n; i++) {
        free(idx->series[i].case_id);
        free(idx->series[i].values);
    }
    free(idx->series);
    free(idx->path);
    free(idx);
}
