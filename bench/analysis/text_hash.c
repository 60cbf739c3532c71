/* bench/analysis/text_hash.c - FNV-1a over strings (see text_hash.h). */
#include "text_hash.h"

uint64_t text_hash(uint64_t h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s;; p++) {
        h = (h ^ *p) * 0x100000001b3ull;
        if (!*p)
            return h;
    }
}
