/* workloads/engine_sw_sync.c - the `sw_sync` engine: the kernel's software fence timeline.
 *
 * sw_sync (CONFIG_SW_SYNC, debugfs sync/sw_sync) makes fences on a timeline that user space
 * advances: a fence at the next value goes on a buffer through DMA_BUF_IOCTL_IMPORT_SYNC_FILE
 * and signals when the timeline is stepped past it. The fence probe's second fence source,
 * with no driver behind it; it attaches nothing and moves no data.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dmabuf_ops.h"
#include "engine.h"
#include "heap_dev.h"
#include "heap_ioctl.h"
#include "sw_sync_abi.h"

#define DEBUGFS_PATH "/sys/kernel/debug"
#define SW_SYNC_PATH DEBUGFS_PATH "/sync/sw_sync"

struct sw_sync {
    int timeline;
    uint32_t created;   /* the last fence's timeline value */
    uint32_t signalled; /* the timeline's value */
};

static int open_timeline(void)
{
    char path[300];
    int ret = heap_dev_path(path, sizeof(path), SW_SYNC_PATH);
    if (ret)
        return ret;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

/* Whether anything is mounted on /sys/kernel/debug: 1, 0 when it is an empty directory, or
 * -errno (-EACCES: debugfs is there but root-only). */
static int debugfs_mounted(void)
{
    char path[300];
    int ret = heap_dev_path(path, sizeof(path), DEBUGFS_PATH);
    if (ret)
        return ret;
    DIR *dir = opendir(path);
    if (!dir)
        return -errno;
    struct dirent *de;
    int found = 0;
    while (!found && (de = readdir(dir)))
        found = strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
    closedir(dir);
    return found;
}

static void sw_sync_probe(const char *device, struct engine_probe *out)
{
    (void)device;
    int fd = open_timeline();
    if (fd >= 0) {
        close(fd);
        out->available = true;
        snprintf(out->detail, sizeof(out->detail), "%s: sw_sync timeline", SW_SYNC_PATH);
        return;
    }
    out->err = fd == -ENOENT ? -ENODEV : fd;
    int mounted = fd == -ENOENT ? debugfs_mounted() : 1;
    if (fd == -EACCES || fd == -EPERM || mounted == -EACCES || mounted == -EPERM)
        snprintf(out->reason, sizeof(out->reason), "%s: permission denied (debugfs is root-only)",
                 SW_SYNC_PATH);
    else if (mounted <= 0)
        snprintf(out->reason, sizeof(out->reason),
                 "debugfs is not mounted on %s (sw_sync lives there)", DEBUGFS_PATH);
    else if (fd == -ENOENT)
        snprintf(out->reason, sizeof(out->reason), "no %s: kernel without CONFIG_SW_SYNC",
                 SW_SYNC_PATH);
    else
        snprintf(out->reason, sizeof(out->reason), "%s: %s", SW_SYNC_PATH, strerror(-fd));
}

static int sw_sync_open(struct engine *e, const struct engine_config *cfg, char *why,
                        size_t why_len)
{
    (void)cfg;
    struct sw_sync *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->timeline = open_timeline();
    if (s->timeline < 0) {
        int ret = s->timeline;
        free(s);
        snprintf(why, why_len, "sw_sync: cannot open %s", SW_SYNC_PATH);
        return ret;
    }
    e->priv = s;
    return 0;
}

static void sw_sync_close(struct engine *e)
{
    struct sw_sync *s = e->priv;
    close(s->timeline);
    free(s);
}

/* Nothing to attach: the buffer's fd is all fence_attach needs. */
static int sw_sync_attach(struct engine *e, struct engine_buf *b, char *why, size_t why_len)
{
    (void)e;
    (void)why;
    (void)why_len;
    b->priv_word = b->buf->fd;
    return 0;
}

static void sw_sync_detach(struct engine_buf *b)
{
    (void)b;
}

static int sw_sync_submit(struct engine *e, const struct engine_job *job, uint64_t ticket)
{
    (void)e;
    (void)job;
    (void)ticket;
    return -EOPNOTSUPP; /* engine_submit refuses first: sw_sync has no data operations */
}

static int sw_sync_wait(struct engine *e, uint64_t ticket, int timeout_ms)
{
    (void)e;
    (void)ticket;
    (void)timeout_ms;
    return 0;
}

/* A fence at the timeline's next value, put on the buffer; the buffer keeps its reference. */
static int sw_sync_fence_attach(struct engine_buf *b, bool write, uint32_t *fence)
{
    struct sw_sync *s = b->engine->priv;
    struct sw_sync_create_fence_data req = {.value = s->created + 1, .name = "dmabench"};
    int ret = heap_ioctl(s->timeline, SW_SYNC_IOC_CREATE_FENCE, &req);
    if (ret < 0)
        return ret;
    s->created = req.value;
    ret = dmabuf_import_sync_file((int)b->priv_word, write, req.fence);
    close(req.fence);
    if (ret)
        return ret;
    *fence = req.value;
    return 0;
}

/* Step the timeline up to fence (by one for the newest fence); earlier fences signal too. */
static int sw_sync_fence_signal(struct engine *e, uint32_t fence)
{
    struct sw_sync *s = e->priv;
    if (fence <= s->signalled)
        return 0;
    __u32 step = fence - s->signalled;
    int ret = heap_ioctl(s->timeline, SW_SYNC_IOC_INC, &step);
    if (ret < 0)
        return ret;
    s->signalled = fence;
    return 0;
}

const struct engine_ops engine_sw_sync_ops = {
        .name = "sw_sync",
        .label = "sw_sync timeline (software fences, no data movement)",
        .caps = ENGINE_CAP_FENCE,
        .probe = sw_sync_probe,
        .open = sw_sync_open,
        .close = sw_sync_close,
        .attach = sw_sync_attach,
        .detach = sw_sync_detach,
        .submit = sw_sync_submit,
        .wait = sw_sync_wait,
        .fence_attach = sw_sync_fence_attach,
        .fence_signal = sw_sync_fence_signal,
};
