/* workloads/dma_bounce.c - swiotlb=force on the kernel command line, and the segment limit it
 * puts on every importer's mapping (see dma_bounce.h).
 */
#include "dma_bounce.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "heap_dev.h"

/* Whether one word of the command line is swiotlb=...,force (its options are comma-separated). */
static bool word_forces(const char *word, size_t len)
{
    static const char key[] = "swiotlb=";
    if (len < sizeof(key) - 1 || strncmp(word, key, sizeof(key) - 1))
        return false;
    for (size_t i = sizeof(key) - 1; i < len;) {
        size_t n = strcspn(word + i, ", \t\n");
        if (n > len - i)
            n = len - i;
        if (n == strlen("force") && !strncmp(word + i, "force", n))
            return true;
        i += n + 1;
    }
    return false;
}

bool dma_bounce_forced(void)
{
    char path[256], line[4096];
    if (heap_dev_path(path, sizeof(path), "/proc/cmdline"))
        return false;
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool forced = false;
    if (fgets(line, sizeof(line), f)) {
        for (const char *p = line; *p && !forced;) {
            p += strspn(p, " \t\n");
            size_t n = strcspn(p, " \t\n");
            forced = word_forces(p, n);
            p += n;
        }
    }
    fclose(f);
    return forced;
}

void dma_bounce_explain(int err, size_t size, char *why, size_t why_len)
{
    if ((err != -EIO && err != -ENOMEM) || size <= DMA_BOUNCE_MAX_SEGMENT || !dma_bounce_forced())
        return;
    size_t used = strnlen(why, why_len);
    if (used + 1 >= why_len)
        return;
    /* Short enough to fit a row's reason (192 bytes) after the importer's own words. */
    snprintf(why + used, why_len - used,
             "; swiotlb=force bounces DMA through buffers of at most %u KiB: a larger segment "
             "cannot be mapped",
             DMA_BOUNCE_MAX_SEGMENT / 1024);
}
