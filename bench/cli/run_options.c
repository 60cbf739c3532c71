/* bench/cli/run_options.c - `dmabench run`'s command line: its options, its help, its jobs.
 *
 * Every option is checked as it is read (once only, values that fit); the jobs come from a job
 * file or the benchmark names, get their benchmark's defaults, then the axis options over every
 * job that can use them, and their benchmark's own checks. Nothing here touches a heap.
 */
#include "run_options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "job_options.h"
#include "jobfile.h"

/* An option's label and its help in a column, a line break in help continuing it. */
static void help_lines(FILE *out, const char *label, const char *help)
{
    fprintf(out, "  %-22s%s", label, strlen(label) > 22 ? "   " : " ");
    for (const char *line = help, *end; *line; line = *end ? end + 1 : end) {
        end = strchrnul(line, '\n');
        fprintf(out, "%*s%.*s\n", line == help ? 0 : 25, "", (int)(end - line), line);
    }
}

/* One line per axis ("--cpu LIST, --peer LIST" where an axis shares the line before), its
 * text in a column, as bench/job/sweep_axes.h has it; its aliases on lines of their own. */
static void axis_usage(FILE *out)
{
    for (int a = 0; a < N_SWEEP_AXES; a++) {
        const char *help = sweep_axis_help(a);
        char label[96];
        int used = snprintf(label, sizeof(label), "--%s LIST", sweep_axis_option(a));
        for (int b = a + 1; b < N_SWEEP_AXES && !*sweep_axis_help(b); b++, a++)
            used += snprintf(label + used, sizeof(label) - (size_t)used, ", --%s LIST",
                             sweep_axis_option(b));
        help_lines(out, label, help);
        const char *alias_help;
        for (size_t i = 0; sweep_axis_alias(a, i, &alias_help); i++) {
            snprintf(label, sizeof(label), "--%s LIST", sweep_axis_alias(a, i, &alias_help));
            help_lines(out, label, alias_help);
        }
    }
}

static void run_usage(FILE *out)
{
    fprintf(out,
            "usage: dmabench run [BENCH...] [-j JOB] [-o DIR] [axis options] [--reps N|auto]\n"
            "                    [--time-budget SECONDS] [--counters LIST|default|none]\n"
            "                    [--cpus LIST] [--heap-class NAME=CLASS] [--quiet]\n"
            "                    [--force] [--max-mem SIZE|N%%] [--case-timeout SECONDS]\n"
            "       dmabench run --resume DIR [--max-mem SIZE|N%%] [--case-timeout SECONDS]\n"
            "                    [--quiet]\n"
            "\n"
            "Runs benchmarks over the cartesian product of their parameter axes and writes\n"
            "results.csv, samples.csv and metadata.csv (schema: results/README.md) to DIR\n"
            "(default results/BOARD/TIMESTAMP). With no BENCH and no -j, runs the 'quick' job.\n"
            "\n"
            "benchmarks:\n");
    for (size_t i = 0; i < bench_count(); i++)
        fprintf(out, "  %-9s %s\n", bench_at(i)->name, bench_at(i)->description);
    fprintf(out,
            "\n"
            "  -j, --job JOB          a job file (INI, like fio's) or an embedded job: quick,\n"
            "                         full, camera-pool, video-frames, ui-buffers\n"
            "  -o, --output DIR       where the CSV files go (must not hold an earlier run;\n"
            "                         never through a symbolic link someone else planted)\n"
            "  --force                move an earlier run in DIR aside to DIR/previous-RUNID/;\n"
            "                         allow a --max-mem above the machine's RAM\n"
            "  --resume DIR           continue a stopped run in DIR with its own options: the\n"
            "                         cases it finished are kept, the others run\n"
            "axis options (lists: 4K,64K; ranges with a x2 step: 4K..64M); they override the "
            "job:\n");
    axis_usage(out);
    fprintf(out,
            "  --reps N|auto          repetitions per case; auto: until the 95%% CI of the\n"
            "                         median is within 1%% or the time budget runs out\n"
            "  --time-budget SECONDS  per case (default 10)\n"
            "  --counters LIST        libpfm4 event names, default, or none\n"
            "  --cpus LIST            CPUs to pin threads to (0-3,6), default all\n"
            "  --heap-class NAME=CLASS   override a heap's class\n"
            "  --max-mem SIZE|N%%      memory one case may hold at once (default 50%% of\n"
            "                         MemAvailable, and of CmaFree for contiguous heaps; at\n"
            "                         most the machine's RAM)\n"
            "  --case-timeout SECONDS abandon a case that runs longer (between samples; default\n"
            "                         600, or 3x the time budget when that is longer)\n"
            "  -q, --quiet            no progress lines on stderr\n"
            "  -h, --help             this text\n"
            "\n"
            "SIGINT, SIGTERM or SIGHUP stop the run after the current sample: what was measured\n"
            "is written, metadata.csv says interrupted, and --resume DIR goes on from there; as\n"
            "it does after a failure (a full disk: metadata.csv says failed) once it is fixed.\n"
            "\n"
            "Exit status: 0 every case ran or was skipped with a reason, 1 a case failed or the\n"
            "output could not be written, 2 bad usage or input, 128+N stopped by signal N\n"
            "(130 SIGINT, 143 SIGTERM).\n");
}

static int add_override(struct run_opts *o, const char *key, const char *value)
{
    /* --frame and its old name --format are one option; --importer is another (it sets the
     * axis for fewer benchmarks) */
    int axis = sweep_axis_from_key(key), scope = sweep_axis_alias_scope(key);
    for (size_t i = 0; i < o->n_overrides; i++) {
        if (!strcmp(o->overrides[i].key, key) ||
            (axis >= 0 && sweep_axis_from_key(o->overrides[i].key) == axis &&
             sweep_axis_alias_scope(o->overrides[i].key) == scope)) {
            const char *name = axis >= 0 && scope < 0 ? sweep_axis_option(axis) : key;
            cli_error("run: --%s given twice (give one list: --%s A,B)", name, name);
            return CLI_EXIT_USAGE;
        }
    }
    if (o->n_overrides == RUN_MAX_OVERRIDES) {
        cli_error("run: too many options");
        return CLI_EXIT_USAGE;
    }
    o->overrides[o->n_overrides].key = key;
    o->overrides[o->n_overrides++].value = value;
    return CLI_EXIT_OK;
}

/* -j, -o, --resume, --max-mem, --case-timeout: a second one would silently win. */
static int set_once(const char *option, const char **slot, const char *value)
{
    return cli_set_once("run", option, slot, value);
}

/* -o and --resume: the directory's name must fit, whole, wherever it goes. */
static int set_dir_once(const char *option, const char **slot, const char *value)
{
    int ret = cli_check_path("run", option, value);
    return ret == CLI_EXIT_OK ? set_once(option, slot, value) : ret;
}

static int parse_case_timeout(struct run_opts *o, const char *text)
{
    char *end;
    double s = text[0] >= '0' && text[0] <= '9' ? strtod(text, &end) : -1;
    if (s > 0 && *end == 's')
        end++;
    if (!(s > 0) || *end || s > RUN_CASE_TIMEOUT_MAX_S) {
        cli_error("run: --case-timeout '%s': expected seconds above 0 (at most %.0f)", text,
                  RUN_CASE_TIMEOUT_MAX_S);
        return CLI_EXIT_USAGE;
    }
    o->case_timeout_s = s;
    return CLI_EXIT_OK;
}

static int parse_max_mem(struct run_opts *o, const char *text)
{
    int ret = set_once("--max-mem", &o->max_mem, text);
    if (ret == CLI_EXIT_OK && mem_limit_parse(text, &o->mem_limit)) {
        cli_error("run: --max-mem '%s': expected a size (4G, 512M) or a share of the free "
                  "memory from 1%% to 100%%",
                  text);
        ret = CLI_EXIT_USAGE;
    }
    return ret;
}

/* --resume takes the run's own options: anything that changes the sweep or the output would
 * make the resumed run a different one. */
static int check_resume_conflicts(const struct run_opts *o)
{
    const char *conflict = o->job_file ? "-j" : o->out_dir ? "-o" : o->force ? "--force" : NULL;
    char name[48];
    if (!conflict && o->n_overrides) {
        snprintf(name, sizeof(name), "--%s", o->overrides[0].key);
        conflict = name;
    }
    if (!conflict && o->heap_opts.n_overrides)
        conflict = "--heap-class";
    if (!conflict && o->n_benches)
        conflict = o->benches[0];
    if (!conflict)
        return CLI_EXIT_OK;
    cli_error("run: --resume DIR continues the run with the options it started with (from "
              "DIR/metadata.csv): drop %s",
              conflict);
    return CLI_EXIT_USAGE;
}

int run_opts_parse(int argc, char **argv, struct run_opts *o)
{
    enum {
        OPT_CLASS = 1000,
        OPT_RESUME,
        OPT_FORCE,
        OPT_MAX_MEM,
        OPT_CASE_TIMEOUT,
        OPT_KEY = 2000,
    };
    static const struct option options[] = {
            {"job", required_argument, NULL, 'j'},
            {"output", required_argument, NULL, 'o'},
            {"quiet", no_argument, NULL, 'q'},
            {"help", no_argument, NULL, 'h'},
            {"heap-class", required_argument, NULL, OPT_CLASS},
            {"resume", required_argument, NULL, OPT_RESUME},
            {"force", no_argument, NULL, OPT_FORCE},
            {"max-mem", required_argument, NULL, OPT_MAX_MEM},
            {"case-timeout", required_argument, NULL, OPT_CASE_TIMEOUT},
            {"reps", required_argument, NULL, OPT_KEY},
            {"time-budget", required_argument, NULL, OPT_KEY},
            {"counters", required_argument, NULL, OPT_KEY},
            {"cpus", required_argument, NULL, OPT_KEY},
#define RUN_AXIS_OPTION(id, key, ...) {key, required_argument, NULL, OPT_KEY},
            SWEEP_AXES(RUN_AXIS_OPTION, SWEEP_AXES_SKIP)
#undef RUN_AXIS_OPTION
#define RUN_AXIS_NEW_NAME(id, option) {option, required_argument, NULL, OPT_KEY},
                    SWEEP_AXIS_OPTION_NAMES(RUN_AXIS_NEW_NAME)
#undef RUN_AXIS_NEW_NAME
#define RUN_AXIS_ALIAS(id, option, ...) {option, required_argument, NULL, OPT_KEY},
                            SWEEP_AXIS_ALIASES(RUN_AXIS_ALIAS)
#undef RUN_AXIS_ALIAS
            /* getopt_long's end mark */ {NULL, 0, NULL, 0},
    };
    const char *case_timeout = NULL;
    int opt, index, ret = CLI_EXIT_OK;
    optind = 0; /* GNU getopt starts afresh: --resume parses a second command line */
    while (ret == CLI_EXIT_OK && (opt = getopt_long(argc, argv, "j:o:qh", options, &index)) != -1) {
        switch (opt) {
        case 'j':
            ret = set_once("-j", &o->job_file, optarg);
            break;
        case 'o':
            ret = set_dir_once("-o", &o->out_dir, optarg);
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'h':
            run_usage(stdout);
            return -1;
        case OPT_CLASS:
            ret = cli_add_class_override(&o->heap_opts, optarg);
            break;
        case OPT_RESUME:
            ret = set_dir_once("--resume", &o->resume_dir, optarg);
            break;
        case OPT_FORCE:
            o->force = true;
            break;
        case OPT_MAX_MEM:
            ret = parse_max_mem(o, optarg);
            break;
        case OPT_CASE_TIMEOUT:
            ret = set_once("--case-timeout", &case_timeout, optarg);
            if (ret == CLI_EXIT_OK)
                ret = parse_case_timeout(o, optarg);
            break;
        case OPT_KEY:
            ret = add_override(o, options[index].name, optarg);
            break;
        default:
            run_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    for (; ret == CLI_EXIT_OK && optind < argc; optind++) {
        if (!bench_find(argv[optind])) {
            cli_error("run: unknown benchmark '%s' (see 'dmabench run --help')", argv[optind]);
            return CLI_EXIT_USAGE;
        }
        if (o->n_benches == RUN_MAX_BENCHES) {
            cli_error("run: too many benchmark names");
            return CLI_EXIT_USAGE;
        }
        o->benches[o->n_benches++] = argv[optind];
    }
    if (ret == CLI_EXIT_OK && o->resume_dir)
        ret = check_resume_conflicts(o);
    return ret;
}

bool run_opts_selects(const struct run_opts *o, const char *bench)
{
    if (o->n_benches == 0)
        return true;
    for (size_t i = 0; i < o->n_benches; i++)
        if (!strcmp(o->benches[i], bench))
            return true;
    return false;
}

/* The job set: from -j, else one job per named benchmark, else the quick job. */
static int load_jobs(const struct run_opts *o, struct job **jobs, size_t *n_jobs)
{
    char err[CLI_MESSAGE_MAX] = "";
    int ret;
    if (o->job_file || o->n_benches == 0) {
        ret = jobfile_load_arg(o->job_file ? o->job_file : "quick", jobs, n_jobs, err, sizeof(err));
    } else {
        *jobs = calloc(o->n_benches, sizeof(**jobs));
        *n_jobs = o->n_benches;
        ret = *jobs ? 0 : -ENOMEM;
        for (size_t i = 0; !ret && i < o->n_benches; i++) {
            job_init(&(*jobs)[i], o->benches[i]);
            ret = job_apply_option(&(*jobs)[i], "bench", o->benches[i], err, sizeof(err));
        }
    }
    if (ret) {
        cli_error("run: %s", err[0] ? err : strerror(-ret));
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/* Whether the i-th option sets its axis for benchmark b: an alias (--importer) only for the
 * benchmarks of its scope, and there it wins over the axis's own option (--engine). */
static bool override_applies(const struct run_opts *o, size_t i, const struct bench_def *b)
{
    int axis = sweep_axis_from_key(o->overrides[i].key);
    int scope = sweep_axis_alias_scope(o->overrides[i].key);
    if (scope >= 0)
        return bench_uses_axis(b, scope);
    for (size_t k = 0; axis >= 0 && k < o->n_overrides; k++) {
        int other = sweep_axis_alias_scope(o->overrides[k].key);
        if (other >= 0 && sweep_axis_from_key(o->overrides[k].key) == axis &&
            bench_uses_axis(b, other))
            return false;
    }
    return true;
}

/* Benchmark defaults for axes the job left alone, then the command line over everything. */
static int finish_job(struct run_opts *o, struct job *job)
{
    char err[CLI_MESSAGE_MAX] = "", machine_list[128];
    const struct bench_def *b = bench_find(job->bench);
    if (!b) {
        cli_error("run: job '%s': unknown benchmark '%s'", job->name, job->bench);
        return CLI_EXIT_USAGE;
    }
    for (int a = 0; a < N_SWEEP_AXES; a++) {
        const char *def = b->defaults[a];
        if (!def && b->machine_default)
            def = b->machine_default(a, machine_list, sizeof(machine_list));
        if (!def || (job->axes_set & (1u << a)))
            continue;
        if (job_apply_option(job, sweep_axis_key(a), def, err, sizeof(err))) {
            cli_error("run: %s defaults: %s", b->name, err);
            return CLI_EXIT_FAILURE;
        }
        job->axes_defaulted |= 1u << a;
    }
    for (size_t i = 0; i < o->n_overrides; i++) {
        int axis = sweep_axis_from_key(o->overrides[i].key);
        if (axis >= 0 && !bench_uses_axis(b, axis))
            continue; /* --threads means nothing to alloc: it applies to the jobs it fits */
        if (!override_applies(o, i, b))
            continue; /* --importer: sync's engine; --engine the others' */
        if (job_apply_option(job, o->overrides[i].key, o->overrides[i].value, err, sizeof(err))) {
            cli_error("run: --%s %s: %s", o->overrides[i].key, o->overrides[i].value, err);
            return CLI_EXIT_USAGE;
        }
        o->overrides[i].applied = true;
        if (axis >= 0)
            job->axes_defaulted &= ~(1u << axis);
    }
    const struct sweep_axis_values *kernels = &job->axes[AXIS_KERNEL];
    for (size_t i = 0; i < kernels->n; i++) {
        if (b->check_kernel(kernels->v[i].text, err, sizeof(err))) {
            cli_error("run: job '%s': %s", job->name, err);
            return CLI_EXIT_USAGE;
        }
    }
    if (b->check_job && b->check_job(job, err, sizeof(err))) {
        cli_error("run: job '%s': %s", job->name, err);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

int run_opts_prepare_jobs(struct run_opts *o, struct job **jobs, size_t *n_jobs)
{
    int ret = load_jobs(o, jobs, n_jobs);
    for (size_t i = 0; i < *n_jobs && ret == CLI_EXIT_OK; i++)
        if (run_opts_selects(o, (*jobs)[i].bench))
            ret = finish_job(o, &(*jobs)[i]);
    for (size_t i = 0; ret == CLI_EXIT_OK && i < o->n_overrides; i++) {
        if (!o->overrides[i].applied) {
            cli_error("run: --%s: none of the benchmarks run here uses it", o->overrides[i].key);
            ret = CLI_EXIT_USAGE;
        }
    }
    return ret;
}
