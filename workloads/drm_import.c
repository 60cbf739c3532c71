/* workloads/drm_import.c - PRIME import of a dma-buf into a DRM driver.
 *
 * The one copy of the import the vgem engine (vgem's card, plus its fences) and the drm engine
 * (any DRM driver's render node) both make: an importer whose attachment is what makes the
 * exporter's DMA_BUF_IOCTL_SYNC maintain caches at all on mainline heaps.
 */
#include "drm_import.h"

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "drm_abi.h"
#include "heap_ioctl.h"

void drm_import_set_fd(struct engine *e, int fd)
{
    e->priv = (void *)(intptr_t)fd;
}

int drm_import_fd(const struct engine *e)
{
    return (int)(intptr_t)e->priv;
}

void drm_import_close(struct engine *e)
{
    close(drm_import_fd(e));
}

int drm_import_attach(struct engine *e, struct engine_buf *b, char *why, size_t why_len)
{
    struct drm_prime_handle prime = {.fd = b->buf->fd};
    int ret = heap_ioctl_restart(drm_import_fd(e), DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime);
    if (ret < 0) {
        snprintf(why, why_len, "%s: PRIME import of a %zu B %s buffer", b->engine->ops->name,
                 b->buf->size, b->buf->heap->info.name);
        return ret;
    }
    b->priv_word = prime.handle;
    return 0;
}

void drm_import_detach(struct engine_buf *b)
{
    struct drm_gem_close req = {.handle = (__u32)b->priv_word};
    heap_ioctl(drm_import_fd(b->engine), DRM_IOCTL_GEM_CLOSE, &req);
}
