/* heaps/heap_backends.c - a new registry with every heap of every backend in HEAP_BACKENDS.
 *
 * The one place the backend list is expanded: each backend's probe adds its heaps through
 * heap_core.c, and then the user's class overrides apply. Apart from the core so that the core
 * never names a backend, and backends and core do not call each other in a loop.
 */
#include "heap_backends.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const struct heap_ops *const all_backends[] = {
#define HEAP_BACKEND_ENTRY(name) &heap_backend_##name,
        HEAP_BACKENDS(HEAP_BACKEND_ENTRY)
#undef HEAP_BACKEND_ENTRY
};

const struct heap_ops *heap_backend_find(const char *name)
{
    for (size_t i = 0; i < sizeof(all_backends) / sizeof(all_backends[0]); i++)
        if (!strcmp(all_backends[i]->name, name))
            return all_backends[i];
    return NULL;
}

const char *heap_backend_names(void)
{
    static char names[256];
    size_t used = 0;
    for (size_t i = 0; i < sizeof(all_backends) / sizeof(all_backends[0]); i++) {
        int n = snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "",
                         all_backends[i]->name);
        used = n < 0 || (size_t)n >= sizeof(names) - used ? sizeof(names) - 1 : used + (size_t)n;
    }
    return names;
}

static void apply_overrides(struct heap_registry *reg, const struct heap_class_override *overrides,
                            size_t n_overrides)
{
    for (size_t i = 0; i < n_overrides; i++) {
        struct heap *heap = heap_registry_find(reg, overrides[i].name);
        if (!heap)
            continue;
        heap->info.klass = overrides[i].klass;
        heap->info.class_from_user = true;
        heap->info.cpu_mapping = heap_class_cpu_mapping(overrides[i].klass);
    }
}

int heap_registry_open(struct heap_registry **out, const struct heap_class_override *overrides,
                       size_t n_overrides)
{
    struct heap_registry *reg = heap_registry_new();
    if (!reg)
        return -ENOMEM;
    for (size_t i = 0; i < sizeof(all_backends) / sizeof(all_backends[0]); i++) {
        int ret = all_backends[i]->probe(reg);
        if (ret == -ENOMEM) {
            heap_registry_close(reg, NULL);
            return ret;
        }
    }
    apply_overrides(reg, overrides, n_overrides);
    *out = reg;
    return 0;
}
