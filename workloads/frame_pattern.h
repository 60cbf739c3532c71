/* workloads/frame_pattern.h - frame contents that say which frame they are, byte by byte.
 *
 * Frame N's 8-byte words are a function of N and their offset, and the consumer checks every
 * byte, so a stale line, an older frame of the pool or a shifted copy is caught, never timed.
 */
#ifndef DMABENCH_FRAME_PATTERN_H
#define DMABENCH_FRAME_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a frame first differs from its pattern. */
struct frame_mismatch {
    size_t offset;
    unsigned char got, want;
};

/* Fill bytes at dst (8-byte aligned) with frame's pattern. */
void frame_pattern_write(void *dst, size_t bytes, uint64_t frame);
/* Whether bytes at src hold frame's pattern; if not, *bad says where and what. */
bool frame_pattern_check(const void *src, size_t bytes, uint64_t frame, struct frame_mismatch *bad);

#endif
