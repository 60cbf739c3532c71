/* heaps/heap_pages.c - reads back the page sizes behind a mapping from the kernel's smaps.
 *
 * smaps counts per VMA, unprivileged, on every kernel dmabench supports: how many bytes are
 * resident, how many of those are PMD-mapped THP, and hugetlb pages with their size. A VMA can
 * hold more than the buffer (neighbours merge), so where the kernel has PAGEMAP_SCAN (6.7) the
 * buffer's own bytes are counted exactly with it; smaps's counters are the fallback. Both are
 * open to any process (/proc/kpageflags is root's only). One scanner serves planted text and
 * the live file alike.
 */
#include "heap_pages.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "heap_dev.h"

#define MAX_HUGE_SIZES 4

/* PAGEMAP_SCAN's ABI (linux/fs.h, 6.7), for C libraries whose headers predate it. */
struct pagemap_scan_arg {
    uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
    uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
struct pagemap_region {
    uint64_t start, end, categories;
};
#define PAGEMAP_SCAN_IOCTL   _IOWR('f', 16, struct pagemap_scan_arg)
#define PAGEMAP_IS_PRESENT   (1u << 3)
#define PAGEMAP_IS_PFNZERO   (1u << 5)
#define PAGEMAP_IS_HUGE      (1u << 6)
#define PAGEMAP_SCAN_REGIONS 64

/* Bytes of [lo, hi) on any page and on huge pages, counted exactly; -errno where it cannot. */
typedef int count_pages_fn(void *ctx, uintptr_t lo, uintptr_t hi, size_t *huge, size_t *resident);

/* The counters of one VMA, in bytes. */
struct smaps_vma {
    uintptr_t start, end;
    size_t kernel_page; /* KernelPageSize: above the base page only for hugetlb VMAs */
    size_t rss;         /* resident through normal page tables (hugetlb pages are not in it) */
    size_t pmd_huge;    /* AnonHugePages + ShmemPmdMapped + FilePmdMapped */
    size_t hugetlb;     /* Shared_Hugetlb + Private_Hugetlb */
};

/* What the range has collected so far. */
struct smaps_scan {
    uintptr_t start, end; /* the range asked about */
    size_t base_page, pmd_size;
    bool in_vma; /* the VMA being read overlaps the range */
    bool past;   /* a VMA after the range was seen: VMAs come in address order */
    struct smaps_vma vma;
    size_t covered, resident; /* bytes of the range inside VMAs, and resident */
    size_t huge_bytes[MAX_HUGE_SIZES], huge_size[MAX_HUGE_SIZES];
    count_pages_fn *count; /* exact counts for a VMA's share, or NULL: smaps's counters */
    void *count_ctx;
    int err;
};

/* The share of a VMA counter v that lies in the range, when the counter says so for sure:
 * overlap bytes of the VMA are inside the range, outside bytes are not. */
static int share_in_range(size_t v, size_t overlap, size_t outside, size_t *in)
{
    size_t least = v > outside ? v - outside : 0, most = v < overlap ? v : overlap;
    if (least != most)
        return -ERANGE;
    *in = least;
    return 0;
}

static void add_huge(struct smaps_scan *s, size_t size, size_t bytes)
{
    if (!bytes)
        return;
    for (size_t i = 0; i < MAX_HUGE_SIZES; i++) {
        if (s->huge_size[i] == size || s->huge_size[i] == 0) {
            s->huge_size[i] = size;
            s->huge_bytes[i] += bytes;
            return;
        }
    }
    s->err = -ERANGE; /* more huge page sizes in one buffer than any kernel makes */
}

static void close_vma(struct smaps_scan *s)
{
    if (!s->in_vma)
        return;
    s->in_vma = false;
    const struct smaps_vma *v = &s->vma;
    uintptr_t lo = v->start > s->start ? v->start : s->start;
    uintptr_t hi = v->end < s->end ? v->end : s->end;
    size_t overlap = hi - lo, outside = (v->end - v->start) - overlap;
    bool hugetlb = v->kernel_page > s->base_page;
    size_t huge = hugetlb ? v->hugetlb : v->pmd_huge, resident = hugetlb ? v->hugetlb : v->rss;
    size_t huge_in, resident_in;
    int ret = s->count ? s->count(s->count_ctx, lo, hi, &huge_in, &resident_in) : -ENOTTY;
    if (ret == -ENOTTY || ret == -EINVAL) { /* a kernel without PAGEMAP_SCAN */
        s->count = NULL;
        ret = share_in_range(huge, overlap, outside, &huge_in);
        if (!ret)
            ret = share_in_range(resident, overlap, outside, &resident_in);
    }
    if (ret) {
        s->err = ret;
        return;
    }
    s->covered += overlap;
    s->resident += resident_in;
    add_huge(s, hugetlb ? v->kernel_page : s->pmd_size, huge_in);
}

/* "55e7a000-55e7c000 rw-p ...": a VMA's first line. */
static bool parse_vma_header(const char *line, uintptr_t *start, uintptr_t *end)
{
    char *rest;
    unsigned long long a = strtoull(line, &rest, 16);
    if (rest == line || *rest != '-')
        return false;
    const char *second = rest + 1;
    unsigned long long b = strtoull(second, &rest, 16);
    if (rest == second || *rest != ' ' || b < a)
        return false;
    *start = (uintptr_t)a;
    *end = (uintptr_t)b;
    return true;
}

/* "Name:   123 kB" -> bytes, when line starts with the field name. */
static bool field_bytes(const char *line, const char *name, size_t *bytes)
{
    size_t n = strlen(name);
    if (strncmp(line, name, n) || line[n] != ':')
        return false;
    *bytes = (size_t)strtoull(line + n + 1, NULL, 10) * 1024;
    return true;
}

static void scan_line(struct smaps_scan *s, const char *line)
{
    uintptr_t start, end;
    if (parse_vma_header(line, &start, &end)) {
        close_vma(s);
        s->past = start >= s->end;
        if (start < s->end && end > s->start) {
            s->in_vma = true;
            s->vma = (struct smaps_vma){.start = start, .end = end, .kernel_page = s->base_page};
        }
        return;
    }
    if (!s->in_vma)
        return;
    struct smaps_vma *v = &s->vma;
    size_t bytes;
    if (field_bytes(line, "KernelPageSize", &bytes))
        v->kernel_page = bytes;
    else if (field_bytes(line, "Rss", &bytes))
        v->rss = bytes;
    else if (field_bytes(line, "AnonHugePages", &bytes) ||
             field_bytes(line, "ShmemPmdMapped", &bytes) ||
             field_bytes(line, "FilePmdMapped", &bytes))
        v->pmd_huge += bytes;
    else if (field_bytes(line, "Shared_Hugetlb", &bytes) ||
             field_bytes(line, "Private_Hugetlb", &bytes))
        v->hugetlb += bytes;
}

static int scan_begin(struct smaps_scan *s, uintptr_t start, size_t len, size_t base_page,
                      size_t pmd_size)
{
    if (len == 0 || start > UINTPTR_MAX - len || base_page == 0)
        return -EINVAL;
    *s = (struct smaps_scan){
            .start = start, .end = start + len, .base_page = base_page, .pmd_size = pmd_size};
    return 0;
}

static int scan_end(struct smaps_scan *s, struct heap_pages *out)
{
    close_vma(s);
    if (s->err)
        return s->err;
    size_t len = s->end - s->start;
    if (s->covered < len)
        return -ENOENT;
    if (s->resident == 0)
        return -ENODATA;
    /* The page size most resident bytes are on; a tie goes to the smaller page. */
    size_t huge_total = 0, best = SIZE_MAX;
    for (size_t i = 0; i < MAX_HUGE_SIZES && s->huge_size[i]; i++) {
        huge_total += s->huge_bytes[i];
        if (best == SIZE_MAX || s->huge_bytes[i] > s->huge_bytes[best])
            best = i;
    }
    size_t base_bytes = s->resident > huge_total ? s->resident - huge_total : 0;
    *out = (struct heap_pages){
            .page_size = s->base_page,
            .huge_fraction = (double)huge_total / (double)len,
            .resident_fraction = (double)s->resident / (double)len,
    };
    if (best != SIZE_MAX) {
        out->huge_page_size = s->huge_size[best];
        if (s->huge_bytes[best] > base_bytes)
            out->page_size = s->huge_size[best];
    }
    return 0;
}

int heap_pages_from_smaps(const char *smaps, uintptr_t start, size_t len, size_t base_page,
                          size_t pmd_size, struct heap_pages *out)
{
    struct smaps_scan s;
    int ret = scan_begin(&s, start, len, base_page, pmd_size);
    if (ret)
        return ret;
    for (const char *line = smaps; line && *line;) {
        scan_line(&s, line);
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return scan_end(&s, out);
}

size_t heap_pages_pmd_size(void)
{
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "re");
    unsigned long long size = 0;
    if (f) {
        if (fscanf(f, "%llu", &size) != 1)
            size = 0;
        fclose(f);
    }
    if (size)
        return (size_t)size;
    /* A page table page holds page/8 entries: 4 KiB pages give 2 MiB, 64 KiB pages 512 MiB. */
    size_t page = heap_base_page_size();
    return page * (page / 8);
}

/* PAGEMAP_SCAN over [lo, hi): regions of like pages, present ones only. The (huge) zero page is
 * no memory of the buffer's, as smaps does not count it either. */
static int pagemap_count(void *ctx, uintptr_t lo, uintptr_t hi, size_t *huge, size_t *resident)
{
    int fd = *(const int *)ctx;
    struct pagemap_region vec[PAGEMAP_SCAN_REGIONS];
    *huge = *resident = 0;
    for (uintptr_t at = lo; at < hi;) {
        /* Defined before the kernel fills it: tools that do not know this ioctl (valgrind
         * 3.19) cannot tell that it wrote the regions. */
        memset(vec, 0, sizeof(vec));
        struct pagemap_scan_arg arg = {
                .size = sizeof(arg),
                .start = at,
                .end = hi,
                .vec = (uintptr_t)vec,
                .vec_len = PAGEMAP_SCAN_REGIONS,
                .category_mask = PAGEMAP_IS_PRESENT,
                .return_mask = PAGEMAP_IS_PRESENT | PAGEMAP_IS_PFNZERO | PAGEMAP_IS_HUGE,
        };
        long n = ioctl(fd, PAGEMAP_SCAN_IOCTL, &arg);
        if (n < 0)
            return -errno;
        for (long i = 0; i < n; i++) {
            if (vec[i].categories & PAGEMAP_IS_PFNZERO)
                continue;
            size_t bytes = (size_t)(vec[i].end - vec[i].start);
            *resident += bytes;
            if (vec[i].categories & PAGEMAP_IS_HUGE)
                *huge += bytes;
        }
        if (arg.walk_end <= at || arg.walk_end > hi)
            return -EIO; /* no progress: never loop on a kernel's surprise */
        at = (uintptr_t)arg.walk_end;
    }
    return 0;
}

int heap_pages_of_mapping(const void *addr, size_t len, struct heap_pages *out)
{
    struct smaps_scan s;
    int ret = scan_begin(&s, (uintptr_t)addr, len, heap_base_page_size(), heap_pages_pmd_size());
    if (ret)
        return ret;
    int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (pagemap >= 0) {
        s.count = pagemap_count;
        s.count_ctx = &pagemap;
    }
    FILE *f = fopen("/proc/self/smaps", "re");
    if (!f) {
        ret = -errno;
        if (pagemap >= 0)
            close(pagemap);
        return ret;
    }
    char *line = NULL;
    size_t cap = 0;
    errno = 0;
    /* The kernel walks each VMA's page tables as its text is read: stop after the range. */
    while (!s.past && getline(&line, &cap, f) > 0)
        scan_line(&s, line);
    ret = ferror(f) ? -(errno ? errno : EIO) : 0;
    free(line);
    fclose(f);
    if (!ret)
        ret = scan_end(&s, out); /* the last VMA is counted here, with pagemap still open */
    if (pagemap >= 0)
        close(pagemap);
    return ret;
}
