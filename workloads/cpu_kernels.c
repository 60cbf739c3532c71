/* workloads/cpu_kernels.c - which CPU kernel runs: names, parsing and dispatch.
 *
 * Every (operation, implementation) pair has a name whether or not it can run here; the
 * variant tables of cpu_kernels_portable.c and the architecture's file say what is built, and
 * a variant's present() (CPUID on x86, HWCAP on arm64) says whether this CPU can run it.
 */
#include <errno.h>
#include <string.h>

#include "cpu_kernels_impl.h"

#if !defined(__x86_64__) && !defined(__aarch64__)
/* No SIMD kernels for this architecture: C and libc only. ISO C has no empty arrays. */
const struct cpu_kernel_variant cpu_kernel_arch_variants[1];
const size_t cpu_kernel_arch_count = 0;
#endif

static const char *const op_names[N_CPU_OPS] = {
        [CPU_OP_READ] = "read",
        [CPU_OP_WRITE] = "write",
        [CPU_OP_COPY] = "copy",
        [CPU_OP_FILL] = "fill",
};

static const char *const impl_names[N_CPU_IMPLS] = {
        [CPU_IMPL_AUTO] = "auto", [CPU_IMPL_C] = "c",       [CPU_IMPL_LIBC] = "libc",
        [CPU_IMPL_SSE2] = "sse2", [CPU_IMPL_AVX2] = "avx2", [CPU_IMPL_AVX512] = "avx512",
        [CPU_IMPL_NEON] = "neon", [CPU_IMPL_NT] = "nt",     [CPU_IMPL_NTLOAD] = "ntload",
};

/* AUTO: the widest plain SIMD this CPU has, then the C loop, which always exists. Not the
 * non-temporal kernels: whether bypassing the cache pays depends on the buffer size and on
 * what reads the data next, a choice the user makes by asking for :nt. */
static const enum cpu_impl auto_order[] = {CPU_IMPL_AVX512, CPU_IMPL_AVX2, CPU_IMPL_SSE2,
                                           CPU_IMPL_NEON, CPU_IMPL_C};

const char *cpu_op_name(enum cpu_op op)
{
    return (unsigned)op < N_CPU_OPS ? op_names[op] : "unknown";
}

const char *cpu_impl_name(enum cpu_impl impl)
{
    return (unsigned)impl < N_CPU_IMPLS ? impl_names[impl] : "unknown";
}

size_t cpu_kernel_variant_count(void)
{
    return cpu_kernel_portable_count + cpu_kernel_arch_count;
}

const struct cpu_kernel_variant *cpu_kernel_variant_at(size_t i)
{
    if (i < cpu_kernel_portable_count)
        return &cpu_kernel_portable_variants[i];
    i -= cpu_kernel_portable_count;
    return i < cpu_kernel_arch_count ? &cpu_kernel_arch_variants[i] : NULL;
}

bool cpu_kernel_variant_present(const struct cpu_kernel_variant *v)
{
    return !v->present || v->present();
}

/* Why no variant of op/impl is built at all. */
static const char *not_built_reason(enum cpu_op op, enum cpu_impl impl)
{
    switch (impl) {
    case CPU_IMPL_LIBC:
        return op == CPU_OP_READ ? "libc has no read routine"
                                 : "libc has no pattern-store routine; see fill:libc (memset)";
    case CPU_IMPL_NT:
        if (op == CPU_OP_READ)
            return "read stores nothing, so non-temporal stores do not apply; see read:ntload";
        break;
    case CPU_IMPL_NTLOAD:
        if (op == CPU_OP_WRITE)
            return "write loads nothing, so non-temporal loads do not apply; see write:nt";
        if (op == CPU_OP_FILL)
            return "fill loads nothing, so non-temporal loads do not apply; see fill:nt";
        break;
    case CPU_IMPL_SSE2:
    case CPU_IMPL_AVX2:
    case CPU_IMPL_AVX512:
        return "not an x86-64 build";
    case CPU_IMPL_NEON:
        return "not an arm64 build";
    default:
        break;
    }
    return "no SIMD kernels in this build";
}

const struct cpu_kernel *cpu_kernel_find(enum cpu_op op, enum cpu_impl impl, const char **why)
{
    if ((unsigned)op >= N_CPU_OPS || (unsigned)impl >= N_CPU_IMPLS) {
        if (why)
            *why = "no such operation or implementation";
        return NULL;
    }
    if (impl == CPU_IMPL_AUTO) {
        for (size_t i = 0; i < sizeof(auto_order) / sizeof(auto_order[0]); i++) {
            const struct cpu_kernel *k = cpu_kernel_find(op, auto_order[i], NULL);
            if (k)
                return k;
        }
        if (why)
            *why = "no kernel at all"; /* cannot happen: every op has a C kernel */
        return NULL;
    }

    /* Tables list NT and NTLOAD widest first: the first that runs wins, and when none does,
     * the narrowest one's reason is the one worth reading. */
    const char *reason = NULL;
    for (size_t i = 0; i < cpu_kernel_variant_count(); i++) {
        const struct cpu_kernel_variant *v = cpu_kernel_variant_at(i);
        if (v->kernel.op != op || v->kernel.impl != impl)
            continue;
        if (cpu_kernel_variant_present(v))
            return &v->kernel;
        reason = v->missing;
    }
    if (why)
        *why = reason ? reason : not_built_reason(op, impl);
    return NULL;
}

int cpu_kernel_parse(const char *text, enum cpu_op *op, enum cpu_impl *impl)
{
    if (!text)
        return -EINVAL;
    const char *colon = strchr(text, ':');
    size_t op_len = colon ? (size_t)(colon - text) : strlen(text);
    for (int o = 0; o < N_CPU_OPS; o++) {
        if (strlen(op_names[o]) != op_len || strncmp(text, op_names[o], op_len) != 0)
            continue;
        if (!colon) {
            *op = (enum cpu_op)o;
            *impl = CPU_IMPL_AUTO;
            return 0;
        }
        for (int i = 0; i < N_CPU_IMPLS; i++) {
            if (strcmp(colon + 1, impl_names[i]) == 0) {
                *op = (enum cpu_op)o;
                *impl = (enum cpu_impl)i;
                return 0;
            }
        }
        return -EINVAL;
    }
    return -EINVAL;
}

size_t cpu_kernels_available(enum cpu_op op, const struct cpu_kernel **out, size_t max)
{
    size_t n = 0;
    for (int i = CPU_IMPL_AUTO + 1; i < N_CPU_IMPLS && n < max; i++) {
        const struct cpu_kernel *k = cpu_kernel_find(op, (enum cpu_impl)i, NULL);
        if (k)
            out[n++] = k;
    }
    return n;
}
