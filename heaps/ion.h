/* heaps/ion.h - the pieces of the ION backend that unit tests drive directly.
 *
 * ABI detection, allocation and heap enumeration, each a thin layer over heap_ioctl() so that a
 * fake kernel installed with heap_ioctl_set_hook() can prove the encodings of both ION ABIs on
 * machines that have no /dev/ion. heaps/backend_ion.c builds the heap_ops on top of these.
 */
#ifndef DMABENCH_ION_H
#define DMABENCH_ION_H

#include <stddef.h>

#include "ion_abi.h"

/* Which ioctl ABI a /dev/ion speaks (see heaps/ion_abi.h). Both positive, so -errno stays free. */
enum ion_abi {
    ION_ABI_LEGACY = 1, /* handles + ION_IOC_SHARE, kernels before 4.12 */
    ION_ABI_MODERN = 2, /* ION_IOC_ALLOC returns an fd, ION_IOC_HEAP_QUERY, 4.12 to 5.10 */
};

/* ion_heap_data.type of heaps found by trial allocation: legacy kernels cannot say the type. */
#define ION_HEAP_TYPE_UNKNOWN 0xffffffffu

/* ION_IOC_FREE of handle 0: ENOTTY means the modern ABI (FREE was removed), EINVAL (no such
 * handle), EFAULT or success mean the legacy one. Returns an enum ion_abi or -errno. */
int ion_detect_abi(int ion_fd);

/* Allocate len bytes from the heaps in heap_id_mask with ION_FLAG_* flags; returns a dma-buf fd
 * (the caller closes it) or -errno. Legacy: ALLOC, SHARE, then FREE of the handle, always. */
int ion_alloc_fd(int ion_fd, int abi, size_t len, unsigned heap_id_mask, unsigned flags);

/* Store up to max heaps in out; returns how many were stored, or -errno. Modern kernels answer
 * ION_IOC_HEAP_QUERY (count, then fill); on legacy ones each id 0..31 is tried with a one-page
 * allocation, and the heaps found are named "id<N>" with type ION_HEAP_TYPE_UNKNOWN. */
int ion_query_heaps(int ion_fd, struct ion_heap_data *out, size_t max);

#endif
