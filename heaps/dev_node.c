/* heaps/dev_node.c - resolves a device path the user gave and says what kind of device it is.
 *
 * One place for the checks every device chosen by path goes through (engines, heaps named by
 * their node), so that a path that does not exist, is no device, or is the wrong device reads
 * the same everywhere: a one-line reason naming the path.
 */
#include "dev_node.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "heap_dev.h"

bool dev_node_numbered(const char *name, const char *prefix)
{
    size_t len = strlen(prefix);
    if (strncmp(name, prefix, len) || !name[len])
        return false;
    return strspn(name + len, "0123456789") == strlen(name + len);
}

/* The sysfs class of the character device major:minor ("drm", "video4linux", "mem"), or
 * -errno. */
static int dev_node_class(unsigned major, unsigned minor, char *out, size_t out_len)
{
    char rel[64], link[PATH_MAX], target[PATH_MAX];
    snprintf(rel, sizeof(rel), "/sys/dev/char/%u:%u/subsystem", major, minor);
    int ret = heap_dev_path(link, sizeof(link), rel);
    if (ret)
        return ret;
    ssize_t n = readlink(link, target, sizeof(target) - 1);
    if (n < 0)
        return -errno;
    target[n] = '\0';
    const char *slash = strrchr(target, '/');
    int len = snprintf(out, out_len, "%s", slash ? slash + 1 : target);
    return len < 0 || (size_t)len >= out_len ? -ENAMETOOLONG : 0;
}

/* The device root, resolved, so that a resolved node can be shown as the user sees it. */
static size_t root_length(const char *resolved)
{
    const char *root = getenv("DMABENCH_DEV_ROOT");
    char real_root[PATH_MAX];
    if (!root || !root[0] || !realpath(root, real_root))
        return 0;
    size_t len = strlen(real_root);
    return !strncmp(resolved, real_root, len) && resolved[len] == '/' ? len : 0;
}

static int fill(struct dev_node *out, const char *resolved)
{
    const char *seen = resolved + root_length(resolved);
    const char *slash = strrchr(seen, '/');
    int n = snprintf(out->path, sizeof(out->path), "%s", seen);
    int d = snprintf(out->dir, sizeof(out->dir), "%.*s", slash == seen ? 1 : (int)(slash - seen),
                     seen);
    int b = snprintf(out->name, sizeof(out->name), "%s", slash + 1);
    if (n < 0 || (size_t)n >= sizeof(out->path) || d < 0 || (size_t)d >= sizeof(out->dir) ||
        b < 0 || (size_t)b >= sizeof(out->name))
        return -ENAMETOOLONG;
    return 0;
}

int dev_node_resolve(const char *path, const char *klass, struct dev_node *out, char *why,
                     size_t why_len)
{
    char full[PATH_MAX], resolved[PATH_MAX], found[32];
    struct stat st;
    if (path[0] != '/') {
        snprintf(why, why_len, "'%s' is not an absolute path (/dev/...)", path);
        return -EINVAL;
    }
    int ret = heap_dev_path(full, sizeof(full), path);
    if (ret) {
        snprintf(why, why_len, "%.64s...: path too long", path);
        return ret;
    }
    if (!realpath(full, resolved) || stat(resolved, &st)) {
        ret = -errno;
        snprintf(why, why_len, "%s: %s", path,
                 ret == -ENOENT ? "no such device (it does not exist)" : strerror(-ret));
        return ret;
    }
    if ((ret = fill(out, resolved)) != 0) {
        snprintf(why, why_len, "%s: path too long", path);
        return ret;
    }
    if (!S_ISCHR(st.st_mode)) {
        snprintf(why, why_len, "%s: not a device (%s)", path,
                 S_ISDIR(st.st_mode)   ? "a directory"
                 : S_ISBLK(st.st_mode) ? "a block device, not a character device"
                 : S_ISREG(st.st_mode) ? "a regular file"
                                       : "not a character device");
        return -ENODEV;
    }
    if (!klass)
        return 0;
    ret = dev_node_class(major(st.st_rdev), minor(st.st_rdev), found, sizeof(found));
    if (ret) {
        snprintf(why, why_len, "%s: cannot tell what device it is (/sys/dev/char/%u:%u: %s)", path,
                 major(st.st_rdev), minor(st.st_rdev), strerror(-ret));
        return -ENODEV;
    }
    if (strcmp(found, klass)) {
        snprintf(why, why_len, "%s: not a %s device (it is a %s device)", path, klass, found);
        return -ENODEV;
    }
    return 0;
}
