/* bench/cli/cmd_run.c - `dmabench run`: jobs -> cases -> measurements -> CSV, and a summary.
 *
 * The options and the jobs they make are bench/cli/run_options.c's. Before anything runs, the
 * sweep's case count and every case's memory are checked (against the machine too); each case
 * is run by the runner and on disk before the next one starts; SIGINT / SIGTERM stop between
 * samples, a failure stops the run, and --resume picks a stopped run up again. Progress goes to
 * stderr (while it takes it), the summary to stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"
#include "counters.h"
#include "heap_fault.h"
#include "mem_guard.h"
#include "metadata.h"
#include "output_dir.h"
#include "pinning.h"
#include "plausibility.h"
#include "results_csv.h"
#include "run_resume.h"
#include "run_signals.h"
#include "run_summary.h"
#include "run_summary_replay.h"
#include "run_options.h"
#include "runner.h"
#include "safe_file.h"
#include "timing.h"

#define RUN_MIN_SAMPLE_NS 10e6 /* a sample lasts at least 10 ms: far above any clock's step */
/* More sessions than this in one run is metadata.csv written by something else. */
#define RUN_MAX_RESUMES 1000000

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
    size_t cpus_used; /* the most CPUs a job's threads could be placed on (its pinning) */
    struct run_plan_job *plan;
    size_t n_plan;
    struct resume_case *rcases; /* every case of the run, with resume's done flags */
    size_t n_rcases;
    char dir[PATH_MAX], run_id[64];
    char args[METADATA_VALUE_MAX]; /* the command line as metadata.csv keeps it (argv) */
    unsigned long resumes;         /* sessions before this one resumed the run */
    int dirfd, lockfd;
    bool resuming;
    bool progress_lost; /* stderr failed (a closed pipe): no more progress lines */
    int stop_signal;    /* the signal that stopped the run, or 0 */
    char failure[512];  /* why the run stopped before its end, when it was not a signal */
};

/* Why the run stops before its end (the caller said so on stderr), for metadata.csv. */
static int run_failed(struct run_ctx *ctx, int status, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static int run_failed(struct run_ctx *ctx, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->failure, sizeof(ctx->failure), fmt, ap);
    va_end(ap);
    return status;
}

/* Progress goes to stderr while stderr takes it: a closed pipe (SIGPIPE is ignored) stops the
 * progress lines, never the run. */
static void report_progress(struct run_ctx *ctx, const struct bench_case *c,
                            const struct case_result *r)
{
    if (ctx->opts->quiet || ctx->progress_lost)
        return;
    const struct metric_result *m = &r->metrics[0];
    int n;
    if (r->status != CASE_OK)
        n = fprintf(stderr, "[%u/%u] %s: %s: %s\n", ctx->done, ctx->total, c->id,
                    case_status_name(r->status), r->reason);
    else
        n = fprintf(stderr, "[%u/%u] %s: %s %.4g %s (%u reps, %s)%s%s%s%s%s%s\n", ctx->done,
                    ctx->total, c->id, m->name, m->stats.median, m->unit, r->reps,
                    reps_stop_name(r->stop), r->disturbed[0] ? " [disturbed: " : "", r->disturbed,
                    r->disturbed[0] ? "]" : "", r->implausible[0] ? " [implausible: " : "",
                    r->implausible, r->implausible[0] ? "]" : "");
    ctx->progress_lost = n < 0;
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
    char err[CLI_MESSAGE_MAX];
    struct pinning *pins;
    if (pinning_open(&pins, job->cpus, err, sizeof(err))) {
        cli_error("run: job '%s': %s", job->name, err);
        return run_failed(ctx, CLI_EXIT_USAGE, "job '%s': %s", job->name, err);
    }
    if (pinning_count(pins) > ctx->cpus_used)
        ctx->cpus_used = pinning_count(pins);
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
            cli_error("run: %s: %s", pj->cases[i].id, strerror(ENOMEM));
            case_result_free(&r);
            status = run_failed(ctx, CLI_EXIT_FAILURE, "%s: %s", pj->cases[i].id, strerror(ENOMEM));
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
            status = run_failed(ctx, CLI_EXIT_FAILURE, "writing the results: %s", strerror(-ret));
        }
    }
    pinning_close(pins);
    return status;
}

/* The command line as metadata.csv keeps it: "argv" for --resume, "command" for people. Both
 * are checked before anything is created, so a run is always resumable and its command is
 * never cut: a command line that does not fit is refused (a job file holds long lists). */
static int encode_command_line(struct run_ctx *ctx, int argc, char **argv)
{
    int ret = run_args_encode(argc - 1, argv + 1, ctx->args, sizeof(ctx->args));
    size_t command = strlen("dmabench");
    for (int i = 0; i < argc; i++)
        command += 1 + strlen(argv[i]);
    if (ret == -EINVAL) {
        cli_error("run: an argument holds a control character: metadata.csv keeps the command "
                  "line on one line for --resume");
        return CLI_EXIT_USAGE;
    }
    if (ret || command >= METADATA_VALUE_MAX) {
        cli_error("run: the command line is longer than the %d bytes metadata.csv keeps for "
                  "--resume: put the lists in a job file (-j)",
                  METADATA_VALUE_MAX - 1);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/* "backend:name(class);..." of the usable heaps, whole (a board may have many). */
static void set_heaps_metadata(struct run_ctx *ctx)
{
    char *heaps = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&heaps, &len);
    for (size_t i = 0, n = 0; f && i < heap_registry_count(ctx->reg); i++) {
        const struct heap *h = heap_registry_at(ctx->reg, i);
        if (h->info.available)
            fprintf(f, "%s%s:%s(%s)", n++ ? ";" : "", h->info.backend, h->info.name,
                    heap_class_name(h->info.klass));
    }
    if (f && fclose(f) == 0)
        metadata_set(&ctx->md, "heaps", "%s", heaps);
    free(heaps);
}

static void add_run_metadata(struct run_ctx *ctx, int argc, char **argv)
{
    set_heaps_metadata(ctx);
    char *line = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&line, &len);
    for (int i = 0; f && i < argc; i++)
        fprintf(f, " %s", argv[i]);
    if (f && fclose(f) == 0)
        metadata_set(&ctx->md, "command", "dmabench%s", line);
    free(line);
    metadata_set(&ctx->md, "argv", "%s", ctx->args); /* what --resume parses back */
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
    char err[CLI_MESSAGE_MAX], old_id[64], moved[128];
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
    char err[CLI_MESSAGE_MAX];
    int status = CLI_EXIT_FAILURE;
    bool taken = true;
    for (int attempt = 1; taken && attempt <= 100; attempt++) {
        release_dir(ctx);
        default_out_dir(&ctx->md, attempt, ctx->dir, sizeof(ctx->dir), ctx->run_id,
                        sizeof(ctx->run_id));
        if (ctx->opts->out_dir)
            memcpy(ctx->dir, ctx->opts->out_dir, strlen(ctx->opts->out_dir) + 1); /* it fits */
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

/* The cases kept from before --resume, sorted by id, for the summary's replay. */
struct kept_cases {
    const struct bench_case **cases;
    size_t n;
};

static int by_case_id(const void *a, const void *b)
{
    return strcmp((*(const struct bench_case *const *)a)->id,
                  (*(const struct bench_case *const *)b)->id);
}

static const struct bench_case *kept_case(void *arg, const char *id)
{
    const struct kept_cases *k = arg;
    struct bench_case key; /* only its id is read */
    snprintf(key.id, sizeof(key.id), "%s", id);
    const struct bench_case *want = &key, **hit;
    hit = bsearch(&want, k->cases, k->n, sizeof(*k->cases), by_case_id);
    return hit ? *hit : NULL;
}

/* The summary of a resumed run is the whole run's: the kept cases go back into it. */
static int summarise_kept_cases(struct run_ctx *ctx)
{
    struct kept_cases k = {calloc(ctx->n_rcases ? ctx->n_rcases : 1, sizeof(*k.cases)), 0};
    char err[CLI_MESSAGE_MAX];
    if (!k.cases) {
        cli_error("run: --resume: %s", strerror(ENOMEM));
        return CLI_EXIT_FAILURE;
    }
    for (size_t j = 0; j < ctx->n_plan; j++)
        for (size_t i = 0; i < ctx->plan[j].n_cases; i++)
            if (ctx->rcases[ctx->plan[j].first + i].done)
                k.cases[k.n++] = &ctx->plan[j].cases[i];
    qsort(k.cases, k.n, sizeof(*k.cases), by_case_id);
    int ret = run_summary_replay(&ctx->summary, ctx->dirfd, ctx->dir, kept_case, &k, err,
                                 sizeof(err));
    free(k.cases);
    if (ret) {
        cli_error("run: --resume: %s", err);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

static int open_resumed_run(struct run_ctx *ctx)
{
    char err[CLI_MESSAGE_MAX];
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
    int ret = results_attach(&ctx->writer, ctx->dirfd, ctx->dir, ctx->run_id, results, samples);
    if (ret) {
        cli_error("run: --resume: %s: %s", ctx->dir, strerror(-ret));
        return CLI_EXIT_FAILURE;
    }
    ctx->done = (unsigned)counts.done;
    if ((status = summarise_kept_cases(ctx)) != CLI_EXIT_OK)
        return status;
    metadata_set(&ctx->md, "resumes", "%lu", ctx->resumes + 1);
    metadata_set_time(&ctx->md, "resumed_time");
    if (!ctx->opts->quiet)
        fprintf(stderr, "run: --resume %s: %zu of %zu cases done earlier (kept), %zu to run%s\n",
                ctx->dir, counts.done, ctx->n_rcases, ctx->n_rcases - counts.done,
                counts.dropped_rows ? "; rows of unfinished cases dropped" : "");
    return CLI_EXIT_OK;
}

/* cpus_used: what the run's load is held to (bench/analysis/run_noise.h). A resumed run keeps
 * the most of its sessions. */
static void set_cpus_used(struct run_ctx *ctx)
{
    const char *then = metadata_get(&ctx->md, "cpus_used");
    size_t earlier = then ? strtoul(then, NULL, 10) : 0;
    size_t n = ctx->cpus_used > earlier ? ctx->cpus_used : earlier;
    if (n)
        metadata_set(&ctx->md, "cpus_used", "%zu", n);
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
    int ret = results_write_metadata(&ctx->writer, &ctx->md);
    if (ret) {
        cli_error("run: writing %s/metadata.csv: %s", ctx->dir, strerror(-ret));
        status = run_failed(ctx, CLI_EXIT_FAILURE, "writing metadata.csv: %s", strerror(-ret));
    }
    run_signals_install("\ndmabench: stopping after the current sample (signal again to stop "
                        "at once; --resume DIR goes on later)\n");
    for (size_t i = 0; i < ctx->n_plan && status == CLI_EXIT_OK && !ctx->stop_signal; i++)
        status = run_job(ctx, &ctx->plan[i]);
    if (!ctx->stop_signal)
        ctx->stop_signal = run_stop_signal();
    run_signals_restore();
    metadata_collect_load(&ctx->md, "after");
    /* Only a run that got to its end has an end_time and is complete; one stopped by a signal
     * or a failure says why, and --resume continues it once the cause is fixed. */
    if (ctx->stop_signal) {
        metadata_set(&ctx->md, "run_state", "interrupted");
        metadata_set(&ctx->md, "interrupted_by", "SIG%s", sigabbrev_np(ctx->stop_signal));
        metadata_set_time(&ctx->md, "interrupted_time");
    } else if (status != CLI_EXIT_OK) {
        metadata_set(&ctx->md, "run_state", "failed");
        metadata_set(&ctx->md, "failure", "%s", ctx->failure[0] ? ctx->failure : "unknown");
        metadata_set_time(&ctx->md, "failed_time");
    } else {
        metadata_set(&ctx->md, "run_state", "complete");
        metadata_set_time(&ctx->md, "end_time");
    }
    set_cpus_used(ctx);
    metadata_set(&ctx->md, "steal_percent", "%.2f", metadata_steal_percent(&ctx->md));
    metadata_set(&ctx->md, "cases", "%u ok, %u skipped, %u errors", ctx->summary.ok,
                 ctx->summary.skipped, ctx->summary.errors);
    metadata_set(&ctx->md, "flagged_cases", "%u disturbed, %u implausible",
                 ctx->summary.disturbed.flagged, ctx->summary.implausible.flagged);
    ret = results_write_metadata(&ctx->writer, &ctx->md);
    int closed = results_close(&ctx->writer);
    if (ret || closed) {
        cli_error("run: writing %s: %s", ctx->dir, strerror(-(ret ? ret : closed)));
        status = CLI_EXIT_FAILURE;
    }
    run_summary_print(&ctx->summary, stdout);
    printf("results: %s/results.csv, samples.csv, metadata.csv\n", ctx->dir);
    if (ctx->stop_signal) {
        printf("interrupted by SIG%s: resume with dmabench run --resume %s\n",
               sigabbrev_np(ctx->stop_signal), ctx->dir);
        return 128 + ctx->stop_signal;
    }
    if (status != CLI_EXIT_OK)
        printf("stopped (%s): resume with dmabench run --resume %s once that is fixed\n",
               ctx->failure[0] ? ctx->failure : "see above", ctx->dir);
    if (status == CLI_EXIT_OK && ctx->summary.errors)
        status = CLI_EXIT_FAILURE;
    return status;
}

/* The cases of every selected job, counted before any is made: the limit is the run's. */
static int check_case_count(const struct run_ctx *ctx, const struct job *jobs, size_t n_jobs,
                            size_t n_heaps)
{
    size_t total = 0, n_selected = 0;
    for (size_t i = 0; i < n_jobs; i++) {
        if (!run_opts_selects(ctx->opts, jobs[i].bench))
            continue;
        size_t n;
        int ret = sweep_count(&jobs[i], n_heaps, &n);
        if (ret) {
            cli_error("run: job '%s': %s", jobs[i].name, strerror(-ret));
            return ret == -ENOMEM ? CLI_EXIT_FAILURE : CLI_EXIT_USAGE;
        }
        n_selected++;
        total = n > SIZE_MAX - total ? SIZE_MAX : total + n;
    }
    if (total <= SWEEP_MAX_CASES)
        return CLI_EXIT_OK;
    char count[32];
    if (total == SIZE_MAX)
        snprintf(count, sizeof(count), "more than %zu", SIZE_MAX - 1);
    else
        snprintf(count, sizeof(count), "%zu", total);
    cli_error("run: %s: %s cases in %zu job%s, more than the %d one run may have",
              ctx->opts->job_file ? ctx->opts->job_file : "the command line", count, n_selected,
              n_selected == 1 ? "" : "s", SWEEP_MAX_CASES);
    return CLI_EXIT_USAGE;
}

/* Expand every selected job, check its counters, and number the cases for resume. */
static int make_plan(struct run_ctx *ctx, struct job *jobs, size_t n_jobs)
{
    size_t n_heaps = heap_registry_count(ctx->reg);
    const char **heaps = calloc(n_heaps ? n_heaps : 1, sizeof(*heaps));
    char err[CLI_MESSAGE_MAX];
    ctx->plan = calloc(n_jobs ? n_jobs : 1, sizeof(*ctx->plan));
    int status = heaps && ctx->plan ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
    if (status != CLI_EXIT_OK)
        cli_error("run: %s", strerror(ENOMEM));
    if (status == CLI_EXIT_OK) {
        n_heaps = available_heaps(ctx->reg, heaps, n_heaps);
        status = check_case_count(ctx, jobs, n_jobs, n_heaps);
    }
    for (size_t i = 0; status == CLI_EXIT_OK && i < n_jobs; i++) {
        if (!run_opts_selects(ctx->opts, jobs[i].bench))
            continue;
        struct run_plan_job *pj = &ctx->plan[ctx->n_plan];
        pj->job = &jobs[i];
        pj->b = bench_find(jobs[i].bench);
        if (counters_spec_parse(jobs[i].counters, &pj->spec, err, sizeof(err))) {
            cli_error("run: job '%s': counters: %s", jobs[i].name, err);
            status = CLI_EXIT_USAGE;
            break;
        }
        int ret = sweep_expand(&jobs[i], heaps, n_heaps, &pj->cases, &pj->n_cases);
        if (ret) {
            cli_error("run: job '%s': cannot expand the sweep: %s", jobs[i].name, strerror(-ret));
            status = ret == -ENOMEM ? CLI_EXIT_FAILURE : CLI_EXIT_USAGE;
            break;
        }
        /* A heap this machine has never heard of is a typing error, not a row: named heaps
         * that are here but unusable still get their row with the reason. */
        for (size_t c = 0; c < pj->n_cases; c++) {
            const struct sweep_value *heap = pj->cases[c].value[AXIS_HEAP];
            if (heap && !cli_find_heap(ctx->reg, heap->text)) {
                status = CLI_EXIT_USAGE;
                break;
            }
        }
        if (status != CLI_EXIT_OK) {
            ctx->n_plan++; /* its cases are freed with the plan */
            break;
        }
        pj->first = ctx->n_rcases;
        ctx->n_rcases += pj->n_cases;
        ctx->n_plan++;
    }
    free(heaps);
    if (status != CLI_EXIT_OK)
        return status;
    ctx->rcases = calloc(ctx->n_rcases ? ctx->n_rcases : 1, sizeof(*ctx->rcases));
    if (!ctx->rcases) {
        cli_error("run: %s", strerror(ENOMEM));
        return CLI_EXIT_FAILURE;
    }
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
    char err[CLI_MESSAGE_MAX];
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
    /* A limit above the machine's RAM holds nothing back: only on purpose (--force). */
    if (!ctx->opts->force &&
        mem_limit_check_machine(&ctx->opts->mem_limit, &info, err, sizeof(err))) {
        cli_error("run: %s%s", err, ctx->resuming ? "" : "; --force allows it");
        return CLI_EXIT_USAGE;
    }
    if (mem_guard_check(&guard, &info, &ctx->opts->mem_limit, err, sizeof(err))) {
        cli_error("run: the sweep needs %s", err);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/* A decimal count from 0 to max, as dmabench writes it: 0 or -EINVAL. */
static int parse_count(const char *text, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long n = text[0] >= '0' && text[0] <= '9' ? strtoul(text, &end, 10) : max + 1;
    if (n > max || errno || *end)
        return -EINVAL;
    *out = n;
    return 0;
}

/* --resume DIR: lock the run, read its metadata and parse the command line it started with. */
static int open_resume(struct run_ctx *ctx, const struct run_opts *given, struct run_opts *o,
                       int *argc, char ***argv)
{
    char err[CLI_MESSAGE_MAX];
    bool finished;
    memcpy(ctx->dir, given->resume_dir, strlen(given->resume_dir) + 1); /* checked: it fits */
    if (output_dir_open(ctx->dir, false, &ctx->dirfd, err, sizeof(err)) ||
        output_dir_lock(ctx->dirfd, ctx->dir, &ctx->lockfd, err, sizeof(err))) {
        cli_error("run: --resume: %s", err);
        return CLI_EXIT_FAILURE;
    }
    /* Locked: no other run writes here; a killed one may have left its temporaries. */
    unsigned leftovers;
    if (safe_file_remove_leftovers(ctx->dirfd, &leftovers) == 0 && leftovers)
        printf("removed %u temporary file%s the interrupted run left in %s\n", leftovers,
               leftovers == 1 ? "" : "s", ctx->dir);
    metadata_init(&ctx->md);
    int ret = run_resume_load_metadata(ctx->dirfd, ctx->dir, &ctx->md, &finished, err, sizeof(err));
    if (ret) {
        cli_error("run: --resume: %s", err);
        return ret == -EBADMSG ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE; /* bad input, or the disk */
    }
    const char *run_id = metadata_get(&ctx->md, "run_id"), *args = metadata_get(&ctx->md, "argv");
    if (!run_id || !run_id[0] || !args) {
        cli_error("run: --resume: %s/metadata.csv has no %s: the run cannot be resumed", ctx->dir,
                  !run_id || !run_id[0] ? "run_id" : "argv (its command line did not fit)");
        return CLI_EXIT_USAGE;
    }
    if (finished) {
        printf("run in %s is complete: nothing to resume\n", ctx->dir);
        return -1;
    }
    if (strlen(run_id) >= sizeof(ctx->run_id)) {
        cli_error("run: --resume: %s/metadata.csv: run_id '%.32s...' is longer than any dmabench "
                  "writes",
                  ctx->dir, run_id);
        return CLI_EXIT_USAGE;
    }
    memcpy(ctx->run_id, run_id, strlen(run_id) + 1);
    const char *resumes = metadata_get(&ctx->md, "resumes");
    if (resumes && parse_count(resumes, RUN_MAX_RESUMES, &ctx->resumes)) {
        cli_error("run: --resume: %s/metadata.csv: resumes '%s' is not a count of resumes",
                  ctx->dir, resumes);
        return CLI_EXIT_USAGE;
    }
    if ((ret = run_args_decode("run", args, argc, argv))) {
        cli_error("run: --resume: %s/metadata.csv: %s", ctx->dir,
                  ret == -ENOMEM ? strerror(ENOMEM) : "argv is not one CSV row");
        return ret == -ENOMEM ? CLI_EXIT_FAILURE : CLI_EXIT_USAGE;
    }
    ret = run_opts_parse(*argc, *argv, o);
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

int cmd_run(int argc, char **argv)
{
    static struct run_opts given, resumed;
    static struct run_ctx ctx;
    memset(&given, 0, sizeof(given));
    memset(&resumed, 0, sizeof(resumed));
    memset(&ctx, 0, sizeof(ctx));
    ctx.dirfd = ctx.lockfd = -1;
    int ret = run_opts_parse(argc, argv, &given);
    if (!ret && !given.resume_dir)
        ret = encode_command_line(&ctx, argc, argv);
    if (ret)
        return ret < 0 ? CLI_EXIT_OK : ret;
    /* A reader that went away (dmabench run | head) costs the progress lines, never the run:
     * writes to the pipe fail with EPIPE instead of killing the process. */
    signal(SIGPIPE, SIG_IGN);
    char err[CLI_MESSAGE_MAX];
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
        ret = run_opts_prepare_jobs((struct run_opts *)o, &jobs, &n_jobs);
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
