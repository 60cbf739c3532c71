/* bench/analysis/report_tables.c - cached/uncached bandwidth, sync per MiB, alloc percentiles,
 * verdicts.
 *
 * The sync and alloc tables read the same selection as their plots (plot.c's queries), so a
 * table and the plot above it always show the same rows.
 */
#include "report_tables.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bench_list.h"
#include "plot.h"
#include "plot_select.h"
#include "report_md.h"
#include "results_validate.h"

#define MIB 1048576.0

void report_kernel_op(const char *kernel, char *op, size_t len)
{
    snprintf(op, len, "%.*s", (int)strcspn(kernel, ":"), kernel);
}

static bool is_bandwidth(const struct result_set *s, const struct result_row *r)
{
    return result_row_measured(s, r) && bench_is(result_text(r, s->c.bench), BENCH_cpu) &&
           !strcmp(result_text(r, s->c.metric), "bandwidth");
}

static bool class_is(const struct result_set *s, const struct result_row *r, bool cached)
{
    const char *c = result_text(r, s->c.heap_class);
    return cached ? !strcmp(c, "cached") || !strcmp(c, "contiguous") : !strcmp(c, "uncached");
}

/* Pairs with a cached row from a dma-buf heap (not process memory) when any_host is false. */
static int find_pairs(const struct result_set *s, bool any_host, struct class_pair **out, size_t *n)
{
    size_t cap = 0;
    for (size_t i = 0; i < s->n_rows; i++) {
        const struct result_row *u = &s->rows[i];
        if (!is_bandwidth(s, u) || !class_is(s, u, false))
            continue;
        char *key = plot_param_key(s, u, s->c.heap);
        if (!key)
            return -ENOMEM;
        for (size_t k = 0; k < s->n_rows; k++) {
            const struct result_row *c = &s->rows[k];
            if (!is_bandwidth(s, c) || !class_is(s, c, true) ||
                (!any_host && !strcmp(result_text(c, result_set_col(s, "backend")), "host")))
                continue;
            char *ck = plot_param_key(s, c, s->c.heap);
            bool same = ck && !strcmp(ck, key);
            free(ck);
            if (!same)
                continue;
            if (*n == cap) {
                cap = cap ? 2 * cap : 16;
                struct class_pair *p = realloc(*out, cap * sizeof(*p));
                if (!p) {
                    free(key);
                    return -ENOMEM;
                }
                *out = p;
            }
            (*out)[(*n)++] = (struct class_pair){.cached = c, .uncached = u};
        }
        free(key);
    }
    return 0;
}

int report_class_pairs(const struct result_set *s, struct class_pair **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    /* Process memory (the host heap) is cached too, but the question is which dma-buf heap to
     * use: it stands in only when no cached dma-buf heap was measured. */
    int ret = find_pairs(s, false, out, n);
    if (!ret && !*n)
        ret = find_pairs(s, true, out, n);
    if (ret) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return ret;
}

/* The heap classes among the cpu bandwidth rows, "cached (host)": what a missing table lacks. */
static void bandwidth_classes(const struct result_set *s, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < s->n_rows && used < len; i++) {
        const struct result_row *r = &s->rows[i];
        if (!is_bandwidth(s, r))
            continue;
        char item[160];
        snprintf(item, sizeof(item), "%s (%s)", result_text(r, s->c.heap_class),
                 result_text(r, s->c.heap));
        if (strstr(out, item))
            continue;
        int w = snprintf(out + used, len - used, "%s%s", used ? ", " : "", item);
        if (w > 0)
            used += (size_t)w;
    }
}

int report_table_bandwidth(FILE *out, const struct result_set *s, char *err, size_t err_len)
{
    (void)err;
    (void)err_len;
    fputs("### Cached vs uncached CPU bandwidth\n\n", out);
    struct class_pair *pairs;
    size_t n;
    if (report_class_pairs(s, &pairs, &n))
        return -ENOMEM;
    if (!n) {
        char classes[512];
        bandwidth_classes(s, classes, sizeof(classes));
        if (classes[0])
            fprintf(out,
                    "Not in this set: its cpu bandwidth rows are from %s only. The ratio needs "
                    "the same cases measured on a heap of class uncached and one of class "
                    "cached (`dmabench run cpu --heap system,system-uncached` on a board "
                    "with both; `--heap-class NAME=uncached` marks a vendor heap).\n\n",
                    classes);
        else
            fputs("Not in this set: it has no cpu bandwidth rows (`dmabench run cpu`).\n\n", out);
        return 0;
    }
    const struct result_row **rows = calloc(n, sizeof(*rows));
    char **labels = calloc(n, sizeof(*labels));
    int skip = s->c.heap, ret = rows && labels ? 0 : -ENOMEM;
    for (size_t i = 0; i < n && rows; i++)
        rows[i] = pairs[i].uncached;
    if (!ret)
        ret = plot_label_rows(s, rows, n, &skip, 1, labels);
    if (!ret) {
        fputs("Median bandwidth in GB/s (10^9 bytes/s), the same case through each mapping.\n\n",
              out);
        report_table_head(out, "case|cached heap|GB/s|uncached heap|GB/s|cached / uncached|rows");
        for (size_t i = 0; i < n; i++) {
            char a[32], b[32], r[32];
            double c = result_num(pairs[i].cached, s->c.median),
                   u = result_num(pairs[i].uncached, s->c.median);
            fputs("| ", out);
            report_cell(out, labels[i][0] ? labels[i] : "all");
            fputs(" | ", out);
            report_cell(out, result_text(pairs[i].cached, s->c.heap));
            fprintf(out, " | %s | ", report_num(c / 1e9, a, sizeof(a)));
            report_cell(out, result_text(pairs[i].uncached, s->c.heap));
            fprintf(out, " | %s | %s | ", report_num(u / 1e9, b, sizeof(b)),
                    report_num(c / u, r, sizeof(r)));
            const struct result_row *cite[2] = {pairs[i].cached, pairs[i].uncached};
            report_cite(out, cite, 2, s);
            fputs(" |\n", out);
        }
        fputc('\n', out);
    }
    for (size_t i = 0; labels && i < n; i++)
        free(labels[i]);
    free(labels);
    free(rows);
    free(pairs);
    return ret;
}

/* Select with a plot type's query, as its plot did. */
static int select_as(const char *type, const struct result_set *s, struct plot_selection *sel,
                     char *err, size_t err_len)
{
    return plot_select(s, &plot_type_find(type)->query, sel, err, err_len);
}

static void say_common(FILE *out, const struct plot_selection *sel)
{
    if (sel->common[0])
        fprintf(out, "All rows: %s.\n\n", sel->common);
}

static void series_cell(FILE *out, const struct plot_series *ser)
{
    fputs("| ", out);
    report_cell(out, ser->label[0] ? ser->label : "all");
}

/* The sync_cost_per_mib row of the same case, when the benchmark wrote one. */
static const struct result_row *per_mib_row(const struct result_set *s,
                                            const struct result_row *cost)
{
    const char *id = result_text(cost, s->c.case_id);
    for (size_t i = 0; i < s->n_rows; i++) {
        const struct result_row *r = &s->rows[i];
        if (result_row_measured(s, r) && !strcmp(result_text(r, s->c.case_id), id) &&
            !strcmp(result_text(r, s->c.metric), "sync_cost_per_mib"))
            return r;
    }
    return NULL;
}

int report_table_sync(FILE *out, const struct result_set *s, char *err, size_t err_len)
{
    fputs("### Sync cost per MiB\n\n", out);
    struct plot_selection sel;
    int ret = select_as("sync", s, &sel, err, err_len);
    if (ret)
        return ret;
    if (!sel.n_points) {
        fputs("Not in this set: it has no sync rows (`dmabench run sync`: the cost of "
              "DMA_BUF_IOCTL_SYNC and of range maintenance by strategy, direction and region "
              "size).\n\n",
              out);
        return 0;
    }
    say_common(out, &sel);
    fprintf(out,
            "Median cost of one sync (metric %s, %s) and per MiB (sync_cost_per_mib where the "
            "benchmark wrote it, else the cost over the %s).\n\n",
            sel.metric[0] ? sel.metric : "every one", sel.unit, s->cols[sel.x_col]);
    report_table_head(out, "case|region|per sync (µs)|per MiB (µs)|rows");
    for (size_t i = 0; i < sel.n_series; i++) {
        for (size_t k = 0; k < sel.series[i].n; k++) {
            const struct plot_point *p = &sel.series[i].pts[k];
            const struct result_row *pm = per_mib_row(s, p->row);
            double per_mib = pm ? result_num(pm, s->c.median) : p->median / (p->x / MIB);
            char a[32], b[32], c[32];
            series_cell(out, &sel.series[i]);
            fprintf(out, " | %s | %s | %s | ", report_size(p->x, a, sizeof(a)),
                    report_num(p->median / 1e3, b, sizeof(b)),
                    report_num(per_mib / 1e3, c, sizeof(c)));
            report_cite1(out, p->row, s);
            if (pm) {
                fputs(", ", out);
                report_cite1(out, pm, s);
            }
            fputs(" |\n", out);
        }
    }
    fputc('\n', out);
    plot_selection_free(&sel);
    return 0;
}

int report_table_alloc(FILE *out, const struct result_set *s, char *err, size_t err_len)
{
    fputs("### Allocation latency (p50, p90, p99)\n\n", out);
    struct plot_selection sel;
    int ret = select_as("alloc", s, &sel, err, err_len);
    if (ret)
        return ret;
    if (!sel.n_points) {
        fputs("Not in this set: it has no alloc rows (`dmabench run alloc`).\n\n", out);
        return 0;
    }
    say_common(out, &sel);
    fprintf(out, "Per buffer, in µs, from metric %s; n is the number of buffers timed.\n\n",
            sel.metric[0] ? sel.metric : sel.unit);
    report_table_head(out, "case|size|p50|p90|p99|p99 / p50|n|rows");
    for (size_t i = 0; i < sel.n_series; i++) {
        for (size_t k = 0; k < sel.series[i].n; k++) {
            const struct plot_point *p = &sel.series[i].pts[k];
            char a[32], b[32], c[32], d[32], e[32];
            series_cell(out, &sel.series[i]);
            fprintf(out, " | %s | %s | %s | %s | %s | %.0f | ", report_size(p->x, a, sizeof(a)),
                    report_num(p->median / 1e3, b, sizeof(b)),
                    report_num(p->p90 / 1e3, c, sizeof(c)), report_num(p->p99 / 1e3, d, sizeof(d)),
                    report_num(p->p99 / p->median, e, sizeof(e)), result_num(p->row, s->c.n));
            report_cite1(out, p->row, s);
            fputs(" |\n", out);
        }
    }
    fputc('\n', out);
    plot_selection_free(&sel);
    return 0;
}

/* Stale-line probes count lines: a metric named so, or the unit. */
static bool is_stale_count(const struct result_set *s, const struct result_row *r)
{
    return strstr(result_text(r, s->c.metric), "stale") ||
           !strcmp(result_text(r, s->c.unit), "lines");
}

const char *report_verdict(const struct result_set *s, const struct result_row *r, double *count)
{
    *count = NAN;
    if (!result_row_measured(s, r) || !bench_is(result_text(r, s->c.bench), BENCH_coherency))
        return NULL;
    const char *verdict = result_text(r, result_set_col(s, "verdict"));
    bool stale = is_stale_count(s, r);
    if (stale) {
        *count = result_num(r, s->c.max);
        if (isnan(*count))
            *count = result_num(r, s->c.median);
    }
    if (*verdict)
        return verdict;
    return stale ? *count > 0 ? "needs-sync" : "coherent" : NULL;
}

const char *report_strategy(const struct result_set *s, const struct result_row *r)
{
    const char *st = result_text(r, result_set_col(s, "strategy"));
    return *st ? st : result_text(r, s->c.kernel);
}

/* The core-to-core matrix in one line: its fastest and slowest pair. */
static void c2c_summary(FILE *out, const struct result_set *s, char *err, size_t err_len)
{
    struct plot_selection sel;
    if (select_as("c2c", s, &sel, err, err_len) || !sel.n_points)
        return;
    const struct plot_point *lo = NULL, *hi = NULL;
    for (size_t i = 0; i < sel.n_series; i++) {
        for (size_t k = 0; k < sel.series[i].n; k++) {
            const struct plot_point *p = &sel.series[i].pts[k];
            if (!lo || p->median < lo->median)
                lo = p;
            if (!hi || p->median > hi->median)
                hi = p;
        }
    }
    char a[32], b[32];
    fprintf(out, "Core to core (%s, %zu pairs): from %s %s (CPU %.0f to %.0f, ", sel.metric,
            sel.n_points, report_num(lo->median, a, sizeof(a)), sel.unit, lo->x, lo->y);
    report_cite1(out, lo->row, s);
    fprintf(out, ") to %s %s (CPU %.0f to %.0f, ", report_num(hi->median, b, sizeof(b)), sel.unit,
            hi->x, hi->y);
    report_cite1(out, hi->row, s);
    fputs(").\n\n", out);
    plot_selection_free(&sel);
}

/* What the verdicts after a sync mean for a board, for those the set has. */
static void coherency_legend(FILE *out, const struct result_set *s)
{
    bool ineffective = false, failed = false;
    double count;
    for (size_t i = 0; i < s->n_rows; i++) {
        const char *verdict = report_verdict(s, &s->rows[i], &count);
        ineffective |= verdict && !strcmp(verdict, "sync-ineffective");
        failed |= verdict && !strcmp(verdict, "fail");
    }
    if (ineffective)
        fputs("**sync-ineffective**: stale lines remained after the exporter's own sync "
              "(`DMA_BUF_IOCTL_SYNC`): it does not reach the importers' mappings (udmabuf syncs "
              "only its own device's; an uncached heap does no sync at all). A device behind "
              "bounce buffers (a 32-bit DMA device on a 64-bit board, or any device under "
              "`swiotlb=force`) cannot rely on that heap's sync.\n\n",
              out);
    if (failed)
        fputs("**fail** (user-space strategies): stale lines remained after maintaining the "
              "CPU's caches from user space. That maintenance does not move bounce buffers "
              "(swiotlb) nor reach caches beyond the CPU's; only the DMA API does, through the "
              "exporter's sync.\n\n",
              out);
}

int report_table_coherency(FILE *out, const struct result_set *s, char *err, size_t err_len)
{
    fputs("### Coherency verdicts\n\n", out);
    size_t n = 0;
    double count;
    for (size_t i = 0; i < s->n_rows; i++)
        n += report_verdict(s, &s->rows[i], &count) != NULL;
    if (!n) {
        fputs("Not in this set: it has no coherency probe rows (`dmabench run coherency`: "
              "write through one side, sync or not, read through the other, count stale "
              "cache lines).\n\n",
              out);
    } else {
        fputs("What each probe found (stale lines: the most in any repetition). A heap that is "
              "coherent without sync (strategy none) was so for what was probed on this board, "
              "which is a pass, not a proof.\n\n",
              out);
        report_table_head(out, "heap|class|strategy|engine|size|metric|value|verdict|rows");
        for (size_t i = 0; i < s->n_rows; i++) {
            const struct result_row *r = &s->rows[i];
            const char *verdict = report_verdict(s, r, &count);
            if (!verdict)
                continue;
            char size[32], value[32];
            const char *engine = result_text(r, result_set_col(s, "engine"));
            const char *cells[] = {result_text(r, s->c.heap),
                                   result_text(r, s->c.heap_class),
                                   report_strategy(s, r),
                                   *engine ? engine : "-",
                                   report_size(result_num(r, s->c.size), size, sizeof(size)),
                                   result_text(r, s->c.metric)};
            for (size_t c = 0; c < sizeof(cells) / sizeof(*cells); c++) {
                fputs("| ", out);
                report_cell(out, cells[c]);
                fputc(' ', out);
            }
            if (isnan(count))
                report_num(result_num(r, s->c.median), value, sizeof(value));
            else
                snprintf(value, sizeof(value), "%.0f", count); /* lines are counted */
            fprintf(out, "| %s %s | ", value, result_text(r, s->c.unit));
            bool bad = !strcmp(verdict, "needs-sync") || results_verdict_fails(verdict);
            fprintf(out, "%s%s%s | ", bad ? "**" : "", verdict, bad ? "**" : "");
            report_cite1(out, r, s);
            fputs(" |\n", out);
        }
        fputc('\n', out);
        coherency_legend(out, s);
    }
    c2c_summary(out, s, err, err_len);
    return 0;
}
