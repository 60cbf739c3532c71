/* bench/mem_limit.h - what one case may hold at once: --max-mem, and the memory /proc/meminfo
 * says is free.
 *
 * The memory guard (bench/mem_guard.h) checks a sweep's largest case against it before a run;
 * a benchmark that holds what the heap will give (alloc-pressure) bounds itself by it as it
 * runs, which is why this knows no benchmark.
 */
#ifndef DMABENCH_MEM_LIMIT_H
#define DMABENCH_MEM_LIMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "heap.h"

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

/* Read /proc/meminfo (or $DMABENCH_MEMINFO). 0, or -errno / -EINVAL without MemAvailable. */
int mem_info_read(struct mem_info *out);
/* --max-mem: "SIZE" (4G) or "N%" (1..100). 0 or -EINVAL. */
int mem_limit_parse(const char *text, struct mem_limit *out);
/* A --max-mem SIZE above the machine's RAM (MemTotal, where known) allows what can only end in
 * the OOM killer: -E2BIG with "--max-mem 2 GiB is more than the 976.6 MiB of RAM this machine
 * has (MemTotal)" in err, else 0. */
int mem_limit_check_machine(const struct mem_limit *limit, const struct mem_info *info, char *err,
                            size_t err_len);
/* What limit allows a case to hold of a pool with pool_free bytes free (MemAvailable, or CmaFree
 * for a contiguous heap): its bytes, else its percent (NULL or 0: the default) of pool_free. */
size_t mem_limit_allowed(const struct mem_limit *limit, size_t pool_free);
/* Whether a heap's buffers come out of CMA (class contiguous, or "cma" in its name). */
bool mem_guard_heap_is_cma(const struct heap *heap);

#endif
