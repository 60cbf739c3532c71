/* tests/unit/test_ion_abi.c - proves the ION backend's ioctl encodings without an ION kernel.
 *
 * A fake ION driver behind heap_ioctl_set_hook() plays either ABI (pre-4.12 handles or 4.12+
 * fds). It decodes every request by the kernel's byte layout and literal request numbers, not
 * through heaps/ion_abi.h, so a wrong number, field offset or call order fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/dma-buf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dma_buf_partial.h"
#include "heap.h"
#include "heap_dev.h"
#include "heap_ioctl.h"
#include "ion.h"

/* Request numbers as ION kernels define them: _IOWR('I', nr, size) on the common ioctl encoding
 * (x86, arm, arm64): 0xc0000000 | size << 16 | 'I' << 8 | nr. The legacy ALLOC struct holds two
 * size_t, so its size is 32 bytes for 64-bit user space and 20 for 32-bit. */
#define K_ALLOC        0xc0184900ul
#define K_ALLOC_LEGACY (sizeof(size_t) == 8 ? 0xc0204900ul : 0xc0144900ul)
#define K_FREE         0xc0044901ul
#define K_MAP          0xc0084902ul
#define K_SHARE        0xc0084904ul
#define K_IMPORT       0xc0084905ul
#define K_SYNC         0xc0084907ul
#define K_HEAP_QUERY   0xc0184908ul

/* The kernel's struct ion_heap_data: name[32], type, heap_id, three reserved words. */
#define K_HEAP_DATA_SIZE 52

#define ION_FD_FOR_DIRECT_CALLS 77 /* any number: the fake kernel answers every fd */
#define MAX_LOG                 256
#define MAX_HANDLES             64

enum fake_abi { FAKE_LEGACY, FAKE_MODERN };

struct fake_heap {
    const char *name;
    unsigned type;
    unsigned id;
};

/* One request as the fake kernel decoded it; only the fields of its kind are meaningful. */
struct fake_request {
    int fd;
    unsigned long request;
    uint64_t len;
    uint64_t align;
    uint32_t heap_id_mask;
    uint32_t flags;
    int handle;
    uint32_t query_cnt;
    uint64_t query_heaps;
    uint64_t sync_flags;
    char name[64];
};

struct fake_handle {
    int id;
    size_t len;
};

static struct fake_kernel {
    enum fake_abi abi;
    const struct fake_heap *heaps;
    size_t n_heaps;
    bool partial_sync;          /* knows the vendor DMA_BUF_IOCTL_SYNC_PARTIAL */
    unsigned long fail_request; /* this request fails with fail_errno ... */
    int fail_errno;
    struct fake_handle handles[MAX_HANDLES]; /* legacy: live handles of the client */
    size_t n_handles;
    int next_handle;
    int last_dmabuf_fd; /* the fd the last ALLOC/SHARE handed out */
    struct fake_request log[MAX_LOG];
    size_t n_log;
} fake;

/* --- reading and writing the user's struct as the kernel would -------------------------------- */

static uint32_t get_u32(const void *arg, size_t off)
{
    uint32_t v;
    memcpy(&v, (const char *)arg + off, sizeof(v));
    return v;
}

static uint64_t get_u64(const void *arg, size_t off)
{
    uint64_t v;
    memcpy(&v, (const char *)arg + off, sizeof(v));
    return v;
}

static uint64_t get_size_t(const void *arg, size_t off)
{
    size_t v;
    memcpy(&v, (const char *)arg + off, sizeof(v));
    return v;
}

static void put_u32(void *arg, size_t off, uint32_t v)
{
    memcpy((char *)arg + off, &v, sizeof(v));
}

static int fail_with(int err)
{
    errno = err;
    return -1;
}

/* A stand-in dma-buf: a memfd of the right size, so that mmap and close behave for real. */
static int make_dmabuf(uint64_t len)
{
    int fd = memfd_create("fake-ion-dmabuf", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    if (ftruncate(fd, (off_t)len) != 0) {
        close(fd);
        return -1;
    }
    fake.last_dmabuf_fd = fd;
    return fd;
}

static const struct fake_heap *heap_in_mask(uint32_t mask)
{
    for (size_t i = 0; i < fake.n_heaps; i++)
        if (fake.heaps[i].id < 32 && (mask & (1u << fake.heaps[i].id)))
            return &fake.heaps[i];
    return NULL;
}

static struct fake_handle *find_handle(int id)
{
    for (size_t i = 0; i < fake.n_handles; i++)
        if (fake.handles[i].id == id)
            return &fake.handles[i];
    return NULL;
}

/* --- the two kernels ------------------------------------------------------------------------ */

static int legacy_alloc(struct fake_request *r, void *arg)
{
    const size_t s = sizeof(size_t);
    r->len = get_size_t(arg, 0);
    r->align = get_size_t(arg, s);
    r->heap_id_mask = get_u32(arg, 2 * s);
    r->flags = get_u32(arg, 2 * s + 4);
    if (!heap_in_mask(r->heap_id_mask))
        return fail_with(ENODEV); /* what a legacy kernel says when no heap matches */
    if (fake.n_handles == MAX_HANDLES)
        return fail_with(ENOMEM);
    r->handle = fake.next_handle++;
    fake.handles[fake.n_handles++] = (struct fake_handle){.id = r->handle, .len = r->len};
    put_u32(arg, 2 * s + 8, (uint32_t)r->handle);
    return 0;
}

static int legacy_free(struct fake_request *r, void *arg)
{
    r->handle = (int)get_u32(arg, 0);
    struct fake_handle *h = find_handle(r->handle);
    if (!h)
        return fail_with(EINVAL); /* handle 0 never exists: the ABI probe lands here */
    *h = fake.handles[--fake.n_handles];
    return 0;
}

static int legacy_share(struct fake_request *r, void *arg)
{
    r->handle = (int)get_u32(arg, 0);
    struct fake_handle *h = find_handle(r->handle);
    if (!h)
        return fail_with(EINVAL);
    int fd = make_dmabuf(h->len);
    if (fd < 0)
        return -1;
    put_u32(arg, 4, (uint32_t)fd);
    return 0;
}

static int modern_alloc(struct fake_request *r, void *arg)
{
    r->len = get_u64(arg, 0);
    r->heap_id_mask = get_u32(arg, 8);
    r->flags = get_u32(arg, 12);
    if (!heap_in_mask(r->heap_id_mask))
        return fail_with(ENODEV);
    int fd = make_dmabuf(r->len);
    if (fd < 0)
        return -1;
    put_u32(arg, 16, (uint32_t)fd);
    return 0;
}

static int modern_heap_query(struct fake_request *r, void *arg)
{
    r->query_cnt = get_u32(arg, 0);
    r->query_heaps = get_u64(arg, 8);
    if (get_u32(arg, 4) || get_u32(arg, 16) || get_u32(arg, 20))
        return fail_with(EINVAL); /* the kernel's validate_ioctl_arg on reserved fields */
    if (!r->query_heaps) {
        put_u32(arg, 0, (uint32_t)fake.n_heaps);
        return 0;
    }
    char *out = (char *)(uintptr_t)r->query_heaps;
    size_t n = r->query_cnt < fake.n_heaps ? r->query_cnt : fake.n_heaps;
    for (size_t i = 0; i < n; i++) {
        char *entry = out + i * K_HEAP_DATA_SIZE;
        memset(entry, 0, K_HEAP_DATA_SIZE);
        strncpy(entry, fake.heaps[i].name, 32); /* as the kernel: no NUL at 32 characters */
        put_u32(entry, 32, fake.heaps[i].type);
        put_u32(entry, 36, fake.heaps[i].id);
    }
    put_u32(arg, 0, (uint32_t)n);
    return 0;
}

static int dmabuf_request(struct fake_request *r, void *arg)
{
    switch (r->request) {
    case DMA_BUF_IOCTL_SYNC:
        r->sync_flags = get_u64(arg, 0);
        /* Kernels before 4.6 have no DMA_BUF_IOCTL_SYNC at all. */
        return fake.abi == FAKE_LEGACY ? fail_with(ENOTTY) : 0;
    case DMA_BUF_IOCTL_SYNC_PARTIAL:
        r->sync_flags = get_u64(arg, 0);
        return fake.partial_sync ? 0 : fail_with(ENOTTY);
    case DMA_BUF_SET_NAME_B:
        snprintf(r->name, sizeof(r->name), "%s", (const char *)arg);
        return 0;
    default:
        return fail_with(ENOTTY);
    }
}

static int fake_ioctl(int fd, unsigned long request, void *arg)
{
    assert_true(fake.n_log < MAX_LOG);
    struct fake_request *r = &fake.log[fake.n_log++];
    *r = (struct fake_request){.fd = fd, .request = request, .handle = -1};
    if (request == fake.fail_request) {
        /* Decode first so the log shows what was asked even of a failing request. */
        if (request == K_SHARE || request == K_FREE)
            r->handle = (int)get_u32(arg, 0);
        return fail_with(fake.fail_errno);
    }
    if (fake.abi == FAKE_LEGACY) {
        if (request == K_ALLOC_LEGACY)
            return legacy_alloc(r, arg);
        if (request == K_FREE)
            return legacy_free(r, arg);
        if (request == K_SHARE)
            return legacy_share(r, arg);
    } else {
        if (request == K_ALLOC)
            return modern_alloc(r, arg);
        if (request == K_HEAP_QUERY)
            return modern_heap_query(r, arg);
    }
    if (_IOC_TYPE(request) == 'I')
        return fail_with(ENOTTY); /* removed or never there in this ABI */
    return dmabuf_request(r, arg);
}

static void fake_kernel_start(enum fake_abi abi, const struct fake_heap *heaps, size_t n_heaps)
{
    memset(&fake, 0, sizeof(fake));
    fake.abi = abi;
    fake.heaps = heaps;
    fake.n_heaps = n_heaps;
    fake.next_handle = 0x51; /* not 0, not 1: a handle mixed up with a count would show */
    fake.last_dmabuf_fd = -1;
}

static size_t count_requests(unsigned long request)
{
    size_t n = 0;
    for (size_t i = 0; i < fake.n_log; i++)
        n += fake.log[i].request == request;
    return n;
}

static const struct fake_request *first_request(unsigned long request)
{
    for (size_t i = 0; i < fake.n_log; i++)
        if (fake.log[i].request == request)
            return &fake.log[i];
    fail_msg("request %#lx never reached the fake kernel", request);
    return NULL;
}

static void assert_fd_closed(int fd)
{
    assert_int_equal(fcntl(fd, F_GETFD), -1);
    assert_int_equal(errno, EBADF);
}

/* --- close() of one fd is counted, so "closed exactly once" can be proven ------------------- */

static int watched_fd = -1;
static int watched_fd_closes;

/* The program's own close() takes precedence over libc's (and the sanitizer's) for every
 * caller in this binary, including the library under test. */
int close(int fd)
{
    if (fd == watched_fd)
        watched_fd_closes++;
    return (int)syscall(SYS_close, fd);
}

/* --- a fake /dev under $DMABENCH_DEV_ROOT ------------------------------------------------------
 */

static char dev_root[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dev_root, sizeof(dev_root), "/tmp/dmabench-ion-XXXXXX");
    /* Searchable by all: the permission test must meet the node's mode, not the directory's. */
    if (!mkdtemp(dev_root) || chmod(dev_root, 0755) != 0)
        return -1;
    char dir[128];
    snprintf(dir, sizeof(dir), "%s/dev", dev_root);
    if (mkdir(dir, 0755) != 0 || setenv("DMABENCH_DEV_ROOT", dev_root, 1) != 0)
        return -1;
    watched_fd = -1;
    heap_ioctl_set_hook(fake_ioctl);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char path[128];
    heap_ioctl_set_hook(NULL);
    unsetenv("DMABENCH_DEV_ROOT");
    snprintf(path, sizeof(path), "%s/dev/ion", dev_root);
    unlink(path);
    snprintf(path, sizeof(path), "%s/dev", dev_root);
    rmdir(path);
    rmdir(dev_root);
    return 0;
}

/* A regular file does: every ioctl on it goes to the fake kernel. */
static void plant_dev_ion(mode_t mode)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/dev/ion", dev_root);
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, mode);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(chmod(path, mode), 0);
}

static struct heap_registry *open_registry(void)
{
    struct heap_registry *reg = NULL;
    assert_int_equal(heap_registry_open(&reg, NULL, 0), 0);
    assert_non_null(reg);
    return reg;
}

static size_t count_ion_heaps(struct heap_registry *reg)
{
    size_t n = 0;
    for (size_t i = 0; i < heap_registry_count(reg); i++)
        n += !strcmp(heap_registry_at(reg, i)->info.backend, "ion");
    return n;
}

static void assert_ion_heap(struct heap_registry *reg, const char *name, enum heap_class klass)
{
    struct heap *heap = heap_registry_find(reg, name);
    if (!heap)
        fail_msg("no heap named %s", name);
    const struct heap_info *info = &heap->info;
    assert_string_equal(info->backend, "ion");
    assert_int_equal(info->klass, klass);
    assert_true(info->available);
    assert_true(info->is_dmabuf);
    assert_int_equal(info->n_page_sizes, 1);
    assert_int_equal(info->page_sizes[0].kind, HEAP_PAGES_BASE);
    assert_int_equal(info->page_sizes[0].size, heap_base_page_size());
    size_t dev_len = strlen(info->device);
    assert_true(dev_len >= 8);
    assert_string_equal(info->device + dev_len - 8, "/dev/ion");
}

/* --- tests: the ABI written down ---------------------------------------------------------------
 */

static void test_request_numbers_match_the_kernels(void **state)
{
    (void)state;
    assert_int_equal(ION_IOC_ALLOC, K_ALLOC);
    assert_int_equal(ION_IOC_ALLOC_LEGACY, K_ALLOC_LEGACY);
    assert_int_equal(ION_IOC_FREE, K_FREE);
    assert_int_equal(ION_IOC_MAP, K_MAP);
    assert_int_equal(ION_IOC_SHARE, K_SHARE);
    assert_int_equal(ION_IOC_IMPORT, K_IMPORT);
    assert_int_equal(ION_IOC_SYNC, K_SYNC);
    assert_int_equal(ION_IOC_HEAP_QUERY, K_HEAP_QUERY);
    assert_int_equal(sizeof(struct ion_heap_data), K_HEAP_DATA_SIZE);
    assert_int_equal(offsetof(struct ion_heap_data, heap_id), 36);
    assert_int_equal(offsetof(struct ion_heap_query, heaps), 8);
    assert_int_equal(offsetof(struct ion_allocation_data, fd), 16);
    assert_int_equal(offsetof(struct ion_allocation_data_legacy, handle), 2 * sizeof(size_t) + 8);
    assert_int_equal(ION_FLAG_CACHED, 1);
    assert_int_equal(ION_HEAP_TYPE_SYSTEM, 0);
    assert_int_equal(ION_HEAP_TYPE_SYSTEM_CONTIG, 1);
    assert_int_equal(ION_HEAP_TYPE_CARVEOUT, 2);
    assert_int_equal(ION_HEAP_TYPE_CHUNK, 3);
    assert_int_equal(ION_HEAP_TYPE_DMA, 4);
    assert_int_equal(ION_HEAP_TYPE_CUSTOM, 5);
}

/* --- tests: ABI detection ----------------------------------------------------------------------
 */

static void test_detect_enotty_is_modern(void **state)
{
    (void)state;
    fake_kernel_start(FAKE_MODERN, NULL, 0);
    assert_int_equal(ion_detect_abi(ION_FD_FOR_DIRECT_CALLS), ION_ABI_MODERN);
    assert_int_equal(fake.n_log, 1);
    assert_int_equal(fake.log[0].request, K_FREE);
    assert_int_equal(fake.log[0].fd, ION_FD_FOR_DIRECT_CALLS);
}

static void test_detect_einval_is_legacy(void **state)
{
    (void)state;
    fake_kernel_start(FAKE_LEGACY, NULL, 0);
    assert_int_equal(ion_detect_abi(ION_FD_FOR_DIRECT_CALLS), ION_ABI_LEGACY);
    assert_int_equal(fake.n_log, 1);
    assert_int_equal(fake.log[0].request, K_FREE);
    assert_int_equal(fake.log[0].handle, 0);
}

static void test_detect_passes_other_errors_up(void **state)
{
    (void)state;
    fake_kernel_start(FAKE_LEGACY, NULL, 0);
    fake.fail_request = K_FREE;
    fake.fail_errno = EBADF;
    assert_int_equal(ion_detect_abi(ION_FD_FOR_DIRECT_CALLS), -EBADF);
}

/* --- tests: allocation -------------------------------------------------------------------------
 */

static const struct fake_heap some_heaps[] = {
        {"ion_system_heap", ION_HEAP_TYPE_SYSTEM, 0},
        {"camera", ION_HEAP_TYPE_DMA, 4},
        {"vendor", ION_HEAP_TYPE_CUSTOM, 9},
};

static void test_modern_alloc_is_one_ioctl_returning_the_fd(void **state)
{
    (void)state;
    size_t len = 3 * heap_base_page_size();
    fake_kernel_start(FAKE_MODERN, some_heaps, 3);
    int fd = ion_alloc_fd(ION_FD_FOR_DIRECT_CALLS, ION_ABI_MODERN, len, 1u << 4, ION_FLAG_CACHED);
    assert_true(fd >= 0);
    assert_int_equal(fd, fake.last_dmabuf_fd);
    assert_int_equal(fake.n_log, 1);
    assert_int_equal(fake.log[0].request, K_ALLOC);
    assert_int_equal(fake.log[0].len, len);
    assert_int_equal(fake.log[0].heap_id_mask, 1u << 4);
    assert_int_equal(fake.log[0].flags, ION_FLAG_CACHED);
    close(fd);
}

static void test_modern_alloc_passes_the_kernels_errno(void **state)
{
    (void)state;
    fake_kernel_start(FAKE_MODERN, some_heaps, 3);
    assert_int_equal(ion_alloc_fd(ION_FD_FOR_DIRECT_CALLS, ION_ABI_MODERN, 4096, 1u << 7, 0),
                     -ENODEV);
}

static void test_legacy_alloc_allocates_shares_then_frees(void **state)
{
    (void)state;
    size_t len = 2 * heap_base_page_size();
    fake_kernel_start(FAKE_LEGACY, some_heaps, 3);
    int fd = ion_alloc_fd(ION_FD_FOR_DIRECT_CALLS, ION_ABI_LEGACY, len, 1u << 9, 0);
    assert_true(fd >= 0);
    assert_int_equal(fd, fake.last_dmabuf_fd);
    assert_int_equal(fake.n_log, 3);
    const struct fake_request *alloc = &fake.log[0], *share = &fake.log[1], *release = &fake.log[2];
    assert_int_equal(alloc->request, K_ALLOC_LEGACY);
    assert_int_equal(alloc->len, len);
    assert_int_equal(alloc->align, heap_base_page_size());
    assert_int_equal(alloc->heap_id_mask, 1u << 9);
    assert_int_equal(alloc->flags, 0);
    assert_int_equal(share->request, K_SHARE);
    assert_int_equal(share->handle, alloc->handle);
    assert_int_equal(release->request, K_FREE);
    assert_int_equal(release->handle, alloc->handle);
    assert_int_equal(fake.n_handles, 0); /* nothing left behind in the client */
    close(fd);
}

static void test_legacy_share_failure_still_frees_the_handle(void **state)
{
    (void)state;
    fake_kernel_start(FAKE_LEGACY, some_heaps, 3);
    fake.fail_request = K_SHARE;
    fake.fail_errno = EMFILE;
    assert_int_equal(
            ion_alloc_fd(ION_FD_FOR_DIRECT_CALLS, ION_ABI_LEGACY, 4096, 1u << 0, ION_FLAG_CACHED),
            -EMFILE);
    assert_int_equal(fake.n_log, 3);
    assert_int_equal(fake.log[0].flags, ION_FLAG_CACHED);
    assert_int_equal(fake.log[1].request, K_SHARE);
    assert_int_equal(fake.log[1].handle, fake.log[0].handle);
    assert_int_equal(fake.log[2].request, K_FREE);
    assert_int_equal(fake.log[2].handle, fake.log[0].handle);
    assert_int_equal(fake.n_handles, 0);
    assert_int_equal(fake.last_dmabuf_fd, -1);
}

static void test_legacy_alloc_failure_shares_nothing(void **state)
{
    (void)state;
    fake_kernel_start(FAKE_LEGACY, some_heaps, 3);
    fake.fail_request = K_ALLOC_LEGACY;
    fake.fail_errno = ENOMEM;
    assert_int_equal(ion_alloc_fd(ION_FD_FOR_DIRECT_CALLS, ION_ABI_LEGACY, 4096, 1u << 0, 0),
                     -ENOMEM);
    assert_int_equal(fake.n_log, 1);
}

static void test_alloc_refuses_an_unknown_abi(void **state)
{
    (void)state;
    fake_kernel_start(FAKE_MODERN, some_heaps, 3);
    assert_int_equal(ion_alloc_fd(ION_FD_FOR_DIRECT_CALLS, 0, 4096, 1u << 0, 0), -EINVAL);
    assert_int_equal(fake.n_log, 0);
}

/* --- tests: heap enumeration -------------------------------------------------------------------
 */

static void test_modern_query_counts_then_fills(void **state)
{
    (void)state;
    struct ion_heap_data out[ION_NUM_HEAP_IDS];
    fake_kernel_start(FAKE_MODERN, some_heaps, 3);
    assert_int_equal(ion_query_heaps(ION_FD_FOR_DIRECT_CALLS, out, ION_NUM_HEAP_IDS), 3);
    assert_int_equal(fake.n_log, 3); /* ABI detection, count, fill */
    assert_int_equal(fake.log[1].request, K_HEAP_QUERY);
    assert_int_equal(fake.log[1].query_heaps, 0);
    assert_int_equal(fake.log[2].request, K_HEAP_QUERY);
    assert_int_equal(fake.log[2].query_cnt, 3);
    assert_int_equal(fake.log[2].query_heaps, (uintptr_t)out);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(out[i].name, some_heaps[i].name);
        assert_int_equal(out[i].type, some_heaps[i].type);
        assert_int_equal(out[i].heap_id, some_heaps[i].id);
    }
}

static void test_modern_query_stops_at_max(void **state)
{
    (void)state;
    struct ion_heap_data out[3];
    memset(&out[2], 0xa5, sizeof(out[2]));
    fake_kernel_start(FAKE_MODERN, some_heaps, 3);
    assert_int_equal(ion_query_heaps(ION_FD_FOR_DIRECT_CALLS, out, 2), 2);
    assert_int_equal(fake.log[2].query_cnt, 2); /* detection, count, fill */
    assert_string_equal(out[1].name, "camera");
    assert_int_equal(out[2].heap_id, 0xa5a5a5a5u); /* never written past max */
}

static const struct fake_heap legacy_heaps[] = {
        {"unused-by-legacy", ION_HEAP_TYPE_SYSTEM, 0},
        {"unused-by-legacy", ION_HEAP_TYPE_CARVEOUT, 2},
        {"unused-by-legacy", ION_HEAP_TYPE_SYSTEM, 25},
};

static void test_legacy_query_finds_ids_by_trial_allocation(void **state)
{
    (void)state;
    struct ion_heap_data out[ION_NUM_HEAP_IDS];
    fake_kernel_start(FAKE_LEGACY, legacy_heaps, 3);
    assert_int_equal(ion_query_heaps(ION_FD_FOR_DIRECT_CALLS, out, ION_NUM_HEAP_IDS), 3);
    static const char *const names[] = {"id0", "id2", "id25"};
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(out[i].name, names[i]);
        assert_int_equal(out[i].heap_id, legacy_heaps[i].id);
        assert_int_equal(out[i].type, ION_HEAP_TYPE_UNKNOWN);
    }
    assert_int_equal(count_requests(K_ALLOC_LEGACY), 32);
    assert_int_equal(count_requests(K_SHARE), 0); /* a trial needs no dma-buf */
    assert_int_equal(count_requests(K_FREE), 1 + 3);
    assert_int_equal(fake.n_handles, 0);
    unsigned id = 0;
    for (size_t i = 0; i < fake.n_log; i++) {
        if (fake.log[i].request != K_ALLOC_LEGACY)
            continue;
        assert_int_equal(fake.log[i].heap_id_mask, 1u << id++);
        assert_int_equal(fake.log[i].len, heap_base_page_size());
        assert_int_equal(fake.log[i].flags, 0);
    }
}

static void test_legacy_query_says_why_nothing_was_found(void **state)
{
    (void)state;
    struct ion_heap_data out[ION_NUM_HEAP_IDS];
    fake_kernel_start(FAKE_LEGACY, legacy_heaps, 3);
    fake.fail_request = K_ALLOC_LEGACY;
    fake.fail_errno = EPERM;
    assert_int_equal(ion_query_heaps(ION_FD_FOR_DIRECT_CALLS, out, ION_NUM_HEAP_IDS), -EPERM);
}

/* --- tests: probe through the registry ---------------------------------------------------------
 */

static const struct fake_heap probed_heaps[] = {
        {"ion_system_heap", ION_HEAP_TYPE_SYSTEM, 0},
        {"ion_system_contig_heap", ION_HEAP_TYPE_SYSTEM_CONTIG, 1},
        {"secure_display", ION_HEAP_TYPE_CARVEOUT, 2}, /* the type decides, not the name */
        {"camera", ION_HEAP_TYPE_DMA, 5},
        {"chunk", ION_HEAP_TYPE_CHUNK, 7},
        {"a_vendor_heap_with_32_char_name!", ION_HEAP_TYPE_CUSTOM, 8},
        {"beyond_the_mask", ION_HEAP_TYPE_SYSTEM, 40}, /* no mask can select it */
};

static void test_probe_offers_each_ion_heap_cached_and_uncached(void **state)
{
    (void)state;
    plant_dev_ion(0644);
    fake_kernel_start(FAKE_MODERN, probed_heaps, 7);
    struct heap_registry *reg = open_registry();
    assert_int_equal(count_ion_heaps(reg), 2 * 6);
    assert_ion_heap(reg, "ion-ion_system_heap", HEAP_CLASS_CACHED);
    assert_ion_heap(reg, "ion-ion_system_heap-uncached", HEAP_CLASS_UNCACHED);
    assert_ion_heap(reg, "ion-ion_system_contig_heap", HEAP_CLASS_CONTIGUOUS);
    assert_ion_heap(reg, "ion-ion_system_contig_heap-uncached", HEAP_CLASS_UNCACHED);
    assert_ion_heap(reg, "ion-secure_display", HEAP_CLASS_CONTIGUOUS);
    assert_ion_heap(reg, "ion-secure_display-uncached", HEAP_CLASS_UNCACHED);
    assert_ion_heap(reg, "ion-camera", HEAP_CLASS_CONTIGUOUS);
    assert_ion_heap(reg, "ion-camera-uncached", HEAP_CLASS_UNCACHED);
    assert_ion_heap(reg, "ion-chunk", HEAP_CLASS_CACHED);
    assert_ion_heap(reg, "ion-a_vendor_heap_with_32_char_name!", HEAP_CLASS_CACHED);
    assert_ion_heap(reg, "ion-a_vendor_heap_with_32_char_name!-uncached", HEAP_CLASS_UNCACHED);
    assert_null(heap_registry_find(reg, "ion-beyond_the_mask"));
    assert_null(heap_registry_find(reg, "ion"));
    heap_registry_close(reg, NULL);
}

static void test_probe_names_legacy_heaps_by_id(void **state)
{
    (void)state;
    plant_dev_ion(0644);
    fake_kernel_start(FAKE_LEGACY, legacy_heaps, 3);
    struct heap_registry *reg = open_registry();
    assert_int_equal(count_ion_heaps(reg), 2 * 3);
    /* The type is unknown, so ION_FLAG_CACHED is all that can be said: cached. */
    assert_ion_heap(reg, "ion-id0", HEAP_CLASS_CACHED);
    assert_ion_heap(reg, "ion-id0-uncached", HEAP_CLASS_UNCACHED);
    assert_ion_heap(reg, "ion-id2", HEAP_CLASS_CACHED);
    assert_ion_heap(reg, "ion-id25-uncached", HEAP_CLASS_UNCACHED);
    heap_registry_close(reg, NULL);
}

static struct heap *the_only_ion_heap(struct heap_registry *reg)
{
    assert_int_equal(count_ion_heaps(reg), 1);
    struct heap *heap = heap_registry_find(reg, "ion:ion");
    assert_non_null(heap);
    assert_false(heap->info.available);
    return heap;
}

static void test_probe_without_dev_ion_says_why(void **state)
{
    (void)state;
    fake_kernel_start(FAKE_MODERN, probed_heaps, 7);
    struct heap_registry *reg = open_registry();
    struct heap *heap = the_only_ion_heap(reg);
    assert_int_equal(heap->info.unavailable_err, -ENOENT);
    assert_string_equal(heap->info.reason,
                        "no /dev/ion: legacy Android ION, removed from mainline in 5.11");
    assert_int_equal(count_requests(K_FREE), 0);
    heap_registry_close(reg, NULL);
}

/* Probe and copy out the "ion" heap's facts as an unprivileged user would see them. Root opens
 * a mode-000 file anyway, so the probe runs in a child that gives up root first. */
static void probe_ion_unprivileged(struct heap_info *out)
{
    int pipe_fds[2];
    assert_int_equal(pipe(pipe_fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        const uid_t nobody = 65534;
        struct heap_registry *reg = NULL;
        struct heap *heap = NULL;
        bool dropped = geteuid() != 0 ||
                       (setgroups(0, NULL) == 0 && setresgid(nobody, nobody, nobody) == 0 &&
                        setresuid(nobody, nobody, nobody) == 0);
        if (dropped && heap_registry_open(&reg, NULL, 0) == 0)
            heap = heap_registry_find(reg, "ion:ion");
        if (heap && write(pipe_fds[1], &heap->info, sizeof(heap->info)) != sizeof(heap->info))
            _exit(1);
        _exit(heap ? 0 : 1); /* _exit: the parent owns every resource the child inherited */
    }
    close(pipe_fds[1]);
    ssize_t got = read(pipe_fds[0], out, sizeof(*out));
    close(pipe_fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(got, sizeof(*out));
}

static void test_probe_without_permission_says_why(void **state)
{
    (void)state;
    plant_dev_ion(0);
    struct heap_info info;
    probe_ion_unprivileged(&info);
    assert_false(info.available);
    assert_int_equal(info.unavailable_err, -EACCES);
    assert_non_null(strstr(info.reason, "permission denied"));
}

static void test_probe_of_a_device_without_heaps_says_why(void **state)
{
    (void)state;
    plant_dev_ion(0644);
    fake_kernel_start(FAKE_MODERN, NULL, 0);
    struct heap_registry *reg = open_registry();
    struct heap *heap = the_only_ion_heap(reg);
    assert_int_equal(heap->info.unavailable_err, -ENODEV);
    assert_string_equal(heap->info.reason, "/dev/ion lists no heaps");
    heap_registry_close(reg, NULL);
}

/* --- tests: buffers through the core -----------------------------------------------------------
 */

static struct heap_buf *alloc_from(struct heap_registry *reg, const char *name, size_t size)
{
    struct heap *heap = heap_registry_find(reg, name);
    assert_non_null(heap);
    struct heap_alloc_req req = {.size = size, .numa_node = HEAP_NODE_ANY};
    struct heap_buf *buf = NULL;
    assert_int_equal(heap_alloc(heap, &req, &buf), 0);
    return buf;
}

static void test_cached_and_uncached_heaps_differ_only_in_the_flag(void **state)
{
    (void)state;
    size_t page = heap_base_page_size();
    plant_dev_ion(0644);
    fake_kernel_start(FAKE_MODERN, probed_heaps, 7);
    struct heap_registry *reg = open_registry();

    fake.n_log = 0;
    struct heap_buf *cached = alloc_from(reg, "ion-camera", page + 1);
    assert_int_equal(fake.n_log, 1);
    assert_int_equal(fake.log[0].request, K_ALLOC);
    assert_int_equal(fake.log[0].len, 2 * page);
    assert_int_equal(fake.log[0].heap_id_mask, 1u << 5);
    assert_int_equal(fake.log[0].flags, ION_FLAG_CACHED);
    assert_int_equal(cached->alloc_size, 2 * page);
    assert_int_equal(cached->fd, fake.last_dmabuf_fd);

    fake.n_log = 0;
    struct heap_buf *uncached = alloc_from(reg, "ion-camera-uncached", page);
    assert_int_equal(fake.log[0].heap_id_mask, 1u << 5);
    assert_int_equal(fake.log[0].flags, 0);

    int cached_fd = cached->fd, uncached_fd = uncached->fd;
    heap_free(cached);
    heap_free(uncached);
    assert_fd_closed(cached_fd);
    assert_fd_closed(uncached_fd);
    heap_registry_close(reg, NULL);
}

static void test_buffers_map_sync_and_take_names(void **state)
{
    (void)state;
    plant_dev_ion(0644);
    fake_kernel_start(FAKE_MODERN, probed_heaps, 7);
    struct heap_registry *reg = open_registry();
    struct heap_buf *buf = alloc_from(reg, "ion-ion_system_heap", 3 * heap_base_page_size());

    void *addr = NULL;
    assert_int_equal(heap_mmap(buf, &addr), 0);
    memset(addr, 0x5a, buf->alloc_size);
    assert_int_equal(((unsigned char *)addr)[buf->alloc_size - 1], 0x5a);

    fake.n_log = 0;
    assert_int_equal(heap_sync_begin(buf, HEAP_SYNC_RW), 0);
    assert_int_equal(fake.log[0].request, DMA_BUF_IOCTL_SYNC);
    assert_int_equal(fake.log[0].fd, buf->fd);
    assert_int_equal(fake.log[0].sync_flags, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);

    /* No partial sync in this kernel: the core falls back to the whole buffer. */
    assert_int_equal(heap_sync_range_end(buf, HEAP_SYNC_WRITE, 0, 64), HEAP_SYNC_DONE_FULL);
    assert_int_equal(first_request(DMA_BUF_IOCTL_SYNC_PARTIAL)->fd, buf->fd);
    assert_false(buf->heap->info.has_range_sync);

    fake.n_log = 0;
    assert_int_equal(heap_set_name(buf, "frame-7"), 0);
    assert_int_equal(fake.log[0].request, DMA_BUF_SET_NAME_B);
    assert_string_equal(fake.log[0].name, "frame-7");

    assert_int_equal(heap_munmap(buf, addr), 0);
    heap_free(buf);
    heap_registry_close(reg, NULL);
}

static void test_partial_sync_is_used_where_the_kernel_has_it(void **state)
{
    (void)state;
    plant_dev_ion(0644);
    fake_kernel_start(FAKE_MODERN, probed_heaps, 7);
    fake.partial_sync = true;
    struct heap_registry *reg = open_registry();
    struct heap_buf *buf = alloc_from(reg, "ion-camera", heap_base_page_size());
    fake.n_log = 0;
    assert_int_equal(heap_sync_range_begin(buf, HEAP_SYNC_READ, 64, 128), HEAP_SYNC_DONE_RANGE);
    assert_int_equal(fake.n_log, 1);
    assert_int_equal(fake.log[0].request, DMA_BUF_IOCTL_SYNC_PARTIAL);
    assert_int_equal(fake.log[0].sync_flags, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
    assert_true(buf->heap->info.has_range_sync);
    heap_registry_close(reg, NULL);
}

static void test_legacy_buffers_allocate_and_pass_enotty_sync_up(void **state)
{
    (void)state;
    plant_dev_ion(0644);
    fake_kernel_start(FAKE_LEGACY, legacy_heaps, 3);
    struct heap_registry *reg = open_registry();
    fake.n_log = 0;
    struct heap_buf *buf = alloc_from(reg, "ion-id25", heap_base_page_size());
    assert_int_equal(fake.n_log, 3);
    assert_int_equal(fake.log[0].request, K_ALLOC_LEGACY);
    assert_int_equal(fake.log[0].heap_id_mask, 1u << 25);
    assert_int_equal(fake.log[0].flags, ION_FLAG_CACHED);
    assert_int_equal(fake.log[1].request, K_SHARE);
    assert_int_equal(fake.log[2].request, K_FREE);
    assert_int_equal(buf->fd, fake.last_dmabuf_fd);
    assert_int_equal(heap_sync_begin(buf, HEAP_SYNC_READ), -ENOTTY);
    assert_int_equal(heap_sync_range_end(buf, HEAP_SYNC_READ, 0, 64), -ENOTTY);
    heap_registry_close(reg, NULL); /* frees buf too */
}

static void test_numa_placement_is_refused(void **state)
{
    (void)state;
    plant_dev_ion(0644);
    fake_kernel_start(FAKE_MODERN, probed_heaps, 7);
    struct heap_registry *reg = open_registry();
    struct heap_alloc_req req = {.size = 4096, .bind_node = true, .numa_node = 0};
    struct heap_buf *buf = NULL;
    fake.n_log = 0;
    int ret = heap_alloc(heap_registry_find(reg, "ion-camera"), &req, &buf);
    /* The core refuses a node on a machine without NUMA first; either way ION is never asked. */
    assert_true(ret == -EOPNOTSUPP || ret == -EINVAL);
    assert_int_equal(fake.n_log, 0);
    heap_registry_close(reg, NULL);
}

static void test_the_shared_ion_fd_is_closed_exactly_once(void **state)
{
    (void)state;
    plant_dev_ion(0644);
    fake_kernel_start(FAKE_LEGACY, legacy_heaps, 3);
    struct heap_registry *reg = open_registry();
    int ion_fd = first_request(K_FREE)->fd;
    assert_true(fcntl(ion_fd, F_GETFD) >= 0); /* every heap still uses it */
    watched_fd = ion_fd;
    watched_fd_closes = 0;
    struct heap_buf *buf = alloc_from(reg, "ion-id2-uncached", heap_base_page_size());
    int buf_fd = buf->fd;
    heap_registry_close(reg, NULL);
    watched_fd = -1;
    assert_int_equal(watched_fd_closes, 1);
    assert_fd_closed(ion_fd);
    assert_fd_closed(buf_fd);
}

#define ION_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
            ION_TEST(test_request_numbers_match_the_kernels),
            ION_TEST(test_detect_enotty_is_modern),
            ION_TEST(test_detect_einval_is_legacy),
            ION_TEST(test_detect_passes_other_errors_up),
            ION_TEST(test_modern_alloc_is_one_ioctl_returning_the_fd),
            ION_TEST(test_modern_alloc_passes_the_kernels_errno),
            ION_TEST(test_legacy_alloc_allocates_shares_then_frees),
            ION_TEST(test_legacy_share_failure_still_frees_the_handle),
            ION_TEST(test_legacy_alloc_failure_shares_nothing),
            ION_TEST(test_alloc_refuses_an_unknown_abi),
            ION_TEST(test_modern_query_counts_then_fills),
            ION_TEST(test_modern_query_stops_at_max),
            ION_TEST(test_legacy_query_finds_ids_by_trial_allocation),
            ION_TEST(test_legacy_query_says_why_nothing_was_found),
            ION_TEST(test_probe_offers_each_ion_heap_cached_and_uncached),
            ION_TEST(test_probe_names_legacy_heaps_by_id),
            ION_TEST(test_probe_without_dev_ion_says_why),
            ION_TEST(test_probe_without_permission_says_why),
            ION_TEST(test_probe_of_a_device_without_heaps_says_why),
            ION_TEST(test_cached_and_uncached_heaps_differ_only_in_the_flag),
            ION_TEST(test_buffers_map_sync_and_take_names),
            ION_TEST(test_partial_sync_is_used_where_the_kernel_has_it),
            ION_TEST(test_legacy_buffers_allocate_and_pass_enotty_sync_up),
            ION_TEST(test_numa_placement_is_refused),
            ION_TEST(test_the_shared_ion_fd_is_closed_exactly_once),
    };
    return cmocka_run_group_tests_name("ion_abi", tests, NULL, NULL);
}
