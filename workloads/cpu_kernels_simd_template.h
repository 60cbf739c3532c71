/* workloads/cpu_kernels_simd_template.h - the SIMD kernels, written once for every vector width.
 *
 * Included once per width (SSE2, AVX2, AVX-512, NEON) by the architecture's file, inside the
 * target region of that instruction set, with V_* macros saying how to load, store and add one
 * vector. It defines the nine kernels of CK_SIMD_VARIANTS, named cpu_<op>[_nt|_ntload]_<V_ISA>.
 * No include guard on purpose, and it undefines its V_* inputs at the end for the next width.
 *
 * Required: V_ISA (name suffix), V_T (vector type), V_W (bytes), V_LOAD / V_LOADU (aligned /
 * any), V_STORE / V_STOREU, V_ADD (64-bit lanes), V_ZERO(), V_SET1(u64), V_HSUM(v) -> u64,
 * V_NTLOAD2(p, a, b) / V_NTSTORE2(p, a, b) (two vectors at an aligned p: arm64 only has
 * non-temporal pairs) and V_NT_FENCE() (what orders non-temporal stores before later ones).
 */

#define V_CAT_(a, b) a##b
#define V_CAT(a, b)  V_CAT_(a, b)
#define V_FN(name)   V_CAT(name, V_CAT(_, V_ISA))
#define V_PAIR       (2 * V_W)             /* one stream's share of an iteration */
#define V_BLOCK      (CK_STREAMS * V_PAIR) /* one iteration: 512 bytes with AVX-512 */
#define V_INLINE     static inline __attribute__((always_inline))

/* Software prefetch into L2 for every cache line of a pair, CK_PREFETCH_AHEAD bytes ahead in its
 * lane (locality 2: PREFETCHT1 on x86; into L1, PREFETCHT0, measured slower on Zen 4). */
#if CK_PREFETCH_AHEAD
#define V_PREFETCH(q)                                                                              \
    do {                                                                                           \
        for (unsigned o_ = 0; o_ < V_PAIR; o_ += 64)                                               \
            __builtin_prefetch((q) + CK_PREFETCH_AHEAD + o_, 0, 2);                                \
    } while (0)
#else
#define V_PREFETCH(q) ((void)(q))
#endif

/* The bulk of every kernel walks CK_STREAMS equal lanes of the aligned body (a multiple of
 * V_BLOCK) side by side, one pair of vectors from each per iteration; see CK_STREAMS for why not
 * one lane. prefetch is a constant after inlining, as how is. */
V_INLINE V_T V_FN(read_lanes)(const unsigned char *p, size_t body, enum ck_how how, bool prefetch)
{
    size_t lane = body / CK_STREAMS;
    V_T acc[CK_STREAMS]; /* one per lane: no add waits on another, even from L1 */
#pragma GCC unroll 8
    for (int k = 0; k < CK_STREAMS; k++)
        acc[k] = V_ZERO();
    for (size_t i = 0; i < lane; i += V_PAIR) {
#pragma GCC unroll 8
        for (int k = 0; k < CK_STREAMS; k++) {
            const unsigned char *q = p + k * lane + i;
            if (prefetch)
                V_PREFETCH(q);
            V_T a, b;
            if (how == CK_NTLOAD) {
                V_NTLOAD2(q, a, b);
            } else {
                a = V_LOAD(q);
                b = V_LOAD(q + V_W);
            }
            acc[k] = V_ADD(acc[k], V_ADD(a, b));
        }
    }
#pragma GCC unroll 8
    for (int k = 1; k < CK_STREAMS; k++)
        acc[0] = V_ADD(acc[0], acc[k]);
    return acc[0];
}

V_INLINE uint64_t V_FN(read_body)(const unsigned char *p, size_t n, enum ck_how how)
{
    size_t head = ck_head(p, n, V_W);
    uint64_t sum = ck_sum_bytes(p, head);
    p += head;
    n -= head;

    /* Two copies of the loop: prefetching costs load slots, which only pays from memory. */
    size_t body = n / V_BLOCK * V_BLOCK;
    V_T acc = n >= CK_PREFETCH_MIN ? V_FN(read_lanes)(p, body, how, true)
                                   : V_FN(read_lanes)(p, body, how, false);
    p += body;
    n -= body;
    for (; n >= V_W; p += V_W, n -= V_W)
        acc = V_ADD(acc, V_LOAD(p));
    return sum + V_HSUM(acc) + ck_sum_bytes(p, n);
}

V_INLINE uint64_t V_FN(store_body)(unsigned char *p, size_t n, uint64_t pattern, enum ck_how how)
{
    uint64_t word = ck_pattern_at_aligned(p, pattern);
    size_t head = ck_head(p, n, V_W);
    ck_store_bytes(p, head, word);
    p += head;
    n -= head;

    V_T v = V_SET1(word);
    size_t body = n / V_BLOCK * V_BLOCK, lane = body / CK_STREAMS;
    for (size_t i = 0; i < lane; i += V_PAIR) {
#pragma GCC unroll 8
        for (int k = 0; k < CK_STREAMS; k++) {
            unsigned char *q = p + k * lane + i;
            if (how == CK_NT) {
                V_NTSTORE2(q, v, v);
            } else {
                V_STORE(q, v);
                V_STORE(q + V_W, v);
            }
        }
    }
    if (how == CK_NT)
        V_NT_FENCE();
    p += body;
    n -= body;
    /* Less than a block is left: ordinary stores, which the cache absorbs anyway. */
    for (; n >= V_W; p += V_W, n -= V_W)
        V_STORE(p, v);
    ck_store_bytes(p, n, word);
    return 0;
}

/* Software prefetch only with CK_COPY_PREFETCH: see CK_PREFETCH_AHEAD. */
V_INLINE void V_FN(copy_lanes)(unsigned char *d, const unsigned char *s, size_t body,
                               enum ck_how how)
{
    size_t lane = body / CK_STREAMS;
    for (size_t i = 0; i < lane; i += V_PAIR) {
        V_T v[2 * CK_STREAMS];
#pragma GCC unroll 8
        for (int k = 0; k < CK_STREAMS; k++) {
            const unsigned char *q = s + k * lane + i;
            if (CK_COPY_PREFETCH && body >= CK_PREFETCH_MIN)
                V_PREFETCH(q);
            if (how == CK_NTLOAD) {
                V_NTLOAD2(q, v[2 * k], v[2 * k + 1]);
            } else {
                v[2 * k] = V_LOADU(q);
                v[2 * k + 1] = V_LOADU(q + V_W);
            }
        }
#pragma GCC unroll 8
        for (int k = 0; k < CK_STREAMS; k++) {
            unsigned char *q = d + k * lane + i;
            if (how == CK_NT) {
                V_NTSTORE2(q, v[2 * k], v[2 * k + 1]);
            } else if (how == CK_NTLOAD) {
                V_STOREU(q, v[2 * k]);
                V_STOREU(q + V_W, v[2 * k + 1]);
            } else {
                V_STORE(q, v[2 * k]);
                V_STORE(q + V_W, v[2 * k + 1]);
            }
        }
    }
    if (how == CK_NT)
        V_NT_FENCE();
}

/* The destination is aligned (stores are the costlier side) except for NTLOAD, whose
 * non-temporal loads need an aligned source. */
V_INLINE uint64_t V_FN(copy_body)(unsigned char *d, const unsigned char *s, size_t n,
                                  enum ck_how how)
{
    size_t head = ck_head(how == CK_NTLOAD ? (const void *)s : (const void *)d, n, V_W);
    ck_copy_bytes(d, s, head);
    d += head;
    s += head;
    n -= head;

    size_t body = n / V_BLOCK * V_BLOCK;
    V_FN(copy_lanes)(d, s, body, how);
    d += body;
    s += body;
    n -= body;
    for (; n >= V_W; d += V_W, s += V_W, n -= V_W)
        V_STOREU(d, V_LOADU(s));
    ck_copy_bytes(d, s, n);
    return 0;
}

static uint64_t V_FN(cpu_read)(void *dst, const void *src, size_t bytes)
{
    (void)dst;
    return V_FN(read_body)(src, bytes, CK_PLAIN);
}

static uint64_t V_FN(cpu_read_ntload)(void *dst, const void *src, size_t bytes)
{
    (void)dst;
    return V_FN(read_body)(src, bytes, CK_NTLOAD);
}

static uint64_t V_FN(cpu_write)(void *dst, const void *src, size_t bytes)
{
    return V_FN(store_body)(dst, bytes, ck_write_pattern(src), CK_PLAIN);
}

static uint64_t V_FN(cpu_write_nt)(void *dst, const void *src, size_t bytes)
{
    return V_FN(store_body)(dst, bytes, ck_write_pattern(src), CK_NT);
}

static uint64_t V_FN(cpu_fill)(void *dst, const void *src, size_t bytes)
{
    return V_FN(store_body)(dst, bytes, ck_fill_pattern(src), CK_PLAIN);
}

static uint64_t V_FN(cpu_fill_nt)(void *dst, const void *src, size_t bytes)
{
    return V_FN(store_body)(dst, bytes, ck_fill_pattern(src), CK_NT);
}

static uint64_t V_FN(cpu_copy)(void *dst, const void *src, size_t bytes)
{
    return V_FN(copy_body)(dst, src, bytes, CK_PLAIN);
}

static uint64_t V_FN(cpu_copy_nt)(void *dst, const void *src, size_t bytes)
{
    return V_FN(copy_body)(dst, src, bytes, CK_NT);
}

static uint64_t V_FN(cpu_copy_ntload)(void *dst, const void *src, size_t bytes)
{
    return V_FN(copy_body)(dst, src, bytes, CK_NTLOAD);
}

/* The inputs, so that the next width starts clean. */
#undef V_ISA
#undef V_T
#undef V_W
#undef V_LOAD
#undef V_LOADU
#undef V_STORE
#undef V_STOREU
#undef V_ADD
#undef V_ZERO
#undef V_SET1
#undef V_HSUM
#undef V_NTLOAD2
#undef V_NTSTORE2
#undef V_NT_FENCE
#undef V_CAT_
#undef V_CAT
#undef V_FN
#undef V_PAIR
#undef V_BLOCK
#undef V_INLINE
#undef V_PREFETCH
