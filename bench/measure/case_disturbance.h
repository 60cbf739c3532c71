/* bench/measure/case_disturbance.h - whether the machine disturbed a case while it was measured.
 *
 * The runner takes a snapshot before a case's first repetition and after its last; the
 * difference says how long the case's threads waited for a CPU, how often they were switched
 * out against their will, how much time the hypervisor stole from the CPUs the case used,
 * whether a thread bound to one CPU moved, and the load average. Each sign has a threshold
 * (CASE_DISTURBANCE_SIGNS, documented in results/README.md); a case over any of them is
 * flagged `disturbed` with the measures that put it there.
 */
#ifndef DMABENCH_CASE_DISTURBANCE_H
#define DMABENCH_CASE_DISTURBANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proc_load.h"
#include "thread_sched.h"

struct pinning;

/* The signs of a disturbed case, in the order a reason names them: id, the label a reason
 * gives it, and when it flags a case. Involuntary context switches and migrations of threads
 * free to move are context, named in a reason but no sign: on a busy but fair machine a thread
 * is preempted a hundred times a second for microseconds each, which run-queue wait weighs. */
#define CASE_DISTURBANCE_SIGNS(X)                                                                  \
    X(RUN_QUEUE_WAIT, "run-queue wait",                                                            \
      "the process's threads were runnable but waiting for a CPU for more than 1% of the "         \
      "case's wall time and more than 1 ms (summed over threads, less two of ours bound to one "   \
      "CPU; /proc/self/task/*/schedstat)")                                                         \
    X(OTHER_TASKS, "other tasks",                                                                  \
      "other processes ran in user space on the case's CPUs for more than 1% of their time and "   \
      "for more than 2 ticks per CPU (/proc/stat user+nice less this process's user time)")        \
    X(STEAL, "steal",                                                                              \
      "the hypervisor ran something else for more than 1% of the time of the case's CPUs and "     \
      "for at least 2 ticks (/proc/stat)")                                                         \
    X(BOUND_THREAD_MIGRATION, "migrations of a bound thread",                                      \
      "a thread bound to one CPU before and after the case moved between CPUs "                    \
      "(/proc/self/task/*/sched)")                                                                 \
    X(LOAD, "load",                                                                                \
      "only where run-queue wait cannot be read: the 1-minute load average above the number "      \
      "of online CPUs")

enum case_disturbance_sign {
#define CASE_DISTURBANCE_ENUM(id, label, rule) DISTURBANCE_##id,
    CASE_DISTURBANCE_SIGNS(CASE_DISTURBANCE_ENUM)
#undef CASE_DISTURBANCE_ENUM
            N_DISTURBANCE_SIGNS
};

extern const char *const case_disturbance_sign_labels[N_DISTURBANCE_SIGNS];
extern const char *const case_disturbance_sign_rules[N_DISTURBANCE_SIGNS];

#define DISTURBANCE_RUN_QUEUE_WAIT_SHARE 0.01 /* of the case's wall time */
/* ... and at least this long: waking a thread on an idle CPU of a VM takes up to a few hundred
 * microseconds, which is 20% of a 2 ms case but no disturbance; a task that shares our CPU
 * takes it for scheduler slices of milliseconds. */
#define DISTURBANCE_RUN_QUEUE_WAIT_MIN_S 1e-3
#define DISTURBANCE_OTHERS_SHARE         0.01 /* of the time of the case's CPUs */
#define DISTURBANCE_OTHERS_TICKS_PER_CPU 2    /* /proc/stat rounds user and nice to a tick */
#define DISTURBANCE_STEAL_SHARE          0.01 /* of the time of the case's CPUs */
#define DISTURBANCE_STEAL_MIN_TICKS      2    /* one tick may hold steal from before the case */

/* What the machine looked like at one moment. */
struct case_disturbance_snapshot {
    uint64_t wall_ns;           /* CLOCK_MONOTONIC */
    bool have_stat;             /* /proc/stat had every CPU in use */
    struct proc_cpu_times cpus; /* summed over the CPUs in use */
    unsigned n_cpus;            /* CPUs in use: the case's pinning, else every CPU */
    bool have_rusage;           /* getrusage worked */
    long nivcsw;                /* involuntary switches of every thread, the exited too */
    double user_s;              /* user CPU time of every thread, the exited too */
    long ticks_per_s;           /* /proc/stat's unit (USER_HZ) */
    bool have_load;
    double load1;     /* 1-minute load average */
    long cpus_online; /* sysconf(_SC_NPROCESSORS_ONLN) */
    struct thread_sched_list threads;
};

/* What happened between two snapshots; NAN or -1 where a measure could not be read. */
struct case_disturbance {
    double wall_s;
    double run_queue_wait_s; /* threads alive at the end; those that exited are not seen */
    long preemptions;        /* involuntary context switches, of every thread */
    double others_s;         /* other processes' user time on the case's CPUs */
    double cpu_s;            /* the time of the case's CPUs, by /proc/stat */
    double tick_s;           /* /proc/stat's unit */
    double steal_s;          /* of the case's CPUs */
    long migrations;         /* of threads alive before and after */
    long bound_migrations;   /* of those bound to the same single CPU before and after */
    double load1;
    unsigned n_cpus;
    long cpus_online;
};

/* A snapshot now, of the CPUs in pins (NULL or empty: every CPU). Never fails: what cannot be
 * read is marked so. */
void case_disturbance_take(const struct pinning *pins, struct case_disturbance_snapshot *out);
/* The same from a planted /proc/stat text, for tests and for take. */
void case_disturbance_read_stat(const char *stat_text, const unsigned *cpus, size_t n_cpus,
                                struct case_disturbance_snapshot *out);
/* The measures between before and after. */
void case_disturbance_measure(const struct case_disturbance_snapshot *before,
                              const struct case_disturbance_snapshot *after,
                              struct case_disturbance *out);
/* Whether d crosses a threshold; if so, reason says which measures and their values
 * ("run-queue wait 23% of the case; 41 involuntary context switches ..."). */
bool case_disturbance_judge(const struct case_disturbance *d, char *reason, size_t reason_len);

/* Measure, then judge: what the runner calls. */
bool case_disturbance_check(const struct case_disturbance_snapshot *before,
                            const struct case_disturbance_snapshot *after, char *reason,
                            size_t reason_len);

#endif
