/* heaps/heap_ioctl.h - every allocator ioctl goes through here.
 *
 * Results are >= 0 or -errno, EINTR/EAGAIN are retried where the caller asks, and unit tests
 * can install a hook that stands in for the kernel (ION's two ABIs, sync retries).
 */
#ifndef DMABENCH_HEAP_IOCTL_H
#define DMABENCH_HEAP_IOCTL_H

typedef int (*heap_ioctl_fn)(int fd, unsigned long request, void *arg);

/* One ioctl: its result, or -errno. */
int heap_ioctl(int fd, unsigned long request, void *arg);
/* As heap_ioctl, retrying EINTR and EAGAIN (bounded, then -errno of the last try). */
int heap_ioctl_restart(int fd, unsigned long request, void *arg);
/* Install fn in place of ioctl(2) (NULL restores it); returns the previous hook. Tests only.
 * The hook returns like ioctl(2): -1 with errno set on failure. */
heap_ioctl_fn heap_ioctl_set_hook(heap_ioctl_fn fn);

#endif
