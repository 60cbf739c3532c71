/* tests/unit/test_v4l2_heap.c - the v4l2 heap backend without a video device.
 *
 * The rules (queue names, the height of a frame that holds a size, the row's note, classes) are
 * checked directly; probing and allocating run against a planted /dev/video0 ($DMABENCH_DEV_ROOT)
 * whose ioctls a fake vim2m behind heap_ioctl_set_hook() answers (a memfd stands in for each
 * exported dma-buf), so the size rule, the queue emptied after each export, and no fd left
 * behind are seen on a host without V4L2. The real ioctls are proven in the lab (tests/vm/lab.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_dev.h"
#include "heap.h"
#include "heap_ioctl.h"
#include "v4l2_frame.h"

#define PAGE 4096u
#define MIB  ((size_t)1 << 20)

static char root[64];

/* --- a fake vim2m: RGB565 ("RGBP"), 640 wide, 32 to 480 lines ------------------------------- */

static struct {
    uint32_t caps;       /* device_caps */
    bool create_refused; /* VIDIOC_CREATE_BUFS beyond the frame answers EINVAL */
    int expbuf_errno;    /* VIDIOC_EXPBUF's answer */
    uint32_t height;     /* the format set (S_FMT) */
    uint32_t last_try;   /* the height TRY_FMT or S_FMT last asked for */
    int reqbufs_calls, buffers, exports;
    size_t buffer_bytes; /* the buffer made last */
} cam;

static int cam_fail(int err)
{
    errno = err;
    return -1;
}

static void cam_format(struct v4l2_format *f, uint32_t height)
{
    height = height < 32 ? 32 : height > 480 ? 480 : height;
    f->fmt.pix.pixelformat = V4L2_PIX_FMT_RGB565;
    f->fmt.pix.width = 640;
    f->fmt.pix.height = height;
    f->fmt.pix.bytesperline = 640 * 2;
    f->fmt.pix.sizeimage = 640 * 2 * height;
}

static int fake_cam_ioctl(int fd, unsigned long request, void *arg)
{
    (void)fd;
    if (request == VIDIOC_QUERYCAP) {
        struct v4l2_capability *c = arg;
        snprintf((char *)c->driver, sizeof(c->driver), "vim2m");
        c->capabilities = cam.caps | V4L2_CAP_DEVICE_CAPS;
        c->device_caps = cam.caps;
        return 0;
    }
    if (request == VIDIOC_G_FMT || request == VIDIOC_TRY_FMT || request == VIDIOC_S_FMT) {
        struct v4l2_format *f = arg;
        if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE && f->type != V4L2_BUF_TYPE_VIDEO_OUTPUT)
            return cam_fail(EINVAL);
        if (request != VIDIOC_G_FMT)
            cam.last_try = f->fmt.pix.height;
        cam_format(f, request == VIDIOC_G_FMT ? cam.height : f->fmt.pix.height);
        if (request == VIDIOC_S_FMT)
            cam.height = f->fmt.pix.height;
        return 0;
    }
    if (request == VIDIOC_REQBUFS) {
        struct v4l2_requestbuffers *r = arg;
        cam.reqbufs_calls++;
        if (r->memory != V4L2_MEMORY_MMAP)
            return cam_fail(EINVAL);
        cam.buffers = (int)r->count;
        cam.buffer_bytes = 640 * 2 * cam.height;
        return 0;
    }
    if (request == VIDIOC_CREATE_BUFS) {
        struct v4l2_create_buffers *c = arg;
        if (cam.create_refused || c->format.fmt.pix.sizeimage < 640 * 2 * cam.height)
            return cam_fail(EINVAL);
        cam.buffers = (int)c->count;
        cam.buffer_bytes = c->format.fmt.pix.sizeimage;
        return 0;
    }
    if (request == VIDIOC_EXPBUF) {
        struct v4l2_exportbuffer *e = arg;
        if (cam.expbuf_errno)
            return cam_fail(cam.expbuf_errno);
        if (cam.buffers < 1 || e->index != 0 || e->flags != (O_RDWR | O_CLOEXEC))
            return cam_fail(EINVAL);
        int buf = memfd_create("fake-vb2", MFD_CLOEXEC);
        size_t bytes = (cam.buffer_bytes + PAGE - 1) / PAGE * PAGE;
        if (buf < 0 || ftruncate(buf, (off_t)bytes))
            return -1;
        cam.exports++;
        e->fd = buf;
        return 0;
    }
    return cam_fail(ENOTTY);
}

static void plant(const char *rel)
{
    fake_dev_plant_at(root, rel);
}

static int fresh_root(void **state)
{
    (void)state;
    memset(&cam, 0, sizeof(cam));
    cam.caps = V4L2_CAP_VIDEO_M2M | V4L2_CAP_STREAMING;
    cam.height = 480;
    snprintf(root, sizeof(root), "/tmp/dmabench-v4l2-XXXXXX");
    if (!mkdtemp(root))
        return -1;
    heap_ioctl_set_hook(fake_cam_ioctl);
    return setenv("DMABENCH_DEV_ROOT", root, 1);
}

static int remove_root(void **state)
{
    (void)state;
    return fake_dev_remove_tree(root);
}

/* --- the rules ---------------------------------------------------------------------------- */

static void queues_come_from_the_device_caps(void **state)
{
    (void)state;
    struct v4l2_queues q;
    assert_int_equal(v4l2_queues_of_caps(V4L2_CAP_VIDEO_M2M | V4L2_CAP_STREAMING, &q), 0);
    assert_int_equal(q.capture, V4L2_BUF_TYPE_VIDEO_CAPTURE);
    assert_int_equal(q.output, V4L2_BUF_TYPE_VIDEO_OUTPUT);
    assert_true(q.m2m);
    assert_int_equal(v4l2_queues_of_caps(V4L2_CAP_VIDEO_M2M_MPLANE | V4L2_CAP_STREAMING, &q), 0);
    assert_int_equal(q.capture, V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE);
    assert_int_equal(q.output, V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE);
    assert_int_equal(v4l2_queues_of_caps(V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING, &q), 0);
    assert_int_equal(q.capture, V4L2_BUF_TYPE_VIDEO_CAPTURE);
    assert_int_equal(q.output, 0);
    assert_false(q.m2m);
    /* read()-only capture, and a UVC camera's metadata node: no heap. */
    assert_int_equal(v4l2_queues_of_caps(V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_READWRITE, &q), -ENODEV);
    assert_int_equal(v4l2_queues_of_caps(V4L2_CAP_META_CAPTURE | V4L2_CAP_STREAMING, &q), -ENODEV);
}

static void heaps_are_named_backend_node_queue(void **state)
{
    (void)state;
    char name[HEAP_NAME_MAX], tiny[8];
    assert_int_equal(v4l2_heap_name(name, sizeof(name), "video0", true), 0);
    assert_string_equal(name, "v4l2-video0-capture");
    assert_int_equal(v4l2_heap_name(name, sizeof(name), "video12", false), 0);
    assert_string_equal(name, "v4l2-video12-output");
    assert_int_equal(v4l2_heap_name(tiny, sizeof(tiny), "video0", true), -ENAMETOOLONG);
    char fourcc[5];
    v4l2_fourcc_text(V4L2_PIX_FMT_RGB565, fourcc);
    assert_string_equal(fourcc, "RGBP");
    v4l2_fourcc_text(0x01020358, fourcc);
    assert_string_equal(fourcc, "X???");
}

static void the_height_holds_the_size_at_the_formats_line_bytes(void **state)
{
    (void)state;
    struct v4l2_frame rgbp = {V4L2_PIX_FMT_RGB565, 640, 480, 1280, 614400};
    assert_int_equal(v4l2_frame_height_for(1, &rgbp), 1);
    assert_int_equal(v4l2_frame_height_for(1280, &rgbp), 1);
    assert_int_equal(v4l2_frame_height_for(1281, &rgbp), 2);
    assert_int_equal(v4l2_frame_height_for(65536, &rgbp), 52); /* 51.2 lines */
    /* NV12: a line of luma and half a line of chroma, 1.5 x bytesperline per line. */
    struct v4l2_frame nv12 = {V4L2_PIX_FMT_NV12, 640, 480, 640, 460800};
    assert_int_equal(v4l2_frame_height_for(960 * 100, &nv12), 100);
    /* A format that says no sizeimage: bytesperline alone. */
    struct v4l2_frame bare = {V4L2_PIX_FMT_GREY, 640, 0, 640, 0};
    assert_int_equal(v4l2_frame_height_for(6400, &bare), 10);
    assert_int_equal(v4l2_frame_height_for(SIZE_MAX, &rgbp), UINT32_MAX);
    /* The driver aligned 52 lines down to 50: grow past them by what is still missing. */
    struct v4l2_frame got = {V4L2_PIX_FMT_RGB565, 640, 50, 1280, 64000};
    assert_int_equal(v4l2_frame_height_after(65536, &got), 52);
    got.sizeimage = 70000;
    assert_true(v4l2_frame_height_after(65536, &got) > 50);
}

static void the_note_names_format_size_and_a_sync_that_does_nothing(void **state)
{
    (void)state;
    char note[256];
    struct v4l2_frame f = {V4L2_PIX_FMT_RGB565, 640, 52, 1280, 66560};
    v4l2_frame_describe(note, sizeof(note), &f, 0, "videobuf2_dma_sg");
    assert_string_equal(note, "v4l2 RGBP 640x52 sizeimage 66560 B");
    v4l2_frame_describe(note, sizeof(note), &f, 0, "videobuf2_vmalloc");
    assert_string_equal(note, "v4l2 RGBP 640x52 sizeimage 66560 B; DMA_BUF_IOCTL_SYNC does no "
                              "cache maintenance (videobuf2_vmalloc has no CPU-access hooks)");
    f.height = 480;
    f.sizeimage = 614400;
    v4l2_frame_describe(note, sizeof(note), &f, MIB, "videobuf2_dma_contig");
    assert_string_equal(
            note, "v4l2 RGBP 640x480 sizeimage 614400 B, buffer 1048576 B (VIDIOC_CREATE_BUFS)");
    assert_false(v4l2_exporter_syncs("videobuf2_vmalloc"));
    assert_true(v4l2_exporter_syncs("videobuf2_dma_sg"));
}

static void the_class_comes_from_videobuf2s_allocator(void **state)
{
    (void)state;
    const char *why;
    assert_int_equal(v4l2_class_of_exporter("videobuf2_vmalloc", &why), HEAP_CLASS_CACHED);
    assert_null(why);
    assert_int_equal(v4l2_class_of_exporter("videobuf2_dma_sg", &why), HEAP_CLASS_CACHED);
    assert_int_equal(v4l2_class_of_exporter("videobuf2_dma_contig", &why), HEAP_CLASS_UNKNOWN);
    assert_non_null(strstr(why, "write-combined"));
    assert_int_equal(v4l2_class_of_exporter("", &why), HEAP_CLASS_UNKNOWN);
    assert_non_null(strstr(why, "fdinfo"));
    assert_int_equal(v4l2_class_of_exporter("somedrv", NULL), HEAP_CLASS_UNKNOWN);
}

/* --- probe and alloc against the fake vim2m ------------------------------------------------ */

static void no_video_node_is_one_unavailable_heap_with_the_reason(void **state)
{
    (void)state;
    struct heap_registry *reg;
    struct heap *heaps[4];
    plant("dev/");
    assert_int_equal(heap_registry_open(&reg, NULL, 0), 0);
    assert_int_equal(fake_dev_backend_heaps(reg, "v4l2", heaps, 4), 1);
    assert_string_equal(heaps[0]->info.name, "v4l2");
    assert_false(heaps[0]->info.available);
    assert_string_equal(heaps[0]->info.reason, "no /dev/video* node: no V4L2 driver loaded");
    heap_registry_close(reg, NULL);
}

static void a_node_without_expbuf_is_no_heap(void **state)
{
    (void)state;
    struct heap_registry *reg;
    struct heap *heaps[4];
    plant("dev/");
    plant("dev/video0");
    cam.expbuf_errno = ENOTTY;
    assert_int_equal(heap_registry_open(&reg, NULL, 0), 0);
    assert_int_equal(fake_dev_backend_heaps(reg, "v4l2", heaps, 4), 1);
    assert_string_equal(heaps[0]->info.name, "v4l2");
    assert_false(heaps[0]->info.available);
    assert_string_equal(heaps[0]->info.reason, "no video node exports MMAP buffers (first: "
                                               "video0 output queue: VIDIOC_EXPBUF unsupported)");
    assert_int_equal(cam.buffers, 0); /* the queue was emptied after each try */
    heap_registry_close(reg, NULL);
    cam.expbuf_errno = 0;
    cam.caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_READWRITE;
    assert_int_equal(heap_registry_open(&reg, NULL, 0), 0);
    assert_int_equal(fake_dev_backend_heaps(reg, "v4l2", heaps, 4), 1);
    assert_string_equal(heaps[0]->info.reason, "no video node exports MMAP buffers (first: "
                                               "video0: no video queue with streaming I/O)");
    heap_registry_close(reg, NULL);
}

static void an_m2m_node_is_a_capture_and_an_output_heap(void **state)
{
    (void)state;
    struct heap_registry *reg;
    struct heap *heaps[4];
    char device[128];
    plant("dev/");
    plant("dev/video0");
    int fds = fake_dev_open_fds();
    assert_int_equal(heap_registry_open(&reg, NULL, 0), 0);
    assert_int_equal(fake_dev_open_fds(), fds); /* probe keeps no node or buffer open */
    assert_int_equal(cam.buffers, 0);
    assert_int_equal(fake_dev_backend_heaps(reg, "v4l2", heaps, 4), 2);
    snprintf(device, sizeof(device), "%s/dev/video0", root);
    assert_string_equal(heaps[0]->info.name, "v4l2-video0-capture");
    assert_string_equal(heaps[1]->info.name, "v4l2-video0-output");
    for (int i = 0; i < 2; i++) {
        assert_true(heaps[i]->info.available);
        assert_true(heaps[i]->info.is_dmabuf);
        assert_string_equal(heaps[i]->info.device, device);
        assert_non_null(strstr(heaps[i]->info.reason, "driver vim2m (m2m), RGBP up to 640x480 "
                                                      "(bigger by VIDIOC_CREATE_BUFS)"));
    }
    assert_ptr_equal(heap_registry_find(reg, "v4l2:v4l2-video0-output"), heaps[1]);
    heap_registry_close(reg, NULL);
}

static void a_buffer_is_the_smallest_frame_that_holds_the_size(void **state)
{
    (void)state;
    struct heap_registry *reg;
    struct heap_buf *a, *b;
    struct heap_alloc_req req = {.size = 65536};
    char note[256];
    plant("dev/");
    plant("dev/video0");
    assert_int_equal(heap_registry_open(&reg, NULL, 0), 0);
    struct heap *heap = heap_registry_find(reg, "v4l2-video0-capture");
    assert_non_null(heap);
    int fds = fake_dev_open_fds();
    int reqbufs = cam.reqbufs_calls;
    assert_int_equal(heap_alloc(heap, &req, &a), 0);
    assert_int_equal(cam.last_try, 52);
    assert_int_equal(a->alloc_size, 69632);           /* 640 x 52 x 2 = 66560 B, in whole pages */
    assert_int_equal(cam.reqbufs_calls - reqbufs, 2); /* one buffer, then none: the queue empty */
    assert_int_equal(cam.buffers, 0);
    assert_int_equal(fake_dev_open_fds(), fds + 1); /* the dma-buf only, the node closed */
    assert_int_equal(heap_describe(heap, req.size, note, sizeof(note)), 0);
    assert_string_equal(note, "v4l2 RGBP 640x52 sizeimage 66560 B");
    /* Another buffer lives on its own: freeing the first leaves it mapped and whole. */
    req.size = 4096;
    assert_int_equal(heap_alloc(heap, &req, &b), 0);
    assert_int_equal(b->alloc_size, 40960); /* the driver's smallest frame: 32 lines */
    heap_free(a);
    void *addr;
    assert_int_equal(heap_mmap(b, &addr), 0);
    memset(addr, 0x5a, b->alloc_size);
    assert_int_equal(heap_sync_begin(b, HEAP_SYNC_RW), -ENOTTY); /* a memfd is no dma-buf */
    heap_free(b);
    assert_int_equal(fake_dev_open_fds(), fds);
    req.bind_node = true;
    req.numa_node = 0;
    assert_int_equal(heap_alloc(heap, &req, &a), -EOPNOTSUPP);
    heap_registry_close(reg, NULL);
}

static void beyond_the_largest_frame_create_bufs_or_eoverflow(void **state)
{
    (void)state;
    struct heap_registry *reg;
    struct heap_buf *buf;
    struct heap_alloc_req req = {.size = MIB};
    char note[256];
    plant("dev/");
    plant("dev/video0");
    assert_int_equal(heap_registry_open(&reg, NULL, 0), 0);
    struct heap *heap = heap_registry_find(reg, "v4l2-video0-output");
    assert_int_equal(heap_alloc(heap, &req, &buf), 0);
    assert_int_equal(buf->alloc_size, MIB);
    assert_int_equal(heap_describe(heap, req.size, note, sizeof(note)), 0);
    assert_string_equal(note, "v4l2 RGBP 640x480 sizeimage 614400 B, buffer 1048576 B "
                              "(VIDIOC_CREATE_BUFS)");
    heap_free(buf);
    heap_registry_close(reg, NULL);

    cam.create_refused = true;
    assert_int_equal(heap_registry_open(&reg, NULL, 0), 0);
    heap = heap_registry_find(reg, "v4l2-video0-output");
    assert_true(heap->info.available);
    assert_null(strstr(heap->info.reason, "CREATE_BUFS"));
    int fds = fake_dev_open_fds();
    assert_int_equal(heap_alloc(heap, &req, &buf), -EOVERFLOW);
    assert_int_equal(fake_dev_open_fds(), fds);
    assert_int_equal(cam.buffers, 0);
    assert_int_equal(heap_describe(heap, req.size, note, sizeof(note)), -EOVERFLOW);
    assert_string_equal(note, "1048576 B is more than the largest frame of v4l2-video0-output, "
                              "v4l2 RGBP 640x480 sizeimage 614400 B, and the driver makes no "
                              "bigger buffer (VIDIOC_CREATE_BUFS)");
    req.size = 614400; /* the largest frame itself still is one */
    assert_int_equal(heap_alloc(heap, &req, &buf), 0);
    assert_int_equal(buf->alloc_size, 614400);
    heap_free(buf);
    heap_registry_close(reg, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(queues_come_from_the_device_caps),
            cmocka_unit_test(heaps_are_named_backend_node_queue),
            cmocka_unit_test(the_height_holds_the_size_at_the_formats_line_bytes),
            cmocka_unit_test(the_note_names_format_size_and_a_sync_that_does_nothing),
            cmocka_unit_test(the_class_comes_from_videobuf2s_allocator),
            cmocka_unit_test_setup_teardown(no_video_node_is_one_unavailable_heap_with_the_reason,
                                            fresh_root, remove_root),
            cmocka_unit_test_setup_teardown(a_node_without_expbuf_is_no_heap, fresh_root,
                                            remove_root),
            cmocka_unit_test_setup_teardown(an_m2m_node_is_a_capture_and_an_output_heap, fresh_root,
                                            remove_root),
            cmocka_unit_test_setup_teardown(a_buffer_is_the_smallest_frame_that_holds_the_size,
                                            fresh_root, remove_root),
            cmocka_unit_test_setup_teardown(beyond_the_largest_frame_create_bufs_or_eoverflow,
                                            fresh_root, remove_root),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
