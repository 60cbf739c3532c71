/* tests/unit/test_metadata.c - run metadata: the keys, replacing, steal time, planted boards.
 *
 * Board-specific readers (device tree, arm64 cpuinfo, cpufreq policies, DMI) are checked on
 * trees planted under metadata.root, so an x86 build machine tests the Arm paths too; an empty
 * tree shows every reader saying "unknown" instead of failing.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "metadata.h"
#include "version.h"

static struct metadata *new_metadata(void)
{
    struct metadata *md = malloc(sizeof(*md));
    assert_non_null(md);
    metadata_init(md);
    return md;
}

/* --- planted trees -----------------------------------------------------------------------------
 */

static void make_parents(const char *path)
{
    char dir[512];
    snprintf(dir, sizeof(dir), "%s", path);
    for (char *slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(dir, 0755);
        *slash = '/';
    }
}

static void plant(const char *root, const char *path, const char *data, size_t len)
{
    char full[512];
    snprintf(full, sizeof(full), "%s%s", root, path);
    make_parents(full);
    FILE *f = fopen(full, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

#define PLANT(root, path, text) plant(root, path, text, sizeof(text) - 1)

static char *new_tree(void)
{
    char *root = strdup("/tmp/dmabench-metadata-XXXXXX");
    assert_non_null(root);
    assert_non_null(mkdtemp(root));
    return root;
}

static void remove_tree(char *root)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
    free(root);
}

static void assert_value(const struct metadata *md, const char *key, const char *expected)
{
    const char *value = metadata_get(md, key);
    if (!value)
        fail_msg("no key '%s'", key);
    if (strcmp(value, expected))
        fail_msg("%s = '%s', expected '%s'", key, value, expected);
}

/* --- tests ------------------------------------------------------------------------------------ */

static void test_set_replaces_in_place(void **state)
{
    (void)state;
    struct metadata *md = new_metadata();
    assert_int_equal(metadata_set(md, "a", "%d", 1), 0);
    assert_int_equal(md->err, 0);
    assert_int_equal(metadata_set(md, "b", "two"), 0);
    assert_int_equal(metadata_set(md, "a", "%s+%d", metadata_get(md, "a"), 3), 0);
    assert_int_equal(md->n, 2);
    assert_string_equal(md->entries[0].key, "a");
    assert_string_equal(md->entries[0].value, "1+3");
    assert_string_equal(md->entries[1].key, "b");
    assert_null(metadata_get(md, "c"));
    /* One line per value, whatever a file held. */
    assert_int_equal(metadata_set(md, "b", "x\ny\tz\r"), 0);
    assert_value(md, "b", "x y z ");
    free(md);
}

static void test_set_limits(void **state)
{
    (void)state;
    struct metadata *md = new_metadata();
    char key[METADATA_KEY_MAX + 1], big[2 * METADATA_VALUE_MAX];
    memset(key, 'k', sizeof(key) - 1);
    key[METADATA_KEY_MAX] = '\0';
    assert_int_equal(metadata_set(md, key, "v"), -ENAMETOOLONG);
    key[METADATA_KEY_MAX - 1] = '\0'; /* 47 characters fit */
    assert_int_equal(metadata_set(md, key, "v"), 0);
    assert_int_equal(metadata_set(md, "", "v"), -EINVAL);
    memset(big, 'v', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(metadata_set(md, "long", "%s", big), 0);
    assert_int_equal(strlen(metadata_get(md, "long")), METADATA_VALUE_MAX - 1);
    while (md->n < METADATA_MAX) {
        char k[16];
        snprintf(k, sizeof(k), "k%zu", md->n);
        assert_int_equal(metadata_set(md, k, "%zu", md->n), 0);
    }
    assert_int_equal(metadata_set(md, "one-too-many", "v"), -ENOSPC);
    assert_int_equal(md->err, -ENAMETOOLONG); /* the first key lost is remembered */
    assert_int_equal(metadata_collect_load(md, "before"), -ENAMETOOLONG);
    assert_int_equal(metadata_set(md, "long", "short"), 0); /* replacing needs no room */
    assert_value(md, "long", "short");
    free(md);
}

static void test_time_is_iso8601_utc_ms(void **state)
{
    (void)state;
    struct metadata *md = new_metadata();
    time_t before = time(NULL);
    assert_int_equal(metadata_set_time(md, "start_time"), 0);
    const char *v = metadata_get(md, "start_time");
    assert_non_null(v);
    assert_int_equal(strlen(v), 24); /* 2025-01-31T23:59:59.123Z */
    assert_true(v[4] == '-' && v[7] == '-' && v[10] == 'T' && v[13] == ':' && v[19] == '.' &&
                v[23] == 'Z');
    struct tm tm = {0};
    assert_non_null(strptime(v, "%Y-%m-%dT%H:%M:%S", &tm));
    time_t parsed = timegm(&tm);
    assert_true(parsed >= before - 1 && parsed <= time(NULL) + 1);
    free(md);
}

static void test_machine_keys_present(void **state)
{
    (void)state;
    static const char *const keys[] = {
            "dmabench_version",
            "git_sha",
            "compiler",
            "cflags",
            "hostname",
            "board",
            "dt_compatible",
            "cpu_model",
            "cpu_packages",
            "cpu_cores",
            "cpu_pus",
            "numa_nodes",
            "kernel_release",
            "kernel_version",
            "kernel_arch",
            "kernel_cmdline",
            "page_size",
            "thp",
            "cpufreq_governor",
            "clocksource",
            "perf_event_paranoid",
            "counters_hardware",
            "counters_software",
            "counters_scope",
            "counters_pmu",
    };
    struct metadata *md = new_metadata();
    struct utsname u;
    char page[32];
    assert_int_equal(metadata_collect_machine(md), 0);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *v = metadata_get(md, keys[i]);
        if (!v || !*v)
            fail_msg("key '%s' missing or empty", keys[i]);
        print_message("%-20s %s\n", keys[i], v);
    }
    assert_value(md, "dmabench_version", DMABENCH_VERSION);
    assert_int_equal(strncmp(metadata_get(md, "compiler"), "gcc ", 4) &&
                             strncmp(metadata_get(md, "compiler"), "clang ", 6),
                     0);
    assert_int_equal(uname(&u), 0);
    assert_value(md, "kernel_release", u.release);
    assert_value(md, "kernel_arch", u.machine);
    snprintf(page, sizeof(page), "%ld", sysconf(_SC_PAGESIZE));
    assert_value(md, "page_size", page);
    /* Readable on every Linux, so never "unknown" here. */
    assert_string_not_equal(metadata_get(md, "kernel_cmdline"), "unknown");
    assert_string_not_equal(metadata_get(md, "cpu_model"), "unknown");
    assert_true(atoi(metadata_get(md, "cpu_pus")) >= 1);
    free(md);
}

static void test_missing_files_say_unknown(void **state)
{
    (void)state;
    char *root = new_tree();
    struct metadata *md = new_metadata();
    md->root = root;
    assert_int_equal(metadata_collect_machine(md), 0);
    assert_value(md, "board", "unknown");
    assert_value(md, "dt_compatible", "unknown");
    assert_value(md, "cpu_model", "unknown");
    assert_value(md, "kernel_cmdline", "unknown");
    assert_value(md, "thp", "unknown");
    assert_value(md, "cpufreq_governor", "none");
    assert_value(md, "clocksource", "unknown");
    assert_int_equal(metadata_collect_load(md, "before"), 0);
    assert_value(md, "before_loadavg_1", "unknown");
    assert_value(md, "before_cpu_steal", "unknown");
    assert_int_equal(metadata_collect_load(md, "after"), 0);
    assert_true(isnan(metadata_steal_percent(md)));
    /* Present but empty or garbled is no better than missing. */
    PLANT(root, "/proc/stat", "intr 1 2 3\n");
    PLANT(root, "/proc/loadavg", "\n");
    PLANT(root, "/sys/kernel/mm/transparent_hugepage/enabled", "always madvise never\n");
    assert_int_equal(metadata_collect_load(md, "after"), 0);
    assert_value(md, "after_cpu_total", "unknown");
    assert_value(md, "after_loadavg_15", "unknown");
    assert_int_equal(metadata_collect_machine(md), 0);
    assert_value(md, "thp", "unknown");
    free(md);
    remove_tree(root);
}

static void test_arm_board_from_device_tree(void **state)
{
    (void)state;
    static const char cpuinfo[] = "processor\t: 0\nBogoMIPS\t: 48.00\nCPU implementer\t: 0x41\n"
                                  "CPU architecture: 8\nCPU variant\t: 0x2\nCPU part\t: 0xd05\n"
                                  "CPU revision\t: 0\n\n";
    static const char big[] = "processor\t: 6\nCPU implementer\t: 0x41\nCPU part\t: 0xd0b\n\n";
    static const char odd[] = "processor\t: 8\nCPU implementer\t: 0x61\nCPU part\t: 0x022\n\n";
    char *root = new_tree();
    char text[4096] = "";
    for (int i = 0; i < 4; i++)
        strcat(text, cpuinfo);
    for (int i = 0; i < 4; i++)
        strcat(text, big);
    strcat(text, odd);
    plant(root, "/proc/cpuinfo", text, strlen(text));
    PLANT(root, "/sys/firmware/devicetree/base/model", "Radxa ROCK 5B\0");
    /* Only the /proc alias here: both places are looked at. */
    PLANT(root, "/proc/device-tree/compatible", "radxa,rock-5b\0rockchip,rk3588\0");
    PLANT(root, "/sys/class/dmi/id/sys_vendor", "not used when there is a device tree\n");
    PLANT(root, "/sys/kernel/mm/transparent_hugepage/enabled", "always madvise [never]\n");
    PLANT(root, "/sys/devices/system/cpu/cpufreq/policy10/scaling_governor", "ondemand\n");
    PLANT(root, "/sys/devices/system/cpu/cpufreq/policy4/scaling_governor", "performance\n");
    PLANT(root, "/sys/devices/system/cpu/cpufreq/policy0/scaling_governor", "schedutil\n");
    PLANT(root, "/sys/devices/system/cpu/cpufreq/policy6/affected_cpus", "6 7\n");
    PLANT(root, "/sys/devices/system/clocksource/clocksource0/current_clocksource",
          "arch_sys_counter\n");
    PLANT(root, "/proc/cmdline", "console=ttyS2,1500000 root=/dev/mmcblk0p2 rw\n");
    struct metadata *md = new_metadata();
    md->root = root;
    assert_int_equal(metadata_collect_machine(md), 0);
    assert_value(md, "board", "Radxa ROCK 5B");
    assert_value(md, "dt_compatible", "radxa,rock-5b;rockchip,rk3588");
    assert_value(md, "cpu_model", "Cortex-A55 x4 + Cortex-A76 x4 + implementer 0x61 part 0x022 x1");
    assert_value(md, "thp", "never");
    assert_value(md, "cpufreq_governor",
                 "policy0=schedutil;policy4=performance;policy6=unknown;policy10=ondemand");
    assert_value(md, "clocksource", "arch_sys_counter");
    assert_value(md, "kernel_cmdline", "console=ttyS2,1500000 root=/dev/mmcblk0p2 rw");
    free(md);
    remove_tree(root);
}

static void test_x86_board_from_dmi(void **state)
{
    (void)state;
    char *root = new_tree();
    PLANT(root, "/proc/cpuinfo",
          "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 9654 96-Core "
          "Processor\nflags\t\t: fpu vme\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 9654 96-Core "
          "Processor\n\n");
    PLANT(root, "/sys/class/dmi/id/sys_vendor", "QEMU\n");
    PLANT(root, "/sys/class/dmi/id/product_name", "Standard PC (i440FX + PIIX, 1996)\n");
    PLANT(root, "/sys/kernel/mm/transparent_hugepage/enabled", "[always] madvise never\n");
    struct metadata *md = new_metadata();
    md->root = root;
    assert_int_equal(metadata_collect_machine(md), 0);
    assert_value(md, "board", "QEMU Standard PC (i440FX + PIIX, 1996)");
    assert_value(md, "dt_compatible", "unknown");
    assert_value(md, "cpu_model", "AMD EPYC 9654 96-Core Processor");
    assert_value(md, "thp", "always");
    /* Either DMI half alone still names the board. */
    PLANT(root, "/sys/class/dmi/id/sys_vendor", "");
    assert_int_equal(metadata_collect_machine(md), 0);
    assert_value(md, "board", "Standard PC (i440FX + PIIX, 1996)");
    free(md);
    remove_tree(root);
}

static void test_load_and_steal_from_proc(void **state)
{
    (void)state;
    char *root = new_tree();
    struct metadata *md = new_metadata();
    md->root = root;
    PLANT(root, "/proc/loadavg", "0.52 1.25 2.00 3/345 6789\n");
    PLANT(root, "/proc/stat",
          "cpu  1000 10 500 8000 100 5 5 380 0 0\n"
          "cpu0 500 5 250 4000 50 2 3 190 0 0\nintr 12345\n");
    assert_int_equal(metadata_collect_load(md, "before"), 0);
    assert_value(md, "before_loadavg_1", "0.52");
    assert_value(md, "before_loadavg_5", "1.25");
    assert_value(md, "before_loadavg_15", "2.00");
    assert_value(md, "before_cpu_user", "1000");
    assert_value(md, "before_cpu_system", "500");
    assert_value(md, "before_cpu_idle", "8000");
    assert_value(md, "before_cpu_steal", "380");
    assert_value(md, "before_cpu_total", "10000");
    assert_true(isnan(metadata_steal_percent(md))); /* no "after" yet */
    /* 2000 jiffies later, 100 of them stolen: 5%. */
    PLANT(root, "/proc/stat", "cpu  2000 10 800 8600 100 5 5 480 0 0\n");
    assert_int_equal(metadata_collect_load(md, "after"), 0);
    assert_value(md, "after_cpu_total", "12000");
    assert_true(fabs(metadata_steal_percent(md) - 5.0) < 1e-9);
    free(md);
    remove_tree(root);
}

static void test_steal_arithmetic(void **state)
{
    (void)state;
    struct metadata *md = new_metadata();
    metadata_set(md, "before_cpu_steal", "100");
    metadata_set(md, "before_cpu_total", "10000");
    metadata_set(md, "after_cpu_steal", "350");
    metadata_set(md, "after_cpu_total", "15000");
    assert_true(fabs(metadata_steal_percent(md) - 5.0) < 1e-9);
    metadata_set(md, "after_cpu_steal", "100");
    assert_true(metadata_steal_percent(md) == 0.0);
    /* Counters read across a reboot or with nothing elapsed say nothing. */
    metadata_set(md, "after_cpu_total", "10000");
    assert_true(isnan(metadata_steal_percent(md)));
    metadata_set(md, "after_cpu_total", "15000");
    metadata_set(md, "after_cpu_steal", "99");
    assert_true(isnan(metadata_steal_percent(md)));
    metadata_set(md, "after_cpu_steal", "unknown");
    assert_true(isnan(metadata_steal_percent(md)));
    free(md);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_set_replaces_in_place),
            cmocka_unit_test(test_set_limits),
            cmocka_unit_test(test_time_is_iso8601_utc_ms),
            cmocka_unit_test(test_machine_keys_present),
            cmocka_unit_test(test_missing_files_say_unknown),
            cmocka_unit_test(test_arm_board_from_device_tree),
            cmocka_unit_test(test_x86_board_from_dmi),
            cmocka_unit_test(test_load_and_steal_from_proc),
            cmocka_unit_test(test_steal_arithmetic),
    };
    return cmocka_run_group_tests_name("metadata", tests, NULL, NULL);
}
