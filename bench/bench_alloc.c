/* bench/bench_alloc.c - the `alloc` benchmark: how long buffers take to get and to give back.
 *
 * A repetition allocates `batch` buffers back to back, as a camera driver fills its pool, then
 * frees them all; every buffer's latency is a sample, so percentiles describe single
 * allocations. Kernel `alloc-touch` also maps each buffer and writes every page (the first
 * touch), which is what a producer really pays before the first frame. A repetition is not
 * lengthened to the sample floor: more buffers would change the burst being measured, and a
 * single allocation is the figure; the rows' note says so.
 *
 * Every case also checks that fresh buffers hold zeros (a byte of old data is a leak, and an
 * error row), never inside what it times: setup allocates one untimed batch and reads every byte
 * of each; kernel `alloc` on a dma-buf heap also reads each timed buffer between the timed
 * allocations and the timed frees, with the counters paused (alloc-touch has written its
 * buffers by then; host memory read there would give its frees page tables to tear down).
 * And the heap's memory (CMA, the buddy orders, a page pool: bench/measure/mem_state.h) is read
 * before setup allocates anything and after teardown has freed everything, into the note.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bench_case_heap.h"
#include "counters.h"
#include "heap.h"
#include "heap_dev.h"
#include "heap_zeroed.h"
#include "mem_state.h"
#include "run_summary.h"
#include "runner.h"
#include "timing.h"

static const struct metric_def throughput = {"alloc_throughput", "buffers/s", BETTER_HIGHER};
static const struct metric_def alloc_latency = {"alloc_latency", "ns", BETTER_LOWER};
static const struct metric_def free_latency = {"free_latency", "ns", BETTER_LOWER};
static const struct metric_def time_per_mib = {"alloc_time_per_mib", "ns/MiB", BETTER_LOWER};

enum { M_THROUGHPUT, M_ALLOC, M_FREE, M_PER_MIB };

struct alloc_state {
    struct heap *heap;
    struct heap_alloc_req req;
    bool touch;
    bool pages_read;  /* the granted pages are in env->facts */
    bool check_timed; /* read every timed buffer for zeros (kernel alloc, dma-buf heaps) */
    size_t batch;
    const struct bench_env *env;
    struct heap_buf **bufs;
    void **maps;
    double *alloc_ns, *free_ns;
    double throughput, per_mib;
    struct mem_state mem_before; /* read as setup starts */
};

static int alloc_check_kernel(const char *kernel, char *err, size_t err_len)
{
    if (!strcmp(kernel, "alloc") || !strcmp(kernel, "alloc-touch"))
        return 0;
    snprintf(err, err_len, "alloc kernels are 'alloc' and 'alloc-touch', not '%s'", kernel);
    return -EINVAL;
}

static size_t alloc_metrics(const struct bench_case *c, const struct metric_def *const **defs)
{
    static const struct metric_def *const all[] = {&throughput, &alloc_latency, &free_latency,
                                                   &time_per_mib};
    *defs = all;
    /* Cost per MiB only says something for buffers of a MiB or more. */
    return c->value[AXIS_SIZE]->bytes >= (1u << 20) ? 4 : 3;
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
    if (s->env)
        note_memory(s);
    free(s->bufs);
    free(s->maps);
    free(s->alloc_ns);
    free(s->free_ns);
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
static int verify_batch(struct alloc_state *s, char *reason, size_t reason_len)
{
    size_t made = 0;
    int ret = 0;
    for (; made < s->batch; made++)
        if ((ret = heap_alloc(s->heap, &s->req, &s->bufs[made])) != 0) {
            snprintf(reason, reason_len,
                     "buffer %zu of %zu: alloc failed (untimed check batch, before the timed ones)",
                     made + 1, s->batch);
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
    s->touch = !strcmp(c->value[AXIS_KERNEL]->text, "alloc-touch");
    s->req.no_prefault = true; /* the benchmark decides what is touched, and times it */
    s->batch = (size_t)c->value[AXIS_BATCH]->number;
    s->bufs = calloc(s->batch, sizeof(*s->bufs));
    s->maps = calloc(s->batch, sizeof(*s->maps));
    s->alloc_ns = calloc(s->batch, sizeof(*s->alloc_ns));
    s->free_ns = calloc(s->batch, sizeof(*s->free_ns));
    if (!s->bufs || !s->maps || !s->alloc_ns || !s->free_ns) {
        alloc_teardown(s);
        return -ENOMEM;
    }
    s->check_timed = !s->touch && s->heap->info.is_dmabuf;
    s->env = env;
    if ((ret = verify_batch(s, reason, reason_len)) != 0) {
        alloc_teardown(s);
        return ret;
    }
    /* Its latencies are single allocations, by design far shorter than the floor. */
    case_facts_note(env->facts,
                    "alloc: each latency sample is one buffer; a repetition is one batch of %zu, "
                    "timed buffer by buffer",
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

static int alloc_sample(void *opaque, struct sample_out *out, char *reason, size_t reason_len)
{
    struct alloc_state *s = opaque;
    struct counter_thread ct;
    counter_thread_open(&ct, s->env->counters);
    counter_thread_start(&ct);
    double alloc_total = 0;
    int ret = 0;
    size_t made = 0;
    for (; made < s->batch; made++) {
        uint64_t t0 = timing_now();
        ret = heap_alloc(s->heap, &s->req, &s->bufs[made]);
        if (!ret && s->touch && (ret = touch_buffer(s->bufs[made], &s->maps[made])) != 0)
            release_buffer(s, made);
        uint64_t t1 = timing_now();
        if (ret) {
            snprintf(reason, reason_len, "buffer %zu of %zu: %s", made + 1, s->batch,
                     s->touch ? "alloc, map or first touch failed" : "alloc failed");
            break;
        }
        s->alloc_ns[made] = timing_ticks_to_ns(t1 - t0);
        alloc_total += s->alloc_ns[made];
    }
    /* What the kernel granted, once per case: from the first timed buffer, read between the
     * timed allocations and frees, with the counters paused. */
    if (!ret && !s->pages_read) {
        counter_thread_stop(&ct, s->env->totals);
        bench_case_heap_pages(s->env, &s->req, s->bufs, 1);
        s->pages_read = true;
        counter_thread_start(&ct);
    }
    if (!ret && s->check_timed) {
        counter_thread_stop(&ct, s->env->totals);
        ret = check_zeroed(s, s->bufs, made, "timed", reason, reason_len);
        counter_thread_start(&ct);
    }
    double free_total = 0;
    for (size_t i = 0; i < made; i++) {
        uint64_t t0 = timing_now();
        release_buffer(s, i);
        s->free_ns[i] = timing_ticks_to_ns(timing_now() - t0);
        free_total += s->free_ns[i];
    }
    counter_thread_stop(&ct, s->env->totals);
    counter_thread_close(&ct);
    if (ret)
        return ret;
    s->throughput = (double)s->batch / (alloc_total / 1e9);
    s->per_mib = alloc_total / (double)s->batch / ((double)s->req.size / (1u << 20));
    out->n[M_THROUGHPUT] = 1;
    out->values[M_THROUGHPUT] = &s->throughput;
    out->n[M_ALLOC] = out->n[M_FREE] = s->batch;
    out->values[M_ALLOC] = s->alloc_ns;
    out->values[M_FREE] = s->free_ns;
    out->n[M_PER_MIB] = 1;
    out->values[M_PER_MIB] = &s->per_mib;
    out->work = (double)s->batch;
    out->timed_ns = alloc_total + free_total; /* the batch's timed parts: every alloc and free */
    return 0;
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

/* A repetition holds its whole batch at once; align places the mapping, it takes no memory. */
static size_t alloc_buffers_held(const struct bench_case *c, size_t *extra, char *how,
                                 size_t how_len)
{
    long batch = c->value[AXIS_BATCH] ? c->value[AXIS_BATCH]->number : 1;
    (void)extra;
    snprintf(how, how_len, " x batch %ld", batch);
    return (size_t)batch;
}

/* The heap table's allocation columns: p50 and p99 of single buffers (kernel alloc, batch 1) of
 * 4 KiB and of 1 MiB. */
static void alloc_heap_summary(struct heap_summary *h, const struct bench_case *c,
                               const struct case_result *r)
{
    const struct metric_result *m = case_result_metric(r, "alloc_latency");
    size_t size = c->value[AXIS_SIZE]->bytes;
    int slot = size == 4096 ? 0 : size == (1u << 20) ? 1 : -1;
    if (!m || slot < 0 || strcmp(c->value[AXIS_KERNEL]->text, "alloc") ||
        c->value[AXIS_BATCH]->number != 1)
        return;
    h->alloc_p50[slot] = m->stats.median;
    h->alloc_p99[slot] = m->stats.p99;
}

const struct bench_def bench_alloc = {
        .name = "alloc",
        .description = "allocate+free latency per buffer, in batches, with or without first touch",
        .axes = 1u << AXIS_HEAP | 1u << AXIS_SIZE | 1u << AXIS_ALIGN | 1u << AXIS_PAGE_SIZE |
                1u << AXIS_BATCH | 1u << AXIS_KERNEL | 1u << AXIS_NODE,
        .defaults =
                {
                        [AXIS_SIZE] = "4K,64K,1M,16M",
                        [AXIS_BATCH] = "1,8",
                        [AXIS_KERNEL] = "alloc,alloc-touch",
                },
        .work_unit = "buffer",
        .check_kernel = alloc_check_kernel,
        .metrics = alloc_metrics,
        .setup = alloc_setup,
        .sample = alloc_sample,
        .teardown = alloc_teardown,
        .check_job = alloc_check_job,
        .buffers_held = alloc_buffers_held,
        .heap_summary = alloc_heap_summary,
};
