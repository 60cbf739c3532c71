/* workloads/engine_drm.c - the `drm` engine: any DRM driver as a dma-buf importer.
 *
 * The importer product kernels have: a GPU's or display controller's render node
 * (--engine drm:/dev/dri/renderD128; the first render node when none is named). Importing a
 * buffer is the PRIME import vgem's engine makes (workloads/drm_import.c): drivers on the PRIME
 * helpers map the attachment at import and keep it mapped while the GEM handle lives, so sync's
 * importers are real device mappings; drivers with their own import (i915, amdgpu, xe) map on
 * use instead. It moves no data and puts no fences: those are the vgem engine's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "drm_import.h"
#include "engine.h"
#include "heap_dev.h"

#define DRM_NODE_PREFIX "renderD"

/* Open the node named (a path under /dev/dri, from engine_choose) or the first render node.
 * The fd, its path in path and its driver in driver; or -errno with the reason in why. */
static int open_node(const char *device, char *path, size_t path_len, char *driver,
                     size_t driver_len, char *why, size_t why_len)
{
    char found[ENGINE_REASON_MAX / 2];
    int fd;
    if (device && device[0]) {
        fd = heap_dev_path(path, path_len, device);
        if (!fd)
            fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            fd = fd == -1 ? -errno : fd;
            snprintf(why, why_len, "%.100s: %s", device, strerror(-fd));
            return fd;
        }
    } else {
        fd = drm_node_open_first(DRM_NODE_PREFIX, NULL, path, path_len, found, sizeof(found));
        if (fd == -ENOENT)
            snprintf(why, why_len, "no /dev/dri: kernel without DRM, or no DRM driver loaded");
        else if (fd == -ENODEV && found[0])
            snprintf(why, why_len, "no render node answers as a DRM device (found %s)", found);
        else if (fd == -ENODEV)
            snprintf(why, why_len, "no /dev/dri/renderD* (no render-capable DRM driver)");
        else if (fd < 0)
            snprintf(why, why_len, "/dev/dri: %s", strerror(-fd));
        if (fd < 0)
            return fd;
    }
    int ret = drm_driver_name(fd, driver, driver_len);
    if (ret) {
        snprintf(why, why_len, "%.100s: not a DRM device (DRM_IOCTL_VERSION: %s)",
                 device ? device : path, strerror(-ret));
        close(fd);
        return ret;
    }
    return fd;
}

static void drm_probe(const char *device, struct engine_probe *out)
{
    char path[300], driver[DRM_DRIVER_NAME_MAX];
    int fd = open_node(device, path, sizeof(path), driver, sizeof(driver), out->reason,
                       sizeof(out->reason));
    if (fd < 0) {
        out->err = fd == -ENOENT ? -ENODEV : fd;
        return;
    }
    close(fd);
    out->available = true;
    snprintf(out->detail, sizeof(out->detail), "%.140s: %.31s (PRIME import)", path, driver);
}

static size_t drm_devices(struct engine_device *out, size_t max)
{
    char names[DRM_MAX_NODES][DRM_NODE_NAME_MAX];
    int n = drm_nodes(DRM_NODE_PREFIX, names, DRM_MAX_NODES);
    for (int i = 0; i < n && (size_t)i < max; i++) {
        char device[64], path[300], driver[DRM_DRIVER_NAME_MAX];
        struct engine_device *d = &out[i];
        /* names[i] holds at most DRM_NODE_NAME_MAX - 1 characters (drm_nodes keeps no longer) */
        snprintf(d->node, sizeof(d->node), "%.*s", DRM_NODE_NAME_MAX - 1, names[i]);
        snprintf(device, sizeof(device), "/dev/dri/%.*s", DRM_NODE_NAME_MAX - 1, names[i]);
        int fd = open_node(device, path, sizeof(path), driver, sizeof(driver), d->detail,
                           sizeof(d->detail));
        d->usable = fd >= 0;
        if (fd >= 0) {
            close(fd);
            snprintf(d->detail, sizeof(d->detail), "driver %s (PRIME import)", driver);
        }
    }
    return n < 0 ? 0 : (size_t)n;
}

static int drm_open(struct engine *e, const struct engine_config *cfg, char *why, size_t why_len)
{
    char path[300], driver[DRM_DRIVER_NAME_MAX], reason[ENGINE_REASON_MAX];
    int fd = open_node(cfg->device, path, sizeof(path), driver, sizeof(driver), reason,
                       sizeof(reason));
    if (fd < 0) {
        snprintf(why, why_len, "drm: %s", reason);
        return fd;
    }
    drm_import_set_fd(e, fd);
    return 0;
}

/* No data operations (engine_submit refuses every job first, so no ticket is ever handed
 * out and engine_wait refuses too): .submit and .wait stay NULL. */
const struct engine_ops engine_drm_ops = {
        .name = "drm",
        .label = "DRM PRIME importer (any DRM driver; no data movement)",
        .caps = ENGINE_CAP_IMPORT | ENGINE_CAP_MAPPED_ATTACH,
        .device_dir = "/dev/dri",
        .device_class = "drm",
        .defers_to = "vgem",
        .probe = drm_probe,
        .devices = drm_devices,
        .open = drm_open,
        .close = drm_import_close,
        .attach = drm_import_attach,
        .detach = drm_import_detach,
};
