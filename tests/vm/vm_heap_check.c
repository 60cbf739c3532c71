/* tests/vm/vm_heap_check.c - the heap core and its dma-heap/udmabuf backends on a real kernel.
 *
 * Runs as root in a QEMU guest booting Debian's 6.12 kernel (numa=fake=2, 2 MiB huge pages
 * reserved by tests/vm/init.sh). Prints `PASS name` or `FAIL name: detail` per check and a
 * summary; exits 0 only when nothing failed. Static and self-contained: no cmocka.
 * DMABENCH_VM_HEAPS=udmabuf,... names the heaps to expect and test (default system,udmabuf):
 * Debian's arm64 kernel has no dma-heaps, the lab kernel has reserved and system-uncached too.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <numa.h>
#include <numaif.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dma_heap.h"
#include "dmabuf_fdinfo.h"
#include "dmabuf_ops.h"
#include "heap.h"
#include "heap_dev.h"
#include "udmabuf.h"

#define KIB     ((size_t)1 << 10)
#define MIB     ((size_t)1 << 20)
#define HUGE_2M (2 * MIB)

static int passed, failed, skipped;

/* Why a check failed, filled by the helpers that find out. */
struct detail {
    char text[320];
};

static bool fail(struct detail *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct detail *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->text, sizeof(d->text), fmt, ap);
    va_end(ap);
    return false;
}

static void report(const char *name, bool ok, const struct detail *d)
{
    if (ok) {
        printf("PASS %s\n", name);
        passed++;
    } else {
        printf("FAIL %s: %s\n", name, d->text);
        failed++;
    }
    fflush(stdout);
}

static void report_skip(const char *name, const char *why)
{
    printf("SKIP %s: %s\n", name, why);
    skipped++;
    fflush(stdout);
}

static struct heap_alloc_req request(size_t size)
{
    return (struct heap_alloc_req){.size = size, .numa_node = HEAP_NODE_ANY};
}

static size_t round_up(size_t size, size_t page)
{
    return (size + page - 1) / page * page;
}

/* --- what the process holds: before and after must match ------------------------------------- */

struct process_resources {
    int fds, maps, dmabufs;
};

static int count_open_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    struct dirent *entry;
    int n = 0;
    if (!dir)
        return -errno;
    while ((entry = readdir(dir)) != NULL)
        n += entry->d_name[0] != '.';
    closedir(dir);
    return n;
}

static int count_lines(const char *path)
{
    char chunk[4096];
    int lines = 0, fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;
    if (fd < 0)
        return -errno;
    while ((n = read(fd, chunk, sizeof(chunk))) > 0)
        for (ssize_t i = 0; i < n; i++)
            lines += chunk[i] == '\n';
    close(fd);
    return lines;
}

static struct process_resources process_resources(void)
{
    return (struct process_resources){
            .fds = count_open_fds(),
            .maps = count_lines("/proc/self/maps"),
            .dmabufs = dmabuf_count_open(),
    };
}

/* --- the registry ---------------------------------------------------------------------------- */

static bool heap_is(struct heap_registry *reg, const char *name, const char *backend,
                    enum heap_class klass, struct detail *d)
{
    struct heap *heap = heap_registry_find(reg, name);
    if (!heap)
        return fail(d, "heap_registry_find(\"%s\") found nothing", name);
    const struct heap_info *info = &heap->info;
    if (strcmp(info->backend, backend))
        return fail(d, "backend is %s, want %s", info->backend, backend);
    if (!info->available)
        return fail(d, "unavailable: %s", info->reason);
    if (!info->is_dmabuf)
        return fail(d, "not marked as a dma-buf heap");
    if (info->klass != klass)
        return fail(d, "class %s, want %s", heap_class_name(info->klass), heap_class_name(klass));
    return true;
}

/* --- one buffer, end to end ------------------------------------------------------------------ */

/* Every heap this test knows how to expect: its backend, the class dmabench must give it, the
 * exporter name fdinfo must show, and the name of its registry check. */
struct heap_under_test {
    const char *name;
    const char *backend;
    enum heap_class klass;
    const char *exporter;
    const char *registry_check;
};
static const struct heap_under_test known_heaps[] = {
        {"system", "dma-heap", HEAP_CLASS_CACHED, "system", "registry-system-cached-dma-heap"},
        {"udmabuf", "udmabuf", HEAP_CLASS_CACHED, "udmabuf", "registry-udmabuf-available"},
        {"reserved", "dma-heap", HEAP_CLASS_CONTIGUOUS, "reserved",
         "registry-reserved-contiguous-dma-heap"},
        {"system-uncached", "dma-heap", HEAP_CLASS_UNCACHED, "system-uncached",
         "registry-system-uncached-uncached-dma-heap"},
};
#define N_KNOWN_HEAPS (sizeof(known_heaps) / sizeof(known_heaps[0]))

/* The heaps every size class runs on: DMABENCH_VM_HEAPS, in its order. */
static const struct heap_under_test *heaps_under_test[N_KNOWN_HEAPS];
static size_t n_heaps_under_test;

/* Fills heaps_under_test; false (after saying why) for a name this test has no facts for. */
static bool choose_heaps(void)
{
    const char *env = getenv("DMABENCH_VM_HEAPS");
    char list[256], *save;
    snprintf(list, sizeof(list), "%s", env && *env ? env : "system,udmabuf");
    for (char *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        size_t k = 0;
        while (k < N_KNOWN_HEAPS && strcmp(known_heaps[k].name, name))
            k++;
        if (k == N_KNOWN_HEAPS || n_heaps_under_test == N_KNOWN_HEAPS) {
            printf("FAIL heaps-under-test: DMABENCH_VM_HEAPS names '%s'; known: system, udmabuf, "
                   "reserved, system-uncached, each once\n",
                   name);
            return false;
        }
        heaps_under_test[n_heaps_under_test++] = &known_heaps[k];
    }
    return n_heaps_under_test > 0;
}

/* The first heap under test with this backend (NULL: any backend), or NULL. */
static const struct heap_under_test *first_heap_under_test(const char *backend)
{
    for (size_t h = 0; h < n_heaps_under_test; h++)
        if (!backend || !strcmp(heaps_under_test[h]->backend, backend))
            return heaps_under_test[h];
    return NULL;
}

static const struct size_class {
    const char *label;
    size_t size;
} size_classes[] = {
        {"4K", 4 * KIB}, {"64K", 64 * KIB}, {"1M", MIB}, {"16M", 16 * MIB}, {"5000B", 5000},
};

static unsigned char pattern_byte(size_t offset, unsigned seed)
{
    return (unsigned char)((offset * 131 + seed) ^ (offset >> 12));
}

static bool fdinfo_is(int fd, size_t size, const char *exporter, const char *name, struct detail *d)
{
    struct dmabuf_fdinfo info;
    int ret = dmabuf_fdinfo_read(fd, &info);
    if (ret)
        return fail(d, "dmabuf_fdinfo_read(%d): %s", fd, strerror(-ret));
    if (info.size != size)
        return fail(d, "fdinfo size %zu, want %zu", info.size, size);
    if (exporter && strcmp(info.exp_name, exporter))
        return fail(d, "fdinfo exp_name '%s', want '%s'", info.exp_name, exporter);
    if (name && strcmp(info.name, name))
        return fail(d, "fdinfo name '%s', want '%s'", info.name, name);
    return true;
}

/* Write through one mapping inside a WRITE sync, read through another inside a READ sync. */
static bool data_round_trips(struct heap_buf *buf, unsigned seed, struct detail *d)
{
    unsigned char *writer, *reader;
    int ret;
    if ((ret = heap_mmap(buf, (void **)&writer)) || (ret = heap_mmap(buf, (void **)&reader)))
        return fail(d, "heap_mmap: %s", strerror(-ret));
    if ((uintptr_t)writer % buf->align || (uintptr_t)reader % buf->align)
        return fail(d, "mapping %p/%p not aligned to %zu", (void *)writer, (void *)reader,
                    buf->align);
    if ((ret = heap_sync_begin(buf, HEAP_SYNC_WRITE)))
        return fail(d, "heap_sync_begin(WRITE): %s", strerror(-ret));
    for (size_t i = 0; i < buf->alloc_size; i++)
        writer[i] = pattern_byte(i, seed);
    if ((ret = heap_sync_end(buf, HEAP_SYNC_WRITE)))
        return fail(d, "heap_sync_end(WRITE): %s", strerror(-ret));
    if ((ret = heap_sync_begin(buf, HEAP_SYNC_READ)))
        return fail(d, "heap_sync_begin(READ): %s", strerror(-ret));
    for (size_t i = 0; i < buf->alloc_size; i++)
        if (reader[i] != pattern_byte(i, seed))
            return fail(d, "byte %zu reads 0x%02x through the second mapping, wrote 0x%02x", i,
                        reader[i], pattern_byte(i, seed));
    if ((ret = heap_sync_end(buf, HEAP_SYNC_READ)))
        return fail(d, "heap_sync_end(READ): %s", strerror(-ret));
    if ((ret = heap_munmap(buf, writer)) || (ret = heap_munmap(buf, reader)))
        return fail(d, "heap_munmap: %s", strerror(-ret));
    return true;
}

static bool name_round_trips(struct heap_buf *buf, const char *name, struct detail *d)
{
    int ret = heap_set_name(buf, name);
    if (ret)
        return fail(d, "heap_set_name(\"%s\"): %s", name, strerror(-ret));
    return fdinfo_is(buf->fd, buf->alloc_size, NULL, name, d);
}

static bool buffer_works(struct heap *heap, const struct heap_alloc_req *req, const char *exporter,
                         struct detail *d)
{
    struct heap_buf *buf = NULL;
    int ret = heap_alloc(heap, req, &buf);
    if (ret)
        return fail(d, "heap_alloc(%zu bytes): %s", req->size, strerror(-ret));
    size_t page = req->page_kind == HEAP_PAGES_HUGETLB ? req->page_size : heap_base_page_size();
    char name[DMA_BUF_NAME_LEN];
    snprintf(name, sizeof(name), "dmabench-%.8s-%u", heap->info.name, (unsigned)req->size);
    bool ok = true;
    if (buf->alloc_size != round_up(req->size, page) || buf->page_size != page)
        ok = fail(d, "alloc_size %zu page_size %zu, want %zu and %zu", buf->alloc_size,
                  buf->page_size, round_up(req->size, page), page);
    ok = ok && fdinfo_is(buf->fd, buf->alloc_size, exporter, NULL, d);
    ok = ok && data_round_trips(buf, (unsigned)req->size, d);
    ok = ok && name_round_trips(buf, name, d);
    int fd = buf->fd;
    heap_free(buf);
    if (ok && fcntl(fd, F_GETFD) >= 0)
        ok = fail(d, "dma-buf fd %d still open after heap_free", fd);
    return ok;
}

static void check_size_classes(struct heap_registry *reg)
{
    for (size_t h = 0; h < n_heaps_under_test; h++) {
        struct heap *heap = heap_registry_find(reg, heaps_under_test[h]->name);
        for (size_t s = 0; s < sizeof(size_classes) / sizeof(size_classes[0]); s++) {
            char check[64];
            struct detail d = {"heap not found"};
            struct heap_alloc_req req = request(size_classes[s].size);
            snprintf(check, sizeof(check), "buffer-%s-%s", heaps_under_test[h]->name,
                     size_classes[s].label);
            report(check, heap && buffer_works(heap, &req, heaps_under_test[h]->exporter, &d), &d);
        }
    }
}

/* --- huge pages ------------------------------------------------------------------------------ */

static long free_huge_pages_2m(void)
{
    long n = -1;
    FILE *f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "re");
    if (f) {
        if (fscanf(f, "%ld", &n) != 1)
            n = -1;
        fclose(f);
    }
    return n;
}

/* Huge pages only when the pool has them: without any, the check has nothing to prove (and
 * init.sh's own hugepages-reserved check fails the run). */
static bool huge_pages_free(const char *check, long want)
{
    long free_pages = free_huge_pages_2m();
    if (free_pages >= want)
        return true;
    char why[96];
    snprintf(why, sizeof(why), "%ld free 2 MiB huge pages, need %ld (nr_hugepages not set)",
             free_pages, want);
    report_skip(check, why);
    return false;
}

static bool hugetlb_buffer_works(struct heap *heap, struct detail *d)
{
    struct heap_alloc_req req = request(2 * HUGE_2M);
    req.page_kind = HEAP_PAGES_HUGETLB;
    req.page_size = HUGE_2M;
    long before = free_huge_pages_2m();
    struct heap_buf *buf = NULL;
    int ret = heap_alloc(heap, &req, &buf);
    if (ret)
        return fail(d, "heap_alloc(4 MiB of 2 MiB pages) with %ld free: %s", before,
                    strerror(-ret));
    long after = free_huge_pages_2m();
    heap_free(buf);
    /* The pool, not the page cache, paid for it: proof that hugetlbfs backs the buffer. */
    if (before - after != 2)
        return fail(d, "free 2 MiB pages went %ld -> %ld, want 2 used", before, after);
    return buffer_works(heap, &req, "udmabuf", d);
}

/* --- NUMA placement -------------------------------------------------------------------------- */

/* Every page of [addr, addr + len) on node, after faulting it in here. */
static bool pages_on_node(void *addr, size_t len, size_t page, int node, struct detail *d)
{
    size_t n = len / page;
    void **pages = calloc(n, sizeof(*pages));
    int *status = calloc(n, sizeof(*status));
    bool ok = pages && status;
    if (!ok)
        fail(d, "out of memory");
    for (size_t i = 0; ok && i < n; i++) {
        pages[i] = (char *)addr + i * page;
        (void)*(volatile char *)pages[i]; /* move_pages reports only pages mapped here */
    }
    if (ok && numa_move_pages(0, n, pages, NULL, status, 0))
        ok = fail(d, "move_pages: %s", strerror(errno));
    for (size_t i = 0; ok && i < n; i++) {
        if (status[i] < 0)
            ok = fail(d, "page %zu of %zu has no node: %s", i, n, strerror(-status[i]));
        else if (status[i] != node)
            ok = fail(d, "page %zu of %zu is on node %d, want %d", i, n, status[i], node);
    }
    free(pages);
    free(status);
    return ok;
}

/* udmabuf maps its dma-buf VM_PFNMAP, which move_pages cannot see into: placement is read
 * through the backend's memfd (buf->priv_word), after proving it holds the dma-buf's bytes. */
static bool udmabuf_pages_on_node(struct heap_buf *buf, int node, struct detail *d)
{
    int memfd = (int)buf->priv_word;
    void *through_dmabuf, *through_memfd;
    int ret = heap_mmap(buf, &through_dmabuf);
    if (ret)
        return fail(d, "heap_mmap: %s", strerror(-ret));
    through_memfd = mmap(NULL, buf->alloc_size, PROT_READ, MAP_SHARED, memfd, 0);
    if (through_memfd == MAP_FAILED)
        return fail(d, "mmap of the backing memfd: %s", strerror(errno));
    memset(through_dmabuf, 0x5a, buf->alloc_size);
    bool ok = true;
    if (memcmp(through_dmabuf, through_memfd, buf->alloc_size))
        ok = fail(d, "the memfd does not hold what was written to the dma-buf");
    ok = ok && pages_on_node(through_memfd, buf->alloc_size, buf->page_size, node, d);
    munmap(through_memfd, buf->alloc_size);
    return ok;
}

static bool placed_on_node(struct heap *heap, const struct heap_alloc_req *req, struct detail *d)
{
    struct heap_buf *buf = NULL;
    int ret = heap_alloc(heap, req, &buf);
    if (ret)
        return fail(d, "heap_alloc on node %d: %s", req->numa_node, strerror(-ret));
    bool ok;
    if (!strcmp(heap->info.backend, "udmabuf")) {
        ok = udmabuf_pages_on_node(buf, req->numa_node, d);
    } else {
        void *addr;
        ret = heap_mmap(buf, &addr);
        ok = ret ? fail(d, "heap_mmap: %s", strerror(-ret))
                 : pages_on_node(addr, buf->alloc_size, buf->page_size, req->numa_node, d);
    }
    heap_free(buf);
    return ok;
}

static void check_numa_placement(struct heap_registry *reg)
{
    struct detail d = {""};
    bool two_nodes = numa_available() >= 0 && numa_max_node() >= 1;
    if (!two_nodes)
        fail(&d, "numa_max_node() is %d: boot the VM with numa=fake=2",
             numa_available() >= 0 ? numa_max_node() : -1);
    report("numa-two-nodes", two_nodes, &d);
    if (!two_nodes)
        return;
    static const struct {
        const char *heap;
        enum heap_page_kind kind;
    } cases[] = {
            {"udmabuf", HEAP_PAGES_BASE},
            {"udmabuf", HEAP_PAGES_HUGETLB},
            {"host", HEAP_PAGES_BASE},
    };
    /* Both nodes: a binding that changed nothing would pass on one of them only. */
    for (int node = 0; node <= 1; node++) {
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            bool huge = cases[i].kind == HEAP_PAGES_HUGETLB;
            char check[64];
            snprintf(check, sizeof(check), "numa-%s%s-node%d", cases[i].heap,
                     huge ? "-hugetlb" : "", node);
            if (huge && !huge_pages_free(check, 2))
                continue;
            struct heap *heap = heap_registry_find(reg, cases[i].heap);
            struct heap_alloc_req req = request(huge ? 2 * HUGE_2M : 8 * MIB);
            req.bind_node = true;
            req.numa_node = node;
            req.page_kind = cases[i].kind;
            req.page_size = huge ? HUGE_2M : 0;
            d = (struct detail){"heap not found"};
            report(check, heap && placed_on_node(heap, &req, &d), &d);
        }
    }
}

/* --- the kernel's refusals, through the raw wrappers ----------------------------------------- */

static bool errno_is(const char *call, int got, int want, struct detail *d)
{
    if (got >= 0 && want == 0) {
        close(got);
        return true;
    }
    if (got >= 0)
        close(got);
    if (got == -want)
        return true;
    return fail(d, "%s returned %d (%s), want %s", call, got, got < 0 ? strerror(-got) : "an fd",
                want ? strerror(want) : "an fd");
}

static int open_dev(const char *path, int flags, struct detail *d)
{
    char real[256];
    int ret = heap_dev_path(real, sizeof(real), path);
    int fd = ret ? ret : open(real, flags | O_CLOEXEC);
    if (fd < 0)
        fail(d, "open %s: %s", real, strerror(ret ? -ret : errno));
    return fd;
}

static void check_dma_heap_refusals(const struct heap_under_test *heap)
{
    static const struct {
        const char *check;
        size_t len;
        unsigned fd_flags;
        unsigned long long heap_flags;
        int want; /* errno, or 0 for a dma-buf */
    } cases[] = {
            {"dma-heap-valid-request", 4096, O_RDWR | O_CLOEXEC, 0, 0},
            {"dma-heap-heap-flags-einval", 4096, O_RDWR | O_CLOEXEC, 1, EINVAL},
            {"dma-heap-zero-len-einval", 0, O_RDWR | O_CLOEXEC, 0, EINVAL},
            {"dma-heap-fd-flags-einval", 4096, O_RDWR | O_APPEND, 0, EINVAL},
            {"dma-heap-fd-flags-nonblock-einval", 4096, O_RDWR | O_NONBLOCK, 0, EINVAL},
    };
    struct detail d = {""};
    char path[HEAP_NAME_MAX + 16];
    if (!heap) {
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
            report_skip(cases[i].check, "no dma-heap among DMABENCH_VM_HEAPS");
        return;
    }
    snprintf(path, sizeof(path), "/dev/dma_heap/%s", heap->name);
    int heap_fd = open_dev(path, O_RDONLY, &d);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool ok =
                heap_fd >= 0 && errno_is("dma_heap_alloc_fd",
                                         dma_heap_alloc_fd(heap_fd, cases[i].len, cases[i].fd_flags,
                                                           cases[i].heap_flags),
                                         cases[i].want, &d);
        report(cases[i].check, ok, &d);
    }
    if (heap_fd >= 0)
        close(heap_fd);
}

/* A shmem memfd of memfd_size bytes with the given seals, or -errno. */
static int sealed_memfd(size_t memfd_size, int seals)
{
    int memfd = memfd_create("vm-heap-check", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (memfd < 0)
        return -errno;
    if (ftruncate(memfd, (off_t)memfd_size) || (seals && fcntl(memfd, F_ADD_SEALS, seals))) {
        int err = -errno;
        close(memfd);
        return err;
    }
    return memfd;
}

static void check_udmabuf_refusals(void)
{
    static const struct {
        const char *check;
        int seals;
        unsigned long long offset, size;
        int want;
    } cases[] = {
            {"udmabuf-valid-request", F_SEAL_SHRINK, 0, 64 * KIB, 0},
            {"udmabuf-unsealed-einval", 0, 0, 64 * KIB, EINVAL},
            {"udmabuf-seal-write-einval", F_SEAL_SHRINK | F_SEAL_WRITE, 0, 64 * KIB, EINVAL},
            {"udmabuf-unaligned-offset-einval", F_SEAL_SHRINK, 100, 16 * KIB, EINVAL},
            {"udmabuf-beyond-memfd-einval", F_SEAL_SHRINK, 0, 128 * KIB, EINVAL},
    };
    struct detail d = {""};
    int dev_fd = open_dev("/dev/udmabuf", O_RDWR, &d);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int memfd = dev_fd < 0 ? -1 : sealed_memfd(64 * KIB, cases[i].seals);
        bool ok = dev_fd >= 0;
        if (ok && memfd < 0)
            ok = fail(&d, "memfd with seals 0x%x: %s", cases[i].seals, strerror(-memfd));
        ok = ok && errno_is("udmabuf_create_fd",
                            udmabuf_create_fd(dev_fd, memfd, cases[i].offset, cases[i].size,
                                              UDMABUF_FLAGS_CLOEXEC),
                            cases[i].want, &d);
        if (memfd >= 0)
            close(memfd);
        report(cases[i].check, ok, &d);
    }
    if (dev_fd >= 0)
        close(dev_fd);
}

/* Sync flags the kernel refuses, and the vendor partial sync it does not have. */
static void check_sync_refusals(struct heap *heap)
{
    static const struct {
        const char *check;
        unsigned long long flags;
    } cases[] = {
            {"sync-unknown-flag-einval", DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ | 8},
            {"sync-no-direction-einval", DMA_BUF_SYNC_END},
    };
    struct heap_alloc_req req = request(64 * KIB);
    struct heap_buf *buf = NULL;
    struct detail d = {"no heap to test"};
    int ret = heap ? heap_alloc(heap, &req, &buf) : -ENODEV;
    if (ret && heap)
        fail(&d, "heap_alloc: %s", strerror(-ret));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        report(cases[i].check,
               !ret && errno_is("dmabuf_sync", dmabuf_sync(buf->fd, cases[i].flags), EINVAL, &d),
               &d);
    /* Mainline has no DMA_BUF_IOCTL_SYNC_PARTIAL: ENOTTY raw, a full sync through the core. */
    bool ok = !ret && errno_is("dmabuf_sync_partial",
                               dmabuf_sync_partial(buf->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ,
                                                   0, 4096),
                               ENOTTY, &d);
    report("sync-partial-enotty", ok, &d);
    ok = !ret;
    if (ok && (ret = heap_sync_range_begin(buf, HEAP_SYNC_READ, 100, 200)) != HEAP_SYNC_DONE_FULL)
        ok = fail(&d, "heap_sync_range_begin returned %d, want HEAP_SYNC_DONE_FULL", ret);
    if (ok && (ret = heap_sync_range_end(buf, HEAP_SYNC_READ, 100, 200)) != HEAP_SYNC_DONE_FULL)
        ok = fail(&d, "heap_sync_range_end returned %d, want HEAP_SYNC_DONE_FULL", ret);
    if (ok && heap->info.has_range_sync)
        ok = fail(&d, "has_range_sync still set after the kernel said ENOTTY");
    report("sync-range-falls-back-to-full", ok, &d);
    heap_free(buf);
}

/* The kernel's own name limit: 31 characters and the NUL fit, 32 do not. */
static void check_name_limit(struct heap *heap)
{
    struct heap_alloc_req req = request(4 * KIB);
    struct heap_buf *buf = NULL;
    struct detail d = {"no heap to test"};
    char name[DMA_BUF_NAME_LEN + 1];
    memset(name, 'n', DMA_BUF_NAME_LEN);
    name[DMA_BUF_NAME_LEN] = '\0';
    int ret = heap ? heap_alloc(heap, &req, &buf) : -ENODEV;
    bool ok = !ret;
    if (!ok && heap)
        fail(&d, "heap_alloc: %s", strerror(-ret));
    if (ok && (ret = heap_set_name(buf, name)) != -ENAMETOOLONG)
        ok = fail(&d, "a %d-character name gave %d, want -ENAMETOOLONG", DMA_BUF_NAME_LEN, ret);
    name[DMA_BUF_NAME_LEN - 1] = '\0';
    ok = ok && name_round_trips(buf, name, &d);
    report("set-name-31-characters", ok, &d);
    heap_free(buf);
}

/* The core refuses before a backend is asked. */
static void check_core_refusals(struct heap_registry *reg)
{
    for (size_t h = 0; h < n_heaps_under_test; h++) {
        struct heap *heap = heap_registry_find(reg, heaps_under_test[h]->name);
        struct heap_alloc_req zero = request(0), odd_align = request(4096);
        odd_align.align = 3 * 4096;
        const struct heap_alloc_req *bad[] = {&zero, &odd_align};
        const char *what[] = {"size-0", "align-not-power-of-two"};
        for (size_t i = 0; i < 2; i++) {
            char check[64];
            struct heap_buf *buf = NULL;
            struct detail d = {"heap not found"};
            snprintf(check, sizeof(check), "core-%s-%s-einval", heaps_under_test[h]->name, what[i]);
            bool ok = heap && errno_is("heap_alloc", heap_alloc(heap, bad[i], &buf), EINVAL, &d);
            if (buf) {
                ok = fail(&d, "heap_alloc returned a buffer");
                heap_free(buf);
            }
            report(check, ok, &d);
        }
    }
}

/* --- the run --------------------------------------------------------------------------------- */

static void check_registry(struct heap_registry *reg)
{
    struct detail d;
    for (size_t h = 0; h < n_heaps_under_test; h++) {
        const struct heap_under_test *t = heaps_under_test[h];
        report(t->registry_check, heap_is(reg, t->name, t->backend, t->klass, &d), &d);
    }
}

static void check_hugetlb(struct heap_registry *reg)
{
    const char *check = "buffer-udmabuf-hugetlb-2M";
    struct heap *heap = heap_registry_find(reg, "udmabuf");
    struct detail d = {"heap not found"};
    if (huge_pages_free(check, 2))
        report(check, heap && hugetlb_buffer_works(heap, &d), &d);
}

static void check_nothing_leaked(struct process_resources before, struct heap_counts leaked)
{
    struct process_resources after = process_resources();
    struct detail d = {""};
    bool ok = leaked.buffers == 0 && leaked.mappings == 0;
    if (!ok)
        fail(&d, "heap_registry_close found %ld buffers and %ld mappings alive", leaked.buffers,
             leaked.mappings);
    report("registry-close-nothing-leaked", ok, &d);
    ok = before.dmabufs >= 0 && before.fds > 0 && before.maps > 0 &&
         after.dmabufs == before.dmabufs && after.fds == before.fds && after.maps == before.maps;
    if (!ok)
        fail(&d, "dma-bufs %d -> %d, fds %d -> %d, mappings %d -> %d", before.dmabufs,
             after.dmabufs, before.fds, after.fds, before.maps, after.maps);
    report("process-nothing-leaked", ok, &d);
}

int main(void)
{
    struct heap_registry *reg = NULL;
    struct heap_counts leaked = {-1, -1};
    /* One open/close first, so that what the C library and libnuma set up once (stdio buffers,
     * malloc arenas, node masks) is in the baseline and not counted as a leak. */
    printf("vm_heap_check: dma-heap and udmabuf against the running kernel\n");
    if (!choose_heaps())
        return 1;
    if (heap_registry_open(&reg, NULL, 0) == 0)
        heap_registry_close(reg, NULL);
    struct process_resources before = process_resources();

    int ret = heap_registry_open(&reg, NULL, 0);
    struct detail d = {""};
    if (ret)
        fail(&d, "heap_registry_open: %s", strerror(-ret));
    report("registry-open", !ret, &d);
    if (!ret) {
        check_registry(reg);
        check_size_classes(reg);
        check_hugetlb(reg);
        check_numa_placement(reg);
        /* The dma-buf core's refusals are the same whoever exported the buffer. */
        const char *first = first_heap_under_test(NULL)->name;
        check_dma_heap_refusals(first_heap_under_test("dma-heap"));
        check_udmabuf_refusals();
        check_sync_refusals(heap_registry_find(reg, first));
        check_name_limit(heap_registry_find(reg, first));
        check_core_refusals(reg);
        heap_registry_close(reg, &leaked);
        check_nothing_leaked(before, leaked);
    }
    if (skipped)
        printf("vm_heap_check: %d skipped (see SKIP lines)\n", skipped);
    printf("vm_heap_check: %d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
