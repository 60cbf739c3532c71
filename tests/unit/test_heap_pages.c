/* tests/unit/test_heap_pages.c - reading back the pages behind a mapping (heaps/heap_pages.c).
 *
 * Planted smaps text covers what this machine's kernel may never show (a THP request granted
 * in part, hugetlb VMAs, a buffer split over two VMAs or sharing one); real mappings check
 * that the live /proc/self/smaps is found and read, and the host heap through the core.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <cmocka.h>

#include "heap.h"
#include "heap_dev.h"
#include "heap_pages.h"

#define KIB  1024u
#define MIB  (1024u * 1024u)
#define BASE 4096u
#define PMD  (2u * MIB)

/* One VMA as the kernel prints it; sizes in kB as smaps has them. */
struct vma_text {
    uintptr_t start, end;
    unsigned kernel_page_kb, rss_kb, anon_huge_kb, shmem_pmd_kb, private_hugetlb_kb;
    const char *path;
};

/* smaps text for VMAs, with every field a 6.x kernel prints (so that the parser meets the
 * fields it must skip, some of them starting with hex digits). */
static void plant(char *out, size_t out_len, const struct vma_text *v, size_t n)
{
    size_t used = 0;
    for (size_t i = 0; i < n; i++, v++) {
        unsigned size_kb = (unsigned)((v->end - v->start) / KIB);
        used += (size_t)snprintf(
                out + used, out_len - used,
                "%012lx-%012lx rw-p 00000000 00:00 0                          %s\n"
                "Size:           %8u kB\nKernelPageSize: %8u kB\nMMUPageSize:    %8u kB\n"
                "Rss:            %8u kB\nPss:            %8u kB\nPss_Dirty:      %8u kB\n"
                "Shared_Clean:          0 kB\nShared_Dirty:          0 kB\n"
                "Private_Clean:         0 kB\nPrivate_Dirty:  %8u kB\nReferenced:     %8u kB\n"
                "Anonymous:      %8u kB\nKSM:                   0 kB\nLazyFree:              0 kB\n"
                "AnonHugePages:  %8u kB\nShmemPmdMapped: %8u kB\nFilePmdMapped:         0 kB\n"
                "Shared_Hugetlb:        0 kB\nPrivate_Hugetlb: %7u kB\nSwap:                  0 "
                "kB\n"
                "SwapPss:               0 kB\nLocked:                0 kB\nTHPeligible:           "
                "1\n"
                "ProtectionKey:         0\nVmFlags: rd wr mr mw me ac sd hg\n",
                (unsigned long)v->start, (unsigned long)v->end, v->path ? v->path : "", size_kb,
                v->kernel_page_kb, v->kernel_page_kb, v->rss_kb, v->rss_kb, v->rss_kb, v->rss_kb,
                v->rss_kb, v->rss_kb, v->anon_huge_kb, v->shmem_pmd_kb, v->private_hugetlb_kb);
        assert_true(used < out_len);
    }
}

static char text[16384];

/* Neighbours on both sides that must never count. */
static const struct vma_text before = {0x7f0000000000, 0x7f0000200000, 4, 2048, 2048, 0, 0, NULL};
static const struct vma_text after = {0x7f0001000000, 0x7f0001400000, 4, 4096, 4096, 0, 0, NULL};

static int read_back(const struct vma_text *buffer_vmas, size_t n, uintptr_t start, size_t len,
                     struct heap_pages *out)
{
    struct vma_text all[6];
    assert_true(n + 2 <= 6);
    all[0] = before;
    memcpy(all + 1, buffer_vmas, n * sizeof(*all));
    all[n + 1] = after;
    plant(text, sizeof(text), all, n + 2);
    return heap_pages_from_smaps(text, start, len, BASE, PMD, out);
}

static const uintptr_t buf_start = 0x7f0000400000;

static void thp_granted_whole_buffer(void **state)
{
    (void)state;
    struct vma_text v = {buf_start, buf_start + 8 * MIB, 4, 8192, 8192, 0, 0, NULL};
    struct heap_pages p;
    assert_int_equal(read_back(&v, 1, buf_start, 8 * MIB, &p), 0);
    assert_int_equal(p.page_size, PMD);
    assert_int_equal(p.huge_page_size, PMD);
    assert_true(p.huge_fraction == 1.0);
    assert_true(p.resident_fraction == 1.0);
}

static void thp_partly_granted_gives_the_fraction(void **state)
{
    (void)state;
    /* A quarter on huge pages: most bytes are on base pages, so that is the page size. */
    struct vma_text v = {buf_start, buf_start + 8 * MIB, 4, 8192, 2048, 0, 0, NULL};
    struct heap_pages p;
    assert_int_equal(read_back(&v, 1, buf_start, 8 * MIB, &p), 0);
    assert_int_equal(p.page_size, BASE);
    assert_int_equal(p.huge_page_size, PMD);
    assert_true(p.huge_fraction == 0.25);
    /* Three quarters: the huge page is the one most bytes sit on. */
    v.anon_huge_kb = 6144;
    assert_int_equal(read_back(&v, 1, buf_start, 8 * MIB, &p), 0);
    assert_int_equal(p.page_size, PMD);
    assert_true(p.huge_fraction == 0.75);
    /* Half and half is no claim of huge pages. */
    v.anon_huge_kb = 4096;
    assert_int_equal(read_back(&v, 1, buf_start, 8 * MIB, &p), 0);
    assert_int_equal(p.page_size, BASE);
    assert_true(p.huge_fraction == 0.5);
}

static void thp_denied_is_base_pages(void **state)
{
    (void)state;
    struct vma_text v = {buf_start, buf_start + 8 * MIB, 4, 8192, 0, 0, 0, NULL};
    struct heap_pages p;
    assert_int_equal(read_back(&v, 1, buf_start, 8 * MIB, &p), 0);
    assert_int_equal(p.page_size, BASE);
    assert_int_equal(p.huge_page_size, 0);
    assert_true(p.huge_fraction == 0.0);
    assert_true(p.resident_fraction == 1.0);
}

static void shmem_pmd_mapped_counts_as_huge(void **state)
{
    (void)state;
    struct vma_text v = {buf_start, buf_start + 4 * MIB, 4, 4096, 0, 4096, 0, "/memfd:x"};
    struct heap_pages p;
    assert_int_equal(read_back(&v, 1, buf_start, 4 * MIB, &p), 0);
    assert_int_equal(p.page_size, PMD);
    assert_true(p.huge_fraction == 1.0);
}

static void hugetlb_2m_takes_the_vma_page_size(void **state)
{
    (void)state;
    /* hugetlb pages are not in Rss: the Hugetlb lines and KernelPageSize tell. */
    struct vma_text v = {buf_start, buf_start + 4 * MIB, 2048, 0, 0, 0, 4096, "/anon_hugepage"};
    struct heap_pages p;
    assert_int_equal(read_back(&v, 1, buf_start, 4 * MIB, &p), 0);
    assert_int_equal(p.page_size, 2 * MIB);
    assert_int_equal(p.huge_page_size, 2 * MIB);
    assert_true(p.huge_fraction == 1.0);
    assert_true(p.resident_fraction == 1.0);
    /* 1 GiB pages are told apart from the PMD size. */
    struct vma_text g = {0x7f0040000000, 0x7f0080000000, 1048576, 0, 0, 0, 1048576, NULL};
    plant(text, sizeof(text), &g, 1);
    assert_int_equal(heap_pages_from_smaps(text, g.start, 1024 * MIB, BASE, PMD, &p), 0);
    assert_int_equal(p.page_size, 1024 * MIB);
}

static void range_spanning_two_vmas_adds_both(void **state)
{
    (void)state;
    /* madvise on part of a buffer splits its VMA: 2 MiB huge, then 6 MiB on base pages. */
    struct vma_text v[] = {
            {buf_start, buf_start + 2 * MIB, 4, 2048, 2048, 0, 0, NULL},
            {buf_start + 2 * MIB, buf_start + 8 * MIB, 4, 6144, 0, 0, 0, NULL},
    };
    struct heap_pages p;
    assert_int_equal(read_back(v, 2, buf_start, 8 * MIB, &p), 0);
    assert_int_equal(p.page_size, BASE);
    assert_int_equal(p.huge_page_size, PMD);
    assert_true(p.huge_fraction == 0.25);
    assert_true(p.resident_fraction == 1.0);
}

static void vma_shared_with_other_memory(void **state)
{
    (void)state;
    /* Two buffers merged into one VMA: counters that can only be the range's are, ... */
    struct vma_text v = {buf_start, buf_start + 8 * MIB, 4, 8192, 8192, 0, 0, NULL};
    struct heap_pages p;
    assert_int_equal(read_back(&v, 1, buf_start + 4 * MIB, 4 * MIB, &p), 0);
    assert_true(p.huge_fraction == 1.0);
    v.anon_huge_kb = 0;
    assert_int_equal(read_back(&v, 1, buf_start + 4 * MIB, 4 * MIB, &p), 0);
    assert_true(p.huge_fraction == 0.0);
    /* ... but half the VMA on huge pages could be either half: no guess. */
    v.anon_huge_kb = 4096;
    assert_int_equal(read_back(&v, 1, buf_start + 4 * MIB, 4 * MIB, &p), -ERANGE);
}

static void holes_and_empty_ranges_are_errors(void **state)
{
    (void)state;
    struct heap_pages p;
    /* Part of the range in no VMA. */
    struct vma_text v = {buf_start, buf_start + 2 * MIB, 4, 2048, 0, 0, 0, NULL};
    assert_int_equal(read_back(&v, 1, buf_start, 4 * MIB, &p), -ENOENT);
    /* Nothing resident: no page to tell the size of (an untouched buffer, a PFN mapping). */
    v.rss_kb = 0;
    assert_int_equal(read_back(&v, 1, buf_start, 2 * MIB, &p), -ENODATA);
    assert_int_equal(heap_pages_from_smaps("", buf_start, 4096, BASE, PMD, &p), -ENOENT);
    assert_int_equal(heap_pages_from_smaps(text, buf_start, 0, BASE, PMD, &p), -EINVAL);
    assert_int_equal(heap_pages_from_smaps(text, UINTPTR_MAX - 10, 4096, BASE, PMD, &p), -EINVAL);
}

/* --- the live smaps ---------------------------------------------------------------------- */

/* PAGEMAP_SCAN came with Linux 6.7. */
static bool kernel_has_pagemap_scan(void)
{
    struct utsname u;
    int major = 0, minor = 0;
    assert_int_equal(uname(&u), 0);
    assert_int_equal(sscanf(u.release, "%d.%d", &major, &minor), 2);
    return major > 6 || (major == 6 && minor >= 7);
}

static void live_mapping_is_found_and_read(void **state)
{
    (void)state;
    size_t len = 4 * MIB, page = heap_base_page_size();
    /* Inaccessible pages on both sides keep the VMA the buffer's own: nothing merges in. */
    char *reserve = mmap(NULL, len + 2 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(reserve != MAP_FAILED);
    char *addr = reserve + page;
    assert_int_equal(mprotect(addr, len, PROT_READ | PROT_WRITE), 0);
    /* No THP, whatever the machine's setting: then every page is a base page. */
    assert_int_equal(madvise(addr, len, MADV_NOHUGEPAGE), 0);
    struct heap_pages p;
    assert_int_equal(heap_pages_of_mapping(addr, len, &p), -ENODATA);
    memset(addr, 1, len / 2);
    assert_int_equal(heap_pages_of_mapping(addr, len, &p), 0);
    assert_int_equal(p.page_size, page);
    assert_true(p.huge_fraction == 0.0);
    assert_true(p.resident_fraction == 0.5);
    /* Half a VMA: smaps alone cannot say which half is resident, PAGEMAP_SCAN can. */
    int ret = heap_pages_of_mapping(addr, len / 2, &p);
    if (kernel_has_pagemap_scan()) {
        assert_int_equal(ret, 0);
        assert_true(p.resident_fraction == 1.0);
        assert_int_equal(heap_pages_of_mapping(addr + len / 2, len / 2, &p), -ENODATA);
    } else {
        assert_int_equal(ret, -ERANGE);
    }
    munmap(reserve, len + 2 * page);
    assert_int_equal(heap_pages_of_mapping(addr, len, &p), -ENOENT);
}

static void host_heap_reads_back_through_the_core(void **state)
{
    (void)state;
    struct heap_registry *reg;
    assert_int_equal(heap_registry_open(&reg, NULL, 0), 0);
    struct heap *host = heap_registry_find(reg, "host");
    assert_non_null(host);
    struct heap_buf *buf = NULL;
    /* Below the THP size: base pages, even where THP is "always". */
    assert_int_equal(heap_alloc(host, &(struct heap_alloc_req){.size = 1 * MIB}, &buf), 0);
    struct heap_pages p;
    assert_int_equal(heap_buf_pages(buf, &p), 0);
    assert_int_equal(p.page_size, heap_base_page_size());
    assert_true(p.huge_fraction == 0.0);
    assert_true(p.resident_fraction == 1.0);
    heap_free(buf);
    /* Untouched pages have no size yet. */
    assert_int_equal(
            heap_alloc(host, &(struct heap_alloc_req){.size = 1 * MIB, .no_prefault = true}, &buf),
            0);
    assert_int_equal(heap_buf_pages(buf, &p), -ENODATA);
    heap_free(buf);
    heap_registry_close(reg, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(thp_granted_whole_buffer),
            cmocka_unit_test(thp_partly_granted_gives_the_fraction),
            cmocka_unit_test(thp_denied_is_base_pages),
            cmocka_unit_test(shmem_pmd_mapped_counts_as_huge),
            cmocka_unit_test(hugetlb_2m_takes_the_vma_page_size),
            cmocka_unit_test(range_spanning_two_vmas_adds_both),
            cmocka_unit_test(vma_shared_with_other_memory),
            cmocka_unit_test(holes_and_empty_ranges_are_errors),
            cmocka_unit_test(live_mapping_is_found_and_read),
            cmocka_unit_test(host_heap_reads_back_through_the_core),
    };
    return cmocka_run_group_tests_name("heap_pages", tests, NULL, NULL);
}
