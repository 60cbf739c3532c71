/* coherency/cache_maint_arm64.c - arm64 cache maintenance: dc cvac, dc civac, dc cvau.
 *
 * Linux sets SCTLR_EL1.UCI, so EL0 may run these (on cores with errata the kernel traps and
 * does them itself: slower, still correct). Maintenance to the point of coherency ends with
 * dsb sy, as the kernel's dcache_clean_poc does, because a non-coherent DMA master is outside
 * the inner shareable domain; a PoU clean only needs dsb ish. The stride is CTR_EL0.DminLine,
 * the smallest data cache line in the system, so no line is stepped over. There is no EL0
 * invalidate-only (dc ivac traps): an invalidating sync uses dc civac.
 */
#if defined(__aarch64__)

#include <stdint.h>

#include "cache_maint_impl.h"

static int always(const char **why)
{
    (void)why;
    return 0;
}

#define ARM64_LINES(fn, op)                                                                        \
    static void fn(uintptr_t first, uintptr_t end, size_t line)                                    \
    {                                                                                              \
        for (uintptr_t p = first; p < end; p += line)                                              \
            __asm__ volatile("dc " op ", %0" : : "r"(p) : "memory");                               \
    }
ARM64_LINES(cvac_lines, "cvac")
ARM64_LINES(civac_lines, "civac")
ARM64_LINES(cvau_lines, "cvau")

static void dsb_sy(void)
{
    __asm__ volatile("dsb sy" ::: "memory");
}

static void dsb_ish(void)
{
    __asm__ volatile("dsb ish" ::: "memory");
}

static const struct cache_method_ops arm64_ops[N_CACHE_METHODS] = {
        [CACHE_M_DC_CVAC] = {always, cvac_lines, dsb_sy},
        [CACHE_M_DC_CIVAC] = {always, civac_lines, dsb_sy},
        [CACHE_M_DC_CVAU] = {always, cvau_lines, dsb_ish},
};

const struct cache_method_ops *cache_arch_method(enum cache_method m)
{
    return m < N_CACHE_METHODS && arm64_ops[m].lines ? &arm64_ops[m] : NULL;
}

size_t cache_arch_line_size(const char **source)
{
    uint64_t ctr;
    __asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
    *source = "ctr_el0";
    /* DminLine, bits [19:16]: log2 of the number of 4-byte words in the smallest line. */
    return (size_t)4 << ((ctr >> 16) & 0xf);
}

#endif
