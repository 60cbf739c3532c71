/* heaps/backend_ion.c - legacy Android ION (/dev/ion), both ioctl ABIs, as dmabench heaps.
 *
 * On ION the cache policy is a per-allocation flag, not a separate heap, so every ION heap is
 * offered twice: "ion-NAME" (ION_FLAG_CACHED) and "ion-NAME-uncached" (write-combined). Every
 * ioctl goes through heap_ioctl() so that tests/unit/test_ion_abi.c can play either kernel.
 */
#include "ion.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmabuf_ops.h"
#include "heap.h"
#include "heap_backends.h"
#include "heap_dev.h"
#include "heap_ioctl.h"

int ion_detect_abi(int ion_fd)
{
    struct ion_handle_data no_handle = {.handle = 0};
    int ret = heap_ioctl(ion_fd, ION_IOC_FREE, &no_handle);
    if (ret == -ENOTTY)
        return ION_ABI_MODERN;
    if (ret >= 0 || ret == -EINVAL || ret == -EFAULT)
        return ION_ABI_LEGACY;
    return ret;
}

/* --- legacy ABI: allocations are handles in the client until shared as a dma-buf --------- */

static int legacy_alloc_handle(int ion_fd, size_t len, unsigned heap_id_mask, unsigned flags,
                               int *handle)
{
    /* Page alignment: every heap accepts it (the system heap rejects anything larger), and the
     * CPU-side alignment is the mapping's business, not the allocator's. */
    struct ion_allocation_data_legacy data = {
            .len = len,
            .align = heap_base_page_size(),
            .heap_id_mask = heap_id_mask,
            .flags = flags,
    };
    int ret = heap_ioctl(ion_fd, ION_IOC_ALLOC_LEGACY, &data);
    if (ret < 0)
        return ret;
    *handle = data.handle;
    return 0;
}

static void legacy_free_handle(int ion_fd, int handle)
{
    struct ion_handle_data data = {.handle = handle};
    /* Nothing useful to do on failure: the handle dies with the client's fd at worst. */
    (void)heap_ioctl(ion_fd, ION_IOC_FREE, &data);
}

static int legacy_alloc_fd(int ion_fd, size_t len, unsigned heap_id_mask, unsigned flags)
{
    int handle;
    int ret = legacy_alloc_handle(ion_fd, len, heap_id_mask, flags, &handle);
    if (ret < 0)
        return ret;
    struct ion_fd_data share = {.handle = handle, .fd = -1};
    int shared = heap_ioctl(ion_fd, ION_IOC_SHARE, &share);
    /* The dma-buf holds its own reference to the buffer, so the handle is never needed again;
     * freeing it whether SHARE worked or not keeps the client's handle table from growing. */
    legacy_free_handle(ion_fd, handle);
    return shared < 0 ? shared : share.fd;
}

/* --- modern ABI: allocation returns the dma-buf fd itself --------------------------------- */

static int modern_alloc_fd(int ion_fd, size_t len, unsigned heap_id_mask, unsigned flags)
{
    struct ion_allocation_data data = {
            .len = len,
            .heap_id_mask = heap_id_mask,
            .flags = flags,
    };
    int ret = heap_ioctl(ion_fd, ION_IOC_ALLOC, &data);
    return ret < 0 ? ret : (int)data.fd;
}

int ion_alloc_fd(int ion_fd, int abi, size_t len, unsigned heap_id_mask, unsigned flags)
{
    switch (abi) {
    case ION_ABI_LEGACY:
        return legacy_alloc_fd(ion_fd, len, heap_id_mask, flags);
    case ION_ABI_MODERN:
        return modern_alloc_fd(ion_fd, len, heap_id_mask, flags);
    default:
        return -EINVAL;
    }
}

/* --- heap enumeration ----------------------------------------------------------------------- */

static int modern_query_heaps(int ion_fd, struct ion_heap_data *out, size_t max)
{
    struct ion_heap_query query = {0}; /* heaps == 0: only count; reserved fields must be 0 */
    int ret = heap_ioctl(ion_fd, ION_IOC_HEAP_QUERY, &query);
    if (ret < 0)
        return ret;
    size_t want = query.cnt < max ? query.cnt : max;
    if (want == 0)
        return 0;
    memset(out, 0, want * sizeof(*out));
    query.cnt = (__u32)want;
    query.heaps = (__u64)(uintptr_t)out;
    ret = heap_ioctl(ion_fd, ION_IOC_HEAP_QUERY, &query);
    if (ret < 0)
        return ret;
    /* The kernel stores how many it filled; never trust it past what was offered. */
    return (int)(query.cnt < want ? query.cnt : want);
}

/* Legacy kernels cannot list heaps, but they answer ENODEV exactly when no heap has an id in
 * the mask, so a one-page allocation per id finds them. A heap whose trial fails otherwise (a
 * secure heap wanting vendor flags, an exhausted carveout) is left out, as it could not serve a
 * benchmark's plain allocations now either. When nothing is found, the first such error says
 * why. */
static int legacy_query_heaps(int ion_fd, struct ion_heap_data *out, size_t max)
{
    size_t found = 0;
    int first_err = 0;
    for (unsigned id = 0; id < ION_NUM_HEAP_IDS && found < max; id++) {
        int handle;
        int ret = legacy_alloc_handle(ion_fd, heap_base_page_size(), 1u << id, 0, &handle);
        if (ret < 0) {
            if (ret != -ENODEV && !first_err)
                first_err = ret;
            continue;
        }
        legacy_free_handle(ion_fd, handle);
        struct ion_heap_data *heap = &out[found++];
        memset(heap, 0, sizeof(*heap));
        snprintf(heap->name, sizeof(heap->name), "id%u", id);
        heap->type = ION_HEAP_TYPE_UNKNOWN;
        heap->heap_id = id;
    }
    return found ? (int)found : first_err;
}

static int query_heaps_for_abi(int ion_fd, int abi, struct ion_heap_data *out, size_t max)
{
    switch (abi) {
    case ION_ABI_LEGACY:
        return legacy_query_heaps(ion_fd, out, max);
    case ION_ABI_MODERN:
        return modern_query_heaps(ion_fd, out, max);
    default:
        return -EINVAL;
    }
}

int ion_query_heaps(int ion_fd, struct ion_heap_data *out, size_t max)
{
    int abi = ion_detect_abi(ion_fd);
    return abi < 0 ? abi : query_heaps_for_abi(ion_fd, abi, out, max);
}

/* --- heap_ops ------------------------------------------------------------------------------- */

/* The one /dev/ion fd all ION heaps share: legacy handles belong to it, and it is closed when
 * the last heap using it is released. */
struct ion_client {
    int fd;
    int abi;
    unsigned refs;
};

/* What one dmabench heap allocates with: which ION heap, and whether cached. */
struct ion_heap_priv {
    struct ion_client *client;
    unsigned heap_id;
    unsigned flags;
};

static void ion_client_put(struct ion_client *client)
{
    if (--client->refs)
        return;
    close(client->fd);
    free(client);
}

/* ION's flag decides the CPU mapping; the heap type says whether the memory is contiguous. */
static enum heap_class ion_heap_class(__u32 type, bool cached)
{
    if (!cached)
        return HEAP_CLASS_UNCACHED; /* ION maps un-flagged buffers write-combined */
    switch (type) {
    case ION_HEAP_TYPE_SYSTEM_CONTIG:
    case ION_HEAP_TYPE_CARVEOUT:
    case ION_HEAP_TYPE_DMA:
        return HEAP_CLASS_CONTIGUOUS;
    default:
        return HEAP_CLASS_CACHED;
    }
}

static struct heap_info ion_info_template(const char *device)
{
    struct heap_info info = {.backend = "ion", .is_dmabuf = true};
    snprintf(info.device, sizeof(info.device), "%s", device);
    return info;
}

/* The one heap named "ion" that says why there are no others: reason in words, or else
 * what failed with the errno's text. */
static int add_placeholder(struct heap_registry *reg, const char *device, int err, const char *what,
                           const char *reason)
{
    struct heap_info info = ion_info_template(device);
    snprintf(info.name, sizeof(info.name), "ion");
    if (reason)
        heap_info_set_unavailable_fmt(&info, err, "%s", reason);
    else
        heap_info_set_unavailable(&info, err, what);
    return heap_registry_add(reg, &heap_backend_ion, &info) ? 0 : -ENOMEM;
}

static int add_ion_heap(struct heap_registry *reg, struct ion_client *client, const char *device,
                        const struct ion_heap_data *ion_heap, bool cached)
{
    struct heap_info info = ion_info_template(device);
    int name_len = (int)strnlen(ion_heap->name, sizeof(ion_heap->name));
    snprintf(info.name, sizeof(info.name), "ion-%.*s%s", name_len, ion_heap->name,
             cached ? "" : "-uncached");
    info.klass = ion_heap_class(ion_heap->type, cached);
    info.available = true;
    heap_page_sizes_probe(&info, 0, 0);

    struct ion_heap_priv *priv = malloc(sizeof(*priv));
    if (!priv)
        return -ENOMEM;
    struct heap *heap = heap_registry_add(reg, &heap_backend_ion, &info);
    if (!heap) {
        free(priv);
        return -ENOMEM;
    }
    *priv = (struct ion_heap_priv){
            .client = client,
            .heap_id = ion_heap->heap_id,
            .flags = cached ? ION_FLAG_CACHED : 0,
    };
    client->refs++;
    heap->priv = priv;
    return 0;
}

static int add_ion_heaps(struct heap_registry *reg, struct ion_client *client, const char *device)
{
    struct ion_heap_data heaps[ION_NUM_HEAP_IDS];
    int n = query_heaps_for_abi(client->fd, client->abi, heaps, ION_NUM_HEAP_IDS);
    if (n < 0)
        return add_placeholder(reg, device, n, "listing ION heaps", NULL);
    int added = 0;
    for (int i = 0; i < n; i++) {
        /* An id the 32-bit heap_id_mask cannot express cannot be allocated from. */
        if (heaps[i].heap_id >= ION_NUM_HEAP_IDS)
            continue;
        int ret = add_ion_heap(reg, client, device, &heaps[i], true);
        if (!ret)
            ret = add_ion_heap(reg, client, device, &heaps[i], false);
        if (ret)
            return ret;
        added++;
    }
    return added ? 0 : add_placeholder(reg, device, -ENODEV, NULL, "/dev/ion lists no heaps");
}

static int ion_probe(struct heap_registry *reg)
{
    char path[HEAP_NAME_MAX * 2];
    int ret = heap_dev_path(path, sizeof(path), "/dev/ion");
    if (ret)
        return add_placeholder(reg, "-", ret, "/dev/ion under $DMABENCH_DEV_ROOT", NULL);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return add_placeholder(reg, "-", -ENOENT, NULL,
                               "no /dev/ion: legacy Android ION, removed from mainline in 5.11");
    if (fd < 0) {
        int err = -errno;
        char what[sizeof(path) + 8];
        snprintf(what, sizeof(what), "open %s", path);
        return add_placeholder(reg, path, err, what, NULL);
    }
    struct ion_client *client = malloc(sizeof(*client));
    if (!client) {
        close(fd);
        return -ENOMEM;
    }
    /* The probe holds a reference of its own so that a failure halfway still closes fd. */
    *client = (struct ion_client){.fd = fd, .refs = 1};
    client->abi = ion_detect_abi(fd);
    if (client->abi < 0)
        ret = add_placeholder(reg, path, client->abi, "ION ABI detection (ION_IOC_FREE)", NULL);
    else
        ret = add_ion_heaps(reg, client, path);
    ion_client_put(client);
    return ret;
}

static int ion_alloc(struct heap *heap, const struct heap_alloc_req *req, struct heap_buf *buf)
{
    const struct ion_heap_priv *priv = heap->priv;
    /* ION's heaps decide where their pages live: accepting a node would be a silent lie. */
    if (req->numa_node != HEAP_NODE_ANY)
        return -EOPNOTSUPP;
    size_t page = heap_base_page_size();
    size_t len = (req->size + page - 1) / page * page; /* the core bounds size by RAM */
    int fd = ion_alloc_fd(priv->client->fd, priv->client->abi, len, 1u << priv->heap_id,
                          priv->flags);
    if (fd < 0)
        return fd;
    buf->fd = fd;
    buf->alloc_size = len;
    buf->page_size = page;
    return 0;
}

static void ion_free(struct heap_buf *buf)
{
    close(buf->fd);
    buf->fd = -1;
}

static void ion_release(struct heap *heap)
{
    struct ion_heap_priv *priv = heap->priv;
    if (!priv)
        return; /* the unavailable placeholder heap */
    ion_client_put(priv->client);
    free(priv);
    heap->priv = NULL;
}

const struct heap_ops heap_backend_ion = {
        .name = "ion",
        .description = "legacy Android ION (/dev/ion), both ioctl ABIs; cached and uncached",
        .probe = ion_probe,
        .alloc = ion_alloc,
        .free = ion_free,
        .mmap = dmabuf_heap_mmap,
        .munmap = dmabuf_heap_munmap,
        /* DMA_BUF_IOCTL_SYNC maintains ION's caches since 4.12 (4.6-4.11 staging ION accepts
         * it and does nothing); older kernels answer ENOTTY, passed up so results can say so. */
        .sync = dmabuf_heap_sync,
        .sync_range = dmabuf_heap_sync_range, /* vendor ION kernels may have it */
        .set_name = dmabuf_heap_set_name,
        .release = ion_release,
};
