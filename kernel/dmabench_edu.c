// SPDX-License-Identifier: GPL-2.0
/*
 * kernel/dmabench_edu.c - the dmabench lab's DMA device: QEMU's edu PCI device (1234:11e8,
 * QEMU's docs/specs/edu.rst) as a dma-buf importer, behind /dev/dmabench-edu.
 *
 * An import attaches a dma-buf to the device and maps it for DMA once, keeping the mapping
 * until it is released, as GPU and camera drivers keep theirs: the exporter then reaches it
 * from DMA_BUF_IOCTL_SYNC (dma_sync_sgtable_for_{cpu,device}), and nothing else does. A copy
 * moves bytes between two imports through the device's 4 KiB buffer with its DMA engine and
 * does no cache maintenance of its own, so that what the device reads and what the CPU then
 * sees are exactly what the DMA API made visible: under swiotlb=force, bounce buffers that only
 * a sync moves. The ioctls are declared once, in kernel/uapi/dmabench_edu.h.
 *
 * The device reaches 28 bits of address unless QEMU is given -device edu,dma_mask=...: the
 * driver claims dmabench_edu.dma_bits (default 28) and the lab scripts set both together, since
 * a device that clamps an address the driver thinks it can reach writes into the wrong memory
 * without a word. scripts/lab/build-kernel.sh copies this file and the header into
 * drivers/dma-buf/ and hooks it in (CONFIG_DMABENCH_EDU); kernel style, not the project's
 * clang-format (kernel/.clang-format). Architecture-neutral: 64-bit MMIO (writeq), any PCI host.
 */

#include <linux/completion.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "dmabench_edu.h"

/* The device's registers (BAR 0). Below 0x80 only 4-byte accesses, from 0x80 4 or 8 bytes:
 * the DMA registers are written 8 bytes at once, since a write to their upper half is lost.
 */
#define EDU_REG_IDENT		0x00	/* 0xRRrr00ed */
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_ACK		0x64
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98

#define EDU_IDENT_MAGIC		0xed
#define EDU_DMA_RUN		0x1
#define EDU_DMA_TO_RAM		0x2	/* 0: RAM to the device's buffer */
#define EDU_DMA_IRQ		0x4	/* raise EDU_IRQ_DMA when done */
#define EDU_IRQ_DMA		0x100
/* The device's buffer, as an address on its side of a transfer. */
#define EDU_BUFFER		0x40000

/* A transfer takes 100 ms of virtual time; this only catches a device that never finishes. */
#define EDU_TRANSFER_TIMEOUT_MS	5000

static unsigned int dma_bits = 28;
module_param(dma_bits, uint, 0444);
MODULE_PARM_DESC(dma_bits,
		 "DMA mask to claim, 28 (QEMU's default) to 64: only with -device edu,dma_mask= to match");

struct edu_device {
	struct pci_dev *pdev;
	void __iomem *regs;
	struct mutex dma_lock;		/* one transfer at a time: the device has one engine */
	struct completion done;
	struct miscdevice misc;
};

/* An attached, mapped dma-buf. */
struct edu_import {
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
};

/* One open file: its imports by handle. */
struct edu_file {
	struct edu_device *edu;
	struct mutex lock;		/* the imports, held across a copy that uses them */
	struct xarray imports;
};

static irqreturn_t edu_irq(int irq, void *data)
{
	struct edu_device *edu = data;
	u32 status = readl(edu->regs + EDU_REG_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;	/* a shared INTx line: someone else's */
	writel(status, edu->regs + EDU_REG_IRQ_ACK);
	if (status & EDU_IRQ_DMA)
		complete(&edu->done);
	return IRQ_HANDLED;
}

/* One DMA transfer between RAM at a DMA address and the start of the device's buffer. */
static int edu_transfer(struct edu_device *edu, dma_addr_t ram, u32 len, bool to_ram)
{
	reinit_completion(&edu->done);
	writeq(to_ram ? EDU_BUFFER : ram, edu->regs + EDU_REG_DMA_SRC);
	writeq(to_ram ? ram : EDU_BUFFER, edu->regs + EDU_REG_DMA_DST);
	writeq(len, edu->regs + EDU_REG_DMA_COUNT);
	writeq(EDU_DMA_RUN | EDU_DMA_IRQ | (to_ram ? EDU_DMA_TO_RAM : 0),
	       edu->regs + EDU_REG_DMA_CMD);
	/* Uninterruptible: a transfer must not outlive the mapping it writes to. */
	if (!wait_for_completion_timeout(&edu->done,
					 msecs_to_jiffies(EDU_TRANSFER_TIMEOUT_MS)) &&
	    (readq(edu->regs + EDU_REG_DMA_CMD) & EDU_DMA_RUN)) {
		dev_err(&edu->pdev->dev, "DMA transfer of %u B did not complete in %d ms\n",
			len, EDU_TRANSFER_TIMEOUT_MS);
		return -ETIMEDOUT;
	}
	return 0;
}

/* The DMA address at byte off of a mapping, and how many bytes of its segment follow it. */
static int edu_locate(struct sg_table *sgt, u64 off, dma_addr_t *addr, u64 *left)
{
	struct scatterlist *sg;
	int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		u64 len = sg_dma_len(sg);

		if (off < len) {
			*addr = sg_dma_address(sg) + off;
			*left = len - off;
			return 0;
		}
		off -= len;
	}
	return -EINVAL;
}

static void edu_import_free(struct edu_import *imp)
{
	if (imp->sgt)
		dma_buf_unmap_attachment_unlocked(imp->attach, imp->sgt, DMA_BIDIRECTIONAL);
	if (imp->attach)
		dma_buf_detach(imp->dmabuf, imp->attach);
	if (imp->dmabuf)
		dma_buf_put(imp->dmabuf);
	kfree(imp);
}

static int edu_ioctl_info(struct edu_file *f, void __user *uarg)
{
	struct device *dev = &f->edu->pdev->dev;
	struct dmabench_edu_info info = {
		.version = DMABENCH_EDU_VERSION,
		.dma_bits = dma_bits,
		.chunk_max = DMABENCH_EDU_CHUNK_MAX,
		.max_mapping = dma_max_mapping_size(dev),
	};

	if (is_swiotlb_force_bounce(dev))
		info.flags |= DMABENCH_EDU_BOUNCE;
	if (dma_addressing_limited(dev))
		info.flags |= DMABENCH_EDU_LIMITED;
	strscpy(info.device, pci_name(f->edu->pdev), sizeof(info.device));
	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

/* Attach and map; on failure the struct still goes back, saying which step failed. */
static int edu_ioctl_import(struct edu_file *f, void __user *uarg)
{
	struct device *dev = &f->edu->pdev->dev;
	struct dmabench_edu_import arg;
	struct edu_import *imp;
	struct scatterlist *sg;
	u32 handle;
	int ret, i;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	arg.handle = 0;
	arg.size = 0;
	arg.segments = 0;
	arg.largest_segment = 0;
	arg.max_mapping = dma_max_mapping_size(dev);
	imp = kzalloc(sizeof(*imp), GFP_KERNEL);
	if (!imp)
		return -ENOMEM;

	arg.failed_step = DMABENCH_EDU_STEP_FD;
	imp->dmabuf = dma_buf_get(arg.fd);
	if (IS_ERR(imp->dmabuf)) {
		ret = PTR_ERR(imp->dmabuf);
		imp->dmabuf = NULL;
		goto fail;
	}
	arg.size = imp->dmabuf->size;
	arg.failed_step = DMABENCH_EDU_STEP_ATTACH;
	imp->attach = dma_buf_attach(imp->dmabuf, dev);
	if (IS_ERR(imp->attach)) {
		ret = PTR_ERR(imp->attach);
		imp->attach = NULL;
		goto fail;
	}
	arg.failed_step = DMABENCH_EDU_STEP_MAP;
	imp->sgt = dma_buf_map_attachment_unlocked(imp->attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(imp->sgt)) {
		ret = PTR_ERR(imp->sgt);
		imp->sgt = NULL;
		goto fail;
	}
	for_each_sgtable_dma_sg(imp->sgt, sg, i) {
		arg.segments++;
		arg.largest_segment = max_t(u64, arg.largest_segment, sg_dma_len(sg));
	}
	arg.failed_step = DMABENCH_EDU_STEP_HANDLE;
	mutex_lock(&f->lock);
	ret = xa_alloc(&f->imports, &handle, imp, xa_limit_31b, GFP_KERNEL);
	mutex_unlock(&f->lock);
	if (ret)
		goto fail;
	arg.handle = handle;
	arg.failed_step = DMABENCH_EDU_STEP_NONE;
	if (copy_to_user(uarg, &arg, sizeof(arg))) {
		mutex_lock(&f->lock);
		xa_erase(&f->imports, handle);
		mutex_unlock(&f->lock);
		edu_import_free(imp);
		return -EFAULT;
	}
	return 0;
fail:
	edu_import_free(imp);
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return -EFAULT;
	return ret;
}

static int edu_ioctl_release(struct edu_file *f, void __user *uarg)
{
	struct edu_import *imp;
	u32 handle;

	if (get_user(handle, (u32 __user *)uarg))
		return -EFAULT;
	mutex_lock(&f->lock);
	imp = xa_erase(&f->imports, handle);
	mutex_unlock(&f->lock);
	if (!imp)
		return -EINVAL;
	edu_import_free(imp);
	return 0;
}

/* Source to the device's buffer, the buffer to the destination, a chunk at a time; a chunk
 * never crosses a DMA segment of either side.
 */
static int edu_copy(struct edu_device *edu, struct edu_import *src, struct edu_import *dst,
		    struct dmabench_edu_copy *arg)
{
	u64 done = 0;
	int ret = 0;

	mutex_lock(&edu->dma_lock);
	while (done < arg->len) {
		dma_addr_t from, to;
		u64 from_left, to_left, chunk;

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		ret = edu_locate(src->sgt, arg->src_offset + done, &from, &from_left);
		if (!ret)
			ret = edu_locate(dst->sgt, arg->dst_offset + done, &to, &to_left);
		if (ret)
			break;
		chunk = min3(arg->len - done, from_left, to_left);
		chunk = min_t(u64, chunk, DMABENCH_EDU_CHUNK_MAX);
		ret = edu_transfer(edu, from, chunk, false);
		if (!ret) {
			arg->transfers++;
			ret = edu_transfer(edu, to, chunk, true);
		}
		if (ret)
			break;
		arg->transfers++;
		done += chunk;
	}
	mutex_unlock(&edu->dma_lock);
	return ret;
}

static int edu_ioctl_copy(struct edu_file *f, void __user *uarg)
{
	struct dmabench_edu_copy arg;
	struct edu_import *src, *dst;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	arg.transfers = 0;
	mutex_lock(&f->lock);
	src = xa_load(&f->imports, arg.src);
	dst = xa_load(&f->imports, arg.dst);
	if (!src || !dst || !arg.len ||
	    arg.src_offset > src->dmabuf->size || arg.len > src->dmabuf->size - arg.src_offset ||
	    arg.dst_offset > dst->dmabuf->size || arg.len > dst->dmabuf->size - arg.dst_offset)
		ret = -EINVAL;
	else
		ret = edu_copy(f->edu, src, dst, &arg);
	mutex_unlock(&f->lock);
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return -EFAULT;
	return ret;
}

static long edu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct edu_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case DMABENCH_EDU_IOC_INFO:
		return edu_ioctl_info(f, uarg);
	case DMABENCH_EDU_IOC_IMPORT:
		return edu_ioctl_import(f, uarg);
	case DMABENCH_EDU_IOC_RELEASE:
		return edu_ioctl_release(f, uarg);
	case DMABENCH_EDU_IOC_COPY:
		return edu_ioctl_copy(f, uarg);
	default:
		return -ENOTTY;
	}
}

static int edu_open(struct inode *inode, struct file *file)
{
	struct edu_device *edu = container_of(file->private_data, struct edu_device, misc);
	struct edu_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	f->edu = edu;
	mutex_init(&f->lock);
	xa_init_flags(&f->imports, XA_FLAGS_ALLOC1);
	file->private_data = f;
	return 0;
}

static int edu_release(struct inode *inode, struct file *file)
{
	struct edu_file *f = file->private_data;
	struct edu_import *imp;
	unsigned long handle;

	xa_for_each(&f->imports, handle, imp)
		edu_import_free(imp);
	xa_destroy(&f->imports);
	kfree(f);
	return 0;
}

static const struct file_operations edu_fops = {
	.owner = THIS_MODULE,
	.open = edu_open,
	.release = edu_release,
	.unlocked_ioctl = edu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct edu_device *edu;
	u32 ident;
	int ret;

	if (dma_bits < 28 || dma_bits > 64)
		return dev_err_probe(dev, -EINVAL, "dmabench_edu.dma_bits=%u: 28 to 64\n",
				     dma_bits);
	edu = devm_kzalloc(dev, sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	edu->pdev = pdev;
	mutex_init(&edu->dma_lock);
	init_completion(&edu->done);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	edu->regs = pcim_iomap_region(pdev, 0, DMABENCH_EDU_NAME);
	if (IS_ERR(edu->regs))
		return PTR_ERR(edu->regs);
	ident = readl(edu->regs + EDU_REG_IDENT);
	if ((ident & 0xff) != EDU_IDENT_MAGIC)
		return dev_err_probe(dev, -ENODEV, "identification 0x%08x is not edu's\n", ident);
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(dma_bits));
	if (ret)
		return dev_err_probe(dev, ret, "no %u-bit DMA\n", dma_bits);
	/* The device takes any segment: without this, CONFIG_DMA_API_DEBUG warns about every
	 * segment over PCI's default 64 KiB (the system heap's are up to 1 MiB).
	 */
	dma_set_max_seg_size(dev, UINT_MAX);
	pci_set_master(pdev);

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_ALL_TYPES);
	if (ret < 0)
		return dev_err_probe(dev, ret, "no interrupt\n");
	ret = devm_request_irq(dev, pci_irq_vector(pdev, 0), edu_irq, IRQF_SHARED,
			       DMABENCH_EDU_NAME, edu);
	if (ret)
		return dev_err_probe(dev, ret, "interrupt %d\n", pci_irq_vector(pdev, 0));

	edu->misc.minor = MISC_DYNAMIC_MINOR;
	edu->misc.name = DMABENCH_EDU_NAME;
	edu->misc.fops = &edu_fops;
	edu->misc.parent = dev;
	ret = misc_register(&edu->misc);
	if (ret)
		return dev_err_probe(dev, ret, "/dev/%s taken (a second edu device?)\n",
				     DMABENCH_EDU_NAME);
	pci_set_drvdata(pdev, edu);
	dev_info(dev, "edu %u.%u: /dev/%s, %u-bit DMA%s, interrupt %d\n", ident >> 24,
		 (ident >> 16) & 0xff, DMABENCH_EDU_NAME, dma_bits,
		 is_swiotlb_force_bounce(dev) ? " through swiotlb bounce buffers" : "",
		 pci_irq_vector(pdev, 0));
	return 0;
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_ids);

static struct pci_driver edu_driver = {
	.name = DMABENCH_EDU_NAME,
	.id_table = edu_ids,
	.probe = edu_probe,
	/* Built in and never unbound: open files hold the device. */
	.driver.suppress_bind_attrs = true,
};
builtin_pci_driver(edu_driver);

MODULE_IMPORT_NS(DMA_BUF);
MODULE_DESCRIPTION("QEMU edu as a dma-buf importing DMA engine (dmabench lab)");
MODULE_LICENSE("GPL");
