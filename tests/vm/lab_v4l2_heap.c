/* tests/vm/lab_v4l2_heap.c - a v4l2 heap's buffers are independent, made by several threads at
 * once, and leave nothing behind: what the shell cannot show with one `dmabench alloc`.
 *
 *   lab_v4l2_heap HEAP   4 threads each make 8 buffers of HEAP (a v4l2-videoN-QUEUE heap) at
 *                        the same time and keep them; every one is filled with its own pattern
 *                        through its dma-buf; half are freed, and the others still hold theirs;
 *                        then every dma-buf fd is gone again.
 * Runs as root in the lab VM (tests/vm/lab.sh). Static, like every tests/vm program.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dmabuf_fdinfo.h"
#include "heap.h"
#include "lab_util.h"

#define THREADS     4
#define PER_THREAD  8
#define BUFFER_SIZE ((size_t)64 << 10)

static struct lab_run run;

struct maker {
    struct heap *heap;
    struct heap_buf *bufs[PER_THREAD];
    unsigned char *addr[PER_THREAD];
    int err;
};

static void *make_buffers(void *arg)
{
    struct maker *m = arg;
    struct heap_alloc_req req = {.size = BUFFER_SIZE, .numa_node = HEAP_NODE_ANY};
    for (int i = 0; i < PER_THREAD && !m->err; i++) {
        m->err = heap_alloc(m->heap, &req, &m->bufs[i]);
        if (!m->err)
            m->err = heap_mmap(m->bufs[i], (void **)&m->addr[i]);
    }
    return NULL;
}

static unsigned char pattern_of(int thread, int i)
{
    return (unsigned char)(1 + thread * PER_THREAD + i);
}

/* The first byte of buf that is not its pattern, or its size when every byte is. */
static size_t first_other(const unsigned char *addr, size_t size, unsigned char pattern)
{
    for (size_t off = 0; off < size; off++)
        if (addr[off] != pattern)
            return off;
    return size;
}

static bool check_independent(const char *name, struct lab_detail *d)
{
    struct heap_registry *reg;
    struct maker makers[THREADS];
    pthread_t tids[THREADS];
    int before = dmabuf_count_open();
    if (heap_registry_open(&reg, NULL, 0))
        return lab_fail(d, "heap_registry_open failed");
    struct heap *heap = heap_registry_find(reg, name);
    bool ok = heap && heap->info.available;
    if (!ok)
        lab_fail(d, "heap %s: %s", name, heap ? heap->info.reason : "not found");
    memset(makers, 0, sizeof(makers));
    int started = 0;
    while (ok && started < THREADS) {
        makers[started].heap = heap;
        if (pthread_create(&tids[started], NULL, make_buffers, &makers[started]))
            ok = lab_fail(d, "pthread_create");
        else
            started++;
    }
    for (int t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    for (int t = 0; ok && t < THREADS; t++)
        if (makers[t].err)
            ok = lab_fail(d, "thread %d: %s", t, strerror(-makers[t].err));
    int live = dmabuf_count_open();
    if (ok && live - before != THREADS * PER_THREAD)
        ok = lab_fail(d, "%d dma-bufs open with %d buffers live", live - before,
                      THREADS * PER_THREAD);
    for (int t = 0; ok && t < THREADS; t++)
        for (int i = 0; i < PER_THREAD; i++) {
            heap_sync_begin(makers[t].bufs[i], HEAP_SYNC_WRITE);
            memset(makers[t].addr[i], pattern_of(t, i), makers[t].bufs[i]->alloc_size);
            heap_sync_end(makers[t].bufs[i], HEAP_SYNC_WRITE);
        }
    /* Free every other buffer: the rest keep their own memory and their own bytes. */
    for (int t = 0; ok && t < THREADS; t++)
        for (int i = 0; i < PER_THREAD; i += 2) {
            heap_free(makers[t].bufs[i]);
            makers[t].bufs[i] = NULL;
        }
    for (int t = 0; ok && t < THREADS; t++)
        for (int i = 1; ok && i < PER_THREAD; i += 2) {
            size_t size = makers[t].bufs[i]->alloc_size;
            size_t off = first_other(makers[t].addr[i], size, pattern_of(t, i));
            if (off < size)
                ok = lab_fail(d,
                              "thread %d buffer %d: byte %zu is 0x%02x, not 0x%02x after its "
                              "neighbours were freed",
                              t, i, off, makers[t].addr[i][off], pattern_of(t, i));
        }
    struct heap_counts leaked;
    heap_registry_close(reg, &leaked); /* frees what is left */
    int after = dmabuf_count_open();
    if (ok && after != before)
        ok = lab_fail(d, "%d dma-bufs open before, %d after every buffer was freed", before, after);
    printf("%s: %d threads x %d buffers of %zu bytes made at once, independent, none left\n", name,
           THREADS, PER_THREAD, BUFFER_SIZE);
    return ok;
}

int main(int argc, char **argv)
{
    struct lab_detail d = {""};
    if (argc != 2) {
        fprintf(stderr, "usage: lab_v4l2_heap HEAP\n");
        return 2;
    }
    lab_report(&run, "v4l2-heap-threads-independent", check_independent(argv[1], &d), &d);
    return lab_finish(&run, "lab_v4l2_heap");
}
