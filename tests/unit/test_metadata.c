/* tests/unit/test_metadata.c - run metadata: the keys, replacing, steal time, planted boards.
 *
 * Board-specific readers (device tree, arm64 cpuinfo, cpufreq policies, DMI) are checked on
 * trees planted under metadata.root, so an x86 build machine tests the Arm paths too; an empty
 * tree shows every reader saying "unknown" instead of failing.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdbool.h>
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

#include "cpu_features.h"
#include "metadata.h"
#include "metadata_per_cpu.h"
#include "proc_load.h"
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

/* What a VM (or a board without cpufreq, thermal zones, SMT control) says: nothing is an error. */
static void assert_no_power_management(const struct metadata *md)
{
    static const char *const none[] = {
            "cpufreq_governor",
            "cpufreq_driver",
            "cpufreq_cpuinfo_min_khz",
            "cpufreq_cpuinfo_max_khz",
            "cpufreq_scaling_min_khz",
            "cpufreq_scaling_max_khz",
            "cpu_boost",
            "cpu_pstate",
    };
    static const char *const unknown[] = {"cpu_microcode", "cpu_midr_el1", "cpu_revidr_el1",
                                          "smt_control", "smt_active"};
    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
        assert_value(md, none[i], "none");
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
        assert_value(md, unknown[i], "unknown");
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

/* Read back as compare's noise guard and export read start_time and end_time. */
static void test_time_parses_back(void **state)
{
    (void)state;
    assert_true(metadata_parse_time("1970-01-01T00:00:01.250Z") == 1.25);
    assert_true(metadata_parse_time("2026-01-01T00:01:40.000Z") -
                        metadata_parse_time("2026-01-01T00:00:00.000Z") ==
                100);
    assert_true(metadata_parse_time("2026-01-01T00:00:00Z") == 1767225600);
    assert_true(isnan(metadata_parse_time("2026-01-01 00:00:00")));
    assert_true(isnan(metadata_parse_time("2026-01-01T00:00:00.000")));
    assert_true(isnan(metadata_parse_time("unknown")));
    assert_true(isnan(metadata_parse_time(NULL)));
    struct metadata *md = new_metadata();
    time_t before = time(NULL);
    assert_int_equal(metadata_set_time(md, "start_time"), 0);
    double t = metadata_parse_time(metadata_get(md, "start_time"));
    assert_true(t >= (double)before && t <= (double)time(NULL) + 1);
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
            "cpu_flags",
            "cpu_flags_missing",
            "cpu_microcode",
            "cpu_midr_el1",
            "cpu_revidr_el1",
            "smt_control",
            "smt_active",
            "cpufreq_governor",
            "cpufreq_driver",
            "cpufreq_cpuinfo_min_khz",
            "cpufreq_cpuinfo_max_khz",
            "cpufreq_scaling_min_khz",
            "cpufreq_scaling_max_khz",
            "cpu_boost",
            "cpu_pstate",
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

/* Every key METADATA_NUMERIC_KEYS names holds one number, or "unknown": export --format json
 * writes them as numbers (null for unknown), so a unit in the text would lose the value. */
static void assert_numeric_keys_hold_numbers(const struct metadata *md, size_t want_at_least)
{
    size_t numeric = 0;
    for (size_t i = 0; i < md->n; i++) {
        const char *key = md->entries[i].key, *value = md->entries[i].value;
        if (!metadata_key_is_numeric(key))
            continue;
        numeric++;
        char *end;
        strtod(value, &end);
        if (strcmp(value, "unknown") != 0 && (end == value || *end))
            fail_msg("%s = '%s': listed numeric, but not a number", key, value);
    }
    assert_true(numeric >= want_at_least);
}

static void test_numeric_keys_hold_numbers(void **state)
{
    (void)state;
    assert_true(metadata_key_is_numeric("cpu_pus"));
    assert_true(metadata_key_is_numeric("before_loadavg_15"));
    assert_true(metadata_key_is_numeric("after_cpu_total"));
    assert_false(metadata_key_is_numeric("before_cpufreq_cur_khz")); /* per policy: text */
    assert_false(metadata_key_is_numeric("git_sha"));
    assert_false(metadata_key_is_numeric("cpu_model"));
    /* This machine, and a machine that tells nothing. */
    struct metadata *md = new_metadata();
    assert_int_equal(metadata_collect_machine(md), 0);
    assert_int_equal(metadata_collect_load(md, "before"), 0);
    assert_numeric_keys_hold_numbers(md, 5 + 3 + N_CPU_TIME_FIELDS);
    free(md);
    char *root = new_tree();
    md = new_metadata();
    md->root = root;
    assert_int_equal(metadata_collect_machine(md), 0);
    assert_int_equal(metadata_collect_load(md, "after"), 0);
    assert_numeric_keys_hold_numbers(md, 5 + 3 + N_CPU_TIME_FIELDS);
    free(md);
    remove_tree(root);
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
    assert_no_power_management(md);
    assert_int_equal(metadata_collect_load(md, "before"), 0);
    assert_value(md, "before_loadavg_1", "unknown");
    assert_value(md, "before_cpu_steal", "unknown");
    assert_value(md, "before_cpufreq_cur_khz", "none");
    assert_value(md, "before_thermal_c", "none");
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

/* Equal values share a group, its members as ascending ranges, groups by lowest member. */
static void test_per_cpu_groups(void **state)
{
    (void)state;
    static const char *const values[] = {"a", "a", "a", "a", "b", "b", "a", "c", "a"};
    struct per_cpu_values l;
    char text[128];
    per_cpu_values_init(&l);
    per_cpu_values_format(&l, "cpu", text, sizeof(text));
    assert_string_equal(text, "");
    /* Added backwards, with a gap (no cpu9): sorted before grouping. */
    for (int i = 8; i >= 0; i--)
        assert_int_equal(per_cpu_values_add(&l, i == 8 ? 10 : i, values[i]), 0);
    per_cpu_values_format(&l, "cpu", text, sizeof(text));
    assert_string_equal(text, "cpu0-3,6,10=a;cpu4-5=b;cpu7=c");
    /* Room for the first group only. */
    per_cpu_values_format(&l, "cpu", text, strlen("cpu0-3,6,10=a;...") + 1);
    assert_string_equal(text, "cpu0-3,6,10=a;...");
    /* One byte less and "..." would be cut: the first group goes too. */
    per_cpu_values_format(&l, "cpu", text, strlen("cpu0-3,6,10=a;..."));
    assert_string_equal(text, "...");
    per_cpu_values_format(&l, "cpu", text, 8);
    assert_string_equal(text, "...");
    per_cpu_values_free(&l);
}

/* A big.LITTLE board with cpufreq, two thermal zones (one sensor that does not answer), SMT and
 * a per-CPU microcode line: every value grouped by policy or CPU, frequencies and temperatures
 * read again for "after". */
static void test_board_with_cpufreq_and_thermal(void **state)
{
    (void)state;
    static const char *const leaves[][3] = {
            /* leaf, policy0 (little), policy4 (big) */
            {"scaling_governor", "schedutil", "schedutil"},
            {"scaling_driver", "cpufreq-dt", "cpufreq-dt"},
            {"cpuinfo_min_freq", "408000", "408000"},
            {"cpuinfo_max_freq", "1800000", "2400000"},
            {"scaling_min_freq", "408000", "1200000"},
            {"scaling_max_freq", "1800000", "2208000"},
            {"scaling_cur_freq", "1416000", "2208000"},
    };
    char *root = new_tree();
    char path[256];
    for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++)
        for (int p = 0; p < 2; p++) {
            snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpufreq/policy%d/%s", p * 4,
                     leaves[i][0]);
            plant(root, path, leaves[i][1 + p], strlen(leaves[i][1 + p]));
        }
    PLANT(root, "/sys/devices/system/cpu/cpufreq/boost", "1\n");
    PLANT(root, "/sys/devices/system/cpu/smt/control", "on\n");
    PLANT(root, "/sys/devices/system/cpu/smt/active", "1\n");
    PLANT(root, "/sys/class/thermal/thermal_zone0/type", "soc-thermal\n");
    PLANT(root, "/sys/class/thermal/thermal_zone0/temp", "45500\n");
    PLANT(root, "/sys/class/thermal/thermal_zone1/type", "gpu-thermal\n");
    PLANT(root, "/sys/class/thermal/thermal_zone1/temp", ""); /* ENODATA reads as nothing */
    PLANT(root, "/sys/class/thermal/cooling_device0/type", "not a zone\n");
    PLANT(root, "/proc/cpuinfo",
          "processor\t: 0\nmicrocode\t: 0xa\n\nprocessor\t: 1\n"
          "microcode\t: 0xa\n\nprocessor\t: 2\nmicrocode\t: 0xb\n\n");
    for (int cpu = 0; cpu < 8; cpu++) {
        snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/regs/identification/midr_el1",
                 cpu);
        const char *midr = cpu < 4 ? "0x00000000412fd050\n" : "0x00000000414fd0b0\n";
        plant(root, path, midr, strlen(midr));
        snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/regs/identification/revidr_el1",
                 cpu);
        PLANT(root, path, "0x0000000000000000\n");
    }
    struct metadata *md = new_metadata();
    md->root = root;
    assert_int_equal(metadata_collect_machine(md), 0);
    assert_value(md, "cpufreq_governor", "policy0,4=schedutil");
    assert_value(md, "cpufreq_driver", "policy0,4=cpufreq-dt");
    assert_value(md, "cpufreq_cpuinfo_min_khz", "policy0,4=408000");
    assert_value(md, "cpufreq_cpuinfo_max_khz", "policy0=1800000;policy4=2400000");
    assert_value(md, "cpufreq_scaling_min_khz", "policy0=408000;policy4=1200000");
    assert_value(md, "cpufreq_scaling_max_khz", "policy0=1800000;policy4=2208000");
    assert_value(md, "cpu_boost", "on (cpufreq/boost=1)");
    assert_value(md, "cpu_pstate", "none");
    assert_value(md, "smt_control", "on");
    assert_value(md, "smt_active", "1");
    assert_value(md, "cpu_microcode", "cpu0-1=0xa;cpu2=0xb");
    assert_value(md, "cpu_midr_el1", "cpu0-3=0x00000000412fd050;cpu4-7=0x00000000414fd0b0");
    assert_value(md, "cpu_revidr_el1", "cpu0-7=0x0000000000000000");
    assert_int_equal(metadata_collect_load(md, "before"), 0);
    assert_value(md, "before_cpufreq_cur_khz", "policy0=1416000;policy4=2208000");
    assert_value(md, "before_thermal_c", "zone0:soc-thermal=45.5;zone1:gpu-thermal=unknown");
    /* The big cluster throttled during the run, and warmed up. */
    PLANT(root, "/sys/devices/system/cpu/cpufreq/policy4/scaling_cur_freq", "1416000\n");
    PLANT(root, "/sys/class/thermal/thermal_zone0/temp", "85000\n");
    PLANT(root, "/sys/class/thermal/thermal_zone1/temp", "-5250\n");
    assert_int_equal(metadata_collect_load(md, "after"), 0);
    assert_value(md, "after_cpufreq_cur_khz", "policy0,4=1416000");
    assert_value(md, "after_thermal_c", "zone0:soc-thermal=85.0;zone1:gpu-thermal=-5.2");
    assert_value(md, "before_thermal_c", "zone0:soc-thermal=45.5;zone1:gpu-thermal=unknown");
    free(md);
    remove_tree(root);
}

/* A VM: the directories exist but hold nothing (no cpufreq driver, no sensors), SMT is not
 * supported and the microcode line says what the hypervisor passes. None of it is an error. */
static void test_vm_without_cpufreq_or_thermal(void **state)
{
    (void)state;
    char *root = new_tree();
    char path[256];
    snprintf(path, sizeof(path), "%s/sys/devices/system/cpu/cpufreq/", root);
    make_parents(path);
    snprintf(path, sizeof(path), "%s/sys/class/thermal/", root);
    make_parents(path);
    PLANT(root, "/sys/devices/system/cpu/smt/control", "notsupported\n");
    PLANT(root, "/sys/devices/system/cpu/smt/active", "0\n");
    struct metadata *md = new_metadata();
    md->root = root;
    assert_int_equal(metadata_collect_machine(md), 0);
    assert_value(md, "cpufreq_governor", "none");
    assert_value(md, "cpufreq_scaling_max_khz", "none");
    assert_value(md, "cpu_boost", "none");
    assert_value(md, "cpu_pstate", "none");
    assert_value(md, "smt_control", "notsupported");
    assert_value(md, "smt_active", "0");
    assert_value(md, "cpu_microcode", "unknown");
    assert_int_equal(metadata_collect_load(md, "before"), 0);
    assert_value(md, "before_cpufreq_cur_khz", "none");
    assert_value(md, "before_thermal_c", "none");
    /* Only the microcode driver's sysfs file (no line in /proc/cpuinfo). */
    PLANT(root, "/sys/devices/system/cpu/cpu0/microcode/version", "0x1000065\n");
    PLANT(root, "/sys/devices/system/cpu/cpu1/microcode/version", "0x1000065\n");
    assert_int_equal(metadata_collect_machine(md), 0);
    assert_value(md, "cpu_microcode", "cpu0-1=0x1000065");
    free(md);
    remove_tree(root);
}

/* SMT switched off at run time, turbo off through intel_pstate, a policy without some files. */
static void test_smt_off_and_intel_pstate(void **state)
{
    (void)state;
    char *root = new_tree();
    PLANT(root, "/sys/devices/system/cpu/smt/control", "off\n");
    PLANT(root, "/sys/devices/system/cpu/smt/active", "0\n");
    PLANT(root, "/sys/devices/system/cpu/intel_pstate/no_turbo", "1\n");
    PLANT(root, "/sys/devices/system/cpu/intel_pstate/status", "active\n");
    PLANT(root, "/sys/devices/system/cpu/cpufreq/boost", "1\n"); /* intel_pstate's says */
    PLANT(root, "/sys/devices/system/cpu/cpufreq/policy0/scaling_driver", "intel_pstate\n");
    PLANT(root, "/sys/devices/system/cpu/cpufreq/policy1/scaling_driver", "intel_pstate\n");
    PLANT(root, "/sys/devices/system/cpu/cpufreq/policy0/scaling_cur_freq", "3000000\n");
    struct metadata *md = new_metadata();
    md->root = root;
    assert_int_equal(metadata_collect_machine(md), 0);
    assert_value(md, "smt_control", "off");
    assert_value(md, "smt_active", "0");
    assert_value(md, "cpu_boost", "off (intel_pstate/no_turbo=1)");
    assert_value(md, "cpu_pstate", "intel_pstate active");
    assert_value(md, "cpufreq_driver", "policy0-1=intel_pstate");
    assert_value(md, "cpufreq_governor", "policy0-1=unknown");
    assert_int_equal(metadata_collect_load(md, "before"), 0);
    assert_value(md, "before_cpufreq_cur_khz", "policy0=3000000;policy1=unknown");
    PLANT(root, "/sys/devices/system/cpu/smt/control", "on\n");
    PLANT(root, "/sys/devices/system/cpu/smt/active", "1\n");
    PLANT(root, "/sys/devices/system/cpu/intel_pstate/no_turbo", "0\n");
    assert_int_equal(metadata_collect_machine(md), 0);
    assert_value(md, "smt_control", "on");
    assert_value(md, "smt_active", "1");
    assert_value(md, "cpu_boost", "on (intel_pstate/no_turbo=0)");
    free(md);
    remove_tree(root);
}

/* amd-pstate on a newer kernel: no global switch, one per policy, and they disagree. */
static void test_per_policy_boost(void **state)
{
    (void)state;
    char *root = new_tree();
    PLANT(root, "/sys/devices/system/cpu/amd_pstate/status", "guided\n");
    PLANT(root, "/sys/devices/system/cpu/cpufreq/policy0/boost", "1\n");
    PLANT(root, "/sys/devices/system/cpu/cpufreq/policy1/boost", "1\n");
    struct metadata *md = new_metadata();
    md->root = root;
    assert_int_equal(metadata_collect_machine(md), 0);
    assert_value(md, "cpu_pstate", "amd_pstate guided");
    assert_value(md, "cpu_boost", "on (policy*/boost: policy0-1=1)");
    PLANT(root, "/sys/devices/system/cpu/cpufreq/policy1/boost", "0\n");
    assert_int_equal(metadata_collect_machine(md), 0);
    assert_value(md, "cpu_boost", "mixed (policy*/boost: policy0=1;policy1=0)");
    free(md);
    remove_tree(root);
}

/* 640 policies in one cell: equal ones fold into ranges, and when even those do not fit the
 * value ends in "..." after the last whole group instead of a cut one. */
static void test_many_policies_fit_or_say_so(void **state)
{
    (void)state;
    char *root = new_tree();
    char path[256], value[32];
    for (int p = 0; p < 640; p++) {
        snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpufreq/policy%d/scaling_governor",
                 p);
        PLANT(root, path, "performance\n");
        snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpufreq/policy%d/scaling_cur_freq",
                 p);
        snprintf(value, sizeof(value), "%d\n", 2000000 + p * 1000);
        plant(root, path, value, strlen(value));
    }
    struct metadata *md = new_metadata();
    md->root = root;
    assert_int_equal(metadata_collect_machine(md), 0);
    assert_value(md, "cpufreq_governor", "policy0-639=performance");
    assert_int_equal(metadata_collect_load(md, "after"), 0);
    const char *cur = metadata_get(md, "after_cpufreq_cur_khz");
    assert_non_null(cur);
    size_t len = strlen(cur);
    assert_true(len < METADATA_VALUE_MAX - 1); /* not cut by metadata_set */
    assert_string_equal(cur + len - 4, ";...");
    assert_null(strstr(cur, ";;"));
    assert_int_equal(strncmp(cur, "policy0=2000000;policy1=2001000;", 32), 0);
    /* The last group before "..." is whole: policyN=2000000 + N * 1000. */
    const char *last = cur + len - 4;
    while (last > cur && last[-1] != ';')
        last--;
    int n, khz;
    assert_int_equal(sscanf(last, "policy%d=%d;", &n, &khz), 2);
    assert_int_equal(khz, 2000000 + n * 1000);
    free(md);
    remove_tree(root);
}

/* Each flag cpu_flags lists is one this CPU has by /proc/cpuinfo, each one cpu_flags_missing
 * lists is one it lacks, and between them they name every feature dispatch asks about. */
static void test_cpu_flags_match_proc_cpuinfo(void **state)
{
    (void)state;
    FILE *f = fopen("/proc/cpuinfo", "re");
    assert_non_null(f);
    char line[8192], flags[8192] = "";
    while (fgets(line, sizeof(line), f)) {
        /* x86 "flags : fpu vme ...", arm64 "Features : fp asimd ..." */
        if (!strncmp(line, "flags", 5) || !strncmp(line, "Features", 8)) {
            const char *colon = strchr(line, ':');
            assert_non_null(colon);
            snprintf(flags, sizeof(flags), " %s", colon + 1);
            flags[strcspn(flags, "\n")] = ' ';
            break;
        }
    }
    fclose(f);
    struct metadata *md = new_metadata();
    assert_int_equal(metadata_collect_machine(md), 0);
    size_t listed = 0;
    static const char *const keys[] = {"cpu_flags", "cpu_flags_missing"};
    for (int k = 0; k < 2; k++) {
        char value[METADATA_VALUE_MAX];
        snprintf(value, sizeof(value), "%s", metadata_get(md, keys[k]));
        print_message("%s: %s\n", keys[k], value);
        if (!strcmp(value, "none"))
            continue;
        for (char *save, *flag = strtok_r(value, " ", &save); flag;
             flag = strtok_r(NULL, " ", &save)) {
            enum cpu_feature id = N_CPU_FEATURES;
            for (int i = 0; i < N_CPU_FEATURES; i++)
                if (!strcmp(cpu_feature_name((enum cpu_feature)i), flag))
                    id = (enum cpu_feature)i;
            if (id == N_CPU_FEATURES)
                fail_msg("%s lists '%s', which no dispatch asks about", keys[k], flag);
            char word[64];
            snprintf(word, sizeof(word), " %s ", cpu_feature_cpuinfo_name(id));
            bool in_cpuinfo = strstr(flags, word) != NULL;
            if (in_cpuinfo != (k == 0))
                fail_msg("%s lists '%s', but /proc/cpuinfo %s '%s'", keys[k], flag,
                         in_cpuinfo ? "has" : "lacks", cpu_feature_cpuinfo_name(id));
            listed++;
        }
    }
    assert_int_equal(listed, N_CPU_FEATURES);
    free(md);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_set_replaces_in_place),
            cmocka_unit_test(test_set_limits),
            cmocka_unit_test(test_time_is_iso8601_utc_ms),
            cmocka_unit_test(test_time_parses_back),
            cmocka_unit_test(test_machine_keys_present),
            cmocka_unit_test(test_missing_files_say_unknown),
            cmocka_unit_test(test_arm_board_from_device_tree),
            cmocka_unit_test(test_x86_board_from_dmi),
            cmocka_unit_test(test_load_and_steal_from_proc),
            cmocka_unit_test(test_steal_arithmetic),
            cmocka_unit_test(test_numeric_keys_hold_numbers),
            cmocka_unit_test(test_per_cpu_groups),
            cmocka_unit_test(test_board_with_cpufreq_and_thermal),
            cmocka_unit_test(test_vm_without_cpufreq_or_thermal),
            cmocka_unit_test(test_smt_off_and_intel_pstate),
            cmocka_unit_test(test_per_policy_boost),
            cmocka_unit_test(test_many_policies_fit_or_say_so),
            cmocka_unit_test(test_cpu_flags_match_proc_cpuinfo),
    };
    return cmocka_run_group_tests_name("metadata", tests, NULL, NULL);
}
