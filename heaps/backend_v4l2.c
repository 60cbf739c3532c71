/* heaps/backend_v4l2.c - the v4l2 backend: a video node's MMAP buffers as dma-bufs.
 *
 * Each queue of a /dev/videoN that allocates MMAP buffers and exports them is a heap named
 * "v4l2-videoN-capture" or "v4l2-videoN-output". A buffer is one frame: the node is opened, the
 * queue's pixel format and width kept and the height set so that sizeimage holds the size
 * (heaps/v4l2_frame.c), one buffer made (VIDIOC_REQBUFS, or VIDIOC_CREATE_BUFS beyond the
 * largest frame where the driver takes it), exported (VIDIOC_EXPBUF), then the queue emptied and
 * the node closed: the dma-buf alone keeps videobuf2's memory, so buffers are independent.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dev_node.h"
#include "dmabuf_fdinfo.h"
#include "dmabuf_ops.h"
#include "heap.h"
#include "heap_backends.h"
#include "heap_dev.h"
#include "heap_ioctl.h"
#include "v4l2_frame.h"

#define MAX_NODES 32
/* Asks of TRY_FMT/S_FMT before a height that holds the size is given up. */
#define MAX_FORMAT_TRIES 16

/* heap->priv: one queue of one node. */
struct v4l2_queue_heap {
    uint32_t type;          /* V4L2_BUF_TYPE_* */
    bool m2m;               /* each open is its own context */
    bool bigger_than_frame; /* the driver takes VIDIOC_CREATE_BUFS beyond the largest frame */
    char exporter[64];      /* the dma-buf's exp_name: videobuf2_vmalloc ... */
    struct v4l2_frame largest;
    pthread_mutex_t lock; /* a capture or output node's queue has one owner at a time */
};

/* What one buffer came out as. */
struct v4l2_made {
    struct v4l2_frame frame;
    size_t bytes;     /* the dma-buf's size */
    bool beyond;      /* larger than the largest frame: made by VIDIOC_CREATE_BUFS */
    const char *step; /* the ioctl that failed */
};

static bool is_mplane(uint32_t type)
{
    return type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE || type == V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;
}

static struct v4l2_frame frame_of(const struct v4l2_format *fmt)
{
    if (is_mplane(fmt->type)) {
        const struct v4l2_pix_format_mplane *mp = &fmt->fmt.pix_mp;
        return (struct v4l2_frame){mp->pixelformat, mp->width, mp->height,
                                   mp->plane_fmt[0].bytesperline, mp->plane_fmt[0].sizeimage};
    }
    const struct v4l2_pix_format *pix = &fmt->fmt.pix;
    return (struct v4l2_frame){pix->pixelformat, pix->width, pix->height, pix->bytesperline,
                               pix->sizeimage};
}

/* Ask for height (the driver computes the rest) or, with sizeimage, for a bigger buffer. */
static void format_ask(struct v4l2_format *fmt, uint32_t height, uint32_t sizeimage)
{
    if (is_mplane(fmt->type)) {
        fmt->fmt.pix_mp.height = height;
        fmt->fmt.pix_mp.plane_fmt[0].sizeimage = sizeimage;
    } else {
        fmt->fmt.pix.height = height;
        fmt->fmt.pix.sizeimage = sizeimage;
    }
}

/* The queue's current format; -EOPNOTSUPP for a format of more than one plane. */
static int format_get(int fd, uint32_t type, struct v4l2_format *fmt)
{
    *fmt = (struct v4l2_format){.type = type};
    int ret = heap_ioctl(fd, VIDIOC_G_FMT, fmt);
    if (ret < 0)
        return ret;
    return is_mplane(type) && fmt->fmt.pix_mp.num_planes != 1 ? -EOPNOTSUPP : 0;
}

/* The frame of the queue's format and width whose sizeimage holds size (request: VIDIOC_TRY_FMT
 * or VIDIOC_S_FMT), or with *beyond the largest frame when none holds it. */
static int frame_for(int fd, uint32_t type, size_t size, unsigned long request,
                     struct v4l2_format *fmt, bool *beyond)
{
    int ret = format_get(fd, type, fmt);
    if (ret)
        return ret;
    struct v4l2_frame f = frame_of(fmt);
    uint32_t height = v4l2_frame_height_for(size, &f), answered = 0;
    for (int i = 0; i < MAX_FORMAT_TRIES; i++) {
        struct v4l2_format ask = *fmt;
        format_ask(&ask, height, 0);
        ret = heap_ioctl(fd, request, &ask);
        if (ret < 0)
            return ret;
        *fmt = ask;
        f = frame_of(fmt);
        *beyond = f.sizeimage < size;
        /* Enough, or the driver gives no more lines than last time: its largest frame. */
        if (!*beyond || (i > 0 && f.height <= answered))
            return 0;
        answered = f.height;
        height = v4l2_frame_height_after(size, &f);
    }
    return -EOVERFLOW;
}

/* One MMAP buffer on the queue, of fmt's frame, or of size bytes when beyond the largest frame. */
static int buffer_make(int fd, struct v4l2_format *fmt, size_t size, bool beyond)
{
    if (!beyond) {
        struct v4l2_requestbuffers rb = {.count = 1, .type = fmt->type, .memory = V4L2_MEMORY_MMAP};
        int ret = heap_ioctl(fd, VIDIOC_REQBUFS, &rb);
        return ret < 0 ? ret : rb.count < 1 ? -ENOMEM : 0;
    }
    if (size > UINT32_MAX)
        return -EOVERFLOW;
    struct v4l2_create_buffers cb = {.count = 1, .memory = V4L2_MEMORY_MMAP, .format = *fmt};
    format_ask(&cb.format, frame_of(fmt).height, (uint32_t)size);
    int ret = heap_ioctl(fd, VIDIOC_CREATE_BUFS, &cb);
    return ret < 0 ? ret : cb.count < 1 ? -ENOMEM : 0;
}

static int buffer_export(int fd, uint32_t type)
{
    struct v4l2_exportbuffer eb = {
            .type = type, .index = 0, .plane = 0, .flags = O_RDWR | O_CLOEXEC};
    int ret = heap_ioctl(fd, VIDIOC_EXPBUF, &eb);
    return ret < 0 ? ret : eb.fd;
}

/* Open path, make one buffer of at least size bytes on queue type and export it; the queue is
 * emptied and the node closed whatever happens (a capture or output node's format put back).
 * The dma-buf fd, or -errno with made->step naming the ioctl. */
static int queue_buffer(const char *path, uint32_t type, bool m2m, bool allow_beyond, size_t size,
                        struct v4l2_made *made)
{
    struct v4l2_format fmt, was;
    made->step = "open";
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    made->step = "VIDIOC_G_FMT";
    int ret = format_get(fd, type, &was);
    if (!ret) {
        made->step = "VIDIOC_S_FMT";
        ret = frame_for(fd, type, size, VIDIOC_S_FMT, &fmt, &made->beyond);
    }
    if (!ret)
        made->frame = frame_of(&fmt);
    if (!ret && made->beyond && !allow_beyond)
        ret = -EOVERFLOW;
    if (!ret) {
        made->step = made->beyond ? "VIDIOC_CREATE_BUFS" : "VIDIOC_REQBUFS";
        ret = buffer_make(fd, &fmt, size, made->beyond);
        if (!ret) {
            made->step = "VIDIOC_EXPBUF";
            ret = buffer_export(fd, type);
        }
        struct v4l2_requestbuffers none = {.count = 0, .type = type, .memory = V4L2_MEMORY_MMAP};
        (void)heap_ioctl(fd, VIDIOC_REQBUFS, &none);
    }
    if (!m2m)
        (void)heap_ioctl(fd, VIDIOC_S_FMT, &was);
    close(fd);
    if (ret >= 0) {
        off_t end = lseek(ret, 0, SEEK_END);
        made->bytes = end > 0 ? (size_t)end : made->frame.sizeimage;
    }
    return ret;
}

static int v4l2_describe(struct heap *heap, size_t size, char *out, size_t out_len)
{
    const struct v4l2_queue_heap *q = heap->priv;
    struct v4l2_format fmt;
    bool beyond = false;
    if (!q) {
        snprintf(out, out_len, "%s", heap->info.reason);
        return heap->info.unavailable_err ? heap->info.unavailable_err : -ENODEV;
    }
    int fd = open(heap->info.device, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int err = -errno;
        snprintf(out, out_len, "open %s: %s", heap->info.device, strerror(-err));
        return err;
    }
    int ret = frame_for(fd, q->type, size, VIDIOC_TRY_FMT, &fmt, &beyond);
    close(fd);
    if (ret) {
        snprintf(out, out_len, "%s VIDIOC_TRY_FMT: %s", heap->info.device, strerror(-ret));
        return ret;
    }
    struct v4l2_frame f = frame_of(&fmt);
    if (beyond && !q->bigger_than_frame) {
        char fourcc[5];
        v4l2_fourcc_text(f.pixelformat, fourcc);
        snprintf(out, out_len,
                 "%zu B is more than the largest frame of %s, v4l2 %s %ux%u sizeimage %u B, and "
                 "the driver makes no bigger buffer (VIDIOC_CREATE_BUFS)",
                 size, heap->info.name, fourcc, f.width, f.height, f.sizeimage);
        return -EOVERFLOW;
    }
    size_t page = heap_base_page_size();
    v4l2_frame_describe(out, out_len, &f, beyond ? (size + page - 1) / page * page : 0,
                        q->exporter);
    return 0;
}

/* Allocate the smallest buffer and one beyond the largest frame: what the queue can do, its
 * exporter, and whether its dma-bufs map. 0, 1 when the queue cannot export MMAP buffers at all
 * (the node is no heap: *why says why), or -errno with *why naming the failed step. */
static int probe_queue(const char *path, struct v4l2_queue_heap *q, const char **why)
{
    struct v4l2_made made = {0};
    int fd = queue_buffer(path, q->type, q->m2m, false, 1, &made);
    *why = made.step;
    if (fd == -ENOTTY || fd == -EINVAL || fd == -EOPNOTSUPP)
        return 1;
    if (fd < 0)
        return fd;
    struct dmabuf_fdinfo info;
    void *addr;
    /* Without /proc the exporter stays unknown, and so does the class: no reason to refuse. */
    if (!dmabuf_fdinfo_read(fd, &info))
        snprintf(q->exporter, sizeof(q->exporter), "%s", info.exp_name);
    *why = "mmap of the export";
    int ret = heap_map_aligned(fd, made.bytes, 0, &addr);
    close(fd);
    if (ret)
        return ret;
    munmap(addr, made.bytes);
    /* The largest frame, then one page more than it through VIDIOC_CREATE_BUFS. */
    made.frame.sizeimage = 0;
    fd = queue_buffer(path, q->type, q->m2m, false, SIZE_MAX, &made);
    q->largest = made.frame;
    if (fd >= 0)
        close(fd);
    if (fd == -EOVERFLOW && q->largest.sizeimage) {
        fd = queue_buffer(path, q->type, q->m2m, true, q->largest.sizeimage + heap_base_page_size(),
                          &made);
        q->bigger_than_frame = fd >= 0;
        if (fd >= 0)
            close(fd);
    }
    return 0;
}

static int add_heap(struct heap_registry *reg, const struct heap_info *info,
                    const struct v4l2_queue_heap *q)
{
    struct v4l2_queue_heap *priv = NULL;
    if (q) {
        priv = malloc(sizeof(*priv));
        if (!priv)
            return -ENOMEM;
        *priv = *q;
        pthread_mutex_init(&priv->lock, NULL);
    }
    struct heap *heap = heap_registry_add(reg, &heap_backend_v4l2, info);
    if (!heap) {
        if (priv)
            pthread_mutex_destroy(&priv->lock);
        free(priv);
        return -ENOMEM;
    }
    heap->priv = priv;
    return 0;
}

/* Add the heap of one queue of node, available or with the reason it is not; 1 (nothing added,
 * *why set) when the queue cannot export MMAP buffers at all. */
static int probe_node_queue(struct heap_registry *reg, const struct heap_info *node_info,
                            const char *node, const char *driver, uint32_t type, bool m2m,
                            bool capture, char *why, size_t why_len)
{
    struct heap_info info = *node_info;
    struct v4l2_queue_heap q = {.type = type, .m2m = m2m};
    const char *step, *class_why;
    char what[HEAP_REASON_MAX], fourcc[5];
    if (v4l2_heap_name(info.name, sizeof(info.name), node, capture))
        return -ENAMETOOLONG;
    int ret = probe_queue(info.device, &q, &step);
    if (ret == 1) {
        snprintf(why, why_len, "%.40s %s queue: %s unsupported", node,
                 capture ? "capture" : "output", step);
        return 1;
    }
    if (ret < 0) {
        snprintf(what, sizeof(what), "%s: %s of a buffer", driver, step);
        heap_info_set_unavailable(&info, ret, what);
        return add_heap(reg, &info, NULL);
    }
    info.klass = v4l2_class_of_exporter(q.exporter, &class_why);
    v4l2_fourcc_text(q.largest.pixelformat, fourcc);
    char note[2 * HEAP_REASON_MAX];
    snprintf(note, sizeof(note), "driver %s%s, %s up to %ux%u%s, exporter %s%s%s%s", driver,
             m2m ? " (m2m)" : "", fourcc, q.largest.width, q.largest.height,
             q.bigger_than_frame ? " (bigger by VIDIOC_CREATE_BUFS)" : "", q.exporter,
             v4l2_exporter_syncs(q.exporter) ? "" : ": sync does no cache maintenance",
             class_why ? "; class unknown: " : "", class_why ? class_why : "");
    snprintf(info.reason, sizeof(info.reason), "%.*s", (int)sizeof(info.reason) - 1, note);
    info.available = true;
    heap_page_sizes_probe(&info, 0, 0);
    return add_heap(reg, &info, &q);
}

/* The heaps of one node: 0 when one was added, 1 with why when the node has none. */
static int probe_node(struct heap_registry *reg, const struct heap_info *base, const char *dir,
                      const char *node, char *why, size_t why_len)
{
    struct heap_info info = *base;
    struct v4l2_capability cap = {0};
    struct v4l2_queues queues;
    char what[HEAP_REASON_MAX], driver[sizeof(cap.driver) + 1];
    snprintf(info.device, sizeof(info.device), "%.100s/%.20s", dir, node);
    int fd = open(info.device, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        snprintf(info.name, sizeof(info.name), "v4l2-%.40s", node);
        snprintf(what, sizeof(what), "open %s", info.device);
        heap_info_set_unavailable(&info, -errno, what);
        return add_heap(reg, &info, NULL);
    }
    int ret = heap_ioctl(fd, VIDIOC_QUERYCAP, &cap);
    close(fd);
    uint32_t caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
    if (ret < 0 || v4l2_queues_of_caps(caps, &queues)) {
        snprintf(why, why_len, "%.40s: %s", node,
                 ret < 0 ? "not a V4L2 device (VIDIOC_QUERYCAP)"
                         : "no video queue with streaming I/O");
        return 1;
    }
    snprintf(driver, sizeof(driver), "%s", (const char *)cap.driver);
    const uint32_t types[] = {queues.capture, queues.output};
    int added = 0;
    for (int i = 0; i < 2; i++) {
        ret = types[i] ? probe_node_queue(reg, &info, node, driver, types[i], queues.m2m, i == 0,
                                          why, why_len)
                       : 1;
        if (ret < 0)
            return ret;
        added += ret == 0;
    }
    return added ? 0 : 1;
}

static int only_video_nodes(const struct dirent *e)
{
    return dev_node_numbered(e->d_name, "video");
}

static int v4l2_probe(struct heap_registry *reg)
{
    struct heap_info info = {.name = "v4l2", .is_dmabuf = true, .device = "-"};
    char dir[sizeof(info.device)], why[HEAP_REASON_MAX] = "";
    struct dirent **nodes = NULL;
    int ret = heap_dev_path(dir, sizeof(dir), "/dev");
    int n = ret ? ret : scandir(dir, &nodes, only_video_nodes, versionsort);
    if (n < 0)
        n = ret ? ret : -errno;
    int added = 0;
    ret = 0;
    for (int i = 0; i < (n > 0 ? n : 0); i++) {
        char node_why[HEAP_REASON_MAX] = "";
        if (i < MAX_NODES && !ret) {
            ret = probe_node(reg, &info, dir, nodes[i]->d_name, node_why, sizeof(node_why));
            added += ret == 0;
            if (ret == 1 && !why[0])
                snprintf(why, sizeof(why), "%s", node_why);
            ret = ret < 0 ? ret : 0;
        }
        free(nodes[i]);
    }
    free(nodes);
    if (ret || added)
        return ret;
    if (n < 0) {
        heap_info_set_unavailable(&info, n, "list /dev");
    } else if (n == 0) {
        heap_info_set_unavailable_fmt(&info, -ENODEV, "no /dev/video* node: no V4L2 driver loaded");
    } else {
        heap_info_set_unavailable_fmt(&info, -ENODEV,
                                      "no video node exports MMAP buffers (first: %.100s)", why);
    }
    return add_heap(reg, &info, NULL);
}

static int v4l2_alloc(struct heap *heap, const struct heap_alloc_req *req, struct heap_buf *buf)
{
    struct v4l2_queue_heap *q = heap->priv;
    struct v4l2_made made = {0};
    /* videobuf2 decides where its pages live: accepting a node would be a silent lie. */
    if (req->numa_node != HEAP_NODE_ANY)
        return -EOPNOTSUPP;
    if (!q->m2m)
        pthread_mutex_lock(&q->lock);
    int fd = queue_buffer(heap->info.device, q->type, q->m2m, q->bigger_than_frame, req->size,
                          &made);
    if (!q->m2m)
        pthread_mutex_unlock(&q->lock);
    if (fd < 0)
        return fd;
    buf->fd = fd;
    buf->alloc_size = made.bytes;
    buf->page_size = heap_base_page_size();
    return 0;
}

static void v4l2_free(struct heap_buf *buf)
{
    close(buf->fd);
    buf->fd = -1;
}

static void v4l2_release(struct heap *heap)
{
    struct v4l2_queue_heap *q = heap->priv;
    if (q)
        pthread_mutex_destroy(&q->lock);
    free(q);
    heap->priv = NULL;
}

const struct heap_ops heap_backend_v4l2 = {
        .name = "v4l2",
        .device_class = "video4linux",
        .description = "V4L2 MMAP buffers (/dev/videoN, VIDIOC_REQBUFS) exported as dma-bufs "
                       "with VIDIOC_EXPBUF",
        .probe = v4l2_probe,
        .alloc = v4l2_alloc,
        .free = v4l2_free,
        .mmap = dmabuf_heap_mmap,
        .munmap = dmabuf_heap_munmap,
        .sync = dmabuf_heap_sync,
        .sync_range = dmabuf_heap_sync_range,
        .set_name = dmabuf_heap_set_name,
        .describe = v4l2_describe,
        .release = v4l2_release,
};
