/* bench/alloc_pressure.h - the alloc benchmark's `alloc-pressure` kernel: allocate buffers of the
 * case's size until the heap refuses or the fill reaches its bound, then free them all.
 *
 * The bound keeps a fill from taking the machine down: --max-mem (or its share of what is free,
 * as the memory guard reckons it), never below a reserve of MemAvailable, never more buffers
 * than there are open files for, nor than a fixed cap. A heap that never refuses within it is a
 * result (the fill stopped at the bound), not an error.
 */
#ifndef DMABENCH_ALLOC_PRESSURE_H
#define DMABENCH_ALLOC_PRESSURE_H

#include <stdbool.h>
#include <stddef.h>

#include "heap.h"
#include "mem_limit.h"

/* The most buffers a fill holds: below vm.max_map_count's default (65530), which host memory's
 * mappings would otherwise reach first, and its arrays stay small. */
#define PRESSURE_MAX_BUFFERS 32768
/* Open files left for everything else when the fill's dma-bufs take the rest. */
#define PRESSURE_SPARE_FILES 64
/* A dma-buf buffer holds up to this many open files (udmabuf keeps its memfd beside the
 * dma-buf). */
#define PRESSURE_FILES_PER_BUFFER 2

/* Why a fill stopped: X(ID, what the note calls it). */
/* clang-format off */
#define PRESSURE_STOPS(X)                                                                          \
    X(GOING,    "not stopped")                                                                     \
    X(REFUSED,  "the heap refused")                                                                \
    X(MAX_MEM,  "--max-mem")                                                                       \
    X(RESERVE,  "the memory reserve")                                                              \
    X(FILES,    "the open-file limit")                                                             \
    X(CAP,      "the buffer cap")
/* clang-format on */
#define PRESSURE_STOP_ENUM(id, text) PRESSURE_##id,
enum pressure_stop { PRESSURE_STOPS(PRESSURE_STOP_ENUM) };
#undef PRESSURE_STOP_ENUM

/* How far a fill may go. */
struct pressure_bound {
    size_t bytes;                  /* the most it may hold, in bytes */
    enum pressure_stop by;         /* which limit set bytes: MAX_MEM or RESERVE */
    size_t buffers;                /* the most buffers it may hold */
    enum pressure_stop buffers_by; /* FILES or CAP */
    char why[160];                 /* the bound in words, for the note: "--max-mem 64 MiB" */
};

/* The bound for a heap: limit (NULL: the default share) of info's MemAvailable, and of its
 * CmaFree too for a contiguous heap (cma); at most MemAvailable less an eighth of MemTotal;
 * buffers from open_files (RLIMIT_NOFILE's soft limit) for a dma-buf heap, and the cap. */
void pressure_bound_set(struct pressure_bound *b, const struct mem_limit *limit,
                        const struct mem_info *info, bool cma, bool dmabuf, size_t open_files);

/* The stop rule: before allocating one more buffer of size bytes (page-rounded) while held
 * bytes in n buffers are held, GOING, or the limit that stops the fill there. */
enum pressure_stop pressure_next(const struct pressure_bound *b, size_t held, size_t n,
                                 size_t size);

/* The most buffers a fill of size bytes can reach: what its arrays need. */
size_t pressure_max_buffers(const struct pressure_bound *b, size_t size);

/* How one fill ended. */
struct pressure_fill {
    enum pressure_stop stop;
    int err;        /* with REFUSED: the -errno the heap answered */
    size_t buffers; /* buffers allocated before the stop */
    size_t bytes;   /* their bytes (as allocated: page-rounded) */
};

/* Fill bufs[] (pressure_max_buffers of them) with buffers of req until the stop rule or the
 * heap says stop, timing each allocation into alloc_ns[]. */
void pressure_fill(struct heap *heap, const struct heap_alloc_req *req,
                   const struct pressure_bound *b, struct heap_buf **bufs, double *alloc_ns,
                   struct pressure_fill *out);

/* The note's sentence for a fill of size-byte buffers: "alloc-pressure: the heap refused buffer
 * 61 (1 MiB) with ENOMEM (Cannot allocate memory) after 60 buffers, 60 MiB held" or "...:
 * stopped at --max-mem 64 MiB after 64 buffers of 1 MiB, 64 MiB held; the heap never refused". */
void pressure_describe(const struct pressure_fill *f, const struct pressure_bound *b, size_t size,
                       char *out, size_t len);

#endif
