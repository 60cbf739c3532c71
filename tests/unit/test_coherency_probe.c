/* tests/unit/test_coherency_probe.c - the coherency benchmark and its probes.
 *
 * The pure parts (stale-line counts, patterns, the verdict rule) against hand-made buffers;
 * then the probes for real on this machine: host memory and a planted dma-heap whose buffers
 * are memfds (a fake kernel behind heap_ioctl_set_hook) must show no stale line with the cpu
 * engine, c2c and false sharing must give sane figures, and every case that does not apply
 * must say why. Nothing may be left behind: buffers, mappings, fds.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "bench_fixture.h"
#include "fake_dev.h"

#include "bench.h"
#include "c2c.h"
#include "dma_buf_partial.h"
#include "dmabuf_ops.h"
#include "heap.h"
#include "heap_ioctl.h"
#include "pinning.h"
#include "results_validate.h"
#include "run_tables.h"
#include "stale_lines.h"
#include "stale_probe.h"
#include "thread_pair.h"

/* --- a fake dma-heap kernel: buffers are memfds, syncs are counted --------------------------- */

static struct {
    int sync_calls;
    int export_calls;
    __u32 export_flags;
    int export_errno; /* 0: answer with a fresh fd */
} fake;

static int fake_ioctl(int fd, unsigned long request, void *arg)
{
    (void)fd;
    switch (request) {
    case DMA_HEAP_IOCTL_ALLOC:
        return fake_dev_heap_alloc(arg);
    case DMA_BUF_IOCTL_SYNC:
        fake.sync_calls++;
        return 0;
    case DMA_BUF_IOCTL_EXPORT_SYNC_FILE: {
        struct dma_buf_export_sync_file *x = arg;
        fake.export_calls++;
        fake.export_flags = x->flags;
        if (fake.export_errno) {
            errno = fake.export_errno;
            return -1;
        }
        x->fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        return 0;
    }
    default:
        errno = ENOTTY;
        return -1;
    }
}

static struct bench_fixture fx;

static int setup_board(void **state)
{
    (void)state;
    memset(&fake, 0, sizeof(fake));
    bench_fixture_open(&fx, "coh", fake_ioctl, 1e5);
    return 0;
}

static int teardown_board(void **state)
{
    (void)state;
    bench_fixture_close(&fx);
    return 0;
}

static void assert_nothing_live(int fds_before)
{
    struct heap_counts live = heap_registry_live(fx.reg);
    assert_int_equal(live.buffers, 0);
    assert_int_equal(live.mappings, 0);
    assert_int_equal(fake_dev_open_fds(), fds_before);
}

/* --- one case of the coherency benchmark, as the sweep would make it ------------------------ */

/* kernel, then axis/value pairs ending with -1; axes the kernel does not use stay NULL. */
static void make_case(struct fixture_case *k, const char *heap, const char *kernel, ...)
{
    unsigned axes = bench_coherency.axes &
                    (bench_coherency.kernel_axes(kernel) | 1u << AXIS_HEAP | 1u << AXIS_KERNEL);
    va_list pairs;
    va_start(pairs, kernel);
    bench_fixture_case_v(k, "coherency", axes, pairs);
    va_end(pairs);
    bench_fixture_axis(k, AXIS_HEAP, heap);
    bench_fixture_axis(k, AXIS_KERNEL, kernel);
    k->c.axes = axes;
}

static int setup_case(struct fixture_case *k, void **st, char *reason, size_t reason_len)
{
    reason[0] = '\0';
    return bench_coherency.setup(&k->c, &fx.env, st, reason, reason_len);
}

/* A repetition's timed part reached the fixture's floor (0.1 ms), or its note says it did not. */
static void expect_floor_or_note(const struct sample_out *out, const struct case_facts *facts)
{
    assert_true(out->timed_ns > 0);
    if (out->timed_ns < fx.env.min_sample_ns && !strstr(facts->note, "under the 0.1 ms floor"))
        fail_msg("a repetition timed %g ns, and the note says '%s'", out->timed_ns, facts->note);
}

/* --- pure parts ------------------------------------------------------------------------------ */

static void test_stale_lines_count(void **state)
{
    (void)state;
    unsigned char a[200], b[200];
    memset(a, 0x11, sizeof(a));
    memcpy(b, a, sizeof(b));
    assert_int_equal(stale_lines_count(a, b, sizeof(a), 64), 0);
    b[3 * 64 - 1] ^= 1; /* last byte of line 2 */
    b[64] ^= 1;         /* first byte of line 1 */
    b[65] ^= 1;         /* the same line again */
    assert_int_equal(stale_lines_count(a, b, sizeof(a), 64), 2);
    b[199] ^= 1; /* the short last line (bytes 192..199) counts too */
    assert_int_equal(stale_lines_count(a, b, sizeof(a), 64), 3);
    assert_int_equal(stale_lines_count(a, b, 64, 64), 0);       /* only line 0 compared */
    assert_int_equal(stale_lines_count(a, b, sizeof(a), 0), 4); /* line 0: per byte */
    assert_int_equal(stale_lines_count(a, b, 0, 64), 0);
}

static void test_stale_patterns_never_repeat(void **state)
{
    (void)state;
    enum { LEN = 4096 + 13 };
    unsigned char *r1 = malloc(LEN), *r2 = malloc(LEN), *again = malloc(LEN + 1);
    assert_non_null(r1);
    assert_non_null(r2);
    assert_non_null(again);
    stale_pattern_fill(r1, LEN, 1);
    stale_pattern_fill(r2, LEN, 2);
    stale_pattern_fill(again + 1, LEN, 1); /* unaligned, odd length: the same bytes */
    assert_memory_equal(r1, again + 1, LEN);
    /* Every line of one round differs from the same line of the next. */
    assert_int_equal(stale_lines_count(r1, r2, LEN, 64), (LEN + 63) / 64);
    /* And from every other line of its own round: a misplaced line shows. */
    assert_int_equal(stale_lines_count(r1, r1 + 64, LEN - 64, 64), (LEN - 64 + 63) / 64);
    free(r1);
    free(r2);
    free(again);
}

/* Who was asked to make the views agree decides the word for stale lines: nobody (a fact about
 * the heap), the exporter (its sync does not reach the device: sync-ineffective), or user space
 * (its maintenance did not do it: fail). Clean is coherent without sync, pass with. */
static void test_stale_verdict_rule(void **state)
{
    (void)state;
    static const struct {
        enum sync_kind kind;
        const char *clean, *stale;
    } rules[] = {
            {SYNC_NONE, "coherent", "needs-sync"},
            {SYNC_FULL, "pass", "sync-ineffective"},
            {SYNC_PARTIAL_IOCTL, "pass", "sync-ineffective"},
            {SYNC_FULL_USER, "pass", "fail"},
            {SYNC_PARTIAL_USER, "pass", "fail"},
    };
    assert_int_equal(sizeof(rules) / sizeof(rules[0]), N_SYNC_KINDS);
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        assert_string_equal(stale_verdict(rules[i].kind, 0), rules[i].clean);
        /* One stale line in the worst repetition is enough. */
        assert_string_equal(stale_verdict(rules[i].kind, 1), rules[i].stale);
        assert_string_equal(stale_verdict(rules[i].kind, 4096), rules[i].stale);
        /* Every word is one the validator knows, and exactly the stale ones after a sync fail
         * a check (compare, export). */
        assert_true(results_verdict_known(rules[i].clean));
        assert_true(results_verdict_known(rules[i].stale));
        assert_false(results_verdict_fails(rules[i].clean));
        assert_int_equal(results_verdict_fails(rules[i].stale), rules[i].kind != SYNC_NONE);
    }
}

/* A device engine copies one frame per buffer: RGB565 of exactly the buffer's size. */
static void test_device_frames_of_a_size(void **state)
{
    (void)state;
    const struct {
        size_t size;
        unsigned width, height;
    } fits[] = {{1024, 32, 16}, {4096, 64, 32}, {64 << 10, 256, 128}, {256 << 10, 512, 256}};
    struct frame_format f;
    char why[256];
    for (size_t i = 0; i < sizeof(fits) / sizeof(fits[0]); i++) {
        assert_int_equal(stale_frame_of_size(fits[i].size, &f, why, sizeof(why)), 0);
        assert_string_equal(f.pixel, "rgb565");
        assert_int_equal(f.width, fits[i].width);
        assert_int_equal(f.height, fits[i].height);
        assert_int_equal(f.bytes, fits[i].size);
    }
    assert_int_equal(stale_frame_of_size(4097, &f, why, sizeof(why)), -EOPNOTSUPP);
    assert_non_null(strstr(why, "4097 B is no RGB565 frame"));
    assert_int_equal(stale_frame_of_size(3000, &f, why, sizeof(why)), -EOPNOTSUPP);
    assert_int_equal(stale_frame_of_size(256, &f, why, sizeof(why)), -EOPNOTSUPP);
}

/* The verdict looks at the worst repetition: a median of 0 with one bad round is no pass. */
static void test_bench_verdict_judges_the_worst_repetition(void **state)
{
    (void)state;
    struct fixture_case none, user, full, c2c;
    make_case(&none, "host", "stale", AXIS_SIZE, "4K", AXIS_STRATEGY, "none", AXIS_ENGINE, "cpu",
              -1);
    make_case(&user, "host", "stale", AXIS_SIZE, "4K", AXIS_STRATEGY, "full-user", AXIS_ENGINE,
              "cpu", -1);
    make_case(&full, "system", "stale", AXIS_SIZE, "4K", AXIS_STRATEGY, "full", AXIS_ENGINE, "v4l2",
              -1);
    make_case(&c2c, "host", "c2c", AXIS_CPU, "0", AXIS_PEER, "1", -1);
    struct stats_summary clean = {.n = 5, .median = 0, .max = 0};
    struct stats_summary once = {.n = 5, .median = 0, .max = 3};
    const char *m = "stale_lines_cpu_to_dev";
    assert_string_equal(bench_verdict(&none.c, m, true, &clean), "coherent");
    assert_string_equal(bench_verdict(&none.c, m, true, &once), "needs-sync");
    assert_string_equal(bench_verdict(&user.c, m, true, &clean), "pass");
    assert_string_equal(bench_verdict(&user.c, "stale_lines_dev_to_cpu", true, &once), "fail");
    assert_string_equal(bench_verdict(&full.c, m, true, &clean), "pass");
    assert_string_equal(bench_verdict(&full.c, m, true, &once), "sync-ineffective");
    assert_string_equal(bench_verdict(&user.c, m, false, &once), ""); /* nothing measured */
    assert_string_equal(bench_verdict(&c2c.c, "c2c_latency", true, &once), "");
}

/* A stale-probe result as the runner would hand it over: each leg's worst repetition. */
static void stale_result(struct case_result *r, double to_dev_max, double to_cpu_max)
{
    memset(r, 0, sizeof(*r));
    r->status = CASE_OK;
    r->n_metrics = 2;
    const char *names[] = {"stale_lines_cpu_to_dev", "stale_lines_dev_to_cpu"};
    double max[] = {to_dev_max, to_cpu_max};
    for (int i = 0; i < 2; i++) {
        struct metric_result *m = &r->metrics[i];
        snprintf(m->name, sizeof(m->name), "%s", names[i]);
        snprintf(m->unit, sizeof(m->unit), "lines");
        m->n = 5;
        m->stats = (struct stats_summary){.n = 5, .median = 0, .max = max[i]};
    }
}

/* The run's tables for stale cases: (heap, strategy, most stale lines to the device, to the
 * CPU), all at 4 KiB through v4l2. */
static char *stale_tables(const char *const (*cases)[2], const double (*counts)[2], size_t n)
{
    struct run_tables *t = NULL;
    struct case_result r;
    for (size_t i = 0; i < n; i++) {
        struct fixture_case k;
        make_case(&k, cases[i][0], "stale", AXIS_SIZE, "4K", AXIS_STRATEGY, cases[i][1],
                  AXIS_ENGINE, "v4l2", -1);
        stale_result(&r, counts[i][0], counts[i][1]);
        assert_int_equal(run_tables_add(&t, &k.c, &r), 0);
    }
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    run_tables_print(t, out);
    fclose(out);
    run_tables_free(t);
    return text;
}

/* What `dmabench run` prints when a heap is not coherent: the grid and the verdict line. */
static void test_tables_say_needs_sync_and_fail(void **state)
{
    (void)state;
    const char *const cases[][2] = {{"system", "none"}, {"system", "full-user"}};
    const double counts[][2] = {{3, 0}, {0, 1}};
    char *text = stale_tables(cases, counts, 2);
    assert_non_null(strstr(text, "heap system, engine v4l2 (V4L2 mem2mem device)\n"));
    /* Each cell: the most stale lines CPU to device / device to CPU, and the worse verdict. */
    assert_non_null(strstr(text, "  none                         3/0 needs-sync\n"));
    assert_non_null(strstr(text, "  full-user                          0/1 fail\n"));
    assert_non_null(strstr(text, "verdict: heap system NEEDS SYNC: up to 3 stale lines without "
                                 "it; user-space cache maintenance FAILED: up to 1 stale lines "
                                 "(it maintains the CPU's caches only, it does not copy bounce "
                                 "buffers; the exporter's sync, through the DMA API, does)\n"));
    free(text);
}

/* A bounce lab's answers: the exporter's sync keeps system coherent where user space cannot,
 * and udmabuf's own sync does not reach the device. A cell as wide as its verdict widens its
 * columns. */
static void test_tables_say_sync_ineffective(void **state)
{
    (void)state;
    const char *const cases[][2] = {{"system", "none"},
                                    {"system", "full"},
                                    {"system", "full-user"},
                                    {"udmabuf", "none"},
                                    {"udmabuf", "full"}};
    const double counts[][2] = {{64, 64}, {0, 0}, {64, 64}, {64, 64}, {64, 0}};
    char *text = stale_tables(cases, counts, 5);
    assert_non_null(strstr(text, "  full                               0/0 pass\n"));
    assert_non_null(strstr(text, "verdict: heap system NEEDS SYNC: up to 64 stale lines without "
                                 "it; the exporter's sync kept it coherent; user-space cache "
                                 "maintenance FAILED: up to 64 stale lines"));
    assert_non_null(strstr(text, "  strategy \\ size                          4 KiB\n"
                                 "  none                          64/64 needs-sync\n"
                                 "  full                     64/0 sync-ineffective\n"));
    assert_non_null(strstr(text, "verdict: heap udmabuf NEEDS SYNC: up to 64 stale lines without "
                                 "it; the exporter's sync is INEFFECTIVE: up to 64 stale lines "
                                 "after DMA_BUF_IOCTL_SYNC (it does not reach the device's "
                                 "mapping: a device behind bounce buffers cannot rely on it)\n"));
    free(text);
}

/* Each probe sweeps its own axes; c2c's "all" is the job's CPUs. */
static void test_kernels_axes_and_metrics(void **state)
{
    (void)state;
    char err[128];
    assert_int_equal(bench_coherency.check_kernel("fence", err, sizeof(err)), 0);
    assert_int_equal(bench_coherency.check_kernel("stall", err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "'stall' is not a coherency probe (stale, c2c, false-sharing, fence)");
    struct job job;
    job_init(&job, "t");
    snprintf(job.bench, sizeof(job.bench), "coherency");
    snprintf(job.cpus, sizeof(job.cpus), "0-2");
    const struct {
        enum sweep_axis axis;
        const char *text;
    } set[] = {{AXIS_KERNEL, "stale,c2c,false-sharing,fence"},
               {AXIS_SIZE, "4K,64K"},
               {AXIS_STRATEGY, "none,full"},
               {AXIS_ENGINE, "cpu,v4l2,vgem"}};
    for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++)
        assert_int_equal(sweep_parse_axis(set[i].axis, set[i].text, &job.axes[set[i].axis], err,
                                          sizeof(err)),
                         0);
    const char *heaps[] = {"host"};
    struct bench_case *cases;
    size_t n;
    assert_int_equal(sweep_expand(&job, heaps, 1, &cases, &n), 0);
    assert_int_equal(n, 2 * 2 * 3 + 3 * 3 + 1 + 3);
    assert_string_equal(cases[0].id,
                        "coherency:heap=host;size=4KiB;kernel=stale;strategy=none;engine=cpu");
    assert_string_equal(cases[12].id, "coherency:heap=host;kernel=c2c;cpu=0;peer=0");
    assert_string_equal(cases[13].id, "coherency:heap=host;kernel=c2c;cpu=0;peer=1");
    assert_string_equal(cases[21].id, "coherency:heap=host;kernel=false-sharing");
    assert_string_equal(cases[22].id, "coherency:heap=host;kernel=fence;engine=cpu");
    assert_string_equal(cases[24].id, "coherency:heap=host;kernel=fence;engine=vgem");
    const struct metric_def *const *defs;
    assert_int_equal(bench_coherency.metrics(&cases[0], &defs), 2);
    assert_string_equal(defs[0]->name, "stale_lines_cpu_to_dev");
    assert_string_equal(defs[0]->unit, "lines");
    assert_int_equal(bench_coherency.metrics(&cases[13], &defs), 1);
    assert_string_equal(defs[0]->name, "c2c_latency");
    assert_string_equal(defs[0]->unit, "ns");
    assert_int_equal(bench_coherency.metrics(&cases[21], &defs), 3);
    assert_string_equal(defs[0]->name, "false_sharing_cost");
    assert_string_equal(defs[0]->unit, "ratio");
    assert_int_equal(bench_coherency.metrics(&cases[22], &defs), 1);
    assert_string_equal(defs[0]->name, "fence_latency");
    free(cases);
}

/* --- the probes for real --------------------------------------------------------------------- */

/* Host memory and the cpu engine: coherent by construction, so not one stale line, in any
 * strategy that applies; those that do not apply say why. */
static void test_stale_on_host_finds_nothing_and_leaks_nothing(void **state)
{
    (void)state;
    int fds = fake_dev_open_fds();
    const char *strategies[] = {"none", "full-user", "partial-user"};
    for (size_t i = 0; i < sizeof(strategies) / sizeof(strategies[0]); i++) {
        struct fixture_case k;
        make_case(&k, "host", "stale", AXIS_SIZE, "64K", AXIS_STRATEGY, strategies[i], AXIS_ENGINE,
                  "cpu", -1);
        void *st = NULL;
        char reason[192];
        struct case_facts facts = {0};
        fx.env.facts = &facts;
        int ret = setup_case(&k, &st, reason, sizeof(reason));
        if (i > 0 && ret == -EOPNOTSUPP)
            continue; /* no user-space maintenance on this CPU */
        assert_int_equal(ret, 0);
        /* The windows' code, and why a round is not held to the floor. */
        assert_memory_equal(facts.implementation, strategies[i], strlen(strategies[i]));
        assert_string_equal(facts.note, "stale: a repetition is one probe round; it counts lines "
                                        "and times nothing, so no floor applies");
        for (int rep = 0; rep < 4; rep++) {
            struct sample_out out = {0};
            assert_int_equal(bench_coherency.sample(st, &out, reason, sizeof(reason)), 0);
            assert_true(out.timed_ns > 0); /* the round's own duration */
            assert_int_equal(out.n[0], 1);
            assert_int_equal(out.n[1], 1);
            assert_true(out.values[0][0] == 0);
            assert_true(out.values[1][0] == 0);
        }
        bench_coherency.teardown(st);
    }
    fx.env.facts = NULL;
    const struct {
        const char *strategy, *engine, *why;
    } skipped[] = {
            {"full", "cpu",
             "full: host memory is not a dma-buf, so there is no DMA_BUF_IOCTL_SYNC"},
            {"none", "vgem",
             "stale: engine vgem cannot copy: DRM vgem importer (no data movement)"},
            {"none", "v4l2", "stale: host memory is not a dma-buf, and v4l2 imports dma-bufs"},
    };
    for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++) {
        struct fixture_case k;
        make_case(&k, "host", "stale", AXIS_SIZE, "4K", AXIS_STRATEGY, skipped[i].strategy,
                  AXIS_ENGINE, skipped[i].engine, -1);
        void *st = NULL;
        char reason[192];
        assert_int_equal(setup_case(&k, &st, reason, sizeof(reason)), -EOPNOTSUPP);
        assert_string_equal(reason, skipped[i].why);
    }
    assert_nothing_live(fds);
}

/* A dma-buf (the planted heap's memfds) with the exporter's full sync: the sync ioctls are
 * made around every CPU access, and the data still arrives: pass. */
static void test_stale_full_sync_on_a_dmabuf(void **state)
{
    (void)state;
    int fds = fake_dev_open_fds();
    struct fixture_case k;
    make_case(&k, "system", "stale", AXIS_SIZE, "16K", AXIS_STRATEGY, "full", AXIS_ENGINE, "cpu",
              -1);
    void *st = NULL;
    char reason[192];
    assert_int_equal(setup_case(&k, &st, reason, sizeof(reason)), 0);
    fake.sync_calls = 0;
    struct sample_out out = {0};
    assert_int_equal(bench_coherency.sample(st, &out, reason, sizeof(reason)), 0);
    assert_true(out.values[0][0] == 0 && out.values[1][0] == 0);
    /* A write window on src, read windows on dst: three begin/end pairs per round. */
    assert_int_equal(fake.sync_calls, 6);
    bench_coherency.teardown(st);
    assert_nothing_live(fds);
}

static void test_c2c_latency_between_two_cpus(void **state)
{
    (void)state;
    int fds = fake_dev_open_fds();
    char reason[192], cpu[16], peer[16];
    snprintf(cpu, sizeof(cpu), "%u", pinning_cpu(fx.pins, 0));
    struct fixture_case same;
    make_case(&same, "host", "c2c", AXIS_CPU, cpu, AXIS_PEER, cpu, -1);
    void *st = NULL;
    assert_int_equal(setup_case(&same, &st, reason, sizeof(reason)), -EOPNOTSUPP);
    assert_non_null(strstr(reason, "no line crosses between caches"));
    if (pinning_count(fx.pins) < 2) {
        assert_nothing_live(fds);
        return;
    }
    snprintf(peer, sizeof(peer), "%u", pinning_cpu(fx.pins, 1));
    struct fixture_case k;
    make_case(&k, "host", "c2c", AXIS_CPU, cpu, AXIS_PEER, peer, -1);
    struct case_facts facts = {0};
    fx.env.facts = &facts;
    assert_int_equal(setup_case(&k, &st, reason, sizeof(reason)), 0);
    for (int rep = 0; rep < 2; rep++) {
        struct sample_out out = {0};
        assert_int_equal(bench_coherency.sample(st, &out, reason, sizeof(reason)), 0);
        assert_int_equal(out.n[0], 1);
        double ns = out.values[0][0];
        assert_true(ns > 0 && ns < 1e6);
        assert_true(out.work >= 1);
        /* Timed: every timed round trip, two transfers each; the work (what counters are
         * divided by) also counts the warm-up round trips the threads made. */
        uint64_t trips = (uint64_t)llround(out.timed_ns / (2 * ns));
        assert_true(trips >= 1);
        assert_true(out.work == (double)c2c_round_trips_made(trips));
        expect_floor_or_note(&out, &facts);
    }
    bench_coherency.teardown(st);
    fx.env.facts = NULL;
    struct fixture_case outside;
    make_case(&outside, "host", "c2c", AXIS_CPU, cpu, AXIS_PEER, "4095", -1);
    assert_int_equal(setup_case(&outside, &st, reason, sizeof(reason)), -EINVAL);
    assert_string_equal(reason, "c2c: CPU 4095 is not one this run may use (--cpus)");
    assert_nothing_live(fds);
}

static void test_false_sharing_runs(void **state)
{
    (void)state;
    int fds = fake_dev_open_fds();
    struct fixture_case k;
    make_case(&k, "host", "false-sharing", -1);
    void *st = NULL;
    char reason[192];
    int ret = setup_case(&k, &st, reason, sizeof(reason));
    if (pinning_count(fx.pins) < 2) {
        assert_int_equal(ret, -EOPNOTSUPP);
        assert_non_null(strstr(reason, "needs two CPUs"));
        return;
    }
    assert_int_equal(ret, 0);
    struct case_facts facts = {0};
    fx.env.facts = &facts;
    struct sample_out out = {0};
    assert_int_equal(bench_coherency.sample(st, &out, reason, sizeof(reason)), 0);
    double cost = out.values[0][0], shared = out.values[1][0], own = out.values[2][0];
    assert_true(shared > 0 && own > 0);
    assert_true(cost > shared / own * 0.999 && cost < shared / own * 1.001);
    /* Timed: the shorter of the two runs, so it is below either run's increments at its pace
     * (work counts both runs' increments). */
    assert_true(out.timed_ns < (shared > own ? shared : own) * out.work);
    expect_floor_or_note(&out, &facts);
    bench_coherency.teardown(st);
    fx.env.facts = NULL;
    assert_nothing_live(fds);
}

/* Fences need a dma-buf and a fence engine: host memory has none, the cpu engine makes no
 * fences, the planted board has no vgem and no debugfs for sw_sync. */
static void test_fence_says_why_it_cannot_run(void **state)
{
    (void)state;
    int fds = fake_dev_open_fds();
    struct fixture_case k;
    make_case(&k, "host", "fence", AXIS_ENGINE, "vgem", -1);
    void *st = NULL;
    char reason[192];
    assert_int_equal(setup_case(&k, &st, reason, sizeof(reason)), -EOPNOTSUPP);
    assert_string_equal(reason,
                        "fence: host memory is not a dma-buf, so it has no implicit fences");
    make_case(&k, "system", "fence", AXIS_ENGINE, "vgem", -1);
    assert_int_equal(setup_case(&k, &st, reason, sizeof(reason)), -EOPNOTSUPP);
    assert_non_null(strstr(reason, "vgem"));
    make_case(&k, "system", "fence", AXIS_ENGINE, "sw_sync", -1);
    assert_int_equal(setup_case(&k, &st, reason, sizeof(reason)), -EOPNOTSUPP);
    assert_non_null(strstr(reason, "debugfs"));
    make_case(&k, "system", "fence", AXIS_ENGINE, "cpu", -1);
    assert_int_equal(setup_case(&k, &st, reason, sizeof(reason)), -EOPNOTSUPP);
    assert_non_null(strstr(reason, "fence: engine cpu puts no fences on buffers"));
    assert_nothing_live(fds);
}

static void test_export_sync_file_wrapper(void **state)
{
    (void)state;
    fake.export_errno = 0;
    int fd = dmabuf_export_sync_file(5, HEAP_SYNC_READ);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(fake.export_flags, DMA_BUF_SYNC_READ);
    assert_true((fd = dmabuf_export_sync_file(5, HEAP_SYNC_RW)) >= 0);
    close(fd);
    assert_int_equal(fake.export_flags, DMA_BUF_SYNC_READ | DMA_BUF_SYNC_WRITE);
    fake.export_errno = ENOTTY; /* a kernel before 6.0 */
    assert_int_equal(dmabuf_export_sync_file(5, HEAP_SYNC_WRITE), -ENOTTY);
    int calls = fake.export_calls;
    assert_int_equal(dmabuf_export_sync_file(5, (enum heap_sync_dir)0), -EINVAL);
    assert_int_equal(fake.export_calls, calls); /* refused before the kernel */
}

static int refuse_side_one(void *ctx, unsigned side)
{
    (void)ctx;
    return side == 1 ? -EINVAL : 0;
}

static void count_body(void *arg, unsigned side)
{
    (void)side;
    __atomic_add_fetch((int *)arg, 1, __ATOMIC_RELAXED);
}

static void test_thread_pair_runs_both_or_neither(void **state)
{
    (void)state;
    int ran = 0;
    struct thread_pair ok = {.bind = NULL};
    assert_int_equal(thread_pair_run(&ok, count_body, &ran), 0);
    assert_int_equal(ran, 2);
    ran = 0;
    struct thread_pair bad = {.bind = refuse_side_one};
    assert_int_equal(thread_pair_run(&bad, count_body, &ran), -EINVAL);
    assert_int_equal(ran, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_stale_lines_count),
            cmocka_unit_test(test_stale_patterns_never_repeat),
            cmocka_unit_test(test_stale_verdict_rule),
            cmocka_unit_test(test_device_frames_of_a_size),
            cmocka_unit_test(test_bench_verdict_judges_the_worst_repetition),
            cmocka_unit_test(test_kernels_axes_and_metrics),
            cmocka_unit_test(test_tables_say_needs_sync_and_fail),
            cmocka_unit_test(test_tables_say_sync_ineffective),
            cmocka_unit_test(test_thread_pair_runs_both_or_neither),
            cmocka_unit_test_setup_teardown(test_stale_on_host_finds_nothing_and_leaks_nothing,
                                            setup_board, teardown_board),
            cmocka_unit_test_setup_teardown(test_stale_full_sync_on_a_dmabuf, setup_board,
                                            teardown_board),
            cmocka_unit_test_setup_teardown(test_c2c_latency_between_two_cpus, setup_board,
                                            teardown_board),
            cmocka_unit_test_setup_teardown(test_false_sharing_runs, setup_board, teardown_board),
            cmocka_unit_test_setup_teardown(test_fence_says_why_it_cannot_run, setup_board,
                                            teardown_board),
            cmocka_unit_test_setup_teardown(test_export_sync_file_wrapper, setup_board,
                                            teardown_board),
    };
    return cmocka_run_group_tests_name("coherency", tests, NULL, NULL);
}
