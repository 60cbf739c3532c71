/* bench/analysis/report_flags.c - counts a set's flagged rows by reason and cites the first cases
 * of each.
 *
 * Reasons are grouped by their main label (bench/results/flag_tally.h), as the run summary groups
 * them, so the report and the terminal name the same causes with the same counts of cases' rows.
 */
#include "report_flags.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "flag_tally.h"
#include "report_md.h"

#define CITED_CASES 3 /* per reason; the CSV has them all */

static const char *const flag_columns[] = {"disturbed", "implausible"};

size_t report_flagged_rows(const struct result_set *s, size_t *disturbed, size_t *implausible)
{
    int col[2] = {result_set_col(s, flag_columns[0]), result_set_col(s, flag_columns[1])};
    size_t n[2] = {0, 0}, any = 0;
    for (size_t i = 0; i < s->n_rows; i++) {
        bool flagged = false;
        for (int k = 0; k < 2; k++)
            if (col[k] >= 0 && result_text(&s->rows[i], col[k])[0]) {
                n[k]++;
                flagged = true;
            }
        any += flagged;
    }
    *disturbed = n[0];
    *implausible = n[1];
    return any;
}

/* Up to CITED_CASES rows of distinct cases whose flag in col has the main reason label. */
static size_t cases_with(const struct result_set *s, int col, const char *label,
                         const struct result_row **rows)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_rows && n < CITED_CASES; i++) {
        const struct result_row *r = &s->rows[i];
        char this[48];
        flag_reason_label(result_text(r, col), this, sizeof(this));
        if (!result_text(r, col)[0] || strcmp(this, label))
            continue;
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++)
            seen = !strcmp(result_text(rows[k], s->c.case_id), result_text(r, s->c.case_id));
        if (!seen)
            rows[n++] = r;
    }
    return n;
}

static void reason_lines(FILE *out, const struct result_set *s, int col, const char *flag,
                         const struct flag_tally *t)
{
    size_t order[FLAG_TALLY_REASONS + 1];
    size_t n = flag_tally_order(t, order);
    for (size_t k = 0; k < n; k++) {
        const char *label = t->reasons[order[k]].label;
        const struct result_row *rows[CITED_CASES];
        size_t cited = cases_with(s, col, label, rows);
        fprintf(out, "| %s | ", flag);
        report_cell(out, label);
        fprintf(out, " | %u | ", t->reasons[order[k]].count);
        if (cited)
            report_cite(out, rows, cited, s);
        else
            fputs("-", out);
        fputs(" |\n", out);
    }
}

int report_flags(FILE *out, const struct result_set *s)
{
    int col[2] = {result_set_col(s, flag_columns[0]), result_set_col(s, flag_columns[1])};
    fputs("### Flagged rows\n\n", out);
    if (col[0] < 0 || col[1] < 0) {
        fputs("This set has no `disturbed` and `implausible` columns (results schema 1 or 2): "
              "nothing says whether the machine disturbed its cases.\n\n",
              out);
        return 0;
    }
    struct flag_tally *tally = calloc(2, sizeof(*tally));
    if (!tally)
        return -ENOMEM;
    /* A case's rows are consecutive in results.csv (written case by case): a case is counted
     * where its first flagged row is. */
    size_t cases[2] = {0, 0};
    for (size_t i = 0; i < s->n_rows; i++) {
        const struct result_row *r = &s->rows[i];
        bool first = i == 0 || strcmp(result_text(r, s->c.case_id),
                                      result_text(&s->rows[i - 1], s->c.case_id));
        for (int k = 0; k < 2; k++) {
            const char *flag = result_text(r, col[k]);
            flag_tally_add(&tally[k], flag);
            cases[k] += flag[0] && (first || !result_text(&s->rows[i - 1], col[k])[0]);
        }
    }
    if (!tally[0].flagged && !tally[1].flagged) {
        fputs("No row was flagged: no case was measured on a disturbed machine, and no figure "
              "breaks a physical rule (results/README.md, `disturbed` and `implausible`).\n\n",
              out);
        free(tally);
        return 0;
    }
    fprintf(out,
            "%u of %zu rows (%zu case%s) were measured while the machine was disturbed and %u "
            "(%zu case%s) break a physical rule (results/README.md, `disturbed` and "
            "`implausible`). They stay in the tables and recommendations below with their "
            "numbers: weigh those with this in mind.\n\n",
            tally[0].flagged, s->n_rows, cases[0], cases[0] == 1 ? "" : "s", tally[1].flagged,
            cases[1], cases[1] == 1 ? "" : "s");
    report_table_head(out, "flag|main reason|rows|cases (the first three)");
    for (int k = 0; k < 2; k++)
        reason_lines(out, s, col[k], flag_columns[k], &tally[k]);
    fputc('\n', out);
    free(tally);
    return 0;
}
