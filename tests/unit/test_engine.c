/* tests/unit/test_engine.c - DMA engines: the core's checks, the cpu engine, vgem, V4L2, edu.
 *
 * The cpu engine runs for real. vgem, V4L2 and edu run against a fake kernel behind
 * heap_ioctl_set_hook() and a planted /dev: probing must name what it found and why it cannot
 * be used, attach must import, and a V4L2 or edu copy must move the bytes (the fake devices
 * really copy between the memfds that stand in for dma-bufs), with completions in order.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/videodev2.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "dma_bounce.h"
#include "dmabench_edu.h"
#include "drm_abi.h"
#include "engine.h"
#include "frame_format.h"
#include "heap.h"
#include "heap_ioctl.h"

/* --- frame formats --------------------------------------------------------------------------- */

static void test_frame_formats(void **state)
{
    (void)state;
    struct frame_format f;
    char text[64];
    assert_int_equal(frame_format_parse("nv12:1080p", &f), 0);
    assert_int_equal(f.width, 1920);
    assert_int_equal(f.height, 1080);
    assert_int_equal(f.bytes, 1920 * 1080 * 3 / 2);
    assert_int_equal(f.bytes_per_line, 1920);
    assert_int_equal(f.fourcc, V4L2_PIX_FMT_NV12);
    frame_format_text(&f, text, sizeof(text));
    assert_string_equal(text, "nv12:1920x1080");
    assert_int_equal(frame_format_parse("rgba:4k", &f), 0);
    assert_int_equal(f.bytes, 3840 * 2160 * 4);
    assert_int_equal(f.bytes_per_line, 3840 * 4);
    assert_int_equal(frame_format_parse("rgb24:640x480", &f), 0);
    assert_int_equal(f.bytes, 640 * 480 * 3);
    assert_int_equal(frame_format_parse("yuyv:720p", &f), 0);
    assert_int_equal(f.bytes, 1280 * 720 * 2);
    const char *bad[] = {"nv12",       "nv12:",           "nv12:1080",  "nv12:1920x", "nv12:x1080",
                         "nv12:15x16", "rgba:16385x16",   "nv12:17x16", "yuyv:17x16", "nv21:1080p",
                         "nv12:1080P", "nv12:+1920x1080", ":1080p"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (frame_format_parse(bad[i], &f) != -EINVAL)
            fail_msg("'%s' parsed", bad[i]);
    assert_int_equal(frame_format_parse("rgb565:17x16", &f), 0); /* no chroma subsampling */
}

/* --- the list -----------------------------------------------------------------------------------
 */

static void test_engine_list(void **state)
{
    (void)state;
    assert_int_equal(engine_count(), 5);
    assert_string_equal(engine_at(0)->name, "cpu");
    assert_string_equal(engine_at(1)->name, "v4l2");
    assert_string_equal(engine_at(2)->name, "vgem");
    assert_string_equal(engine_at(3)->name, "sw_sync");
    assert_string_equal(engine_at(4)->name, "edu");
    assert_null(engine_at(5));
    assert_ptr_equal(engine_find("vgem"), engine_at(2));
    assert_null(engine_find("gpu"));
    assert_string_equal(engine_names(), "cpu, v4l2, vgem, sw_sync, edu");
    /* edu copies and imports, and only dma-bufs: a device, not a CPU; its imports stay mapped,
     * so it can be the importer whose mapping the exporter's sync maintains. */
    assert_int_equal(engine_find("edu")->caps,
                     ENGINE_CAP_OP(ENGINE_OP_COPY) | ENGINE_CAP_IMPORT | ENGINE_CAP_MAPPED_ATTACH);
    assert_int_equal(engine_find("sw_sync")->caps, ENGINE_CAP_FENCE);
    assert_non_null(strstr(engine_find("cpu")->label, "CPU engine"));
    assert_true(engine_can(engine_find("cpu"), ENGINE_CAP_OP(ENGINE_OP_COPY)));
    assert_false(engine_can(engine_find("vgem"), ENGINE_CAP_OP(ENGINE_OP_COPY)));
    assert_true(engine_can(engine_find("vgem"), ENGINE_CAP_IMPORT | ENGINE_CAP_FENCE));
    assert_string_equal(engine_op_name(ENGINE_OP_FILL), "fill");
}

/* --- the cpu engine, for real ------------------------------------------------------------------
 */

static struct heap_registry *reg;

static int open_registry(void **state)
{
    (void)state;
    return heap_registry_open(&reg, NULL, 0);
}

static int close_registry(void **state)
{
    (void)state;
    struct heap_counts leaked;
    heap_registry_close(reg, &leaked);
    assert_int_equal(leaked.buffers, 0);
    assert_int_equal(leaked.mappings, 0);
    return 0;
}

static struct heap_buf *host_buffer(size_t size, void **map)
{
    struct heap_alloc_req req = {.size = size};
    struct heap_buf *buf;
    assert_int_equal(heap_alloc(heap_registry_find(reg, "host"), &req, &buf), 0);
    assert_int_equal(heap_mmap(buf, map), 0);
    return buf;
}

static void test_cpu_engine_moves_data(void **state)
{
    (void)state;
    void *a_map, *b_map;
    struct heap_buf *a = host_buffer(1 << 20, &a_map), *b = host_buffer(1 << 20, &b_map);
    unsigned char *src = a_map, *dst = b_map;
    for (size_t i = 0; i < a->size; i++)
        src[i] = (unsigned char)(i * 31 + 7);
    memset(dst, 0, b->size);
    struct engine *e;
    struct engine_config cfg = {.cpu = -1};
    char why[256] = "";
    assert_int_equal(engine_open(engine_find("cpu"), &cfg, &e, why, sizeof(why)), 0);
    struct engine_buf *ea, *eb;
    assert_int_equal(engine_attach(e, a, &ea, why, sizeof(why)), 0);
    assert_int_equal(engine_attach(e, b, &eb, why, sizeof(why)), 0);
    assert_int_equal(e->attached, 2);
    /* The engine reads and writes through its own mappings (of host memory, the core hands
     * out the one mapping again, but counts it). */
    assert_int_equal(a->n_maps, 2);

    uint64_t t1, t2, t3, sum = 0;
    struct engine_job copy = {.op = ENGINE_OP_COPY,
                              .src = ea,
                              .dst = eb,
                              .src_off = 100,
                              .dst_off = 4096,
                              .len = 300000};
    struct engine_job fill = {
            .op = ENGINE_OP_FILL, .dst = eb, .dst_off = 0, .len = 4096, .fill = 0x3c};
    struct engine_job read = {.op = ENGINE_OP_READ, .src = ea, .len = 64, .checksum = &sum};
    assert_int_equal(engine_submit(e, &copy, &t1), 0);
    assert_int_equal(engine_submit(e, &fill, &t2), 0);
    assert_int_equal(engine_submit(e, &read, &t3), 0);
    assert_int_equal(t1, 1);
    assert_int_equal(t3, 3);
    assert_int_equal(engine_wait(e, t3, 10000), 0);
    assert_int_equal(engine_wait(e, t1, 0), 0); /* done already */
    assert_memory_equal(dst + 4096, src + 100, 300000);
    for (size_t i = 0; i < 4096; i++)
        assert_int_equal(dst[i], 0x3c);
    assert_int_equal(dst[4096 + 300000], 0);
    uint64_t expect = 0;
    for (size_t w = 0; w < 8; w++) {
        uint64_t word;
        memcpy(&word, src + 8 * w, 8);
        expect += word;
    }
    assert_int_equal(sum, expect);

    /* More jobs than the queue holds: submit waits for room, every job runs once, in order. */
    for (unsigned i = 0; i < 300; i++) {
        struct engine_job f = {
                .op = ENGINE_OP_FILL, .dst = eb, .dst_off = i, .len = 1, .fill = (unsigned char)i};
        assert_int_equal(engine_submit(e, &f, &t1), 0);
    }
    assert_int_equal(engine_wait(e, t1, 10000), 0);
    for (unsigned i = 0; i < 300; i++)
        assert_int_equal(dst[i], (unsigned char)i);

    /* The core refuses what no engine could do. */
    struct engine_job past = copy;
    past.dst_off = b->size - 10;
    assert_int_equal(engine_submit(e, &past, &t1), -EINVAL);
    past = copy;
    past.len = 0;
    assert_int_equal(engine_submit(e, &past, &t1), -EINVAL);
    past = fill;
    past.dst = NULL;
    assert_int_equal(engine_submit(e, &past, &t1), -EINVAL);
    assert_int_equal(engine_wait(e, e->submitted + 1, 0), -EINVAL);
    assert_int_equal(engine_wait(e, 0, 0), -EINVAL);
    uint32_t fence;
    assert_int_equal(engine_fence_attach(ea, true, &fence), -EOPNOTSUPP);
    engine_detach(ea);
    engine_detach(eb);
    assert_int_equal(e->attached, 0);
    engine_close(e);
    heap_free(a);
    heap_free(b);
}

/* --- a fake kernel for vgem and V4L2 ------------------------------------------------------------
 */

#define FAKE_SLOTS 8

static struct {
    char vgem_driver[16]; /* what card0 answers to DRM_IOCTL_VERSION */
    int prime_calls, close_calls, fence_attach, fence_signal;
    int prime_err; /* PRIME_FD_TO_HANDLE fails with this errno when set (mapping the import) */
    __u32 last_handle, last_fence_flags;
    /* the V4L2 m2m device (video2) */
    int qbuf_calls, streaming;
    int out_fd[FAKE_SLOTS], cap_fd[FAKE_SLOTS]; /* queued, -1 when free */
    unsigned out_q[64], cap_q[64];              /* queue order (indices) */
    unsigned out_head, out_tail, cap_head, cap_tail, done_out[64], done_head, done_tail;
    __u32 fourcc, width, height;
} fk;

static char root[64];

/* Which planted device fd is: its name under /dev. */
static const char *device_of(int fd)
{
    static char target[256];
    char link[64];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof(target) - 1);
    if (n < 0)
        return "";
    target[n] = '\0';
    const char *slash = strrchr(target, '/');
    return slash ? slash + 1 : target;
}

static int fail_with(int err)
{
    errno = err;
    return -1;
}

static int fake_drm(unsigned long request, void *arg)
{
    switch (request) {
    case DRM_IOCTL_VERSION: {
        struct drm_version *v = arg;
        snprintf(v->name, v->name_len + 1, "%s", fk.vgem_driver);
        return 0;
    }
    case DRM_IOCTL_PRIME_FD_TO_HANDLE:
        fk.prime_calls++;
        if (fk.prime_err)
            return fail_with(fk.prime_err);
        ((struct drm_prime_handle *)arg)->handle = 40 + (__u32)fk.prime_calls;
        return 0;
    case DRM_IOCTL_GEM_CLOSE:
        fk.close_calls++;
        fk.last_handle = ((struct drm_gem_close *)arg)->handle;
        return 0;
    case DRM_IOCTL_VGEM_FENCE_ATTACH: {
        struct drm_vgem_fence_attach *a = arg;
        fk.fence_attach++;
        fk.last_handle = a->handle;
        fk.last_fence_flags = a->flags;
        a->out_fence = 7;
        return 0;
    }
    case DRM_IOCTL_VGEM_FENCE_SIGNAL:
        fk.fence_signal++;
        return ((struct drm_vgem_fence_signal *)arg)->fence == 7 ? 0 : fail_with(ENOENT);
    default:
        return fail_with(ENOTTY);
    }
}

/* The device copies the oldest queued OUTPUT buffer into the oldest CAPTURE buffer. */
static void fake_process(void)
{
    while (fk.streaming == 2 && fk.out_head != fk.out_tail && fk.cap_head != fk.cap_tail) {
        unsigned o = fk.out_q[fk.out_head++ % 64], c = fk.cap_q[fk.cap_head % 64];
        size_t bytes = (size_t)fk.width * fk.height * 3;
        char *frame = malloc(bytes);
        assert_int_equal(pread(fk.out_fd[o], frame, bytes, 0), (ssize_t)bytes);
        assert_int_equal(pwrite(fk.cap_fd[c], frame, bytes, 0), (ssize_t)bytes);
        free(frame);
        fk.done_out[fk.done_tail++ % 64] = o;
        fk.out_fd[o] = -1;
        fk.cap_fd[c] = -1;
        fk.cap_head++;
    }
}

static unsigned cap_done_head, cap_done_tail, cap_done[64];

static int fake_v4l2_m2m(unsigned long request, void *arg, bool dmabuf)
{
    switch (request) {
    case VIDIOC_QUERYCAP: {
        struct v4l2_capability *cap = arg;
        snprintf((char *)cap->card, sizeof(cap->card), "fake-m2m");
        cap->capabilities = V4L2_CAP_VIDEO_M2M | V4L2_CAP_STREAMING | V4L2_CAP_DEVICE_CAPS;
        cap->device_caps = V4L2_CAP_VIDEO_M2M | V4L2_CAP_STREAMING;
        return 0;
    }
    case VIDIOC_REQBUFS: {
        struct v4l2_requestbuffers *req = arg;
        if (!dmabuf && req->memory == V4L2_MEMORY_DMABUF)
            return fail_with(EINVAL);
        if (req->count > FAKE_SLOTS)
            req->count = FAKE_SLOTS;
        return 0;
    }
    case VIDIOC_S_FMT: {
        struct v4l2_format *f = arg;
        f->fmt.pix.pixelformat = V4L2_PIX_FMT_RGB24; /* the only one it takes */
        f->fmt.pix.sizeimage = f->fmt.pix.width * f->fmt.pix.height * 3;
        fk.fourcc = f->fmt.pix.pixelformat;
        fk.width = f->fmt.pix.width;
        fk.height = f->fmt.pix.height;
        return 0;
    }
    case VIDIOC_ENUM_FMT: {
        struct v4l2_fmtdesc *d = arg;
        if (d->index > 0)
            return fail_with(EINVAL);
        d->pixelformat = V4L2_PIX_FMT_RGB24;
        return 0;
    }
    case VIDIOC_STREAMON:
        fk.streaming++;
        return 0;
    case VIDIOC_STREAMOFF:
        fk.streaming--;
        return 0;
    case VIDIOC_QBUF: {
        struct v4l2_buffer *b = arg;
        fk.qbuf_calls++;
        if (b->memory != V4L2_MEMORY_DMABUF || b->index >= FAKE_SLOTS)
            return fail_with(EINVAL);
        if (b->type == V4L2_BUF_TYPE_VIDEO_OUTPUT) {
            if (b->bytesused != fk.width * fk.height * 3)
                return fail_with(EINVAL);
            fk.out_fd[b->index] = b->m.fd;
            fk.out_q[fk.out_tail++ % 64] = b->index;
        } else {
            fk.cap_fd[b->index] = b->m.fd;
            fk.cap_q[fk.cap_tail++ % 64] = b->index;
            cap_done[cap_done_tail++ % 64] = b->index;
        }
        fake_process();
        return 0;
    }
    case VIDIOC_DQBUF: {
        struct v4l2_buffer *b = arg;
        if (b->type == V4L2_BUF_TYPE_VIDEO_OUTPUT) {
            if (fk.done_head == fk.done_tail)
                return fail_with(EAGAIN);
            b->index = fk.done_out[fk.done_head++ % 64];
            return 0;
        }
        /* A capture buffer is done once the device has moved past it. */
        if (cap_done_head == cap_done_tail || cap_done_head >= fk.cap_head)
            return fail_with(EAGAIN);
        b->index = cap_done[cap_done_head++ % 64];
        return 0;
    }
    default:
        return fail_with(ENOTTY);
    }
}

/* The sw_sync debugfs interface, as drivers/dma-buf/sw_sync.c has it. */
struct fake_sw_sync_create_fence_data {
    __u32 value;
    char name[32];
    __s32 fence;
};

#define FAKE_SW_SYNC_IOC_CREATE_FENCE _IOWR('W', 0, struct fake_sw_sync_create_fence_data)
#define FAKE_SW_SYNC_IOC_INC          _IOW('W', 1, __u32)

static struct {
    __u32 last_value, last_inc, import_flags;
    int creates, incs, imports;
} sw;

static int fake_sw_sync(unsigned long request, void *arg)
{
    if (request == FAKE_SW_SYNC_IOC_CREATE_FENCE) {
        struct fake_sw_sync_create_fence_data *d = arg;
        sw.last_value = d->value;
        sw.creates++;
        d->fence = memfd_create("fake-sync-file", MFD_CLOEXEC);
        return d->fence < 0 ? -1 : 0;
    }
    if (request == FAKE_SW_SYNC_IOC_INC) {
        sw.last_inc = *(__u32 *)arg;
        sw.incs++;
        return 0;
    }
    return fail_with(ENOTTY);
}

/* The lab's edu device (kernel/dmabench_edu.c): imports by handle, copies between the memfds
 * that stand in for dma-bufs, and the failures the real one reports. */
#define FAKE_EDU_IMPORTS 8

static struct {
    struct dmabench_edu_info info;
    int import_fd[FAKE_EDU_IMPORTS + 1]; /* by handle; 0 when free */
    int imports, releases, copies;
    int import_err, copy_err; /* errno to fail the next import / copy with */
    __u32 import_step;        /* and the step a failed import names */
    struct dmabench_edu_copy last_copy;
} edu;

static int fake_edu(unsigned long request, void *arg)
{
    switch (request) {
    case DMABENCH_EDU_IOC_INFO:
        *(struct dmabench_edu_info *)arg = edu.info;
        return 0;
    case DMABENCH_EDU_IOC_IMPORT: {
        struct dmabench_edu_import *imp = arg;
        imp->max_mapping = edu.info.max_mapping;
        if (edu.import_err) {
            imp->failed_step = edu.import_step;
            int err = edu.import_err;
            edu.import_err = 0;
            return fail_with(err);
        }
        for (__u32 h = 1; h <= FAKE_EDU_IMPORTS; h++) {
            if (edu.import_fd[h])
                continue;
            struct stat st;
            assert_int_equal(fstat(imp->fd, &st), 0);
            edu.import_fd[h] = imp->fd;
            edu.imports++;
            imp->handle = h;
            imp->size = (__u64)st.st_size;
            imp->failed_step = DMABENCH_EDU_STEP_NONE;
            return 0;
        }
        return fail_with(ENOSPC);
    }
    case DMABENCH_EDU_IOC_RELEASE: {
        __u32 h = *(__u32 *)arg;
        if (h == 0 || h > FAKE_EDU_IMPORTS || !edu.import_fd[h])
            return fail_with(EINVAL);
        edu.import_fd[h] = 0;
        edu.releases++;
        return 0;
    }
    case DMABENCH_EDU_IOC_COPY: {
        struct dmabench_edu_copy *c = arg;
        edu.last_copy = *c;
        if (edu.copy_err) {
            int err = edu.copy_err;
            edu.copy_err = 0;
            return fail_with(err);
        }
        if (c->src == 0 || c->src > FAKE_EDU_IMPORTS || !edu.import_fd[c->src] || c->dst == 0 ||
            c->dst > FAKE_EDU_IMPORTS || !edu.import_fd[c->dst])
            return fail_with(EINVAL);
        char *bytes = malloc(c->len);
        assert_non_null(bytes);
        assert_int_equal(pread(edu.import_fd[c->src], bytes, c->len, (off_t)c->src_offset),
                         (ssize_t)c->len);
        assert_int_equal(pwrite(edu.import_fd[c->dst], bytes, c->len, (off_t)c->dst_offset),
                         (ssize_t)c->len);
        free(bytes);
        c->transfers = 2 * ((c->len + DMABENCH_EDU_CHUNK_MAX - 1) / DMABENCH_EDU_CHUNK_MAX);
        edu.copies++;
        return 0;
    }
    default:
        return fail_with(ENOTTY);
    }
}

static int fake_ioctl(int fd, unsigned long request, void *arg)
{
    const char *dev = device_of(fd);
    if (!strcmp(dev, DMABENCH_EDU_NAME))
        return fake_edu(request, arg);
    if (!strcmp(dev, "sw_sync"))
        return fake_sw_sync(request, arg);
    if (request == DMA_BUF_IOCTL_IMPORT_SYNC_FILE) {
        struct dma_buf_import_sync_file *d = arg;
        sw.import_flags = d->flags;
        sw.imports++;
        return strstr(device_of(d->fd), "fake-sync-file") ? 0 : fail_with(EINVAL);
    }
    if (!strcmp(dev, "card0"))
        return fake_drm(request, arg);
    if (!strcmp(dev, "video0")) { /* a capture-only camera */
        if (request != VIDIOC_QUERYCAP)
            return fail_with(ENOTTY);
        struct v4l2_capability *cap = arg;
        cap->capabilities = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
        return 0;
    }
    if (!strcmp(dev, "video1"))
        return fake_v4l2_m2m(request, arg, false);
    if (!strcmp(dev, "video2"))
        return fake_v4l2_m2m(request, arg, true);
    if (request == DMA_HEAP_IOCTL_ALLOC) {
        struct dma_heap_allocation_data *data = arg;
        int buf = memfd_create("fake-dma-buf", MFD_CLOEXEC);
        if (buf < 0 || ftruncate(buf, (off_t)data->len))
            return -1;
        data->fd = (__u32)buf;
        return 0;
    }
    return fail_with(ENOTTY);
}

static void plant(const char *relative, bool dir)
{
    char path[256];
    snprintf(path, sizeof(path), "%s%s", root, relative);
    if (dir) {
        assert_int_equal(mkdir(path, 0700), 0);
        return;
    }
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    close(fd);
}

static int setup_root(void **state)
{
    snprintf(root, sizeof(root), "/tmp/dmabench-engine-XXXXXX");
    assert_non_null(mkdtemp(root));
    plant("/dev", true);
    plant("/dev/dma_heap", true);
    plant("/dev/dma_heap/system", false);
    setenv("DMABENCH_DEV_ROOT", root, 1);
    heap_ioctl_set_hook(fake_ioctl);
    memset(&fk, 0, sizeof(fk));
    for (int i = 0; i < FAKE_SLOTS; i++)
        fk.out_fd[i] = fk.cap_fd[i] = -1;
    cap_done_head = cap_done_tail = 0;
    snprintf(fk.vgem_driver, sizeof(fk.vgem_driver), "vgem");
    memset(&edu, 0, sizeof(edu));
    edu.info = (struct dmabench_edu_info){.version = DMABENCH_EDU_VERSION,
                                          .dma_bits = 64,
                                          .chunk_max = DMABENCH_EDU_CHUNK_MAX,
                                          .max_mapping = ~0ull,
                                          .device = "0000:00:04.0"};
    return open_registry(state);
}

static int teardown_root(void **state)
{
    close_registry(state);
    heap_ioctl_set_hook(NULL);
    unsetenv("DMABENCH_DEV_ROOT");
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static struct engine_probe probe(const char *name)
{
    struct engine_probe p = {0};
    engine_find(name)->probe(&p);
    return p;
}

static void test_vgem_probe_reasons(void **state)
{
    (void)state;
    struct engine_probe p = probe("vgem");
    assert_false(p.available);
    assert_string_equal(p.reason, "no /dev/dri: kernel without DRM (vgem needs CONFIG_DRM_VGEM)");
    plant("/dev/dri", true);
    p = probe("vgem");
    assert_string_equal(p.reason, "no /dev/dri/card* at all: load the vgem module "
                                  "(CONFIG_DRM_VGEM)");
    plant("/dev/dri/card0", false);
    snprintf(fk.vgem_driver, sizeof(fk.vgem_driver), "virtio_gpu");
    p = probe("vgem");
    assert_false(p.available);
    assert_string_equal(p.reason, "no DRM device with driver vgem (found card0 (virtio_gpu)): "
                                  "load the vgem module");
    snprintf(fk.vgem_driver, sizeof(fk.vgem_driver), "vgem");
    p = probe("vgem");
    assert_true(p.available);
    assert_non_null(strstr(p.detail, "/dev/dri/card0: vgem"));
}

static void test_vgem_imports_and_fences(void **state)
{
    (void)state;
    plant("/dev/dri", true);
    plant("/dev/dri/card0", false);
    struct heap_alloc_req req = {.size = 1 << 16};
    struct heap_buf *buf, *host;
    assert_int_equal(heap_alloc(heap_registry_find(reg, "system"), &req, &buf), 0);
    assert_int_equal(heap_alloc(heap_registry_find(reg, "host"), &req, &host), 0);
    struct engine *e;
    struct engine_config cfg = {.cpu = -1};
    char why[256] = "";
    assert_int_equal(engine_open(engine_find("vgem"), &cfg, &e, why, sizeof(why)), 0);
    struct engine_buf *b;
    assert_int_equal(engine_attach(e, host, &b, why, sizeof(why)), -EOPNOTSUPP);
    assert_string_equal(why, "vgem: host memory is not a dma-buf, and this engine imports "
                             "dma-bufs");
    assert_int_equal(engine_attach(e, buf, &b, why, sizeof(why)), 0);
    assert_int_equal(fk.prime_calls, 1);
    assert_int_equal(b->priv_word, 41);
    uint32_t fence;
    assert_int_equal(engine_fence_attach(b, true, &fence), 0);
    assert_int_equal(fence, 7);
    assert_int_equal(fk.last_handle, 41);
    assert_int_equal(fk.last_fence_flags, VGEM_FENCE_WRITE);
    assert_int_equal(engine_fence_signal(e, fence), 0);
    assert_int_equal(engine_fence_signal(e, 8), -ENOENT);
    uint64_t ticket;
    struct engine_job copy = {.op = ENGINE_OP_COPY, .src = b, .dst = b, .len = 64};
    assert_int_equal(engine_submit(e, &copy, &ticket), -EOPNOTSUPP);
    engine_detach(b);
    assert_int_equal(fk.close_calls, 1);
    assert_int_equal(fk.last_handle, 41);
    engine_close(e);
    heap_free(buf);
    heap_free(host);
}

/* An exporter whose buffers no device can map (the GEM VRAM helpers' drm_gem_map_attach: no sg
 * table, ENOSYS): the case is skipped, not failed, and says why. */
static void test_unattachable_export_is_a_skip_that_says_why(void **state)
{
    (void)state;
    plant("/dev/dri", true);
    plant("/dev/dri/card0", false);
    struct heap_alloc_req req = {.size = 1 << 16};
    struct heap_buf *buf;
    assert_int_equal(heap_alloc(heap_registry_find(reg, "system"), &req, &buf), 0);
    struct engine *e;
    struct engine_config cfg = {.cpu = -1};
    char why[192] = "";
    assert_int_equal(engine_open(engine_find("vgem"), &cfg, &e, why, sizeof(why)), 0);
    struct engine_buf *b;
    fk.prime_err = ENOSYS;
    assert_int_equal(engine_attach(e, buf, &b, why, sizeof(why)), -EOPNOTSUPP);
    assert_string_equal(why, "vgem: PRIME import of a 65536 B system buffer; the exporter maps "
                             "it for no device (ENOSYS)");
    fk.prime_err = EIO; /* any other failure stays an error */
    assert_int_equal(engine_attach(e, buf, &b, why, sizeof(why)), -EIO);
    assert_null(strstr(why, "exporter"));
    assert_int_equal(e->attached, 0);
    engine_close(e);
    heap_free(buf);
}

/* Put text in the planted /proc/cmdline. */
static void plant_cmdline(const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/proc/cmdline", root);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%s\n", text);
    assert_int_equal(fclose(f), 0);
}

/* swiotlb=force bounces every DMA mapping, and a bounce buffer maps 256 KiB at most: an
 * importer that cannot map a larger buffer under it says so; any other failure stays as it
 * was. */
static void test_bounce_limit_named(void **state)
{
    (void)state;
    plant("/dev/dri", true);
    plant("/dev/dri/card0", false);
    plant("/proc", true);
    const struct {
        const char *cmdline;
        bool forced;
    } lines[] = {
            {"console=ttyS0 swiotlb=force quiet", true},
            {"swiotlb=65536,force", true},
            {"swiotlb=65536", false},
            {"swiotlb=noforce", false},
            {"xswiotlb=force", false},
            {"console=ttyS0 force", false},
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        plant_cmdline(lines[i].cmdline);
        if (dma_bounce_forced() != lines[i].forced)
            fail_msg("'%s': forced %d", lines[i].cmdline, !lines[i].forced);
    }
    struct heap_alloc_req big = {.size = 1 << 20}, small = {.size = 256 << 10};
    struct heap_buf *buf, *buf_small;
    assert_int_equal(heap_alloc(heap_registry_find(reg, "system"), &big, &buf), 0);
    assert_int_equal(heap_alloc(heap_registry_find(reg, "system"), &small, &buf_small), 0);
    struct engine *e;
    struct engine_config cfg = {.cpu = -1};
    char why[512] = "";
    assert_int_equal(engine_open(engine_find("vgem"), &cfg, &e, why, sizeof(why)), 0);
    struct engine_buf *b;
    plant_cmdline("swiotlb=force");
    fk.prime_err = EIO;
    assert_int_equal(engine_attach(e, buf, &b, why, sizeof(why)), -EIO);
    assert_string_equal(why, "vgem: PRIME import of a 1048576 B system buffer; swiotlb=force "
                             "bounces DMA through buffers of at most 256 KiB: a larger segment "
                             "cannot be mapped");
    /* It fits a row's reason (192 bytes) whole. */
    assert_true(strlen(why) + strlen("reserved") - strlen("system") < 192);
    fk.prime_err = ENOMEM; /* what a CMA buffer gets */
    assert_int_equal(engine_attach(e, buf, &b, why, sizeof(why)), -ENOMEM);
    assert_non_null(strstr(why, "at most 256 KiB: a larger segment cannot be mapped"));
    /* A buffer no larger than a segment, another error, or no forced bouncing: no such
     * limit. */
    fk.prime_err = EIO;
    assert_int_equal(engine_attach(e, buf_small, &b, why, sizeof(why)), -EIO);
    assert_string_equal(why, "vgem: PRIME import of a 262144 B system buffer");
    fk.prime_err = EINVAL;
    assert_int_equal(engine_attach(e, buf, &b, why, sizeof(why)), -EINVAL);
    assert_null(strstr(why, "swiotlb"));
    plant_cmdline("swiotlb=65536");
    fk.prime_err = EIO;
    assert_int_equal(engine_attach(e, buf, &b, why, sizeof(why)), -EIO);
    assert_null(strstr(why, "swiotlb"));
    /* A short why keeps what fits, terminated. */
    plant_cmdline("swiotlb=force");
    char short_why[48];
    assert_int_equal(engine_attach(e, buf, &b, short_why, sizeof(short_why)), -EIO);
    assert_int_equal(strlen(short_why), sizeof(short_why) - 1);
    assert_int_equal(e->attached, 0);
    engine_close(e);
    heap_free(buf);
    heap_free(buf_small);
}

static void test_sw_sync_probe_reasons(void **state)
{
    (void)state;
    struct engine_probe p = probe("sw_sync");
    assert_false(p.available);
    assert_string_equal(p.reason, "debugfs is not mounted on /sys/kernel/debug (sw_sync lives "
                                  "there)");
    plant("/sys", true);
    plant("/sys/kernel", true);
    plant("/sys/kernel/debug", true);
    p = probe("sw_sync");
    assert_non_null(strstr(p.reason, "debugfs is not mounted"));
    plant("/sys/kernel/debug/sync", true);
    p = probe("sw_sync");
    assert_string_equal(p.reason, "no /sys/kernel/debug/sync/sw_sync: kernel without "
                                  "CONFIG_SW_SYNC");
    plant("/sys/kernel/debug/sync/sw_sync", false);
    p = probe("sw_sync");
    assert_true(p.available);
}

/* A fence at the next timeline value, put on the buffer as a writer's; signalled by one step. */
static void test_sw_sync_fences(void **state)
{
    (void)state;
    plant("/sys", true);
    plant("/sys/kernel", true);
    plant("/sys/kernel/debug", true);
    plant("/sys/kernel/debug/sync", true);
    plant("/sys/kernel/debug/sync/sw_sync", false);
    memset(&sw, 0, sizeof(sw));
    struct heap_alloc_req req = {.size = 1 << 16};
    struct heap_buf *buf;
    assert_int_equal(heap_alloc(heap_registry_find(reg, "system"), &req, &buf), 0);
    struct engine *e;
    struct engine_config cfg = {.cpu = -1};
    char why[256] = "";
    assert_int_equal(engine_open(engine_find("sw_sync"), &cfg, &e, why, sizeof(why)), 0);
    struct engine_buf *b;
    assert_int_equal(engine_attach(e, buf, &b, why, sizeof(why)), 0);
    uint32_t fence;
    for (uint32_t i = 1; i <= 2; i++) {
        assert_int_equal(engine_fence_attach(b, true, &fence), 0);
        assert_int_equal(fence, i);
        assert_int_equal(sw.last_value, i);
        assert_int_equal(sw.imports, (int)i);
        assert_int_equal(sw.import_flags, DMA_BUF_SYNC_WRITE);
        assert_int_equal(engine_fence_signal(e, fence), 0);
        assert_int_equal(sw.last_inc, 1);
        assert_int_equal(sw.incs, (int)i);
    }
    assert_int_equal(engine_fence_signal(e, fence), 0); /* already signalled: no step */
    assert_int_equal(sw.incs, 2);
    assert_int_equal(engine_fence_attach(b, false, &fence), 0);
    assert_int_equal(sw.import_flags, DMA_BUF_SYNC_READ);
    engine_fence_signal(e, fence);
    uint64_t ticket;
    struct engine_job fill = {.op = ENGINE_OP_FILL, .dst = b, .len = 64};
    assert_int_equal(engine_submit(e, &fill, &ticket), -EOPNOTSUPP);
    engine_detach(b);
    engine_close(e);
    heap_free(buf);
}

static void test_v4l2_probe_reasons(void **state)
{
    (void)state;
    struct engine_probe p = probe("v4l2");
    assert_false(p.available);
    assert_string_equal(p.reason, "no V4L2 mem2mem device found (no /dev/video*; vim2m is the "
                                  "virtual one)");
    plant("/dev/video0", false);
    p = probe("v4l2");
    assert_string_equal(p.reason, "no V4L2 mem2mem device that imports DMABUF (found video0 (not "
                                  "mem2mem))");
    plant("/dev/video1", false);
    p = probe("v4l2");
    assert_false(p.available);
    assert_non_null(strstr(p.reason, "video1 (no DMABUF import)"));
    plant("/dev/video2", false);
    p = probe("v4l2");
    assert_true(p.available);
    assert_non_null(strstr(p.detail, "/dev/video2: fake-m2m (mem2mem, DMABUF import)"));
}

/* A frame through the fake device: it arrives, completions come in order, the device's
 * format rules are enforced. */
static void test_v4l2_copies_frames(void **state)
{
    (void)state;
    plant("/dev/video2", false);
    struct frame_format f;
    assert_int_equal(frame_format_parse("rgb24:64x32", &f), 0);
    struct heap_alloc_req req = {.size = f.bytes};
    struct heap_buf *src[2], *dst[2];
    void *map[4];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(heap_alloc(heap_registry_find(reg, "system"), &req, &src[i]), 0);
        assert_int_equal(heap_alloc(heap_registry_find(reg, "system"), &req, &dst[i]), 0);
        assert_int_equal(heap_mmap(src[i], &map[i]), 0);
        assert_int_equal(heap_mmap(dst[i], &map[2 + i]), 0);
        memset(map[i], 0x10 + i, f.bytes);
        memset(map[2 + i], 0, f.bytes);
    }
    struct engine *e;
    struct engine_config cfg = {.cpu = -1, .has_format = true, .format = f, .slots = 2};
    char why[256] = "";
    assert_int_equal(engine_open(engine_find("v4l2"), &cfg, &e, why, sizeof(why)), 0);
    assert_int_equal(fk.streaming, 2);
    struct engine_buf *es[2], *ed[2];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(engine_attach(e, src[i], &es[i], why, sizeof(why)), 0);
        assert_int_equal(engine_attach(e, dst[i], &ed[i], why, sizeof(why)), 0);
    }
    uint64_t t[3];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 2; i++) {
            struct engine_job job = {
                    .op = ENGINE_OP_COPY, .src = es[i], .dst = ed[i], .len = f.bytes};
            assert_int_equal(engine_submit(e, &job, &t[i]), 0);
        }
        assert_int_equal(engine_wait(e, t[1], 1000), 0);
    }
    for (int i = 0; i < 2; i++)
        for (size_t k = 0; k < f.bytes; k++)
            if (((unsigned char *)map[2 + i])[k] != 0x10 + i)
                fail_msg("frame %d byte %zu", i, k);
    /* Whole frames only, and no more jobs in flight than buffers. */
    struct engine_job part = {.op = ENGINE_OP_COPY, .src = es[0], .dst = ed[0], .len = 100};
    assert_int_equal(engine_submit(e, &part, &t[2]), -EINVAL);
    for (int i = 0; i < 2; i++) {
        engine_detach(es[i]);
        engine_detach(ed[i]);
    }
    engine_close(e);
    assert_int_equal(fk.streaming, 0);

    /* A format the device adjusts is refused, naming what it takes. */
    assert_int_equal(frame_format_parse("nv12:64x32", &f), 0);
    cfg.format = f;
    assert_int_equal(engine_open(engine_find("v4l2"), &cfg, &e, why, sizeof(why)), -EOPNOTSUPP);
    assert_string_equal(why, "v4l2: the device does not take nv12:64x32 on its OUTPUT queue as "
                             "one 3072 B plane (it offers RGB3)");
    cfg.has_format = false;
    assert_int_equal(engine_open(engine_find("v4l2"), &cfg, &e, why, sizeof(why)), -EOPNOTSUPP);
    for (int i = 0; i < 2; i++) {
        heap_free(src[i]);
        heap_free(dst[i]);
    }
}

static void test_edu_probe_reasons(void **state)
{
    (void)state;
    struct engine_probe p = probe("edu");
    assert_false(p.available);
    assert_int_equal(p.err, -ENODEV);
    assert_string_equal(p.reason, "no /dev/dmabench-edu: not the dmabench lab kernel "
                                  "(kernel/dmabench_edu.c), or no -device edu");
    plant("/dev/" DMABENCH_EDU_NAME, false);
    edu.info.version = DMABENCH_EDU_VERSION + 1;
    p = probe("edu");
    assert_false(p.available);
    assert_int_equal(p.err, -EPROTO);
    assert_non_null(strstr(p.reason, "its driver speaks another version"));
    edu.info.version = DMABENCH_EDU_VERSION;
    p = probe("edu");
    assert_true(p.available);
    assert_string_equal(p.detail, "/dev/dmabench-edu: QEMU edu 0000:00:04.0, 64-bit DMA, direct, "
                                  "largest mapping unlimited, 4032 B a transfer");
    edu.info.flags = DMABENCH_EDU_BOUNCE;
    edu.info.max_mapping = 256 << 10;
    p = probe("edu");
    assert_non_null(
            strstr(p.detail, "64-bit DMA, swiotlb bounce buffers, largest mapping 256 KiB"));
}

/* Imports are the attachments, held until detach; a copy moves the bytes between two of them,
 * at their offsets, and its ticket is done when submit returns. */
static void test_edu_imports_and_copies(void **state)
{
    (void)state;
    plant("/dev/" DMABENCH_EDU_NAME, false);
    struct heap_alloc_req req = {.size = 3 * 4096};
    struct heap_buf *a, *b, *host;
    void *a_map, *b_map;
    assert_int_equal(heap_alloc(heap_registry_find(reg, "system"), &req, &a), 0);
    assert_int_equal(heap_alloc(heap_registry_find(reg, "system"), &req, &b), 0);
    assert_int_equal(heap_alloc(heap_registry_find(reg, "host"), &req, &host), 0);
    assert_int_equal(heap_mmap(a, &a_map), 0);
    assert_int_equal(heap_mmap(b, &b_map), 0);
    unsigned char *src = a_map, *dst = b_map;
    for (size_t i = 0; i < req.size; i++)
        src[i] = (unsigned char)(i * 13 + 5);
    memset(dst, 0, req.size);

    struct engine *e;
    struct engine_config cfg = {.cpu = -1};
    char why[256] = "";
    assert_int_equal(engine_open(engine_find("edu"), &cfg, &e, why, sizeof(why)), 0);
    struct engine_buf *ea, *eb, *eh;
    assert_int_equal(engine_attach(e, host, &eh, why, sizeof(why)), -EOPNOTSUPP);
    assert_string_equal(why, "edu: host memory is not a dma-buf, and this engine imports "
                             "dma-bufs");
    assert_int_equal(engine_attach(e, a, &ea, why, sizeof(why)), 0);
    assert_int_equal(engine_attach(e, b, &eb, why, sizeof(why)), 0);
    assert_int_equal(edu.imports, 2);
    assert_int_equal(edu.import_fd[ea->priv_word], a->fd);
    assert_int_equal(edu.import_fd[eb->priv_word], b->fd);

    uint64_t ticket;
    struct engine_job copy = {.op = ENGINE_OP_COPY,
                              .src = ea,
                              .dst = eb,
                              .src_off = 100,
                              .dst_off = 4096,
                              .len = 5000};
    assert_int_equal(engine_submit(e, &copy, &ticket), 0);
    assert_int_equal(ticket, 1);
    assert_int_equal(engine_wait(e, ticket, 0), 0);
    assert_int_equal(edu.last_copy.src, ea->priv_word);
    assert_int_equal(edu.last_copy.dst, eb->priv_word);
    assert_int_equal(edu.last_copy.src_offset, 100);
    assert_int_equal(edu.last_copy.dst_offset, 4096);
    assert_int_equal(edu.last_copy.len, 5000);
    assert_memory_equal(dst + 4096, src + 100, 5000);
    assert_int_equal(dst[4095], 0);
    assert_int_equal(dst[4096 + 5000], 0);

    /* A copy the device does not complete is the job's error, and uses up no ticket. */
    edu.copy_err = ETIMEDOUT;
    assert_int_equal(engine_submit(e, &copy, &ticket), -ETIMEDOUT);
    assert_int_equal(e->submitted, 1);
    /* The device copies; it neither fills nor reads. */
    struct engine_job fill = {.op = ENGINE_OP_FILL, .dst = eb, .len = 64};
    assert_int_equal(engine_submit(e, &fill, &ticket), -EOPNOTSUPP);
    uint32_t fence;
    assert_int_equal(engine_fence_attach(ea, true, &fence), -EOPNOTSUPP);

    engine_detach(ea);
    engine_detach(eb);
    assert_int_equal(edu.releases, 2);
    assert_int_equal(e->attached, 0);
    engine_close(e);
    heap_free(a);
    heap_free(b);
    heap_free(host);
}

/* A buffer the DMA layer cannot map is an error that names the limit, not a crash. */
static void test_edu_mapping_failure_names_the_limit(void **state)
{
    (void)state;
    plant("/dev/" DMABENCH_EDU_NAME, false);
    edu.info.flags = DMABENCH_EDU_BOUNCE;
    edu.info.max_mapping = 256 << 10;
    struct heap_alloc_req req = {.size = 1 << 20};
    struct heap_buf *buf;
    assert_int_equal(heap_alloc(heap_registry_find(reg, "system"), &req, &buf), 0);
    struct engine *e;
    struct engine_config cfg = {.cpu = -1};
    char why[256] = "";
    assert_int_equal(engine_open(engine_find("edu"), &cfg, &e, why, sizeof(why)), 0);
    struct engine_buf *b;
    edu.import_err = EIO;
    edu.import_step = DMABENCH_EDU_STEP_MAP;
    assert_int_equal(engine_attach(e, buf, &b, why, sizeof(why)), -EIO);
    assert_string_equal(why, "edu: mapping a 1048576 B system buffer for DMA: this device maps at "
                             "most 256 KiB a segment (swiotlb bounce buffers), and the "
                             "exporter's segments may be longer");
    assert_int_equal(e->attached, 0);
    /* Another step says which. */
    edu.import_err = EINVAL;
    edu.import_step = DMABENCH_EDU_STEP_ATTACH;
    assert_int_equal(engine_attach(e, buf, &b, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "edu: importing a 1048576 B system buffer: dma_buf_attach (the "
                             "exporter refused the device) failed (largest mapping 256 KiB)");
    assert_int_equal(edu.imports, 0);
    engine_close(e);
    heap_free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_frame_formats),
            cmocka_unit_test(test_engine_list),
            cmocka_unit_test_setup_teardown(test_cpu_engine_moves_data, open_registry,
                                            close_registry),
            cmocka_unit_test_setup_teardown(test_vgem_probe_reasons, setup_root, teardown_root),
            cmocka_unit_test_setup_teardown(test_vgem_imports_and_fences, setup_root,
                                            teardown_root),
            cmocka_unit_test_setup_teardown(test_bounce_limit_named, setup_root, teardown_root),
            cmocka_unit_test_setup_teardown(test_unattachable_export_is_a_skip_that_says_why,
                                            setup_root, teardown_root),
            cmocka_unit_test_setup_teardown(test_sw_sync_probe_reasons, setup_root, teardown_root),
            cmocka_unit_test_setup_teardown(test_sw_sync_fences, setup_root, teardown_root),
            cmocka_unit_test_setup_teardown(test_v4l2_probe_reasons, setup_root, teardown_root),
            cmocka_unit_test_setup_teardown(test_v4l2_copies_frames, setup_root, teardown_root),
            cmocka_unit_test_setup_teardown(test_edu_probe_reasons, setup_root, teardown_root),
            cmocka_unit_test_setup_teardown(test_edu_imports_and_copies, setup_root, teardown_root),
            cmocka_unit_test_setup_teardown(test_edu_mapping_failure_names_the_limit, setup_root,
                                            teardown_root),
    };
    return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
