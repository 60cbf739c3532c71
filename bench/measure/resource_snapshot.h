/* bench/measure/resource_snapshot.h - open fds, dma-bufs and buffer mappings of this process.
 *
 * A benchmark that leaks one dma-buf per case takes a board down after hours; comparing two
 * snapshots around each command (and around each case of a run) proves it does not.
 */
#ifndef DMABENCH_RESOURCE_SNAPSHOT_H
#define DMABENCH_RESOURCE_SNAPSHOT_H

#include <stddef.h>

struct resource_snapshot {
    int fds;       /* entries in /proc/self/fd */
    int dmabufs;   /* of which dma-bufs */
    int heap_maps; /* /proc/self/maps lines of buffer memory: dma-bufs, memfds, hugetlb */
};

/* 0 or -errno when /proc is not readable. */
int resource_snapshot_take(struct resource_snapshot *out);
/* Nonzero when after holds more than before. */
int resource_snapshot_grew(const struct resource_snapshot *before,
                           const struct resource_snapshot *after);
/* "1 fd, 1 dma-buf, 2 buffer mappings" for what after holds beyond before; "" when nothing. */
void resource_snapshot_describe_growth(const struct resource_snapshot *before,
                                       const struct resource_snapshot *after, char *out,
                                       size_t out_len);
/* Whether a /proc/PID/maps line maps buffer memory (what resource_snapshot counts): a
 * dma-buf, a memfd (udmabuf's backing) or hugetlb memory. Anonymous memory is not counted:
 * malloc and the OpenMP runtime add and drop such mappings on their own. */
int resource_maps_line_is_buffer(const char *line);

#endif
