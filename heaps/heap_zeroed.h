/* heaps/heap_zeroed.h - is a fresh buffer all zeros? A non-zero byte in a new buffer is another
 * user's data: an information leak (Android's VTS fails a heap for it).
 *
 * The check maps the buffer, reads it inside a read sync and unmaps it: it reads every byte, so
 * it costs what a read of the buffer costs (and, where pages are made on first touch, makes
 * them): callers keep it out of anything they time.
 */
#ifndef DMABENCH_HEAP_ZEROED_H
#define DMABENCH_HEAP_ZEROED_H

#include <stddef.h>

#include "heap.h"

/* The offset of the first non-zero byte of the buffer's allocated bytes in *offset, or
 * buf->alloc_size there when every byte is zero. 0, or -errno when it could not be mapped or
 * synced. */
int heap_buf_first_nonzero(struct heap_buf *buf, size_t *offset);
/* The same over a mapping the caller holds (len bytes at addr), without syncing. */
size_t heap_first_nonzero(const void *addr, size_t len);

#endif
