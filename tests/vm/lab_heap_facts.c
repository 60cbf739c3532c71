/* tests/vm/lab_heap_facts.c - does a heap really give what its class promises? Asks the kernel,
 * not dmabench: physical contiguity and CMA accounting for a CMA heap, the page-table cache
 * attributes of the CPU mapping for a cached or write-combined heap.
 *
 *   lab_heap_facts cma HEAP          buffers of HEAP come from the CMA area booted with cma=SIZE,
 *                                    as one run of physically contiguous pages: /proc/meminfo
 *                                    and the area's own debugfs bitmap say so
 *   lab_heap_facts mapping HEAP wc   HEAP's mmap is write-combined (x86 PAT: PWT, not PCD/PAT)
 *   lab_heap_facts mapping HEAP wb   HEAP's mmap is write-back (no PWT/PCD/PAT)
 * Runs as root in the lab VM (tests/vm/lab.sh). Static, like every tests/vm program.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dma_heap.h"
#include "heap.h"
#include "heap_dev.h"
#include "lab_util.h"

#define MIB ((size_t)1 << 20)

static struct lab_run run;

/* An allocation through dmabench's own core, mapped and written inside a sync. */
struct mapped_buf {
    struct heap_buf *buf;
    unsigned char *addr;
};

static bool map_buffer(struct heap_registry *reg, const char *heap_name, size_t size,
                       struct mapped_buf *out, struct lab_detail *d)
{
    struct heap *heap = heap_registry_find(reg, heap_name);
    if (!heap || !heap->info.available)
        return lab_fail(d, "heap %s: %s", heap_name, heap ? heap->info.reason : "not found");
    struct heap_alloc_req req = {.size = size, .numa_node = HEAP_NODE_ANY};
    int ret = heap_alloc(heap, &req, &out->buf);
    if (ret)
        return lab_fail(d, "heap_alloc(%s, %zu): %s", heap_name, size, strerror(-ret));
    if ((ret = heap_mmap(out->buf, (void **)&out->addr)) ||
        (ret = heap_sync_begin(out->buf, HEAP_SYNC_WRITE))) {
        heap_free(out->buf);
        return lab_fail(d, "heap_mmap/sync_begin: %s", strerror(-ret));
    }
    memset(out->addr, 0xa5, out->buf->alloc_size); /* every page faulted in and written */
    if ((ret = heap_sync_end(out->buf, HEAP_SYNC_WRITE))) {
        heap_free(out->buf);
        return lab_fail(d, "heap_sync_end: %s", strerror(-ret));
    }
    return true;
}

/* --- CMA ------------------------------------------------------------------------------------- */

/* "cma=64M" on the kernel command line, in bytes; 0 when absent. */
static unsigned long long cmdline_cma_bytes(void)
{
    char *cmdline = lab_read_file("/proc/cmdline");
    char *arg = cmdline ? strstr(cmdline, "cma=") : NULL;
    unsigned long long bytes = 0;
    if (arg && (arg == cmdline || arg[-1] == ' ')) {
        char *end;
        bytes = strtoull(arg + 4, &end, 10);
        switch (*end) {
        case 'G':
            bytes <<= 10; /* fall through */
        case 'M':
            bytes <<= 10; /* fall through */
        case 'K':
            bytes <<= 10;
        }
    }
    free(cmdline);
    return bytes;
}

/* What the kernel says about the CMA area: /proc/meminfo and debugfs cma/<area>/. CmaFree is
 * not used: an allocation that lands on pages movable allocations had borrowed migrates them
 * out, and CmaFree then does not move at all. The area's bitmap is exact. */
struct cma_state {
    long long total_kb; /* CmaTotal */
    long long base_pfn, count, order_per_bit, used;
    unsigned *bitmap; /* debugfs cma/<area>/bitmap: bit i set = pages [i << order, ...) taken */
    size_t bitmap_words;
};

static bool cma_state(const char *area, struct cma_state *s, struct lab_detail *d)
{
    char path[128], *text = lab_read_file("/proc/meminfo");
    if (!text)
        return lab_fail(d, "/proc/meminfo: %s", strerror(errno));
    s->total_kb = lab_field(text, "CmaTotal:");
    free(text);
    if (s->total_kb < 0)
        return lab_fail(d, "/proc/meminfo has no CmaTotal");
    static const char *const files[] = {"base_pfn", "count", "order_per_bit", "used", "bitmap"};
    long long *values[] = {&s->base_pfn, &s->count, &s->order_per_bit, &s->used, NULL};
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof(path), "/sys/kernel/debug/cma/%s/%s", area, files[i]);
        if (!(text = lab_read_file(path)))
            return lab_fail(d, "%s: %s (CONFIG_CMA_DEBUGFS, debugfs mounted?)", path,
                            strerror(errno));
        if (values[i]) {
            *values[i] = strtoll(text, NULL, 10);
        } else {
            /* Space-separated u32s, the area's unsigned longs read 32 bits at a time. */
            size_t cap = strlen(text) / 2 + 1;
            free(s->bitmap);
            s->bitmap = calloc(cap, sizeof(*s->bitmap));
            s->bitmap_words = 0;
            char *p = text, *end;
            while (s->bitmap && s->bitmap_words < cap) {
                unsigned long v = strtoul(p, &end, 10);
                if (end == p)
                    break;
                s->bitmap[s->bitmap_words++] = (unsigned)v;
                p = end;
            }
        }
        free(text);
    }
    if (!s->bitmap)
        return lab_fail(d, "out of memory");
    return true;
}

static bool bit_set(const struct cma_state *s, size_t bit)
{
    return bit / 32 < s->bitmap_words && (s->bitmap[bit / 32] >> (bit % 32) & 1);
}

/* The bits taken between before and after must be one run of exactly want bits: the buffer
 * is one physically contiguous range of the area. Sets *first_pfn. */
static bool one_contiguous_run(const struct cma_state *before, const struct cma_state *after,
                               size_t want, long long *first_pfn, struct lab_detail *d)
{
    size_t first = 0, n = 0, runs = 0;
    for (size_t bit = 0; bit < after->bitmap_words * 32; bit++) {
        if (!bit_set(after, bit) || bit_set(before, bit))
            continue;
        if (!n || bit != first + n) {
            runs++;
            if (!n)
                first = bit;
        }
        n++;
    }
    if (runs != 1 || n != want)
        return lab_fail(d,
                        "the allocation took %zu bits of the CMA bitmap in %zu runs, want %zu "
                        "in one",
                        n, runs, want);
    *first_pfn = before->base_pfn + ((long long)first << before->order_per_bit);
    return true;
}

static void check_cma(const char *heap_name)
{
    const size_t size = 8 * MIB, pages = size / heap_base_page_size();
    struct heap_registry *reg = NULL;
    struct cma_state before = {0}, during = {0}, after = {0};
    struct mapped_buf mb = {0};
    struct lab_detail d = {""};
    char check[96];
    unsigned long long want = cmdline_cma_bytes();

    bool ok = cma_state(heap_name, &before, &d);
    if (ok && !want)
        ok = lab_fail(&d, "no cma=SIZE on the kernel command line");
    if (ok && (unsigned long long)before.total_kb * 1024 != want)
        ok = lab_fail(&d, "CmaTotal %lld kB, the command line asked for cma=%llu bytes",
                      before.total_kb, want);
    if (ok && (unsigned long long)before.count * heap_base_page_size() != want)
        ok = lab_fail(&d, "debugfs cma/%s/count is %lld pages, want %llu bytes", heap_name,
                      before.count, want);
    snprintf(check, sizeof(check), "cma-%s-area-matches-cmdline", heap_name);
    lab_report(&run, check, ok, &d);

    int ret = heap_registry_open(&reg, NULL, 0);
    if (ret) {
        lab_fail(&d, "heap_registry_open: %s", strerror(-ret));
        lab_report(&run, "registry-open", false, &d);
        return;
    }

    /* The allocation is in the area's accounting, by exactly its size, as one run. */
    long long first_pfn = 0;
    ok = map_buffer(reg, heap_name, size, &mb, &d) && cma_state(heap_name, &during, &d);
    if (ok && during.used - before.used != (long long)pages)
        ok = lab_fail(&d, "debugfs cma/%s/used went %lld -> %lld pages, want +%zu", heap_name,
                      before.used, during.used, pages);
    ok = ok && one_contiguous_run(&before, &during, pages >> before.order_per_bit, &first_pfn, &d);
    snprintf(check, sizeof(check), "cma-%s-buffer-physically-contiguous", heap_name);
    lab_report(&run, check, ok, &d);
    if (ok)
        printf("  %zu KiB at PFN 0x%llx..0x%llx of the area 0x%llx+0x%llx\n", size >> 10, first_pfn,
               first_pfn + (long long)pages - 1, before.base_pfn, before.count);

    /* Freed back: the area's counters return to where they were. */
    bool had = mb.buf != NULL;
    heap_free(mb.buf);
    ok = had && cma_state(heap_name, &after, &d);
    if (ok && after.used != before.used)
        ok = lab_fail(&d, "debugfs cma/%s/used is %lld pages after the free, was %lld", heap_name,
                      after.used, before.used);
    snprintf(check, sizeof(check), "cma-%s-free-returns-pages", heap_name);
    lab_report(&run, check, ok, &d);
    free(before.bitmap);
    free(during.bitmap);
    free(after.bitmap);

    /* More than the area holds: the kernel's ENOMEM, unchanged by dmabench's core. */
    char dev[64];
    snprintf(dev, sizeof(dev), "/dev/dma_heap/%s", heap_name);
    int heap_fd = open(dev, O_RDONLY | O_CLOEXEC);
    ret = heap_fd < 0 ? -errno
                      : dma_heap_alloc_fd(heap_fd, (size_t)want * 2, O_RDWR | O_CLOEXEC, 0);
    ok = ret == -ENOMEM;
    if (ret >= 0)
        close(ret);
    if (!ok)
        lab_fail(&d, "allocating twice the CMA area (%llu bytes) gave %d (%s), want ENOMEM",
                 want * 2, ret, ret < 0 ? strerror(-ret) : "a dma-buf");
    if (heap_fd >= 0)
        close(heap_fd);
    snprintf(check, sizeof(check), "cma-%s-beyond-area-enomem", heap_name);
    lab_report(&run, check, ok, &d);

    heap_registry_close(reg, NULL);
}

/* --- the cache attributes of a CPU mapping ------------------------------------------------- */

#if defined(__x86_64__)
/* The attribute words ("USR RW PWT ...") of the page-table dump lines covering
 * [addr, addr + len), read from the kernel's own walk of this process's page tables
 * (CONFIG_PTDUMP_DEBUGFS). Checks each against want_wc. */
static bool mapping_attributes(const void *addr, size_t len, bool want_wc, struct lab_detail *d)
{
    const char *path = "/sys/kernel/debug/page_tables/current_kernel";
    char *text = lab_read_file(path);
    if (!text)
        return lab_fail(d, "%s: %s (CONFIG_PTDUMP_DEBUGFS?)", path, strerror(errno));
    uintptr_t start = (uintptr_t)addr, end = start + len, covered = 0;
    bool ok = true;
    for (char *line = strtok(text, "\n"); ok && line; line = strtok(NULL, "\n")) {
        unsigned long from, to;
        if (sscanf(line, "0x%lx-0x%lx", &from, &to) != 2 || to <= start || from >= end)
            continue;
        /* Word by word: "PAT" must not match inside another word. */
        bool usr = false, pwt = false, pcd = false, pat = false;
        char copy[256], *save;
        snprintf(copy, sizeof(copy), "%s", line);
        for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
            usr |= !strcmp(w, "USR");
            pwt |= !strcmp(w, "PWT");
            pcd |= !strcmp(w, "PCD");
            pat |= !strcmp(w, "PAT");
        }
        /* Linux programs the PAT so that WC is index 1: PWT alone. WB is index 0. */
        bool is_wc = pwt && !pcd && !pat, is_wb = !pwt && !pcd && !pat;
        if (!usr || !(want_wc ? is_wc : is_wb))
            ok = lab_fail(d, "mapping %p+%zu: page tables say \"%s\", want a user %s mapping", addr,
                          len, line, want_wc ? "write-combined (PWT)" : "write-back");
        covered += (to < end ? to : end) - (from > start ? from : start);
    }
    free(text);
    if (ok && covered != len)
        ok = lab_fail(d, "the page-table dump covers %zu of the %zu bytes mapped at %p",
                      (size_t)covered, len, addr);
    return ok;
}
#endif

static void check_mapping(const char *heap_name, const char *kind)
{
    char check[96];
    bool want_wc = !strcmp(kind, "wc");
    snprintf(check, sizeof(check), "mapping-%s-%s", heap_name,
             want_wc ? "write-combined" : "write-back");
#if defined(__x86_64__)
    struct heap_registry *reg = NULL;
    struct mapped_buf mb = {0};
    struct lab_detail d = {""};
    int ret = heap_registry_open(&reg, NULL, 0);
    bool ok = !ret || lab_fail(&d, "heap_registry_open: %s", strerror(-ret));
    ok = ok && map_buffer(reg, heap_name, MIB, &mb, &d);
    ok = ok && mapping_attributes(mb.addr, mb.buf->alloc_size, want_wc, &d);
    lab_report(&run, check, ok, &d);
    if (mb.buf)
        heap_free(mb.buf);
    if (reg)
        heap_registry_close(reg, NULL);
#else
    lab_skip(&run, check, "reads the x86 page-table dump");
#endif
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "cma")) {
        check_cma(argv[2]);
    } else if (argc == 4 && !strcmp(argv[1], "mapping") &&
               (!strcmp(argv[3], "wc") || !strcmp(argv[3], "wb"))) {
        check_mapping(argv[2], argv[3]);
    } else {
        fprintf(stderr, "usage: lab_heap_facts cma HEAP | mapping HEAP wc|wb\n");
        return 2;
    }
    return lab_finish(&run, "lab_heap_facts");
}
