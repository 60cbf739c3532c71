/* bench/analysis/utf8_scan.h - where valid UTF-8 ends, for text from result files that goes
 * into a page or a plot (a board's tarball can hold any byte).
 *
 * Strict: no overlong forms, no surrogates, nothing above U+10FFFF (RFC 3629).
 */
#ifndef DMABENCH_UTF8_SCAN_H
#define DMABENCH_UTF8_SCAN_H

#include <stddef.h>

/* The length (1 to 4) of the valid UTF-8 character s starts with; 0 when s starts with a
 * byte that begins no valid character here (or with the terminating NUL). */
size_t utf8_sequence(const char *s);

#endif
