/* bench/measure/metadata_cpu.c - the CPU facts that decide which code ran and how it behaves: the
 * dispatch features, the microcode or core revision, SMT.
 *
 * Two boards are compared on the same code only if the same features were there: cpu_flags
 * prints workloads/cpu_features.h, the list dispatch reads. Revisions and SMT come from /proc and
 * /sys and say "unknown" where a board or VM does not tell.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu_features.h"
#include "metadata.h"
#include "metadata_per_cpu.h"
#include "metadata_read.h"

#define UNKNOWN  "unknown"
#define MAX_CPUS 4096

/* "sse2 sse4.1 avx2" of the features present (want true) or absent; "none" for none. */
static void set_flags(struct metadata *md, const char *key, bool want)
{
    char text[METADATA_VALUE_MAX] = "";
    size_t used = 0;
    for (int f = 0; f < N_CPU_FEATURES; f++) {
        if (cpu_feature_present((enum cpu_feature)f) != want)
            continue;
        int w = snprintf(text + used, sizeof(text) - used, "%s%s", used ? " " : "",
                         cpu_feature_name((enum cpu_feature)f));
        if (w < 0 || (size_t)w >= sizeof(text) - used)
            break;
        used += (size_t)w;
    }
    metadata_set(md, key, "%s", used ? text : "none");
}

static void set_grouped(struct metadata *md, const char *key, struct per_cpu_values *values)
{
    char text[METADATA_VALUE_MAX];
    per_cpu_values_format(values, "cpu", text, sizeof(text));
    metadata_set(md, key, "%s", text[0] ? text : UNKNOWN);
}

/* x86: the "microcode" line of each processor block in /proc/cpuinfo. */
static void microcode_from_cpuinfo(const struct metadata *md, struct per_cpu_values *values)
{
    FILE *f = metadata_open(md, "/proc/cpuinfo");
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    int cpu = -1;
    while (getline(&line, &cap, f) > 0) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        const char *key = metadata_trim(line), *value = metadata_trim(colon + 1);
        if (!strcmp(key, "processor"))
            cpu = atoi(value);
        else if (!strcmp(key, "microcode") && cpu >= 0 && *value)
            per_cpu_values_add(values, cpu, value);
    }
    free(line);
    fclose(f);
}

/* One file per CPU, /sys/devices/system/cpu/cpuN/LEAF, for every cpuN that has it. */
static void read_per_cpu(const struct metadata *md, const int *cpus, size_t n, const char *leaf,
                         struct per_cpu_values *values)
{
    for (size_t i = 0; i < n; i++) {
        char path[128], buf[PER_CPU_VALUE_MAX];
        snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/%s", cpus[i], leaf);
        const char *v = metadata_read_line(md, path, buf, sizeof(buf));
        if (v)
            per_cpu_values_add(values, cpus[i], v);
    }
}

/* cpu_microcode (x86: /proc/cpuinfo, else the microcode driver's sysfs) and the arm64 MIDR and
 * REVIDR registers (implementer, part, variant, revision; the revision's errata fixes), each
 * grouped over CPUs: "cpu0-7=0xb404032". */
static void set_revisions(struct metadata *md)
{
    int cpus[MAX_CPUS];
    size_t n = metadata_list_numbered(md, "/sys/devices/system/cpu", "cpu", cpus, MAX_CPUS);
    struct per_cpu_values values;
    per_cpu_values_init(&values);
    microcode_from_cpuinfo(md, &values);
    if (!values.n)
        read_per_cpu(md, cpus, n, "microcode/version", &values);
    set_grouped(md, "cpu_microcode", &values);
    per_cpu_values_free(&values);
    static const char *const regs[][2] = {
            {"cpu_midr_el1", "regs/identification/midr_el1"},
            {"cpu_revidr_el1", "regs/identification/revidr_el1"},
    };
    for (size_t r = 0; r < sizeof(regs) / sizeof(regs[0]); r++) {
        read_per_cpu(md, cpus, n, regs[r][1], &values);
        set_grouped(md, regs[r][0], &values);
        per_cpu_values_free(&values);
    }
}

static void set_line_or_unknown(struct metadata *md, const char *key, const char *path)
{
    char buf[64];
    const char *line = metadata_read_line(md, path, buf, sizeof(buf));
    metadata_set(md, key, "%s", line ? line : UNKNOWN);
}

void metadata_collect_cpu(struct metadata *md)
{
    set_flags(md, "cpu_flags", true);
    set_flags(md, "cpu_flags_missing", false);
    set_revisions(md);
    /* on, off, forceoff, notsupported, notimplemented; active 1 when siblings run. */
    set_line_or_unknown(md, "smt_control", "/sys/devices/system/cpu/smt/control");
    set_line_or_unknown(md, "smt_active", "/sys/devices/system/cpu/smt/active");
}
