/* coherency/cache_maint.h - CPU cache maintenance by address range, chosen at run time.
 *
 * The instructions user space may run to write caches back or drop them: x86-64 clflush,
 * clflushopt and clwb (CPUID tells which exist), arm64 dc cvac, dc civac and dc cvau (EL0 may
 * run them on Linux). The line size comes from CPUID or CTR_EL0, with hwloc as the fallback.
 * A method this CPU or build lacks is reported unavailable with the reason, never replaced.
 */
#ifndef DMABENCH_CACHE_MAINT_H
#define DMABENCH_CACHE_MAINT_H

#include <stdbool.h>
#include <stddef.h>

/* What a maintenance operation does to each line. */
enum cache_op {
    CACHE_OP_CLEAN,       /* write dirty lines back to memory; they may stay cached */
    CACHE_OP_CLEAN_INVAL, /* write back and drop them: the next access reads memory */
    CACHE_OP_CLEAN_POU,   /* arm64: clean to the point of unification (I/D), not to memory */
    N_CACHE_OPS
};

enum cache_method {
    CACHE_M_CLFLUSH,    /* x86-64: clean + invalidate, ordered by itself; mfence to wait */
    CACHE_M_CLFLUSHOPT, /* x86-64: clean + invalidate, weakly ordered; sfence to wait */
    CACHE_M_CLWB,       /* x86-64: clean, the line may stay; sfence to wait */
    CACHE_M_DC_CVAC,    /* arm64: clean to the point of coherency; dsb sy */
    CACHE_M_DC_CIVAC,   /* arm64: clean + invalidate to the point of coherency; dsb sy */
    CACHE_M_DC_CVAU,    /* arm64: clean to the point of unification; dsb ish */
    N_CACHE_METHODS
};

struct cache_method_info {
    const char *name; /* "clflushopt", "dc-civac": the name in strategies and rows */
    const char *insn; /* what runs: "clflushopt per line, then sfence" */
    enum cache_op op;
    const char *arch; /* "x86_64", "aarch64" */
};

const struct cache_method_info *cache_method_info(enum cache_method m);
const char *cache_method_name(enum cache_method m);
/* "clwb", "dc-cvac" ... -> method; -EINVAL for anything else. */
int cache_method_parse(const char *name, enum cache_method *out);
/* 0 when this CPU and build can run m, else -EOPNOTSUPP and *why ("this CPU has no CLWB
 * (CPUID.7.0:EBX[24])", "dc cvac is an arm64 instruction: this is an x86-64 build"). */
int cache_method_available(enum cache_method m, const char **why);
/* Whether m does at least what op needs: clean + invalidate also cleans; a PoU clean is not a
 * clean to memory, and nothing but itself is a PoU clean. */
bool cache_method_does(enum cache_method m, enum cache_op op);
/* The cheapest method here that does op: for a clean clwb, then clflushopt, then clflush (x86)
 * or dc cvac (arm64); for clean + invalidate clflushopt, then clflush, or dc civac. 0, or
 * -EOPNOTSUPP with *why naming what is missing. */
int cache_method_best(enum cache_op op, enum cache_method *out, const char **why);
const char *cache_op_name(enum cache_op op);

/* Bytes between maintained addresses: the smallest data cache line of the machine (CPUID leaf
 * 1 CLFLUSH size, CTR_EL0.DminLine), else hwloc's L1d line, else 64. Read once. */
size_t cache_line_size(void);
/* Where cache_line_size() came from: "cpuid", "ctr_el0", "hwloc", "default". */
const char *cache_line_source(void);

/* Maintain every line that overlaps [addr, addr + len), then wait for completion with the
 * method's barrier. m must be available (checked once by the caller: this is the timed path).
 * Returns the number of lines maintained. */
size_t cache_maint_range(enum cache_method m, const void *addr, size_t len);
/* The same without the barrier, for several ranges that share one cache_maint_fence(). */
size_t cache_maint_lines(enum cache_method m, const void *addr, size_t len);
void cache_maint_fence(enum cache_method m);

#endif
