/* bench/measure/topology.c - summarises hwloc's topology into the few numbers dmabench reports.
 *
 * hwloc knows cache sizes, line sizes and NUMA memory on x86 and Arm alike (from sysfs, CPUID
 * or the device tree), so dmabench never parses /sys/devices/system/cpu itself.
 */
#include "topology.h"

#include <errno.h>
#include <hwloc.h>
#include <string.h>

static const struct {
    hwloc_obj_type_t type;
    unsigned level;
    char kind;
} cache_types[] = {
        {HWLOC_OBJ_L1CACHE, 1, 'd'},  {HWLOC_OBJ_L1ICACHE, 1, 'i'}, {HWLOC_OBJ_L2CACHE, 2, 'u'},
        {HWLOC_OBJ_L2ICACHE, 2, 'i'}, {HWLOC_OBJ_L3CACHE, 3, 'u'},  {HWLOC_OBJ_L4CACHE, 4, 'u'},
        {HWLOC_OBJ_L5CACHE, 5, 'u'},
};

static void add_caches(hwloc_topology_t topo, struct topology_summary *out)
{
    for (size_t i = 0; i < sizeof(cache_types) / sizeof(cache_types[0]); i++) {
        int n = hwloc_get_nbobjs_by_type(topo, cache_types[i].type);
        if (n <= 0 || out->n_caches >= TOPO_MAX_CACHES)
            continue;
        hwloc_obj_t obj = hwloc_get_obj_by_type(topo, cache_types[i].type, 0);
        struct topo_cache *c = &out->caches[out->n_caches++];
        c->level = cache_types[i].level;
        c->type = cache_types[i].kind;
        if (c->type == 'u' && obj->attr->cache.type == HWLOC_OBJ_CACHE_DATA)
            c->type = 'd';
        c->size = (size_t)obj->attr->cache.size;
        c->line_size = obj->attr->cache.linesize;
        c->count = (unsigned)n;
    }
}

static void add_nodes(hwloc_topology_t topo, struct topology_summary *out)
{
    int n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    for (int i = 0; i < n && out->n_nodes < TOPO_MAX_NODES; i++) {
        hwloc_obj_t obj = hwloc_get_obj_by_type(topo, HWLOC_OBJ_NUMANODE, (unsigned)i);
        out->nodes[out->n_nodes++] = (struct topo_node){
                .os_index = obj->os_index,
                .memory = (size_t)obj->attr->numanode.local_memory,
        };
    }
}

int topology_read(struct topology_summary *out)
{
    hwloc_topology_t topo;
    memset(out, 0, sizeof(*out));
    if (hwloc_topology_init(&topo) != 0)
        return -ENOMEM;
    if (hwloc_topology_load(topo) != 0) {
        int err = errno ? -errno : -EIO;
        hwloc_topology_destroy(topo);
        return err;
    }
    int packages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
    int cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    int pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    out->packages = packages > 0 ? (unsigned)packages : 1;
    out->pus = pus > 0 ? (unsigned)pus : 1;
    out->cores = cores > 0 ? (unsigned)cores : out->pus;
    add_caches(topo, out);
    add_nodes(topo, out);
    hwloc_topology_destroy(topo);
    return 0;
}
