/* bench/bench_cpu.c - the `cpu` benchmark: CPU bandwidth and latency through a heap's mapping.
 *
 * Read, write, copy and fill run on OpenMP threads pinned to distinct CPUs (bench/thread_team.h),
 * each on its own slice of the buffer, started together after a barrier; `chase` follows a random
 * cycle of cache lines for load-to-use latency. Buffers are mapped, faulted in and inside a CPU
 * sync (DMA_BUF_IOCTL_SYNC START) before anything is timed, so only the CPU's access is measured.
 * Each sample repeats its pass (or chase steps) until it lasts the floor (env->min_sample_ns).
 *
 * The chase's lap is size / 64 lines (16 Mi at 1 GiB); a sample walks floor / latency of them
 * (100,000 at 100 ns and 10 ms) on from where the last sample stopped, after a warm-up of twice
 * the largest cache, so beyond the cache every load misses it. Each load also translates its
 * address: with 4 KiB pages, beyond the TLB's reach (a few MiB) the figure includes a TLB miss
 * and page walk per load; --page-size thp leaves mostly the memory's own latency.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bench_case_heap.h"
#include "counters.h"
#include "cpu_kernels.h"
#include "heap.h"
#include "plausibility.h"
#include "run_summary.h"
#include "runner.h"
#include "sample_sizing.h"
#include "thread_team.h"
#include "topology.h"
#include "timing.h"

#define CHASE_LINE      64
#define CPU_MAX_THREADS 256
/* Samples are sized as every benchmark's are (bench/sample_sizing.h), with its margin over the
 * floor; one that falls below it all the same is taken again with more loops, at most
 * CPU_SAMPLE_RETAKES times: a cpu pass is cheap to repeat and has no state to undo. */
#define CPU_SAMPLE_RETAKES 4
/* Chase steps of the pass the chase's loop is sized from, after its warm-up walk. */
#define CHASE_SIZING_STEPS 4096

static const struct metric_def bandwidth = {"bandwidth", "bytes/s", BETTER_HIGHER};
static const struct metric_def latency = {"latency", "ns", BETTER_LOWER};

struct cpu_state {
    const struct bench_env *env;
    const struct cpu_kernel *kernel; /* NULL for chase */
    struct heap_buf *buf[2];         /* [0] the buffer; [1] the copy source */
    char *map[2];
    size_t offset, size;
    unsigned threads;
    struct sample_sizing sizing; /* .loops: passes (or chase steps) per sample */
    struct chase chase;          /* with no kernel: where the samples have walked to */
    double value;                /* this sample's bandwidth or latency */
    unsigned short_samples;      /* samples still under the floor after every retake */
};

static volatile uint64_t checksum_sink; /* keeps read kernels from being optimised away */

static bool is_chase(const char *kernel)
{
    return !strcmp(kernel, "chase");
}

static int cpu_check_kernel(const char *kernel, char *err, size_t err_len)
{
    enum cpu_op op;
    enum cpu_impl impl;
    if (is_chase(kernel) || cpu_kernel_parse(kernel, &op, &impl) == 0)
        return 0;
    snprintf(err, err_len,
             "cpu kernels are OP or OP:IMPL (OP read, write, copy, fill; IMPL c, libc, sse2, "
             "avx2, avx512, neon, nt, ntload) or chase, not '%s'",
             kernel);
    return -EINVAL;
}

static size_t cpu_metrics(const struct bench_case *c, const struct metric_def *const **defs)
{
    static const struct metric_def *const bw[] = {&bandwidth};
    static const struct metric_def *const lat[] = {&latency};
    *defs = is_chase(c->value[AXIS_KERNEL]->text) ? lat : bw;
    return 1;
}

static void cpu_teardown(void *opaque)
{
    struct cpu_state *s = opaque;
    struct case_facts *facts = s->env->facts;
    if (s->short_samples && facts) { /* after what else the note says */
        size_t used = strlen(facts->note);
        snprintf(facts->note + used, sizeof(facts->note) - used,
                 "%s%u samples under the %g ms floor after %d retakes with more loops",
                 used ? "; " : "", s->short_samples, s->env->min_sample_ns / 1e6,
                 CPU_SAMPLE_RETAKES);
    }
    for (int i = 0; i < 2; i++) {
        if (!s->buf[i])
            continue;
        if (s->map[i])
            heap_sync_end(s->buf[i], HEAP_SYNC_RW);
        heap_free(s->buf[i]); /* unmaps too */
    }
    free(s);
}

/* Allocate, map, enter the CPU-access window and fault every page in. */
static int prepare_buffer(struct cpu_state *s, int i, struct heap *heap,
                          const struct heap_alloc_req *req, char *reason, size_t reason_len)
{
    int ret = heap_alloc(heap, req, &s->buf[i]);
    const char *step = "alloc";
    void *map = NULL;
    if (!ret && (step = "mmap", ret = heap_mmap(s->buf[i], &map)) == 0 &&
        (step = "sync start", ret = heap_sync_begin(s->buf[i], HEAP_SYNC_RW)) == 0) {
        s->map[i] = map;
        memset(map, 0x5a + i, s->buf[i]->alloc_size);
        return 0;
    }
    snprintf(reason, reason_len, "%s of %zu B on %s", step, req->size, heap->info.name);
    return ret;
}

/* One timed sample's round, for thread_team_run: each thread's slice, loops times. */
struct cpu_round {
    struct cpu_state *s;
    uint64_t loops;
    size_t slice;
};

static uint64_t cpu_thread_work(void *ctx, unsigned t, struct counter_thread *ct)
{
    const struct cpu_round *r = ctx;
    const struct cpu_state *s = r->s;
    uint64_t sum = 0;
    (void)ct;
    if (!s->kernel)
        return (uint64_t)(uintptr_t)chase_walk(&r->s->chase, r->loops);
    size_t off = s->offset + t * r->slice;
    size_t len = t + 1 == s->threads ? s->size - t * r->slice : r->slice;
    char *src = s->map[1] ? s->map[1] : s->map[0];
    for (uint64_t l = 0; l < r->loops; l++)
        sum += s->kernel->fn(s->map[0] + off, src + off, len);
    return sum;
}

/* One timed sample: the threads pinned, counted and released together. Returns elapsed ns. */
static double timed_run(struct cpu_state *s, uint64_t loops)
{
    struct cpu_round r = {.s = s, .loops = loops, .slice = (s->size / s->threads) & ~(size_t)63};
    uint64_t sum = 0;
    double ns = thread_team_run(s->env, s->threads, cpu_thread_work, &r, &sum);
    checksum_sink += sum;
    return ns;
}

/* Lines of the largest data cache (one instance of it), or 0 where hwloc does not know. */
static uint64_t largest_cache_lines(void)
{
    struct topology_summary topo;
    size_t largest = 0;
    if (topology_read(&topo) != 0)
        return 0;
    for (size_t i = 0; i < topo.n_caches; i++)
        if (topo.caches[i].type != 'i' && topo.caches[i].size > largest)
            largest = topo.caches[i].size;
    return largest / CHASE_LINE;
}

static int cpu_pass(void *ctx, uint64_t loops, struct sizing_pass *out)
{
    out->timed_ns = out->wall_ns = timed_run(ctx, loops);
    return 0;
}

static int resolve_kernel(struct cpu_state *s, const char *text, char *reason, size_t reason_len)
{
    if (is_chase(text))
        return 0;
    enum cpu_op op;
    enum cpu_impl impl;
    const char *why = "";
    if (cpu_kernel_parse(text, &op, &impl) != 0) {
        snprintf(reason, reason_len, "unknown cpu kernel '%s'", text);
        return -EINVAL;
    }
    s->kernel = cpu_kernel_find(op, impl, &why);
    if (!s->kernel) {
        snprintf(reason, reason_len, "%s: %s", text, why);
        return -EOPNOTSUPP;
    }
    return 0;
}

static int cpu_setup(const struct bench_case *c, const struct bench_env *env, void **state,
                     char *reason, size_t reason_len)
{
    struct cpu_state *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->env = env;
    s->offset = c->value[AXIS_ALIGN]->bytes;
    s->size = c->value[AXIS_SIZE]->bytes;
    s->threads = (unsigned)c->value[AXIS_THREADS]->number;
    struct heap *heap;
    struct heap_alloc_req req;
    int ret = resolve_kernel(s, c->value[AXIS_KERNEL]->text, reason, reason_len);
    if (!ret && s->threads > pinning_count(env->pins)) {
        snprintf(reason, reason_len, "%u threads but only %zu CPUs to pin them to", s->threads,
                 pinning_count(env->pins));
        ret = -EOPNOTSUPP;
    }
    if (!ret && !s->kernel && s->threads != 1) {
        snprintf(reason, reason_len, "chase measures one thread's latency: use threads=1");
        ret = -EOPNOTSUPP;
    }
    if (!ret && s->size < 64u * s->threads) {
        snprintf(reason, reason_len, "%zu B is too small to split over %u threads", s->size,
                 s->threads);
        ret = -EOPNOTSUPP;
    }
    if (!ret)
        ret = bench_case_heap(c, env, &heap, &req, reason, reason_len);
    /* The memory guard refuses such a case before a run; a caller without it gets this. */
    if (!ret && __builtin_add_overflow(s->offset, s->size, &req.size)) {
        snprintf(reason, reason_len, "offset %zu B + size %zu B does not fit in %zu bits",
                 s->offset, s->size, sizeof(size_t) * 8);
        ret = -EOVERFLOW;
    }
    if (!ret)
        ret = prepare_buffer(s, 0, heap, &req, reason, reason_len);
    if (!ret && s->kernel && s->kernel->op == CPU_OP_COPY)
        ret = prepare_buffer(s, 1, heap, &req, reason, reason_len);
    if (ret) {
        cpu_teardown(s);
        return ret;
    }
    bench_case_heap_pages(env, &req, s->buf, 2);
    if (!s->kernel &&
        (ret = chase_init(&s->chase, s->map[0] + s->offset, s->size, CHASE_LINE, 0x9e3779b9u))) {
        snprintf(reason, reason_len, "no chase over %zu B", s->size);
        cpu_teardown(s);
        return ret;
    }
    if (env->facts)
        snprintf(env->facts->implementation, sizeof(env->facts->implementation), "%s",
                 s->kernel ? s->kernel->name : "chase");
    /* The chase first walks its warm-up (bench/bench_cpu.c's head comment), then sizes from a
     * short walk; a kernel sizes from single passes. (Sized from the first, cold pass alone,
     * the cost of filling the caches and TLB and of waking the threads made samples of an
     * L1-sized buffer 0.5 ms long.) */
    if (!s->kernel)
        timed_run(s, chase_warmup_steps(s->chase.lap, largest_cache_lines()));
    s->sizing = (struct sample_sizing){.who = "cpu",
                                       .loop_name = s->kernel ? "passes" : "chase steps",
                                       .floor_ns = env->min_sample_ns};
    sample_sizing_run(&s->sizing, s->kernel ? 1 : CHASE_SIZING_STEPS, cpu_pass, s);
    *state = s;
    return 0;
}

static int cpu_sample(void *opaque, struct sample_out *out, char *reason, size_t reason_len)
{
    (void)reason;
    (void)reason_len;
    struct cpu_state *s = opaque;
    double unit = s->kernel ? (double)s->size : CHASE_LINE;
    struct sizing_pass p;
    s->sizing.floor_ns = s->env->min_sample_ns;
    uint64_t loops = s->sizing.loops;
    cpu_pass(s, loops, &p);
    /* The work of a retaken run counts too: its counter events are in the totals. */
    out->work = (double)loops * unit;
    for (int retake = 0; p.timed_ns < s->sizing.floor_ns && retake < CPU_SAMPLE_RETAKES; retake++) {
        sample_sizing_after(&s->sizing, loops, &p, NULL); /* more loops, never fewer */
        loops = s->sizing.loops;
        cpu_pass(s, loops, &p);
        out->work += (double)loops * unit;
    }
    s->short_samples += p.timed_ns < s->sizing.floor_ns;
    if (s->kernel)
        s->value = (double)s->size * (double)loops / (p.timed_ns / 1e9);
    else
        s->value = p.timed_ns / (double)loops;
    out->timed_ns = p.timed_ns;
    out->n[0] = 1;
    out->values[0] = &s->value;
    return 0;
}

/* Sizes where this machine's caches are, for a job that names none (bench_cpu_default_sizes). */
static const char *cpu_machine_default(enum sweep_axis axis, char *out, size_t out_len)
{
    if (axis != AXIS_SIZE)
        return NULL;
    struct topology_summary topo;
    bool have_topo = topology_read(&topo) == 0;
    bench_cpu_default_sizes(have_topo ? &topo : NULL, out, out_len);
    return out;
}

static bool is_copy(const struct bench_case *c)
{
    const struct sweep_value *kernel = c->value[AXIS_KERNEL];
    return kernel && !strncmp(kernel->text, "copy", 4);
}

/* The threads share one buffer; a copy has a second; the start offset (align) is memory too. */
static size_t cpu_buffers_held(const struct bench_case *c, size_t *extra, char *how, size_t how_len)
{
    const struct sweep_value *align = c->value[AXIS_ALIGN];
    *extra = align ? align->bytes : 0;
    snprintf(how, how_len, "%s", is_copy(c) ? " x 2 (copy)" : "");
    return is_copy(c) ? 2 : 1;
}

/* The chase's latency, or the bandwidth of the others, each against the run's L1 figures: what
 * a thread touches decides whether the case is L1-sized (a copy reads one buffer, writes
 * another). */
static const char *cpu_plausibility(const struct bench_case *c, struct plausibility_case *out)
{
    bool chase = is_chase(c->value[AXIS_KERNEL]->text);
    const struct sweep_value *size = c->value[AXIS_SIZE], *threads = c->value[AXIS_THREADS];
    double n = threads && threads->number > 0 ? (double)threads->number : 1;
    size_t buffers = is_copy(c) ? 2 : 1;
    out->kind = chase ? PLAUSIBILITY_CPU_LATENCY : PLAUSIBILITY_CPU_BANDWIDTH;
    out->working_set = size ? (size_t)((double)size->bytes * buffers / n) : 0;
    return chase ? latency.name : bandwidth.name;
}

/* The heap table's CPU columns: the best read, write and copy bandwidth over sizes and
 * implementations, and the chase at the largest size measured. */
static void cpu_heap_summary(struct heap_summary *h, const struct bench_case *c,
                             const struct case_result *r)
{
    const char *kernel = c->value[AXIS_KERNEL]->text;
    const struct metric_result *m = case_result_metric(r, bandwidth.name);
    double *slot = NULL;
    if (m && !strncmp(kernel, "read", 4))
        slot = &h->read;
    else if (m && !strncmp(kernel, "write", 5))
        slot = &h->write;
    else if (m && !strncmp(kernel, "copy", 4))
        slot = &h->copy;
    if (slot && m->stats.median > *slot)
        *slot = m->stats.median;
    m = case_result_metric(r, latency.name);
    size_t size = c->value[AXIS_SIZE]->bytes;
    if (m && size >= h->latency_size) {
        h->latency_size = size;
        h->latency_ns = m->stats.median;
    }
}

const struct bench_def bench_cpu = {
        .name = "cpu",
        .description = "CPU read/write/copy/fill bandwidth and pointer-chase latency per mapping",
        .axes = 1u << AXIS_HEAP | 1u << AXIS_SIZE | 1u << AXIS_ALIGN | 1u << AXIS_PAGE_SIZE |
                1u << AXIS_THREADS | 1u << AXIS_KERNEL | 1u << AXIS_NODE,
        .defaults =
                {
                        [AXIS_KERNEL] = "read,write,copy,fill,chase",
                },
        .work_unit = "byte",
        .check_kernel = cpu_check_kernel,
        .metrics = cpu_metrics,
        .setup = cpu_setup,
        .sample = cpu_sample,
        .teardown = cpu_teardown,
        .machine_default = cpu_machine_default,
        .buffers_held = cpu_buffers_held,
        .smaller_with = "--size or --align",
        .plausibility = cpu_plausibility,
        .heap_summary = cpu_heap_summary,
};

void bench_cpu_default_sizes(const struct topology_summary *topo, char *out, size_t out_len)
{
    size_t l1 = 32 << 10, l2 = 1 << 20, llc = 8 << 20;
    for (size_t i = 0; topo && i < topo->n_caches; i++) {
        const struct topo_cache *c = &topo->caches[i];
        if (c->size == 0) /* a level the firmware describes without a size (QEMU's virt) */
            continue;
        if (c->level == 1 && c->type == 'd')
            l1 = c->size;
        else if (c->level == 2 && c->type != 'i')
            l2 = c->size;
        if (c->type != 'i' && c->level >= 2)
            llc = c->size > llc || c->level >= 3 ? c->size : llc;
    }
    size_t sizes[] = {l1 / 2, l2 / 2, llc / 2, llc * 8 > (256u << 20) ? llc * 8 : 256u << 20};
    size_t used = 0, last = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t pow2 = 4096;
        while (pow2 * 2 <= sizes[i])
            pow2 *= 2;
        /* Caches of odd or equal sizes (an L2 as large as the LLC) round to one value: the
         * list is a sweep axis, where a value listed twice is an error. */
        if (pow2 <= last)
            continue;
        used += (size_t)snprintf(out + used, out_len - used, "%s%zu", used ? "," : "", pow2);
        last = pow2;
    }
}
