/* workloads/cpu_kernels.h - what the CPU does to a buffer: read, write, copy, fill, chase.
 *
 * Each operation has several implementations (portable C, libc, SSE2/AVX2/AVX-512 or NEON, and
 * non-temporal variants), chosen at run time from what this CPU has. An implementation the CPU
 * or libc lacks is reported unavailable with the reason, never silently replaced.
 */
#ifndef DMABENCH_CPU_KERNELS_H
#define DMABENCH_CPU_KERNELS_H

#include <stddef.h>
#include <stdint.h>

enum cpu_op {
    CPU_OP_READ,  /* load every byte and fold into a checksum */
    CPU_OP_WRITE, /* store a 64-bit pattern to every byte */
    CPU_OP_COPY,  /* dst <- src; bytes counted once (bytes copied, as mbw and perf bench mem) */
    CPU_OP_FILL,  /* memset semantics: one byte value */
    N_CPU_OPS
};

enum cpu_impl {
    CPU_IMPL_AUTO,   /* the best plain SIMD implementation this CPU has */
    CPU_IMPL_C,      /* portable C loop (whatever the compiler makes of it) */
    CPU_IMPL_LIBC,   /* memcpy / memset; no read */
    CPU_IMPL_SSE2,   /* x86-64 */
    CPU_IMPL_AVX2,   /* x86-64 with AVX2 */
    CPU_IMPL_AVX512, /* x86-64 with AVX-512F */
    CPU_IMPL_NEON,   /* arm64 */
    CPU_IMPL_NT,     /* widest SIMD with non-temporal stores (write, copy, fill) */
    CPU_IMPL_NTLOAD, /* non-temporal loads (read, copy): MOVNTDQA helps write-combined memory */
    N_CPU_IMPLS
};

/* What write and fill store when src is NULL. The pattern has eight different bytes so that a
 * misplaced or rotated store shows; the fill byte is not zero because libc memsets and some
 * CPUs (arm64 DC ZVA) take a faster path for zero, which would be a different benchmark. */
#define CPU_WRITE_PATTERN 0x8877665544332211ull
#define CPU_FILL_BYTE     0xa5

/* read returns a checksum (keep it, or the loads may be optimised away); the others return 0.
 * src/dst may be at any alignment and bytes any length: kernels handle heads and tails.
 *   read   src: the buffer; dst unused. The checksum is the 64-bit wrapping sum of the native
 *          64-bit words of the 8-byte-aligned grid that covers [src, src + bytes), bytes outside
 *          the range counted as 0: every implementation returns the same value for the same
 *          memory, whatever its width or the buffer's alignment.
 *   write  byte dst[i] = byte i % 8 of the pattern as stored in memory (native order); the
 *          pattern is the 8 bytes at src, or CPU_WRITE_PATTERN when src is NULL.
 *   fill   memset(dst, c, bytes) with c = *(const unsigned char *)src, or CPU_FILL_BYTE.
 *   copy   memcpy(dst, src, bytes); the buffers must not overlap.
 * Non-temporal kernels end with the fence their stores need (x86 SFENCE) to be ordered. */
typedef uint64_t (*cpu_kernel_fn)(void *dst, const void *src, size_t bytes);

struct cpu_kernel {
    enum cpu_op op;
    enum cpu_impl impl; /* never AUTO: what really runs */
    const char *name;   /* "read:avx2"; NT and NTLOAD kernels are "copy:nt" whatever their width */
    const char *isa;    /* what the instructions need: "avx512f", "sse4.1", "neon", "c", "libc" */
    cpu_kernel_fn fn;
};

/* The kernel for op and impl (AUTO resolves), or NULL with *why set ("this CPU has no
 * AVX-512F", "libc has no read routine", "not an x86-64 build"). */
const struct cpu_kernel *cpu_kernel_find(enum cpu_op op, enum cpu_impl impl, const char **why);
/* "read", "read:avx2", "copy:nt" -> op, impl (AUTO when no impl is given). -EINVAL otherwise. */
int cpu_kernel_parse(const char *text, enum cpu_op *op, enum cpu_impl *impl);
const char *cpu_op_name(enum cpu_op op);
const char *cpu_impl_name(enum cpu_impl impl);
/* The implementations this CPU can run for op, in enum cpu_impl order (AUTO left out): stores
 * at most max of them in out and returns how many it stored. */
size_t cpu_kernels_available(enum cpu_op op, const struct cpu_kernel **out, size_t max);

/* Random cyclic pointer chase at cache-line granularity: every line of buf [0, bytes) holds
 * the address of the next line of one random cycle through all of them (seeded, so runs are
 * repeatable). Returns the first element; line must be a power of two >= sizeof(void *). NULL
 * when the buffer holds no whole line or line is invalid. Lines sit at buf + i * line; the
 * cycle is built in place (Sattolo's algorithm on the lines' own pointers), with no allocation. */
void **chase_build(void *buf, size_t bytes, size_t line, uint64_t seed);
/* Follow steps pointers from start; returns where it ended (so the loads cannot be elided).
 * Each load depends on the one before, so time / steps is the load-to-use latency. */
void **chase_run(void **start, uint64_t steps);

/* A chase that resumes where it stopped: successive walks (a benchmark's warm-up, then each of
 * its samples) follow one another around the one cycle, so no line is loaded twice before a
 * whole lap has passed. Restarting every walk at the first line instead reloads the same few
 * lines, which stay cached, and reports a cache hit as the latency of memory far beyond it. */
struct chase {
    void **at;    /* where the next walk starts: the line after the last one loaded */
    uint64_t lap; /* lines in the cycle: the steps of one lap */
};
/* Build the cycle over buf (chase_build) and stand at its first line; -EINVAL where
 * chase_build returns NULL. */
int chase_init(struct chase *c, void *buf, size_t bytes, size_t line, uint64_t seed);
/* Walk steps on from where the last walk stopped; returns the line reached, the new c->at. */
void **chase_walk(struct chase *c, uint64_t steps);
/* How far to walk before the first timed walk, for a cycle of lap lines on a CPU whose largest
 * cache holds cache_lines lines (0: unknown). Building the cycle leaves up to a cache of its
 * lines cached, scattered along the cycle; walking twice the cache's lines evicts them, and
 * what the warm-up itself leaves cached the next walks do not load again before a lap. At most
 * one lap (cheap for a buffer the cache holds: a lap leaves it as the samples find it), and a
 * whole lap when the cache size is unknown. */
uint64_t chase_warmup_steps(uint64_t lap, uint64_t cache_lines);

#endif
