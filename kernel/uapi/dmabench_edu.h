/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kernel/uapi/dmabench_edu.h - the ioctls of /dev/dmabench-edu, the lab's DMA device: the one
 * declaration that kernel/dmabench_edu.c (the driver, copied beside it into the kernel tree by
 * scripts/lab/build-kernel.sh) and workloads/engine_edu.c (through the Makefile's -Ikernel/uapi)
 * both compile. Kernel style, as all of kernel/ (kernel/.clang-format keeps the project's
 * clang-format off it). Every ioctl returns 0 or -1 with errno.
 *
 * A file descriptor of /dev/dmabench-edu holds imports: dma-bufs attached to QEMU's edu PCI
 * device and mapped for DMA (dma_buf_attach + dma_buf_map_attachment, kept until release or
 * close, as GPU and camera drivers keep theirs). A copy moves bytes between two imports by DMA
 * through the device's 4 KiB buffer, DMABENCH_EDU_CHUNK_MAX bytes at most a transfer, with no
 * cache maintenance of its own: what reaches the device is what DMA_BUF_IOCTL_SYNC made visible.
 */
#ifndef DMABENCH_EDU_UAPI_H
#define DMABENCH_EDU_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* The misc device: /dev/dmabench-edu. */
#define DMABENCH_EDU_NAME "dmabench-edu"
/* Bumped when a struct or an ioctl changes. */
#define DMABENCH_EDU_VERSION 1
/* The most one transfer moves: the device's buffer is 4096 B, and QEMU 7.2 (Debian 12) aborts
 * on a transfer that ends at its last byte, so 63 lines of 64 B.
 */
#define DMABENCH_EDU_CHUNK_MAX 4032

/* dmabench_edu_info.flags */
/* Streaming DMA of this device goes through swiotlb bounce buffers (swiotlb=force). */
#define DMABENCH_EDU_BOUNCE (1u << 0)
/* The device's DMA mask does not cover all memory: pages above it are bounced or refused. */
#define DMABENCH_EDU_LIMITED (1u << 1)

struct dmabench_edu_info {
	__u32 version;		/* DMABENCH_EDU_VERSION */
	__u32 dma_bits;		/* the DMA mask the driver claimed (dmabench_edu.dma_bits) */
	__u32 chunk_max;	/* DMABENCH_EDU_CHUNK_MAX */
	__u32 flags;		/* DMABENCH_EDU_BOUNCE | DMABENCH_EDU_LIMITED */
	__u64 max_mapping;	/* dma_max_mapping_size(): the largest segment the DMA layer maps
				 * for this device (256 KiB under swiotlb; ~0 when unlimited)
				 */
	char device[32];	/* the PCI device: "0000:00:04.0" */
};

/* dmabench_edu_import.failed_step: where an import failed. */
enum dmabench_edu_step {
	DMABENCH_EDU_STEP_NONE = 0,
	DMABENCH_EDU_STEP_FD,		/* dma_buf_get: not a dma-buf */
	DMABENCH_EDU_STEP_ATTACH,	/* dma_buf_attach: the exporter refused the device */
	DMABENCH_EDU_STEP_MAP,		/* dma_buf_map_attachment: mapping for DMA failed */
	DMABENCH_EDU_STEP_HANDLE,	/* no handle left for it */
};

/* Attach a dma-buf and map it for DMA, until DMABENCH_EDU_IOC_RELEASE or close. Filled in on
 * failure too: failed_step and max_mapping say why (a segment over max_mapping: EIO from the
 * system heap, ENOMEM from CMA under swiotlb=force).
 */
struct dmabench_edu_import {
	__s32 fd;		/* in: the dma-buf */
	__u32 handle;		/* out: names the import in copy and release (never 0) */
	__u64 size;		/* out: the dma-buf's size */
	__u32 segments;		/* out: DMA segments of the mapping */
	__u32 failed_step;	/* out: enum dmabench_edu_step, NONE on success */
	__u64 largest_segment;	/* out: the longest DMA segment of the mapping */
	__u64 max_mapping;	/* out: as dmabench_edu_info.max_mapping */
};

/* Copy len bytes from one import to another (or within one) by DMA: source -> the device's
 * buffer -> destination, DMABENCH_EDU_CHUNK_MAX at most a step, returning when the last
 * transfer has completed. Each transfer takes 100 ms of the guest's virtual time (QEMU's edu
 * timer). EINVAL: a region outside its buffer or an unknown handle; ETIMEDOUT: the device did
 * not complete; EINTR: a fatal signal between two transfers.
 */
struct dmabench_edu_copy {
	__u32 src;		/* in: handles */
	__u32 dst;
	__u64 src_offset;	/* in: bytes */
	__u64 dst_offset;
	__u64 len;
	__u64 transfers;	/* out: DMA transfers the device made (also on failure) */
};

#define DMABENCH_EDU_IOC_MAGIC 0xdb
#define DMABENCH_EDU_IOC_INFO _IOR(DMABENCH_EDU_IOC_MAGIC, 0, struct dmabench_edu_info)
#define DMABENCH_EDU_IOC_IMPORT _IOWR(DMABENCH_EDU_IOC_MAGIC, 1, struct dmabench_edu_import)
/* Unmap and detach an import: the argument points to its handle. */
#define DMABENCH_EDU_IOC_RELEASE _IOW(DMABENCH_EDU_IOC_MAGIC, 2, __u32)
#define DMABENCH_EDU_IOC_COPY _IOWR(DMABENCH_EDU_IOC_MAGIC, 3, struct dmabench_edu_copy)

#endif
