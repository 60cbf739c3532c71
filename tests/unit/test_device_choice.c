/* tests/unit/test_device_choice.c - devices named by path: engines and heaps, their short names.
 *
 * `--engine v4l2:/dev/video3` is the case value v4l2:video3 and `--heap drm-dumb:/dev/dri/card0`
 * the heap drm-dumb-card0, links followed; a path that is not there, is no device, or is the
 * wrong kind of device is refused with the path and why. Real nodes (/dev/null) need nothing;
 * the planted /dev with DRM and V4L2 nodes (and their sysfs classes) needs root for mknod.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include "dev_node.h"
#include "engine.h"
#include "heap_by_path.h"
#include "sweep.h"

static char why[256];

/* --- what every machine has ------------------------------------------------------------------ */

/* The one rule every listing of /dev uses: the prefix, then digits only, at least one. */
static void test_numbered_node_names(void **state)
{
    (void)state;
    assert_true(dev_node_numbered("video0", "video"));
    assert_true(dev_node_numbered("video12", "video"));
    assert_true(dev_node_numbered("renderD128", "renderD"));
    assert_true(dev_node_numbered("udmabuf3", "udmabuf"));
    assert_false(dev_node_numbered("video", "video"));
    assert_false(dev_node_numbered("video3a", "video"));
    assert_false(dev_node_numbered("video-3", "video"));
    assert_false(dev_node_numbered("vide0", "video"));
    assert_false(dev_node_numbered("card0", "renderD"));
    assert_false(dev_node_numbered("", "card"));
}

static void test_paths_that_are_no_device(void **state)
{
    (void)state;
    struct dev_node node;
    assert_int_equal(dev_node_resolve("/nonexistent/video9", NULL, &node, why, sizeof(why)),
                     -ENOENT);
    assert_string_equal(why, "/nonexistent/video9: no such device (it does not exist)");
    assert_int_equal(dev_node_resolve("/etc/passwd", NULL, &node, why, sizeof(why)), -ENODEV);
    assert_string_equal(why, "/etc/passwd: not a device (a regular file)");
    assert_int_equal(dev_node_resolve("/dev", NULL, &node, why, sizeof(why)), -ENODEV);
    assert_int_equal(dev_node_resolve("dev/null", NULL, &node, why, sizeof(why)), -EINVAL);
    assert_int_equal(dev_node_resolve("/dev/null", NULL, &node, why, sizeof(why)), 0);
    assert_string_equal(node.name, "null");
    assert_string_equal(node.dir, "/dev");
    /* /dev/null is a device, of class mem: no engine's and no heap's */
    assert_int_equal(dev_node_resolve("/dev/null", "drm", &node, why, sizeof(why)), -ENODEV);
    assert_string_equal(why, "/dev/null: not a drm device (it is a mem device)");
}

static void test_engines_refuse_wrong_paths(void **state)
{
    (void)state;
    struct engine_choice c;
    assert_int_equal(engine_choose("v4l2:/dev/null", &c, why, sizeof(why)), -ENODEV);
    assert_string_equal(why, "/dev/null: not a video4linux device (it is a mem device)");
    assert_int_equal(engine_choose("drm:/nonexistent", &c, why, sizeof(why)), -ENOENT);
    assert_non_null(strstr(why, "/nonexistent: no such device"));
    assert_int_equal(engine_choose("cpu:/dev/null", &c, why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "engine cpu is not pointed at a device"));
    assert_int_equal(engine_choose("gpu:/dev/null", &c, why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "'gpu' is not an engine"));
    assert_int_equal(engine_choose("v4l2:", &c, why, sizeof(why)), -EINVAL);
    assert_int_equal(engine_choose("drm:dri/renderD128", &c, why, sizeof(why)), -EINVAL);
    /* no device: the engine's own choice, as before */
    assert_int_equal(engine_choose("v4l2", &c, why, sizeof(why)), 0);
    assert_string_equal(c.value, "v4l2");
    assert_string_equal(c.device, "");
    assert_ptr_equal(c.ops, engine_find("v4l2"));
    /* a case value's engine, for tables, without touching the device */
    assert_ptr_equal(engine_find("drm:renderD128"), engine_find("drm"));
    assert_null(engine_find("dr:renderD128"));
}

static void test_heaps_refuse_wrong_paths(void **state)
{
    (void)state;
    char name[64];
    assert_false(heap_by_path_is_path("linux,cma"));
    assert_false(heap_by_path_is_path("sys/tem"));
    assert_true(heap_by_path_is_path("drm-dumb:/dev/dri/card0"));
    assert_int_equal(
            heap_by_path_name("drm-dumb:/dev/nonexistent", name, sizeof(name), why, sizeof(why)),
            -ENOENT);
    assert_string_equal(why, "/dev/nonexistent: no such device (it does not exist)");
    assert_int_equal(heap_by_path_name("drm-dumb:/dev/null", name, sizeof(name), why, sizeof(why)),
                     -ENODEV);
    assert_int_equal(heap_by_path_name("gpu:/dev/null", name, sizeof(name), why, sizeof(why)),
                     -EINVAL);
    assert_non_null(strstr(why, "gpu is not a heap backend (dma-heap,"));
    assert_int_equal(heap_by_path_name("drm-dumb:card0", name, sizeof(name), why, sizeof(why)),
                     -EINVAL);
    /* the sweep says the same, and keeps nothing */
    struct sweep_axis_values values = {0};
    assert_int_equal(sweep_parse_axis(AXIS_HEAP, "system,drm-dumb:/dev/nonexistent", &values, why,
                                      sizeof(why)),
                     -EINVAL);
    assert_string_equal(why, "/dev/nonexistent: no such device (it does not exist)");
    assert_int_equal(values.n, 0);
    assert_int_equal(sweep_parse_axis(AXIS_ENGINE, "cpu,v4l2:/dev/null", &values, why, sizeof(why)),
                     -EINVAL);
    assert_int_equal(values.n, 0);
}

/* --- a planted /dev with DRM and V4L2 nodes ----------------------------------------------------
 */

static char root[64];

static void plant(const char *rel, unsigned maj, unsigned min, const char *klass)
{
    char path[256], sys[256], target[128];
    snprintf(path, sizeof(path), "%s%s", root, rel);
    assert_int_equal(mknod(path, S_IFCHR | 0600, makedev(maj, min)), 0);
    snprintf(sys, sizeof(sys), "%s/sys/dev/char/%u:%u", root, maj, min);
    if (mkdir(sys, 0755) == 0) {
        snprintf(target, sizeof(target), "../../../../class/%s", klass);
        strcat(sys, "/subsystem");
        assert_int_equal(symlink(target, sys), 0);
    }
}

static void make_dir(const char *rel)
{
    char path[256];
    snprintf(path, sizeof(path), "%s%s", root, rel);
    assert_int_equal(mkdir(path, 0755), 0);
}

static int plant_dev(void **state)
{
    (void)state;
    if (geteuid() != 0)
        return 0;
    snprintf(root, sizeof(root), "/tmp/dmabench-devchoice-XXXXXX");
    assert_non_null(mkdtemp(root));
    static const char *const dirs[] = {"/dev", "/dev/dri", "/dev/v4l",     "/dev/v4l/by-path",
                                       "/sys", "/sys/dev", "/sys/dev/char"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        make_dir(dirs[i]);
    plant("/dev/video7", 81, 7, "video4linux");
    plant("/dev/dri/renderD128", 226, 128, "drm");
    plant("/dev/dri/card0", 226, 0, "drm");
    plant("/dev/dri/video5", 81, 5, "video4linux"); /* a V4L2 node outside /dev */
    char link[256];
    snprintf(link, sizeof(link), "%s/dev/v4l/by-path/platform-vim2m-video-index0", root);
    assert_int_equal(symlink("../../video7", link), 0);
    setenv("DMABENCH_DEV_ROOT", root, 1);
    return 0;
}

static int remove_dev(void **state)
{
    (void)state;
    if (!root[0])
        return 0;
    unsetenv("DMABENCH_DEV_ROOT");
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
    return 0;
}

#define NEEDS_ROOT()                                                                               \
    do {                                                                                           \
        if (!root[0])                                                                              \
            skip();                                                                                \
    } while (0)

static void test_engine_values_are_short(void **state)
{
    (void)state;
    NEEDS_ROOT();
    struct engine_choice c;
    static const char *const v4l2[] = {"v4l2:/dev/video7", "v4l2:video7",
                                       "v4l2:/dev/v4l/by-path/platform-vim2m-video-index0"};
    for (size_t i = 0; i < sizeof(v4l2) / sizeof(v4l2[0]); i++) {
        if (engine_choose(v4l2[i], &c, why, sizeof(why)))
            fail_msg("%s: %s", v4l2[i], why);
        assert_string_equal(c.value, "v4l2:video7");
        assert_string_equal(c.device, "/dev/video7");
        assert_ptr_equal(c.ops, engine_find("v4l2"));
    }
    static const char *const drm[] = {"drm:/dev/dri/renderD128", "drm:renderD128"};
    for (size_t i = 0; i < sizeof(drm) / sizeof(drm[0]); i++) {
        assert_int_equal(engine_choose(drm[i], &c, why, sizeof(why)), 0);
        assert_string_equal(c.value, "drm:renderD128");
        assert_string_equal(c.device, "/dev/dri/renderD128");
    }
    assert_int_equal(engine_choose("drm:/dev/video7", &c, why, sizeof(why)), -ENODEV);
    assert_string_equal(why, "/dev/video7: not a drm device (it is a video4linux device)");
    assert_int_equal(engine_choose("v4l2:/dev/dri/renderD128", &c, why, sizeof(why)), -ENODEV);
    assert_int_equal(engine_choose("v4l2:/dev/dri/video5", &c, why, sizeof(why)), -ENODEV);
    assert_string_equal(why, "/dev/dri/video5: resolves to /dev/dri/video5, not a node in /dev");
    /* every spelling is one sweep value, and ids never hold a '/' */
    struct sweep_axis_values values = {0};
    assert_int_equal(sweep_parse_axis(AXIS_ENGINE, "drm:/dev/dri/renderD128,v4l2:video7", &values,
                                      why, sizeof(why)),
                     0);
    assert_int_equal(values.n, 2);
    assert_string_equal(values.v[0].text, "drm:renderD128");
    assert_string_equal(values.v[1].text, "v4l2:video7");
    assert_int_equal(sweep_parse_axis(AXIS_ENGINE, "v4l2:video7,v4l2:/dev/video7", &values, why,
                                      sizeof(why)),
                     -EINVAL);
    assert_string_equal(why, "v4l2:video7 listed twice");
}

static void test_heap_names_from_paths(void **state)
{
    (void)state;
    NEEDS_ROOT();
    char name[64];
    assert_int_equal(
            heap_by_path_name("drm-dumb:/dev/dri/card0", name, sizeof(name), why, sizeof(why)), 0);
    assert_string_equal(name, "drm-dumb-card0");
    /* a queue after the path; a backend that names no class takes any character device */
    assert_int_equal(heap_by_path_name("dma-heap:/dev/v4l/by-path/platform-vim2m-video-index0:"
                                       "capture",
                                       name, sizeof(name), why, sizeof(why)),
                     0);
    assert_string_equal(name, "dma-heap-video7-capture");
    assert_int_equal(
            heap_by_path_name("drm-dumb:/dev/video7", name, sizeof(name), why, sizeof(why)),
            -ENODEV);
    assert_string_equal(why, "/dev/video7: not a drm device (it is a video4linux device)");
    assert_int_equal(heap_by_path_name("drm-dumb:/dev/dri/card0:Capture", name, sizeof(name), why,
                                       sizeof(why)),
                     -ENOENT);
    struct sweep_axis_values values = {0};
    assert_int_equal(sweep_parse_axis(AXIS_HEAP, "system,drm-dumb:/dev/dri/card0", &values, why,
                                      sizeof(why)),
                     0);
    assert_string_equal(values.v[1].text, "drm-dumb-card0");
}

/* The engines open the node named, and say so when it cannot serve (a planted node has no
 * driver behind it: ENXIO); list names every node of theirs. */
static void test_engines_open_the_node_named(void **state)
{
    (void)state;
    NEEDS_ROOT();
    struct engine_probe p = {0};
    engine_find("drm")->probe("/dev/dri/renderD128", &p);
    assert_false(p.available);
    assert_string_equal(p.reason, "/dev/dri/renderD128: No such device or address");
    memset(&p, 0, sizeof(p));
    engine_find("v4l2")->probe("/dev/video7", &p);
    assert_false(p.available);
    assert_non_null(strstr(p.reason, "/dev/video7: No such device or address"));
    struct engine *e = NULL;
    struct engine_config cfg = {.cpu = -1, .device = "/dev/dri/renderD128"};
    assert_int_equal(engine_open(engine_find("drm"), &cfg, &e, why, sizeof(why)), -ENXIO);
    assert_null(e);
    assert_string_equal(why, "drm: /dev/dri/renderD128: No such device or address");
    struct engine_device devices[4];
    assert_int_equal(engine_find("drm")->devices(devices, 4), 1);
    assert_string_equal(devices[0].node, "renderD128");
    assert_false(devices[0].usable);
    assert_int_equal(engine_find("v4l2")->devices(devices, 4), 1);
    assert_string_equal(devices[0].node, "video7");
    assert_null(engine_find("vgem")->devices);
}

int main(void)
{
    const struct CMUnitTest real[] = {
            cmocka_unit_test(test_numbered_node_names),
            cmocka_unit_test(test_paths_that_are_no_device),
            cmocka_unit_test(test_engines_refuse_wrong_paths),
            cmocka_unit_test(test_heaps_refuse_wrong_paths),
    };
    const struct CMUnitTest planted[] = {
            cmocka_unit_test(test_engine_values_are_short),
            cmocka_unit_test(test_heap_names_from_paths),
            cmocka_unit_test(test_engines_open_the_node_named),
    };
    int failed = cmocka_run_group_tests_name("the real /dev", real, NULL, NULL);
    return failed + cmocka_run_group_tests_name("a planted /dev", planted, plant_dev, remove_dev);
}
