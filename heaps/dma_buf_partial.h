/* heaps/dma_buf_partial.h - the vendor partial (range) sync ioctl for dma-bufs.
 *
 * This is a vendor ABI (Android BSPs from several SoC vendors), NOT in mainline uapi: mainline
 * <linux/dma-buf.h> only syncs whole buffers. It shares nr 2 with DMA_BUF_IOCTL_EXPORT_SYNC_FILE
 * but has a different size and direction, so the request numbers differ and a mainline kernel
 * answers ENOTTY. offset and len must be multiples of the cache line.
 */
#ifndef DMABENCH_DMA_BUF_PARTIAL_H
#define DMABENCH_DMA_BUF_PARTIAL_H

#include <linux/dma-buf.h>
#include <linux/ioctl.h> /* older uapi dma-buf.h (6.1 cross headers) lacks it */
#include <linux/types.h>

#ifndef DMA_BUF_IOCTL_SYNC_PARTIAL
struct dma_buf_sync_partial {
    __u64 flags; /* DMA_BUF_SYNC_START/END | READ/WRITE, as DMA_BUF_IOCTL_SYNC */
    __u32 offset;
    __u32 len;
};

#define DMA_BUF_IOCTL_SYNC_PARTIAL _IOW(DMA_BUF_BASE, 2, struct dma_buf_sync_partial)
#endif

/* The line size vendor kernels expect offset/len to be multiples of. */
#define DMA_BUF_PARTIAL_LINE 64u

#endif
