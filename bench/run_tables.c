/* bench/run_tables.c - keeps each drawing benchmark's cases for its grids, and has them drawn.
 *
 * Rows are kept as the axis texts and metric medians of each case, in run order, one list per
 * benchmark, so that a benchmark's grids see its own cases only. What each grid shows is its
 * benchmark's (bench_def.print_tables, in bench/bench_NAME.c).
 */
#include "run_tables.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "results_validate.h"

struct run_tables {
    struct run_table of[N_BENCH_IDS]; /* by bench_id */
};

static int table_add(struct run_table *t, const struct bench_case *c, const struct case_result *r)
{
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

int run_tables_add(struct run_tables **tp, const struct bench_case *c, const struct case_result *r)
{
    const struct bench_def *b = bench_find(c->job->bench);
    enum bench_id id = bench_id_of(c->job->bench);
    if (!b || !b->print_tables || id == BENCH_NONE)
        return 0;
    if (!*tp && !(*tp = calloc(1, sizeof(**tp))))
        return -ENOMEM;
    return table_add(&(*tp)->of[id], c, r);
}

void run_tables_free(struct run_tables *t)
{
    if (!t)
        return;
    for (int id = 0; id < N_BENCH_IDS; id++)
        free(t->of[id].cases);
    free(t);
}

void run_tables_print(const struct run_tables *t, FILE *out)
{
    for (int id = BENCH_NONE + 1; t && id < N_BENCH_IDS; id++) {
        const struct bench_def *b = bench_find(bench_name((enum bench_id)id));
        if (b && b->print_tables)
            b->print_tables(&t->of[id], out);
    }
}

/* --- helpers for every grid ------------------------------------------------------------------ */
