/* coherency/cache_maint_x86.c - x86-64 cache maintenance: clflush, clflushopt, clwb.
 *
 * CPUID says which exist (leaf 1 EDX[19] CLFSH, leaf 7 EBX[23] CLFLUSHOPT, EBX[24] CLWB, asked
 * through workloads/cpu_features.h, the list the metadata prints) and how far apart lines are
 * (leaf 1 EBX[15:8] x 8). clflush is ordered against stores and other clflushes by itself, so
 * mfence waits for it; clflushopt and clwb are weakly ordered and are fenced with sfence, as the
 * SDM asks. The mnemonics go through asm, so no -m flag is needed.
 */
#if defined(__x86_64__)

#include <cpuid.h>
#include <errno.h>
#include <stdbool.h>

#include "cache_maint_impl.h"
#include "cpu_features.h"

static int clflush_available(const char **why)
{
    if (cpu_feature_present(CPU_FEATURE_CLFLUSH))
        return 0;
    *why = "this CPU has no CLFLUSH (CPUID.1:EDX[19])";
    return -EOPNOTSUPP;
}

static int clflushopt_available(const char **why)
{
    if (cpu_feature_present(CPU_FEATURE_CLFLUSHOPT))
        return 0;
    *why = "this CPU has no CLFLUSHOPT (CPUID.7.0:EBX[23])";
    return -EOPNOTSUPP;
}

static int clwb_available(const char **why)
{
    if (cpu_feature_present(CPU_FEATURE_CLWB))
        return 0;
    *why = "this CPU has no CLWB (CPUID.7.0:EBX[24])";
    return -EOPNOTSUPP;
}

/* The "memory" clobber keeps the compiler from moving the buffer's loads and stores across the
 * maintenance, which is the point of it. */
#define X86_LINES(fn, insn)                                                                        \
    static void fn(uintptr_t first, uintptr_t end, size_t line)                                    \
    {                                                                                              \
        for (uintptr_t p = first; p < end; p += line)                                              \
            __asm__ volatile(insn " %0" : : "m"(*(const volatile char *)p) : "memory");            \
    }
X86_LINES(clflush_lines, "clflush")
X86_LINES(clflushopt_lines, "clflushopt")
X86_LINES(clwb_lines, "clwb")

static void mfence(void)
{
    __asm__ volatile("mfence" ::: "memory");
}

static void sfence(void)
{
    __asm__ volatile("sfence" ::: "memory");
}

static const struct cache_method_ops x86_ops[N_CACHE_METHODS] = {
        [CACHE_M_CLFLUSH] = {clflush_available, clflush_lines, mfence},
        [CACHE_M_CLFLUSHOPT] = {clflushopt_available, clflushopt_lines, sfence},
        [CACHE_M_CLWB] = {clwb_available, clwb_lines, sfence},
};

const struct cache_method_ops *cache_arch_method(enum cache_method m)
{
    return m < N_CACHE_METHODS && x86_ops[m].lines ? &x86_ops[m] : NULL;
}

size_t cache_arch_line_size(const char **source)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !((d >> 19) & 1u))
        return 0;
    *source = "cpuid";
    return ((b >> 8) & 0xffu) * 8u;
}

#endif
