/* tests/unit/fake_dev.c - plant and remove the fake /dev of tests/unit/fake_dev.h. */
#include "fake_dev.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "heap.h"
#include "heap_ioctl.h"

void fake_dev_plant(char root[64], const char *tag)
{
    snprintf(root, 64, "/tmp/dmabench-%.32s-XXXXXX", tag);
    assert_non_null(mkdtemp(root));
    char path[128];
    snprintf(path, sizeof(path), "%s/dev", root);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/dev/dma_heap", root);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/dev/dma_heap/system", root);
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(setenv("DMABENCH_DEV_ROOT", root, 1), 0);
}

void fake_dev_remove(const char root[64])
{
    unsetenv("DMABENCH_DEV_ROOT");
    char path[128];
    snprintf(path, sizeof(path), "%s/dev/dma_heap/system", root);
    assert_int_equal(unlink(path), 0);
    snprintf(path, sizeof(path), "%s/dev/dma_heap", root);
    assert_int_equal(rmdir(path), 0);
    snprintf(path, sizeof(path), "%s/dev", root);
    assert_int_equal(rmdir(path), 0);
    assert_int_equal(rmdir(root), 0);
}

void fake_dev_plant_at(const char root[64], const char *rel)
{
    char path[192];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    if (rel[strlen(rel) - 1] == '/') {
        assert_int_equal(mkdir(path, 0755), 0);
        return;
    }
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    close(fd);
}

int fake_dev_remove_tree(const char root[64])
{
    char cmd[192];
    heap_ioctl_set_hook(NULL);
    unsetenv("DMABENCH_DEV_ROOT");
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

size_t fake_dev_backend_heaps(struct heap_registry *reg, const char *backend, struct heap **out,
                              size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < heap_registry_count(reg); i++) {
        struct heap *h = heap_registry_at(reg, i);
        if (!strcmp(h->info.backend, backend) && n < max)
            out[n++] = h;
    }
    return n;
}

int fake_dev_open_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

int fake_dev_heap_alloc(void *arg)
{
    struct dma_heap_allocation_data *data = arg;
    int buf = memfd_create("fake-dma-buf", MFD_CLOEXEC);
    if (buf < 0)
        return -1;
    if (ftruncate(buf, (off_t)data->len)) {
        close(buf);
        return -1;
    }
    data->fd = (__u32)buf;
    return 0;
}
