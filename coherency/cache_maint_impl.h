/* coherency/cache_maint_impl.h - what each architecture's cache-maintenance file provides.
 *
 * coherency/cache_maint.c owns the names, the choice and the loops' callers; an architecture
 * file (cache_maint_x86.c, cache_maint_arm64.c) supplies the instructions for its own methods
 * and its line size. Methods of the other architecture have no ops in a build.
 */
#ifndef DMABENCH_CACHE_MAINT_IMPL_H
#define DMABENCH_CACHE_MAINT_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "cache_maint.h"

struct cache_method_ops {
    /* 0, or -EOPNOTSUPP with *why: the CPU lacks the instruction. */
    int (*available)(const char **why);
    /* One instruction per line at first, first + line ... while below end. */
    void (*lines)(uintptr_t first, uintptr_t end, size_t line);
    /* Wait until every maintenance issued by this thread has completed. */
    void (*fence)(void);
};

/* The ops of m in this build, or NULL when m belongs to another architecture. */
const struct cache_method_ops *cache_arch_method(enum cache_method m);
/* The smallest data cache line from the CPU itself, 0 when it does not say; *source names
 * where it came from ("cpuid", "ctr_el0"). */
size_t cache_arch_line_size(const char **source);

#endif
