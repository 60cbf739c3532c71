/* heaps/dmabuf_ops.h - what every dma-buf can do, whichever allocator exported it.
 *
 * dma-heap, udmabuf and ION buffers are all dma-bufs: CPU sync, the vendor partial sync, the
 * debug name and mmap are the same ioctls and calls for each, so the backends share these.
 * The raw wrappers (fd in, -errno out) are also what tests call to see the kernel's own errnos.
 */
#ifndef DMABENCH_DMABUF_OPS_H
#define DMABENCH_DMABUF_OPS_H

#include <stdbool.h>
#include <stddef.h>

#include "dma_buf_partial.h"
#include "heap.h"

/* --- raw wrappers: 0 (or a result) or the kernel's -errno, unchanged ------------------------ */

/* DMA_BUF_IOCTL_SYNC with flags as given, retrying EINTR/EAGAIN (START waits for fences). */
int dmabuf_sync(int buf_fd, unsigned long long flags);
/* Vendor DMA_BUF_IOCTL_SYNC_PARTIAL over [offset, offset + len) rounded outward to whole
 * cache lines; -EOVERFLOW when the rounded range does not fit the ABI's 32-bit fields. A
 * mainline kernel answers -ENOTTY. */
int dmabuf_sync_partial(int buf_fd, unsigned long long flags, unsigned offset, unsigned len);
/* DMA_BUF_SET_NAME_B; -ENAMETOOLONG for names of DMA_BUF_NAME_LEN bytes or more, which the
 * kernel would refuse with a less telling -EINVAL. */
int dmabuf_set_name(int buf_fd, const char *name);

/* DMA_BUF_IOCTL_EXPORT_SYNC_FILE (Linux 6.0): a sync_file fd holding the buffer's implicit
 * fences an access in dir must wait for (read: the writers'; write or rw: everyone's), so
 * poll() on it says when they have signalled. The fd (close it), or -errno: -ENOTTY from
 * kernels before 6.0, -EINVAL for a dir without READ or WRITE. */
int dmabuf_export_sync_file(int buf_fd, enum heap_sync_dir dir);
/* DMA_BUF_IOCTL_IMPORT_SYNC_FILE (Linux 6.0): add sync_file's fence to the buffer's implicit
 * fences, as a writer's (write) or a reader's; the buffer keeps its own reference, so the caller
 * still closes sync_file. 0, or -errno: -ENOTTY from kernels before 6.0. */
int dmabuf_import_sync_file(int buf_fd, bool write, int sync_file);

/* DMA_BUF_SYNC_START or END with the direction's READ/WRITE bits. */
unsigned long long dmabuf_sync_flags(bool begin, enum heap_sync_dir dir);
/* Fill *arg for DMA_BUF_IOCTL_SYNC_PARTIAL: [offset, offset + len) rounded outward to whole
 * DMA_BUF_PARTIAL_LINE lines, then clamped to limit bytes (the buffer size, SIZE_MAX when not
 * known). -EINVAL when the range is empty or starts at or beyond limit, -EOVERFLOW when it does
 * not fit 32 bits. */
int dmabuf_sync_partial_encode(struct dma_buf_sync_partial *arg, unsigned long long flags,
                               size_t offset, size_t len, size_t limit);

/* --- heap_ops building blocks for dma-buf backends ------------------------------------------ */

int dmabuf_heap_mmap(struct heap_buf *buf, void **addr);
int dmabuf_heap_munmap(struct heap_buf *buf, void *addr);
int dmabuf_heap_sync(struct heap_buf *buf, bool begin, enum heap_sync_dir dir);
/* Partial sync of buf, probing the exporter on first use and recording the answer in
 * buf->heap->range_sync and buf->heap->info.has_range_sync. Returns HEAP_SYNC_DONE_RANGE, or
 * -EOPNOTSUPP when the exporter has no partial sync (the core then syncs the whole buffer), or
 * -errno. */
int dmabuf_heap_sync_range(struct heap_buf *buf, bool begin, enum heap_sync_dir dir, size_t offset,
                           size_t len);
/* release() for backends whose heap keeps its device fd in priv_word (-1 when none). */
void dmabuf_heap_close_device(struct heap *heap);
int dmabuf_heap_set_name(struct heap_buf *buf, const char *name);

#endif
