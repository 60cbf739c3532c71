/* heaps/udmabuf.h - the raw UDMABUF_CREATE wrapper of the udmabuf backend.
 *
 * Exposed so that tests can hand the kernel memfds the backend never would (unsealed, sealed
 * against writes, short, unaligned ranges) and see the kernel's own -errno come back.
 */
#ifndef DMABENCH_UDMABUF_H
#define DMABENCH_UDMABUF_H

#include <linux/udmabuf.h> /* UDMABUF_FLAGS_CLOEXEC for callers */

/* Turn [offset, offset + size) of memfd into a dma-buf through /dev/udmabuf open on dev_fd.
 * flags: UDMABUF_FLAGS_CLOEXEC or 0. Returns the dma-buf fd or -errno. */
int udmabuf_create_fd(int dev_fd, int memfd, unsigned long long offset, unsigned long long size,
                      unsigned flags);

#endif
