/* bench/measure/mem_state.c - reading /proc/meminfo's CMA lines, /proc/buddyinfo and the heap
 * page-pool size, and saying them before/after in one line.
 *
 * Mainline's system heap (6.12 included) keeps no page pool: it allocates with alloc_pages and
 * frees straight back to the buddy allocator, so only the buddy orders show it. Android's
 * kernels pool pages and report the total in /sys/kernel/dma_heap/total_pools_kb.
 */
#include "mem_state.h"

#include <stdio.h>
#include <string.h>

#include "metadata_read.h"

#define POOLS_PATH "/sys/kernel/dma_heap/total_pools_kb"

static void read_meminfo(const char *root, struct mem_state *out)
{
    FILE *f = metadata_open_at(root, "/proc/meminfo");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof(line), f)) {
        char key[64];
        long long kib;
        if (sscanf(line, "%63[^:]: %lld", key, &kib) != 2)
            continue;
        if (!strcmp(key, "CmaTotal"))
            out->cma_total_kib = kib;
        else if (!strcmp(key, "CmaFree"))
            out->cma_free_kib = kib;
    }
    fclose(f);
    if (out->cma_total_kib <= 0)
        out->cma_total_kib = out->cma_free_kib = -1; /* CmaTotal 0: no CMA area either */
}

/* "Node 0, zone   Normal  n0 n1 ... nN": the counts after the zone name, added order by order. */
static void read_buddyinfo(const char *root, struct mem_state *out)
{
    FILE *f = metadata_open_at(root, "/proc/buddyinfo");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        int used;
        char zone[32];
        if (sscanf(line, "Node %*d, zone %31s%n", zone, &used) != 1)
            continue;
        const char *p = line + used;
        int order = 0, n;
        unsigned long long count;
        while (order < MEM_STATE_MAX_ORDERS && sscanf(p, "%llu%n", &count, &n) == 1) {
            out->buddy_free[order++] += count;
            p += n;
        }
        if (order > out->buddy_orders)
            out->buddy_orders = order;
    }
    fclose(f);
}

int mem_state_read(const char *root, struct mem_state *out)
{
    memset(out, 0, sizeof(*out));
    out->cma_total_kib = out->cma_free_kib = out->pool_kib = -1;
    read_meminfo(root, out);
    read_buddyinfo(root, out);
    FILE *f = metadata_open_at(root, POOLS_PATH);
    if (f) {
        long long kib;
        if (fscanf(f, "%lld", &kib) == 1 && kib >= 0)
            out->pool_kib = kib;
        fclose(f);
    }
    return 0;
}

static void put_figure(char *out, size_t len, size_t *used, long long kib)
{
    if (kib < 0)
        metadata_append(out, len, used, "none");
    else
        metadata_append(out, len, used, "%lld", kib);
}

static void put_orders(char *out, size_t len, size_t *used, const struct mem_state *s, int orders)
{
    for (int o = 0; o < orders; o++)
        metadata_append(out, len, used, "%s%llu", o ? "," : "", s->buddy_free[o]);
}

void mem_state_describe(const struct mem_state *before, const struct mem_state *after, char *out,
                        size_t len)
{
    size_t used = 0;
    if (len)
        out[0] = '\0';
    metadata_append(out, len, &used, "memory before/after the case: ");
    if (before->cma_total_kib < 0 && after->cma_total_kib < 0) {
        metadata_append(out, len, &used, "no CMA (no CmaTotal in /proc/meminfo)");
    } else {
        metadata_append(out, len, &used, "CmaFree ");
        put_figure(out, len, &used, before->cma_free_kib);
        metadata_append(out, len, &used, "/");
        put_figure(out, len, &used, after->cma_free_kib);
        metadata_append(out, len, &used, " KiB of CmaTotal ");
        put_figure(out, len, &used,
                   after->cma_total_kib >= 0 ? after->cma_total_kib : before->cma_total_kib);
        metadata_append(out, len, &used, " KiB");
    }
    int orders =
            before->buddy_orders > after->buddy_orders ? before->buddy_orders : after->buddy_orders;
    if (!before->buddy_orders || !after->buddy_orders) {
        metadata_append(out, len, &used, "; buddyinfo not readable");
    } else {
        metadata_append(out, len, &used,
                        "; buddyinfo free blocks per order 0-%d (all zones and nodes) ",
                        orders - 1);
        put_orders(out, len, &used, before, orders);
        metadata_append(out, len, &used, "/");
        put_orders(out, len, &used, after, orders);
    }
    if (before->pool_kib < 0 && after->pool_kib < 0) {
        metadata_append(out, len, &used, "; heap page pools none shown");
    } else {
        metadata_append(out, len, &used, "; heap page pools ");
        put_figure(out, len, &used, before->pool_kib);
        metadata_append(out, len, &used, "/");
        put_figure(out, len, &used, after->pool_kib);
        metadata_append(out, len, &used, " KiB (" POOLS_PATH ")");
    }
}
