/* tests/host/chase_lap.c - the reference for `dmabench run cpu --kernel chase`: a whole lap.
 *
 * A host buffer allocated as dmabench allocates it (the host heap, base pages or THP), one
 * random cycle of its 64-byte lines, one untimed lap, then one lap timed on CLOCK_MONOTONIC: in
 * that lap every line's last load was one lap earlier, so beyond the cache every load misses it,
 * whatever the benchmark's sampling does. tests/host/run.sh compares the two.
 *
 *   chase_lap BYTES [base|thp]     prints "mean M median D": ns per load over the whole lap, and
 *                                  the median over its stretches of CHUNK loads (robust to a
 *                                  neighbour's burst, like the benchmark's median of samples)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu_kernels.h"
#include "heap.h"
#include "pinning.h"

#define LINE  64
#define CHUNK 65536 /* loads per timed stretch: 5-20 ms from DRAM, as long as a sample */

static volatile uintptr_t sink; /* where each lap ended: keeps the loads */

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Time one lap over buf, after an untimed one; -errno when the cycle cannot be built. */
static int time_lap(void *buf, size_t bytes)
{
    struct chase c;
    int ret = chase_init(&c, buf, bytes, LINE, 0x2545f491u);
    if (ret)
        return ret;
    size_t n = (size_t)((c.lap + CHUNK - 1) / CHUNK), whole = (size_t)(c.lap / CHUNK);
    double *chunk_ns = calloc(n, sizeof(*chunk_ns));
    if (!chunk_ns)
        return -ENOMEM;
    sink += (uintptr_t)chase_walk(&c, c.lap);
    double start = now_ns(), t = start;
    for (size_t i = 0; i < n; i++) {
        sink += (uintptr_t)chase_walk(&c, i < whole ? CHUNK : c.lap % CHUNK);
        double t1 = now_ns();
        chunk_ns[i] = (t1 - t) / (double)(i < whole ? CHUNK : c.lap % CHUNK);
        t = t1;
    }
    /* The median of the whole stretches: a short tail would weigh as much as a whole one. */
    size_t m = whole ? whole : n;
    qsort(chunk_ns, m, sizeof(*chunk_ns), by_value);
    printf("mean %.3f median %.3f\n", (t - start) / (double)c.lap,
           m % 2 ? chunk_ns[m / 2] : (chunk_ns[m / 2 - 1] + chunk_ns[m / 2]) / 2);
    free(chunk_ns);
    return 0;
}

int main(int argc, char **argv)
{
    char *end;
    size_t bytes = argc > 1 ? strtoull(argv[1], &end, 0) : 0;
    const char *kind = argc > 2 ? argv[2] : "base";
    if (argc < 2 || argc > 3 || *end || bytes < LINE ||
        (strcmp(kind, "base") && strcmp(kind, "thp"))) {
        fprintf(stderr, "usage: chase_lap BYTES [base|thp]\n");
        return 2;
    }
    char err[256];
    struct pinning *pins;
    struct heap_registry *reg;
    struct heap_buf *buf = NULL;
    void *map = NULL;
    struct heap_alloc_req req = {
            .size = bytes, .page_kind = strcmp(kind, "thp") ? HEAP_PAGES_BASE : HEAP_PAGES_THP};
    /* dmabench runs a chase on the first CPU of its list: so does the reference. */
    int ret = pinning_open(&pins, "", err, sizeof(err));
    if (ret) {
        fprintf(stderr, "chase_lap: pinning: %s\n", err);
        return 1;
    }
    if ((ret = pinning_bind_thread(pins, 0)) == 0 &&
        (ret = heap_registry_open(&reg, NULL, 0)) == 0) {
        struct heap *host = heap_registry_find(reg, "host");
        if (!host)
            ret = -ENODEV;
        if (!ret && (ret = heap_alloc(host, &req, &buf)) == 0 &&
            (ret = heap_mmap(buf, &map)) == 0) {
            memset(map, 0x5a, buf->alloc_size); /* as the benchmark does */
            ret = time_lap(map, bytes);
        }
        if (buf)
            heap_free(buf);
        heap_registry_close(reg, NULL);
    }
    pinning_close(pins);
    if (ret)
        fprintf(stderr, "chase_lap: %zu B of %s host memory: %s\n", bytes, kind, strerror(-ret));
    return ret ? 1 : 0;
}
