/* bench/cli/cmd_plot.c - `dmabench plot RESULTS... [-o DIR]`: PNG and SVG plots of result sets.
 *
 * Reads each result directory, writes one .dat file per plot into DIR and has gnuplot draw it
 * with plot/NAME.gp; plot types the data cannot fill are skipped with a note.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "plot.h"
#include "plot_cli.h"

static void plot_usage(FILE *out)
{
    fprintf(out, "usage: dmabench plot RESULTS... [-o DIR] [--type LIST] [--quiet]\n"
                 "\n"
                 "Plots result sets (directories written by 'dmabench run', or their results.csv)\n"
                 "as PNG and SVG with gnuplot: per set, and board vs board for two or more sets.\n"
                 "Each plot's data is left beside it as NAME.dat, so that\n"
                 "'gnuplot -c plot/NAME.gp ...' can redraw it (the .dat file says how).\n"
                 "\n"
                 "  -o, --output DIR   where the plots go (default: RESULTS/plots for one set)\n"
                 "  --type LIST        only these plot types (comma-separated)\n"
                 "  -q, --quiet        do not list the plots made\n"
                 "  -h, --help         this text\n"
                 "\n"
                 "plot types (a type without data is skipped with a note):\n");
    plot_cli_list_types(out);
    fprintf(out, "\n"
                 "The scripts are found in $DMABENCH_PLOT_DIR, else in ../share/dmabench/plot\n"
                 "from the dmabench executable's folder (installed), else in plot/ beside it or\n"
                 "above it (the source tree); gnuplot is $DMABENCH_GNUPLOT, else from PATH.\n"
                 "Exit status: 0 every plot made or skipped, 1 gnuplot failed or warned (or is\n"
                 "missing), 2 bad usage or input (the message names the file and line).\n");
}

int cmd_plot(int argc, char **argv)
{
    static const struct option options[] = {
            {"output", required_argument, NULL, 'o'},
            {"type", required_argument, NULL, 't'},
            {"quiet", no_argument, NULL, 'q'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
    };
    const char *out_dir = NULL, *types[PLOT_CLI_MAX_TYPES];
    int opt, quiet = 0;
    bool have_types = false;
    while ((opt = getopt_long(argc, argv, "o:qh", options, NULL)) != -1) {
        switch (opt) {
        case 'o':
            if (cli_set_once("plot", "-o", &out_dir, optarg) != CLI_EXIT_OK)
                return CLI_EXIT_USAGE;
            break;
        case 't':
            if (cli_once("plot", "--type", &have_types) != CLI_EXIT_OK ||
                plot_cli_parse_types("plot", optarg, types, PLOT_CLI_MAX_TYPES) != CLI_EXIT_OK)
                return CLI_EXIT_USAGE;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            plot_usage(stdout);
            return CLI_EXIT_OK;
        default:
            plot_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    size_t n_sets = (size_t)(argc - optind);
    if (!n_sets) {
        cli_error("plot: no result sets (give one or more directories written by 'dmabench run')");
        return CLI_EXIT_USAGE;
    }
    char script_dir[4096], err[1024];
    if (plot_find_scripts(script_dir, sizeof(script_dir), err, sizeof(err)) != 0) {
        cli_error("plot: %s", err);
        return CLI_EXIT_FAILURE;
    }
    struct result_set **sets;
    int rc = plot_cli_load_sets("plot", argv + optind, n_sets, &sets);
    if (rc != CLI_EXIT_OK)
        return rc;
    char *default_out = out_dir ? NULL : plot_cli_default_out(sets, n_sets, "plots");
    if (!out_dir && !default_out) {
        cli_error("plot: %zu result sets: say where the plots go with -o DIR", n_sets);
        plot_cli_free_sets(sets, n_sets);
        return CLI_EXIT_USAGE;
    }
    struct plot_job job = {
            .sets = sets,
            .n_sets = n_sets,
            .out_dir = out_dir ? out_dir : default_out,
            .script_dir = script_dir,
            .types = have_types ? types : NULL,
    };
    struct plot_outcome *o;
    size_t n;
    int ret = plot_make(&job, &o, &n, err, sizeof(err));
    rc = plot_cli_report_outcomes("plot", &job, ret, o, n, err, quiet);
    plot_outcomes_free(o, n);
    plot_cli_free_sets(sets, n_sets);
    free(default_out);
    return rc;
}
