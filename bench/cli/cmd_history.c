/* bench/cli/cmd_history.c - `dmabench history [options] DIR...`: many runs as series over time,
 * their change points, and a gate on each board's newest run for CI.
 *
 * Reads the sets and trees named (bench/analysis/history_read.c), finds the change points and
 * judges the newest runs (history_gate.c), prints the report in the chosen format, and with -o
 * writes history.csv, history.json and the trend plots (and with --html the page) into DIR.
 * Exit: 0, 1 a regression at a newest run with --gate (or a failure while writing), 2 bad input.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "history.h"
#include "history_format.h"
#include "history_gate.h"
#include "history_html.h"
#include "history_read.h"
#include "output_dir.h"
#include "plot_trend.h"
#include "safe_file.h"

#define HISTORY_MAX_PATHS  4096
#define HISTORY_MAX_BOARDS 64
#define HISTORY_LIST_MAX   20 /* cases named in a message before "and N more" */

static void history_usage(FILE *out)
{
    struct history_gate_opts d;
    history_gate_opts_default(&d);
    fprintf(out,
            "usage: dmabench history DIR... [--order time|kernel|git] [--threshold PCT]\n"
            "                        [--alpha P] [--gate]\n"
            "                        [--format table|md|csv|junit|lava-signal|json]\n"
            "                        [-o DIR [--no-plots] [--html]] [--counters] [--board "
            "NAME]...\n"
            "\n"
            "Reads result sets (a run's directory, or its results.csv) and trees of them as\n"
            "'dmabench run' lays them out (results/BOARD/RUN_ID/), searched recursively without\n"
            "following symbolic links, and builds one series per board, case and metric from\n"
            "the measured rows (results.csv medians, raw samples from samples.csv). Each\n"
            "series' change points are found on the runs that metadata does not show as\n"
            "disturbed (docs/change-points.md); a regression is a significant change point in\n"
            "the metric's worse direction larger than the threshold. Sets that cannot be\n"
            "read are skipped with a warning.\n"
            "\n"
            "  --order ORDER      runs of a board in time (start_time, the default), kernel\n"
            "                     (kernel_release in version order) or git order (each git_sha\n"
            "                     where it first appears in time); ties in time order\n"
            "  --threshold PCT    a regression is larger than this, in percent (default %g)\n"
            "  --alpha P          significance level of a change point (default %g)\n"
            "  --gate             exit 1 when a board's newest run is in the segment after a\n"
            "                     regression change point (its last); name the cases\n"
            "  --format FORMAT    table (default), md, csv, junit, lava-signal, json\n"
            "  -o, --output DIR   also write history.csv, history.json and the trend plots\n"
            "                     (gnuplot: trend-NAME.png, .svg, .dat) into DIR\n"
            "  --no-plots         with -o: no trend plots (no gnuplot needed)\n"
            "  --html             with -o: DIR/index.html, the dashboard page, too\n"
            "  --counters         counter rows (perf::..., events/...) as series too\n"
            "  --board NAME       only this board (again for more)\n"
            "  -h, --help         this text\n"
            "\n"
            "A newest run that metadata shows as disturbed, or a regression seen only in\n"
            "disturbed runs, is inconclusive: a warning, never a failure.\n"
            "csv: one row per change point (columns in README.md, 'dmabench history').\n"
            "junit: one test case per series, failed by a regression at the newest run.\n"
            "lava-signal: one <LAVA_SIGNAL_TESTCASE> per series, then dmabench-history.\n"
            "\n"
            "Exit status: 0 no regression (or no --gate), 1 a regression at a newest run with\n"
            "--gate, or a file that could not be written, 2 bad usage or input.\n",
            d.threshold * 100, d.cp.alpha);
}

struct history_args {
    struct history_opts read;
    struct history_gate_opts gate_opts;
    enum history_format format;
    bool gate, html, plots;
    const char *out_dir;
    const char *boards[HISTORY_MAX_BOARDS];
    const char **paths;
    size_t n_paths;
};

static int parse_option(int opt, const char *arg, struct history_args *a)
{
    double pct;
    int ret = CLI_EXIT_OK;
    switch (opt) {
    case 'O':
        if (history_order_parse(arg, &a->read.order))
            ret = cli_bad_choice("history", "--order", arg, history_order_names, N_HISTORY_ORDERS);
        break;
    case 'T':
        ret = cli_parse_number("history", "--threshold", arg, true, 0, 1000, &pct);
        if (ret == CLI_EXIT_OK)
            a->gate_opts.threshold = pct / 100;
        break;
    case 'A':
        ret = cli_parse_number("history", "--alpha", arg, false, 1e-6, 0.5, &a->gate_opts.cp.alpha);
        break;
    case 'F':
        if (history_format_parse(arg, &a->format))
            ret = cli_bad_choice("history", "--format", arg, history_format_names,
                                 N_HISTORY_FORMATS);
        break;
    case 'o':
        ret = cli_set_once("history", "-o", &a->out_dir, arg);
        if (!ret)
            ret = cli_check_path("history", "-o", arg);
        break;
    case 'B':
        if (a->read.n_boards == HISTORY_MAX_BOARDS) {
            cli_error("history: --board: at most %d boards", HISTORY_MAX_BOARDS);
            ret = CLI_EXIT_USAGE;
        } else if (!*arg) {
            cli_error("history: --board: empty value");
            ret = CLI_EXIT_USAGE;
        } else {
            a->boards[a->read.n_boards++] = arg;
            a->read.boards = a->boards;
        }
        break;
    }
    return ret;
}

/* 0, -1 after --help, or a cli_exit. */
static int parse_history_args(int argc, char **argv, struct history_args *a)
{
    enum { OPT_GATE = 1000, OPT_HTML, OPT_COUNTERS, OPT_NO_PLOTS };
    static const struct option options[] = {
            {"order", required_argument, NULL, 'O'},
            {"threshold", required_argument, NULL, 'T'},
            {"alpha", required_argument, NULL, 'A'},
            {"format", required_argument, NULL, 'F'},
            {"output", required_argument, NULL, 'o'},
            {"board", required_argument, NULL, 'B'},
            {"gate", no_argument, NULL, OPT_GATE},
            {"html", no_argument, NULL, OPT_HTML},
            {"counters", no_argument, NULL, OPT_COUNTERS},
            {"no-plots", no_argument, NULL, OPT_NO_PLOTS},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
    };
    int opt, index = -1, ret = CLI_EXIT_OK;
    bool seen[sizeof(options) / sizeof(options[0])] = {false};
    while (ret == CLI_EXIT_OK &&
           (index = -1, opt = getopt_long(argc, argv, "o:h", options, &index)) != -1) {
        /* Each option once (but --board): a second one would silently win. */
        if (index >= 0 && opt != 'B' && opt != 'o' &&
            (ret = cli_long_once("history", &options[index], &seen[index])))
            break;
        switch (opt) {
        case OPT_GATE:
            a->gate = true;
            break;
        case OPT_HTML:
            a->html = true;
            break;
        case OPT_COUNTERS:
            a->read.counters = true;
            break;
        case OPT_NO_PLOTS:
            a->plots = false;
            break;
        case 'h':
            history_usage(stdout);
            return -1;
        case '?':
            history_usage(stderr);
            return CLI_EXIT_USAGE;
        default:
            ret = parse_option(opt, optarg, a);
        }
    }
    if (ret != CLI_EXIT_OK)
        return ret;
    if (a->html && !a->out_dir) {
        cli_error("history: --html needs -o DIR (where the page and its plots go)");
        return CLI_EXIT_USAGE;
    }
    a->paths = (const char **)argv + optind;
    a->n_paths = (size_t)(argc - optind);
    if (!a->n_paths) {
        cli_error("history: no result sets (give run directories or trees of them, such as "
                  "results/; see 'dmabench history --help')");
        return CLI_EXIT_USAGE;
    }
    if (a->n_paths > HISTORY_MAX_PATHS) {
        cli_error("history: at most %d paths (name the tree above them instead)",
                  HISTORY_MAX_PATHS);
        return CLI_EXIT_USAGE;
    }
    for (size_t i = 0; i < a->n_paths; i++)
        if ((ret = cli_check_path("history", "DIR", a->paths[i])))
            return ret;
    return CLI_EXIT_OK;
}

static void print_warning(void *ctx, const char *message)
{
    (void)ctx;
    cli_error("history: warning: %s", message);
}

/* Name the series of one verdict on a board, HISTORY_LIST_MAX at most. */
static void name_series(const struct history *h, size_t k, enum history_verdict want,
                        const char *lead)
{
    size_t n = 0;
    for (size_t i = 0; i < h->n_series; i++) {
        const struct history_series *s = &h->series[i];
        const struct history_change *why;
        if (strcmp(s->board, h->boards[k].name) || history_series_verdict(h, s, &why) != want)
            continue;
        if (n++ < HISTORY_LIST_MAX)
            cli_error("history: %s %s %s: %+.1f%% since run %s, p %.2g%s%s", lead, s->case_id,
                      s->metric, why->change * 100, h->runs[s->points[why->index].run].run_id,
                      why->p_value, why->inconclusive ? ": " : "", why->reason);
    }
    if (n > HISTORY_LIST_MAX)
        cli_error("history: %s ... and %zu more", lead, n - HISTORY_LIST_MAX);
}

/* The gate's words on stderr (every format: stdout may be a machine's): the regressions with
 * --gate, the inconclusive boards always. True when the gate fails. */
static bool report_gate(const struct history *h, bool gate)
{
    bool failed = false;
    for (size_t k = 0; k < h->n_boards; k++) {
        const struct history_run *newest = history_board_newest(h, k);
        enum history_verdict v = history_board_verdict(h, k);
        if (v == HISTORY_VERDICT_REGRESSION && gate) {
            failed = true;
            cli_error("history: gate: board %s: the newest run %s is after a regression change "
                      "point in:",
                      h->boards[k].name, newest->run_id);
            name_series(h, k, HISTORY_VERDICT_REGRESSION, "  regression");
        } else if (v == HISTORY_VERDICT_INCONCLUSIVE) {
            if (newest->disturbed)
                cli_error("history: warning: board %s: inconclusive: the newest run %s is "
                          "disturbed (%s); it is left out of the baseline and cannot fail the "
                          "gate",
                          h->boards[k].name, newest->run_id, newest->reason);
            else
                cli_error("history: warning: board %s: inconclusive: a regression seen only "
                          "in disturbed runs:",
                          h->boards[k].name);
            name_series(h, k, HISTORY_VERDICT_INCONCLUSIVE, "  inconclusive:");
        }
    }
    return failed;
}

/* name in the -o directory, replaced whole (bench/results/safe_file.h). A cli_exit. */
static int write_file(const struct history *h, const struct history_gate_opts *o, int dirfd,
                      const char *dir, const char *name, enum history_format format)
{
    struct safe_file_update u;
    int ret = safe_file_begin(&u, dirfd, name);
    if (!ret && (ret = history_write(h, o, format, u.f)))
        safe_file_abort(&u);
    else if (!ret)
        ret = safe_file_commit(&u, false);
    if (ret) {
        cli_error("history: %s/%s: %s", dir, name, strerror(-ret));
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

static int write_outputs(const struct history *h, const struct history_args *a)
{
    char err[CLI_MESSAGE_MAX];
    int dirfd;
    if (output_dir_open(a->out_dir, true, &dirfd, err, sizeof(err))) {
        cli_error("history: %s", err);
        return CLI_EXIT_FAILURE;
    }
    int rc = write_file(h, &a->gate_opts, dirfd, a->out_dir, "history.csv", HISTORY_FORMAT_CSV);
    if (!rc)
        rc = write_file(h, &a->gate_opts, dirfd, a->out_dir, "history.json", HISTORY_FORMAT_JSON);
    /* A plot that failed (or no gnuplot) still leaves a page: it shows the plots that exist. */
    if (!rc && a->plots && plot_trend_write(h, dirfd, a->out_dir, err, sizeof(err))) {
        cli_error("history: trend plots: %s%s", err,
                  strstr(err, "gnuplot") ? " (install gnuplot-nox, or use --no-plots)" : "");
        rc = CLI_EXIT_FAILURE;
    }
    if (a->html) {
        if (history_html_write(h, dirfd, a->out_dir, err, sizeof(err))) {
            cli_error("history: --html: %s", err);
            rc = CLI_EXIT_FAILURE;
        }
    }
    close(dirfd);
    return rc;
}

int cmd_history(int argc, char **argv)
{
    struct history_args a = {.read = {.order = HISTORY_ORDER_TIME, .warn = {print_warning, NULL}},
                             .format = HISTORY_FORMAT_TABLE,
                             .plots = true};
    history_gate_opts_default(&a.gate_opts);
    int ret = parse_history_args(argc, argv, &a);
    if (ret)
        return ret < 0 ? CLI_EXIT_OK : ret;
    char err[CLI_MESSAGE_MAX];
    struct history *h;
    if ((ret = history_build(a.paths, a.n_paths, &a.read, &h, err, sizeof(err)))) {
        cli_error("history: %s", err);
        return ret == -ENOMEM ? CLI_EXIT_FAILURE : CLI_EXIT_USAGE;
    }
    if ((ret = history_find_changes(h, &a.gate_opts))) {
        cli_error("history: finding change points: %s", strerror(-ret));
        history_free(h);
        return CLI_EXIT_FAILURE;
    }
    int rc = CLI_EXIT_OK;
    if ((ret = history_write(h, &a.gate_opts, a.format, stdout)) || fflush(stdout)) {
        cli_error("history: writing the report: %s", strerror(ret ? -ret : errno));
        rc = CLI_EXIT_FAILURE;
    }
    if (a.out_dir && !rc)
        rc = write_outputs(h, &a);
    if (report_gate(h, a.gate) && !rc)
        rc = CLI_EXIT_FAILURE;
    history_free(h);
    return rc;
}
