/* bench/analysis/compare_format.c - renders a compare report: table, Markdown, CSV, JUnit, LAVA,
 * JSON.
 *
 * The terminal and Markdown tables are one table model printed two ways, so they cannot drift
 * apart. Numbers are shown with SI prefixes and four significant digits (12.35G bytes/s) where a
 * person reads them, and in full ("%.10g", base units) in CSV where a program does.
 */
#include "compare_format.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "csv_write.h"
#include "export.h"
#include "export_junit.h"
#include "metadata.h"
#include "name_list.h"
#include "results_json.h"
#include "text_table.h"

const char *const compare_csv_columns[] = {
        "base",   "new",         "case_id",    "bench",  "heap",        "metric",      "unit",
        "better", "base_status", "new_status", "base_n", "new_n",       "base_median", "new_median",
        "ratio",  "change_pct",  "p_value",    "test",   "few_samples", "verdict",
};
const size_t n_compare_csv_columns = sizeof(compare_csv_columns) / sizeof(compare_csv_columns[0]);

const char *const compare_format_names[N_COMPARE_FORMATS] = {
        [COMPARE_FORMAT_TABLE] = "table", [COMPARE_FORMAT_MD] = "md",
        [COMPARE_FORMAT_CSV] = "csv",     [COMPARE_FORMAT_JUNIT] = "junit",
        [COMPARE_FORMAT_LAVA] = "lava",   [COMPARE_FORMAT_LAVA_SIGNAL] = "lava-signal",
        [COMPARE_FORMAT_JSON] = "json",
};

int compare_format_parse(const char *name, enum compare_format *out)
{
    int i = name_list_find(compare_format_names, N_COMPARE_FORMATS, name);
    if (i < 0)
        return i;
    *out = (enum compare_format)i;
    return 0;
}

/* ---- cells ------------------------------------------------------------------------------- */

#define CELL TEXT_CELL

static void change_text(char out[CELL], double ratio)
{
    if (isnan(ratio))
        snprintf(out, CELL, "-");
    else if (isinf(ratio))
        snprintf(out, CELL, "+inf");
    else
        snprintf(out, CELL, "%+.1f%%", (ratio - 1) * 100);
}

static void p_text(char out[CELL], const struct compare_cell *cell)
{
    if (!cell->tested)
        snprintf(out, CELL, "-");
    else if (cell->test.p >= 0.001)
        snprintf(out, CELL, "%.3f%s", cell->test.p, cell->few_samples ? "*" : "");
    else
        snprintf(out, CELL, "%.1e%s", cell->test.p, cell->few_samples ? "*" : "");
}

static const char *status_of(const struct compare_report *r, size_t input,
                             const struct compare_side *side)
{
    const struct result_set *s = r->inputs[input].set;
    return side->row ? result_text(side->row, s->c.status) : "";
}

static const char *error_of(const struct compare_report *r, size_t input,
                            const struct compare_side *side)
{
    const struct result_set *s = r->inputs[input].set;
    return side->row ? result_text(side->row, result_set_col(s, "error")) : "";
}

/* ---- table and Markdown ------------------------------------------------------------------ */

static void describe_inputs(const struct compare_report *r, FILE *out, bool md)
{
    for (size_t i = 0; i < r->n_inputs; i++) {
        const struct result_set *s = r->inputs[i].set;
        char what[512];
        result_set_describe(s, what, sizeof(what));
        fprintf(out, "%s%s: %s (%s)\n", md ? "- " : "", r->labels[i], s->dir, what);
        if (!metadata_get(s->md, "end_time") && metadata_get(s->md, "start_time"))
            fprintf(out, "  note: the %s run did not finish (metadata.csv has no end_time)\n",
                    r->labels[i]);
        if (s->truncated_line)
            fprintf(out, "  note: %s:%lu: a cut last row was ignored (the run was killed)\n",
                    s->results_path, s->truncated_line);
        if (r->disturbed[i])
            fprintf(out,
                    "  note: the %s run was disturbed: %s (regressions with it are inconclusive)\n",
                    r->labels[i], r->noise[i]);
    }
    double t = r->opts.threshold * 100;
    bool same_board = false;
    for (size_t i = 1; i < r->n_inputs; i++)
        same_board |= !r->other_board[i];
    if (r->boards)
        fprintf(out,
                "\nBoards compared: a median beyond %g%% with p < %g (Mann-Whitney U on the raw "
                "samples) is a difference,\nbetter or worse; differences between boards are not "
                "regressions.\n",
                t, r->opts.alpha);
    if (r->boards && same_board)
        fprintf(out, "Against a run of %s's own board, as between runs:", r->labels[0]);
    if (same_board)
        fprintf(out,
                "\nA regression is a median beyond %g%% in the metric's worse direction with p < "
                "%g\n(Mann-Whitney U on the raw samples); improvements are never regressions.\n",
                t, r->opts.alpha);
}

static int case_table(const struct compare_report *r, size_t input, FILE *out, bool md)
{
    struct text_table t = {.n_cols = 8,
                           .header = {"case", "metric", "unit", r->labels[0], r->labels[input],
                                      "change", "p", "verdict"},
                           .right = {false, false, false, true, true, true, true, false}};
    for (size_t k = 0; k < r->n_cases; k++) {
        const struct compare_case *c = &r->cases[k];
        const struct compare_cell *cell = &c->cell[input - 1];
        char base[CELL], other[CELL], change[CELL], p[CELL];
        text_human(base, c->side[0].median);
        text_human(other, c->side[input].median);
        change_text(change, cell->ratio);
        p_text(p, cell);
        const char *cells[] = {c->case_id, c->metric, c->unit, base,
                               other,      change,    p,       compare_verdict_name(cell->verdict)};
        if (text_table_add(&t, cells)) {
            text_table_free(&t);
            return -ENOMEM;
        }
    }
    text_table_print(&t, out, md);
    text_table_free(&t);
    /* Why cases could not be compared: the run's own error texts. */
    for (size_t k = 0; k < r->n_cases; k++) {
        const struct compare_case *c = &r->cases[k];
        enum compare_verdict v = c->cell[input - 1].verdict;
        if (v != VERDICT_ERROR && v != VERDICT_FAILING)
            continue;
        const size_t sides[] = {0, input};
        for (size_t s = 0; s < 2; s++) {
            size_t i = sides[s];
            if (strcmp(status_of(r, i, &c->side[i]), "error") == 0)
                fprintf(out, "%s%s %s: error in %s: %s\n", md ? "\n- " : "  ", c->case_id,
                        c->metric, r->labels[i], error_of(r, i, &c->side[i]));
        }
    }
    return 0;
}

static int summary_table(const struct compare_report *r, size_t input, FILE *out, bool md)
{
    struct text_table t = {.n_cols = 8,
                           .header = {"bench", "heap", "metric", "better", "cases", "geomean",
                                      "change",
                                      r->other_board[input] ? "worse/better" : "regr/impr"},
                           .right = {false, false, false, false, true, true, true, true}};
    for (size_t g = 0; g < r->n_groups; g++) {
        const struct compare_group *grp = &r->groups[g];
        if (grp->input != input)
            continue;
        char cases[CELL], geo[CELL], change[CELL], counts[CELL];
        snprintf(cases, CELL, "%zu", grp->cases);
        snprintf(geo, CELL, "%.4f", grp->geomean);
        change_text(change, grp->geomean);
        snprintf(counts, CELL, "%zu/%zu", grp->worse, grp->better);
        const char *cells[] = {
                grp->bench, grp->heap, grp->metric, grp->higher_better ? "higher" : "lower",
                cases,      geo,       change,      counts};
        if (text_table_add(&t, cells)) {
            text_table_free(&t);
            return -ENOMEM;
        }
    }
    if (t.n_rows)
        text_table_print(&t, out, md);
    else
        fprintf(out, "(no case measured on both sides)\n");
    text_table_free(&t);
    return 0;
}

static void verdict_counts(const struct compare_report *r, size_t input, FILE *out)
{
    size_t count[N_VERDICTS] = {0}, few = 0;
    for (size_t k = 0; k < r->n_cases; k++) {
        count[r->cases[k].cell[input - 1].verdict]++;
        few += r->cases[k].cell[input - 1].few_samples;
    }
    fprintf(out, "verdicts:");
    const char *sep = " ";
    for (int v = 0; v < N_VERDICTS; v++) {
        if (!count[v])
            continue;
        fprintf(out, "%s%zu %s", sep, count[v], compare_verdict_name((enum compare_verdict)v));
        sep = ", ";
    }
    fprintf(out, "%s\n", r->n_cases ? "" : " none (no cases)");
    if (few)
        fprintf(out,
                "warning: %zu comparison%s (p marked *) ha%s fewer than %zu samples on a side: the "
                "test has little power there\n(with 5 and 5 samples no p-value is below %.4f; "
                "run with --reps %zu or more)\n",
                few, few == 1 ? "" : "s", few == 1 ? "s" : "ve", r->opts.min_samples,
                mann_whitney_min_p(5, 5), r->opts.min_samples);
}

static int write_tables(const struct compare_report *r, FILE *out, bool md)
{
    if (md)
        fprintf(out, "# dmabench compare\n\n");
    describe_inputs(r, out, md);
    for (size_t i = 1; i < r->n_inputs; i++) {
        if (md)
            fprintf(out, "\n## %s vs %s\n\n", r->labels[0], r->labels[i]);
        else
            fprintf(out, "\n%s vs %s\n", r->labels[0], r->labels[i]);
        int ret = case_table(r, i, out, md);
        if (md)
            fprintf(out, "\n### Summary: geometric mean of %s / %s (counters left out)\n\n",
                    r->labels[i], r->labels[0]);
        else
            fprintf(out,
                    "\nsummary: geometric mean of %s / %s per benchmark, heap and metric "
                    "(counters left out)\n",
                    r->labels[i], r->labels[0]);
        if (!ret)
            ret = summary_table(r, i, out, md);
        if (ret)
            return ret;
        if (md)
            fputc('\n', out);
        verdict_counts(r, i, out);
    }
    return fflush(out) != 0 || ferror(out) ? -EIO : 0;
}

/* ---- CSV --------------------------------------------------------------------------------- */

static void number(char out[CELL], double v)
{
    if (isnan(v))
        out[0] = '\0';
    else if (isinf(v))
        snprintf(out, CELL, "inf");
    else
        snprintf(out, CELL, "%.10g", v);
}

static int write_csv(const struct compare_report *r, FILE *out)
{
    csv_write_row(out, compare_csv_columns, n_compare_csv_columns);
    for (size_t i = 1; i < r->n_inputs; i++) {
        for (size_t k = 0; k < r->n_cases; k++) {
            const struct compare_case *c = &r->cases[k];
            const struct compare_cell *cell = &c->cell[i - 1];
            const struct compare_side *b = &c->side[0], *o = &c->side[i];
            char bn[CELL], on[CELL], bm[CELL], om[CELL], ratio[CELL], change[CELL], p[CELL];
            snprintf(bn, CELL, "%zu", b->n);
            snprintf(on, CELL, "%zu", o->n);
            number(bm, b->median);
            number(om, o->median);
            number(ratio, cell->ratio);
            number(change, isnan(cell->ratio) ? NAN : (cell->ratio - 1) * 100);
            number(p, cell->tested ? cell->test.p : NAN);
            const char *row[] = {
                    r->labels[0],
                    r->labels[i],
                    c->case_id,
                    c->bench,
                    c->heap,
                    c->metric,
                    c->unit,
                    c->higher_better ? "higher" : "lower",
                    status_of(r, 0, b),
                    status_of(r, i, o),
                    b->row ? bn : "",
                    o->row ? on : "",
                    bm,
                    om,
                    ratio,
                    change,
                    p,
                    !cell->tested                   ? ""
                    : cell->test.method == MW_EXACT ? "exact"
                                                    : "normal",
                    cell->tested ? (cell->few_samples ? "yes" : "no") : "",
                    compare_verdict_name(cell->verdict),
            };
            csv_write_row(out, row, sizeof(row) / sizeof(*row));
        }
    }
    return fflush(out) != 0 || ferror(out) ? -EIO : 0;
}

/* ---- JUnit and LAVA ---------------------------------------------------------------------- */

static enum junit_outcome junit_outcome_of(enum compare_verdict v)
{
    switch (v) {
    case VERDICT_REGRESSION:
    case VERDICT_FAILING:
        return JUNIT_FAILURE;
    /* Nothing to compare: neither a pass nor, for the new run, a failure. */
    case VERDICT_INCONCLUSIVE:
    case VERDICT_BASE_ONLY:
    case VERDICT_NEW_ONLY:
    case VERDICT_SKIPPED:
    case VERDICT_ERROR:
    case VERDICT_UNTESTED:
        return JUNIT_SKIPPED;
    default:
        return JUNIT_PASS;
    }
}

/* "regression: median 12.35G -> 11.11G bytes/s (-10.0%), p = 0.0001 (exact, 10 vs 10 samples)",
 * or why nothing could be compared; an inconclusive one says why, then what the samples gave
 * ("inconclusive: new: load 3.10 on 2 CPUs; regression: median ..."). */
static void cell_message(char *out, size_t len, const struct compare_report *r, size_t input,
                         const struct compare_case *c)
{
    const struct compare_cell *cell = &c->cell[input - 1];
    if (cell->verdict == VERDICT_INCONCLUSIVE) {
        char why[2 * HISTORY_REASON_MAX + 2 * COMPARE_LABEL_MAX];
        compare_noise_reason(r, input, why, sizeof(why));
        int w = snprintf(out, len, "inconclusive: %s; ", why);
        if (w < 0 || (size_t)w >= len)
            return;
        out += w;
        len -= (size_t)w;
    }
    enum compare_verdict v = cell->judged;
    const char *verdict = compare_verdict_name(v);
    const size_t sides[] = {0, input};
    switch (v) {
    case VERDICT_BASE_ONLY:
    case VERDICT_NEW_ONLY:
        snprintf(out, len, "only in %s", r->labels[v == VERDICT_BASE_ONLY ? 0 : input]);
        return;
    case VERDICT_SKIPPED:
    case VERDICT_ERROR:
    case VERDICT_FAILING:
        /* The side that did not run, with its own reason. */
        for (size_t k = 0; k < 2; k++) {
            const char *status = status_of(r, sides[k], &c->side[sides[k]]);
            if (strcmp(status, "ok") != 0 &&
                (v == VERDICT_SKIPPED || strcmp(status, "skipped") != 0)) {
                snprintf(out, len, "%s in %s: %s", status, r->labels[sides[k]],
                         error_of(r, sides[k], &c->side[sides[k]]));
                return;
            }
        }
        /* Both ran: a check that passed in BASE fails in NEW (fail, sync-ineffective). */
        snprintf(out, len, "%s: the verdict is %s in %s", verdict,
                 result_text(c->side[input].row, result_set_col(r->inputs[input].set, "verdict")),
                 r->labels[input]);
        return;
    case VERDICT_UNTESTED:
        snprintf(out, len, "untested: no raw samples in %s",
                 r->inputs[c->side[0].n ? input : 0].samples->path);
        return;
    default:
        break;
    }
    char base[CELL], other[CELL], change[CELL];
    text_human(base, c->side[0].median);
    text_human(other, c->side[input].median);
    change_text(change, cell->ratio);
    snprintf(out, len, "%s: median %s -> %s %s (%s), p = %.3g (%s, %zu vs %zu samples%s)", verdict,
             base, other, c->unit, change, cell->test.p,
             cell->test.method == MW_EXACT ? "exact" : "normal", c->side[0].n, c->side[input].n,
             cell->few_samples ? ", few" : "");
}

/* A suite per NEW input: its run's wall time, host and properties (the BASE run's as base_*);
 * a case's time is the NEW run's for it. */
static int write_junit(const struct compare_report *r, FILE *out)
{
    junit_begin(out);
    for (size_t i = 1; i < r->n_inputs; i++) {
        const struct result_set *base = r->inputs[0].set, *other = r->inputs[i].set;
        struct junit_suite suite;
        export_run_suite(other, &suite);
        for (size_t k = 0; k < r->n_cases; k++)
            junit_count(&suite.counts, junit_outcome_of(r->cases[k].cell[i - 1].verdict));
        char name[3 * COMPARE_LABEL_MAX];
        snprintf(name, sizeof(name), "dmabench compare %s vs %s", r->labels[0], r->labels[i]);
        suite.name = name;
        struct junit_property props[2 * EXPORT_RUN_PROPERTIES];
        size_t n = export_run_properties(other, NULL, props, EXPORT_RUN_PROPERTIES);
        suite.n_properties =
                n + export_run_properties(base, "base_", props + n, EXPORT_RUN_PROPERTIES);
        suite.properties = props;
        junit_suite_open(out, &suite);
        for (size_t k = 0; k < r->n_cases; k++) {
            const struct compare_case *c = &r->cases[k];
            char classname[256], case_name[512], message[1024];
            snprintf(classname, sizeof(classname), "dmabench.%s.%s", c->bench, c->heap);
            snprintf(case_name, sizeof(case_name), "%s %s", c->case_id, c->metric);
            cell_message(message, sizeof(message), r, i, c);
            enum junit_outcome o = junit_outcome_of(c->cell[i - 1].verdict);
            junit_case_timed(out, classname, case_name,
                             export_case_seconds(r->inputs[i].samples, c->case_id, c->metric), o,
                             message, o == JUNIT_PASS ? message : NULL);
        }
        junit_suite_end(out);
    }
    return junit_end(out);
}

static int write_lava(const struct compare_report *r, const struct lava_sink *lava)
{
    for (size_t i = 1; i < r->n_inputs; i++) {
        for (size_t k = 0; k < r->n_cases; k++) {
            const struct compare_case *c = &r->cases[k];
            const struct compare_cell *cell = &c->cell[i - 1];
            const char *result = lava_result_of_junit(junit_outcome_of(cell->verdict));
            double change = isfinite(cell->ratio) ? (cell->ratio - 1) * 100 : NAN;
            /* With several NEW inputs the label tells their results apart. */
            int ret = lava_report_case(lava, r->n_inputs > 2 ? r->labels[i] : NULL, c->case_id,
                                       c->metric, result, change, "%");
            if (ret)
                return ret;
        }
    }
    /* One verdict for the whole comparison, as the exit code gives it. */
    int ret = lava_report(lava, "dmabench-compare", compare_failed(r) ? "fail" : "pass", NAN, NULL);
    if (!ret && lava->out && (fflush(lava->out) != 0 || ferror(lava->out)))
        ret = -EIO;
    return ret;
}

int compare_write(const struct compare_report *r, enum compare_format format, FILE *out,
                  const struct lava_sink *lava)
{
    switch (format) {
    case COMPARE_FORMAT_TABLE:
        return write_tables(r, out, false);
    case COMPARE_FORMAT_MD:
        return write_tables(r, out, true);
    case COMPARE_FORMAT_CSV:
        return write_csv(r, out);
    case COMPARE_FORMAT_JUNIT:
        return write_junit(r, out);
    case COMPARE_FORMAT_LAVA:
    case COMPARE_FORMAT_LAVA_SIGNAL:
        return write_lava(r, lava);
    case COMPARE_FORMAT_JSON:
        return compare_write_json(r, out);
    case N_COMPARE_FORMATS:
        break;
    }
    return -EINVAL;
}
