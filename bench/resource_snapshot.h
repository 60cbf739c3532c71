/* bench/resource_snapshot.h - open fds and dma-bufs of this process, before and after.
 *
 * A benchmark that leaks one dma-buf per case takes a board down after hours; comparing two
 * snapshots around each command proves it does not.
 */
#ifndef DMABENCH_RESOURCE_SNAPSHOT_H
#define DMABENCH_RESOURCE_SNAPSHOT_H

struct resource_snapshot {
    int fds;     /* entries in /proc/self/fd */
    int dmabufs; /* of which dma-bufs */
};

/* 0 or -errno when /proc is not readable. */
int resource_snapshot_take(struct resource_snapshot *out);
/* Nonzero when after holds more than before. */
int resource_snapshot_grew(const struct resource_snapshot *before,
                           const struct resource_snapshot *after);

#endif
