/* bench/cli/cmd_run.c - `dmabench run`: jobs -> cases -> measurements -> CSV, and a summary.
 *
 * Jobs come from a job file (-j, an embedded one such as `quick` or a path) or from benchmark
 * names on the command line; axis options override every job. Before anything runs the sweep
 * is checked against the memory the board has free; each case is run by the runner and on
 * disk before the next one starts; SIGINT / SIGTERM stop between samples, and --resume picks a
 * stopped run up again. Progress goes to stderr, the summary to stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"
#include "counters.h"
#include "heap_fault.h"
#include "job_options.h"
#include "jobfile.h"
#include "mem_guard.h"
#include "metadata.h"
#include "output_dir.h"
#include "pinning.h"
#include "plausibility.h"
#include "results_csv.h"
#include "run_resume.h"
#include "run_signals.h"
#include "run_summary.h"
#include "runner.h"
#include "size_units.h"
#include "timing.h"

#define RUN_MAX_OVERRIDES 32
#define RUN_MAX_BENCHES   8
#define RUN_MIN_SAMPLE_NS 10e6 /* a sample lasts at least 10 ms: far above any clock's step */
/* A case that runs this long (or 3x its time budget, if longer) is stuck, not slow. */
#define RUN_CASE_TIMEOUT_MIN_S 600.0
#define RUN_CASE_TIMEOUT_MAX_S (7 * 86400.0)

struct run_opts {
    const char *job_file;
    const char *out_dir;
    const char *benches[RUN_MAX_BENCHES];
    size_t n_benches;
    struct {
        const char *key, *value;
        bool applied; /* to at least one job: an option no job can use is an error */
    } overrides[RUN_MAX_OVERRIDES];
    size_t n_overrides;
    struct cli_heap_opts heap_opts;
    int quiet;
    const char *resume_dir; /* --resume DIR */
    bool force;             /* --force: move an earlier run aside */
    const char *max_mem;    /* --max-mem SIZE|N% (text, for the metadata) */
    struct mem_limit mem_limit;
    double case_timeout_s; /* --case-timeout; 0: the default per job */
};

/* One line per axis ("--cpu LIST, --peer LIST" where an axis shares the line before), its
 * text in a column, as bench/job/sweep_axes.h has it. */
static void axis_usage(FILE *out)
{
    for (int a = 0; a < N_SWEEP_AXES; a++) {
        const char *help = sweep_axis_help(a);
        char label[96];
        int used = snprintf(label, sizeof(label), "--%s LIST", sweep_axis_key(a));
        for (int b = a + 1; b < N_SWEEP_AXES && !*sweep_axis_help(b); b++, a++)
            used += snprintf(label + used, sizeof(label) - (size_t)used, ", --%s LIST",
                             sweep_axis_key(b));
        fprintf(out, "  %-22s%s", label, used > 22 ? "   " : " ");
        for (const char *line = help, *end; *line; line = *end ? end + 1 : end) {
            end = strchrnul(line, '\n');
            fprintf(out, "%*s%.*s\n", line == help ? 0 : 25, "", (int)(end - line), line);
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
            "  --force                move an earlier run in DIR aside to DIR/previous-RUNID/\n"
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
            "                         MemAvailable, and of CmaFree for contiguous heaps)\n"
            "  --case-timeout SECONDS abandon a case that runs longer (between samples; default\n"
            "                         600, or 3x the time budget when that is longer)\n"
            "  -q, --quiet            no progress lines on stderr\n"
            "\n"
            "SIGINT, SIGTERM or SIGHUP stop the run after the current sample: what was measured\n"
            "is written, metadata.csv says interrupted, and --resume DIR goes on from there.\n"
            "\n"
            "Exit status: 0 every case ran or was skipped with a reason, 1 a case failed or the\n"
            "output could not be written, 2 bad usage or input, 128+N stopped by signal N\n"
            "(130 SIGINT, 143 SIGTERM).\n");
}

static int add_override(struct run_opts *o, const char *key, const char *value)
{
    for (size_t i = 0; i < o->n_overrides; i++) {
        if (!strcmp(o->overrides[i].key, key)) {
            cli_error("run: --%s given twice (give one list: --%s A,B)", key, key);
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
    if (*slot) {
        cli_error("run: %s given twice", option);
        return CLI_EXIT_USAGE;
    }
    if (!*value) {
        cli_error("run: %s: empty value", option);
        return CLI_EXIT_USAGE;
    }
    *slot = value;
    return CLI_EXIT_OK;
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

static int parse_run_opts(int argc, char **argv, struct run_opts *o)
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
            ret = set_once("-o", &o->out_dir, optarg);
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
            ret = set_once("--resume", &o->resume_dir, optarg);
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

static bool bench_selected(const struct run_opts *o, const char *bench)
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
    char err[512] = "";
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

/* Benchmark defaults for axes the job left alone, then the command line over everything. */
static int finish_job(struct run_opts *o, struct job *job)
{
    char err[512] = "", machine_list[128];
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

/* Every heap usable here, for heap=all. */
static size_t available_heaps(struct heap_registry *reg, const char **names, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < heap_registry_count(reg) && n < max; i++) {
        const struct heap *h = heap_registry_at(reg, i);
        if (h->info.available)
            names[n++] = h->info.name;
    }
    return n;
}

static void sanitize(char *text)
{
    for (char *p = text; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            *p = '_';
}

/* results/BOARD and the run id (UTC start time); attempt > 1 adds "-N" to both, for two runs
 * started in the same second. */
static void default_out_dir(const struct metadata *md, int attempt, char *out, size_t out_len,
                            char *run_id, size_t run_id_len)
{
    const char *model = metadata_get(md, "board");
    if (!model || !model[0] || !strcmp(model, "unknown"))
        model = metadata_get(md, "hostname");
    char board[96], stamp[32];
    snprintf(board, sizeof(board), "%s", model ? model : "unknown");
    sanitize(board);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    if (attempt > 1)
        snprintf(run_id, run_id_len, "%s-%d", stamp, attempt);
    else
        snprintf(run_id, run_id_len, "%s", stamp);
    snprintf(out, out_len, "results/%s/%s", board, run_id);
}

/* One job, ready to run: its benchmark, counters and cases. */
struct run_plan_job {
    struct job *job;
    const struct bench_def *b;
    struct counter_spec spec;
    struct bench_case *cases;
    size_t n_cases;
    size_t first; /* its first case's index in run_ctx.rcases */
};

struct run_ctx {
    const struct run_opts *opts;
    struct heap_registry *reg;
    struct results_writer writer;
    struct metadata md;
    struct run_summary summary;
    struct counter_totals totals;
    struct plausibility_run plausibility; /* what the run's clean cases say its L1 can do */
    unsigned done, total;
    struct run_plan_job *plan;
    size_t n_plan;
    struct resume_case *rcases; /* every case of the run, with resume's done flags */
    size_t n_rcases;
    char dir[512], run_id[64];
    int dirfd, lockfd;
    bool resuming;
    int stop_signal; /* the signal that stopped the run, or 0 */
};

static void report_progress(const struct run_ctx *ctx, const struct bench_case *c,
                            const struct case_result *r)
{
    if (ctx->opts->quiet)
        return;
    const struct metric_result *m = &r->metrics[0];
    if (r->status != CASE_OK) {
        fprintf(stderr, "[%u/%u] %s: %s: %s\n", ctx->done, ctx->total, c->id,
                case_status_name(r->status), r->reason);
        return;
    }
    fprintf(stderr, "[%u/%u] %s: %s %.4g %s (%u reps, %s)%s%s%s%s%s%s\n", ctx->done, ctx->total,
            c->id, m->name, m->stats.median, m->unit, r->reps, reps_stop_name(r->stop),
            r->disturbed[0] ? " [disturbed: " : "", r->disturbed, r->disturbed[0] ? "]" : "",
            r->implausible[0] ? " [implausible: " : "", r->implausible,
            r->implausible[0] ? "]" : "");
}

static double job_case_timeout(const struct run_opts *o, const struct job *job)
{
    if (o->case_timeout_s > 0)
        return o->case_timeout_s;
    double three_budgets = 3 * job->time_budget_s;
    return three_budgets > RUN_CASE_TIMEOUT_MIN_S ? three_budgets : RUN_CASE_TIMEOUT_MIN_S;
}

static int run_job(struct run_ctx *ctx, const struct run_plan_job *pj)
{
    const struct job *job = pj->job;
    char err[256];
    struct pinning *pins;
    if (pinning_open(&pins, job->cpus, err, sizeof(err))) {
        cli_error("run: job '%s': %s", job->name, err);
        return CLI_EXIT_USAGE;
    }
    struct bench_env env = {
            .registry = ctx->reg,
            .counters = &pj->spec,
            .totals = &ctx->totals,
            .pins = pins,
            .min_sample_ns = RUN_MIN_SAMPLE_NS,
    };
    struct reps_policy policy = {
            .reps = job->reps,
            .autorep = job->reps_auto,
            .max_reps = 1000,
            .target_rel_ci = 0.01,
            .budget_s = job->time_budget_s,
    };
    struct runner_limits limits = {
            .case_timeout_s = job_case_timeout(ctx->opts, job),
            .check_leaks = true,
    };
    int status = CLI_EXIT_OK;
    for (size_t i = 0; i < pj->n_cases && status == CLI_EXIT_OK; i++) {
        if (ctx->rcases[pj->first + i].done)
            continue; /* finished before --resume */
        if ((ctx->stop_signal = run_stop_signal()) != 0)
            break;
        struct case_result r;
        if (runner_run_case(pj->b, &pj->cases[i], &env, &policy, &limits, &r)) {
            cli_error("run: out of memory");
            case_result_free(&r);
            status = CLI_EXIT_FAILURE;
            break;
        }
        ctx->done++;
        const struct heap *heap = heap_registry_find(ctx->reg, pj->cases[i].value[AXIS_HEAP]->text);
        struct plausibility_case pc;
        plausibility_case_of(&pj->cases[i], &r,
                             heap && heap->info.cpu_mapping == HEAP_MAPPING_CACHED, &pc);
        plausibility_apply(&ctx->plausibility, &pc, &r);
        int ret = results_write_case(&ctx->writer, &pj->cases[i], heap, &r);
        report_progress(ctx, &pj->cases[i], &r);
        run_summary_add(&ctx->summary, &pj->cases[i], &r);
        if (r.stop_signal)
            ctx->stop_signal = r.stop_signal;
        case_result_free(&r);
        if (ret) {
            cli_error("run: writing %s: %s", ctx->dir, strerror(-ret));
            status = CLI_EXIT_FAILURE;
        }
    }
    pinning_close(pins);
    return status;
}

static void add_run_metadata(struct run_ctx *ctx, int argc, char **argv)
{
    char heaps[1024] = "", line[1024] = "", args[METADATA_VALUE_MAX];
    size_t used = 0;
    for (size_t i = 0; i < heap_registry_count(ctx->reg); i++) {
        const struct heap *h = heap_registry_at(ctx->reg, i);
        if (h->info.available)
            used += (size_t)snprintf(heaps + used, sizeof(heaps) - used, "%s%s:%s(%s)",
                                     used ? ";" : "", h->info.backend, h->info.name,
                                     heap_class_name(h->info.klass));
    }
    metadata_set(&ctx->md, "heaps", "%s", heaps);
    used = 0;
    for (int i = 0; i < argc && used < sizeof(line); i++)
        used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s", i ? " " : "", argv[i]);
    metadata_set(&ctx->md, "command", "dmabench %s", line);
    /* What --resume parses back; a command line that does not fit is simply not resumable. */
    if (run_args_encode(argc - 1, argv + 1, args, sizeof(args)) == 0)
        metadata_set(&ctx->md, "argv", "%s", args);
    metadata_set(&ctx->md, "timing_source", "%s", timing_source());
    metadata_set(&ctx->md, "timing_source_detail", "%s", timing_source_detail());
    metadata_set(&ctx->md, "timing_resolution_ns", "%.3g", timing_resolution_ns());
    metadata_set(&ctx->md, "timing_read_cost_ns", "%.3g", timing_read_cost_ns());
    metadata_set(&ctx->md, "min_sample_ns", "%.0f", RUN_MIN_SAMPLE_NS);
    metadata_set(&ctx->md, "max_mem", "%s", ctx->opts->max_mem ? ctx->opts->max_mem : "50%");
}

/* Open, lock and check one candidate directory: 0, or a cli_exit with the reason printed
 * (quiet: a taken default directory is only a reason to try the next name). */
static int claim_dir(struct run_ctx *ctx, bool quiet_if_taken, bool *taken)
{
    char err[1024], old_id[64], moved[128];
    *taken = false;
    int ret = output_dir_open(ctx->dir, true, &ctx->dirfd, err, sizeof(err));
    if (ret) {
        cli_error("run: cannot create %s", err);
        return CLI_EXIT_FAILURE;
    }
    if ((ret = output_dir_lock(ctx->dirfd, ctx->dir, &ctx->lockfd, err, sizeof(err)))) {
        *taken = ret == -EBUSY;
        if (!(*taken && quiet_if_taken))
            cli_error("run: %s", err);
        return CLI_EXIT_FAILURE;
    }
    enum output_dir_kind kind;
    if ((ret = output_dir_inspect(ctx->dirfd, &kind, old_id, sizeof(old_id)))) {
        cli_error("run: %s: %s", ctx->dir, strerror(-ret));
        return CLI_EXIT_FAILURE;
    }
    if (kind == OUTPUT_DIR_FOREIGN) {
        cli_error("run: %s holds results.csv, samples.csv or metadata.csv that dmabench did not "
                  "write: refusing to touch them, even with --force (choose another -o)",
                  ctx->dir);
        return CLI_EXIT_FAILURE;
    }
    if (kind == OUTPUT_DIR_RUN && quiet_if_taken) {
        *taken = true;
        return CLI_EXIT_FAILURE;
    }
    if (kind == OUTPUT_DIR_RUN && !ctx->opts->force) {
        bool has_results = faccessat(ctx->dirfd, "results.csv", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
        cli_error("run: %s%s: %s (an earlier run is there: choose another -o); --resume DIR "
                  "continues it, --force moves it aside",
                  ctx->dir, has_results ? "/results.csv" : "", strerror(EEXIST));
        return CLI_EXIT_FAILURE;
    }
    if (kind == OUTPUT_DIR_RUN) {
        if ((ret = output_dir_move_aside(ctx->dirfd, old_id, moved, sizeof(moved)))) {
            cli_error("run: --force: cannot move the run in %s aside: %s", ctx->dir,
                      strerror(-ret));
            return CLI_EXIT_FAILURE;
        }
        if (!ctx->opts->quiet)
            fprintf(stderr, "run: --force: the earlier run (%s) is now in %s/%s\n", old_id,
                    ctx->dir, moved);
    }
    return CLI_EXIT_OK;
}

static void release_dir(struct run_ctx *ctx)
{
    output_dir_unlock(ctx->lockfd);
    if (ctx->dirfd >= 0)
        close(ctx->dirfd);
    ctx->lockfd = ctx->dirfd = -1;
}

/* -o DIR, or results/BOARD/RUNID with the next free name when two runs start in one second. */
static int open_new_run(struct run_ctx *ctx)
{
    char err[1024];
    int status = CLI_EXIT_FAILURE;
    bool taken = true;
    for (int attempt = 1; taken && attempt <= 100; attempt++) {
        release_dir(ctx);
        default_out_dir(&ctx->md, attempt, ctx->dir, sizeof(ctx->dir), ctx->run_id,
                        sizeof(ctx->run_id));
        if (ctx->opts->out_dir)
            snprintf(ctx->dir, sizeof(ctx->dir), "%s", ctx->opts->out_dir);
        status = claim_dir(ctx, !ctx->opts->out_dir, &taken);
        if (ctx->opts->out_dir)
            break;
    }
    if (status != CLI_EXIT_OK) {
        if (taken && !ctx->opts->out_dir)
            cli_error("run: no free run directory under results/: give one with -o");
        return status;
    }
    if (results_open_at(&ctx->writer, ctx->dirfd, ctx->dir, ctx->run_id, err, sizeof(err))) {
        cli_error("run: %s", err);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

/* A resumed run must be the same machine and build: mixing two kernels (or two sets of CPU
 * features, which decide the code the kernels run) in one result set would be a comparison
 * nobody asked for. */
static int check_same_machine(const struct run_ctx *ctx)
{
    static const char *const keys[] = {"board",          "cpu_model",        "cpu_flags",
                                       "kernel_release", "dmabench_version", "git_sha"};
    static struct metadata now;
    metadata_init(&now);
    metadata_collect_machine(&now);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *then = metadata_get(&ctx->md, keys[i]), *here = metadata_get(&now, keys[i]);
        if (then && here && strcmp(then, here)) {
            cli_error("run: --resume: %s started with %s '%s', this is '%s': a run is resumed on "
                      "the machine and build it started on",
                      ctx->dir, keys[i], then, here);
            return CLI_EXIT_FAILURE;
        }
    }
    return CLI_EXIT_OK;
}

static int open_resumed_run(struct run_ctx *ctx)
{
    char err[1024];
    FILE *results, *samples;
    struct resume_counts counts;
    int status = check_same_machine(ctx);
    if (status != CLI_EXIT_OK)
        return status;
    if (run_resume_prepare(ctx->dirfd, ctx->dir, ctx->run_id, ctx->rcases, ctx->n_rcases, &results,
                           &samples, &counts, err, sizeof(err))) {
        cli_error("run: --resume: %s", err);
        return CLI_EXIT_FAILURE;
    }
    if (results_attach(&ctx->writer, ctx->dirfd, ctx->dir, ctx->run_id, results, samples)) {
        cli_error("run: --resume: %s: %s", ctx->dir, strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    ctx->done = (unsigned)counts.done;
    ctx->summary.cases += (unsigned)counts.done;
    ctx->summary.ok += (unsigned)counts.ok;
    ctx->summary.skipped += (unsigned)counts.skipped;
    ctx->summary.errors += (unsigned)counts.errors;
    const char *resumes = metadata_get(&ctx->md, "resumes");
    metadata_set(&ctx->md, "resumes", "%ld", (resumes ? strtol(resumes, NULL, 10) : 0) + 1);
    metadata_set_time(&ctx->md, "resumed_time");
    if (!ctx->opts->quiet)
        fprintf(stderr, "run: --resume %s: %zu of %zu cases done earlier (kept), %zu to run%s\n",
                ctx->dir, counts.done, ctx->n_rcases, ctx->n_rcases - counts.done,
                counts.dropped_rows ? "; rows of unfinished cases dropped" : "");
    return CLI_EXIT_OK;
}

static int run_all(struct run_ctx *ctx, int argc, char **argv)
{
    int status;
    if (ctx->resuming) {
        status = open_resumed_run(ctx);
    } else {
        metadata_init(&ctx->md);
        metadata_collect_machine(&ctx->md);
        status = open_new_run(ctx);
        if (status == CLI_EXIT_OK) {
            metadata_set(&ctx->md, "run_id", "%s", ctx->run_id);
            metadata_set_time(&ctx->md, "start_time");
            add_run_metadata(ctx, argc, argv);
            metadata_collect_load(&ctx->md, "before");
        }
    }
    if (status != CLI_EXIT_OK)
        return status;
    plausibility_run_init_here(&ctx->plausibility);
    metadata_set(&ctx->md, "run_state", "running");
    status = results_write_metadata(&ctx->writer, &ctx->md) ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
    run_signals_install("\ndmabench: stopping after the current sample (signal again to stop "
                        "at once; --resume DIR goes on later)\n");
    for (size_t i = 0; i < ctx->n_plan && status == CLI_EXIT_OK && !ctx->stop_signal; i++)
        status = run_job(ctx, &ctx->plan[i]);
    if (!ctx->stop_signal)
        ctx->stop_signal = run_stop_signal();
    run_signals_restore();
    metadata_collect_load(&ctx->md, "after");
    if (ctx->stop_signal) {
        metadata_set(&ctx->md, "run_state", "interrupted");
        metadata_set(&ctx->md, "interrupted_by", "SIG%s", sigabbrev_np(ctx->stop_signal));
        metadata_set_time(&ctx->md, "interrupted_time");
    } else {
        metadata_set(&ctx->md, "run_state", status == CLI_EXIT_OK ? "complete" : "failed");
        metadata_set_time(&ctx->md, "end_time");
    }
    metadata_set(&ctx->md, "steal_percent", "%.2f", metadata_steal_percent(&ctx->md));
    metadata_set(&ctx->md, "cases", "%u ok, %u skipped, %u errors", ctx->summary.ok,
                 ctx->summary.skipped, ctx->summary.errors);
    metadata_set(&ctx->md, "flagged_cases", "%u disturbed, %u implausible%s",
                 ctx->summary.disturbed.flagged, ctx->summary.implausible.flagged,
                 ctx->summary.measured < ctx->summary.cases ? " (since the last --resume)" : "");
    if (results_write_metadata(&ctx->writer, &ctx->md) || results_close(&ctx->writer)) {
        cli_error("run: writing %s failed", ctx->dir);
        status = CLI_EXIT_FAILURE;
    }
    run_summary_print(&ctx->summary, stdout);
    printf("results: %s/results.csv, samples.csv, metadata.csv\n", ctx->dir);
    if (ctx->stop_signal) {
        printf("interrupted by SIG%s: resume with dmabench run --resume %s\n",
               sigabbrev_np(ctx->stop_signal), ctx->dir);
        return 128 + ctx->stop_signal;
    }
    if (status == CLI_EXIT_OK && ctx->summary.errors)
        status = CLI_EXIT_FAILURE;
    return status;
}

/* Expand every selected job, check its counters, and number the cases for resume. */
static int make_plan(struct run_ctx *ctx, struct job *jobs, size_t n_jobs)
{
    const char *heaps[64];
    size_t n_heaps = available_heaps(ctx->reg, heaps, 64);
    char err[256];
    ctx->plan = calloc(n_jobs ? n_jobs : 1, sizeof(*ctx->plan));
    if (!ctx->plan)
        return CLI_EXIT_FAILURE;
    for (size_t i = 0; i < n_jobs; i++) {
        if (!bench_selected(ctx->opts, jobs[i].bench))
            continue;
        struct run_plan_job *pj = &ctx->plan[ctx->n_plan];
        pj->job = &jobs[i];
        pj->b = bench_find(jobs[i].bench);
        if (counters_spec_parse(jobs[i].counters, &pj->spec, err, sizeof(err))) {
            cli_error("run: job '%s': counters: %s", jobs[i].name, err);
            return CLI_EXIT_USAGE;
        }
        if (sweep_expand(&jobs[i], heaps, n_heaps, &pj->cases, &pj->n_cases)) {
            cli_error("run: job '%s': cannot expand the sweep", jobs[i].name);
            return CLI_EXIT_FAILURE;
        }
        pj->first = ctx->n_rcases;
        ctx->n_rcases += pj->n_cases;
        ctx->n_plan++;
    }
    ctx->rcases = calloc(ctx->n_rcases ? ctx->n_rcases : 1, sizeof(*ctx->rcases));
    if (!ctx->rcases)
        return CLI_EXIT_FAILURE;
    for (size_t j = 0; j < ctx->n_plan; j++) {
        const struct run_plan_job *pj = &ctx->plan[j];
        struct bench_env env = {.registry = ctx->reg, .counters = &pj->spec};
        for (size_t i = 0; i < pj->n_cases; i++) {
            ctx->rcases[pj->first + i].id = pj->cases[i].id;
            ctx->rcases[pj->first + i].rows = runner_case_rows(pj->b, &pj->cases[i], &env);
        }
    }
    ctx->total = (unsigned)ctx->n_rcases;
    return CLI_EXIT_OK;
}

static void free_plan(struct run_ctx *ctx)
{
    for (size_t i = 0; i < ctx->n_plan; i++)
        free(ctx->plan[i].cases);
    free(ctx->plan);
    free(ctx->rcases);
}

/* The largest case against the memory free here, before anything is allocated. */
static int check_memory(const struct run_ctx *ctx)
{
    struct mem_guard guard;
    struct mem_info info;
    char err[1024];
    memset(&guard, 0, sizeof(guard));
    for (size_t j = 0; j < ctx->n_plan; j++)
        for (size_t i = 0; i < ctx->plan[j].n_cases; i++) {
            const struct bench_case *c = &ctx->plan[j].cases[i];
            const struct sweep_value *heap = c->value[AXIS_HEAP];
            mem_guard_add(&guard, c, heap ? heap_registry_find(ctx->reg, heap->text) : NULL);
        }
    int ret = mem_info_read(&info);
    if (ret && !ctx->opts->mem_limit.bytes) {
        cli_error("run: cannot read MemAvailable from /proc/meminfo (%s): give the memory a case "
                  "may hold with --max-mem SIZE",
                  strerror(-ret));
        return CLI_EXIT_USAGE;
    }
    if (mem_guard_check(&guard, &info, &ctx->opts->mem_limit, err, sizeof(err))) {
        cli_error("run: the sweep needs %s", err);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/* --resume DIR: lock the run, read its metadata and parse the command line it started with. */
static int open_resume(struct run_ctx *ctx, const struct run_opts *given, struct run_opts *o,
                       int *argc, char ***argv)
{
    char err[1024];
    bool finished;
    snprintf(ctx->dir, sizeof(ctx->dir), "%s", given->resume_dir);
    if (output_dir_open(ctx->dir, false, &ctx->dirfd, err, sizeof(err)) ||
        output_dir_lock(ctx->dirfd, ctx->dir, &ctx->lockfd, err, sizeof(err))) {
        cli_error("run: --resume: %s", err);
        return CLI_EXIT_FAILURE;
    }
    metadata_init(&ctx->md);
    if (run_resume_load_metadata(ctx->dirfd, ctx->dir, &ctx->md, &finished, err, sizeof(err))) {
        cli_error("run: --resume: %s", err);
        return CLI_EXIT_FAILURE;
    }
    const char *run_id = metadata_get(&ctx->md, "run_id"), *args = metadata_get(&ctx->md, "argv");
    if (!run_id || !run_id[0] || !args) {
        cli_error("run: --resume: %s/metadata.csv has no %s: the run cannot be resumed", ctx->dir,
                  !run_id || !run_id[0] ? "run_id" : "argv (its command line did not fit)");
        return CLI_EXIT_FAILURE;
    }
    if (finished) {
        printf("run in %s is complete: nothing to resume\n", ctx->dir);
        return -1;
    }
    snprintf(ctx->run_id, sizeof(ctx->run_id), "%s", run_id);
    if (run_args_decode("run", args, argc, argv)) {
        cli_error("run: --resume: %s/metadata.csv: argv is not one CSV row", ctx->dir);
        return CLI_EXIT_FAILURE;
    }
    int ret = parse_run_opts(*argc, *argv, o);
    if (ret) {
        cli_error("run: --resume: the run's own options no longer parse (see above)");
        return ret < 0 ? CLI_EXIT_FAILURE : ret;
    }
    /* Where the run is now, and what may change between sessions: nothing else. */
    o->out_dir = ctx->dir;
    o->force = false;
    o->quiet = given->quiet;
    o->resume_dir = given->resume_dir;
    if (given->max_mem) {
        o->max_mem = given->max_mem;
        o->mem_limit = given->mem_limit;
    }
    if (given->case_timeout_s > 0)
        o->case_timeout_s = given->case_timeout_s;
    ctx->resuming = true;
    return CLI_EXIT_OK;
}

static int prepare_jobs(struct run_opts *o, struct job **jobs, size_t *n_jobs)
{
    int ret = load_jobs(o, jobs, n_jobs);
    for (size_t i = 0; i < *n_jobs && ret == CLI_EXIT_OK; i++)
        if (bench_selected(o, (*jobs)[i].bench))
            ret = finish_job(o, &(*jobs)[i]);
    for (size_t i = 0; ret == CLI_EXIT_OK && i < o->n_overrides; i++) {
        if (!o->overrides[i].applied) {
            cli_error("run: --%s: none of the benchmarks run here uses it", o->overrides[i].key);
            ret = CLI_EXIT_USAGE;
        }
    }
    return ret;
}

int cmd_run(int argc, char **argv)
{
    static struct run_opts given, resumed;
    static struct run_ctx ctx;
    memset(&given, 0, sizeof(given));
    memset(&resumed, 0, sizeof(resumed));
    memset(&ctx, 0, sizeof(ctx));
    ctx.dirfd = ctx.lockfd = -1;
    int ret = parse_run_opts(argc, argv, &given);
    if (ret)
        return ret < 0 ? CLI_EXIT_OK : ret;
    char err[256];
    if (heap_fault_configure_from_env(err, sizeof(err))) {
        cli_error("run: %s: %s", HEAP_FAULT_ENV, err);
        return CLI_EXIT_USAGE;
    }
    int run_argc = argc;
    char **run_argv = argv, **resume_argv = NULL;
    const struct run_opts *o = &given;
    if (given.resume_dir) {
        ret = open_resume(&ctx, &given, &resumed, &run_argc, &resume_argv);
        if (resume_argv)
            run_argv = resume_argv;
        o = &resumed;
    }
    ctx.opts = o;
    struct job *jobs = NULL;
    size_t n_jobs = 0;
    if (ret == CLI_EXIT_OK)
        ret = prepare_jobs((struct run_opts *)o, &jobs, &n_jobs);
    if (ret == CLI_EXIT_OK)
        ret = cli_open_registry(&o->heap_opts, &ctx.reg);
    if (ret == CLI_EXIT_OK)
        ret = make_plan(&ctx, jobs, n_jobs);
    if (ret == CLI_EXIT_OK)
        ret = check_memory(&ctx);
    if (ret == CLI_EXIT_OK) {
        timing_init();
        ret = run_all(&ctx, run_argc, run_argv);
    }
    release_dir(&ctx);
    free_plan(&ctx);
    heap_registry_close(ctx.reg, NULL);
    run_summary_free(&ctx.summary);
    free(jobs);
    run_args_free(run_argc, resume_argv);
    return ret < 0 ? CLI_EXIT_OK : ret;
}
