/* bench/analysis/utf8_scan.h - where valid UTF-8 ends, for text from result files that goes
 * into a page, a plot or JSON (a board's tarball can hold any byte).
 *
 * Strict: no overlong forms, no surrogates, nothing above U+10FFFF (RFC 3629).
 */
#ifndef DMABENCH_UTF8_SCAN_H
#define DMABENCH_UTF8_SCAN_H

#include <stddef.h>

/* The length (1 to 4) of the valid UTF-8 character s starts with; 0 when s starts with a
 * byte that begins no valid character here (or with the terminating NUL). */
size_t utf8_sequence(const char *s);

/* U+FFFD, what stands for a byte that begins no valid character. */
#define UTF8_REPLACEMENT "\xef\xbf\xbd"

/* A copy of s (malloc'd; NULL on ENOMEM) where each byte that begins no valid character is
 * U+FFFD and every valid character is kept: "sys\xfftem-\xc3\xa9" -> "sys\uFFFDtem-\u00e9". */
char *utf8_repaired(const char *s);

#endif
