/* bench/analysis/utf8_scan.c - the length of one valid UTF-8 character, and text repaired to
 * valid UTF-8 (see utf8_scan.h). */
#include "utf8_scan.h"

#include <stdlib.h>
#include <string.h>

static int continuation(unsigned char c)
{
    return (c & 0xc0) == 0x80;
}

size_t utf8_sequence(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] == 0)
        return 0;
    if (u[0] < 0x80)
        return 1;
    if (u[0] >= 0xc2 && u[0] <= 0xdf)
        return continuation(u[1]) ? 2 : 0;
    if (u[0] >= 0xe0 && u[0] <= 0xef) {
        /* E0 needs A0..BF (not overlong), ED 80..9F (no surrogates). */
        unsigned char lo = u[0] == 0xe0 ? 0xa0 : 0x80, hi = u[0] == 0xed ? 0x9f : 0xbf;
        return u[1] >= lo && u[1] <= hi && continuation(u[2]) ? 3 : 0;
    }
    if (u[0] >= 0xf0 && u[0] <= 0xf4) {
        /* F0 needs 90..BF (not overlong), F4 80..8F (not above U+10FFFF). */
        unsigned char lo = u[0] == 0xf0 ? 0x90 : 0x80, hi = u[0] == 0xf4 ? 0x8f : 0xbf;
        return u[1] >= lo && u[1] <= hi && continuation(u[2]) && continuation(u[3]) ? 4 : 0;
    }
    return 0;
}

char *utf8_repaired(const char *s)
{
    size_t n = strlen(s), rlen = strlen(UTF8_REPLACEMENT);
    /* At worst every byte becomes a replacement. */
    char *out = malloc(n * rlen + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t len; *s; s += len ? len : 1) {
        len = utf8_sequence(s);
        memcpy(o, len ? s : UTF8_REPLACEMENT, len ? len : rlen);
        o += len ? len : rlen;
    }
    *o = '\0';
    return out;
}
