/* heaps/heap.h - the shared allocator core: one interface over every DMA-BUF allocator.
 *
 * Every benchmark gets its buffers through these calls. A backend (heaps/backend_*.c) is a
 * `struct heap_ops` listed in heaps/heap_backends.h; it discovers heaps, and the core counts
 * live buffers and mappings so that leaks are reported. Errors are negative errno values;
 * nothing here prints or parses command lines.
 */
#ifndef DMABENCH_HEAP_H
#define DMABENCH_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the CPU sees through a heap's buffers. CMA heaps are "contiguous" (cached mappings of
 * physically contiguous memory); an uncached contiguous heap is "uncached". */
enum heap_class {
    HEAP_CLASS_UNKNOWN = 0,
    HEAP_CLASS_CACHED,
    HEAP_CLASS_UNCACHED,
    HEAP_CLASS_CONTIGUOUS,
};

/* Whether the CPU mapping goes through the caches, as far as the class tells. */
enum heap_cpu_mapping {
    HEAP_MAPPING_UNKNOWN = 0,
    HEAP_MAPPING_CACHED,
    HEAP_MAPPING_UNCACHED,
};

/* Direction of CPU access bracketed by sync begin/end (DMA_BUF_SYNC_READ/WRITE/RW). */
enum heap_sync_dir {
    HEAP_SYNC_READ = 1,
    HEAP_SYNC_WRITE = 2,
    HEAP_SYNC_RW = 3,
};

/* How a range sync was carried out (non-negative results of heap_sync_range_*). */
enum heap_sync_done {
    HEAP_SYNC_DONE_RANGE = 0, /* only the requested range was maintained */
    HEAP_SYNC_DONE_FULL = 1,  /* the backend has no range sync: the whole buffer was synced */
};

enum heap_page_kind {
    HEAP_PAGES_BASE = 0, /* the kernel's base page size */
    HEAP_PAGES_THP,      /* base pages with transparent huge pages requested (madvise) */
    HEAP_PAGES_HUGETLB,  /* hugetlbfs pages of heap_alloc_req.page_size */
};

#define HEAP_NAME_MAX       64
#define HEAP_REASON_MAX     160
#define HEAP_MAX_PAGE_SIZES 6

/* One page size a heap can back its buffers with. */
struct heap_page_size {
    enum heap_page_kind kind;
    size_t size;     /* bytes; for THP the huge page size the kernel would use */
    long free_pages; /* hugetlb pages free now; -1 where it does not apply */
};

/* Facts about a heap, filled by the backend's probe and the class rules. */
struct heap_info {
    char name[HEAP_NAME_MAX]; /* what users type: "system", "udmabuf", "host", "ion-system" */
    const char *backend;      /* backend name: "dma-heap", "udmabuf", "ion", "host" */
    enum heap_class klass;    /* after any user override */
    bool class_from_user;     /* klass came from an override, not from the name */
    enum heap_cpu_mapping cpu_mapping;
    bool is_dmabuf;                 /* false only for the host baseline */
    bool has_range_sync;            /* a partial sync ioctl exists (probed) */
    bool available;                 /* usable by this process now */
    int unavailable_err;            /* negative errno when !available, else 0 */
    char reason[HEAP_REASON_MAX];   /* why unavailable, in words ("no such device ..."); for
                                     * an available heap a note `list` shows, or empty */
    char device[HEAP_NAME_MAX * 2]; /* device node or "-" */
    size_t max_size;                /* largest buffer the allocator accepts, 0 = no known limit */
    size_t n_page_sizes;
    struct heap_page_size page_sizes[HEAP_MAX_PAGE_SIZES];
};

/* What to allocate. Zero-initialise and set what matters: size is required. */
struct heap_alloc_req {
    size_t size;  /* bytes, > 0; rounded up to the page size */
    size_t align; /* alignment of the CPU mapping, power of two; 0 = page */
    enum heap_page_kind page_kind;
    size_t page_size; /* HEAP_PAGES_HUGETLB: 2 MiB, 1 GiB ...; otherwise ignored */
    bool bind_node;   /* place the backing pages on numa_node (zero: no binding) */
    int numa_node;    /* with bind_node: the node; backends see HEAP_NODE_ANY otherwise */
    bool no_prefault; /* leave pages unpopulated where the backend can */
};

#define HEAP_NODE_ANY (-1)

/* The pages the kernel really put behind a buffer, read back (heap_buf_pages), beside the page
 * size that was asked for. "Huge" is a page larger than the base page as the page tables map
 * it: a PMD-mapped transparent huge page or a hugetlb page. */
struct heap_pages {
    size_t page_size;         /* the page size most of the buffer's resident bytes are on */
    size_t huge_page_size;    /* the huge page size seen, 0 when no byte is on a huge page */
    double huge_fraction;     /* the buffer's bytes on huge pages, 0 to 1 */
    double resident_fraction; /* the buffer's bytes on any page at all, 0 to 1 */
};

struct heap;
struct heap_registry;

/* One allocated buffer. Fields are read-only for users of the core. */
struct heap_buf {
    struct heap *heap;
    size_t size;        /* bytes requested */
    size_t alloc_size;  /* bytes the allocator really provided (page rounded) */
    size_t page_size;   /* bytes per backing page */
    size_t align;       /* alignment every CPU mapping of this buffer gets */
    int fd;             /* dma-buf fd, or -1 for host memory */
    int numa_node;      /* requested node or HEAP_NODE_ANY */
    unsigned n_maps;    /* live CPU mappings of this buffer */
    void *priv;         /* backend state */
    intptr_t priv_word; /* backend state that fits in a word (handle, memfd ...) */
};

/* Whether a heap's exporter has a range-sync ioctl: only the first range sync can tell. */
enum heap_range_sync {
    HEAP_RANGE_SYNC_UNKNOWN = 0,
    HEAP_RANGE_SYNC_SUPPORTED,
    HEAP_RANGE_SYNC_UNSUPPORTED,
};

/* One heap instance (backend + name). */
struct heap {
    struct heap_info info;
    const struct heap_ops *ops;
    struct heap_registry *registry;
    void *priv; /* backend state (device fd, ION heap id ...) */
    intptr_t priv_word;
    enum heap_range_sync range_sync; /* probed by heaps/dmabuf_ops.c on first use */
};

/* A backend: one per heap family, listed in heaps/heap_backends.h. */
struct heap_ops {
    const char *name;
    const char *description;
    /* Backends whose heaps are named after a device node, BACKEND-NODE[-QUEUE] (drm-dumb-card0):
     * the sysfs class of those nodes ("drm"), checked when a user names one by path
     * (--heap drm-dumb:/dev/dri/card0, heaps/heap_by_path.h); NULL: any character device. */
    const char *device_class;
    /* Find this backend's heaps and add each with heap_registry_add(), available or not. A
     * backend with nothing at all adds one unavailable heap named after itself, with the reason. */
    int (*probe)(struct heap_registry *reg);
    /* Fill buf->alloc_size, page_size, fd, priv; the core has validated req. */
    int (*alloc)(struct heap *heap, const struct heap_alloc_req *req, struct heap_buf *buf);
    void (*free)(struct heap_buf *buf);
    /* Map the whole buffer read/write at an address aligned to buf->align. */
    int (*mmap)(struct heap_buf *buf, void **addr);
    int (*munmap)(struct heap_buf *buf, void *addr);
    /* begin=true: DMA_BUF_SYNC_START; false: END. NULL: nothing to do (host memory). */
    int (*sync)(struct heap_buf *buf, bool begin, enum heap_sync_dir dir);
    /* Range sync; NULL or -EOPNOTSUPP falls back to sync() over the whole buffer. */
    int (*sync_range)(struct heap_buf *buf, bool begin, enum heap_sync_dir dir, size_t offset,
                      size_t len);
    int (*set_name)(struct heap_buf *buf, const char *name);
    /* Read back the pages behind the buffer. NULL: user space cannot see them. */
    int (*pages)(struct heap_buf *buf, struct heap_pages *out);
    /* What a buffer of size bytes is in the device's own terms (a V4L2 frame's format), for a
     * row's note: 0 and out, or the -errno alloc would give with out saying why. NULL: nothing
     * beyond the size to say. */
    int (*describe)(struct heap *heap, size_t size, char *out, size_t out_len);
    void (*release)(struct heap *heap); /* free heap->priv */
};

/* A user's class override: "NAME=uncached". */
struct heap_class_override {
    char name[HEAP_NAME_MAX];
    enum heap_class klass;
};

/* Live objects of a registry, for leak reports. */
struct heap_counts {
    long buffers;
    long mappings;
};

/* --- registry: enumerate every backend's heaps ------------------------------------------- */

/* Probe every backend. overrides may be NULL. Returns 0 or -errno (-ENOMEM). */
int heap_registry_open(struct heap_registry **out, const struct heap_class_override *overrides,
                       size_t n_overrides);
/* Frees everything; buffers still alive are freed and counted in *leaked (may be NULL). */
void heap_registry_close(struct heap_registry *reg, struct heap_counts *leaked);
size_t heap_registry_count(const struct heap_registry *reg);
struct heap *heap_registry_at(struct heap_registry *reg, size_t i);
/* By user name ("system") or backend-qualified ("dma-heap:system"); NULL when unknown. */
struct heap *heap_registry_find(struct heap_registry *reg, const char *name);
struct heap_counts heap_registry_live(const struct heap_registry *reg);

/* For heap_registry_open: an empty registry, or NULL on ENOMEM. */
struct heap_registry *heap_registry_new(void);
/* For backends' probe(): add a heap; returns it (to set priv) or NULL on ENOMEM. */
struct heap *heap_registry_add(struct heap_registry *reg, const struct heap_ops *ops,
                               const struct heap_info *info);

/* --- buffers ----------------------------------------------------------------------------- */

/* Validates req (size > 0, fits in memory, align a power of two, page size offered). */
int heap_alloc(struct heap *heap, const struct heap_alloc_req *req, struct heap_buf **out);
/* Unmaps what is still mapped, then frees. NULL is fine. */
void heap_free(struct heap_buf *buf);
int heap_mmap(struct heap_buf *buf, void **addr);
int heap_munmap(struct heap_buf *buf, void *addr);
/* Whether heap's exporter has a sync of its own (a dma-buf's ioctls, a driver's sysfs files);
 * host memory has none, and heap_sync_* on it does nothing. */
bool heap_has_sync(const struct heap *heap);
int heap_sync_begin(struct heap_buf *buf, enum heap_sync_dir dir);
int heap_sync_end(struct heap_buf *buf, enum heap_sync_dir dir);
/* Returns HEAP_SYNC_DONE_RANGE or HEAP_SYNC_DONE_FULL, or -errno. */
int heap_sync_range_begin(struct heap_buf *buf, enum heap_sync_dir dir, size_t offset, size_t len);
int heap_sync_range_end(struct heap_buf *buf, enum heap_sync_dir dir, size_t offset, size_t len);
/* Debug name shown in /proc/<pid>/fdinfo and debugfs; -EOPNOTSUPP for host memory. */
int heap_set_name(struct heap_buf *buf, const char *name);
/* The pages the kernel put behind buf, read back from its own accounting (smaps): call it after
 * the buffer was touched. -EOPNOTSUPP where user space cannot see them (dma-heap and ION map
 * their pages by PFN), -ENODATA when no page is there yet, other -errno when /proc fails. */
int heap_buf_pages(struct heap_buf *buf, struct heap_pages *out);
/* The heap's own words for a buffer of size bytes (heap_ops.describe): 0 and out, -EOPNOTSUPP
 * (out empty) for heaps that have none, or the -errno an allocation of that size would give,
 * with out saying why. */
int heap_describe(struct heap *heap, size_t size, char *out, size_t out_len);
static inline int heap_buf_fd(const struct heap_buf *buf)
{
    return buf->fd;
}

/* --- facts and names --------------------------------------------------------------------- */

const char *heap_class_name(enum heap_class klass);
/* "cached", "uncached", "contiguous", "unknown" -> class; -EINVAL for anything else. */
int heap_class_parse(const char *text, enum heap_class *out);
/* The class a heap name implies ("system-uncached" -> uncached, "linux,cma" -> contiguous). */
enum heap_class heap_class_from_name(const char *name);
enum heap_cpu_mapping heap_class_cpu_mapping(enum heap_class klass);
const char *heap_cpu_mapping_name(enum heap_cpu_mapping m);
const char *heap_sync_dir_name(enum heap_sync_dir dir);
/* Parses "NAME=CLASS" (the --heap-class option); -EINVAL when malformed. */
int heap_class_override_parse(const char *text, struct heap_class_override *out);

#endif
