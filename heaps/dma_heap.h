/* heaps/dma_heap.h - the raw DMA_HEAP_IOCTL_ALLOC wrapper of the dma-heap backend.
 *
 * Exposed so that tests can send the kernel requests the core would refuse (heap_flags, bad
 * fd_flags, zero length) and see that the kernel's own -errno comes back unchanged.
 */
#ifndef DMABENCH_DMA_HEAP_H
#define DMABENCH_DMA_HEAP_H

#include <stddef.h>

/* Allocate len bytes from the heap open on heap_fd: a dma-buf fd with fd_flags (O_RDWR,
 * O_CLOEXEC ...), or -errno exactly as the kernel answered. */
int dma_heap_alloc_fd(int heap_fd, size_t len, unsigned fd_flags, unsigned long long heap_flags);

#endif
