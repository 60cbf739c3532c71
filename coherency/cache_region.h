/* coherency/cache_region.h - the arithmetic of maintained regions: lines, offsets, strides.
 *
 * Cache maintenance works on whole lines, so a region is rounded outward (a line left out
 * would stay stale or be clobbered). A sync of several regions spreads them evenly over the
 * buffer, each at the same offset within its line, and never lets two share a line: otherwise
 * N regions would quietly become one larger region. Pure functions, no machine state.
 */
#ifndef DMABENCH_CACHE_REGION_H
#define DMABENCH_CACHE_REGION_H

#include <stddef.h>
#include <stdint.h>

/* Whole lines covering a range. */
struct cache_span {
    uintptr_t start; /* rounded down to a line */
    size_t len;      /* rounded up to whole lines (and clamped, see below) */
    size_t lines;    /* lines touched: len / line, plus one when clamping cut a line short */
};

/* The lines covering [start, start + len), rounded outward to multiples of line (a power of
 * two), then clamped to end at limit (a buffer's size; UINTPTR_MAX for addresses). -EINVAL
 * when len is 0, line is not a power of two, or start is at or beyond limit; -EOVERFLOW when
 * the rounded end does not fit. */
int cache_span_of(uintptr_t start, size_t len, size_t line, uintptr_t limit,
                  struct cache_span *out);

/* Where the regions of one sync lie in a buffer. */
struct sync_layout {
    size_t buf_size; /* bytes of the buffer */
    size_t region;   /* bytes per region, > 0 */
    size_t offset;   /* where the first region starts */
    size_t count;    /* regions per sync, > 0 */
    size_t line;     /* cache line, a power of two */
};

/* 0 when the layout fits; otherwise -EINVAL (a zero or odd parameter) or -ERANGE (does not fit
 * the buffer, or regions would share lines) with a one-line reason in why. */
int sync_layout_check(const struct sync_layout *l, char *why, size_t why_len);
/* Distance between region starts: the space after offset split count ways, rounded down to
 * whole lines so that every region has the same alignment. Valid layouts only. */
size_t sync_layout_stride(const struct sync_layout *l);
/* Offset of region k (k < count). */
size_t sync_layout_region(const struct sync_layout *l, size_t k);
/* Lines one sync maintains over all regions (each rounded outward). */
size_t sync_layout_lines(const struct sync_layout *l);
/* Bytes one sync covers when rounded to lines: sync_layout_lines() x line, clamped per
 * region to the buffer. */
size_t sync_layout_bytes(const struct sync_layout *l);

#endif
