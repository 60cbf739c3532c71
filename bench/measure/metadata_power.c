/* bench/measure/metadata_power.c - how fast the CPUs may run and do run, and how warm they are.
 *
 * A bandwidth is only comparable at the same clock: cpufreq's limits and governor per policy,
 * the boost switch and the P-state driver say what the run allowed, the current frequencies and
 * thermal zones before and after say what it got (a board that throttled shows it here). A VM
 * or a board without cpufreq or thermal zones says "none", never an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metadata.h"
#include "metadata_per_cpu.h"
#include "metadata_read.h"

#define UNKNOWN      "unknown"
#define NONE         "none"
#define CPUFREQ      "/sys/devices/system/cpu/cpufreq"
#define MAX_POLICIES 4096
#define ETC          "..."

/* The cpufreq policies (one per cluster on big.LITTLE, often one per CPU on x86), ascending. */
static size_t list_policies(const struct metadata *md, int *policies)
{
    return metadata_list_numbered(md, CPUFREQ, "policy", policies, MAX_POLICIES);
}

/* key = leaf of every policy, grouped: "policy0-3=1800000;policy4-7=2400000"; a policy without
 * the file says "unknown", a machine without policies "none". */
static void set_per_policy(struct metadata *md, const int *policies, size_t n, const char *key,
                           const char *leaf)
{
    struct per_cpu_values values;
    char text[METADATA_VALUE_MAX];
    per_cpu_values_init(&values);
    for (size_t i = 0; i < n; i++) {
        char path[128], buf[PER_CPU_VALUE_MAX];
        snprintf(path, sizeof(path), CPUFREQ "/policy%d/%s", policies[i], leaf);
        const char *v = metadata_read_line(md, path, buf, sizeof(buf));
        per_cpu_values_add(&values, policies[i], v ? v : UNKNOWN);
    }
    per_cpu_values_format(&values, "policy", text, sizeof(text));
    per_cpu_values_free(&values);
    metadata_set(md, key, "%s", n ? text : NONE);
}

/* "1" or "0" from a boost switch, as on/off with where it was read. */
static bool set_switch(struct metadata *md, const char *path, const char *source, bool inverted)
{
    char buf[16];
    const char *v = metadata_read_line(md, path, buf, sizeof(buf));
    if (!v)
        return false;
    bool on = !strcmp(v, "1") != inverted;
    if (strcmp(v, "0") && strcmp(v, "1"))
        metadata_set(md, "cpu_boost", "%s (%s=%s)", UNKNOWN, source, v);
    else
        metadata_set(md, "cpu_boost", "%s (%s=%s)", on ? "on" : "off", source, v);
    return true;
}

/* Turbo / boost: intel_pstate's no_turbo, the cpufreq core's global switch (acpi-cpufreq,
 * amd-pstate, cppc), else the per-policy switches of newer kernels. */
static void set_boost(struct metadata *md, const int *policies, size_t n)
{
    if (set_switch(md, "/sys/devices/system/cpu/intel_pstate/no_turbo", "intel_pstate/no_turbo",
                   true) ||
        set_switch(md, CPUFREQ "/boost", "cpufreq/boost", false))
        return;
    struct per_cpu_values values;
    char text[METADATA_VALUE_MAX];
    per_cpu_values_init(&values);
    for (size_t i = 0; i < n; i++) {
        char path[128], buf[16];
        snprintf(path, sizeof(path), CPUFREQ "/policy%d/boost", policies[i]);
        const char *v = metadata_read_line(md, path, buf, sizeof(buf));
        if (v)
            per_cpu_values_add(&values, policies[i], v);
    }
    bool all_same = true;
    for (size_t i = 1; i < values.n; i++)
        all_same = all_same && !strcmp(values.v[i].value, values.v[0].value);
    per_cpu_values_format(&values, "policy", text, sizeof(text));
    if (!values.n)
        metadata_set(md, "cpu_boost", NONE);
    else if (all_same && (!strcmp(values.v[0].value, "0") || !strcmp(values.v[0].value, "1")))
        metadata_set(md, "cpu_boost", "%s (policy*/boost: %s)",
                     values.v[0].value[0] == '1' ? "on" : "off", text);
    else
        metadata_set(md, "cpu_boost", "mixed (policy*/boost: %s)", text);
    per_cpu_values_free(&values);
}

/* "intel_pstate active", "amd_pstate guided", or none (acpi-cpufreq, Arm, a VM). */
static void set_pstate(struct metadata *md)
{
    static const char *const drivers[] = {"intel_pstate", "amd_pstate"};
    for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
        char path[96], buf[32];
        snprintf(path, sizeof(path), "/sys/devices/system/cpu/%s/status", drivers[i]);
        const char *v = metadata_read_line(md, path, buf, sizeof(buf));
        if (v) {
            metadata_set(md, "cpu_pstate", "%s %s", drivers[i], v);
            return;
        }
    }
    metadata_set(md, "cpu_pstate", NONE);
}

void metadata_collect_power(struct metadata *md)
{
    static const char *const keys[][2] = {
            {"cpufreq_governor", "scaling_governor"},
            {"cpufreq_driver", "scaling_driver"},
            {"cpufreq_cpuinfo_min_khz", "cpuinfo_min_freq"},
            {"cpufreq_cpuinfo_max_khz", "cpuinfo_max_freq"},
            {"cpufreq_scaling_min_khz", "scaling_min_freq"},
            {"cpufreq_scaling_max_khz", "scaling_max_freq"},
    };
    int policies[MAX_POLICIES];
    size_t n = list_policies(md, policies);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        set_per_policy(md, policies, n, keys[i][0], keys[i][1]);
    set_boost(md, policies, n);
    set_pstate(md);
}

/* "zone0:acpitz=27.8;zone1:x86_pkg_temp=45.0" in degrees Celsius (sysfs says millidegrees);
 * "unknown" for a zone whose sensor does not answer, "none" without zones. */
static void set_thermal(struct metadata *md, const char *prefix)
{
    int zones[MAX_POLICIES];
    size_t n =
            metadata_list_numbered(md, "/sys/class/thermal", "thermal_zone", zones, MAX_POLICIES);
    char text[METADATA_VALUE_MAX] = "";
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        char path[96], type_buf[64], temp_buf[32], entry[128], temp[32] = UNKNOWN, *end = NULL;
        snprintf(path, sizeof(path), "/sys/class/thermal/thermal_zone%d/type", zones[i]);
        const char *type = metadata_read_line(md, path, type_buf, sizeof(type_buf));
        snprintf(path, sizeof(path), "/sys/class/thermal/thermal_zone%d/temp", zones[i]);
        const char *milli = metadata_read_line(md, path, temp_buf, sizeof(temp_buf));
        long long mc = milli ? strtoll(milli, &end, 10) : 0;
        if (milli && !*end)
            snprintf(temp, sizeof(temp), "%.1f", (double)mc / 1000.0);
        snprintf(entry, sizeof(entry), "%szone%d:%s=%s", used ? ";" : "", zones[i],
                 type ? type : UNKNOWN, temp);
        if (used + strlen(entry) + strlen(";" ETC) >= sizeof(text)) {
            snprintf(text + used, sizeof(text) - used, "%s", used ? ";" ETC : ETC);
            break;
        }
        used += (size_t)snprintf(text + used, sizeof(text) - used, "%s", entry);
    }
    metadata_set_prefixed(md, prefix, "thermal_c", "%s", n ? text : NONE);
}

void metadata_collect_power_now(struct metadata *md, const char *prefix)
{
    int policies[MAX_POLICIES];
    size_t n = list_policies(md, policies);
    /* A prefix too long for the key gives a key metadata_set refuses (and records). */
    char key[METADATA_KEY_MAX + 1];
    snprintf(key, sizeof(key), "%s_cpufreq_cur_khz", prefix);
    set_per_policy(md, policies, n, key, "scaling_cur_freq");
    set_thermal(md, prefix);
}
