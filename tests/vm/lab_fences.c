/* tests/vm/lab_fences.c - fences for real: sw_sync timelines and sync_files, and the implicit
 * fences of a dma-buf that DMA_BUF_IOCTL_SYNC, poll() and EXPORT/IMPORT_SYNC_FILE obey.
 *
 *   lab_fences sw-sync          a timeline's fences signal in order; merge; release = -ENOENT
 *   lab_fences dmabuf HEAP...   a fence imported into a buffer of HEAP blocks poll() and sync
 *                               START until it signals; export snapshots the fences
 *   lab_fences vgem HEAP...     the same with a fence that vgem (the importer) attaches
 * Needs CONFIG_SW_SYNC with debugfs mounted, and vgem. Runs as root in the lab VM.
 */
#include <errno.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dmabuf_ops.h"
#include "heap.h"
#include "lab_util.h"
#include "sw_sync_abi.h"

/* sw_sync_abi.h has the ioctls; the lab VM mounts debugfs here. */
#define SW_SYNC_PATH "/sys/kernel/debug/sync/sw_sync"

static struct lab_run run;

/* A new timeline at 0: an fd whose release signals what is still pending. */
static int timeline_open(struct lab_detail *d)
{
    int fd = open(SW_SYNC_PATH, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        lab_fail(d, "%s: %s (CONFIG_SW_SYNC, debugfs mounted?)", SW_SYNC_PATH, strerror(errno));
    return fd;
}

/* A sync_file that signals when the timeline reaches value, or -errno. */
static int fence_at(int timeline, unsigned value)
{
    struct sw_sync_create_fence_data args = {.value = value};
    snprintf(args.name, sizeof(args.name), "lab-%u", value);
    int ret = lab_ioctl(timeline, SW_SYNC_IOC_CREATE_FENCE, &args);
    return ret ? ret : args.fence;
}

static int advance(int timeline, unsigned by)
{
    __u32 step = by;
    return lab_ioctl(timeline, SW_SYNC_IOC_INC, &step);
}

/* 1 signaled, 0 active, <0 the fence's error (SYNC_IOC_FILE_INFO), or -errno of the ioctl
 * plus -1000 so that the two cannot be confused. */
static int fence_status(int fence)
{
    struct sync_file_info info = {0};
    int ret = lab_ioctl(fence, SYNC_IOC_FILE_INFO, &info);
    return ret ? ret - 1000 : info.status;
}

/* What poll() says about fd right now: its revents for events, without waiting. */
static short poll_now(int fd, short events)
{
    struct pollfd p = {.fd = fd, .events = events};
    return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

static bool status_is(int fence, const char *what, int want, struct lab_detail *d)
{
    int got = fence_status(fence);
    if (got != want)
        return lab_fail(d, "%s: status %d, want %d (1 signaled, 0 active, <0 error)", what, got,
                        want);
    bool ready = poll_now(fence, POLLIN) & POLLIN;
    if (ready != (want != 0))
        return lab_fail(d, "%s: status %d but poll() says %s", what, got,
                        ready ? "ready" : "not ready");
    return true;
}

/* --- sw_sync alone --------------------------------------------------------------------------- */

static void check_sw_sync(void)
{
    struct lab_detail d = {""};
    int timeline = timeline_open(&d), a = -1, b = -1, merged = -1, orphan = -1;
    bool ok = timeline >= 0;
    if (ok && ((a = fence_at(timeline, 1)) < 0 || (b = fence_at(timeline, 3)) < 0))
        ok = lab_fail(&d, "SW_SYNC_IOC_CREATE_FENCE: %s", strerror(-(a < 0 ? a : b)));
    if (ok) {
        struct sync_merge_data m = {.name = "lab-merged", .fd2 = b};
        int ret = lab_ioctl(a, SYNC_IOC_MERGE, &m);
        merged = ret ? -1 : m.fence;
        if (ret)
            ok = lab_fail(&d, "SYNC_IOC_MERGE: %s", strerror(-ret));
    }
    ok = ok && status_is(a, "fence at 1 on a new timeline", 0, &d) &&
         status_is(merged, "merge of 1 and 3", 0, &d);
    ok = ok && (advance(timeline, 1) == 0 || lab_fail(&d, "SW_SYNC_IOC_INC failed"));
    ok = ok && status_is(a, "fence at 1, timeline at 1", 1, &d) &&
         status_is(b, "fence at 3, timeline at 1", 0, &d) &&
         status_is(merged, "merge of 1 and 3, timeline at 1", 0, &d);
    ok = ok && (advance(timeline, 2) == 0 || lab_fail(&d, "SW_SYNC_IOC_INC failed"));
    ok = ok && status_is(b, "fence at 3, timeline at 3", 1, &d) &&
         status_is(merged, "merge of 1 and 3, timeline at 3", 1, &d);
    lab_report(&run, "sw-sync-timeline-signals-in-order", ok, &d);

    /* A fence whose timeline goes away never signals normally: the kernel fails it. */
    ok = timeline >= 0;
    if (ok && (orphan = fence_at(timeline, 10)) < 0)
        ok = lab_fail(&d, "SW_SYNC_IOC_CREATE_FENCE: %s", strerror(-orphan));
    if (timeline >= 0)
        close(timeline);
    ok = ok && status_is(orphan, "fence at 10 after its timeline was closed", -ENOENT, &d);
    lab_report(&run, "sw-sync-release-fails-pending-fence", ok, &d);
    int fds[] = {a, b, merged, orphan};
    for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

/* --- a dma-buf's implicit fences ---------------------------------------------------------------
 */

/* DMA_BUF_SYNC_START in another thread: it must wait for the buffer's write fence. */
struct sync_waiter {
    int fd;
    int ret;
    atomic_bool done;
};

static void *sync_start(void *arg)
{
    struct sync_waiter *w = arg;
    w->ret = dmabuf_sync(w->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
    atomic_store(&w->done, true);
    return NULL;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000};
    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}

/* A fence is pending on buf_fd that signal() will signal: readers and writers must wait, a
 * sync START must block until then, and an exported sync_file must follow it. */
static bool blocks_until_signaled(int buf_fd, bool (*signal)(void *), void *signal_arg,
                                  struct lab_detail *d)
{
    if (poll_now(buf_fd, POLLIN | POLLOUT))
        return lab_fail(d, "poll() on the dma-buf is ready with a write fence pending");
    struct dma_buf_export_sync_file exported = {.flags = DMA_BUF_SYNC_READ, .fd = -1};
    int ret = lab_ioctl(buf_fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exported);
    if (ret)
        return lab_fail(d, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE: %s", strerror(-ret));
    bool ok = status_is(exported.fd, "exported sync_file, fence pending", 0, d);
    struct sync_waiter w = {.fd = buf_fd};
    pthread_t thread;
    if (ok && (ret = pthread_create(&thread, NULL, sync_start, &w))) {
        ok = lab_fail(d, "pthread_create: %s", strerror(ret));
    } else if (ok) {
        sleep_ms(200);
        if (atomic_load(&w.done))
            ok = lab_fail(d, "DMA_BUF_IOCTL_SYNC START returned %d with the fence pending", w.ret);
        ok = signal(signal_arg) && ok;
        for (int i = 0; i < 500 && !atomic_load(&w.done); i++)
            sleep_ms(10);
        if (!atomic_load(&w.done)) {
            ok = lab_fail(d, "DMA_BUF_IOCTL_SYNC START still blocked 5 s after the signal");
            pthread_detach(thread);
        } else {
            pthread_join(thread, NULL);
            if (w.ret)
                ok = lab_fail(d, "DMA_BUF_IOCTL_SYNC START: %s", strerror(-w.ret));
            else
                dmabuf_sync(buf_fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
        }
    }
    ok = ok && status_is(exported.fd, "exported sync_file, fence signaled", 1, d);
    if (ok && (poll_now(buf_fd, POLLIN | POLLOUT) & (POLLIN | POLLOUT)) != (POLLIN | POLLOUT))
        ok = lab_fail(d, "poll() on the dma-buf is not ready after the fence signaled");
    close(exported.fd);
    return ok;
}

static bool timeline_signal(void *arg)
{
    return advance(*(int *)arg, 1) == 0;
}

static bool alloc_buf(struct heap_registry *reg, const char *heap_name, struct heap_buf **buf,
                      struct lab_detail *d)
{
    struct heap *heap = heap_registry_find(reg, heap_name);
    struct heap_alloc_req req = {.size = 64 * 1024, .numa_node = HEAP_NODE_ANY};
    if (!heap || !heap->info.available)
        return lab_fail(d, "heap %s: %s", heap_name, heap ? heap->info.reason : "not found");
    int ret = heap_alloc(heap, &req, buf);
    return !ret || lab_fail(d, "heap_alloc(%s): %s", heap_name, strerror(-ret));
}

static bool import_fence(int buf_fd, int fence, __u32 flags, struct lab_detail *d)
{
    struct dma_buf_import_sync_file args = {.flags = flags, .fd = fence};
    int ret = lab_ioctl(buf_fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &args);
    return !ret ||
           lab_fail(d, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE(flags %u): %s", flags, strerror(-ret));
}

static void check_dmabuf(struct heap_registry *reg, const char *heap_name)
{
    char check[96];
    struct lab_detail d = {""};
    struct heap_buf *buf = NULL;
    int timeline = -1, fence = -1;

    /* 1. A write fence: everybody waits. */
    bool ok = alloc_buf(reg, heap_name, &buf, &d) && (timeline = timeline_open(&d)) >= 0;
    if (ok && (fence = fence_at(timeline, 1)) < 0)
        ok = lab_fail(&d, "SW_SYNC_IOC_CREATE_FENCE: %s", strerror(-fence));
    ok = ok && import_fence(buf->fd, fence, DMA_BUF_SYNC_WRITE, &d);
    ok = ok && blocks_until_signaled(buf->fd, timeline_signal, &timeline, &d);
    snprintf(check, sizeof(check), "dmabuf-%s-write-fence-blocks-sync-and-poll", heap_name);
    lab_report(&run, check, ok, &d);
    if (fence >= 0)
        close(fence);

    /* 2. A read fence: other readers go ahead, writers wait. */
    fence = -1;
    ok = buf && timeline >= 0;
    if (ok && (fence = fence_at(timeline, 2)) < 0)
        ok = lab_fail(&d, "SW_SYNC_IOC_CREATE_FENCE: %s", strerror(-fence));
    ok = ok && import_fence(buf->fd, fence, DMA_BUF_SYNC_READ, &d);
    short ready = ok ? poll_now(buf->fd, POLLIN | POLLOUT) : 0;
    if (ok && ready != POLLIN)
        ok = lab_fail(&d, "with a read fence pending poll() gives revents 0x%x, want POLLIN only",
                      ready);
    struct dma_buf_export_sync_file all = {.flags = DMA_BUF_SYNC_WRITE, .fd = -1};
    int ret = ok ? lab_ioctl(buf->fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &all) : 0;
    if (ret)
        ok = lab_fail(&d, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE(WRITE): %s", strerror(-ret));
    ok = ok && status_is(all.fd, "exported for a writer, read fence pending", 0, &d);
    ok = ok && (advance(timeline, 1) == 0 || lab_fail(&d, "SW_SYNC_IOC_INC failed"));
    ok = ok && status_is(all.fd, "exported for a writer, read fence signaled", 1, &d);
    if (ok && poll_now(buf->fd, POLLOUT) != POLLOUT)
        ok = lab_fail(&d, "poll(POLLOUT) not ready after the read fence signaled");
    snprintf(check, sizeof(check), "dmabuf-%s-read-fence-blocks-writers-only", heap_name);
    lab_report(&run, check, ok, &d);
    if (all.fd >= 0)
        close(all.fd);

    /* 3. What the kernel refuses. */
    ok = buf != NULL;
    struct dma_buf_import_sync_file not_a_fence = {.flags = DMA_BUF_SYNC_WRITE,
                                                   .fd = ok ? buf->fd : -1};
    if (ok && (ret = lab_ioctl(buf->fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &not_a_fence)) != -EINVAL)
        ok = lab_fail(&d, "importing a dma-buf fd as a sync_file gave %d, want -EINVAL", ret);
    struct dma_buf_export_sync_file no_flags = {.flags = 0, .fd = -1};
    if (ok && (ret = lab_ioctl(buf->fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &no_flags)) != -EINVAL)
        ok = lab_fail(&d, "exporting with no READ/WRITE flag gave %d, want -EINVAL", ret);
    snprintf(check, sizeof(check), "dmabuf-%s-sync-file-refusals-einval", heap_name);
    lab_report(&run, check, ok, &d);

    if (fence >= 0)
        close(fence);
    if (timeline >= 0)
        close(timeline);
    heap_free(buf);
}

/* --- a fence attached by the importer -------------------------------------------------------- */

struct vgem_fence {
    int vgem_fd;
    __u32 id;
};

static bool vgem_signal(void *arg)
{
    struct vgem_fence *f = arg;
    struct drm_vgem_fence_signal args = {.fence = f->id};
    return lab_ioctl(f->vgem_fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &args) == 0;
}

static void check_vgem(struct heap_registry *reg, const char *heap_name, int vgem_fd)
{
    char check[96];
    struct lab_detail d = {""};
    struct heap_buf *buf = NULL;
    __u32 handle = 0;
    bool ok = vgem_fd >= 0 || lab_fail(&d, "no vgem device in /dev/dri: %s", strerror(-vgem_fd));
    ok = ok && alloc_buf(reg, heap_name, &buf, &d);
    int ret = ok ? lab_vgem_import(vgem_fd, buf->fd, &handle) : 0;
    if (ret)
        ok = lab_fail(&d, "DRM_IOCTL_PRIME_FD_TO_HANDLE: %s", strerror(-ret));
    /* vgem fences time out by themselves after 10 s: the wait below is far shorter. */
    struct drm_vgem_fence_attach attach = {.handle = handle, .flags = VGEM_FENCE_WRITE};
    if (ok && (ret = lab_ioctl(vgem_fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &attach)))
        ok = lab_fail(&d, "DRM_IOCTL_VGEM_FENCE_ATTACH: %s", strerror(-ret));
    struct vgem_fence f = {.vgem_fd = vgem_fd, .id = attach.out_fence};
    ok = ok && blocks_until_signaled(buf->fd, vgem_signal, &f, &d);
    snprintf(check, sizeof(check), "vgem-%s-importer-fence-blocks-sync-and-poll", heap_name);
    lab_report(&run, check, ok, &d);
    if (handle)
        lab_gem_close(vgem_fd, handle);
    heap_free(buf);
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "sw-sync")) {
        check_sw_sync();
        return lab_finish(&run, "lab_fences");
    }
    bool dmabuf = argc >= 3 && !strcmp(argv[1], "dmabuf");
    bool vgem = argc >= 3 && !strcmp(argv[1], "vgem");
    if (!dmabuf && !vgem) {
        fprintf(stderr, "usage: lab_fences sw-sync | dmabuf HEAP... | vgem HEAP...\n");
        return 2;
    }
    struct heap_registry *reg = NULL;
    int ret = heap_registry_open(&reg, NULL, 0);
    if (ret) {
        fprintf(stderr, "lab_fences: heap_registry_open: %s\n", strerror(-ret));
        return 1;
    }
    int vgem_fd = vgem ? lab_vgem_open() : -1;
    for (int i = 2; i < argc; i++) {
        if (dmabuf)
            check_dmabuf(reg, argv[i]);
        else
            check_vgem(reg, argv[i], vgem_fd);
    }
    if (vgem_fd >= 0)
        close(vgem_fd);
    heap_registry_close(reg, NULL);
    return lab_finish(&run, "lab_fences");
}
