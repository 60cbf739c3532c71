/* coherency/stale_lines.h - the arithmetic of the stale-line probe: patterns, counts, verdicts.
 *
 * A probe writes a pattern through one side, reads it back through the other and counts the
 * cache lines that differ. Every word of a pattern depends on the round's seed and its place,
 * so a line left over from another round or another place never passes for a fresh one.
 * Pure functions, no machine state.
 */
#ifndef DMABENCH_STALE_LINES_H
#define DMABENCH_STALE_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sync_strategy.h"

/* Fill len bytes at buf with the pattern of seed (any alignment and length). */
void stale_pattern_fill(void *buf, size_t len, uint64_t seed);
/* Lines of line bytes (the last one may be short) in which seen and expected differ; both
 * are len bytes. line 0 counts as 1. */
size_t stale_lines_count(const void *seen, const void *expected, size_t len, size_t line);
/* The verdict on a probe's worst repetition under sync strategy kind, by who was asked to make
 * the views agree:
 *   none: nobody                          no stale line "coherent", else "needs-sync"
 *   full, partial-ioctl: the exporter     "pass", else "sync-ineffective" (its sync, which is
 *     (DMA_BUF_IOCTL_SYNC: the DMA API)   the kernel's DMA API, does not reach the importers'
 *                                         mappings: udmabuf, an uncached heap under bounce
 *                                         buffers)
 *   full-user, partial-user: user space   "pass", else "fail" (maintaining the CPU's caches by
 *                                         address did not do it: bounce buffers, outer caches)
 * Strings of results/README.md's "Verdicts". */
const char *stale_verdict(enum sync_kind kind, double worst_stale_lines);

#endif
