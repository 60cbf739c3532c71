/* bench/measure/metadata_per_cpu.h - one metadata value for a setting every CPU (or policy, or
 * zone) has.
 *
 * A 64-CPU server has 64 cpufreq policies with, mostly, one value between them; a big.LITTLE
 * board has two clusters with two. "policy0-3=1800000;policy4-7=2400000" says both in one cell
 * that fits the metadata's 512 bytes, and says "..." when a machine still has too many to fit.
 */
#ifndef DMABENCH_METADATA_PER_CPU_H
#define DMABENCH_METADATA_PER_CPU_H

#include <stdbool.h>
#include <stddef.h>

#define PER_CPU_VALUE_MAX 64

struct per_cpu_value {
    int index; /* the N of policyN, cpuN, zoneN */
    char value[PER_CPU_VALUE_MAX];
};

struct per_cpu_values {
    size_t n, cap;
    struct per_cpu_value *v;
    bool lost; /* an add failed for memory: the text ends in "..." */
};

void per_cpu_values_init(struct per_cpu_values *l);
/* Append index = value (a longer value is cut). 0 or -ENOMEM (then lost is set). */
int per_cpu_values_add(struct per_cpu_values *l, int index, const char *value);
/* The values grouped by equal value, each group as PREFIX<indexes>=VALUE with the indexes as
 * ascending ranges ("0-3,6"), the groups in order of their lowest index, joined by ';':
 * "policy0-3,6=schedutil;policy4-5=performance". Groups that do not fit into len are left out
 * and the text ends in "..." instead. "" for an empty list. Sorts l by index. */
void per_cpu_values_format(struct per_cpu_values *l, const char *prefix, char *out, size_t len);
void per_cpu_values_free(struct per_cpu_values *l);

#endif
