/* bench/measure/proc_load.h - the machine's load as /proc tells it: CPU time per CPU (/proc/stat)
 * and the load average (/proc/loadavg), parsed from their text.
 *
 * One parser for the run's metadata (load and steal before and after a run) and for each case's
 * disturbance check (steal on the CPUs the case ran on), so that both read the same fields.
 */
#ifndef DMABENCH_PROC_LOAD_H
#define DMABENCH_PROC_LOAD_H

/* The fields of a /proc/stat "cpu" line, in order, in USER_HZ ticks; guest time (the fields
 * after steal) is already inside user and is not read. */
#define PROC_CPU_TIME_FIELDS(X)                                                                    \
    X(USER, "user")                                                                                \
    X(NICE, "nice")                                                                                \
    X(SYSTEM, "system")                                                                            \
    X(IDLE, "idle")                                                                                \
    X(IOWAIT, "iowait")                                                                            \
    X(IRQ, "irq")                                                                                  \
    X(SOFTIRQ, "softirq")                                                                          \
    X(STEAL, "steal")

enum proc_cpu_time_field {
#define PROC_CPU_TIME_ENUM(id, name) CPU_TIME_##id,
    PROC_CPU_TIME_FIELDS(PROC_CPU_TIME_ENUM)
#undef PROC_CPU_TIME_ENUM
            N_CPU_TIME_FIELDS
};

extern const char *const proc_cpu_time_names[N_CPU_TIME_FIELDS];

struct proc_cpu_times {
    unsigned long long v[N_CPU_TIME_FIELDS];
};

/* One line of /proc/stat: "cpu  ..." (every CPU summed: *cpu = -1) or "cpuN ..." (*cpu = N).
 * 0, or -EINVAL for any other line or one with fewer than the eight fields. */
int proc_cpu_times_parse(const char *line, long *cpu, struct proc_cpu_times *out);
/* Every field added up: the CPU time that passed, in ticks. */
unsigned long long proc_cpu_times_total(const struct proc_cpu_times *t);
/* The 1, 5 and 15 minute load averages from /proc/loadavg's text. 0 or -EINVAL. */
int proc_loadavg_parse(const char *text, double avg[3]);

#endif
