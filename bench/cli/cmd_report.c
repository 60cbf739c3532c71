/* bench/cli/cmd_report.c - `dmabench report RESULTS... [-o DIR]`: report.md with plots and advice.
 *
 * Makes the plots into DIR (as `dmabench plot` would), then writes DIR/report.md beside them,
 * through a fresh temporary file renamed into place so that a half-written report never
 * replaces a whole one, and a link planted in its place is replaced, not written through.
 * Without gnuplot the report is still written, saying why it has no plots.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "output_dir.h"
#include "plot.h"
#include "plot_cli.h"
#include "report.h"
#include "safe_file.h"

static void report_usage(FILE *out)
{
    fprintf(out,
            "usage: dmabench report RESULTS... [-o DIR] [--no-plots] [--quiet]\n"
            "\n"
            "Writes DIR/report.md (Markdown): the result sets, the recommendations their rows\n"
            "support, each set's plots and key tables (cached vs uncached bandwidth, sync cost\n"
            "per MiB, allocation p50/p90/p99, coherency verdicts), and the sets side by side when\n"
            "there are two or more. Every number cites its rows (case id and line).\n"
            "\n"
            "  -o, --output DIR   where report.md and its plots go (default: RESULTS/report for\n"
            "                     one set)\n"
            "  --no-plots         tables and recommendations only (no gnuplot needed)\n"
            "  -q, --quiet        do not list the plots made\n"
            "  -h, --help         this text\n"
            "\n"
            "Exit status: 0 report written, 1 written but a plot failed (or gnuplot is missing:\n"
            "see --no-plots), or it could not be written, 2 bad usage or input.\n");
}

/* report.md through a fresh temporary renamed over it (bench/results/safe_file.h): a planted
 * link is replaced, never written through. A cli_exit. */
static int write_report(int dirfd, const char *dir, const struct report_input *in)
{
    char err[1024] = "";
    struct safe_file_update u;
    int ret = safe_file_begin(&u, dirfd, "report.md");
    if (ret) {
        cli_error("report: %s: cannot create a temporary for report.md: %s", dir, strerror(-ret));
        return CLI_EXIT_FAILURE;
    }
    if ((ret = report_write(u.f, in, err, sizeof(err)))) {
        cli_error("report: %s", err);
        safe_file_abort(&u);
    } else if ((ret = safe_file_commit(&u, false))) {
        cli_error("report: %s/report.md: %s", dir, strerror(-ret));
    }
    if (ret)
        return ret == -EBADMSG ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
    printf("report: %s/report.md\n", dir);
    return CLI_EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
    enum { OPT_NO_PLOTS = 1000 };
    static const struct option options[] = {
            {"output", required_argument, NULL, 'o'},
            {"no-plots", no_argument, NULL, OPT_NO_PLOTS},
            {"quiet", no_argument, NULL, 'q'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
    };
    const char *out_dir = NULL;
    int opt, quiet = 0, plots = 1;
    while ((opt = getopt_long(argc, argv, "o:qh", options, NULL)) != -1) {
        switch (opt) {
        case 'o':
            if (cli_set_once("report", "-o", &out_dir, optarg) != CLI_EXIT_OK)
                return CLI_EXIT_USAGE;
            break;
        case OPT_NO_PLOTS:
            plots = 0;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            report_usage(stdout);
            return CLI_EXIT_OK;
        default:
            report_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    size_t n_sets = (size_t)(argc - optind);
    if (!n_sets) {
        cli_error("report: no result sets (give one or more directories written by 'dmabench "
                  "run')");
        return CLI_EXIT_USAGE;
    }
    struct result_set **sets;
    int rc = plot_cli_load_sets("report", argv + optind, n_sets, &sets);
    if (rc != CLI_EXIT_OK)
        return rc;
    char *default_out = out_dir ? NULL : plot_cli_default_out(sets, n_sets, "report");
    if (!out_dir && !default_out) {
        cli_error("report: %zu result sets: say where the report goes with -o DIR", n_sets);
        plot_cli_free_sets(sets, n_sets);
        return CLI_EXIT_USAGE;
    }
    char script_dir[4096], err[1024] = "";
    struct plot_job job = {.sets = sets,
                           .n_sets = n_sets,
                           .out_dir = out_dir ? out_dir : default_out,
                           .script_dir = script_dir};
    struct report_input in = {.sets = sets, .n_sets = n_sets};
    struct plot_outcome *o = NULL;
    size_t n = 0;
    int plot_rc = CLI_EXIT_OK;
    if (!plots) {
        in.no_plots = "made with --no-plots";
    } else if (plot_find_scripts(script_dir, sizeof(script_dir), err, sizeof(err)) != 0) {
        cli_error("report: %s", err);
        in.no_plots = "the gnuplot scripts were not found (DMABENCH_PLOT_DIR)";
        plot_rc = CLI_EXIT_FAILURE;
    } else {
        int ret = plot_make(&job, &o, &n, err, sizeof(err));
        plot_rc = plot_cli_report_outcomes("report", &job, ret, o, n, err, quiet);
        if (ret == -ENOENT)
            in.no_plots = "gnuplot was not found (install gnuplot-nox, or use --no-plots)";
        else if (ret && ret != -ECHILD)
            in.no_plots = "plotting failed (see the messages of dmabench report)";
        in.plots = o;
        in.n_plots = n;
    }
    /* A directory that plotting could not create makes no report either. */
    int dirfd, ret = plot_rc == CLI_EXIT_USAGE
                             ? 0
                             : output_dir_open(job.out_dir, true, &dirfd, err, sizeof(err));
    if (ret) {
        cli_error("report: %s", err);
        rc = CLI_EXIT_FAILURE;
    } else if (plot_rc == CLI_EXIT_USAGE) {
        rc = CLI_EXIT_USAGE;
    } else {
        rc = write_report(dirfd, job.out_dir, &in);
        close(dirfd);
        if (rc == CLI_EXIT_OK)
            rc = plot_rc;
    }
    plot_outcomes_free(o, n);
    plot_cli_free_sets(sets, n_sets);
    free(default_out);
    return rc;
}
