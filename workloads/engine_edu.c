/* workloads/engine_edu.c - the `edu` engine: the lab's DMA device, QEMU's edu behind the lab
 * kernel's /dev/dmabench-edu (kernel/dmabench_edu.c, ioctls in kernel/uapi/dmabench_edu.h).
 *
 * Attaching imports the dma-buf: the driver attaches the device and maps the buffer for DMA
 * until detach, as a GPU or camera driver keeps its mappings, so the exporter's sync reaches it
 * and under swiotlb=force only that sync moves data between the CPU's pages and the device's
 * view. A copy is real DMA through the device's 4 KiB buffer, 100 ms of guest time a transfer
 * (about 20 KB/s, free under QEMU's -icount sleep=off): the ioctl returns when it is done, so
 * submit runs the job and wait only reports it. No fill, no read, no fences.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmabench_edu.h"
#include "engine.h"
#include "heap_dev.h"
#include "heap_ioctl.h"

#define EDU_DEV_PATH "/dev/" DMABENCH_EDU_NAME

/* Open the device and read what it is; the fd, or -errno (-EPROTO: a driver of another
 * version). */
static int open_edu(struct dmabench_edu_info *info)
{
    char path[300];
    int ret = heap_dev_path(path, sizeof(path), EDU_DEV_PATH);
    if (ret)
        return ret;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    memset(info, 0, sizeof(*info));
    ret = heap_ioctl(fd, DMABENCH_EDU_IOC_INFO, info);
    if (ret == 0 && info->version != DMABENCH_EDU_VERSION)
        ret = -EPROTO;
    if (ret < 0) {
        close(fd);
        return ret;
    }
    return fd;
}

/* "256 KiB", "1 MiB", "unlimited": the largest segment the DMA layer maps for the device. */
static void mapping_limit_text(unsigned long long bytes, char *out, size_t out_len)
{
    if (bytes >= (1ull << 62))
        snprintf(out, out_len, "unlimited");
    else if (bytes % (1u << 20) == 0)
        snprintf(out, out_len, "%llu MiB", bytes >> 20);
    else if (bytes % 1024 == 0)
        snprintf(out, out_len, "%llu KiB", bytes >> 10);
    else
        snprintf(out, out_len, "%llu B", bytes);
}

static void edu_probe(const char *device, struct engine_probe *out)
{
    (void)device;
    struct dmabench_edu_info info;
    int fd = open_edu(&info);
    if (fd >= 0) {
        close(fd);
        char limit[32];
        mapping_limit_text(info.max_mapping, limit, sizeof(limit));
        out->available = true;
        snprintf(out->detail, sizeof(out->detail),
                 "%s: QEMU edu %.31s, %u-bit DMA, %s, largest mapping %s, %u B a transfer",
                 EDU_DEV_PATH, info.device, info.dma_bits,
                 (info.flags & DMABENCH_EDU_BOUNCE) ? "swiotlb bounce buffers" : "direct", limit,
                 info.chunk_max);
        return;
    }
    out->err = fd == -ENOENT ? -ENODEV : fd;
    if (fd == -ENOENT)
        snprintf(out->reason, sizeof(out->reason),
                 "no %s: not the dmabench lab kernel (kernel/dmabench_edu.c), or no -device edu",
                 EDU_DEV_PATH);
    else if (fd == -EPROTO)
        snprintf(out->reason, sizeof(out->reason),
                 "%s: its driver speaks another version than this dmabench (%u): rebuild the "
                 "lab kernel",
                 EDU_DEV_PATH, DMABENCH_EDU_VERSION);
    else
        snprintf(out->reason, sizeof(out->reason), "%s: %s", EDU_DEV_PATH, strerror(-fd));
}

static int edu_fd(const struct engine *e)
{
    return (int)(intptr_t)e->priv;
}

static int edu_open(struct engine *e, const struct engine_config *cfg, char *why, size_t why_len)
{
    (void)cfg; /* the device copies bytes: a frame format changes nothing */
    struct dmabench_edu_info info;
    int fd = open_edu(&info);
    if (fd < 0) {
        snprintf(why, why_len, "edu: cannot open %s", EDU_DEV_PATH);
        return fd;
    }
    e->priv = (void *)(intptr_t)fd;
    return 0;
}

static void edu_close(struct engine *e)
{
    close(edu_fd(e));
}

static const char *step_text(__u32 step)
{
    switch (step) {
    case DMABENCH_EDU_STEP_FD:
        return "dma_buf_get (not a dma-buf)";
    case DMABENCH_EDU_STEP_ATTACH:
        return "dma_buf_attach (the exporter refused the device)";
    case DMABENCH_EDU_STEP_MAP:
        return "dma_buf_map_attachment";
    case DMABENCH_EDU_STEP_HANDLE:
        return "a handle for the import";
    default:
        return "the import";
    }
}

/* The import is the attachment: attached and mapped for DMA until detach. */
static int edu_attach(struct engine *e, struct engine_buf *b, char *why, size_t why_len)
{
    struct dmabench_edu_import req = {.fd = b->buf->fd};
    int ret = heap_ioctl_restart(edu_fd(e), DMABENCH_EDU_IOC_IMPORT, &req);
    if (ret == 0) {
        b->priv_word = req.handle;
        return 0;
    }
    char limit[32];
    mapping_limit_text(req.max_mapping, limit, sizeof(limit));
    if (req.failed_step == DMABENCH_EDU_STEP_MAP && req.max_mapping < (1ull << 62))
        /* The exporter's dma_map_sgtable refused a segment: EIO from the system heap,
         * ENOMEM from CMA, when one is longer than the bounce buffers take. */
        snprintf(why, why_len,
                 "edu: mapping a %zu B %s buffer for DMA: this device maps at most %s a segment "
                 "(swiotlb bounce buffers), and the exporter's segments may be longer",
                 b->buf->size, b->buf->heap->info.name, limit);
    else
        snprintf(why, why_len, "edu: importing a %zu B %s buffer: %s failed (largest mapping %s)",
                 b->buf->size, b->buf->heap->info.name, step_text(req.failed_step), limit);
    return ret;
}

static void edu_detach(struct engine_buf *b)
{
    __u32 handle = (__u32)b->priv_word;
    heap_ioctl(edu_fd(b->engine), DMABENCH_EDU_IOC_RELEASE, &handle);
}

/* The copy runs to its end here: the ioctl returns when the last transfer has completed. */
static int edu_submit(struct engine *e, const struct engine_job *job, uint64_t ticket)
{
    (void)ticket;
    struct dmabench_edu_copy req = {
            .src = (__u32)job->src->priv_word,
            .dst = (__u32)job->dst->priv_word,
            .src_offset = job->src_off,
            .dst_offset = job->dst_off,
            .len = job->len,
    };
    int ret = heap_ioctl(edu_fd(e), DMABENCH_EDU_IOC_COPY, &req);
    return ret < 0 ? ret : 0;
}

/* Every ticket handed out is a copy that has completed (a failed one was refused at submit). */
static int edu_wait(struct engine *e, uint64_t ticket, int timeout_ms)
{
    (void)e;
    (void)ticket;
    (void)timeout_ms;
    return 0;
}

const struct engine_ops engine_edu_ops = {
        .name = "edu",
        .label = "QEMU edu DMA device (dmabench lab)",
        .caps = ENGINE_CAP_OP(ENGINE_OP_COPY) | ENGINE_CAP_IMPORT | ENGINE_CAP_MAPPED_ATTACH,
        .probe = edu_probe,
        .open = edu_open,
        .close = edu_close,
        .attach = edu_attach,
        .detach = edu_detach,
        .submit = edu_submit,
        .wait = edu_wait,
};
