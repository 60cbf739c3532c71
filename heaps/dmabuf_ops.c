/* heaps/dmabuf_ops.c - CPU sync, partial sync, debug names and mappings of any dma-buf.
 *
 * Shared by the dma-heap, udmabuf and ION backends. Everything goes through heap_ioctl so that
 * unit tests can stand in for the kernel, and every error comes back as the kernel's -errno.
 */
#include "dmabuf_ops.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "heap_dev.h"
#include "heap_ioctl.h"

/* Mainline since 6.0: declared here for older uapi headers. */
#ifndef DMA_BUF_IOCTL_EXPORT_SYNC_FILE
struct dma_buf_export_sync_file {
    __u32 flags;
    __s32 fd;
};

#define DMA_BUF_IOCTL_EXPORT_SYNC_FILE _IOWR(DMA_BUF_BASE, 2, struct dma_buf_export_sync_file)
#endif
#ifndef DMA_BUF_IOCTL_IMPORT_SYNC_FILE
struct dma_buf_import_sync_file {
    __u32 flags;
    __s32 fd;
};

#define DMA_BUF_IOCTL_IMPORT_SYNC_FILE _IOW(DMA_BUF_BASE, 3, struct dma_buf_import_sync_file)
#endif

int dmabuf_sync(int buf_fd, unsigned long long flags)
{
    struct dma_buf_sync sync = {.flags = flags};
    return heap_ioctl_restart(buf_fd, DMA_BUF_IOCTL_SYNC, &sync);
}

unsigned long long dmabuf_sync_flags(bool begin, enum heap_sync_dir dir)
{
    unsigned long long flags = begin ? DMA_BUF_SYNC_START : DMA_BUF_SYNC_END;
    if (dir & HEAP_SYNC_READ)
        flags |= DMA_BUF_SYNC_READ;
    if (dir & HEAP_SYNC_WRITE)
        flags |= DMA_BUF_SYNC_WRITE;
    return flags;
}

int dmabuf_sync_partial_encode(struct dma_buf_sync_partial *arg, unsigned long long flags,
                               size_t offset, size_t len, size_t limit)
{
    const size_t line = DMA_BUF_PARTIAL_LINE;
    if (len == 0 || offset >= limit)
        return -EINVAL;
    /* Round outward: a partial line left out would stay stale (or be clobbered) in the cache. */
    size_t start = offset & ~(line - 1);
    size_t end = len > SIZE_MAX - offset ? SIZE_MAX : offset + len;
    end = end > SIZE_MAX - (line - 1) ? SIZE_MAX & ~(line - 1) : (end + line - 1) & ~(line - 1);
    if (end > limit)
        end = limit;
    if (start > UINT32_MAX || end - start > UINT32_MAX)
        return -EOVERFLOW;
    *arg = (struct dma_buf_sync_partial){
            .flags = flags,
            .offset = (__u32)start,
            .len = (__u32)(end - start),
    };
    return 0;
}

int dmabuf_sync_partial(int buf_fd, unsigned long long flags, unsigned offset, unsigned len)
{
    struct dma_buf_sync_partial arg;
    int ret = dmabuf_sync_partial_encode(&arg, flags, offset, len, SIZE_MAX);
    if (ret)
        return ret;
    return heap_ioctl_restart(buf_fd, DMA_BUF_IOCTL_SYNC_PARTIAL, &arg);
}

int dmabuf_set_name(int buf_fd, const char *name)
{
    if (!name)
        return -EINVAL;
    if (strnlen(name, DMA_BUF_NAME_LEN) >= DMA_BUF_NAME_LEN)
        return -ENAMETOOLONG;
    /* SET_NAME_B takes the string's address as its argument, whatever the ioctl size says. */
    return heap_ioctl(buf_fd, DMA_BUF_SET_NAME_B, (void *)(uintptr_t)name);
}

int dmabuf_export_sync_file(int buf_fd, enum heap_sync_dir dir)
{
    struct dma_buf_export_sync_file arg = {.flags = 0, .fd = -1};
    if (dir & HEAP_SYNC_READ)
        arg.flags |= DMA_BUF_SYNC_READ;
    if (dir & HEAP_SYNC_WRITE)
        arg.flags |= DMA_BUF_SYNC_WRITE;
    if (!arg.flags)
        return -EINVAL;
    int ret = heap_ioctl_restart(buf_fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &arg);
    return ret < 0 ? ret : arg.fd;
}

int dmabuf_import_sync_file(int buf_fd, bool write, int sync_file)
{
    struct dma_buf_import_sync_file arg = {.flags = write ? DMA_BUF_SYNC_WRITE : DMA_BUF_SYNC_READ,
                                           .fd = sync_file};
    int ret = heap_ioctl_restart(buf_fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &arg);
    return ret < 0 ? ret : 0;
}

int dmabuf_heap_mmap(struct heap_buf *buf, void **addr)
{
    return heap_map_aligned(buf->fd, buf->alloc_size, buf->align, addr);
}

int dmabuf_heap_munmap(struct heap_buf *buf, void *addr)
{
    return munmap(addr, buf->alloc_size) ? -errno : 0;
}

int dmabuf_heap_sync(struct heap_buf *buf, bool begin, enum heap_sync_dir dir)
{
    return dmabuf_sync(buf->fd, dmabuf_sync_flags(begin, dir));
}

int dmabuf_heap_sync_range(struct heap_buf *buf, bool begin, enum heap_sync_dir dir, size_t offset,
                           size_t len)
{
    enum heap_range_sync *support = &buf->heap->range_sync;
    /* Several benchmark threads may race to probe: both get the same answer, so relaxed
     * atomics only keep the reads and writes whole. */
    enum heap_range_sync known = __atomic_load_n(support, __ATOMIC_RELAXED);
    if (known == HEAP_RANGE_SYNC_UNSUPPORTED)
        return -EOPNOTSUPP;
    struct dma_buf_sync_partial arg;
    int ret = dmabuf_sync_partial_encode(&arg, dmabuf_sync_flags(begin, dir), offset, len,
                                         buf->alloc_size);
    if (ret)
        return ret;
    ret = heap_ioctl_restart(buf->fd, DMA_BUF_IOCTL_SYNC_PARTIAL, &arg);
    if (known == HEAP_RANGE_SYNC_SUPPORTED)
        return ret < 0 ? ret : HEAP_SYNC_DONE_RANGE;
    /* First use: the arguments are valid by construction, so an unknown-ioctl answer (ENOTTY,
     * or EINVAL from exporters that use it for unknown commands) means there is no such ioctl.
     * Anything else says nothing either way and is passed up without deciding. */
    if (ret == -ENOTTY || ret == -EINVAL) {
        __atomic_store_n(support, HEAP_RANGE_SYNC_UNSUPPORTED, __ATOMIC_RELAXED);
        __atomic_store_n(&buf->heap->info.has_range_sync, false, __ATOMIC_RELAXED);
        return -EOPNOTSUPP;
    }
    if (ret < 0)
        return ret;
    __atomic_store_n(support, HEAP_RANGE_SYNC_SUPPORTED, __ATOMIC_RELAXED);
    __atomic_store_n(&buf->heap->info.has_range_sync, true, __ATOMIC_RELAXED);
    return HEAP_SYNC_DONE_RANGE;
}

int dmabuf_heap_set_name(struct heap_buf *buf, const char *name)
{
    return dmabuf_set_name(buf->fd, name);
}

void dmabuf_heap_close_device(struct heap *heap)
{
    if (heap->priv_word >= 0)
        close((int)heap->priv_word);
    heap->priv_word = -1;
}
