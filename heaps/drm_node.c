/* heaps/drm_node.c - the DRM nodes in /dev/dri and the driver behind one (see drm_node.h). */
#include "drm_node.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dev_node.h"
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

int drm_nodes(const char *prefix, char names[][DRM_NODE_NAME_MAX], size_t max)
{
    char dir_path[256];
    int ret = heap_dev_path(dir_path, sizeof(dir_path), "/dev/dri");
    if (ret)
        return ret;
    DIR *dir = opendir(dir_path);
    if (!dir)
        return -errno;
    /* Every entry is read, and the max lowest-numbered kept in order (insertion into names):
     * readdir's order is the directory's, not the nodes' numbers. */
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        const char *d = de->d_name;
        size_t d_len = strlen(d);
        if (!dev_node_numbered(d, prefix) || d_len >= DRM_NODE_NAME_MAX)
            continue;
        size_t at = n;
        while (at > 0 && strverscmp(d, names[at - 1]) < 0)
            at--;
        if (at == max)
            continue; /* higher than all max kept */
        size_t moved = (n < max ? n : max - 1) - at;
        memmove(names[at + 1], names[at], moved * DRM_NODE_NAME_MAX);
        memcpy(names[at], d, d_len + 1);
        n += n < max;
    }
    closedir(dir);
    return (int)n;
}

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
