/* bench/analysis/report_advice.c - recommendations computed from the rows: crossovers, savings,
 * verdicts.
 *
 * The write-once question (is an uncached heap better than a cached one plus the sync it needs?)
 * compares time per buffer: size / write bandwidth, plus the cheapest measured sync of that many
 * bytes for the cached heap. Medians only: the tables beside it carry the intervals.
 */
#include "report_advice.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bench_list.h"
#include "plot.h"
#include "plot_select.h"
#include "report_md.h"
#include "report_tables.h"

#define ALLOC_TAIL_RATIO 3.0  /* p99 / p50 from which allocation has a tail worth a pool */
#define POOL_SHARE       0.95 /* depth that reaches this share of the best throughput */

/* ---- write-once buffers: uncached vs cached + sync -------------------------------------- */

struct write_once {
    double size;
    const struct result_row *unc, *cac, *sync; /* best write each side, cheapest sync */
    double t_unc, t_cac, t_sync;               /* ns per buffer */
    bool no_importer;                          /* the sync had no importer attached */
};

/* The best single-thread write bandwidth of heap at size: its row, or NULL. */
static const struct result_row *best_write(const struct result_set *s, const char *heap,
                                           double size)
{
    const struct result_row *best = NULL;
    for (size_t i = 0; i < s->n_rows; i++) {
        const struct result_row *r = &s->rows[i];
        char op[32];
        report_kernel_op(result_text(r, s->c.kernel), op, sizeof(op));
        const char *threads = result_text(r, s->c.threads);
        if (!result_row_measured(s, r) || !bench_is(result_text(r, s->c.bench), BENCH_cpu) ||
            strcmp(result_text(r, s->c.metric), "bandwidth") || strcmp(op, "write") ||
            strcmp(result_text(r, s->c.heap), heap) || result_num(r, s->c.size) != size ||
            (*threads && strcmp(threads, "1")))
            continue;
        if (!best || result_num(r, s->c.median) > result_num(best, s->c.median))
            best = r;
    }
    return best;
}

/* Whether a sync row is what a write-once buffer needs before a device reads it: a real strategy
 * (none is the measurement floor), the CPU's writes made visible (not a read-direction sync of
 * clean lines), one region; importers > 0 when wanted. */
static bool fits_write_once(const struct result_set *s, const struct result_row *r,
                            bool want_importers)
{
    const char *dir = result_text(r, result_set_col(s, "direction")),
               *lines = result_text(r, result_set_col(s, "lines"));
    double regions = result_num(r, result_set_col(s, "regions")),
           importers = result_num(r, result_set_col(s, "importers"));
    return strcmp(report_strategy(s, r), "none") && strcmp(dir, "read") && strcmp(lines, "clean") &&
           !(regions > 1) && (!want_importers || importers > 0);
}

/* The cheapest sync of heap over size bytes (region size, or buffer size without one). Rows with
 * an importer attached are preferred: on mainline heaps a sync without one maintains nothing,
 * which would flatter the cached heap; *no_importer says when only those were there. */
static const struct plot_point *cheapest_sync(const struct plot_selection *sync,
                                              const struct result_set *s, const char *heap,
                                              double size, bool *no_importer)
{
    const struct plot_point *best = NULL;
    for (int want = 1; want >= 0 && !best; want--) {
        for (size_t i = 0; i < sync->n_series; i++)
            for (size_t k = 0; k < sync->series[i].n; k++) {
                const struct plot_point *p = &sync->series[i].pts[k];
                if (p->x == size && !strcmp(result_text(p->row, s->c.heap), heap) &&
                    fits_write_once(s, p->row, want) && (!best || p->median < best->median))
                    best = p;
            }
        *no_importer = !want && best && result_set_col(s, "importers") >= 0;
    }
    return best;
}

/* Distinct heaps of one class side among the cpu write rows. */
static size_t write_heaps(const struct result_set *s, bool cached, const char **heaps, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_rows && n < max; i++) {
        const struct result_row *r = &s->rows[i];
        const char *cls = result_text(r, s->c.heap_class), *heap = result_text(r, s->c.heap);
        char op[32];
        report_kernel_op(result_text(r, s->c.kernel), op, sizeof(op));
        bool side = cached ? !strcmp(cls, "cached") || !strcmp(cls, "contiguous")
                           : !strcmp(cls, "uncached");
        if (!side || !result_row_measured(s, r) ||
            !bench_is(result_text(r, s->c.bench), BENCH_cpu) || strcmp(op, "write"))
            continue;
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++)
            seen = !strcmp(heaps[k], heap);
        if (!seen)
            heaps[n++] = heap;
    }
    return n;
}

static size_t write_once_points(const struct result_set *s, const struct plot_selection *sync,
                                const char *unc, const char *cac, struct write_once *pts,
                                size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_rows && n < max; i++) {
        const struct result_row *r = &s->rows[i];
        double size = result_num(r, s->c.size);
        if (strcmp(result_text(r, s->c.heap), unc) || best_write(s, unc, size) != r)
            continue;
        const struct result_row *c = best_write(s, cac, size);
        bool no_importer = false;
        const struct plot_point *sp = cheapest_sync(sync, s, cac, size, &no_importer);
        if (!c || !sp)
            continue;
        struct write_once w = {
                .size = size, .unc = r, .cac = c, .sync = sp->row, .no_importer = no_importer};
        w.t_unc = size / result_num(r, s->c.median) * 1e9;
        w.t_cac = size / result_num(c, s->c.median) * 1e9;
        w.t_sync = sp->median;
        size_t at = n++;
        while (at && pts[at - 1].size > size) { /* by size */
            pts[at] = pts[at - 1];
            at--;
        }
        pts[at] = w;
    }
    return n;
}

static void write_once_table(FILE *out, const struct result_set *s, const struct write_once *w,
                             size_t n, const char *unc, const char *cac)
{
    fprintf(out,
            "\n  | size | %s write (µs) | %s write (µs) | + cheapest sync (µs) | = (µs) | "
            "faster | rows |\n  |---|---|---|---|---|---|---|\n",
            unc, cac);
    for (size_t i = 0; i < n; i++) {
        char a[32], b[32], c[32], d[32], e[32];
        fprintf(out, "  | %s | %s | %s | %s | %s | %s | ", report_size(w[i].size, a, sizeof(a)),
                report_num(w[i].t_unc / 1e3, b, sizeof(b)),
                report_num(w[i].t_cac / 1e3, c, sizeof(c)),
                report_num(w[i].t_sync / 1e3, d, sizeof(d)),
                report_num((w[i].t_cac + w[i].t_sync) / 1e3, e, sizeof(e)),
                w[i].t_unc < w[i].t_cac + w[i].t_sync ? unc : cac);
        const struct result_row *rows[3] = {w[i].unc, w[i].cac, w[i].sync};
        report_cite(out, rows, 3, s);
        fputs(" |\n", out);
    }
    fputc('\n', out);
}

static void write_once_verdict(FILE *out, const struct result_set *s, const struct write_once *w,
                               size_t n, const char *unc, const char *cac)
{
    size_t below = 0, changes = 0; /* sizes from the smallest where uncached wins; flips */
    bool prev = false;
    for (size_t i = 0; i < n; i++) {
        bool u = w[i].t_unc < w[i].t_cac + w[i].t_sync;
        if (u && below == i)
            below++;
        changes += i && u != prev;
        prev = u;
    }
    char s0[32], s1[32], s2[32], t0[32], t1[32], t2[32], t3[32], t4[32];
    report_size(w[0].size, s0, sizeof(s0));
    report_size(w[n - 1].size, s1, sizeof(s1));
    fputs("- **Write-once buffers** (the CPU fills a buffer once, a device reads it): ", out);
    if (below == n) {
        fprintf(out, "`%s` beats `%s` + sync at every size measured (%s to %s).", unc, cac, s0, s1);
    } else if (below == 0) {
        fprintf(out, "`%s` + sync beats `%s` %s (%s to %s).", cac, unc,
                changes ? "at the smallest size measured" : "at every size measured", s0, s1);
    } else {
        const struct write_once *last = &w[below - 1], *first = &w[below];
        report_size(first->size, s2, sizeof(s2));
        report_size(last->size, s1, sizeof(s1));
        fprintf(out,
                "**below %s, use `%s`**: at %s writing through it takes %s µs against %s µs for "
                "writing `%s` plus %s µs for its cheapest sync; from %s, `%s` + sync is faster "
                "(%s µs against %s µs).",
                s2, unc, s1, report_num(last->t_unc / 1e3, t0, sizeof(t0)),
                report_num(last->t_cac / 1e3, t1, sizeof(t1)), cac,
                report_num(last->t_sync / 1e3, t2, sizeof(t2)), s2, cac,
                report_num((first->t_cac + first->t_sync) / 1e3, t3, sizeof(t3)),
                report_num(first->t_unc / 1e3, t4, sizeof(t4)));
    }
    if (changes > 1)
        fputs(" The faster side changes more than once across sizes: read the table.", out);
    for (size_t i = 0; i < n; i++) {
        if (w[i].no_importer) {
            fputs(" Some syncs were measured with no importer attached: on mainline heaps such a "
                  "sync maintains no cache, so cached + sync may look better than it is.",
                  out);
            break;
        }
    }
    fprintf(out,
            " Time per buffer = size / best single-thread write bandwidth (+ the cheapest "
            "sync of that many bytes measured for `%s`).\n",
            cac);
    write_once_table(out, s, w, n, unc, cac);
}

static void write_once_missing(FILE *out, size_t n_unc, size_t n_cac, size_t n_sync)
{
    fputs("- **Write-once buffers** (uncached heap vs cached heap + sync): not computable from "
          "this set. It needs, at the same buffer sizes, ",
          out);
    fprintf(out,
            "(a) cpu write bandwidth on a heap of class uncached [%s], "
            "(b) the same on a heap of class cached [%s], and (c) the cost of syncing that "
            "many bytes of the cached heap, from `dmabench run sync` [%s].\n",
            n_unc ? "present" : "missing", n_cac ? "present" : "missing",
            n_sync ? "sync rows present, but none at those sizes for that heap" : "missing");
}

#define MAX_HEAPS 16
#define MAX_SIZES 64

static int advise_write_once(FILE *out, const struct result_set *s, char *err, size_t err_len)
{
    struct plot_selection sync;
    int ret = plot_select(s, &plot_type_find("sync")->query, &sync, err, err_len);
    if (ret)
        return ret;
    const char *unc[MAX_HEAPS], *cac[MAX_HEAPS];
    size_t n_unc = write_heaps(s, false, unc, MAX_HEAPS),
           n_cac = write_heaps(s, true, cac, MAX_HEAPS), said = 0;
    struct write_once *w = calloc(MAX_SIZES, sizeof(*w));
    if (!w) {
        plot_selection_free(&sync);
        return -ENOMEM;
    }
    for (size_t u = 0; u < n_unc; u++) {
        for (size_t c = 0; c < n_cac; c++) {
            size_t n = write_once_points(s, &sync, unc[u], cac[c], w, MAX_SIZES);
            if (n) {
                write_once_verdict(out, s, w, n, unc[u], cac[c]);
                said++;
            }
        }
    }
    if (!said)
        write_once_missing(out, n_unc, n_cac, sync.n_points);
    free(w);
    plot_selection_free(&sync);
    return 0;
}

/* ---- partial vs full sync ---------------------------------------------------------------- */

static int advise_partial_sync(FILE *out, const struct result_set *s, char *err, size_t err_len)
{
    struct plot_selection sync;
    int ret = plot_select(s, &plot_type_find("sync")->query, &sync, err, err_len);
    if (ret || !sync.n_points)
        return ret;
    int col = result_set_col(s, "strategy");
    if (col < 0)
        col = s->c.kernel;
    const struct plot_point *best_p = NULL, *best_f = NULL;
    /* The pair (same case but the strategy) where a partial sync saves the most. */
    for (size_t i = 0; i < sync.n_series; i++) {
        for (size_t k = 0; k < sync.series[i].n; k++) {
            const struct plot_point *p = &sync.series[i].pts[k];
            if (!strstr(report_strategy(s, p->row), "partial"))
                continue;
            char *key = plot_param_key(s, p->row, col);
            for (size_t j = 0; key && j < sync.n_series; j++) {
                for (size_t m = 0; m < sync.series[j].n; m++) {
                    const struct plot_point *f = &sync.series[j].pts[m];
                    if (strcmp(report_strategy(s, f->row), "full"))
                        continue;
                    char *fk = plot_param_key(s, f->row, col);
                    if (fk && !strcmp(fk, key) && f->median > p->median &&
                        (!best_p || f->median / p->median > best_f->median / best_p->median)) {
                        best_p = p;
                        best_f = f;
                    }
                    free(fk);
                }
            }
            free(key);
        }
    }
    if (best_p) {
        char a[32], b[32], c[32], d[32];
        fprintf(out,
                "- **Sync only what was touched**: a %s sync of %s costs %s µs against %s µs for "
                "a full sync of the same buffer (%s× less) (",
                report_strategy(s, best_p->row), report_size(best_p->x, a, sizeof(a)),
                report_num(best_p->median / 1e3, b, sizeof(b)),
                report_num(best_f->median / 1e3, c, sizeof(c)),
                report_num(best_f->median / best_p->median, d, sizeof(d)));
        const struct result_row *rows[2] = {best_p->row, best_f->row};
        report_cite(out, rows, 2, s);
        fputs(").\n", out);
    }
    plot_selection_free(&sync);
    return 0;
}

/* ---- which heaps need sync --------------------------------------------------------------- */

/* Whether r is a probe without sync (only that says whether a heap needs it) on heap; its
 * verdict in *verdict, its stale-line count in *count. */
static bool probe_without_sync(const struct result_set *s, const struct result_row *r,
                               const char *heap, const char **verdict, double *count)
{
    *verdict = report_verdict(s, r, count);
    return *verdict && !strcmp(report_strategy(s, r), "none") &&
           !strcmp(result_text(r, s->c.heap), heap);
}

/* One bullet per heap, whatever the number of sizes, engines and directions probed: it needs
 * sync (citing the probe that saw the most stale lines), or a device saw none, or only the CPU
 * engine probed it (which cannot tell). */
static void advise_coherency(FILE *out, const struct result_set *s)
{
    int engine_col = result_set_col(s, "engine");
    for (size_t i = 0; i < s->n_rows; i++) {
        const char *heap = result_text(&s->rows[i], s->c.heap), *verdict;
        double count;
        bool first = probe_without_sync(s, &s->rows[i], heap, &verdict, &count);
        for (size_t j = 0; j < i && first; j++)
            first = !probe_without_sync(s, &s->rows[j], heap, &verdict, &count);
        if (!first)
            continue;
        const struct result_row *stale = NULL, *device_pass = NULL, *cpu_pass = NULL;
        double most = 0;
        for (size_t j = i; j < s->n_rows; j++) {
            const struct result_row *r = &s->rows[j];
            if (!probe_without_sync(s, r, heap, &verdict, &count))
                continue;
            if (!strcmp(verdict, "needs-sync") || !strcmp(verdict, "fail")) {
                if (!stale || (!isnan(count) && count > most)) {
                    stale = r;
                    most = isnan(count) ? most : count;
                }
            } else if (!strcmp(result_text(r, engine_col), "cpu")) {
                cpu_pass = cpu_pass ? cpu_pass : r;
            } else {
                device_pass = device_pass ? device_pass : r;
            }
        }
        const struct result_row *cited = stale ? stale : device_pass ? device_pass : cpu_pass;
        if (stale) {
            char what[64] = "";
            report_verdict(s, stale, &count);
            if (!isnan(count))
                snprintf(what, sizeof(what), "%.0f stale cache lines", count);
            fprintf(out, "- **`%s` needs sync on this board**: without it the probe %s%s (", heap,
                    *what ? "saw " : "failed", what);
        } else if (device_pass) {
            fprintf(out,
                    "- `%s` showed no stale lines without sync in this probe (a pass for "
                    "what was probed, not a proof of coherency) (",
                    heap);
        } else {
            /* The engine column's cpu is the CPU engine (workloads/), not the cpu benchmark: a
             * CPU thread, which cannot see what a device would. */
            fprintf(out,
                    "- `%s` showed no stale lines without sync through the CPU engine, which "
                    "is coherent with the CPU by construction: only a device engine can show "
                    "whether this heap needs sync (",
                    heap);
        }
        report_cite1(out, cited, s);
        fputs(").\n", out);
    }
}

/* Whether r is a probe row whose verdict is word, on heap (any heap when NULL); its stale-line
 * count in *count. */
static bool probe_says(const struct result_set *s, const struct result_row *r, const char *word,
                       const char *heap, double *count)
{
    const char *verdict = report_verdict(s, r, count);
    return verdict && !strcmp(verdict, word) && (!heap || !strcmp(result_text(r, s->c.heap), heap));
}

/* The first row where the exporter's sync (full, partial-ioctl) passed: on heap, or when other
 * is set on any heap but that one. NULL when there is none. */
static const struct result_row *exporter_sync_passed(const struct result_set *s, const char *heap,
                                                     bool other)
{
    double count;
    for (size_t i = 0; i < s->n_rows; i++) {
        const struct result_row *r = &s->rows[i];
        const char *strategy = report_strategy(s, r);
        bool same_heap = !strcmp(result_text(r, s->c.heap), heap);
        if (probe_says(s, r, "pass", NULL, &count) && same_heap != other &&
            (!strcmp(strategy, "full") || !strcmp(strategy, "partial-ioctl")))
            return r;
    }
    return NULL;
}

/* One bullet per heap and failed check after a sync: its worst row, what it means for a board,
 * and what to use instead, with the row where that passed. */
static void advise_sync_failures(FILE *out, const struct result_set *s)
{
    static const char *const failures[] = {"sync-ineffective", "fail"};
    for (size_t f = 0; f < sizeof(failures) / sizeof(failures[0]); f++) {
        const char *word = failures[f];
        for (size_t i = 0; i < s->n_rows; i++) {
            double count, worst_count = 0;
            const char *heap = result_text(&s->rows[i], s->c.heap);
            bool first = probe_says(s, &s->rows[i], word, NULL, &count);
            for (size_t j = 0; j < i && first; j++)
                first = !probe_says(s, &s->rows[j], word, heap, &count);
            if (!first)
                continue;
            const struct result_row *worst = NULL;
            for (size_t j = i; j < s->n_rows; j++) {
                if (probe_says(s, &s->rows[j], word, heap, &count) &&
                    (!worst || count > worst_count)) {
                    worst = &s->rows[j];
                    worst_count = count;
                }
            }
            /* sync-ineffective: another heap's sync that passed; fail: this heap's. */
            const struct result_row *passed = exporter_sync_passed(s, heap, f == 0);
            if (f == 0)
                fprintf(out,
                        "- **`%s`'s own sync does not reach a device's mapping**: after "
                        "`DMA_BUF_IOCTL_SYNC` (%s) the probe still saw %.0f stale cache lines. "
                        "A device behind bounce buffers (a 32-bit DMA device on a 64-bit board, "
                        "or any device under `swiotlb=force`) cannot rely on this heap's sync: "
                        "give it buffers from a heap whose sync passed%s%s%s (",
                        heap, report_strategy(s, worst), worst_count, passed ? ", as `" : "",
                        passed ? result_text(passed, s->c.heap) : "", passed ? "`" : "");
            else
                fprintf(out,
                        "- **User-space cache maintenance does not keep `%s` coherent**: after "
                        "`%s` the probe still saw %.0f stale cache lines. It maintains the "
                        "CPU's caches only: it does not move bounce buffers (swiotlb) nor reach "
                        "caches beyond the CPU's; the exporter's sync (`DMA_BUF_IOCTL_SYNC`) goes "
                        "through the DMA API, which does%s (",
                        heap, report_strategy(s, worst), worst_count,
                        passed ? ", and passed here" : "");
            const struct result_row *rows[2] = {worst, passed};
            report_cite(out, rows, passed ? 2 : 1, s);
            fputs(").\n", out);
        }
    }
}

/* ---- allocation -------------------------------------------------------------------------- */

static int advise_alloc(FILE *out, const struct result_set *s, char *err, size_t err_len)
{
    struct plot_selection sel;
    int ret = plot_select(s, &plot_type_find("alloc")->query, &sel, err, err_len);
    if (ret || !sel.n_points)
        return ret;
    const struct plot_point *worst = NULL;
    for (size_t i = 0; i < sel.n_series; i++)
        for (size_t k = 0; k < sel.series[i].n; k++) {
            const struct plot_point *p = &sel.series[i].pts[k];
            if (p->median > 0 && (!worst || p->p99 / p->median > worst->p99 / worst->median))
                worst = p;
        }
    if (worst && worst->p99 / worst->median >= ALLOC_TAIL_RATIO) {
        char a[32], b[32], c[32], d[32];
        fprintf(out,
                "- **Allocate ahead of time (a pool) in latency-sensitive paths**: allocation has "
                "a long tail: `%s` at %s takes %s µs at p50 but %s µs at p99 (%s×) (",
                result_text(worst->row, s->c.heap), report_size(worst->x, a, sizeof(a)),
                report_num(worst->median / 1e3, b, sizeof(b)),
                report_num(worst->p99 / 1e3, c, sizeof(c)),
                report_num(worst->p99 / worst->median, d, sizeof(d)));
        report_cite1(out, worst->row, s);
        fputs(").\n", out);
    }
    plot_selection_free(&sel);
    return 0;
}

/* ---- pool depth -------------------------------------------------------------------------- */

static int advise_pool(FILE *out, const struct result_set *s, char *err, size_t err_len)
{
    struct plot_selection sel;
    int ret = plot_select(s, &plot_type_find("pipeline")->query, &sel, err, err_len);
    if (ret || !sel.n_points)
        return ret;
    for (size_t i = 0; i < sel.n_series; i++) {
        const struct plot_series *ser = &sel.series[i];
        if (ser->n < 2)
            continue; /* one depth says nothing about depth */
        const struct plot_point *top = &ser->pts[0], *enough = NULL;
        for (size_t k = 0; k < ser->n; k++)
            if (ser->pts[k].median > top->median)
                top = &ser->pts[k];
        for (size_t k = 0; k < ser->n && !enough; k++) /* points are by depth */
            if (ser->pts[k].median >= POOL_SHARE * top->median)
                enough = &ser->pts[k];
        char a[32];
        fprintf(out,
                "- **Pool depth%s%s**: %.0f buffers in flight reach %.0f%% of the best "
                "throughput (%s %s at %.0f); deeper pools add memory, not frames (",
                ser->label[0] ? " for " : "", ser->label, enough->x, POOL_SHARE * 100,
                report_num(top->median, a, sizeof(a)), sel.unit, top->x);
        const struct result_row *rows[2] = {enough->row, top->row};
        report_cite(out, rows, enough == top ? 1 : 2, s);
        fputs(").\n", out);
    }
    plot_selection_free(&sel);
    return 0;
}

/* ---- CPU reads from uncached memory ------------------------------------------------------ */

static int advise_uncached_reads(FILE *out, const struct result_set *s)
{
    struct class_pair *pairs;
    size_t n;
    if (report_class_pairs(s, &pairs, &n))
        return -ENOMEM;
    const struct class_pair *worst = NULL;
    double worst_ratio = 0;
    for (size_t i = 0; i < n; i++) {
        char op[32];
        report_kernel_op(result_text(pairs[i].uncached, s->c.kernel), op, sizeof(op));
        double ratio = result_num(pairs[i].cached, s->c.median) /
                       result_num(pairs[i].uncached, s->c.median);
        if (!strcmp(op, "read") && ratio > worst_ratio) {
            worst = &pairs[i];
            worst_ratio = ratio;
        }
    }
    if (worst && worst_ratio > 2) {
        char a[32], b[32], c[32], d[32];
        fprintf(out,
                "- **Do not read uncached buffers with the CPU** where it can be avoided: at %s, "
                "`%s` reads at %s GB/s against %s GB/s for `%s` (%s× slower) (",
                report_size(result_num(worst->uncached, s->c.size), a, sizeof(a)),
                result_text(worst->uncached, s->c.heap),
                report_num(result_num(worst->uncached, s->c.median) / 1e9, b, sizeof(b)),
                report_num(result_num(worst->cached, s->c.median) / 1e9, c, sizeof(c)),
                result_text(worst->cached, s->c.heap), report_num(worst_ratio, d, sizeof(d)));
        const struct result_row *rows[2] = {worst->uncached, worst->cached};
        report_cite(out, rows, 2, s);
        fputs(").\n", out);
    }
    free(pairs);
    return 0;
}

int report_advice(FILE *out, const struct result_set *s, char *err, size_t err_len)
{
    int ret = advise_write_once(out, s, err, err_len);
    if (!ret)
        ret = advise_partial_sync(out, s, err, err_len);
    if (!ret) {
        advise_coherency(out, s);
        advise_sync_failures(out, s);
    }
    if (!ret)
        ret = advise_uncached_reads(out, s);
    if (!ret)
        ret = advise_alloc(out, s, err, err_len);
    if (!ret)
        ret = advise_pool(out, s, err, err_len);
    fputc('\n', out);
    return ret;
}
