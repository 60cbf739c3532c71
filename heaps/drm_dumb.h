/* heaps/drm_dumb.h - the drm-dumb backend's rules that need no DRM device: sizes and classes.
 *
 * A dumb buffer is asked for as width x height x bpp, not in bytes: these turn a byte size into
 * that shape, and a DRM driver's name into the class of its buffers' CPU mappings. The backend
 * (heaps/backend_drm_dumb.c) uses them; the unit tests check them without a card.
 */
#ifndef DMABENCH_DRM_DUMB_H
#define DMABENCH_DRM_DUMB_H

#include <stddef.h>
#include <stdint.h>

#include "heap.h"

/* Every buffer is DRM_DUMB_WIDTH pixels of DRM_DUMB_BPP bits a line: 4096 bytes, one page on
 * most kernels, so a line count is a page count and the kernel's size is the one asked for. */
#define DRM_DUMB_WIDTH      1024u
#define DRM_DUMB_BPP        32u
#define DRM_DUMB_LINE_BYTES (DRM_DUMB_WIDTH * (DRM_DUMB_BPP / 8u))
/* The largest buffer DRM_IOCTL_MODE_CREATE_DUMB takes at that width: the kernel refuses
 * height x pitch above U32_MAX (drm_mode_create_dumb). */
#define DRM_DUMB_MAX_SIZE ((size_t)(UINT32_MAX / DRM_DUMB_LINE_BYTES) * DRM_DUMB_LINE_BYTES)

struct drm_dumb_geometry {
    uint32_t width, height, bpp;
    size_t size; /* width x height x bpp / 8: size rounded up to whole lines */
};

/* The shape of a buffer of at least size bytes. -EINVAL for 0, -EOVERFLOW above
 * DRM_DUMB_MAX_SIZE. */
int drm_dumb_geometry_for(size_t size, struct drm_dumb_geometry *out);

/* The class of a driver's dumb buffers, by its DRM_IOCTL_VERSION name: shmem-backed drivers
 * (vgem, virtio_gpu ...) and the GEM VRAM helper ones (bochs-drm) are cached, the DMA/CMA helper
 * drivers of SoC display controllers map write-combined and are uncached; anything else is unknown,
 * and *why (may be NULL) says so (NULL when the class is known). */
enum heap_class drm_dumb_class_of_driver(const char *driver, const char **why);

/* What a driver's dumb buffers cannot do that its class does not say, in words for the heap's
 * note, or NULL: the GEM VRAM helper drivers (bochs-drm) keep buffers in system RAM until
 * scanout and export dma-bufs that no device can attach. */
const char *drm_dumb_limits_of_driver(const char *driver);

#endif
