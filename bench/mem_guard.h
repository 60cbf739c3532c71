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
#include "sweep.h"

#define MEM_GUARD_DEFAULT_PERCENT 50
/* Test-only: read this file instead of /proc/meminfo (tests plant a small board). */
#define MEM_GUARD_MEMINFO_ENV "DMABENCH_MEMINFO"

/* What /proc/meminfo says, in bytes. */
struct mem_info {
    size_t mem_total; /* the machine's RAM; 0 when /proc/meminfo does not say */
    size_t mem_available;
    size_t cma_free;
    bool have_cma; /* CmaTotal present and non-zero */
};

/* The limit: a share of what is free (percent of MemAvailable / CmaFree), or a size. */
struct mem_limit {
    unsigned percent; /* 1..100 when bytes == 0 */
    size_t bytes;     /* --max-mem SIZE: this much, whatever is free */
};

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

/* Read /proc/meminfo (or $DMABENCH_MEMINFO). 0, or -errno / -EINVAL without MemAvailable. */
int mem_info_read(struct mem_info *out);
/* --max-mem: "SIZE" (4G) or "N%" (1..100). 0 or -EINVAL. */
int mem_limit_parse(const char *text, struct mem_limit *out);
/* A --max-mem SIZE above the machine's RAM (MemTotal, where known) allows what can only end in
 * the OOM killer: -E2BIG with "--max-mem 2 GiB is more than the 976.6 MiB of RAM this machine
 * has (MemTotal)" in err, else 0. */
int mem_limit_check_machine(const struct mem_limit *limit, const struct mem_info *info, char *err,
                            size_t err_len);
/* Bytes the case holds at once: its buffer (with what its benchmark adds to each, page-rounded;
 * one frame for a case with a format and no size) times the buffers it has at once, both from
 * its benchmark's buffers_held (bench.h); a benchmark without one gets size x batch x threads
 * x 2, an over-estimate on purpose. how says which ("1 MiB x batch 8"). SIZE_MAX when that
 * arithmetic does not fit in a size_t (size + offset, or x buffers, wraps): no such case can
 * run, and mem_guard_check refuses it. */
size_t mem_guard_case_bytes(const struct bench_case *c, char *how, size_t how_len);
/* Whether a heap's buffers come out of CMA (class contiguous, or "cma" in its name). */
bool mem_guard_heap_is_cma(const struct heap *heap);
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
