/* tests/unit/test_sync.c - sync strategies and the sync benchmark.
 *
 * Strategy selection must say why a strategy does not apply (host memory has no dma-buf ioctl,
 * a kernel without the partial ioctl, a method that cannot invalidate), and carry out the
 * right ioctls with the right flags and ranges when it does. A fake kernel behind
 * heap_ioctl_set_hook() and a planted /dev/dma_heap stand in for a board's dma-heap; the
 * benchmark runs for real on host memory and must leave no buffer, mapping or fd behind.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#include "cache_maint.h"
#include "dma_buf_partial.h"
#include "heap.h"
#include "heap_dev.h"
#include "heap_ioctl.h"
#include "pinning.h"
#include "sync_strategy.h"
#include "timing.h"

/* --- a fake dma-heap kernel ------------------------------------------------------------------ */

static struct {
    int sync_calls, partial_calls;
    unsigned long long sync_flags[8];     /* the last flags, by call number mod 8 */
    struct dma_buf_sync_partial last[64]; /* partial syncs, in order (mod 64) */
    int partial_errno;                    /* ENOTTY: a mainline kernel */
} fake;

static int fake_ioctl(int fd, unsigned long request, void *arg)
{
    (void)fd;
    switch (request) {
    case DMA_HEAP_IOCTL_ALLOC:
        return fake_dev_heap_alloc(arg);
    case DMA_BUF_IOCTL_SYNC:
        fake.sync_flags[fake.sync_calls++ % 8] = ((struct dma_buf_sync *)arg)->flags;
        return 0;
    case DMA_BUF_IOCTL_SYNC_PARTIAL:
        if (fake.partial_errno) {
            errno = fake.partial_errno;
            return -1;
        }
        fake.last[fake.partial_calls++ % 64] = *(struct dma_buf_sync_partial *)arg;
        return 0;
    default:
        errno = ENOTTY;
        return -1;
    }
}

static char dev_root[64];
static struct heap_registry *reg;

static int setup_fake_board(void **state)
{
    (void)state;
    fake_dev_plant(dev_root, "sync");
    heap_ioctl_set_hook(fake_ioctl);
    memset(&fake, 0, sizeof(fake));
    assert_int_equal(heap_registry_open(&reg, NULL, 0), 0);
    return 0;
}

static int teardown_fake_board(void **state)
{
    (void)state;
    struct heap_counts leaked;
    heap_registry_close(reg, &leaked);
    assert_int_equal(leaked.buffers, 0);
    assert_int_equal(leaked.mappings, 0);
    heap_ioctl_set_hook(NULL);
    fake_dev_remove(dev_root);
    return 0;
}

/* A mapped buffer of size bytes from a heap of the fake board. */
static struct heap_buf *buffer(const char *heap_name, size_t size, void **map)
{
    struct heap *heap = heap_registry_find(reg, heap_name);
    assert_non_null(heap);
    struct heap_alloc_req req = {.size = size};
    struct heap_buf *buf;
    assert_int_equal(heap_alloc(heap, &req, &buf), 0);
    assert_int_equal(heap_mmap(buf, map), 0);
    return buf;
}

static struct sync_layout layout(size_t buf, size_t region, size_t offset, size_t count)
{
    return (struct sync_layout){.buf_size = buf,
                                .region = region,
                                .offset = offset,
                                .count = count,
                                .line = cache_line_size()};
}

/* --- strategies --------------------------------------------------------------------------------
 */

static void test_strategy_names(void **state)
{
    (void)state;
    const char *names[] = {"none",
                           "full",
                           "partial-ioctl",
                           "partial-user",
                           "full-user",
                           "partial-user:clwb",
                           "full-user:dc-civac",
                           "partial-user:dc-cvau"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct sync_strategy s;
        char back[64];
        assert_int_equal(sync_strategy_parse(names[i], &s), 0);
        sync_strategy_format(&s, back, sizeof(back));
        assert_string_equal(back, names[i]);
    }
    struct sync_strategy s;
    assert_int_equal(sync_strategy_parse("partial-user:clflushopt", &s), 0);
    assert_int_equal(s.kind, SYNC_PARTIAL_USER);
    assert_true(s.has_method);
    assert_int_equal(s.method, CACHE_M_CLFLUSHOPT);
    assert_true(sync_kind_is_user(SYNC_FULL_USER));
    assert_false(sync_kind_is_user(SYNC_FULL));
    assert_false(sync_kind_syncs(SYNC_NONE));
    assert_true(sync_kind_syncs(SYNC_PARTIAL_IOCTL));
    /* Methods belong to user strategies only; names are exact. */
    assert_int_equal(sync_strategy_parse("full:clwb", &s), -EINVAL);
    assert_int_equal(sync_strategy_parse("partial-ioctl:clwb", &s), -EINVAL);
    assert_int_equal(sync_strategy_parse("partial-user:", &s), -EINVAL);
    assert_int_equal(sync_strategy_parse("partial", &s), -EINVAL);
    assert_int_equal(sync_strategy_parse("Full", &s), -EINVAL);
    enum heap_sync_dir dir;
    assert_int_equal(sync_dir_parse("rw", &dir), 0);
    assert_int_equal(dir, HEAP_SYNC_RW);
    assert_int_equal(sync_dir_parse("readwrite", &dir), -EINVAL);
}

/* What a window says it runs: the kind, and for user kinds the instructions, begin's first. */
static void expect_described(const struct sync_window *w, const char *want)
{
    char got[64];
    sync_window_describe(w, got, sizeof(got));
    assert_string_equal(got, want);
}

/* Which strategies apply to host memory here, and the reasons of those that do not. */
static void test_host_memory_windows(void **state)
{
    (void)state;
    void *map;
    struct heap_buf *buf = buffer("host", 1 << 20, &map);
    struct sync_window w;
    struct sync_strategy s;
    char why[256] = "";
    struct sync_layout l = layout(buf->size, 4096, 0, 4);

    sync_strategy_parse("full", &s);
    assert_int_equal(sync_window_init(&w, buf, map, &s, HEAP_SYNC_RW, &l, why, sizeof(why)),
                     -EOPNOTSUPP);
    assert_string_equal(why, "full: host memory is not a dma-buf, so there is no "
                             "DMA_BUF_IOCTL_SYNC");
    sync_strategy_parse("partial-ioctl", &s);
    assert_int_equal(sync_window_init(&w, buf, map, &s, HEAP_SYNC_RW, &l, why, sizeof(why)),
                     -EOPNOTSUPP);
    sync_strategy_parse("none", &s);
    assert_int_equal(sync_window_init(&w, buf, map, &s, HEAP_SYNC_RW, &l, why, sizeof(why)), 0);
    assert_int_equal(sync_window_begin(&w), 0);
    assert_int_equal(sync_window_end(&w), 0);
    assert_int_equal(sync_window_bytes(&w), 4 * 4096);
    expect_described(&w, "none");

    /* A layout that does not fit is -ERANGE whatever the strategy. */
    struct sync_layout too_big = layout(buf->size, 1 << 20, 64, 1);
    assert_int_equal(sync_window_init(&w, buf, map, &s, HEAP_SYNC_RW, &too_big, why, sizeof(why)),
                     -ERANGE);

    const char *reason;
    enum cache_method inval, clean;
    bool user = cache_method_best(CACHE_OP_CLEAN_INVAL, &inval, &reason) == 0 &&
                cache_method_best(CACHE_OP_CLEAN, &clean, &reason) == 0;
    sync_strategy_parse("partial-user", &s);
    int ret = sync_window_init(&w, buf, map, &s, HEAP_SYNC_RW, &l, why, sizeof(why));
    if (!user) {
        assert_int_equal(ret, -EOPNOTSUPP);
    } else {
        /* rw: begin invalidates, end cleans; each of the 4 regions is 4096 / line lines. */
        assert_int_equal(ret, 0);
        assert_true(w.begin_maint);
        assert_int_equal(w.begin_m, inval);
        assert_int_equal(w.end_m, clean);
        assert_int_equal(w.lines_per_sync, 2 * 4 * (4096 / cache_line_size()));
        /* The rows name the instructions chosen here: both, when begin's and end's differ. */
        char both[64];
        if (inval != clean)
            snprintf(both, sizeof(both), "%s+%s", cache_method_name(inval),
                     cache_method_name(clean));
        else
            snprintf(both, sizeof(both), "%s", cache_method_name(clean));
        char want[80];
        snprintf(want, sizeof(want), "partial-user:%s", both);
        expect_described(&w, want);
        /* write: the CPU only writes, nothing to invalidate at begin. */
        assert_int_equal(sync_window_init(&w, buf, map, &s, HEAP_SYNC_WRITE, &l, why, sizeof(why)),
                         0);
        assert_false(w.begin_maint);
        assert_int_equal(w.lines_per_sync, 4 * (4096 / cache_line_size()));
        snprintf(want, sizeof(want), "partial-user:%s", cache_method_name(clean));
        expect_described(&w, want);
        sync_strategy_parse("full-user", &s);
        assert_int_equal(sync_window_init(&w, buf, map, &s, HEAP_SYNC_READ, &l, why, sizeof(why)),
                         0);
        assert_int_equal(w.lines_per_sync, 2 * (buf->size / cache_line_size()));
        assert_int_equal(sync_window_bytes(&w), buf->size);
        snprintf(want, sizeof(want), "full-user:%s", both);
        expect_described(&w, want);
        /* A named method is the one that runs, at begin and at end. */
        sync_strategy_parse("full-user", &s);
        s.has_method = true;
        s.method = inval;
        assert_int_equal(sync_window_init(&w, buf, map, &s, HEAP_SYNC_RW, &l, why, sizeof(why)), 0);
        snprintf(want, sizeof(want), "full-user:%s", cache_method_name(inval));
        expect_described(&w, want);
    }
#if defined(__x86_64__)
    /* clwb cannot invalidate: fine for write windows, refused for read and rw. */
    sync_strategy_parse("partial-user:clwb", &s);
    if (cache_method_available(CACHE_M_CLWB, &reason) == 0) {
        assert_int_equal(sync_window_init(&w, buf, map, &s, HEAP_SYNC_WRITE, &l, why, sizeof(why)),
                         0);
        assert_int_equal(sync_window_init(&w, buf, map, &s, HEAP_SYNC_READ, &l, why, sizeof(why)),
                         -EOPNOTSUPP);
        assert_string_equal(why, "partial-user:clwb: clwb only cleans, and a read or rw window "
                                 "must invalidate at begin (write-only windows can use it)");
    }
    sync_strategy_parse("full-user:dc-civac", &s);
    assert_int_equal(sync_window_init(&w, buf, map, &s, HEAP_SYNC_RW, &l, why, sizeof(why)),
                     -EOPNOTSUPP);
    assert_string_equal(why, "full-user:dc-civac: an arm64 instruction: not an arm64 build");
#elif defined(__aarch64__)
    sync_strategy_parse("partial-user:dc-cvau", &s);
    assert_int_equal(sync_window_init(&w, buf, map, &s, HEAP_SYNC_WRITE, &l, why, sizeof(why)),
                     -EOPNOTSUPP);
    assert_string_equal(why, "partial-user:dc-cvau: dc-cvau does not clean to memory, so a "
                             "device would not see the data");
#endif
    heap_free(buf);
}

/* User maintenance over real memory: every byte is still there afterwards. */
static void test_user_maintenance_keeps_data(void **state)
{
    (void)state;
    void *map;
    struct heap_buf *buf = buffer("host", 256 << 10, &map);
    unsigned char *bytes = map;
    for (size_t i = 0; i < buf->size; i++)
        bytes[i] = (unsigned char)(i ^ (i >> 8));
    const char *kinds[] = {"partial-user", "full-user"};
    for (size_t k = 0; k < 2; k++) {
        struct sync_strategy s;
        struct sync_window w;
        char why[256];
        struct sync_layout l = layout(buf->size, 1000, 13, 8);
        sync_strategy_parse(kinds[k], &s);
        if (sync_window_init(&w, buf, map, &s, HEAP_SYNC_RW, &l, why, sizeof(why)))
            skip();
        for (int i = 0; i < 3; i++) {
            assert_int_equal(sync_window_begin(&w), 0);
            assert_int_equal(sync_window_end(&w), 0);
        }
    }
    for (size_t i = 0; i < buf->size; i++)
        if (bytes[i] != (unsigned char)(i ^ (i >> 8)))
            fail_msg("byte %zu changed", i);
    heap_free(buf);
}

/* full on a dma-buf: one DMA_BUF_IOCTL_SYNC at begin and at end, with the direction's flags. */
static void test_full_sync_ioctls(void **state)
{
    (void)state;
    void *map;
    struct heap_buf *buf = buffer("system", 64 << 10, &map);
    struct sync_strategy s;
    struct sync_window w;
    char why[256];
    struct sync_layout l = layout(buf->size, 4096, 0, 2);
    sync_strategy_parse("full", &s);
    fake.sync_calls = 0;
    assert_int_equal(sync_window_init(&w, buf, map, &s, HEAP_SYNC_READ, &l, why, sizeof(why)), 0);
    assert_int_equal(sync_window_begin(&w), 0);
    assert_int_equal(sync_window_end(&w), 0);
    assert_int_equal(fake.sync_calls, 2);
    assert_int_equal(fake.sync_flags[0], DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
    assert_int_equal(fake.sync_flags[1], DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
    assert_int_equal(w.ioctls, 2);
    assert_int_equal(sync_window_bytes(&w), buf->size);
    expect_described(&w, "full");
    heap_free(buf);
}

/* partial-ioctl: refused with the reason on a mainline kernel; one ioctl per region, each over
 * its region rounded to lines, where the kernel has it. */
static void test_partial_ioctl(void **state)
{
    (void)state;
    void *map;
    struct heap_buf *buf = buffer("system", 64 << 10, &map);
    struct sync_strategy s;
    struct sync_window w;
    char why[256];
    struct sync_layout l = layout(buf->size, 100, 10, 4);
    sync_strategy_parse("partial-ioctl", &s);
    fake.partial_errno = ENOTTY;
    assert_int_equal(sync_window_init(&w, buf, map, &s, HEAP_SYNC_RW, &l, why, sizeof(why)),
                     -EOPNOTSUPP);
    assert_string_equal(why, "system: the exporter has no DMA_BUF_IOCTL_SYNC_PARTIAL (a vendor "
                             "ioctl; mainline kernels answer ENOTTY), so a partial sync would be "
                             "a full one");

    /* A vendor kernel: the heap's answer is probed anew only in a fresh registry. */
    heap_free(buf);
    teardown_fake_board(NULL);
    setup_fake_board(NULL);
    buf = buffer("system", 64 << 10, &map);
    fake.partial_errno = 0;
    assert_int_equal(sync_window_init(&w, buf, map, &s, HEAP_SYNC_WRITE, &l, why, sizeof(why)), 0);
    fake.partial_calls = 0;
    assert_int_equal(sync_window_begin(&w), 0);
    assert_int_equal(fake.partial_calls, 4);
    size_t stride = sync_layout_stride(&l);
    for (size_t k = 0; k < 4; k++) {
        /* Region k at 10 + k * stride, 100 bytes: lines from its line start to past its end. */
        size_t start = (10 + k * stride) & ~(size_t)63;
        assert_int_equal(fake.last[k].offset, start);
        assert_int_equal(fake.last[k].len, 128);
        assert_int_equal(fake.last[k].flags, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
    }
    assert_int_equal(sync_window_end(&w), 0);
    assert_int_equal(fake.partial_calls, 8);
    assert_int_equal(fake.last[4].flags, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
    assert_int_equal(sync_window_bytes(&w), 4 * 128);
    expect_described(&w, "partial-ioctl");
    heap_free(buf);
}

/* --- the benchmark ------------------------------------------------------------------------------
 */

/* A sync case; importers above "0" attach through vgem. */
static void make_case_through(struct fixture_case *k, const char *heap, const char *strategy,
                              const char *direction, const char *importers, const char *engine)
{
    bench_fixture_case(k, "sync", bench_sync.axes, AXIS_HEAP, heap, AXIS_SIZE, "256K",
                       AXIS_STRATEGY, strategy, AXIS_DIRECTION, direction, AXIS_REGION, "4K",
                       AXIS_REGIONS, "2", AXIS_IMPORTERS, importers, AXIS_REGION_OFFSET, "64",
                       AXIS_LINES, "dirty", AXIS_ENGINE, engine, -1);
}

static void make_case(struct fixture_case *k, const char *heap, const char *strategy,
                      const char *direction, const char *importers)
{
    make_case_through(k, heap, strategy, direction, importers, "vgem");
}

/* Setup, samples and teardown as the runner calls them: sane numbers, nothing left behind. */
static void test_sync_benchmark_runs_and_cleans_up(void **state)
{
    (void)state;
    struct counter_spec none = {0};
    struct counter_totals totals;
    struct pinning *pins;
    char err[256];
    assert_int_equal(pinning_open(&pins, "", err, sizeof(err)), 0);
    counter_totals_init(&totals, &none);
    struct bench_env env = {.registry = reg,
                            .counters = &none,
                            .totals = &totals,
                            .pins = pins,
                            .min_sample_ns = 1e5};
    int fds = fake_dev_open_fds();
    const char *strategies[] = {"none", "partial-user", "full-user", "full", "partial-ioctl"};
    for (size_t i = 0; i < sizeof(strategies) / sizeof(strategies[0]); i++) {
        struct fixture_case k;
        make_case(&k, "host", strategies[i], "rw", "0");
        void *st = NULL;
        char reason[192] = "";
        struct case_facts facts = {0};
        env.facts = &facts;
        int ret = bench_sync.setup(&k.c, &env, &st, reason, sizeof(reason));
        if (i >= 3) {
            /* The exporter's ioctls do not exist for host memory: skipped, with the reason. */
            assert_int_equal(ret, -EOPNOTSUPP);
            assert_non_null(strstr(reason, "not a dma-buf"));
            continue;
        }
        if (ret == -EOPNOTSUPP)
            continue; /* no user-space maintenance on this CPU */
        assert_int_equal(ret, 0);
        /* The row names what ran: the strategy, with the instructions chosen for it here. */
        size_t kind_len = strlen(strategies[i]);
        assert_memory_equal(facts.implementation, strategies[i], kind_len);
        assert_true(facts.implementation[kind_len] == (i == 0 ? '\0' : ':'));
        for (int rep = 0; rep < 2; rep++) {
            struct sample_out out = {0};
            assert_int_equal(bench_sync.sample(st, &out, reason, sizeof(reason)), 0);
            assert_int_equal(out.n[0], 1);
            double cost = out.values[0][0], per_mib = out.values[1][0];
            assert_true(cost > 0 && cost < 1e9);
            /* per MiB of what the sync covered: two 4 KiB regions spill into one more line each
             * (offset 64 is aligned: they do not), the whole buffer for full-user. */
            double covered = i == 2 ? 256 << 10 : 2 * 4096;
            assert_true(per_mib > cost / (covered / (1 << 20)) * 0.999);
            assert_true(per_mib < cost / (covered / (1 << 20)) * 1.001);
            assert_true(out.values[2][0] + out.values[3][0] <= cost * 1.001);
            assert_true(out.work >= 1);
            /* The timed part is begin + end over every window: the floor (0.1 ms here), or the
             * note says why not (a cap on the windows' wall time, or a repetition run short). */
            assert_true(out.timed_ns > cost * out.work * 0.999);
            assert_true(out.timed_ns < cost * out.work * 1.001);
            if (out.timed_ns < env.min_sample_ns)
                assert_true(strstr(facts.note, "short of the 0.1 ms floor") ||
                            strstr(facts.note, "under the 0.1 ms floor"));
        }
        bench_sync.teardown(st);
    }
    env.facts = NULL; /* the loop's facts are gone */
    /* Importers on host memory: nothing can import it. */
    struct fixture_case k;
    make_case(&k, "host", "none", "write", "1");
    void *st = NULL;
    char reason[192] = "";
    assert_int_equal(bench_sync.setup(&k.c, &env, &st, reason, sizeof(reason)), -EOPNOTSUPP);
    assert_string_equal(reason, "importers: host memory is not a dma-buf, nothing imports it");
    struct heap_counts live = heap_registry_live(reg);
    assert_int_equal(live.buffers, 0);
    assert_int_equal(live.mappings, 0);
    assert_int_equal(fake_dev_open_fds(), fds);
    pinning_close(pins);
}

/* A dma-buf with importers where there is no vgem: skipped with vgem's reason; through an engine
 * that maps nothing at attach, skipped with that reason. */
static void test_importers_need_vgem(void **state)
{
    (void)state;
    struct counter_spec none = {0};
    struct counter_totals totals;
    struct pinning *pins;
    char err[256];
    assert_int_equal(pinning_open(&pins, "", err, sizeof(err)), 0);
    counter_totals_init(&totals, &none);
    struct bench_env env = {.registry = reg,
                            .counters = &none,
                            .totals = &totals,
                            .pins = pins,
                            .min_sample_ns = 1e5};
    struct fixture_case k;
    make_case(&k, "system", "full", "rw", "1");
    void *st = NULL;
    char reason[192] = "";
    assert_int_equal(bench_sync.setup(&k.c, &env, &st, reason, sizeof(reason)), -EOPNOTSUPP);
    assert_string_equal(reason, "vgem: no /dev/dri: kernel without DRM (vgem needs "
                                "CONFIG_DRM_VGEM)");
    assert_int_equal(heap_registry_live(reg).buffers, 0);
    /* An engine that does not keep the buffer mapped while attached is no importer here. */
    const char *unmapped[] = {"v4l2", "cpu", "sw_sync"};
    for (size_t i = 0; i < sizeof(unmapped) / sizeof(unmapped[0]); i++) {
        make_case_through(&k, "system", "full", "rw", "1", unmapped[i]);
        assert_int_equal(bench_sync.setup(&k.c, &env, &st, reason, sizeof(reason)), -EOPNOTSUPP);
        char want[192];
        snprintf(want, sizeof(want),
                 "importers: %s does not keep a dma-buf mapped while attached, so the exporter's "
                 "sync would maintain nothing for it",
                 unmapped[i]);
        assert_string_equal(reason, want);
    }
    assert_int_equal(heap_registry_live(reg).buffers, 0);
    /* Without importers the full sync runs: two ioctls per window; the sweep gives such a case
     * no engine (bench_sync.idle_axes). */
    make_case(&k, "system", "full", "rw", "0");
    assert_int_equal(bench_sync.idle_axes(&k.c), 1u << AXIS_ENGINE);
    k.c.value[AXIS_ENGINE] = NULL;
    assert_int_equal(bench_sync.setup(&k.c, &env, &st, reason, sizeof(reason)), 0);
    fake.sync_calls = 0;
    struct sample_out out = {0};
    assert_int_equal(bench_sync.sample(st, &out, reason, sizeof(reason)), 0);
    assert_int_equal(fake.sync_calls, 2 * (int)out.work);
    bench_sync.teardown(st);
    pinning_close(pins);
}

int main(void)
{
    timing_init();
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_strategy_names),
            cmocka_unit_test_setup_teardown(test_host_memory_windows, setup_fake_board,
                                            teardown_fake_board),
            cmocka_unit_test_setup_teardown(test_user_maintenance_keeps_data, setup_fake_board,
                                            teardown_fake_board),
            cmocka_unit_test_setup_teardown(test_full_sync_ioctls, setup_fake_board,
                                            teardown_fake_board),
            cmocka_unit_test_setup_teardown(test_partial_ioctl, setup_fake_board,
                                            teardown_fake_board),
            cmocka_unit_test_setup_teardown(test_sync_benchmark_runs_and_cleans_up,
                                            setup_fake_board, teardown_fake_board),
            cmocka_unit_test_setup_teardown(test_importers_need_vgem, setup_fake_board,
                                            teardown_fake_board),
    };
    return cmocka_run_group_tests_name("sync", tests, NULL, NULL);
}
