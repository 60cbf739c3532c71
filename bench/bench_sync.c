/* bench/bench_sync.c - the `sync` benchmark: what making a CPU access coherent costs.
 *
 * Each repetition opens and closes many CPU access windows over the case's regions, as a
 * producer or consumer does around each frame: begin (timed), the CPU writes (dirty) or reads
 * (clean) every line of the regions (not timed), end (timed); enough windows that the timed
 * parts add up to the floor, within a wall-clock cap (the row notes a repetition it kept short).
 * Strategies are coherency/'s: none (the measurement floor), the exporter's full or partial sync,
 * or user-space range maintenance. Importers stay attached, and mapped, for the whole case,
 * because mainline heaps only maintain caches for mapped attachments: each one a device of the
 * case's engine (vgem PRIME imports, a lab DMA device ...) that keeps its attachment mapped.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bench_case_heap.h"
#include "cache_maint.h"
#include "counters.h"
#include "engine.h"
#include "heap.h"
#include "run_grid.h"
#include "sample_sizing.h"
#include "size_units.h"
#include "sync_strategy.h"
#include "timing.h"

#define SYNC_MAX_IMPORTERS 8
#define SYNC_WARMUP_LOOPS  16

static const struct metric_def sync_cost = {"sync_cost", "ns", BETTER_LOWER};
static const struct metric_def sync_cost_per_mib = {"sync_cost_per_mib", "ns/MiB", BETTER_LOWER};
static const struct metric_def begin_cost = {"sync_begin_cost", "ns", BETTER_LOWER};
static const struct metric_def end_cost = {"sync_end_cost", "ns", BETTER_LOWER};

enum { M_COST, M_PER_MIB, M_BEGIN, M_END, N_METRICS };

struct sync_state {
    const struct bench_env *env;
    struct heap_buf *buf;
    char *map;
    struct sync_window window;
    bool dirty;
    size_t line;
    struct engine *importers[SYNC_MAX_IMPORTERS];
    struct engine_buf *imports[SYNC_MAX_IMPORTERS];
    size_t n_importers;
    cpu_set_t saved_affinity;
    bool pinned;
    struct sample_sizing size; /* .loops: windows per repetition */
    double begin_ns, end_ns;   /* of the last pass */
    double value[N_METRICS];
};

static volatile unsigned char touch_sink;

/* The strategy axis says what a sync does: there are no kernels to choose. */
static int sync_check_kernel(const char *kernel, char *err, size_t err_len)
{
    if (!strcmp(kernel, "default"))
        return 0;
    snprintf(err, err_len, "the sync benchmark has no kernels (choose with --strategy), not '%s'",
             kernel);
    return -EINVAL;
}

static size_t sync_metrics(const struct bench_case *c, const struct metric_def *const **defs)
{
    (void)c;
    static const struct metric_def *const all[N_METRICS] = {&sync_cost, &sync_cost_per_mib,
                                                            &begin_cost, &end_cost};
    *defs = all;
    return N_METRICS;
}

static void sync_teardown(void *opaque)
{
    struct sync_state *s = opaque;
    for (size_t i = 0; i < s->n_importers; i++) {
        engine_detach(s->imports[i]);
        engine_close(s->importers[i]);
    }
    heap_free(s->buf); /* unmaps too */
    if (s->pinned)
        sched_setaffinity(0, sizeof(s->saved_affinity), &s->saved_affinity);
    free(s);
}

/* n importers through engine (NULL when n is 0): each opened on its own (its own DRM file, say),
 * so each is its own kernel attachment, mapped while attached. */
static int attach_importers(struct sync_state *s, const struct sweep_value *engine, size_t n,
                            char *reason, size_t reason_len)
{
    if (!n)
        return 0;
    if (s->buf->fd < 0) {
        snprintf(reason, reason_len, "importers: %s memory is not a dma-buf, nothing imports it",
                 s->buf->heap->info.name);
        return -EOPNOTSUPP;
    }
    struct engine_choice choice;
    int ret = engine ? engine_choose(engine->text, &choice, reason, reason_len) : -EINVAL;
    if (!engine)
        snprintf(reason, reason_len, "importers: no engine to import with");
    if (ret)
        return ret;
    const struct engine_ops *ops = choice.ops;
    if (!engine_can(ops, ENGINE_CAP_MAPPED_ATTACH)) {
        snprintf(reason, reason_len,
                 "importers: %s does not keep a dma-buf mapped while attached, so the exporter's "
                 "sync would maintain nothing for it",
                 ops->name);
        return -EOPNOTSUPP;
    }
    for (size_t i = 0; i < n; i++) {
        struct engine_config cfg = {.cpu = -1, .device = choice.device};
        ret = engine_open(ops, &cfg, &s->importers[i], reason, reason_len);
        if (ret)
            return ret == -ENODEV || ret == -ENOENT ? -EOPNOTSUPP : ret;
        ret = engine_attach(s->importers[i], s->buf, &s->imports[i], reason, reason_len);
        if (ret) {
            engine_close(s->importers[i]);
            return ret;
        }
        s->n_importers++;
    }
    return 0;
}

/* What the CPU does inside the window: one store (dirty) or load (clean) per line. */
static void touch_regions(struct sync_state *s, unsigned char value)
{
    const struct sync_layout *l = &s->window.layout;
    for (size_t k = 0; k < l->count; k++) {
        volatile unsigned char *p = (unsigned char *)s->map + sync_layout_region(l, k);
        size_t last = l->region - 1;
        if (s->dirty) {
            for (size_t off = 0; off < l->region; off += s->line)
                p[off] = value;
            p[last] = value;
        } else {
            unsigned char sum = 0;
            for (size_t off = 0; off < l->region; off += s->line)
                sum += p[off];
            touch_sink = sum + p[last];
        }
    }
}

/* loops windows; returns 0 and the summed begin and end times in ns, or the sync's -errno. */
static int run_windows(struct sync_state *s, uint64_t loops, double *begin_ns, double *end_ns)
{
    uint64_t begin_ticks = 0, end_ticks = 0;
    for (uint64_t l = 0; l < loops; l++) {
        uint64_t t0 = timing_now();
        int ret = sync_window_begin(&s->window);
        uint64_t t1 = timing_now();
        if (ret)
            return ret;
        touch_regions(s, (unsigned char)l);
        uint64_t t2 = timing_now();
        ret = sync_window_end(&s->window);
        uint64_t t3 = timing_now();
        if (ret)
            return ret;
        begin_ticks += t1 - t0;
        end_ticks += t3 - t2;
    }
    *begin_ns = timing_ticks_to_ns(begin_ticks);
    *end_ns = timing_ticks_to_ns(end_ticks);
    return 0;
}

/* loops windows as one pass of the sizing: the timed part is begin + end, the CPU's own
 * accesses between them are the rest of the wall time. */
static int windows_pass(void *ctx, uint64_t loops, struct sizing_pass *out)
{
    struct sync_state *s = ctx;
    uint64_t t0 = timing_now();
    int ret = run_windows(s, loops, &s->begin_ns, &s->end_ns);
    out->wall_ns = timing_ticks_to_ns(timing_now() - t0);
    out->timed_ns = s->begin_ns + s->end_ns;
    return ret;
}

/* What the rows say about the sizing: a repetition whose timed part the wall cap kept short
 * of the floor (begin + end being a sliver of each window), and why. */
static void note_capped(const struct sync_state *s)
{
    const struct sample_sizing *z = &s->size;
    if (!z->capped)
        return;
    case_facts_note(s->env->facts,
                    "sync: begin + end are %.2g%% of a window (the rest is the CPU's own "
                    "accesses), so a repetition, capped at %.3g ms, times about %.2g ms, short "
                    "of the %.3g ms floor",
                    100 * z->loop_ns / z->loop_wall_ns, z->max_wall_ns / 1e6,
                    sample_sizing_expected_ns(z) / 1e6, z->floor_ns / 1e6);
}

/* Runs on the first CPU of the job's list, like the first thread of every benchmark; the
 * caller's own affinity comes back at teardown. */
static void pin_thread(struct sync_state *s)
{
    if (pinning_count(s->env->pins) == 0 ||
        sched_getaffinity(0, sizeof(s->saved_affinity), &s->saved_affinity))
        return;
    s->pinned = pinning_bind_thread(s->env->pins, 0) == 0;
}

static int prepare(struct sync_state *s, const struct bench_case *c, char *reason,
                   size_t reason_len)
{
    struct heap *heap;
    struct heap_alloc_req req;
    int ret = bench_case_heap(c, s->env, &heap, &req, reason, reason_len);
    if (ret)
        return ret;
    const char *step = "alloc";
    void *map = NULL;
    if ((ret = heap_alloc(heap, &req, &s->buf)) == 0 &&
        (step = "mmap", ret = heap_mmap(s->buf, &map)) == 0)
        s->map = map;
    if (ret) {
        snprintf(reason, reason_len, "%s of %zu B on %s", step, req.size, heap->info.name);
        return ret;
    }
    /* Fault every page in, inside a proper window, so that no sample pays for it. */
    if ((ret = heap_sync_begin(s->buf, HEAP_SYNC_RW)) == 0) {
        memset(map, 0x5a, s->buf->size);
        ret = heap_sync_end(s->buf, HEAP_SYNC_RW);
    }
    if (ret)
        snprintf(reason, reason_len, "first sync of %zu B on %s", req.size, heap->info.name);
    else
        bench_case_heap_pages(s->env, &req, &s->buf, 1);
    return ret;
}

static int sync_setup(const struct bench_case *c, const struct bench_env *env, void **state,
                      char *reason, size_t reason_len)
{
    struct sync_state *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->env = env;
    s->dirty = c->value[AXIS_LINES]->number != 0;
    s->line = cache_line_size();
    struct sync_strategy strategy;
    enum heap_sync_dir dir = (enum heap_sync_dir)c->value[AXIS_DIRECTION]->number;
    int ret = sync_strategy_parse(c->value[AXIS_STRATEGY]->text, &strategy);
    if (!ret)
        ret = prepare(s, c, reason, reason_len);
    if (!ret)
        ret = attach_importers(s, c->value[AXIS_ENGINE], (size_t)c->value[AXIS_IMPORTERS]->number,
                               reason, reason_len);
    if (!ret) {
        struct sync_layout layout = {
                .buf_size = s->buf->size,
                .region = c->value[AXIS_REGION]->bytes,
                .offset = c->value[AXIS_REGION_OFFSET]->bytes,
                .count = (size_t)c->value[AXIS_REGIONS]->number,
                .line = s->line,
        };
        ret = sync_window_init(&s->window, s->buf, s->map, &strategy, dir, &layout, reason,
                               reason_len);
        /* A layout that does not fit this buffer is a case that does not apply, not a fault. */
        if (ret == -ERANGE)
            ret = -EOPNOTSUPP;
    }
    if (ret) {
        sync_teardown(s);
        return ret;
    }
    pin_thread(s);
    /* Warm windows, discarded, size the repetition: begin + end summed over its windows last
     * at least min_sample_ns, unless that would take more than the cap of wall time. */
    s->size = (struct sample_sizing){.who = "sync",
                                     .loop_name = "windows",
                                     .floor_ns = env->min_sample_ns,
                                     .max_wall_ns = SAMPLE_SIZING_WALL_FLOORS * env->min_sample_ns};
    if ((ret = sample_sizing_run(&s->size, SYNC_WARMUP_LOOPS, windows_pass, s)) != 0) {
        snprintf(reason, reason_len, "%s sync of %s", c->value[AXIS_STRATEGY]->text,
                 s->buf->heap->info.name);
        sync_teardown(s);
        return ret;
    }
    if (env->facts)
        sync_window_describe(&s->window, env->facts->implementation,
                             sizeof(env->facts->implementation));
    note_capped(s);
    *state = s;
    return 0;
}

static int sync_sample(void *opaque, struct sample_out *out, char *reason, size_t reason_len)
{
    struct sync_state *s = opaque;
    struct counter_thread ct;
    struct sizing_pass pass;
    uint64_t loops = s->size.loops;
    counter_thread_open(&ct, s->env->counters);
    counter_thread_start(&ct);
    int ret = windows_pass(s, loops, &pass);
    counter_thread_stop(&ct, s->env->totals);
    counter_thread_close(&ct);
    if (ret) {
        snprintf(reason, reason_len, "%s sync of %s", sync_kind_name(s->window.strategy.kind),
                 s->buf->heap->info.name);
        return ret;
    }
    double windows = (double)loops;
    s->value[M_COST] = (s->begin_ns + s->end_ns) / windows;
    s->value[M_PER_MIB] = s->value[M_COST] / ((double)sync_window_bytes(&s->window) / (1u << 20));
    s->value[M_BEGIN] = s->begin_ns / windows;
    s->value[M_END] = s->end_ns / windows;
    for (int i = 0; i < N_METRICS; i++) {
        out->n[i] = 1;
        out->values[i] = &s->value[i];
    }
    out->work = windows;
    out->timed_ns = pass.timed_ns;
    sample_sizing_after(&s->size, loops, &pass, s->env->facts);
    return 0;
}

/* The grid after a run: the cost against region size, one row per direction and strategy. */
static void sync_print_tables(const struct run_table *t, FILE *out)
{
    const unsigned cols = TABLE_BIT(AXIS_REGION);
    const unsigned rows = TABLE_BIT(AXIS_DIRECTION) | TABLE_BIT(AXIS_STRATEGY);
    bool title = false;
    for (size_t i = 0; i < t->n; i++) {
        if (!table_first_of_group(t, i, cols | rows))
            continue;
        const struct table_case *g = &t->cases[i];
        const struct table_case *col[TABLE_COLS_MAX], *dir[4], *strategy[TABLE_ROWS_MAX];
        size_t n_cols = table_distinct(t, g, cols | rows, cols, col, TABLE_COLS_MAX);
        size_t n_dirs = table_distinct(t, g, cols | rows, TABLE_BIT(AXIS_DIRECTION), dir, 4);
        size_t n_strategies = table_distinct(t, g, cols | rows, TABLE_BIT(AXIS_STRATEGY), strategy,
                                             TABLE_ROWS_MAX);
        char size[32], offset[32];
        if (!title)
            fprintf(out, "\nsync: one CPU access window (begin + end), us, median; '-' did not "
                         "run here (the CSV says why)\n");
        title = true;
        fprintf(out,
                "heap %s, buffer %s, %s region%s per sync from offset %s, %s lines, "
                "%s importer%s%s%s%s\n",
                g->text[AXIS_HEAP], size_format(g->bytes[AXIS_SIZE], size, sizeof(size)),
                g->text[AXIS_REGIONS], g->number[AXIS_REGIONS] == 1 ? "" : "s",
                size_format(g->bytes[AXIS_REGION_OFFSET], offset, sizeof(offset)),
                g->text[AXIS_LINES], g->text[AXIS_IMPORTERS],
                g->number[AXIS_IMPORTERS] == 1 ? "" : "s", *g->text[AXIS_ENGINE] ? " (" : "",
                g->text[AXIS_ENGINE], *g->text[AXIS_ENGINE] ? ")" : "");
        fprintf(out, "  %-9s %-24s", "direction", "strategy \\ region");
        for (size_t c = 0; c < n_cols; c++)
            fprintf(out, " %9s", size_format(col[c]->bytes[AXIS_REGION], size, sizeof(size)));
        fputc('\n', out);
        /* Grouped by direction, strategies in sweep order within each. */
        for (size_t d = 0; d < n_dirs; d++) {
            for (size_t r = 0; r < n_strategies; r++) {
                struct table_case row = *g;
                snprintf(row.text[AXIS_DIRECTION], SWEEP_TEXT_MAX, "%s",
                         dir[d]->text[AXIS_DIRECTION]);
                snprintf(row.text[AXIS_STRATEGY], SWEEP_TEXT_MAX, "%s",
                         strategy[r]->text[AXIS_STRATEGY]);
                fprintf(out, "  %-9s %-24s", row.text[AXIS_DIRECTION], row.text[AXIS_STRATEGY]);
                for (size_t c = 0; c < n_cols; c++) {
                    const struct table_case *k = table_cell_case(t, &row, col[c], rows, cols);
                    table_number_cell(out, k ? table_median(k, sync_cost.name) / 1e3 : NAN, 9);
                }
                fputc('\n', out);
            }
        }
    }
}

/* The user-space methods this build has, so a default run shows them side by side. */
#if defined(__x86_64__)
#define SYNC_DEFAULT_STRATEGIES                                                                    \
    "none,full,partial-ioctl,partial-user:clflush,partial-user:clflushopt,partial-user:clwb,"      \
    "full-user:clflushopt,full-user:clwb"
#elif defined(__aarch64__)
#define SYNC_DEFAULT_STRATEGIES                                                                    \
    "none,full,partial-ioctl,partial-user:dc-civac,partial-user:dc-cvac,full-user:dc-civac,"       \
    "full-user:dc-cvac"
#else
#define SYNC_DEFAULT_STRATEGIES "none,full,partial-ioctl"
#endif

/* The engine says what imports the buffer: no importer, no engine. */
static unsigned sync_idle_axes(const struct bench_case *c)
{
    return c->value[AXIS_IMPORTERS]->number == 0 ? 1u << AXIS_ENGINE : 0;
}

/* Whether ops's probe, with no device named, finds it usable here. */
static bool engine_usable(const struct engine_ops *ops)
{
    struct engine_probe probe = {0};
    ops->probe(NULL, &probe);
    return probe.available;
}

/* The importers by default: every engine here that keeps a dma-buf mapped while attached (vgem,
 * a lab DMA device; drm where vgem is not here), or vgem, whose rows then say why it is not
 * here. */
static const char *sync_machine_default(enum sweep_axis axis, char *out, size_t out_len)
{
    if (axis != AXIS_ENGINE)
        return NULL;
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < engine_count(); i++) {
        const struct engine_ops *ops = engine_at(i);
        if (!engine_can(ops, ENGINE_CAP_MAPPED_ATTACH))
            continue;
        const struct engine_ops *preferred = ops->defers_to ? engine_find(ops->defers_to) : NULL;
        bool usable = engine_usable(ops) && !(preferred && engine_usable(preferred));
        int n = usable ? snprintf(out + used, out_len - used, "%s%s", used ? "," : "", ops->name)
                       : 0;
        if (n > 0 && (size_t)n < out_len - used)
            used += (size_t)n;
        else
            out[used] = '\0';
    }
    return used ? out : "vgem";
}

const struct bench_def bench_sync = {
        .name = "sync",
        .description = "cost of a CPU access window per strategy (full, partial, user-space range)",
        .axes = 1u << AXIS_HEAP | 1u << AXIS_SIZE | 1u << AXIS_PAGE_SIZE | 1u << AXIS_STRATEGY |
                1u << AXIS_DIRECTION | 1u << AXIS_REGION | 1u << AXIS_REGION_OFFSET |
                1u << AXIS_REGIONS | 1u << AXIS_LINES | 1u << AXIS_IMPORTERS | 1u << AXIS_ENGINE,
        .defaults =
                {
                        [AXIS_SIZE] = "4M",
                        [AXIS_STRATEGY] = SYNC_DEFAULT_STRATEGIES,
                        [AXIS_DIRECTION] = "write,read,rw",
                        [AXIS_REGION] = "64,4K,256K,4M",
                        /* AXIS_ENGINE: the importers found here (sync_machine_default) */
                },
        .work_unit = "sync",
        .check_kernel = sync_check_kernel,
        .idle_axes = sync_idle_axes,
        .machine_default = sync_machine_default,
        .metrics = sync_metrics,
        .setup = sync_setup,
        .sample = sync_sample,
        .teardown = sync_teardown,
        .print_tables = sync_print_tables,
};
