/* bench/job/size_units.h - sizes as people write them (4K, 1M, 2G, 4KiB) and as dmabench prints
 * them.
 *
 * One parser for every size a user types (CLI options, job files), so "4k" means the same thing
 * everywhere, and one formatter so that every printed size carries its unit.
 */
#ifndef DMABENCH_SIZE_UNITS_H
#define DMABENCH_SIZE_UNITS_H

#include <stddef.h>

/* Parse "4096", "4096B", "4K", "4k", "4KiB", "1M", "2G", "1T" (binary multiples). Returns 0,
 * -EINVAL for text that is not a size, -ERANGE when it does not fit in size_t. Zero is a valid size
 * here: callers decide whether they accept it. */
int size_parse(const char *text, size_t *out);
/* "4 KiB", "1.5 MiB", "1000 B": the largest binary unit not above the size, as a whole number
 * when exact, else with one decimal. Returns out. */
char *size_format(size_t bytes, char *out, size_t out_len);
/* Compact form for tables and CSV cells: "4KiB", "2MiB", "5000B". */
char *size_format_compact(size_t bytes, char *out, size_t out_len);

#endif
