/* heaps/heap_dev.c - what several backends need from the system: device paths, mappings at a
 * chosen alignment, the page sizes the kernel offers, and how much RAM there is.
 *
 * Backends call these instead of repeating them, so a fix (say, to the alignment trim) is made
 * once for dma-heap, udmabuf, ION and host memory alike.
 */
#include "heap_dev.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

int heap_dev_path(char *out, size_t out_len, const char *path)
{
    const char *root = getenv("DMABENCH_DEV_ROOT");
    int n = snprintf(out, out_len, "%s%s", root ? root : "", path);
    return (n < 0 || (size_t)n >= out_len) ? -ENAMETOOLONG : 0;
}

size_t heap_base_page_size(void)
{
    long page = sysconf(_SC_PAGESIZE);
    return page > 0 ? (size_t)page : 4096;
}

/* Reserve len + align bytes of address space, then place the real mapping at the first
 * aligned address inside it and give the rest back: mmap itself only promises page alignment. */
static int map_at_alignment(int fd, size_t offset, size_t len, size_t align, int flags, void **addr)
{
    size_t page = heap_base_page_size();
    if (len == 0 || (align & (align - 1)))
        return -EINVAL;
    if (align <= page) {
        void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, (off_t)offset);
        if (p == MAP_FAILED)
            return -errno;
        *addr = p;
        return 0;
    }
    if (len > SIZE_MAX - align)
        return -ENOMEM;
    size_t reserve_len = len + align;
    char *reserve =
            mmap(NULL, reserve_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (reserve == MAP_FAILED)
        return -errno;
    char *aligned = (char *)(((uintptr_t)reserve + align - 1) & ~(uintptr_t)(align - 1));
    void *p = mmap(aligned, len, PROT_READ | PROT_WRITE, flags | MAP_FIXED, fd, (off_t)offset);
    if (p == MAP_FAILED) {
        int err = -errno;
        munmap(reserve, reserve_len);
        return err;
    }
    if (aligned > reserve)
        munmap(reserve, (size_t)(aligned - reserve));
    char *tail = aligned + len, *reserve_end = reserve + reserve_len;
    if (reserve_end > tail)
        munmap(tail, (size_t)(reserve_end - tail));
    *addr = p;
    return 0;
}

int heap_map_aligned(int fd, size_t len, size_t align, void **addr)
{
    return map_at_alignment(fd, 0, len, align, MAP_SHARED, addr);
}

int heap_map_aligned_at(int fd, size_t offset, size_t len, size_t align, void **addr)
{
    return map_at_alignment(fd, offset, len, align, MAP_SHARED, addr);
}

int heap_map_anon_aligned(size_t len, size_t align, int extra_flags, void **addr)
{
    return map_at_alignment(-1, 0, len, align, MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, addr);
}

static long read_long_file(const char *path)
{
    FILE *f = fopen(path, "re");
    long value = -1;
    if (!f)
        return -1;
    if (fscanf(f, "%ld", &value) != 1)
        value = -1;
    fclose(f);
    return value;
}

/* THP is usable by madvise() unless the admin set it to [never]. */
static size_t thp_size_if_enabled(void)
{
    char mode[128] = "";
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re");
    if (!f)
        return 0;
    if (!fgets(mode, sizeof(mode), f))
        mode[0] = '\0';
    fclose(f);
    if (!strstr(mode, "[always]") && !strstr(mode, "[madvise]"))
        return 0;
    long size = read_long_file("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size");
    return size > 0 ? (size_t)size : 0;
}

static void add_page_size(struct heap_info *info, enum heap_page_kind kind, size_t size,
                          long free_pages)
{
    if (info->n_page_sizes >= HEAP_MAX_PAGE_SIZES)
        return;
    info->page_sizes[info->n_page_sizes++] =
            (struct heap_page_size){.kind = kind, .size = size, .free_pages = free_pages};
}

static int compare_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static void add_hugetlb_sizes(struct heap_info *info)
{
    DIR *dir = opendir("/sys/kernel/mm/hugepages");
    size_t sizes[HEAP_MAX_PAGE_SIZES], n = 0;
    struct dirent *entry;
    if (!dir)
        return;
    while ((entry = readdir(dir)) != NULL && n < HEAP_MAX_PAGE_SIZES) {
        unsigned long kib;
        if (sscanf(entry->d_name, "hugepages-%lukB", &kib) == 1)
            sizes[n++] = (size_t)kib * 1024;
    }
    closedir(dir);
    qsort(sizes, n, sizeof(sizes[0]), compare_size);
    for (size_t i = 0; i < n; i++) {
        char path[128];
        snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%zukB/free_hugepages",
                 sizes[i] / 1024);
        add_page_size(info, HEAP_PAGES_HUGETLB, sizes[i], read_long_file(path));
    }
}

void heap_page_sizes_probe(struct heap_info *info, int with_thp, int with_hugetlb)
{
    add_page_size(info, HEAP_PAGES_BASE, heap_base_page_size(), -1);
    size_t thp = with_thp ? thp_size_if_enabled() : 0;
    if (thp)
        add_page_size(info, HEAP_PAGES_THP, thp, -1);
    if (with_hugetlb)
        add_hugetlb_sizes(info);
}

int heap_page_size_offered(const struct heap_info *info, enum heap_page_kind kind, size_t size)
{
    for (size_t i = 0; i < info->n_page_sizes; i++) {
        const struct heap_page_size *p = &info->page_sizes[i];
        if (p->kind == kind && (kind != HEAP_PAGES_HUGETLB || p->size == size))
            return 1;
    }
    return 0;
}

void heap_info_set_unavailable(struct heap_info *info, int neg_errno, const char *what)
{
    info->available = false;
    info->unavailable_err = neg_errno;
    switch (-neg_errno) {
    case EACCES:
    case EPERM:
        snprintf(info->reason, sizeof(info->reason), "permission denied: cannot %s as this user",
                 what);
        break;
    case ENOENT:
    case ENODEV:
    case ENXIO:
        snprintf(info->reason, sizeof(info->reason), "no such device (%s: %s)", what,
                 strerror(-neg_errno));
        break;
    default:
        snprintf(info->reason, sizeof(info->reason), "%s: %s", what, strerror(-neg_errno));
    }
}

void heap_info_set_unavailable_fmt(struct heap_info *info, int neg_errno, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(info->reason, sizeof(info->reason), fmt, ap);
    va_end(ap);
    info->available = false;
    info->unavailable_err = neg_errno;
}

size_t heap_mem_total(void)
{
    struct sysinfo si;
    if (sysinfo(&si) != 0)
        return SIZE_MAX;
    return (size_t)si.totalram * si.mem_unit;
}
