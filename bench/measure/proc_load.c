/* bench/measure/proc_load.c - parses /proc/stat cpu lines and /proc/loadavg.
 *
 * The kernel has added fields at the end of the cpu lines over the years (steal in 2.6.11,
 * guest, guest_nice); only the first eight are read, so older and newer kernels both parse.
 */
#include "proc_load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const proc_cpu_time_names[N_CPU_TIME_FIELDS] = {
#define PROC_CPU_TIME_NAME(id, name) [CPU_TIME_##id] = name,
        PROC_CPU_TIME_FIELDS(PROC_CPU_TIME_NAME)
#undef PROC_CPU_TIME_NAME
};

int proc_cpu_times_parse(const char *line, long *cpu, struct proc_cpu_times *out)
{
    if (strncmp(line, "cpu", 3))
        return -EINVAL;
    const char *p = line + 3;
    char *end;
    if (*p == ' ') {
        *cpu = -1;
    } else {
        if (*p < '0' || *p > '9')
            return -EINVAL;
        *cpu = strtol(p, &end, 10);
        p = end;
        if (*p != ' ')
            return -EINVAL;
    }
    for (size_t i = 0; i < N_CPU_TIME_FIELDS; i++) {
        while (*p == ' ')
            p++;
        if (*p < '0' || *p > '9')
            return -EINVAL;
        out->v[i] = strtoull(p, &end, 10);
        p = end;
    }
    return 0;
}

unsigned long long proc_cpu_times_total(const struct proc_cpu_times *t)
{
    unsigned long long total = 0;
    for (size_t i = 0; i < N_CPU_TIME_FIELDS; i++)
        total += t->v[i];
    return total;
}

int proc_loadavg_parse(const char *text, double avg[3])
{
    return text && sscanf(text, "%lf %lf %lf", &avg[0], &avg[1], &avg[2]) == 3 ? 0 : -EINVAL;
}
