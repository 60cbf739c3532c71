/* heaps/dmabuf_fdinfo.h - what the kernel says about a dma-buf fd in /proc/self/fdinfo.
 *
 * Used to verify an allocation (size, exporter, debug name) and to count this process's
 * dma-buf fds so that benchmarks and tests can prove nothing leaked.
 */
#ifndef DMABENCH_DMABUF_FDINFO_H
#define DMABENCH_DMABUF_FDINFO_H

#include <stddef.h>

struct dmabuf_fdinfo {
    size_t size;       /* "size:" in bytes */
    long count;        /* "count:" file references */
    unsigned long ino; /* "ino:" (dma-buf inode; 0 on kernels without it) */
    char exp_name[64]; /* "exp_name:" the exporter ("system", "udmabuf" ...) */
    char name[64];     /* "name:" set with DMA_BUF_SET_NAME_B, "" if none */
};

/* Parse the text of an fdinfo file; -EINVAL when it is not a dma-buf's (no exp_name). */
int dmabuf_fdinfo_parse(const char *text, struct dmabuf_fdinfo *out);
/* Read /proc/self/fdinfo/<fd>; -errno, or -EINVAL when fd is not a dma-buf. */
int dmabuf_fdinfo_read(int fd, struct dmabuf_fdinfo *out);
/* How many of this process's fds are dma-bufs now, or -errno. */
int dmabuf_count_open(void);

#endif
