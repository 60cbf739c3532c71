/* heaps/heap_dev.h - device paths, aligned mappings and page-size facts shared by backends.
 *
 * Device nodes are looked up under $DMABENCH_DEV_ROOT when it is set (tests plant fake
 * /dev trees there), so a backend never hard-codes where /dev is; u-dma-buf's sysfs class
 * directory is looked up there too, as its files are the driver's interface.
 */
#ifndef DMABENCH_HEAP_DEV_H
#define DMABENCH_HEAP_DEV_H

#include <stddef.h>

#include "heap.h"

/* "/dev/dma_heap" -> "$DMABENCH_DEV_ROOT/dev/dma_heap" (or unchanged). -ENAMETOOLONG. */
int heap_dev_path(char *out, size_t out_len, const char *path);
/* Map fd [0, len) shared read/write at an address aligned to align (power of two, or 0 for
 * page alignment). Returns 0 and *addr, or -errno. Unmap with munmap(addr, len). */
int heap_map_aligned(int fd, size_t len, size_t align, void **addr);
/* The same for fd [offset, offset + len); offset a multiple of the page size. */
int heap_map_aligned_at(int fd, size_t offset, size_t len, size_t align, void **addr);
/* The same for private anonymous memory; extra_flags adds MAP_HUGETLB and its size bits. */
int heap_map_anon_aligned(size_t len, size_t align, int extra_flags, void **addr);
/* The kernel's base page size. */
size_t heap_base_page_size(void);
/* Append the base page, THP (with_thp, where the kernel offers it) and every hugetlb size
 * (with_hugetlb, from /sys/kernel/mm/hugepages) to info->page_sizes. */
void heap_page_sizes_probe(struct heap_info *info, int with_thp, int with_hugetlb);
/* Whether info offers this page kind/size (base and THP ignore size). */
int heap_page_size_offered(const struct heap_info *info, enum heap_page_kind kind, size_t size);
/* Fill info->reason and unavailable_err from an errno seen while opening a device. */
void heap_info_set_unavailable(struct heap_info *info, int neg_errno, const char *what);
/* The same with a reason the caller words itself (printf-style), for a cause that the errno
 * alone does not say. */
void heap_info_set_unavailable_fmt(struct heap_info *info, int neg_errno, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Bytes of RAM in the machine (sysinfo), for refusing allocations that cannot fit. */
size_t heap_mem_total(void);

#endif
