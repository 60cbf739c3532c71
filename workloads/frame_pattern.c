/* workloads/frame_pattern.c - writes and checks the per-frame pattern at memory speed.
 *
 * Word i of frame N is seed(N) + i: both loops vectorise, the check ORs differences over a
 * block and only looks for the exact byte when a block is wrong, so checking a frame costs
 * about as much as reading it, as a real consumer (an encoder, a display) would.
 */
#include "frame_pattern.h"

#include <string.h>

#define CHECK_BLOCK_WORDS 512

static uint64_t frame_seed(uint64_t frame)
{
    return (frame + 1) * 0x9e3779b97f4a7c15ull; /* odd: distinct for every frame number */
}

/* The byte at offset of frame's pattern, as the word writes lay it out in memory. */
static unsigned char pattern_byte(uint64_t seed, size_t offset)
{
    uint64_t word = seed + offset / 8;
    unsigned char bytes[8];
    memcpy(bytes, &word, sizeof(bytes));
    return bytes[offset % 8];
}

void frame_pattern_write(void *dst, size_t bytes, uint64_t frame)
{
    uint64_t seed = frame_seed(frame);
    uint64_t *w = dst;
    size_t words = bytes / 8;
    for (size_t i = 0; i < words; i++)
        w[i] = seed + i;
    unsigned char *tail = (unsigned char *)dst;
    for (size_t off = words * 8; off < bytes; off++)
        tail[off] = pattern_byte(seed, off);
}

static bool find_mismatch(const unsigned char *p, size_t from, size_t to, uint64_t seed,
                          struct frame_mismatch *bad)
{
    for (size_t off = from; off < to; off++) {
        unsigned char want = pattern_byte(seed, off);
        if (p[off] != want) {
            *bad = (struct frame_mismatch){.offset = off, .got = p[off], .want = want};
            return true;
        }
    }
    return false;
}

bool frame_pattern_check(const void *src, size_t bytes, uint64_t frame, struct frame_mismatch *bad)
{
    uint64_t seed = frame_seed(frame);
    const uint64_t *w = src;
    size_t words = bytes / 8;
    for (size_t start = 0; start < words; start += CHECK_BLOCK_WORDS) {
        size_t end = start + CHECK_BLOCK_WORDS < words ? start + CHECK_BLOCK_WORDS : words;
        uint64_t diff = 0;
        for (size_t i = start; i < end; i++)
            diff |= w[i] ^ (seed + i);
        if (diff && find_mismatch(src, start * 8, end * 8, seed, bad))
            return false;
    }
    return !find_mismatch(src, words * 8, bytes, seed, bad);
}
