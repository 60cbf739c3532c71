/* heaps/dev_node.h - a device node the user names by path, resolved and checked for its kind.
 *
 * `--engine v4l2:/dev/video3`, `--heap drm-dumb:/dev/dri/card0`: the path may be a link
 * (/dev/v4l/by-path/...); what counts is the node it leads to, which must be a character device
 * of the sysfs class the user of it expects (/sys/dev/char/MAJ:MIN/subsystem: drm,
 * video4linux). Paths and sysfs are looked up under $DMABENCH_DEV_ROOT, as every device is.
 */
#ifndef DMABENCH_DEV_NODE_H
#define DMABENCH_DEV_NODE_H

#include <stdbool.h>
#include <stddef.h>

#define DEV_NODE_PATH_MAX 256
#define DEV_NODE_NAME_MAX 48

struct dev_node {
    char path[DEV_NODE_PATH_MAX]; /* where it resolves to, as seen from the device root */
    char dir[DEV_NODE_PATH_MAX];  /* its folder: "/dev", "/dev/dri" */
    char name[DEV_NODE_NAME_MAX]; /* its last component: "video3", "renderD128" */
};

/* Resolve path (absolute) and check that it is a character device of sysfs class klass (any
 * class when klass is NULL). 0; -EINVAL (not absolute), -ENOENT (it does not exist), -ENODEV
 * (not a character device, or one of another class), -ENAMETOOLONG, or the -errno of a lookup;
 * why names the path and says why in words. */
int dev_node_resolve(const char *path, const char *klass, struct dev_node *out, char *why,
                     size_t why_len);
/* Whether a /dev entry's name is prefix followed by one digit or more and nothing else
 * ("video3", "renderD128", "udmabuf0"; not "video", "video3a", "videoX"). */
bool dev_node_numbered(const char *name, const char *prefix);

#endif
