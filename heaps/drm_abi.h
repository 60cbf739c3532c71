/* heaps/drm_abi.h - the few DRM ioctls the drm-dumb backend, the vgem engine and the lab use.
 *
 * Debian's linux-libc-dev ships no <drm/drm.h> (libdrm-dev would, for a few structs), so the
 * stable uapi definitions are copied here from include/uapi/drm/drm.h, drm_mode.h and
 * vgem_drm.h: the ABI cannot change, and the static and cross builds then need no extra
 * package. It lives in heaps/, the one folder that knows allocators' ioctls (dumb buffers are
 * one); the vgem engine in workloads/, a folder of the same layer, includes it from here.
 */
#ifndef DMABENCH_DRM_ABI_H
#define DMABENCH_DRM_ABI_H

#include <fcntl.h>
#include <linux/ioctl.h>
#include <linux/types.h>
#include <stddef.h>

struct drm_version {
    int version_major;
    int version_minor;
    int version_patchlevel;
    size_t name_len;
    char *name;
    size_t date_len;
    char *date;
    size_t desc_len;
    char *desc;
};

struct drm_gem_close {
    __u32 handle;
    __u32 pad;
};

struct drm_prime_handle {
    __u32 handle;
    __u32 flags;
    __s32 fd;
};

struct drm_get_cap {
    __u64 capability;
    __u64 value;
};
#define DRM_CAP_DUMB_BUFFER 0x1

struct drm_mode_create_dumb {
    __u32 height;
    __u32 width;
    __u32 bpp;
    __u32 flags;
    __u32 handle; /* out */
    __u32 pitch;  /* out */
    __u64 size;   /* out */
};

struct drm_mode_map_dumb {
    __u32 handle;
    __u32 pad;
    __u64 offset; /* out: the fake offset to mmap the card fd at */
};

struct drm_mode_destroy_dumb {
    __u32 handle;
};

/* DRM_IOCTL_PRIME_HANDLE_TO_FD flags, as the uapi defines them. */
#define DRM_CLOEXEC O_CLOEXEC
#define DRM_RDWR    O_RDWR

struct drm_vgem_fence_attach {
    __u32 handle;
    __u32 flags;
#define VGEM_FENCE_WRITE 0x1
    __u32 out_fence;
    __u32 pad;
};

struct drm_vgem_fence_signal {
    __u32 fence;
    __u32 flags;
};

#define DRM_IOCTL_BASE               'd'
#define DRM_COMMAND_BASE             0x40
#define DRM_IOCTL_VERSION            _IOWR(DRM_IOCTL_BASE, 0x00, struct drm_version)
#define DRM_IOCTL_GEM_CLOSE          _IOW(DRM_IOCTL_BASE, 0x09, struct drm_gem_close)
#define DRM_IOCTL_GET_CAP            _IOWR(DRM_IOCTL_BASE, 0x0c, struct drm_get_cap)
#define DRM_IOCTL_PRIME_HANDLE_TO_FD _IOWR(DRM_IOCTL_BASE, 0x2d, struct drm_prime_handle)
#define DRM_IOCTL_PRIME_FD_TO_HANDLE _IOWR(DRM_IOCTL_BASE, 0x2e, struct drm_prime_handle)
#define DRM_IOCTL_MODE_CREATE_DUMB   _IOWR(DRM_IOCTL_BASE, 0xB2, struct drm_mode_create_dumb)
#define DRM_IOCTL_MODE_MAP_DUMB      _IOWR(DRM_IOCTL_BASE, 0xB3, struct drm_mode_map_dumb)
#define DRM_IOCTL_MODE_DESTROY_DUMB  _IOWR(DRM_IOCTL_BASE, 0xB4, struct drm_mode_destroy_dumb)
#define DRM_IOCTL_VGEM_FENCE_ATTACH                                                                \
    _IOWR(DRM_IOCTL_BASE, DRM_COMMAND_BASE + 0x1, struct drm_vgem_fence_attach)
#define DRM_IOCTL_VGEM_FENCE_SIGNAL                                                                \
    _IOW(DRM_IOCTL_BASE, DRM_COMMAND_BASE + 0x2, struct drm_vgem_fence_signal)

#endif
