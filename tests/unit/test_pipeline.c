/* tests/unit/test_pipeline.c - the pipeline benchmark, its pool of frames and its checks.
 *
 * The benchmark runs for real on host memory with the cpu engine and must leave nothing
 * behind; on a fake dma-heap (memfds behind heap_ioctl_set_hook) its sync ioctls show the
 * windows of every frame and never more frames in flight than the pool holds. A fake engine
 * drives the failures a device can have (a refused job, a job that fails or never completes,
 * a wrong byte) and DMABENCH_FAULT's submit site reaches the real engine core.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#include "engine.h"
#include "frame_format.h"
#include "frame_pattern.h"
#include "heap.h"
#include "heap_fault.h"
#include "heap_ioctl.h"
#include "mem_guard.h"
#include "pinning.h"
#include "pipeline_pool.h"
#include "sync_strategy.h"

/* --- a fake board: host memory and a dma-heap whose buffers are memfds ----------------------- */

static struct {
    unsigned long write_begin, write_end, read_begin, read_end, other;
    long in_flight, max_in_flight; /* produced (write window closed), not yet consumed */
} kernel;

static int fake_ioctl(int fd, unsigned long request, void *arg)
{
    (void)fd;
    if (request == DMA_HEAP_IOCTL_ALLOC)
        return fake_dev_heap_alloc(arg);
    if (request != DMA_BUF_IOCTL_SYNC) {
        errno = ENOTTY;
        return -1;
    }
    switch (((struct dma_buf_sync *)arg)->flags) {
    case DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE:
        kernel.write_begin++;
        break;
    case DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE:
        kernel.write_end++;
        if (++kernel.in_flight > kernel.max_in_flight)
            kernel.max_in_flight = kernel.in_flight;
        break;
    case DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ:
        kernel.read_begin++;
        kernel.in_flight--;
        break;
    case DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ:
        kernel.read_end++;
        break;
    default: /* the first-touch windows (rw) */
        kernel.other++;
        break;
    }
    return 0;
}

static struct bench_fixture fx;

/* No /dev/video* and no /dev/dri under the fake root: v4l2 and vgem say why, on any host. */
static int setup_board(void **state)
{
    (void)state;
    memset(&kernel, 0, sizeof(kernel));
    bench_fixture_open(&fx, "pipe", fake_ioctl, 2e6);
    return 0;
}

static int teardown_board(void **state)
{
    (void)state;
    heap_fault_configure(NULL, NULL, 0);
    bench_fixture_close(&fx);
    return 0;
}

static void assert_nothing_live(void)
{
    struct heap_counts live = heap_registry_live(fx.reg);
    assert_int_equal(live.buffers, 0);
    assert_int_equal(live.mappings, 0);
}

/* --- frame patterns -------------------------------------------------------------------------- */

static void test_frame_pattern_catches_every_wrong_byte(void **state)
{
    (void)state;
    const size_t bytes = 3 * 4096 + 5; /* a tail that is no whole word */
    unsigned char *frame = aligned_alloc(64, 4 * 4096);
    assert_non_null(frame);
    struct frame_mismatch bad;
    frame_pattern_write(frame, bytes, 7);
    assert_true(frame_pattern_check(frame, bytes, 7, &bad));
    /* Another frame's contents (a stale buffer of the pool) are wrong from the first byte. */
    assert_false(frame_pattern_check(frame, bytes, 8, &bad));
    assert_int_equal(bad.offset, 0);
    const size_t offsets[] = {0, 9, 4096 * 2 + 17, bytes - 8, bytes - 1};
    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        unsigned char right = frame[offsets[i]];
        frame[offsets[i]] ^= 0x40;
        assert_false(frame_pattern_check(frame, bytes, 7, &bad));
        assert_int_equal(bad.offset, offsets[i]);
        assert_int_equal(bad.want, right);
        assert_int_equal(bad.got, right ^ 0x40);
        frame[offsets[i]] = right;
    }
    assert_true(frame_pattern_check(frame, bytes, 7, &bad));
    /* A copy shifted by one word is caught too. */
    memmove(frame + 8, frame, bytes - 8);
    assert_false(frame_pattern_check(frame, bytes, 7, &bad));
    free(frame);
}

/* --- the benchmark, for real ----------------------------------------------------------------- */

static void make_case(struct fixture_case *k, const char *heap, const char *strategy,
                      const char *pool, const char *format, const char *engine)
{
    bench_fixture_case(k, "pipeline", bench_pipeline.axes, AXIS_HEAP, heap, AXIS_STRATEGY, strategy,
                       AXIS_POOL, pool, AXIS_FORMAT, format, AXIS_ENGINE, engine, -1);
    sweep_case_id(&k->c, k->c.id, sizeof(k->c.id));
}

static void test_pipeline_is_registered(void **state)
{
    (void)state;
    assert_ptr_equal(bench_find("pipeline"), &bench_pipeline);
    const struct metric_def *const *defs;
    struct fixture_case k;
    make_case(&k, "host", "none", "2", "nv12:640x480", "cpu");
    assert_string_equal(k.c.id, "pipeline:heap=host;strategy=none;pool=2;format=nv12:640x480;"
                                "engine=cpu");
    assert_int_equal(bench_pipeline.metrics(&k.c, &defs), 3);
    /* plot.c's pipeline plot and report_advice.c's pool advice look for these. */
    assert_string_equal(defs[0]->name, "throughput");
    assert_string_equal(defs[0]->unit, "frames/s");
    assert_int_equal(defs[0]->better, BETTER_HIGHER);
    assert_string_equal(defs[1]->name, "frame_bandwidth");
    assert_string_equal(defs[1]->unit, "bytes/s");
    assert_string_equal(defs[2]->name, "frame_latency");
    assert_string_equal(defs[2]->unit, "ns");
    assert_int_equal(defs[2]->better, BETTER_LOWER);
    assert_string_equal(bench_pipeline.work_unit, "frame");
    char err[192];
    assert_int_equal(bench_pipeline.check_kernel("default", err, sizeof(err)), 0);
    assert_int_equal(bench_pipeline.check_kernel("copy", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "--pool"));
}

/* Setup, samples and teardown as the runner calls them: sane numbers, nothing left behind. */
static void test_pipeline_runs_and_cleans_up(void **state)
{
    (void)state;
    int fds = fake_dev_open_fds();
    const char *pools[] = {"1", "2", "4"};
    for (size_t i = 0; i < sizeof(pools) / sizeof(pools[0]); i++) {
        struct fixture_case k;
        make_case(&k, "host", "none", pools[i], "nv12:320x240", "cpu");
        long depth = k.c.value[AXIS_POOL]->number;
        size_t frame = 320 * 240 * 3 / 2;
        void *st = NULL;
        char reason[192] = "";
        struct case_facts facts = {0};
        fx.env.facts = &facts;
        if (bench_pipeline.setup(&k.c, &fx.env, &st, reason, sizeof(reason)))
            fail_msg("setup: %s", reason);
        /* What ran, and why its latency samples are shorter than the floor. */
        assert_string_equal(facts.implementation, "none");
        assert_non_null(strstr(facts.note, "pipeline: frame_latency is per frame; "
                                           "throughput is over a repetition's "));
        for (int rep = 0; rep < 3; rep++) {
            struct sample_out out = {0};
            if (bench_pipeline.sample(st, &out, reason, sizeof(reason)))
                fail_msg("sample: %s", reason);
            assert_int_equal(out.n[0], 1);
            assert_int_equal(out.n[1], 1);
            double fps = out.values[0][0], bandwidth = out.values[1][0];
            assert_true(fps > 1 && fps < 1e8);
            assert_true(bandwidth > fps * frame * 0.999 && bandwidth < fps * frame * 1.001);
            /* The repetition's timed part is its steady-state frames, which throughput is
             * over; it reaches the floor, or the note says this one did not. */
            double timed = (double)out.n[2] / fps * 1e9;
            assert_true(out.timed_ns > timed * 0.999 && out.timed_ns < timed * 1.001);
            if (out.timed_ns < fx.env.min_sample_ns)
                assert_non_null(strstr(facts.note, "under the 2 ms floor"));
            /* Several rounds of the pool per sample, one latency each, each a real time. */
            assert_true(out.n[2] >= 4 * (size_t)depth);
            for (size_t f = 0; f < out.n[2]; f++)
                assert_true(out.values[2][f] > 0 && out.values[2][f] < 10e9);
            /* Work counts every frame that moved: the timed ones, the fill and the drain. */
            assert_true(out.work == (double)(out.n[2] + (size_t)depth));
        }
        bench_pipeline.teardown(st);
        fx.env.facts = NULL;
        assert_nothing_live();
    }
    assert_int_equal(fake_dev_open_fds(), fds);
}

static void expect_skip(const char *heap, const char *strategy, const char *engine, const char *why)
{
    struct fixture_case k;
    make_case(&k, heap, strategy, "2", "nv12:320x240", engine);
    void *st = NULL;
    char reason[192] = "";
    assert_int_equal(bench_pipeline.setup(&k.c, &fx.env, &st, reason, sizeof(reason)), -EOPNOTSUPP);
    if (!strstr(reason, why))
        fail_msg("reason '%s' lacks '%s'", reason, why);
    assert_nothing_live();
}

/* Cases that do not apply here are skipped with the reason, and leave nothing behind. */
static void test_pipeline_skips_with_reasons(void **state)
{
    (void)state;
    int fds = fake_dev_open_fds();
    expect_skip("host", "full", "cpu", "host memory is not a dma-buf");
    expect_skip("host", "partial-ioctl", "cpu", "host memory is not a dma-buf");
    expect_skip("host", "none", "vgem", "vgem: moves no data");
    expect_skip("host", "none", "v4l2", "engine v4l2: ");
    assert_int_equal(fake_dev_open_fds(), fds);
    /* A heap this machine lacks is an error, not a skip. */
    struct fixture_case k;
    make_case(&k, "reserved", "none", "1", "nv12:320x240", "cpu");
    void *st = NULL;
    char reason[192] = "";
    assert_int_equal(bench_pipeline.setup(&k.c, &fx.env, &st, reason, sizeof(reason)), -ENODEV);
}

/* On a dma-heap with the exporter's sync: one write window per frame produced, one read
 * window per frame consumed, and never more frames between the two than the pool holds. */
static void test_pipeline_sync_windows_and_pool_depth(void **state)
{
    (void)state;
    const char *pools[] = {"1", "3", "4"};
    for (size_t i = 0; i < sizeof(pools) / sizeof(pools[0]); i++) {
        memset(&kernel, 0, sizeof(kernel));
        struct fixture_case k;
        make_case(&k, "system", "full", pools[i], "rgba:64x64", "cpu");
        unsigned long depth = (unsigned long)k.c.value[AXIS_POOL]->number;
        void *st = NULL;
        char reason[192] = "";
        if (bench_pipeline.setup(&k.c, &fx.env, &st, reason, sizeof(reason)))
            fail_msg("setup: %s", reason);
        assert_int_equal(kernel.other, 2 * 2 * depth); /* first touch: begin + end per buffer */
        /* Sizing: a warm pass and a pass to size from (4 rounds each, plus the fill), then
         * the checks; every frame of them went through both windows. */
        double moved = kernel.write_begin;
        assert_true(moved >= 2 * 5.0 * depth);
        for (int rep = 0; rep < 2; rep++) {
            struct sample_out out = {0};
            if (bench_pipeline.sample(st, &out, reason, sizeof(reason)))
                fail_msg("sample: %s", reason);
            moved += out.work;
        }
        bench_pipeline.teardown(st);
        assert_true(kernel.write_begin == moved);
        assert_int_equal(kernel.write_end, kernel.write_begin);
        assert_int_equal(kernel.read_begin, kernel.write_begin);
        assert_int_equal(kernel.read_end, kernel.write_begin);
        assert_int_equal(kernel.in_flight, 0);
        assert_int_equal(kernel.max_in_flight, depth);
        assert_nothing_live();
    }
}

/* --- failures from the engine ---------------------------------------------------------------- */

#define FAKE_TICKETS 4096

static struct {
    unsigned slots;
    unsigned long submits, fail_submit;
    int submit_err;
    uint64_t fail_wait, corrupt;
    int wait_err;
    long outstanding, max_outstanding;
    bool done[FAKE_TICKETS];
    long attached_at_close;
} fake;

static void fake_probe(const char *device, struct engine_probe *out)
{
    (void)device;
    out->available = true;
}

static int fake_open(struct engine *e, const struct engine_config *cfg, char *why, size_t why_len)
{
    (void)e, (void)why, (void)why_len;
    fake.slots = cfg->slots;
    return 0;
}

static void fake_close(struct engine *e)
{
    fake.attached_at_close = e->attached;
}

static int fake_attach(struct engine *e, struct engine_buf *b, char *why, size_t why_len)
{
    (void)e, (void)why, (void)why_len;
    return heap_mmap(b->buf, &b->priv);
}

static void fake_detach(struct engine_buf *b)
{
    heap_munmap(b->buf, b->priv);
}

/* A synchronous engine: the copy is done at submit, the wait only reports it. */
static int fake_submit(struct engine *e, const struct engine_job *job, uint64_t ticket)
{
    (void)e;
    if (++fake.submits == fake.fail_submit)
        return fake.submit_err;
    assert_true(ticket < FAKE_TICKETS);
    memcpy((char *)job->dst->priv + job->dst_off, (char *)job->src->priv + job->src_off, job->len);
    if (ticket == fake.corrupt)
        ((unsigned char *)job->dst->priv)[123] ^= 0x01;
    if (++fake.outstanding > fake.max_outstanding)
        fake.max_outstanding = fake.outstanding;
    return 0;
}

static int fake_wait(struct engine *e, uint64_t ticket, int timeout_ms)
{
    (void)e, (void)timeout_ms;
    if (!fake.done[ticket]) {
        fake.done[ticket] = true;
        fake.outstanding--;
    }
    return ticket == fake.fail_wait ? fake.wait_err : 0;
}

static const struct engine_ops fake_engine = {
        .name = "fake",
        .label = "a test engine",
        .caps = ENGINE_CAP_OP(ENGINE_OP_COPY) | ENGINE_CAP_ANY_HEAP,
        .probe = fake_probe,
        .open = fake_open,
        .close = fake_close,
        .attach = fake_attach,
        .detach = fake_detach,
        .submit = fake_submit,
        .wait = fake_wait,
};

static struct pipeline_pool *open_fake_pool(unsigned depth)
{
    memset(&fake, 0, sizeof(fake));
    fake.attached_at_close = -1;
    struct pipeline_pool_config cfg = {
            .heap = heap_registry_find(fx.reg, "host"),
            .req = {.size = 64 * 64 * 4 + 12}, /* not a whole number of pages or words */
            .engine = &fake_engine,
            .strategy = {.kind = SYNC_NONE},
            .depth = depth,
    };
    struct pipeline_pool *p;
    char why[192] = "";
    if (pipeline_pool_open(&cfg, &p, why, sizeof(why)))
        fail_msg("open: %s", why);
    assert_int_equal(fake.slots, depth); /* the engine is told the pool depth */
    return p;
}

static void close_fake_pool(struct pipeline_pool *p)
{
    pipeline_pool_close(p);
    assert_int_equal(fake.attached_at_close, 0);
    assert_int_equal(fake.outstanding, 0);
    assert_nothing_live();
}

static void test_pool_never_exceeds_its_depth(void **state)
{
    (void)state;
    double latency[64], elapsed;
    char why[192];
    for (unsigned depth = 1; depth <= 5; depth++) {
        struct pipeline_pool *p = open_fake_pool(depth);
        assert_int_equal(pipeline_pool_run(p, 20, latency, &elapsed, why, sizeof(why)), 0);
        assert_int_equal(fake.max_outstanding, depth);
        assert_int_equal(fake.submits, 20 + depth);
        assert_int_equal(fake.outstanding, 0);
        assert_true(elapsed > 0);
        for (int f = 0; f < 20; f++)
            assert_true(latency[f] > 0);
        close_fake_pool(p);
    }
}

static void expect_failure(struct pipeline_pool *p, int err, const char *why_part)
{
    double latency[16], elapsed;
    char why[192] = "";
    assert_int_equal(pipeline_pool_run(p, 16, latency, &elapsed, why, sizeof(why)), err);
    if (!strstr(why, why_part))
        fail_msg("'%s' lacks '%s'", why, why_part);
    /* Nothing is left in flight: the pool runs again (the fault was once) or closes. */
    assert_int_equal(fake.outstanding, 0);
    assert_int_equal(pipeline_pool_run(p, 16, latency, &elapsed, why, sizeof(why)), 0);
}

static void test_engine_failures_are_errors(void **state)
{
    (void)state;
    struct pipeline_pool *p = open_fake_pool(3);
    fake.fail_wait = 5;
    fake.wait_err = -EIO;
    expect_failure(p, -EIO, "engine fake: frame 4's copy failed");
    close_fake_pool(p);

    p = open_fake_pool(2);
    fake.fail_wait = 7;
    fake.wait_err = -ETIMEDOUT;
    expect_failure(p, -ETIMEDOUT, "engine fake: frame 6's copy not done after 5000 ms");
    close_fake_pool(p);

    p = open_fake_pool(4);
    fake.fail_submit = 9;
    fake.submit_err = -EBUSY;
    expect_failure(p, -EBUSY, "engine fake: submit of frame 8's copy");
    close_fake_pool(p);

    /* A wrong byte is an error, never a number. */
    p = open_fake_pool(2);
    fake.corrupt = 3;
    expect_failure(p, -EIO, "frame 2: byte 123 of the engine's copy is 0x");
    close_fake_pool(p);
}

/* DMABENCH_FAULT=submit:N:ERRNO reaches the real engines through the core. */
static void test_submit_fault_site(void **state)
{
    (void)state;
    struct heap_buf *src, *dst;
    struct heap_alloc_req req = {.size = 4096};
    struct heap *host = heap_registry_find(fx.reg, "host");
    assert_int_equal(heap_alloc(host, &req, &src), 0);
    assert_int_equal(heap_alloc(host, &req, &dst), 0);
    struct engine *e;
    struct engine_buf *s, *d;
    struct engine_config cfg = {.cpu = -1};
    char why[192];
    assert_int_equal(engine_open(engine_find("cpu"), &cfg, &e, why, sizeof(why)), 0);
    assert_int_equal(engine_attach(e, src, &s, why, sizeof(why)), 0);
    assert_int_equal(engine_attach(e, dst, &d, why, sizeof(why)), 0);
    struct engine_job job = {.op = ENGINE_OP_COPY, .src = s, .dst = d, .len = 4096};
    assert_int_equal(heap_fault_configure("submit:2:EBUSY", why, sizeof(why)), 0);
    uint64_t ticket = 0;
    assert_int_equal(engine_submit(e, &job, &ticket), 0);
    assert_int_equal(ticket, 1);
    assert_int_equal(engine_submit(e, &job, &ticket), -EBUSY);
    assert_int_equal(e->submitted, 1); /* a refused job uses up no ticket */
    assert_int_equal(engine_submit(e, &job, &ticket), 0);
    assert_int_equal(ticket, 2);
    assert_int_equal(engine_wait(e, 2, 5000), 0);
    assert_int_equal(heap_fault_calls(HEAP_FAULT_SUBMIT), 3);
    heap_fault_configure(NULL, NULL, 0);
    engine_detach(s);
    engine_detach(d);
    engine_close(e);
    heap_free(src);
    heap_free(dst);

    /* In the benchmark: the sample fails with the engine's errno and says where. */
    struct fixture_case k;
    make_case(&k, "host", "none", "2", "nv12:320x240", "cpu");
    void *st = NULL;
    char reason[192] = "";
    if (bench_pipeline.setup(&k.c, &fx.env, &st, reason, sizeof(reason)))
        fail_msg("setup: %s", reason);
    assert_int_equal(heap_fault_configure("submit:5+:EIO", why, sizeof(why)), 0);
    struct sample_out out = {0};
    assert_int_equal(bench_pipeline.sample(st, &out, reason, sizeof(reason)), -EIO);
    assert_non_null(strstr(reason, "engine cpu: submit of frame"));
    heap_fault_configure(NULL, NULL, 0);
    bench_pipeline.teardown(st);
    assert_nothing_live();
}

/* --- the memory guard ------------------------------------------------------------------------ */

static void test_mem_guard_counts_the_pool(void **state)
{
    (void)state;
    struct fixture_case k;
    make_case(&k, "host", "none", "4", "rgba:4k", "cpu");
    char how[96];
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t frame = (3840 * 2160 * 4 + page - 1) / page * page;
    assert_int_equal(mem_guard_case_bytes(&k.c, how, sizeof(how)), 2 * 4 * frame);
    assert_non_null(strstr(how, "x pool 4 x 2"));
    struct mem_guard g;
    memset(&g, 0, sizeof(g));
    mem_guard_add(&g, &k.c, heap_registry_find(fx.reg, "host"));
    struct mem_info small = {.mem_available = 256u << 20};
    struct mem_limit half = {.percent = 50};
    char err[512];
    assert_int_equal(mem_guard_check(&g, &small, &half, err, sizeof(err)), -E2BIG);
    assert_non_null(strstr(err, "lower --frame or --pool"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_frame_pattern_catches_every_wrong_byte),
            cmocka_unit_test_setup_teardown(test_pipeline_is_registered, setup_board,
                                            teardown_board),
            cmocka_unit_test_setup_teardown(test_pipeline_runs_and_cleans_up, setup_board,
                                            teardown_board),
            cmocka_unit_test_setup_teardown(test_pipeline_skips_with_reasons, setup_board,
                                            teardown_board),
            cmocka_unit_test_setup_teardown(test_pipeline_sync_windows_and_pool_depth, setup_board,
                                            teardown_board),
            cmocka_unit_test_setup_teardown(test_pool_never_exceeds_its_depth, setup_board,
                                            teardown_board),
            cmocka_unit_test_setup_teardown(test_engine_failures_are_errors, setup_board,
                                            teardown_board),
            cmocka_unit_test_setup_teardown(test_submit_fault_site, setup_board, teardown_board),
            cmocka_unit_test_setup_teardown(test_mem_guard_counts_the_pool, setup_board,
                                            teardown_board),
    };
    return cmocka_run_group_tests_name("pipeline", tests, NULL, NULL);
}
