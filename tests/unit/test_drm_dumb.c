/* tests/unit/test_drm_dumb.c - the drm-dumb backend without a DRM device.
 *
 * The size arithmetic and the class rules are checked directly; probing runs against a planted
 * /dev/dri ($DMABENCH_DEV_ROOT), and a fake kernel behind heap_ioctl_set_hook() answers the
 * card's ioctls (a memfd stands in for the exported dma-buf), so every reason a card cannot be
 * used, and an allocation's create, export, map and destroy, are seen on a host without DRM.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "drm_abi.h"
#include "drm_dumb.h"
#include "drm_node.h"
#include "fake_dev.h"
#include "heap.h"
#include "heap_ioctl.h"

#define MIB ((size_t)1 << 20)

static char root[64];

/* --- the fake card -----------------------------------------------------------------------------
 */

static struct {
    const char *driver;
    unsigned long long dumb_cap;
    int cap_errno;           /* GET_CAP's answer: EOPNOTSUPP from a driver without KMS (vgem) */
    int create_errno;        /* CREATE_DUMB's answer: ENOSYS from a driver without dumb_create */
    bool unmappable_exports; /* exports are pipes, which mmap refuses (ENODEV) */
    int map_calls;
    int create_calls, destroy_calls, export_calls;
    struct drm_mode_create_dumb create;
    struct drm_prime_handle export;
    unsigned destroyed_handle;
} card;

static int card_fail(int err)
{
    errno = err;
    return -1;
}

static int fake_card_ioctl(int fd, unsigned long request, void *arg)
{
    (void)fd;
    if (request == DRM_IOCTL_VERSION) {
        struct drm_version *v = arg;
        size_t len = strlen(card.driver);
        if (v->name && v->name_len)
            memcpy(v->name, card.driver, len < v->name_len ? len : v->name_len);
        v->name_len = len;
        return 0;
    }
    if (request == DRM_IOCTL_GET_CAP) {
        struct drm_get_cap *cap = arg;
        if (cap->capability != DRM_CAP_DUMB_BUFFER)
            return card_fail(EINVAL);
        if (card.cap_errno)
            return card_fail(card.cap_errno);
        cap->value = card.dumb_cap;
        return 0;
    }
    if (request == DRM_IOCTL_MODE_CREATE_DUMB) {
        struct drm_mode_create_dumb *c = arg;
        card.create_calls++;
        if (card.create_errno)
            return card_fail(card.create_errno);
        if (!c->width || !c->height || !c->bpp || c->flags)
            return card_fail(EINVAL);
        c->handle = 7;
        c->pitch = c->width * (c->bpp / 8);
        c->size = (unsigned long long)c->pitch * c->height;
        card.create = *c;
        return 0;
    }
    if (request == DRM_IOCTL_PRIME_HANDLE_TO_FD) {
        struct drm_prime_handle *p = arg;
        card.export_calls++;
        card.export = *p;
        if (p->handle != 7)
            return card_fail(ENOENT);
        if (card.unmappable_exports) {
            int ends[2];
            if (pipe2(ends, O_CLOEXEC))
                return -1;
            close(ends[1]);
            p->fd = ends[0];
            return 0;
        }
        int buf = memfd_create("fake-dumb", MFD_CLOEXEC);
        if (buf < 0 || ftruncate(buf, (off_t)card.create.size))
            return -1;
        p->fd = buf;
        return 0;
    }
    if (request == DRM_IOCTL_MODE_MAP_DUMB) {
        struct drm_mode_map_dumb *m = arg;
        card.map_calls++;
        if (m->handle != 7)
            return card_fail(ENOENT);
        m->offset = 0; /* the planted card file itself stands in for the buffer */
        return 0;
    }
    if (request == DRM_IOCTL_MODE_DESTROY_DUMB) {
        card.destroy_calls++;
        card.destroyed_handle = ((struct drm_mode_destroy_dumb *)arg)->handle;
        return 0;
    }
    return card_fail(ENOTTY);
}

static void plant(const char *rel)
{
    fake_dev_plant_at(root, rel);
}

/* /dev/dri/NAME as a plain file, with the folders above it. */
static void plant_card(const char *name)
{
    char rel[64];
    plant("dev/");
    plant("dev/dri/");
    snprintf(rel, sizeof(rel), "dev/dri/%s", name);
    plant(rel);
}

static int fresh_root(void **state)
{
    (void)state;
    memset(&card, 0, sizeof(card));
    card.driver = "vgem";
    card.dumb_cap = 1;
    snprintf(root, sizeof(root), "/tmp/dmabench-drm-XXXXXX");
    if (!mkdtemp(root))
        return -1;
    return setenv("DMABENCH_DEV_ROOT", root, 1);
}

static int remove_root(void **state)
{
    (void)state;
    return fake_dev_remove_tree(root);
}

static struct heap *only_drm_heap(struct heap_registry **reg)
{
    struct heap *heaps[4];
    assert_int_equal(heap_registry_open(reg, NULL, 0), 0);
    assert_int_equal(fake_dev_backend_heaps(*reg, "drm-dumb", heaps, 4), 1);
    return heaps[0];
}

/* --- sizes and classes -------------------------------------------------------------------------
 */

static void sizes_become_whole_lines_of_4096_bytes(void **state)
{
    (void)state;
    struct drm_dumb_geometry g;
    assert_int_equal(drm_dumb_geometry_for(MIB, &g), 0);
    assert_int_equal(g.width, 1024);
    assert_int_equal(g.bpp, 32);
    assert_int_equal(g.height, 256);
    assert_int_equal(g.size, MIB);
    assert_int_equal(drm_dumb_geometry_for(1, &g), 0);
    assert_int_equal(g.height, 1);
    assert_int_equal(g.size, 4096);
    assert_int_equal(drm_dumb_geometry_for(4097, &g), 0);
    assert_int_equal(g.height, 2);
    assert_int_equal(g.size, 8192);
    assert_int_equal(drm_dumb_geometry_for(DRM_DUMB_MAX_SIZE, &g), 0);
    assert_int_equal(g.size, DRM_DUMB_MAX_SIZE);
    assert_true((unsigned long long)g.height * 4096 <= UINT32_MAX);
}

static void sizes_the_kernel_would_refuse_are_errors(void **state)
{
    (void)state;
    struct drm_dumb_geometry g;
    assert_int_equal(drm_dumb_geometry_for(0, &g), -EINVAL);
    assert_int_equal(drm_dumb_geometry_for(DRM_DUMB_MAX_SIZE + 1, &g), -EOVERFLOW);
    assert_int_equal(drm_dumb_geometry_for(SIZE_MAX, &g), -EOVERFLOW);
    assert_int_equal(drm_dumb_geometry_for(SIZE_MAX - 4094, &g), -EOVERFLOW);
}

static void the_class_follows_the_driver(void **state)
{
    (void)state;
    const char *why = "unset";
    assert_int_equal(drm_dumb_class_of_driver("vgem", &why), HEAP_CLASS_CACHED);
    assert_null(why);
    assert_int_equal(drm_dumb_class_of_driver("virtio_gpu", NULL), HEAP_CLASS_CACHED);
    assert_int_equal(drm_dumb_class_of_driver("sun4i-drm", &why), HEAP_CLASS_UNCACHED);
    assert_int_equal(drm_dumb_class_of_driver("vc4", NULL), HEAP_CLASS_UNCACHED);
    assert_int_equal(drm_dumb_class_of_driver("mxsfb-drm", NULL), HEAP_CLASS_UNCACHED);
    assert_int_equal(drm_dumb_class_of_driver("nouveau", &why), HEAP_CLASS_UNKNOWN);
    assert_non_null(why);
    /* QEMU's stdvga: GEM VRAM buffers stay in system RAM, mapped cached, unless scanned out. */
    assert_int_equal(drm_dumb_class_of_driver("bochs-drm", &why), HEAP_CLASS_CACHED);
    assert_null(why);
    assert_non_null(strstr(drm_dumb_limits_of_driver("bochs-drm"), "no device can import"));
    assert_null(drm_dumb_limits_of_driver("vgem"));
    assert_null(drm_dumb_limits_of_driver("bochs"));
    assert_null(drm_dumb_limits_of_driver(NULL));
    assert_int_equal(drm_dumb_class_of_driver("vgem2", NULL), HEAP_CLASS_UNKNOWN);
    assert_int_equal(drm_dumb_class_of_driver("", &why), HEAP_CLASS_UNKNOWN);
    assert_int_equal(drm_dumb_class_of_driver(NULL, &why), HEAP_CLASS_UNKNOWN);
}

/* --- probing -----------------------------------------------------------------------------------
 */

static void no_dev_dri_leaves_one_heap_saying_why(void **state)
{
    (void)state;
    struct heap_registry *reg;
    struct heap *h = only_drm_heap(&reg);
    assert_string_equal(h->info.name, "drm-dumb");
    assert_false(h->info.available);
    assert_int_equal(h->info.unavailable_err, -ENOENT);
    assert_non_null(strstr(h->info.reason, "/dev/dri"));
    heap_registry_close(reg, NULL);
}

static void a_dev_dri_without_cards_says_so(void **state)
{
    (void)state;
    plant_card("renderD128");
    struct heap_registry *reg;
    struct heap *h = only_drm_heap(&reg);
    assert_string_equal(h->info.name, "drm-dumb");
    assert_false(h->info.available);
    assert_non_null(strstr(h->info.reason, "no DRM card"));
    heap_registry_close(reg, NULL);
}

/* More nodes than asked for: the lowest-numbered ones, in number order, whatever order the
 * directory lists them in; other names are not nodes. */
static void drm_nodes_keeps_the_lowest_numbered_beyond_max(void **state)
{
    (void)state;
    const char *planted[] = {"card12", "card3", "card10",     "card1",  "card2",
                             "card0x", "card",  "renderD128", "card11", "card0"};
    plant_card("card12");
    for (size_t i = 1; i < sizeof(planted) / sizeof(planted[0]); i++) {
        char rel[64];
        snprintf(rel, sizeof(rel), "dev/dri/%s", planted[i]);
        plant(rel);
    }
    char names[3][DRM_NODE_NAME_MAX];
    assert_int_equal(drm_nodes("card", names, 3), 3);
    assert_string_equal(names[0], "card0");
    assert_string_equal(names[1], "card1");
    assert_string_equal(names[2], "card2");
    char all[DRM_MAX_NODES][DRM_NODE_NAME_MAX];
    assert_int_equal(drm_nodes("card", all, DRM_MAX_NODES), 7);
    assert_string_equal(all[3], "card3");
    assert_string_equal(all[4], "card10");
    assert_string_equal(all[6], "card12");
    assert_int_equal(drm_nodes("renderD", all, DRM_MAX_NODES), 1);
    assert_string_equal(all[0], "renderD128");
    assert_int_equal(drm_nodes("card", names, 0), 0);
}

static void a_node_that_is_no_drm_device_says_so(void **state)
{
    (void)state;
    plant_card("card0");
    struct heap_registry *reg;
    struct heap *h = only_drm_heap(&reg); /* no hook: a plain file answers ENOTTY */
    assert_string_equal(h->info.name, "drm-dumb-card0");
    assert_false(h->info.available);
    assert_int_equal(h->info.unavailable_err, -ENOTTY);
    assert_non_null(strstr(h->info.reason, "not a DRM device"));
    heap_registry_close(reg, NULL);
}

static void a_card_without_dumb_buffers_says_so(void **state)
{
    (void)state;
    plant_card("card0");
    card.driver = "tiny-kms";
    card.dumb_cap = 0;
    heap_ioctl_set_hook(fake_card_ioctl);
    struct heap_registry *reg;
    struct heap *h = only_drm_heap(&reg);
    assert_false(h->info.available);
    assert_int_equal(h->info.unavailable_err, -EOPNOTSUPP);
    assert_non_null(strstr(h->info.reason, "tiny-kms"));
    assert_non_null(strstr(h->info.reason, "dumb"));
    heap_registry_close(reg, NULL);
}

/* The kernel answers DRM_CAP_DUMB_BUFFER only for KMS drivers (drm_getcap): vgem, render-only,
 * says EOPNOTSUPP and still has dumb buffers, so creating one decides. */
static void a_driver_without_kms_is_asked_by_creating_a_buffer(void **state)
{
    (void)state;
    plant_card("card0");
    card.cap_errno = EOPNOTSUPP;
    heap_ioctl_set_hook(fake_card_ioctl);
    struct heap_registry *reg;
    struct heap *h = only_drm_heap(&reg);
    assert_true(h->info.available);
    assert_int_equal(h->info.klass, HEAP_CLASS_CACHED);
    assert_int_equal(card.create_calls, 1);
    heap_registry_close(reg, NULL);

    card.create_errno = ENOSYS;
    h = only_drm_heap(&reg);
    assert_false(h->info.available);
    assert_int_equal(h->info.unavailable_err, -ENOSYS);
    assert_non_null(strstr(h->info.reason, "vgem has no dumb buffers"));
    heap_registry_close(reg, NULL);
}

static void every_card_is_a_heap_named_after_it(void **state)
{
    (void)state;
    plant_card("card1");
    plant("dev/dri/card0");
    heap_ioctl_set_hook(fake_card_ioctl);
    struct heap_registry *reg;
    struct heap *heaps[4];
    assert_int_equal(heap_registry_open(&reg, NULL, 0), 0);
    assert_int_equal(fake_dev_backend_heaps(reg, "drm-dumb", heaps, 4), 2);
    assert_string_equal(heaps[0]->info.name, "drm-dumb-card0");
    assert_string_equal(heaps[1]->info.name, "drm-dumb-card1");
    assert_true(heaps[0]->info.available);
    assert_true(heaps[0]->info.is_dmabuf);
    assert_int_equal(heaps[0]->info.klass, HEAP_CLASS_CACHED);
    assert_non_null(strstr(heaps[0]->info.device, "/dev/dri/card0"));
    assert_int_equal(heaps[0]->info.max_size, DRM_DUMB_MAX_SIZE);
    assert_ptr_equal(heap_registry_find(reg, "drm-dumb:drm-dumb-card1"), heaps[1]);
    heap_registry_close(reg, NULL);
}

static void an_unknown_driver_is_unknown_with_the_reason(void **state)
{
    (void)state;
    plant_card("card0");
    card.driver = "nouveau";
    heap_ioctl_set_hook(fake_card_ioctl);
    struct heap_registry *reg;
    struct heap *h = only_drm_heap(&reg);
    assert_true(h->info.available);
    assert_int_equal(h->info.klass, HEAP_CLASS_UNKNOWN);
    assert_non_null(strstr(h->info.reason, "nouveau"));
    heap_registry_close(reg, NULL);
    struct heap_class_override o = {.name = "drm-dumb-card0", .klass = HEAP_CLASS_UNCACHED};
    assert_int_equal(heap_registry_open(&reg, &o, 1), 0);
    assert_int_equal(heap_registry_find(reg, "drm-dumb-card0")->info.klass, HEAP_CLASS_UNCACHED);
    heap_registry_close(reg, NULL);
}

/* bochs-drm (QEMU's stdvga, the lab's second card): usable from the CPU, cached, and its note
 * says, whole, what the class does not: where the buffers live and that no device imports them. */
static void a_gem_vram_card_is_cached_and_says_what_it_cannot_do(void **state)
{
    (void)state;
    plant_card("card1");
    card.driver = "bochs-drm";
    heap_ioctl_set_hook(fake_card_ioctl);
    struct heap_registry *reg;
    struct heap *h = only_drm_heap(&reg);
    assert_string_equal(h->info.name, "drm-dumb-card1");
    assert_true(h->info.available);
    assert_int_equal(h->info.klass, HEAP_CLASS_CACHED);
    assert_non_null(strstr(h->info.reason, "driver bochs-drm, mapped through the dma-buf; "));
    assert_null(strstr(h->info.reason, "class unknown"));
    const char *tail = "in system RAM until scanned out; no device can import its exports "
                       "(no sg table)";
    size_t n = strlen(h->info.reason);
    assert_true(n >= strlen(tail));
    assert_string_equal(h->info.reason + n - strlen(tail), tail);
    heap_registry_close(reg, NULL);
}

/* --- buffers -----------------------------------------------------------------------------------
 */

static void a_buffer_is_a_dumb_buffer_exported_read_write(void **state)
{
    (void)state;
    plant_card("card0");
    heap_ioctl_set_hook(fake_card_ioctl);
    int fds = fake_dev_open_fds();
    struct heap_registry *reg;
    struct heap *h = only_drm_heap(&reg);
    /* The probe tried one line through the dma-buf, and destroyed it. */
    assert_int_equal(card.create_calls, 1);
    assert_int_equal(card.destroy_calls, 1);
    assert_null(h->priv);
    card.create_calls = card.destroy_calls = 0;
    struct heap_alloc_req req = {.size = MIB + 1};
    struct heap_buf *buf;
    assert_int_equal(heap_alloc(h, &req, &buf), 0);
    assert_int_equal(card.create.width, 1024);
    assert_int_equal(card.create.bpp, 32);
    assert_int_equal(card.create.height, 257);
    assert_int_equal(buf->alloc_size, MIB + 4096);
    assert_int_equal(card.export.flags, DRM_CLOEXEC | DRM_RDWR);
    assert_true(buf->fd >= 0);
    void *addr;
    assert_int_equal(heap_mmap(buf, &addr), 0);
    memset(addr, 0x5a, buf->alloc_size);
    assert_int_equal(heap_sync_begin(buf, HEAP_SYNC_RW), -ENOTTY); /* a memfd is no dma-buf */
    assert_int_equal(heap_munmap(buf, addr), 0);
    heap_free(buf);
    assert_int_equal(card.destroy_calls, 1);
    assert_int_equal(card.destroyed_handle, 7);
    struct heap_counts leaked;
    heap_registry_close(reg, &leaked);
    assert_int_equal(leaked.buffers, 0);
    assert_int_equal(fake_dev_open_fds(), fds);
}

/* A driver that cannot map its exports: buffers map through the card's dumb map offset. */
static void unmappable_exports_map_through_the_card(void **state)
{
    (void)state;
    plant_card("card0");
    char path[128];
    snprintf(path, sizeof(path), "%s/dev/dri/card0", root);
    assert_int_equal(truncate(path, (off_t)(2 * MIB)), 0);
    card.unmappable_exports = true;
    heap_ioctl_set_hook(fake_card_ioctl);
    int fds = fake_dev_open_fds();
    struct heap_registry *reg;
    struct heap *h = only_drm_heap(&reg);
    assert_true(h->info.available);
    assert_non_null(strstr(h->info.reason, "dumb map offset"));
    assert_int_equal(card.map_calls, 1);
    struct heap_alloc_req req = {.size = MIB};
    struct heap_buf *buf;
    assert_int_equal(heap_alloc(h, &req, &buf), 0);
    void *addr;
    assert_int_equal(heap_mmap(buf, &addr), 0);
    assert_int_equal(card.map_calls, 2);
    memset(addr, 0x3c, buf->alloc_size);
    assert_int_equal(heap_munmap(buf, addr), 0);
    heap_free(buf);
    heap_registry_close(reg, NULL);
    assert_int_equal(fake_dev_open_fds(), fds);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    unsigned char last = 0;
    assert_int_equal(pread(fd, &last, 1, (off_t)(MIB - 1)), 1);
    close(fd);
    assert_int_equal(last, 0x3c);
}

static void a_refused_request_creates_nothing(void **state)
{
    (void)state;
    plant_card("card0");
    heap_ioctl_set_hook(fake_card_ioctl);
    struct heap_registry *reg;
    struct heap *h = only_drm_heap(&reg);
    card.create_calls = 0;
    struct heap_alloc_req req = {.size = DRM_DUMB_MAX_SIZE + 1};
    struct heap_buf *buf = NULL;
    assert_true(heap_alloc(h, &req, &buf) < 0);
    /* The driver places its own pages: a node would be a silent lie. */
    struct heap_alloc_req on_node = {.size = MIB, .bind_node = true, .numa_node = 0};
    assert_int_equal(heap_alloc(h, &on_node, &buf), -EOPNOTSUPP);
    assert_int_equal(card.create_calls, 0);
    heap_registry_close(reg, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(sizes_become_whole_lines_of_4096_bytes),
            cmocka_unit_test(sizes_the_kernel_would_refuse_are_errors),
            cmocka_unit_test(the_class_follows_the_driver),
            cmocka_unit_test_setup_teardown(no_dev_dri_leaves_one_heap_saying_why, fresh_root,
                                            remove_root),
            cmocka_unit_test_setup_teardown(a_dev_dri_without_cards_says_so, fresh_root,
                                            remove_root),
            cmocka_unit_test_setup_teardown(drm_nodes_keeps_the_lowest_numbered_beyond_max,
                                            fresh_root, remove_root),
            cmocka_unit_test_setup_teardown(a_node_that_is_no_drm_device_says_so, fresh_root,
                                            remove_root),
            cmocka_unit_test_setup_teardown(a_card_without_dumb_buffers_says_so, fresh_root,
                                            remove_root),
            cmocka_unit_test_setup_teardown(a_driver_without_kms_is_asked_by_creating_a_buffer,
                                            fresh_root, remove_root),
            cmocka_unit_test_setup_teardown(every_card_is_a_heap_named_after_it, fresh_root,
                                            remove_root),
            cmocka_unit_test_setup_teardown(an_unknown_driver_is_unknown_with_the_reason,
                                            fresh_root, remove_root),
            cmocka_unit_test_setup_teardown(a_gem_vram_card_is_cached_and_says_what_it_cannot_do,
                                            fresh_root, remove_root),
            cmocka_unit_test_setup_teardown(a_buffer_is_a_dumb_buffer_exported_read_write,
                                            fresh_root, remove_root),
            cmocka_unit_test_setup_teardown(unmappable_exports_map_through_the_card, fresh_root,
                                            remove_root),
            cmocka_unit_test_setup_teardown(a_refused_request_creates_nothing, fresh_root,
                                            remove_root),
    };
    return cmocka_run_group_tests_name("drm-dumb backend", tests, NULL, NULL);
}
