/* tests/unit/test_heap_core.c - the allocator core against a fake backend and the host one.
 *
 * Request validation, live-object counting and leak reports, the range-sync fallback and class
 * overrides are the core's own logic: a fake backend added to a real registry makes every
 * branch reachable without a kernel.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "heap.h"
#include "heap_dev.h"

/* What the fake backend saw, and what it should answer. */
static struct {
    int allocs, frees, maps, unmaps, syncs, range_syncs;
    int range_sync_result; /* returned by sync_range */
    int seen_node;         /* numa_node of the last request the backend got */
    int alloc_result;
    bool last_begin;
    enum heap_sync_dir last_dir;
    char map_area[4][8192];
} fake;

static int fake_probe(struct heap_registry *reg)
{
    (void)reg;
    return 0;
}

static int fake_alloc(struct heap *heap, const struct heap_alloc_req *req, struct heap_buf *buf)
{
    (void)heap;
    fake.allocs++;
    fake.seen_node = req->numa_node;
    if (fake.alloc_result)
        return fake.alloc_result;
    buf->alloc_size = (req->size + 4095) / 4096 * 4096;
    buf->page_size = 4096;
    return 0;
}

static void fake_free(struct heap_buf *buf)
{
    (void)buf;
    fake.frees++;
}

static int fake_mmap(struct heap_buf *buf, void **addr)
{
    (void)buf;
    *addr = fake.map_area[fake.maps++ % 4];
    return 0;
}

static int fake_munmap(struct heap_buf *buf, void *addr)
{
    (void)buf;
    (void)addr;
    fake.unmaps++;
    return 0;
}

static int fake_sync(struct heap_buf *buf, bool begin, enum heap_sync_dir dir)
{
    (void)buf;
    fake.syncs++;
    fake.last_begin = begin;
    fake.last_dir = dir;
    return 0;
}

static int fake_sync_range(struct heap_buf *buf, bool begin, enum heap_sync_dir dir, size_t offset,
                           size_t len)
{
    (void)buf;
    (void)begin;
    (void)dir;
    (void)offset;
    (void)len;
    fake.range_syncs++;
    return fake.range_sync_result;
}

static const struct heap_ops fake_ops = {
        .name = "fake",
        .probe = fake_probe,
        .alloc = fake_alloc,
        .free = fake_free,
        .mmap = fake_mmap,
        .munmap = fake_munmap,
        .sync = fake_sync,
        .sync_range = fake_sync_range,
};

struct fixture {
    struct heap_registry *reg;
    struct heap *heap;
};

static int setup(void **state)
{
    static struct fixture f;
    memset(&fake, 0, sizeof(fake));
    if (heap_registry_open(&f.reg, NULL, 0) != 0)
        return -1;
    struct heap_info info = {.name = "fake-system", .available = true, .is_dmabuf = true};
    heap_page_sizes_probe(&info, 0, 0);
    f.heap = heap_registry_add(f.reg, &fake_ops, &info);
    *state = &f;
    return f.heap ? 0 : -1;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    heap_registry_close(f->reg, NULL);
    return 0;
}

static struct heap_alloc_req req_of(size_t size)
{
    return (struct heap_alloc_req){.size = size, .numa_node = HEAP_NODE_ANY};
}

static void test_invalid_requests_never_reach_the_backend(void **state)
{
    struct fixture *f = *state;
    struct heap_buf *buf = NULL;
    struct heap_alloc_req req = req_of(0);
    assert_int_equal(heap_alloc(f->heap, &req, &buf), -EINVAL);
    req = req_of(4096);
    req.align = 3000;
    assert_int_equal(heap_alloc(f->heap, &req, &buf), -EINVAL);
    req = req_of(heap_mem_total() + 1);
    assert_int_equal(heap_alloc(f->heap, &req, &buf), -ENOMEM);
    req = req_of(4096);
    req.page_kind = HEAP_PAGES_HUGETLB;
    req.page_size = 2u << 20;
    assert_int_equal(heap_alloc(f->heap, &req, &buf), -EOPNOTSUPP);
    req = req_of(4096);
    req.bind_node = true;
    req.numa_node = 4000;
    assert_int_equal(heap_alloc(f->heap, &req, &buf), -EINVAL);
    assert_int_equal(fake.allocs, 0);
    assert_null(buf);
}

static void test_zeroed_request_binds_no_node(void **state)
{
    struct fixture *f = *state;
    struct heap_buf *buf;
    struct heap_alloc_req req = {.size = 4096}; /* numa_node is 0, bind_node false */
    assert_int_equal(heap_alloc(f->heap, &req, &buf), 0);
    assert_int_equal(fake.seen_node, HEAP_NODE_ANY);
    assert_int_equal(buf->numa_node, HEAP_NODE_ANY);
    heap_free(buf);
    req.bind_node = true;
    assert_int_equal(heap_alloc(f->heap, &req, &buf), 0);
    assert_int_equal(fake.seen_node, 0);
    assert_int_equal(buf->numa_node, 0);
    heap_free(buf);
}

static void test_too_large_for_the_heap(void **state)
{
    struct fixture *f = *state;
    struct heap_info info = {.name = "limited", .available = true, .max_size = 64u << 20};
    heap_page_sizes_probe(&info, 0, 0);
    struct heap *limited = heap_registry_add(f->reg, &fake_ops, &info);
    struct heap_buf *buf;
    struct heap_alloc_req req = req_of((64u << 20) + 1);
    assert_int_equal(heap_alloc(limited, &req, &buf), -EFBIG);
    assert_int_equal(fake.allocs, 0);
    req.size = 64u << 20;
    assert_int_equal(heap_alloc(limited, &req, &buf), 0);
    heap_free(buf);
}

static void test_unavailable_heap_returns_its_errno(void **state)
{
    struct fixture *f = *state;
    struct heap_info info = {.name = "locked"};
    heap_info_set_unavailable(&info, -EACCES, "open /dev/dma_heap/locked");
    struct heap *locked = heap_registry_add(f->reg, &fake_ops, &info);
    struct heap_buf *buf;
    struct heap_alloc_req req = req_of(4096);
    assert_int_equal(heap_alloc(locked, &req, &buf), -EACCES);
    assert_non_null(strstr(locked->info.reason, "permission denied"));
    assert_int_equal(fake.allocs, 0);
}

static void test_backend_failure_is_passed_up_and_not_counted(void **state)
{
    struct fixture *f = *state;
    struct heap_buf *buf;
    struct heap_alloc_req req = req_of(4096);
    fake.alloc_result = -EBUSY;
    assert_int_equal(heap_alloc(f->heap, &req, &buf), -EBUSY);
    assert_int_equal(heap_registry_live(f->reg).buffers, 0);
}

static void test_live_counts_and_leak_report(void **state)
{
    struct fixture *f = *state;
    struct heap_buf *a, *b;
    void *map_a, *map_b;
    struct heap_alloc_req req = req_of(5000);
    assert_int_equal(heap_alloc(f->heap, &req, &a), 0);
    assert_int_equal(a->alloc_size, 8192);
    assert_int_equal(a->align, heap_base_page_size());
    assert_int_equal(heap_alloc(f->heap, &req, &b), 0);
    assert_int_equal(heap_mmap(a, &map_a), 0);
    assert_int_equal(heap_mmap(b, &map_b), 0);
    struct heap_counts live = heap_registry_live(f->reg);
    assert_int_equal(live.buffers, 2);
    assert_int_equal(live.mappings, 2);
    assert_int_equal(heap_munmap(a, map_b), -EINVAL); /* not a's mapping */
    heap_free(a);                                     /* unmaps what is still mapped */
    assert_int_equal(fake.unmaps, 1);
    live = heap_registry_live(f->reg);
    assert_int_equal(live.buffers, 1);
    assert_int_equal(live.mappings, 1);

    /* b is leaked on purpose: closing reports it and still frees it. */
    struct heap_counts leaked;
    heap_registry_close(f->reg, &leaked);
    assert_int_equal(leaked.buffers, 1);
    assert_int_equal(leaked.mappings, 1);
    assert_int_equal(fake.frees, 2);
    assert_int_equal(fake.unmaps, 2);
    assert_int_equal(heap_registry_open(&f->reg, NULL, 0), 0); /* for teardown */
}

static void test_sync_validates_direction(void **state)
{
    struct fixture *f = *state;
    struct heap_buf *buf;
    struct heap_alloc_req req = req_of(4096);
    assert_int_equal(heap_alloc(f->heap, &req, &buf), 0);
    assert_int_equal(heap_sync_begin(buf, HEAP_SYNC_WRITE), 0);
    assert_true(fake.last_begin);
    assert_int_equal(fake.last_dir, HEAP_SYNC_WRITE);
    assert_int_equal(heap_sync_end(buf, HEAP_SYNC_RW), 0);
    assert_false(fake.last_begin);
    assert_int_equal(heap_sync_begin(buf, (enum heap_sync_dir)0), -EINVAL);
    assert_int_equal(heap_sync_begin(buf, (enum heap_sync_dir)4), -EINVAL);
    assert_int_equal(fake.syncs, 2);
    heap_free(buf);
}

static void test_range_sync_falls_back_to_full(void **state)
{
    struct fixture *f = *state;
    struct heap_buf *buf;
    struct heap_alloc_req req = req_of(8192);
    assert_int_equal(heap_alloc(f->heap, &req, &buf), 0);

    fake.range_sync_result = 0;
    assert_int_equal(heap_sync_range_begin(buf, HEAP_SYNC_READ, 64, 128), HEAP_SYNC_DONE_RANGE);
    assert_int_equal(fake.syncs, 0);

    fake.range_sync_result = -EOPNOTSUPP;
    assert_int_equal(heap_sync_range_end(buf, HEAP_SYNC_READ, 64, 128), HEAP_SYNC_DONE_FULL);
    assert_int_equal(fake.syncs, 1);
    assert_false(fake.last_begin);

    fake.range_sync_result = -EIO;
    assert_int_equal(heap_sync_range_begin(buf, HEAP_SYNC_READ, 0, 8192), -EIO);

    /* Out of the buffer, empty, or wrapping around: refused before the backend. */
    int before = fake.range_syncs;
    assert_int_equal(heap_sync_range_begin(buf, HEAP_SYNC_READ, 0, 0), -EINVAL);
    assert_int_equal(heap_sync_range_begin(buf, HEAP_SYNC_READ, 8192, 1), -EINVAL);
    assert_int_equal(heap_sync_range_begin(buf, HEAP_SYNC_READ, 4096, SIZE_MAX), -EINVAL);
    assert_int_equal(fake.range_syncs, before);
    heap_free(buf);
}

static void test_host_memory_is_real_and_labelled(void **state)
{
    struct fixture *f = *state;
    struct heap *host = heap_registry_find(f->reg, "host");
    assert_non_null(host);
    assert_false(heap_has_sync(host)); /* only host memory has no sync of its own */
    assert_true(heap_has_sync(f->heap));
    assert_ptr_equal(heap_registry_find(f->reg, "host:host"), host);
    assert_null(heap_registry_find(f->reg, "dma-heap:host"));
    assert_false(host->info.is_dmabuf);
    assert_true(host->info.available);
    struct heap_buf *buf;
    struct heap_alloc_req req = req_of(3 * 4096 + 1);
    req.align = 1u << 20;
    assert_int_equal(heap_alloc(host, &req, &buf), 0);
    assert_int_equal(buf->fd, -1);
    void *addr;
    assert_int_equal(heap_mmap(buf, &addr), 0);
    assert_int_equal((uintptr_t)addr % (1u << 20), 0);
    memset(addr, 0xa5, buf->alloc_size);
    assert_int_equal(heap_set_name(buf, "x"), -EOPNOTSUPP);
    assert_int_equal(heap_sync_range_begin(buf, HEAP_SYNC_RW, 0, 64), HEAP_SYNC_DONE_RANGE);
    heap_free(buf);
    assert_int_equal(heap_registry_live(f->reg).buffers, 0);
}

static void test_class_override_wins_over_the_name(void **state)
{
    (void)state;
    struct heap_class_override o = {.name = "host", .klass = HEAP_CLASS_UNCACHED};
    struct heap_registry *reg;
    assert_int_equal(heap_registry_open(&reg, &o, 1), 0);
    struct heap *host = heap_registry_find(reg, "host");
    assert_int_equal(host->info.klass, HEAP_CLASS_UNCACHED);
    assert_true(host->info.class_from_user);
    assert_int_equal(host->info.cpu_mapping, HEAP_MAPPING_UNCACHED);
    heap_registry_close(reg, NULL);
}

static void test_added_heap_gets_class_from_name(void **state)
{
    struct fixture *f = *state;
    struct heap_info info = {.name = "vendor-uncached", .available = true};
    struct heap *heap = heap_registry_add(f->reg, &fake_ops, &info);
    assert_int_equal(heap->info.klass, HEAP_CLASS_UNCACHED);
    assert_string_equal(heap->info.backend, "fake");
    assert_false(heap->info.class_from_user);
}

#define CORE_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
            CORE_TEST(test_invalid_requests_never_reach_the_backend),
            CORE_TEST(test_zeroed_request_binds_no_node),
            CORE_TEST(test_too_large_for_the_heap),
            CORE_TEST(test_unavailable_heap_returns_its_errno),
            CORE_TEST(test_backend_failure_is_passed_up_and_not_counted),
            CORE_TEST(test_live_counts_and_leak_report),
            CORE_TEST(test_sync_validates_direction),
            CORE_TEST(test_range_sync_falls_back_to_full),
            CORE_TEST(test_host_memory_is_real_and_labelled),
            CORE_TEST(test_class_override_wins_over_the_name),
            CORE_TEST(test_added_heap_gets_class_from_name),
    };
    return cmocka_run_group_tests_name("heap_core", tests, NULL, NULL);
}
