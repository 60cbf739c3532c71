/* bench/analysis/history_format.c - the history report: tables, CSV, JUnit and LAVA signals.
 *
 * Every format walks the same model in the same order (boards by name, series by case and
 * metric), and states the gate's verdict the way history_gate.c decides it, so a table and
 * the JUnit file of one history never disagree.
 */
#include "history_format.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv_write.h"
#include "export_junit.h"
#include "export_lava.h"
#include "name_list.h"
#include "text_table.h"

const char *const history_format_names[N_HISTORY_FORMATS] = {
#define HISTORY_FORMAT_NAME(id, name) [HISTORY_FORMAT_##id] = name,
        HISTORY_FORMATS(HISTORY_FORMAT_NAME)
#undef HISTORY_FORMAT_NAME
};

int history_format_parse(const char *name, enum history_format *out)
{
    int f = name_list_find(history_format_names, N_HISTORY_FORMATS, name);
    if (f < 0)
        return f;
    *out = (enum history_format)f;
    return 0;
}

static void p_text(char out[TEXT_CELL], double p)
{
    snprintf(out, TEXT_CELL, p >= 0.001 ? "%.3f" : "%.1e", p);
}

static void pct_text(char out[TEXT_CELL], double change)
{
    if (isfinite(change))
        snprintf(out, TEXT_CELL, "%+.1f%%", change * 100);
    else
        snprintf(out, TEXT_CELL, "-");
}

/* A change's numbers as the tables and messages write them. */
struct change_text {
    char before[TEXT_CELL], after[TEXT_CELL], change[TEXT_CELL], p[TEXT_CELL];
};

static void change_text_of(const struct history_change *c, struct change_text *t)
{
    text_human(t->before, c->before);
    text_human(t->after, c->after);
    pct_text(t->change, c->change);
    p_text(t->p, c->p_value);
}

static const struct history_run *point_run(const struct history *h, const struct history_series *s,
                                           size_t index)
{
    return &h->runs[s->points[index].run];
}

/* ---- table and Markdown ------------------------------------------------------------------ */

static void board_heading(const struct history *h, size_t k, FILE *out, bool md)
{
    const struct history_board *b = &h->boards[k];
    const struct history_run *first = &h->runs[b->runs[0]], *newest = history_board_newest(h, k);
    fprintf(out, "%sboard %s: %zu run%s in %s order, %s .. %s; newest %s (kernel %s, git %s)\n",
            md ? "## " : "", b->name, b->n_runs, b->n_runs == 1 ? "" : "s",
            history_order_name(h->order), first->run_id, newest->run_id, newest->run_id,
            newest->kernel, newest->git_sha);
    if (md)
        fputc('\n', out);
}

static size_t count_disturbed(const struct history *h, const struct history_board *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->n_runs; i++)
        n += h->runs[b->runs[i]].disturbed;
    return n;
}

static void board_notes(const struct history *h, size_t k, const struct history_gate_opts *o,
                        FILE *out, bool md)
{
    const struct history_board *b = &h->boards[k];
    const char *bullet = md ? "- " : "  ";
    size_t need = 2 * (o->cp.min_segment ? o->cp.min_segment : 1);
    if (b->n_runs == 1)
        fprintf(out, "%snote: one run (%s): nothing to compare it with yet\n", bullet,
                h->runs[b->runs[0]].run_id);
    else if (b->n_runs < need)
        fprintf(out, "%snote: %zu runs: a change point needs at least %zu\n", bullet, b->n_runs,
                need);
    size_t disturbed = count_disturbed(h, b), shown = 0;
    if (disturbed)
        fprintf(out, "%snote: %zu run%s disturbed, left out of the baseline:\n", bullet, disturbed,
                disturbed == 1 ? "" : "s");
    for (size_t i = 0; i < b->n_runs && shown < 10; i++) {
        const struct history_run *r = &h->runs[b->runs[i]];
        if (r->disturbed && ++shown)
            fprintf(out, "%s  %s: %s\n", bullet, r->run_id, r->reason);
    }
    if (disturbed > shown)
        fprintf(out, "%s  ... and %zu more\n", bullet, disturbed - shown);
    size_t missing = 0, single = 0;
    const struct history_series *first_missing = NULL, *first_single = NULL;
    for (size_t i = 0; i < h->n_series; i++) {
        const struct history_series *s = &h->series[i];
        if (strcmp(s->board, b->name))
            continue;
        enum history_verdict v = history_series_verdict(h, s, NULL);
        if (v == HISTORY_VERDICT_MISSING && !missing++)
            first_missing = s;
        if (s->n_points == 1 && b->n_runs > 1 && !single++)
            first_single = s;
    }
    if (missing)
        fprintf(out, "%snote: %zu series not in the newest run %s (not judged), e.g. %s %s\n",
                bullet, missing, history_board_newest(h, k)->run_id, first_missing->case_id,
                first_missing->metric);
    if (single)
        fprintf(out,
                "%snote: %zu series with one run only (nothing to compare), e.g. %s %s in %s\n",
                bullet, single, first_single->case_id, first_single->metric,
                point_run(h, first_single, 0)->run_id);
}

static int change_rows(const struct history *h, size_t k, struct text_table *t)
{
    for (size_t i = 0; i < h->n_series; i++) {
        const struct history_series *s = &h->series[i];
        if (strcmp(s->board, h->boards[k].name))
            continue;
        for (size_t c = 0; c < s->n_changes; c++) {
            const struct history_change *ch = &s->changes[c];
            const struct history_run *r = point_run(h, s, ch->index);
            struct change_text x;
            change_text_of(ch, &x);
            const char *cells[] = {s->case_id,
                                   s->metric,
                                   s->unit,
                                   r->run_id,
                                   r->kernel,
                                   r->git_sha,
                                   x.before,
                                   x.after,
                                   x.change,
                                   x.p,
                                   history_change_label(ch)};
            if (text_table_add(t, cells))
                return -ENOMEM;
        }
    }
    return 0;
}

static void gate_lines(const struct history *h, size_t k, FILE *out, bool md)
{
    enum history_verdict v = history_board_verdict(h, k);
    const struct history_run *newest = history_board_newest(h, k);
    const char *bullet = md ? "- " : "  ";
    fprintf(out, "%sgate: %s%s", md ? "\n" : "", history_verdict_name(v),
            v == HISTORY_VERDICT_PASS ? ": no regression at the newest run\n" : "");
    if (v == HISTORY_VERDICT_INCONCLUSIVE && newest->disturbed)
        fprintf(out, ": the newest run %s is disturbed (%s)\n", newest->run_id, newest->reason);
    else if (v != HISTORY_VERDICT_PASS)
        fputs(":\n", out);
    for (size_t i = 0; v != HISTORY_VERDICT_PASS && i < h->n_series; i++) {
        const struct history_series *s = &h->series[i];
        const struct history_change *why;
        if (strcmp(s->board, h->boards[k].name))
            continue;
        enum history_verdict sv = history_series_verdict(h, s, &why);
        if (sv != HISTORY_VERDICT_REGRESSION && sv != HISTORY_VERDICT_INCONCLUSIVE)
            continue;
        char change[TEXT_CELL];
        pct_text(change, why->change);
        fprintf(out, "%s%s %s %s: %s since run %s%s%s\n", bullet, history_verdict_name(sv),
                s->case_id, s->metric, change, point_run(h, s, why->index)->run_id,
                why->inconclusive ? ": " : "", why->inconclusive ? why->reason : "");
    }
}

static int write_tables(const struct history *h, const struct history_gate_opts *o, FILE *out,
                        bool md)
{
    fprintf(out,
            "%shistory: %zu run%s of %zu board%s, %zu series, order %s, threshold %g%%, "
            "alpha %g\n\n",
            md ? "# " : "", h->n_runs, h->n_runs == 1 ? "" : "s", h->n_boards,
            h->n_boards == 1 ? "" : "s", h->n_series, history_order_name(h->order),
            o->threshold * 100, o->cp.alpha);
    for (size_t k = 0; k < h->n_boards; k++) {
        board_heading(h, k, out, md);
        board_notes(h, k, o, out, md);
        struct text_table t = {.n_cols = 11,
                               .header = {"case", "metric", "unit", "run", "kernel", "git",
                                          "before", "after", "change", "p", "change point"},
                               .right = {[6] = true, [7] = true, [8] = true, [9] = true}};
        int ret = change_rows(h, k, &t);
        if (ret) {
            text_table_free(&t);
            return ret;
        }
        if (t.n_rows) {
            fprintf(out, "%s%zu change point%s:\n%s", md ? "\n" : "", t.n_rows,
                    t.n_rows == 1 ? "" : "s", md ? "\n" : "");
            text_table_print(&t, out, md);
        } else {
            fprintf(out, "%sno change points\n", md ? "\n" : "  ");
        }
        text_table_free(&t);
        gate_lines(h, k, out, md);
        if (k + 1 < h->n_boards)
            fputc('\n', out);
    }
    return ferror(out) ? -EIO : 0;
}

/* ---- CSV --------------------------------------------------------------------------------- */

const char *const history_csv_columns[] = {"board",
                                           "case_id",
                                           "bench",
                                           "heap",
                                           "metric",
                                           "unit",
                                           "better",
                                           "run_id",
                                           "run_dir",
                                           "start_time",
                                           "kernel",
                                           "git_sha",
                                           "point",
                                           "before",
                                           "after",
                                           "change_pct",
                                           "p_value",
                                           "samples_p",
                                           "samples_confirmed",
                                           "direction",
                                           "regression",
                                           "inconclusive",
                                           "reason",
                                           "at_newest"};
const size_t n_history_csv_columns = sizeof(history_csv_columns) / sizeof(history_csv_columns[0]);

static void number(char out[TEXT_CELL], double v)
{
    if (isfinite(v))
        snprintf(out, TEXT_CELL, "%.10g", v);
    else
        out[0] = '\0';
}

static int write_csv(const struct history *h, FILE *out)
{
    csv_write_row(out, history_csv_columns, n_history_csv_columns);
    for (size_t i = 0; i < h->n_series; i++) {
        const struct history_series *s = &h->series[i];
        /* The newest run sits after the last change, where the series has it. */
        bool at_newest = history_series_verdict(h, s, NULL) != HISTORY_VERDICT_MISSING;
        for (size_t c = 0; c < s->n_changes; c++) {
            const struct history_change *ch = &s->changes[c];
            const struct history_run *r = point_run(h, s, ch->index);
            char point[TEXT_CELL], before[TEXT_CELL], after[TEXT_CELL], pct[TEXT_CELL],
                    p[TEXT_CELL], samples_p[TEXT_CELL];
            snprintf(point, sizeof(point), "%zu", ch->index);
            number(before, ch->before);
            number(after, ch->after);
            number(pct, ch->change * 100);
            number(p, ch->p_value);
            number(samples_p, ch->samples_p);
            const char *cells[] = {s->board,
                                   s->case_id,
                                   s->bench,
                                   s->heap,
                                   s->metric,
                                   s->unit,
                                   s->higher_better ? "higher" : "lower",
                                   r->run_id,
                                   r->dir,
                                   r->start_time,
                                   r->kernel,
                                   r->git_sha,
                                   point,
                                   before,
                                   after,
                                   pct,
                                   p,
                                   samples_p,
                                   isnan(ch->samples_p)    ? ""
                                   : ch->samples_confirmed ? "yes"
                                                           : "no",
                                   history_change_direction(ch),
                                   ch->regression ? "yes" : "no",
                                   ch->inconclusive ? "yes" : "no",
                                   ch->reason,
                                   at_newest && c + 1 == s->n_changes ? "yes" : "no"};
            if (csv_write_row(out, cells, n_history_csv_columns))
                return -EIO;
        }
    }
    return ferror(out) ? -EIO : 0;
}

/* ---- JUnit and LAVA ---------------------------------------------------------------------- */

static enum junit_outcome junit_outcome_of(enum history_verdict v)
{
    switch (v) {
    case HISTORY_VERDICT_REGRESSION:
        return JUNIT_FAILURE;
    case HISTORY_VERDICT_MISSING:
    case HISTORY_VERDICT_SINGLE:
        return JUNIT_SKIPPED;
    default:
        return JUNIT_PASS;
    }
}

/* "regression since run R (kernel K, git G): median B -> A (-10.0%), p 0.001", or why the
 * series was not judged. */
static void series_message(char *msg, size_t len, const struct history *h,
                           const struct history_series *s, enum history_verdict v,
                           const struct history_change *why)
{
    msg[0] = '\0';
    if (why) {
        const struct history_run *r = point_run(h, s, why->index);
        struct change_text t;
        change_text_of(why, &t);
        snprintf(msg, len, "%s since run %s (kernel %s, git %s): median %s -> %s %s (%s), p %s%s%s",
                 history_verdict_name(v), r->run_id, r->kernel, r->git_sha, t.before, t.after,
                 s->unit, t.change, t.p, why->inconclusive ? "; " : "", why->reason);
    } else if (v == HISTORY_VERDICT_MISSING) {
        snprintf(msg, len, "not in the board's newest run");
    } else if (v == HISTORY_VERDICT_SINGLE) {
        snprintf(msg, len, "one run only: nothing to compare it with");
    }
}

static int write_junit(const struct history *h, FILE *out)
{
    junit_begin(out);
    for (size_t k = 0; k < h->n_boards; k++) {
        struct junit_counts counts = {0};
        for (size_t i = 0; i < h->n_series; i++)
            if (!strcmp(h->series[i].board, h->boards[k].name))
                junit_count(&counts,
                            junit_outcome_of(history_series_verdict(h, &h->series[i], NULL)));
        char suite[512];
        snprintf(suite, sizeof(suite), "dmabench-history.%s", h->boards[k].name);
        /* What the verdicts are about: the board's newest run, as export's suites say it. */
        const struct history_run *newest = history_board_newest(h, k);
        char runs[32];
        snprintf(runs, sizeof(runs), "%zu", h->boards[k].n_runs);
        const struct junit_property props[] = {
                {"board", h->boards[k].name},   {"runs", runs},
                {"newest_run", newest->run_id}, {"kernel", newest->kernel},
                {"git_sha", newest->git_sha},   {"order", history_order_name(h->order)},
        };
        struct junit_suite js = {.name = suite,
                                 .timestamp = *newest->start_time ? newest->start_time : NULL,
                                 .time_s = NAN,
                                 .counts = counts,
                                 .properties = props,
                                 .n_properties = sizeof(props) / sizeof(props[0])};
        junit_suite_open(out, &js);
        for (size_t i = 0; i < h->n_series; i++) {
            const struct history_series *s = &h->series[i];
            if (strcmp(s->board, h->boards[k].name))
                continue;
            const struct history_change *why;
            enum history_verdict v = history_series_verdict(h, s, &why);
            char name[1024], msg[1024];
            snprintf(name, sizeof(name), "%s %s", s->case_id, s->metric);
            series_message(msg, sizeof(msg), h, s, v, why);
            enum junit_outcome outcome = junit_outcome_of(v);
            junit_case(out, suite, name, outcome, outcome == JUNIT_PASS ? NULL : msg,
                       outcome == JUNIT_PASS && *msg ? msg : NULL);
        }
        junit_suite_end(out);
    }
    return junit_end(out);
}

static const char *lava_result_of(enum history_verdict v)
{
    return lava_result_of_junit(junit_outcome_of(v));
}

/* One signal per series, named history.BOARD.<case path>, measured by the change behind its
 * verdict (in %); then dmabench-history for the whole gate. */
static int write_lava_signal(const struct history *h, FILE *out)
{
    struct lava_sink lava;
    lava_sink_init(&lava, out, true);
    bool failed = false;
    int ret = 0;
    for (size_t i = 0; !ret && i < h->n_series; i++) {
        const struct history_series *s = &h->series[i];
        const struct history_change *why;
        enum history_verdict v = history_series_verdict(h, s, &why);
        /* At most LAVA_NAME_MAX characters, as export's (a long one ends in a hash). */
        char prefix[HISTORY_REASON_MAX];
        snprintf(prefix, sizeof(prefix), "history-%s", s->board);
        failed |= v == HISTORY_VERDICT_REGRESSION;
        ret = lava_report_case(&lava, prefix, s->case_id, s->metric, lava_result_of(v),
                               why ? why->change * 100 : NAN, "%");
    }
    if (!ret)
        ret = lava_report(&lava, "dmabench-history", failed ? "fail" : "pass", NAN, NULL);
    return ret;
}

int history_write(const struct history *h, const struct history_gate_opts *o,
                  enum history_format format, FILE *out)
{
    switch (format) {
    case HISTORY_FORMAT_TABLE:
    case HISTORY_FORMAT_MD:
        return write_tables(h, o, out, format == HISTORY_FORMAT_MD);
    case HISTORY_FORMAT_CSV:
        return write_csv(h, out);
    case HISTORY_FORMAT_JUNIT:
        return write_junit(h, out);
    case HISTORY_FORMAT_LAVA_SIGNAL:
        return write_lava_signal(h, out);
    case HISTORY_FORMAT_JSON:
        return history_write_json(h, o, out);
    default:
        return -EINVAL;
    }
}
