/* tests/unit/test_cpu_kernels.c - every CPU kernel this machine can run, against a reference.
 *
 * Each built variant (every vector width, not only the one dispatch picks) at every length up
 * to 300 bytes and a few large ones, at misaligned source and destination offsets, with guard
 * bytes around the destination; read checksums agree across kernels; names parse back; the
 * pointer chase is one cycle through every line, and walks of it resume where the last stopped.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cpu_kernels.h"
#include "cpu_kernels_impl.h"

#define GUARD     128 /* bytes checked on each side of the destination */
#define MAX_SMALL 300
#define ARENA     (2u << 20)

static const size_t big_lengths[] = {511, 512, 513, 4096, 65536 + 13, (1u << 20) + 77};

static uint64_t rng_state = 0x1234567887654321ull;

static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void fill_random(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)next_random();
}

/* The read checksum written out the slow way, from its definition in cpu_kernels.h: a byte at
 * address a lands in byte a % 8 of its native word. */
static uint64_t reference_checksum(const unsigned char *p, size_t n)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t word = 0;
        memcpy((unsigned char *)&word + ((uintptr_t)(p + i) & 7), p + i, 1);
        sum += word;
    }
    return sum;
}

/* What dst must hold after the kernel ran. */
static void reference_result(enum cpu_op op, unsigned char *want, const unsigned char *src,
                             const void *value, size_t n)
{
    unsigned char pattern[8];
    uint64_t word = CPU_WRITE_PATTERN;
    unsigned char fill = CPU_FILL_BYTE;
    switch (op) {
    case CPU_OP_WRITE:
        if (value)
            memcpy(&word, value, 8);
        memcpy(pattern, &word, 8);
        for (size_t i = 0; i < n; i++)
            want[i] = pattern[i % 8];
        break;
    case CPU_OP_FILL:
        if (value)
            fill = *(const unsigned char *)value;
        memset(want, fill, n);
        break;
    case CPU_OP_COPY:
        memcpy(want, src, n);
        break;
    default:
        break;
    }
}

struct arena {
    unsigned char *src, *dst, *want, *before;
};

static struct arena arena_new(void)
{
    struct arena a = {
            .src = aligned_alloc(4096, ARENA),
            .dst = aligned_alloc(4096, ARENA),
            .want = malloc(ARENA),
            .before = malloc(ARENA),
    };
    assert_non_null(a.src);
    assert_non_null(a.dst);
    assert_non_null(a.want);
    assert_non_null(a.before);
    fill_random(a.src, ARENA);
    return a;
}

static void arena_free(struct arena *a)
{
    free(a->src);
    free(a->dst);
    free(a->want);
    free(a->before);
}

/* Run k over n bytes at the given offsets and check the result and the guards. */
static void check_one(const struct cpu_kernel *k, struct arena *a, size_t src_off, size_t dst_off,
                      size_t n, const void *value)
{
    unsigned char *dst = a->dst + GUARD + dst_off;
    const unsigned char *src = a->src + GUARD + src_off;
    size_t span = n + 2 * GUARD;
    unsigned char *region = dst - GUARD;

    fill_random(region, span);
    memcpy(a->before, region, span);

    if (k->op == CPU_OP_READ) {
        memcpy(a->before, src - GUARD, span);
        uint64_t got = k->fn(dst, src, n);
        if (got != reference_checksum(src, n))
            fail_msg("%s (%s): checksum of %zu bytes at offset %zu is %#llx, want %#llx", k->name,
                     k->isa, n, src_off, (unsigned long long)got,
                     (unsigned long long)reference_checksum(src, n));
        if (memcmp(a->before, src - GUARD, span) != 0)
            fail_msg("%s (%s): read changed its source", k->name, k->isa);
        return;
    }

    const void *arg = k->op == CPU_OP_COPY ? (const void *)src : value;
    uint64_t ret = k->fn(dst, arg, n);
    if (ret != 0)
        fail_msg("%s (%s) returned %llu", k->name, k->isa, (unsigned long long)ret);
    reference_result(k->op, a->want, src, value, n);
    if (memcmp(region, a->before, GUARD) != 0)
        fail_msg("%s (%s): %zu bytes at dst offset %zu wrote before dst", k->name, k->isa, n,
                 dst_off);
    if (memcmp(dst + n, a->before + GUARD + n, GUARD) != 0)
        fail_msg("%s (%s): %zu bytes at dst offset %zu wrote past the end", k->name, k->isa, n,
                 dst_off);
    if (memcmp(dst, a->want, n) == 0)
        return;
    for (size_t i = 0; i < n; i++) {
        if (dst[i] != a->want[i])
            fail_msg("%s (%s): %zu bytes, src offset %zu, dst offset %zu: byte %zu is %#x, "
                     "want %#x",
                     k->name, k->isa, n, src_off, dst_off, i, dst[i], a->want[i]);
    }
}

static void check_kernel(const struct cpu_kernel *k, struct arena *a)
{
    static const uint64_t other_pattern = 0x0123456789abcdefull;
    static const unsigned char other_byte = 0x3c;
    const void *value = NULL;
    if (k->op == CPU_OP_WRITE)
        value = &other_pattern;
    if (k->op == CPU_OP_FILL)
        value = &other_byte;

    /* Every small length at every destination offset; the source offset walks through all
     * 64 values too, at a different pace, so source and destination misalignments differ. */
    for (size_t n = 0; n <= MAX_SMALL; n++) {
        for (size_t dst_off = 0; dst_off < 64; dst_off++) {
            size_t src_off = (dst_off * 37 + n) % 64;
            check_one(k, a, src_off, dst_off, n, (n & 1) ? value : NULL);
        }
    }
    for (size_t i = 0; i < sizeof(big_lengths) / sizeof(big_lengths[0]); i++) {
        static const size_t offsets[] = {0, 1, 33, 63};
        for (size_t j = 0; j < sizeof(offsets) / sizeof(offsets[0]); j++) {
            size_t off = offsets[j];
            check_one(k, a, off, off, big_lengths[i], value);
            check_one(k, a, (off + 3) % 64, off, big_lengths[i], NULL);
        }
    }
}

static void test_every_variant_matches_the_reference(void **state)
{
    (void)state;
    struct arena a = arena_new();
    size_t ran = 0;
    for (size_t i = 0; i < cpu_kernel_variant_count(); i++) {
        const struct cpu_kernel_variant *v = cpu_kernel_variant_at(i);
        assert_non_null(v);
        if (!cpu_kernel_variant_present(v)) {
            print_message("skipped %s (%s): %s\n", v->kernel.name, v->kernel.isa, v->missing);
            continue;
        }
        check_kernel(&v->kernel, &a);
        ran++;
    }
    print_message("%zu kernel variants checked\n", ran);
    /* C read/write/copy/fill and libc copy/fill exist everywhere. */
    assert_true(ran >= 6);
    arena_free(&a);
}

/* The dispatch picks kernels that are in the variant tables, so the test above covered them;
 * here, that every kernel the API hands out agrees with every other on the same data. */
static void test_read_checksums_agree_across_kernels(void **state)
{
    (void)state;
    struct arena a = arena_new();
    const struct cpu_kernel *reads[N_CPU_IMPLS];
    size_t n = cpu_kernels_available(CPU_OP_READ, reads, N_CPU_IMPLS);
    assert_true(n >= 2); /* at least C and one other (SIMD) */
    static const size_t lengths[] = {0, 1, 7, 8, 63, 64, 65, 1000, 4096, ARENA - 64};
    for (size_t l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++) {
        for (size_t off = 0; off < 64; off += 5) {
            size_t len = lengths[l];
            uint64_t first = reads[0]->fn(NULL, a.src + off, len);
            for (size_t i = 1; i < n; i++)
                if (reads[i]->fn(NULL, a.src + off, len) != first)
                    fail_msg("%s and %s disagree on %zu bytes at offset %zu", reads[0]->name,
                             reads[i]->name, len, off);
        }
    }
    arena_free(&a);
}

static void test_find_gives_a_kernel_or_a_reason(void **state)
{
    (void)state;
    for (int op = 0; op < N_CPU_OPS; op++) {
        for (int impl = 0; impl < N_CPU_IMPLS; impl++) {
            const char *why = NULL;
            const struct cpu_kernel *k = cpu_kernel_find(op, impl, &why);
            if (k) {
                assert_int_equal(k->op, op);
                assert_int_not_equal(k->impl, CPU_IMPL_AUTO);
                if (impl != CPU_IMPL_AUTO)
                    assert_int_equal(k->impl, impl);
                assert_non_null(k->fn);
                assert_non_null(k->isa);
            } else {
                assert_non_null(why);
                assert_true(strlen(why) > 0);
            }
        }
    }
    const char *why = NULL;
    assert_null(cpu_kernel_find(CPU_OP_READ, CPU_IMPL_LIBC, &why));
    assert_non_null(strstr(why, "libc has no read"));
    assert_null(cpu_kernel_find(CPU_OP_WRITE, CPU_IMPL_LIBC, &why));
    assert_non_null(strstr(why, "pattern-store"));
    assert_null(cpu_kernel_find(CPU_OP_READ, CPU_IMPL_NT, &why));
    assert_null(cpu_kernel_find(CPU_OP_FILL, CPU_IMPL_NTLOAD, &why));
    assert_null(cpu_kernel_find(N_CPU_OPS, CPU_IMPL_C, &why));
    assert_null(cpu_kernel_find(CPU_OP_READ, N_CPU_IMPLS, &why));
    assert_non_null(cpu_kernel_find(CPU_OP_COPY, CPU_IMPL_LIBC, NULL));
    assert_non_null(cpu_kernel_find(CPU_OP_FILL, CPU_IMPL_C, NULL));
#if defined(__x86_64__)
    assert_null(cpu_kernel_find(CPU_OP_READ, CPU_IMPL_NEON, &why));
    assert_string_equal(why, "not an arm64 build");
    assert_non_null(cpu_kernel_find(CPU_OP_READ, CPU_IMPL_SSE2, NULL)); /* x86-64 baseline */
#elif defined(__aarch64__)
    assert_null(cpu_kernel_find(CPU_OP_READ, CPU_IMPL_AVX2, &why));
    assert_string_equal(why, "not an x86-64 build");
#endif
    /* A variant this CPU lacks is not handed out, and its reason is the one reported. */
    for (size_t i = 0; i < cpu_kernel_variant_count(); i++) {
        const struct cpu_kernel_variant *v = cpu_kernel_variant_at(i);
        if (cpu_kernel_variant_present(v) || v->kernel.impl == CPU_IMPL_NT ||
            v->kernel.impl == CPU_IMPL_NTLOAD)
            continue;
        assert_null(cpu_kernel_find(v->kernel.op, v->kernel.impl, &why));
        assert_string_equal(why, v->missing);
    }
}

static void test_auto_is_the_widest_plain_simd(void **state)
{
    (void)state;
    static const enum cpu_impl order[] = {CPU_IMPL_AVX512, CPU_IMPL_AVX2, CPU_IMPL_SSE2,
                                          CPU_IMPL_NEON, CPU_IMPL_C};
    for (int op = 0; op < N_CPU_OPS; op++) {
        const struct cpu_kernel *k = cpu_kernel_find(op, CPU_IMPL_AUTO, NULL);
        assert_non_null(k);
        for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
            const struct cpu_kernel *best = cpu_kernel_find(op, order[i], NULL);
            if (best) {
                assert_ptr_equal(k, best);
                break;
            }
        }
    }
}

static void test_available_lists_what_find_gives(void **state)
{
    (void)state;
    for (int op = 0; op < N_CPU_OPS; op++) {
        const struct cpu_kernel *all[N_CPU_IMPLS];
        size_t n = cpu_kernels_available(op, all, N_CPU_IMPLS);
        size_t want = 0;
        for (int impl = CPU_IMPL_AUTO + 1; impl < N_CPU_IMPLS; impl++) {
            const struct cpu_kernel *k = cpu_kernel_find(op, impl, NULL);
            if (!k)
                continue;
            assert_true(want < n);
            assert_ptr_equal(all[want], k);
            want++;
        }
        assert_int_equal(n, want);
        const struct cpu_kernel *two[2];
        assert_int_equal(cpu_kernels_available(op, two, 2), n < 2 ? n : 2);
        assert_ptr_equal(two[0], all[0]);
    }
}

static void test_names_parse_back(void **state)
{
    (void)state;
    enum cpu_op op;
    enum cpu_impl impl;
    char text[64];
    for (int o = 0; o < N_CPU_OPS; o++) {
        assert_int_equal(cpu_kernel_parse(cpu_op_name(o), &op, &impl), 0);
        assert_int_equal(op, o);
        assert_int_equal(impl, CPU_IMPL_AUTO);
        for (int i = 0; i < N_CPU_IMPLS; i++) {
            snprintf(text, sizeof(text), "%s:%s", cpu_op_name(o), cpu_impl_name(i));
            assert_int_equal(cpu_kernel_parse(text, &op, &impl), 0);
            assert_int_equal(op, o);
            assert_int_equal(impl, i);
        }
    }
    /* A kernel's own name says what it is. */
    for (size_t i = 0; i < cpu_kernel_variant_count(); i++) {
        const struct cpu_kernel *k = &cpu_kernel_variant_at(i)->kernel;
        assert_int_equal(cpu_kernel_parse(k->name, &op, &impl), 0);
        assert_int_equal(op, k->op);
        assert_int_equal(impl, k->impl);
    }
    assert_string_equal(cpu_op_name(CPU_OP_COPY), "copy");
    assert_string_equal(cpu_impl_name(CPU_IMPL_NTLOAD), "ntload");
    assert_string_equal(cpu_impl_name(CPU_IMPL_AVX512), "avx512");
    assert_string_equal(cpu_op_name(N_CPU_OPS), "unknown");

    const char *bad[] = {"",         ":",    "read:",       ":avx2",     "reads", "rea",
                         "read:avx", "READ", "read:avx2:x", "read:AVX2", " read", "read "};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (cpu_kernel_parse(bad[i], &op, &impl) != -EINVAL)
            fail_msg("\"%s\" parsed", bad[i]);
    assert_int_equal(cpu_kernel_parse(NULL, &op, &impl), -EINVAL);
}

/* Follow the chase from its start, marking lines: one lap visits every line exactly once and
 * ends where it began. */
static void check_chase(size_t lines, size_t line, size_t extra, uint64_t seed)
{
    size_t bytes = lines * line + extra;
    unsigned char *buf = aligned_alloc(4096, (bytes + 4095) / 4096 * 4096);
    unsigned char *seen = calloc(lines, 1);
    assert_non_null(buf);
    assert_non_null(seen);

    void **start = chase_build(buf, bytes, line, seed);
    assert_ptr_equal(start, buf);
    void **p = start;
    for (size_t step = 0; step < lines; step++) {
        size_t offset = (size_t)((unsigned char *)p - buf);
        assert_int_equal(offset % line, 0);
        assert_true(offset / line < lines);
        if (seen[offset / line]++)
            fail_msg("%zu lines of %zu: line %zu visited twice, at step %zu", lines, line,
                     offset / line, step);
        p = chase_run(p, 1);
    }
    assert_ptr_equal(p, start);
    /* The unrolled loop lands in the same place as single steps. */
    assert_ptr_equal(chase_run(start, lines), start);
    assert_ptr_equal(chase_run(start, 3 * lines), start);
    void **q = start;
    for (size_t i = 0; i < 13; i++)
        q = chase_run(q, 1);
    assert_ptr_equal(chase_run(start, 13), q);
    free(seen);
    free(buf);
}

static void test_chase_is_one_cycle_through_every_line(void **state)
{
    (void)state;
    check_chase(1, 64, 0, 1);
    check_chase(2, 64, 0, 1);
    check_chase(3, 64, 17, 2);
    check_chase(1000, 64, 63, 3);
    check_chase(4097, 128, 0, 0);
    check_chase(1u << 16, 64, 0, 42);
    check_chase(100, sizeof(void *), 0, 5);
}

static void test_chase_is_random_and_repeatable(void **state)
{
    (void)state;
    size_t lines = 1u << 12, bytes = lines * 64;
    unsigned char *a = aligned_alloc(64, bytes), *b = aligned_alloc(64, bytes);
    assert_non_null(a);
    assert_non_null(b);
    chase_build(a, bytes, 64, 7);
    chase_build(b, bytes, 64, 7);
    size_t same_offsets = 0, next_line = 0;
    for (size_t i = 0; i < lines; i++) {
        size_t ta = (size_t)((unsigned char *)*(void **)(a + i * 64) - a);
        size_t tb = (size_t)((unsigned char *)*(void **)(b + i * 64) - b);
        same_offsets += ta == tb;
        next_line += ta == (i + 1) * 64;
    }
    assert_int_equal(same_offsets, lines); /* same seed, same cycle */
    assert_true(next_line < 16);           /* not a sequential walk a prefetcher could follow */
    chase_build(b, bytes, 64, 8);
    same_offsets = 0;
    for (size_t i = 0; i < lines; i++)
        same_offsets += (unsigned char *)*(void **)(a + i * 64) - a ==
                        (unsigned char *)*(void **)(b + i * 64) - b;
    assert_true(same_offsets < 16); /* another seed, another cycle */
    free(a);
    free(b);
}

static void test_chase_rejects_what_it_cannot_build(void **state)
{
    (void)state;
    void *buf[32];
    assert_null(chase_build(NULL, 4096, 64, 1));
    assert_null(chase_build(buf, sizeof(buf), 48, 1));                 /* not a power of two */
    assert_null(chase_build(buf, sizeof(buf), sizeof(void *) / 2, 1)); /* smaller than a pointer */
    assert_null(chase_build(buf, 63, 64, 1));                          /* no whole line */
    assert_null(chase_build(buf, sizeof(buf), 0, 1));
}

/* A warm-up and samples of uneven lengths, as a benchmark walks: each walk ends where one walk
 * of all the steps so far from the first line ends, and no walk revisits a line before the
 * whole lap has been walked, after which they go round again in the same order. */
static void test_chase_walks_resume_where_they_stopped(void **state)
{
    (void)state;
    size_t lines = 5000, bytes = lines * 64;
    unsigned char *buf = aligned_alloc(64, bytes), *seen = calloc(lines, 1);
    size_t *order = calloc(lines, sizeof(*order)); /* line index at each step of the lap */
    assert_non_null(buf);
    assert_non_null(seen);
    assert_non_null(order);
    struct chase c;
    assert_int_equal(chase_init(&c, buf, bytes, 64, 11), 0);
    assert_int_equal(c.lap, lines);
    void **start = c.at;
    assert_ptr_equal(start, buf);
    void **p = start;
    for (size_t i = 0; i < lines; i++, p = *p)
        order[i] = (size_t)((unsigned char *)p - buf) / 64;

    /* 700 + ... + 1001 is one lap exactly; the rest go round again */
    const uint64_t walks[] = {700, 1, 333, 2048, 17, 900, 1001, 4999, 5000, 12345};
    uint64_t walked = 0;
    for (size_t w = 0; w < sizeof(walks) / sizeof(walks[0]); w++) {
        void **end = chase_walk(&c, walks[w]);
        walked += walks[w];
        assert_ptr_equal(end, c.at);
        assert_ptr_equal(end, chase_run(start, walked)); /* the segment's expected line */
        assert_ptr_equal(end, buf + order[walked % lines] * 64);
        if (walked <= lines) /* the lines this walk loaded: none loaded before in this lap */
            for (uint64_t k = walked - walks[w]; k < walked; k++)
                if (seen[order[k]]++)
                    fail_msg("walk %zu loads line %zu a second time in the lap", w, order[k]);
        if (walked == lines) /* the walks so far make exactly one lap */
            assert_null(memchr(seen, 0, lines));
    }
    free(order);
    free(seen);
    free(buf);
}

static void test_chase_init_rejects_what_build_rejects(void **state)
{
    (void)state;
    void *buf[32];
    struct chase c;
    assert_int_equal(chase_init(&c, buf, 63, 64, 1), -EINVAL);
    assert_int_equal(chase_init(&c, NULL, 4096, 64, 1), -EINVAL);
    assert_int_equal(chase_init(&c, buf, sizeof(buf), 48, 1), -EINVAL);
    assert_int_equal(chase_init(&c, buf, sizeof(buf), 64, 1), 0);
    assert_int_equal(c.lap, sizeof(buf) / 64);
}

/* The warm-up evicts what building left cached (twice the cache's lines), never walks more than
 * a lap, walks a whole one where that is no more, or where the cache size is unknown. */
static void test_chase_warmup_evicts_the_cache_within_a_lap(void **state)
{
    (void)state;
    const uint64_t mib = (1u << 20) / 64; /* lines in a MiB */
    assert_int_equal(chase_warmup_steps(1024 * mib, 32 * mib), 64 * mib);
    assert_int_equal(chase_warmup_steps(1024 * mib, 300 * mib), 600 * mib);
    assert_int_equal(chase_warmup_steps(64 * mib, 32 * mib), 64 * mib);
    assert_int_equal(chase_warmup_steps(4 * mib, 32 * mib), 4 * mib);
    assert_int_equal(chase_warmup_steps(1024 * mib, 0), 1024 * mib);
    assert_int_equal(chase_warmup_steps(1, 0), 1);
    assert_int_equal(chase_warmup_steps(1, 1), 1);
    for (uint64_t lap = 1; lap < 300; lap += 7)
        for (uint64_t cache = 0; cache < 300; cache += 5) {
            uint64_t warm = chase_warmup_steps(lap, cache);
            assert_true(warm >= 1 && warm <= lap);
            assert_true(warm >= (2 * cache < lap ? 2 * cache : lap));
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_every_variant_matches_the_reference),
            cmocka_unit_test(test_read_checksums_agree_across_kernels),
            cmocka_unit_test(test_find_gives_a_kernel_or_a_reason),
            cmocka_unit_test(test_auto_is_the_widest_plain_simd),
            cmocka_unit_test(test_available_lists_what_find_gives),
            cmocka_unit_test(test_names_parse_back),
            cmocka_unit_test(test_chase_is_one_cycle_through_every_line),
            cmocka_unit_test(test_chase_is_random_and_repeatable),
            cmocka_unit_test(test_chase_rejects_what_it_cannot_build),
            cmocka_unit_test(test_chase_walks_resume_where_they_stopped),
            cmocka_unit_test(test_chase_init_rejects_what_build_rejects),
            cmocka_unit_test(test_chase_warmup_evicts_the_cache_within_a_lap),
    };
    return cmocka_run_group_tests_name("cpu_kernels", tests, NULL, NULL);
}
