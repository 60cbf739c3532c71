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

#include "engine.h"
#include "results_validate.h"
#include "size_units.h"

#define TABLE_COLS_MAX 16
#define TABLE_ROWS_MAX 64

struct table_metric {
    char name[COUNTER_NAME_MAX];
    bool ok;
    double median, p99, max;
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
        if (results_unit_is_counter(m->unit))
            continue; /* counters are in the CSV; the tables show the benchmark's own metrics */
        struct table_metric *tm = &k->metrics[k->n_metrics++];
        snprintf(tm->name, sizeof(tm->name), "%s", m->name);
        tm->ok = m->status == CASE_OK && m->n > 0;
        tm->median = tm->ok ? m->stats.median : NAN;
        tm->p99 = tm->ok ? m->stats.p99 : NAN;
        tm->max = tm->ok ? m->stats.max : NAN;
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

/* --- pipeline: throughput and tail latency against pool depth, one row pair per strategy ----- */

/* Frames per second read best whole: "2003", not "2e+03". */
static void rate_cell(FILE *out, double v, int width)
{
    if (!isnan(v) && v >= 100)
        fprintf(out, " %*.0f", width, v);
    else
        number_cell(out, v, width);
}

static void print_pipeline(const struct run_tables *t, FILE *out)
{
    const unsigned cols = BIT(AXIS_POOL), rows = BIT(AXIS_STRATEGY);
    bool title = false;
    for (size_t i = 0; i < t->n; i++) {
        if (!first_of_group(t, i, "pipeline", cols | rows))
            continue;
        const struct table_case *g = &t->cases[i];
        const struct table_case *col[TABLE_COLS_MAX], *strategy[TABLE_ROWS_MAX];
        size_t n_cols = distinct(t, g, cols | rows, cols, col, TABLE_COLS_MAX);
        size_t n_rows = distinct(t, g, cols | rows, rows, strategy, TABLE_ROWS_MAX);
        char size[32];
        if (!title)
            fprintf(out, "\npipeline: frames/s (median of the repetitions) and frame latency "
                         "p99 over every frame, ms; '-' did not run here (the CSV says why)\n");
        title = true;
        fprintf(out, "heap %s, frames %s (%s), engine %s\n", g->text[AXIS_HEAP],
                g->text[AXIS_FORMAT], size_format(g->bytes[AXIS_FORMAT], size, sizeof(size)),
                g->text[AXIS_ENGINE]);
        fprintf(out, "  %-24s %-11s", "strategy", "pool depth");
        for (size_t c = 0; c < n_cols; c++)
            fprintf(out, " %9s", col[c]->text[AXIS_POOL]);
        fputc('\n', out);
        for (size_t r = 0; r < n_rows; r++) {
            const struct table_case *cell[TABLE_COLS_MAX];
            for (size_t c = 0; c < n_cols; c++)
                cell[c] = cell_case(t, strategy[r], col[c], rows, cols);
            fprintf(out, "  %-24s %-11s", strategy[r]->text[AXIS_STRATEGY], "frames/s");
            for (size_t c = 0; c < n_cols; c++)
                rate_cell(out, cell[c] ? median_of(cell[c], "throughput") : NAN, 9);
            fprintf(out, "\n  %-24s %-11s", "", "p99 ms");
            for (size_t c = 0; c < n_cols; c++) {
                const struct table_metric *m = cell[c] ? metric_of(cell[c], "frame_latency") : NULL;
                number_cell(out, m && m->ok ? m->p99 / 1e6 : NAN, 9);
            }
            fputc('\n', out);
        }
    }
}

/* --- coherency: stale-line verdicts, the core-to-core matrix, false sharing, fences ---------- */

/* The worse of two verdicts: fail, then needs-sync, then pass or coherent. */
static const char *worse_verdict(const char *a, const char *b)
{
    static const char *const order[] = {"fail", "needs-sync", "pass", "coherent"};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        if (!strcmp(a, order[i]) || !strcmp(b, order[i]))
            return order[i];
    return "";
}

/* "0/0 coherent": the most stale lines in any repetition, CPU to device and back. */
static void stale_cell(FILE *out, const struct table_case *k, int width)
{
    const struct table_metric *to_dev = k ? metric_of(k, "stale_lines_cpu_to_dev") : NULL;
    const struct table_metric *to_cpu = k ? metric_of(k, "stale_lines_dev_to_cpu") : NULL;
    char text[64] = "-";
    if (to_dev && to_cpu && to_dev->ok && to_cpu->ok)
        snprintf(text, sizeof(text), "%.0f/%.0f %s", to_dev->max, to_cpu->max,
                 worse_verdict(to_dev->verdict, to_cpu->verdict));
    fprintf(out, " %*s", width, text);
}

static bool is_kernel(const struct table_case *k, const char *kernel)
{
    return !strcmp(k->bench, "coherency") && !strcmp(k->text[AXIS_KERNEL], kernel);
}

static void print_coherency_stale(const struct run_tables *t, FILE *out)
{
    const unsigned cols = BIT(AXIS_SIZE), rows = BIT(AXIS_STRATEGY);
    bool title = false;
    for (size_t i = 0; i < t->n; i++) {
        const struct table_case *g = &t->cases[i];
        if (!is_kernel(g, "stale") || !first_of_group(t, i, "coherency", cols | rows))
            continue;
        const struct table_case *col[TABLE_COLS_MAX], *strategy[TABLE_ROWS_MAX];
        size_t n_cols = distinct(t, g, cols | rows, cols, col, TABLE_COLS_MAX);
        size_t n_rows = distinct(t, g, cols | rows, rows, strategy, TABLE_ROWS_MAX);
        const struct table_case *ran = NULL;
        for (size_t j = i; j < t->n && !ran; j++)
            if (same_group(g, &t->cases[j], cols | rows) && t->cases[j].status == CASE_OK)
                ran = &t->cases[j];
        if (!title)
            fprintf(out, "\ncoherency stale: stale cache lines, the most in any repetition, CPU to "
                         "device / device to CPU, and the verdict; '-' did not run here (the CSV "
                         "says why)\n");
        title = true;
        const struct engine_ops *e = engine_find(g->text[AXIS_ENGINE]);
        fprintf(out, "heap %s, engine %s (%s%s)", g->text[AXIS_HEAP], g->text[AXIS_ENGINE],
                e ? e->label : "?",
                e && engine_can(e, ENGINE_CAP_ANY_HEAP) ? ": coherent with the CPU by construction"
                                                        : "");
        if (!ran) {
            fprintf(out, ": did not run: %s\n", g->reason);
            continue;
        }
        fprintf(out, "\n  %-24s", "strategy \\ size");
        char size[32];
        for (size_t c = 0; c < n_cols; c++)
            fprintf(out, " %18s", size_format(col[c]->bytes[AXIS_SIZE], size, sizeof(size)));
        fputc('\n', out);
        for (size_t r = 0; r < n_rows; r++) {
            fprintf(out, "  %-24s", strategy[r]->text[AXIS_STRATEGY]);
            for (size_t c = 0; c < n_cols; c++)
                stale_cell(out, cell_case(t, strategy[r], col[c], rows, cols), 18);
            fputc('\n', out);
        }
    }
}

static void print_coherency_c2c(const struct run_tables *t, FILE *out)
{
    const unsigned cols = BIT(AXIS_PEER), rows = BIT(AXIS_CPU);
    for (size_t i = 0; i < t->n; i++) {
        const struct table_case *g = &t->cases[i];
        if (!is_kernel(g, "c2c") || !first_of_group(t, i, "coherency", cols | rows))
            continue;
        const struct table_case *peer[SWEEP_MAX_VALUES], *cpu[SWEEP_MAX_VALUES];
        size_t n_cols = distinct(t, g, cols | rows, cols, peer, SWEEP_MAX_VALUES);
        size_t n_rows = distinct(t, g, cols | rows, rows, cpu, SWEEP_MAX_VALUES);
        const struct table_case *ran = NULL, *why = g;
        for (size_t j = i; j < t->n && !ran; j++) {
            const struct table_case *k = &t->cases[j];
            if (!same_group(g, k, cols | rows))
                continue;
            if (k->status == CASE_OK)
                ran = k;
            else if (why == g && k->number[AXIS_CPU] != k->number[AXIS_PEER])
                why = k; /* the diagonal's reason says nothing about the others */
        }
        if (!ran) {
            fprintf(out, "\ncoherency c2c, heap %s: did not run: %s\n", g->text[AXIS_HEAP],
                    why->reason);
            continue;
        }
        fprintf(out,
                "\ncoherency c2c: core-to-core cache-line transfer, ns one way (median), heap "
                "%s; '-' did not run here (the same CPU, or the CSV says why)\n",
                g->text[AXIS_HEAP]);
        fprintf(out, "  %-10s", "cpu \\ peer");
        for (size_t c = 0; c < n_cols; c++)
            fprintf(out, " %7s", peer[c]->text[AXIS_PEER]);
        fputc('\n', out);
        for (size_t r = 0; r < n_rows; r++) {
            fprintf(out, "  %-10s", cpu[r]->text[AXIS_CPU]);
            for (size_t c = 0; c < n_cols; c++) {
                const struct table_case *k = cell_case(t, cpu[r], peer[c], rows, cols);
                number_cell(out, k ? median_of(k, "c2c_latency") : NAN, 7);
            }
            fputc('\n', out);
        }
    }
}

/* One line per heap: false sharing, then the fence latency, or why they did not run. */
static void print_coherency_lines(const struct run_tables *t, FILE *out)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct table_case *k = &t->cases[i];
        bool fs = is_kernel(k, "false-sharing"), fence = is_kernel(k, "fence");
        if (!fs && !fence)
            continue;
        /* Fences come from more than one source (vgem, sw_sync): name the one of this line. */
        fprintf(out, "\ncoherency %s, heap %s%s%s: ", k->text[AXIS_KERNEL], k->text[AXIS_HEAP],
                fence ? ", fences from " : "", fence ? k->text[AXIS_ENGINE] : "");
        double shared = median_of(k, "increment_time_shared_line"),
               own = median_of(k, "increment_time_own_lines"),
               cost = median_of(k, "false_sharing_cost"), wake = median_of(k, "fence_latency");
        if (k->status != CASE_OK)
            fprintf(out, "%s: %s\n", case_status_name(k->status), k->reason);
        else if (fs)
            fprintf(out,
                    "%.3g ns per increment with both counters in one line, %.3g ns in "
                    "lines of their own (the job's first two CPUs): %.3gx (median)\n",
                    shared, own, cost);
        else
            fprintf(out, "%.3g us from the signal to the poll() wake-up (median)\n", wake / 1e3);
    }
}

/* One line per heap: what the stale-line probe says about it, without sync and with. */
static void print_coherency_verdicts(const struct run_tables *t, FILE *out)
{
    static const char *const stale_metrics[] = {"stale_lines_cpu_to_dev", "stale_lines_dev_to_cpu"};
    for (size_t i = 0; i < t->n; i++) {
        const struct table_case *h = &t->cases[i];
        bool first = is_kernel(h, "stale");
        for (size_t j = 0; first && j < i; j++)
            first = !is_kernel(&t->cases[j], "stale") ||
                    strcmp(t->cases[j].text[AXIS_HEAP], h->text[AXIS_HEAP]);
        if (!first)
            continue;
        const char *unsynced = "", *synced = "";
        double most = 0, most_synced = 0;
        size_t probes = 0;
        bool device = false;
        for (size_t j = i; j < t->n; j++) {
            const struct table_case *k = &t->cases[j];
            if (!is_kernel(k, "stale") || strcmp(k->text[AXIS_HEAP], h->text[AXIS_HEAP]) ||
                k->status != CASE_OK)
                continue;
            const struct engine_ops *e = engine_find(k->text[AXIS_ENGINE]);
            device |= e && !engine_can(e, ENGINE_CAP_ANY_HEAP);
            bool none = !strcmp(k->text[AXIS_STRATEGY], "none");
            probes += none;
            for (size_t m = 0; m < 2; m++) {
                const struct table_metric *tm = metric_of(k, stale_metrics[m]);
                if (!tm || !tm->ok)
                    continue;
                double *worst = none ? &most : &most_synced;
                *worst = tm->max > *worst ? tm->max : *worst;
                if (none)
                    unsynced = worse_verdict(unsynced, tm->verdict);
                else
                    synced = worse_verdict(synced, tm->verdict);
            }
        }
        if (!*unsynced && !*synced)
            continue;
        fprintf(out, "verdict: heap %s", h->text[AXIS_HEAP]);
        if (!strcmp(unsynced, "coherent"))
            fprintf(out, " is coherent: no stale line without sync in %zu probe%s", probes,
                    probes == 1 ? "" : "s");
        else if (*unsynced)
            fprintf(out, " NEEDS SYNC: up to %.0f stale lines without it", most);
        if (*synced)
            fprintf(out, "%s%s", *unsynced ? "; " : ": ",
                    !strcmp(synced, "pass") ? "every sync strategy kept it coherent"
                                            : "a sync strategy FAILED");
        if (!strcmp(synced, "fail"))
            fprintf(out, " (up to %.0f stale lines)", most_synced);
        if (!device)
            fputs(" (CPU engine only: a device may see it otherwise)", out);
#if defined(__x86_64__)
        if (!strcmp(unsynced, "coherent"))
            fputs("; x86-64 is IO-coherent: DMA snoops the CPU caches", out);
#endif
        fputc('\n', out);
    }
}

static void print_coherency(const struct run_tables *t, FILE *out)
{
    print_coherency_stale(t, out);
    print_coherency_verdicts(t, out);
    print_coherency_c2c(t, out);
    print_coherency_lines(t, out);
}

static const struct table_printer printers[] = {
        {"sync", print_sync},
        {"coherency", print_coherency},
        {"pipeline", print_pipeline},
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
