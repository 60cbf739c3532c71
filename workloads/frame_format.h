/* workloads/frame_format.h - video frame formats: what a pipeline moves and an engine converts.
 *
 * "nv12:1920x1080", "rgba:4k", "rgb24:1080p": a pixel format and a size, with the bytes per
 * frame and the V4L2 fourcc a mem2mem device is asked for. Frames are single buffers (NV12's
 * chroma plane follows its luma plane), as camera and codec pools allocate them.
 */
#ifndef DMABENCH_FRAME_FORMAT_H
#define DMABENCH_FRAME_FORMAT_H

#include <stddef.h>
#include <stdint.h>

struct frame_format {
    const char *pixel; /* "nv12", "rgba", "rgb24", "yuyv", "rgb565" */
    uint32_t fourcc;   /* V4L2_PIX_FMT_* */
    unsigned width, height;
    unsigned bits_per_pixel; /* average, over all planes (NV12: 12) */
    size_t bytes;            /* one frame */
    size_t bytes_per_line;   /* of the first plane */
};

/* "PIXEL:WIDTHxHEIGHT" or "PIXEL:NAME" with NAME 720p, 1080p, 4k (3840x2160); sizes from 16
 * to 16384, even where the format subsamples chroma. 0, or -EINVAL. */
int frame_format_parse(const char *text, struct frame_format *out);
/* The pixel name of a V4L2 fourcc ("rgb565" for RGBP), or NULL when it is none of ours. */
const char *frame_pixel_of_fourcc(uint32_t fourcc);
/* Canonical text: "nv12:1920x1080". */
void frame_format_text(const struct frame_format *f, char *out, size_t out_len);

#endif
