/* bench/cmd_run.c - `dmabench run`: jobs -> cases -> measurements -> CSV, and a summary.
 *
 * Jobs come from a job file (-j, an embedded one such as `quick` or a path) or from benchmark
 * names on the command line; axis options override every job. Each case is run by the runner
 * and written to disk before the next one starts; progress goes to stderr, the summary to
 * stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"
#include "counters.h"
#include "job_options.h"
#include "jobfile.h"
#include "metadata.h"
#include "pinning.h"
#include "results_csv.h"
#include "run_summary.h"
#include "runner.h"
#include "size_units.h"
#include "timing.h"
#include "topology.h"

#define RUN_MAX_OVERRIDES 32
#define RUN_MAX_BENCHES   8
#define RUN_MIN_SAMPLE_NS 10e6 /* a sample lasts at least 10 ms: far above any clock's step */

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
};

static void run_usage(FILE *out)
{
    fprintf(out,
            "usage: dmabench run [BENCH...] [-j JOB] [-o DIR] [axis options] [--reps N|auto]\n"
            "                    [--time-budget SECONDS] [--counters LIST|default|none]\n"
            "                    [--cpus LIST] [--heap-class NAME=CLASS] [--quiet]\n"
            "\n"
            "Runs benchmarks over the cartesian product of their parameter axes and writes\n"
            "results.csv, samples.csv and metadata.csv (schema: results/README.md) to DIR\n"
            "(default results/BOARD/TIMESTAMP). With no BENCH and no -j, runs the 'quick' job.\n"
            "\n"
            "benchmarks:\n");
    for (size_t i = 0; i < bench_count(); i++)
        fprintf(out, "  %-8s %s\n", bench_at(i)->name, bench_at(i)->description);
    fprintf(out,
            "\n"
            "  -j, --job JOB          a job file (INI, like fio's) or an embedded job: quick,\n"
            "                         full, camera-pool, video-frames, ui-buffers\n"
            "  -o, --output DIR       where the CSV files go (must not hold an earlier run)\n"
            "axis options (lists: 4K,64K; ranges with a x2 step: 4K..64M); they override the job:\n"
            "  --heap LIST            heap names from 'dmabench list', or all\n"
            "  --size LIST            buffer sizes (bytes, K/M/G)\n"
            "  --align LIST           alloc: mapping alignment; cpu: start offset in the buffer\n"
            "  --page-size LIST       base, thp, or hugetlb sizes (2M, 1G)\n"
            "  --threads LIST         threads running a cpu kernel (pinned, one per CPU)\n"
            "  --batch LIST           alloc: buffers allocated back to back before freeing\n"
            "  --kernel LIST          alloc: alloc, alloc-touch; cpu: read, write, copy, fill\n"
            "                         (OP or OP:IMPL, IMPL c libc sse2 avx2 avx512 neon nt\n"
            "                         ntload) and chase\n"
            "  --node LIST            NUMA node of the backing pages, or any\n"
            "  --reps N|auto          repetitions per case; auto: until the 95%% CI of the\n"
            "                         median is within 1%% or the time budget runs out\n"
            "  --time-budget SECONDS  per case (default 10)\n"
            "  --counters LIST        libpfm4 event names, default, or none\n"
            "  --cpus LIST            CPUs to pin threads to (0-3,6), default all\n"
            "  --heap-class NAME=CLASS   override a heap's class\n"
            "  -q, --quiet            no progress lines on stderr\n"
            "\n"
            "Exit status: 0 every case ran or was skipped with a reason, 1 a case failed or the\n"
            "output could not be written, 2 bad usage or input.\n");
}

static int add_override(struct run_opts *o, const char *key, const char *value)
{
    if (o->n_overrides == RUN_MAX_OVERRIDES) {
        cli_error("run: too many options");
        return CLI_EXIT_USAGE;
    }
    o->overrides[o->n_overrides].key = key;
    o->overrides[o->n_overrides++].value = value;
    return CLI_EXIT_OK;
}

static int parse_run_opts(int argc, char **argv, struct run_opts *o)
{
    enum { OPT_CLASS = 1000, OPT_KEY = 2000 };
    static const struct option options[] = {
            {"job", required_argument, NULL, 'j'},
            {"output", required_argument, NULL, 'o'},
            {"quiet", no_argument, NULL, 'q'},
            {"help", no_argument, NULL, 'h'},
            {"heap-class", required_argument, NULL, OPT_CLASS},
            {"heap", required_argument, NULL, OPT_KEY},
            {"size", required_argument, NULL, OPT_KEY},
            {"align", required_argument, NULL, OPT_KEY},
            {"page-size", required_argument, NULL, OPT_KEY},
            {"threads", required_argument, NULL, OPT_KEY},
            {"batch", required_argument, NULL, OPT_KEY},
            {"kernel", required_argument, NULL, OPT_KEY},
            {"node", required_argument, NULL, OPT_KEY},
            {"reps", required_argument, NULL, OPT_KEY},
            {"time-budget", required_argument, NULL, OPT_KEY},
            {"counters", required_argument, NULL, OPT_KEY},
            {"cpus", required_argument, NULL, OPT_KEY},
            {NULL, 0, NULL, 0},
    };
    int opt, index, ret = CLI_EXIT_OK;
    while (ret == CLI_EXIT_OK && (opt = getopt_long(argc, argv, "j:o:qh", options, &index)) != -1) {
        switch (opt) {
        case 'j':
            o->job_file = optarg;
            break;
        case 'o':
            o->out_dir = optarg;
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

/* Default sizes for cpu from the caches: inside L1, L2 and the LLC, then well beyond it. */
static void cpu_default_sizes(char *out, size_t out_len)
{
    struct topology_summary topo;
    size_t l1 = 32 << 10, l2 = 1 << 20, llc = 8 << 20;
    if (topology_read(&topo) == 0) {
        for (size_t i = 0; i < topo.n_caches; i++) {
            const struct topo_cache *c = &topo.caches[i];
            if (c->level == 1 && c->type == 'd')
                l1 = c->size;
            else if (c->level == 2 && c->type != 'i')
                l2 = c->size;
            if (c->type != 'i' && c->level >= 2)
                llc = c->size > llc || c->level >= 3 ? c->size : llc;
        }
    }
    size_t sizes[] = {l1 / 2, l2 / 2, llc / 2, llc * 8 > (256u << 20) ? llc * 8 : 256u << 20};
    size_t used = 0;
    for (size_t i = 0; i < 4; i++) {
        size_t pow2 = 4096;
        while (pow2 * 2 <= sizes[i])
            pow2 *= 2;
        used += (size_t)snprintf(out + used, out_len - used, "%s%zu", i ? "," : "", pow2);
    }
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
    char err[512] = "", sizes[128];
    const struct bench_def *b = bench_find(job->bench);
    if (!b) {
        cli_error("run: job '%s': unknown benchmark '%s'", job->name, job->bench);
        return CLI_EXIT_USAGE;
    }
    for (int a = 0; a < N_SWEEP_AXES; a++) {
        const char *def = b->defaults[a];
        if (a == AXIS_SIZE && !strcmp(b->name, "cpu") && !def) {
            cpu_default_sizes(sizes, sizeof(sizes));
            def = sizes;
        }
        if (def && !(job->axes_set & (1u << a)) &&
            job_apply_option(job, sweep_axis_key(a), def, err, sizeof(err))) {
            cli_error("run: %s defaults: %s", b->name, err);
            return CLI_EXIT_FAILURE;
        }
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
    }
    const struct sweep_axis_values *kernels = &job->axes[AXIS_KERNEL];
    for (size_t i = 0; i < kernels->n; i++) {
        if (b->check_kernel(kernels->v[i].text, err, sizeof(err))) {
            cli_error("run: job '%s': %s", job->name, err);
            return CLI_EXIT_USAGE;
        }
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

static void default_out_dir(const struct metadata *md, char *out, size_t out_len, char *run_id,
                            size_t run_id_len)
{
    const char *model = metadata_get(md, "board");
    if (!model || !model[0] || !strcmp(model, "unknown"))
        model = metadata_get(md, "hostname");
    char board[96];
    snprintf(board, sizeof(board), "%s", model ? model : "unknown");
    sanitize(board);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(run_id, run_id_len, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(out, out_len, "results/%s/%s", board, run_id);
}

struct run_ctx {
    const struct run_opts *opts;
    struct heap_registry *reg;
    struct results_writer writer;
    struct metadata md;
    struct run_summary summary;
    struct counter_totals totals;
    unsigned done, total;
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
    fprintf(stderr, "[%u/%u] %s: %s %.4g %s (%u reps, %s)\n", ctx->done, ctx->total, c->id, m->name,
            m->stats.median, m->unit, r->reps, reps_stop_name(r->stop));
}

static int run_job(struct run_ctx *ctx, const struct job *job)
{
    const struct bench_def *b = bench_find(job->bench);
    struct counter_spec spec;
    char err[256];
    if (counters_spec_parse(job->counters, &spec, err, sizeof(err))) {
        cli_error("run: job '%s': counters: %s", job->name, err);
        return CLI_EXIT_USAGE;
    }
    struct pinning *pins;
    if (pinning_open(&pins, job->cpus, err, sizeof(err))) {
        cli_error("run: job '%s': %s", job->name, err);
        return CLI_EXIT_USAGE;
    }
    const char *heaps[64];
    size_t n_heaps = available_heaps(ctx->reg, heaps, 64);
    struct bench_case *cases;
    size_t n_cases;
    if (sweep_expand(job, heaps, n_heaps, &cases, &n_cases)) {
        cli_error("run: job '%s': cannot expand the sweep", job->name);
        pinning_close(pins);
        return CLI_EXIT_FAILURE;
    }
    struct bench_env env = {
            .registry = ctx->reg,
            .counters = &spec,
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
    int status = CLI_EXIT_OK;
    for (size_t i = 0; i < n_cases; i++) {
        struct case_result r;
        if (runner_run_case(b, &cases[i], &env, &policy, &r)) {
            cli_error("run: out of memory");
            status = CLI_EXIT_FAILURE;
            break;
        }
        ctx->done++;
        const struct heap *heap = heap_registry_find(ctx->reg, cases[i].value[AXIS_HEAP]->text);
        int ret = results_write_case(&ctx->writer, &cases[i], heap, &r);
        report_progress(ctx, &cases[i], &r);
        run_summary_add(&ctx->summary, &cases[i], &r);
        case_result_free(&r);
        if (ret) {
            cli_error("run: writing %s: %s", ctx->writer.dir, strerror(-ret));
            status = CLI_EXIT_FAILURE;
            break;
        }
    }
    free(cases);
    pinning_close(pins);
    return status;
}

static void add_run_metadata(struct run_ctx *ctx, int argc, char **argv)
{
    char heaps[1024] = "", line[1024] = "";
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
    metadata_set(&ctx->md, "timing_source", "%s", timing_source());
    metadata_set(&ctx->md, "timing_source_detail", "%s", timing_source_detail());
    metadata_set(&ctx->md, "timing_resolution_ns", "%.3g", timing_resolution_ns());
    metadata_set(&ctx->md, "timing_read_cost_ns", "%.3g", timing_read_cost_ns());
    metadata_set(&ctx->md, "min_sample_ns", "%.0f", RUN_MIN_SAMPLE_NS);
}

static int run_all(struct run_ctx *ctx, struct job *jobs, size_t n_jobs, int argc, char **argv)
{
    char dir[512], run_id[64], err[512];
    metadata_init(&ctx->md);
    metadata_collect_machine(&ctx->md);
    default_out_dir(&ctx->md, dir, sizeof(dir), run_id, sizeof(run_id));
    if (ctx->opts->out_dir)
        snprintf(dir, sizeof(dir), "%s", ctx->opts->out_dir);
    if (results_open(&ctx->writer, dir, run_id, err, sizeof(err))) {
        cli_error("run: %s", err);
        return CLI_EXIT_FAILURE;
    }
    metadata_set(&ctx->md, "run_id", "%s", run_id);
    metadata_set_time(&ctx->md, "start_time");
    add_run_metadata(ctx, argc, argv);
    metadata_collect_load(&ctx->md, "before");
    int status = results_write_metadata(&ctx->writer, &ctx->md) ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
    for (size_t i = 0; i < n_jobs && status == CLI_EXIT_OK; i++) {
        if (bench_selected(ctx->opts, jobs[i].bench))
            status = run_job(ctx, &jobs[i]);
    }
    metadata_collect_load(&ctx->md, "after");
    metadata_set_time(&ctx->md, "end_time");
    metadata_set(&ctx->md, "steal_percent", "%.2f", metadata_steal_percent(&ctx->md));
    metadata_set(&ctx->md, "cases", "%u ok, %u skipped, %u errors", ctx->summary.ok,
                 ctx->summary.skipped, ctx->summary.errors);
    if (results_write_metadata(&ctx->writer, &ctx->md) || results_close(&ctx->writer)) {
        cli_error("run: writing %s failed", dir);
        status = CLI_EXIT_FAILURE;
    }
    run_summary_print(&ctx->summary, stdout);
    printf("results: %s/results.csv, samples.csv, metadata.csv\n", dir);
    if (status == CLI_EXIT_OK && ctx->summary.errors)
        status = CLI_EXIT_FAILURE;
    return status;
}

int cmd_run(int argc, char **argv)
{
    struct run_opts o = {0};
    int ret = parse_run_opts(argc, argv, &o);
    if (ret)
        return ret < 0 ? CLI_EXIT_OK : ret;
    struct job *jobs = NULL;
    size_t n_jobs = 0;
    if ((ret = load_jobs(&o, &jobs, &n_jobs)) != CLI_EXIT_OK)
        return ret;
    static struct run_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.opts = &o;
    unsigned total = 0;
    for (size_t i = 0; i < n_jobs && ret == CLI_EXIT_OK; i++)
        if (bench_selected(&o, jobs[i].bench))
            ret = finish_job(&o, &jobs[i]);
    for (size_t i = 0; ret == CLI_EXIT_OK && i < o.n_overrides; i++) {
        if (!o.overrides[i].applied) {
            cli_error("run: --%s: none of the benchmarks run here uses it", o.overrides[i].key);
            ret = CLI_EXIT_USAGE;
        }
    }
    if (ret == CLI_EXIT_OK)
        ret = cli_open_registry(&o.heap_opts, &ctx.reg);
    if (ret == CLI_EXIT_OK) {
        const char *heaps[64];
        size_t n_heaps = available_heaps(ctx.reg, heaps, 64);
        for (size_t i = 0; i < n_jobs; i++) {
            struct bench_case *cases;
            size_t n;
            if (bench_selected(&o, jobs[i].bench) &&
                sweep_expand(&jobs[i], heaps, n_heaps, &cases, &n) == 0) {
                total += (unsigned)n;
                free(cases);
            }
        }
        ctx.total = total;
        timing_init();
        ret = run_all(&ctx, jobs, n_jobs, argc, argv);
    }
    heap_registry_close(ctx.reg, NULL);
    free(jobs);
    return ret;
}
