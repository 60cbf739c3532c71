/* heaps/backend_drm_dumb.c - the drm-dumb backend: a DRM card's dumb buffers as dma-bufs.
 *
 * On a board the display controller's dumb buffers (CMA, write-combined) are what its
 * framebuffers are made of. Each /dev/dri/cardN is a heap named "drm-dumb-cardN": a buffer is
 * DRM_IOCTL_MODE_CREATE_DUMB of whole 4096-byte lines, exported read-write with PRIME, mapped
 * through the dma-buf or, where the driver cannot map its exports, through the card's dumb map
 * offset (probed once with a one-line buffer), and destroyed with DRM_IOCTL_MODE_DESTROY_DUMB.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dmabuf_ops.h"
#include "drm_abi.h"
#include "drm_dumb.h"
#include "drm_node.h"
#include "heap.h"
#include "heap_backends.h"
#include "heap_dev.h"
#include "heap_ioctl.h"

#define MAX_CARDS 16

/* heap->priv when the card's exports cannot be mapped: buffers map through the card fd. */
static const char map_through_card[] = "the card's dumb map offset";

int drm_dumb_geometry_for(size_t size, struct drm_dumb_geometry *out)
{
    if (size == 0)
        return -EINVAL;
    if (size > DRM_DUMB_MAX_SIZE)
        return -EOVERFLOW;
    size_t lines = size / DRM_DUMB_LINE_BYTES + (size % DRM_DUMB_LINE_BYTES != 0);
    out->width = DRM_DUMB_WIDTH;
    out->bpp = DRM_DUMB_BPP;
    out->height = (uint32_t)lines;
    out->size = lines * DRM_DUMB_LINE_BYTES;
    return 0;
}

/* Drivers whose dumb buffers are shmem pages mapped cached (drm_gem_shmem without map_wc). */
static const char *const cached_drivers[] = {"vgem", "virtio_gpu", "vkms", "udl"};
/* Drivers on the GEM VRAM helpers (TTM): a dumb buffer is made in system RAM, mapped cached, and
 * moves into the card's VRAM (write-combined through its PCI BAR) only while pinned for scanout,
 * which dmabench never asks for. Their exports have no sg table, so no device can attach them:
 * drm_gem_map_attach answers ENOSYS (6.12). Seen in the lab on QEMU's stdvga (bochs-drm). */
static const char *const vram_helper_drivers[] = {"bochs-drm"};
/* Drivers of SoC display controllers on the DMA (CMA) GEM helpers, or (rockchip) their own
 * write-combined GEM: the CPU sees their dumb buffers uncached. */
static const char *const uncached_drivers[] = {
        "sun4i-drm",   "rockchip",    "vc4",         "meson", "imx-drm", "imx-lcdif",
        "stm",         "mxsfb-drm",   "pl111",       "hdlcd", "mali-dp", "tilcdc",
        "ingenic-drm", "atmel-hlcdc", "fsl-dcu-drm", "mcde",  "tve200",  "zynqmp-dpsub",
};

static bool driver_in(const char *driver, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(driver, list[i]))
            return true;
    return false;
}

#define DRIVER_IN(driver, list) driver_in(driver, list, sizeof(list) / sizeof(*(list)))

enum heap_class drm_dumb_class_of_driver(const char *driver, const char **why)
{
    enum heap_class klass = HEAP_CLASS_UNKNOWN;
    if (driver && (DRIVER_IN(driver, cached_drivers) || DRIVER_IN(driver, vram_helper_drivers)))
        klass = HEAP_CLASS_CACHED;
    else if (driver && DRIVER_IN(driver, uncached_drivers))
        klass = HEAP_CLASS_UNCACHED;
    if (why)
        *why = klass == HEAP_CLASS_UNKNOWN ? "driver not known to be shmem (cached) or "
                                             "DMA-helper (write-combined): --heap-class to say"
                                           : NULL;
    return klass;
}

const char *drm_dumb_limits_of_driver(const char *driver)
{
    if (driver && DRIVER_IN(driver, vram_helper_drivers))
        return "GEM VRAM: in system RAM until scanned out; no device can import its exports "
               "(no sg table)";
    return NULL;
}

static int dumb_create(int card_fd, size_t size, struct drm_mode_create_dumb *create)
{
    struct drm_dumb_geometry g;
    int ret = drm_dumb_geometry_for(size, &g);
    if (ret)
        return ret;
    *create = (struct drm_mode_create_dumb){.width = g.width, .height = g.height, .bpp = g.bpp};
    ret = heap_ioctl_restart(card_fd, DRM_IOCTL_MODE_CREATE_DUMB, create);
    return ret < 0 ? ret : 0;
}

static void dumb_destroy(int card_fd, uint32_t handle)
{
    struct drm_mode_destroy_dumb destroy = {.handle = handle};
    (void)heap_ioctl_restart(card_fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
}

static int dumb_export(int card_fd, uint32_t handle)
{
    struct drm_prime_handle prime = {.handle = handle, .flags = DRM_CLOEXEC | DRM_RDWR, .fd = -1};
    int ret = heap_ioctl_restart(card_fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime);
    return ret < 0 ? ret : prime.fd;
}

/* Map len bytes of the dumb buffer through the card fd at its fake offset. */
static int dumb_map(int card_fd, uint32_t handle, size_t len, size_t align, void **addr)
{
    struct drm_mode_map_dumb map = {.handle = handle};
    int ret = heap_ioctl_restart(card_fd, DRM_IOCTL_MODE_MAP_DUMB, &map);
    if (ret < 0)
        return ret;
    return heap_map_aligned_at(card_fd, (size_t)map.offset, len, align, addr);
}

/* How this card's buffers can be mapped: 0 through the dma-buf, 1 through the card, or -errno
 * when a one-line buffer cannot be created, exported or mapped at all. */
static int probe_mapping(int card_fd, const char **failed)
{
    struct drm_mode_create_dumb create;
    int ret = dumb_create(card_fd, 1, &create), buf_fd = -1;
    void *addr;
    *failed = "DRM_IOCTL_MODE_CREATE_DUMB";
    if (ret)
        return ret;
    buf_fd = dumb_export(card_fd, create.handle);
    *failed = "DRM_IOCTL_PRIME_HANDLE_TO_FD";
    if (buf_fd >= 0) {
        *failed = "mmap";
        ret = heap_map_aligned(buf_fd, (size_t)create.size, 0, &addr);
        if (ret)
            ret = dumb_map(card_fd, create.handle, (size_t)create.size, 0, &addr) ? ret : 1;
        if (ret >= 0)
            munmap(addr, (size_t)create.size);
        close(buf_fd);
    } else {
        ret = buf_fd;
    }
    dumb_destroy(card_fd, create.handle);
    return ret;
}

/* Fill info for one card and open it: the card fd, or -1 with info saying why not. */
static int probe_card(struct heap_info *info, const char *dir, const char *card, const void **how)
{
    char driver[32], what[HEAP_REASON_MAX];
    const char *why, *failed;
    snprintf(info->name, sizeof(info->name), "drm-dumb-%.40s", card);
    snprintf(info->device, sizeof(info->device), "%.100s/%.20s", dir, card);
    int fd = open(info->device, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        snprintf(what, sizeof(what), "open %s", info->device);
        heap_info_set_unavailable(info, -errno, what);
        return -1;
    }
    int ret = drm_driver_name(fd, driver, sizeof(driver));
    if (ret) {
        heap_info_set_unavailable_fmt(info, ret, "not a DRM device (DRM_IOCTL_VERSION: %s)",
                                      strerror(-ret));
        close(fd);
        return -1;
    }
    /* The kernel answers DRM_CAP_DUMB_BUFFER for KMS drivers only: a render-only one (vgem)
     * says EOPNOTSUPP and may still have dumb buffers, which the probe buffer then finds out. */
    struct drm_get_cap cap = {.capability = DRM_CAP_DUMB_BUFFER};
    ret = heap_ioctl(fd, DRM_IOCTL_GET_CAP, &cap);
    if (!ret && !cap.value)
        ret = -EOPNOTSUPP;
    else if (ret == -EOPNOTSUPP)
        ret = 0;
    failed = "DRM_CAP_DUMB_BUFFER";
    if (!ret)
        ret = probe_mapping(fd, &failed);
    if (ret == -EOPNOTSUPP || ret == -ENOSYS) {
        heap_info_set_unavailable_fmt(info, ret, "driver %s has no dumb buffers (%s)", driver,
                                      failed);
        close(fd);
        return -1;
    }
    if (ret < 0) {
        snprintf(what, sizeof(what), "driver %s: %s of a dumb buffer", driver, failed);
        heap_info_set_unavailable(info, ret, what);
        close(fd);
        return -1;
    }
    *how = ret == 1 ? map_through_card : NULL;
    info->klass = drm_dumb_class_of_driver(driver, &why);
    const char *limits = drm_dumb_limits_of_driver(driver);
    int n = snprintf(info->reason, sizeof(info->reason), "driver %s, mapped through %s%s%s", driver,
                     ret == 1 ? map_through_card : "the dma-buf", why ? "; class unknown: " : "",
                     why ? why : "");
    if (limits && n > 0 && (size_t)n < sizeof(info->reason))
        snprintf(info->reason + n, sizeof(info->reason) - (size_t)n, "; %s", limits);
    info->available = true;
    info->max_size = DRM_DUMB_MAX_SIZE;
    return fd;
}

static int add_heap(struct heap_registry *reg, const struct heap_info *info, int fd,
                    const void *how)
{
    struct heap *heap = heap_registry_add(reg, &heap_backend_drm_dumb, info);
    if (!heap) {
        if (fd >= 0)
            close(fd);
        return -ENOMEM;
    }
    heap->priv_word = fd; /* the card fd, -1 when unavailable */
    heap->priv = (void *)how;
    return 0;
}

static int drm_dumb_probe(struct heap_registry *reg)
{
    struct heap_info info = {.name = "drm-dumb", .is_dmabuf = true, .device = "-"};
    char dir[sizeof(info.device)];
    char cards[MAX_CARDS][DRM_NODE_NAME_MAX];
    int ret = heap_dev_path(dir, sizeof(dir), "/dev/dri");
    int n = ret ? ret : drm_nodes("card", cards, MAX_CARDS);
    if (n <= 0) {
        if (n == -ENOENT)
            heap_info_set_unavailable_fmt(
                    &info, n, "no /dev/dri: kernel without DRM, or no DRM driver loaded");
        else if (n < 0)
            heap_info_set_unavailable(&info, n, "list /dev/dri");
        else
            heap_info_set_unavailable_fmt(&info, -ENODEV, "no DRM card in /dev/dri");
        return add_heap(reg, &info, -1, NULL);
    }
    ret = 0;
    for (int i = 0; i < n && !ret; i++) {
        struct heap_info card = info;
        const void *how = NULL;
        heap_page_sizes_probe(&card, 0, 0);
        int fd = probe_card(&card, dir, cards[i], &how);
        ret = add_heap(reg, &card, fd, how);
    }
    return ret;
}

static int drm_dumb_alloc(struct heap *heap, const struct heap_alloc_req *req, struct heap_buf *buf)
{
    int card_fd = (int)heap->priv_word;
    struct drm_mode_create_dumb create;
    /* The driver decides where its pages live: accepting a node would be a silent lie. */
    if (req->numa_node != HEAP_NODE_ANY)
        return -EOPNOTSUPP;
    int ret = dumb_create(card_fd, req->size, &create);
    if (ret)
        return ret;
    int fd = dumb_export(card_fd, create.handle);
    if (fd < 0) {
        dumb_destroy(card_fd, create.handle);
        return fd;
    }
    buf->fd = fd;
    buf->priv_word = create.handle;
    buf->alloc_size = (size_t)create.size;
    buf->page_size = heap_base_page_size();
    return 0;
}

static void drm_dumb_free(struct heap_buf *buf)
{
    close(buf->fd);
    dumb_destroy((int)buf->heap->priv_word, (uint32_t)buf->priv_word);
    buf->fd = -1;
}

static int drm_dumb_mmap(struct heap_buf *buf, void **addr)
{
    if (buf->heap->priv == map_through_card)
        return dumb_map((int)buf->heap->priv_word, (uint32_t)buf->priv_word, buf->alloc_size,
                        buf->align, addr);
    return dmabuf_heap_mmap(buf, addr);
}

const struct heap_ops heap_backend_drm_dumb = {
        .name = "drm-dumb",
        .device_class = "drm",
        .description = "DRM dumb buffers (/dev/dri/cardN) exported as dma-bufs with PRIME",
        .probe = drm_dumb_probe,
        .alloc = drm_dumb_alloc,
        .free = drm_dumb_free,
        .mmap = drm_dumb_mmap,
        .munmap = dmabuf_heap_munmap,
        .sync = dmabuf_heap_sync,
        .sync_range = dmabuf_heap_sync_range,
        .set_name = dmabuf_heap_set_name,
        .release = dmabuf_heap_close_device,
};
