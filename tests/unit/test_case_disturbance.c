/* tests/unit/test_case_disturbance.c - the disturbance check around a case: /proc parsers on
 * planted text, the measures between two synthetic snapshots, every threshold just inside and
 * just outside, a real run-queue wait made by a busy process on the test's CPU, and none counted
 * for two of the test's own threads sharing one.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "case_disturbance.h"
#include "proc_load.h"
#include "thread_sched.h"

/* --- /proc parsers -------------------------------------------------------------------------- */

static void test_cpu_times_lines(void **state)
{
    (void)state;
    struct proc_cpu_times t;
    long cpu = 99;
    /* Ten fields as Linux 2.6.33+ writes them; only the first eight are read. */
    assert_int_equal(proc_cpu_times_parse("cpu  100 2 30 400 5 6 7 8 9 10\n", &cpu, &t), 0);
    assert_int_equal(cpu, -1);
    assert_int_equal(t.v[CPU_TIME_USER], 100);
    assert_int_equal(t.v[CPU_TIME_NICE], 2);
    assert_int_equal(t.v[CPU_TIME_IDLE], 400);
    assert_int_equal(t.v[CPU_TIME_STEAL], 8);
    assert_int_equal(proc_cpu_times_total(&t), 100 + 2 + 30 + 400 + 5 + 6 + 7 + 8);
    assert_int_equal(proc_cpu_times_parse("cpu17 1 2 3 4 5 6 7 8", &cpu, &t), 0);
    assert_int_equal(cpu, 17);
    assert_int_equal(t.v[CPU_TIME_STEAL], 8);
    /* Before steal existed (2.6.10) the line is too short; other lines are not cpu lines. */
    assert_int_equal(proc_cpu_times_parse("cpu0 1 2 3 4 5 6 7", &cpu, &t), -EINVAL);
    assert_int_equal(proc_cpu_times_parse("intr 12345 0 0", &cpu, &t), -EINVAL);
    assert_int_equal(proc_cpu_times_parse("cpux 1 2 3 4 5 6 7 8", &cpu, &t), -EINVAL);
    assert_string_equal(proc_cpu_time_names[CPU_TIME_STEAL], "steal");
}

static void test_loadavg_text(void **state)
{
    (void)state;
    double avg[3];
    assert_int_equal(proc_loadavg_parse("3.34 1.72 0.73 8/138 5277\n", avg), 0);
    assert_true(fabs(avg[0] - 3.34) < 1e-12 && fabs(avg[2] - 0.73) < 1e-12);
    assert_int_equal(proc_loadavg_parse("", avg), -EINVAL);
    assert_int_equal(proc_loadavg_parse(NULL, avg), -EINVAL);
}

static void test_schedstat_and_sched_text(void **state)
{
    (void)state;
    uint64_t exec = 0, delay = 0, moves = 0;
    assert_int_equal(thread_sched_parse_schedstat("123456 36359 12\n", &exec, &delay), 0);
    assert_int_equal(exec, 123456);
    assert_int_equal(delay, 36359);
    assert_int_equal(thread_sched_parse_schedstat("0 0\n", &exec, &delay), 0);
    assert_int_equal(delay, 0);
    assert_int_equal(thread_sched_parse_schedstat("garbage", &exec, &delay), -EINVAL);
    static const char sched[] =
            "cat (6586, #threads: 1)\n"
            "-------------------------------------------------------------------\n"
            "se.exec_start                                :        438672.161362\n"
            "se.nr_migrations_cold                        :                   99\n"
            "se.nr_migrations                             :                   17\n"
            "nr_switches                                  :                    3\n";
    assert_int_equal(thread_sched_parse_migrations(sched, &moves), 0);
    assert_int_equal(moves, 17);
    assert_int_equal(thread_sched_parse_migrations("nr_switches : 3\n", &moves), -EINVAL);
}

static const char stat_text[] = "cpu  600 60 300 9000 6 6 6 30 0 0\n"
                                "cpu0 100 10 50 3000 1 1 1 5 0 0\n"
                                "cpu1 200 20 100 3000 2 2 2 10 0 0\n"
                                "cpu2 300 30 150 3000 3 3 3 15 0 0\n";

static void test_stat_sums_the_cpus_in_use(void **state)
{
    (void)state;
    struct case_disturbance_snapshot *s = calloc(1, sizeof(*s));
    assert_non_null(s);
    const unsigned some[] = {2, 0};
    case_disturbance_read_stat(stat_text, some, 2, s);
    assert_true(s->have_stat);
    assert_int_equal(s->cpus.v[CPU_TIME_USER], 400);
    assert_int_equal(s->cpus.v[CPU_TIME_STEAL], 20);
    /* No list: the summary line, not the per-CPU lines added again. */
    case_disturbance_read_stat(stat_text, NULL, 0, s);
    assert_true(s->have_stat);
    assert_int_equal(s->cpus.v[CPU_TIME_USER], 600);
    /* A CPU missing from /proc/stat (offline) leaves the sum incomplete: not used. */
    const unsigned missing[] = {1, 3};
    case_disturbance_read_stat(stat_text, missing, 2, s);
    assert_false(s->have_stat);
    case_disturbance_read_stat(NULL, NULL, 0, s);
    assert_false(s->have_stat);
    free(s);
}

/* --- measures between two snapshots -------------------------------------------------------- */

static struct case_disturbance_snapshot *snapshot(uint64_t wall_ns)
{
    struct case_disturbance_snapshot *s = calloc(1, sizeof(*s));
    assert_non_null(s);
    s->wall_ns = wall_ns;
    s->have_stat = s->have_rusage = s->have_load = true;
    s->ticks_per_s = 100;
    s->n_cpus = 2;
    s->cpus_online = 4;
    s->load1 = 0.5;
    s->threads.have_delay = s->threads.have_migrations = true;
    return s;
}

/* A thread that has run (its exec time grows with the snapshot's wall time). */
static void add_thread(struct case_disturbance_snapshot *s, pid_t tid, uint64_t delay_ns,
                       uint64_t moves, int bound_cpu)
{
    s->threads.t[s->threads.n++] = (struct thread_sched){.tid = tid,
                                                         .exec_ns = s->wall_ns,
                                                         .run_delay_ns = delay_ns,
                                                         .migrations = moves,
                                                         .bound_cpu = bound_cpu};
}

static void test_measure_threads(void **state)
{
    (void)state;
    struct case_disturbance_snapshot *a = snapshot(1000000000), *b = snapshot(3000000000);
    add_thread(a, 10, 5000000, 3, 1);  /* waits 20 ms more; bound to CPU 1 throughout */
    add_thread(a, 11, 1000000, 0, -1); /* exits: not seen after */
    add_thread(a, 12, 9000000, 5, 0);  /* its id comes back as a new thread */
    add_thread(b, 10, 25000000, 5, 1);
    add_thread(b, 12, 2000000, 0, -1);
    add_thread(b, 13, 7000000, 1, -1); /* started during the case */
    struct case_disturbance d;
    case_disturbance_measure(a, b, &d);
    assert_true(fabs(d.wall_s - 2.0) < 1e-12);
    assert_true(fabs(d.run_queue_wait_s - (0.020 + 0.002 + 0.007)) < 1e-12);
    assert_int_equal(d.migrations, 2);
    assert_int_equal(d.bound_migrations, 2);
    /* Bound to another CPU after: the case moved it on purpose (a job with other --cpus). */
    b->threads.t[0].bound_cpu = 0;
    case_disturbance_measure(a, b, &d);
    assert_int_equal(d.bound_migrations, 0);
    /* Two threads of ours bound to one CPU that both ran wait for each other by design (a
     * pipeline on one CPU): their wait is not the machine's. */
    b->threads.t[0].bound_cpu = 1;
    add_thread(a, 20, 0, 0, 3);
    add_thread(a, 21, 0, 0, 3);
    add_thread(b, 20, 400000000, 0, 3);
    add_thread(b, 21, 300000000, 0, 3);
    case_disturbance_measure(a, b, &d);
    assert_true(fabs(d.run_queue_wait_s - (0.020 + 0.002 + 0.007)) < 1e-12);
    /* One of them slept throughout (an idle pool thread): the other's wait counts. */
    b->threads.t[4].exec_ns = a->threads.t[4].exec_ns;
    b->threads.t[4].run_delay_ns = a->threads.t[4].run_delay_ns;
    case_disturbance_measure(a, b, &d);
    assert_true(fabs(d.run_queue_wait_s - (0.020 + 0.002 + 0.007 + 0.4)) < 1e-12);
    /* A kernel without schedstat or sched: unknown, never 0. */
    b->threads.have_delay = false;
    b->threads.have_migrations = false;
    case_disturbance_measure(a, b, &d);
    assert_true(isnan(d.run_queue_wait_s));
    assert_int_equal(d.migrations, -1);
    free(a);
    free(b);
}

static void test_measure_cpu_times(void **state)
{
    (void)state;
    struct case_disturbance_snapshot *a = snapshot(0), *b = snapshot(2000000000);
    a->cpus.v[CPU_TIME_USER] = 1000;
    a->cpus.v[CPU_TIME_IDLE] = 5000;
    a->cpus.v[CPU_TIME_STEAL] = 7;
    a->user_s = 3.0;
    a->nivcsw = 10;
    /* 2 s on 2 CPUs: 400 ticks; 150 of user, 1.2 s of it ours; 4 ticks stolen. */
    b->cpus.v[CPU_TIME_USER] = 1100;
    b->cpus.v[CPU_TIME_NICE] = 50;
    b->cpus.v[CPU_TIME_IDLE] = 5246;
    b->cpus.v[CPU_TIME_STEAL] = 11;
    b->user_s = 4.2;
    b->nivcsw = 51;
    struct case_disturbance d;
    case_disturbance_measure(a, b, &d);
    assert_true(fabs(d.cpu_s - 4.0) < 1e-9);
    assert_true(fabs(d.steal_s - 0.04) < 1e-9);
    assert_true(fabs(d.others_s - 0.3) < 1e-9);
    assert_int_equal(d.preemptions, 41);
    /* More of our own user time than /proc/stat counted (its rounding): nobody else ran. */
    b->user_s = 9.0;
    case_disturbance_measure(a, b, &d);
    assert_true(d.others_s == 0);
    /* Counters that went backwards are not one machine's: unknown. */
    b->cpus.v[CPU_TIME_STEAL] = 1;
    case_disturbance_measure(a, b, &d);
    assert_true(isnan(d.steal_s) && isnan(d.cpu_s));
    free(a);
    free(b);
}

/* --- thresholds ---------------------------------------------------------------------------- */

/* A quiet second on 2 CPUs: every measure known, none near a threshold. */
static struct case_disturbance quiet(void)
{
    return (struct case_disturbance){
            .wall_s = 1.0,
            .run_queue_wait_s = 0.001,
            .preemptions = 12,
            .others_s = 0.0,
            .cpu_s = 2.0,
            .tick_s = 0.01,
            .steal_s = 0.0,
            .migrations = 3,
            .bound_migrations = 0,
            .load1 = 1.5,
            .n_cpus = 2,
            .cpus_online = 4,
    };
}

static bool flagged(const struct case_disturbance *d, char *reason)
{
    return case_disturbance_judge(d, reason, 192);
}

static void test_quiet_case_is_not_flagged(void **state)
{
    (void)state;
    char reason[192] = "x";
    struct case_disturbance d = quiet();
    assert_false(flagged(&d, reason));
    assert_string_equal(reason, "");
    /* Preemptions and free migrations alone are context, not signs. */
    d.preemptions = 5000;
    d.migrations = 300;
    assert_false(flagged(&d, reason));
}

static void test_run_queue_wait_threshold(void **state)
{
    (void)state;
    char reason[192];
    struct case_disturbance d = quiet();
    d.run_queue_wait_s = 0.0099;
    assert_false(flagged(&d, reason));
    d.run_queue_wait_s = 0.0101;
    assert_true(flagged(&d, reason));
    assert_non_null(strstr(reason, "run-queue wait: 1.01% of the case"));
    /* The context a reader weighs it with: switches and load, after the sign. */
    assert_non_null(strstr(reason, "; involuntary context switches: 12 in 1 s"));
    assert_non_null(strstr(reason, "load: 1.50 on 4 CPUs"));
    assert_true(strstr(reason, "run-queue") < strstr(reason, "involuntary"));
    /* A wake-up's few hundred microseconds in a 2 ms case is no disturbance; 1.1 ms is. */
    d.wall_s = 0.002;
    d.run_queue_wait_s = 0.0004;
    assert_false(flagged(&d, reason));
    d.run_queue_wait_s = 0.0011;
    assert_true(flagged(&d, reason));
    d.wall_s = 1.0;
    d.run_queue_wait_s = 0.23;
    d.preemptions = 41;
    assert_true(flagged(&d, reason));
    assert_true(strncmp(reason,
                        "run-queue wait: 23% of the case; involuntary context "
                        "switches: 41 in 1 s",
                        strlen("run-queue wait: 23% of the case; involuntary context switches: "
                               "41 in 1 s")) == 0);
}

static void test_other_tasks_threshold(void **state)
{
    (void)state;
    char reason[192];
    struct case_disturbance d = quiet();
    /* 10 s on 2 CPUs: 1% is 200 ms, far above 2 ticks on each CPU (40 ms). */
    d.wall_s = 10;
    d.cpu_s = 20;
    d.others_s = 0.199;
    assert_false(flagged(&d, reason));
    d.others_s = 0.202;
    assert_true(flagged(&d, reason));
    assert_string_equal(strstr(reason, "other tasks"), reason);
    assert_non_null(strstr(reason, "other tasks: 1.01% of the time of its 2 CPUs"));
    /* A short case: 40% of its CPU time, but no more than /proc/stat's rounding (40 ms). */
    d = quiet();
    d.wall_s = 0.05;
    d.cpu_s = 0.1;
    d.others_s = 0.04;
    d.run_queue_wait_s = 0;
    assert_false(flagged(&d, reason));
    d.others_s = 0.041;
    assert_true(flagged(&d, reason));
}

static void test_steal_threshold(void **state)
{
    (void)state;
    char reason[192];
    struct case_disturbance d = quiet();
    d.wall_s = 10;
    d.cpu_s = 20;
    d.steal_s = 0.19; /* 0.95% */
    assert_false(flagged(&d, reason));
    d.steal_s = 0.21;
    assert_true(flagged(&d, reason));
    assert_non_null(strstr(reason, "steal: 1.05%"));
    /* One tick of steal in a short case may have been stolen before it began. */
    d = quiet();
    d.cpu_s = 0.2;
    d.steal_s = 0.01;
    assert_false(flagged(&d, reason));
    d.steal_s = 0.02;
    assert_true(flagged(&d, reason));
}

static void test_bound_migration_and_load(void **state)
{
    (void)state;
    char reason[192];
    struct case_disturbance d = quiet();
    d.bound_migrations = 1;
    assert_true(flagged(&d, reason));
    assert_non_null(strstr(reason, "migrations of a bound thread: 1"));
    /* The load average is no sign while run-queue wait can be read: it trails a minute and
     * counts our own threads. */
    d = quiet();
    d.load1 = 9.0;
    assert_false(flagged(&d, reason));
    d.run_queue_wait_s = NAN;
    assert_true(flagged(&d, reason));
    assert_true(strncmp(reason, "load: 9.00 on 4 CPUs", 20) == 0);
    d.load1 = 4.0;
    assert_false(flagged(&d, reason));
}

static void test_reason_fits(void **state)
{
    (void)state;
    char reason[40];
    struct case_disturbance d = quiet();
    d.run_queue_wait_s = 0.5;
    d.others_s = 1.0;
    d.steal_s = 0.5;
    d.bound_migrations = 7;
    assert_true(case_disturbance_judge(&d, reason, sizeof(reason)));
    assert_true(strlen(reason) < sizeof(reason));
    assert_true(strncmp(reason, "run-queue wait: 50%", 19) == 0);
}

/* Every sign of the table is documented, by its label, in the schema doc (run from the root). */
static void test_sign_table(void **state)
{
    (void)state;
    FILE *f = fopen("results/README.md", "r");
    assert_non_null(f);
    static char doc[1 << 18];
    doc[fread(doc, 1, sizeof(doc) - 1, f)] = '\0';
    fclose(f);
    for (size_t i = 0; i < N_DISTURBANCE_SIGNS; i++) {
        char cell[64];
        snprintf(cell, sizeof(cell), "| `%s` |", case_disturbance_sign_labels[i]);
        if (!strstr(doc, cell))
            fail_msg("results/README.md has no row for the sign '%s'",
                     case_disturbance_sign_labels[i]);
        assert_non_null(case_disturbance_sign_labels[i]);
        assert_true(strlen(case_disturbance_sign_rules[i]) > 20);
        for (size_t k = 0; k < i; k++)
            assert_string_not_equal(case_disturbance_sign_labels[i],
                                    case_disturbance_sign_labels[k]);
    }
}

/* --- on this machine ----------------------------------------------------------------------- */

static void spin_for(double seconds)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do
        clock_gettime(CLOCK_MONOTONIC, &t);
    while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
}

/* Bind the calling thread to the first CPU it may use; the old affinity in saved. */
static int bind_to_one_cpu(cpu_set_t *saved, cpu_set_t *one)
{
    assert_int_equal(sched_getaffinity(0, sizeof(*saved), saved), 0);
    int cpu = 0;
    while (!CPU_ISSET(cpu, saved))
        cpu++;
    CPU_ZERO(one);
    CPU_SET(cpu, one);
    assert_int_equal(sched_setaffinity(0, sizeof(*one), one), 0);
    return cpu;
}

/* The two snapshots around 0.2 s of spinning, and what they measure. */
static void measure_spin(struct case_disturbance *d, bool *have_delay)
{
    struct case_disturbance_snapshot *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
    assert_non_null(a);
    assert_non_null(b);
    spin_for(0.02);
    case_disturbance_take(NULL, a);
    spin_for(0.2);
    case_disturbance_take(NULL, b);
    case_disturbance_measure(a, b, d);
    *have_delay = a->threads.have_delay;
    free(a);
    free(b);
}

/* Another process spinning on the test thread's CPU: what a busy loop does to a case. */
static void test_busy_process_on_our_cpu_is_run_queue_wait(void **state)
{
    (void)state;
    cpu_set_t saved, one;
    bind_to_one_cpu(&saved, &one);
    pid_t busy = fork();
    assert_true(busy >= 0);
    if (busy == 0) {
        /* Bound like its parent; killed below, and gone by itself should the test fail first. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        spin_for(2.0);
        _exit(0);
    }
    struct case_disturbance d;
    bool have_delay;
    measure_spin(&d, &have_delay);
    kill(busy, SIGKILL);
    waitpid(busy, NULL, 0);
    assert_int_equal(sched_setaffinity(0, sizeof(saved), &saved), 0);
    assert_true(d.wall_s >= 0.2);
    if (!have_delay) {
        /* A kernel without CONFIG_SCHED_INFO: nothing to check but the absence. */
        assert_true(isnan(d.run_queue_wait_s));
        return;
    }
    /* Sharing one CPU fairly, the test waited about half the time; a fifth is a wide margin. */
    assert_true(d.run_queue_wait_s > 0.2 * d.wall_s);
    char reason[192];
    assert_true(case_disturbance_judge(&d, reason, sizeof(reason)));
    assert_string_equal(strstr(reason, "run-queue wait: "), reason);
}

static atomic_bool spin_stop;

static void *spin(void *arg)
{
    cpu_set_t *cpu = arg;
    sched_setaffinity(0, sizeof(*cpu), cpu);
    while (!atomic_load(&spin_stop))
        ;
    return NULL;
}

/* Two threads of the test bound to one CPU wait for each other, and that is left out; the
 * thread list sees both, bound. */
static void test_our_threads_on_one_cpu_are_not_disturbance(void **state)
{
    (void)state;
    cpu_set_t saved, one;
    int cpu = bind_to_one_cpu(&saved, &one);
    atomic_store(&spin_stop, false);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, spin, &one), 0);
    struct thread_sched_list *list = calloc(1, sizeof(*list));
    assert_non_null(list);
    spin_for(0.02);
    assert_int_equal(thread_sched_read(list), 0);
    struct case_disturbance d;
    bool have_delay;
    measure_spin(&d, &have_delay);
    atomic_store(&spin_stop, true);
    pthread_join(t, NULL);
    assert_int_equal(sched_setaffinity(0, sizeof(saved), &saved), 0);
    assert_true(list->n >= 2);
    const struct thread_sched *me = thread_sched_find(list, (pid_t)syscall(SYS_gettid));
    assert_non_null(me);
    assert_int_equal(me->bound_cpu, cpu);
    free(list);
    assert_true(d.wall_s >= 0.2);
    if (have_delay)
        assert_true(d.run_queue_wait_s == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_cpu_times_lines),
            cmocka_unit_test(test_loadavg_text),
            cmocka_unit_test(test_schedstat_and_sched_text),
            cmocka_unit_test(test_stat_sums_the_cpus_in_use),
            cmocka_unit_test(test_measure_threads),
            cmocka_unit_test(test_measure_cpu_times),
            cmocka_unit_test(test_quiet_case_is_not_flagged),
            cmocka_unit_test(test_run_queue_wait_threshold),
            cmocka_unit_test(test_other_tasks_threshold),
            cmocka_unit_test(test_steal_threshold),
            cmocka_unit_test(test_bound_migration_and_load),
            cmocka_unit_test(test_reason_fits),
            cmocka_unit_test(test_sign_table),
            cmocka_unit_test(test_busy_process_on_our_cpu_is_run_queue_wait),
            cmocka_unit_test(test_our_threads_on_one_cpu_are_not_disturbance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
