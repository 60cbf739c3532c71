/* workloads/sw_sync_abi.h - the sw_sync debugfs interface (drivers/dma-buf/sw_sync.c).
 *
 * Not in the UAPI headers: the kernel defines it next to the driver, so the two ioctls and their
 * argument are copied here, once, for the sw_sync engine and the lab's fence checks.
 */
#ifndef DMABENCH_SW_SYNC_ABI_H
#define DMABENCH_SW_SYNC_ABI_H

#include <linux/ioctl.h>
#include <linux/types.h>

struct sw_sync_create_fence_data {
    __u32 value;
    char name[32];
    __s32 fence;
};

#define SW_SYNC_IOC_CREATE_FENCE _IOWR('W', 0, struct sw_sync_create_fence_data)
#define SW_SYNC_IOC_INC          _IOW('W', 1, __u32)

#endif
