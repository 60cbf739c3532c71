/* bench/mem_limit.c - /proc/meminfo, --max-mem, and the share of a pool a case may hold.
 *
 * A limit is a size (whatever is free) or a percent of what the pool has free: MemAvailable,
 * and CmaFree for the heaps that draw on CMA.
 */
#include "mem_limit.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "size_units.h"

int mem_info_read(struct mem_info *out)
{
    const char *path = getenv(MEM_GUARD_MEMINFO_ENV);
    FILE *f = fopen(path && *path ? path : "/proc/meminfo", "re");
    memset(out, 0, sizeof(*out));
    if (!f)
        return -errno;
    char line[256];
    bool have_available = false;
    size_t cma_total = 0;
    while (fgets(line, sizeof(line), f)) {
        char key[64];
        unsigned long long kib;
        if (sscanf(line, "%63[^:]: %llu", key, &kib) != 2)
            continue;
        size_t bytes = kib > SIZE_MAX / 1024 ? SIZE_MAX : (size_t)kib * 1024;
        if (!strcmp(key, "MemTotal")) {
            out->mem_total = bytes;
        } else if (!strcmp(key, "MemAvailable")) {
            out->mem_available = bytes;
            have_available = true;
        } else if (!strcmp(key, "CmaFree")) {
            out->cma_free = bytes;
        } else if (!strcmp(key, "CmaTotal")) {
            cma_total = bytes;
        }
    }
    fclose(f);
    out->have_cma = cma_total > 0;
    return have_available ? 0 : -EINVAL;
}

int mem_limit_parse(const char *text, struct mem_limit *out)
{
    size_t len = strlen(text);
    memset(out, 0, sizeof(*out));
    if (len > 1 && text[len - 1] == '%') {
        char *end = NULL;
        long p = isdigit((unsigned char)text[0]) ? strtol(text, &end, 10) : 0;
        if (p < 1 || p > 100 || end != text + len - 1)
            return -EINVAL;
        out->percent = (unsigned)p;
        return 0;
    }
    if (size_parse(text, &out->bytes) || out->bytes == 0)
        return -EINVAL;
    return 0;
}

int mem_limit_check_machine(const struct mem_limit *limit, const struct mem_info *info, char *err,
                            size_t err_len)
{
    if (!limit->bytes || !info->mem_total || limit->bytes <= info->mem_total)
        return 0;
    char asked[32], ram[32];
    snprintf(err, err_len, "--max-mem %s is more than the %s of RAM this machine has (MemTotal)",
             size_format(limit->bytes, asked, sizeof(asked)),
             size_format(info->mem_total, ram, sizeof(ram)));
    return -E2BIG;
}

bool mem_guard_heap_is_cma(const struct heap *heap)
{
    return heap && (heap->info.klass == HEAP_CLASS_CONTIGUOUS || strstr(heap->info.name, "cma"));
}

/* percent of bytes, exactly and without overflow. */
static size_t share_of(size_t bytes, unsigned percent)
{
    return bytes / 100 * percent + bytes % 100 * percent / 100;
}

size_t mem_limit_allowed(const struct mem_limit *limit, size_t pool_free)
{
    if (limit && limit->bytes)
        return limit->bytes;
    return share_of(pool_free,
                    limit && limit->percent ? limit->percent : MEM_GUARD_DEFAULT_PERCENT);
}
