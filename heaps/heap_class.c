/* heaps/heap_class.c - what a heap's name says about its CPU mapping, and the names of the
 * core's enums.
 *
 * Vendors name heaps freely ("system", "linux,cma", "mtk_mm-uncached", "default_cma_region"),
 * so the class is a best guess from the name that the user can override with --heap-class.
 */
#include "heap.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

static const char *const class_names[] = {
        [HEAP_CLASS_UNKNOWN] = "unknown",
        [HEAP_CLASS_CACHED] = "cached",
        [HEAP_CLASS_UNCACHED] = "uncached",
        [HEAP_CLASS_CONTIGUOUS] = "contiguous",
};

const char *heap_class_name(enum heap_class klass)
{
    if ((unsigned)klass >= sizeof(class_names) / sizeof(class_names[0]))
        return "unknown";
    return class_names[klass];
}

int heap_class_parse(const char *text, enum heap_class *out)
{
    for (size_t i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++) {
        if (text && !strcasecmp(text, class_names[i])) {
            *out = (enum heap_class)i;
            return 0;
        }
    }
    return -EINVAL;
}

/* Case-insensitive substring search (strcasestr without relying on its availability). */
static int name_has(const char *name, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = name; *p; p++)
        if (!strncasecmp(p, word, n))
            return 1;
    return 0;
}

enum heap_class heap_class_from_name(const char *name)
{
    /* Order matters: "linux,cma-uncached" is uncached before it is contiguous. */
    static const char *const uncached_words[] = {"uncached", "noncached", "non-cached",
                                                 "writecombine", "-wc"};
    static const char *const contiguous_words[] = {"cma", "reserved", "carveout", "contig"};
    static const char *const cached_words[] = {"system", "cached"};
    for (size_t i = 0; i < sizeof(uncached_words) / sizeof(uncached_words[0]); i++)
        if (name_has(name, uncached_words[i]))
            return HEAP_CLASS_UNCACHED;
    for (size_t i = 0; i < sizeof(contiguous_words) / sizeof(contiguous_words[0]); i++)
        if (name_has(name, contiguous_words[i]))
            return HEAP_CLASS_CONTIGUOUS;
    for (size_t i = 0; i < sizeof(cached_words) / sizeof(cached_words[0]); i++)
        if (name_has(name, cached_words[i]))
            return HEAP_CLASS_CACHED;
    return HEAP_CLASS_UNKNOWN;
}

enum heap_cpu_mapping heap_class_cpu_mapping(enum heap_class klass)
{
    switch (klass) {
    case HEAP_CLASS_CACHED:
    case HEAP_CLASS_CONTIGUOUS:
        return HEAP_MAPPING_CACHED;
    case HEAP_CLASS_UNCACHED:
        return HEAP_MAPPING_UNCACHED;
    default:
        return HEAP_MAPPING_UNKNOWN;
    }
}

const char *heap_cpu_mapping_name(enum heap_cpu_mapping m)
{
    switch (m) {
    case HEAP_MAPPING_CACHED:
        return "cached";
    case HEAP_MAPPING_UNCACHED:
        return "uncached";
    default:
        return "unknown";
    }
}

const char *heap_sync_dir_name(enum heap_sync_dir dir)
{
    switch (dir) {
    case HEAP_SYNC_READ:
        return "read";
    case HEAP_SYNC_WRITE:
        return "write";
    case HEAP_SYNC_RW:
        return "rw";
    default:
        return "invalid";
    }
}

int heap_class_override_parse(const char *text, struct heap_class_override *out)
{
    const char *eq = text ? strrchr(text, '=') : NULL;
    if (!eq || eq == text)
        return -EINVAL;
    size_t name_len = (size_t)(eq - text);
    if (name_len >= sizeof(out->name))
        return -ENAMETOOLONG;
    memcpy(out->name, text, name_len);
    out->name[name_len] = '\0';
    return heap_class_parse(eq + 1, &out->klass);
}
