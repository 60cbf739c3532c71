/* heaps/v4l2_frame.h - the v4l2 heap backend's rules that need no video device.
 *
 * A V4L2 buffer is a frame, not a byte count: these name a node's queues as heaps, find which
 * queues a node's capabilities offer, turn a byte size into the height of a frame that holds it,
 * say what a frame is in a row's note, and tell a class from the dma-buf's exporter. The backend
 * (heaps/backend_v4l2.c) uses them; the unit tests check them without a device.
 */
#ifndef DMABENCH_V4L2_FRAME_H
#define DMABENCH_V4L2_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "heap.h"

/* One plane's format as the driver answered it (G_FMT, TRY_FMT, S_FMT). */
struct v4l2_frame {
    uint32_t pixelformat; /* fourcc */
    uint32_t width, height;
    uint32_t bytesperline;
    uint32_t sizeimage; /* bytes the driver wants for one frame */
};

/* The queues of a node that may be heaps: buffer types (V4L2_BUF_TYPE_*), 0 when absent. */
struct v4l2_queues {
    uint32_t capture, output;
    bool m2m; /* every open is its own context: no lock between allocations */
};

/* The queues a node's device caps (QUERYCAP's device_caps) offer for streaming: -ENODEV
 * without V4L2_CAP_STREAMING or without a video capture, output or mem2mem queue. */
int v4l2_queues_of_caps(uint32_t caps, struct v4l2_queues *out);
/* "v4l2-video0-capture" from the node's name ("video0") and the queue; -ENAMETOOLONG. */
int v4l2_heap_name(char *out, size_t out_len, const char *node, bool capture);
/* The fourcc as its four characters ("RGBP"), '?' for each one that is not printable. */
void v4l2_fourcc_text(uint32_t fourcc, char out[5]);
/* The first height to ask for so that a frame of cur's format and width holds size bytes: the
 * bytes per line that cur's sizeimage implies (chroma planes included), rounded up; at least 1,
 * UINT32_MAX when it does not fit. */
uint32_t v4l2_frame_height_for(size_t size, const struct v4l2_frame *cur);
/* After the driver answered got for a height that fell short of size: the next height to ask
 * for (always more than got->height, UINT32_MAX when it cannot grow). */
uint32_t v4l2_frame_height_after(size_t size, const struct v4l2_frame *got);
/* The note a row of a v4l2 heap carries: "v4l2 RGBP 640x52 sizeimage 66560 B", with the buffer's
 * size where VIDIOC_CREATE_BUFS made it bigger than the largest frame (created_bytes; 0 when the
 * frame is the buffer), and "DMA_BUF_IOCTL_SYNC does no cache maintenance (EXPORTER has no
 * CPU-access hooks)" where the exporter has none. Returns snprintf's count. */
int v4l2_frame_describe(char *out, size_t out_len, const struct v4l2_frame *f, size_t created_bytes,
                        const char *exporter);
/* The class of a videobuf2 allocator's buffers by the dma-buf exporter's name (fdinfo exp_name):
 * videobuf2_vmalloc and videobuf2_dma_sg map cached; videobuf2_dma_contig's coherent memory is
 * cached or write-combined as the platform's DMA is coherent or not, so it is unknown, as is any
 * other; *why (may be NULL) says why (NULL when known). */
enum heap_class v4l2_class_of_exporter(const char *exporter, const char **why);
/* Whether DMA_BUF_IOCTL_SYNC reaches cache maintenance in this exporter: false for
 * videobuf2_vmalloc, whose dma-buf ops have no begin_cpu_access/end_cpu_access. */
bool v4l2_exporter_syncs(const char *exporter);

#endif
