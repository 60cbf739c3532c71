/* tests/unit/test_bench_alloc.c - the alloc benchmark's checks on a planted board: fresh buffers
 * must be zeros (a dirty one, planted with DMABENCH_FAULT's dirty fault, is the case's error,
 * naming the heap and the byte), and the heap's memory state before and after the case
 * (/proc/meminfo's CMA figures, /proc/buddyinfo, a heap page pool) is in the rows' note. Then
 * its threads (every thread's batch in the samples) and its alloc-pressure kernel (a refusal
 * recorded, the recovery checked).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <linux/dma-heap.h>

#include "bench.h"
#include "bench_fixture.h"
#include "dma_buf_partial.h"
#include "fake_dev.h"
#include "heap_fault.h"
#include "heap_zeroed.h"
#include "mem_guard.h"
#include "mem_state.h"

static struct bench_fixture fx;
static char proc_root[64];

static int fake_ioctl(int fd, unsigned long request, void *arg)
{
    (void)fd;
    if (request == DMA_HEAP_IOCTL_ALLOC)
        return fake_dev_heap_alloc(arg);
    if (request == DMA_BUF_IOCTL_SYNC)
        return 0;
    errno = ENOTTY;
    return -1;
}

static void plant(const char *rel, const char *text)
{
    char path[160];
    snprintf(path, sizeof(path), "%s%s", proc_root, rel);
    char *slash = strrchr(path, '/');
    for (char *p = strchr(path + strlen(proc_root) + 1, '/'); p && p <= slash;
         p = strchr(p + 1, '/')) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup_board(void **state)
{
    (void)state;
    bench_fixture_open(&fx, "alloc", fake_ioctl, 1e6);
    snprintf(proc_root, sizeof(proc_root), "/tmp/dmabench-proc-XXXXXX");
    assert_non_null(mkdtemp(proc_root));
    fx.env.proc_root = proc_root;
    return 0;
}

static int teardown_board(void **state)
{
    (void)state;
    heap_fault_configure(NULL, NULL, 0);
    bench_fixture_close(&fx);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", proc_root);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static void make_case(struct fixture_case *k, const char *heap, const char *kernel)
{
    bench_fixture_case(k, "alloc", bench_alloc.axes, AXIS_HEAP, heap, AXIS_SIZE, "64K", AXIS_ALIGN,
                       "0", AXIS_PAGE_SIZE, "base", AXIS_BATCH, "2", AXIS_KERNEL, kernel, AXIS_NODE,
                       "any", -1);
}

/* The note holds want, or the test fails showing the note. */
static void note_has(const char *note, const char *want)
{
    if (!strstr(note, want))
        fail_msg("note: %s", note);
}

/* Set case k up on env and take one repetition into out; both must succeed. Returns the state. */
static void *set_up_and_sample(struct fixture_case *k, const struct bench_env *env,
                               struct sample_out *out)
{
    char reason[192] = "";
    void *st = NULL;
    if (bench_alloc.setup(&k->c, env, &st, reason, sizeof(reason)))
        fail_msg("setup: %s", reason);
    memset(out, 0, sizeof(*out));
    if (bench_alloc.sample(st, out, reason, sizeof(reason)))
        fail_msg("sample: %s", reason);
    return st;
}

/* The zero search names the first non-zero byte, in a word or in the tail. */
static void test_first_nonzero(void **state)
{
    (void)state;
    unsigned char b[37] = {0};
    assert_int_equal(heap_first_nonzero(b, sizeof(b)), sizeof(b));
    b[36] = 1;
    assert_int_equal(heap_first_nonzero(b, sizeof(b)), 36);
    b[9] = 7;
    assert_int_equal(heap_first_nonzero(b, sizeof(b)), 9);
    b[0] = 1;
    assert_int_equal(heap_first_nonzero(b, sizeof(b)), 0);
}

/* dirty's third field is a byte offset, not an errno name. */
static void test_dirty_fault_spec(void **state)
{
    (void)state;
    char err[160];
    assert_int_equal(heap_fault_configure("dirty:1:ENOMEM", err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "dirty:1: 'ENOMEM' is not a byte offset");
    assert_int_equal(heap_fault_configure("dirty:2+:4096", err, sizeof(err)), 0);
    size_t at = 0;
    assert_int_equal(heap_fault_dirty(&at), 0);
    assert_int_equal(heap_fault_dirty(&at), 1);
    assert_int_equal(at, 4096);
    assert_int_equal(heap_fault_dirty(&at), 1);
    heap_fault_configure(NULL, NULL, 0);
}

/* A timed buffer of kernel alloc that holds old data fails the sample, naming heap and byte. */
static void test_dirty_timed_buffer_is_an_error(void **state)
{
    (void)state;
    struct fixture_case k;
    make_case(&k, "system", "alloc");
    char reason[192] = "";
    void *st = NULL;
    /* Buffers 1 and 2 are setup's untimed batch, 3 the first timed one. */
    assert_int_equal(heap_fault_configure("dirty:3:4097", reason, sizeof(reason)), 0);
    assert_int_equal(bench_alloc.setup(&k.c, &fx.env, &st, reason, sizeof(reason)), 0);
    struct sample_out out = {0};
    assert_int_equal(bench_alloc.sample(st, &out, reason, sizeof(reason)), -EIO);
    if (!strstr(reason, "buffer 1 of 2 from heap system was not zeroed: first non-zero byte at "
                        "offset 4097 of 65536 B (timed"))
        fail_msg("reason: %s", reason);
    memset(&out, 0, sizeof(out));
    assert_int_equal(bench_alloc.sample(st, &out, reason, sizeof(reason)), 0); /* clean again */
    bench_alloc.teardown(st);
    heap_fault_configure(NULL, NULL, 0);
}

/* alloc-touch writes its timed buffers: setup's untimed batch is where its leaks show. */
static void test_dirty_buffer_fails_setup(void **state)
{
    (void)state;
    struct fixture_case k;
    make_case(&k, "system", "alloc-touch");
    char reason[192] = "";
    void *st = NULL;
    assert_int_equal(heap_fault_configure("dirty:2:99999", reason, sizeof(reason)), 0);
    assert_int_equal(bench_alloc.setup(&k.c, &fx.env, &st, reason, sizeof(reason)), -EIO);
    if (!strstr(reason, "buffer 2 of 2 from heap system was not zeroed: first non-zero byte at "
                        "offset 65535 of 65536 B (untimed check batch"))
        fail_msg("reason: %s", reason);
    heap_fault_configure(NULL, NULL, 0);
}

static const char meminfo_before[] = "MemTotal:        8000000 kB\n"
                                     "MemAvailable:    6000000 kB\n"
                                     "CmaTotal:          65536 kB\n"
                                     "CmaFree:           61440 kB\n";
static const char meminfo_after[] = "MemTotal:        8000000 kB\n"
                                    "MemAvailable:    6000000 kB\n"
                                    "CmaTotal:          65536 kB\n"
                                    "CmaFree:           57344 kB\n";
/* Two nodes, three zones: the note sums every zone of every node, order by order. */
static const char buddyinfo[] = "Node 0, zone      DMA      1      1      0      1      2      1   "
                                "   1      0      1      1      3 \n"
                                "Node 0, zone    DMA32    100     50     20     10      5      3   "
                                "   2      1      0      0      0 \n"
                                "Node 1, zone   Normal     10      5      2      1      0      0   "
                                "   0      0      0      0      7 \n";

/* Before the case and after it, side by side in the note: CMA, the buddy orders, no pool. */
static void test_memory_state_in_note(void **state)
{
    (void)state;
    plant("/proc/meminfo", meminfo_before);
    plant("/proc/buddyinfo", buddyinfo);
    struct fixture_case k;
    make_case(&k, "system", "alloc");
    struct case_facts facts = {.note = ""};
    struct bench_env env = fx.env;
    env.facts = &facts;
    struct sample_out out;
    void *st = set_up_and_sample(&k, &env, &out);
    plant("/proc/meminfo", meminfo_after);
    plant("/sys/kernel/dma_heap/total_pools_kb", "2048\n");
    bench_alloc.teardown(st);
    note_has(facts.note, "memory before/after the case: CmaFree 61440/57344 KiB of CmaTotal 65536 "
                         "KiB; buddyinfo free blocks per order 0-10 (all zones and nodes) "
                         "111,56,22,12,7,4,3,1,1,1,10/111,56,22,12,7,4,3,1,1,1,10; heap page "
                         "pools none/2048 KiB (/sys/kernel/dma_heap/total_pools_kb)");
}

/* A board without CMA, without buddyinfo and without a pool says so, in the same place. */
static void test_memory_state_missing_files(void **state)
{
    (void)state;
    char empty[96];
    snprintf(empty, sizeof(empty), "%s/none", proc_root);
    struct mem_state before, after;
    mem_state_read(empty, &before);
    mem_state_read(empty, &after);
    char text[512];
    mem_state_describe(&before, &after, text, sizeof(text));
    assert_string_equal(text, "memory before/after the case: no CMA (no CmaTotal in "
                              "/proc/meminfo); buddyinfo not readable; heap page pools none "
                              "shown");
}

static const struct metric_def *metric_at(const struct bench_case *c, size_t i)
{
    const struct metric_def *const *defs;
    size_t n = bench_alloc.metrics(c, &defs);
    assert_true(i < n);
    return defs[i];
}

/* The kernel axis's three names, and a refusal that lists them. */
static void test_kernel_names(void **state)
{
    (void)state;
    char err[160];
    assert_int_equal(bench_alloc.check_kernel("alloc", err, sizeof(err)), 0);
    assert_int_equal(bench_alloc.check_kernel("alloc-touch", err, sizeof(err)), 0);
    assert_int_equal(bench_alloc.check_kernel("alloc-pressure", err, sizeof(err)), 0);
    assert_int_equal(bench_alloc.check_kernel("alloc-pressur", err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "alloc kernels are 'alloc', 'alloc-touch' and 'alloc-pressure', not "
                             "'alloc-pressur'");
    /* A fill has no batch and no threads: it decides how many buffers, on one thread. One
     * thread leaves threads out of the case, as before alloc had the axis. */
    struct fixture_case k;
    bench_fixture_case(&k, "alloc", bench_alloc.axes, AXIS_THREADS, "1", AXIS_KERNEL,
                       "alloc-pressure", -1);
    assert_int_equal(bench_alloc.idle_axes(&k.c), 1u << AXIS_BATCH | 1u << AXIS_THREADS);
    bench_fixture_axis(&k, AXIS_KERNEL, "alloc");
    assert_int_equal(bench_alloc.idle_axes(&k.c), 1u << AXIS_THREADS);
    bench_fixture_axis(&k, AXIS_THREADS, "2");
    assert_int_equal(bench_alloc.idle_axes(&k.c), 0);
}

/* Two threads, a batch of 2 each: 4 latency samples a repetition, every one a real time; one
 * throughput over the slowest thread; the guard counts both threads' batches. */
static void test_threads_give_every_buffer(void **state)
{
    (void)state;
    struct fixture_case k;
    bench_fixture_case(&k, "alloc", bench_alloc.axes, AXIS_HEAP, "system", AXIS_SIZE, "64K",
                       AXIS_ALIGN, "0", AXIS_PAGE_SIZE, "base", AXIS_THREADS, "2", AXIS_BATCH, "2",
                       AXIS_KERNEL, "alloc", AXIS_NODE, "any", -1);
    if (pinning_count(fx.pins) < 2)
        skip();
    struct case_facts facts = {.note = ""};
    struct bench_env env = fx.env;
    env.facts = &facts;
    struct sample_out out;
    void *st = set_up_and_sample(&k, &env, &out);
    assert_string_equal(metric_at(&k.c, 1)->name, "alloc_latency");
    assert_int_equal(out.n[0], 1);
    assert_int_equal(out.n[1], 4);
    assert_int_equal(out.n[2], 4);
    for (size_t i = 0; i < 4; i++)
        assert_true(out.values[1][i] > 0 && out.values[2][i] > 0);
    assert_true(out.values[0][0] > 0);
    assert_true(out.work == 4);
    bench_alloc.teardown(st);
    note_has(facts.note, "a repetition is 2 threads started together, each a batch of 2, timed "
                         "buffer by buffer");
    char how[64];
    size_t extra = 0;
    assert_int_equal(bench_alloc.buffers_held(&k.c, &extra, how, sizeof(how)), 4);
    assert_string_equal(how, " x batch 2 x threads 2");
}

static void pressure_case(struct fixture_case *k)
{
    bench_fixture_case(k, "alloc", bench_alloc.axes & ~(1u << AXIS_BATCH | 1u << AXIS_THREADS),
                       AXIS_HEAP, "system", AXIS_SIZE, "64K", AXIS_ALIGN, "0", AXIS_PAGE_SIZE,
                       "base", AXIS_KERNEL, "alloc-pressure", AXIS_NODE, "any", -1);
}

/* The heap refuses the 2nd buffer of the first fill (setup's check buffer is call 1): the sample
 * records the bytes before it, the note says where and how, and the next fill reaches the
 * --max-mem bound of 4 buffers. Each fill freed everything and got one buffer again. */
static void test_pressure_records_refusal(void **state)
{
    (void)state;
    char meminfo[160];
    snprintf(meminfo, sizeof(meminfo), "%s/pressure-meminfo", proc_root);
    FILE *f = fopen(meminfo, "w");
    assert_non_null(f);
    fputs("MemTotal: 8000000 kB\nMemAvailable: 6000000 kB\n", f);
    fclose(f);
    setenv(MEM_GUARD_MEMINFO_ENV, meminfo, 1);
    plant("/proc/meminfo", meminfo_before); /* the CMA figures the note reads at the fullest */
    struct heap *heap = heap_registry_find(fx.reg, "system");
    enum heap_class klass = heap->info.klass;
    heap->info.klass = HEAP_CLASS_CONTIGUOUS; /* a CMA heap: its note says CmaFree at the fullest */
    struct fixture_case k;
    pressure_case(&k);
    struct mem_limit limit = {.bytes = 256 << 10};
    struct case_facts facts = {.note = ""};
    struct bench_env env = fx.env;
    env.facts = &facts;
    env.mem_limit = &limit;
    char reason[192] = "";
    void *st = NULL;
    assert_int_equal(heap_fault_configure("alloc:3:ENOMEM", reason, sizeof(reason)), 0);
    assert_int_equal(bench_alloc.setup(&k.c, &env, &st, reason, sizeof(reason)), 0);
    assert_string_equal(metric_at(&k.c, 0)->name, "pressure_bytes");
    assert_string_equal(metric_at(&k.c, 0)->unit, "bytes");
    struct sample_out out = {0};
    assert_int_equal(bench_alloc.sample(st, &out, reason, sizeof(reason)), 0);
    assert_int_equal(out.n[0], 1);
    assert_true(out.values[0][0] == 65536);
    assert_int_equal(out.n[1], 1); /* alloc_latency: the one buffer the fill got */
    assert_int_equal(out.n[2], 1); /* first tenth */
    assert_int_equal(out.n[3], 1); /* last tenth */
    assert_int_equal(out.n[4], 1); /* free_latency */
    memset(&out, 0, sizeof(out));
    assert_int_equal(bench_alloc.sample(st, &out, reason, sizeof(reason)), 0);
    assert_true(out.values[0][0] == 4 * 65536);
    assert_int_equal(out.n[1], 4);
    assert_true(out.values[3] == out.values[1] + 3); /* the last tenth is the last buffer */
    bench_alloc.teardown(st);
    heap->info.klass = klass;
    unsetenv(MEM_GUARD_MEMINFO_ENV);
    heap_fault_configure(NULL, NULL, 0);
    note_has(facts.note, "alloc-pressure: the heap refused buffer 2 (64 KiB) with ENOMEM (Cannot "
                         "allocate memory) after 1 buffer, 64 KiB held (CmaFree then 61440 KiB); "
                         "1 of 2 fills (one a repetition) stopped alike; after each, all freed, a "
                         "buffer was allocated again (recovered); memory before/after the case:");
    char how[96];
    size_t extra = 0;
    assert_int_equal(bench_alloc.buffers_held(&k.c, &extra, how, sizeof(how)), 1);
}

/* A heap that still refuses once every buffer is back has not recovered: the case's error. */
static void test_pressure_without_recovery_is_an_error(void **state)
{
    (void)state;
    struct fixture_case k;
    pressure_case(&k);
    struct mem_limit limit = {.bytes = 256 << 10};
    struct bench_env env = fx.env;
    env.mem_limit = &limit;
    char reason[192] = "";
    void *st = NULL;
    assert_int_equal(heap_fault_configure("alloc:4+:ENOMEM", reason, sizeof(reason)), 0);
    assert_int_equal(bench_alloc.setup(&k.c, &env, &st, reason, sizeof(reason)), 0);
    struct sample_out out = {0};
    assert_int_equal(bench_alloc.sample(st, &out, reason, sizeof(reason)), -ENOMEM);
    assert_string_equal(reason, "alloc-pressure: the heap did not recover: with all 2 buffers "
                                "freed, a buffer of 64 KiB was refused");
    /* Refused at once: no fill to measure, an error too. */
    memset(&out, 0, sizeof(out));
    assert_int_equal(bench_alloc.sample(st, &out, reason, sizeof(reason)), -ENOMEM);
    assert_string_equal(reason, "alloc-pressure: the heap refused the first buffer (64 KiB)");
    bench_alloc.teardown(st);
    heap_fault_configure(NULL, NULL, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_first_nonzero),
            cmocka_unit_test(test_dirty_fault_spec),
            cmocka_unit_test(test_dirty_timed_buffer_is_an_error),
            cmocka_unit_test(test_dirty_buffer_fails_setup),
            cmocka_unit_test(test_memory_state_in_note),
            cmocka_unit_test(test_memory_state_missing_files),
            cmocka_unit_test(test_kernel_names),
            cmocka_unit_test(test_threads_give_every_buffer),
            cmocka_unit_test(test_pressure_records_refusal),
            cmocka_unit_test(test_pressure_without_recovery_is_an_error),
    };
    return cmocka_run_group_tests(tests, setup_board, teardown_board);
}
