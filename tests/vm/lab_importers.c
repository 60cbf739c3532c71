/* tests/vm/lab_importers.c - heap buffers handed to real importing drivers in the lab VM.
 *
 *   lab_importers vgem HEAP...    PRIME import into vgem: the attachment shows in debugfs,
 *                                 DMA_BUF_IOCTL_SYNC still works with it mapped, vgem exports
 *                                 the very same dma-buf back, closing the handle detaches
 *   lab_importers vim2m HEAP...   a V4L2 mem2mem job on vim2m whose source and destination are
 *                                 buffers of HEAP imported with V4L2_MEMORY_DMABUF
 *   lab_importers edu HEAP...     dmabench's edu engine (QEMU's edu device, the lab driver
 *                                 kernel/dmabench_edu.c): its imports attach the device, a DMA
 *                                 copy of a known pattern across several of its 4032-byte
 *                                 transfers lands at the offset asked and nowhere else, detaching
 *                                 detaches
 * The buffers come from dmabench's own heap core, so its dma-heap and udmabuf backends are what
 * is exercised. Runs as root in the lab VM (tests/vm/lab.sh).
 */
#include <errno.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmabuf_fdinfo.h"
#include "engine.h"
#include "heap.h"
#include "lab_util.h"

#define MIB ((size_t)1 << 20)

static struct lab_run run;

static unsigned char pattern_byte(size_t i, unsigned seed)
{
    return (unsigned char)((i * 167 + seed) ^ (i >> 11));
}

/* Fill or compare the whole buffer through its mapping, inside a sync of that direction. */
static bool fill(struct heap_buf *buf, unsigned char *addr, unsigned seed, struct lab_detail *d)
{
    int ret = heap_sync_begin(buf, HEAP_SYNC_WRITE);
    if (ret)
        return lab_fail(d, "sync START|WRITE: %s", strerror(-ret));
    for (size_t i = 0; i < buf->alloc_size; i++)
        addr[i] = pattern_byte(i, seed);
    if ((ret = heap_sync_end(buf, HEAP_SYNC_WRITE)))
        return lab_fail(d, "sync END|WRITE: %s", strerror(-ret));
    return true;
}

static bool holds(const unsigned char *addr, size_t len, unsigned seed, const char *through,
                  struct lab_detail *d)
{
    for (size_t i = 0; i < len; i++)
        if (addr[i] != pattern_byte(i, seed))
            return lab_fail(d, "byte %zu reads 0x%02x through %s, want 0x%02x", i, addr[i], through,
                            pattern_byte(i, seed));
    return true;
}

static bool verify(struct heap_buf *buf, const unsigned char *addr, size_t len, unsigned seed,
                   struct lab_detail *d)
{
    int ret = heap_sync_begin(buf, HEAP_SYNC_READ);
    if (ret)
        return lab_fail(d, "sync START|READ: %s", strerror(-ret));
    bool ok = holds(addr, len, seed, "the heap's mapping", d);
    if ((ret = heap_sync_end(buf, HEAP_SYNC_READ)))
        return lab_fail(d, "sync END|READ: %s", strerror(-ret));
    return ok;
}

static bool alloc_mapped(struct heap_registry *reg, const char *heap_name, size_t size,
                         struct heap_buf **buf, unsigned char **addr, struct lab_detail *d)
{
    struct heap *heap = heap_registry_find(reg, heap_name);
    if (!heap || !heap->info.available)
        return lab_fail(d, "heap %s: %s", heap_name, heap ? heap->info.reason : "not found");
    struct heap_alloc_req req = {.size = size, .numa_node = HEAP_NODE_ANY};
    int ret = heap_alloc(heap, &req, buf);
    if (ret)
        return lab_fail(d, "heap_alloc(%s, %zu): %s", heap_name, size, strerror(-ret));
    if ((ret = heap_mmap(*buf, (void **)addr))) {
        heap_free(*buf);
        *buf = NULL;
        return lab_fail(d, "heap_mmap: %s", strerror(-ret));
    }
    return true;
}

/* --- vgem ------------------------------------------------------------------------------------ */

/* How many devices debugfs dma_buf/bufinfo lists as attached to the dma-buf with inode ino, and
 * the first one's name; -1 when the buffer is not listed. */
static int attached_devices(unsigned long ino, char *first, size_t first_len)
{
    char *text = lab_read_file("/sys/kernel/debug/dma_buf/bufinfo");
    int count = -1;
    bool mine = false, in_devices = false;
    first[0] = '\0';
    for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        /* An object line: size, flags, mode, count, exp_name, ino, name, tab-separated. */
        char copy[512], *fields[8], *save;
        int n = 0;
        snprintf(copy, sizeof(copy), "%s", line);
        for (char *f = strtok_r(copy, "\t", &save); f && n < 8; f = strtok_r(NULL, "\t", &save))
            fields[n++] = f;
        if (line[0] != '\t' && n == 7) {
            mine = strtoul(fields[5], NULL, 10) == ino;
            in_devices = false;
        } else if (mine && !strcmp(line, "\tAttached Devices:")) {
            in_devices = true;
        } else if (mine && in_devices && line[0] == '\t' && !first[0]) {
            snprintf(first, first_len, "%s", line + 1);
        } else if (mine && sscanf(line, "Total %d devices attached", &count) == 1) {
            break;
        }
    }
    free(text);
    return count;
}

/* The dma-buf fd has want attached devices, the first one's name holding device. */
static bool attachments_are(int fd, int want, const char *device, struct lab_detail *d)
{
    struct dmabuf_fdinfo info;
    char first[64];
    int ret = dmabuf_fdinfo_read(fd, &info);
    if (ret)
        return lab_fail(d, "fdinfo of fd %d: %s", fd, strerror(-ret));
    int n = attached_devices(info.ino, first, sizeof(first));
    if (n < 0)
        return lab_fail(d, "dma-buf inode %lu not in /sys/kernel/debug/dma_buf/bufinfo", info.ino);
    if (n != want)
        return lab_fail(d, "bufinfo lists %d attached devices (first '%s'), want %d", n, first,
                        want);
    if (want && !strstr(first, device))
        return lab_fail(d, "the attached device is '%s', want %s", first, device);
    return true;
}

/* What the importer holds is the exporter's buffer itself, not a copy: exported back, it is the
 * same dma-buf (one inode). DRM refuses to CPU-map imported objects, so vgem cannot show bytes;
 * vim2m (below) shows a device reading and writing them. */
static bool importer_holds_buffer(int vgem_fd, __u32 handle, int buf_fd, struct lab_detail *d)
{
    struct dmabuf_fdinfo mine, theirs;
    int fd = lab_prime_export(vgem_fd, handle);
    if (fd < 0)
        return lab_fail(d, "DRM_IOCTL_PRIME_HANDLE_TO_FD: %s", strerror(-fd));
    int ret = dmabuf_fdinfo_read(buf_fd, &mine);
    if (!ret)
        ret = dmabuf_fdinfo_read(fd, &theirs);
    close(fd);
    if (ret)
        return lab_fail(d, "fdinfo: %s", strerror(-ret));
    if (mine.ino != theirs.ino || strcmp(mine.exp_name, theirs.exp_name))
        return lab_fail(d, "vgem exported inode %lu (%s), the heap's buffer is inode %lu (%s)",
                        theirs.ino, theirs.exp_name, mine.ino, mine.exp_name);
    return true;
}

static void check_vgem(struct heap_registry *reg, const char *heap_name, int vgem_fd)
{
    char check[96];
    struct lab_detail d = {""};
    struct heap_buf *buf = NULL;
    unsigned char *addr = NULL;
    __u32 handle = 0, again = 0;
    size_t len = MIB;

    /* 1. The import attaches vgem, visible to the kernel's own bookkeeping. */
    bool ok = vgem_fd >= 0 || lab_fail(&d, "no vgem device in /dev/dri: %s", strerror(-vgem_fd));
    ok = ok && alloc_mapped(reg, heap_name, len, &buf, &addr, &d) && fill(buf, addr, 1, &d);
    ok = ok && attachments_are(buf->fd, 0, "vgem", &d);
    int ret = ok ? lab_vgem_import(vgem_fd, buf->fd, &handle) : 0;
    if (ret)
        ok = lab_fail(&d, "DRM_IOCTL_PRIME_FD_TO_HANDLE: %s", strerror(-ret));
    ok = ok && attachments_are(buf->fd, 1, "vgem", &d);
    /* PRIME keeps one handle per dma-buf per file: a second import must find the first. */
    if (ok && (ret = lab_vgem_import(vgem_fd, buf->fd, &again)))
        ok = lab_fail(&d, "second import: %s", strerror(-ret));
    if (ok && again != handle)
        ok = lab_fail(&d, "second import gave handle %u, the first %u", again, handle);
    snprintf(check, sizeof(check), "vgem-%s-prime-import-attaches", heap_name);
    lab_report(&run, check, ok, &d);
    bool imported = ok;

    /* 2. With the attachment mapped, sync has a device to maintain for: it must still work. */
    ok = imported && fill(buf, addr, 2, &d) && verify(buf, addr, len, 2, &d);
    snprintf(check, sizeof(check), "vgem-%s-sync-with-attachment", heap_name);
    lab_report(&run, check, ok, &d);

    /* 3. The importer holds this very buffer. */
    ok = imported && importer_holds_buffer(vgem_fd, handle, buf->fd, &d);
    snprintf(check, sizeof(check), "vgem-%s-exports-same-dmabuf", heap_name);
    lab_report(&run, check, ok, &d);

    /* 4. Closing the last handle releases the GEM object, which detaches. */
    ok = imported;
    if (ok && (ret = lab_gem_close(vgem_fd, handle)))
        ok = lab_fail(&d, "DRM_IOCTL_GEM_CLOSE: %s", strerror(-ret));
    ok = ok && attachments_are(buf->fd, 0, "vgem", &d);
    snprintf(check, sizeof(check), "vgem-%s-close-detaches", heap_name);
    lab_report(&run, check, ok, &d);
    heap_free(buf);
}

/* --- vim2m ----------------------------------------------------------------------------------- */

static int vim2m_open(void)
{
    for (int i = 0; i < 64; i++) {
        char path[32];
        snprintf(path, sizeof(path), "/dev/video%d", i);
        int fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0)
            continue;
        struct v4l2_capability cap = {0};
        if (lab_ioctl(fd, VIDIOC_QUERYCAP, &cap) == 0 && !strcmp((char *)cap.driver, "vim2m") &&
            (cap.device_caps & V4L2_CAP_VIDEO_M2M))
            return fd;
        close(fd);
    }
    return -ENODEV;
}

/* 640x480 RGB24 on both queues: same format and size, so vim2m copies pixel for pixel. */
static bool set_format(int fd, enum v4l2_buf_type type, __u32 *sizeimage, struct lab_detail *d)
{
    struct v4l2_format fmt = {.type = type};
    fmt.fmt.pix.width = 640;
    fmt.fmt.pix.height = 480;
    fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_RGB24;
    fmt.fmt.pix.field = V4L2_FIELD_NONE;
    int ret = lab_ioctl(fd, VIDIOC_S_FMT, &fmt);
    if (ret)
        return lab_fail(d, "VIDIOC_S_FMT(type %d): %s", type, strerror(-ret));
    if (fmt.fmt.pix.pixelformat != V4L2_PIX_FMT_RGB24 || fmt.fmt.pix.width != 640 ||
        fmt.fmt.pix.height != 480)
        return lab_fail(d, "VIDIOC_S_FMT(type %d) gave %ux%u fourcc 0x%x", type, fmt.fmt.pix.width,
                        fmt.fmt.pix.height, fmt.fmt.pix.pixelformat);
    *sizeimage = fmt.fmt.pix.sizeimage;
    return true;
}

static bool queue_dmabuf(int fd, enum v4l2_buf_type type, const struct heap_buf *buf,
                         __u32 bytesused, struct lab_detail *d)
{
    struct v4l2_requestbuffers reqbufs = {.count = 1, .type = type, .memory = V4L2_MEMORY_DMABUF};
    int ret = lab_ioctl(fd, VIDIOC_REQBUFS, &reqbufs);
    if (ret || reqbufs.count < 1)
        return lab_fail(d, "VIDIOC_REQBUFS(type %d, DMABUF): %s, count %u", type,
                        ret ? strerror(-ret) : "ok", reqbufs.count);
    struct v4l2_buffer vb = {.index = 0, .type = type, .memory = V4L2_MEMORY_DMABUF};
    vb.m.fd = buf->fd;
    vb.length = (__u32)buf->alloc_size;
    vb.bytesused = bytesused;
    vb.field = V4L2_FIELD_NONE;
    if ((ret = lab_ioctl(fd, VIDIOC_QBUF, &vb)))
        return lab_fail(d, "VIDIOC_QBUF(type %d, dma-buf fd %d): %s", type, buf->fd,
                        strerror(-ret));
    return true;
}

static bool dequeue(int fd, enum v4l2_buf_type type, __u32 *bytesused, struct lab_detail *d)
{
    struct v4l2_buffer vb = {.type = type, .memory = V4L2_MEMORY_DMABUF};
    int ret = lab_ioctl(fd, VIDIOC_DQBUF, &vb);
    if (ret)
        return lab_fail(d, "VIDIOC_DQBUF(type %d): %s", type, strerror(-ret));
    if (vb.flags & V4L2_BUF_FLAG_ERROR)
        return lab_fail(d, "VIDIOC_DQBUF(type %d): the buffer came back with ERROR set", type);
    *bytesused = vb.bytesused;
    return true;
}

static bool run_job(int fd, struct heap_buf *src, struct heap_buf *dst, __u32 sizeimage,
                    struct lab_detail *d)
{
    int out = V4L2_BUF_TYPE_VIDEO_OUTPUT, cap = V4L2_BUF_TYPE_VIDEO_CAPTURE, ret;
    if (!queue_dmabuf(fd, out, src, sizeimage, d) || !queue_dmabuf(fd, cap, dst, 0, d))
        return false;
    if ((ret = lab_ioctl(fd, VIDIOC_STREAMON, &out)) ||
        (ret = lab_ioctl(fd, VIDIOC_STREAMON, &cap)))
        return lab_fail(d, "VIDIOC_STREAMON: %s", strerror(-ret));
    /* vim2m takes 40 ms per job; five seconds means it is stuck. */
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if ((ret = poll(&p, 1, 5000)) <= 0)
        return lab_fail(d, "no capture buffer done within 5 s (poll: %s)",
                        ret ? strerror(errno) : "timeout");
    __u32 produced = 0, consumed = 0;
    if (!dequeue(fd, cap, &produced, d) || !dequeue(fd, out, &consumed, d))
        return false;
    if (produced != sizeimage)
        return lab_fail(d, "the capture buffer holds %u bytes, want %u", produced, sizeimage);
    lab_ioctl(fd, VIDIOC_STREAMOFF, &out);
    lab_ioctl(fd, VIDIOC_STREAMOFF, &cap);
    return true;
}

static void check_vim2m(struct heap_registry *reg, const char *heap_name)
{
    char check[96];
    struct lab_detail d = {""};
    struct heap_buf *src = NULL, *dst = NULL;
    unsigned char *src_addr = NULL, *dst_addr = NULL;
    __u32 sizeimage = 0, cap_size = 0;

    int fd = vim2m_open();
    bool ok = fd >= 0 || lab_fail(&d, "no vim2m device in /dev/video*: %s", strerror(-fd));
    ok = ok && set_format(fd, V4L2_BUF_TYPE_VIDEO_OUTPUT, &sizeimage, &d) &&
         set_format(fd, V4L2_BUF_TYPE_VIDEO_CAPTURE, &cap_size, &d);
    if (ok && cap_size != sizeimage)
        ok = lab_fail(&d, "sizeimage %u on OUTPUT, %u on CAPTURE", sizeimage, cap_size);
    ok = ok && alloc_mapped(reg, heap_name, sizeimage, &src, &src_addr, &d) &&
         alloc_mapped(reg, heap_name, sizeimage, &dst, &dst_addr, &d);
    /* The destination starts as a different pattern: a job that wrote nothing cannot pass. */
    ok = ok && fill(src, src_addr, 7, &d) && fill(dst, dst_addr, 8, &d);
    ok = ok && run_job(fd, src, dst, sizeimage, &d);
    ok = ok && verify(dst, dst_addr, sizeimage, 7, &d);
    snprintf(check, sizeof(check), "vim2m-%s-dmabuf-job", heap_name);
    lab_report(&run, check, ok, &d);
    if (fd >= 0)
        close(fd); /* releases the queues and with them the imports */
    heap_free(src);
    heap_free(dst);
}

/* --- edu ------------------------------------------------------------------------------------- */

/* Where the copy goes: from an odd offset of the source to another of the destination, over
 * several of the device's transfers and a page boundary on both sides. */
#define EDU_SRC_OFF 100
#define EDU_DST_OFF 4000
#define EDU_LEN     (3 * 4032 + 777)

/* dst holds src's pattern (seed) shifted by the copy inside it, its own (old_seed) outside. */
static bool copied(const unsigned char *dst, size_t len, unsigned seed, unsigned old_seed,
                   struct lab_detail *d)
{
    for (size_t i = 0; i < len; i++) {
        bool inside = i >= EDU_DST_OFF && i < EDU_DST_OFF + EDU_LEN;
        unsigned char want = inside ? pattern_byte(i - EDU_DST_OFF + EDU_SRC_OFF, seed)
                                    : pattern_byte(i, old_seed);
        if (dst[i] != want)
            return lab_fail(d, "destination byte %zu (%s the copy) reads 0x%02x, want 0x%02x", i,
                            inside ? "inside" : "outside", dst[i], want);
    }
    return true;
}

static void check_edu(struct heap_registry *reg, const char *heap_name)
{
    char check[96], why[256] = "";
    struct lab_detail d = {""};
    struct heap_buf *src = NULL, *dst = NULL;
    unsigned char *src_addr = NULL, *dst_addr = NULL;
    struct engine *e = NULL;
    struct engine_buf *src_at = NULL, *dst_at = NULL;
    size_t len = 64 << 10;
    struct engine_config cfg = {.cpu = -1};

    /* 1. Importing attaches the device to each buffer. */
    int ret = engine_open(engine_find("edu"), &cfg, &e, why, sizeof(why));
    bool ok = !ret || lab_fail(&d, "%s: %s", why, strerror(-ret));
    ok = ok && alloc_mapped(reg, heap_name, len, &src, &src_addr, &d) &&
         alloc_mapped(reg, heap_name, len, &dst, &dst_addr, &d);
    /* The destination starts as a different pattern: a copy that wrote nothing cannot pass. */
    ok = ok && fill(src, src_addr, 11, &d) && fill(dst, dst_addr, 12, &d);
    ok = ok && attachments_are(src->fd, 0, "", &d);
    if (ok && ((ret = engine_attach(e, src, &src_at, why, sizeof(why))) ||
               (ret = engine_attach(e, dst, &dst_at, why, sizeof(why)))))
        ok = lab_fail(&d, "%s: %s", why, strerror(-ret));
    ok = ok && attachments_are(src->fd, 1, ":", &d) && attachments_are(dst->fd, 1, ":", &d);
    snprintf(check, sizeof(check), "edu-%s-import-attaches", heap_name);
    lab_report(&run, check, ok, &d);
    bool imported = ok;

    /* 2. The DMA copy arrives intact, where it was asked to and nowhere else. */
    struct engine_job job = {.op = ENGINE_OP_COPY,
                             .src = src_at,
                             .dst = dst_at,
                             .src_off = EDU_SRC_OFF,
                             .dst_off = EDU_DST_OFF,
                             .len = EDU_LEN};
    uint64_t ticket;
    ok = imported;
    if (ok && ((ret = engine_submit(e, &job, &ticket)) || (ret = engine_wait(e, ticket, 5000))))
        ok = lab_fail(&d, "edu copy of %d B: %s", EDU_LEN, strerror(-ret));
    if (ok && (ret = heap_sync_begin(dst, HEAP_SYNC_READ)))
        ok = lab_fail(&d, "sync START|READ: %s", strerror(-ret));
    else if (ok) {
        ok = copied(dst_addr, len, 11, 12, &d);
        if ((ret = heap_sync_end(dst, HEAP_SYNC_READ)))
            ok = lab_fail(&d, "sync END|READ: %s", strerror(-ret));
    }
    snprintf(check, sizeof(check), "edu-%s-dma-copy-intact", heap_name);
    lab_report(&run, check, ok, &d);

    /* 3. Detaching unmaps and detaches. */
    engine_detach(src_at);
    engine_detach(dst_at);
    ok = imported && attachments_are(src->fd, 0, "", &d) && attachments_are(dst->fd, 0, "", &d);
    snprintf(check, sizeof(check), "edu-%s-detach-detaches", heap_name);
    lab_report(&run, check, ok, &d);
    engine_close(e);
    heap_free(src);
    heap_free(dst);
}

int main(int argc, char **argv)
{
    bool vgem = argc >= 3 && !strcmp(argv[1], "vgem");
    bool vim2m = argc >= 3 && !strcmp(argv[1], "vim2m");
    bool edu = argc >= 3 && !strcmp(argv[1], "edu");
    if (!vgem && !vim2m && !edu) {
        fprintf(stderr, "usage: lab_importers vgem|vim2m|edu HEAP...\n");
        return 2;
    }
    struct heap_registry *reg = NULL;
    int ret = heap_registry_open(&reg, NULL, 0);
    if (ret) {
        fprintf(stderr, "lab_importers: heap_registry_open: %s\n", strerror(-ret));
        return 1;
    }
    int vgem_fd = vgem ? lab_vgem_open() : -1;
    for (int i = 2; i < argc; i++) {
        if (vgem)
            check_vgem(reg, argv[i], vgem_fd);
        else if (edu)
            check_edu(reg, argv[i]);
        else
            check_vim2m(reg, argv[i]);
    }
    if (vgem_fd >= 0)
        close(vgem_fd);
    struct heap_counts leaked;
    heap_registry_close(reg, &leaked);
    if (leaked.buffers || leaked.mappings)
        printf("lab_importers: %ld buffers and %ld mappings leaked\n", leaked.buffers,
               leaked.mappings);
    return lab_finish(&run, "lab_importers") || leaked.buffers || leaked.mappings;
}
