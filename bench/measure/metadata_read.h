/* bench/measure/metadata_read.h - reading /proc and /sys for the metadata collectors, under
 * md->root.
 *
 * Every collector (metadata.c, metadata_cpu.c, metadata_power.c) reads through these, so that a
 * test can plant a board's tree under md->root and every reader sees it. Missing, unreadable and
 * empty files all read as "not there": the collectors write "unknown" or "none" for them.
 */
#ifndef DMABENCH_METADATA_READ_H
#define DMABENCH_METADATA_READ_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "metadata.h"

/* path under md->root, opened for reading; NULL when missing. */
FILE *metadata_open(const struct metadata *md, const char *path);
/* The same under root (NULL: the real /proc and /sys), for readers that hold no metadata. */
FILE *metadata_open_at(const char *root, const char *path);
/* The whole file up to len - 1 bytes, NUL-terminated; the byte count, or -1 when missing.
 * Device-tree properties hold NULs, so callers get the length too. */
ssize_t metadata_read_raw(const struct metadata *md, const char *path, char *buf, size_t len);
/* The first line of a file without surrounding blanks; NULL when missing or empty. */
char *metadata_read_line(const struct metadata *md, const char *path, char *buf, size_t len);
/* printf at out + *used, *used kept within len (below it once len > 0): a value built of many
 * parts, cut where it no longer fits. */
void metadata_append(char *out, size_t len, size_t *used, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* s without leading and trailing blanks (trailing ones are cut in place). */
char *metadata_trim(char *s);
/* The numbers N of the entries PREFIX<N> of directory dir ("policy" in .../cpufreq gives the
 * cpufreq policies), ascending; stores at most max and returns how many it stored, 0 when dir
 * is missing. */
size_t metadata_list_numbered(const struct metadata *md, const char *dir, const char *prefix,
                              int *out, size_t max);

#endif
