/* workloads/drm_import.c - PRIME import of a dma-buf into a DRM driver, and opening a DRM node.
 *
 * The one copy of the import the vgem engine (vgem's card, plus its fences) and the drm engine
 * (any DRM driver's render node) both make: an importer whose attachment is what makes the
 * exporter's DMA_BUF_IOCTL_SYNC maintain caches at all on mainline heaps.
 */
#include "drm_import.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "drm_abi.h"
#include "drm_node.h"
#include "heap_dev.h"
#include "heap_ioctl.h"

int drm_node_open_first(const char *prefix, const char *driver, char *path, size_t path_len,
                        char *found, size_t found_len)
{
    char names[DRM_MAX_NODES][DRM_NODE_NAME_MAX], rel[64];
    int n = drm_nodes(prefix, names, DRM_MAX_NODES);
    size_t used = 0;
    found[0] = '\0';
    for (int i = 0; i < n; i++) {
        snprintf(rel, sizeof(rel), "/dev/dri/%.*s", DRM_NODE_NAME_MAX - 1, names[i]);
        if (heap_dev_path(path, path_len, rel))
            continue;
        int fd = open(path, O_RDWR | O_CLOEXEC);
        char name[DRM_DRIVER_NAME_MAX] = "";
        if (fd >= 0 && drm_driver_name(fd, name, sizeof(name)) == 0 &&
            (!driver || !strcmp(name, driver)))
            return fd;
        used += (size_t)snprintf(found + used, found_len - used, "%s%s (%s)", used ? ", " : "",
                                 names[i],
                                 fd < 0    ? strerror(errno)
                                 : name[0] ? name
                                           : "?");
        if (used >= found_len)
            used = found_len - 1;
        if (fd >= 0)
            close(fd);
    }
    return n < 0 ? n : -ENODEV;
}

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
