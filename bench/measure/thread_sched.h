/* bench/measure/thread_sched.h - this process's threads as the scheduler saw them: how long each
 * was runnable but waiting for a CPU, how often it moved between CPUs, and the CPU it is bound to.
 *
 * Read from /proc/self/task/TID/schedstat (run_delay: CONFIG_SCHED_INFO) and .../sched
 * (se.nr_migrations: CONFIG_SCHED_DEBUG); a kernel without either says so through the have_
 * flags, never with a zero that would read as "not disturbed".
 */
#ifndef DMABENCH_THREAD_SCHED_H
#define DMABENCH_THREAD_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Threads beyond this many are not read (a case runs at most one per CPU, plus engines). */
#define THREAD_SCHED_MAX 512

struct thread_sched {
    pid_t tid;
    uint64_t exec_ns;      /* time running on a CPU, since the thread began */
    uint64_t run_delay_ns; /* time runnable but waiting on a run queue, since the thread began */
    uint64_t migrations;   /* moves between CPUs since the thread began */
    int bound_cpu;         /* the one CPU its affinity allows, or -1 (several, or unknown) */
};

struct thread_sched_list {
    size_t n;
    bool have_delay;      /* every thread's schedstat was read */
    bool have_migrations; /* every thread's sched was read */
    struct thread_sched t[THREAD_SCHED_MAX];
};

/* Every thread of this process now. 0, or -errno when /proc/self/task cannot be listed. */
int thread_sched_read(struct thread_sched_list *out);
/* The thread tid of list, or NULL. */
const struct thread_sched *thread_sched_find(const struct thread_sched_list *list, pid_t tid);
/* The time running and run_delay from the text of a schedstat file ("exec_ns run_delay_ns
 * timeslices"). 0 or -EINVAL. */
int thread_sched_parse_schedstat(const char *text, uint64_t *exec_ns, uint64_t *run_delay_ns);
/* se.nr_migrations from the text of a sched file. 0 or -EINVAL when the line is missing. */
int thread_sched_parse_migrations(const char *text, uint64_t *migrations);

#endif
