/* coherency/stale_probe.c - the stale-line probe: buffers, engine, windows and one round.
 *
 * Three buffers of the heap: src (the CPU writes it), dst (the engine writes it, the CPU
 * reads it) and fresh (a fixed pattern the engine copies over dst). fresh is made visible to
 * the device once at open with the exporter's sync and a user-space clean where there is one,
 * so that the device-to-CPU count only sees the CPU's own stale copy of dst. A device engine
 * (one that only imports dma-bufs, as V4L2 mem2mem) copies frames: the buffer is then one
 * RGB565 frame of exactly its size, same format on both queues, so the device copies it as is.
 */
#include "stale_probe.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_maint.h"
#include "stale_lines.h"

enum { BUF_SRC, BUF_DST, BUF_FRESH, N_STALE_BUFS };

#define FRESH_SEED 0 /* rounds use seeds from 1 */

struct stale_probe {
    struct stale_probe_config cfg;
    size_t size, line;
    struct heap_buf *buf[N_STALE_BUFS];
    unsigned char *map[N_STALE_BUFS];
    struct engine *engine;
    struct engine_buf *attached[N_STALE_BUFS];
    struct sync_window write_src, read_dst;
    unsigned char *expect, *fresh_expect; /* what src and fresh hold, in private memory */
    bool has_format;                      /* a device engine: each buffer is one frame */
    struct frame_format format;
    uint64_t round;
};

static volatile unsigned char read_sink;

void stale_probe_close(struct stale_probe *p)
{
    if (!p)
        return;
    for (int i = 0; i < N_STALE_BUFS; i++)
        engine_detach(p->attached[i]);
    engine_close(p->engine);
    for (int i = 0; i < N_STALE_BUFS; i++)
        heap_free(p->buf[i]); /* unmaps too */
    free(p->expect);
    free(p->fresh_expect);
    free(p);
}

/* Whether the engine can take part at all, before anything is allocated. */
static int check_engine(const struct stale_probe_config *cfg, char *why, size_t why_len)
{
    const struct engine_ops *e = cfg->engine.ops;
    if (!engine_can(e, ENGINE_CAP_OP(ENGINE_OP_COPY))) {
        snprintf(why, why_len, "stale: engine %s cannot copy: %s", e->name, e->label);
        return -EOPNOTSUPP;
    }
    if (!cfg->heap->info.is_dmabuf && !engine_can(e, ENGINE_CAP_ANY_HEAP)) {
        snprintf(why, why_len, "stale: %s memory is not a dma-buf, and %s imports dma-bufs",
                 cfg->heap->info.name, e->name);
        return -EOPNOTSUPP;
    }
    struct engine_probe probe = {0};
    e->probe(cfg->engine.device, &probe);
    if (!probe.available) {
        snprintf(why, why_len, "stale: engine %s is not usable here: %s", e->name, probe.reason);
        return -EOPNOTSUPP;
    }
    return 0;
}

/* Write len bytes of data into a buffer and make them visible to a device whatever the
 * strategy under test: the exporter's sync, then a user-space clean where there is one. */
static int write_visible(struct heap_buf *buf, unsigned char *map, const void *data, size_t len)
{
    int ret = heap_sync_begin(buf, HEAP_SYNC_WRITE);
    if (ret)
        return ret;
    memcpy(map, data, len);
    enum cache_method clean;
    const char *why;
    if (cache_method_best(CACHE_OP_CLEAN, &clean, &why) == 0)
        cache_maint_range(clean, map, len);
    return heap_sync_end(buf, HEAP_SYNC_WRITE);
}

static int alloc_buffers(struct stale_probe *p, char *why, size_t why_len)
{
    static const char *const names[N_STALE_BUFS] = {"src", "dst", "fresh"};
    struct heap *heap = p->cfg.heap;
    memset(p->expect, 0, p->size);
    for (int i = 0; i < N_STALE_BUFS; i++) {
        void *map = NULL;
        const char *step = "alloc";
        int ret = heap_alloc(heap, &p->cfg.req, &p->buf[i]);
        if (!ret && (step = "mmap", ret = heap_mmap(p->buf[i], &map)) == 0)
            p->map[i] = map;
        if (!ret) {
            /* Faults the pages in; fresh gets its pattern, the others zeros. */
            step = "first write";
            ret = write_visible(p->buf[i], map, i == BUF_FRESH ? p->fresh_expect : p->expect,
                                p->size);
        }
        if (ret) {
            snprintf(why, why_len, "stale: %s of the %s buffer (%zu B) on %s", step, names[i],
                     p->size, heap->info.name);
            return ret;
        }
    }
    return 0;
}

int stale_frame_of_size(size_t size, struct frame_format *f, char *why, size_t why_len)
{
    size_t pixels = size / 2;
    for (size_t h = (size_t)sqrt((double)pixels); size % 2 == 0 && h >= 16; h--) {
        char text[64];
        if (pixels % h || (pixels / h) % 16)
            continue;
        snprintf(text, sizeof(text), "rgb565:%zux%zu", pixels / h, h);
        if (frame_format_parse(text, f) == 0 && f->bytes == size)
            return 0;
    }
    snprintf(why, why_len,
             "stale: a device engine copies frames, and %zu B is no RGB565 frame (16 to 16384 "
             "pixels a side, the width a multiple of 16): a power of two from 1 KiB will do",
             size);
    return -EOPNOTSUPP;
}

static int open_engine(struct stale_probe *p, char *why, size_t why_len)
{
    struct engine_config cfg = {.cpu = p->cfg.engine_cpu,
                                .device = p->cfg.engine.device,
                                .has_format = p->has_format,
                                .format = p->format};
    int ret = engine_open(p->cfg.engine.ops, &cfg, &p->engine, why, why_len);
    for (int i = 0; !ret && i < N_STALE_BUFS; i++)
        ret = engine_attach(p->engine, p->buf[i], &p->attached[i], why, why_len);
    return ret;
}

static int init_windows(struct stale_probe *p, char *why, size_t why_len)
{
    struct sync_layout whole = {
            .buf_size = p->size, .region = p->size, .offset = 0, .count = 1, .line = p->line};
    int ret = sync_window_init(&p->write_src, p->buf[BUF_SRC], p->map[BUF_SRC], &p->cfg.strategy,
                               HEAP_SYNC_WRITE, &whole, why, why_len);
    if (!ret)
        ret = sync_window_init(&p->read_dst, p->buf[BUF_DST], p->map[BUF_DST], &p->cfg.strategy,
                               HEAP_SYNC_READ, &whole, why, why_len);
    return ret == -ERANGE ? -EOPNOTSUPP : ret;
}

int stale_probe_open(const struct stale_probe_config *cfg, struct stale_probe **out, char *why,
                     size_t why_len)
{
    int ret = check_engine(cfg, why, why_len);
    if (ret)
        return ret;
    struct stale_probe *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->cfg = *cfg;
    p->size = cfg->req.size;
    p->line = cache_line_size();
    p->expect = malloc(p->size);
    p->fresh_expect = malloc(p->size);
    if (!p->expect || !p->fresh_expect) {
        stale_probe_close(p);
        return -ENOMEM;
    }
    stale_pattern_fill(p->fresh_expect, p->size, FRESH_SEED);
    if (!engine_can(cfg->engine.ops, ENGINE_CAP_ANY_HEAP)) {
        p->has_format = true;
        ret = stale_frame_of_size(p->size, &p->format, why, why_len);
    }
    if (!ret)
        ret = alloc_buffers(p, why, why_len);
    if (!ret)
        ret = open_engine(p, why, why_len);
    if (!ret)
        ret = init_windows(p, why, why_len);
    if (ret) {
        stale_probe_close(p);
        return ret;
    }
    *out = p;
    return 0;
}

void stale_probe_sync_describe(const struct stale_probe *p, char *out, size_t out_len)
{
    sync_window_describe(&p->read_dst, out, out_len);
}

static int engine_copy(struct stale_probe *p, int from, int to)
{
    struct engine_job job = {
            .op = ENGINE_OP_COPY, .src = p->attached[from], .dst = p->attached[to], .len = p->size};
    uint64_t ticket;
    int ret = engine_submit(p->engine, &job, &ticket);
    return ret ? ret : engine_wait(p->engine, ticket, STALE_PROBE_TIMEOUT_MS);
}

/* Read dst inside a read window and count the lines that are not what the engine wrote. */
static int count_stale(struct stale_probe *p, const unsigned char *expected, size_t *stale)
{
    int ret = sync_window_begin(&p->read_dst);
    if (ret)
        return ret;
    *stale = stale_lines_count(p->map[BUF_DST], expected, p->size, p->line);
    return sync_window_end(&p->read_dst);
}

/* One load per line: what pulls dst into the CPU's caches before the engine overwrites it. */
static void pull_into_cache(const unsigned char *map, size_t size, size_t line)
{
    unsigned char sum = 0;
    for (size_t off = 0; off < size; off += line)
        sum += ((const volatile unsigned char *)map)[off];
    read_sink = sum;
}

int stale_probe_round(struct stale_probe *p, struct stale_counts *out, char *why, size_t why_len)
{
    stale_pattern_fill(p->expect, p->size, ++p->round);
    out->lines = (p->size + p->line - 1) / p->line;
    /* CPU to device. */
    const char *step = "write window on src";
    int ret = sync_window_begin(&p->write_src);
    if (!ret) {
        memcpy(p->map[BUF_SRC], p->expect, p->size);
        ret = sync_window_end(&p->write_src);
    }
    if (!ret) {
        step = "engine copy src to dst";
        ret = engine_copy(p, BUF_SRC, BUF_DST);
    }
    if (!ret) {
        step = "read window on dst";
        ret = count_stale(p, p->expect, &out->cpu_to_dev);
    }
    /* Device to CPU. */
    if (!ret) {
        pull_into_cache(p->map[BUF_DST], p->size, p->line);
        step = "engine copy fresh to dst";
        ret = engine_copy(p, BUF_FRESH, BUF_DST);
    }
    if (!ret) {
        step = "read window on dst";
        ret = count_stale(p, p->fresh_expect, &out->dev_to_cpu);
    }
    if (ret)
        snprintf(why, why_len, "stale: %s (%s engine, %s memory)", step, p->cfg.engine.ops->name,
                 p->cfg.heap->info.name);
    return ret;
}
