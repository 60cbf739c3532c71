/* bench/resource_snapshot.c - counts this process's fds and dma-bufs from /proc/self.
 *
 * The kernel's own view (fdinfo) is the judge of what is still open, not the allocator core's
 * bookkeeping, so a bug in the core cannot hide a leak.
 */
#include "resource_snapshot.h"

#include <dirent.h>
#include <errno.h>

#include "dmabuf_fdinfo.h"

static int count_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    if (!dir)
        return -errno;
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL)
        if (entry->d_name[0] != '.')
            count++;
    closedir(dir);
    return count - 1; /* the directory's own fd */
}

int resource_snapshot_take(struct resource_snapshot *out)
{
    out->fds = count_fds();
    if (out->fds < 0)
        return out->fds;
    out->dmabufs = dmabuf_count_open();
    return out->dmabufs < 0 ? out->dmabufs : 0;
}

int resource_snapshot_grew(const struct resource_snapshot *before,
                           const struct resource_snapshot *after)
{
    return after->fds > before->fds || after->dmabufs > before->dmabufs;
}
