/* tests/unit/test_dmabuf_ops.c - the dma-buf wrappers against a scripted fake kernel.
 *
 * heap_ioctl_set_hook() puts a fake in place of ioctl(2): it records what each wrapper sends
 * (request number, struct contents) and answers with scripted errnos, so the retry policy, the
 * partial-sync encoding and probe, and the exact dma-heap ABI encoding are checked on any host.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dma_heap.h"
#include "dmabuf_ops.h"
#include "heap.h"
#include "heap_ioctl.h"

#define FAKE_FD    77
#define MAX_SCRIPT 8

/* What the fake kernel saw and what it will answer. */
static struct {
    int calls;
    int last_fd;
    unsigned long last_request;
    void *last_arg;
    struct dma_buf_sync sync;
    struct dma_buf_sync_partial partial;
    struct dma_heap_allocation_data alloc;
    int script[MAX_SCRIPT]; /* errno per call, 0 = success; past the end: always_errno */
    int script_len;
    int always_errno;
    int partial_errno; /* answer to every SYNC_PARTIAL, whatever the script says */
    int alloc_result_fd;
} fake;

static int fake_ioctl(int fd, unsigned long request, void *arg)
{
    int call = fake.calls++;
    fake.last_fd = fd;
    fake.last_request = request;
    fake.last_arg = arg;
    int err = call < fake.script_len ? fake.script[call] : fake.always_errno;
    if (request == DMA_BUF_IOCTL_SYNC)
        fake.sync = *(struct dma_buf_sync *)arg;
    if (request == DMA_BUF_IOCTL_SYNC_PARTIAL) {
        fake.partial = *(struct dma_buf_sync_partial *)arg;
        err = fake.partial_errno;
    }
    if (request == DMA_HEAP_IOCTL_ALLOC) {
        fake.alloc = *(struct dma_heap_allocation_data *)arg;
        if (!err)
            ((struct dma_heap_allocation_data *)arg)->fd = (__u32)fake.alloc_result_fd;
    }
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}

static int install_fake(void **state)
{
    (void)state;
    memset(&fake, 0, sizeof(fake));
    heap_ioctl_set_hook(fake_ioctl);
    return 0;
}

static int remove_fake(void **state)
{
    (void)state;
    heap_ioctl_set_hook(NULL);
    return 0;
}

static void script(int n, const int *errnos)
{
    assert_true(n <= MAX_SCRIPT);
    memcpy(fake.script, errnos, (size_t)n * sizeof(*errnos));
    fake.script_len = n;
}

/* --- DMA_BUF_IOCTL_SYNC ---------------------------------------------------------------------- */

static void sync_retries_eintr_and_eagain_then_succeeds(void **state)
{
    (void)state;
    script(4, (const int[]){EINTR, EAGAIN, EINTR, 0});
    fake.always_errno = EIO; /* a fifth call would be a bug */
    assert_int_equal(dmabuf_sync(FAKE_FD, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
    assert_int_equal(fake.calls, 4);
    assert_int_equal(fake.last_fd, FAKE_FD);
    assert_true(fake.last_request == DMA_BUF_IOCTL_SYNC);
    assert_true(fake.sync.flags == (DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
}

static void sync_gives_up_with_eintr_after_the_bound(void **state)
{
    (void)state;
    fake.always_errno = EINTR;
    assert_int_equal(dmabuf_sync(FAKE_FD, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW), -EINTR);
    /* Retried, but not forever: the bound is the ioctl layer's, well under this. */
    assert_true(fake.calls > 1);
    assert_true(fake.calls <= 100000);
}

static void sync_passes_other_errnos_through_untried(void **state)
{
    (void)state;
    static const int errnos[] = {EINVAL, EBADF, ENOTTY, EFAULT, ENOMEM};
    for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++) {
        fake.calls = 0;
        fake.always_errno = errnos[i];
        assert_int_equal(dmabuf_sync(FAKE_FD, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE), -errnos[i]);
        assert_int_equal(fake.calls, 1);
    }
}

static void sync_flags_follow_begin_and_direction(void **state)
{
    (void)state;
    static const struct {
        bool begin;
        enum heap_sync_dir dir;
        unsigned long long flags;
    } cases[] = {
            {true, HEAP_SYNC_READ, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ},
            {true, HEAP_SYNC_WRITE, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE},
            {true, HEAP_SYNC_RW, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW},
            {false, HEAP_SYNC_READ, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ},
            {false, HEAP_SYNC_WRITE, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE},
            {false, HEAP_SYNC_RW, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_true(dmabuf_sync_flags(cases[i].begin, cases[i].dir) == cases[i].flags);
}

/* --- DMA_BUF_IOCTL_SYNC_PARTIAL -------------------------------------------------------------- */

static void partial_ioctl_number_is_the_vendor_abi(void **state)
{
    (void)state;
    assert_int_equal(_IOC_TYPE(DMA_BUF_IOCTL_SYNC_PARTIAL), 'b');
    assert_int_equal(_IOC_NR(DMA_BUF_IOCTL_SYNC_PARTIAL), 2);
    assert_int_equal(_IOC_DIR(DMA_BUF_IOCTL_SYNC_PARTIAL), _IOC_WRITE);
    assert_int_equal(_IOC_SIZE(DMA_BUF_IOCTL_SYNC_PARTIAL), 16);
    assert_int_equal(sizeof(struct dma_buf_sync_partial), 16);
    assert_int_equal(offsetof(struct dma_buf_sync_partial, offset), 8);
    assert_int_equal(offsetof(struct dma_buf_sync_partial, len), 12);
    assert_true(DMA_BUF_IOCTL_SYNC_PARTIAL != DMA_BUF_IOCTL_EXPORT_SYNC_FILE);
}

static void partial_range_rounds_outward_and_clamps(void **state)
{
    (void)state;
    static const struct {
        size_t offset, len, limit;
        int ret;
        unsigned offset_out, len_out;
    } cases[] = {
            {0, 64, 4096, 0, 0, 64},
            {0, 1, 4096, 0, 0, 64},
            {100, 10, 4096, 0, 64, 64},      /* [100,110) lies inside line 64 */
            {63, 2, 4096, 0, 0, 128},        /* straddles a line boundary */
            {128, 128, 4096, 0, 128, 128},   /* already aligned: unchanged */
            {4000, 200, 4096, 0, 3968, 128}, /* clamped to the buffer end */
            {0, 1 << 20, 4096, 0, 0, 4096},
            {4095, 1, 4096, 0, 4032, 64},
            {4096, 1, 4096, -EINVAL, 0, 0}, /* starts at the end */
            {10, 0, 4096, -EINVAL, 0, 0},   /* empty */
            {0, (size_t)UINT32_MAX + 1, SIZE_MAX, -EOVERFLOW, 0, 0},
            {(size_t)UINT32_MAX + 64, 64, SIZE_MAX, -EOVERFLOW, 0, 0},
            {SIZE_MAX - 10, 100, SIZE_MAX, -EOVERFLOW, 0, 0}, /* end would wrap */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct dma_buf_sync_partial arg = {.flags = 0xbad, .offset = 0xbad, .len = 0xbad};
        int ret = dmabuf_sync_partial_encode(&arg, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE,
                                             cases[i].offset, cases[i].len, cases[i].limit);
        if (ret != cases[i].ret ||
            (!ret && (arg.offset != cases[i].offset_out || arg.len != cases[i].len_out)))
            print_message("case %zu: offset %zu len %zu limit %zu -> %d [%u, +%u)\n", i,
                          cases[i].offset, cases[i].len, cases[i].limit, ret, arg.offset, arg.len);
        assert_int_equal(ret, cases[i].ret);
        if (ret)
            continue;
        assert_int_equal(arg.offset, cases[i].offset_out);
        assert_int_equal(arg.len, cases[i].len_out);
        assert_true(arg.flags == (DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
    }
}

static void partial_wrapper_sends_line_multiples(void **state)
{
    (void)state;
    assert_int_equal(dmabuf_sync_partial(FAKE_FD, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW, 70, 60), 0);
    assert_int_equal(fake.calls, 1);
    assert_true(fake.last_request == DMA_BUF_IOCTL_SYNC_PARTIAL);
    assert_true(fake.partial.flags == (DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
    assert_int_equal(fake.partial.offset, 64);
    assert_int_equal(fake.partial.len, 128); /* [70,130) -> [64,192) */

    fake.partial_errno = ENOTTY; /* a mainline kernel */
    assert_int_equal(dmabuf_sync_partial(FAKE_FD, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW, 0, 64),
                     -ENOTTY);
}

/* A heap and a buffer as the core would hand them to a backend. */
struct fake_heap_buf {
    struct heap heap;
    struct heap_buf buf;
};

static void fake_heap_buf_init(struct fake_heap_buf *f)
{
    memset(f, 0, sizeof(*f));
    f->buf.heap = &f->heap;
    f->buf.fd = FAKE_FD;
    f->buf.size = f->buf.alloc_size = 1 << 16;
}

static void partial_probe_falls_back_on_enotty_and_remembers(void **state)
{
    (void)state;
    struct fake_heap_buf f;
    fake_heap_buf_init(&f);
    f.heap.info.has_range_sync = true; /* must be corrected by the probe */
    fake.partial_errno = ENOTTY;
    assert_int_equal(dmabuf_heap_sync_range(&f.buf, true, HEAP_SYNC_READ, 0, 4096), -EOPNOTSUPP);
    assert_int_equal(fake.calls, 1);
    assert_int_equal(f.heap.range_sync, HEAP_RANGE_SYNC_UNSUPPORTED);
    assert_false(f.heap.info.has_range_sync);
    /* Remembered: the next range sync does not ask the kernel again. */
    assert_int_equal(dmabuf_heap_sync_range(&f.buf, false, HEAP_SYNC_READ, 0, 4096), -EOPNOTSUPP);
    assert_int_equal(fake.calls, 1);
}

static void partial_probe_takes_first_einval_as_unknown_ioctl(void **state)
{
    (void)state;
    struct fake_heap_buf f;
    fake_heap_buf_init(&f);
    fake.partial_errno = EINVAL;
    assert_int_equal(dmabuf_heap_sync_range(&f.buf, true, HEAP_SYNC_RW, 64, 64), -EOPNOTSUPP);
    assert_int_equal(f.heap.range_sync, HEAP_RANGE_SYNC_UNSUPPORTED);
}

static void partial_probe_records_support_then_passes_errors(void **state)
{
    (void)state;
    struct fake_heap_buf f;
    fake_heap_buf_init(&f);
    assert_int_equal(dmabuf_heap_sync_range(&f.buf, true, HEAP_SYNC_WRITE, 4000, 200),
                     HEAP_SYNC_DONE_RANGE);
    assert_int_equal(f.heap.range_sync, HEAP_RANGE_SYNC_SUPPORTED);
    assert_true(f.heap.info.has_range_sync);
    assert_true(fake.partial.flags == (DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
    assert_int_equal(fake.partial.offset, 3968);
    assert_int_equal(fake.partial.len, 256);
    /* Once known to exist, EINVAL is the kernel refusing this range: passed up, not hidden. */
    fake.partial_errno = EINVAL;
    assert_int_equal(dmabuf_heap_sync_range(&f.buf, false, HEAP_SYNC_WRITE, 0, 64), -EINVAL);
    assert_int_equal(f.heap.range_sync, HEAP_RANGE_SYNC_SUPPORTED);
    assert_true(f.heap.info.has_range_sync);
}

static void partial_probe_undecided_on_other_errors(void **state)
{
    (void)state;
    struct fake_heap_buf f;
    fake_heap_buf_init(&f);
    fake.partial_errno = EIO;
    assert_int_equal(dmabuf_heap_sync_range(&f.buf, true, HEAP_SYNC_READ, 0, 64), -EIO);
    assert_int_equal(f.heap.range_sync, HEAP_RANGE_SYNC_UNKNOWN);
    fake.partial_errno = 0;
    assert_int_equal(dmabuf_heap_sync_range(&f.buf, true, HEAP_SYNC_READ, 0, 64),
                     HEAP_SYNC_DONE_RANGE);
    assert_int_equal(f.heap.range_sync, HEAP_RANGE_SYNC_SUPPORTED);
}

static void partial_range_is_clamped_to_the_buffer(void **state)
{
    (void)state;
    struct fake_heap_buf f;
    fake_heap_buf_init(&f);
    f.buf.alloc_size = 8192;
    assert_int_equal(dmabuf_heap_sync_range(&f.buf, true, HEAP_SYNC_READ, 8190, 2),
                     HEAP_SYNC_DONE_RANGE);
    assert_int_equal(fake.partial.offset, 8128);
    assert_int_equal(fake.partial.len, 64);
}

/* --- DMA_BUF_SET_NAME_B ---------------------------------------------------------------------- */

static void set_name_refuses_names_the_kernel_cannot_hold(void **state)
{
    (void)state;
    char name[DMA_BUF_NAME_LEN + 1];
    memset(name, 'n', DMA_BUF_NAME_LEN);
    name[DMA_BUF_NAME_LEN] = '\0';
    assert_int_equal(dmabuf_set_name(FAKE_FD, name), -ENAMETOOLONG);
    name[DMA_BUF_NAME_LEN - 1] = '\0'; /* 31 characters + NUL: exactly fits */
    assert_int_equal(fake.calls, 0);
    assert_int_equal(dmabuf_set_name(FAKE_FD, name), 0);
    assert_int_equal(fake.calls, 1);
    assert_true(fake.last_request == DMA_BUF_SET_NAME_B);
    assert_ptr_equal(fake.last_arg, name); /* the string's address is the argument */
    fake.always_errno = EBUSY;
    fake.calls = 0;
    assert_int_equal(dmabuf_set_name(FAKE_FD, "x"), -EBUSY);
    assert_int_equal(dmabuf_set_name(FAKE_FD, NULL), -EINVAL);
}

/* --- DMA_HEAP_IOCTL_ALLOC -------------------------------------------------------------------- */

static void dma_heap_alloc_encodes_the_request_exactly(void **state)
{
    (void)state;
    fake.alloc_result_fd = 42;
    int fd = dma_heap_alloc_fd(FAKE_FD, (size_t)0x123456789ull, O_RDWR | O_CLOEXEC,
                               0x8000000000000001ull);
    assert_int_equal(fd, 42);
    assert_int_equal(fake.calls, 1);
    assert_int_equal(fake.last_fd, FAKE_FD);
    assert_true(fake.last_request == DMA_HEAP_IOCTL_ALLOC);
    assert_true(fake.alloc.len == 0x123456789ull);
    assert_int_equal(fake.alloc.fd, 0); /* the kernel refuses a non-zero fd on input */
    assert_int_equal(fake.alloc.fd_flags, O_RDWR | O_CLOEXEC);
    assert_true(fake.alloc.heap_flags == 0x8000000000000001ull);
}

static void dma_heap_alloc_returns_the_kernels_errno(void **state)
{
    (void)state;
    static const int errnos[] = {EINVAL, ENOMEM, EBADF, ENOTTY};
    for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++) {
        fake.always_errno = errnos[i];
        assert_int_equal(dma_heap_alloc_fd(FAKE_FD, 4096, O_RDWR, 0), -errnos[i]);
    }
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, install_fake, remove_fake)
    const struct CMUnitTest tests[] = {
            T(sync_retries_eintr_and_eagain_then_succeeds),
            T(sync_gives_up_with_eintr_after_the_bound),
            T(sync_passes_other_errnos_through_untried),
            T(sync_flags_follow_begin_and_direction),
            T(partial_ioctl_number_is_the_vendor_abi),
            T(partial_range_rounds_outward_and_clamps),
            T(partial_wrapper_sends_line_multiples),
            T(partial_probe_falls_back_on_enotty_and_remembers),
            T(partial_probe_takes_first_einval_as_unknown_ioctl),
            T(partial_probe_records_support_then_passes_errors),
            T(partial_probe_undecided_on_other_errors),
            T(partial_range_is_clamped_to_the_buffer),
            T(set_name_refuses_names_the_kernel_cannot_hold),
            T(dma_heap_alloc_encodes_the_request_exactly),
            T(dma_heap_alloc_returns_the_kernels_errno),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
