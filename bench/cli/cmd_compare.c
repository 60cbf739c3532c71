/* bench/cli/cmd_compare.c - `dmabench compare BASE NEW [MORE...]`: did it get slower, which board
 * wins.
 *
 * Loads each result set with its raw samples, joins them (bench/analysis/compare.c) and prints the
 * report in the chosen format. The exit code is the verdict a CI job needs: 0 no regression,
 * 1 a regression (never between boards), 2 bad usage or input.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"
#include "compare_format.h"
#include "report_flags.h"

#define COMPARE_MAX_INPUTS 16

static void compare_usage(FILE *out)
{
    char helper[4096];
    bool have_helper = lava_helper_find(helper, sizeof(helper));
    fprintf(out,
            "usage: dmabench compare BASE NEW [MORE...] [--format FORMAT] [--threshold PCT]\n"
            "                        [--alpha P] [--min-samples N]\n"
            "\n"
            "Compares result sets (a run's directory, or the results.csv in it; samples.csv\n"
            "must be beside it) case by case, joined on case_id and metric. Per case: the\n"
            "medians, the change NEW/BASE, and a Mann-Whitney U test on the raw samples. A\n"
            "regression is a change beyond the threshold in the metric's worse direction\n"
            "(the better column) that is also significant; improvements never are. Sets\n"
            "from different boards are labelled by board and show differences, not\n"
            "regressions. Cases found in one set only are listed as base-only / new-only.\n"
            "\n"
            "  --format FORMAT    table (default), md, csv, junit, lava, lava-signal, json\n"
            "  --threshold PCT    change that matters, in percent (default %g)\n"
            "  --alpha P          significance level (default %g)\n"
            "  --min-samples N    warn when a side has fewer samples (default %d)\n"
            "  -h, --help         this text\n"
            "\n"
            "lava: one LAVA test case per case and comparison (fail = regression, measurement\n"
            "= change in %%), then dmabench-compare. Runs the lava-test-case helper when it is\n"
            "on PATH (inside a LAVA test shell), else prints the lava-signal lines, as Linaro's\n"
            "send-to-lava.sh does (lava-test-case here: %s%s).\n"
            "lava-signal prints <LAVA_SIGNAL_TESTCASE ...> lines for LAVA's console parser and\n"
            "test-definitions' test-runner.py. Names are at most 100 characters: a longer one is\n"
            "cut and ends in a hash of the case, after a line 'dmabench: NAME is CASE METRIC'.\n"
            "json: the whole report, every number unrounded, as one JSON document (the schema\n"
            "is results/dmabench-results.schema.json).\n"
            "\n"
            "A run that metadata shows disturbed (load above the CPUs it used, steal time,\n"
            "another governor or clock than the other runs of its board, far longer per case,\n"
            "many cases flagged disturbed) makes its regressions inconclusive: a warning, and\n"
            "no failure. Counter rows show differences (worse, better), never regressions.\n"
            "\n"
            "Exit status: 0 no regression (always between boards; inconclusive ones are\n"
            "warned about), 1 a regression or a case that ran in BASE and fails in NEW, 2 bad\n"
            "usage or input.\n",
            COMPARE_THRESHOLD_DEFAULT * 100, COMPARE_ALPHA_DEFAULT, COMPARE_MIN_SAMPLES_DEFAULT,
            have_helper ? "found, " : "not on PATH", have_helper ? helper : "");
}

struct compare_args {
    struct compare_opts opts;
    enum compare_format format;
    const char *paths[COMPARE_MAX_INPUTS];
    size_t n_paths;
};

static int parse_compare_args(int argc, char **argv, struct compare_args *a)
{
    enum { OPT_FORMAT = 1000, OPT_THRESHOLD, OPT_ALPHA, OPT_MIN_SAMPLES };
    static const struct option options[] = {
            {"format", required_argument, NULL, OPT_FORMAT},
            {"threshold", required_argument, NULL, OPT_THRESHOLD},
            {"alpha", required_argument, NULL, OPT_ALPHA},
            {"min-samples", required_argument, NULL, OPT_MIN_SAMPLES},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
    };
    int opt, index, ret = CLI_EXIT_OK;
    long min_samples;
    double pct;
    bool seen[sizeof(options) / sizeof(options[0])] = {false};
    while (ret == CLI_EXIT_OK && (opt = getopt_long(argc, argv, "h", options, &index)) != -1) {
        /* Each option once: a second one would silently win. */
        if (opt >= OPT_FORMAT && (ret = cli_long_once("compare", &options[index], &seen[index])))
            break;
        switch (opt) {
        case OPT_FORMAT:
            if (compare_format_parse(optarg, &a->format))
                ret = cli_bad_choice("compare", "--format", optarg, compare_format_names,
                                     N_COMPARE_FORMATS);
            break;
        case OPT_THRESHOLD:
            ret = cli_parse_number("compare", "--threshold", optarg, true, 0, 1000, &pct);
            if (ret == CLI_EXIT_OK)
                a->opts.threshold = pct / 100;
            break;
        case OPT_ALPHA:
            ret = cli_parse_number("compare", "--alpha", optarg, false, 1e-12, 0.5, &a->opts.alpha);
            break;
        case OPT_MIN_SAMPLES:
            ret = cli_parse_uint("--min-samples", optarg, 0, 1000000, &min_samples);
            a->opts.min_samples = (size_t)min_samples;
            break;
        case 'h':
            compare_usage(stdout);
            return -1;
        default:
            compare_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (ret != CLI_EXIT_OK)
        return ret;
    for (; optind < argc; optind++) {
        if (a->n_paths == COMPARE_MAX_INPUTS) {
            cli_error("compare: at most %d result sets", COMPARE_MAX_INPUTS);
            return CLI_EXIT_USAGE;
        }
        a->paths[a->n_paths++] = argv[optind];
    }
    if (a->n_paths < 2) {
        cli_error("compare: needs BASE and NEW result sets (see 'dmabench compare --help')");
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

static void free_inputs(struct compare_input *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        result_set_free(in[i].set);
        sample_index_free(in[i].samples);
    }
}

/* Rows measured on a disturbed machine or breaking a physical rule are compared like any other
 * (the verdicts do not change, unless so many are flagged that run_noise calls the run
 * disturbed); a difference there may be the machine's, so say it. */
static void warn_flagged(const struct compare_args *a, const struct compare_input *in)
{
    for (size_t i = 0; i < a->n_paths; i++) {
        size_t disturbed, implausible;
        if (report_flagged_rows(in[i].set, &disturbed, &implausible))
            cli_error("compare: note: %s has %zu row%s flagged disturbed and %zu implausible "
                      "(results.csv disturbed, implausible): a difference there may be the "
                      "machine's",
                      a->paths[i], disturbed, disturbed == 1 ? "" : "s", implausible);
    }
}

/* Regressions seen with a disturbed run are no evidence either way: say so, since they do not
 * fail the comparison. */
static void warn_inconclusive(const struct compare_report *r)
{
    for (size_t i = 1; i < r->n_inputs; i++) {
        size_t n = compare_inconclusive(r, i);
        char why[2 * HISTORY_REASON_MAX + 2 * COMPARE_LABEL_MAX];
        compare_noise_reason(r, i, why, sizeof(why));
        if (n)
            cli_error("compare: warning: inconclusive: %s (%zu regression%s or failing case%s of "
                      "%s against %s seen with a disturbed run: not counted; compare runs on a "
                      "quiet machine)",
                      why, n, n == 1 ? "" : "s", n == 1 ? "" : "s", r->labels[i], r->labels[0]);
    }
}

int cmd_compare(int argc, char **argv)
{
    struct compare_args a = {.opts = {.alpha = COMPARE_ALPHA_DEFAULT,
                                      .threshold = COMPARE_THRESHOLD_DEFAULT,
                                      .min_samples = COMPARE_MIN_SAMPLES_DEFAULT},
                             .format = COMPARE_FORMAT_TABLE};
    int ret = parse_compare_args(argc, argv, &a);
    if (ret)
        return ret < 0 ? CLI_EXIT_OK : ret;
    struct compare_input in[COMPARE_MAX_INPUTS] = {0};
    char err[1024];
    for (size_t i = 0; i < a.n_paths; i++) {
        if ((ret = result_set_load(&in[i].set, a.paths[i], err, sizeof(err))) ||
            (ret = sample_index_load(&in[i].samples, in[i].set->dir, err, sizeof(err)))) {
            cli_error("compare: %s", err);
            free_inputs(in, a.n_paths);
            return CLI_EXIT_USAGE;
        }
    }
    struct compare_report *r;
    if ((ret = compare_build(in, a.n_paths, &a.opts, &r, err, sizeof(err)))) {
        cli_error("compare: %s", err);
        free_inputs(in, a.n_paths);
        return ret == -ENOMEM ? CLI_EXIT_FAILURE : CLI_EXIT_USAGE;
    }
    struct lava_sink lava;
    lava_sink_init(&lava, stdout, a.format == COMPARE_FORMAT_LAVA_SIGNAL);
    /* The tables carry their own footnote; elsewhere the warning goes beside the data. */
    bool tables = a.format == COMPARE_FORMAT_TABLE || a.format == COMPARE_FORMAT_MD;
    if (r->few_samples && !tables)
        cli_error("compare: warning: %zu comparison%s ha%s fewer than %zu samples on a side: the "
                  "test has little power there",
                  r->few_samples, r->few_samples == 1 ? "" : "s", r->few_samples == 1 ? "s" : "ve",
                  a.opts.min_samples);
    warn_flagged(&a, in);
    warn_inconclusive(r);
    int exit_code = compare_failed(r) ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
    if ((ret = compare_write(r, a.format, stdout, &lava))) {
        cli_error("compare: writing the report: %s", strerror(-ret));
        exit_code = CLI_EXIT_FAILURE;
    }
    compare_report_free(r);
    free_inputs(in, a.n_paths);
    return exit_code;
}
