/* tests/unit/test_dmabuf_backends.c - the dma-heap and udmabuf backends through the core API.
 *
 * A fake /dev tree ($DMABENCH_DEV_ROOT) makes the backends find heaps, and a fake kernel behind
 * heap_ioctl_set_hook() answers their ioctls with real memfds standing in for dma-bufs, so
 * probing, allocation, mapping, sync fallback and cleanup are checked on a host without either.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <numa.h>
#include <numaif.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "dmabuf_ops.h"
#include "heap.h"
#include "heap_dev.h"
#include "heap_ioctl.h"

/* --- the fake kernel ------------------------------------------------------------------------- */

static struct {
    int alloc_calls, udmabuf_calls, sync_calls, partial_calls;
    struct dma_heap_allocation_data alloc; /* as the backend sent it */
    int alloc_fd;                          /* what the fake kernel answered */
    struct udmabuf_create create;
    int create_seals;        /* F_GET_SEALS of the memfd at UDMABUF_CREATE */
    struct stat create_stat; /* fstat of the memfd at UDMABUF_CREATE */
    unsigned long long sync_flags;
    unsigned long long sync_log[8]; /* the flags of the first syncs, in order */
    char name[DMA_BUF_NAME_LEN];
    int alloc_errno;
    int udmabuf_errno;
    int partial_errno;
} fake;

static int fake_fail(int err)
{
    errno = err;
    return -1;
}

/* As the kernel: page-rounded length, no heap flags; a memfd stands in for the dma-buf. */
static int fake_heap_alloc(struct dma_heap_allocation_data *data)
{
    size_t page = heap_base_page_size();
    fake.alloc_calls++;
    fake.alloc = *data;
    size_t len = (data->len + page - 1) & ~(page - 1);
    if (data->fd || data->heap_flags || !len)
        return fake_fail(EINVAL);
    if (fake.alloc_errno)
        return fake_fail(fake.alloc_errno);
    int fd = memfd_create("fake-dma-heap", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    if (ftruncate(fd, (off_t)len)) {
        close(fd);
        return -1;
    }
    data->fd = (__u32)fd;
    fake.alloc_fd = fd;
    return 0;
}

/* As udmabuf's checks, then the memfd itself (duplicated) stands in for the dma-buf. */
static int fake_udmabuf_create(const struct udmabuf_create *create)
{
    size_t page = heap_base_page_size();
    fake.udmabuf_calls++;
    fake.create = *create;
    fake.create_seals = fcntl((int)create->memfd, F_GET_SEALS);
    if (fstat((int)create->memfd, &fake.create_stat))
        return -1;
    if (fake.udmabuf_errno)
        return fake_fail(fake.udmabuf_errno);
    if ((create->offset | create->size) & (page - 1) || create->flags & ~UDMABUF_FLAGS_CLOEXEC ||
        !(fake.create_seals & F_SEAL_SHRINK) || fake.create_seals & F_SEAL_WRITE ||
        create->offset + create->size > (unsigned long long)fake.create_stat.st_size)
        return fake_fail(EINVAL);
    return fcntl((int)create->memfd, F_DUPFD_CLOEXEC, 0);
}

static int fake_ioctl(int fd, unsigned long request, void *arg)
{
    (void)fd;
    switch (request) {
    case DMA_HEAP_IOCTL_ALLOC:
        return fake_heap_alloc(arg);
    case UDMABUF_CREATE:
        return fake_udmabuf_create(arg);
    case DMA_BUF_IOCTL_SYNC:
        fake.sync_flags = ((struct dma_buf_sync *)arg)->flags;
        if (fake.sync_calls < 8)
            fake.sync_log[fake.sync_calls] = fake.sync_flags;
        fake.sync_calls++;
        return 0;
    case DMA_BUF_IOCTL_SYNC_PARTIAL:
        fake.partial_calls++;
        return fake.partial_errno ? fake_fail(fake.partial_errno) : 0;
    case DMA_BUF_SET_NAME_B:
        snprintf(fake.name, sizeof(fake.name), "%s", (const char *)arg);
        return 0;
    default:
        return fake_fail(ENOTTY);
    }
}

/* --- the fake /dev tree ---------------------------------------------------------------------- */

static char dev_root[64];

static void make_file(const char *relative)
{
    char path[256];
    snprintf(path, sizeof(path), "%s%s", dev_root, relative);
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    close(fd);
}

static void make_dir(const char *relative)
{
    char path[256];
    snprintf(path, sizeof(path), "%s%s", dev_root, relative);
    assert_int_equal(mkdir(path, 0700), 0);
}

static int create_dev_tree(void **state)
{
    (void)state;
    snprintf(dev_root, sizeof(dev_root), "/tmp/dmabench-test-XXXXXX");
    if (!mkdtemp(dev_root))
        return -1;
    make_dir("/dev");
    make_dir("/dev/dma_heap");
    /* Created out of order, one with a comma as vendors name them. */
    make_file("/dev/dma_heap/system");
    make_file("/dev/dma_heap/linux,cma");
    make_file("/dev/dma_heap/a-vendor-heap");
    make_file("/dev/udmabuf");
    setenv("DMABENCH_DEV_ROOT", dev_root, 1);
    return 0;
}

static int remove_dev_tree(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dev_root);
    unsetenv("DMABENCH_DEV_ROOT");
    return system(cmd) == 0 ? 0 : -1;
}

/* Each test gets a fresh fake kernel and a registry over the fake tree in *state. */
static int open_registry(void **state)
{
    struct heap_registry *reg = NULL;
    memset(&fake, 0, sizeof(fake));
    heap_ioctl_set_hook(fake_ioctl);
    if (heap_registry_open(&reg, NULL, 0))
        return -1;
    *state = reg;
    return 0;
}

static int close_registry(void **state)
{
    struct heap_counts leaked = {-1, -1};
    heap_registry_close(*state, &leaked);
    heap_ioctl_set_hook(NULL);
    return leaked.buffers == 0 && leaked.mappings == 0 ? 0 : -1;
}

/* heap_alloc_req's zero is node 0, not "anywhere": every request here says which it wants. */
#define ANY_NODE .numa_node = HEAP_NODE_ANY

/* --- helpers --------------------------------------------------------------------------------- */

static int count_map_lines(void)
{
    char chunk[4096];
    int lines = 0;
    ssize_t n;
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    while ((n = read(fd, chunk, sizeof(chunk))) > 0)
        for (ssize_t i = 0; i < n; i++)
            lines += chunk[i] == '\n';
    close(fd);
    return lines;
}

/* Open fds and mappings of this process: what a leak would change. */
struct process_resources {
    int fds, maps;
};

static struct process_resources process_resources(void)
{
    int fds = 0;
    for (int fd = 0; fd < 4096; fd++)
        fds += fcntl(fd, F_GETFD) >= 0;
    return (struct process_resources){fds, count_map_lines()};
}

static void assert_resources_unchanged(struct process_resources before)
{
    struct process_resources after = process_resources();
    assert_int_equal(after.fds, before.fds);
    assert_int_equal(after.maps, before.maps);
}

static struct heap *find_available(struct heap_registry *reg, const char *name)
{
    struct heap *heap = heap_registry_find(reg, name);
    assert_non_null(heap);
    assert_true(heap->info.available);
    return heap;
}

static void assert_fd_closed(int fd)
{
    assert_int_equal(fcntl(fd, F_GETFD), -1);
    assert_int_equal(errno, EBADF);
}

/* Write a pattern through one mapping, read it back through another. */
static void assert_mappings_share_memory(struct heap_buf *buf)
{
    unsigned char *writer, *reader;
    assert_int_equal(heap_mmap(buf, (void **)&writer), 0);
    assert_int_equal(heap_mmap(buf, (void **)&reader), 0);
    assert_true(writer != reader);
    for (size_t i = 0; i < buf->alloc_size; i++)
        writer[i] = (unsigned char)(i * 7 + 1);
    for (size_t i = 0; i < buf->alloc_size; i += 997)
        assert_int_equal(reader[i], (unsigned char)(i * 7 + 1));
    assert_int_equal(heap_munmap(buf, writer), 0);
    assert_int_equal(heap_munmap(buf, reader), 0);
}

/* --- probing --------------------------------------------------------------------------------- */

static void every_dma_heap_node_is_a_heap_in_name_order(void **state)
{
    struct heap_registry *reg = *state;
    static const struct {
        const char *name;
        enum heap_class klass;
    } expected[] = {
            {"a-vendor-heap", HEAP_CLASS_UNKNOWN},
            {"linux,cma", HEAP_CLASS_CONTIGUOUS},
            {"system", HEAP_CLASS_CACHED},
    };
    size_t seen = 0;
    for (size_t i = 0; i < heap_registry_count(reg); i++) {
        const struct heap_info *info = &heap_registry_at(reg, i)->info;
        if (strcmp(info->backend, "dma-heap"))
            continue;
        assert_true(seen < sizeof(expected) / sizeof(expected[0]));
        char device[256];
        snprintf(device, sizeof(device), "%s/dev/dma_heap/%s", dev_root, expected[seen].name);
        assert_string_equal(info->name, expected[seen].name);
        assert_string_equal(info->device, device);
        assert_int_equal(info->klass, expected[seen].klass);
        assert_true(info->available);
        assert_true(info->is_dmabuf);
        assert_false(info->has_range_sync); /* not known before the first range sync */
        assert_int_equal(info->n_page_sizes, 1);
        assert_int_equal(info->page_sizes[0].kind, HEAP_PAGES_BASE);
        assert_int_equal(info->page_sizes[0].size, heap_base_page_size());
        seen++;
    }
    assert_int_equal(seen, 3);
    assert_ptr_equal(heap_registry_find(reg, "dma-heap:system"), find_available(reg, "system"));
}

static void udmabuf_is_one_cached_heap_with_hugetlb_sizes(void **state)
{
    const struct heap_info *info = &find_available(*state, "udmabuf")->info;
    assert_string_equal(info->backend, "udmabuf");
    assert_int_equal(info->klass, HEAP_CLASS_CACHED);
    assert_int_equal(info->cpu_mapping, HEAP_MAPPING_CACHED);
    assert_true(info->is_dmabuf);
    assert_true(info->n_page_sizes >= 1);
    assert_int_equal(info->page_sizes[0].kind, HEAP_PAGES_BASE);
    for (size_t i = 1; i < info->n_page_sizes; i++)
        assert_int_equal(info->page_sizes[i].kind, HEAP_PAGES_HUGETLB);
}

/* Probe with $DMABENCH_DEV_ROOT at a tree holding only `relative_dir` (or nothing). */
static struct heap_registry *open_registry_over(const char *relative_dir)
{
    char root[] = "/tmp/dmabench-empty-XXXXXX", path[128];
    struct heap_registry *reg = NULL;
    assert_non_null(mkdtemp(root));
    if (relative_dir) {
        snprintf(path, sizeof(path), "%s/dev", root);
        assert_int_equal(mkdir(path, 0700), 0);
        snprintf(path, sizeof(path), "%s%s", root, relative_dir);
        assert_int_equal(mkdir(path, 0700), 0);
    }
    setenv("DMABENCH_DEV_ROOT", root, 1);
    assert_int_equal(heap_registry_open(&reg, NULL, 0), 0);
    setenv("DMABENCH_DEV_ROOT", dev_root, 1);
    snprintf(path, sizeof(path), "rm -rf '%s'", root);
    assert_int_equal(system(path), 0);
    return reg;
}

static void assert_unavailable(struct heap_registry *reg, const char *name, const char *why)
{
    struct heap *heap = heap_registry_find(reg, name);
    struct heap_buf *buf = NULL;
    assert_non_null(heap);
    assert_false(heap->info.available);
    assert_int_equal(heap->info.unavailable_err, -ENOENT);
    if (!strstr(heap->info.reason, why))
        fail_msg("reason '%s' does not say '%s'", heap->info.reason, why);
    assert_int_equal(heap_alloc(heap, &(struct heap_alloc_req){ANY_NODE, .size = 4096}, &buf),
                     -ENOENT);
    assert_null(buf);
}

static void missing_devices_leave_named_unavailable_heaps(void **state)
{
    (void)state;
    struct heap_registry *reg = open_registry_over(NULL);
    assert_null(heap_registry_find(reg, "system"));
    assert_unavailable(reg, "dma-heap",
                       "no /dev/dma_heap: kernel without CONFIG_DMABUF_HEAPS or no heaps "
                       "registered");
    assert_unavailable(reg, "udmabuf",
                       "no /dev/udmabuf: kernel without CONFIG_UDMABUF, or module not loaded");
    heap_registry_close(reg, NULL);
}

static void empty_dma_heap_dir_leaves_an_unavailable_heap(void **state)
{
    (void)state;
    struct heap_registry *reg = open_registry_over("/dev/dma_heap");
    assert_unavailable(reg, "dma-heap", "no heaps registered");
    heap_registry_close(reg, NULL);
}

/* In a child that cannot open 0000 nodes (root drops to nobody for it), both backends must
 * say "permission denied" with the path, not crash or claim the device is missing. */
static int probe_as_unprivileged(const char *root)
{
    char want[256];
    struct heap_registry *reg = NULL;
    if (geteuid() == 0 &&
        (setgroups(0, NULL) || setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534)))
        return 10;
    setenv("DMABENCH_DEV_ROOT", root, 1);
    if (heap_registry_open(&reg, NULL, 0))
        return 11;
    static const struct {
        const char *heap, *node;
    } cases[] = {{"system", "/dev/dma_heap/system"}, {"udmabuf", "/dev/udmabuf"}};
    int ret = 0;
    for (size_t i = 0; i < 2 && !ret; i++) {
        const struct heap *heap = heap_registry_find(reg, cases[i].heap);
        snprintf(want, sizeof(want), "permission denied: cannot open %s%s as this user", root,
                 cases[i].node);
        if (!heap || heap->info.available || heap->info.unavailable_err != -EACCES ||
            strcmp(heap->info.reason, want)) {
            fprintf(stderr, "%s: '%s', want '%s'\n", cases[i].heap,
                    heap ? heap->info.reason : "(none)", want);
            ret = 12 + (int)i;
        }
    }
    heap_registry_close(reg, NULL);
    return ret;
}

static void unopenable_nodes_say_permission_denied(void **state)
{
    (void)state;
    char root[] = "/tmp/dmabench-perm-XXXXXX", path[128];
    assert_non_null(mkdtemp(root));
    static const char *const dirs[] = {"", "/dev", "/dev/dma_heap"};
    static const char *const nodes[] = {"/dev/dma_heap/system", "/dev/udmabuf"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s%s", root, dirs[i]);
        assert_true(i == 0 || mkdir(path, 0755) == 0);
        assert_int_equal(chmod(path, 0755), 0);
    }
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s%s", root, nodes[i]);
        int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0);
        assert_true(fd >= 0);
        close(fd);
    }
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0)
        _exit(probe_as_unprivileged(root));
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    snprintf(path, sizeof(path), "rm -rf '%s'", root);
    assert_int_equal(system(path), 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* --- dma-heap buffers ------------------------------------------------------------------------ */

static void dma_heap_buffer_life_cycle(void **state)
{
    struct heap *heap = find_available(*state, "system");
    struct process_resources before = process_resources();
    struct heap_buf *buf = NULL;
    assert_int_equal(heap_alloc(heap, &(struct heap_alloc_req){ANY_NODE, .size = 5000}, &buf), 0);
    assert_int_equal(fake.alloc_calls, 1);
    /* The kernel gets the size asked for and does its own page rounding. */
    assert_true(fake.alloc.len == 5000);
    assert_int_equal(fake.alloc.fd_flags, O_RDWR | O_CLOEXEC);
    assert_true(fake.alloc.heap_flags == 0);
    size_t page = heap_base_page_size();
    assert_int_equal(buf->alloc_size, (5000 + page - 1) / page * page);
    assert_int_equal(buf->page_size, page);
    assert_int_equal(fake.alloc.fd, 0);
    assert_int_equal(buf->fd, fake.alloc_fd);
    assert_true(fcntl(buf->fd, F_GETFD) & FD_CLOEXEC);

    assert_int_equal(heap_sync_begin(buf, HEAP_SYNC_WRITE), 0);
    assert_true(fake.sync_flags == (DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
    assert_mappings_share_memory(buf);
    assert_int_equal(heap_sync_end(buf, HEAP_SYNC_WRITE), 0);
    assert_true(fake.sync_flags == (DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
    assert_int_equal(fake.sync_calls, 2);

    assert_int_equal(heap_set_name(buf, "camera-frame-0"), 0);
    assert_string_equal(fake.name, "camera-frame-0");
    /* The exporter maps its pages by PFN: user space cannot tell their size. */
    struct heap_pages pages;
    assert_int_equal(heap_buf_pages(buf, &pages), -EOPNOTSUPP);

    int fd = buf->fd;
    void *left_mapped;
    assert_int_equal(heap_mmap(buf, &left_mapped), 0);
    heap_free(buf); /* unmaps what is still mapped */
    assert_fd_closed(fd);
    assert_resources_unchanged(before);
}

static void dma_heap_refuses_a_numa_node_it_cannot_honour(void **state)
{
    struct heap *heap = find_available(*state, "system");
    struct heap_buf *buf = NULL;
    assert_int_equal(
            heap_alloc(heap,
                       &(struct heap_alloc_req){.size = 4096, .bind_node = true, .numa_node = 0},
                       &buf),
            -EOPNOTSUPP);
    assert_int_equal(fake.alloc_calls, 0);
}

static void dma_heap_errors_come_from_core_then_kernel(void **state)
{
    struct heap *heap = find_available(*state, "system");
    struct heap_buf *buf = NULL;
    assert_int_equal(heap_alloc(heap,
                                &(struct heap_alloc_req){
                                        .numa_node = HEAP_NODE_ANY, .size = 4096, .align = 3},
                                &buf),
                     -EINVAL);
    assert_int_equal(heap_alloc(heap, &(struct heap_alloc_req){ANY_NODE, .size = 0}, &buf),
                     -EINVAL);
    assert_int_equal(fake.alloc_calls, 0); /* refused before the kernel was asked */
    fake.alloc_errno = ENOMEM;
    assert_int_equal(heap_alloc(heap, &(struct heap_alloc_req){ANY_NODE, .size = 4096}, &buf),
                     -ENOMEM);
    assert_int_equal(fake.alloc_calls, 1);
    assert_null(buf);
}

static void range_sync_without_partial_ioctl_falls_back_to_full(void **state)
{
    struct heap *heap = find_available(*state, "system");
    struct heap_buf *buf = NULL;
    assert_int_equal(heap_alloc(heap, &(struct heap_alloc_req){ANY_NODE, .size = 1 << 16}, &buf),
                     0);
    fake.partial_errno = ENOTTY;
    assert_int_equal(heap_sync_range_begin(buf, HEAP_SYNC_READ, 100, 10), HEAP_SYNC_DONE_FULL);
    assert_int_equal(fake.partial_calls, 1);
    assert_int_equal(fake.sync_calls, 1);
    assert_true(fake.sync_flags == (DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
    assert_int_equal(heap_sync_range_end(buf, HEAP_SYNC_READ, 100, 10), HEAP_SYNC_DONE_FULL);
    assert_int_equal(fake.partial_calls, 1); /* remembered per heap */
    assert_int_equal(fake.sync_calls, 2);
    assert_true(fake.sync_flags == (DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
    assert_false(heap->info.has_range_sync);
    heap_free(buf);
}

static void range_sync_with_partial_ioctl_stays_partial(void **state)
{
    struct heap *heap = find_available(*state, "system");
    struct heap_buf *buf = NULL;
    assert_int_equal(heap_alloc(heap, &(struct heap_alloc_req){ANY_NODE, .size = 1 << 16}, &buf),
                     0);
    assert_int_equal(heap_sync_range_begin(buf, HEAP_SYNC_WRITE, 4096, 64), HEAP_SYNC_DONE_RANGE);
    assert_int_equal(heap_sync_range_end(buf, HEAP_SYNC_WRITE, 4096, 64), HEAP_SYNC_DONE_RANGE);
    assert_int_equal(fake.partial_calls, 2);
    assert_int_equal(fake.sync_calls, 0);
    assert_true(heap->info.has_range_sync);
    heap_free(buf);
}

/* --- udmabuf buffers ------------------------------------------------------------------------- */

static void udmabuf_memfd_is_sealed_sized_and_shared(void **state)
{
    struct heap *heap = find_available(*state, "udmabuf");
    struct process_resources before = process_resources();
    struct heap_buf *buf = NULL;
    size_t page = heap_base_page_size();
    assert_int_equal(heap_alloc(heap, &(struct heap_alloc_req){ANY_NODE, .size = 5000}, &buf), 0);
    assert_int_equal(buf->alloc_size, (5000 + page - 1) / page * page);
    assert_int_equal(buf->page_size, page);
    /* What udmabuf demands: shrink sealed, never write sealed, whole pages from 0. */
    assert_true(fake.create_seals & F_SEAL_SHRINK);
    assert_false(fake.create_seals & F_SEAL_WRITE);
    assert_true(fake.create.offset == 0);
    assert_true(fake.create.size == buf->alloc_size);
    assert_true(fake.create.flags == UDMABUF_FLAGS_CLOEXEC);
    assert_true((size_t)fake.create_stat.st_size == buf->alloc_size);
    /* Prefaulted by default: every page exists before udmabuf pins them. */
    assert_true((size_t)fake.create_stat.st_blocks * 512 >= buf->alloc_size);

    assert_mappings_share_memory(buf);
    int memfd = (int)buf->priv_word, fd = buf->fd;
    unsigned char byte = 0;
    assert_int_equal(pread(memfd, &byte, 1, 4096), 1); /* the dma-buf's pages are the memfd's */
    assert_int_equal(byte, (unsigned char)(4096 * 7 + 1));
    heap_free(buf);
    assert_fd_closed(fd);
    assert_fd_closed(memfd);
    assert_resources_unchanged(before);
}

/* The dma-buf's mapping shows no page (PFN mapped in the kernel); the memfd's pages are what
 * udmabuf pinned, and they are read back, leaving nothing mapped behind. */
static void udmabuf_pages_are_read_from_the_memfd(void **state)
{
    struct heap *heap = find_available(*state, "udmabuf");
    struct heap_buf *buf = NULL;
    struct heap_pages pages;
    /* A first read grows the allocator's arenas (stdio, ASan): only a second one can show that
     * no mapping is left behind. */
    for (int round = 0; round < 2; round++) {
        struct process_resources before = process_resources();
        assert_int_equal(
                heap_alloc(heap, &(struct heap_alloc_req){ANY_NODE, .size = 1 << 20}, &buf), 0);
        assert_int_equal(heap_buf_pages(buf, &pages), 0);
        heap_free(buf);
        if (round == 1)
            assert_resources_unchanged(before);
    }
    assert_int_equal(heap_alloc(heap, &(struct heap_alloc_req){ANY_NODE, .size = 1 << 20}, &buf),
                     0);
    assert_int_equal(heap_buf_pages(buf, &pages), 0);
    /* Below the PMD size no page can be huge, whatever shmem_enabled says. */
    assert_int_equal(pages.page_size, heap_base_page_size());
    assert_true(pages.huge_fraction == 0.0);
    assert_true(pages.resident_fraction == 1.0);
    assert_int_equal(buf->n_maps, 0);
    heap_free(buf);
}

/* udmabuf maps its pages at the first sync in that sync's direction (6.12): a read-write sync
 * comes first, so that a later read after a first write is no DMA API misuse. Once. */
static void udmabuf_first_sync_maps_read_write(void **state)
{
    struct heap *heap = find_available(*state, "udmabuf");
    struct heap_buf *buf = NULL;
    assert_int_equal(heap_alloc(heap, &(struct heap_alloc_req){ANY_NODE, .size = 4096}, &buf), 0);
    assert_int_equal(heap_sync_begin(buf, HEAP_SYNC_WRITE), 0);
    assert_int_equal(heap_sync_end(buf, HEAP_SYNC_WRITE), 0);
    assert_int_equal(heap_sync_begin(buf, HEAP_SYNC_READ), 0);
    assert_int_equal(heap_sync_end(buf, HEAP_SYNC_READ), 0);
    const unsigned long long rw = DMA_BUF_SYNC_RW;
    const unsigned long long want[] = {DMA_BUF_SYNC_START | rw,
                                       DMA_BUF_SYNC_END | rw,
                                       DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE,
                                       DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE,
                                       DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ,
                                       DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ};
    assert_int_equal(fake.sync_calls, 6);
    for (int i = 0; i < 6; i++)
        if (fake.sync_log[i] != want[i])
            fail_msg("sync %d: flags 0x%llx, want 0x%llx", i, fake.sync_log[i], want[i]);
    heap_free(buf);
    /* A buffer whose first sync is read-write needs no other. */
    fake.sync_calls = 0;
    assert_int_equal(heap_alloc(heap, &(struct heap_alloc_req){ANY_NODE, .size = 4096}, &buf), 0);
    assert_int_equal(heap_sync_begin(buf, HEAP_SYNC_RW), 0);
    assert_int_equal(heap_sync_end(buf, HEAP_SYNC_RW), 0);
    assert_int_equal(heap_sync_begin(buf, HEAP_SYNC_READ), 0);
    assert_int_equal(fake.sync_calls, 3);
    assert_true(fake.sync_log[2] == (DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
    assert_int_equal(heap_sync_end(buf, HEAP_SYNC_READ), 0);
    heap_free(buf);
}

static void udmabuf_no_prefault_leaves_pages_to_the_kernel(void **state)
{
    struct heap *heap = find_available(*state, "udmabuf");
    struct heap_buf *buf = NULL;
    assert_int_equal(heap_alloc(heap,
                                &(struct heap_alloc_req){.numa_node = HEAP_NODE_ANY,
                                                         .size = 1 << 20,
                                                         .no_prefault = true},
                                &buf),
                     0);
    assert_int_equal(fake.create_stat.st_blocks, 0);
    heap_free(buf);
}

static void udmabuf_failure_leaks_nothing(void **state)
{
    struct heap *heap = find_available(*state, "udmabuf");
    struct process_resources before = process_resources();
    struct heap_buf *buf = NULL;
    static const int errnos[] = {EINVAL, ENOMEM, EBADFD};
    for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++) {
        fake.udmabuf_errno = errnos[i];
        assert_int_equal(heap_alloc(heap, &(struct heap_alloc_req){ANY_NODE, .size = 8192}, &buf),
                         -errnos[i]);
        assert_null(buf);
    }
    assert_int_equal(fake.udmabuf_calls, 3);
    assert_resources_unchanged(before);
}

static void udmabuf_binds_pages_to_the_numa_node(void **state)
{
    struct heap *heap = find_available(*state, "udmabuf");
    struct heap_buf *buf = NULL;
    if (numa_available() < 0)
        skip();
    int node = numa_max_node();
    size_t page = heap_base_page_size();
    assert_int_equal(heap_alloc(heap,
                                &(struct heap_alloc_req){
                                        .size = 16 * page, .bind_node = true, .numa_node = node},
                                &buf),
                     0);
    void *addr;
    assert_int_equal(heap_mmap(buf, &addr), 0);
    void *pages[16];
    int status[16];
    for (size_t i = 0; i < 16; i++) {
        pages[i] = (char *)addr + i * page;
        (void)*(volatile char *)pages[i]; /* move_pages only sees pages mapped here */
    }
    assert_int_equal(numa_move_pages(0, 16, pages, NULL, status, 0), 0);
    for (size_t i = 0; i < 16; i++)
        assert_int_equal(status[i], node);
    heap_free(buf);
    /* A node the machine does not have is refused before anything is made. */
    assert_int_equal(heap_alloc(heap,
                                &(struct heap_alloc_req){
                                        .size = page, .bind_node = true, .numa_node = node + 1},
                                &buf),
                     -EINVAL);
}

static void udmabuf_hugetlb_memfd_uses_huge_pages(void **state)
{
    struct heap *heap = find_available(*state, "udmabuf");
    const size_t huge = 2 << 20;
    long free_pages = -1;
    for (size_t i = 0; i < heap->info.n_page_sizes; i++)
        if (heap->info.page_sizes[i].kind == HEAP_PAGES_HUGETLB &&
            heap->info.page_sizes[i].size == huge)
            free_pages = heap->info.page_sizes[i].free_pages;
    if (free_pages < 2) {
        print_message("no two free 2 MiB huge pages (set /proc/sys/vm/nr_hugepages)\n");
        skip();
    }
    struct heap_buf *buf = NULL;
    struct heap_alloc_req req = {
            .size = huge + 1, .page_kind = HEAP_PAGES_HUGETLB, .page_size = huge};
    assert_int_equal(heap_alloc(heap, &req, &buf), 0);
    assert_int_equal(buf->alloc_size, 2 * huge);
    assert_int_equal(buf->page_size, huge);
    assert_int_equal(fake.create_stat.st_blksize, huge); /* hugetlbfs reports its page size */
    assert_mappings_share_memory(buf);
    struct heap_pages pages;
    assert_int_equal(heap_buf_pages(buf, &pages), 0);
    assert_int_equal(pages.page_size, huge);
    assert_true(pages.huge_fraction == 1.0);
    heap_free(buf);
    /* A page size the kernel does not offer is refused by the core. */
    req.page_size = 4 << 20;
    assert_int_equal(heap_alloc(heap, &req, &buf), -EOPNOTSUPP);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, open_registry, close_registry)
    const struct CMUnitTest tests[] = {
            T(every_dma_heap_node_is_a_heap_in_name_order),
            T(udmabuf_is_one_cached_heap_with_hugetlb_sizes),
            T(missing_devices_leave_named_unavailable_heaps),
            T(empty_dma_heap_dir_leaves_an_unavailable_heap),
            T(unopenable_nodes_say_permission_denied),
            T(dma_heap_buffer_life_cycle),
            T(dma_heap_refuses_a_numa_node_it_cannot_honour),
            T(dma_heap_errors_come_from_core_then_kernel),
            T(range_sync_without_partial_ioctl_falls_back_to_full),
            T(range_sync_with_partial_ioctl_stays_partial),
            T(udmabuf_memfd_is_sealed_sized_and_shared),
            T(udmabuf_pages_are_read_from_the_memfd),
            T(udmabuf_no_prefault_leaves_pages_to_the_kernel),
            T(udmabuf_first_sync_maps_read_write),
            T(udmabuf_failure_leaks_nothing),
            T(udmabuf_binds_pages_to_the_numa_node),
            T(udmabuf_hugetlb_memfd_uses_huge_pages),
    };
#undef T
    return cmocka_run_group_tests(tests, create_dev_tree, remove_dev_tree);
}
