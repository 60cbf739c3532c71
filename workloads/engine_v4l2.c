/* workloads/engine_v4l2.c - the `v4l2` engine: any V4L2 mem2mem device that imports DMABUF.
 *
 * A copy job is one frame through the device: the source buffer is queued on the OUTPUT queue
 * and the destination on the CAPTURE queue, both as V4L2_MEMORY_DMABUF, and the job completes
 * when the CAPTURE buffer comes back from VIDIOC_DQBUF (poll says when). Both queues get the
 * same format, so a scaler or converter acts as a copy engine; vim2m is the one in the lab
 * kernel, hardware scalers and converters are the ones on boards. Single- and multi-planar
 * devices are both driven, with one plane per buffer.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev_node.h"
#include "engine.h"
#include "heap_dev.h"
#include "heap_ioctl.h"
#include "v4l2_frame.h"

#define V4L2_MAX_SLOTS 32

struct v4l2_engine {
    int fd;
    bool mplane;
    enum v4l2_buf_type out_type, cap_type;
    unsigned slots;
    size_t frame_bytes;
    uint64_t completed;
    int streaming;
};

/* A device is usable when it is mem2mem, streams, and its OUTPUT queue takes DMABUF. */
static int check_device(int fd, bool *mplane, char *card, size_t card_len)
{
    struct v4l2_capability cap = {0};
    int ret = heap_ioctl(fd, VIDIOC_QUERYCAP, &cap);
    if (ret < 0)
        return ret;
    __u32 caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
    snprintf(card, card_len, "%.32s", (const char *)cap.card);
    if (!(caps & V4L2_CAP_STREAMING) || !(caps & (V4L2_CAP_VIDEO_M2M | V4L2_CAP_VIDEO_M2M_MPLANE)))
        return -ENODEV;
    *mplane = !(caps & V4L2_CAP_VIDEO_M2M);
    struct v4l2_requestbuffers req = {
            .count = 0,
            .type = *mplane ? V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE : V4L2_BUF_TYPE_VIDEO_OUTPUT,
            .memory = V4L2_MEMORY_DMABUF,
    };
    ret = heap_ioctl(fd, VIDIOC_REQBUFS, &req);
    return ret < 0 ? -EPROTONOSUPPORT : 0;
}

static int only_video_nodes(const struct dirent *e)
{
    return dev_node_numbered(e->d_name, "video");
}

static const char *node_problem(int ret)
{
    return ret == -ENODEV            ? "not mem2mem"
           : ret == -EPROTONOSUPPORT ? "no DMABUF import"
                                     : strerror(-ret);
}

/* Open one node (a path as the user sees it, under the device root) and check it: the fd, or
 * -errno (check_device's -ENODEV, -EPROTONOSUPPORT). */
static int open_node(const char *device, bool *mplane, char *card, size_t card_len)
{
    char path[300];
    int ret = heap_dev_path(path, sizeof(path), device);
    if (ret)
        return ret;
    int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ret = check_device(fd, mplane, card, card_len);
    if (ret) {
        close(fd);
        return ret;
    }
    return fd;
}

/* Open the node named (device: "/dev/video3"), or else the first usable /dev/videoN in number
 * order; the one opened in path, what else was there in found. */
static int open_m2m(const char *device, bool *mplane, char *path, size_t path_len, char *card,
                    size_t card_len, char *found, size_t found_len)
{
    found[0] = card[0] = '\0';
    if (device && device[0]) {
        snprintf(path, path_len, "%s", device);
        int fd = open_node(device, mplane, card, card_len);
        if (fd < 0)
            snprintf(found, found_len, "%s", node_problem(fd));
        return fd;
    }
    char dev_dir[256];
    struct dirent **nodes = NULL;
    int ret = heap_dev_path(dev_dir, sizeof(dev_dir), "/dev");
    int n = ret ? ret : scandir(dev_dir, &nodes, only_video_nodes, versionsort);
    if (n < 0)
        return ret ? ret : -errno;
    size_t used = 0;
    int fd = -ENOENT;
    for (int i = 0; i < n; i++) {
        if (fd < 0) {
            snprintf(path, path_len, "/dev/%s", nodes[i]->d_name);
            fd = open_node(path, mplane, card, card_len);
            if (fd < 0) {
                used += (size_t)snprintf(found + used, found_len - used, "%s%s (%s)",
                                         used ? ", " : "", nodes[i]->d_name, node_problem(fd));
                if (used >= found_len)
                    used = found_len - 1;
                fd = -ENODEV;
            }
        }
        free(nodes[i]);
    }
    free(nodes);
    return fd;
}

static void v4l2_probe(const char *device, struct engine_probe *out)
{
    char path[300], card[40], found[ENGINE_REASON_MAX / 2];
    bool mplane;
    int fd =
            open_m2m(device, &mplane, path, sizeof(path), card, sizeof(card), found, sizeof(found));
    if (fd >= 0) {
        close(fd);
        out->available = true;
        snprintf(out->detail, sizeof(out->detail), "%.100s: %.40s (mem2mem%s, DMABUF import)", path,
                 card, mplane ? ", multi-planar" : "");
        return;
    }
    out->err = -ENODEV;
    if (device && device[0])
        snprintf(out->reason, sizeof(out->reason), "%.80s: %.40s%s%.40s", device, found,
                 card[0] ? ": " : "", card);
    else if (found[0])
        snprintf(out->reason, sizeof(out->reason),
                 "no V4L2 mem2mem device that imports DMABUF "
                 "(found %s)",
                 found);
    else
        snprintf(out->reason, sizeof(out->reason),
                 "no V4L2 mem2mem device found (no /dev/video*; vim2m is the virtual one)");
}

/* The fourccs of one queue (VIDIOC_ENUM_FMT), at most max: how many. */
static size_t queue_fourccs(int fd, enum v4l2_buf_type type, __u32 *out, size_t max)
{
    size_t n = 0;
    for (__u32 i = 0; n < max; i++) {
        struct v4l2_fmtdesc d = {.index = i, .type = type};
        if (heap_ioctl(fd, VIDIOC_ENUM_FMT, &d) < 0)
            break;
        out[n++] = d.pixelformat;
    }
    return n;
}

/* The device's formats on a queue, as "RGB3 RGBP ...", for the reason a format was refused. */
static void list_formats(int fd, enum v4l2_buf_type type, char *out, size_t out_len)
{
    __u32 fourccs[32];
    size_t n = queue_fourccs(fd, type, fourccs, 32), used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used + 6 < out_len; i++) {
        char fourcc[5];
        v4l2_fourcc_text(fourccs[i], fourcc);
        used += (size_t)snprintf(out + used, out_len - used, "%s%s", used ? " " : "", fourcc);
    }
}

/* The formats both queues take, those a copy can use: "RGBP=rgb565 RGB3=rgb24 BGR3", with the
 * --frame name where dmabench has one. */
static void common_formats(int fd, bool mplane, char *out, size_t out_len)
{
    __u32 in[32], cap[32];
    size_t n_in = queue_fourccs(
            fd, mplane ? V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE : V4L2_BUF_TYPE_VIDEO_OUTPUT, in, 32);
    size_t n_cap = queue_fourccs(
            fd, mplane ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE : V4L2_BUF_TYPE_VIDEO_CAPTURE, cap, 32);
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n_in && used + 1 < out_len; i++) {
        bool both = false;
        for (size_t j = 0; j < n_cap; j++)
            both |= in[i] == cap[j];
        if (!both)
            continue;
        const char *ours = frame_pixel_of_fourcc(in[i]);
        char fourcc[5];
        v4l2_fourcc_text(in[i], fourcc);
        int k = snprintf(out + used, out_len - used, "%s%s%s%s", used ? " " : "", fourcc,
                         ours ? "=" : "", ours ? ours : "");
        used = k < 0 || (size_t)k >= out_len - used ? out_len - 1 : used + (size_t)k;
    }
}

/* One node for `list`: what it is, whether it imports, and what it can copy. */
static void describe_node(const char *name, struct engine_device *d)
{
    char path[300], rel[300], card[40] = "", formats[120] = "";
    bool mplane = false;
    snprintf(d->node, sizeof(d->node), "%.*s", (int)sizeof(d->node) - 1, name);
    snprintf(rel, sizeof(rel), "/dev/%s", d->node);
    int ret = heap_dev_path(path, sizeof(path), rel);
    int fd = ret ? ret : open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    ret = fd < 0 ? (ret ? ret : -errno) : check_device(fd, &mplane, card, sizeof(card));
    if (fd >= 0 && (ret == 0 || ret == -EPROTONOSUPPORT))
        common_formats(fd, mplane, formats, sizeof(formats));
    if (fd >= 0)
        close(fd);
    d->usable = ret == 0;
    if (ret == 0 || ret == -EPROTONOSUPPORT)
        snprintf(d->detail, sizeof(d->detail), "%.40s: mem2mem%s, %s; both queues take %.90s", card,
                 mplane ? " (multi-planar)" : "", ret ? "no DMABUF import" : "DMABUF import",
                 formats[0] ? formats : "no format");
    else
        snprintf(d->detail, sizeof(d->detail), "%.40s%s%s", card, card[0] ? ": " : "",
                 node_problem(ret));
}

static size_t v4l2_devices(struct engine_device *out, size_t max)
{
    char dev_dir[256];
    struct dirent **nodes = NULL;
    int n = heap_dev_path(dev_dir, sizeof(dev_dir), "/dev")
                    ? -1
                    : scandir(dev_dir, &nodes, only_video_nodes, versionsort);
    for (int i = 0; i < n; i++) {
        if ((size_t)i < max)
            describe_node(nodes[i]->d_name, &out[i]);
        free(nodes[i]);
    }
    free(nodes);
    return n < 0 ? 0 : (size_t)n;
}

/* Set f on one queue and check the device kept it: a device that adjusts the format would
 * process something else than what the benchmark produced. */
static int set_format(struct v4l2_engine *v, enum v4l2_buf_type type, const struct frame_format *f,
                      char *why, size_t why_len)
{
    struct v4l2_format fmt = {.type = type};
    if (v->mplane) {
        fmt.fmt.pix_mp.width = f->width;
        fmt.fmt.pix_mp.height = f->height;
        fmt.fmt.pix_mp.pixelformat = f->fourcc;
        fmt.fmt.pix_mp.field = V4L2_FIELD_NONE;
        fmt.fmt.pix_mp.num_planes = 1;
    } else {
        fmt.fmt.pix.width = f->width;
        fmt.fmt.pix.height = f->height;
        fmt.fmt.pix.pixelformat = f->fourcc;
        fmt.fmt.pix.field = V4L2_FIELD_NONE;
    }
    int ret = heap_ioctl(v->fd, VIDIOC_S_FMT, &fmt);
    __u32 w = v->mplane ? fmt.fmt.pix_mp.width : fmt.fmt.pix.width;
    __u32 h = v->mplane ? fmt.fmt.pix_mp.height : fmt.fmt.pix.height;
    __u32 pf = v->mplane ? fmt.fmt.pix_mp.pixelformat : fmt.fmt.pix.pixelformat;
    size_t image = v->mplane ? fmt.fmt.pix_mp.plane_fmt[0].sizeimage : fmt.fmt.pix.sizeimage;
    if (ret == 0 && w == f->width && h == f->height && pf == f->fourcc &&
        (!v->mplane || fmt.fmt.pix_mp.num_planes == 1) && image <= f->bytes)
        return 0;
    char formats[96];
    list_formats(v->fd, type, formats, sizeof(formats));
    snprintf(why, why_len,
             "v4l2: the device does not take %s:%ux%u on its %s queue as one %zu B "
             "plane (it offers %s)",
             f->pixel, f->width, f->height, type == v->out_type ? "OUTPUT" : "CAPTURE", f->bytes,
             formats);
    return ret < 0 && ret != -EINVAL ? ret : -EOPNOTSUPP;
}

static int request_buffers(struct v4l2_engine *v, enum v4l2_buf_type type, unsigned count)
{
    struct v4l2_requestbuffers req = {.count = count, .type = type, .memory = V4L2_MEMORY_DMABUF};
    int ret = heap_ioctl(v->fd, VIDIOC_REQBUFS, &req);
    if (ret < 0)
        return ret;
    return count && req.count < count ? -ENOBUFS : 0;
}

static void v4l2_close(struct engine *e)
{
    struct v4l2_engine *v = e->priv;
    enum v4l2_buf_type types[2] = {v->out_type, v->cap_type};
    for (int i = 0; i < 2; i++) {
        if (v->streaming & (1 << i))
            heap_ioctl(v->fd, VIDIOC_STREAMOFF, &types[i]);
        request_buffers(v, types[i], 0);
    }
    close(v->fd);
    free(v);
}

static int v4l2_open(struct engine *e, const struct engine_config *cfg, char *why, size_t why_len)
{
    if (!cfg->has_format) {
        snprintf(why, why_len, "v4l2: a mem2mem device processes frames: the case needs a format");
        return -EOPNOTSUPP;
    }
    struct v4l2_engine *v = calloc(1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    char path[300], card[40], found[ENGINE_REASON_MAX / 2];
    v->fd = open_m2m(cfg->device, &v->mplane, path, sizeof(path), card, sizeof(card), found,
                     sizeof(found));
    if (v->fd < 0) {
        int ret = v->fd;
        snprintf(why, why_len, "v4l2: no mem2mem device to open");
        free(v);
        return ret;
    }
    e->priv = v;
    v->out_type = v->mplane ? V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE : V4L2_BUF_TYPE_VIDEO_OUTPUT;
    v->cap_type = v->mplane ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE : V4L2_BUF_TYPE_VIDEO_CAPTURE;
    v->slots = cfg->slots < V4L2_MAX_SLOTS ? cfg->slots : V4L2_MAX_SLOTS;
    v->frame_bytes = cfg->format.bytes;
    int ret = set_format(v, v->out_type, &cfg->format, why, why_len);
    if (!ret)
        ret = set_format(v, v->cap_type, &cfg->format, why, why_len);
    if (!ret && (ret = request_buffers(v, v->out_type, v->slots)) != 0)
        snprintf(why, why_len, "v4l2: %s: %u OUTPUT buffers", path, v->slots);
    if (!ret && (ret = request_buffers(v, v->cap_type, v->slots)) != 0)
        snprintf(why, why_len, "v4l2: %s: %u CAPTURE buffers", path, v->slots);
    enum v4l2_buf_type types[2] = {v->out_type, v->cap_type};
    for (int i = 0; !ret && i < 2; i++) {
        ret = heap_ioctl(v->fd, VIDIOC_STREAMON, &types[i]);
        if (ret < 0)
            snprintf(why, why_len, "v4l2: %s: STREAMON", path);
        else
            v->streaming |= 1 << i;
    }
    if (ret < 0) {
        v4l2_close(e);
        e->priv = NULL;
        return ret;
    }
    return 0;
}

/* V4L2 imports the dma-buf at QBUF time (and keeps it while the same fd is queued on that
 * index), so attaching only checks that the buffer can hold a frame. */
static int v4l2_attach(struct engine *e, struct engine_buf *b, char *why, size_t why_len)
{
    struct v4l2_engine *v = e->priv;
    if (b->buf->size < v->frame_bytes) {
        snprintf(why, why_len, "v4l2: a %zu B buffer cannot hold a %zu B frame", b->buf->size,
                 v->frame_bytes);
        return -EINVAL;
    }
    return 0;
}

static void v4l2_detach(struct engine_buf *b)
{
    (void)b;
}

static int queue_buffer(struct v4l2_engine *v, enum v4l2_buf_type type, unsigned index,
                        const struct heap_buf *buf, size_t used)
{
    struct v4l2_plane plane = {
            .m.fd = buf->fd, .length = (__u32)buf->size, .bytesused = (__u32)used};
    struct v4l2_buffer b = {.index = index, .type = type, .memory = V4L2_MEMORY_DMABUF};
    if (v->mplane) {
        b.m.planes = &plane;
        b.length = 1;
    } else {
        b.m.fd = buf->fd;
        b.length = (__u32)buf->size;
        b.bytesused = (__u32)used;
    }
    return heap_ioctl(v->fd, VIDIOC_QBUF, &b);
}

static int v4l2_submit(struct engine *e, const struct engine_job *job, uint64_t ticket)
{
    struct v4l2_engine *v = e->priv;
    if (job->src_off || job->dst_off || job->len != v->frame_bytes)
        return -EINVAL; /* a device processes whole frames */
    if (ticket - v->completed > v->slots)
        return -EBUSY; /* more jobs in flight than buffers were requested */
    unsigned index = (unsigned)(ticket % v->slots);
    int ret = queue_buffer(v, v->cap_type, index, job->dst->buf, 0);
    if (ret == 0)
        ret = queue_buffer(v, v->out_type, index, job->src->buf, job->len);
    return ret < 0 ? ret : 0;
}

/* Dequeue one buffer of a queue: 1 when one came back, 0 when none is ready, or -errno. */
static int dequeue(struct v4l2_engine *v, enum v4l2_buf_type type, bool *error)
{
    struct v4l2_plane plane = {0};
    struct v4l2_buffer b = {.type = type, .memory = V4L2_MEMORY_DMABUF};
    if (v->mplane) {
        b.m.planes = &plane;
        b.length = 1;
    }
    int ret = heap_ioctl(v->fd, VIDIOC_DQBUF, &b);
    if (ret == -EAGAIN)
        return 0;
    if (ret < 0)
        return ret;
    *error = (b.flags & V4L2_BUF_FLAG_ERROR) != 0;
    return 1;
}

/* m2m devices finish jobs in order: the CAPTURE buffers come back one per job. */
static int v4l2_wait(struct engine *e, uint64_t ticket, int timeout_ms)
{
    struct v4l2_engine *v = e->priv;
    int err = 0;
    while (v->completed < ticket) {
        bool bad = false;
        int got = dequeue(v, v->cap_type, &bad);
        if (got < 0)
            return got;
        if (got) {
            bool ignored;
            /* The source comes back too; its slot is free once it has. */
            while (dequeue(v, v->out_type, &ignored) == 0) {
                struct pollfd p = {.fd = v->fd, .events = POLLOUT};
                if (poll(&p, 1, timeout_ms) <= 0)
                    break;
            }
            v->completed++;
            if (bad && !err)
                err = -EIO;
            continue;
        }
        struct pollfd p = {.fd = v->fd, .events = POLLIN};
        int n = poll(&p, 1, timeout_ms);
        if (n == 0)
            return -ETIMEDOUT;
        if (n < 0 && errno != EINTR)
            return -errno;
        if (n > 0 && (p.revents & (POLLERR | POLLHUP)) && !(p.revents & POLLIN))
            return -EIO;
    }
    return err;
}

const struct engine_ops engine_v4l2_ops = {
        .name = "v4l2",
        .label = "V4L2 mem2mem device",
        .caps = ENGINE_CAP_OP(ENGINE_OP_COPY) | ENGINE_CAP_IMPORT,
        .device_dir = "/dev",
        .device_class = "video4linux",
        .probe = v4l2_probe,
        .devices = v4l2_devices,
        .open = v4l2_open,
        .close = v4l2_close,
        .attach = v4l2_attach,
        .detach = v4l2_detach,
        .submit = v4l2_submit,
        .wait = v4l2_wait,
};
