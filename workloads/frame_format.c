/* workloads/frame_format.c - parsing and sizing frame formats.
 *
 * The table holds what each pixel format costs in bytes and what V4L2 calls it; sizes come
 * as WxH or as the names people use for them, and are kept in one canonical spelling so that
 * "nv12:1080p" and "nv12:1920x1080" are one sweep value and one case id.
 */
#include "frame_format.h"

#include <ctype.h>
#include <errno.h>
#include <linux/videodev2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    uint32_t fourcc;
    unsigned bpp;
    unsigned line_bpp; /* bits per pixel of the first plane */
    unsigned even;     /* width and height must be even (subsampled chroma) */
} pixels[] = {
        {"nv12", V4L2_PIX_FMT_NV12, 12, 8, 1},      {"rgba", V4L2_PIX_FMT_RGBA32, 32, 32, 0},
        {"rgb24", V4L2_PIX_FMT_RGB24, 24, 24, 0},   {"yuyv", V4L2_PIX_FMT_YUYV, 16, 16, 1},
        {"rgb565", V4L2_PIX_FMT_RGB565, 16, 16, 0},
};

static const struct {
    const char *name;
    unsigned width, height;
} sizes[] = {{"720p", 1280, 720}, {"1080p", 1920, 1080}, {"4k", 3840, 2160}};

#define FRAME_MIN 16
#define FRAME_MAX 16384

static int parse_dimension(const char *text, char **end, unsigned *out)
{
    if (!isdigit((unsigned char)*text))
        return -EINVAL;
    unsigned long v = strtoul(text, end, 10);
    if (v < FRAME_MIN || v > FRAME_MAX)
        return -EINVAL;
    *out = (unsigned)v;
    return 0;
}

static int parse_size(const char *text, unsigned *w, unsigned *h)
{
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        if (!strcmp(text, sizes[i].name)) {
            *w = sizes[i].width;
            *h = sizes[i].height;
            return 0;
        }
    }
    char *end;
    if (parse_dimension(text, &end, w) || *end != 'x' || parse_dimension(end + 1, &end, h) || *end)
        return -EINVAL;
    return 0;
}

int frame_format_parse(const char *text, struct frame_format *out)
{
    const char *colon = strchr(text, ':');
    if (!colon)
        return -EINVAL;
    size_t len = (size_t)(colon - text);
    for (size_t i = 0; i < sizeof(pixels) / sizeof(pixels[0]); i++) {
        if (strlen(pixels[i].name) != len || strncmp(text, pixels[i].name, len))
            continue;
        struct frame_format f = {.pixel = pixels[i].name,
                                 .fourcc = pixels[i].fourcc,
                                 .bits_per_pixel = pixels[i].bpp};
        if (parse_size(colon + 1, &f.width, &f.height))
            return -EINVAL;
        if (pixels[i].even && (f.width % 2 || f.height % 2))
            return -EINVAL;
        f.bytes = (size_t)f.width * f.height * pixels[i].bpp / 8;
        f.bytes_per_line = (size_t)f.width * pixels[i].line_bpp / 8;
        *out = f;
        return 0;
    }
    return -EINVAL;
}

void frame_format_text(const struct frame_format *f, char *out, size_t out_len)
{
    snprintf(out, out_len, "%s:%ux%u", f->pixel, f->width, f->height);
}

const char *frame_pixel_of_fourcc(uint32_t fourcc)
{
    for (size_t i = 0; i < sizeof(pixels) / sizeof(pixels[0]); i++)
        if (pixels[i].fourcc == fourcc)
            return pixels[i].name;
    return NULL;
}
