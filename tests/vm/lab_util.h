/* tests/vm/lab_util.h - what the lab kernel's VM test programs share: PASS/FAIL reporting, file
 * reading, and the handful of DRM and vgem ioctls they need (the build machine has no libdrm
 * headers, and the aarch64 cross build none at all, so the few structures are spelled out
 * here, as in the kernel's own UAPI headers). Header-only and static: each tests/vm/NAME.c is its
 * own static program (mk/static.mk).
 */
#ifndef DMABENCH_LAB_UTIL_H
#define DMABENCH_LAB_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <linux/types.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "drm_abi.h"

/* --- reporting: one `PASS name` or `FAIL name: why` line per check ---------------------------- */

struct lab_run {
    int passed, failed, skipped;
};

/* Why a check failed, filled by whoever finds out. */
struct lab_detail {
    char text[400];
};

static inline bool lab_fail(struct lab_detail *d, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static inline bool lab_fail(struct lab_detail *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->text, sizeof(d->text), fmt, ap);
    va_end(ap);
    return false;
}

static inline void lab_report(struct lab_run *run, const char *name, bool ok,
                              const struct lab_detail *d)
{
    if (ok) {
        printf("PASS %s\n", name);
        run->passed++;
    } else {
        printf("FAIL %s: %s\n", name, d->text[0] ? d->text : "(no detail)");
        run->failed++;
    }
    fflush(stdout);
}

static inline void lab_skip(struct lab_run *run, const char *name, const char *why)
{
    printf("SKIP %s: %s\n", name, why);
    run->skipped++;
    fflush(stdout);
}

/* The summary line and the exit status: 0 only when something passed and nothing failed. */
static inline int lab_finish(const struct lab_run *run, const char *prog)
{
    printf("%s: %d passed, %d failed, %d skipped\n", prog, run->passed, run->failed, run->skipped);
    return run->failed == 0 && run->passed > 0 ? 0 : 1;
}

/* --- files --------------------------------------------------------------------------------- */

/* The whole of a (proc, sys or debugfs) file, NUL-terminated, or NULL with errno set. */
static inline char *lab_read_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    ssize_t n = 0;
    while (text && (n = read(fd, text + len, cap - len - 1)) > 0) {
        len += (size_t)n;
        if (cap - len < 4096) {
            char *bigger = realloc(text, cap *= 2);
            if (!bigger)
                free(text);
            text = bigger;
        }
    }
    int err = errno;
    close(fd);
    if (!text || n < 0) {
        free(text);
        errno = text ? err : ENOMEM;
        return NULL;
    }
    text[len] = '\0';
    return text;
}

/* The number after "key" at the start of a line of text ("CmaFree:", "used"), or -1. */
static inline long long lab_field(const char *text, const char *key)
{
    size_t n = strlen(key);
    const char *line = text;
    while (line && *line) {
        if (!strncmp(line, key, n))
            return strtoll(line + n, NULL, 10);
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return -1;
}

/* --- DRM and vgem: the UAPI is heaps/drm_abi.h --------------------------------------- */

/* ioctl() retried on EINTR/EAGAIN, as libdrm's drmIoctl(): 0 or -errno. */
static inline int lab_ioctl(int fd, unsigned long request, void *arg)
{
    int ret;
    do {
        ret = ioctl(fd, request, arg);
    } while (ret == -1 && (errno == EINTR || errno == EAGAIN));
    return ret == -1 ? -errno : ret;
}

/* The first /dev/dri/cardN whose driver is vgem, opened; -ENODEV when there is none. */
static inline int lab_vgem_open(void)
{
    for (int i = 0; i < 16; i++) {
        char path[32], name[16] = "";
        snprintf(path, sizeof(path), "/dev/dri/card%d", i);
        int fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0)
            continue;
        struct drm_version v = {.name_len = sizeof(name) - 1, .name = name};
        if (lab_ioctl(fd, DRM_IOCTL_VERSION, &v) == 0 && !strcmp(name, "vgem"))
            return fd;
        close(fd);
    }
    return -ENODEV;
}

/* PRIME import of a dma-buf: the GEM handle (> 0) or -errno. The import attaches vgem's
 * device to the dma-buf and maps the attachment. */
static inline int lab_vgem_import(int vgem_fd, int dmabuf_fd, __u32 *handle)
{
    struct drm_prime_handle args = {.fd = dmabuf_fd};
    int ret = lab_ioctl(vgem_fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &args);
    if (!ret)
        *handle = args.handle;
    return ret;
}

/* PRIME export of a GEM handle: a dma-buf fd (O_RDWR | O_CLOEXEC) or -errno. For an imported
 * object this is the dma-buf it was imported from. */
static inline int lab_prime_export(int drm_fd, __u32 handle)
{
    struct drm_prime_handle args = {.handle = handle, .flags = O_RDWR | O_CLOEXEC};
    int ret = lab_ioctl(drm_fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &args);
    return ret ? ret : args.fd;
}

static inline int lab_gem_close(int drm_fd, __u32 handle)
{
    struct drm_gem_close args = {.handle = handle};
    return lab_ioctl(drm_fd, DRM_IOCTL_GEM_CLOSE, &args);
}

#endif
