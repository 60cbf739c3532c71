/* heaps/backend_u_dma_buf.c - ikwzm's out-of-tree u-dma-buf driver: the buffers of /dev/udmabufN.
 *
 * Not the kernel's udmabuf (backend_udmabuf.c): u-dma-buf reserves one contiguous buffer per
 * device at load time, maps it through /dev/NAME and syncs ranges of it through sysfs. A device is
 * a cached heap NAME, plus NAME-uncached/-wc/-dmacoherent (O_SYNC opens) where its sync_mode makes
 * those differ; its heaps lend page-aligned pieces of that buffer, first fit. Not a dma-buf here.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dev_node.h"
#include "heap.h"
#include "heap_backends.h"
#include "heap_dev.h"

#define UDB_PATH_MAX    256
#define UDB_MAX_DEVICES 64
#define UDB_MAX_PIECES  256 /* buffers lent at once from one device */

/* sync_mode as the driver reads it: the low two bits say what an O_SYNC open maps, the third
 * makes every open behave as O_SYNC. */
#define UDB_MODE_MASK   3
#define UDB_MODE_ALWAYS 4
#define UDB_MODE_MAX    7

/* The driver's sync_direction values: the DMA direction, not the CPU's. */
#define UDB_DIR_BIDIRECTIONAL 0
#define UDB_DIR_TO_DEVICE     1
#define UDB_DIR_FROM_DEVICE   2

/* A piece of the device's buffer lent as one heap buffer. */
struct udb_piece {
    size_t offset, len;
};

/* One device, shared by its heaps. */
struct udb_device {
    char sysdir[UDB_PATH_MAX];  /* $DMABENCH_DEV_ROOT/sys/class/u-dma-buf/NAME */
    size_t size;                /* the driver's buffer, bytes */
    int refs;                   /* heaps holding this device */
    pthread_mutex_t alloc_lock; /* guards lent: benchmarks allocate from several threads */
    struct udb_piece lent[UDB_MAX_PIECES]; /* by offset */
    size_t n_lent;
    /* A range sync is four writes (offset, size, direction, owner) to one set of files: threads
     * of this process must not interleave them. Other processes are the user's to keep away. */
    pthread_mutex_t sync_lock;
};

static int attr_path(const struct udb_device *dev, const char *attr, char *out, size_t out_len)
{
    int n = snprintf(out, out_len, "%s/%s", dev->sysdir, attr);
    return (n < 0 || (size_t)n >= out_len) ? -ENAMETOOLONG : 0;
}

/* An attribute holding one number (decimal or 0x-prefixed, as the driver prints them). */
static int read_attr(const struct udb_device *dev, const char *attr, unsigned long long *value)
{
    char path[UDB_PATH_MAX + 32], text[64];
    int ret = attr_path(dev, attr, path, sizeof(path));
    if (ret)
        return ret;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = read(fd, text, sizeof(text) - 1);
    ret = n < 0 ? -errno : 0;
    close(fd);
    if (ret)
        return ret;
    text[n] = '\0';
    char *end;
    errno = 0;
    *value = strtoull(text, &end, 0);
    if (errno || end == text || text[0] == '-' || strspn(end, " \n") != strlen(end))
        return -EINVAL;
    return 0;
}

/* As `echo VALUE > attr`: the file is never created, and a store the driver refuses is its errno.
 */
static int write_attr(const struct udb_device *dev, const char *attr, unsigned long long value)
{
    char path[UDB_PATH_MAX + 32], text[32];
    int ret = attr_path(dev, attr, path, sizeof(path));
    if (ret)
        return ret;
    int len = snprintf(text, sizeof(text), "%llu", value);
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, text, (size_t)len);
    ret = n < 0 ? -errno : n != len ? -EIO : 0;
    if (close(fd) && !ret)
        ret = -errno;
    return ret;
}

static void device_put(struct udb_device *dev)
{
    if (dev && --dev->refs == 0) {
        pthread_mutex_destroy(&dev->sync_lock);
        pthread_mutex_destroy(&dev->alloc_lock);
        free(dev);
    }
}

static int add_heap(struct heap_registry *reg, const struct heap_info *info, struct udb_device *dev,
                    int open_flags)
{
    struct heap *heap = heap_registry_add(reg, &heap_backend_u_dma_buf, info);
    if (!heap)
        return -ENOMEM;
    if (dev)
        dev->refs++;
    heap->priv = dev;
    heap->priv_word = open_flags;
    return 0;
}

/* What the sysfs files say about dev: its size and sync_mode, or why it cannot be used. */
static int read_device(struct udb_device *dev, struct heap_info *info, int *sync_mode)
{
    unsigned long long size, mode;
    int ret = read_attr(dev, "size", &size);
    if (ret) {
        heap_info_set_unavailable_fmt(info, ret, "cannot read %s/size: %s", dev->sysdir,
                                      strerror(-ret));
        return ret;
    }
    if (size == 0) {
        heap_info_set_unavailable_fmt(
                info, -ENOBUFS, "size is 0: the driver allocated no buffer for %s", info->name);
        return -ENOBUFS;
    }
    ret = read_attr(dev, "sync_mode", &mode);
    if (ret) {
        heap_info_set_unavailable_fmt(info, ret, "cannot read %s/sync_mode: %s", dev->sysdir,
                                      strerror(-ret));
        return ret;
    }
    if (mode > UDB_MODE_MAX) {
        heap_info_set_unavailable_fmt(info, -EINVAL,
                                      "sync_mode %llu is not one the driver has (0-7)", mode);
        return -EINVAL;
    }
    dev->size = (size_t)size;
    *sync_mode = (int)mode;
    return 0;
}

static int add_device(struct heap_registry *reg, const char *name)
{
    struct heap_info info = {.is_dmabuf = false, .klass = HEAP_CLASS_CONTIGUOUS};
    struct udb_device *dev = calloc(1, sizeof(*dev));
    char rel[UDB_PATH_MAX];
    int sync_mode = 0;
    if (!dev)
        return -ENOMEM;
    pthread_mutex_init(&dev->sync_lock, NULL);
    pthread_mutex_init(&dev->alloc_lock, NULL);
    dev->refs = 1; /* the probe's own, dropped at the end */
    heap_page_sizes_probe(&info, 0, 0);
    snprintf(info.name, sizeof(info.name), "%s", name);
    snprintf(rel, sizeof(rel), "/dev/%s", name);
    int ret = heap_dev_path(info.device, sizeof(info.device), rel);
    snprintf(rel, sizeof(rel), "/sys/class/u-dma-buf/%s", name);
    if (!ret)
        ret = heap_dev_path(dev->sysdir, sizeof(dev->sysdir), rel);
    if (ret)
        heap_info_set_unavailable_fmt(&info, ret, "device root path too long for %s", name);
    else if (!read_device(dev, &info, &sync_mode)) {
        int fd = open(info.device, O_RDWR | O_CLOEXEC), err = fd < 0 ? -errno : 0;
        char what[sizeof(info.device) + 8];
        snprintf(what, sizeof(what), "open %s", info.device);
        if (fd < 0) {
            heap_info_set_unavailable(&info, err, what);
        } else {
            close(fd);
            info.available = true;
            info.max_size = dev->size;
            char sync_path[UDB_PATH_MAX + 32];
            info.has_range_sync = !attr_path(dev, "sync_for_cpu", sync_path, sizeof(sync_path)) &&
                                  access(sync_path, W_OK) == 0;
        }
    }
    int mode = sync_mode & UDB_MODE_MASK;
    bool always = sync_mode & UDB_MODE_ALWAYS;
    if (info.available && always && mode)
        info.klass = HEAP_CLASS_UNCACHED;
    ret = add_heap(reg, &info, info.available ? dev : NULL, 0);
    if (!ret && info.available && !always && mode) {
        static const char *const suffix[] = {"", "-uncached", "-wc", "-dmacoherent"};
        snprintf(info.name, sizeof(info.name), "%.*s%s", (int)(sizeof(info.name) - 16), name,
                 suffix[mode]);
        info.klass = HEAP_CLASS_UNCACHED;
        ret = add_heap(reg, &info, dev, O_SYNC);
    }
    device_put(dev);
    return ret;
}

static int is_device_node_name(const struct dirent *entry)
{
    return dev_node_numbered(entry->d_name, "udmabuf");
}

static int not_dot_entry(const struct dirent *entry)
{
    return strcmp(entry->d_name, ".") && strcmp(entry->d_name, "..");
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the entries of $DMABENCH_DEV_ROOT/relative that filter takes to names (strdup'd, at most
 * UDB_MAX_DEVICES in all). A directory that is not there adds nothing. 0 or -ENOMEM. */
static int collect_names(const char *relative, int (*filter)(const struct dirent *), char **names,
                         size_t *n)
{
    char dir[UDB_PATH_MAX];
    struct dirent **entries;
    int ret = 0;
    if (heap_dev_path(dir, sizeof(dir), relative))
        return 0;
    int count = scandir(dir, &entries, filter, NULL);
    for (int i = 0; i < count; i++) {
        if (!ret && *n < UDB_MAX_DEVICES && strlen(entries[i]->d_name) < HEAP_NAME_MAX - 16) {
            if ((names[*n] = strdup(entries[i]->d_name)) != NULL)
                (*n)++;
            else
                ret = -ENOMEM;
        }
        free(entries[i]);
    }
    if (count >= 0)
        free(entries);
    return ret;
}

/* Devices are what sysfs lists (any device-name the device tree gave) and the /dev/udmabufN nodes
 * (so that one without its sysfs directory is shown, with the reason), in name order. */
static int u_dma_buf_probe(struct heap_registry *reg)
{
    char *names[UDB_MAX_DEVICES];
    size_t n = 0;
    int ret = collect_names("/sys/class/u-dma-buf", not_dot_entry, names, &n);
    if (!ret)
        ret = collect_names("/dev", is_device_node_name, names, &n);
    qsort(names, n, sizeof(names[0]), compare_names);
    for (size_t i = 0; i < n && !ret; i++)
        if (i == 0 || strcmp(names[i], names[i - 1]))
            ret = add_device(reg, names[i]);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    if (ret || n)
        return ret;
    struct heap_info info = {.name = "u-dma-buf", .device = "-"};
    heap_info_set_unavailable_fmt(
            &info, -ENOENT,
            "no /dev/udmabuf[0-9]*: the out-of-tree u-dma-buf driver (ikwzm) is not loaded");
    return add_heap(reg, &info, NULL, 0);
}

/* The first gap of len bytes (page multiples all) between the pieces lent; -ENOMEM when none,
 * as a full heap answers. Called with alloc_lock held. */
static int take_piece(struct udb_device *dev, size_t len, size_t span, size_t *offset)
{
    size_t at = 0, i = 0;
    if (dev->n_lent == UDB_MAX_PIECES)
        return -ENOMEM;
    for (; i < dev->n_lent && dev->lent[i].offset - at < len; i++)
        at = dev->lent[i].offset + dev->lent[i].len;
    if (i == dev->n_lent && (at > span || span - at < len))
        return -ENOMEM;
    memmove(&dev->lent[i + 1], &dev->lent[i], (dev->n_lent - i) * sizeof(dev->lent[0]));
    dev->lent[i] = (struct udb_piece){.offset = at, .len = len};
    dev->n_lent++;
    *offset = at;
    return 0;
}

static void give_back_piece(struct udb_device *dev, size_t offset)
{
    pthread_mutex_lock(&dev->alloc_lock);
    for (size_t i = 0; i < dev->n_lent; i++) {
        if (dev->lent[i].offset == offset) {
            memmove(&dev->lent[i], &dev->lent[i + 1], (dev->n_lent - i - 1) * sizeof(dev->lent[0]));
            dev->n_lent--;
            break;
        }
    }
    pthread_mutex_unlock(&dev->alloc_lock);
}

static int u_dma_buf_alloc(struct heap *heap, const struct heap_alloc_req *req,
                           struct heap_buf *buf)
{
    struct udb_device *dev = heap->priv;
    /* The driver placed its buffer when it was loaded: accepting a node would be a lie. */
    if (req->numa_node != HEAP_NODE_ANY)
        return -EOPNOTSUPP;
    size_t page = heap_base_page_size(), offset;
    size_t alloc_size = (req->size + page - 1) & ~(page - 1);
    size_t span = (dev->size + page - 1) & ~(page - 1); /* the driver maps whole pages */
    if (alloc_size > span)
        return -EFBIG;
    pthread_mutex_lock(&dev->alloc_lock);
    int ret = take_piece(dev, alloc_size, span, &offset);
    pthread_mutex_unlock(&dev->alloc_lock);
    if (ret)
        return ret;
    int fd = open(heap->info.device, O_RDWR | O_CLOEXEC | (int)heap->priv_word);
    if (fd < 0) {
        ret = -errno;
        give_back_piece(dev, offset);
        return ret;
    }
    buf->fd = -1;                          /* not a dma-buf */
    buf->priv_word = fd;                   /* the device opened as this heap maps it */
    buf->priv = (void *)(uintptr_t)offset; /* where the piece starts in the device's buffer */
    buf->alloc_size = alloc_size;
    buf->page_size = page;
    return 0;
}

static size_t piece_offset(const struct heap_buf *buf)
{
    return (size_t)(uintptr_t)buf->priv;
}

static void u_dma_buf_free(struct heap_buf *buf)
{
    close((int)buf->priv_word);
    buf->priv_word = -1;
    give_back_piece(buf->heap->priv, piece_offset(buf));
}

static int u_dma_buf_mmap(struct heap_buf *buf, void **addr)
{
    return heap_map_aligned_at((int)buf->priv_word, piece_offset(buf), buf->alloc_size, buf->align,
                               addr);
}

static int u_dma_buf_munmap(struct heap_buf *buf, void *addr)
{
    return munmap(addr, buf->alloc_size) ? -errno : 0;
}

/* The range first, the owner last: the driver syncs whatever range its files hold when the owner
 * is written, so a range write that failed must stop the sync. begin hands the range to the CPU
 * (sync_for_cpu: invalidates for a read), end to the device (sync_for_device: cleans for a
 * write); the CPU's direction is the opposite DMA direction. */
static int u_dma_buf_sync_range(struct heap_buf *buf, bool begin, enum heap_sync_dir dir,
                                size_t offset, size_t len)
{
    struct udb_device *dev = buf->heap->priv;
    int direction = dir == HEAP_SYNC_READ    ? UDB_DIR_FROM_DEVICE
                    : dir == HEAP_SYNC_WRITE ? UDB_DIR_TO_DEVICE
                                             : UDB_DIR_BIDIRECTIONAL;
    offset += piece_offset(buf);
    /* The last page of a buffer rounded up past the device's size is not the driver's to sync. */
    if (offset >= dev->size)
        return 0;
    if (len > dev->size - offset)
        len = dev->size - offset;
    pthread_mutex_lock(&dev->sync_lock);
    int ret = write_attr(dev, "sync_offset", offset);
    if (!ret)
        ret = write_attr(dev, "sync_size", len);
    if (!ret)
        ret = write_attr(dev, "sync_direction", (unsigned long long)direction);
    if (!ret)
        ret = write_attr(dev, begin ? "sync_for_cpu" : "sync_for_device", 1);
    pthread_mutex_unlock(&dev->sync_lock);
    return ret;
}

static int u_dma_buf_sync(struct heap_buf *buf, bool begin, enum heap_sync_dir dir)
{
    return u_dma_buf_sync_range(buf, begin, dir, 0, buf->alloc_size);
}

static void u_dma_buf_release(struct heap *heap)
{
    device_put(heap->priv);
    heap->priv = NULL;
}

const struct heap_ops heap_backend_u_dma_buf = {
        .name = "u-dma-buf",
        .description = "ikwzm's u-dma-buf (/dev/udmabufN, out of tree): a contiguous buffer per "
                       "device, range sync through sysfs; not the kernel's udmabuf",
        .probe = u_dma_buf_probe,
        .alloc = u_dma_buf_alloc,
        .free = u_dma_buf_free,
        .mmap = u_dma_buf_mmap,
        .munmap = u_dma_buf_munmap,
        .sync = u_dma_buf_sync,
        .sync_range = u_dma_buf_sync_range,
        .release = u_dma_buf_release,
};
