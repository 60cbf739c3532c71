// SPDX-License-Identifier: GPL-2.0
/*
 * kernel/system_uncached_heap.c - the "system-uncached" DMA-BUF heap of the dmabench lab kernel.
 *
 * What vendors ship beside the system heap for buffers the CPU only streams through (camera
 * and display frames): pages from the page allocator, every CPU mapping write-combined, and so
 * no CPU cache maintenance when user space brackets its accesses with DMA_BUF_IOCTL_SYNC.
 * scripts/lab/build-kernel.sh copies this file into drivers/dma-buf/heaps/ and hooks it into
 * that directory's Kconfig (DMABUF_HEAPS_SYSTEM_UNCACHED) and Makefile. It must be built in:
 * 6.12 does not export dma_heap_add() to modules. Built by Kbuild in kernel style, so the
 * project's clang-format check skips it (kernel/.clang-format).
 */

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#ifdef CONFIG_X86
#include <asm/set_memory.h>
#endif

struct uncached_heap_buffer {
	struct list_head attachments;
	struct mutex lock;
	unsigned long len;
	struct sg_table sg_table;
	/* Every base page, in order: for the cache-mode change, vmap and mmap. */
	struct page **pages;
	unsigned long npages;
	int vmap_cnt;
	void *vaddr;
};

struct uncached_heap_attachment {
	struct device *dev;
	struct sg_table table;
	struct list_head list;
};

/* The system heap's orders (1 MiB, 64 KiB, 4 KiB chunks), so that the scatterlists and the
 * allocation cost look like a vendor heap built on it. */
#define LOW_ORDER_GFP (GFP_HIGHUSER | __GFP_ZERO)
#define HIGH_ORDER_GFP (((GFP_HIGHUSER | __GFP_ZERO | __GFP_NOWARN | \
			  __GFP_NORETRY) & ~__GFP_RECLAIM) | __GFP_COMP)
static const gfp_t order_flags[] = { HIGH_ORDER_GFP, HIGH_ORDER_GFP, LOW_ORDER_GFP };
static const unsigned int orders[] = { 8, 4, 0 };

/*
 * The pages were zeroed through the kernel's cached linear map. Before any write-combined
 * mapping exists their lines must be written back and dropped, or a later eviction would
 * overwrite what a device or a WC mapping wrote. On x86 the page attribute change does this
 * (and makes the linear map WC too, so that no cached alias remains and PAT gives user
 * mappings WC instead of silently falling back to the pages' WB type); elsewhere the
 * architecture's DMA cache maintenance does it.
 */
static int uncached_heap_prepare_pages(struct uncached_heap_buffer *buffer)
{
#ifdef CONFIG_X86
	return set_pages_array_wc(buffer->pages, buffer->npages);
#else
	struct scatterlist *sg;
	int i;

	for_each_sgtable_sg(&buffer->sg_table, sg, i)
		arch_sync_dma_for_device(sg_phys(sg), sg->length, DMA_BIDIRECTIONAL);
	return 0;
#endif
}

/* Back to write-back before the pages return to the allocator. */
static void uncached_heap_restore_pages(struct uncached_heap_buffer *buffer)
{
#ifdef CONFIG_X86
	WARN_ON(set_pages_array_wb(buffer->pages, buffer->npages));
#endif
}

static int uncached_heap_attach(struct dma_buf *dmabuf,
				struct dma_buf_attachment *attachment)
{
	struct uncached_heap_buffer *buffer = dmabuf->priv;
	struct uncached_heap_attachment *a;
	struct scatterlist *sg, *new_sg;
	int ret, i;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;

	/* Each importer maps its own copy: the DMA addresses differ per device. */
	ret = sg_alloc_table(&a->table, buffer->sg_table.orig_nents, GFP_KERNEL);
	if (ret) {
		kfree(a);
		return ret;
	}
	new_sg = a->table.sgl;
	for_each_sgtable_sg(&buffer->sg_table, sg, i) {
		sg_set_page(new_sg, sg_page(sg), sg->length, sg->offset);
		new_sg = sg_next(new_sg);
	}

	a->dev = attachment->dev;
	INIT_LIST_HEAD(&a->list);
	attachment->priv = a;

	mutex_lock(&buffer->lock);
	list_add(&a->list, &buffer->attachments);
	mutex_unlock(&buffer->lock);
	return 0;
}

static void uncached_heap_detach(struct dma_buf *dmabuf,
				 struct dma_buf_attachment *attachment)
{
	struct uncached_heap_buffer *buffer = dmabuf->priv;
	struct uncached_heap_attachment *a = attachment->priv;

	mutex_lock(&buffer->lock);
	list_del(&a->list);
	mutex_unlock(&buffer->lock);

	sg_free_table(&a->table);
	kfree(a);
}

/* No CPU cache holds lines of these pages (see uncached_heap_prepare_pages), so mapping for a
 * device needs no maintenance: that is the point of the heap. */
static struct sg_table *uncached_heap_map_dma_buf(struct dma_buf_attachment *attachment,
						  enum dma_data_direction direction)
{
	struct uncached_heap_attachment *a = attachment->priv;
	int ret;

	ret = dma_map_sgtable(attachment->dev, &a->table, direction,
			      DMA_ATTR_SKIP_CPU_SYNC);
	if (ret)
		return ERR_PTR(ret);
	return &a->table;
}

static void uncached_heap_unmap_dma_buf(struct dma_buf_attachment *attachment,
					struct sg_table *table,
					enum dma_data_direction direction)
{
	dma_unmap_sgtable(attachment->dev, table, direction,
			  DMA_ATTR_SKIP_CPU_SYNC);
}

/*
 * DMA_BUF_IOCTL_SYNC lands here after the dma-buf core has waited for the buffer's fences.
 * Write-combined CPU mappings have nothing to clean or invalidate, with or without importers
 * attached; the ops exist to say so, and so that a sync costs the same with N importers as
 * with none, which is what dmabench measures for an uncached heap.
 */
static int uncached_heap_begin_cpu_access(struct dma_buf *dmabuf,
					  enum dma_data_direction direction)
{
	return 0;
}

static int uncached_heap_end_cpu_access(struct dma_buf *dmabuf,
					enum dma_data_direction direction)
{
	return 0;
}

static int uncached_heap_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct uncached_heap_buffer *buffer = dmabuf->priv;
	unsigned long addr = vma->vm_start;
	unsigned long pgoff = vma->vm_pgoff;
	int ret;

	/* The dma-buf core has checked that the range lies inside the buffer. */
	vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
	for (; addr < vma->vm_end && pgoff < buffer->npages; addr += PAGE_SIZE, pgoff++) {
		ret = remap_pfn_range(vma, addr, page_to_pfn(buffer->pages[pgoff]),
				      PAGE_SIZE, vma->vm_page_prot);
		if (ret)
			return ret;
	}
	return 0;
}

static int uncached_heap_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct uncached_heap_buffer *buffer = dmabuf->priv;
	int ret = 0;

	mutex_lock(&buffer->lock);
	if (!buffer->vmap_cnt) {
		buffer->vaddr = vmap(buffer->pages, buffer->npages, VM_MAP,
				     pgprot_writecombine(PAGE_KERNEL));
		if (!buffer->vaddr) {
			ret = -ENOMEM;
			goto out;
		}
	}
	buffer->vmap_cnt++;
	iosys_map_set_vaddr(map, buffer->vaddr);
out:
	mutex_unlock(&buffer->lock);
	return ret;
}

static void uncached_heap_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct uncached_heap_buffer *buffer = dmabuf->priv;

	mutex_lock(&buffer->lock);
	if (!--buffer->vmap_cnt) {
		vunmap(buffer->vaddr);
		buffer->vaddr = NULL;
	}
	mutex_unlock(&buffer->lock);
	iosys_map_clear(map);
}

static void uncached_heap_free_pages(struct uncached_heap_buffer *buffer)
{
	struct scatterlist *sg;
	int i;

	for_each_sgtable_sg(&buffer->sg_table, sg, i)
		__free_pages(sg_page(sg), compound_order(sg_page(sg)));
	sg_free_table(&buffer->sg_table);
	kvfree(buffer->pages);
	kfree(buffer);
}

static void uncached_heap_release(struct dma_buf *dmabuf)
{
	struct uncached_heap_buffer *buffer = dmabuf->priv;

	uncached_heap_restore_pages(buffer);
	uncached_heap_free_pages(buffer);
}

static const struct dma_buf_ops uncached_heap_buf_ops = {
	.attach = uncached_heap_attach,
	.detach = uncached_heap_detach,
	.map_dma_buf = uncached_heap_map_dma_buf,
	.unmap_dma_buf = uncached_heap_unmap_dma_buf,
	.begin_cpu_access = uncached_heap_begin_cpu_access,
	.end_cpu_access = uncached_heap_end_cpu_access,
	.mmap = uncached_heap_mmap,
	.vmap = uncached_heap_vmap,
	.vunmap = uncached_heap_vunmap,
	.release = uncached_heap_release,
};

static struct page *alloc_largest_available(unsigned long size, unsigned int max_order)
{
	struct page *page;
	int i;

	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		if (size < (PAGE_SIZE << orders[i]) || max_order < orders[i])
			continue;
		page = alloc_pages(order_flags[i], orders[i]);
		if (page)
			return page;
	}
	return NULL;
}

static struct dma_buf *uncached_heap_allocate(struct dma_heap *heap, unsigned long len,
					      u32 fd_flags, u64 heap_flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct uncached_heap_buffer *buffer;
	unsigned long remaining = len, n = 0;
	unsigned int max_order = orders[0];
	struct page *page, *tmp;
	struct scatterlist *sg;
	struct dma_buf *dmabuf;
	LIST_HEAD(chunks);
	int nchunks = 0, ret = -ENOMEM;

	buffer = kzalloc(sizeof(*buffer), GFP_KERNEL);
	if (!buffer)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&buffer->attachments);
	mutex_init(&buffer->lock);
	buffer->len = len;
	buffer->npages = len >> PAGE_SHIFT; /* the core has page-aligned len */
	buffer->pages = kvmalloc_array(buffer->npages, sizeof(*buffer->pages), GFP_KERNEL);
	if (!buffer->pages)
		goto free_buffer;

	while (remaining) {
		/* A large allocation must not outlive a SIGKILL by seconds. */
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto free_chunks;
		}
		page = alloc_largest_available(remaining, max_order);
		if (!page)
			goto free_chunks;
		list_add_tail(&page->lru, &chunks);
		remaining -= page_size(page);
		max_order = compound_order(page);
		nchunks++;
	}

	if (sg_alloc_table(&buffer->sg_table, nchunks, GFP_KERNEL))
		goto free_chunks;
	sg = buffer->sg_table.sgl;
	list_for_each_entry_safe(page, tmp, &chunks, lru) {
		unsigned long i;

		sg_set_page(sg, page, page_size(page), 0);
		sg = sg_next(sg);
		list_del(&page->lru);
		for (i = 0; i < (1UL << compound_order(page)); i++)
			buffer->pages[n++] = page + i;
	}

	ret = uncached_heap_prepare_pages(buffer);
	if (ret)
		goto free_pages;

	exp_info.exp_name = dma_heap_get_name(heap);
	exp_info.ops = &uncached_heap_buf_ops;
	exp_info.size = buffer->len;
	exp_info.flags = fd_flags;
	exp_info.priv = buffer;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		uncached_heap_restore_pages(buffer);
		ret = PTR_ERR(dmabuf);
		goto free_pages;
	}
	return dmabuf;

free_pages:
	uncached_heap_free_pages(buffer);
	return ERR_PTR(ret);
free_chunks:
	list_for_each_entry_safe(page, tmp, &chunks, lru)
		__free_pages(page, compound_order(page));
	kvfree(buffer->pages);
free_buffer:
	kfree(buffer);
	return ERR_PTR(ret);
}

static const struct dma_heap_ops uncached_heap_ops = {
	.allocate = uncached_heap_allocate,
};

static int __init uncached_heap_create(void)
{
	struct dma_heap_export_info exp_info = {
		.name = "system-uncached",
		.ops = &uncached_heap_ops,
	};
	struct dma_heap *heap;

	heap = dma_heap_add(&exp_info);
	return PTR_ERR_OR_ZERO(heap);
}
module_init(uncached_heap_create);
MODULE_DESCRIPTION("DMA-BUF heap of write-combined system pages (dmabench lab)");
MODULE_LICENSE("GPL");
