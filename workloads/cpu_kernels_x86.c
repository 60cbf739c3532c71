/* workloads/cpu_kernels_x86.c - the x86-64 kernels: SSE2, AVX2 and AVX-512F, plain and NT.
 *
 * Each width is compiled in its own target region (the file builds with the default -march),
 * and cpu_kernels.c runs a kernel only after cpu_features.h says the CPU has what it
 * needs. Non-temporal stores are MOVNTDQ/VMOVNTDQ and end with SFENCE; non-temporal loads are
 * MOVNTDQA (SSE4.1, or the AVX2/AVX-512 forms), which only bypass the cache on WC memory.
 */
#if defined(__x86_64__)

/* Keep gcc from turning the scalar head and tail loops into calls to libc's memcpy, which would
 * run libc's AVX code inside, say, the SSE2 kernel. Before the includes, so that every inline
 * function in this file gets the same options and can still be inlined. */
#pragma GCC optimize("no-tree-loop-distribute-patterns")

#include <immintrin.h>

#include "cpu_features.h"
#include "cpu_kernels_impl.h"

/* The variant tables want functions; the answers come from the one list in cpu_features.h,
 * which the run metadata prints too. */
#define X86_FEATURE(fn, id)                                                                        \
    static bool fn(void)                                                                           \
    {                                                                                              \
        return cpu_feature_present(CPU_FEATURE_##id);                                              \
    }
X86_FEATURE(has_sse2, SSE2)
X86_FEATURE(has_sse41, SSE41)
X86_FEATURE(has_avx2, AVX2)
X86_FEATURE(has_avx512f, AVX512F)

/* --- 128 bits: SSE2 ------------------------------------------------------------------------ */
#pragma GCC push_options
#pragma GCC target("sse2")

/* MOVNTDQA is SSE4.1. The intrinsic would need target("sse4.1") for the whole region, which
 * would let gcc put SSE4.1 instructions into the SSE2 kernels too; one asm instruction does not.
 * Only the NTLOAD kernels use it, and they are only run where the CPU has SSE4.1. */
static inline __m128i sse41_stream_load(const unsigned char *p)
{
    __m128i v;
    __asm__("movntdqa %1, %0" : "=x"(v) : "m"(*(const __m128i *)p));
    return v;
}

static inline uint64_t sse2_hsum(__m128i v)
{
    return (uint64_t)_mm_cvtsi128_si64(_mm_add_epi64(v, _mm_unpackhi_epi64(v, v)));
}

#define V_ISA              sse2
#define V_T                __m128i
#define V_W                16
#define V_LOAD(p)          _mm_load_si128((const __m128i *)(p))
#define V_LOADU(p)         _mm_loadu_si128((const __m128i *)(p))
#define V_STORE(p, v)      _mm_store_si128((__m128i *)(p), v)
#define V_STOREU(p, v)     _mm_storeu_si128((__m128i *)(p), v)
#define V_ADD(a, b)        _mm_add_epi64(a, b)
#define V_ZERO()           _mm_setzero_si128()
#define V_SET1(x)          _mm_set1_epi64x((long long)(x))
#define V_HSUM(v)          sse2_hsum(v)
#define V_NTLOAD2(p, a, b) ((a) = sse41_stream_load(p), (b) = sse41_stream_load((p) + 16))
#define V_NTSTORE2(p, a, b)                                                                        \
    (_mm_stream_si128((__m128i *)(p), a), _mm_stream_si128((__m128i *)((p) + 16), b))
#define V_NT_FENCE() _mm_sfence()
#include "cpu_kernels_simd_template.h"
#pragma GCC pop_options

/* --- 256 bits: AVX2 -------------------------------------------------------------------------- */
#pragma GCC push_options
#pragma GCC target("avx2")

static inline uint64_t avx2_hsum(__m256i v)
{
    __m128i half = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    return (uint64_t)_mm_cvtsi128_si64(_mm_add_epi64(half, _mm_unpackhi_epi64(half, half)));
}

#define V_ISA          avx2
#define V_T            __m256i
#define V_W            32
#define V_LOAD(p)      _mm256_load_si256((const __m256i *)(p))
#define V_LOADU(p)     _mm256_loadu_si256((const __m256i *)(p))
#define V_STORE(p, v)  _mm256_store_si256((__m256i *)(p), v)
#define V_STOREU(p, v) _mm256_storeu_si256((__m256i *)(p), v)
#define V_ADD(a, b)    _mm256_add_epi64(a, b)
#define V_ZERO()       _mm256_setzero_si256()
#define V_SET1(x)      _mm256_set1_epi64x((long long)(x))
#define V_HSUM(v)      avx2_hsum(v)
#define V_NTLOAD2(p, a, b)                                                                         \
    ((a) = _mm256_stream_load_si256((const __m256i *)(p)),                                         \
     (b) = _mm256_stream_load_si256((const __m256i *)((p) + 32)))
#define V_NTSTORE2(p, a, b)                                                                        \
    (_mm256_stream_si256((__m256i *)(p), a), _mm256_stream_si256((__m256i *)((p) + 32), b))
#define V_NT_FENCE() _mm_sfence()
#include "cpu_kernels_simd_template.h"
#pragma GCC pop_options

/* --- 512 bits: AVX-512F ---------------------------------------------------------------------- */
#pragma GCC push_options
#pragma GCC target("avx512f")

/* Not _mm512_reduce_add_epi64: gcc writes it with signed adds, which UBSan rightly flags when a
 * checksum wraps. AVX-512F implies AVX2, so the halves go through the AVX2 reduction. */
static inline uint64_t avx512_hsum(__m512i v)
{
    return avx2_hsum(_mm256_add_epi64(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1)));
}

#define V_ISA          avx512
#define V_T            __m512i
#define V_W            64
#define V_LOAD(p)      _mm512_load_si512((const void *)(p))
#define V_LOADU(p)     _mm512_loadu_si512((const void *)(p))
#define V_STORE(p, v)  _mm512_store_si512((void *)(p), v)
#define V_STOREU(p, v) _mm512_storeu_si512((void *)(p), v)
#define V_ADD(a, b)    _mm512_add_epi64(a, b)
#define V_ZERO()       _mm512_setzero_si512()
#define V_SET1(x)      _mm512_set1_epi64((long long)(x))
#define V_HSUM(v)      avx512_hsum(v)
#define V_NTLOAD2(p, a, b)                                                                         \
    ((a) = _mm512_stream_load_si512((void *)(p)),                                                  \
     (b) = _mm512_stream_load_si512((void *)((p) + 64)))
#define V_NTSTORE2(p, a, b)                                                                        \
    (_mm512_stream_si512((__m512i *)(p), a), _mm512_stream_si512((__m512i *)((p) + 64), b))
#define V_NT_FENCE() _mm_sfence()
#include "cpu_kernels_simd_template.h"
#pragma GCC pop_options

/* Widest first: cpu_kernel_find takes the first NT / NTLOAD variant this CPU can run. */
const struct cpu_kernel_variant cpu_kernel_arch_variants[] = {
        CK_SIMD_VARIANTS(avx512, AVX512, "avx512f", has_avx512f, "this CPU has no AVX-512F",
                         "avx512f", has_avx512f, "this CPU has no AVX-512F"),
        CK_SIMD_VARIANTS(avx2, AVX2, "avx2", has_avx2, "this CPU has no AVX2", "avx2", has_avx2,
                         "this CPU has no AVX2"),
        CK_SIMD_VARIANTS(sse2, SSE2, "sse2", has_sse2, "this CPU has no SSE2", "sse4.1", has_sse41,
                         "this CPU has no SSE4.1 (MOVNTDQA)"),
};
const size_t cpu_kernel_arch_count =
        sizeof(cpu_kernel_arch_variants) / sizeof(cpu_kernel_arch_variants[0]);

#endif
