/* tests/unit/test_u_dma_buf.c - the u-dma-buf backend (ikwzm's out-of-tree driver) through the
 * core API, against a planted /dev and /sys/class/u-dma-buf.
 *
 * Each test plants the driver's files under $DMABENCH_DEV_ROOT in the formats the driver writes
 * (size "%zu\n", sync_mode "%d\n", sync_offset "0x%llx\n" ...); a regular file of the device's
 * size stands in for /dev/udmabufN, so mapping is real. Range syncs are checked by reading the
 * planted attribute files back; the failures are planted too (missing nodes, size 0, bad modes).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_dev.h"
#include "heap.h"
#include "heap_dev.h"
#include "sync_strategy.h"

#define MIB      (1024 * 1024)
#define ANY_NODE .numa_node = HEAP_NODE_ANY

/* --- the planted driver ---------------------------------------------------------------------- */

static char root[64];

static void write_text(const char *relative, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s%s", root, relative);
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* The attribute's contents as the backend left them. */
static const char *read_attr(const char *name, const char *attr)
{
    static char text[64];
    char path[256];
    snprintf(path, sizeof(path), "%s/sys/class/u-dma-buf/%s/%s", root, name, attr);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    ssize_t n = read(fd, text, sizeof(text) - 1);
    assert_true(n >= 0);
    text[n] = '\0';
    close(fd);
    return text;
}

static void make_dir(const char *relative)
{
    char path[256];
    snprintf(path, sizeof(path), "%s%s", root, relative);
    assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
}

/* A device node: a regular file of size bytes, as mmap-able as the driver's buffer. */
static void plant_node(const char *name, size_t size)
{
    char path[256];
    make_dir("/dev");
    snprintf(path, sizeof(path), "%s/dev/%s", root, name);
    int fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0666);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)size), 0);
    close(fd);
}

/* The driver's sysfs directory, every attribute as a freshly loaded driver shows it. */
static void plant_sysfs(const char *name, const char *size_text, const char *sync_mode_text)
{
    char dir[128], path[192];
    make_dir("/sys");
    make_dir("/sys/class");
    make_dir("/sys/class/u-dma-buf");
    snprintf(dir, sizeof(dir), "/sys/class/u-dma-buf/%s", name);
    make_dir(dir);
    static const struct {
        const char *attr, *text;
    } attrs[] = {
            {"driver_version", "4.8.2\n"}, {"phys_addr", "0x000000003c000000\n"},
            {"sync_offset", "0x0\n"},      {"sync_size", "0\n"},
            {"sync_direction", "0\n"},     {"sync_owner", "0\n"},
            {"sync_for_cpu", "0\n"},       {"sync_for_device", "0\n"},
            {"dma_coherent", "0\n"},
    };
    for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, attrs[i].attr);
        write_text(path, attrs[i].text);
    }
    snprintf(path, sizeof(path), "%s/size", dir);
    write_text(path, size_text);
    snprintf(path, sizeof(path), "%s/sync_mode", dir);
    write_text(path, sync_mode_text);
}

/* /dev/NAME and its sysfs directory for a device of size bytes in sync_mode. */
static void plant_device(const char *name, size_t size, int sync_mode)
{
    char size_text[32], mode_text[16];
    snprintf(size_text, sizeof(size_text), "%zu\n", size);
    snprintf(mode_text, sizeof(mode_text), "%d\n", sync_mode);
    plant_node(name, size);
    plant_sysfs(name, size_text, mode_text);
}

static int fresh_root(void **state)
{
    (void)state;
    snprintf(root, sizeof(root), "/tmp/dmabench-udb-XXXXXX");
    if (!mkdtemp(root))
        return -1;
    return setenv("DMABENCH_DEV_ROOT", root, 1);
}

static int remove_root(void **state)
{
    (void)state;
    char cmd[192];
    unsetenv("DMABENCH_DEV_ROOT");
    snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s'; rm -rf '%s'", root, root);
    return system(cmd) == 0 ? 0 : -1;
}

static struct heap_registry *open_registry(void)
{
    struct heap_registry *reg = NULL;
    assert_int_equal(heap_registry_open(&reg, NULL, 0), 0);
    return reg;
}

static void close_registry(struct heap_registry *reg)
{
    struct heap_counts leaked = {-1, -1};
    heap_registry_close(reg, &leaked);
    assert_int_equal(leaked.buffers, 0);
    assert_int_equal(leaked.mappings, 0);
}

static struct heap *find(struct heap_registry *reg, const char *name)
{
    struct heap *heap = heap_registry_find(reg, name);
    if (!heap)
        fail_msg("no heap '%s'", name);
    return heap;
}

static void assert_reason(const struct heap *heap, int err, const char *words)
{
    assert_false(heap->info.available);
    assert_int_equal(heap->info.unavailable_err, err);
    if (!strstr(heap->info.reason, words))
        fail_msg("reason '%s' does not say '%s'", heap->info.reason, words);
}

static int count_backend_heaps(struct heap_registry *reg)
{
    int n = 0;
    for (size_t i = 0; i < heap_registry_count(reg); i++)
        n += !strcmp(heap_registry_at(reg, i)->info.backend, "u-dma-buf");
    return n;
}

/* --- probing --------------------------------------------------------------------------------- */

static void no_device_leaves_one_unavailable_heap_saying_why(void **state)
{
    (void)state;
    plant_node("udmabuf", 0); /* the kernel's memfd udmabuf: not this driver */
    struct heap_registry *reg = open_registry();
    struct heap *heap = find(reg, "u-dma-buf");
    assert_string_equal(heap->info.backend, "u-dma-buf");
    assert_false(heap->info.is_dmabuf);
    assert_reason(heap, -ENOENT,
                  "no /dev/udmabuf[0-9]*: the out-of-tree u-dma-buf driver (ikwzm) is not loaded");
    assert_int_equal(count_backend_heaps(reg), 1);
    struct heap_buf *buf = NULL;
    assert_int_equal(heap_alloc(heap, &(struct heap_alloc_req){ANY_NODE, .size = 4096}, &buf),
                     -ENOENT);
    assert_null(buf);
    close_registry(reg);
}

/* The driver's default sync_mode=1: plain opens are cached, O_SYNC opens uncached. */
static void default_sync_mode_gives_a_cached_and_an_uncached_heap(void **state)
{
    (void)state;
    plant_device("udmabuf0", 4 * MIB, 1);
    struct heap_registry *reg = open_registry();
    const struct heap_info *cached = &find(reg, "udmabuf0")->info;
    assert_true(cached->available);
    assert_string_equal(cached->backend, "u-dma-buf");
    assert_int_equal(cached->klass, HEAP_CLASS_CONTIGUOUS);
    assert_int_equal(cached->cpu_mapping, HEAP_MAPPING_CACHED);
    assert_false(cached->is_dmabuf);
    assert_true(cached->has_range_sync);
    assert_int_equal(cached->max_size, 4 * MIB);
    assert_int_equal(cached->n_page_sizes, 1);
    assert_int_equal(cached->page_sizes[0].kind, HEAP_PAGES_BASE);
    char device[128];
    snprintf(device, sizeof(device), "%s/dev/udmabuf0", root);
    assert_string_equal(cached->device, device);
    const struct heap_info *uncached = &find(reg, "udmabuf0-uncached")->info;
    assert_true(uncached->available);
    assert_int_equal(uncached->klass, HEAP_CLASS_UNCACHED);
    assert_int_equal(uncached->cpu_mapping, HEAP_MAPPING_UNCACHED);
    assert_int_equal(uncached->max_size, 4 * MIB);
    assert_ptr_equal(heap_registry_find(reg, "u-dma-buf:udmabuf0"), find(reg, "udmabuf0"));
    assert_int_equal(count_backend_heaps(reg), 2);
    close_registry(reg);
}

/* Every sync_mode the driver takes (0-7): the heaps it gives and whether their opens are O_SYNC. */
static void every_sync_mode_gives_its_heaps_and_opens(void **state)
{
    (void)state;
    static const struct {
        int mode;
        const char *second;          /* the O_SYNC heap, NULL when O_SYNC changes nothing */
        enum heap_class first_class; /* udmabufN's class */
    } modes[] = {
            {0, NULL, HEAP_CLASS_CONTIGUOUS},  {1, "-uncached", HEAP_CLASS_CONTIGUOUS},
            {2, "-wc", HEAP_CLASS_CONTIGUOUS}, {3, "-dmacoherent", HEAP_CLASS_CONTIGUOUS},
            {4, NULL, HEAP_CLASS_CONTIGUOUS},  {5, NULL, HEAP_CLASS_UNCACHED},
            {6, NULL, HEAP_CLASS_UNCACHED},    {7, NULL, HEAP_CLASS_UNCACHED},
    };
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        char name[32];
        snprintf(name, sizeof(name), "udmabuf%zu", i);
        plant_device(name, 64 * 1024, modes[i].mode);
    }
    struct heap_registry *reg = open_registry();
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        char name[32], second[48];
        snprintf(name, sizeof(name), "udmabuf%zu", i);
        struct heap *first = find(reg, name);
        assert_true(first->info.available);
        assert_int_equal(first->info.klass, modes[i].first_class);
        struct heap_buf *buf = NULL;
        assert_int_equal(heap_alloc(first, &(struct heap_alloc_req){ANY_NODE, .size = 4096}, &buf),
                         0);
        /* Plain opens: the always-modes (4-7) need no O_SYNC to get their mapping. */
        assert_int_equal(fcntl((int)buf->priv_word, F_GETFL) & O_SYNC, 0);
        heap_free(buf);
        if (!modes[i].second)
            continue;
        snprintf(second, sizeof(second), "%s%s", name, modes[i].second);
        struct heap *sync = find(reg, second);
        assert_true(sync->info.available);
        assert_int_equal(sync->info.klass, HEAP_CLASS_UNCACHED);
        assert_int_equal(sync->info.cpu_mapping, HEAP_MAPPING_UNCACHED);
        assert_int_equal(heap_alloc(sync, &(struct heap_alloc_req){ANY_NODE, .size = 4096}, &buf),
                         0);
        assert_int_equal(fcntl((int)buf->priv_word, F_GETFL) & O_SYNC, O_SYNC);
        heap_free(buf);
    }
    assert_int_equal(count_backend_heaps(reg), 8 + 3);
    close_registry(reg);
}

static void broken_devices_are_listed_with_the_reason(void **state)
{
    (void)state;
    plant_device("udmabuf0", MIB, 1);
    plant_node("udmabuf1", MIB); /* no sysfs directory */
    plant_node("udmabuf2", 0);
    plant_sysfs("udmabuf2", "0\n", "1\n"); /* the driver allocated nothing */
    plant_node("udmabuf3", MIB);
    plant_sysfs("udmabuf3", "1048576\n", "9\n"); /* not a sync_mode the driver has */
    plant_node("udmabuf4", MIB);
    plant_sysfs("udmabuf4", "lots\n", "1\n");
    plant_sysfs("udmabuf5", "1048576\n", "1\n"); /* sysfs, but no node in /dev */
    struct heap_registry *reg = open_registry();
    assert_true(find(reg, "udmabuf0")->info.available);
    assert_reason(find(reg, "udmabuf1"), -ENOENT, "/sys/class/u-dma-buf/udmabuf1/size");
    assert_reason(find(reg, "udmabuf2"), -ENOBUFS, "size is 0");
    assert_reason(find(reg, "udmabuf3"), -EINVAL, "sync_mode 9");
    assert_reason(find(reg, "udmabuf4"), -EINVAL, "/sys/class/u-dma-buf/udmabuf4/size");
    assert_reason(find(reg, "udmabuf5"), -ENOENT, "/dev/udmabuf5");
    assert_null(heap_registry_find(reg, "u-dma-buf")); /* devices exist: no placeholder */
    struct heap_buf *buf = NULL;
    assert_int_equal(heap_alloc(find(reg, "udmabuf2"),
                                &(struct heap_alloc_req){ANY_NODE, .size = 4096}, &buf),
                     -ENOBUFS);
    close_registry(reg);
}

/* As nobody (root drops to it in a child), a 0000 node says "permission denied" with its path. */
static int probe_as_unprivileged(void)
{
    char want[256];
    struct heap_registry *reg = NULL;
    if (geteuid() == 0 &&
        (setgroups(0, NULL) || setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534)))
        return 10;
    if (heap_registry_open(&reg, NULL, 0))
        return 11;
    const struct heap *heap = heap_registry_find(reg, "udmabuf0");
    snprintf(want, sizeof(want), "permission denied: cannot open %s/dev/udmabuf0 as this user",
             root);
    int ret = 0;
    if (!heap || heap->info.available || heap->info.unavailable_err != -EACCES ||
        strcmp(heap->info.reason, want)) {
        fprintf(stderr, "'%s', want '%s'\n", heap ? heap->info.reason : "(none)", want);
        ret = 12;
    }
    heap_registry_close(reg, NULL);
    return ret;
}

static void an_unopenable_node_says_permission_denied(void **state)
{
    (void)state;
    plant_device("udmabuf0", MIB, 1);
    char path[128];
    snprintf(path, sizeof(path), "%s/dev/udmabuf0", root);
    assert_int_equal(chmod(path, 0), 0);
    assert_int_equal(chmod(root, 0755), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(probe_as_unprivileged());
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* --- buffers --------------------------------------------------------------------------------- */

static void allocations_must_fit_the_devices_buffer(void **state)
{
    (void)state;
    plant_device("udmabuf0", MIB, 2);
    int fds = fake_dev_open_fds();
    struct heap_registry *reg = open_registry();
    struct heap *heap = find(reg, "udmabuf0");
    struct heap_buf *buf = NULL;
    assert_int_equal(heap_alloc(heap, &(struct heap_alloc_req){ANY_NODE, .size = 0}, &buf),
                     -EINVAL);
    assert_int_equal(heap_alloc(heap, &(struct heap_alloc_req){ANY_NODE, .size = MIB + 1}, &buf),
                     -EFBIG);
    assert_int_equal(heap->info.max_size, MIB); /* what `alloc` names in its error */
    assert_null(buf);
    assert_int_equal(heap_alloc(heap, &(struct heap_alloc_req){ANY_NODE, .size = MIB}, &buf), 0);
    assert_int_equal(buf->alloc_size, MIB);
    assert_int_equal(buf->fd, -1); /* not a dma-buf: nothing may import or fdinfo it */
    heap_free(buf);
    /* Only base pages and no node: the driver chose both when it was loaded. */
    assert_int_equal(heap_alloc(heap,
                                &(struct heap_alloc_req){ANY_NODE, .size = 4096,
                                                         .page_kind = HEAP_PAGES_THP},
                                &buf),
                     -EOPNOTSUPP);
    close_registry(reg);
    assert_int_equal(fake_dev_open_fds(), fds);
}

/* Fill the buffer with pattern through buf's mapping. */
static void fill(struct heap_buf *buf, unsigned char pattern)
{
    unsigned char *map;
    assert_int_equal(heap_mmap(buf, (void **)&map), 0);
    memset(map, pattern, buf->alloc_size);
    assert_int_equal(msync(map, buf->alloc_size, MS_SYNC), 0);
    assert_int_equal(heap_munmap(buf, map), 0);
}

static unsigned char device_byte(const char *name, size_t offset)
{
    char path[128];
    unsigned char byte = 0;
    snprintf(path, sizeof(path), "%s/dev/%s", root, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, &byte, 1, (off_t)offset), 1);
    close(fd);
    return byte;
}

/* Buffers are page-aligned pieces of the device's one buffer, first fit, shared by all its heaps:
 * a copy's two buffers or a batch fit one device, and a full device answers ENOMEM as a full heap
 * does. Each buffer maps and syncs its own piece only. */
static void buffers_are_pieces_of_the_devices_buffer(void **state)
{
    (void)state;
    plant_device("udmabuf0", 64 * 1024, 2);
    struct heap_registry *reg = open_registry();
    struct heap *heap = find(reg, "udmabuf0"), *wc = find(reg, "udmabuf0-wc");
    struct heap_buf *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    assert_int_equal(heap_alloc(heap, &(struct heap_alloc_req){ANY_NODE, .size = 5000}, &a), 0);
    assert_int_equal(a->alloc_size, 8192); /* page rounded */
    assert_int_equal(heap_alloc(wc, &(struct heap_alloc_req){ANY_NODE, .size = 4096}, &b), 0);
    assert_int_equal(heap_alloc(heap, &(struct heap_alloc_req){ANY_NODE, .size = 16384}, &c), 0);
    fill(a, 0xaa);
    fill(b, 0xbb);
    fill(c, 0xcc);
    assert_int_equal(device_byte("udmabuf0", 0), 0xaa);
    assert_int_equal(device_byte("udmabuf0", 8191), 0xaa);
    assert_int_equal(device_byte("udmabuf0", 8192), 0xbb);
    assert_int_equal(device_byte("udmabuf0", 12288), 0xcc);
    assert_int_equal(device_byte("udmabuf0", 12288 + 16383), 0xcc);
    /* The range sync of a piece is at the piece's place in the device. */
    assert_int_equal(heap_sync_range_begin(c, HEAP_SYNC_READ, 64, 128), HEAP_SYNC_DONE_RANGE);
    assert_string_equal(read_attr("udmabuf0", "sync_offset"), "12352");
    assert_string_equal(read_attr("udmabuf0", "sync_size"), "128");
    assert_int_equal(heap_sync_end(b, HEAP_SYNC_WRITE), 0);
    assert_string_equal(read_attr("udmabuf0", "sync_offset"), "8192");
    assert_string_equal(read_attr("udmabuf0", "sync_size"), "4096");
    /* 28 KiB used, 36 KiB left: 40 KiB does not fit, whichever heap asks. */
    assert_int_equal(heap_alloc(wc, &(struct heap_alloc_req){ANY_NODE, .size = 40960}, &d),
                     -ENOMEM);
    assert_null(d);
    /* A freed piece is reused, first fit. */
    heap_free(b);
    assert_int_equal(heap_alloc(wc, &(struct heap_alloc_req){ANY_NODE, .size = 4096}, &d), 0);
    fill(d, 0xdd);
    assert_int_equal(device_byte("udmabuf0", 8192), 0xdd);
    assert_int_equal(device_byte("udmabuf0", 12288), 0xcc);
    heap_free(a);
    heap_free(c);
    heap_free(d);
    assert_int_equal(heap_alloc(heap, &(struct heap_alloc_req){ANY_NODE, .size = 65536}, &a), 0);
    heap_free(a);
    close_registry(reg);
}

/* The mapping is the device's buffer: what the CPU writes is in the node's file. */
static void the_mapping_is_the_devices_buffer(void **state)
{
    (void)state;
    plant_device("udmabuf0", 64 * 1024, 1);
    struct heap_registry *reg = open_registry();
    struct heap_buf *buf = NULL;
    unsigned char *map;
    assert_int_equal(heap_alloc(find(reg, "udmabuf0-uncached"),
                                &(struct heap_alloc_req){ANY_NODE, .size = 64 * 1024}, &buf),
                     0);
    assert_int_equal(heap_mmap(buf, (void **)&map), 0);
    for (size_t i = 0; i < buf->alloc_size; i++)
        map[i] = (unsigned char)(i * 13 + 5);
    assert_int_equal(msync(map, buf->alloc_size, MS_SYNC), 0);
    char path[128];
    unsigned char back[64];
    snprintf(path, sizeof(path), "%s/dev/udmabuf0", root);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, back, sizeof(back), 40000), (ssize_t)sizeof(back));
    close(fd);
    for (size_t i = 0; i < sizeof(back); i++)
        assert_int_equal(back[i], (unsigned char)((40000 + i) * 13 + 5));
    assert_int_equal(heap_munmap(buf, map), 0);
    assert_int_equal(heap_set_name(buf, "x"), -EOPNOTSUPP);
    heap_free(buf);
    close_registry(reg);
}

/* --- sync ------------------------------------------------------------------------------------ */

static void assert_sync_files(const char *offset, const char *size, const char *direction,
                              const char *for_cpu, const char *for_device)
{
    assert_string_equal(read_attr("udmabuf0", "sync_offset"), offset);
    assert_string_equal(read_attr("udmabuf0", "sync_size"), size);
    assert_string_equal(read_attr("udmabuf0", "sync_direction"), direction);
    assert_string_equal(read_attr("udmabuf0", "sync_for_cpu"), for_cpu);
    assert_string_equal(read_attr("udmabuf0", "sync_for_device"), for_device);
}

static void reset_sync_files(void)
{
    write_text("/sys/class/u-dma-buf/udmabuf0/sync_for_cpu", "0\n");
    write_text("/sys/class/u-dma-buf/udmabuf0/sync_for_device", "0\n");
}

/* Begin is sync_for_cpu, end sync_for_device; the CPU's direction becomes the DMA direction the
 * driver knows (read: 2 DMA_FROM_DEVICE, write: 1 DMA_TO_DEVICE, rw: 0 DMA_BIDIRECTIONAL). */
static void range_sync_writes_the_range_then_the_owner(void **state)
{
    (void)state;
    plant_device("udmabuf0", MIB, 1);
    struct heap_registry *reg = open_registry();
    struct heap_buf *buf = NULL;
    assert_int_equal(heap_alloc(find(reg, "udmabuf0"),
                                &(struct heap_alloc_req){ANY_NODE, .size = MIB}, &buf),
                     0);
    assert_int_equal(heap_sync_range_begin(buf, HEAP_SYNC_READ, 4096, 8192), HEAP_SYNC_DONE_RANGE);
    assert_sync_files("4096", "8192", "2", "1", "0\n");
    reset_sync_files();
    assert_int_equal(heap_sync_range_end(buf, HEAP_SYNC_WRITE, 64, 100), HEAP_SYNC_DONE_RANGE);
    assert_sync_files("64", "100", "1", "0\n", "1");
    reset_sync_files();
    assert_int_equal(heap_sync_range_begin(buf, HEAP_SYNC_RW, 0, MIB), HEAP_SYNC_DONE_RANGE);
    assert_sync_files("0", "1048576", "0", "1", "0\n");
    reset_sync_files();
    /* A full sync is the same over the whole buffer. */
    assert_int_equal(heap_sync_end(buf, HEAP_SYNC_RW), 0);
    assert_sync_files("0", "1048576", "0", "0\n", "1");
    /* Beyond the buffer: the core refuses before the driver sees anything. */
    assert_int_equal(heap_sync_range_begin(buf, HEAP_SYNC_RW, MIB - 64, 128), -EINVAL);
    heap_free(buf);
    close_registry(reg);
}

/* The range goes in before the owner changes: when a range file cannot be written, the driver is
 * never told to sync (it would sync whatever range was there before), and the errno comes up. */
static void a_failed_range_write_never_triggers_the_sync(void **state)
{
    (void)state;
    plant_device("udmabuf0", MIB, 1);
    char path[128];
    snprintf(path, sizeof(path), "%s/sys/class/u-dma-buf/udmabuf0/sync_direction", root);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(mkdir(path, 0755), 0);
    struct heap_registry *reg = open_registry();
    struct heap_buf *buf = NULL;
    assert_int_equal(heap_alloc(find(reg, "udmabuf0"),
                                &(struct heap_alloc_req){ANY_NODE, .size = MIB}, &buf),
                     0);
    assert_int_equal(heap_sync_range_begin(buf, HEAP_SYNC_READ, 4096, 4096), -EISDIR);
    assert_string_equal(read_attr("udmabuf0", "sync_offset"), "4096");
    assert_string_equal(read_attr("udmabuf0", "sync_size"), "4096");
    assert_string_equal(read_attr("udmabuf0", "sync_for_cpu"), "0\n");
    assert_int_equal(heap_sync_end(buf, HEAP_SYNC_RW), -EISDIR);
    assert_string_equal(read_attr("udmabuf0", "sync_for_device"), "0\n");
    /* And a trigger that cannot be written is an error too, never a silent success. */
    assert_int_equal(rmdir(path), 0);
    write_text("/sys/class/u-dma-buf/udmabuf0/sync_direction", "0\n");
    snprintf(path, sizeof(path), "%s/sys/class/u-dma-buf/udmabuf0/sync_for_cpu", root);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(heap_sync_begin(buf, HEAP_SYNC_RW), -ENOENT);
    heap_free(buf);
    close_registry(reg);
}

/* The sync benchmark's partial strategy: one driver range sync per region, not a full sync. */
static void partial_strategy_uses_the_drivers_range_sync(void **state)
{
    (void)state;
    plant_device("udmabuf0", MIB, 1);
    struct heap_registry *reg = open_registry();
    struct heap_buf *buf = NULL;
    char why[256] = "";
    assert_int_equal(heap_alloc(find(reg, "udmabuf0"),
                                &(struct heap_alloc_req){ANY_NODE, .size = MIB}, &buf),
                     0);
    struct sync_strategy s;
    assert_int_equal(sync_strategy_parse("partial-ioctl", &s), 0);
    struct sync_layout layout = {
            .buf_size = MIB, .region = 4096, .offset = 65536, .count = 2, .line = 64};
    struct sync_window w;
    if (sync_window_init(&w, buf, NULL, &s, HEAP_SYNC_READ, &layout, why, sizeof(why)))
        fail_msg("partial-ioctl on u-dma-buf: %s", why);
    reset_sync_files();
    assert_int_equal(sync_window_begin(&w), 0);
    assert_int_equal(w.ioctls, 2);
    char last[32];
    snprintf(last, sizeof(last), "%zu", sync_layout_region(&layout, 1));
    assert_sync_files(last, "4096", "2", "1", "0\n");
    assert_int_equal(sync_window_end(&w), 0);
    assert_sync_files(last, "4096", "2", "1", "1");
    heap_free(buf);
    close_registry(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(no_device_leaves_one_unavailable_heap_saying_why,
                                            fresh_root, remove_root),
            cmocka_unit_test_setup_teardown(default_sync_mode_gives_a_cached_and_an_uncached_heap,
                                            fresh_root, remove_root),
            cmocka_unit_test_setup_teardown(every_sync_mode_gives_its_heaps_and_opens, fresh_root,
                                            remove_root),
            cmocka_unit_test_setup_teardown(broken_devices_are_listed_with_the_reason, fresh_root,
                                            remove_root),
            cmocka_unit_test_setup_teardown(an_unopenable_node_says_permission_denied, fresh_root,
                                            remove_root),
            cmocka_unit_test_setup_teardown(allocations_must_fit_the_devices_buffer, fresh_root,
                                            remove_root),
            cmocka_unit_test_setup_teardown(buffers_are_pieces_of_the_devices_buffer, fresh_root,
                                            remove_root),
            cmocka_unit_test_setup_teardown(the_mapping_is_the_devices_buffer, fresh_root,
                                            remove_root),
            cmocka_unit_test_setup_teardown(range_sync_writes_the_range_then_the_owner, fresh_root,
                                            remove_root),
            cmocka_unit_test_setup_teardown(a_failed_range_write_never_triggers_the_sync,
                                            fresh_root, remove_root),
            cmocka_unit_test_setup_teardown(partial_strategy_uses_the_drivers_range_sync,
                                            fresh_root, remove_root),
    };
    return cmocka_run_group_tests_name("u-dma-buf backend", tests, NULL, NULL);
}
