/* tests/unit/test_reliability_sync.c - every finished case is on the disk before the next one.
 *
 * Linked with -Wl,--wrap=fdatasync (Makefile), so each fdatasync the writer makes is logged
 * with the file it syncs and that file's size at that moment: a case's samples and rows must be
 * synced whole, samples before rows, before results_write_case returns; a failing sync must
 * reach the caller.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "result_fixture.h"
#include "job_options.h"
#include "metadata.h"
#include "results_csv.h"
#include "runner.h"
#include "sweep.h"

int __real_fdatasync(int fd);
int __wrap_fdatasync(int fd);

#define MAX_SYNCS 64

static struct {
    char name[64]; /* the file's name, without its directory */
    off_t size;
} syncs[MAX_SYNCS];
static size_t n_syncs;
static int fail_next_with; /* errno to fail the next sync with, 0 = none */

int __wrap_fdatasync(int fd)
{
    char link[64], path[512] = "";
    struct stat st;
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof(path) - 1);
    path[n > 0 ? n : 0] = '\0';
    if (n_syncs < MAX_SYNCS && fstat(fd, &st) == 0) {
        const char *slash = strrchr(path, '/');
        snprintf(syncs[n_syncs].name, sizeof(syncs[n_syncs].name), "%.63s",
                 slash ? slash + 1 : path);
        syncs[n_syncs++].size = st.st_size;
    }
    if (fail_next_with) {
        errno = fail_next_with;
        fail_next_with = 0;
        return -1;
    }
    return __real_fdatasync(fd);
}

/* The last logged sync of name at or after index from, or -1. */
static long find_sync(const char *name, size_t from)
{
    long found = -1;
    for (size_t i = from; i < n_syncs; i++)
        if (!strcmp(syncs[i].name, name))
            found = (long)i;
    return found;
}

static off_t file_size(const char *dir, const char *name)
{
    char path[600];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

struct fixture {
    char dir[64];
    struct job job;
    struct bench_case *cases;
    size_t n;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    char err[256];
    if (!fx)
        return -1;
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/dmabench-sync-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    job_init(&fx->job, "alloc");
    static const char *const heaps[] = {"host"};
    if (job_apply_option(&fx->job, "bench", "alloc", err, sizeof(err)) ||
        job_apply_option(&fx->job, "size", "4K,8K,16K", err, sizeof(err)) ||
        job_apply_option(&fx->job, "kernel", "alloc", err, sizeof(err)) ||
        job_apply_option(&fx->job, "heap", "host", err, sizeof(err)) ||
        sweep_expand(&fx->job, heaps, 1, &fx->cases, &fx->n))
        return -1;
    n_syncs = 0;
    fail_next_with = 0;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
    int ret = system(cmd);
    free(fx->cases);
    free(fx);
    return ret == 0 ? 0 : -1;
}

static void test_each_case_synced_before_the_next(void **state)
{
    struct fixture *fx = *state;
    struct results_writer w;
    char err[256];
    assert_int_equal(results_open(&w, fx->dir, "RUN", err, sizeof(err)), 0);
    /* The headers are durable before the first case is measured. */
    assert_true(find_sync("results.csv", 0) >= 0);
    assert_true(find_sync("samples.csv", 0) >= 0);
    for (size_t i = 0; i < fx->n; i++) {
        size_t before = n_syncs;
        struct case_result r;
        /* more than stdio's buffer by the end */
        result_fixture_fill(&r, 50 * (unsigned)(i + 1), false);
        assert_int_equal(results_write_case(&w, &fx->cases[i], NULL, &r), 0);
        case_result_free(&r);
        long s = find_sync("samples.csv", before), res = find_sync("results.csv", before);
        assert_true(s >= 0 && res >= 0);
        assert_true(s < res); /* samples first: a row on disk always has its samples */
        /* Synced whole: the sizes at the syncs are the files' sizes now. */
        assert_int_equal(syncs[s].size, file_size(fx->dir, "samples.csv"));
        assert_int_equal(syncs[res].size, file_size(fx->dir, "results.csv"));
    }
    assert_int_equal(results_close(&w), 0);
}

static void test_metadata_synced_then_renamed(void **state)
{
    struct fixture *fx = *state;
    struct results_writer w;
    char err[256];
    assert_int_equal(results_open(&w, fx->dir, "RUN", err, sizeof(err)), 0);
    struct metadata *md = calloc(1, sizeof(*md));
    assert_non_null(md);
    metadata_init(md);
    metadata_set(md, "run_id", "RUN");
    size_t before = n_syncs;
    assert_int_equal(results_write_metadata(&w, md), 0);
    /* The temporary file was synced at its final size, then renamed to metadata.csv. */
    assert_int_equal(n_syncs, before + 1);
    assert_non_null(strstr(syncs[before].name, ".metadata.csv."));
    assert_int_equal(syncs[before].size, file_size(fx->dir, "metadata.csv"));
    free(md);
    assert_int_equal(results_close(&w), 0);
}

static void test_failed_sync_reaches_the_caller(void **state)
{
    struct fixture *fx = *state;
    struct results_writer w;
    char err[256];
    assert_int_equal(results_open(&w, fx->dir, "RUN", err, sizeof(err)), 0);
    struct case_result r;
    result_fixture_fill(&r, 3, false);
    fail_next_with = EIO;
    assert_int_equal(results_write_case(&w, &fx->cases[0], NULL, &r), -EIO);
    fail_next_with = ENOSPC;
    assert_int_equal(results_write_case(&w, &fx->cases[1], NULL, &r), -ENOSPC);
    case_result_free(&r);
    results_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_each_case_synced_before_the_next, setup, teardown),
            cmocka_unit_test_setup_teardown(test_metadata_synced_then_renamed, setup, teardown),
            cmocka_unit_test_setup_teardown(test_failed_sync_reaches_the_caller, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
