/* heaps/drm_node.h - the DRM nodes in /dev/dri and the driver behind one.
 *
 * The drm-dumb heap (a heap per card) and the vgem and drm engines (render nodes) find their
 * nodes the same way: /dev/dri/PREFIXn in number order, under heap_dev_path's root so that
 * tests plant them, and the driver's name from DRM_IOCTL_VERSION; the engines open the first
 * node of a driver.
 */
#ifndef DMABENCH_DRM_NODE_H
#define DMABENCH_DRM_NODE_H

#include <stddef.h>

#define DRM_DRIVER_NAME_MAX 32
#define DRM_NODE_NAME_MAX   32
#define DRM_MAX_NODES       32

/* The driver name of an open DRM file, or -errno (-ENOTTY: not a DRM device). */
int drm_driver_name(int fd, char *name, size_t len);
/* The names of /dev/dri/PREFIXn ("card0", "renderD128"), in number order, at most max: how
 * many, or -errno (-ENOENT: no /dev/dri). */
int drm_nodes(const char *prefix, char names[][DRM_NODE_NAME_MAX], size_t max);
/* Open a DRM node read-write: the first /dev/dri/PREFIXn whose driver is driver (any driver when
 * NULL). The fd, with its path in path; or -errno (-ENOENT: no /dev/dri, -ENODEV: no such
 * node), with what else was there in found ("card0 (bochs-drm)"). */
int drm_node_open_first(const char *prefix, const char *driver, char *path, size_t path_len,
                        char *found, size_t found_len);

#endif
