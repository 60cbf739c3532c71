/* workloads/dma_bounce.h - does this kernel bounce every DMA mapping, and what does that forbid?
 *
 * Booted with swiotlb=force, every streaming DMA mapping goes through a swiotlb bounce buffer,
 * whose slots hold at most 256 KiB contiguous: a dma-buf with a larger segment (the system
 * heap's 1 MiB chunks, a CMA buffer of 1 MiB) cannot be mapped by any importer. An importer
 * that fails to map a buffer says so with this, so its row names the limit, not just EIO.
 */
#ifndef DMABENCH_DMA_BOUNCE_H
#define DMABENCH_DMA_BOUNCE_H

#include <stdbool.h>
#include <stddef.h>

/* The most one segment can map through swiotlb: IO_TLB_SEGSIZE (128) slots of 2 KiB
 * (1 << IO_TLB_SHIFT), Linux's constants since 2.6. */
#define DMA_BOUNCE_MAX_SEGMENT (128u * 2048u)

/* Whether the kernel command line forces bouncing: swiotlb=force, or swiotlb=N,force (read from
 * /proc/cmdline, under $DMABENCH_DEV_ROOT as device nodes are). */
bool dma_bounce_forced(void);
/* After a mapping of a size-byte buffer failed with err: when bouncing is forced, the buffer
 * is larger than a segment may be and err is what swiotlb gives then (-EIO, -ENOMEM), append
 * "; ..." naming the limit to why. Otherwise why is left as it is. */
void dma_bounce_explain(int err, size_t size, char *why, size_t why_len);

#endif
