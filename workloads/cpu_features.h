/* workloads/cpu_features.h - the CPU features that decide which code runs, in one list.
 *
 * The kernels (cpu_kernels_<arch>.c) and the cache maintenance (coherency/cache_maint_<arch>.c)
 * ask this list, and the run metadata (cpu_flags) prints it, so what a row ran on and what the
 * metadata says the CPU had cannot drift apart. A feature is present when the CPU reports it
 * and, for vector state, the kernel enabled it (XCR0), exactly as dispatch decides.
 */
#ifndef DMABENCH_CPU_FEATURES_H
#define DMABENCH_CPU_FEATURES_H

#include <stdbool.h>

/* X(ID, name, cpuinfo, how): name as the kernels' isa says it, cpuinfo as /proc/cpuinfo spells
 * the same bit (flags on x86, Features on arm64), how: BUILTIN(name) for gcc's
 * __builtin_cpu_supports (which checks XCR0 too), CPUID(leaf, register, bit) for a bit alone,
 * HWCAP(AT_HWCAP, bit) for an arm64 hwcap. */
#if defined(__x86_64__)
#define CPU_FEATURES(X)                                                                            \
    /* the SIMD kernels: read/write/copy/fill and their non-temporal forms */                      \
    X(SSE2, "sse2", "sse2", BUILTIN("sse2"))                                                       \
    X(SSE41, "sse4.1", "sse4_1", BUILTIN("sse4.1")) /* 128-bit MOVNTDQA (ntload) */                \
    X(AVX2, "avx2", "avx2", BUILTIN("avx2"))                                                       \
    X(AVX512F, "avx512f", "avx512f", BUILTIN("avx512f"))                                           \
    /* user-space cache maintenance (sync strategies *-user, coherency probes) */                  \
    X(CLFLUSH, "clflush", "clflush", CPUID(1, EDX, 19))                                            \
    X(CLFLUSHOPT, "clflushopt", "clflushopt", CPUID(7, EBX, 23))                                   \
    X(CLWB, "clwb", "clwb", CPUID(7, EBX, 24))                                                     \
    /* not ours: glibc's memcpy/memset (copy:libc, fill:libc) pick their code by these */          \
    X(AVX512VL, "avx512vl", "avx512vl", BUILTIN("avx512vl"))                                       \
    X(ERMS, "erms", "erms", CPUID(7, EBX, 9))                                                      \
    X(FSRM, "fsrm", "fsrm", CPUID(7, EDX, 4))
#elif defined(__aarch64__)
#define CPU_FEATURES(X)                                                                            \
    /* the NEON kernels */                                                                         \
    X(ASIMD, "asimd", "asimd", HWCAP(AT_HWCAP, HWCAP_ASIMD))
#else
#define CPU_FEATURES(X)
#endif

enum cpu_feature {
#define CPU_FEATURE_ENUM(id, name, cpuinfo, how) CPU_FEATURE_##id,
    CPU_FEATURES(CPU_FEATURE_ENUM)
#undef CPU_FEATURE_ENUM
            N_CPU_FEATURES
};

/* Whether this CPU (and kernel) has f; false for f out of range. */
bool cpu_feature_present(enum cpu_feature f);
/* "avx2", "sse4.1", "asimd"; NULL for f out of range. */
const char *cpu_feature_name(enum cpu_feature f);
/* The same feature as /proc/cpuinfo names it ("sse4_1"); NULL for f out of range. */
const char *cpu_feature_cpuinfo_name(enum cpu_feature f);

#endif
