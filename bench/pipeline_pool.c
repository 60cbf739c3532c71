/* bench/pipeline_pool.c - the frames in flight: produce, submit, wait, consume, in pool order.
 *
 * Owns every buffer, mapping, attachment and job of a pipeline case, so that a failure at any
 * step (a submit refused, a copy that never completes, a wrong byte) drains what is in flight
 * before anything is unmapped under the engine's feet.
 */
#include "pipeline_pool.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_maint.h"
#include "frame_pattern.h"
#include "size_units.h"
#include "timing.h"

struct pool_slot {
    struct heap_buf *src, *dst;
    void *src_map, *dst_map;            /* the benchmark thread's mappings */
    struct engine_buf *src_at, *dst_at; /* the engine's attachments */
    struct sync_window produce, consume;
    uint64_t ticket; /* the copy in flight, 0 when none */
    uint64_t frame;  /* the frame the slot holds (numbered over the pool's life) */
    uint64_t start;  /* ticks: when producing it began */
};

struct pipeline_pool {
    struct engine *engine;
    unsigned depth;
    size_t frame_bytes;
    enum sync_kind kind;
    uint64_t next_frame; /* every frame ever produced differs from every other */
    struct pool_slot slots[];
};

size_t pipeline_pool_frame_bytes(const struct pipeline_pool *p)
{
    return p->frame_bytes;
}

void pipeline_pool_sync_describe(const struct pipeline_pool *p, char *out, size_t out_len)
{
    sync_window_describe(&p->slots[0].consume, out, out_len);
}

static int alloc_mapped(const struct pipeline_pool_config *cfg, struct heap_buf **buf, void **map,
                        char *why, size_t why_len)
{
    const char *step = "alloc";
    int ret = heap_alloc(cfg->heap, &cfg->req, buf);
    if (!ret) {
        step = "mmap";
        ret = heap_mmap(*buf, map);
    }
    /* Fault every page in, inside a proper window, so that no frame pays for it. */
    if (!ret) {
        step = "first sync";
        if ((ret = heap_sync_begin(*buf, HEAP_SYNC_RW)) == 0) {
            memset(*map, 0, (*buf)->size);
            ret = heap_sync_end(*buf, HEAP_SYNC_RW);
        }
    }
    if (ret) {
        char size[32];
        snprintf(why, why_len, "%s of a %s frame buffer on %s", step,
                 size_format(cfg->req.size, size, sizeof(size)), cfg->heap->info.name);
    }
    return ret;
}

static int open_slot(struct pipeline_pool *p, struct pool_slot *s,
                     const struct pipeline_pool_config *cfg, char *why, size_t why_len)
{
    int ret = alloc_mapped(cfg, &s->src, &s->src_map, why, why_len);
    if (!ret)
        ret = alloc_mapped(cfg, &s->dst, &s->dst_map, why, why_len);
    if (ret)
        return ret;
    struct sync_layout whole = {
            .buf_size = s->src->size,
            .region = s->src->size,
            .count = 1,
            .line = cache_line_size(),
    };
    ret = sync_window_init(&s->produce, s->src, s->src_map, &cfg->strategy, HEAP_SYNC_WRITE, &whole,
                           why, why_len);
    if (!ret)
        ret = sync_window_init(&s->consume, s->dst, s->dst_map, &cfg->strategy, HEAP_SYNC_READ,
                               &whole, why, why_len);
    if (!ret)
        ret = engine_attach(p->engine, s->src, &s->src_at, why, why_len);
    if (!ret)
        ret = engine_attach(p->engine, s->dst, &s->dst_at, why, why_len);
    return ret;
}

int pipeline_pool_open(const struct pipeline_pool_config *cfg, struct pipeline_pool **out,
                       char *why, size_t why_len)
{
    if (!cfg->depth || !cfg->req.size)
        return -EINVAL;
    struct pipeline_pool *p = calloc(1, sizeof(*p) + cfg->depth * sizeof(p->slots[0]));
    if (!p)
        return -ENOMEM;
    p->depth = cfg->depth;
    p->frame_bytes = cfg->req.size;
    p->kind = cfg->strategy.kind;
    struct engine_config ec = cfg->engine_config;
    ec.slots = cfg->depth;
    int ret = engine_open(cfg->engine, &ec, &p->engine, why, why_len);
    for (unsigned i = 0; !ret && i < p->depth; i++)
        ret = open_slot(p, &p->slots[i], cfg, why, why_len);
    if (ret) {
        pipeline_pool_close(p);
        return ret;
    }
    *out = p;
    return 0;
}

/* Wait for every copy still in flight; their results no longer matter. */
static void drain(struct pipeline_pool *p)
{
    for (unsigned i = 0; i < p->depth; i++) {
        struct pool_slot *s = &p->slots[i];
        if (s->ticket)
            engine_wait(p->engine, s->ticket, PIPELINE_WAIT_MS);
        s->ticket = 0;
    }
}

void pipeline_pool_close(struct pipeline_pool *p)
{
    if (!p)
        return;
    if (p->engine)
        drain(p);
    for (unsigned i = 0; i < p->depth; i++) {
        struct pool_slot *s = &p->slots[i];
        engine_detach(s->src_at);
        engine_detach(s->dst_at);
        heap_free(s->src); /* unmaps too */
        heap_free(s->dst);
    }
    engine_close(p->engine);
    free(p);
}

/* The CPU writes the next frame into slot s, then hands it to the engine. */
static int produce(struct pipeline_pool *p, struct pool_slot *s, char *why, size_t why_len)
{
    s->start = timing_now();
    s->frame = p->next_frame++;
    int ret = sync_window_begin(&s->produce);
    if (ret) {
        snprintf(why, why_len, "%s sync begin (write) of frame %llu", sync_kind_name(p->kind),
                 (unsigned long long)s->frame);
        return ret;
    }
    frame_pattern_write(s->src_map, p->frame_bytes, s->frame);
    if ((ret = sync_window_end(&s->produce)) != 0) {
        snprintf(why, why_len, "%s sync end (write) of frame %llu", sync_kind_name(p->kind),
                 (unsigned long long)s->frame);
        return ret;
    }
    struct engine_job job = {
            .op = ENGINE_OP_COPY,
            .src = s->src_at,
            .dst = s->dst_at,
            .len = p->frame_bytes,
    };
    if ((ret = engine_submit(p->engine, &job, &s->ticket)) != 0) {
        s->ticket = 0;
        snprintf(why, why_len, "engine %s: submit of frame %llu's copy", p->engine->ops->name,
                 (unsigned long long)s->frame);
    }
    return ret;
}

/* Once the engine is done with slot s, the CPU reads and checks its copy. */
static int consume(struct pipeline_pool *p, struct pool_slot *s, double *latency_ns, char *why,
                   size_t why_len)
{
    unsigned long long frame = (unsigned long long)s->frame;
    int ret = engine_wait(p->engine, s->ticket, PIPELINE_WAIT_MS);
    if (ret == -ETIMEDOUT) {
        snprintf(why, why_len, "engine %s: frame %llu's copy not done after %d ms",
                 p->engine->ops->name, frame, PIPELINE_WAIT_MS);
        return ret;
    }
    if (ret) {
        snprintf(why, why_len, "engine %s: frame %llu's copy failed", p->engine->ops->name, frame);
        return ret;
    }
    s->ticket = 0;
    if ((ret = sync_window_begin(&s->consume)) != 0) {
        snprintf(why, why_len, "%s sync begin (read) of frame %llu", sync_kind_name(p->kind),
                 frame);
        return ret;
    }
    struct frame_mismatch bad;
    bool right = frame_pattern_check(s->dst_map, p->frame_bytes, s->frame, &bad);
    if ((ret = sync_window_end(&s->consume)) != 0) {
        snprintf(why, why_len, "%s sync end (read) of frame %llu", sync_kind_name(p->kind), frame);
        return ret;
    }
    uint64_t end = timing_now();
    if (!right) {
        snprintf(why, why_len,
                 "frame %llu: byte %zu of the engine's copy is 0x%02x, expected 0x%02x (stale "
                 "or wrong data%s)",
                 frame, bad.offset, bad.got, bad.want,
                 p->kind == SYNC_NONE ? "; strategy none skips the sync this heap may need" : "");
        return -EIO;
    }
    *latency_ns = timing_ticks_to_ns(end - s->start);
    return 0;
}

int pipeline_pool_run(struct pipeline_pool *p, uint64_t frames, double *latency_ns,
                      double *elapsed_ns, char *why, size_t why_len)
{
    double untimed;
    int ret = 0;
    /* Fill: every slot's frame produced, the engine busy with the first. */
    for (unsigned i = 0; !ret && i < p->depth; i++)
        ret = produce(p, &p->slots[i], why, why_len);
    /* Steady state, timed: the oldest frame out, the next one into its slot. */
    uint64_t t0 = timing_now();
    for (uint64_t f = 0; !ret && f < frames; f++) {
        struct pool_slot *oldest = &p->slots[f % p->depth];
        ret = consume(p, oldest, &latency_ns[f], why, why_len);
        if (!ret)
            ret = produce(p, oldest, why, why_len);
    }
    *elapsed_ns = timing_ticks_to_ns(timing_now() - t0);
    /* Drain: the frames still in flight are checked too, oldest first. */
    for (uint64_t f = frames; !ret && f < frames + p->depth; f++)
        ret = consume(p, &p->slots[f % p->depth], &untimed, why, why_len);
    if (ret)
        drain(p);
    return ret;
}
