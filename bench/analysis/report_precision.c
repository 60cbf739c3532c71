/* bench/analysis/report_precision.c - how much the repetitions of a set's cases scattered, per
 * benchmark.
 *
 * A median is only as good as the samples under it: this section gives, per benchmark and
 * metric, the coefficient of variation (stddev / mean) of the measured rows, so that a reader
 * sees which figures are precise to a percent and which are not, and a board farm can tell a
 * noisy machine from a quiet one before comparing runs.
 */
#include "report_precision.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench_list.h"
#include "report_md.h"

/* A cpu bandwidth row whose pass over the buffer takes at least this long is a DRAM-sized
 * one: the precision target is stated for those. */
#define LONG_PASS_NS 1e6
/* The precision a quiet machine should reach (results/README.md, "Precision"). */
#define PRECISE_CV 0.01

struct precision_group {
    char bench[32], metric[48];
    const char *label_suffix; /* "", ", pass >= 1 ms", ", pass < 1 ms" */
    double *cv;
    size_t n, cap, above;
    const struct result_row *worst;
    double worst_cv;
};

/* Which pass-length class a cpu bandwidth row falls in; "" for every other metric. */
static const char *pass_class(const struct result_set *s, const struct result_row *r)
{
    if (!bench_is(result_text(r, s->c.bench), BENCH_cpu) ||
        strcmp(result_text(r, s->c.metric), "bandwidth"))
        return "";
    double size = result_num(r, s->c.size), bw = result_num(r, s->c.median);
    if (!(size > 0) || !(bw > 0))
        return "";
    return size / bw * 1e9 >= LONG_PASS_NS ? ", pass >= 1 ms" : ", pass < 1 ms";
}

static struct precision_group *group_for(struct precision_group **groups, size_t *n,
                                         const char *bench, const char *metric, const char *suffix)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*groups)[i].bench, bench) && !strcmp((*groups)[i].metric, metric) &&
            (*groups)[i].label_suffix == suffix)
            return &(*groups)[i];
    struct precision_group *more = realloc(*groups, (*n + 1) * sizeof(**groups));
    if (!more)
        return NULL;
    *groups = more;
    struct precision_group *g = &more[(*n)++];
    memset(g, 0, sizeof(*g));
    snprintf(g->bench, sizeof(g->bench), "%s", bench);
    snprintf(g->metric, sizeof(g->metric), "%s", metric);
    g->label_suffix = suffix;
    return g;
}

static int add_cv(struct precision_group *g, const struct result_row *r, double cv)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 16;
        double *more = realloc(g->cv, cap * sizeof(*more));
        if (!more)
            return -ENOMEM;
        g->cv = more;
        g->cap = cap;
    }
    g->cv[g->n++] = cv;
    g->above += cv > PRECISE_CV;
    if (!g->worst || cv > g->worst_cv) {
        g->worst = r;
        g->worst_cv = cv;
    }
    return 0;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void group_line(FILE *out, const struct result_set *s, struct precision_group *g)
{
    char a[32], b[32], label[96];
    qsort(g->cv, g->n, sizeof(*g->cv), compare_doubles);
    double median = g->n % 2 ? g->cv[g->n / 2] : (g->cv[g->n / 2 - 1] + g->cv[g->n / 2]) / 2;
    snprintf(label, sizeof(label), "%s%s", g->metric, g->label_suffix);
    fprintf(out, "| %s | ", g->bench);
    report_cell(out, label);
    fprintf(out, " | %zu | %s%% | %s%% | %zu | ", g->n, report_num(100 * median, a, sizeof(a)),
            report_num(100 * g->cv[g->n - 1], b, sizeof(b)), g->above);
    report_cite1(out, g->worst, s);
    fputs(" |\n", out);
}

int report_precision(FILE *out, const struct result_set *s)
{
    int cv_col = result_set_col(s, "cv");
    fputs("### Precision\n\n", out);
    if (cv_col < 0) {
        fputs("This set has no `cv` column.\n\n", out);
        return 0;
    }
    struct precision_group *groups = NULL;
    size_t n_groups = 0;
    int ret = 0;
    for (size_t i = 0; i < s->n_rows && !ret; i++) {
        const struct result_row *r = &s->rows[i];
        double cv = result_num(r, cv_col);
        if (!result_row_measured(s, r) || isnan(cv) || result_num(r, s->c.n) < 2)
            continue;
        struct precision_group *g = group_for(&groups, &n_groups, result_text(r, s->c.bench),
                                              result_text(r, s->c.metric), pass_class(s, r));
        ret = g ? add_cv(g, r, cv) : -ENOMEM;
    }
    if (!ret && !n_groups)
        fputs("No measured row has two samples or more: nothing to say about its scatter.\n\n",
              out);
    if (!ret && n_groups) {
        fputs("How much each case's repetitions scattered: the coefficient of variation (`cv`, "
              "stddev / mean of a row's samples) of the measured rows with two samples or "
              "more, counters left out; cpu bandwidth split by how long one pass over the "
              "buffer takes. A quiet machine keeps bandwidth rows at 1% or less; many rows "
              "above it mean a noisy machine (see the flagged rows) or too short a run. "
              "Latencies with one sample per buffer or frame (alloc, free, frame latency) "
              "scatter by nature: theirs is the spread of the latencies, not of "
              "repetitions.\n\n",
              out);
        report_table_head(out, "bench|metric|rows|median cv|max cv|rows above 1%|the most "
                               "scattered");
        for (size_t i = 0; i < n_groups; i++)
            group_line(out, s, &groups[i]);
        fputc('\n', out);
    }
    for (size_t i = 0; i < n_groups; i++)
        free(groups[i].cv);
    free(groups);
    return ret;
}
