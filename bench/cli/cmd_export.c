/* bench/cli/cmd_export.c - `dmabench export RESULTS --format lava|lava-signal|kcidb|junit|json`.
 *
 * Hands one run to a board farm or CI system in its own terms: LAVA test cases (through the
 * lava-test-case helper on a board under LAVA), KCIDB JSON for KernelCI, JUnit XML for the
 * rest, and dmabench's own JSON for dashboards and scripts. The run's own failures are in the
 * report, not the exit code: exporting worked.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "export.h"
#include "results_json.h"

static void export_usage(FILE *out)
{
    char helper[4096];
    bool have_helper = lava_helper_find(helper, sizeof(helper));
    fprintf(out,
            "usage: dmabench export RESULTS --format lava|lava-signal|kcidb|junit|json\n"
            "                       [--origin NAME] [--build-id ORIGIN:ID]\n"
            "                       [--kernel-tree NAME] [--kernel-commit SHA] [--no-samples]\n"
            "\n"
            "Reports one run (a directory, or the results.csv in it): one test case per case\n"
            "and metric, passed with its median as the measurement, skipped with the reason,\n"
            "or failed with the error; then one verdict for the run (dmabench-run in LAVA, the\n"
            "test path 'dmabench' in KCIDB).\n"
            "\n"
            "  lava         lava-test-case NAME --result pass|fail|skip --measurement V --units U\n"
            "               when the helper is on PATH (inside a LAVA test shell), else the\n"
            "               lava-signal lines, as Linaro's send-to-lava.sh does\n"
            "               (lava-test-case here: %s%s)\n"
            "  lava-signal  <LAVA_SIGNAL_TESTCASE TEST_CASE_ID=NAME RESULT=R UNITS=U\n"
            "               MEASUREMENT=V> lines, read by LAVA from the console and by\n"
            "               test-definitions' test-runner.py from stdout\n"
            "               LAVA names are at most 100 characters: a longer one is cut and ends\n"
            "               in a hash of the case, after a line 'dmabench: NAME is CASE METRIC'\n"
            "  kcidb        KCIDB I/O schema v%d.%d JSON for KernelCI: the running kernel as the\n"
            "               checkout and build, the board once (the test 'dmabench'), a test per\n"
            "               case (DONE with a number, SKIP, FAIL); submit it with kcidb-submit\n"
            "  junit        JUnit XML, a testcase per case, with its time, the run's host and\n"
            "               properties (board, kernel, dmabench version)\n"
            "  json         the run as one JSON document: its metadata, every results.csv row\n"
            "               (numbers as numbers, empty cells null) with its raw samples from\n"
            "               samples.csv (schema: results/dmabench-results.schema.json)\n"
            "\n"
            "  --origin NAME        KCIDB origin, the submitting CI system (default %s)\n"
            "  --build-id ORIGIN:ID attach the tests to a build KCIDB already has (the lab's\n"
            "                       kernel build) instead of describing the running kernel\n"
            "  --kernel-tree NAME   the running kernel's tree (mainline, next, net-next ...)\n"
            "  --kernel-commit SHA  its commit, all 40 hex digits (else the one its release\n"
            "                       names, with CONFIG_LOCALVERSION_AUTO and a full hash)\n"
            "  --no-samples         json: leave the raw samples out (samples.csv is not read)\n"
            "  -h, --help           this text\n"
            "\n"
            "Exit status: 0 exported (whatever the run's results), 1 the report could not be\n"
            "written or the helper failed, 2 bad usage or input.\n",
            have_helper ? "found, " : "not on PATH", have_helper ? helper : "", KCIDB_VERSION_MAJOR,
            KCIDB_VERSION_MINOR, KCIDB_ORIGIN_DEFAULT);
}

int cmd_export(int argc, char **argv)
{
    enum {
        OPT_FORMAT = 1000,
        OPT_ORIGIN,
        OPT_BUILD_ID,
        OPT_KERNEL_TREE,
        OPT_KERNEL_COMMIT,
        OPT_NO_SAMPLES
    };
    static const struct option options[] = {
            {"format", required_argument, NULL, OPT_FORMAT},
            {"origin", required_argument, NULL, OPT_ORIGIN},
            {"build-id", required_argument, NULL, OPT_BUILD_ID},
            {"kernel-tree", required_argument, NULL, OPT_KERNEL_TREE},
            {"kernel-commit", required_argument, NULL, OPT_KERNEL_COMMIT},
            {"no-samples", no_argument, NULL, OPT_NO_SAMPLES},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
    };
    struct kcidb_opts kcidb = {.origin = KCIDB_ORIGIN_DEFAULT};
    enum export_format format;
    bool have_format = false, no_samples = false,
         seen[sizeof(options) / sizeof(options[0])] = {false};
    int opt, index;
    while ((opt = getopt_long(argc, argv, "h", options, &index)) != -1) {
        /* Each option once: a second one would silently win. */
        if (opt >= OPT_FORMAT && cli_long_once("export", &options[index], &seen[index]))
            return CLI_EXIT_USAGE;
        switch (opt) {
        case OPT_FORMAT:
            if (export_format_parse(optarg, &format))
                return cli_bad_choice("export", "--format", optarg, export_format_names,
                                      N_EXPORT_FORMATS);
            have_format = true;
            break;
        case OPT_ORIGIN:
            if (!kcidb_origin_valid(optarg)) {
                cli_error("export: --origin '%s': KCIDB origins are lower-case letters, digits "
                          "and _",
                          optarg);
                return CLI_EXIT_USAGE;
            }
            kcidb.origin = optarg;
            break;
        case OPT_BUILD_ID:
            kcidb.build_id = optarg;
            break;
        case OPT_KERNEL_TREE:
            kcidb.kernel_tree = optarg;
            break;
        case OPT_KERNEL_COMMIT:
            kcidb.kernel_commit = optarg;
            break;
        case OPT_NO_SAMPLES:
            no_samples = true;
            break;
        case 'h':
            export_usage(stdout);
            return CLI_EXIT_OK;
        default:
            export_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc || !have_format) {
        cli_error("export: needs one result set and --format (see 'dmabench export --help')");
        return CLI_EXIT_USAGE;
    }
    if (no_samples && format != EXPORT_JSON) {
        cli_error("export: --no-samples: only --format json writes the raw samples");
        return CLI_EXIT_USAGE;
    }
    struct result_set *s;
    char err[1024];
    int ret = result_set_load(&s, argv[optind], err, sizeof(err));
    if (ret) {
        cli_error("export: %s", err);
        return ret == -ENOMEM ? CLI_EXIT_FAILURE : CLI_EXIT_USAGE;
    }
    /* The raw samples (json) and the cases' times (junit, kcidb) come from samples.csv; a set
     * without one has none. */
    struct sample_index *samples = NULL;
    if ((format == EXPORT_JSON && !no_samples) || format == EXPORT_JUNIT ||
        format == EXPORT_KCIDB) {
        ret = sample_index_load(&samples, s->dir, err, sizeof(err));
        if (ret && ret != -ENOENT) {
            cli_error("export: %s", err);
            result_set_free(s);
            return ret == -ENOMEM ? CLI_EXIT_FAILURE : CLI_EXIT_USAGE;
        }
        ret = 0;
    }
    struct lava_sink lava;
    switch (format) {
    case EXPORT_LAVA:
    case EXPORT_LAVA_SIGNAL:
        lava_sink_init(&lava, stdout, format == EXPORT_LAVA_SIGNAL);
        ret = export_lava(s, &lava);
        if (ret)
            cli_error("export: %s: %s", lava.mode == LAVA_HELPER_RUN ? lava.helper : "stdout",
                      strerror(-ret));
        break;
    case EXPORT_KCIDB:
        kcidb.samples = samples;
        ret = export_kcidb(s, &kcidb, stdout, err, sizeof(err));
        if (ret)
            cli_error("export: %s", err);
        break;
    case EXPORT_JUNIT:
        ret = export_junit(s, samples, stdout);
        if (ret)
            cli_error("export: stdout: %s", strerror(-ret));
        break;
    case EXPORT_JSON:
        ret = export_json(s, samples, no_samples ? "left-out" : "absent", stdout);
        if (ret)
            cli_error("export: stdout: %s", strerror(-ret));
        break;
    case N_EXPORT_FORMATS: /* not a format: export_format_parse never gives it */
        ret = -EINVAL;
        break;
    }
    sample_index_free(samples);
    result_set_free(s);
    if (ret == -EINVAL)
        return CLI_EXIT_USAGE; /* a build id, kernel tree or commit not of KCIDB's form */
    return ret ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}
