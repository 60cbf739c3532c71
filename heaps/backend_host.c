/* heaps/backend_host.c - plain process memory, the baseline that exists on every machine.
 *
 * Anonymous private memory (base pages, THP by madvise, or hugetlb pages) placed on a NUMA node
 * with libnuma. It is not a dma-buf: no fd, no sync, no name; results label it so, and every
 * dma-buf heap can be read against it.
 */
#include <errno.h>
#include <numa.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/mman.h>

#include "heap.h"
#include "heap_backends.h"
#include "heap_dev.h"
#include "heap_pages.h"

static int host_probe(struct heap_registry *reg)
{
    struct heap_info info = {
            .klass = HEAP_CLASS_CACHED,
            .is_dmabuf = false,
            .available = true,
            .device = "-",
    };
    strcpy(info.name, "host");
    heap_page_sizes_probe(&info, 1, 1);
    return heap_registry_add(reg, &heap_backend_host, &info) ? 0 : -ENOMEM;
}

static size_t round_up(size_t value, size_t unit)
{
    return (value + unit - 1) / unit * unit;
}

static int log2_of(size_t value)
{
    int bits = 0;
    while (value > 1) {
        value >>= 1;
        bits++;
    }
    return bits;
}

/* Touch every page now so that timed loops do not measure page faults. MADV_POPULATE_WRITE
 * (5.14+) reports a shortage as an error where touching would raise SIGBUS. */
static int populate(void *addr, size_t len, size_t page)
{
#ifdef MADV_POPULATE_WRITE
    if (madvise(addr, len, MADV_POPULATE_WRITE) == 0)
        return 0;
    if (errno != EINVAL)
        return -errno;
#endif
    for (size_t off = 0; off < len; off += page)
        ((volatile char *)addr)[off] = 0;
    return 0;
}

static int host_alloc(struct heap *heap, const struct heap_alloc_req *req, struct heap_buf *buf)
{
    size_t page = heap_base_page_size(), align = buf->align;
    int extra_flags = 0;
    if (req->page_kind == HEAP_PAGES_HUGETLB) {
        page = req->page_size;
        extra_flags = MAP_HUGETLB | (log2_of(page) << MAP_HUGE_SHIFT);
        if (align < page)
            align = page;
    } else if (req->page_kind == HEAP_PAGES_THP) {
        size_t thp = heap->info.page_sizes[0].size;
        for (size_t i = 0; i < heap->info.n_page_sizes; i++)
            if (heap->info.page_sizes[i].kind == HEAP_PAGES_THP)
                thp = heap->info.page_sizes[i].size;
        if (align < thp)
            align = thp; /* THP only backs huge-aligned ranges */
    }
    if (req->size > SIZE_MAX - page)
        return -ENOMEM;
    size_t len = round_up(req->size, page);
    void *addr;
    int ret = heap_map_anon_aligned(len, align, extra_flags, &addr);
    if (ret)
        return ret;
    if (req->page_kind == HEAP_PAGES_THP && madvise(addr, len, MADV_HUGEPAGE) != 0) {
        ret = -errno;
        munmap(addr, len);
        return ret;
    }
    /* Bind before the first touch: the policy decides where pages are born. */
    if (req->numa_node != HEAP_NODE_ANY)
        numa_tonode_memory(addr, len, req->numa_node);
    if (!req->no_prefault && (ret = populate(addr, len, page)) != 0) {
        munmap(addr, len);
        return ret;
    }
    buf->alloc_size = len;
    buf->page_size = page;
    buf->align = align;
    buf->priv = addr;
    return 0;
}

static void host_free(struct heap_buf *buf)
{
    munmap(buf->priv, buf->alloc_size);
}

/* Host memory is its own mapping: every "map" hands out the same address. */
static int host_mmap(struct heap_buf *buf, void **addr)
{
    *addr = buf->priv;
    return 0;
}

static int host_munmap(struct heap_buf *buf, void *addr)
{
    return addr == buf->priv ? 0 : -EINVAL;
}

/* The buffer is the process's own mapping: smaps tells what backs it. */
static int host_pages(struct heap_buf *buf, struct heap_pages *out)
{
    return heap_pages_of_mapping(buf->priv, buf->alloc_size, out);
}

const struct heap_ops heap_backend_host = {
        .name = "host",
        .description = "process memory (anonymous mmap), not a dma-buf: the baseline",
        .probe = host_probe,
        .alloc = host_alloc,
        .free = host_free,
        .mmap = host_mmap,
        .munmap = host_munmap,
        .pages = host_pages,
};
