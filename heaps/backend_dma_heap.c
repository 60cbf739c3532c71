/* heaps/backend_dma_heap.c - the DMA-BUF heaps backend: every node in /dev/dma_heap.
 *
 * Vendors register heaps under any name ("system", "linux,cma", "qcom,system" ...), so each
 * node becomes one heap whatever it is called; the core guesses the class from the name. The
 * heap's device stays open for its lifetime so that an allocation is one ioctl.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dma_heap.h"
#include "dmabuf_ops.h"
#include "heap.h"
#include "heap_backends.h"
#include "heap_dev.h"
#include "heap_ioctl.h"

int dma_heap_alloc_fd(int heap_fd, size_t len, unsigned fd_flags, unsigned long long heap_flags)
{
    /* fd must go in as 0: the kernel refuses anything else as a sign of a confused caller. */
    struct dma_heap_allocation_data data = {
            .len = len,
            .fd = 0,
            .fd_flags = fd_flags,
            .heap_flags = heap_flags,
    };
    int ret = heap_ioctl_restart(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data);
    return ret < 0 ? ret : (int)data.fd;
}

/* The one heap shown when there are none, so `dmabench list` can say why. */
static int add_placeholder(struct heap_registry *reg, int neg_errno, const char *reason)
{
    struct heap_info info = {.name = "dma-heap", .is_dmabuf = true, .device = "-"};
    heap_info_set_unavailable_fmt(&info, neg_errno, "%s", reason);
    struct heap *heap = heap_registry_add(reg, &heap_backend_dma_heap, &info);
    if (!heap)
        return -ENOMEM;
    heap->priv_word = -1;
    return 0;
}

/* Fill info for the node dir_path/name and open it; returns the device fd or -1 (info then
 * says why the heap cannot be used). */
static int open_heap_node(struct heap_info *info, const char *dir_path, const char *name)
{
    int name_len = snprintf(info->name, sizeof(info->name), "%s", name);
    int path_len = snprintf(info->device, sizeof(info->device), "%s/%s", dir_path, name);
    heap_page_sizes_probe(info, 0, 0);
    if (name_len < 0 || (size_t)name_len >= sizeof(info->name) || path_len < 0 ||
        (size_t)path_len >= sizeof(info->device)) {
        heap_info_set_unavailable(info, -ENAMETOOLONG, "heap name");
        return -1;
    }
    int dev_fd = open(info->device, O_RDONLY | O_CLOEXEC);
    if (dev_fd < 0) {
        char what[sizeof(info->device) + 8];
        snprintf(what, sizeof(what), "open %s", info->device);
        heap_info_set_unavailable(info, -errno, what);
        return -1;
    }
    info->available = true;
    return dev_fd;
}

static int add_heap_node(struct heap_registry *reg, const char *dir_path, const char *name)
{
    struct heap_info info = {.is_dmabuf = true};
    int dev_fd = open_heap_node(&info, dir_path, name);
    struct heap *heap = heap_registry_add(reg, &heap_backend_dma_heap, &info);
    if (!heap) {
        if (dev_fd >= 0)
            close(dev_fd);
        return -ENOMEM;
    }
    heap->priv_word = dev_fd; /* the device fd, -1 when unavailable */
    return 0;
}

static int not_dot_entry(const struct dirent *entry)
{
    return strcmp(entry->d_name, ".") && strcmp(entry->d_name, "..");
}

/* Plain byte order: the same list on every board whatever the locale. */
static int compare_names(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int dma_heap_probe(struct heap_registry *reg)
{
    char dir_path[HEAP_NAME_MAX * 2];
    struct dirent **entries;
    int ret = heap_dev_path(dir_path, sizeof(dir_path), "/dev/dma_heap");
    if (ret)
        return add_placeholder(reg, ret, "device root path too long for /dev/dma_heap");
    int n = scandir(dir_path, &entries, not_dot_entry, compare_names);
    if (n < 0) {
        if (errno == ENOENT)
            return add_placeholder(reg, -ENOENT,
                                   "no /dev/dma_heap: kernel without CONFIG_DMABUF_HEAPS or no "
                                   "heaps registered");
        char reason[HEAP_REASON_MAX];
        int err = -errno;
        snprintf(reason, sizeof(reason), "cannot list /dev/dma_heap: %s", strerror(-err));
        return add_placeholder(reg, err, reason);
    }
    if (n == 0)
        ret = add_placeholder(reg, -ENOENT, "/dev/dma_heap is empty: no heaps registered");
    for (int i = 0; i < n; i++) {
        if (!ret)
            ret = add_heap_node(reg, dir_path, entries[i]->d_name);
        free(entries[i]);
    }
    free(entries);
    return ret;
}

static int dma_heap_alloc(struct heap *heap, const struct heap_alloc_req *req, struct heap_buf *buf)
{
    /* The exporter decides where its pages live: accepting a node would be a silent lie. */
    if (req->numa_node != HEAP_NODE_ANY)
        return -EOPNOTSUPP;
    size_t page = heap_base_page_size();
    /* The raw size goes to the kernel so that its own page rounding is what fdinfo shows and
     * tests can compare with ours. */
    int fd = dma_heap_alloc_fd((int)heap->priv_word, req->size, O_RDWR | O_CLOEXEC, 0);
    if (fd < 0)
        return fd;
    buf->fd = fd;
    buf->alloc_size = (req->size + page - 1) & ~(page - 1);
    buf->page_size = page;
    return 0;
}

static void dma_heap_free(struct heap_buf *buf)
{
    close(buf->fd);
    buf->fd = -1;
}

const struct heap_ops heap_backend_dma_heap = {
        .name = "dma-heap",
        .description = "DMA-BUF heaps (/dev/dma_heap/*): system, CMA and vendor heaps",
        .probe = dma_heap_probe,
        .alloc = dma_heap_alloc,
        .free = dma_heap_free,
        .mmap = dmabuf_heap_mmap,
        .munmap = dmabuf_heap_munmap,
        .sync = dmabuf_heap_sync,
        .sync_range = dmabuf_heap_sync_range,
        .set_name = dmabuf_heap_set_name,
        .release = dmabuf_heap_close_device,
};
