/* plot/plot_select.c - rows -> series: the query's rows, grouped by the parameters that vary.
 *
 * Labels name only what tells lines apart ("host read:avx2 threads=2"): a parameter that has
 * one value in the whole plot belongs in the title, not in every key entry.
 */
#include "plot_select.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results_csv.h"
#include "size_units.h"

/* Shown as the bare value in labels, first and in this order; any other parameter is NAME=VALUE
 * in column order. */
static const char *const bare_parameters[] = {"heap", "kernel", "metric", "strategy"};

char *plot_param_key(const struct result_set *s, const struct result_row *r, int skip_col)
{
    size_t len = 1;
    for (size_t c = 0; c < s->n_cols; c++)
        if ((int)c != skip_col && results_column_is_parameter(s->cols[c]))
            len += strlen(r->f[c]) + 1;
    char *key = malloc(len), *p = key;
    if (!key)
        return NULL;
    for (size_t c = 0; c < s->n_cols; c++) {
        if ((int)c != skip_col && results_column_is_parameter(s->cols[c])) {
            size_t l = strlen(r->f[c]);
            memcpy(p, r->f[c], l);
            p += l;
            *p++ = '\x1f'; /* a unit separator: in no field */
        }
    }
    *p = '\0';
    return key;
}

static int bare_rank(const char *name)
{
    for (size_t i = 0; i < sizeof(bare_parameters) / sizeof(*bare_parameters); i++)
        if (strcmp(name, bare_parameters[i]) == 0)
            return (int)i;
    return -1;
}

/* One label part, after a space unless it is the first: "host", "threads=2", "size=64MiB" (a
 * *_bytes column without its suffix). */
static void append_part(char *out, size_t len, size_t *used, const char *col, const char *value)
{
    if (*used >= len)
        return;
    const char *sep = *used ? " " : "";
    size_t n = strlen(col), suffix = strlen("_bytes");
    char size[32];
    int w;
    if (bare_rank(col) >= 0)
        w = snprintf(out + *used, len - *used, "%s%s", sep, value);
    else if (n > suffix && strcmp(col + n - suffix, "_bytes") == 0)
        w = snprintf(out + *used, len - *used, "%s%.*s=%s", sep, (int)(n - suffix), col,
                     size_format_compact((size_t)strtod(value, NULL), size, sizeof(size)));
    else
        w = snprintf(out + *used, len - *used, "%s%s=%s", sep, col, value);
    if (w > 0)
        *used += (size_t)w;
}

/* Label order: the bare parameters in bare_parameters' order, then the rest in column order.
 * Fills order[] with column indexes and returns how many. */
static size_t label_order(const struct result_set *s, int *order)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof(bare_parameters) / sizeof(*bare_parameters); i++) {
        int c = result_set_col(s, bare_parameters[i]);
        if (c >= 0)
            order[n++] = c;
    }
    for (size_t c = 0; c < s->n_cols; c++)
        if (bare_rank(s->cols[c]) < 0 && results_column_is_parameter(s->cols[c]))
            order[n++] = (int)c;
    return n;
}

/* Two different values that are not empty: a column that some benchmarks leave empty (threads
 * for alloc rows) does not tell rows apart by being empty. */
static int varies(const struct result_row *const *rows, size_t n, int col)
{
    const char *seen = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *v = rows[i]->f[col];
        if (!*v)
            continue;
        if (seen && strcmp(v, seen) != 0)
            return 1;
        seen = v;
    }
    return 0;
}

int plot_label_rows(const struct result_set *s, const struct result_row *const *rows, size_t n,
                    const int *skip_cols, size_t n_skip, char **labels)
{
    int *vary = calloc(s->n_cols + 1, sizeof(*vary));
    if (!vary)
        return -ENOMEM;
    size_t n_vary = label_order(s, vary), kept = 0;
    for (size_t k = 0; k < n_vary; k++) {
        int skip = 0;
        for (size_t j = 0; j < n_skip; j++)
            skip |= skip_cols[j] == vary[k];
        if (!skip && varies(rows, n, vary[k]))
            vary[kept++] = vary[k];
    }
    n_vary = kept;
    int ret = 0;
    for (size_t i = 0; i < n; i++) {
        char label[256] = "";
        size_t used = 0;
        for (size_t k = 0; k < n_vary; k++)
            if (rows[i]->f[vary[k]][0])
                append_part(label, sizeof(label), &used, s->cols[vary[k]], rows[i]->f[vary[k]]);
        if (!(labels[i] = strdup(label))) {
            while (i--) {
                free(labels[i]);
                labels[i] = NULL;
            }
            ret = -ENOMEM;
            break;
        }
    }
    free(vary);
    return ret;
}

static int first_col(const struct result_set *s, const char *const *names)
{
    for (; names && *names; names++) {
        int c = result_set_col(s, *names);
        if (c >= 0)
            return c;
    }
    return -1;
}

static int candidate(const struct result_set *s, const struct plot_query *q,
                     const struct result_row *r, int x_col, int y_col)
{
    return result_row_measured(s, r) &&
           (q->bench == BENCH_NONE || bench_is(result_text(r, s->c.bench), q->bench)) &&
           *result_text(r, x_col) && (y_col < 0 || *result_text(r, y_col));
}

/* The metric (or the unit) the plot shows, from the query's preferences. */
static void choose_metric(const struct result_set *s, const struct plot_query *q, int x_col,
                          int y_col, struct plot_selection *out)
{
    for (const char *const *m = q->metrics; m && *m; m++) {
        for (size_t i = 0; i < s->n_rows; i++) {
            const struct result_row *r = &s->rows[i];
            if (candidate(s, q, r, x_col, y_col) && !strcmp(result_text(r, s->c.metric), *m)) {
                snprintf(out->metric, sizeof(out->metric), "%s", *m);
                snprintf(out->unit, sizeof(out->unit), "%s", result_text(r, s->c.unit));
                return;
            }
        }
    }
    for (const char *const *u = q->units; u && *u; u++) {
        for (size_t i = 0; i < s->n_rows; i++) {
            const struct result_row *r = &s->rows[i];
            if (candidate(s, q, r, x_col, y_col) && !strcmp(result_text(r, s->c.unit), *u)) {
                snprintf(out->unit, sizeof(out->unit), "%s", *u);
                return;
            }
        }
    }
}

static int parse_axis(const struct result_set *s, const struct result_row *r, int col, double *out,
                      char *err, size_t err_len)
{
    const char *text = result_text(r, col);
    char *end;
    *out = strtod(text, &end);
    if (*end || end == text || !isfinite(*out)) {
        snprintf(err, err_len, "%s:%lu: %s '%s' is not a number", s->results_path, r->line,
                 s->cols[col], text);
        return -EBADMSG;
    }
    return 0;
}

static struct plot_point point_of(const struct result_set *s, const struct result_row *r)
{
    double median = result_num(r, s->c.median), lo = result_num(r, s->c.ci_low),
           hi = result_num(r, s->c.ci_high);
    return (struct plot_point){
            .median = median,
            .lo = isnan(lo) ? median : lo,
            .hi = isnan(hi) ? median : hi,
            .p90 = result_num(r, s->c.p90),
            .p99 = result_num(r, s->c.p99),
            .row = r,
    };
}

static int add_point(struct plot_selection *sel, const char *label, struct plot_point p)
{
    struct plot_series *ser = NULL;
    for (size_t i = 0; i < sel->n_series && !ser; i++)
        if (strcmp(sel->series[i].label, label) == 0)
            ser = &sel->series[i];
    if (!ser) {
        struct plot_series *all = realloc(sel->series, (sel->n_series + 1) * sizeof(*sel->series));
        if (!all)
            return -ENOMEM;
        sel->series = all;
        ser = &all[sel->n_series];
        *ser = (struct plot_series){.label = strdup(label)};
        if (!ser->label)
            return -ENOMEM;
        sel->n_series++;
    }
    struct plot_point *pts = realloc(ser->pts, (ser->n + 1) * sizeof(*pts));
    if (!pts)
        return -ENOMEM;
    ser->pts = pts;
    pts[ser->n++] = p;
    sel->n_points++;
    return 0;
}

/* The bare parameters that every row shares, for the title: "heap host, kernel chase". */
static void describe_common(const struct result_set *s, const struct result_row *const *rows,
                            size_t n, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof(bare_parameters) / sizeof(*bare_parameters); i++) {
        int c = result_set_col(s, bare_parameters[i]);
        if (c < 0 || !*rows[0]->f[c] || varies(rows, n, c) || !strcmp(s->cols[c], "metric") ||
            used >= len)
            continue;
        int w = snprintf(out + used, len - used, "%s%s %s", used ? ", " : "", s->cols[c],
                         rows[0]->f[c]);
        if (w > 0)
            used += (size_t)w;
    }
}

static int by_axes(const void *a, const void *b)
{
    const struct plot_point *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return (p->y > q->y) - (p->y < q->y);
}

int plot_select(const struct result_set *s, const struct plot_query *q, struct plot_selection *out,
                char *err, size_t err_len)
{
    *out = (struct plot_selection){.x_col = first_col(s, q->x_cols), .y_col = -1};
    if (q->xy_cols) {
        out->x_col = -1;
        for (size_t i = 0; q->xy_cols[i][0] && out->x_col < 0; i++) {
            int x = result_set_col(s, q->xy_cols[i][0]), y = result_set_col(s, q->xy_cols[i][1]);
            if (x >= 0 && y >= 0) {
                out->x_col = x;
                out->y_col = y;
            }
        }
    }
    if (out->x_col < 0)
        return 0;
    choose_metric(s, q, out->x_col, out->y_col, out);
    if (!out->unit[0])
        return 0;

    const struct result_row **rows = calloc(s->n_rows + 1, sizeof(*rows));
    char **labels = calloc(s->n_rows + 1, sizeof(*labels));
    size_t n = 0;
    int ret = rows && labels ? 0 : -ENOMEM;
    for (size_t i = 0; i < s->n_rows && !ret; i++) {
        const struct result_row *r = &s->rows[i];
        if (candidate(s, q, r, out->x_col, out->y_col) &&
            !strcmp(result_text(r, s->c.unit), out->unit) &&
            (!out->metric[0] || !strcmp(result_text(r, s->c.metric), out->metric)))
            rows[n++] = r;
    }
    int skip[2] = {out->x_col, out->y_col};
    if (!ret && n) {
        ret = plot_label_rows(s, rows, n, skip, out->y_col >= 0 ? 2 : 1, labels);
        describe_common(s, rows, n, out->common, sizeof(out->common));
    }
    for (size_t i = 0; i < n && !ret; i++) {
        struct plot_point p = point_of(s, rows[i]);
        ret = parse_axis(s, rows[i], out->x_col, &p.x, err, err_len);
        if (!ret && out->y_col >= 0)
            ret = parse_axis(s, rows[i], out->y_col, &p.y, err, err_len);
        if (!ret)
            ret = add_point(out, labels[i], p);
    }
    for (size_t i = 0; labels && i < n; i++)
        free(labels[i]);
    free(labels);
    free(rows);
    if (ret) {
        plot_selection_free(out);
        return ret;
    }
    for (size_t i = 0; i < out->n_series; i++)
        qsort(out->series[i].pts, out->series[i].n, sizeof(struct plot_point), by_axes);
    return 0;
}

void plot_selection_free(struct plot_selection *sel)
{
    for (size_t i = 0; i < sel->n_series; i++) {
        free(sel->series[i].label);
        free(sel->series[i].pts);
    }
    free(sel->series);
    sel->series = NULL;
    sel->n_series = sel->n_points = 0;
}
