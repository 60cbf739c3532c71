/* workloads/cpu_kernels_arm64.c - the arm64 kernels: NEON, plain and non-temporal.
 *
 * NEON (Advanced SIMD) is part of the arm64 base architecture, but the kernel still says so in
 * HWCAP_ASIMD and we ask (cpu_features.h). Non-temporal accesses are the LDNP/STNP pair
 * instructions: there is no single-register form, which is why the template moves non-temporal
 * data two vectors at a time. They are hints; arm64 needs no fence for them beyond the usual
 * barriers.
 */
#if defined(__aarch64__)

/* As in cpu_kernels_x86.c: the scalar heads and tails must stay loops, not libc calls. */
#pragma GCC optimize("no-tree-loop-distribute-patterns")

#include <arm_neon.h>

#include "cpu_features.h"
#include "cpu_kernels_impl.h"

static bool has_asimd(void)
{
    return cpu_feature_present(CPU_FEATURE_ASIMD);
}

/* The memory operands tell gcc which 32 bytes are read or written, so no "memory" clobber. */
#define NEON_LDNP(p, a, b)                                                                         \
    __asm__("ldnp %q0, %q1, [%2]" : "=w"(a), "=w"(b) : "r"(p), "m"(*(const uint8_t(*)[32])(p)))
#define NEON_STNP(p, a, b)                                                                         \
    __asm__("stnp %q1, %q2, [%3]" : "=m"(*(uint8_t(*)[32])(p)) : "w"(a), "w"(b), "r"(p))

#define V_ISA               neon
#define V_T                 uint64x2_t
#define V_W                 16
#define V_LOAD(p)           vld1q_u64((const uint64_t *)(const void *)(p))
#define V_LOADU(p)          V_LOAD(p)
#define V_STORE(p, v)       vst1q_u64((uint64_t *)(void *)(p), v)
#define V_STOREU(p, v)      V_STORE(p, v)
#define V_ADD(a, b)         vaddq_u64(a, b)
#define V_ZERO()            vdupq_n_u64(0)
#define V_SET1(x)           vdupq_n_u64(x)
#define V_HSUM(v)           vaddvq_u64(v)
#define V_NTLOAD2(p, a, b)  NEON_LDNP(p, a, b)
#define V_NTSTORE2(p, a, b) NEON_STNP(p, a, b)
#define V_NT_FENCE()        ((void)0)
#include "cpu_kernels_simd_template.h"

const struct cpu_kernel_variant cpu_kernel_arch_variants[] = {
        CK_SIMD_VARIANTS(neon, NEON, "neon", has_asimd, "this CPU has no Advanced SIMD (NEON)",
                         "neon", has_asimd, "this CPU has no Advanced SIMD (NEON)"),
};
const size_t cpu_kernel_arch_count =
        sizeof(cpu_kernel_arch_variants) / sizeof(cpu_kernel_arch_variants[0]);

#endif
