/* bench/measure/resource_snapshot.c - counts this process's fds, dma-bufs and buffer mappings.
 *
 * The kernel's own view (fdinfo, maps) is the judge of what is still open, not the allocator
 * core's bookkeeping, so a bug in the core cannot hide a leak.
 */
#include "resource_snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

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

int resource_maps_line_is_buffer(const char *line)
{
    /* The path starts after five blank-separated fields: range, perms, offset, dev, inode. */
    const char *p = line;
    for (int field = 0; field < 5 && p; field++) {
        p = strchr(p, ' ');
        while (p && *p == ' ')
            p++;
    }
    if (!p)
        return 0;
    static const char *const prefixes[] = {"/dmabuf:", "anon_inode:dmabuf",
                                           "/memfd:", "/anon_hugepage"};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (!strncmp(p, prefixes[i], strlen(prefixes[i])))
            return 1;
    return 0;
}

static int count_buffer_maps(void)
{
    FILE *f = fopen("/proc/self/maps", "re");
    if (!f)
        return -errno;
    char line[4096];
    int count = 0;
    while (fgets(line, sizeof(line), f))
        count += resource_maps_line_is_buffer(line);
    fclose(f);
    return count;
}

int resource_snapshot_take(struct resource_snapshot *out)
{
    out->fds = count_fds();
    if (out->fds < 0)
        return out->fds;
    out->dmabufs = dmabuf_count_open();
    if (out->dmabufs < 0)
        return out->dmabufs;
    out->heap_maps = count_buffer_maps();
    return out->heap_maps < 0 ? out->heap_maps : 0;
}

int resource_snapshot_grew(const struct resource_snapshot *before,
                           const struct resource_snapshot *after)
{
    return after->fds > before->fds || after->dmabufs > before->dmabufs ||
           after->heap_maps > before->heap_maps;
}

void resource_snapshot_describe_growth(const struct resource_snapshot *before,
                                       const struct resource_snapshot *after, char *out,
                                       size_t out_len)
{
    const struct {
        int delta;
        const char *one, *many;
    } parts[] = {
            {after->fds - before->fds, "fd", "fds"},
            {after->dmabufs - before->dmabufs, "dma-buf", "dma-bufs"},
            {after->heap_maps - before->heap_maps, "buffer mapping", "buffer mappings"},
    };
    size_t used = 0;
    if (out_len)
        out[0] = '\0';
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (parts[i].delta <= 0 || used >= out_len)
            continue;
        int n = snprintf(out + used, out_len - used, "%s%d %s", used ? ", " : "", parts[i].delta,
                         parts[i].delta == 1 ? parts[i].one : parts[i].many);
        used += n > 0 ? (size_t)n : 0;
    }
}
