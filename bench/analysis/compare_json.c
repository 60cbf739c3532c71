/* bench/analysis/compare_json.c - `compare --format json`: the whole comparison for a dashboard.
 *
 * The inputs (each run with its metadata and why it was disturbed), every case with each
 * input's median and each NEW input's ratio, p-value and verdict (what the samples said beside
 * an inconclusive one), the geometric-mean groups, the verdict counts, and the exit verdict:
 * what the table shows, none of it rounded.
 */
#include "results_json.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* Text, or null for "". */
static json_t *text_or_null(const char *s)
{
    return *s ? json_text(s) : json_null();
}

/* Every verdict's count, zeros included, so that a dashboard finds each key. */
static json_t *counts_json(const size_t count[N_VERDICTS], bool *ok)
{
    json_t *o = json_new_object(ok);
    if (!o)
        return NULL;
    for (int v = 0; v < N_VERDICTS; v++)
        json_put(o, compare_verdict_name((enum compare_verdict)v),
                 json_integer((json_int_t)count[v]), ok);
    return o;
}

static json_t *input_json(const struct compare_report *r, size_t i, bool *ok)
{
    json_t *o = json_new_object(ok);
    if (!o)
        return NULL;
    json_put_text(o, "label", r->labels[i], ok);
    json_put_text(o, "role", i ? "new" : "base", ok);
    json_put(o, "other_board", json_boolean(r->other_board[i]), ok);
    json_put(o, "disturbed", json_boolean(r->disturbed[i]), ok);
    json_put(o, "noise_reason", text_or_null(r->noise[i]), ok);
    json_put(o, "run", results_json_run(r->inputs[i].set, ok), ok);
    return o;
}

static json_t *group_json(const struct compare_group *g, bool *ok)
{
    json_t *o = json_new_object(ok);
    if (!o)
        return NULL;
    json_put_text(o, "bench", g->bench, ok);
    json_put_text(o, "heap", g->heap, ok);
    json_put_text(o, "metric", g->metric, ok);
    json_put_text(o, "unit", g->unit, ok);
    json_put_text(o, "better", g->higher_better ? "higher" : "lower", ok);
    json_put(o, "cases", json_integer((json_int_t)g->cases), ok);
    json_put(o, "geomean", json_number(g->geomean), ok);
    json_put(o, "change_pct", json_number((g->geomean - 1) * 100), ok);
    json_put(o, "worse_cases", json_integer((json_int_t)g->worse), ok);
    json_put(o, "better_cases", json_integer((json_int_t)g->better), ok);
    return o;
}

/* NEW input `input` against BASE: labels, why it is inconclusive, its counts and groups. */
static json_t *comparison_json(const struct compare_report *r, size_t input, bool *ok)
{
    json_t *o = json_new_object(ok);
    if (!o)
        return NULL;
    size_t count[N_VERDICTS] = {0}, few = 0;
    for (size_t k = 0; k < r->n_cases; k++) {
        count[r->cases[k].cell[input - 1].verdict]++;
        few += r->cases[k].cell[input - 1].few_samples;
    }
    char why[2 * HISTORY_REASON_MAX + 2 * COMPARE_LABEL_MAX];
    compare_noise_reason(r, input, why, sizeof(why));
    json_put(o, "base", json_integer(0), ok);
    json_put(o, "new", json_integer((json_int_t)input), ok);
    json_put_text(o, "base_label", r->labels[0], ok);
    json_put_text(o, "new_label", r->labels[input], ok);
    /* Another board: differences (worse, better), never regressions. */
    json_put(o, "differences_only", json_boolean(r->other_board[input]), ok);
    json_put(o, "inconclusive_reason", text_or_null(why), ok);
    json_put(o, "counts", counts_json(count, ok), ok);
    json_put(o, "few_samples", json_integer((json_int_t)few), ok);
    json_t *groups = json_put_array(o, "groups", ok);
    for (size_t g = 0; g < r->n_groups; g++)
        if (r->groups[g].input == input)
            json_append(groups, group_json(&r->groups[g], ok), ok);
    return o;
}

/* A case as one input has it; null when the input lacks it. */
static json_t *side_json(const struct compare_report *r, size_t input,
                         const struct compare_side *side, bool *ok)
{
    if (!side->row)
        return json_null();
    json_t *o = json_new_object(ok);
    if (!o)
        return NULL;
    const struct result_set *s = r->inputs[input].set;
    json_put(o, "status", text_or_null(result_text(side->row, s->c.status)), ok);
    json_put(o, "median", json_number(side->median), ok);
    json_put(o, "n_samples", json_integer((json_int_t)side->n), ok);
    json_put(o, "error", text_or_null(result_text(side->row, result_set_col(s, "error"))), ok);
    json_put(o, "line", json_integer((json_int_t)side->row->line), ok);
    return o;
}

static json_t *cell_json(size_t input, const struct compare_cell *cell, bool *ok)
{
    json_t *o = json_new_object(ok);
    if (!o)
        return NULL;
    json_put(o, "new", json_integer((json_int_t)input), ok);
    json_put(o, "ratio", json_number(cell->ratio), ok);
    json_put(o, "change_pct", json_number((cell->ratio - 1) * 100), ok);
    json_put(o, "p_value", cell->tested ? json_number(cell->test.p) : json_null(), ok);
    json_put(o, "test",
             !cell->tested                   ? json_null()
             : cell->test.method == MW_EXACT ? json_string("exact")
                                             : json_string("normal"),
             ok);
    json_put(o, "few_samples", cell->tested ? json_boolean(cell->few_samples) : json_null(), ok);
    json_put_text(o, "verdict", compare_verdict_name(cell->verdict), ok);
    json_put_text(o, "judged", compare_verdict_name(cell->judged), ok);
    return o;
}

static json_t *case_json(const struct compare_report *r, const struct compare_case *c, bool *ok)
{
    json_t *o = json_new_object(ok);
    if (!o)
        return NULL;
    json_put_text(o, "case_id", c->case_id, ok);
    json_put_text(o, "metric", c->metric, ok);
    json_put_text(o, "bench", c->bench, ok);
    json_put_text(o, "heap", c->heap, ok);
    json_put_text(o, "unit", c->unit, ok);
    json_put_text(o, "better", c->higher_better ? "higher" : "lower", ok);
    json_put(o, "counter", json_boolean(c->counter), ok);
    json_t *sides = json_put_array(o, "sides", ok);
    for (size_t i = 0; i < r->n_inputs; i++)
        json_append(sides, side_json(r, i, &c->side[i], ok), ok);
    json_t *cells = json_put_array(o, "cells", ok);
    for (size_t i = 1; i < r->n_inputs; i++)
        json_append(cells, cell_json(i, &c->cell[i - 1], ok), ok);
    return o;
}

int compare_write_json(const struct compare_report *r, FILE *out)
{
    bool ok = true;
    json_t *doc = results_json_document("compare", &ok);
    if (!doc)
        return -ENOMEM;
    json_t *options = json_put_object(doc, "options", &ok);
    json_put(options, "threshold_pct", json_number(r->opts.threshold * 100), &ok);
    json_put(options, "alpha", json_number(r->opts.alpha), &ok);
    json_put(options, "min_samples", json_integer((json_int_t)r->opts.min_samples), &ok);
    json_put(doc, "boards", json_boolean(r->boards), &ok);
    json_t *inputs = json_put_array(doc, "inputs", &ok);
    for (size_t i = 0; i < r->n_inputs; i++)
        json_append(inputs, input_json(r, i, &ok), &ok);
    json_t *comparisons = json_put_array(doc, "comparisons", &ok);
    for (size_t i = 1; i < r->n_inputs; i++)
        json_append(comparisons, comparison_json(r, i, &ok), &ok);
    json_t *cases = json_put_array(doc, "cases", &ok);
    for (size_t k = 0; k < r->n_cases; k++)
        json_append(cases, case_json(r, &r->cases[k], &ok), &ok);
    json_put(doc, "counts", counts_json(r->count, &ok), &ok);
    json_put(doc, "few_samples", json_integer((json_int_t)r->few_samples), &ok);
    /* What the exit status says: 1 for a regression or a newly failing case. */
    bool failed = compare_failed(r);
    json_put(doc, "failed", json_boolean(failed), &ok);
    json_put(doc, "exit_status", json_integer(failed ? 1 : 0), &ok);
    int ret = ok ? results_json_dump(doc, out) : -ENOMEM;
    json_decref(doc);
    return ret;
}
