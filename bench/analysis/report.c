/* bench/analysis/report.c - the report's outline: sets, recommendations, each set's plots and
 * tables, and the sets side by side.
 *
 * Recommendations come first because they are what a reader acts on; every number below them
 * is there to be checked, with the case ids it came from.
 */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "plot_bars.h"
#include "report_advice.h"
#include "report_flags.h"
#include "report_precision.h"
#include "report_md.h"
#include "report_tables.h"
#include "version.h"

static void set_heading(FILE *out, const char *level, const struct result_set *s, size_t i)
{
    char desc[512];
    result_set_describe(s, desc, sizeof(desc));
    fprintf(out, "%s Set %zu: ", level, i + 1);
    report_cell(out, desc);
    fputs("\n\n", out);
}

static void sets_table(FILE *out, const struct report_input *in)
{
    fputs("## Result sets\n\n", out);
    report_table_head(out, "set|results|board|CPU|kernel|run|rows: ok / skipped / error|"
                           "rows flagged: disturbed / implausible");
    for (size_t i = 0; i < in->n_sets; i++) {
        const struct result_set *s = in->sets[i];
        size_t ok = 0, skipped = 0, error = 0;
        for (size_t k = 0; k < s->n_rows; k++) {
            const char *st = result_text(&s->rows[k], s->c.status);
            ok += !strcmp(st, "ok");
            skipped += !strcmp(st, "skipped");
            error += !strcmp(st, "error");
        }
        const char *cells[] = {s->dir, result_set_board(s), result_set_meta(s, "cpu_model"),
                               result_set_meta(s, "kernel_release"), result_set_meta(s, "run_id")};
        fprintf(out, "| %zu |", i + 1);
        for (size_t c = 0; c < sizeof(cells) / sizeof(*cells); c++) {
            fputs(c == 0 ? " `" : " ", out);
            report_cell(out, cells[c]);
            fputs(c == 0 ? "` |" : " |", out);
        }
        fprintf(out, " %zu / %zu / %zu%s |", ok, skipped, error,
                s->truncated_line ? " (interrupted run: last row cut)" : "");
        size_t disturbed, implausible;
        report_flagged_rows(s, &disturbed, &implausible);
        if (result_set_col(s, "disturbed") < 0)
            fputs(" - (schema before 3) |\n", out);
        else
            fprintf(out, " %zu / %zu |\n", disturbed, implausible);
    }
    fputc('\n', out);
}

static void plot_image(FILE *out, const struct plot_outcome *o, const char *title)
{
    fprintf(out, "[![%s](%s.png)](%s.svg)\n\n", title, o->name, o->name);
}

static void set_plots(FILE *out, const struct report_input *in, size_t set)
{
    fputs("### Plots\n\n", out);
    if (in->no_plots) {
        fprintf(out, "No plots: %s.\n\n", in->no_plots);
        return;
    }
    bool skipped = false;
    for (size_t i = 0; i < in->n_plots; i++) {
        const struct plot_outcome *o = &in->plots[i];
        if (o->set == set && !o->type->across_sets && o->state == PLOT_MADE)
            plot_image(out, o, o->type->title);
    }
    for (size_t i = 0; i < in->n_plots; i++) {
        const struct plot_outcome *o = &in->plots[i];
        if (o->set != set || o->type->across_sets || o->state == PLOT_MADE)
            continue;
        fputs(skipped ? "" : "Not plotted:\n\n", out);
        skipped = true;
        fprintf(out, "- %s: %s%s\n", o->type->name, o->state == PLOT_FAILED ? "failed: " : "",
                o->note);
    }
    if (skipped)
        fputc('\n', out);
}

/* A median in the unit people read: GB/s for bandwidth, else the unit as written. */
static void value_cell(FILE *out, double v, const char *unit)
{
    char buf[32];
    if (!strcmp(unit, "bytes/s"))
        fprintf(out, " %s GB/s |", report_num(v / 1e9, buf, sizeof(buf)));
    else
        fprintf(out, " %s %s |", report_num(v, buf, sizeof(buf)), unit);
}

static int side_by_side(FILE *out, const struct report_input *in)
{
    fputs("## The sets side by side\n\n", out);
    for (size_t i = 0; i < in->n_plots; i++)
        if (in->plots[i].type->across_sets && in->plots[i].state == PLOT_MADE)
            plot_image(out, &in->plots[i], "Board vs board");
    struct bar_cases bars;
    int ret = plot_bars_build(in->sets, in->n_sets, &bars);
    if (ret)
        return ret;
    if (!bars.n) {
        fputs("No case was measured in every set (sets are joined on case id and metric).\n\n",
              out);
        return 0;
    }
    const struct result_set *s0 = in->sets[0];
    fprintf(out,
            "%zu cases were measured in every set%s. Medians; the last columns relate each "
            "set to set 1 so that above 1 is better (for costs such as latency, set 1 / set "
            "N). Differences are not tested here: `dmabench compare` does that.\n\n",
            bars.n_common, bars.n < bars.n_common ? "; the largest size of each is shown" : "");
    fputs("| case |", out);
    for (size_t i = 0; i < in->n_sets; i++)
        fprintf(out, " set %zu |", i + 1);
    for (size_t i = 1; i < in->n_sets; i++)
        fprintf(out, " set %zu vs 1 |", i + 1);
    fputs(" rows (set 1) |\n|---|", out);
    for (size_t i = 0; i < 2 * in->n_sets; i++)
        fputs("---|", out);
    fputc('\n', out);
    for (size_t k = 0; k < bars.n; k++) {
        const struct bar_case *c = &bars.cases[k];
        fputs("| ", out);
        report_cell(out, c->label[0] ? c->label : "all");
        fputs(" |", out);
        for (size_t i = 0; i < in->n_sets; i++)
            value_cell(out, result_num(c->rows[i], in->sets[i]->c.median),
                       result_text(c->rows[i], in->sets[i]->c.unit));
        for (size_t i = 1; i < in->n_sets; i++) {
            char buf[32];
            fprintf(out, " %s |", report_num(c->rel[i], buf, sizeof(buf)));
        }
        fputc(' ', out);
        report_cite1(out, c->rows[0], s0);
        fputs(" |\n", out);
    }
    fputc('\n', out);
    plot_bars_free(&bars);
    return 0;
}

int report_write(FILE *out, const struct report_input *in, char *err, size_t err_len)
{
    fprintf(out,
            "# dmabench report\n\n"
            "Made by dmabench %s from %zu result set%s. Numbers are medians; error bars "
            "and intervals are 95%% confidence intervals of the median. Every number names "
            "the rows it came from: the case id and line in that set's results.csv.\n\n",
            DMABENCH_VERSION, in->n_sets, in->n_sets == 1 ? "" : "s");
    sets_table(out, in);
    int ret = 0;
    fputs("## Recommendations\n\n", out);
    for (size_t i = 0; i < in->n_sets && !ret; i++) {
        if (in->n_sets > 1)
            set_heading(out, "###", in->sets[i], i);
        ret = report_advice(out, in->sets[i], err, err_len);
    }
    for (size_t i = 0; i < in->n_sets && !ret; i++) {
        const struct result_set *s = in->sets[i];
        set_heading(out, "##", s, i);
        if ((ret = report_flags(out, s)) != 0 || (ret = report_precision(out, s)) != 0)
            break;
        set_plots(out, in, i);
        if (!(ret = report_table_bandwidth(out, s, err, err_len)) &&
            !(ret = report_table_sync(out, s, err, err_len)) &&
            !(ret = report_table_alloc(out, s, err, err_len)))
            ret = report_table_coherency(out, s, err, err_len);
    }
    if (!ret && in->n_sets > 1)
        ret = side_by_side(out, in);
    if (ret == -ENOMEM)
        snprintf(err, err_len, "out of memory");
    if (!ret && ferror(out)) {
        snprintf(err, err_len, "write error");
        ret = -EIO;
    }
    return ret;
}
