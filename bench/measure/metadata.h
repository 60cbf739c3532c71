/* bench/measure/metadata.h - what a run was measured on: board, CPU, kernel, build, load, as
 * key/value.
 *
 * Two boards (or two nights) are only comparable when their metadata says how they differed:
 * governor, THP mode, kernel, steal time. Keys keep the order they were first set in, so the
 * metadata.csv of every run reads the same way. Readers never fail: a missing file is "unknown".
 * The store (init, set, get) is metadata_store.c; the collectors are metadata.c (machine, load),
 * metadata_cpu.c and metadata_power.c, and they call the store, never each other back.
 */
#ifndef DMABENCH_METADATA_H
#define DMABENCH_METADATA_H

#include <stdbool.h>
#include <stddef.h>

#define METADATA_MAX     160
#define METADATA_KEY_MAX 48 /* bytes with the NUL: keys are at most 47 characters */
/* Room for a value: a run's command line with a -o and a -j of PATH_MAX each fits (the run
 * command refuses a longer one); longer text read from the machine is cut. */
#define METADATA_VALUE_MAX 8448

struct metadata_entry {
    char key[METADATA_KEY_MAX];
    char value[METADATA_VALUE_MAX];
};

struct metadata {
    size_t n;
    struct metadata_entry entries[METADATA_MAX];
    int err; /* the first metadata_set error since init (a key lost), or 0 */
    /* Prefix for every /proc and /sys path read; NULL for the real ones. Tests point it at a
     * planted tree. */
    const char *root;
};

void metadata_init(struct metadata *md);
/* Set key to the formatted value, in place when the key exists, else appended. Control
 * characters become spaces (every value is one line). 0, -EINVAL (empty key),
 * -ENAMETOOLONG (key too long) or -ENOSPC (METADATA_MAX keys already), also kept in err. */
int metadata_set(struct metadata *md, const char *key, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* The value of key, or NULL. */
const char *metadata_get(const struct metadata *md, const char *key);

/* Keys whose value is one number (or "unknown" where the machine did not tell): counts, sizes,
 * times, loads, a percentage. Every other key is text, even one that may look like a number
 * (git_sha). KEY(name) is one key, FAMILY(prefix) every key that starts with prefix (the load
 * figures read before and after the run). `export --format json` writes these as numbers. */
#define METADATA_NUMERIC_KEYS(KEY, FAMILY)                                                         \
    KEY(cpu_packages)                                                                              \
    KEY(cpu_cores)                                                                                 \
    KEY(cpu_pus)                                                                                   \
    KEY(numa_nodes)                                                                                \
    KEY(page_size)                                                                                 \
    KEY(perf_event_paranoid)                                                                       \
    KEY(timing_resolution_ns)                                                                      \
    KEY(timing_read_cost_ns)                                                                       \
    KEY(min_sample_ns)                                                                             \
    KEY(resumes)                                                                                   \
    KEY(cpus_used)                                                                                 \
    KEY(steal_percent)                                                                             \
    FAMILY(before_loadavg_)                                                                        \
    FAMILY(after_loadavg_)                                                                         \
    FAMILY(before_cpu_)                                                                            \
    FAMILY(after_cpu_)
/* Whether key is one of METADATA_NUMERIC_KEYS. */
bool metadata_key_is_numeric(const char *key);
/* key = now as ISO-8601 UTC with milliseconds, "2025-01-31T23:59:59.123Z". */
int metadata_set_time(struct metadata *md, const char *key);
/* Such a time (the milliseconds optional) as seconds since the epoch; NAN when text is NULL or
 * not one. */
double metadata_parse_time(const char *text);

/* The machine and the build: board, dt_compatible, cpu_model, topology (cpu_packages,
 * cpu_cores, cpu_pus, cache_l1d ..., numa_nodes), metadata_collect_cpu's keys,
 * kernel_release/version/arch/cmdline, page_size, thp, metadata_collect_power's keys,
 * clocksource, counters_*, dmabench_version, git_sha,
 * compiler, cflags, hostname. Collects everything it can; returns md->err. */
int metadata_collect_machine(struct metadata *md);
/* The CPU that decides which code runs (bench/measure/metadata_cpu.c): cpu_flags, cpu_flags_missing
 * (the features of workloads/cpu_features.h this CPU has, and lacks), cpu_microcode,
 * cpu_midr_el1, cpu_revidr_el1, smt_control, smt_active. Part of metadata_collect_machine. */
void metadata_collect_cpu(struct metadata *md);
/* How fast the CPUs may run (bench/measure/metadata_power.c): per cpufreq policy cpufreq_governor,
 * cpufreq_driver, cpufreq_cpuinfo_min_khz/max_khz, cpufreq_scaling_min_khz/max_khz, then
 * cpu_boost and cpu_pstate. Part of metadata_collect_machine. */
void metadata_collect_power(struct metadata *md);
/* How fast they run and how warm they are right now: PREFIX_cpufreq_cur_khz (per policy) and
 * PREFIX_thermal_c (per thermal zone). Part of metadata_collect_load. */
void metadata_collect_power_now(struct metadata *md, const char *prefix);
/* The load right now, as PREFIX_loadavg_1/5/15 and PREFIX_cpu_user/nice/system/idle/iowait/
 * irq/softirq/steal/total (jiffies summed over CPUs, from /proc/stat), and
 * metadata_collect_power_now; prefix "before" or "after". Returns md->err. */
int metadata_collect_load(struct metadata *md, const char *prefix);
/* key PREFIX_NAME = the formatted value; -ENAMETOOLONG (also kept in err) when PREFIX_NAME is
 * too long for a key, else as metadata_set. */
int metadata_set_prefixed(struct metadata *md, const char *prefix, const char *name,
                          const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* CPU time stolen by the hypervisor between "before" and "after", in percent of all CPU
 * time in between; NAN when either is missing or no time passed. */
double metadata_steal_percent(const struct metadata *md);

#endif
