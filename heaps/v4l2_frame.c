/* heaps/v4l2_frame.c - the v4l2 heap's rules without a device: queue names, the height of a
 * frame that holds a size, the row's note, and the class and sync of videobuf2's exporters.
 *
 * Kept apart from the ioctls (heaps/backend_v4l2.c) so that tests/unit/test_v4l2_frame.c can
 * check every rule on a host without video nodes.
 */
#include "v4l2_frame.h"

#include <errno.h>
#include <linux/videodev2.h>
#include <stdio.h>
#include <string.h>

int v4l2_queues_of_caps(uint32_t caps, struct v4l2_queues *out)
{
    *out = (struct v4l2_queues){0};
    if (!(caps & V4L2_CAP_STREAMING))
        return -ENODEV;
    out->m2m = caps & (V4L2_CAP_VIDEO_M2M | V4L2_CAP_VIDEO_M2M_MPLANE);
    /* Single-planar first: a driver offering both answers the older API the same. */
    if (caps & (V4L2_CAP_VIDEO_M2M | V4L2_CAP_VIDEO_CAPTURE))
        out->capture = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    else if (caps & (V4L2_CAP_VIDEO_M2M_MPLANE | V4L2_CAP_VIDEO_CAPTURE_MPLANE))
        out->capture = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
    if (caps & (V4L2_CAP_VIDEO_M2M | V4L2_CAP_VIDEO_OUTPUT))
        out->output = V4L2_BUF_TYPE_VIDEO_OUTPUT;
    else if (caps & (V4L2_CAP_VIDEO_M2M_MPLANE | V4L2_CAP_VIDEO_OUTPUT_MPLANE))
        out->output = V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;
    return out->capture || out->output ? 0 : -ENODEV;
}

int v4l2_heap_name(char *out, size_t out_len, const char *node, bool capture)
{
    int n = snprintf(out, out_len, "v4l2-%s-%s", node, capture ? "capture" : "output");
    return n < 0 || (size_t)n >= out_len ? -ENAMETOOLONG : 0;
}

void v4l2_fourcc_text(uint32_t fourcc, char out[5])
{
    for (int i = 0; i < 4; i++) {
        char c = (char)((fourcc >> (8 * i)) & 0xff);
        out[i] = c >= 0x20 && c < 0x7f ? c : '?';
    }
    out[4] = '\0';
}

/* ceil(bytes * lines / frame_bytes) lines, at least 1, UINT32_MAX when more. */
static uint32_t lines_for(size_t bytes, uint32_t lines, uint32_t frame_bytes)
{
    if (!lines || !frame_bytes)
        return 1;
    unsigned __int128 n = ((unsigned __int128)bytes * lines + frame_bytes - 1) / frame_bytes;
    return n > UINT32_MAX ? UINT32_MAX : n ? (uint32_t)n : 1;
}

uint32_t v4l2_frame_height_for(size_t size, const struct v4l2_frame *cur)
{
    if (cur->sizeimage && cur->height)
        return lines_for(size, cur->height, cur->sizeimage);
    return lines_for(size, 1, cur->bytesperline);
}

uint32_t v4l2_frame_height_after(size_t size, const struct v4l2_frame *got)
{
    size_t short_by = size > got->sizeimage ? size - got->sizeimage : 1;
    uint32_t more = v4l2_frame_height_for(short_by, got);
    return more > UINT32_MAX - got->height ? UINT32_MAX : got->height + more;
}

bool v4l2_exporter_syncs(const char *exporter)
{
    /* videobuf2-vmalloc.c's vb2_vmalloc_dmabuf_ops: no begin_cpu_access, no end_cpu_access. */
    return strcmp(exporter, "videobuf2_vmalloc") != 0;
}

int v4l2_frame_describe(char *out, size_t out_len, const struct v4l2_frame *f, size_t created_bytes,
                        const char *exporter)
{
    char fourcc[5], buffer[64] = "";
    v4l2_fourcc_text(f->pixelformat, fourcc);
    if (created_bytes)
        snprintf(buffer, sizeof(buffer), ", buffer %zu B (VIDIOC_CREATE_BUFS)", created_bytes);
    bool syncs = v4l2_exporter_syncs(exporter);
    return snprintf(out, out_len, "v4l2 %s %ux%u sizeimage %u B%s%s%s%s", fourcc, f->width,
                    f->height, f->sizeimage, buffer,
                    syncs ? "" : "; DMA_BUF_IOCTL_SYNC does no cache maintenance (",
                    syncs ? "" : exporter, syncs ? "" : " has no CPU-access hooks)");
}

enum heap_class v4l2_class_of_exporter(const char *exporter, const char **why)
{
    enum heap_class klass = HEAP_CLASS_UNKNOWN;
    const char *reason = "exporter not known to videobuf2's allocators: --heap-class to say";
    if (!strcmp(exporter, "videobuf2_vmalloc") || !strcmp(exporter, "videobuf2_dma_sg"))
        klass = HEAP_CLASS_CACHED;
    else if (!exporter[0])
        reason = "the dma-buf's exporter was not read (/proc/self/fdinfo): --heap-class to say";
    else if (!strcmp(exporter, "videobuf2_dma_contig"))
        reason = "videobuf2_dma_contig maps cached or write-combined as the platform's DMA is "
                 "coherent or not: --heap-class to say";
    if (why)
        *why = klass == HEAP_CLASS_UNKNOWN ? reason : NULL;
    return klass;
}
