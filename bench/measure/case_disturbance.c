/* bench/measure/case_disturbance.c - the snapshots around a case, their difference and its verdict.
 *
 * Everything read here is cheap (a few /proc files per thread, one getrusage) and is read
 * outside the repetitions, so the check itself disturbs nothing it measures.
 */
#include "case_disturbance.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "pinning.h"

const char *const case_disturbance_sign_labels[N_DISTURBANCE_SIGNS] = {
#define CASE_DISTURBANCE_LABEL(id, label, rule) [DISTURBANCE_##id] = label,
        CASE_DISTURBANCE_SIGNS(CASE_DISTURBANCE_LABEL)
#undef CASE_DISTURBANCE_LABEL
};

const char *const case_disturbance_sign_rules[N_DISTURBANCE_SIGNS] = {
#define CASE_DISTURBANCE_RULE(id, label, rule) [DISTURBANCE_##id] = rule,
        CASE_DISTURBANCE_SIGNS(CASE_DISTURBANCE_RULE)
#undef CASE_DISTURBANCE_RULE
};

static bool cpu_listed(long cpu, const unsigned *cpus, size_t n_cpus)
{
    for (size_t i = 0; i < n_cpus; i++)
        if ((long)cpus[i] == cpu)
            return true;
    return false;
}

void case_disturbance_read_stat(const char *stat_text, const unsigned *cpus, size_t n_cpus,
                                struct case_disturbance_snapshot *out)
{
    memset(&out->cpus, 0, sizeof(out->cpus));
    size_t found = 0;
    for (const char *line = stat_text; line && *line;) {
        struct proc_cpu_times t;
        long cpu;
        /* Every CPU: the summary line; some CPUs: theirs. */
        if (proc_cpu_times_parse(line, &cpu, &t) == 0 &&
            (n_cpus ? cpu >= 0 && cpu_listed(cpu, cpus, n_cpus) : cpu == -1)) {
            for (size_t i = 0; i < N_CPU_TIME_FIELDS; i++)
                out->cpus.v[i] += t.v[i];
            found++;
        }
        line = strchr(line, '\n');
        line += line != NULL;
    }
    out->have_stat = n_cpus ? found == n_cpus : found == 1;
}

/* The cpu lines of /proc/stat, which come first; the long "intr" line after them is not read. */
static char *read_stat_cpu_lines(void)
{
    FILE *f = fopen("/proc/stat", "re");
    if (!f)
        return NULL;
    char *text = NULL, *line = NULL;
    size_t size = 0, cap = 0;
    FILE *mem = open_memstream(&text, &size);
    while (mem && getline(&line, &cap, f) > 0 && !strncmp(line, "cpu", 3))
        fputs(line, mem);
    free(line);
    fclose(f);
    if (!mem || fclose(mem)) {
        free(text);
        return NULL;
    }
    return text;
}

static double timeval_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

void case_disturbance_take(const struct pinning *pins, struct case_disturbance_snapshot *out)
{
    unsigned cpus[THREAD_SCHED_MAX];
    size_t n_cpus = pins ? pinning_count(pins) : 0;
    if (n_cpus > THREAD_SCHED_MAX)
        n_cpus = 0; /* more CPUs than listed here: every CPU is as good */
    for (size_t i = 0; i < n_cpus; i++)
        cpus[i] = pinning_cpu(pins, i);
    out->cpus_online = sysconf(_SC_NPROCESSORS_ONLN);
    out->n_cpus = n_cpus ? (unsigned)n_cpus : out->cpus_online > 0 ? (unsigned)out->cpus_online : 0;
    out->ticks_per_s = sysconf(_SC_CLK_TCK);
    char *stat = read_stat_cpu_lines();
    case_disturbance_read_stat(stat, cpus, n_cpus, out);
    free(stat);
    struct rusage ru;
    out->have_rusage = getrusage(RUSAGE_SELF, &ru) == 0;
    out->nivcsw = out->have_rusage ? ru.ru_nivcsw : 0;
    out->user_s = out->have_rusage ? timeval_s(ru.ru_utime) : 0;
    double avg[3];
    char text[128] = "";
    FILE *f = fopen("/proc/loadavg", "re");
    out->have_load = f && fgets(text, sizeof(text), f) && proc_loadavg_parse(text, avg) == 0;
    out->load1 = out->have_load ? avg[0] : NAN;
    if (f)
        fclose(f);
    thread_sched_read(&out->threads);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    out->wall_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* How much a thread's count grew from then (NULL: the thread started since) to now; a count
 * that went down is a new thread that reused the id. */
static uint64_t growth(uint64_t now, const uint64_t *then)
{
    return then && *then <= now ? now - *then : now;
}

/* The run-queue wait of the threads alive at the end. A thread that shares its CPU with another
 * of ours, both having run during the case, is left out: the two wait for each other by design
 * (a pipeline's engine on the job's only CPU), which is not the machine's doing. */
static double run_queue_wait_s(const struct thread_sched_list *before,
                               const struct thread_sched_list *after)
{
    if (!before->have_delay || !after->have_delay)
        return NAN;
    bool ran[THREAD_SCHED_MAX];
    uint64_t waited[THREAD_SCHED_MAX];
    for (size_t i = 0; i < after->n; i++) {
        const struct thread_sched *t = &after->t[i];
        const struct thread_sched *was = thread_sched_find(before, t->tid);
        ran[i] = growth(t->exec_ns, was ? &was->exec_ns : NULL) > 0;
        waited[i] = growth(t->run_delay_ns, was ? &was->run_delay_ns : NULL);
    }
    uint64_t ns = 0;
    for (size_t i = 0; i < after->n; i++) {
        bool shared = false;
        for (size_t k = 0; k < after->n && !shared && after->t[i].bound_cpu >= 0; k++)
            shared = k != i && ran[i] && ran[k] && after->t[k].bound_cpu == after->t[i].bound_cpu;
        ns += shared ? 0 : waited[i];
    }
    return (double)ns / 1e9;
}

static void count_migrations(const struct thread_sched_list *before,
                             const struct thread_sched_list *after, struct case_disturbance *out)
{
    out->migrations = out->bound_migrations = -1;
    if (!before->have_migrations || !after->have_migrations)
        return;
    out->migrations = out->bound_migrations = 0;
    for (size_t i = 0; i < after->n; i++) {
        const struct thread_sched *t = &after->t[i];
        const struct thread_sched *was = thread_sched_find(before, t->tid);
        if (!was || was->migrations > t->migrations)
            continue;
        long moves = (long)(t->migrations - was->migrations);
        out->migrations += moves;
        if (t->bound_cpu >= 0 && t->bound_cpu == was->bound_cpu)
            out->bound_migrations += moves;
    }
}

/* CPU time from /proc/stat: the case's CPUs' time, steal, and the user time of others. */
static void cpu_times(const struct case_disturbance_snapshot *before,
                      const struct case_disturbance_snapshot *after, struct case_disturbance *out)
{
    out->cpu_s = out->steal_s = out->others_s = NAN;
    out->tick_s = after->ticks_per_s > 0 ? 1.0 / (double)after->ticks_per_s : NAN;
    if (!before->have_stat || !after->have_stat || isnan(out->tick_s))
        return;
    const unsigned long long *v0 = before->cpus.v, *v1 = after->cpus.v;
    unsigned long long total0 = proc_cpu_times_total(&before->cpus);
    unsigned long long total1 = proc_cpu_times_total(&after->cpus);
    if (total1 < total0 || v1[CPU_TIME_STEAL] < v0[CPU_TIME_STEAL])
        return; /* not one machine's counters: a CPU went offline */
    out->cpu_s = (double)(total1 - total0) * out->tick_s;
    out->steal_s = (double)(v1[CPU_TIME_STEAL] - v0[CPU_TIME_STEAL]) * out->tick_s;
    if (!before->have_rusage || !after->have_rusage)
        return;
    double user0 = (double)(v0[CPU_TIME_USER] + v0[CPU_TIME_NICE]);
    double user1 = (double)(v1[CPU_TIME_USER] + v1[CPU_TIME_NICE]);
    /* Our threads' user time on other CPUs only makes this smaller: never a false flag. */
    double others = (user1 - user0) * out->tick_s - (after->user_s - before->user_s);
    out->others_s = others > 0 ? others : 0;
}

void case_disturbance_measure(const struct case_disturbance_snapshot *before,
                              const struct case_disturbance_snapshot *after,
                              struct case_disturbance *out)
{
    memset(out, 0, sizeof(*out));
    out->wall_s =
            after->wall_ns > before->wall_ns ? (double)(after->wall_ns - before->wall_ns) / 1e9 : 0;
    out->run_queue_wait_s = run_queue_wait_s(&before->threads, &after->threads);
    out->preemptions = before->have_rusage && after->have_rusage && after->nivcsw >= before->nivcsw
                               ? after->nivcsw - before->nivcsw
                               : -1;
    cpu_times(before, after, out);
    count_migrations(&before->threads, &after->threads, out);
    out->load1 = after->have_load ? after->load1 : NAN;
    out->n_cpus = after->n_cpus;
    out->cpus_online = after->cpus_online;
}

/* Which signs d shows. */
static void signs_of(const struct case_disturbance *d, bool sign[N_DISTURBANCE_SIGNS])
{
    memset(sign, 0, N_DISTURBANCE_SIGNS * sizeof(bool));
    sign[DISTURBANCE_RUN_QUEUE_WAIT] =
            d->run_queue_wait_s > DISTURBANCE_RUN_QUEUE_WAIT_SHARE * d->wall_s &&
            d->run_queue_wait_s > DISTURBANCE_RUN_QUEUE_WAIT_MIN_S;
    sign[DISTURBANCE_OTHER_TASKS] =
            d->others_s > DISTURBANCE_OTHERS_SHARE * d->cpu_s &&
            d->others_s > DISTURBANCE_OTHERS_TICKS_PER_CPU * d->n_cpus * d->tick_s;
    sign[DISTURBANCE_STEAL] = d->steal_s > DISTURBANCE_STEAL_SHARE * d->cpu_s &&
                              d->steal_s >= DISTURBANCE_STEAL_MIN_TICKS * d->tick_s;
    sign[DISTURBANCE_BOUND_THREAD_MIGRATION] = d->bound_migrations > 0;
    sign[DISTURBANCE_LOAD] =
            isnan(d->run_queue_wait_s) && d->cpus_online > 0 && d->load1 > (double)d->cpus_online;
}

struct reason_text {
    char *out;
    size_t len, used;
};

static void add(struct reason_text *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One "label: value" more, after "; "; what does not fit is cut. */
static void add(struct reason_text *r, const char *fmt, ...)
{
    if (r->used + 3 >= r->len)
        return;
    if (r->used) {
        memcpy(r->out + r->used, "; ", 3);
        r->used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->out + r->used, r->len - r->used, fmt, ap);
    va_end(ap);
    r->used += n > 0 ? (size_t)n : 0;
}

/* The measure behind sign i, as "label: value". */
static void describe(struct reason_text *r, const struct case_disturbance *d, int i)
{
    const char *label = case_disturbance_sign_labels[i];
    switch (i) {
    case DISTURBANCE_RUN_QUEUE_WAIT:
        if (!isnan(d->run_queue_wait_s) && d->wall_s > 0)
            add(r, "%s: %.3g%% of the case", label, 100 * d->run_queue_wait_s / d->wall_s);
        break;
    case DISTURBANCE_OTHER_TASKS:
        if (!isnan(d->others_s) && d->cpu_s > 0)
            add(r, "%s: %.3g%% of the time of its %u CPU%s", label, 100 * d->others_s / d->cpu_s,
                d->n_cpus, d->n_cpus == 1 ? "" : "s");
        break;
    case DISTURBANCE_STEAL:
        if (!isnan(d->steal_s) && d->cpu_s > 0)
            add(r, "%s: %.3g%%", label, 100 * d->steal_s / d->cpu_s);
        break;
    case DISTURBANCE_BOUND_THREAD_MIGRATION:
        if (d->bound_migrations >= 0)
            add(r, "%s: %ld", label, d->bound_migrations);
        break;
    default:
        if (!isnan(d->load1))
            add(r, "%s: %.2f on %ld CPUs", label, d->load1, d->cpus_online);
        break;
    }
}

bool case_disturbance_judge(const struct case_disturbance *d, char *reason, size_t reason_len)
{
    bool sign[N_DISTURBANCE_SIGNS], any = false;
    signs_of(d, sign);
    for (size_t i = 0; i < N_DISTURBANCE_SIGNS; i++)
        any |= sign[i];
    if (reason_len)
        reason[0] = '\0';
    if (!any)
        return false;
    /* The signs that flagged the case, then the measures a reader weighs them with. */
    struct reason_text r = {reason, reason_len, 0};
    for (int i = 0; i < N_DISTURBANCE_SIGNS; i++)
        if (sign[i])
            describe(&r, d, i);
    if (d->preemptions >= 0)
        add(&r, "involuntary context switches: %ld in %.3g s", d->preemptions, d->wall_s);
    if (!sign[DISTURBANCE_RUN_QUEUE_WAIT])
        describe(&r, d, DISTURBANCE_RUN_QUEUE_WAIT);
    if (!sign[DISTURBANCE_LOAD])
        describe(&r, d, DISTURBANCE_LOAD);
    return true;
}

bool case_disturbance_check(const struct case_disturbance_snapshot *before,
                            const struct case_disturbance_snapshot *after, char *reason,
                            size_t reason_len)
{
    struct case_disturbance d;
    case_disturbance_measure(before, after, &d);
    return case_disturbance_judge(&d, reason, reason_len);
}
