/* workloads/engine_vgem.c - the `vgem` engine: DRM vgem as a dma-buf importer.
 *
 * vgem is a virtual GEM driver with no hardware behind it, but importing a buffer into it
 * (DRM_IOCTL_PRIME_FD_TO_HANDLE) makes a real kernel attachment, mapped for DMA at import: on
 * mainline heaps that is what makes DMA_BUF_IOCTL_SYNC do cache maintenance at all. It can also
 * put a fence on a buffer and signal it later (VGEM_FENCE_ATTACH / SIGNAL), which is how the
 * fence probe gets a real implicit fence. It moves no data, so it has no copy/fill/read.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "drm_abi.h"
#include "drm_import.h"
#include "engine.h"
#include "heap_ioctl.h"

/* Open the first /dev/dri/card* whose driver is vgem. Returns the fd or -errno; found lists
 * what else was there, for the reason. */
static int open_vgem(char *path, size_t path_len, char *found, size_t found_len)
{
    return drm_node_open_first("card", "vgem", path, path_len, found, found_len);
}

static void vgem_probe(const char *device, struct engine_probe *out)
{
    (void)device;
    char path[300], found[ENGINE_REASON_MAX / 2];
    int fd = open_vgem(path, sizeof(path), found, sizeof(found));
    if (fd >= 0) {
        close(fd);
        out->available = true;
        snprintf(out->detail, sizeof(out->detail), "%.150s: vgem (PRIME import, fences)", path);
        return;
    }
    out->err = fd == -ENOENT ? -ENODEV : fd;
    if (fd == -ENOENT)
        snprintf(out->reason, sizeof(out->reason),
                 "no /dev/dri: kernel without DRM (vgem needs CONFIG_DRM_VGEM)");
    else if (fd == -ENODEV && found[0])
        snprintf(out->reason, sizeof(out->reason),
                 "no DRM device with driver vgem (found %s): load the vgem module", found);
    else if (fd == -ENODEV)
        snprintf(out->reason, sizeof(out->reason),
                 "no /dev/dri/card* at all: load the vgem module (CONFIG_DRM_VGEM)");
    else
        snprintf(out->reason, sizeof(out->reason), "/dev/dri: %s", strerror(-fd));
}

static int vgem_open(struct engine *e, const struct engine_config *cfg, char *why, size_t why_len)
{
    (void)cfg;
    char path[300], found[ENGINE_REASON_MAX / 2];
    int fd = open_vgem(path, sizeof(path), found, sizeof(found));
    if (fd < 0) {
        snprintf(why, why_len, "vgem: cannot open its DRM device");
        return fd;
    }
    drm_import_set_fd(e, fd);
    return 0;
}

static int vgem_submit(struct engine *e, const struct engine_job *job, uint64_t ticket)
{
    (void)e;
    (void)job;
    (void)ticket;
    return -EOPNOTSUPP; /* engine_submit refuses first: vgem has no data operations */
}

static int vgem_wait(struct engine *e, uint64_t ticket, int timeout_ms)
{
    (void)e;
    (void)ticket;
    (void)timeout_ms;
    return 0;
}

static int vgem_fence_attach(struct engine_buf *b, bool write, uint32_t *fence)
{
    struct drm_vgem_fence_attach req = {.handle = (__u32)b->priv_word,
                                        .flags = write ? VGEM_FENCE_WRITE : 0};
    int ret = heap_ioctl(drm_import_fd(b->engine), DRM_IOCTL_VGEM_FENCE_ATTACH, &req);
    if (ret < 0)
        return ret;
    *fence = req.out_fence;
    return 0;
}

static int vgem_fence_signal(struct engine *e, uint32_t fence)
{
    struct drm_vgem_fence_signal req = {.fence = fence};
    int ret = heap_ioctl(drm_import_fd(e), DRM_IOCTL_VGEM_FENCE_SIGNAL, &req);
    return ret < 0 ? ret : 0;
}

const struct engine_ops engine_vgem_ops = {
        .name = "vgem",
        .label = "DRM vgem importer (no data movement)",
        .caps = ENGINE_CAP_IMPORT | ENGINE_CAP_FENCE | ENGINE_CAP_MAPPED_ATTACH,
        .probe = vgem_probe,
        .open = vgem_open,
        .close = drm_import_close,
        .attach = drm_import_attach, /* the import is the attachment, mapped for DMA */
        .detach = drm_import_detach,
        .submit = vgem_submit,
        .wait = vgem_wait,
        .fence_attach = vgem_fence_attach,
        .fence_signal = vgem_fence_signal,
};
