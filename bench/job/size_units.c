/* bench/job/size_units.c - parsing and printing byte sizes with binary units.
 *
 * Suffixes are binary (K = 1024) as everywhere in the kernel's DMA world; "KiB" and "KB" are
 * accepted as spellings of the same thing so that pasted values from docs just work.
 */
#include "size_units.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char unit_letters[] = "KMGTPE";

int size_parse(const char *text, size_t *out)
{
    if (!text || !isdigit((unsigned char)text[0]))
        return -EINVAL; /* no sign, no blanks, no empty string */
    errno = 0;
    char *end;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno == ERANGE)
        return -ERANGE;
    unsigned shift = 0;
    if ((end[0] == 'B' || end[0] == 'b') && !end[1])
        end++; /* "5000B": bytes, the compact form size_format_compact prints */
    if (*end) {
        const char *letter = strchr(unit_letters, toupper((unsigned char)*end));
        if (!letter)
            return -EINVAL;
        shift = 10 * (unsigned)(letter - unit_letters + 1);
        end++;
        if (!strcasecmp(end, "iB") || !strcasecmp(end, "B"))
            end += strlen(end);
        if (*end)
            return -EINVAL;
    }
    if (shift && value > (SIZE_MAX >> shift))
        return -ERANGE;
    if (value > SIZE_MAX)
        return -ERANGE;
    *out = (size_t)(value << shift);
    return 0;
}

/* The largest unit that divides bytes exactly, or (when inexact) the largest not above it. */
static unsigned pick_unit(size_t bytes, int exact)
{
    unsigned u = 0;
    while (u < sizeof(unit_letters) - 1 && bytes >> (10 * (u + 1)) &&
           (!exact || bytes % ((size_t)1 << (10 * (u + 1))) == 0))
        u++;
    return u;
}

char *size_format(size_t bytes, char *out, size_t out_len)
{
    unsigned exact = pick_unit(bytes, 1), largest = pick_unit(bytes, 0);
    if (largest == 0)
        snprintf(out, out_len, "%zu B", bytes);
    else if (exact == largest)
        snprintf(out, out_len, "%zu %ciB", bytes >> (10 * exact), unit_letters[exact - 1]);
    else
        snprintf(out, out_len, "%.1f %ciB", (double)bytes / (double)((size_t)1 << (10 * largest)),
                 unit_letters[largest - 1]);
    return out;
}

char *size_format_compact(size_t bytes, char *out, size_t out_len)
{
    unsigned u = pick_unit(bytes, 1);
    if (u == 0)
        snprintf(out, out_len, "%zuB", bytes);
    else
        snprintf(out, out_len, "%zu%ciB", bytes >> (10 * u), unit_letters[u - 1]);
    return out;
}
