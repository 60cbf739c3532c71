/* heaps/drm_node.c - the DRM nodes in /dev/dri and the driver behind one (see drm_node.h). */
#include "drm_node.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drm_abi.h"
#include "heap_dev.h"
#include "heap_ioctl.h"

int drm_driver_name(int fd, char *name, size_t len)
{
    struct drm_version v = {.name_len = len - 1, .name = name};
    memset(name, 0, len);
    int ret = heap_ioctl(fd, DRM_IOCTL_VERSION, &v);
    return ret < 0 ? ret : 0;
}

static int by_number(const void *a, const void *b)
{
    return strverscmp(a, b);
}

int drm_nodes(const char *prefix, char names[][DRM_NODE_NAME_MAX], size_t max)
{
    char dir_path[256];
    int ret = heap_dev_path(dir_path, sizeof(dir_path), "/dev/dri");
    if (ret)
        return ret;
    DIR *dir = opendir(dir_path);
    if (!dir)
        return -errno;
    size_t n = 0, len = strlen(prefix);
    struct dirent *de;
    while (n < max && (de = readdir(dir))) {
        const char *d = de->d_name;
        if (strncmp(d, prefix, len) || !d[len] || strspn(d + len, "0123456789") != strlen(d + len))
            continue;
        size_t d_len = strlen(d);
        if (d_len < DRM_NODE_NAME_MAX)
            memcpy(names[n++], d, d_len + 1);
    }
    closedir(dir);
    qsort(names, n, DRM_NODE_NAME_MAX, by_number);
    return (int)n;
}
