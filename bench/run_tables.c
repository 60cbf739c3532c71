/* bench/run_tables.c - grids of medians for the sync, coherency and pipeline benchmarks.
 *
 * Rows are kept as the axis texts and metric medians of each case, in run order. A table is a
 * group of cases that share every parameter but the two it is drawn over (strategy down,
 * region size across, say), so a sweep of several buffer sizes prints one grid per size.
 */
#include "run_tables.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "size_units.h"

#define TABLE_COLS_MAX 16
#define TABLE_ROWS_MAX 64

struct table_metric {
    char name[COUNTER_NAME_MAX];
    bool ok;
    double median, p99;
    char verdict[16];
};

struct table_case {
    char bench[32];
    char text[N_SWEEP_AXES][SWEEP_TEXT_MAX]; /* "" for axes the case does not use */
    size_t bytes[N_SWEEP_AXES];
    long number[N_SWEEP_AXES];
    enum case_status status;
    char reason[192];
    size_t n_metrics;
    struct table_metric metrics[BENCH_MAX_METRICS];
};

struct run_tables {
    size_t n, cap;
    struct table_case *cases;
};

/* One printer per benchmark that has tables. */
struct table_printer {
    const char *bench;
    void (*print)(const struct run_tables *t, FILE *out);
};

static const struct table_printer *printer_for(const char *bench);

int run_tables_add(struct run_tables **tp, const struct bench_case *c, const struct case_result *r)
{
    if (!printer_for(c->job->bench))
        return 0;
    struct run_tables *t = *tp;
    if (!t && !(t = *tp = calloc(1, sizeof(*t))))
        return -ENOMEM;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        struct table_case *grown = realloc(t->cases, cap * sizeof(*grown));
        if (!grown)
            return -ENOMEM;
        t->cases = grown;
        t->cap = cap;
    }
    struct table_case *k = &t->cases[t->n++];
    memset(k, 0, sizeof(*k));
    snprintf(k->bench, sizeof(k->bench), "%s", c->job->bench);
    for (int a = 0; a < N_SWEEP_AXES; a++) {
        if (!c->value[a])
            continue;
        snprintf(k->text[a], sizeof(k->text[a]), "%s", c->value[a]->text);
        k->bytes[a] = c->value[a]->bytes;
        k->number[a] = c->value[a]->number;
    }
    k->status = r->status;
    snprintf(k->reason, sizeof(k->reason), "%s", r->reason);
    for (size_t i = 0; i < r->n_metrics && k->n_metrics < BENCH_MAX_METRICS; i++) {
        const struct metric_result *m = &r->metrics[i];
        if (!strncmp(m->unit, "events/", 7))
            continue; /* counters are in the CSV; the tables show the benchmark's own metrics */
        struct table_metric *tm = &k->metrics[k->n_metrics++];
        snprintf(tm->name, sizeof(tm->name), "%s", m->name);
        tm->ok = m->status == CASE_OK && m->n > 0;
        tm->median = tm->ok ? m->stats.median : NAN;
        tm->p99 = tm->ok ? m->stats.p99 : NAN;
        snprintf(tm->verdict, sizeof(tm->verdict), "%s",
                 bench_verdict(c, m->name, tm->ok, &m->stats));
    }
    return 0;
}

void run_tables_free(struct run_tables *t)
{
    if (!t)
        return;
    free(t->cases);
    free(t);
}

/* --- helpers for every table ----------------------------------------------------------------- */

static const struct table_metric *metric_of(const struct table_case *k, const char *name)
{
    for (size_t i = 0; i < k->n_metrics; i++)
        if (!strcmp(k->metrics[i].name, name))
            return &k->metrics[i];
    return NULL;
}

/* The median of a metric, NAN when the case did not produce it. */
static double median_of(const struct table_case *k, const char *name)
{
    const struct table_metric *m = metric_of(k, name);
    return m && m->ok ? m->median : NAN;
}

/* Whether two cases belong to one table: equal on every axis but those in `except`. */
static bool same_group(const struct table_case *a, const struct table_case *b, unsigned except)
{
    if (strcmp(a->bench, b->bench))
        return false;
    for (int x = 0; x < N_SWEEP_AXES; x++)
        if (!(except & (1u << x)) && strcmp(a->text[x], b->text[x]))
            return false;
    return true;
}

/* Distinct texts of one axis among the cases of a group, in first-seen order. */
static size_t distinct(const struct run_tables *t, const struct table_case *group, unsigned except,
                       unsigned axes, const struct table_case **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++) {
        const struct table_case *k = &t->cases[i];
        if (!same_group(group, k, except))
            continue;
        bool seen = false;
        for (size_t j = 0; j < n && !seen; j++) {
            seen = true;
            for (int x = 0; x < N_SWEEP_AXES; x++)
                if ((axes & (1u << x)) && strcmp(out[j]->text[x], k->text[x]))
                    seen = false;
        }
        if (!seen && n < max)
            out[n++] = k;
    }
    return n;
}

/* The case of a group at (row, col), or NULL. */
static const struct table_case *cell_case(const struct run_tables *t, const struct table_case *row,
                                          const struct table_case *col, unsigned row_axes,
                                          unsigned col_axes)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct table_case *k = &t->cases[i];
        if (same_group(row, k, col_axes) && same_group(col, k, row_axes))
            return k;
    }
    return NULL;
}

/* Whether case i is the first of its group (so each group prints once). */
static bool first_of_group(const struct run_tables *t, size_t i, const char *bench, unsigned except)
{
    if (strcmp(t->cases[i].bench, bench))
        return false;
    for (size_t j = 0; j < i; j++)
        if (same_group(&t->cases[j], &t->cases[i], except))
            return false;
    return true;
}

/* A number in a fixed width with three significant digits, or "-". */
static void number_cell(FILE *out, double v, int width)
{
    char text[32] = "-";
    if (!isnan(v))
        snprintf(text, sizeof(text), "%.3g", v);
    fprintf(out, " %*s", width, text);
}

#define BIT(axis) (1u << (axis))

/* --- sync: cost against region size, one row per direction and strategy ---------------------- */

static void print_sync(const struct run_tables *t, FILE *out)
{
    const unsigned cols = BIT(AXIS_REGION);
    const unsigned rows = BIT(AXIS_DIRECTION) | BIT(AXIS_STRATEGY);
    bool title = false;
    for (size_t i = 0; i < t->n; i++) {
        if (!first_of_group(t, i, "sync", cols | rows))
            continue;
        const struct table_case *g = &t->cases[i];
        const struct table_case *col[TABLE_COLS_MAX], *dir[4], *strategy[TABLE_ROWS_MAX];
        size_t n_cols = distinct(t, g, cols | rows, cols, col, TABLE_COLS_MAX);
        size_t n_dirs = distinct(t, g, cols | rows, BIT(AXIS_DIRECTION), dir, 4);
        size_t n_strategies =
                distinct(t, g, cols | rows, BIT(AXIS_STRATEGY), strategy, TABLE_ROWS_MAX);
        char size[32], offset[32];
        if (!title)
            fprintf(out, "\nsync: one CPU access window (begin + end), us, median; '-' did not "
                         "run here (the CSV says why)\n");
        title = true;
        fprintf(out,
                "heap %s, buffer %s, %s region%s per sync from offset %s, %s lines, "
                "%s importer%s\n",
                g->text[AXIS_HEAP], size_format(g->bytes[AXIS_SIZE], size, sizeof(size)),
                g->text[AXIS_REGIONS], g->number[AXIS_REGIONS] == 1 ? "" : "s",
                size_format(g->bytes[AXIS_REGION_OFFSET], offset, sizeof(offset)),
                g->text[AXIS_LINES], g->text[AXIS_IMPORTERS],
                g->number[AXIS_IMPORTERS] == 1 ? "" : "s");
        fprintf(out, "  %-9s %-24s", "direction", "strategy \\ region");
        for (size_t c = 0; c < n_cols; c++)
            fprintf(out, " %9s", size_format(col[c]->bytes[AXIS_REGION], size, sizeof(size)));
        fputc('\n', out);
        /* Grouped by direction, strategies in sweep order within each. */
        for (size_t d = 0; d < n_dirs; d++) {
            for (size_t r = 0; r < n_strategies; r++) {
                struct table_case row = *g;
                snprintf(row.text[AXIS_DIRECTION], SWEEP_TEXT_MAX, "%s",
                         dir[d]->text[AXIS_DIRECTION]);
                snprintf(row.text[AXIS_STRATEGY], SWEEP_TEXT_MAX, "%s",
                         strategy[r]->text[AXIS_STRATEGY]);
                fprintf(out, "  %-9s %-24s", row.text[AXIS_DIRECTION], row.text[AXIS_STRATEGY]);
                for (size_t c = 0; c < n_cols; c++) {
                    const struct table_case *k = cell_case(t, &row, col[c], rows, cols);
                    number_cell(out, k ? median_of(k, "sync_cost") / 1e3 : NAN, 9);
                }
                fputc('\n', out);
            }
        }
    }
}

static const struct table_printer printers[] = {
        {"sync", print_sync},
};

static const struct table_printer *printer_for(const char *bench)
{
    for (size_t i = 0; i < sizeof(printers) / sizeof(printers[0]); i++)
        if (!strcmp(printers[i].bench, bench))
            return &printers[i];
    return NULL;
}

void run_tables_print(const struct run_tables *t, FILE *out)
{
    if (!t)
        return;
    for (size_t i = 0; i < sizeof(printers) / sizeof(printers[0]); i++)
        printers[i].print(t, out);
}
