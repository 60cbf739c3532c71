/* tests/unit/test_jobfile.c - job files (inih), job keys, and the job files built into dmabench.
 *
 * A user fixes a job file from its error message alone, so every kind of mistake is checked
 * with the exact "file:line: reason" text; and every built-in job file must parse and expand
 * to a sweep of a sane size, since a board has no other copy of them.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "job_options.h"
#include "jobfile.h"
#include "sweep.h"

static char err[512];
static struct job *jobs;
static size_t n_jobs;

/* Load text as "t.ini", expecting success. */
static void load(const char *text)
{
    free(jobs);
    jobs = NULL;
    err[0] = '\0';
    int ret = jobfile_load_text("t.ini", text, &jobs, &n_jobs, err, sizeof(err));
    if (ret)
        fail_msg("%d: %s", ret, err);
}

/* Load text as "t.ini", expecting an error; returns the message. */
static const char *load_fails(const char *text, int expect)
{
    struct job *none = NULL;
    size_t n = 99;
    err[0] = '\0';
    assert_int_equal(jobfile_load_text("t.ini", text, &none, &n, err, sizeof(err)), expect);
    assert_null(none);
    return err;
}

static const struct job *job_named(const char *name)
{
    for (size_t i = 0; i < n_jobs; i++)
        if (!strcmp(jobs[i].name, name))
            return &jobs[i];
    fail_msg("no job %s", name);
    return NULL;
}

static const char *axis_text(const struct job *job, enum sweep_axis axis)
{
    static char joined[1024];
    joined[0] = '\0';
    for (size_t i = 0; i < job->axes[axis].n; i++)
        snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s", i ? "|" : "",
                 job->axes[axis].v[i].text);
    return joined;
}

static int teardown(void **state)
{
    (void)state;
    free(jobs);
    jobs = NULL;
    return 0;
}

static void test_global_is_inherited_by_later_jobs(void **state)
{
    (void)state;
    load("; a comment\n"
         "[global]\n"
         "heap = system,\"linux,cma\"\n"
         "size = 4K..16K\n"
         "reps = 7\n"
         "\n"
         "[first]\n"
         "bench = alloc\n"
         "batch = 1,8\n"
         "\n"
         "[second]\n"
         "bench = cpu\n"
         "size = 1M   ; inline comments are fine\n"
         "kernel: read,copy:nt\n"
         "\n"
         "[global]\n"
         "reps = auto\n"
         "counters = none\n"
         "[third]\n"
         "bench = cpu\n");
    assert_int_equal(n_jobs, 3);
    const struct job *first = job_named("first"), *second = job_named("second"),
                     *third = job_named("third");
    assert_string_equal(first->bench, "alloc");
    assert_string_equal(axis_text(first, AXIS_HEAP), "system|linux,cma");
    assert_string_equal(axis_text(first, AXIS_SIZE), "4KiB|8KiB|16KiB");
    assert_string_equal(axis_text(first, AXIS_BATCH), "1|8");
    assert_int_equal(first->reps, 7);
    assert_false(first->reps_auto);
    assert_string_equal(first->file, "t.ini");
    assert_int_equal(first->line, 7);

    assert_string_equal(axis_text(second, AXIS_SIZE), "1MiB");
    assert_string_equal(axis_text(second, AXIS_KERNEL), "read|copy:nt");
    assert_string_equal(axis_text(second, AXIS_HEAP), "system|linux,cma");
    assert_string_equal(second->counters, "default");
    assert_int_equal(second->line, 11);

    /* The second [global] counts for the jobs after it only. */
    assert_true(third->reps_auto);
    assert_int_equal(third->reps, 6);
    assert_string_equal(third->counters, "none");
    assert_string_equal(axis_text(third, AXIS_SIZE), "4KiB|8KiB|16KiB");
    assert_false(first->reps_auto);
}

static void test_inherited_axes_a_bench_ignores_fall_back(void **state)
{
    (void)state;
    load("[global]\n"
         "threads = 1..4\n"
         "batch = 16\n"
         "[a]\n"
         "bench = alloc\n"
         "[c]\n"
         "bench = cpu\n"
         "[s]\n"
         "bench = sync\n");
    assert_string_equal(axis_text(job_named("a"), AXIS_THREADS), "1|2|4");
    assert_string_equal(axis_text(job_named("a"), AXIS_BATCH), "16");
    assert_string_equal(axis_text(job_named("s"), AXIS_THREADS), "1");
    assert_string_equal(axis_text(job_named("s"), AXIS_BATCH), "1");
    assert_string_equal(axis_text(job_named("c"), AXIS_THREADS), "1|2|4");
    assert_string_equal(axis_text(job_named("c"), AXIS_BATCH), "1");
    for (size_t i = 0; i < n_jobs; i++)
        assert_int_equal(job_check(&jobs[i], err, sizeof(err)), 0);
    /* Set in the job itself, it is a mistake worth a message; the default value is harmless. */
    assert_string_equal(load_fails("[s]\nbench = sync\nsize = 4K\nthreads = 4\n", -EINVAL),
                        "t.ini:4: threads: the sync benchmark does not use threads");
    assert_string_equal(load_fails("[c]\nbatch = 1,2\nbench = cpu\n", -EINVAL),
                        "t.ini:2: batch: the cpu benchmark does not use batch");
    load("[s]\nbench = sync\nthreads = 1\n");
}

static void test_error_messages_name_file_and_line(void **state)
{
    (void)state;
    assert_string_equal(load_fails("[a]\nbench = cpu\nszie = 4K\n", -EINVAL),
                        "t.ini:3: unknown key 'szie' (did you mean 'size'?)");
    assert_string_equal(load_fails("[a]\nbench = cpu\npagesize = thp\n", -EINVAL),
                        "t.ini:3: unknown key 'pagesize' (did you mean 'page-size'?)");
    assert_string_equal(load_fails("[a]\nbench = cpu\nThreds = 2\n", -EINVAL),
                        "t.ini:3: unknown key 'Threds' (did you mean 'threads'?)");
    assert_string_equal(load_fails("[a]\ncolour = red\n", -EINVAL),
                        "t.ini:2: unknown key 'colour' (known: heap, size, align, page-size, "
                        "threads, batch, kernel, node, strategy, direction, region, "
                        "region-offset, regions, lines, importers, pool, frame, engine, cpu, "
                        "peer, bench, reps, time-budget, counters, cpus)");
    assert_string_equal(load_fails("[global]\n\nsize = 4Q\n[a]\nbench = cpu\n", -EINVAL),
                        "t.ini:3: size: '4Q' is not a size");
    assert_string_equal(load_fails("size = 4K\n[a]\nbench = cpu\n", -EINVAL),
                        "t.ini:1: key 'size' is outside any section (put it under [global] or "
                        "a [job])");
    assert_string_equal(
            load_fails("[global]\nsize = 4K\n\n[a]\nkernel = read\n[b]\nbench = cpu\n", -EINVAL),
            "t.ini:4: job 'a' has no bench (set it here or in [global])");
    assert_string_equal(
            load_fails("[a]\nbench = cpu\n[b]\nbench = cpu\n[a]\nbench = cpu\n", -EINVAL),
            "t.ini:5: job 'a' already defined on line 1");
    assert_string_equal(load_fails("[a]\nbench = cpu\nsize 4K\n", -EINVAL),
                        "t.ini:3: syntax error (expected [job], key = value or a ; comment)");
    assert_string_equal(load_fails("[a\nbench = cpu\n", -EINVAL),
                        "t.ini:1: syntax error (expected [job], key = value or a ; comment)");
    assert_string_equal(load_fails("[a]\nbench = cpu\n= 4K\n", -EINVAL),
                        "t.ini:3: syntax error (expected [job], key = value or a ; comment)");
    assert_string_equal(load_fails("[a]\nbench = cpu\n[b\n", -EINVAL),
                        "t.ini:3: syntax error (expected [job], key = value or a ; comment)");
    /* The first error in the file is the one reported, whichever kind it is. */
    assert_string_equal(load_fails("[a]\nbench = cpu\n4K\nszie = 1\n", -EINVAL),
                        "t.ini:3: syntax error (expected [job], key = value or a ; comment)");
    assert_string_equal(load_fails("[a]\nszie = 1\nbench = cpu\nsize 4K\n", -EINVAL),
                        "t.ini:2: unknown key 'szie' (did you mean 'size'?)");
    assert_string_equal(load_fails("[a]\nbench = cpu\nsize = 4K\nsize = 8K\n", -EINVAL),
                        "t.ini:4: size already set on line 3");
    assert_string_equal(load_fails("[a]\nbench = cpu\n  size = 4K\n", -EINVAL),
                        "t.ini:3: indented line: start keys and sections in the first column "
                        "(inih would read this as more of the value above)");
    assert_string_equal(load_fails("[my job]\nbench = cpu\n", -EINVAL),
                        "t.ini:1: job name 'my job': use 1 to 63 letters, digits, '_', '.' or "
                        "'-'");
    assert_string_equal(load_fails("[a]\nbench = alocc\n", -EINVAL),
                        "t.ini:2: bench: unknown benchmark 'alocc' (did you mean 'alloc'?)");
    assert_string_equal(load_fails("[a]\nbench = cpu\nsize = 1..8E,3\n", -E2BIG),
                        "t.ini:3: size: more than 64 values");
    char long_line[400];
    snprintf(long_line, sizeof(long_line), "[a]\nbench = cpu\nkernel = %0300d\n", 1);
    assert_string_equal(load_fails(long_line, -EINVAL), "t.ini:3: line longer than 197 characters");
}

static void test_files_without_jobs(void **state)
{
    (void)state;
    assert_string_equal(load_fails("", -EINVAL), "t.ini: empty job file");
    assert_string_equal(load_fails("\n; only a comment\n# and another\n\n", -EINVAL),
                        "t.ini: empty job file");
    assert_string_equal(load_fails("[global]\nbench = cpu\n", -EINVAL),
                        "t.ini: no jobs (a job is a [section] other than [global])");
}

static void test_sections_without_keys_are_jobs(void **state)
{
    (void)state;
    load("[global]\nbench = cpu\n[a]\n[b]\n[c]\nkernel = write\n");
    assert_int_equal(n_jobs, 3);
    assert_string_equal(jobs[0].name, "a");
    assert_string_equal(jobs[1].bench, "cpu");
    assert_string_equal(axis_text(&jobs[2], AXIS_KERNEL), "write");
}

static void test_text_oddities(void **state)
{
    (void)state;
    load("\xEF\xBB\xBF[a]\r\nbench = cpu\r\nsize = 4K,8K\r\n\r\n  ; an indented comment\n");
    assert_int_equal(n_jobs, 1);
    assert_string_equal(axis_text(&jobs[0], AXIS_SIZE), "4KiB|8KiB");
    load("[a]\nbench = cpu\nsize = 1M"); /* no newline at the end */
    assert_string_equal(axis_text(&jobs[0], AXIS_SIZE), "1MiB");
}

static void test_job_level_keys(void **state)
{
    (void)state;
    struct job *job = malloc(sizeof(*job));
    assert_non_null(job);
    job_init(job, "cli");
    assert_int_equal(job_apply_option(job, "reps", "auto", err, sizeof(err)), 0);
    assert_true(job->reps_auto);
    assert_int_equal(job->reps, 6);
    assert_int_equal(job_apply_option(job, "reps", "12", err, sizeof(err)), 0);
    assert_false(job->reps_auto);
    assert_int_equal(job->reps, 12);
    assert_int_equal(job_apply_option(job, "reps", "0", err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "reps: '0' is neither auto nor a count from 1 to 100000");
    assert_int_equal(job_apply_option(job, "reps", "5x", err, sizeof(err)), -EINVAL);
    assert_int_equal(job->reps, 12);

    assert_int_equal(job_apply_option(job, "time-budget", "2.5", err, sizeof(err)), 0);
    assert_true(job->time_budget_s == 2.5);
    assert_int_equal(job_apply_option(job, "time-budget", "30s", err, sizeof(err)), 0);
    assert_true(job->time_budget_s == 30.0);
    const char *bad_budgets[] = {"0", "-1", "abc", "nan", "inf", "1e9", "5m", ""};
    for (size_t i = 0; i < sizeof(bad_budgets) / sizeof(bad_budgets[0]); i++)
        assert_int_equal(job_apply_option(job, "time-budget", bad_budgets[i], err, sizeof(err)),
                         -EINVAL);
    assert_string_equal(err, "time-budget: '' is not a number of seconds above 0 (at most 86400)");
    assert_true(job->time_budget_s == 30.0);

    assert_int_equal(
            job_apply_option(job, "counters", "perf::cycles, INST_RETIRED:ANY_P", err, sizeof(err)),
            0);
    assert_string_equal(job->counters, "perf::cycles,INST_RETIRED:ANY_P");
    assert_int_equal(job_apply_option(job, "counters", "none,perf::cycles", err, sizeof(err)),
                     -EINVAL);
    assert_string_equal(err, "counters: none cannot be listed with events");
    assert_int_equal(job_apply_option(job, "counters", "cycles,,x", err, sizeof(err)), -EINVAL);
    assert_int_equal(job_apply_option(job, "counters", "cyc les", err, sizeof(err)), -EINVAL);
    assert_string_equal(job->counters, "perf::cycles,INST_RETIRED:ANY_P");
    assert_int_equal(job_apply_option(job, "counters", "nonexistent_event", err, sizeof(err)), 0);

    assert_int_equal(job_apply_option(job, "cpus", "0-3, 6", err, sizeof(err)), 0);
    assert_string_equal(job->cpus, "0-3,6");
    assert_int_equal(job_apply_option(job, "cpus", "3-1", err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "cpus: '3-1' is not a CPU or CPU range (0-3,6), nor all");
    assert_int_equal(job_apply_option(job, "cpus", "1-", err, sizeof(err)), -EINVAL);
    assert_int_equal(job_apply_option(job, "cpus", "x", err, sizeof(err)), -EINVAL);
    assert_string_equal(job->cpus, "0-3,6");
    assert_int_equal(job_apply_option(job, "cpus", "all", err, sizeof(err)), 0);
    assert_string_equal(job->cpus, "");

    /* The command line goes through the same function: --size 4K..1M is key "size". */
    assert_int_equal(job_apply_option(job, "size", "4K..1M", err, sizeof(err)), 0);
    assert_int_equal(job->axes[AXIS_SIZE].n, 9);
    assert_int_equal(job_apply_option(job, "size", "4K..1000K", err, sizeof(err)), -EINVAL);
    assert_string_equal(err,
                        "size: '4K..1000K': 1000KiB is not reachable from 4KiB by doubling (x2 "
                        "steps)");
    assert_int_equal(job->axes[AXIS_SIZE].n, 9);
    assert_int_equal(job_apply_option(job, "nodes", "0", err, sizeof(err)), -ENOENT);
    assert_string_equal(err, "unknown key 'nodes' (did you mean 'node'?)");

    assert_int_equal(job_check(job, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "job 'cli' has no bench");
    assert_int_equal(job_apply_option(job, "bench", "cpu", err, sizeof(err)), 0);
    assert_int_equal(job_check(job, err, sizeof(err)), 0);
    assert_int_equal(job_unused_axis(job), -1);
    assert_int_equal(job_apply_option(job, "batch", "2", err, sizeof(err)), 0);
    assert_int_equal(job_unused_axis(job), AXIS_BATCH);
    assert_int_equal(job_check(job, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "batch: the cpu benchmark does not use batch");
    free(job);
}

static void test_suggestions(void **state)
{
    (void)state;
    const char *words[] = {"size", "align", "kernel"};
    assert_string_equal(job_suggest("szie", words, 3), "size");
    assert_string_equal(job_suggest("sizes", words, 3), "size");
    assert_string_equal(job_suggest("kernl", words, 3), "kernel");
    assert_string_equal(job_suggest("alignn", words, 3), "align");
    assert_null(job_suggest("colour", words, 3));
    assert_null(job_suggest("xy", words, 3)); /* two edits on two letters is a guess */
    assert_null(job_suggest("s", words, 3));
}

static void test_files_on_disk(void **state)
{
    (void)state;
    char path[] = "/tmp/dmabench-jobfile-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char text[] = "[a]\nbench = alloc\nsize = 4K\n[b]\nbench = cpu\nsize = 2M\n";
    assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
    close(fd);
    free(jobs);
    jobs = NULL;
    assert_int_equal(jobfile_load(path, &jobs, &n_jobs, err, sizeof(err)), 0);
    assert_int_equal(n_jobs, 2);
    assert_string_equal(jobs[1].file, path);
    assert_int_equal(jobs[1].line, 4);
    /* A name that job->file could not hold whole (its 256 bytes once cut one) is refused. */
    struct job *long_jobs = NULL;
    size_t n_long;
    char *name = malloc(PATH_MAX + 1);
    assert_non_null(name);
    memset(name, 'j', PATH_MAX);
    name[PATH_MAX] = '\0';
    assert_int_equal(jobfile_load_text(name, text, &long_jobs, &n_long, err, sizeof(err)),
                     -ENAMETOOLONG);
    name[PATH_MAX - 1] = '\0';
    assert_int_equal(jobfile_load_text(name, text, &long_jobs, &n_long, err, sizeof(err)), 0);
    assert_string_equal(long_jobs[0].file, name);
    free(long_jobs);
    free(name);
    assert_true(jobfile_arg_is_path(path));
    free(jobs);
    jobs = NULL;
    assert_int_equal(jobfile_load_arg(path, &jobs, &n_jobs, err, sizeof(err)), 0);
    assert_int_equal(n_jobs, 2);

    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("[a]\nbench = cpu\nszie = 4K\n", f);
    fclose(f);
    struct job *none = NULL;
    size_t n;
    assert_int_equal(jobfile_load(path, &none, &n, err, sizeof(err)), -EINVAL);
    char expect[128];
    snprintf(expect, sizeof(expect), "%s:3: unknown key 'szie' (did you mean 'size'?)", path);
    assert_string_equal(err, expect);

    f = fopen(path, "w");
    assert_non_null(f);
    fwrite("[a]\nbench = cpu\0\n", 1, 17, f);
    fclose(f);
    assert_int_equal(jobfile_load(path, &none, &n, err, sizeof(err)), -EINVAL);
    snprintf(expect, sizeof(expect), "%s: holds a NUL byte, not a text file", path);
    assert_string_equal(err, expect);
    unlink(path);

    assert_int_equal(jobfile_load(path, &none, &n, err, sizeof(err)), -ENOENT);
    snprintf(expect, sizeof(expect), "%s: No such file or directory", path);
    assert_string_equal(err, expect);
    assert_int_equal(jobfile_load("/tmp", &none, &n, err, sizeof(err)), -EISDIR);
    assert_int_equal(jobfile_load_arg("missing.ini", &none, &n, err, sizeof(err)), -ENOENT);
    assert_string_equal(err, "missing.ini: No such file or directory");
    assert_null(none);
}

static void test_built_in_names(void **state)
{
    (void)state;
    assert_false(jobfile_arg_is_path("quick"));
    assert_false(jobfile_arg_is_path("camera-pool"));
    assert_true(jobfile_arg_is_path("quick.ini"));
    assert_true(jobfile_arg_is_path("./quick"));
    assert_true(jobfile_arg_is_path("jobs/quick"));
    assert_non_null(jobfile_find_embedded("quick"));
    assert_null(jobfile_find_embedded("quick.ini"));
    assert_null(jobfile_find_embedded("nope"));
    struct job *none = NULL;
    size_t n;
    assert_int_equal(jobfile_load_arg("qiuck", &none, &n, err, sizeof(err)), -ENOENT);
    assert_string_equal(err, "no built-in job file 'qiuck' (did you mean 'quick'?) (built in: "
                             "camera-pool, full, quick, ui-buffers, video-frames; a file needs "
                             "a '/' or '.ini' in its name)");
    assert_int_equal(jobfile_load_arg("everything", &none, &n, err, sizeof(err)), -ENOENT);
    assert_null(none);
}

/* Every built-in job file parses, and expands (over three heaps) to a bounded sweep with
 * unique ids. The bounds are the case counts each file's header comment promises. */
static void test_built_in_job_files(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        size_t cases_per_heap;
    } expect[] = {
            {"camera-pool", 26}, {"full", 344},        {"quick", 76},
            {"ui-buffers", 70},  {"video-frames", 48},
    };
    assert_int_equal(n_embedded_jobs, sizeof(expect) / sizeof(expect[0]));
    const char *heaps[] = {"system", "linux,cma", "host"};
    for (size_t f = 0; f < n_embedded_jobs; f++) {
        assert_string_equal(embedded_jobs[f].name, expect[f].name);
        free(jobs);
        jobs = NULL;
        if (jobfile_load_arg(embedded_jobs[f].name, &jobs, &n_jobs, err, sizeof(err)))
            fail_msg("%s", err);
        size_t total = 0;
        char(*ids)[sizeof(((struct bench_case *)0)->id)] = NULL;
        for (size_t j = 0; j < n_jobs; j++) {
            char file[64];
            snprintf(file, sizeof(file), "builtin/%s.ini", expect[f].name);
            assert_string_equal(jobs[j].file, file);
            assert_int_equal(job_check(&jobs[j], err, sizeof(err)), 0);
            struct bench_case *cases;
            size_t n;
            assert_int_equal(sweep_expand(&jobs[j], heaps, 3, &cases, &n), 0);
            ids = realloc(ids, (total + n) * sizeof(*ids));
            assert_non_null(ids);
            for (size_t c = 0; c < n; c++)
                memcpy(ids[total + c], cases[c].id, sizeof(*ids));
            total += n;
            free(cases);
        }
        if (total != 3 * expect[f].cases_per_heap)
            fail_msg("%s: %zu cases over 3 heaps, expected %zu", expect[f].name, total,
                     3 * expect[f].cases_per_heap);
        for (size_t a = 0; a < total; a++)
            for (size_t b = a + 1; b < total; b++)
                if (!strcmp(ids[a], ids[b]))
                    fail_msg("%s: case %s twice", expect[f].name, ids[a]);
        free(ids);
    }
    /* quick is the default run: small enough for `make run` on a 2-core VM. */
    assert_true(expect[2].cases_per_heap <= 80);
    free(jobs);
    jobs = NULL;
    assert_int_equal(jobfile_load_arg("quick", &jobs, &n_jobs, err, sizeof(err)), 0);
    for (size_t j = 0; j < n_jobs; j++) {
        assert_false(jobs[j].reps_auto);
        assert_true(jobs[j].reps <= 5);
        assert_true(jobs[j].axes[AXIS_SIZE].v[jobs[j].axes[AXIS_SIZE].n - 1].bytes <= 256u << 20);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_teardown(test_global_is_inherited_by_later_jobs, teardown),
            cmocka_unit_test_teardown(test_inherited_axes_a_bench_ignores_fall_back, teardown),
            cmocka_unit_test_teardown(test_error_messages_name_file_and_line, teardown),
            cmocka_unit_test_teardown(test_files_without_jobs, teardown),
            cmocka_unit_test_teardown(test_sections_without_keys_are_jobs, teardown),
            cmocka_unit_test_teardown(test_text_oddities, teardown),
            cmocka_unit_test_teardown(test_job_level_keys, teardown),
            cmocka_unit_test_teardown(test_suggestions, teardown),
            cmocka_unit_test_teardown(test_files_on_disk, teardown),
            cmocka_unit_test_teardown(test_built_in_names, teardown),
            cmocka_unit_test_teardown(test_built_in_job_files, teardown),
    };
    return cmocka_run_group_tests_name("jobfile", tests, NULL, NULL);
}
