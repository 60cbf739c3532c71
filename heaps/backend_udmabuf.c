/* heaps/backend_udmabuf.c - the udmabuf backend: dma-bufs made from memfd pages.
 *
 * udmabuf is the only dma-buf exporter that takes ordinary shmem or hugetlbfs pages, which
 * makes it the heap for comparing page sizes and NUMA placement. The memfd is sealed against
 * shrinking (udmabuf insists) but never against writes (udmabuf refuses that).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <numaif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dmabuf_ops.h"
#include "heap.h"
#include "heap_backends.h"
#include "heap_dev.h"
#include "heap_ioctl.h"
#include "heap_pages.h"
#include "udmabuf.h"

#ifndef MFD_HUGE_SHIFT
#define MFD_HUGE_SHIFT 26
#endif
/* Linux 5.14; older C libraries lack the names. */
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define BITS_PER_ULONG (8 * sizeof(unsigned long))
/* Nodes a binding can name; far beyond any machine this runs on. */
#define MAX_BIND_NODES 1024

int udmabuf_create_fd(int dev_fd, int memfd, unsigned long long offset, unsigned long long size,
                      unsigned flags)
{
    struct udmabuf_create create = {
            .memfd = (__u32)memfd,
            .flags = flags,
            .offset = offset,
            .size = size,
    };
    return heap_ioctl_restart(dev_fd, UDMABUF_CREATE, &create);
}

/* The driver refuses buffers above size_limit_mb (64 MiB by default) with a bare EINVAL; knowing
 * the limit lets the core say so instead. 0 when the parameter cannot be read. */
static size_t udmabuf_size_limit(void)
{
    FILE *f = fopen("/sys/module/udmabuf/parameters/size_limit_mb", "re");
    unsigned long mib = 0;
    if (!f)
        return 0;
    if (fscanf(f, "%lu", &mib) != 1)
        mib = 0;
    fclose(f);
    return (size_t)mib << 20;
}

static int udmabuf_probe(struct heap_registry *reg)
{
    struct heap_info info = {.name = "udmabuf", .klass = HEAP_CLASS_CACHED, .is_dmabuf = true};
    int dev_fd = -1;
    heap_page_sizes_probe(&info, 0, 1);
    int ret = heap_dev_path(info.device, sizeof(info.device), "/dev/udmabuf");
    if (ret) {
        heap_info_set_unavailable(&info, ret, "device root path too long for /dev/udmabuf");
    } else if ((dev_fd = open(info.device, O_RDWR | O_CLOEXEC)) < 0) {
        int err = -errno;
        char what[sizeof(info.device) + 8];
        snprintf(what, sizeof(what), "open %s", info.device);
        if (err == -ENOENT)
            heap_info_set_unavailable_fmt(
                    &info, err,
                    "no /dev/udmabuf: kernel without CONFIG_UDMABUF, or module not loaded");
        else
            heap_info_set_unavailable(&info, err, what);
    } else {
        info.available = true;
        info.max_size = udmabuf_size_limit();
    }
    struct heap *heap = heap_registry_add(reg, &heap_backend_udmabuf, &info);
    if (!heap) {
        if (dev_fd >= 0)
            close(dev_fd);
        return -ENOMEM;
    }
    heap->priv_word = dev_fd; /* the device fd, -1 when unavailable */
    return 0;
}

static int create_backing_memfd(const struct heap_alloc_req *req, size_t page)
{
    unsigned flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
    if (req->page_kind == HEAP_PAGES_HUGETLB)
        flags |= MFD_HUGETLB | ((unsigned)__builtin_ctzl(page) << MFD_HUGE_SHIFT);
    int memfd = memfd_create("dmabench-udmabuf", flags);
    return memfd < 0 ? -errno : memfd;
}

/* MPOL_BIND the mapping to node. It must happen before the first fault: a policy does not move
 * pages that already exist. On shmem it lands in the file's shared policy, so the pages
 * udmabuf pins later come from node too. */
static int bind_to_node(void *addr, size_t len, int node)
{
    unsigned long mask[MAX_BIND_NODES / BITS_PER_ULONG] = {0};
    if (node < 0 || node >= MAX_BIND_NODES)
        return -EINVAL;
    mask[(size_t)node / BITS_PER_ULONG] = 1UL << ((size_t)node % BITS_PER_ULONG);
    if (mbind(addr, len, MPOL_BIND, mask, MAX_BIND_NODES + 1, 0))
        return -errno;
    return 0;
}

/* Fault every page of the mapping in, for kernels without MADV_POPULATE_WRITE (before 5.14). */
static int touch_pages(int memfd, char *addr, size_t len, size_t page, bool hugetlb)
{
    /* A hugetlb fault with no free huge page is SIGBUS: allocate through the file first, where
     * running out is an error code. (Its placement then follows the task's policy.) */
    if (hugetlb && fallocate(memfd, 0, 0, (off_t)len))
        return errno == ENOSPC ? -ENOMEM : -errno;
    for (size_t off = 0; off < len; off += page)
        ((volatile char *)addr)[off] = 0;
    return 0;
}

/* Allocate the memfd's pages now, through a mapping bound to node when one was asked for, so
 * that placement is decided here and not by wherever udmabuf happens to pin them. */
static int populate_backing(int memfd, size_t len, size_t page, int node, bool hugetlb)
{
    void *addr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (addr == MAP_FAILED)
        return -errno;
    int ret = node == HEAP_NODE_ANY ? 0 : bind_to_node(addr, len, node);
    if (!ret && madvise(addr, len, MADV_POPULATE_WRITE)) {
        ret = -errno;
        if (ret == -EINVAL)
            ret = touch_pages(memfd, addr, len, page, hugetlb);
        else if (ret == -EFAULT && hugetlb)
            ret = -ENOMEM; /* the fault found no free huge page (SIGBUS) */
    }
    munmap(addr, len);
    return ret;
}

static int udmabuf_alloc(struct heap *heap, const struct heap_alloc_req *req, struct heap_buf *buf)
{
    bool hugetlb = req->page_kind == HEAP_PAGES_HUGETLB;
    size_t page = hugetlb ? req->page_size : heap_base_page_size();
    size_t alloc_size = (req->size + page - 1) & ~(page - 1);
    int memfd = create_backing_memfd(req, page);
    if (memfd < 0)
        return memfd;
    int ret = 0;
    if (ftruncate(memfd, (off_t)alloc_size) || fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK))
        ret = -errno;
    if (!ret && (req->numa_node != HEAP_NODE_ANY || !req->no_prefault))
        ret = populate_backing(memfd, alloc_size, page, req->numa_node, hugetlb);
    if (!ret)
        ret = udmabuf_create_fd((int)heap->priv_word, memfd, 0, alloc_size, UDMABUF_FLAGS_CLOEXEC);
    if (ret < 0) {
        close(memfd);
        return ret;
    }
    buf->fd = ret;
    buf->priv_word = memfd;
    buf->alloc_size = alloc_size;
    buf->page_size = page;
    return 0;
}

static void udmabuf_free(struct heap_buf *buf)
{
    close(buf->fd);
    close((int)buf->priv_word);
    buf->fd = -1;
    buf->priv_word = -1;
}

/* The dma-buf's own mapping cannot tell: udmabuf maps its pages by PFN, one base page at a
 * time, and smaps counts none of them. The memfd holds the very folios udmabuf pinned, so a
 * mapping of it, aligned for the largest page and filled from the pages already there (a read
 * fault allocates nothing that exists), shows their sizes. */
static int udmabuf_pages(struct heap_buf *buf, struct heap_pages *out)
{
    size_t pmd = heap_pages_pmd_size(), len = buf->alloc_size;
    size_t align = buf->page_size > pmd ? buf->page_size : pmd;
    void *addr;
    int ret = heap_map_aligned((int)buf->priv_word, len, align, &addr);
    if (ret)
        return ret;
    if (madvise(addr, len, MADV_POPULATE_READ)) {
        ret = -errno;
        if (ret == -EINVAL) { /* before Linux 5.14 */
            ret = 0;
            for (size_t off = 0; off < len; off += buf->page_size)
                (void)((volatile char *)addr)[off];
        }
    }
    if (!ret)
        ret = heap_pages_of_mapping(addr, len, out);
    munmap(addr, len);
    return ret;
}

/* udmabuf maps its pages for its own device at the first CPU-access sync, in that sync's
 * direction, and syncs every later one against that mapping (Linux 6.12): a read sync after a
 * first write-only one is a DMA API misuse, which CONFIG_DMA_API_DEBUG counts and warns about.
 * A buffer's first sync therefore comes after a read-write one, which maps it bidirectional, as
 * an importer's mapping is; buf->priv says it was done. */
static int udmabuf_sync(struct heap_buf *buf, bool begin, enum heap_sync_dir dir)
{
    if (!buf->priv && dir != HEAP_SYNC_RW) {
        int ret = dmabuf_heap_sync(buf, true, HEAP_SYNC_RW);
        if (!ret)
            ret = dmabuf_heap_sync(buf, false, HEAP_SYNC_RW);
        if (ret)
            return ret;
    }
    buf->priv = buf;
    return dmabuf_heap_sync(buf, begin, dir);
}

const struct heap_ops heap_backend_udmabuf = {
        .name = "udmabuf",
        .description = "udmabuf (/dev/udmabuf): dma-bufs over memfd shmem or hugetlbfs pages",
        .probe = udmabuf_probe,
        .alloc = udmabuf_alloc,
        .free = udmabuf_free,
        .mmap = dmabuf_heap_mmap,
        .munmap = dmabuf_heap_munmap,
        .sync = udmabuf_sync,
        .sync_range = dmabuf_heap_sync_range,
        .set_name = dmabuf_heap_set_name,
        .pages = udmabuf_pages,
        .release = dmabuf_heap_close_device,
};
