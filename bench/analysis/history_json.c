/* bench/analysis/history_json.c - `history --format json`: the whole model for dashboards, a
 * `kind: history` document of results/dmabench-results.schema.json.
 *
 * Options, runs (with their noise marks), boards (runs in order, verdict), and series with every
 * point (median, CI, sample count) and change point, so a dashboard can draw the trends itself.
 * Built with jansson (json_out.h): NAN becomes null, bytes that are not UTF-8 U+FFFD.
 */
#include "history_format.h"

#include <errno.h>
#include <string.h>

#include "json_out.h"
#include "results_json.h"

static json_t *run_json(const struct history_run *r, bool *ok)
{
    json_t *o = json_new_object(ok);
    if (!o)
        return NULL;
    json_put_text(o, "dir", r->dir, ok);
    json_put_text(o, "board", r->board, ok);
    json_put_text(o, "run_id", r->run_id, ok);
    json_put_text(o, "start_time", r->start_time, ok);
    json_put_text(o, "kernel", r->kernel, ok);
    json_put_text(o, "git_sha", r->git_sha, ok);
    json_put(o, "disturbed", json_boolean(r->disturbed), ok);
    json_put_text(o, "reason", r->reason, ok);
    return o;
}

static json_t *board_json(const struct history *h, size_t k, bool *ok)
{
    const struct history_board *b = &h->boards[k];
    json_t *o = json_new_object(ok);
    if (!o)
        return NULL;
    json_put_text(o, "name", b->name, ok);
    json_t *runs = json_put_array(o, "runs", ok);
    for (size_t i = 0; i < b->n_runs; i++)
        json_append(runs, json_integer((json_int_t)b->runs[i]), ok);
    json_put_text(o, "verdict", history_verdict_name(history_board_verdict(h, k)), ok);
    return o;
}

static json_t *point_json(const struct history_point *p, bool *ok)
{
    json_t *o = json_new_object(ok);
    if (!o)
        return NULL;
    json_put(o, "run", json_integer((json_int_t)p->run), ok);
    json_put(o, "median", json_number(p->median), ok);
    json_put(o, "ci_low", json_number(p->ci_low), ok);
    json_put(o, "ci_high", json_number(p->ci_high), ok);
    json_put(o, "n_samples", json_integer((json_int_t)p->n_samples), ok);
    return o;
}

static json_t *change_json(const struct history *h, const struct history_series *s,
                           const struct history_change *c, bool *ok)
{
    json_t *o = json_new_object(ok);
    if (!o)
        return NULL;
    json_put(o, "point", json_integer((json_int_t)c->index), ok);
    json_put(o, "run", json_integer((json_int_t)s->points[c->index].run), ok);
    json_put_text(o, "run_id", h->runs[s->points[c->index].run].run_id, ok);
    json_put(o, "before", json_number(c->before), ok);
    json_put(o, "after", json_number(c->after), ok);
    json_put(o, "change_pct", json_number(c->change * 100), ok);
    json_put(o, "p_value", json_number(c->p_value), ok);
    json_put(o, "samples_p", json_number(c->samples_p), ok);
    json_put(o, "samples_confirmed", json_boolean(c->samples_confirmed), ok);
    json_put_text(o, "direction", history_change_direction(c), ok);
    json_put(o, "regression", json_boolean(c->regression), ok);
    json_put(o, "inconclusive", json_boolean(c->inconclusive), ok);
    json_put_text(o, "reason", c->reason, ok);
    return o;
}

static json_t *series_json(const struct history *h, const struct history_series *s, bool *ok)
{
    json_t *o = json_new_object(ok);
    if (!o)
        return NULL;
    json_put_text(o, "board", s->board, ok);
    json_put_text(o, "case_id", s->case_id, ok);
    json_put_text(o, "bench", s->bench, ok);
    json_put_text(o, "heap", s->heap, ok);
    json_put_text(o, "metric", s->metric, ok);
    json_put_text(o, "unit", s->unit, ok);
    json_put_text(o, "better", s->higher_better ? "higher" : "lower", ok);
    json_put_text(o, "verdict", history_verdict_name(history_series_verdict(h, s, NULL)), ok);
    json_t *points = json_put_array(o, "points", ok);
    for (size_t i = 0; i < s->n_points; i++)
        json_append(points, point_json(&s->points[i], ok), ok);
    json_t *changes = json_put_array(o, "changes", ok);
    for (size_t i = 0; i < s->n_changes; i++)
        json_append(changes, change_json(h, s, &s->changes[i], ok), ok);
    return o;
}

int history_write_json(const struct history *h, const struct history_gate_opts *o, FILE *out)
{
    bool ok = true;
    json_t *doc = results_json_document("history", &ok);
    if (!doc)
        return -ENOMEM;
    json_t *options = json_put_object(doc, "options", &ok);
    json_put_text(options, "order", history_order_name(h->order), &ok);
    json_put(options, "threshold_pct", json_number(o->threshold * 100), &ok);
    json_put(options, "alpha", json_number(o->cp.alpha), &ok);
    json_t *runs = json_put_array(doc, "runs", &ok);
    for (size_t i = 0; i < h->n_runs; i++)
        json_append(runs, run_json(&h->runs[i], &ok), &ok);
    json_t *boards = json_put_array(doc, "boards", &ok);
    for (size_t k = 0; k < h->n_boards; k++)
        json_append(boards, board_json(h, k, &ok), &ok);
    json_t *series = json_put_array(doc, "series", &ok);
    for (size_t i = 0; i < h->n_series; i++)
        json_append(series, series_json(h, &h->series[i], &ok), &ok);
    int ret = ok ? results_json_dump(doc, out) : -ENOMEM;
    json_decref(doc);
    return ret;
}
