/* coherency/stale_lines.c - patterns, stale-line counts and the verdict rule of the probe.
 *
 * The pattern is splitmix64 of the seed and the word's index: cheap, and no two rounds or
 * places share a word, so a stale line is told from a fresh one whatever the memory held.
 */
#include "stale_lines.h"

#include <string.h>

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

void stale_pattern_fill(void *buf, size_t len, uint64_t seed)
{
    unsigned char *p = buf;
    uint64_t base = splitmix64(seed);
    for (size_t i = 0; i < len; i += sizeof(uint64_t)) {
        uint64_t word = splitmix64(base ^ (i / sizeof(uint64_t)));
        size_t n = len - i < sizeof(word) ? len - i : sizeof(word);
        memcpy(p + i, &word, n);
    }
}

size_t stale_lines_count(const void *seen, const void *expected, size_t len, size_t line)
{
    const unsigned char *a = seen, *b = expected;
    size_t stale = 0;
    if (!line)
        line = 1;
    for (size_t off = 0; off < len; off += line) {
        size_t n = len - off < line ? len - off : line;
        stale += memcmp(a + off, b + off, n) != 0;
    }
    return stale;
}

const char *stale_verdict(enum sync_kind kind, double worst_stale_lines)
{
    bool clean = !(worst_stale_lines > 0);
    if (!sync_kind_syncs(kind))
        return clean ? "coherent" : "needs-sync";
    if (clean)
        return "pass";
    return sync_kind_is_user(kind) ? "fail" : "sync-ineffective";
}
