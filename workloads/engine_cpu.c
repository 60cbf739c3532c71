/* workloads/engine_cpu.c - the `cpu` engine: a software DMA engine on its own pinned thread.
 *
 * It stands in for a device on every machine: jobs go to a worker thread bound to one CPU,
 * which copies with non-temporal stores (as a DMA engine writes memory without filling the
 * caller's caches) through its own mapping of each buffer. It is a CPU, so it is cache-coherent
 * with the benchmark thread by construction: rows name it a CPU engine, never a device.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu_kernels.h"
#include "engine.h"

#define CPU_ENGINE_QUEUE 64

struct cpu_engine {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t work, done;
    struct engine_job queue[CPU_ENGINE_QUEUE];
    uint64_t queued, completed; /* tickets: queue[t % CPU_ENGINE_QUEUE] is job t */
    int first_err;              /* the first job or pinning error, reported by wait */
    bool stop;
    int cpu;
    const struct cpu_kernel *copy, *fill, *read;
};

static void cpu_engine_probe(const char *device, struct engine_probe *out)
{
    (void)device;
    const char *why = "";
    if (!cpu_kernel_find(CPU_OP_COPY, CPU_IMPL_NT, &why)) {
        out->err = -EOPNOTSUPP;
        snprintf(out->reason, sizeof(out->reason), "no non-temporal copy here: %s", why);
        return;
    }
    out->available = true;
    snprintf(out->detail, sizeof(out->detail),
             "a pinned thread copying with non-temporal stores (copy:nt); coherent with the "
             "CPU by construction, so never a device's view");
}

static void run_job(struct cpu_engine *c, const struct engine_job *job)
{
    char *src = job->src ? (char *)job->src->priv + job->src_off : NULL;
    char *dst = job->dst ? (char *)job->dst->priv + job->dst_off : NULL;
    switch (job->op) {
    case ENGINE_OP_COPY:
        c->copy->fn(dst, src, job->len);
        break;
    case ENGINE_OP_FILL:
        c->fill->fn(dst, &job->fill, job->len);
        break;
    default: {
        uint64_t sum = c->read->fn(NULL, src, job->len);
        if (job->checksum)
            *job->checksum = sum;
        break;
    }
    }
}

static void *worker(void *arg)
{
    struct cpu_engine *c = arg;
    if (c->cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(c->cpu, &set);
        int err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
        if (err) {
            pthread_mutex_lock(&c->lock);
            c->first_err = -err;
            pthread_mutex_unlock(&c->lock);
        }
    }
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (!c->stop && c->completed == c->queued)
            pthread_cond_wait(&c->work, &c->lock);
        if (c->completed == c->queued)
            break;
        struct engine_job job = c->queue[(c->completed + 1) % CPU_ENGINE_QUEUE];
        pthread_mutex_unlock(&c->lock);
        run_job(c, &job);
        pthread_mutex_lock(&c->lock);
        c->completed++;
        pthread_cond_broadcast(&c->done);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

static int cpu_engine_open(struct engine *e, const struct engine_config *cfg, char *why,
                           size_t why_len)
{
    struct cpu_engine *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    const char *reason = "";
    c->copy = cpu_kernel_find(CPU_OP_COPY, CPU_IMPL_NT, &reason);
    c->fill = cpu_kernel_find(CPU_OP_FILL, CPU_IMPL_NT, &reason);
    c->read = cpu_kernel_find(CPU_OP_READ, CPU_IMPL_AUTO, &reason);
    if (!c->copy || !c->fill || !c->read) {
        snprintf(why, why_len, "cpu engine: %s", reason);
        free(c);
        return -EOPNOTSUPP;
    }
    c->cpu = cfg->cpu;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->work, NULL);
    pthread_cond_init(&c->done, NULL);
    int err = pthread_create(&c->thread, NULL, worker, c);
    if (err) {
        snprintf(why, why_len, "cpu engine: cannot start its thread");
        pthread_cond_destroy(&c->done);
        pthread_cond_destroy(&c->work);
        pthread_mutex_destroy(&c->lock);
        free(c);
        return -err;
    }
    e->priv = c;
    return 0;
}

static void cpu_engine_close(struct engine *e)
{
    struct cpu_engine *c = e->priv;
    pthread_mutex_lock(&c->lock);
    c->stop = true;
    pthread_cond_broadcast(&c->work);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    pthread_cond_destroy(&c->done);
    pthread_cond_destroy(&c->work);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* The engine's own mapping: a device sees the memory, not the benchmark's virtual address. */
static int cpu_engine_attach(struct engine *e, struct engine_buf *b, char *why, size_t why_len)
{
    (void)e;
    void *map;
    int ret = heap_mmap(b->buf, &map);
    if (ret) {
        snprintf(why, why_len, "cpu engine: mmap of a %zu B %s buffer", b->buf->size,
                 b->buf->heap->info.name);
        return ret;
    }
    b->priv = map;
    return 0;
}

static void cpu_engine_detach(struct engine_buf *b)
{
    heap_munmap(b->buf, b->priv);
}

static int cpu_engine_submit(struct engine *e, const struct engine_job *job, uint64_t ticket)
{
    struct cpu_engine *c = e->priv;
    pthread_mutex_lock(&c->lock);
    /* A full queue waits for the engine, as a device's ring would. */
    while (c->queued - c->completed >= CPU_ENGINE_QUEUE - 1)
        pthread_cond_wait(&c->done, &c->lock);
    c->queue[ticket % CPU_ENGINE_QUEUE] = *job;
    c->queued = ticket;
    pthread_cond_signal(&c->work);
    pthread_mutex_unlock(&c->lock);
    return 0;
}

static int cpu_engine_wait(struct engine *e, uint64_t ticket, int timeout_ms)
{
    struct cpu_engine *c = e->priv;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    int ret = 0;
    pthread_mutex_lock(&c->lock);
    while (c->completed < ticket && ret == 0)
        ret = pthread_cond_timedwait(&c->done, &c->lock, &deadline);
    int err = c->first_err;
    bool done = c->completed >= ticket;
    pthread_mutex_unlock(&c->lock);
    if (!done)
        return -ETIMEDOUT;
    return err;
}

const struct engine_ops engine_cpu_ops = {
        .name = "cpu",
        .label = "CPU engine (software thread)",
        .caps = ENGINE_CAP_OP(ENGINE_OP_COPY) | ENGINE_CAP_OP(ENGINE_OP_FILL) |
                ENGINE_CAP_OP(ENGINE_OP_READ) | ENGINE_CAP_ANY_HEAP,
        .probe = cpu_engine_probe,
        .open = cpu_engine_open,
        .close = cpu_engine_close,
        .attach = cpu_engine_attach,
        .detach = cpu_engine_detach,
        .submit = cpu_engine_submit,
        .wait = cpu_engine_wait,
};
