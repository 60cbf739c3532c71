/* tests/unit/fake_dev.h - a planted /dev with one DMA-BUF heap node, for the unit tests.
 *
 * The dma-heap backend looks for /dev/dma_heap under $DMABENCH_DEV_ROOT: a test plants a
 * temporary tree with a plain file named "system" there and answers the heap's ioctls through
 * heap_ioctl_set_hook(). Linked into every unit test; it fails the test on any error. Also the
 * open-fd count the leak checks use.
 */
#ifndef DMABENCH_TESTS_FAKE_DEV_H
#define DMABENCH_TESTS_FAKE_DEV_H

#include <stddef.h>

/* Create /tmp/dmabench-TAG-XXXXXX/dev/dma_heap/system and point DMABENCH_DEV_ROOT at it. The
 * root's path goes to root (64 bytes is enough for any TAG up to 32 characters). */
void fake_dev_plant(char root[64], const char *tag);
/* Unset DMABENCH_DEV_ROOT and remove the tree. */
void fake_dev_remove(const char root[64]);
/* The planted heap's answer to DMA_HEAP_IOCTL_ALLOC (arg: struct dma_heap_allocation_data): a
 * memfd of the requested length stands in for the dma-buf. 0, or -1 with errno set. */
int fake_dev_heap_alloc(void *arg);
/* A device tree of a test's own under root (made with mkdtemp, DMABENCH_DEV_ROOT set by the
 * test): plant rel ("dev/", a folder when it ends in '/'; "dev/video0", an empty file). */
void fake_dev_plant_at(const char root[64], const char *rel);
/* Remove such a tree whatever it holds, unset DMABENCH_DEV_ROOT and the ioctl hook. 0 or -1. */
int fake_dev_remove_tree(const char root[64]);
struct heap;
struct heap_registry;
/* The registry's heaps of backend, in probe order, at most max of them into out; how many. */
size_t fake_dev_backend_heaps(struct heap_registry *reg, const char *backend, struct heap **out,
                              size_t max);
/* File descriptors this process has open now (/proc/self/fd): tests compare it before and
 * after a benchmark to prove nothing leaked. */
int fake_dev_open_fds(void);

#endif
