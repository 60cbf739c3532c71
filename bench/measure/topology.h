/* bench/measure/topology.h - the machine's shape as hwloc sees it: cores, caches per level, NUMA
 * nodes.
 *
 * Read once per run for `dmabench list` and the run metadata; benchmarks use the cache sizes
 * to place their sweep points and the core list to pin threads.
 */
#ifndef DMABENCH_TOPOLOGY_H
#define DMABENCH_TOPOLOGY_H

#include <stddef.h>

#define TOPO_MAX_CACHES 8
#define TOPO_MAX_NODES  16

struct topo_cache {
    unsigned level;     /* 1, 2, 3 ... */
    char type;          /* 'd' data, 'i' instruction, 'u' unified */
    size_t size;        /* bytes per instance */
    unsigned line_size; /* bytes, 0 when unknown */
    unsigned count;     /* instances in the machine */
};

struct topo_node {
    unsigned os_index;
    size_t memory; /* bytes local to the node */
};

struct topology_summary {
    unsigned packages, cores, pus;
    size_t n_caches;
    struct topo_cache caches[TOPO_MAX_CACHES];
    size_t n_nodes;
    struct topo_node nodes[TOPO_MAX_NODES];
};

/* Fill *out from hwloc; -errno when hwloc cannot build a topology. */
int topology_read(struct topology_summary *out);

#endif
