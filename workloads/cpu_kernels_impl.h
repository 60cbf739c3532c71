/* workloads/cpu_kernels_impl.h - what the CPU kernel files share and cpu_kernels.h hides.
 *
 * The variant tables (every kernel built into this binary, whether or not this CPU can run it),
 * and the scalar helpers that do the unaligned heads and short tails of every kernel, so that
 * all implementations agree byte for byte on what write, fill, copy and the read checksum mean.
 */
#ifndef DMABENCH_CPU_KERNELS_IMPL_H
#define DMABENCH_CPU_KERNELS_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cpu_kernels.h"

/* One kernel as built: NT and NTLOAD have one variant per vector width, widest first in the
 * table, and cpu_kernel_find takes the first one this CPU can run. */
struct cpu_kernel_variant {
    struct cpu_kernel kernel;
    bool (*present)(void); /* can this CPU run it? NULL: always */
    const char *missing;   /* why not, when present() says no */
};

/* Every variant built into this binary: portable ones (C, libc), then this architecture's. */
size_t cpu_kernel_variant_count(void);
const struct cpu_kernel_variant *cpu_kernel_variant_at(size_t i);
bool cpu_kernel_variant_present(const struct cpu_kernel_variant *v);

/* The tables behind them; an architecture without SIMD kernels has an empty one. */
extern const struct cpu_kernel_variant cpu_kernel_portable_variants[];
extern const size_t cpu_kernel_portable_count;
extern const struct cpu_kernel_variant cpu_kernel_arch_variants[];
extern const size_t cpu_kernel_arch_count;

#define CK_VARIANT(OP, IMPL, name_text, isa_text, fn_name, present_fn, missing_text)               \
    {                                                                                              \
        .kernel = {.op = CPU_OP_##OP,                                                              \
                   .impl = CPU_IMPL_##IMPL,                                                        \
                   .name = name_text,                                                              \
                   .isa = isa_text,                                                                \
                   .fn = fn_name},                                                                 \
        .present = present_fn, .missing = missing_text                                             \
    }

/* The nine SIMD kernels of one vector width, as cpu_kernels_simd_template.h defines them for
 * V_ISA = sfx: plain read/write/copy/fill under impl PLAIN, the non-temporal store kernels under
 * NT, the non-temporal load kernels under NTLOAD, which may need more than the plain ones
 * (128-bit MOVNTDQA is SSE4.1, not SSE2). */
#define CK_SIMD_VARIANTS(sfx, PLAIN, isa, has, missing, nl_isa, nl_has, nl_missing)                \
    CK_VARIANT(READ, PLAIN, "read:" #sfx, isa, cpu_read_##sfx, has, missing),                      \
            CK_VARIANT(WRITE, PLAIN, "write:" #sfx, isa, cpu_write_##sfx, has, missing),           \
            CK_VARIANT(COPY, PLAIN, "copy:" #sfx, isa, cpu_copy_##sfx, has, missing),              \
            CK_VARIANT(FILL, PLAIN, "fill:" #sfx, isa, cpu_fill_##sfx, has, missing),              \
            CK_VARIANT(WRITE, NT, "write:nt", isa, cpu_write_nt_##sfx, has, missing),              \
            CK_VARIANT(COPY, NT, "copy:nt", isa, cpu_copy_nt_##sfx, has, missing),                 \
            CK_VARIANT(FILL, NT, "fill:nt", isa, cpu_fill_nt_##sfx, has, missing),                 \
            CK_VARIANT(READ, NTLOAD, "read:ntload", nl_isa, cpu_read_ntload_##sfx, nl_has,         \
                       nl_missing),                                                                \
            CK_VARIANT(COPY, NTLOAD, "copy:ntload", nl_isa, cpu_copy_ntload_##sfx, nl_has,         \
                       nl_missing)

/* Lanes a SIMD kernel walks side by side. A single sequential stream leaves DRAM bandwidth
 * unused on some cores: on Zen 4, one AVX-512 load per line in one stream reads 20 GB/s where
 * four interleaved streams read 25 GB/s, as fast as 128-bit loads (which issue four loads per
 * line and so keep the prefetchers busier). Order is free: memcpy, memset and the checksum do
 * not depend on it. Overridable to measure (-DCK_STREAMS=1). */
#ifndef CK_STREAMS
#define CK_STREAMS 4
#endif

/* Software prefetch into L2, CK_PREFETCH_AHEAD bytes ahead in each lane, for read bodies of at
 * least CK_PREFETCH_MIN bytes (below that the data is likely cached, and the prefetches would only
 * take load slots). Copies never prefetch (unless built with CK_COPY_PREFETCH=1): on Zen 4 at
 * 256 MiB, one thread, pass by pass against the same kernel built with it
 * (tests/perf/lanes_duel.sh, 30 rounds or more), copy:nt is 2-14% faster without (less when the
 * host is busy), copy:avx512 11%, copy:ntload 4-9%, in every such run. For reads the sign has
 * changed with the host's load: first measured +17% for one thread's AVX-512 read, later -6% to
 * -13% in some runs on the same shared VM; kept until a quiet machine says otherwise. Off where not
 * measured (0): the hardware prefetchers of arm64 cores differ too much to guess for them. */
#ifndef CK_PREFETCH_AHEAD
#if defined(__x86_64__)
#define CK_PREFETCH_AHEAD 2048
#else
#define CK_PREFETCH_AHEAD 0
#endif
#endif
#ifndef CK_PREFETCH_MIN
#define CK_PREFETCH_MIN (1u << 20)
#endif
/* 1: copies prefetch too, as reads do; only there to measure the claim above. */
#ifndef CK_COPY_PREFETCH
#define CK_COPY_PREFETCH 0
#endif

/* How a SIMD body moves data: a constant after inlining, so each kernel has one straight loop. */
enum ck_how {
    CK_PLAIN,  /* ordinary loads and stores */
    CK_NT,     /* non-temporal stores */
    CK_NTLOAD, /* non-temporal loads */
};

/* --- scalar heads and tails ------------------------------------------------------------------
 * A SIMD kernel does the bytes before its first aligned vector and after its last one with
 * these; the portable C kernels are these on the whole buffer. Words go through memcpy, which
 * compiles to one load or store and is defined for any alignment. */

/* Bytes from p to the next multiple of align (a power of two), at most n. */
static inline size_t ck_head(const void *p, size_t n, size_t align)
{
    size_t head = (size_t)(-(uintptr_t)p) & (align - 1);
    return head < n ? head : n;
}

/* The native word a load at the 8-aligned address below p would give if only the k bytes
 * [p, p + k) were there and the rest zero: the read checksum counts partial words this way. */
static inline uint64_t ck_partial_word(const unsigned char *p, size_t k)
{
    uint64_t word = 0;
    memcpy((unsigned char *)&word + ((uintptr_t)p & 7), p, k);
    return word;
}

/* The read checksum of [p, p + n); see cpu_kernels.h. */
static inline uint64_t ck_sum_bytes(const unsigned char *p, size_t n)
{
    uint64_t sum = 0;
    size_t head = ck_head(p, n, 8);
    if (head) {
        sum += ck_partial_word(p, head);
        p += head;
        n -= head;
    }
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        sum += word;
    }
    if (n)
        sum += ck_partial_word(p, n);
    return sum;
}

/* The write pattern for src (NULL: the default) and the fill byte spread over a word. */
static inline uint64_t ck_write_pattern(const void *src)
{
    uint64_t pattern = CPU_WRITE_PATTERN;
    if (src)
        memcpy(&pattern, src, 8);
    return pattern;
}

static inline uint64_t ck_fill_pattern(const void *src)
{
    unsigned char c = src ? *(const unsigned char *)src : CPU_FILL_BYTE;
    return c * 0x0101010101010101ull;
}

/* The word a pattern store starting at dst leaves at every 8-aligned address: byte k of it is
 * the pattern byte for addresses == k (mod 8). Computed once, it turns every aligned store of
 * the body (of any vector width) into a broadcast of one word. */
static inline uint64_t ck_pattern_at_aligned(const void *dst, uint64_t pattern)
{
    unsigned char in[8], out[8];
    unsigned shift = (unsigned)((uintptr_t)dst & 7);
    memcpy(in, &pattern, 8);
    for (unsigned k = 0; k < 8; k++)
        out[k] = in[(k - shift) & 7];
    uint64_t word;
    memcpy(&word, out, 8);
    return word;
}

/* Store the pattern whose aligned word is aligned_word over [p, p + n). */
static inline void ck_store_bytes(unsigned char *p, size_t n, uint64_t aligned_word)
{
    unsigned char bytes[8];
    memcpy(bytes, &aligned_word, 8);
    for (; n && ((uintptr_t)p & 7); p++, n--)
        *p = bytes[(uintptr_t)p & 7];
    for (; n >= 8; p += 8, n -= 8)
        memcpy(p, &aligned_word, 8);
    for (; n; p++, n--)
        *p = bytes[(uintptr_t)p & 7];
}

/* memcpy by hand: bytes up to an aligned dst, then words, then bytes. */
static inline void ck_copy_bytes(unsigned char *d, const unsigned char *s, size_t n)
{
    for (; n && ((uintptr_t)d & 7); d++, s++, n--)
        *d = *s;
    for (; n >= 8; d += 8, s += 8, n -= 8) {
        uint64_t word;
        memcpy(&word, s, 8);
        memcpy(d, &word, 8);
    }
    for (; n; d++, s++, n--)
        *d = *s;
}

#endif
