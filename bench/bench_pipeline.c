/* bench/bench_pipeline.c - the `pipeline` benchmark: a camera -> ISP -> encoder chain in miniature.
 *
 * The CPU produces a frame, syncs, the engine copies it, the CPU syncs and consumes (checks) the
 * copy, with pool-depth frames in flight: frames/s, bytes/s and every frame's latency, per heap,
 * strategy, format, depth and engine. Counters count the CPU thread, never the engine's.
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bench_case_heap.h"
#include "counters.h"
#include "engine.h"
#include "frame_format.h"
#include "pipeline_pool.h"
#include "run_grid.h"
#include "sample_sizing.h"
#include "size_units.h"
#include "sync_strategy.h"
#include "timing.h"

/* Steady state needs several rounds of the pool; past a million a sample is only memory. */
#define PIPELINE_MIN_ROUNDS 4
#define PIPELINE_MAX_FRAMES (1u << 20)

static const struct metric_def throughput = {"throughput", "frames/s", BETTER_HIGHER};
static const struct metric_def frame_bandwidth = {"frame_bandwidth", "bytes/s", BETTER_HIGHER};
static const struct metric_def frame_latency = {"frame_latency", "ns", BETTER_LOWER};

enum { M_THROUGHPUT, M_BANDWIDTH, M_LATENCY, N_METRICS };

struct pipeline_state {
    const struct bench_env *env;
    struct pipeline_pool *pool;
    unsigned depth;
    struct sample_sizing size; /* .loops: timed steady-state frames per repetition */
    double *latency;           /* latency_cap of them: every frame of a pass */
    uint64_t latency_cap;
    double rate[2]; /* throughput, bandwidth */
    char *reason;   /* where a pass's error goes */
    size_t reason_len;
    cpu_set_t saved_affinity;
    bool pinned;
};

/* The axes say everything: there are no kernels to choose. */
static int pipeline_check_kernel(const char *kernel, char *err, size_t err_len)
{
    if (!strcmp(kernel, "default"))
        return 0;
    snprintf(err, err_len,
             "the pipeline benchmark has no kernels (choose with --frame, --pool, --strategy "
             "and --engine), not '%s'",
             kernel);
    return -EINVAL;
}

static size_t pipeline_metrics(const struct bench_case *c, const struct metric_def *const **defs)
{
    (void)c;
    static const struct metric_def *const all[N_METRICS] = {&throughput, &frame_bandwidth,
                                                            &frame_latency};
    *defs = all;
    return N_METRICS;
}

static void pipeline_teardown(void *opaque)
{
    struct pipeline_state *s = opaque;
    pipeline_pool_close(s->pool);
    if (s->pinned)
        sched_setaffinity(0, sizeof(s->saved_affinity), &s->saved_affinity);
    free(s->latency);
    free(s);
}

/* The benchmark thread on the job's first CPU, the engine on its second (on the first too
 * when the job has one CPU only); the caller's own affinity comes back at teardown. */
static int pin_threads(struct pipeline_state *s)
{
    size_t n = pinning_count(s->env->pins);
    if (n == 0 || sched_getaffinity(0, sizeof(s->saved_affinity), &s->saved_affinity))
        return -1;
    s->pinned = pinning_bind_thread(s->env->pins, 0) == 0;
    return (int)pinning_cpu(s->env->pins, n > 1 ? 1 : 0);
}

/* An engine that moves no data, or that this machine lacks, is a case that does not apply. */
static int check_engine(const struct engine_choice *engine, char *reason, size_t reason_len)
{
    const struct engine_ops *ops = engine->ops;
    if (!engine_can(ops, ENGINE_CAP_OP(ENGINE_OP_COPY))) {
        snprintf(reason, reason_len,
                 "engine %s: moves no data (it imports and fences only), and a pipeline needs "
                 "an engine that copies frames",
                 ops->name);
        return -EOPNOTSUPP;
    }
    struct engine_probe probe = {0};
    ops->probe(engine->device, &probe);
    if (!probe.available) {
        snprintf(reason, reason_len, "engine %s: %s", engine->value, probe.reason);
        return -EOPNOTSUPP;
    }
    return 0;
}

static int open_pool(struct pipeline_state *s, const struct bench_case *c, int engine_cpu,
                     char *reason, size_t reason_len)
{
    struct pipeline_pool_config cfg = {.depth = (unsigned)c->value[AXIS_POOL]->number};
    struct engine_choice engine;
    if (frame_format_parse(c->value[AXIS_FORMAT]->text, &cfg.engine_config.format) ||
        sync_strategy_parse(c->value[AXIS_STRATEGY]->text, &cfg.strategy)) {
        snprintf(reason, reason_len, "format '%s' or strategy '%s' does not parse",
                 c->value[AXIS_FORMAT]->text, c->value[AXIS_STRATEGY]->text);
        return -EINVAL;
    }
    int ret = engine_choose(c->value[AXIS_ENGINE]->text, &engine, reason, reason_len);
    if (!ret)
        ret = check_engine(&engine, reason, reason_len);
    if (!ret)
        ret = bench_case_heap(c, s->env, &cfg.heap, &cfg.req, reason, reason_len);
    if (ret)
        return ret;
    cfg.engine = engine.ops;
    cfg.engine_config.device = engine.device;
    cfg.engine_config.cpu = engine_cpu;
    cfg.engine_config.has_format = true;
    return pipeline_pool_open(&cfg, &s->pool, reason, reason_len);
}

/* frames steady-state frames as one pass of the sizing: all of them are timed, the fill and
 * the drain around them are not (fixed costs, not per frame). */
static int frames_pass(void *ctx, uint64_t frames, struct sizing_pass *out)
{
    struct pipeline_state *s = ctx;
    if (frames > s->latency_cap) {
        double *latency = realloc(s->latency, frames * sizeof(*latency));
        if (!latency)
            return -ENOMEM;
        s->latency = latency;
        s->latency_cap = frames;
    }
    int ret = pipeline_pool_run(s->pool, frames, s->latency, &out->timed_ns, s->reason,
                                s->reason_len);
    out->wall_ns = out->timed_ns;
    return ret;
}

static int pipeline_setup(const struct bench_case *c, const struct bench_env *env, void **state,
                          char *reason, size_t reason_len)
{
    struct pipeline_state *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->env = env;
    s->depth = (unsigned)c->value[AXIS_POOL]->number;
    /* Pinned first, so that first-touch places the pages next to the CPU that uses them. */
    int engine_cpu = pin_threads(s);
    int ret = open_pool(s, c, engine_cpu, reason, reason_len);
    /* Warm frames, discarded (they fault the engine's mappings in), size the repetition: its
     * steady-state frames last at least min_sample_ns, and it takes several rounds of the
     * pool. The frames are all timed, the wall cap only bounds a count sized from quick warm
     * frames; the memory of their latencies caps it too. */
    uint64_t rounds = (uint64_t)PIPELINE_MIN_ROUNDS * s->depth;
    s->size = (struct sample_sizing){.who = "pipeline",
                                     .loop_name = "frames",
                                     .floor_ns = env->min_sample_ns,
                                     .max_wall_ns = SAMPLE_SIZING_WALL_FLOORS * env->min_sample_ns,
                                     .max_loops = PIPELINE_MAX_FRAMES};
    s->reason = reason;
    s->reason_len = reason_len;
    if (!ret)
        ret = sample_sizing_run(&s->size, rounds, frames_pass, s);
    if (ret) {
        pipeline_teardown(s);
        return ret;
    }
    if (s->size.loops < rounds)
        s->size.loops = rounds;
    if (env->facts)
        pipeline_pool_sync_describe(s->pool, env->facts->implementation,
                                    sizeof(env->facts->implementation));
    /* Throughput is over a repetition; a frame's latency is that frame's alone. */
    case_facts_note(env->facts,
                    "pipeline: frame_latency is per frame; throughput is over a repetition's %llu "
                    "frames",
                    (unsigned long long)s->size.loops);
    sample_sizing_note_cap(&s->size, env->facts);
    *state = s;
    return 0;
}

static int pipeline_sample(void *opaque, struct sample_out *out, char *reason, size_t reason_len)
{
    struct pipeline_state *s = opaque;
    struct counter_thread ct;
    struct sizing_pass pass;
    uint64_t frames = s->size.loops;
    s->reason = reason;
    s->reason_len = reason_len;
    counter_thread_open(&ct, s->env->counters);
    counter_thread_start(&ct);
    int ret = frames_pass(s, frames, &pass);
    counter_thread_stop(&ct, s->env->totals);
    counter_thread_close(&ct);
    if (ret)
        return ret;
    double elapsed_ns = pass.timed_ns;
    double seconds = elapsed_ns > 0 ? elapsed_ns / 1e9 : timing_resolution_ns() / 1e9;
    s->rate[M_THROUGHPUT] = (double)frames / seconds;
    s->rate[M_BANDWIDTH] = (double)frames * (double)pipeline_pool_frame_bytes(s->pool) / seconds;
    out->n[M_THROUGHPUT] = 1;
    out->values[M_THROUGHPUT] = &s->rate[M_THROUGHPUT];
    out->n[M_BANDWIDTH] = 1;
    out->values[M_BANDWIDTH] = &s->rate[M_BANDWIDTH];
    out->n[M_LATENCY] = frames;
    out->values[M_LATENCY] = s->latency;
    /* The counters ran over the fill and the drain too: every frame that moved. */
    out->work = (double)(frames + s->depth);
    out->timed_ns = elapsed_ns > 0 ? elapsed_ns : timing_resolution_ns();
    sample_sizing_after(&s->size, frames, &pass, s->env->facts);
    return 0;
}

/* Each case holds a source and a copy per frame of its pool. */
static size_t pipeline_buffers_held(const struct bench_case *c, size_t *extra, char *how,
                                    size_t how_len)
{
    long depth = c->value[AXIS_POOL] ? c->value[AXIS_POOL]->number : 1;
    (void)extra;
    snprintf(how, how_len, " frames x pool %ld x 2 (source, copy)", depth);
    return 2 * (size_t)depth;
}

/* The grid after a run: throughput and tail latency against pool depth, a row pair per
 * strategy. */
/* Frames per second read best whole: "2003", not "2e+03". */
static void rate_cell(FILE *out, double v, int width)
{
    if (!isnan(v) && v >= 100)
        fprintf(out, " %*.0f", width, v);
    else
        table_number_cell(out, v, width);
}

static void pipeline_print_tables(const struct run_table *t, FILE *out)
{
    const unsigned cols = TABLE_BIT(AXIS_POOL), rows = TABLE_BIT(AXIS_STRATEGY);
    bool title = false;
    for (size_t i = 0; i < t->n; i++) {
        if (!table_first_of_group(t, i, cols | rows))
            continue;
        const struct table_case *g = &t->cases[i];
        const struct table_case *col[TABLE_COLS_MAX], *strategy[TABLE_ROWS_MAX];
        size_t n_cols = table_distinct(t, g, cols | rows, cols, col, TABLE_COLS_MAX);
        size_t n_rows = table_distinct(t, g, cols | rows, rows, strategy, TABLE_ROWS_MAX);
        char size[32];
        if (!title)
            fprintf(out, "\npipeline: frames/s (median of the repetitions) and frame latency "
                         "p99 over every frame, ms; '-' did not run here (the CSV says why)\n");
        title = true;
        fprintf(out, "heap %s, frames %s (%s), engine %s\n", g->text[AXIS_HEAP],
                g->text[AXIS_FORMAT], size_format(g->bytes[AXIS_FORMAT], size, sizeof(size)),
                g->text[AXIS_ENGINE]);
        fprintf(out, "  %-24s %-11s", "strategy", "pool depth");
        for (size_t c = 0; c < n_cols; c++)
            fprintf(out, " %9s", col[c]->text[AXIS_POOL]);
        fputc('\n', out);
        for (size_t r = 0; r < n_rows; r++) {
            const struct table_case *cell[TABLE_COLS_MAX];
            for (size_t c = 0; c < n_cols; c++)
                cell[c] = table_cell_case(t, strategy[r], col[c], rows, cols);
            fprintf(out, "  %-24s %-11s", strategy[r]->text[AXIS_STRATEGY], "frames/s");
            for (size_t c = 0; c < n_cols; c++)
                rate_cell(out, cell[c] ? table_median(cell[c], throughput.name) : NAN, 9);
            fprintf(out, "\n  %-24s %-11s", "", "p99 ms");
            for (size_t c = 0; c < n_cols; c++) {
                const struct table_metric *m =
                        cell[c] ? table_metric(cell[c], frame_latency.name) : NULL;
                table_number_cell(out, m && m->ok ? m->p99 / 1e6 : NAN, 9);
            }
            fputc('\n', out);
        }
    }
}

const struct bench_def bench_pipeline = {
        .name = "pipeline",
        .description = "frames CPU -> engine copy -> CPU, a pool in flight: frames/s, latency",
        .axes = 1u << AXIS_HEAP | 1u << AXIS_STRATEGY | 1u << AXIS_POOL | 1u << AXIS_FORMAT |
                1u << AXIS_ENGINE,
        .defaults =
                {
                        /* the floor, the exporter's sync, user-space maintenance */
                        [AXIS_STRATEGY] = "none,full,full-user",
                        [AXIS_POOL] = "1,2,4",
                        [AXIS_FORMAT] = "nv12:1080p,nv12:4k,rgba:1080p,rgba:4k",
                        [AXIS_ENGINE] = "cpu",
                },
        .work_unit = "frame",
        .check_kernel = pipeline_check_kernel,
        .metrics = pipeline_metrics,
        .setup = pipeline_setup,
        .sample = pipeline_sample,
        .teardown = pipeline_teardown,
        .buffers_held = pipeline_buffers_held,
        .smaller_with = "--frame or --pool",
        .print_tables = pipeline_print_tables,
};
