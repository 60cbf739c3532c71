/* bench/mem_guard.h - will this sweep fit? Its peak memory against what the board has free.
 *
 * A sweep that asks for more than the board can give ends in the OOM killer taking out
 * whatever else runs there (a camera HAL, a CI agent), or in CMA exhausted for the display.
 * Before the first case, the largest amount any one case holds at once is compared with a
 * share of MemAvailable (and of CmaFree for contiguous heaps), and the run is refused.
 */
#ifndef DMABENCH_MEM_GUARD_H
#define DMABENCH_MEM_GUARD_H

#include <stdbool.h>
#include <stddef.h>

#include "heap.h"
#include "mem_limit.h"
#include "sweep.h"

/* The case that needs the most, per pool. */
struct mem_peak {
    size_t bytes;
    char case_id[320];
    char how[160];     /* "64 MiB x batch 16" */
    const char *lower; /* the options that make this case smaller; NULL: the guard's */
};

struct mem_guard {
    struct mem_peak ram; /* every case: its buffers come out of MemAvailable */
    struct mem_peak cma; /* cases on contiguous (CMA) heaps */
    const char *lower;   /* the options that make it smaller; NULL: the peak case's, else
                          * "--size or --batch" */
};

/* Bytes the case holds at once: its buffer (with what its benchmark adds to each, page-rounded;
 * one frame for a case with a format and no size) times the buffers it has at once, both from
 * its benchmark's buffers_held (bench.h); a benchmark without one gets size x batch x threads
 * x 2, an over-estimate on purpose. how says which ("1 MiB x batch 8"). SIZE_MAX when that
 * arithmetic does not fit in a size_t (size + offset, or x buffers, wraps): no such case can
 * run, and mem_guard_check refuses it. */
size_t mem_guard_case_bytes(const struct bench_case *c, char *how, size_t how_len);
/* Account one case (heap may be NULL: the case will fail before allocating). */
void mem_guard_add(struct mem_guard *g, const struct bench_case *c, const struct heap *heap);
/* 0 when the peaks fit, else -E2BIG with one line in err for the caller to put after "the
 * sweep needs": "up to 128 MiB at once (CASE: 32 MiB x batch 4), more than 50% of
 * MemAvailable (...); lower --size or --batch, or allow it with --max-mem 128MiB". The hint
 * names a --max-mem only within the machine's RAM: above it, "more than the 23.5 GiB of RAM this
 * machine has (MemTotal); lower ...". A case whose bytes do not fit in a size_t is -EOVERFLOW:
 * "more than the address space: CASE: 8 KiB + 16.0 EiB does not fit in 64 bits; lower ...". */
int mem_guard_check(const struct mem_guard *g, const struct mem_info *info,
                    const struct mem_limit *limit, char *err, size_t err_len);

#endif
