/* coherency/fence_probe.c - a real implicit fence (vgem's or sw_sync's), a sync_file, poll().
 *
 * The signalling side waits until the waiter has announced itself and then a millisecond
 * more, so that the waiter is asleep in poll() when the fence signals: what is measured is
 * the kernel's wake-up path, not a waiter that never slept.
 */
#include "fence_probe.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dmabuf_ops.h"
#include "engine.h"
#include "timing.h"

#define FENCE_PROBE_SETTLE_NS 1000000L /* the waiter's time to fall asleep in poll() */

struct fence_probe {
    struct heap_buf *buf;
    struct engine *engine;
    struct engine_buf *import;
};

struct fence_run {
    struct fence_probe *p;
    int sync_file;
    uint32_t fence;
    atomic_bool waiting;
    int signal_err, poll_ret;
    short revents;
    uint64_t signalled, woke; /* ticks */
};

void fence_probe_close(struct fence_probe *p)
{
    if (!p)
        return;
    engine_detach(p->import);
    engine_close(p->engine);
    heap_free(p->buf);
    free(p);
}

static int no_engine(int ret)
{
    return ret == -ENODEV || ret == -ENOENT || ret == -EACCES || ret == -EPERM ? -EOPNOTSUPP : ret;
}

int fence_probe_open(struct heap *heap, const struct heap_alloc_req *req,
                     const struct engine_choice *engine, struct fence_probe **out, char *why,
                     size_t why_len)
{
    if (!engine_can(engine->ops, ENGINE_CAP_FENCE)) {
        snprintf(why, why_len, "fence: engine %s puts no fences on buffers: %s (vgem, sw_sync do)",
                 engine->ops->name, engine->ops->label);
        return -EOPNOTSUPP;
    }
    if (!heap->info.is_dmabuf) {
        snprintf(why, why_len, "fence: %s memory is not a dma-buf, so it has no implicit fences",
                 heap->info.name);
        return -EOPNOTSUPP;
    }
    struct fence_probe *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    struct engine_config cfg = {.cpu = -1, .device = engine->device};
    int ret = engine_open(engine->ops, &cfg, &p->engine, why, why_len);
    if (ret) {
        fence_probe_close(p);
        return no_engine(ret);
    }
    if ((ret = heap_alloc(heap, req, &p->buf)) != 0) {
        snprintf(why, why_len, "fence: alloc of %zu B on %s", req->size, heap->info.name);
    } else if ((ret = engine_attach(p->engine, p->buf, &p->import, why, why_len)) == 0) {
        /* With no fence on the buffer yet the export only tells whether the kernel has it. */
        int fd = dmabuf_export_sync_file(heap_buf_fd(p->buf), HEAP_SYNC_READ);
        if (fd >= 0) {
            close(fd);
        } else if (fd == -ENOTTY) {
            snprintf(why, why_len,
                     "fence: the kernel has no DMA_BUF_IOCTL_EXPORT_SYNC_FILE "
                     "(Linux 6.0 and later)");
            ret = -EOPNOTSUPP;
        } else {
            snprintf(why, why_len, "fence: DMA_BUF_IOCTL_EXPORT_SYNC_FILE on %s", heap->info.name);
            ret = fd;
        }
    }
    if (ret) {
        fence_probe_close(p);
        return ret;
    }
    *out = p;
    return 0;
}

static void sleep_ns(long ns)
{
    struct timespec ts = {.tv_sec = ns / 1000000000L, .tv_nsec = ns % 1000000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}

static void signal_or_wait(void *arg, unsigned side)
{
    struct fence_run *r = arg;
    if (side == 1) {
        struct pollfd pfd = {.fd = r->sync_file, .events = POLLIN};
        atomic_store(&r->waiting, true);
        r->poll_ret = poll(&pfd, 1, FENCE_PROBE_TIMEOUT_MS);
        r->woke = timing_now();
        r->revents = pfd.revents;
        if (r->poll_ret < 0)
            r->poll_ret = -errno;
        return;
    }
    while (!atomic_load(&r->waiting))
        sched_yield();
    sleep_ns(FENCE_PROBE_SETTLE_NS);
    r->signalled = timing_now();
    r->signal_err = engine_fence_signal(r->p->engine, r->fence);
}

int fence_probe_measure(struct fence_probe *p, const struct thread_pair *pair,
                        double *signal_to_wake_ns, char *why, size_t why_len)
{
    timing_init();
    struct fence_run r = {.p = p, .sync_file = -1};
    atomic_init(&r.waiting, false);
    int ret = engine_fence_attach(p->import, true, &r.fence);
    if (ret) {
        snprintf(why, why_len, "fence: %s fence attach on %s", p->engine->ops->name,
                 p->buf->heap->info.name);
        return ret;
    }
    r.sync_file = dmabuf_export_sync_file(heap_buf_fd(p->buf), HEAP_SYNC_READ);
    if (r.sync_file < 0) {
        engine_fence_signal(p->engine, r.fence);
        snprintf(why, why_len, "fence: DMA_BUF_IOCTL_EXPORT_SYNC_FILE on %s",
                 p->buf->heap->info.name);
        return r.sync_file;
    }
    struct pollfd now = {.fd = r.sync_file, .events = POLLIN};
    if (poll(&now, 1, 0) != 0) {
        snprintf(why, why_len, "fence: the sync_file was ready before %s's fence signalled",
                 p->engine->ops->name);
        ret = -EPROTO;
    } else if ((ret = thread_pair_run(pair, signal_or_wait, &r)) != 0) {
        snprintf(why, why_len, "fence: binding the waiter and the signaller");
    } else if (r.signal_err) {
        snprintf(why, why_len, "fence: %s fence signal", p->engine->ops->name);
        ret = r.signal_err;
    } else if (r.poll_ret <= 0 || !(r.revents & POLLIN)) {
        snprintf(why, why_len, "fence: poll() on the sync_file %s",
                 r.poll_ret == 0 ? "timed out after the signal" : "failed");
        ret = r.poll_ret < 0 ? r.poll_ret : -ETIMEDOUT;
    } else if (r.woke < r.signalled) {
        snprintf(why, why_len, "fence: the waiter woke before the fence was signalled");
        ret = -EPROTO;
    } else {
        *signal_to_wake_ns = timing_ticks_to_ns(r.woke - r.signalled);
    }
    if (ret && !r.signalled)
        engine_fence_signal(p->engine, r.fence); /* leave no fence pending on the buffer */
    close(r.sync_file);
    return ret;
}
