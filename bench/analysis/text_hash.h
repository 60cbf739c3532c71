/* bench/analysis/text_hash.h - a short, stable hash of names, for names that must be cut.
 *
 * A trend plot's file and a LAVA test case too long for LAVA keep a readable prefix and add
 * hex digits of this hash of the whole identity, so the same case gets the same name in every
 * run and on every machine (FNV-1a 64, no seed from the process).
 */
#ifndef DMABENCH_TEXT_HASH_H
#define DMABENCH_TEXT_HASH_H

#include <stdint.h>

#define TEXT_HASH_START 0xcbf29ce484222325ull

/* h extended by s and its terminating NUL (so "a" "bc" and "ab" "c" differ); start with
 * TEXT_HASH_START. */
uint64_t text_hash(uint64_t h, const char *s);

#endif
