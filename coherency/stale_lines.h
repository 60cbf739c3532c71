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

/* Fill len bytes at buf with the pattern of seed (any alignment and length). */
void stale_pattern_fill(void *buf, size_t len, uint64_t seed);
/* Lines of line bytes (the last one may be short) in which seen and expected differ; both
 * are len bytes. line 0 counts as 1. */
size_t stale_lines_count(const void *seen, const void *expected, size_t len, size_t line);
/* The verdict on a probe's worst repetition: without sync (synced false) "coherent" when no
 * line was ever stale, else "needs-sync"; with a sync strategy "pass" or "fail". */
const char *stale_verdict(bool synced, double worst_stale_lines);

#endif
