/* heaps/heap_ioctl.c - the single door through which allocator ioctls reach the kernel.
 *
 * Keeping it in one place gives every backend the same -errno convention and the same
 * EINTR/EAGAIN retry policy, and lets unit tests replace the kernel with a fake.
 */
#include "heap_ioctl.h"

#include <errno.h>
#include <sched.h>
#include <sys/ioctl.h>

/* DMA_BUF_IOCTL_SYNC START waits for fences interruptibly; a signal storm or a busy exporter
 * must not hang a benchmark forever, so retries are bounded. */
#define HEAP_IOCTL_MAX_TRIES 1000

static heap_ioctl_fn ioctl_hook;

static int real_ioctl(int fd, unsigned long request, void *arg)
{
    return ioctl(fd, request, arg);
}

heap_ioctl_fn heap_ioctl_set_hook(heap_ioctl_fn fn)
{
    heap_ioctl_fn previous = ioctl_hook;
    ioctl_hook = fn;
    return previous;
}

int heap_ioctl(int fd, unsigned long request, void *arg)
{
    heap_ioctl_fn fn = ioctl_hook ? ioctl_hook : real_ioctl;
    int ret = fn(fd, request, arg);
    return ret < 0 ? -errno : ret;
}

int heap_ioctl_restart(int fd, unsigned long request, void *arg)
{
    int ret = -EINTR;
    for (int tries = 0; tries < HEAP_IOCTL_MAX_TRIES; tries++) {
        ret = heap_ioctl(fd, request, arg);
        if (ret != -EINTR && ret != -EAGAIN)
            return ret;
        if (ret == -EAGAIN)
            sched_yield();
    }
    return ret;
}
