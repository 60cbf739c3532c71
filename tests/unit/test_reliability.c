/* tests/unit/test_reliability.c - issue 7: nothing lost, no leak, safe output, fault injection.
 *
 * The fault plan against the real allocator core (host heap), the runner stopping between
 * samples on a signal or a timeout and naming leaks, the run directory refusing planted links
 * and a second process, the memory guard's estimate and verdict, and resume trimming a killed
 * run to its whole cases.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "result_fixture.h"
#include "bench.h"
#include "heap.h"
#include "heap_fault.h"
#include "job_options.h"
#include "mem_guard.h"
#include "metadata.h"
#include "output_dir.h"
#include "resource_snapshot.h"
#include "results_csv.h"
#include "results_validate.h"
#include "run_resume.h"
#include "run_signals.h"
#include "runner.h"
#include "sweep.h"
#include "timing.h"

/* --- helpers ---------------------------------------------------------------------------------- */

static char *make_temp_dir(void)
{
    char *dir = strdup("/tmp/dmabench-rel-XXXXXX");
    assert_non_null(dir);
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void remove_tree(char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(dir);
}

/* A job of bench over the given key=value pairs (NULL-terminated), expanded into cases. */
static struct bench_case *expand(struct job *job, const char *bench, size_t *n, ...)
{
    char err[256];
    job_init(job, bench);
    assert_int_equal(job_apply_option(job, "bench", bench, err, sizeof(err)), 0);
    va_list ap;
    va_start(ap, n);
    for (const char *key; (key = va_arg(ap, const char *));) {
        const char *value = va_arg(ap, const char *);
        if (job_apply_option(job, key, value, err, sizeof(err)))
            fail_msg("%s=%s: %s", key, value, err);
    }
    va_end(ap);
    static const char *const heaps[] = {"host"};
    struct bench_case *cases;
    assert_int_equal(sweep_expand(job, heaps, 1, &cases, n), 0);
    return cases;
}

/* --- fault injection ------------------------------------------------------------------------- */

static void test_fault_spec_parsing(void **state)
{
    (void)state;
    char err[160];
    assert_int_equal(heap_fault_configure("alloc:3:ENOMEM,mmap:1:EBUSY,sync:2:EINTR,submit:1:EIO",
                                          err, sizeof(err)),
                     0);
    assert_int_equal(heap_fault_configure("alloc:2+:12", err, sizeof(err)), 0);
    static const struct {
        const char *spec, *message;
    } bad[] = {
            {"alloc", "expected OP:N:ERRNO"},
            {"alloc:0:ENOMEM", "'0' is not a call number"},
            {"alloc:-1:ENOMEM", "'-1' is not a call number"},
            {"frob:1:EIO", "unknown operation 'frob'"},
            {"alloc:1:ENOPE", "'ENOPE' is not an errno name"},
            {"alloc:1:", "expected OP:N:ERRNO"},
            {"alloc:1:99999", "'99999' is not an errno name"},
            {"alloc:1:ENOMEM,", "expected OP:N:ERRNO"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (heap_fault_configure(bad[i].spec, err, sizeof(err)) != -EINVAL)
            fail_msg("'%s' accepted", bad[i].spec);
        if (!strstr(err, bad[i].message))
            fail_msg("'%s': '%s' lacks '%s'", bad[i].spec, err, bad[i].message);
    }
    assert_int_equal(heap_fault_configure(NULL, err, sizeof(err)), 0);
}

static void test_fault_counts_calls(void **state)
{
    (void)state;
    char err[160];
    assert_int_equal(heap_fault_configure("submit:2:EIO,submit:4+:EAGAIN", err, sizeof(err)), 0);
    static const int want[] = {0, -EIO, 0, -EAGAIN, -EAGAIN};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(heap_fault_inject(HEAP_FAULT_SUBMIT), want[i]);
    assert_int_equal(heap_fault_inject(HEAP_FAULT_ALLOC), 0);
    assert_int_equal(heap_fault_calls(HEAP_FAULT_SUBMIT), 5);
    assert_int_equal(heap_fault_calls(HEAP_FAULT_ALLOC), 1);
    assert_int_equal(heap_fault_injected(), 3);
    /* Off: nothing fails and nothing is counted (the fast path). */
    assert_int_equal(heap_fault_configure("", err, sizeof(err)), 0);
    assert_int_equal(heap_fault_inject(HEAP_FAULT_SUBMIT), 0);
    assert_int_equal(heap_fault_calls(HEAP_FAULT_SUBMIT), 0);
    assert_string_equal(heap_fault_op_name(HEAP_FAULT_SUBMIT), "submit");
}

static void test_fault_from_environment(void **state)
{
    (void)state;
    char err[160];
    setenv(HEAP_FAULT_ENV, "mmap:1:EBUSY", 1);
    assert_int_equal(heap_fault_configure_from_env(err, sizeof(err)), 0);
    assert_int_equal(heap_fault_inject(HEAP_FAULT_MMAP), -EBUSY);
    setenv(HEAP_FAULT_ENV, "mmap:one:EBUSY", 1);
    assert_int_equal(heap_fault_configure_from_env(err, sizeof(err)), -EINVAL);
    unsetenv(HEAP_FAULT_ENV);
    assert_int_equal(heap_fault_configure_from_env(err, sizeof(err)), 0);
}

/* Every core path fails as told, leaves its counts straight, and works again afterwards. */
static void test_fault_core_paths(void **state)
{
    (void)state;
    char err[160];
    struct heap_registry *reg;
    assert_int_equal(heap_registry_open(&reg, NULL, 0), 0);
    struct heap *host = heap_registry_find(reg, "host");
    assert_non_null(host);
    assert_int_equal(heap_fault_configure("alloc:2:ENOMEM,alloc:3:EBUSY,mmap:1:EBUSY,sync:1:EINTR,"
                                          "sync:3:EIO",
                                          err, sizeof(err)),
                     0);
    struct heap_alloc_req req = {.size = 4096};
    struct heap_buf *a, *b;
    void *map;
    assert_int_equal(heap_alloc(host, &req, &a), 0);
    assert_int_equal(heap_alloc(host, &req, &b), -ENOMEM);
    assert_int_equal(heap_alloc(host, &req, &b), -EBUSY);
    assert_int_equal(heap_registry_live(reg).buffers, 1);
    assert_int_equal(heap_mmap(a, &map), -EBUSY);
    assert_int_equal(heap_registry_live(reg).mappings, 0);
    assert_int_equal(heap_mmap(a, &map), 0);
    assert_int_equal(heap_sync_begin(a, HEAP_SYNC_RW), -EINTR);
    assert_int_equal(heap_sync_begin(a, HEAP_SYNC_RW), 0);
    assert_int_equal(heap_sync_range_end(a, HEAP_SYNC_RW, 0, 64), -EIO);
    assert_int_equal(heap_sync_range_end(a, HEAP_SYNC_RW, 0, 64), HEAP_SYNC_DONE_RANGE);
    /* An invalid request is refused before it counts as a call. */
    struct heap_alloc_req zero = {.size = 0};
    assert_int_equal(heap_alloc(host, &zero, &b), -EINVAL);
    assert_int_equal(heap_fault_calls(HEAP_FAULT_ALLOC), 3);
    heap_free(a);
    struct heap_counts leaked;
    heap_registry_close(reg, &leaked);
    assert_int_equal(leaked.buffers, 0);
    assert_int_equal(leaked.mappings, 0);
    assert_int_equal(heap_fault_injected(), 5);
    heap_fault_configure(NULL, err, sizeof(err));
}

/* --- a fake benchmark for the runner -------------------------------------------------------- */

static const struct metric_def fake_metric = {"fake", "ns", BETTER_LOWER};

struct fake_state {
    unsigned samples;
    unsigned signal_at; /* raise a stop request in this sample (1-based), 0 = never */
    long sleep_ns;      /* per sample */
    bool leak_fd;       /* setup opens an fd that teardown forgets */
    int leaked_fd;
    bool leak_buffer;  /* setup allocates a host buffer that teardown forgets */
    struct heap *heap; /* for leak_buffer */
    bool torn_down;
    double value;
};

static struct fake_state fake;

static int fake_check_kernel(const char *kernel, char *err, size_t err_len)
{
    (void)kernel;
    (void)err;
    (void)err_len;
    return 0;
}

static size_t fake_metrics(const struct bench_case *c, const struct metric_def *const **defs)
{
    (void)c;
    static const struct metric_def *const all[] = {&fake_metric};
    *defs = all;
    return 1;
}

static int fake_setup(const struct bench_case *c, const struct bench_env *env, void **state,
                      char *reason, size_t reason_len)
{
    (void)c;
    (void)env;
    (void)reason;
    (void)reason_len;
    if (fake.leak_fd)
        assert_true((fake.leaked_fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0);
    if (fake.leak_buffer) {
        struct heap_alloc_req req = {.size = 4096};
        struct heap_buf *buf;
        assert_int_equal(heap_alloc(fake.heap, &req, &buf), 0);
    }
    *state = &fake;
    return 0;
}

static int fake_sample(void *state, struct sample_out *out, char *reason, size_t reason_len)
{
    (void)reason;
    (void)reason_len;
    struct fake_state *s = state;
    s->samples++;
    if (s->signal_at && s->samples == s->signal_at)
        run_stop_request(SIGTERM);
    if (s->sleep_ns) {
        struct timespec ts = {0, s->sleep_ns};
        nanosleep(&ts, NULL);
    }
    s->value = 100 + s->samples;
    out->n[0] = 1;
    out->values[0] = &s->value;
    out->work = 1;
    return 0;
}

static void fake_teardown(void *state)
{
    ((struct fake_state *)state)->torn_down = true;
}

static const struct bench_def fake_bench = {
        .name = "fake",
        .description = "test double",
        .axes = 1u << AXIS_HEAP,
        .work_unit = "buffer",
        .check_kernel = fake_check_kernel,
        .metrics = fake_metrics,
        .setup = fake_setup,
        .sample = fake_sample,
        .teardown = fake_teardown,
};

struct runner_fixture {
    struct heap_registry *reg;
    struct counter_spec spec;
    struct counter_totals totals;
    struct bench_env env;
    struct job job;
    struct bench_case c;
};

static int setup_runner(void **state)
{
    struct runner_fixture *fx = calloc(1, sizeof(*fx));
    if (!fx || heap_registry_open(&fx->reg, NULL, 0))
        return -1;
    timing_init();
    fx->spec.n = 0;
    fx->env = (struct bench_env){.registry = fx->reg,
                                 .counters = &fx->spec,
                                 .totals = &fx->totals,
                                 .min_sample_ns = 1e6};
    job_init(&fx->job, "fake");
    fx->c.job = &fx->job;
    snprintf(fx->c.id, sizeof(fx->c.id), "fake:1");
    memset(&fake, 0, sizeof(fake));
    fake.heap = heap_registry_find(fx->reg, "host");
    run_stop_clear();
    *state = fx;
    return 0;
}

static int teardown_runner(void **state)
{
    struct runner_fixture *fx = *state;
    heap_registry_close(fx->reg, NULL);
    free(fx);
    run_stop_clear();
    return 0;
}

static const struct reps_policy twenty_reps = {.reps = 20, .budget_s = 60};

static void test_runner_stops_between_samples_on_signal(void **state)
{
    struct runner_fixture *fx = *state;
    struct runner_limits limits = {.check_leaks = true};
    struct case_result r;
    fake.signal_at = 3;
    assert_int_equal(runner_run_case(&fake_bench, &fx->c, &fx->env, &twenty_reps, &limits, &r), 0);
    /* The third sample finished and is kept; the fourth never started. */
    assert_int_equal(fake.samples, 3);
    assert_int_equal(r.reps, 3);
    assert_int_equal(r.metrics[0].n, 3);
    assert_true(fake.torn_down);
    assert_int_equal(r.status, CASE_ERROR);
    assert_int_equal(r.err, -EINTR);
    assert_int_equal(r.stop_signal, SIGTERM);
    assert_non_null(strstr(r.metrics[0].reason, RUNNER_INTERRUPTED_MARK "SIGTERM after 3"));
    assert_int_equal(r.metrics[0].stats.n, 3); /* what was measured is summarised */
    case_result_free(&r);
}

static void test_runner_case_timeout(void **state)
{
    struct runner_fixture *fx = *state;
    struct runner_limits limits = {.case_timeout_s = 0.05};
    struct case_result r;
    fake.sleep_ns = 20 * 1000 * 1000;
    assert_int_equal(runner_run_case(&fake_bench, &fx->c, &fx->env, &twenty_reps, &limits, &r), 0);
    assert_true(r.timed_out);
    assert_int_equal(r.status, CASE_ERROR);
    assert_int_equal(r.err, -ETIME);
    assert_in_range(r.reps, 2, 4);
    assert_non_null(strstr(r.reason, "case timeout of 0.05 s exceeded"));
    assert_true(fake.torn_down);
    case_result_free(&r);
}

static void test_runner_reports_leaks(void **state)
{
    struct runner_fixture *fx = *state;
    struct runner_limits limits = {.check_leaks = true};
    struct case_result r;
    int fds_before;
    struct resource_snapshot snap;
    assert_int_equal(resource_snapshot_take(&snap), 0);
    fds_before = snap.fds;

    assert_int_equal(runner_run_case(&fake_bench, &fx->c, &fx->env, &twenty_reps, &limits, &r), 0);
    assert_int_equal(r.status, CASE_OK);
    assert_false(r.leaked);
    case_result_free(&r);

    fake.leak_fd = true;
    assert_int_equal(runner_run_case(&fake_bench, &fx->c, &fx->env, &twenty_reps, &limits, &r), 0);
    assert_true(r.leaked);
    assert_int_equal(r.status, CASE_ERROR);
    assert_string_equal(r.metrics[0].reason, "leaked after teardown: 1 fd");
    assert_int_equal(r.metrics[0].n, 20); /* the samples stay */
    case_result_free(&r);
    close(fake.leaked_fd);
    assert_int_equal(resource_snapshot_take(&snap), 0);
    assert_int_equal(snap.fds, fds_before);

    fake.leak_fd = false;
    fake.leak_buffer = true;
    assert_int_equal(runner_run_case(&fake_bench, &fx->c, &fx->env, &twenty_reps, &limits, &r), 0);
    assert_true(r.leaked);
    assert_non_null(strstr(r.reason, "1 heap buffer(s)"));
    case_result_free(&r);

    /* Without the check nothing is looked at (library users, the alloc command). */
    assert_int_equal(runner_run_case(&fake_bench, &fx->c, &fx->env, &twenty_reps, NULL, &r), 0);
    assert_false(r.leaked);
    assert_int_equal(r.status, CASE_OK);
    case_result_free(&r);
}

static void test_runner_case_rows(void **state)
{
    struct runner_fixture *fx = *state;
    struct counter_spec two = {.n = 2};
    snprintf(two.names[0], sizeof(two.names[0]), "perf::cycles");
    snprintf(two.names[1], sizeof(two.names[1]), "perf::instructions");
    struct bench_env env = fx->env;
    assert_int_equal(runner_case_rows(&fake_bench, &fx->c, &env), 1);
    env.counters = &two;
    assert_int_equal(runner_case_rows(&fake_bench, &fx->c, &env), 3);
}

/* --- signals and the case timer ---------------------------------------------------------- */

static void test_signal_handlers_set_flags(void **state)
{
    (void)state;
    assert_int_equal(run_signals_install(NULL), 0);
    assert_int_equal(run_stop_signal(), 0);
    raise(SIGINT);
    assert_int_equal(run_stop_signal(), SIGINT);
    run_stop_clear();
    raise(SIGTERM);
    assert_int_equal(run_stop_signal(), SIGTERM);
    run_stop_clear();

    run_case_timer_arm(0.02);
    for (int i = 0; i < 100 && !run_case_timer_expired(); i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    assert_true(run_case_timer_expired());
    run_case_timer_disarm();
    assert_false(run_case_timer_expired());
    run_signals_restore();
    /* Without handlers the timer is never armed: no stray SIGALRM can kill a library user. */
    run_case_timer_arm(0.001);
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    assert_false(run_case_timer_expired());
}

/* --- the run directory -------------------------------------------------------------------- */

static void test_output_dir_refuses_planted_links(void **state)
{
    (void)state;
    char *root = make_temp_dir(), path[512], err[512];
    int fd;
    snprintf(path, sizeof(path), "%s/a/b/./c/", root);
    assert_int_equal(output_dir_open(path, true, &fd, err, sizeof(err)), 0);
    close(fd);
    snprintf(path, sizeof(path), "%s/a/b/c", root);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));

    /* The run directory itself a link: refused, whoever owns it. */
    char target[256], link[256];
    snprintf(target, sizeof(target), "%s/target", root);
    snprintf(link, sizeof(link), "%s/link", root);
    assert_int_equal(mkdir(target, 0755), 0);
    assert_int_equal(symlink(target, link), 0);
    assert_int_equal(output_dir_open(link, true, &fd, err, sizeof(err)), -ELOOP);
    assert_non_null(strstr(err, "is a symbolic link"));
    /* A parent link of ours is followed: users keep results on another disk that way. */
    snprintf(path, sizeof(path), "%s/run", link);
    assert_int_equal(output_dir_open(path, true, &fd, err, sizeof(err)), 0);
    close(fd);
    snprintf(path, sizeof(path), "%s/run", target);
    assert_int_equal(stat(path, &st), 0);
    /* A parent link someone else planted is not (needs root to plant it as someone else). */
    if (geteuid() == 0) {
        assert_int_equal(lchown(link, 65534, 65534), 0);
        snprintf(path, sizeof(path), "%s/run2", link);
        assert_int_equal(output_dir_open(path, true, &fd, err, sizeof(err)), -ELOOP);
        assert_non_null(strstr(err, "owned by uid 65534"));
        snprintf(path, sizeof(path), "%s/run2", target);
        assert_int_equal(stat(path, &st), -1);
    }
    /* Not there and not to be created; a file in the way. */
    snprintf(path, sizeof(path), "%s/missing", root);
    assert_int_equal(output_dir_open(path, false, &fd, err, sizeof(err)), -ENOENT);
    snprintf(path, sizeof(path), "%s/file", root);
    close(open(path, O_WRONLY | O_CREAT, 0644));
    snprintf(path, sizeof(path), "%s/file/run", root);
    assert_int_equal(output_dir_open(path, true, &fd, err, sizeof(err)), -ENOTDIR);
    assert_int_equal(output_dir_open("", true, &fd, err, sizeof(err)), -EINVAL);
    remove_tree(root);
}

static void test_output_dir_lock_keeps_second_out(void **state)
{
    (void)state;
    char *root = make_temp_dir(), err[512];
    int dirfd, first, second;
    assert_int_equal(output_dir_open(root, false, &dirfd, err, sizeof(err)), 0);
    assert_int_equal(output_dir_lock(dirfd, root, &first, err, sizeof(err)), 0);
    /* flock belongs to the open file: a second open, as another process would have, fails. */
    assert_int_equal(output_dir_lock(dirfd, root, &second, err, sizeof(err)), -EBUSY);
    char pid[32];
    snprintf(pid, sizeof(pid), "(pid %ld)", (long)getpid());
    assert_non_null(strstr(err, pid));
    output_dir_unlock(first);
    assert_int_equal(output_dir_lock(dirfd, root, &second, err, sizeof(err)), 0);
    output_dir_unlock(second);
    /* A planted link in place of the lock file is not followed. */
    char lock[512];
    snprintf(lock, sizeof(lock), "%s/" OUTPUT_DIR_LOCK_NAME, root);
    unlink(lock);
    assert_int_equal(symlink("/etc/passwd", lock), 0);
    assert_int_equal(output_dir_lock(dirfd, root, &second, err, sizeof(err)), -ELOOP);
    close(dirfd);
    remove_tree(root);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_output_dir_inspect_and_move_aside(void **state)
{
    (void)state;
    char *root = make_temp_dir(), err[512], id[64], moved[128], path[600];
    int dirfd;
    enum output_dir_kind kind;
    assert_int_equal(output_dir_open(root, false, &dirfd, err, sizeof(err)), 0);
    assert_int_equal(output_dir_inspect(dirfd, &kind, id, sizeof(id)), 0);
    assert_int_equal(kind, OUTPUT_DIR_EMPTY);

    write_file(root, "metadata.csv", "schema_version,key,value\n1,run_id,20261121T000000Z\n");
    write_file(root, "results.csv", "schema_version,run_id,case_id,bench\n");
    write_file(root, "samples.csv", "");
    assert_int_equal(output_dir_inspect(dirfd, &kind, id, sizeof(id)), 0);
    assert_int_equal(kind, OUTPUT_DIR_RUN);
    assert_string_equal(id, "20261121T000000Z");
    assert_int_equal(output_dir_move_aside(dirfd, id, moved, sizeof(moved)), 0);
    assert_string_equal(moved, "previous-20261121T000000Z");
    snprintf(path, sizeof(path), "%s/%s/results.csv", root, moved);
    assert_int_equal(access(path, F_OK), 0);
    assert_int_equal(output_dir_inspect(dirfd, &kind, id, sizeof(id)), 0);
    assert_int_equal(kind, OUTPUT_DIR_EMPTY);
    /* The same run id again (a second --force in the same second) gets its own folder. */
    write_file(root, "metadata.csv", "schema_version,key,value\n1,run_id,20261121T000000Z\n");
    assert_int_equal(output_dir_move_aside(dirfd, "20261121T000000Z", moved, sizeof(moved)), 0);
    assert_string_equal(moved, "previous-20261121T000000Z-2");
    /* A run id is never a path. */
    write_file(root, "metadata.csv", "schema_version,key,value\n1,run_id,../../x\n");
    assert_int_equal(output_dir_inspect(dirfd, &kind, id, sizeof(id)), 0);
    assert_int_equal(output_dir_move_aside(dirfd, id, moved, sizeof(moved)), 0);
    assert_string_equal(moved, "previous-.._.._x");

    /* Someone else's results.csv, or a link by that name: not ours to move. */
    write_file(root, "results.csv", "name,value\n");
    assert_int_equal(output_dir_inspect(dirfd, &kind, id, sizeof(id)), 0);
    assert_int_equal(kind, OUTPUT_DIR_FOREIGN);
    snprintf(path, sizeof(path), "%s/results.csv", root);
    unlink(path);
    assert_int_equal(symlink("/etc/passwd", path), 0);
    assert_int_equal(output_dir_inspect(dirfd, &kind, id, sizeof(id)), 0);
    assert_int_equal(kind, OUTPUT_DIR_FOREIGN);
    close(dirfd);
    remove_tree(root);
}

/* --- the memory guard --------------------------------------------------------------------- */

static void test_mem_guard_case_bytes(void **state)
{
    (void)state;
    struct job alloc_job, cpu_job;
    size_t n;
    char how[96];
    struct bench_case *a = expand(&alloc_job, "alloc", &n, "heap", "host", "size", "1M,5000",
                                  "batch", "8", "kernel", "alloc", NULL);
    assert_int_equal(n, 2);
    assert_int_equal(mem_guard_case_bytes(&a[0], how, sizeof(how)), 8u << 20);
    assert_string_equal(how, "1 MiB x batch 8");
    /* Page-rounded: 5000 B takes two 4 KiB pages. */
    assert_int_equal(mem_guard_case_bytes(&a[1], how, sizeof(how)), 8 * 8192);
    struct bench_case *c = expand(&cpu_job, "cpu", &n, "heap", "host", "size", "1M", "align", "64",
                                  "threads", "4", "kernel", "read,copy", NULL);
    assert_int_equal(n, 2);
    /* Threads share one buffer; copy has a second; the start offset is memory too. */
    assert_int_equal(mem_guard_case_bytes(&c[0], how, sizeof(how)), (1u << 20) + 4096);
    assert_int_equal(mem_guard_case_bytes(&c[1], how, sizeof(how)), 2 * ((1u << 20) + 4096));
    assert_string_equal(how, "1.0 MiB x 2 (copy)"); /* 1 MiB + 4 KiB, one decimal */

    struct mem_guard g;
    memset(&g, 0, sizeof(g));
    struct heap_registry *reg;
    assert_int_equal(heap_registry_open(&reg, NULL, 0), 0);
    const struct heap *host = heap_registry_find(reg, "host");
    mem_guard_add(&g, &a[0], host);
    mem_guard_add(&g, &c[1], host);
    assert_int_equal(g.ram.bytes, 8u << 20);
    assert_int_equal(g.cma.bytes, 0);
    assert_false(mem_guard_heap_is_cma(host));
    heap_registry_close(reg, NULL);
    free(a);
    free(c);
}

static void test_mem_guard_verdict(void **state)
{
    (void)state;
    struct mem_limit limit;
    assert_int_equal(mem_limit_parse("4G", &limit), 0);
    assert_int_equal(limit.bytes, 4ull << 30);
    assert_int_equal(mem_limit_parse("80%", &limit), 0);
    assert_int_equal(limit.percent, 80);
    static const char *const bad[] = {"0", "0%", "101%", "-1G", "%", "5x", "", "50 %"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (mem_limit_parse(bad[i], &limit) != -EINVAL)
            fail_msg("--max-mem '%s' accepted", bad[i]);

    struct mem_guard g = {.ram = {.bytes = 600u << 20, .case_id = "alloc:big", .how = "x"}};
    struct mem_info info = {.mem_available = 1000u << 20};
    struct mem_limit def = {0}, mine = {.bytes = 700u << 20}, most = {.percent = 90};
    char err[512];
    assert_int_equal(mem_guard_check(&g, &info, &def, err, sizeof(err)), -E2BIG);
    assert_non_null(
            strstr(err, "up to 600 MiB at once (alloc:big: x), more than 50% of MemAvailable"));
    assert_non_null(strstr(err, "--max-mem 600MiB"));
    assert_int_equal(mem_guard_check(&g, &info, &mine, err, sizeof(err)), 0);
    assert_int_equal(mem_guard_check(&g, &info, &most, err, sizeof(err)), 0);

    /* CMA: only when the kernel has it, and against CmaFree. */
    g.ram.bytes = g.cma.bytes = 100u << 20;
    snprintf(g.cma.case_id, sizeof(g.cma.case_id), "alloc:cma");
    info.cma_free = 128u << 20;
    assert_int_equal(mem_guard_check(&g, &info, &def, err, sizeof(err)), 0);
    info.have_cma = true;
    assert_int_equal(mem_guard_check(&g, &info, &def, err, sizeof(err)), -E2BIG);
    if (!strstr(err, "more than 50% of CmaFree (64 MiB of 128 MiB free)"))
        fail_msg("%s", err);
    assert_int_equal(mem_guard_check(&g, &info, &mine, err, sizeof(err)), 0);
}

/* Sizes near the top of size_t: the guard's arithmetic never wraps into a small number. */
static void test_mem_guard_arithmetic_cannot_wrap(void **state)
{
    (void)state;
    struct job cpu_job, alloc_job;
    size_t n;
    char how[160], err[512];
    /* cpu at offset 2^64 - 4 KiB: offset + size wraps to 4 KiB without the check. */
    struct bench_case *c = expand(&cpu_job, "cpu", &n, "heap", "host", "size", "8K", "align",
                                  "18446744073709547520", "kernel", "read", NULL);
    assert_int_equal(n, 1);
    assert_int_equal(mem_guard_case_bytes(&c[0], how, sizeof(how)), SIZE_MAX);
    assert_string_equal(how, "8 KiB + 16.0 EiB");
    /* alloc: 8 EiB x batch 4, and the page rounding of a size just below 2^64. */
    struct bench_case *a = expand(&alloc_job, "alloc", &n, "heap", "host", "size",
                                  "8E,18446744073709551615", "batch", "4", "kernel", "alloc", NULL);
    assert_int_equal(n, 2);
    assert_int_equal(mem_guard_case_bytes(&a[0], how, sizeof(how)), SIZE_MAX);
    assert_string_equal(how, "8 EiB x batch 4");
    assert_int_equal(mem_guard_case_bytes(&a[1], how, sizeof(how)), SIZE_MAX);

    struct mem_guard g;
    memset(&g, 0, sizeof(g));
    mem_guard_add(&g, &c[0], NULL);
    struct mem_info info = {.mem_total = 4ull << 30, .mem_available = 2ull << 30};
    struct mem_limit all = {.bytes = SIZE_MAX}; /* --max-mem 16E, with --force */
    assert_int_equal(mem_guard_check(&g, &info, &all, err, sizeof(err)), -EOVERFLOW);
    if (!strstr(err, "more than the address space: cpu:heap=host;size=8KiB;") ||
        !strstr(err, ": 8 KiB + 16.0 EiB does not fit in 64 bits; lower --size or --align"))
        fail_msg("%s", err);
    free(c);
    free(a);
}

/* The limit and the hint are held to the machine's RAM. */
static void test_mem_guard_true_to_the_machine(void **state)
{
    (void)state;
    struct mem_info info = {.mem_total = 1000u << 20, .mem_available = 800u << 20};
    struct mem_limit limit;
    char err[512];
    assert_int_equal(mem_limit_parse("2G", &limit), 0);
    assert_int_equal(mem_limit_check_machine(&limit, &info, err, sizeof(err)), -E2BIG);
    assert_string_equal(err, "--max-mem 2 GiB is more than the 1000 MiB of RAM this machine has "
                             "(MemTotal)");
    assert_int_equal(mem_limit_parse("1000M", &limit), 0);
    assert_int_equal(mem_limit_check_machine(&limit, &info, err, sizeof(err)), 0);
    assert_int_equal(mem_limit_parse("90%", &limit), 0);
    assert_int_equal(mem_limit_check_machine(&limit, &info, err, sizeof(err)), 0);
    struct mem_info unknown = {.mem_available = 800u << 20};
    assert_int_equal(mem_limit_parse("2G", &limit), 0);
    assert_int_equal(mem_limit_check_machine(&limit, &unknown, err, sizeof(err)), 0);

    /* Beyond the machine: no --max-mem in the hint; within it, the one that allows it. */
    struct mem_guard g = {.ram = {.bytes = 2ull << 30, .case_id = "alloc:big", .how = "x"}};
    struct mem_limit def = {0};
    assert_int_equal(mem_guard_check(&g, &info, &def, err, sizeof(err)), -E2BIG);
    assert_string_equal(err, "up to 2 GiB at once (alloc:big: x), more than the 1000 MiB of RAM "
                             "this machine has (MemTotal); lower --size or --batch");
    struct mem_limit forced = {.bytes = 1ull << 30};
    assert_int_equal(mem_guard_check(&g, &info, &forced, err, sizeof(err)), -E2BIG);
    assert_null(strstr(err, "--max-mem"));
    g.ram.bytes = 600u << 20;
    assert_int_equal(mem_guard_check(&g, &info, &def, err, sizeof(err)), -E2BIG);
    assert_non_null(strstr(err, "or allow it with --max-mem 600MiB"));
}

static void test_mem_info_read(void **state)
{
    (void)state;
    char *root = make_temp_dir(), path[512];
    write_file(root, "meminfo",
               "MemTotal:        2048000 kB\nMemAvailable:    1024000 kB\nCmaTotal:   65536 kB\n"
               "CmaFree:    32768 kB\n");
    snprintf(path, sizeof(path), "%s/meminfo", root);
    setenv(MEM_GUARD_MEMINFO_ENV, path, 1);
    struct mem_info info;
    assert_int_equal(mem_info_read(&info), 0);
    assert_int_equal(info.mem_available, 1024000ull * 1024);
    assert_int_equal(info.mem_total, 2048000ull * 1024);
    assert_int_equal(info.cma_free, 32768ull * 1024);
    assert_true(info.have_cma);
    write_file(root, "meminfo", "MemTotal: 2048000 kB\n");
    assert_int_equal(mem_info_read(&info), -EINVAL);
    unsetenv(MEM_GUARD_MEMINFO_ENV);
    assert_int_equal(mem_info_read(&info), 0); /* the real one */
    assert_true(info.mem_available > 0);
    remove_tree(root);
}

/* --- resume -------------------------------------------------------------------------------- */

static void test_run_args_round_trip(void **state)
{
    (void)state;
    char *in[] = {"cpu", "--heap", "system,\"linux,cma\"", "-o", "dir with space", ""};
    char text[512];
    assert_int_equal(run_args_encode(6, in, text, sizeof(text)), 0);
    int argc;
    char **argv;
    assert_int_equal(run_args_decode("run", text, &argc, &argv), 0);
    assert_int_equal(argc, 7);
    assert_string_equal(argv[0], "run");
    for (int i = 0; i < 6; i++)
        assert_string_equal(argv[i + 1], in[i]);
    assert_null(argv[7]);
    run_args_free(argc, argv);
    assert_int_equal(run_args_decode("run", "", &argc, &argv), 0);
    assert_int_equal(argc, 1);
    run_args_free(argc, argv);
    char *newline[] = {"a\nb"};
    assert_int_equal(run_args_encode(1, newline, text, sizeof(text)), -EINVAL);
    assert_int_equal(run_args_encode(6, in, text, 20), -ENOSPC);
    assert_int_equal(run_args_decode("run", "\"unterminated", &argc, &argv), -EINVAL);
}

#define RESUME_RUN_ID "20261121T120000Z"

/* Cases 0 and 1 whole, case 2 interrupted, case 3 never run; a cut row after them. */
static void write_stopped_run(const char *dir, struct bench_case *cases)
{
    struct results_writer w;
    char err[256];
    assert_int_equal(results_open(&w, dir, RESUME_RUN_ID, err, sizeof(err)), 0);
    struct metadata *md = calloc(1, sizeof(*md));
    assert_non_null(md);
    metadata_init(md);
    metadata_set(md, "run_id", RESUME_RUN_ID);
    metadata_set_time(md, "start_time");
    metadata_set(md, "kernel_release", "6.12.9-amd64");
    metadata_set(md, "dmabench_version", "0.1");
    metadata_set(md, "git_sha", "0123456789ab");
    metadata_set(md, "argv", "alloc");
    assert_int_equal(results_write_metadata(&w, md), 0);
    free(md);
    for (int i = 0; i < 3; i++) {
        struct case_result r;
        result_fixture_fill(&r, 3, i == 2);
        assert_int_equal(results_write_case(&w, &cases[i], NULL, &r), 0);
        case_result_free(&r);
    }
    /* kill -9 in the middle of case 3's rows. */
    fputs("1," RESUME_RUN_ID ",", w.samples);
    fputs("1," RESUME_RUN_ID ",alloc:heap=host", w.results);
    assert_int_equal(results_close(&w), 0);
}

static size_t count_lines(const char *dir, const char *name)
{
    char path[512], line[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = 0;
    while (fgets(line, sizeof(line), f))
        n++;
    fclose(f);
    return n;
}

static void test_resume_keeps_whole_cases(void **state)
{
    (void)state;
    struct job job;
    size_t n;
    struct bench_case *cases = expand(&job, "alloc", &n, "heap", "host", "size", "4K,8K,16K,32K",
                                      "kernel", "alloc", NULL);
    assert_int_equal(n, 4);
    char *dir = make_temp_dir(), err[512];
    write_stopped_run(dir, cases);
    struct results_validation v = {.allow_truncated = true};
    if (results_validate_dir(dir, &v, err, sizeof(err)))
        fail_msg("%s", err);
    assert_true(v.truncated);
    assert_true(v.interrupted);

    struct resume_case rc[4];
    for (size_t i = 0; i < n; i++)
        rc[i] = (struct resume_case){.id = cases[i].id, .rows = 1};
    int dirfd;
    assert_int_equal(output_dir_open(dir, false, &dirfd, err, sizeof(err)), 0);
    FILE *results, *samples;
    struct resume_counts counts;
    assert_int_equal(run_resume_prepare(dirfd, dir, RESUME_RUN_ID, rc, n, &results, &samples,
                                        &counts, err, sizeof(err)),
                     0);
    assert_true(rc[0].done && rc[1].done);
    assert_false(rc[2].done); /* interrupted: runs again */
    assert_false(rc[3].done); /* cut: runs again */
    assert_int_equal(counts.done, 2);
    assert_int_equal(counts.ok, 2);
    assert_int_equal(counts.dropped_rows, 1);
    /* The files now end after case 1, whole, and the writer can go on from there. */
    struct results_writer w;
    assert_int_equal(results_attach(&w, dirfd, dir, RESUME_RUN_ID, results, samples), 0);
    assert_int_equal(count_lines(dir, "results.csv"), 3);
    assert_int_equal(count_lines(dir, "samples.csv"), 7);
    for (int i = 2; i < 4; i++) {
        struct case_result r;
        result_fixture_fill(&r, 3, false);
        assert_int_equal(results_write_case(&w, &cases[i], NULL, &r), 0);
        case_result_free(&r);
    }
    assert_int_equal(results_close(&w), 0);
    v = (struct results_validation){.allow_truncated = false};
    if (results_validate_dir(dir, &v, err, sizeof(err)))
        fail_msg("%s", err);
    assert_int_equal(v.cases, 4);
    assert_int_equal(v.ok, 4);
    assert_int_equal(v.samples, 12);

    /* A second resume finds everything done and keeps the files as they are. */
    assert_int_equal(run_resume_prepare(dirfd, dir, RESUME_RUN_ID, rc, n, &results, &samples,
                                        &counts, err, sizeof(err)),
                     0);
    assert_int_equal(counts.done, 4);
    fclose(results);
    fclose(samples);
    assert_int_equal(count_lines(dir, "results.csv"), 5);

    bool finished;
    struct metadata *md = calloc(1, sizeof(*md));
    assert_non_null(md);
    metadata_init(md);
    assert_int_equal(run_resume_load_metadata(dirfd, dir, md, &finished, err, sizeof(err)), 0);
    assert_false(finished);
    assert_string_equal(metadata_get(md, "run_id"), RESUME_RUN_ID);
    /* Only a complete run is finished: one that failed (a write error) resumes, whatever
     * end_time an older dmabench gave it; a run from before run_state is done by its end_time,
     * and one whose end_time is gone (cut files) is not. */
    static const struct {
        const char *state, *end_time;
        bool finished;
    } states[] = {
            {"complete", "2026-11-21T13:00:00.000Z", true},
            {"complete", NULL, false},
            {"failed", "2026-11-21T13:00:00.000Z", false},
            {"failed", NULL, false},
            {"running", NULL, false},
            {"interrupted", NULL, false},
            {NULL, "2026-11-21T13:00:00.000Z", true},
    };
    struct results_writer mw;
    assert_int_equal(results_attach(&mw, dirfd, dir, RESUME_RUN_ID, NULL, NULL), 0);
    for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
        struct metadata *m = calloc(1, sizeof(*m));
        assert_non_null(m);
        metadata_init(m);
        metadata_set(m, "run_id", RESUME_RUN_ID);
        if (states[i].state)
            metadata_set(m, "run_state", "%s", states[i].state);
        if (states[i].end_time)
            metadata_set(m, "end_time", "%s", states[i].end_time);
        metadata_set(m, "failure", "writing the results: File too large");
        assert_int_equal(results_write_metadata(&mw, m), 0);
        metadata_init(m);
        assert_int_equal(run_resume_load_metadata(dirfd, dir, m, &finished, err, sizeof(err)), 0);
        if (finished != states[i].finished)
            fail_msg("run_state %s, end_time %s: finished %d", states[i].state, states[i].end_time,
                     finished);
        assert_null(metadata_get(m, "failure")); /* the stopped session's, not the run's */
        free(m);
    }
    assert_int_equal(results_close(&mw), 0);
    free(md);
    close(dirfd);
    remove_tree(dir);
    free(cases);
}

static void test_resume_refuses_another_sweep(void **state)
{
    (void)state;
    struct job job;
    size_t n;
    struct bench_case *cases = expand(&job, "alloc", &n, "heap", "host", "size", "4K,8K,16K,32K",
                                      "kernel", "alloc", NULL);
    char *dir = make_temp_dir(), err[512];
    write_stopped_run(dir, cases);
    int dirfd;
    assert_int_equal(output_dir_open(dir, false, &dirfd, err, sizeof(err)), 0);
    FILE *results, *samples;
    struct resume_counts counts;
    struct resume_case fewer[1] = {{.id = cases[0].id, .rows = 1}};
    assert_int_equal(run_resume_prepare(dirfd, dir, RESUME_RUN_ID, fewer, 1, &results, &samples,
                                        &counts, err, sizeof(err)),
                     -ESTALE);
    assert_non_null(strstr(err, "results.csv:3: case 'alloc:heap=host;size=8KiB"));
    assert_non_null(strstr(err, "is not in this run's sweep"));
    struct resume_case rc[4];
    for (size_t i = 0; i < n; i++)
        rc[i] = (struct resume_case){.id = cases[i].id, .rows = 1};
    assert_int_equal(run_resume_prepare(dirfd, dir, "20990101T000000Z", rc, n, &results, &samples,
                                        &counts, err, sizeof(err)),
                     -ESTALE);
    assert_non_null(strstr(err, "but metadata.csv says '20990101T000000Z'"));
    /* Nothing was rewritten by the refusals: the header, three rows and the cut one. */
    assert_int_equal(count_lines(dir, "results.csv"), 5);
    close(dirfd);
    remove_tree(dir);
    free(cases);
}

/* --- what counts as a buffer mapping ----------------------------------------------------- */

static void test_maps_lines(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        int buffer;
    } lines[] = {
            {"7f0000000000-7f0000001000 rw-s 00000000 00:0f 1234    /dmabuf:camera\n", 1},
            {"7f0000000000-7f0000001000 rw-s 00000000 00:0f 1234    anon_inode:dmabuf\n", 1},
            {"7f0000000000-7f0000200000 rw-s 00000000 00:01 77      /memfd:udmabuf (deleted)\n", 1},
            {"7f0000000000-7f0000200000 rw-p 00000000 00:0e 88      /anon_hugepage (deleted)\n", 1},
            {"7f0000000000-7f0000021000 rw-p 00000000 00:00 0 \n", 0},
            {"7f0000000000-7f0000021000 rw-p 00000000 00:00 0\n", 0},
            {"55d000000000-55d000021000 rw-p 00000000 00:00 0       [heap]\n", 0},
            {"7f0000000000-7f0000001000 r--p 00000000 fe:00 99      /usr/lib/dmabuf.so\n", 0},
            {"garbage", 0},
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        if (resource_maps_line_is_buffer(lines[i].line) != lines[i].buffer)
            fail_msg("'%s' should%s count", lines[i].line, lines[i].buffer ? "" : " not");
    struct resource_snapshot a = {.fds = 5, .dmabufs = 1, .heap_maps = 0};
    struct resource_snapshot b = {.fds = 7, .dmabufs = 2, .heap_maps = 3};
    char text[128];
    resource_snapshot_describe_growth(&a, &b, text, sizeof(text));
    assert_string_equal(text, "2 fds, 1 dma-buf, 3 buffer mappings");
    resource_snapshot_describe_growth(&b, &a, text, sizeof(text));
    assert_string_equal(text, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_fault_spec_parsing),
            cmocka_unit_test(test_fault_counts_calls),
            cmocka_unit_test(test_fault_from_environment),
            cmocka_unit_test(test_fault_core_paths),
            cmocka_unit_test_setup_teardown(test_runner_stops_between_samples_on_signal,
                                            setup_runner, teardown_runner),
            cmocka_unit_test_setup_teardown(test_runner_case_timeout, setup_runner,
                                            teardown_runner),
            cmocka_unit_test_setup_teardown(test_runner_reports_leaks, setup_runner,
                                            teardown_runner),
            cmocka_unit_test_setup_teardown(test_runner_case_rows, setup_runner, teardown_runner),
            cmocka_unit_test(test_signal_handlers_set_flags),
            cmocka_unit_test(test_output_dir_refuses_planted_links),
            cmocka_unit_test(test_output_dir_lock_keeps_second_out),
            cmocka_unit_test(test_output_dir_inspect_and_move_aside),
            cmocka_unit_test(test_mem_guard_case_bytes),
            cmocka_unit_test(test_mem_guard_verdict),
            cmocka_unit_test(test_mem_guard_arithmetic_cannot_wrap),
            cmocka_unit_test(test_mem_guard_true_to_the_machine),
            cmocka_unit_test(test_mem_info_read),
            cmocka_unit_test(test_run_args_round_trip),
            cmocka_unit_test(test_resume_keeps_whole_cases),
            cmocka_unit_test(test_resume_refuses_another_sweep),
            cmocka_unit_test(test_maps_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
