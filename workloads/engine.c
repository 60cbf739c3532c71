/* workloads/engine.c - the engine core: the list of backends, checks every job goes through.
 *
 * Backends get only valid requests: an operation they have, regions inside buffers they have
 * attached. The core also counts attachments, so a benchmark that leaks one is caught, and it
 * is where a test's injected submit fault (heaps/heap_fault.h) reaches every engine.
 */
#include "engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dma_bounce.h"
#include "engine_backends.h"
#include "heap_fault.h"

#define ENGINE_ENTRY(name) &engine_##name##_ops,
static const struct engine_ops *const all_engines[] = {ENGINE_BACKENDS(ENGINE_ENTRY)};
#undef ENGINE_ENTRY

size_t engine_count(void)
{
    return sizeof(all_engines) / sizeof(all_engines[0]);
}

const struct engine_ops *engine_at(size_t i)
{
    return i < engine_count() ? all_engines[i] : NULL;
}

const struct engine_ops *engine_find(const char *name)
{
    for (size_t i = 0; i < engine_count(); i++)
        if (!strcmp(all_engines[i]->name, name))
            return all_engines[i];
    return NULL;
}

const char *engine_names(void)
{
#define ENGINE_NAME(name) #name ", "
    static const char names[] = ENGINE_BACKENDS(ENGINE_NAME);
#undef ENGINE_NAME
    static char trimmed[sizeof(names)];
    if (!trimmed[0])
        snprintf(trimmed, sizeof(trimmed), "%.*s", (int)sizeof(names) - 3, names);
    return trimmed;
}

bool engine_can(const struct engine_ops *ops, unsigned caps)
{
    return (ops->caps & caps) == caps;
}

const char *engine_op_name(enum engine_op op)
{
    static const char *const names[N_ENGINE_OPS] = {"copy", "fill", "read"};
    return op < N_ENGINE_OPS ? names[op] : "?";
}

int engine_open(const struct engine_ops *ops, const struct engine_config *cfg, struct engine **out,
                char *why, size_t why_len)
{
    struct engine_probe probe = {0};
    ops->probe(&probe);
    if (!probe.available) {
        snprintf(why, why_len, "%s: %s", ops->name, probe.reason);
        return probe.err ? probe.err : -ENODEV;
    }
    struct engine *e = calloc(1, sizeof(*e));
    if (!e)
        return -ENOMEM;
    e->ops = ops;
    e->config = *cfg;
    if (!e->config.slots)
        e->config.slots = 1;
    int ret = ops->open(e, &e->config, why, why_len);
    if (ret) {
        free(e);
        return ret;
    }
    *out = e;
    return 0;
}

void engine_close(struct engine *e)
{
    if (!e)
        return;
    e->ops->close(e);
    free(e);
}

/* dma_buf_attach's ENOSYS: the exporter gives no device a mapping of its buffers (the DRM GEM
 * VRAM helpers' dumb buffers have no sg table: bochs-drm). Not this engine's failure, nor one a
 * retry mends: the case is skipped, saying so after the engine's own words (short enough that
 * edu's, the longest, still fits a row's reason of 192 bytes). */
static int unattachable_export(char *why, size_t why_len)
{
    size_t used = strnlen(why, why_len);
    if (used + 1 < why_len)
        snprintf(why + used, why_len - used, "; the exporter maps it for no device (ENOSYS)");
    return -EOPNOTSUPP;
}

int engine_attach(struct engine *e, struct heap_buf *buf, struct engine_buf **out, char *why,
                  size_t why_len)
{
    if (buf->fd < 0 && !engine_can(e->ops, ENGINE_CAP_ANY_HEAP)) {
        snprintf(why, why_len, "%s: %s memory is not a dma-buf, and this engine imports dma-bufs",
                 e->ops->name, buf->heap->info.name);
        return -EOPNOTSUPP;
    }
    struct engine_buf *b = calloc(1, sizeof(*b));
    if (!b)
        return -ENOMEM;
    b->engine = e;
    b->buf = buf;
    int ret = e->ops->attach(e, b, why, why_len);
    if (ret) {
        /* An engine that maps at attach may have met the bounce buffers' limit. */
        if (engine_can(e->ops, ENGINE_CAP_MAPPED_ATTACH))
            dma_bounce_explain(ret, buf->size, why, why_len);
        free(b);
        if (ret == -ENOSYS)
            return unattachable_export(why, why_len);
        return ret;
    }
    e->attached++;
    *out = b;
    return 0;
}

void engine_detach(struct engine_buf *b)
{
    if (!b)
        return;
    b->engine->ops->detach(b);
    b->engine->attached--;
    free(b);
}

static bool region_ok(const struct engine *e, const struct engine_buf *b, size_t off, size_t len)
{
    return b && b->engine == e && off <= b->buf->size && len <= b->buf->size - off;
}

int engine_submit(struct engine *e, const struct engine_job *job, uint64_t *ticket)
{
    if (job->op >= N_ENGINE_OPS || !job->len)
        return -EINVAL;
    if (!engine_can(e->ops, ENGINE_CAP_OP(job->op)))
        return -EOPNOTSUPP;
    bool src = job->op != ENGINE_OP_FILL, dst = job->op != ENGINE_OP_READ;
    if ((src && !region_ok(e, job->src, job->src_off, job->len)) ||
        (dst && !region_ok(e, job->dst, job->dst_off, job->len)))
        return -EINVAL;
    /* tests only (DMABENCH_FAULT=submit:N:ERRNO): a device refusing a job, for every engine */
    int ret = heap_fault_inject(HEAP_FAULT_SUBMIT);
    if (!ret)
        ret = e->ops->submit(e, job, e->submitted + 1);
    if (ret)
        return ret;
    *ticket = ++e->submitted;
    return 0;
}

int engine_wait(struct engine *e, uint64_t ticket, int timeout_ms)
{
    if (!ticket || ticket > e->submitted)
        return -EINVAL;
    return e->ops->wait(e, ticket, timeout_ms);
}

int engine_fence_attach(struct engine_buf *b, bool write, uint32_t *fence)
{
    if (!engine_can(b->engine->ops, ENGINE_CAP_FENCE))
        return -EOPNOTSUPP;
    return b->engine->ops->fence_attach(b, write, fence);
}

int engine_fence_signal(struct engine *e, uint32_t fence)
{
    if (!engine_can(e->ops, ENGINE_CAP_FENCE))
        return -EOPNOTSUPP;
    return e->ops->fence_signal(e, fence);
}
