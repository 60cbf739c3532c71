/* tests/unit/test_counters.c - counter lists, and real perf_event counting on this machine.
 *
 * Parsing is checked against libpfm4 itself. Counting uses software events, which every Linux
 * has, with amounts that do not depend on load (page faults of freshly touched pages); the
 * hardware events are checked for what this machine says: counts with a PMU, the reason without.
 */
#include <errno.h>
#include <grp.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "counters.h"
#include "counters_probe.h"
#include "runner.h"

static const char *const expected_default[] = {
        "perf::cycles",
        "perf::instructions",
        "perf::cache-references",
        "perf::cache-misses",
        "perf::L1-dcache-load-misses",
        "perf::LLC-load-misses",
        "perf::dTLB-load-misses",
        "perf::task-clock",
        "perf::page-faults",
        "perf::context-switches",
};
#define N_DEFAULT          (sizeof(expected_default) / sizeof(expected_default[0]))
#define N_HARDWARE_DEFAULT 7 /* the first seven above */

static int parse(const char *text, struct counter_spec *spec, char *err)
{
    err[0] = '\0';
    return counters_spec_parse(text, spec, err, 256);
}

static void test_default_and_none(void **state)
{
    (void)state;
    struct counter_spec spec, fixed;
    char err[256];
    assert_int_equal(parse("default", &spec, err), 0);
    assert_int_equal(spec.n, N_DEFAULT);
    for (size_t i = 0; i < N_DEFAULT; i++)
        assert_string_equal(spec.names[i], expected_default[i]);
    counters_spec_default(&fixed);
    assert_memory_equal(&spec, &fixed, sizeof(spec));
    /* Every default name must be one libpfm4 4.13 encodes, on every architecture. */
    assert_int_equal(parse("perf::cycles,perf::instructions,perf::cache-references,"
                           "perf::cache-misses,perf::L1-dcache-load-misses,perf::LLC-load-misses,"
                           "perf::dTLB-load-misses,perf::task-clock,perf::page-faults,"
                           "perf::context-switches",
                           &spec, err),
                     0);
    assert_memory_equal(&spec, &fixed, sizeof(spec));
    assert_int_equal(parse("none", &spec, err), 0);
    assert_int_equal(spec.n, 0);
}

static void test_list_is_trimmed_and_ordered(void **state)
{
    (void)state;
    struct counter_spec spec;
    char err[256];
    assert_int_equal(parse(" perf::page-faults ,\tperf::task-clock,perf::cycles:u", &spec, err), 0);
    assert_int_equal(spec.n, 3);
    assert_string_equal(spec.names[0], "perf::page-faults");
    assert_string_equal(spec.names[1], "perf::task-clock");
    assert_string_equal(spec.names[2], "perf::cycles:u");
}

static void test_bad_lists(void **state)
{
    (void)state;
    struct counter_spec spec;
    char err[256], long_name[COUNTER_NAME_MAX + 8];
    assert_int_equal(parse("perf::cycles,perf::cylces", &spec, err), -EINVAL);
    assert_string_equal(err, "unknown event 'perf::cylces'");
    assert_int_equal(spec.n, 0);
    assert_int_equal(parse("perf::cycles,,perf::instructions", &spec, err), -EINVAL);
    assert_int_equal(parse("perf::cycles,", &spec, err), -EINVAL);
    assert_int_equal(parse("", &spec, err), -EINVAL);
    assert_int_equal(parse("Default", &spec, err), -EINVAL);
    assert_int_equal(counters_spec_parse(NULL, &spec, err, sizeof(err)), -EINVAL);
    memset(long_name, 'x', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    assert_int_equal(parse(long_name, &spec, err), -ENAMETOOLONG);
}

static void test_duplicates_are_refused(void **state)
{
    (void)state;
    struct counter_spec spec;
    char err[256];
    assert_int_equal(parse("perf::cycles,perf::task-clock,perf::cycles", &spec, err), -EINVAL);
    assert_string_equal(err, "duplicate event 'perf::cycles'");
    /* Two spellings of one event would count it twice under two names. */
    assert_int_equal(parse("perf::cycles,perf::cpu-cycles", &spec, err), -EINVAL);
    assert_non_null(strstr(err, "the same as 'perf::cycles'"));
    assert_int_equal(parse("perf::page-faults,perf::faults", &spec, err), -EINVAL);
    /* User-only and all-mode cycles are different counts. */
    assert_int_equal(parse("perf::cycles,perf::cycles:u", &spec, err), 0);
    assert_int_equal(spec.n, 2);
}

static void test_at_most_counters_max(void **state)
{
    (void)state;
    static const char *const seventeen =
            "perf::cycles,perf::instructions,perf::cache-references,perf::cache-misses,"
            "perf::branches,perf::branch-misses,perf::bus-cycles,perf::ref-cycles,"
            "perf::L1-dcache-loads,perf::L1-dcache-load-misses,perf::LLC-loads,"
            "perf::LLC-load-misses,perf::dTLB-loads,perf::dTLB-load-misses,perf::task-clock,"
            "perf::page-faults,perf::context-switches";
    struct counter_spec spec;
    char err[256], sixteen[1024];
    assert_int_equal(parse(seventeen, &spec, err), -E2BIG);
    assert_non_null(strstr(err, "at most 16"));
    snprintf(sixteen, sizeof(sixteen), "%.*s", (int)(strrchr(seventeen, ',') - seventeen),
             seventeen);
    assert_int_equal(parse(sixteen, &spec, err), 0);
    assert_int_equal(spec.n, COUNTERS_MAX);
}

/* --- counting -------------------------------------------------------------------------------- */

static volatile uint64_t sink;

static void busy(unsigned iterations)
{
    uint64_t x = 1;
    for (unsigned i = 0; i < iterations; i++)
        x = x * 6364136223846793005ull + 1442695040888963407ull;
    sink = x;
}

static void spec_of(struct counter_spec *spec, const char *text)
{
    char err[256];
    assert_int_equal(counters_spec_parse(text, spec, err, sizeof(err)), 0);
}

/* Touch `pages` fresh anonymous pages between start and stop: exactly one fault each. Returns
 * nonzero on failure instead of asserting: it also runs on OpenMP threads. */
static int count_touching(const struct counter_spec *spec, struct counter_totals *totals,
                          size_t pages)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    /* Huge or multi-size THP pages would make one fault cover many pages. */
    madvise(p, pages * page, MADV_NOHUGEPAGE);
    struct counter_thread t;
    int ret = counter_thread_open(&t, spec);
    if (ret == 0) {
        counter_thread_start(&t);
        for (size_t i = 0; i < pages; i++)
            p[i * page] = 1;
        busy(200000);
        counter_thread_stop(&t, totals);
        counter_thread_close(&t);
    }
    munmap(p, pages * page);
    return ret;
}

static void test_software_events_count(void **state)
{
    (void)state;
    struct counter_spec spec;
    struct counter_totals totals;
    spec_of(&spec, "perf::task-clock,perf::page-faults");
    counter_totals_init(&totals, &spec);
    assert_int_equal(count_touching(&spec, &totals, 64), 0);
    assert_int_equal(totals.err[0], 0);
    assert_int_equal(totals.err[1], 0);
    assert_true(totals.value[0] > 0); /* ns of CPU time */
    /* One per page, and a few more under ASan (its shadow pages): counted once, not twice. */
    assert_true(totals.value[1] >= 64);
    assert_true(totals.value[1] <= 120);
    /* Software events are never multiplexed. */
    assert_true(fabs(counter_totals_running_ratio(&totals, 0) - 1.0) < 1e-9);
    assert_true(fabs(counter_totals_running_ratio(&totals, 1) - 1.0) < 1e-9);
    assert_true(isnan(counter_totals_running_ratio(&totals, 2)));
}

static void test_stop_without_start_adds_nothing(void **state)
{
    (void)state;
    struct counter_spec spec;
    struct counter_totals totals;
    struct counter_thread t;
    spec_of(&spec, "perf::task-clock");
    counter_totals_init(&totals, &spec);
    assert_int_equal(counter_thread_open(&t, &spec), 0);
    counter_thread_stop(&t, &totals);
    assert_true(totals.value[0] == 0 && totals.enabled_ns[0] == 0);
    assert_true(isnan(counter_totals_running_ratio(&totals, 0)));
    counter_thread_start(&t);
    busy(100000);
    counter_thread_stop(&t, &totals);
    double once = totals.value[0];
    assert_true(once > 0);
    counter_thread_stop(&t, &totals); /* a second stop has no start to pair with */
    assert_true(totals.value[0] == once);
    counter_thread_close(&t);
    counter_thread_close(&t);
    assert_int_equal(t.fd[0], -1);
}

/* Each of two threads opens its own events and adds into the same totals. */
static void test_threads_add_up(void **state)
{
    (void)state;
    enum { PAGES = 256 };
    struct counter_spec spec;
    struct counter_totals one, two;
    spec_of(&spec, "perf::page-faults,perf::task-clock");
    counter_totals_init(&one, &spec);
    assert_int_equal(count_touching(&spec, &one, PAGES), 0);
    counter_totals_init(&two, &spec);
    int threads = 0, failed = 0;
#pragma omp parallel num_threads(2) reduction(+ : threads, failed)
    {
        threads = 1;
        failed = count_touching(&spec, &two, PAGES) != 0;
    }
    assert_int_equal(threads, 2);
    assert_int_equal(failed, 0);
    assert_true(one.value[0] >= PAGES);
    assert_true(two.value[0] >= 2 * PAGES);
    /* Roughly twice one thread's faults: each thread adds its own, nothing is lost or doubled
     * (slack for a thread's stack and, under ASan, shadow pages touched for the first time). */
    assert_true(two.value[0] <= 2 * one.value[0] + PAGES / 2);
    assert_true(two.value[1] > 0);
    assert_true(fabs(counter_totals_running_ratio(&two, 0) - 1.0) < 1e-9);
}

/* Group reads carry several events in one read: each value must land in its own slot. Four
 * software events in one group (COUNTER_GROUP_MAX), the fifth in a second one. No clocks:
 * the kernel does not reliably count fault events grouped with task-clock or cpu-clock (one
 * more reason software events stand alone outside this test). */
static void test_group_reads_map_members(void **state)
{
    (void)state;
    struct counter_spec spec;
    struct counter_totals totals;
    struct counter_thread t;
    spec_of(&spec, "perf::page-faults,perf::minor-faults,perf::major-faults,perf::page-faults:u,"
                   "perf::minor-faults:u");
    counters_group_software_for_tests(true);
    assert_int_equal(counter_thread_open(&t, &spec), 0);
    counters_group_software_for_tests(false);
    static const int leaders[] = {0, 0, 0, 0, 4};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(t.err[i], 0);
        assert_int_equal(t.leader[i], leaders[i]);
    }
    counter_thread_close(&t);
    counter_totals_init(&totals, &spec);
    counters_group_software_for_tests(true);
    int ret = count_touching(&spec, &totals, 64);
    counters_group_software_for_tests(false);
    assert_int_equal(ret, 0);
    static const int faulting[] = {1, 1, 0, 1, 1}; /* major faults: none on fresh anon pages */
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(totals.err[i], 0);
        if (faulting[i])
            assert_true(totals.value[i] >= 64 && totals.value[i] <= 120);
        else
            assert_true(totals.value[i] < 8);
    }
    /* Members share their leader's times. */
    assert_true(totals.enabled_ns[1] == totals.enabled_ns[0]);
    assert_true(totals.running_ns[3] == totals.running_ns[0]);
}

static int pmu_missing(int err)
{
    return err == -ENOENT || err == -EOPNOTSUPP || err == -ENODEV;
}

/* The default set on this machine: hardware events count where there is a PMU, and carry
 * "no hardware PMU" where there is none (this project's build VM); software events count. */
static void test_default_set_on_this_machine(void **state)
{
    (void)state;
    struct counters_probe probe;
    struct counter_spec spec;
    struct counter_totals totals;
    struct counter_thread t;
    char reason[192];
    counters_probe_run(&probe);
    counters_spec_default(&spec);
    counter_totals_init(&totals, &spec);
    assert_int_equal(counter_thread_open(&t, &spec), 0);
    counter_thread_start(&t);
    busy(2000000);
    counter_thread_stop(&t, &totals);
    counter_thread_close(&t);
    for (size_t i = 0; i < N_HARDWARE_DEFAULT; i++) {
        counter_error_reason(spec.names[i], totals.err[i], reason, sizeof(reason));
        print_message("%-28s err %-4d %s\n", spec.names[i], totals.err[i],
                      totals.err[i] ? reason : "counted");
        if (pmu_missing(probe.hw_err)) {
            assert_true(pmu_missing(totals.err[i]));
            assert_int_equal(strncmp(reason, "no hardware PMU (perf_event_open(", 33), 0);
            assert_non_null(strstr(reason, spec.names[i]));
            assert_true(isnan(counter_totals_running_ratio(&totals, i)));
        } else if (probe.hw_err == -EACCES || probe.hw_err == -EPERM) {
            assert_int_equal(strncmp(reason, "not permitted", 13), 0);
        }
    }
    if (probe.hw_err == 0) {
        assert_int_equal(totals.err[0], 0);
        assert_true(totals.value[0] > 0); /* cycles */
        assert_true(counter_totals_running_ratio(&totals, 0) > 0);
    }
    assert_int_equal(totals.err[7], 0);
    assert_true(totals.value[7] > 0); /* task-clock */
    assert_int_equal(totals.err[8], 0);
    /* The scheduler raises context switches in the kernel: counted user-only they would
     * always read 0, so they are refused instead. */
    if (probe.user_only) {
        assert_int_equal(totals.err[9], -EACCES);
        assert_true(totals.user_only[7]);
    } else {
        assert_int_equal(totals.err[9], 0);
        assert_false(totals.user_only[7]);
    }
}

/* A raw name of another architecture's PMU goes the same way: encoded where libpfm4 has the
 * table, else refused by name, and never a crash; the other events still count. */
static void test_raw_pmu_name(void **state)
{
    (void)state;
    const char *raw = "arm_ac53::L1D_CACHE_REFILL";
    struct counter_spec spec;
    struct counter_totals totals;
    struct counter_thread t;
    char err[256], reason[192];
    int ret = counters_spec_parse(raw, &spec, err, sizeof(err));
    if (ret) {
        assert_int_equal(ret, -EINVAL);
        assert_string_equal(err, "unknown event 'arm_ac53::L1D_CACHE_REFILL'");
    }
    /* Build the spec by hand, as if parsed on a board with the A53 table. */
    memset(&spec, 0, sizeof(spec));
    spec.n = 2;
    snprintf(spec.names[0], COUNTER_NAME_MAX, "%s", raw);
    snprintf(spec.names[1], COUNTER_NAME_MAX, "perf::task-clock");
    counter_totals_init(&totals, &spec);
    assert_int_equal(counter_thread_open(&t, &spec), 0);
    counter_thread_start(&t);
    busy(100000);
    counter_thread_stop(&t, &totals);
    counter_thread_close(&t);
    counter_error_reason(raw, totals.err[0], reason, sizeof(reason));
    if (ret) {
        assert_int_equal(totals.err[0], -EINVAL);
        assert_string_equal(reason, "unknown to libpfm4 (arm_ac53::L1D_CACHE_REFILL)");
    }
    assert_int_equal(totals.err[1], 0);
    assert_true(totals.value[1] > 0);
}

static void test_error_reasons(void **state)
{
    (void)state;
    char out[192];
    counter_error_reason("perf::task-clock", -ENOENT, out, sizeof(out));
    assert_string_equal(out, "not supported by this kernel (perf_event_open(perf::task-clock): "
                             "No such file or directory)");
    counter_error_reason("perf::page-faults", -EACCES, out, sizeof(out));
    assert_int_equal(strncmp(out, "not permitted (", 15), 0);
    if (counters_read_paranoid() != COUNTERS_PARANOID_UNKNOWN)
        assert_non_null(strstr(out, "perf_event_paranoid="));
    counter_error_reason("perf::cylces", -EINVAL, out, sizeof(out));
    assert_string_equal(out, "unknown to libpfm4 (perf::cylces)");
    counter_error_reason("perf::task-clock", -EINVAL, out, sizeof(out));
    assert_int_equal(strncmp(out, "rejected by this PMU or kernel", 30), 0);
    counter_error_reason("perf::task-clock", -EMFILE, out, sizeof(out));
    assert_string_equal(out, "perf_event_open(perf::task-clock): Too many open files");
    if (counter_try_open("perf::cycles") == -ENOENT) {
        counter_error_reason("perf::LLC-load-misses", -ENOENT, out, sizeof(out));
        assert_int_equal(strncmp(out, "no hardware PMU", 15), 0);
    }
}

/* Where perf_event_paranoid forbids kernel counting, events fall back to user space only and
 * say so. Run as an unprivileged child when the test runs as root. */
static int check_user_only_fallback(void)
{
    struct counter_spec spec;
    struct counter_totals totals;
    struct counter_thread t;
    char err[256];
    if (counters_spec_parse("perf::task-clock,perf::context-switches,perf::page-faults:k", &spec,
                            err, sizeof(err)))
        return 10;
    counter_totals_init(&totals, &spec);
    if (counter_thread_open(&t, &spec))
        return 11;
    counter_thread_start(&t);
    busy(100000);
    counter_thread_stop(&t, &totals);
    counter_thread_close(&t);
    if (totals.err[0] || !totals.user_only[0] || !(totals.value[0] > 0))
        return 12;
    if (totals.err[1] != -EACCES) /* would read 0 forever */
        return 13;
    if (totals.err[2] != -EACCES) /* kernel only: nothing left to count */
        return 14;
    return 0;
}

static void test_user_only_fallback(void **state)
{
    (void)state;
    struct counters_probe probe;
    counters_probe_run(&probe);
    if (probe.paranoid < 2 || probe.sw_err)
        skip();
    if (probe.user_only) {
        assert_int_equal(check_user_only_fallback(), 0);
        return;
    }
    if (geteuid() != 0)
        skip(); /* privileged (CAP_PERFMON) but not root: no way to drop it here */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
            _exit(77);
        _exit(check_user_only_fallback());
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77)
        skip();
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* --- the unit of every counter row, through the runner -------------------------------------- */

/* A benchmark that spins for SPIN_NS of wall time per repetition, counting its own thread, and
 * says it worked on SPIN_BUFFERS buffers: its counter rows are per buffer. Its one metric is
 * the spin's wall time, to check the clock counters against. */
#define SPIN_NS      2000000.0
#define SPIN_BUFFERS 4

static const struct metric_def spin_wall = {"wall", "ns", BETTER_LOWER};

struct spin_state {
    const struct bench_env *env;
    double wall_ns;
};

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int spin_check_kernel(const char *kernel, char *err, size_t err_len)
{
    (void)kernel;
    (void)err;
    (void)err_len;
    return 0;
}

static size_t spin_metrics(const struct bench_case *c, const struct metric_def *const **defs)
{
    (void)c;
    static const struct metric_def *const all[] = {&spin_wall};
    *defs = all;
    return 1;
}

static int spin_setup(const struct bench_case *c, const struct bench_env *env, void **state,
                      char *reason, size_t reason_len)
{
    (void)c;
    (void)reason;
    (void)reason_len;
    struct spin_state *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->env = env;
    *state = s;
    return 0;
}

static int spin_sample(void *opaque, struct sample_out *out, char *reason, size_t reason_len)
{
    (void)reason;
    (void)reason_len;
    struct spin_state *s = opaque;
    struct counter_thread t;
    counter_thread_open(&t, s->env->counters);
    counter_thread_start(&t);
    double t0 = now_ns(), t1;
    while ((t1 = now_ns()) - t0 < SPIN_NS)
        busy(1000);
    counter_thread_stop(&t, s->env->totals);
    counter_thread_close(&t);
    s->wall_ns = t1 - t0;
    out->n[0] = 1;
    out->values[0] = &s->wall_ns;
    out->work = SPIN_BUFFERS;
    return 0;
}

static void spin_teardown(void *state)
{
    free(state);
}

static const struct bench_def spin_bench = {
        .name = "spin",
        .description = "test double: spins, counting itself",
        .axes = 1u << AXIS_HEAP,
        .work_unit = "buffer",
        .check_kernel = spin_check_kernel,
        .metrics = spin_metrics,
        .setup = spin_setup,
        .sample = spin_sample,
        .teardown = spin_teardown,
};

/* Each default counter's row says what its values count per unit of work: nanoseconds for the
 * clock, events for the rest. The clock's values are nanoseconds indeed: per buffer, at most
 * the spin's wall time per buffer (one thread cannot run longer than it took), and not orders
 * of magnitude less (microseconds or a wrong work count would be). */
static void test_default_counter_units_through_the_runner(void **state)
{
    (void)state;
    static const struct {
        const char *name, *unit;
    } expected[] = {
            {"perf::cycles", "events/buffer"},
            {"perf::instructions", "events/buffer"},
            {"perf::cache-references", "events/buffer"},
            {"perf::cache-misses", "events/buffer"},
            {"perf::L1-dcache-load-misses", "events/buffer"},
            {"perf::LLC-load-misses", "events/buffer"},
            {"perf::dTLB-load-misses", "events/buffer"},
            {"perf::task-clock", "ns/buffer"},
            {"perf::page-faults", "events/buffer"},
            {"perf::context-switches", "events/buffer"},
    };
    struct counter_spec spec;
    struct counter_totals totals;
    counters_spec_default(&spec);
    assert_int_equal(spec.n, sizeof(expected) / sizeof(expected[0]));
    struct bench_env env = {.counters = &spec, .totals = &totals, .min_sample_ns = SPIN_NS};
    struct job job;
    job_init(&job, "spin");
    struct bench_case c = {.job = &job};
    snprintf(c.id, sizeof(c.id), "spin:1");
    struct reps_policy five = {.reps = 5};
    struct case_result r;
    assert_int_equal(runner_run_case(&spin_bench, &c, &env, &five, NULL, &r), 0);
    assert_int_equal(r.status, CASE_OK);
    assert_int_equal(r.n_metrics, 1 + spec.n);
    assert_string_equal(r.metrics[0].unit, "ns");
    const struct metric_result *clock = NULL;
    for (size_t i = 0; i < spec.n; i++) {
        const struct metric_result *m = &r.metrics[1 + i];
        assert_string_equal(m->name, expected[i].name);
        if (strcmp(m->unit, expected[i].unit))
            fail_msg("%s: unit '%s', expected '%s'", m->name, m->unit, expected[i].unit);
        if (!strcmp(m->name, "perf::task-clock"))
            clock = m;
    }
    assert_non_null(clock);
    assert_int_equal(clock->status, CASE_OK);
    assert_int_equal(clock->n, 5);
    for (size_t k = 0; k < clock->n; k++) {
        double wall_per_buffer = r.metrics[0].samples[k] / SPIN_BUFFERS;
        print_message("rep %zu: task-clock %.0f ns/buffer, wall %.0f ns/buffer\n", k,
                      clock->samples[k], wall_per_buffer);
        assert_true(clock->samples[k] <= 1.05 * wall_per_buffer);
        assert_true(clock->samples[k] >= 0.02 * wall_per_buffer);
    }
    case_result_free(&r);
}

/* The unit each event's values are in, from what libpfm4 encodes the name to: so a clock given
 * by another name, or another kernel software event, gets the right one too. */
static void test_counter_unit_of_names(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum counter_unit unit;
    } cases[] = {
            {"perf::task-clock", COUNTER_UNIT_NS},
            {"perf::cpu-clock", COUNTER_UNIT_NS},
            {"perf::PERF_COUNT_SW_TASK_CLOCK", COUNTER_UNIT_NS},
            {"perf::page-faults", COUNTER_UNIT_EVENTS},
            {"perf::minor-faults", COUNTER_UNIT_EVENTS},
            {"perf::cpu-migrations", COUNTER_UNIT_EVENTS},
            {"perf::context-switches", COUNTER_UNIT_EVENTS},
            {"perf::cycles", COUNTER_UNIT_EVENTS},
            {"no::such-event", COUNTER_UNIT_EVENTS},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (counter_unit_of(cases[i].name) != cases[i].unit)
            fail_msg("%s: unit %s", cases[i].name,
                     counter_unit_name(counter_unit_of(cases[i].name)));
    assert_string_equal(counter_unit_name(COUNTER_UNIT_NS), "ns");
    assert_string_equal(counter_unit_name(COUNTER_UNIT_EVENTS), "events");
    assert_null(counter_unit_name(N_COUNTER_UNITS));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_default_and_none),
            cmocka_unit_test(test_list_is_trimmed_and_ordered),
            cmocka_unit_test(test_bad_lists),
            cmocka_unit_test(test_duplicates_are_refused),
            cmocka_unit_test(test_at_most_counters_max),
            cmocka_unit_test(test_software_events_count),
            cmocka_unit_test(test_stop_without_start_adds_nothing),
            cmocka_unit_test(test_threads_add_up),
            cmocka_unit_test(test_group_reads_map_members),
            cmocka_unit_test(test_default_set_on_this_machine),
            cmocka_unit_test(test_raw_pmu_name),
            cmocka_unit_test(test_error_reasons),
            cmocka_unit_test(test_user_only_fallback),
            cmocka_unit_test(test_default_counter_units_through_the_runner),
            cmocka_unit_test(test_counter_unit_of_names),
    };
    return cmocka_run_group_tests_name("counters", tests, NULL, NULL);
}
