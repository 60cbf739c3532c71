/* bench/measure/metadata.c - collects the run metadata from /proc, /sys, uname, hwloc and the
 * build.
 *
 * Every reader tolerates what a board may lack (no device tree on x86, no DMI on Arm, no
 * cpufreq in a VM) by writing "unknown" or "none": metadata describes a run, it never stops one.
 */
#include "metadata.h"

#include <ctype.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "counters_probe.h"
#include "metadata_read.h"
#include "proc_load.h"
#include "size_units.h"
#include "topology.h"
#include "version.h"

#define UNKNOWN "unknown"

/* --- reading /proc and /sys ------------------------------------------------------------------ */

static void set_line(struct metadata *md, const char *key, const char *path)
{
    char buf[METADATA_VALUE_MAX];
    const char *line = metadata_read_line(md, path, buf, sizeof(buf));
    metadata_set(md, key, "%s", line ? line : UNKNOWN);
}

/* A device-tree property, from sysfs or the older /proc alias; its strings joined with ';'. */
static const char *read_dt_strings(const struct metadata *md, const char *leaf, char *buf,
                                   size_t len)
{
    static const char *const dirs[] = {"/sys/firmware/devicetree/base", "/proc/device-tree"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        char path[128];
        snprintf(path, sizeof(path), "%s/%s", dirs[i], leaf);
        ssize_t n = metadata_read_raw(md, path, buf, len);
        if (n <= 0)
            continue;
        while (n > 0 && buf[n - 1] == '\0')
            n--;
        for (ssize_t k = 0; k < n; k++)
            if (buf[k] == '\0')
                buf[k] = ';';
        buf[n] = '\0';
        if (n > 0)
            return buf;
    }
    return NULL;
}

static void set_board(struct metadata *md)
{
    char buf[METADATA_VALUE_MAX], vendor[128], product[128];
    const char *model = read_dt_strings(md, "model", buf, sizeof(buf));
    if (model) {
        metadata_set(md, "board", "%s", model);
        return;
    }
    const char *v = metadata_read_line(md, "/sys/class/dmi/id/sys_vendor", vendor, sizeof(vendor));
    const char *p =
            metadata_read_line(md, "/sys/class/dmi/id/product_name", product, sizeof(product));
    if (v && p)
        metadata_set(md, "board", "%s %s", v, p);
    else
        metadata_set(md, "board", "%s", v ? v : p ? p : UNKNOWN);
}

/* --- the CPU model ---------------------------------------------------------------------------- */

static const struct {
    unsigned implementer, part;
    const char *name;
} arm_parts[] = {
        {0x41, 0xc05, "Cortex-A5"},       {0x41, 0xc07, "Cortex-A7"},
        {0x41, 0xc08, "Cortex-A8"},       {0x41, 0xc09, "Cortex-A9"},
        {0x41, 0xc0f, "Cortex-A15"},      {0x41, 0xd03, "Cortex-A53"},
        {0x41, 0xd04, "Cortex-A35"},      {0x41, 0xd05, "Cortex-A55"},
        {0x41, 0xd07, "Cortex-A57"},      {0x41, 0xd08, "Cortex-A72"},
        {0x41, 0xd09, "Cortex-A73"},      {0x41, 0xd0a, "Cortex-A75"},
        {0x41, 0xd0b, "Cortex-A76"},      {0x41, 0xd0c, "Neoverse-N1"},
        {0x41, 0xd0d, "Cortex-A77"},      {0x41, 0xd0e, "Cortex-A76AE"},
        {0x41, 0xd40, "Neoverse-V1"},     {0x41, 0xd41, "Cortex-A78"},
        {0x41, 0xd42, "Cortex-A78AE"},    {0x41, 0xd44, "Cortex-X1"},
        {0x41, 0xd46, "Cortex-A510"},     {0x41, 0xd47, "Cortex-A710"},
        {0x41, 0xd48, "Cortex-X2"},       {0x41, 0xd49, "Neoverse-N2"},
        {0x41, 0xd4b, "Cortex-A78C"},     {0x41, 0xd4d, "Cortex-A715"},
        {0x41, 0xd4e, "Cortex-X3"},       {0x41, 0xd4f, "Neoverse-V2"},
        {0x41, 0xd80, "Cortex-A520"},     {0x41, 0xd81, "Cortex-A720"},
        {0x41, 0xd82, "Cortex-X4"},       {0x51, 0x800, "Kryo 2xx Gold"},
        {0x51, 0x801, "Kryo 2xx Silver"}, {0x51, 0x803, "Kryo 3xx Silver"},
        {0x51, 0x804, "Kryo 4xx Gold"},   {0x51, 0x805, "Kryo 4xx Silver"},
};

#define MAX_CORE_KINDS 8

struct core_kind {
    unsigned implementer, part, count;
};

static void add_core_kind(struct core_kind *kinds, size_t *n, unsigned implementer, unsigned part)
{
    for (size_t i = 0; i < *n; i++)
        if (kinds[i].implementer == implementer && kinds[i].part == part) {
            kinds[i].count++;
            return;
        }
    if (*n < MAX_CORE_KINDS)
        kinds[(*n)++] = (struct core_kind){implementer, part, 1};
}

/* "Cortex-A55 x4 + Cortex-A76 x4": the core kinds in the order the CPUs list them. */
static void format_core_kinds(const struct core_kind *kinds, size_t n, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++) {
        const char *name = NULL;
        for (size_t k = 0; k < sizeof(arm_parts) / sizeof(arm_parts[0]); k++)
            if (arm_parts[k].implementer == kinds[i].implementer &&
                arm_parts[k].part == kinds[i].part)
                name = arm_parts[k].name;
        int w = name ? snprintf(out + used, len - used, "%s%s x%u", i ? " + " : "", name,
                                kinds[i].count)
                     : snprintf(out + used, len - used, "%simplementer 0x%02x part 0x%03x x%u",
                                i ? " + " : "", kinds[i].implementer, kinds[i].part,
                                kinds[i].count);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static void set_cpu_model(struct metadata *md)
{
    FILE *f = metadata_open(md, "/proc/cpuinfo");
    if (!f) {
        metadata_set(md, "cpu_model", UNKNOWN);
        return;
    }
    struct core_kind kinds[MAX_CORE_KINDS];
    size_t n_kinds = 0;
    unsigned implementer = 0;
    char model[256] = "", *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        const char *key = metadata_trim(line), *value = metadata_trim(colon + 1);
        /* arm64 names the core by MIDR fields, one block per CPU, implementer first. */
        if (!strcmp(key, "CPU implementer"))
            implementer = (unsigned)strtoul(value, NULL, 0);
        else if (!strcmp(key, "CPU part"))
            add_core_kind(kinds, &n_kinds, implementer, (unsigned)strtoul(value, NULL, 0));
        else if (!strcmp(key, "model name") && !model[0])
            snprintf(model, sizeof(model), "%s", value);
    }
    free(line);
    fclose(f);
    char text[METADATA_VALUE_MAX];
    if (n_kinds)
        format_core_kinds(kinds, n_kinds, text, sizeof(text));
    metadata_set(md, "cpu_model", "%s", n_kinds ? text : model[0] ? model : UNKNOWN);
}

/* --- topology, kernel, memory, frequency ----------------------------------------------------- */

static void set_topology(struct metadata *md)
{
    struct topology_summary topo;
    char size[32], key[32];
    if (topology_read(&topo) != 0) {
        metadata_set(md, "cpu_packages", UNKNOWN);
        metadata_set(md, "cpu_cores", UNKNOWN);
        metadata_set(md, "cpu_pus", UNKNOWN);
        metadata_set(md, "numa_nodes", UNKNOWN);
        return;
    }
    metadata_set(md, "cpu_packages", "%u", topo.packages);
    metadata_set(md, "cpu_cores", "%u", topo.cores);
    metadata_set(md, "cpu_pus", "%u", topo.pus);
    for (size_t i = 0; i < topo.n_caches; i++) {
        const struct topo_cache *c = &topo.caches[i];
        snprintf(key, sizeof(key), "cache_l%u%s", c->level,
                 c->type == 'd'   ? "d"
                 : c->type == 'i' ? "i"
                                  : "");
        metadata_set(md, key, "%s x%u, line %u B", size_format(c->size, size, sizeof(size)),
                     c->count, c->line_size);
    }
    metadata_set(md, "numa_nodes", "%zu", topo.n_nodes);
    char nodes[METADATA_VALUE_MAX] = "";
    size_t used = 0;
    for (size_t i = 0; i < topo.n_nodes && used < sizeof(nodes); i++) {
        int w = snprintf(nodes + used, sizeof(nodes) - used, "%snode%u %s", i ? ";" : "",
                         topo.nodes[i].os_index,
                         size_format(topo.nodes[i].memory, size, sizeof(size)));
        if (w < 0)
            break;
        used += (size_t)w;
    }
    metadata_set(md, "numa_memory", "%s", topo.n_nodes ? nodes : UNKNOWN);
}

static void set_kernel(struct metadata *md)
{
    struct utsname u;
    int ok = uname(&u) == 0;
    metadata_set(md, "kernel_release", "%s", ok ? u.release : UNKNOWN);
    metadata_set(md, "kernel_version", "%s", ok ? u.version : UNKNOWN);
    metadata_set(md, "kernel_arch", "%s", ok ? u.machine : UNKNOWN);
    set_line(md, "kernel_cmdline", "/proc/cmdline");
}

/* "always [madvise] never" -> "madvise". */
static void set_thp(struct metadata *md)
{
    char buf[128];
    const char *line =
            metadata_read_line(md, "/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf));
    const char *open = line ? strchr(line, '[') : NULL;
    const char *close = open ? strchr(open, ']') : NULL;
    if (close)
        metadata_set(md, "thp", "%.*s", (int)(close - open - 1), open + 1);
    else
        metadata_set(md, "thp", UNKNOWN);
}

static void set_counters(struct metadata *md)
{
    struct counters_probe probe;
    char reason[METADATA_VALUE_MAX];
    counters_probe_run(&probe);
    if (probe.paranoid == COUNTERS_PARANOID_UNKNOWN)
        metadata_set(md, "perf_event_paranoid", UNKNOWN);
    else
        metadata_set(md, "perf_event_paranoid", "%d", probe.paranoid);
    metadata_set(md, "counters_hardware", "%s", counters_hw_reason(&probe, reason, sizeof(reason)));
    if (probe.sw_err)
        metadata_set(
                md, "counters_software", "%s",
                counter_error_reason("perf::task-clock", probe.sw_err, reason, sizeof(reason)));
    else
        metadata_set(md, "counters_software", "available");
    /* Counts without the kernel's share (syscalls, page-fault handling) read lower: say so. */
    if (probe.sw_err)
        metadata_set(md, "counters_scope", "none");
    else if (probe.user_only)
        metadata_set(md, "counters_scope", "user only (perf_event_paranoid=%d)", probe.paranoid);
    else
        metadata_set(md, "counters_scope", "user and kernel");
    metadata_set(md, "counters_pmu", "%s", probe.core_pmus[0] ? probe.core_pmus : "none");
}

int metadata_collect_machine(struct metadata *md)
{
    struct utsname u;
    char buf[METADATA_VALUE_MAX];
    long page = sysconf(_SC_PAGESIZE);
    metadata_set(md, "dmabench_version", "%s", DMABENCH_VERSION);
    metadata_set(md, "git_sha", "%s", DMABENCH_GIT_SHA);
    metadata_set(md, "compiler", "%s", DMABENCH_COMPILER);
    metadata_set(md, "cflags", "%s", DMABENCH_CFLAGS);
    metadata_set(md, "hostname", "%s", uname(&u) == 0 ? u.nodename : UNKNOWN);
    set_board(md);
    const char *compatible = read_dt_strings(md, "compatible", buf, sizeof(buf));
    metadata_set(md, "dt_compatible", "%s", compatible ? compatible : UNKNOWN);
    set_cpu_model(md);
    set_topology(md);
    metadata_collect_cpu(md);
    set_kernel(md);
    metadata_set(md, "page_size", "%ld", page > 0 ? page : 0);
    set_thp(md);
    metadata_collect_power(md);
    set_line(md, "clocksource", "/sys/devices/system/clocksource/clocksource0/current_clocksource");
    set_counters(md);
    return md->err;
}

/* --- load before and after -------------------------------------------------------------------- */

int metadata_collect_load(struct metadata *md, const char *prefix)
{
    static const char *const avg_names[] = {"loadavg_1", "loadavg_5", "loadavg_15"};
    char buf[256], text[32];
    double avg[3];
    const char *line = metadata_read_line(md, "/proc/loadavg", buf, sizeof(buf));
    int have_avg = proc_loadavg_parse(line, avg) == 0;
    for (size_t i = 0; i < 3; i++) {
        snprintf(text, sizeof(text), "%.2f", have_avg ? avg[i] : 0.0);
        metadata_set_prefixed(md, prefix, avg_names[i], "%s", have_avg ? text : UNKNOWN);
    }
    /* The first line of /proc/stat sums every CPU. */
    struct proc_cpu_times t = {{0}};
    long cpu;
    line = metadata_read_line(md, "/proc/stat", buf, sizeof(buf));
    int have_stat = line && proc_cpu_times_parse(line, &cpu, &t) == 0 && cpu == -1;
    for (size_t i = 0; i < N_CPU_TIME_FIELDS; i++) {
        char name[16];
        snprintf(name, sizeof(name), "cpu_%s", proc_cpu_time_names[i]);
        snprintf(text, sizeof(text), "%llu", t.v[i]);
        metadata_set_prefixed(md, prefix, name, "%s", have_stat ? text : UNKNOWN);
    }
    snprintf(text, sizeof(text), "%llu", proc_cpu_times_total(&t));
    metadata_set_prefixed(md, prefix, "cpu_total", "%s", have_stat ? text : UNKNOWN);
    metadata_collect_power_now(md, prefix);
    return md->err;
}

static int get_count(const struct metadata *md, const char *key, double *out)
{
    const char *value = metadata_get(md, key);
    char *end;
    if (!value || !isdigit((unsigned char)*value))
        return -1;
    *out = strtod(value, &end);
    return *end ? -1 : 0;
}

double metadata_steal_percent(const struct metadata *md)
{
    double steal0, steal1, total0, total1;
    if (get_count(md, "before_cpu_steal", &steal0) || get_count(md, "after_cpu_steal", &steal1) ||
        get_count(md, "before_cpu_total", &total0) || get_count(md, "after_cpu_total", &total1))
        return NAN;
    if (total1 <= total0 || steal1 < steal0)
        return NAN;
    return 100.0 * (steal1 - steal0) / (total1 - total0);
}
