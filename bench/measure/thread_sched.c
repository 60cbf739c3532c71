/* bench/measure/thread_sched.c - reads each thread's scheduler statistics from /proc/self/task.
 *
 * A thread can exit between listing the directory and reading its files: it is then left out,
 * which is what it is (gone), rather than an error for the whole list.
 */
#include "thread_sched.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int thread_sched_parse_schedstat(const char *text, uint64_t *exec_ns, uint64_t *run_delay_ns)
{
    unsigned long long exec, delay;
    if (sscanf(text, "%llu %llu", &exec, &delay) != 2)
        return -EINVAL;
    *exec_ns = exec;
    *run_delay_ns = delay;
    return 0;
}

int thread_sched_parse_migrations(const char *text, uint64_t *migrations)
{
    static const char key[] = "se.nr_migrations";
    for (const char *line = text; line && *line; line = strchr(line, '\n')) {
        line += *line == '\n';
        if (strncmp(line, key, sizeof(key) - 1) ||
            (line[sizeof(key) - 1] != ' ' && line[sizeof(key) - 1] != ':'))
            continue;
        unsigned long long n;
        if (sscanf(line + sizeof(key) - 1, " : %llu", &n) != 1)
            return -EINVAL;
        *migrations = n;
        return 0;
    }
    return -EINVAL;
}

/* The file's text up to len - 1 bytes; -errno when it cannot be read. */
static int read_text(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t got = read(fd, buf, len - 1);
    int err = got < 0 ? -errno : 0;
    close(fd);
    buf[got > 0 ? got : 0] = '\0';
    return err;
}

static int bound_cpu(pid_t tid)
{
    cpu_set_t set;
    if (sched_getaffinity(tid, sizeof(set), &set) || CPU_COUNT(&set) != 1)
        return -1;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &set))
            return cpu;
    return -1;
}

/* One thread's statistics; -ENOENT when it has exited meanwhile. */
static int read_thread(pid_t tid, struct thread_sched *t, bool *have_delay, bool *have_migrations)
{
    char path[64], text[4096];
    t->tid = tid;
    t->exec_ns = t->run_delay_ns = t->migrations = 0;
    snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", (int)tid);
    int ret = read_text(path, text, sizeof(text));
    if (ret == -ENOENT || ret == -ESRCH)
        return -ENOENT;
    if (ret || thread_sched_parse_schedstat(text, &t->exec_ns, &t->run_delay_ns))
        *have_delay = false;
    snprintf(path, sizeof(path), "/proc/self/task/%d/sched", (int)tid);
    ret = read_text(path, text, sizeof(text));
    if (ret || thread_sched_parse_migrations(text, &t->migrations))
        *have_migrations = false;
    t->bound_cpu = bound_cpu(tid);
    return 0;
}

int thread_sched_read(struct thread_sched_list *out)
{
    out->n = 0;
    out->have_delay = out->have_migrations = true;
    DIR *dir = opendir("/proc/self/task");
    if (!dir) {
        out->have_delay = out->have_migrations = false;
        return -errno;
    }
    struct dirent *de;
    while ((de = readdir(dir)) && out->n < THREAD_SCHED_MAX) {
        char *end;
        long tid = strtol(de->d_name, &end, 10);
        if (de->d_name[0] < '0' || de->d_name[0] > '9' || *end || tid <= 0)
            continue;
        if (read_thread((pid_t)tid, &out->t[out->n], &out->have_delay, &out->have_migrations) == 0)
            out->n++;
    }
    closedir(dir);
    return 0;
}

const struct thread_sched *thread_sched_find(const struct thread_sched_list *list, pid_t tid)
{
    for (size_t i = 0; i < list->n; i++)
        if (list->t[i].tid == tid)
            return &list->t[i];
    return NULL;
}
