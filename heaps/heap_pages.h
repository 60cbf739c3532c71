/* heaps/heap_pages.h - the pages the kernel really put behind a mapping, read back from smaps.
 *
 * A page size asked for is not a page size granted: THP can be denied or granted in part,
 * and only the kernel's own accounting tells. Backends use this for their .pages op; the
 * parser takes smaps text so that tests can feed it planted VMAs.
 */
#ifndef DMABENCH_HEAP_PAGES_H
#define DMABENCH_HEAP_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include "heap.h"

/* Fill *out from smaps text (the format of /proc/PID/smaps) for the range [start, start+len):
 * huge bytes are PMD-mapped THP (AnonHugePages, ShmemPmdMapped, FilePmdMapped, pmd_size each)
 * and hugetlb pages (Shared_Hugetlb, Private_Hugetlb, of the VMA's KernelPageSize). A VMA
 * reaching outside the range counts only where its counters cannot belong to the outside part.
 * Returns 0, -ENOENT when part of the range is in no VMA, -ERANGE when a VMA shared with other
 * memory leaves the range's share undecided, -ENODATA when no page of the range is resident,
 * -EINVAL for a bad range or base_page. */
int heap_pages_from_smaps(const char *smaps, uintptr_t start, size_t len, size_t base_page,
                          size_t pmd_size, struct heap_pages *out);
/* The same for a mapping of this process at addr: page sizes per VMA from /proc/self/smaps,
 * the range's own bytes from PAGEMAP_SCAN on /proc/self/pagemap where the kernel has it (exact
 * even in a VMA shared with other memory), else from smaps's counters. -errno when /proc
 * cannot be read. */
int heap_pages_of_mapping(const void *addr, size_t len, struct heap_pages *out);
/* The size of a PMD-mapped transparent huge page here (hpage_pmd_size, or what the base page
 * implies where sysfs does not say). */
size_t heap_pages_pmd_size(void);

#endif
