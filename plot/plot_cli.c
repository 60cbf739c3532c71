/* plot/plot_cli.c - reading result sets and reporting plot outcomes for `plot` and `report`.
 *
 * Every skipped plot is one line saying what data it needs and how to get it; a gnuplot failure
 * shows gnuplot's own words, so the user sees the same message they would running the script.
 */
#include "plot_cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int plot_cli_load_sets(const char *command, char *const *paths, size_t n, struct result_set ***sets)
{
    *sets = calloc(n + 1, sizeof(**sets));
    if (!*sets) {
        cli_error("%s: out of memory", command);
        return CLI_EXIT_FAILURE;
    }
    for (size_t i = 0; i < n; i++) {
        char err[1024];
        int ret = result_set_load(&(*sets)[i], paths[i], err, sizeof(err));
        if (ret) {
            cli_error("%s: %s", command, err);
            plot_cli_free_sets(*sets, n);
            *sets = NULL;
            return ret == -ENOMEM ? CLI_EXIT_FAILURE : CLI_EXIT_USAGE;
        }
        if ((*sets)[i]->truncated_line)
            cli_error("%s: %s:%lu: the last row is cut (the run was interrupted); using the rows "
                      "before it",
                      command, (*sets)[i]->results_path, (*sets)[i]->truncated_line);
    }
    return CLI_EXIT_OK;
}

void plot_cli_free_sets(struct result_set **sets, size_t n)
{
    for (size_t i = 0; sets && i < n; i++)
        result_set_free(sets[i]);
    free(sets);
}

void plot_cli_list_types(FILE *out)
{
    for (size_t i = 0; i < plot_type_count(); i++) {
        const struct plot_type *t = plot_type_at(i);
        fprintf(out, "  %-10s %s\n", t->name,
                t->title ? t->title : "board vs board / run vs run bars (two or more sets)");
    }
}

int plot_cli_parse_types(const char *command, char *text, const char **names, size_t max)
{
    size_t n = 0;
    for (char *save = NULL, *tok = strtok_r(text, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (!plot_type_find(tok)) {
            char known[256] = "";
            size_t used = 0;
            for (size_t i = 0; i < plot_type_count() && used < sizeof(known); i++)
                used += (size_t)snprintf(known + used, sizeof(known) - used, "%s%s", i ? ", " : "",
                                         plot_type_at(i)->name);
            cli_error("%s: --type '%s': not a plot type (%s)", command, tok, known);
            return CLI_EXIT_USAGE;
        }
        if (n + 1 >= max) {
            cli_error("%s: --type: at most %zu types", command, max - 1);
            return CLI_EXIT_USAGE;
        }
        names[n++] = tok;
    }
    if (!n) {
        cli_error("%s: --type: empty list", command);
        return CLI_EXIT_USAGE;
    }
    names[n] = NULL;
    return CLI_EXIT_OK;
}

/* gnuplot's stderr, a line at a time under the plot's name. */
static void relay_gnuplot(const char *command, const struct plot_outcome *o)
{
    const char *p = o->gnuplot_errors;
    while (p && *p) {
        size_t len = strcspn(p, "\n");
        if (len)
            cli_error("%s: %s: gnuplot: %.*s", command, o->name, (int)len, p);
        p += len + (p[len] == '\n');
    }
}

int plot_cli_report_outcomes(const char *command, const struct plot_job *job, int ret,
                             const struct plot_outcome *o, size_t n, const char *err, int quiet)
{
    size_t made = 0, skipped = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        switch (o[i].state) {
        case PLOT_MADE:
            made++;
            if (!quiet)
                printf("%s/%s.png %s/%s.svg: %zu series, %zu points\n", job->out_dir, o[i].name,
                       job->out_dir, o[i].name, o[i].series, o[i].points);
            break;
        case PLOT_SKIPPED:
            skipped++;
            cli_error("%s: %s skipped: %s", command, o[i].name, o[i].note);
            break;
        case PLOT_FAILED:
            failed++;
            cli_error("%s: %s failed: %s", command, o[i].name, o[i].note);
            relay_gnuplot(command, &o[i]);
            break;
        }
    }
    if (ret && ret != -ECHILD) {
        cli_error("%s: %s", command, err);
        return ret == -EBADMSG ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
    }
    if (!quiet)
        printf("plots: %zu made, %zu skipped, %zu failed, in %s\n", made, skipped, failed,
               job->out_dir);
    return failed ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

char *plot_cli_default_out(struct result_set *const *sets, size_t n, const char *subdir)
{
    if (n != 1)
        return NULL;
    char *out;
    return asprintf(&out, "%s/%s", sets[0]->dir, subdir) < 0 ? NULL : out;
}
