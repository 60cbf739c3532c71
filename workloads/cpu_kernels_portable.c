/* workloads/cpu_kernels_portable.c - the kernels every build has: plain C loops and libc.
 *
 * The C kernels are the scalar helpers every SIMD kernel uses for its head and tail, run over
 * the whole buffer: whatever the compiler makes of a word loop is the baseline. libc gives copy
 * (memcpy) and fill (memset) only; it has no read and no pattern store, and says so.
 */

/* gcc would otherwise recognise the copy loop as memcpy and call libc, and copy:c would be
 * copy:libc under another name. Before the includes, so every inline helper gets it too. */
#pragma GCC optimize("no-tree-loop-distribute-patterns")

#include <string.h>

#include "cpu_kernels_impl.h"

static uint64_t cpu_read_c(void *dst, const void *src, size_t bytes)
{
    (void)dst;
    return ck_sum_bytes(src, bytes);
}

static uint64_t cpu_write_c(void *dst, const void *src, size_t bytes)
{
    ck_store_bytes(dst, bytes, ck_pattern_at_aligned(dst, ck_write_pattern(src)));
    return 0;
}

static uint64_t cpu_fill_c(void *dst, const void *src, size_t bytes)
{
    ck_store_bytes(dst, bytes, ck_fill_pattern(src));
    return 0;
}

static uint64_t cpu_copy_c(void *dst, const void *src, size_t bytes)
{
    ck_copy_bytes(dst, src, bytes);
    return 0;
}

static uint64_t cpu_copy_libc(void *dst, const void *src, size_t bytes)
{
    memcpy(dst, src, bytes);
    return 0;
}

static uint64_t cpu_fill_libc(void *dst, const void *src, size_t bytes)
{
    memset(dst, src ? *(const unsigned char *)src : CPU_FILL_BYTE, bytes);
    return 0;
}

const struct cpu_kernel_variant cpu_kernel_portable_variants[] = {
        CK_VARIANT(READ, C, "read:c", "c", cpu_read_c, NULL, NULL),
        CK_VARIANT(WRITE, C, "write:c", "c", cpu_write_c, NULL, NULL),
        CK_VARIANT(COPY, C, "copy:c", "c", cpu_copy_c, NULL, NULL),
        CK_VARIANT(FILL, C, "fill:c", "c", cpu_fill_c, NULL, NULL),
        CK_VARIANT(COPY, LIBC, "copy:libc", "libc", cpu_copy_libc, NULL, NULL),
        CK_VARIANT(FILL, LIBC, "fill:libc", "libc", cpu_fill_libc, NULL, NULL),
};
const size_t cpu_kernel_portable_count =
        sizeof(cpu_kernel_portable_variants) / sizeof(cpu_kernel_portable_variants[0]);
