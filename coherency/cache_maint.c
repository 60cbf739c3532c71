/* coherency/cache_maint.c - names, availability and choice of cache-maintenance methods.
 *
 * The architecture files supply instructions; this file decides what is usable here and why
 * not, picks the cheapest method for an operation, finds the line size (hwloc when the CPU
 * does not say) and rounds ranges outward to whole lines, so no partial line is left behind.
 */
#include "cache_maint.h"

#include <errno.h>
#include <hwloc.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "cache_maint_impl.h"
#include "cache_region.h"

#define CACHE_LINE_DEFAULT 64

static const struct cache_method_info methods[N_CACHE_METHODS] = {
        [CACHE_M_CLFLUSH] = {"clflush", "clflush per line, then mfence", CACHE_OP_CLEAN_INVAL,
                             "x86_64"},
        [CACHE_M_CLFLUSHOPT] = {"clflushopt", "clflushopt per line, then sfence",
                                CACHE_OP_CLEAN_INVAL, "x86_64"},
        [CACHE_M_CLWB] = {"clwb", "clwb per line, then sfence", CACHE_OP_CLEAN, "x86_64"},
        [CACHE_M_DC_CVAC] = {"dc-cvac", "dc cvac per line, then dsb sy", CACHE_OP_CLEAN, "aarch64"},
        [CACHE_M_DC_CIVAC] = {"dc-civac", "dc civac per line, then dsb sy", CACHE_OP_CLEAN_INVAL,
                              "aarch64"},
        [CACHE_M_DC_CVAU] = {"dc-cvau", "dc cvau per line, then dsb ish", CACHE_OP_CLEAN_POU,
                             "aarch64"},
};

/* Cheapest first: what a clean needs is best done by an instruction that keeps the line. */
static const enum cache_method preference[N_CACHE_OPS][3] = {
        [CACHE_OP_CLEAN] = {CACHE_M_CLWB, CACHE_M_CLFLUSHOPT, CACHE_M_CLFLUSH},
        [CACHE_OP_CLEAN_INVAL] = {CACHE_M_CLFLUSHOPT, CACHE_M_CLFLUSH, CACHE_M_CLFLUSH},
        [CACHE_OP_CLEAN_POU] = {CACHE_M_DC_CVAU, CACHE_M_DC_CVAU, CACHE_M_DC_CVAU},
};
/* arm64 has one method per operation. */
static const enum cache_method arm64_choice[N_CACHE_OPS] = {
        [CACHE_OP_CLEAN] = CACHE_M_DC_CVAC,
        [CACHE_OP_CLEAN_INVAL] = CACHE_M_DC_CIVAC,
        [CACHE_OP_CLEAN_POU] = CACHE_M_DC_CVAU,
};

#if !defined(__x86_64__) && !defined(__aarch64__)
/* Neither architecture: every method is another architecture's, and the line size is hwloc's. */
const struct cache_method_ops *cache_arch_method(enum cache_method m)
{
    (void)m;
    return NULL;
}

size_t cache_arch_line_size(const char **source)
{
    (void)source;
    return 0;
}
#endif

const struct cache_method_info *cache_method_info(enum cache_method m)
{
    return m < N_CACHE_METHODS ? &methods[m] : NULL;
}

const char *cache_method_name(enum cache_method m)
{
    return m < N_CACHE_METHODS ? methods[m].name : "?";
}

const char *cache_op_name(enum cache_op op)
{
    static const char *const names[N_CACHE_OPS] = {
            [CACHE_OP_CLEAN] = "clean",
            [CACHE_OP_CLEAN_INVAL] = "clean+invalidate",
            [CACHE_OP_CLEAN_POU] = "clean to PoU",
    };
    return op < N_CACHE_OPS ? names[op] : "?";
}

int cache_method_parse(const char *name, enum cache_method *out)
{
    for (int m = 0; m < N_CACHE_METHODS; m++) {
        if (!strcmp(name, methods[m].name)) {
            *out = (enum cache_method)m;
            return 0;
        }
    }
    return -EINVAL;
}

int cache_method_available(enum cache_method m, const char **why)
{
    if (m >= N_CACHE_METHODS) {
        *why = "no such cache maintenance method";
        return -EINVAL;
    }
    const struct cache_method_ops *ops = cache_arch_method(m);
    if (!ops) {
        *why = !strcmp(methods[m].arch, "x86_64") ? "an x86-64 instruction: not an x86-64 build"
                                                  : "an arm64 instruction: not an arm64 build";
        return -EOPNOTSUPP;
    }
    return ops->available(why);
}

bool cache_method_does(enum cache_method m, enum cache_op op)
{
    if (m >= N_CACHE_METHODS || op >= N_CACHE_OPS)
        return false;
    enum cache_op has = methods[m].op;
    return has == op || (op == CACHE_OP_CLEAN && has == CACHE_OP_CLEAN_INVAL);
}

int cache_method_best(enum cache_op op, enum cache_method *out, const char **why)
{
    if (op >= N_CACHE_OPS) {
        *why = "no such cache operation";
        return -EINVAL;
    }
    const char *first_why = NULL;
    enum cache_method candidates[4] = {preference[op][0], preference[op][1], preference[op][2],
                                       arm64_choice[op]};
    for (size_t i = 0; i < 4; i++) {
        const char *reason = NULL;
        if (cache_method_available(candidates[i], &reason) == 0) {
            *out = candidates[i];
            return 0;
        }
        /* The reason worth giving is this architecture's, not "not an arm64 build". */
        if (!first_why && cache_arch_method(candidates[i]))
            first_why = reason;
    }
    *why = first_why ? first_why : "this architecture has no user-space cache maintenance";
    return -EOPNOTSUPP;
}

/* --- the line size ------------------------------------------------------------------------- */

static size_t line_size;
static const char *line_source = "default";
static pthread_once_t line_once = PTHREAD_ONCE_INIT;

/* hwloc's smallest data or unified cache line, 0 when it knows none. */
static size_t hwloc_line_size(void)
{
    hwloc_topology_t topo;
    size_t best = 0;
    if (hwloc_topology_init(&topo))
        return 0;
    if (hwloc_topology_load(topo) == 0) {
        for (int depth = 0; depth < hwloc_topology_get_depth(topo); depth++) {
            hwloc_obj_t o = hwloc_get_obj_by_depth(topo, depth, 0);
            if (!o || !hwloc_obj_type_is_dcache(o->type) || !o->attr->cache.linesize)
                continue;
            if (!best || o->attr->cache.linesize < best)
                best = o->attr->cache.linesize;
        }
    }
    hwloc_topology_destroy(topo);
    return best;
}

static void find_line_size(void)
{
    const char *source = NULL;
    size_t size = cache_arch_line_size(&source);
    if (size && !(size & (size - 1))) {
        line_size = size;
        line_source = source;
        return;
    }
    size = hwloc_line_size();
    if (size && !(size & (size - 1))) {
        line_size = size;
        line_source = "hwloc";
        return;
    }
    line_size = CACHE_LINE_DEFAULT;
    line_source = "default";
}

size_t cache_line_size(void)
{
    pthread_once(&line_once, find_line_size);
    return line_size;
}

const char *cache_line_source(void)
{
    pthread_once(&line_once, find_line_size);
    return line_source;
}

/* --- ranges ---------------------------------------------------------------------------------- */

size_t cache_maint_lines(enum cache_method m, const void *addr, size_t len)
{
    const struct cache_method_ops *ops = cache_arch_method(m);
    struct cache_span span;
    size_t line = cache_line_size();
    if (!ops || cache_span_of((uintptr_t)addr, len, line, UINTPTR_MAX, &span))
        return 0;
    ops->lines(span.start, span.start + span.len, line);
    return span.lines;
}

void cache_maint_fence(enum cache_method m)
{
    const struct cache_method_ops *ops = cache_arch_method(m);
    if (ops)
        ops->fence();
}

size_t cache_maint_range(enum cache_method m, const void *addr, size_t len)
{
    size_t lines = cache_maint_lines(m, addr, len);
    cache_maint_fence(m);
    return lines;
}
