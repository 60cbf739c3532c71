/* heaps/heap_core.c - the allocator core: the registry backends add their heaps to, checks on
 * every request, and the count of every live buffer and CPU mapping.
 *
 * Benchmarks never talk to a backend directly: going through here means one set of checks for
 * bad input, one place that knows what is still allocated, and a leak report at the end. The
 * core knows no backend by name (heap_backends.c probes them): backends call into it, it only
 * calls them back through their ops.
 */
#include "heap.h"

#include <errno.h>
#include <numa.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "heap_dev.h"
#include "heap_fault.h"

/* A buffer as the core keeps it: the public part first, then the bookkeeping. */
struct buf_entry {
    struct heap_buf buf;
    struct buf_entry *prev, *next;
    void **maps;
    size_t maps_cap;
};

struct heap_registry {
    struct heap **heaps;
    size_t n_heaps, cap_heaps;
    struct buf_entry *live; /* every allocated buffer, for leak reports */
    struct heap_counts counts;
    pthread_mutex_t lock; /* benchmarks allocate from several threads */
};

static struct buf_entry *entry_of(struct heap_buf *buf)
{
    return (struct buf_entry *)buf;
}

struct heap *heap_registry_add(struct heap_registry *reg, const struct heap_ops *ops,
                               const struct heap_info *info)
{
    if (reg->n_heaps == reg->cap_heaps) {
        size_t cap = reg->cap_heaps ? reg->cap_heaps * 2 : 8;
        struct heap **grown = realloc(reg->heaps, cap * sizeof(*grown));
        if (!grown)
            return NULL;
        reg->heaps = grown;
        reg->cap_heaps = cap;
    }
    struct heap *heap = calloc(1, sizeof(*heap));
    if (!heap)
        return NULL;
    heap->info = *info;
    heap->info.backend = ops->name;
    if (heap->info.klass == HEAP_CLASS_UNKNOWN)
        heap->info.klass = heap_class_from_name(info->name);
    heap->info.cpu_mapping = heap_class_cpu_mapping(heap->info.klass);
    heap->ops = ops;
    heap->registry = reg;
    reg->heaps[reg->n_heaps++] = heap;
    return heap;
}

struct heap_registry *heap_registry_new(void)
{
    struct heap_registry *reg = calloc(1, sizeof(*reg));
    if (reg)
        pthread_mutex_init(&reg->lock, NULL);
    return reg;
}

void heap_registry_close(struct heap_registry *reg, struct heap_counts *leaked)
{
    if (!reg)
        return;
    struct heap_counts live = heap_registry_live(reg);
    if (leaked)
        *leaked = live;
    while (reg->live)
        heap_free(&reg->live->buf);
    for (size_t i = 0; i < reg->n_heaps; i++) {
        struct heap *heap = reg->heaps[i];
        if (heap->ops->release)
            heap->ops->release(heap);
        free(heap);
    }
    free(reg->heaps);
    pthread_mutex_destroy(&reg->lock);
    free(reg);
}

size_t heap_registry_count(const struct heap_registry *reg)
{
    return reg->n_heaps;
}

struct heap *heap_registry_at(struct heap_registry *reg, size_t i)
{
    return i < reg->n_heaps ? reg->heaps[i] : NULL;
}

struct heap *heap_registry_find(struct heap_registry *reg, const char *name)
{
    const char *colon = strchr(name, ':');
    for (size_t i = 0; i < reg->n_heaps; i++) {
        const struct heap_info *info = &reg->heaps[i]->info;
        if (!strcmp(info->name, name))
            return reg->heaps[i];
        /* "dma-heap:system": backend-qualified, for names that clash across backends. */
        if (colon && strlen(info->backend) == (size_t)(colon - name) &&
            !strncmp(info->backend, name, (size_t)(colon - name)) && !strcmp(info->name, colon + 1))
            return reg->heaps[i];
    }
    return NULL;
}

struct heap_counts heap_registry_live(const struct heap_registry *reg)
{
    struct heap_registry *mutable_reg = (struct heap_registry *)reg;
    pthread_mutex_lock(&mutable_reg->lock);
    struct heap_counts counts = reg->counts;
    pthread_mutex_unlock(&mutable_reg->lock);
    return counts;
}

static int validate_request(const struct heap *heap, const struct heap_alloc_req *req)
{
    if (!heap->info.available)
        return heap->info.unavailable_err ? heap->info.unavailable_err : -ENODEV;
    if (req->size == 0)
        return -EINVAL;
    if (req->align & (req->align - 1))
        return -EINVAL;
    /* More than the machine has can only end in the OOM killer: refuse before asking. */
    if (req->size > heap_mem_total())
        return -ENOMEM;
    if (heap->info.max_size && req->size > heap->info.max_size)
        return -EFBIG;
    if (!heap_page_size_offered(&heap->info, req->page_kind, req->page_size))
        return -EOPNOTSUPP;
    if (req->bind_node &&
        (req->numa_node < 0 || numa_available() < 0 || req->numa_node > numa_max_node()))
        return -EINVAL;
    return 0;
}

/* tests only (DMABENCH_FAULT=dirty:N:OFFSET): a heap that hands out another user's data, written
 * through the backend's own mapping so the buffer itself is dirty, whatever maps it next. */
static void plant_dirty_byte(struct heap_buf *buf, size_t offset)
{
    void *addr;
    if (buf->heap->ops->mmap(buf, &addr))
        return;
    const struct heap_ops *ops = buf->heap->ops;
    if (ops->sync)
        ops->sync(buf, true, HEAP_SYNC_WRITE);
    ((volatile unsigned char *)addr)[offset < buf->alloc_size ? offset : buf->alloc_size - 1] =
            0xa5;
    if (ops->sync)
        ops->sync(buf, false, HEAP_SYNC_WRITE);
    ops->munmap(buf, addr);
}

int heap_alloc(struct heap *heap, const struct heap_alloc_req *user_req, struct heap_buf **out)
{
    if (!heap || !user_req || !out)
        return -EINVAL;
    /* Backends see one spelling of "no binding", whatever numa_node a zeroed request holds. */
    struct heap_alloc_req normalized = *user_req;
    if (!normalized.bind_node)
        normalized.numa_node = HEAP_NODE_ANY;
    const struct heap_alloc_req *req = &normalized;
    int ret = validate_request(heap, req);
    if (!ret)
        ret = heap_fault_inject(HEAP_FAULT_ALLOC); /* tests only: DMABENCH_FAULT */
    if (ret)
        return ret;
    struct buf_entry *entry = calloc(1, sizeof(*entry));
    if (!entry)
        return -ENOMEM;
    struct heap_buf *buf = &entry->buf;
    size_t page = heap_base_page_size();
    buf->heap = heap;
    buf->size = req->size;
    buf->align = req->align > page ? req->align : page;
    buf->fd = -1;
    buf->numa_node = req->numa_node;
    ret = heap->ops->alloc(heap, req, buf);
    if (ret) {
        free(entry);
        return ret < 0 ? ret : -EIO;
    }
    size_t dirty_at;
    if (heap_fault_dirty(&dirty_at))
        plant_dirty_byte(buf, dirty_at);
    struct heap_registry *reg = heap->registry;
    pthread_mutex_lock(&reg->lock);
    entry->next = reg->live;
    if (reg->live)
        reg->live->prev = entry;
    reg->live = entry;
    reg->counts.buffers++;
    pthread_mutex_unlock(&reg->lock);
    *out = buf;
    return 0;
}

void heap_free(struct heap_buf *buf)
{
    if (!buf)
        return;
    struct buf_entry *entry = entry_of(buf);
    while (buf->n_maps)
        heap_munmap(buf, entry->maps[buf->n_maps - 1]);
    buf->heap->ops->free(buf);
    struct heap_registry *reg = buf->heap->registry;
    pthread_mutex_lock(&reg->lock);
    if (entry->prev)
        entry->prev->next = entry->next;
    else
        reg->live = entry->next;
    if (entry->next)
        entry->next->prev = entry->prev;
    reg->counts.buffers--;
    pthread_mutex_unlock(&reg->lock);
    free(entry->maps);
    free(entry);
}

int heap_mmap(struct heap_buf *buf, void **addr)
{
    if (!buf || !addr)
        return -EINVAL;
    int ret = heap_fault_inject(HEAP_FAULT_MMAP);
    if (ret)
        return ret;
    struct buf_entry *entry = entry_of(buf);
    if (buf->n_maps == entry->maps_cap) {
        size_t cap = entry->maps_cap ? entry->maps_cap * 2 : 2;
        void **grown = realloc(entry->maps, cap * sizeof(*grown));
        if (!grown)
            return -ENOMEM;
        entry->maps = grown;
        entry->maps_cap = cap;
    }
    ret = buf->heap->ops->mmap(buf, addr);
    if (ret)
        return ret < 0 ? ret : -EIO;
    entry->maps[buf->n_maps++] = *addr;
    struct heap_registry *reg = buf->heap->registry;
    pthread_mutex_lock(&reg->lock);
    reg->counts.mappings++;
    pthread_mutex_unlock(&reg->lock);
    return 0;
}

int heap_munmap(struct heap_buf *buf, void *addr)
{
    if (!buf)
        return -EINVAL;
    struct buf_entry *entry = entry_of(buf);
    size_t i = 0;
    while (i < buf->n_maps && entry->maps[i] != addr)
        i++;
    if (i == buf->n_maps)
        return -EINVAL; /* not a mapping of this buffer: never unmap a stranger */
    int ret = buf->heap->ops->munmap(buf, addr);
    entry->maps[i] = entry->maps[--buf->n_maps];
    struct heap_registry *reg = buf->heap->registry;
    pthread_mutex_lock(&reg->lock);
    reg->counts.mappings--;
    pthread_mutex_unlock(&reg->lock);
    return ret;
}

static int check_dir(enum heap_sync_dir dir)
{
    return (dir == HEAP_SYNC_READ || dir == HEAP_SYNC_WRITE || dir == HEAP_SYNC_RW) ? 0 : -EINVAL;
}

bool heap_has_sync(const struct heap *heap)
{
    return heap->ops->sync || heap->ops->sync_range;
}

static int sync_whole(struct heap_buf *buf, bool begin, enum heap_sync_dir dir)
{
    if (!buf || check_dir(dir))
        return -EINVAL;
    /* Counted for every backend, host memory included, so tests reach the paths anywhere. */
    int ret = heap_fault_inject(HEAP_FAULT_SYNC);
    if (ret)
        return ret;
    return buf->heap->ops->sync ? buf->heap->ops->sync(buf, begin, dir) : 0;
}

int heap_sync_begin(struct heap_buf *buf, enum heap_sync_dir dir)
{
    return sync_whole(buf, true, dir);
}

int heap_sync_end(struct heap_buf *buf, enum heap_sync_dir dir)
{
    return sync_whole(buf, false, dir);
}

static int sync_range(struct heap_buf *buf, bool begin, enum heap_sync_dir dir, size_t offset,
                      size_t len)
{
    if (!buf || check_dir(dir) || len == 0 || offset > buf->alloc_size ||
        len > buf->alloc_size - offset)
        return -EINVAL;
    int ret = heap_fault_inject(HEAP_FAULT_SYNC);
    if (ret)
        return ret;
    if (buf->heap->ops->sync_range) {
        ret = buf->heap->ops->sync_range(buf, begin, dir, offset, len);
        if (ret != -EOPNOTSUPP)
            return ret < 0 ? ret : HEAP_SYNC_DONE_RANGE;
    }
    if (!buf->heap->ops->sync)
        return HEAP_SYNC_DONE_RANGE; /* host memory: nothing to maintain at all */
    ret = buf->heap->ops->sync(buf, begin, dir);
    return ret < 0 ? ret : HEAP_SYNC_DONE_FULL;
}

int heap_sync_range_begin(struct heap_buf *buf, enum heap_sync_dir dir, size_t offset, size_t len)
{
    return sync_range(buf, true, dir, offset, len);
}

int heap_sync_range_end(struct heap_buf *buf, enum heap_sync_dir dir, size_t offset, size_t len)
{
    return sync_range(buf, false, dir, offset, len);
}

int heap_set_name(struct heap_buf *buf, const char *name)
{
    if (!buf || !name)
        return -EINVAL;
    if (!buf->heap->ops->set_name)
        return -EOPNOTSUPP;
    return buf->heap->ops->set_name(buf, name);
}

int heap_buf_pages(struct heap_buf *buf, struct heap_pages *out)
{
    if (!buf || !out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    if (!buf->heap->ops->pages)
        return -EOPNOTSUPP;
    return buf->heap->ops->pages(buf, out);
}

int heap_describe(struct heap *heap, size_t size, char *out, size_t out_len)
{
    if (!heap || !out || !out_len)
        return -EINVAL;
    out[0] = '\0';
    if (!heap->ops->describe)
        return -EOPNOTSUPP;
    return heap->ops->describe(heap, size, out, out_len);
}
