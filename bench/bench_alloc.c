/* bench/bench_alloc.c - the `alloc` benchmark: how long buffers take to get and to give back.
 *
 * A repetition allocates `batch` buffers back to back, as a camera driver fills its pool, then
 * frees them all; every buffer's latency is a sample, so percentiles describe single
 * allocations. Kernel `alloc-touch` also maps each buffer and writes every page (the first
 * touch), which is what a producer really pays before the first frame. A repetition is not
 * lengthened to the sample floor: more buffers would change the burst being measured, and a
 * single allocation is the figure; the rows' note says so. With `threads` N, N threads pinned
 * and started together (bench/thread_team.h) each allocate and free a batch of their own at
 * once, as a busy SoC's drivers do: every thread's buffers are samples, and the throughput is
 * all of them over the slowest thread's time. Kernel `alloc-pressure` (bench/alloc_pressure.h)
 * fills the heap until it refuses or the fill reaches its bound, frees, and checks it recovers.
 *
 * Every case also checks that fresh buffers hold zeros (a byte of old data is a leak, and an
 * error row), never inside what it times: setup allocates one untimed batch and reads every byte
 * of each; kernel `alloc` on a dma-buf heap also reads each timed buffer between the timed
 * allocations and the timed frees, with the counters paused (alloc-touch has written its
 * buffers by then; host memory read there would give its frees page tables to tear down), as
 * alloc-pressure reads its first fill's. And the heap's memory (CMA, the buddy orders, a page
 * pool: bench/measure/mem_state.h) is read before setup allocates anything and after teardown
 * has freed everything, into the note.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/resource.h>

#include "alloc_pressure.h"
#include "bench.h"
#include "bench_case_heap.h"
#include "counters.h"
#include "heap.h"
#include "heap_dev.h"
#include "heap_zeroed.h"
#include "mem_state.h"
#include "run_summary.h"
#include "runner.h"
#include "size_units.h"
#include "thread_team.h"
#include "timing.h"

static const struct metric_def throughput = {"alloc_throughput", "buffers/s", BETTER_HIGHER};
static const struct metric_def alloc_latency = {"alloc_latency", "ns", BETTER_LOWER};
static const struct metric_def free_latency = {"free_latency", "ns", BETTER_LOWER};
static const struct metric_def time_per_mib = {"alloc_time_per_mib", "ns/MiB", BETTER_LOWER};

static const struct metric_def pressure_bytes = {"pressure_bytes", "bytes", BETTER_HIGHER};
static const struct metric_def first_tenth = {"alloc_latency_first_tenth", "ns", BETTER_LOWER};
static const struct metric_def last_tenth = {"alloc_latency_last_tenth", "ns", BETTER_LOWER};

enum { M_THROUGHPUT, M_ALLOC, M_FREE, M_PER_MIB };
enum { M_P_BYTES, M_P_ALLOC, M_P_FIRST, M_P_LAST, M_P_FREE };

/* The kernels: X(ID, name). */
/* clang-format off */
#define ALLOC_KERNELS(X)                                                                           \
    X(ALLOC,    "alloc")                                                                           \
    X(TOUCH,    "alloc-touch")                                                                     \
    X(PRESSURE, "alloc-pressure")
/* clang-format on */
#define ALLOC_KERNEL_ENUM(id, name) ALLOC_KERNEL_##id,
enum alloc_kernel { ALLOC_KERNELS(ALLOC_KERNEL_ENUM) ALLOC_N_KERNELS };
#undef ALLOC_KERNEL_ENUM
static const char *const kernel_names[] = {
#define ALLOC_KERNEL_NAME(id, name) name,
        ALLOC_KERNELS(ALLOC_KERNEL_NAME)
#undef ALLOC_KERNEL_NAME
};

/* The kernel named text, or -1. */
static int alloc_kernel_parse(const char *text)
{
    for (int k = 0; k < ALLOC_N_KERNELS; k++)
        if (!strcmp(text, kernel_names[k]))
            return k;
    return -1;
}

/* One thread's part of a repetition: its batch is bufs[t x batch, (t + 1) x batch). */
struct alloc_thread {
    double alloc_total, free_total; /* ns */
    int ret;
    char reason[192];
};

struct alloc_state {
    struct heap *heap;
    struct heap_alloc_req req;
    enum alloc_kernel kernel;
    bool touch;
    bool pages_read;  /* the granted pages are in env->facts */
    bool check_timed; /* read every timed buffer for zeros (kernel alloc, dma-buf heaps) */
    size_t batch;     /* buffers per thread (alloc-pressure: the most a fill can hold) */
    unsigned threads;
    const struct bench_env *env;
    struct heap_buf **bufs; /* threads x batch */
    void **maps;
    double *alloc_ns, *free_ns;
    struct alloc_thread *thread;
    double throughput, per_mib;
    struct mem_state mem_before; /* read as setup starts */
    /* alloc-pressure: the bound, and the fills so far */
    struct pressure_bound bound;
    struct pressure_fill fill, first_fill;
    size_t fills, fills_alike;
    double fill_bytes;
    long long cma_free_at_fullest_kib; /* -1: not read */
};

static int alloc_check_kernel(const char *kernel, char *err, size_t err_len)
{
    if (alloc_kernel_parse(kernel) >= 0)
        return 0;
    snprintf(err, err_len,
             "alloc kernels are 'alloc', 'alloc-touch' and 'alloc-pressure', not '%s'", kernel);
    return -EINVAL;
}

/* One thread is how alloc always ran: its cases keep the ids and rows they had before the
 * threads axis (no threads= in them), so earlier runs still compare with new ones. A fill
 * decides how many buffers it holds, on one thread: alloc-pressure has no batch, no threads. */
static unsigned alloc_idle_axes(const struct bench_case *c)
{
    const struct sweep_value *threads = c->value[AXIS_THREADS];
    if (alloc_kernel_parse(c->value[AXIS_KERNEL]->text) == ALLOC_KERNEL_PRESSURE)
        return 1u << AXIS_BATCH | 1u << AXIS_THREADS;
    return threads && threads->number == 1 ? 1u << AXIS_THREADS : 0;
}

static unsigned case_threads(const struct bench_case *c)
{
    const struct sweep_value *threads = c->value[AXIS_THREADS];
    return threads ? (unsigned)threads->number : 1;
}

static size_t alloc_metrics(const struct bench_case *c, const struct metric_def *const **defs)
{
    static const struct metric_def *const all[] = {&throughput, &alloc_latency, &free_latency,
                                                   &time_per_mib};
    static const struct metric_def *const pressure[] = {&pressure_bytes, &alloc_latency,
                                                        &first_tenth, &last_tenth, &free_latency};
    if (alloc_kernel_parse(c->value[AXIS_KERNEL]->text) == ALLOC_KERNEL_PRESSURE) {
        *defs = pressure;
        return sizeof(pressure) / sizeof(*pressure);
    }
    *defs = all;
    /* Cost per MiB only says something for buffers of a MiB or more. */
    return c->value[AXIS_SIZE]->bytes >= (1u << 20) ? 4 : 3;
}

/* alloc-pressure's sentence: how the first fill stopped, how the others compare, recovery. */
static void note_pressure(const struct alloc_state *s)
{
    char text[320], cma[48] = "";
    pressure_describe(&s->first_fill, &s->bound, s->req.size, text, sizeof(text));
    if (s->cma_free_at_fullest_kib >= 0)
        snprintf(cma, sizeof(cma), " (CmaFree then %lld KiB)", s->cma_free_at_fullest_kib);
    case_facts_note(s->env->facts,
                    "%s%s; %zu of %zu fills (one a repetition) stopped alike; after each, all "
                    "freed, a buffer was allocated again (recovered)",
                    text, cma, s->fills_alike, s->fills);
}

/* After the case has freed everything: the memory beside what it was before, in the note. */
static void note_memory(const struct alloc_state *s)
{
    struct mem_state after;
    char text[400];
    mem_state_read(s->env->proc_root, &after);
    mem_state_describe(&s->mem_before, &after, text, sizeof(text));
    case_facts_note(s->env->facts, "%s", text);
}

static void alloc_teardown(void *opaque)
{
    struct alloc_state *s = opaque;
    if (s->env && s->fills)
        note_pressure(s);
    if (s->env)
        note_memory(s);
    free(s->bufs);
    free(s->maps);
    free(s->alloc_ns);
    free(s->free_ns);
    free(s->thread);
    free(s);
}

/* The first non-zero byte of bufs[0..n), as an error with its reason; 0 when all are zeros. */
static int check_zeroed(const struct alloc_state *s, struct heap_buf **bufs, size_t n,
                        const char *which, char *reason, size_t reason_len)
{
    for (size_t i = 0; i < n; i++) {
        size_t at;
        int ret = heap_buf_first_nonzero(bufs[i], &at);
        if (ret) {
            snprintf(reason, reason_len, "%s buffer %zu of %zu: map or read for the zeroed check",
                     which, i + 1, n);
            return ret;
        }
        if (at < bufs[i]->alloc_size) {
            snprintf(reason, reason_len,
                     "buffer %zu of %zu from heap %s was not zeroed: first non-zero byte at "
                     "offset %zu of %zu B (%s; an information leak)",
                     i + 1, n, s->heap->info.name, at, bufs[i]->alloc_size, which);
            return -EIO;
        }
    }
    return 0;
}

/* One batch, untimed, before the repetitions: every buffer read for zeros, whatever the kernel
 * (alloc-touch writes its timed buffers before anything could read them). */
static int verify_batch(struct alloc_state *s, size_t n, char *reason, size_t reason_len)
{
    size_t made = 0;
    int ret = 0;
    for (; made < n; made++)
        if ((ret = heap_alloc(s->heap, &s->req, &s->bufs[made])) != 0) {
            snprintf(reason, reason_len,
                     "buffer %zu of %zu: alloc failed (untimed check batch, before the timed ones)",
                     made + 1, n);
            break;
        }
    if (!ret)
        ret = check_zeroed(s, s->bufs, made, "untimed check batch", reason, reason_len);
    for (size_t i = 0; i < made; i++) {
        heap_free(s->bufs[i]);
        s->bufs[i] = NULL;
    }
    return ret;
}

/* alloc-pressure's bound, from /proc/meminfo (or $DMABENCH_MEMINFO) and the open-file limit;
 * the most buffers a fill can hold in s->batch. */
static int pressure_setup(struct alloc_state *s, char *reason, size_t reason_len)
{
    struct mem_info info;
    if (mem_info_read(&info)) {
        /* The run needed --max-mem SIZE to start without MemAvailable: that is the bound. */
        info.mem_available = SIZE_MAX;
        info.mem_total = 0;
    }
    struct rlimit files = {.rlim_cur = RLIM_INFINITY};
    getrlimit(RLIMIT_NOFILE, &files);
    size_t open_files = files.rlim_cur == RLIM_INFINITY || files.rlim_cur > SIZE_MAX
                                ? SIZE_MAX
                                : (size_t)files.rlim_cur;
    pressure_bound_set(&s->bound, s->env->mem_limit, &info, mem_guard_heap_is_cma(s->heap),
                       s->heap->info.is_dmabuf, open_files);
    s->batch = pressure_max_buffers(&s->bound, s->req.size);
    s->cma_free_at_fullest_kib = -1;
    if (!s->batch) {
        char one[32];
        snprintf(reason, reason_len, "alloc-pressure: %s leaves no room for one buffer of %s",
                 s->bound.why, size_format(s->req.size, one, sizeof(one)));
        return -EOPNOTSUPP;
    }
    return 0;
}

static int alloc_setup(const struct bench_case *c, const struct bench_env *env, void **state,
                       char *reason, size_t reason_len)
{
    struct alloc_state *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    mem_state_read(env->proc_root, &s->mem_before);
    int ret = bench_case_heap(c, env, &s->heap, &s->req, reason, reason_len);
    if (ret) {
        free(s);
        return ret;
    }
    size_t align = c->value[AXIS_ALIGN]->bytes;
    if (align & (align - 1)) {
        snprintf(reason, reason_len, "alloc alignment %zu B is not a power of two", align);
        free(s);
        return -EINVAL;
    }
    s->req.align = align;
    s->kernel = (enum alloc_kernel)alloc_kernel_parse(c->value[AXIS_KERNEL]->text);
    s->touch = s->kernel == ALLOC_KERNEL_TOUCH;
    s->req.no_prefault = true; /* the benchmark decides what is touched, and times it */
    s->threads = case_threads(c);
    if (s->threads > pinning_count(env->pins)) {
        snprintf(reason, reason_len, "%u threads but only %zu CPUs to pin them to", s->threads,
                 pinning_count(env->pins));
        free(s);
        return -EOPNOTSUPP;
    }
    s->env = env;
    if (s->kernel == ALLOC_KERNEL_PRESSURE) {
        if ((ret = pressure_setup(s, reason, reason_len)) != 0) {
            s->env = NULL; /* nothing measured: no note */
            alloc_teardown(s);
            return ret;
        }
    } else {
        s->batch = (size_t)c->value[AXIS_BATCH]->number;
    }
    size_t n = s->batch * s->threads;
    s->bufs = calloc(n, sizeof(*s->bufs));
    s->maps = calloc(n, sizeof(*s->maps));
    s->alloc_ns = calloc(n, sizeof(*s->alloc_ns));
    s->free_ns = calloc(n, sizeof(*s->free_ns));
    s->thread = calloc(s->threads, sizeof(*s->thread));
    if (!s->bufs || !s->maps || !s->alloc_ns || !s->free_ns || !s->thread) {
        alloc_teardown(s);
        return -ENOMEM;
    }
    s->check_timed = !s->touch && s->heap->info.is_dmabuf;
    if ((ret = verify_batch(s, s->kernel == ALLOC_KERNEL_PRESSURE ? 1 : s->batch, reason,
                            reason_len)) != 0) {
        alloc_teardown(s);
        return ret;
    }
    /* Its latencies are single allocations, by design far shorter than the floor. */
    if (s->kernel != ALLOC_KERNEL_PRESSURE && s->threads > 1)
        case_facts_note(env->facts,
                        "alloc: each latency sample is one buffer; a repetition is %u threads "
                        "started together, each a batch of %zu, timed buffer by buffer",
                        s->threads, s->batch);
    else if (s->kernel != ALLOC_KERNEL_PRESSURE)
        case_facts_note(env->facts,
                        "alloc: each latency sample is one buffer; a repetition is one batch of "
                        "%zu, timed buffer by buffer",
                        s->batch);
    *state = s;
    return 0;
}

/* Map and write every page: the first touch a producer pays before its first frame. */
static int touch_buffer(struct heap_buf *buf, void **map)
{
    int ret = heap_mmap(buf, map);
    if (ret)
        return ret;
    size_t page = heap_base_page_size();
    for (size_t off = 0; off < buf->alloc_size; off += page)
        ((volatile char *)*map)[off] = 1;
    return 0;
}

static void release_buffer(struct alloc_state *s, size_t i)
{
    if (s->maps[i])
        heap_munmap(s->bufs[i], s->maps[i]);
    heap_free(s->bufs[i]);
    s->bufs[i] = NULL;
    s->maps[i] = NULL;
}

/* Thread t's batch: allocate (and touch) it buffer by buffer, check it for zeros, free it. */
static uint64_t alloc_thread_work(void *ctx, unsigned t, struct counter_thread *ct)
{
    struct alloc_state *s = ctx;
    struct alloc_thread *me = &s->thread[t];
    size_t first = (size_t)t * s->batch, made = 0;
    struct heap_buf **bufs = s->bufs + first;
    me->alloc_total = me->free_total = 0;
    me->ret = 0;
    for (; made < s->batch; made++) {
        uint64_t t0 = timing_now();
        me->ret = heap_alloc(s->heap, &s->req, &bufs[made]);
        if (!me->ret && s->touch &&
            (me->ret = touch_buffer(bufs[made], &s->maps[first + made])) != 0)
            release_buffer(s, first + made);
        uint64_t t1 = timing_now();
        if (me->ret) {
            snprintf(me->reason, sizeof(me->reason), "%sbuffer %zu of %zu: %s",
                     s->threads > 1 ? "a thread's " : "", made + 1, s->batch,
                     s->touch ? "alloc, map or first touch failed" : "alloc failed");
            break;
        }
        s->alloc_ns[first + made] = timing_ticks_to_ns(t1 - t0);
        me->alloc_total += s->alloc_ns[first + made];
    }
    /* Every thread has allocated before any reads its buffers (what the kernel granted, the
     * zeroed check), and all of them free together: no thread's untimed work falls inside
     * another's timed allocations or frees. */
    thread_team_barrier();
    /* What the kernel granted, once per case: from thread 0's first timed buffer, read between
     * the timed allocations and frees, with the counters paused. */
    if (!me->ret && t == 0 && !s->pages_read) {
        counter_thread_stop(ct, s->env->totals);
        bench_case_heap_pages(s->env, &s->req, bufs, 1);
        s->pages_read = true;
        counter_thread_start(ct);
    }
    if (!me->ret && s->check_timed) {
        counter_thread_stop(ct, s->env->totals);
        me->ret = check_zeroed(s, bufs, made, "timed", me->reason, sizeof(me->reason));
        counter_thread_start(ct);
    }
    thread_team_barrier();
    for (size_t i = 0; i < made; i++) {
        uint64_t t0 = timing_now();
        release_buffer(s, first + i);
        s->free_ns[first + i] = timing_ticks_to_ns(timing_now() - t0);
        me->free_total += s->free_ns[first + i];
    }
    return 0;
}

/* One repetition of kernel alloc or alloc-touch: every thread's batch at once. */
static int batch_sample(struct alloc_state *s, struct sample_out *out, char *reason,
                        size_t reason_len)
{
    thread_team_run(s->env, s->threads, alloc_thread_work, s, NULL);
    double alloc_total = 0, slowest_alloc = 0, slowest = 0;
    for (unsigned t = 0; t < s->threads; t++) {
        const struct alloc_thread *me = &s->thread[t];
        if (me->ret) {
            snprintf(reason, reason_len, "%s", me->reason);
            return me->ret;
        }
        alloc_total += me->alloc_total;
        if (me->alloc_total > slowest_alloc)
            slowest_alloc = me->alloc_total;
        if (me->alloc_total + me->free_total > slowest)
            slowest = me->alloc_total + me->free_total;
    }
    size_t n = s->batch * s->threads;
    s->throughput = (double)n / (slowest_alloc / 1e9);
    s->per_mib = alloc_total / (double)n / ((double)s->req.size / (1u << 20));
    out->n[M_THROUGHPUT] = 1;
    out->values[M_THROUGHPUT] = &s->throughput;
    out->n[M_ALLOC] = out->n[M_FREE] = n;
    out->values[M_ALLOC] = s->alloc_ns;
    out->values[M_FREE] = s->free_ns;
    out->n[M_PER_MIB] = 1;
    out->values[M_PER_MIB] = &s->per_mib;
    out->work = (double)n;
    out->timed_ns = slowest; /* the slowest thread's timed parts: its allocs and frees */
    return 0;
}

/* One fill of alloc-pressure, on the team's one thread: fill, (first fill) read what it holds,
 * free it all, then see that the heap gives a buffer again. */
static uint64_t pressure_work(void *ctx, unsigned t, struct counter_thread *ct)
{
    struct alloc_state *s = ctx;
    struct alloc_thread *me = &s->thread[t];
    char one[32];
    me->ret = 0;
    me->alloc_total = me->free_total = 0;
    pressure_fill(s->heap, &s->req, &s->bound, s->bufs, s->alloc_ns, &s->fill);
    size_t made = s->fill.buffers;
    for (size_t i = 0; i < made; i++)
        me->alloc_total += s->alloc_ns[i];
    counter_thread_stop(ct, s->env->totals);
    if (!made) {
        me->ret = s->fill.err ? s->fill.err : -ENOMEM;
        snprintf(me->reason, sizeof(me->reason),
                 "alloc-pressure: the heap refused the first buffer (%s)",
                 size_format(s->req.size, one, sizeof(one)));
    } else if (!s->fills) {
        struct mem_state fullest;
        mem_state_read(s->env->proc_root, &fullest);
        if (mem_guard_heap_is_cma(s->heap)) /* what the CMA area had left at the refusal */
            s->cma_free_at_fullest_kib = fullest.cma_free_kib;
        bench_case_heap_pages(s->env, &s->req, s->bufs, 1);
        if (s->check_timed)
            me->ret = check_zeroed(s, s->bufs, made, "first fill", me->reason, sizeof(me->reason));
    }
    counter_thread_start(ct);
    for (size_t i = 0; i < made; i++) {
        uint64_t t0 = timing_now();
        release_buffer(s, i);
        s->free_ns[i] = timing_ticks_to_ns(timing_now() - t0);
        me->free_total += s->free_ns[i];
    }
    counter_thread_stop(ct, s->env->totals);
    struct heap_buf *again = NULL;
    int ret = made ? heap_alloc(s->heap, &s->req, &again) : 0;
    if (ret && !me->ret) {
        me->ret = ret;
        snprintf(me->reason, sizeof(me->reason),
                 "alloc-pressure: the heap did not recover: with all %zu buffers freed, a "
                 "buffer of %s was refused",
                 made, size_format(s->req.size, one, sizeof(one)));
    }
    if (again)
        heap_free(again);
    counter_thread_start(ct);
    return 0;
}

static int pressure_sample(struct alloc_state *s, struct sample_out *out, char *reason,
                           size_t reason_len)
{
    thread_team_run(s->env, 1, pressure_work, s, NULL);
    const struct alloc_thread *me = &s->thread[0];
    if (me->ret) {
        snprintf(reason, reason_len, "%s", me->reason);
        return me->ret;
    }
    const struct pressure_fill *f = &s->fill;
    if (!s->fills++)
        s->first_fill = *f;
    if (f->stop == s->first_fill.stop && f->err == s->first_fill.err)
        s->fills_alike++;
    size_t n = f->buffers, tenth = (n + 9) / 10;
    s->fill_bytes = (double)f->bytes;
    out->n[M_P_BYTES] = 1;
    out->values[M_P_BYTES] = &s->fill_bytes;
    out->n[M_P_ALLOC] = out->n[M_P_FREE] = n;
    out->values[M_P_ALLOC] = s->alloc_ns;
    out->values[M_P_FREE] = s->free_ns;
    out->n[M_P_FIRST] = out->n[M_P_LAST] = tenth;
    out->values[M_P_FIRST] = s->alloc_ns;
    out->values[M_P_LAST] = s->alloc_ns + n - tenth;
    out->work = (double)n;
    out->timed_ns = me->alloc_total + me->free_total;
    return 0;
}

static int alloc_sample(void *opaque, struct sample_out *out, char *reason, size_t reason_len)
{
    struct alloc_state *s = opaque;
    return s->kernel == ALLOC_KERNEL_PRESSURE ? pressure_sample(s, out, reason, reason_len)
                                              : batch_sample(s, out, reason, reason_len);
}

/* align is the mapping's alignment: a value that is no power of two would fail every case on
 * the board, so it is bad input, said once, before anything runs. */
static int alloc_check_job(const struct job *job, char *err, size_t err_len)
{
    const struct sweep_axis_values *aligns = &job->axes[AXIS_ALIGN];
    for (size_t i = 0; i < aligns->n; i++) {
        size_t align = aligns->v[i].bytes;
        if (align & (align - 1)) {
            snprintf(err, err_len,
                     "align: %s is not a power of two (alloc aligns the mapping of each buffer)",
                     aligns->v[i].text);
            return -EINVAL;
        }
    }
    return 0;
}

/* A repetition holds every thread's whole batch at once; align places the mapping, it takes no
 * memory. A fill holds what its bound allows, --max-mem at most: the guard sees one buffer. */
static size_t alloc_buffers_held(const struct bench_case *c, size_t *extra, char *how,
                                 size_t how_len)
{
    long batch = c->value[AXIS_BATCH] ? c->value[AXIS_BATCH]->number : 1;
    unsigned threads = case_threads(c);
    (void)extra;
    if (alloc_kernel_parse(c->value[AXIS_KERNEL]->text) == ALLOC_KERNEL_PRESSURE) {
        snprintf(how, how_len, ", then as many as --max-mem holds (alloc-pressure)");
        return 1;
    }
    if (threads > 1)
        snprintf(how, how_len, " x batch %ld x threads %u", batch, threads);
    else
        snprintf(how, how_len, " x batch %ld", batch);
    return (size_t)batch * threads;
}

/* The heap table's allocation columns: p50 and p99 of single buffers (kernel alloc, batch 1) of
 * 4 KiB and of 1 MiB. */
static void alloc_heap_summary(struct heap_summary *h, const struct bench_case *c,
                               const struct case_result *r)
{
    const struct metric_result *m = case_result_metric(r, "alloc_latency");
    size_t size = c->value[AXIS_SIZE]->bytes;
    int slot = size == 4096 ? 0 : size == (1u << 20) ? 1 : -1;
    if (!m || slot < 0 || alloc_kernel_parse(c->value[AXIS_KERNEL]->text) != ALLOC_KERNEL_ALLOC ||
        c->value[AXIS_BATCH]->number != 1 || case_threads(c) != 1)
        return;
    h->alloc_p50[slot] = m->stats.median;
    h->alloc_p99[slot] = m->stats.p99;
}

const struct bench_def bench_alloc = {
        .name = "alloc",
        .description = "allocate+free latency per buffer, in batches, on 1..N threads; heap fill",
        .axes = 1u << AXIS_HEAP | 1u << AXIS_SIZE | 1u << AXIS_ALIGN | 1u << AXIS_PAGE_SIZE |
                1u << AXIS_THREADS | 1u << AXIS_BATCH | 1u << AXIS_KERNEL | 1u << AXIS_NODE,
        .defaults =
                {
                        [AXIS_SIZE] = "4K,64K,1M,16M",
                        [AXIS_BATCH] = "1,8",
                        [AXIS_KERNEL] = "alloc,alloc-touch",
                },
        .work_unit = "buffer",
        .check_kernel = alloc_check_kernel,
        .idle_axes = alloc_idle_axes,
        .metrics = alloc_metrics,
        .setup = alloc_setup,
        .sample = alloc_sample,
        .teardown = alloc_teardown,
        .check_job = alloc_check_job,
        .buffers_held = alloc_buffers_held,
        .heap_summary = alloc_heap_summary,
};
