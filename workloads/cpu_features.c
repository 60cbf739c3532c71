/* workloads/cpu_features.c - asks the CPU (cpuid, gcc's cpu model) or the kernel (hwcaps)
 * for each feature of cpu_features.h.
 *
 * Answers are read once per process: the CPU does not change under a run, and dispatch asks
 * for every case.
 */
#include "cpu_features.h"

#include <stddef.h>

#if defined(__x86_64__)
#include <cpuid.h>

enum { EAX, EBX, ECX, EDX };

/* Bit `bit` of `reg` of CPUID leaf `leaf`, subleaf 0; false when the leaf is beyond the CPU's
 * highest. */
static bool cpuid_bit(unsigned leaf, int reg, unsigned bit)
{
    unsigned r[4] = {0};
    if (!__get_cpuid_count(leaf, 0, &r[0], &r[1], &r[2], &r[3]))
        return false;
    return (r[reg] >> bit) & 1u;
}

#define BUILTIN(feature)      (__builtin_cpu_init(), __builtin_cpu_supports(feature) != 0)
#define CPUID(leaf, reg, bit) cpuid_bit(leaf, reg, bit)
#elif defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>

#define HWCAP(type, bit) ((getauxval(type) & (bit)) != 0)
#endif

static const struct {
    const char *name, *cpuinfo;
} features[] = {
#define CPU_FEATURE_NAMES(id, name, cpuinfo, how) [CPU_FEATURE_##id] = {name, cpuinfo},
        CPU_FEATURES(CPU_FEATURE_NAMES)
#undef CPU_FEATURE_NAMES
                {NULL, NULL}, /* so that a build without features still has an array */
};

static bool ask(enum cpu_feature f)
{
    switch (f) {
#define CPU_FEATURE_ASK(id, name, cpuinfo, how)                                                    \
    case CPU_FEATURE_##id:                                                                         \
        return how;
        CPU_FEATURES(CPU_FEATURE_ASK)
#undef CPU_FEATURE_ASK
    default:
        return false;
    }
}

bool cpu_feature_present(enum cpu_feature f)
{
    /* 0: not asked yet, 1: absent, 2: present. Racing threads compute the same answer. */
    static unsigned char answer[N_CPU_FEATURES + 1];
    if ((unsigned)f >= N_CPU_FEATURES)
        return false;
    unsigned char a = __atomic_load_n(&answer[f], __ATOMIC_RELAXED);
    if (!a) {
        a = ask(f) ? 2 : 1;
        __atomic_store_n(&answer[f], a, __ATOMIC_RELAXED);
    }
    return a == 2;
}

const char *cpu_feature_name(enum cpu_feature f)
{
    return (unsigned)f < N_CPU_FEATURES ? features[f].name : NULL;
}

const char *cpu_feature_cpuinfo_name(enum cpu_feature f)
{
    return (unsigned)f < N_CPU_FEATURES ? features[f].cpuinfo : NULL;
}
