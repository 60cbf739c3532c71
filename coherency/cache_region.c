/* coherency/cache_region.c - rounding ranges to cache lines and laying out sync regions.
 *
 * Kept free of any machine state so that the unit tests can pin every edge down: offsets at
 * and across line boundaries, regions at the very end of a buffer, overflow near the top of
 * the address space.
 */
#include "cache_region.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

static bool is_pow2(size_t x)
{
    return x && !(x & (x - 1));
}

int cache_span_of(uintptr_t start, size_t len, size_t line, uintptr_t limit, struct cache_span *out)
{
    if (!len || !is_pow2(line) || start >= limit)
        return -EINVAL;
    if (len > UINTPTR_MAX - start || start + len > UINTPTR_MAX - (line - 1))
        return -EOVERFLOW;
    uintptr_t first = start & ~(uintptr_t)(line - 1);
    uintptr_t end = (start + len + line - 1) & ~(uintptr_t)(line - 1);
    if (end > limit)
        end = limit;
    out->start = first;
    out->len = end - first;
    out->lines = (out->len + line - 1) / line;
    return 0;
}

size_t sync_layout_stride(const struct sync_layout *l)
{
    size_t room = l->buf_size - l->offset;
    return l->count == 1 ? room : (room / l->count) & ~(l->line - 1);
}

size_t sync_layout_region(const struct sync_layout *l, size_t k)
{
    return l->offset + k * sync_layout_stride(l);
}

/* Lines of one region at offset off: every region has the same offset within its line. */
static size_t region_span(const struct sync_layout *l, size_t off, struct cache_span *span)
{
    return cache_span_of(off, l->region, l->line, l->buf_size, span) ? 0 : span->len;
}

int sync_layout_check(const struct sync_layout *l, char *why, size_t why_len)
{
    if (!l->region || !l->count || !is_pow2(l->line)) {
        snprintf(why, why_len,
                 "a sync needs a region of at least 1 byte, 1 region per sync and "
                 "a power-of-two cache line");
        return -EINVAL;
    }
    if (l->offset >= l->buf_size || l->region > l->buf_size - l->offset) {
        snprintf(why, why_len, "a %zu B region at offset %zu does not fit a %zu B buffer",
                 l->region, l->offset, l->buf_size);
        return -ERANGE;
    }
    if (l->count == 1)
        return 0;
    /* The first region's lines, not only its bytes, must fit in one stride: then every region
     * does (they share the offset within a line), and the last one ends inside the buffer. */
    struct cache_span span;
    size_t stride = sync_layout_stride(l);
    if (!region_span(l, l->offset, &span) || stride < span.len) {
        snprintf(why, why_len,
                 "%zu regions of %zu B from offset %zu do not fit a %zu B buffer without "
                 "sharing %zu B cache lines",
                 l->count, l->region, l->offset, l->buf_size, l->line);
        return -ERANGE;
    }
    return 0;
}

size_t sync_layout_lines(const struct sync_layout *l)
{
    size_t lines = 0;
    for (size_t k = 0; k < l->count; k++) {
        struct cache_span span;
        if (region_span(l, sync_layout_region(l, k), &span))
            lines += span.lines;
    }
    return lines;
}

size_t sync_layout_bytes(const struct sync_layout *l)
{
    size_t bytes = 0;
    for (size_t k = 0; k < l->count; k++) {
        struct cache_span span;
        bytes += region_span(l, sync_layout_region(l, k), &span);
    }
    return bytes;
}
