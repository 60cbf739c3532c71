/* bench/bench_coherency.c - the `coherency` benchmark: four probes, one ops table.
 *
 * Each kernel is a probe from coherency/ with its own axes: `stale` (stale cache lines between
 * the CPU and a DMA engine, per heap, size, sync strategy and engine, with a verdict), `c2c`
 * (core-to-core cache-line latency for every cpu x peer pair), `false-sharing` (two cores
 * writing one line) and `fence` (a dma-buf fence's signal-to-wake-up latency, per fence engine:
 * vgem or sw_sync). This file turns cases into probe calls and probe results into samples, and
 * draws the probes' grids and verdict lines after a run.
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bench_case_heap.h"
#include "c2c.h"
#include "cache_maint.h"
#include "engine.h"
#include "false_sharing.h"
#include "fence_probe.h"
#include "plausibility.h"
#include "run_grid.h"
#include "sample_sizing.h"
#include "size_units.h"
#include "stale_lines.h"
#include "stale_probe.h"
#include "sync_strategy.h"
#include "thread_pair.h"
#include "timing.h"

enum coherency_kernel { K_STALE, K_C2C, K_FALSE_SHARING, K_FENCE, N_KERNELS };

static const char *const kernel_names[N_KERNELS] = {
        [K_STALE] = "stale",
        [K_C2C] = "c2c",
        [K_FALSE_SHARING] = "false-sharing",
        [K_FENCE] = "fence",
};

#define BIT(axis) (1u << (axis))
/* Heap and kernel are every kernel's; these are the others each one sweeps. */
static const unsigned kernel_axis_bits[N_KERNELS] = {
        [K_STALE] = BIT(AXIS_SIZE) | BIT(AXIS_STRATEGY) | BIT(AXIS_ENGINE),
        [K_C2C] = BIT(AXIS_CPU) | BIT(AXIS_PEER),
        [K_FALSE_SHARING] = 0,
        [K_FENCE] = BIT(AXIS_ENGINE),
};

static const struct metric_def stale_cpu_to_dev = {"stale_lines_cpu_to_dev", "lines", BETTER_LOWER};
static const struct metric_def stale_dev_to_cpu = {"stale_lines_dev_to_cpu", "lines", BETTER_LOWER};
static const struct metric_def c2c_latency = {"c2c_latency", "ns", BETTER_LOWER};
static const struct metric_def fs_cost = {"false_sharing_cost", "ratio", BETTER_LOWER};
static const struct metric_def fs_shared = {"increment_time_shared_line", "ns", BETTER_LOWER};
static const struct metric_def fs_own = {"increment_time_own_lines", "ns", BETTER_LOWER};
static const struct metric_def fence_latency = {"fence_latency", "ns", BETTER_LOWER};

static const struct metric_def *const stale_metrics[] = {&stale_cpu_to_dev, &stale_dev_to_cpu};
static const struct metric_def *const c2c_metrics[] = {&c2c_latency};
static const struct metric_def *const fs_metrics[] = {&fs_cost, &fs_shared, &fs_own};
static const struct metric_def *const fence_metrics[] = {&fence_latency};

/* Warm-ups at setup, which size the repetitions: round trips, increments. */
#define C2C_WARMUP_TRIPS       200
#define FALSE_SHARING_WARMUP   100000
#define LINE_MEMORY_BYTES      4096 /* c2c, false-sharing and fence buffers: one page */
#define STALE_ENGINE_CPU_INDEX 1    /* the cpu engine runs on the job's second CPU */
#define COHERENCY_MAX_METRICS  3

struct coherency_state {
    enum coherency_kernel kernel;
    const struct bench_env *env;
    struct thread_pair pair;
    size_t pin_index[2];  /* the pair's CPUs, as indices into env->pins */
    struct heap_buf *buf; /* c2c, false-sharing: the line(s) the threads share */
    void *map;
    size_t line;
    struct stale_probe *stale;
    struct fence_probe *fence;
    cpu_set_t saved_affinity;
    bool pinned;
    /* .loops: c2c round trips; false-sharing increments, [0] shared, [1] own lines */
    struct sample_sizing size[2];
    bool sizing_shared; /* false-sharing: which of the two a pass runs */
    double value[COHERENCY_MAX_METRICS];
    /* c2c, false-sharing, fence: the pair threads do the work, so they count the events, each
     * its own, while a sample runs (not during setup's warm-ups). */
    bool pair_counting;
    struct counter_thread pair_ct[2];
};

static int kernel_of(const char *name)
{
    for (int k = 0; k < N_KERNELS; k++)
        if (!strcmp(name, kernel_names[k]))
            return k;
    return -1;
}

static int coherency_check_kernel(const char *kernel, char *err, size_t err_len)
{
    if (kernel_of(kernel) >= 0)
        return 0;
    snprintf(err, err_len, "'%s' is not a coherency probe (stale, c2c, false-sharing, fence)",
             kernel);
    return -EINVAL;
}

static unsigned coherency_kernel_axes(const char *kernel)
{
    int k = kernel_of(kernel);
    return k >= 0 ? kernel_axis_bits[k] : 0;
}

/* The benchmark's default engines are those of every probe; each probe takes its own. */
static const char *coherency_kernel_default(const char *kernel, enum sweep_axis axis)
{
    if (axis != AXIS_ENGINE)
        return NULL;
    switch (kernel_of(kernel)) {
    case K_FENCE:
        return "vgem,sw_sync"; /* the engines that put fences on buffers */
    default:
        return "cpu,v4l2"; /* those that copy */
    }
}

static size_t coherency_metrics(const struct bench_case *c, const struct metric_def *const **defs)
{
    switch (kernel_of(c->value[AXIS_KERNEL]->text)) {
    case K_C2C:
        *defs = c2c_metrics;
        return sizeof(c2c_metrics) / sizeof(c2c_metrics[0]);
    case K_FALSE_SHARING:
        *defs = fs_metrics;
        return sizeof(fs_metrics) / sizeof(fs_metrics[0]);
    case K_FENCE:
        *defs = fence_metrics;
        return sizeof(fence_metrics) / sizeof(fence_metrics[0]);
    default:
        *defs = stale_metrics;
        return sizeof(stale_metrics) / sizeof(stale_metrics[0]);
    }
}

/* Stale lines are checks: judged on the worst repetition, not the median. */
static const char *coherency_verdict(const struct bench_case *c, const char *metric,
                                     const struct stats_summary *stats)
{
    const struct sweep_value *strategy = c->value[AXIS_STRATEGY];
    if (!strategy || strncmp(metric, "stale_lines", strlen("stale_lines")))
        return NULL;
    return stale_verdict((enum sync_kind)strategy->number, stats->max);
}

static void coherency_teardown(void *opaque)
{
    struct coherency_state *s = opaque;
    stale_probe_close(s->stale);
    fence_probe_close(s->fence);
    heap_free(s->buf);
    if (s->pinned)
        sched_setaffinity(0, sizeof(s->saved_affinity), &s->saved_affinity);
    free(s);
}

/* Opening events takes syscalls: done here, before the two threads wait for each other, so
 * that their bodies still start together; enter_side only reads the starting values. Events
 * count the thread that opened them: a sample that starts the pair twice (false-sharing) closes
 * the first threads' events, already added to the totals, and opens new ones. */
static int bind_side(void *ctx, unsigned side)
{
    struct coherency_state *s = ctx;
    int ret = pinning_bind_thread(s->env->pins, s->pin_index[side]);
    if (!ret && s->pair_counting) {
        counter_thread_close(&s->pair_ct[side]);
        counter_thread_open(&s->pair_ct[side], s->env->counters);
    }
    return ret;
}

static void enter_side(void *ctx, unsigned side)
{
    struct coherency_state *s = ctx;
    if (s->pair_counting)
        counter_thread_start(&s->pair_ct[side]);
}

static void leave_side(void *ctx, unsigned side)
{
    struct coherency_state *s = ctx;
    if (s->pair_counting)
        counter_thread_stop(&s->pair_ct[side], s->env->totals);
}

/* After a sample: the events of both threads closed (those of a thread that never bound were
 * never opened: n is 0 for them). */
static void close_pair_counters(struct coherency_state *s)
{
    for (int side = 0; side < 2; side++) {
        counter_thread_close(&s->pair_ct[side]);
        s->pair_ct[side].n = 0;
    }
    s->pair_counting = false;
}

/* The index of OS CPU cpu in the job's CPU list, or -1. */
static long pin_index_of(const struct pinning *pins, long cpu)
{
    for (size_t i = 0; i < pinning_count(pins); i++)
        if ((long)pinning_cpu(pins, i) == cpu)
            return (long)i;
    return -1;
}

/* A page of the case's heap for threads to share lines in. Atomics and spins through an
 * uncached mapping would time memory, not caches, and may fault on some Arm cores. */
static int map_line_memory(struct coherency_state *s, const struct bench_case *c, char *reason,
                           size_t reason_len)
{
    struct heap *heap;
    struct heap_alloc_req req;
    int ret = bench_case_heap(c, s->env, &heap, &req, reason, reason_len);
    if (ret)
        return ret;
    if (heap->info.cpu_mapping != HEAP_MAPPING_CACHED) {
        snprintf(reason, reason_len,
                 "%s: %s is mapped %s: lines shared through it would time memory, not caches "
                 "(--heap-class %s=cached if it is cached)",
                 kernel_names[s->kernel], heap->info.name,
                 heap_cpu_mapping_name(heap->info.cpu_mapping), heap->info.name);
        return -EOPNOTSUPP;
    }
    req.size = LINE_MEMORY_BYTES;
    s->line = cache_line_size();
    if (false_sharing_bytes(s->line) > req.size) {
        snprintf(reason, reason_len, "%s: a %zu B cache line does not fit a page",
                 kernel_names[s->kernel], s->line);
        return -EOPNOTSUPP;
    }
    const char *step = "alloc";
    if ((ret = heap_alloc(heap, &req, &s->buf)) == 0) {
        step = "mmap";
        ret = heap_mmap(s->buf, &s->map);
    }
    if (ret)
        snprintf(reason, reason_len, "%s: %s of %zu B on %s", kernel_names[s->kernel], step,
                 req.size, heap->info.name);
    return ret;
}

/* loops round trips as one pass of the sizing: every one of them is timed (starting the
 * threads and their untimed warm-up trips are fixed costs, not per loop). */
static int c2c_pass(void *ctx, uint64_t loops, struct sizing_pass *out)
{
    struct coherency_state *s = ctx;
    double one_way = 0;
    int ret = c2c_measure(s->map, &s->pair, loops, &one_way);
    out->timed_ns = out->wall_ns = 2 * one_way * (double)loops;
    s->value[0] = one_way;
    return ret;
}

/* loops increments per thread, on one line or on lines apart (sizing_shared): each thread's
 * own loop is timed, the pass's timed part is their mean (starting the threads is not). */
static int false_sharing_pass(void *ctx, uint64_t loops, struct sizing_pass *out)
{
    struct coherency_state *s = ctx;
    double ns = 0;
    int ret = false_sharing_measure(s->map, s->line, s->sizing_shared, &s->pair, loops, &ns);
    out->timed_ns = out->wall_ns = ns * (double)loops;
    return ret;
}

/* A pass is all timed work: the wall cap only bounds a count sized from quick warm loops (two
 * spinning threads on a busy machine may be many times slower later). */
static struct sample_sizing loop_sizing(const struct coherency_state *s, const char *loop_name)
{
    double floor_ns = s->env->min_sample_ns;
    return (struct sample_sizing){.who = kernel_names[s->kernel],
                                  .loop_name = loop_name,
                                  .floor_ns = floor_ns,
                                  .max_wall_ns = SAMPLE_SIZING_WALL_FLOORS * floor_ns};
}

static int setup_c2c(struct coherency_state *s, const struct bench_case *c, char *reason,
                     size_t reason_len)
{
    long cpu = c->value[AXIS_CPU]->number, peer = c->value[AXIS_PEER]->number;
    if (cpu == peer) {
        snprintf(reason, reason_len,
                 "c2c: cpu and peer are both CPU %ld: no line crosses between caches", cpu);
        return -EOPNOTSUPP;
    }
    long ends[2] = {cpu, peer};
    for (int side = 0; side < 2; side++) {
        long i = pin_index_of(s->env->pins, ends[side]);
        if (i < 0) {
            snprintf(reason, reason_len, "c2c: CPU %ld is not one this run may use (--cpus)",
                     ends[side]);
            return -EINVAL;
        }
        s->pin_index[side] = (size_t)i;
    }
    int ret = map_line_memory(s, c, reason, reason_len);
    s->size[0] = loop_sizing(s, "round trips");
    if (!ret && (ret = sample_sizing_run(&s->size[0], C2C_WARMUP_TRIPS, c2c_pass, s)) != 0)
        snprintf(reason, reason_len, "c2c: binding threads to CPUs %ld and %ld", cpu, peer);
    if (!ret)
        sample_sizing_note_cap(&s->size[0], s->env->facts);
    return ret;
}

static int setup_false_sharing(struct coherency_state *s, const struct bench_case *c, char *reason,
                               size_t reason_len)
{
    const struct pinning *pins = s->env->pins;
    if (pinning_count(pins) < 2) {
        snprintf(reason, reason_len, "false-sharing: needs two CPUs, and this run has one (CPU %u)",
                 pinning_count(pins) ? pinning_cpu(pins, 0) : 0);
        return -EOPNOTSUPP;
    }
    s->pin_index[0] = 0;
    s->pin_index[1] = 1;
    int ret = map_line_memory(s, c, reason, reason_len);
    for (int i = 0; !ret && i < 2; i++) {
        s->size[i] = loop_sizing(s, "increments");
        s->sizing_shared = i == 0;
        ret = sample_sizing_run(&s->size[i], FALSE_SHARING_WARMUP, false_sharing_pass, s);
        if (ret)
            snprintf(reason, reason_len, "false-sharing: binding threads to CPUs %u and %u",
                     pinning_cpu(pins, 0), pinning_cpu(pins, 1));
        else
            sample_sizing_note_cap(&s->size[i], s->env->facts);
    }
    return ret;
}

static int setup_fence(struct coherency_state *s, const struct bench_case *c, char *reason,
                       size_t reason_len)
{
    struct heap *heap;
    struct heap_alloc_req req;
    int ret = bench_case_heap(c, s->env, &heap, &req, reason, reason_len);
    if (ret)
        return ret;
    struct engine_choice engine;
    ret = engine_choose(c->value[AXIS_ENGINE]->text, &engine, reason, reason_len);
    if (ret)
        return ret;
    req.size = LINE_MEMORY_BYTES;
    s->pin_index[0] = 0;
    s->pin_index[1] = pinning_count(s->env->pins) > 1 ? 1 : 0;
    ret = fence_probe_open(heap, &req, &engine, &s->fence, reason, reason_len);
    /* Many fences per repetition would average the wake-ups away; each one is the figure. */
    if (!ret)
        case_facts_note(s->env->facts, "fence: a repetition is one fence, timed from its signal "
                                       "to the waiter's wake-up");
    return ret;
}

/* The benchmark thread runs on the job's first CPU, as in every benchmark; the cpu engine on
 * its second, so that lines really travel between cores. */
static int setup_stale(struct coherency_state *s, const struct bench_case *c, char *reason,
                       size_t reason_len)
{
    struct stale_probe_config cfg = {.engine_cpu = -1};
    int ret = bench_case_heap(c, s->env, &cfg.heap, &cfg.req, reason, reason_len);
    if (ret)
        return ret;
    if (sync_strategy_parse(c->value[AXIS_STRATEGY]->text, &cfg.strategy)) {
        snprintf(reason, reason_len, "stale: strategy '%s' unknown", c->value[AXIS_STRATEGY]->text);
        return -EINVAL;
    }
    if ((ret = engine_choose(c->value[AXIS_ENGINE]->text, &cfg.engine, reason, reason_len)))
        return ret;
    const struct pinning *pins = s->env->pins;
    if (pinning_count(pins) > STALE_ENGINE_CPU_INDEX)
        cfg.engine_cpu = (int)pinning_cpu(pins, STALE_ENGINE_CPU_INDEX);
    if ((ret = stale_probe_open(&cfg, &s->stale, reason, reason_len)) != 0)
        return ret;
    if (s->env->facts)
        stale_probe_sync_describe(s->stale, s->env->facts->implementation,
                                  sizeof(s->env->facts->implementation));
    case_facts_note(s->env->facts, "stale: a repetition is one probe round; it counts lines and "
                                   "times nothing, so no floor applies");
    if (pinning_count(pins) && !sched_getaffinity(0, sizeof(s->saved_affinity), &s->saved_affinity))
        s->pinned = pinning_bind_thread(pins, 0) == 0;
    return 0;
}

static int coherency_setup(const struct bench_case *c, const struct bench_env *env, void **state,
                           char *reason, size_t reason_len)
{
    int kernel = kernel_of(c->value[AXIS_KERNEL]->text);
    if (kernel < 0)
        return coherency_check_kernel(c->value[AXIS_KERNEL]->text, reason, reason_len);
    struct coherency_state *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->kernel = (enum coherency_kernel)kernel;
    s->env = env;
    s->pair = (struct thread_pair){
            .bind = bind_side, .enter = enter_side, .leave = leave_side, .ctx = s};
    int ret;
    switch (s->kernel) {
    case K_C2C:
        ret = setup_c2c(s, c, reason, reason_len);
        break;
    case K_FALSE_SHARING:
        ret = setup_false_sharing(s, c, reason, reason_len);
        break;
    case K_FENCE:
        ret = setup_fence(s, c, reason, reason_len);
        break;
    default:
        ret = setup_stale(s, c, reason, reason_len);
        break;
    }
    if (ret) {
        coherency_teardown(s);
        return ret;
    }
    *state = s;
    return 0;
}

/* Both runs, shared line then own lines; out->timed_ns is the shorter one's timed part, so
 * that a repetition reaches the floor only when each of its two runs does. */
static int sample_false_sharing(struct coherency_state *s, struct sample_out *out, char *reason,
                                size_t reason_len)
{
    double ns[2];
    for (int i = 0; i < 2; i++) {
        struct sizing_pass pass;
        uint64_t loops = s->size[i].loops;
        s->sizing_shared = i == 0;
        int ret = false_sharing_pass(s, loops, &pass);
        if (ret) {
            snprintf(reason, reason_len, "false-sharing: binding threads");
            return ret;
        }
        ns[i] = pass.timed_ns / (double)loops;
        out->work += 2.0 * (double)loops; /* each of the two threads increments loops times */
        if (i == 0 || pass.timed_ns < out->timed_ns)
            out->timed_ns = pass.timed_ns;
        sample_sizing_after(&s->size[i], loops, &pass, s->env->facts);
    }
    s->value[0] = ns[1] > 0 ? ns[0] / ns[1] : 0;
    s->value[1] = ns[0];
    s->value[2] = ns[1];
    return 0;
}

/* Counters per probe: per round trip of both threads (c2c, warm-up round trips included), per
 * increment of either thread (false-sharing), per fence (fence), per round (stale, counted on
 * this thread, which writes and checks; the engine's threads are not counted). */
static int coherency_sample(void *opaque, struct sample_out *out, char *reason, size_t reason_len)
{
    struct coherency_state *s = opaque;
    struct counter_thread ct;
    bool on_pair = s->kernel != K_STALE;
    if (on_pair) {
        s->pair_counting = true;
    } else {
        counter_thread_open(&ct, s->env->counters);
        counter_thread_start(&ct);
    }
    int ret = 0;
    size_t n = 1;
    out->work = 1;
    switch (s->kernel) {
    case K_C2C: {
        struct sizing_pass pass;
        uint64_t loops = s->size[0].loops;
        ret = c2c_pass(s, loops, &pass);
        if (ret) {
            snprintf(reason, reason_len, "c2c: binding threads");
            break;
        }
        out->work = (double)c2c_round_trips_made(loops); /* warm-up trips are counted too */
        out->timed_ns = pass.timed_ns;
        sample_sizing_after(&s->size[0], loops, &pass, s->env->facts);
        break;
    }
    case K_FALSE_SHARING:
        out->work = 0;
        ret = sample_false_sharing(s, out, reason, reason_len);
        n = 3;
        break;
    case K_FENCE:
        ret = fence_probe_measure(s->fence, &s->pair, &s->value[0], reason, reason_len);
        out->timed_ns = s->value[0];
        break;
    default: {
        struct stale_counts counts;
        uint64_t t0 = timing_now();
        ret = stale_probe_round(s->stale, &counts, reason, reason_len);
        out->timed_ns = timing_ticks_to_ns(timing_now() - t0);
        s->value[0] = (double)counts.cpu_to_dev;
        s->value[1] = (double)counts.dev_to_cpu;
        n = 2;
        break;
    }
    }
    if (on_pair) {
        close_pair_counters(s);
    } else {
        counter_thread_stop(&ct, s->env->totals);
        counter_thread_close(&ct);
    }
    if (ret)
        return ret;
    for (size_t i = 0; i < n; i++) {
        out->n[i] = 1;
        out->values[i] = &s->value[i];
    }
    return 0;
}

/* c2c's transfer and false sharing's cost have physical bounds (bench/measure/plausibility.h). */
static const char *coherency_plausibility(const struct bench_case *c, struct plausibility_case *out)
{
    switch (kernel_of(c->value[AXIS_KERNEL]->text)) {
    case K_C2C:
        out->kind = PLAUSIBILITY_C2C_LATENCY;
        return c2c_latency.name;
    case K_FALSE_SHARING:
        out->kind = PLAUSIBILITY_FALSE_SHARING;
        return fs_cost.name;
    default:
        return NULL;
    }
}

/* --- the grids after a run: stale-line verdicts, the core-to-core matrix, false sharing, fences */

/* The worse of two verdicts: a failed check (user space's, then the exporter's), then
 * needs-sync, then pass or coherent. */
static const char *worse_verdict(const char *a, const char *b)
{
    static const char *const order[] = {"fail", "sync-ineffective", "needs-sync", "pass",
                                        "coherent"};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        if (!strcmp(a, order[i]) || !strcmp(b, order[i]))
            return order[i];
    return "";
}

/* "0/0 coherent": the most stale lines in any repetition, CPU to device and back, and the
 * worse verdict; "-" where the case did not run. Returns its length. */
static int stale_cell_text(const struct table_case *k, char *text, size_t len)
{
    const struct table_metric *to_dev = k ? table_metric(k, stale_cpu_to_dev.name) : NULL;
    const struct table_metric *to_cpu = k ? table_metric(k, stale_dev_to_cpu.name) : NULL;
    if (to_dev && to_cpu && to_dev->ok && to_cpu->ok)
        return snprintf(text, len, "%.0f/%.0f %s", to_dev->max, to_cpu->max,
                        worse_verdict(to_dev->verdict, to_cpu->verdict));
    return snprintf(text, len, "-");
}

static bool is_kernel(const struct table_case *k, enum coherency_kernel kernel)
{
    return kernel_of(k->text[AXIS_KERNEL]) == (int)kernel;
}

static void print_coherency_stale(const struct run_table *t, FILE *out)
{
    const unsigned cols = BIT(AXIS_SIZE), rows = BIT(AXIS_STRATEGY);
    bool title = false;
    for (size_t i = 0; i < t->n; i++) {
        const struct table_case *g = &t->cases[i];
        if (!is_kernel(g, K_STALE) || !table_first_of_group(t, i, cols | rows))
            continue;
        const struct table_case *col[TABLE_COLS_MAX], *strategy[TABLE_ROWS_MAX];
        size_t n_cols = table_distinct(t, g, cols | rows, cols, col, TABLE_COLS_MAX);
        size_t n_rows = table_distinct(t, g, cols | rows, rows, strategy, TABLE_ROWS_MAX);
        const struct table_case *ran = NULL;
        for (size_t j = i; j < t->n && !ran; j++)
            if (table_same_group(g, &t->cases[j], cols | rows) && t->cases[j].status == CASE_OK)
                ran = &t->cases[j];
        if (!title)
            fprintf(out, "\ncoherency stale: stale cache lines, the most in any repetition, CPU to "
                         "device / device to CPU, and the verdict; '-' did not run here (the CSV "
                         "says why)\n");
        title = true;
        const struct engine_ops *e = engine_find(g->text[AXIS_ENGINE]);
        fprintf(out, "heap %s, engine %s (%s%s)", g->text[AXIS_HEAP], g->text[AXIS_ENGINE],
                e ? e->label : "?",
                e && engine_can(e, ENGINE_CAP_ANY_HEAP) ? ": coherent with the CPU by construction"
                                                        : "");
        if (!ran) {
            fprintf(out, ": did not run: %s\n", g->reason);
            continue;
        }
        /* Columns of 18, or as wide as the widest cell ("64/64 sync-ineffective"). */
        char size[32], cell[64];
        int width = 18;
        for (size_t r = 0; r < n_rows; r++)
            for (size_t c = 0; c < n_cols; c++) {
                int w = stale_cell_text(table_cell_case(t, strategy[r], col[c], rows, cols), cell,
                                        sizeof(cell));
                width = w > width ? w : width;
            }
        fprintf(out, "\n  %-24s", "strategy \\ size");
        for (size_t c = 0; c < n_cols; c++)
            fprintf(out, " %*s", width, size_format(col[c]->bytes[AXIS_SIZE], size, sizeof(size)));
        fputc('\n', out);
        for (size_t r = 0; r < n_rows; r++) {
            fprintf(out, "  %-24s", strategy[r]->text[AXIS_STRATEGY]);
            for (size_t c = 0; c < n_cols; c++) {
                stale_cell_text(table_cell_case(t, strategy[r], col[c], rows, cols), cell,
                                sizeof(cell));
                fprintf(out, " %*s", width, cell);
            }
            fputc('\n', out);
        }
    }
}

static void print_coherency_c2c(const struct run_table *t, FILE *out)
{
    const unsigned cols = BIT(AXIS_PEER), rows = BIT(AXIS_CPU);
    for (size_t i = 0; i < t->n; i++) {
        const struct table_case *g = &t->cases[i];
        if (!is_kernel(g, K_C2C) || !table_first_of_group(t, i, cols | rows))
            continue;
        const struct table_case *peer[SWEEP_MAX_VALUES], *cpu[SWEEP_MAX_VALUES];
        size_t n_cols = table_distinct(t, g, cols | rows, cols, peer, SWEEP_MAX_VALUES);
        size_t n_rows = table_distinct(t, g, cols | rows, rows, cpu, SWEEP_MAX_VALUES);
        const struct table_case *ran = NULL, *why = g;
        for (size_t j = i; j < t->n && !ran; j++) {
            const struct table_case *k = &t->cases[j];
            if (!table_same_group(g, k, cols | rows))
                continue;
            if (k->status == CASE_OK)
                ran = k;
            else if (why == g && k->number[AXIS_CPU] != k->number[AXIS_PEER])
                why = k; /* the diagonal's reason says nothing about the others */
        }
        if (!ran) {
            fprintf(out, "\ncoherency c2c, heap %s: did not run: %s\n", g->text[AXIS_HEAP],
                    why->reason);
            continue;
        }
        fprintf(out,
                "\ncoherency c2c: core-to-core cache-line transfer, ns one way (median), heap "
                "%s; '-' did not run here (the same CPU, or the CSV says why)\n",
                g->text[AXIS_HEAP]);
        fprintf(out, "  %-10s", "cpu \\ peer");
        for (size_t c = 0; c < n_cols; c++)
            fprintf(out, " %7s", peer[c]->text[AXIS_PEER]);
        fputc('\n', out);
        for (size_t r = 0; r < n_rows; r++) {
            fprintf(out, "  %-10s", cpu[r]->text[AXIS_CPU]);
            for (size_t c = 0; c < n_cols; c++) {
                const struct table_case *k = table_cell_case(t, cpu[r], peer[c], rows, cols);
                table_number_cell(out, k ? table_median(k, c2c_latency.name) : NAN, 7);
            }
            fputc('\n', out);
        }
    }
}

/* One line per heap: false sharing, then the fence latency, or why they did not run. */
static void print_coherency_lines(const struct run_table *t, FILE *out)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct table_case *k = &t->cases[i];
        bool fs = is_kernel(k, K_FALSE_SHARING), fence = is_kernel(k, K_FENCE);
        if (!fs && !fence)
            continue;
        /* Fences come from more than one source (vgem, sw_sync): name the one of this line. */
        fprintf(out, "\ncoherency %s, heap %s%s%s: ", k->text[AXIS_KERNEL], k->text[AXIS_HEAP],
                fence ? ", fences from " : "", fence ? k->text[AXIS_ENGINE] : "");
        double shared = table_median(k, fs_shared.name), own = table_median(k, fs_own.name),
               cost = table_median(k, fs_cost.name), wake = table_median(k, fence_latency.name);
        if (k->status != CASE_OK)
            fprintf(out, "%s: %s\n", case_status_name(k->status), k->reason);
        else if (fs)
            fprintf(out,
                    "%.3g ns per increment with both counters in one line, %.3g ns in "
                    "lines of their own (the job's first two CPUs): %.3gx (median)\n",
                    shared, own, cost);
        else
            fprintf(out, "%.3g us from the signal to the poll() wake-up (median)\n", wake / 1e3);
    }
}

/* What the stale probes of one heap found, per who was asked to keep it coherent. */
struct heap_stale {
    const char *verdict[3]; /* worst verdict: without sync, exporter's sync, user space's */
    double most[3];         /* the most stale lines in any repetition, each */
    size_t probes;          /* cases without sync */
    bool device;            /* a device engine, not only the CPU engine, ran */
};

enum { BY_NOBODY, BY_EXPORTER, BY_USER };

static void heap_stale_add(struct heap_stale *h, const struct table_case *k)
{
    const struct engine_ops *e = engine_find(k->text[AXIS_ENGINE]);
    h->device |= e && !engine_can(e, ENGINE_CAP_ANY_HEAP);
    enum sync_kind kind = (enum sync_kind)k->number[AXIS_STRATEGY];
    int by = !sync_kind_syncs(kind) ? BY_NOBODY : sync_kind_is_user(kind) ? BY_USER : BY_EXPORTER;
    h->probes += by == BY_NOBODY;
    for (size_t m = 0; m < 2; m++) {
        const struct table_metric *tm = table_metric(k, stale_metrics[m]->name);
        if (!tm || !tm->ok)
            continue;
        h->most[by] = tm->max > h->most[by] ? tm->max : h->most[by];
        h->verdict[by] = worse_verdict(h->verdict[by], tm->verdict);
    }
}

/* "the exporter's sync is INEFFECTIVE ...": what one kind of sync did wrong, after sep. */
static void print_sync_failure(FILE *out, const struct heap_stale *h, int by, const char **sep)
{
    bool ineffective = !strcmp(h->verdict[by], "sync-ineffective");
    if (!ineffective && strcmp(h->verdict[by], "fail"))
        return;
    fputs(*sep, out);
    *sep = "; ";
    if (ineffective)
        fprintf(out,
                "the exporter's sync is INEFFECTIVE: up to %.0f stale lines after "
                "DMA_BUF_IOCTL_SYNC (it does not reach the device's mapping: a device behind "
                "bounce buffers cannot rely on it)",
                h->most[by]);
    else
        fprintf(out,
                "user-space cache maintenance FAILED: up to %.0f stale lines (it maintains "
                "the CPU's caches only, it does not copy bounce buffers; the exporter's sync, "
                "through the DMA API, does)",
                h->most[by]);
}

/* One line per heap: what the stale-line probe says about it, without sync and with. */
static void print_coherency_verdicts(const struct run_table *t, FILE *out)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct table_case *first = &t->cases[i];
        bool is_first = is_kernel(first, K_STALE);
        for (size_t j = 0; is_first && j < i; j++)
            is_first = !is_kernel(&t->cases[j], K_STALE) ||
                       strcmp(t->cases[j].text[AXIS_HEAP], first->text[AXIS_HEAP]);
        if (!is_first)
            continue;
        struct heap_stale h = {.verdict = {"", "", ""}};
        for (size_t j = i; j < t->n; j++) {
            const struct table_case *k = &t->cases[j];
            if (is_kernel(k, K_STALE) && !strcmp(k->text[AXIS_HEAP], first->text[AXIS_HEAP]) &&
                k->status == CASE_OK)
                heap_stale_add(&h, k);
        }
        const char *unsynced = h.verdict[BY_NOBODY];
        bool synced = *h.verdict[BY_EXPORTER] || *h.verdict[BY_USER];
        if (!*unsynced && !synced)
            continue;
        fprintf(out, "verdict: heap %s", first->text[AXIS_HEAP]);
        const char *sep = ": ";
        if (!strcmp(unsynced, "coherent"))
            fprintf(out, " is coherent: no stale line without sync in %zu probe%s", h.probes,
                    h.probes == 1 ? "" : "s");
        else if (*unsynced)
            fprintf(out, " NEEDS SYNC: up to %.0f stale lines without it", h.most[BY_NOBODY]);
        if (*unsynced)
            sep = "; ";
        if (!strcmp(worse_verdict(h.verdict[BY_EXPORTER], h.verdict[BY_USER]), "pass"))
            fprintf(out, "%severy sync strategy kept it coherent", sep);
        else if (!strcmp(h.verdict[BY_EXPORTER], "pass")) {
            fprintf(out, "%sthe exporter's sync kept it coherent", sep);
            sep = "; ";
        }
        print_sync_failure(out, &h, BY_EXPORTER, &sep);
        print_sync_failure(out, &h, BY_USER, &sep);
        if (!h.device)
            fputs(" (CPU engine only: a device may see it otherwise)", out);
#if defined(__x86_64__)
        if (!strcmp(unsynced, "coherent"))
            fputs("; x86-64 is IO-coherent: DMA snoops the CPU caches", out);
#endif
        fputc('\n', out);
    }
}

static void coherency_print_tables(const struct run_table *t, FILE *out)
{
    print_coherency_stale(t, out);
    print_coherency_verdicts(t, out);
    print_coherency_c2c(t, out);
    print_coherency_lines(t, out);
}

/* The user-space maintenance is left to pick the best instructions here (clflushopt or clwb
 * on x86-64, dc civac / dc cvac on arm64); partial strategies would sync the whole buffer. */
const struct bench_def bench_coherency = {
        .name = "coherency",
        .description = "stale cache lines per strategy and engine; core-to-core, false sharing, "
                       "fences",
        .axes = BIT(AXIS_HEAP) | BIT(AXIS_SIZE) | BIT(AXIS_KERNEL) | BIT(AXIS_STRATEGY) |
                BIT(AXIS_ENGINE) | BIT(AXIS_CPU) | BIT(AXIS_PEER),
        .defaults =
                {
                        [AXIS_SIZE] = "4K,256K",
                        [AXIS_KERNEL] = "stale,c2c,false-sharing,fence",
                        [AXIS_STRATEGY] = "none,full,partial-ioctl,full-user",
                        /* stale copies with cpu and v4l2, fence fences with vgem and sw_sync:
                         * each probe takes its own (coherency_kernel_default) */
                        [AXIS_ENGINE] = "cpu,v4l2,vgem,sw_sync",
                },
        .work_unit = "probe",
        .check_kernel = coherency_check_kernel,
        .kernel_axes = coherency_kernel_axes,
        .kernel_default = coherency_kernel_default,
        .verdict = coherency_verdict,
        .metrics = coherency_metrics,
        .setup = coherency_setup,
        .sample = coherency_sample,
        .teardown = coherency_teardown,
        .plausibility = coherency_plausibility,
        .print_tables = coherency_print_tables,
};
