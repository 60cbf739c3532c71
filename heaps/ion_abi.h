/* heaps/ion_abi.h - the legacy Android ION user-space ABI, both generations, written down here.
 *
 * No kernel header ships ION any more (drivers/staging/android/ion was removed in 5.11; Android
 * GKI 5.4/5.10 still carry it as a module), so the ioctl numbers and structs are defined by us,
 * from the kernels that had them. Only heaps/backend_ion.c and its unit test include this file.
 */
#ifndef DMABENCH_ION_ABI_H
#define DMABENCH_ION_ABI_H

#include <stddef.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define ION_IOC_MAGIC 'I'

/* Heap types (enum ion_heap_type), as reported by ION_IOC_HEAP_QUERY. */
#define ION_HEAP_TYPE_SYSTEM        0
#define ION_HEAP_TYPE_SYSTEM_CONTIG 1
#define ION_HEAP_TYPE_CARVEOUT      2
#define ION_HEAP_TYPE_CHUNK         3
#define ION_HEAP_TYPE_DMA           4
#define ION_HEAP_TYPE_CUSTOM        5

/* Without it ION maps buffers write-combined; with it, cached (and the user syncs). */
#define ION_FLAG_CACHED 1

/* Heap ids select heaps through a 32-bit mask, so there are at most 32 of them. */
#define ION_NUM_HEAP_IDS 32

/* --- legacy ABI: kernels 3.x to 4.11 (and vendor trees that kept it) -------------------------
 * Allocation returns a per-client handle; ION_IOC_SHARE turns it into a dma-buf fd. The size_t
 * fields make the request numbers differ between 32- and 64-bit user space; that is how the
 * kernel defined them, and its compat_ioctl layer translates the 32-bit ones. */
struct ion_allocation_data_legacy {
    size_t len;
    size_t align;
    unsigned int heap_id_mask;
    unsigned int flags;
    int handle; /* out */
};

struct ion_handle_data {
    int handle;
};

struct ion_fd_data {
    int handle;
    int fd; /* out for MAP/SHARE, in for IMPORT and SYNC */
};

#define ION_IOC_ALLOC_LEGACY _IOWR(ION_IOC_MAGIC, 0, struct ion_allocation_data_legacy)
#define ION_IOC_FREE         _IOWR(ION_IOC_MAGIC, 1, struct ion_handle_data)
#define ION_IOC_MAP          _IOWR(ION_IOC_MAGIC, 2, struct ion_fd_data)
#define ION_IOC_SHARE        _IOWR(ION_IOC_MAGIC, 4, struct ion_fd_data)
#define ION_IOC_IMPORT       _IOWR(ION_IOC_MAGIC, 5, struct ion_fd_data)
/* Cleans a shared buffer's caches for the device (dma_sync_sg_for_device); the only cache
 * maintenance legacy kernels before 4.6 offer, as they lack DMA_BUF_IOCTL_SYNC. */
#define ION_IOC_SYNC _IOWR(ION_IOC_MAGIC, 7, struct ion_fd_data)

/* --- 4.12 to 5.10 ABI: handles are gone, allocation returns a dma-buf fd -------------------- */
struct ion_allocation_data {
    __u64 len;
    __u32 heap_id_mask;
    __u32 flags;
    __u32 fd; /* out */
    __u32 unused;
};

#define ION_HEAP_NAME_MAX 32

struct ion_heap_data {
    char name[ION_HEAP_NAME_MAX]; /* not NUL-terminated when 32 characters long */
    __u32 type;
    __u32 heap_id;
    __u32 reserved0;
    __u32 reserved1;
    __u32 reserved2;
};

/* heaps == 0: the kernel stores the heap count in cnt; otherwise it fills up to cnt entries
 * at the user address heaps and stores how many it filled. Reserved fields must be zero. */
struct ion_heap_query {
    __u32 cnt;
    __u32 reserved0;
    __u64 heaps;
    __u32 reserved1;
    __u32 reserved2;
};

#define ION_IOC_ALLOC      _IOWR(ION_IOC_MAGIC, 0, struct ion_allocation_data)
#define ION_IOC_HEAP_QUERY _IOWR(ION_IOC_MAGIC, 8, struct ion_heap_query)

/* These layouts are fixed by the kernel on every architecture; a mistake here must not build. */
_Static_assert(sizeof(struct ion_allocation_data) == 24, "ion_allocation_data is 24 bytes");
_Static_assert(sizeof(struct ion_heap_data) == 52, "ion_heap_data is 52 bytes");
_Static_assert(sizeof(struct ion_heap_query) == 24, "ion_heap_query is 24 bytes");

#endif
