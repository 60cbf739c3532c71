/* bench/measure/mem_state.h - the memory a heap draws from, read before and after a case: CMA
 * (/proc/meminfo CmaTotal, CmaFree), the buddy allocator's free blocks per order
 * (/proc/buddyinfo) and a heap page pool where the kernel shows one.
 *
 * Read under a root (NULL: the real /proc and /sys) so tests plant a board's files. A figure the
 * kernel does not show is marked as not there, never 0.
 */
#ifndef DMABENCH_MEM_STATE_H
#define DMABENCH_MEM_STATE_H

#include <stddef.h>

#define MEM_STATE_MAX_ORDERS 20 /* MAX_PAGE_ORDER is 10 on 4 KiB pages, 13 on arm64's 64 KiB */

struct mem_state {
    long long cma_total_kib, cma_free_kib; /* -1: no CmaTotal (a kernel without CMA) */
    /* Free blocks of each order, summed over every zone of every node: a heap draws from
     * whichever zone its GFP flags allow, and CMA pages sit inside the zones. */
    unsigned long long buddy_free[MEM_STATE_MAX_ORDERS];
    int buddy_orders;   /* orders read; 0: /proc/buddyinfo not readable */
    long long pool_kib; /* pages the dma-buf heaps keep in pools (Android's
                         * /sys/kernel/dma_heap/total_pools_kb); -1: none shown */
};

/* Fill out from the files under root; what is missing stays marked missing. Always 0. */
int mem_state_read(const char *root, struct mem_state *out);
/* One line for a row's note: "memory before/after the case: CmaFree B/A KiB of CmaTotal T
 * KiB; buddyinfo free blocks per order 0-N (all zones and nodes) b0,b1,../a0,a1,..; heap page
 * pools B/A KiB (...)", each figure as before/after. */
void mem_state_describe(const struct mem_state *before, const struct mem_state *after, char *out,
                        size_t len);

#endif
