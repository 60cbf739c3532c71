/* bench/measure/pinning.c - the CPU list for benchmark threads, from hwloc's topology.
 *
 * hwloc orders PUs by topology, so "the first N CPUs" are N distinct cores where the machine
 * has them, and it binds threads the same way on x86 and Arm.
 */
#include "pinning.h"

#include <errno.h>
#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>

struct pinning {
    hwloc_topology_t topo;
    size_t n;
    unsigned *cpus;
    hwloc_bitmap_t *sets; /* one single-PU cpuset per entry */
};

static int add_pus(struct pinning *p, hwloc_const_bitmap_t wanted)
{
    int n = hwloc_get_nbobjs_by_type(p->topo, HWLOC_OBJ_PU);
    p->cpus = calloc((size_t)(n > 0 ? n : 1), sizeof(*p->cpus));
    p->sets = calloc((size_t)(n > 0 ? n : 1), sizeof(*p->sets));
    if (!p->cpus || !p->sets)
        return -ENOMEM;
    hwloc_const_bitmap_t allowed = hwloc_topology_get_allowed_cpuset(p->topo);
    for (int i = 0; i < n; i++) {
        hwloc_obj_t pu = hwloc_get_obj_by_type(p->topo, HWLOC_OBJ_PU, (unsigned)i);
        if (!hwloc_bitmap_isset(allowed, pu->os_index))
            continue;
        if (wanted && !hwloc_bitmap_isset(wanted, pu->os_index))
            continue;
        p->sets[p->n] = hwloc_bitmap_dup(pu->cpuset);
        if (!p->sets[p->n])
            return -ENOMEM;
        p->cpus[p->n++] = pu->os_index;
    }
    return 0;
}

int pinning_open(struct pinning **out, const char *cpus, char *err, size_t err_len)
{
    struct pinning *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    if (hwloc_topology_init(&p->topo) || hwloc_topology_load(p->topo)) {
        snprintf(err, err_len, "hwloc could not read the topology");
        free(p);
        return -EIO;
    }
    hwloc_bitmap_t wanted = NULL;
    int ret = 0;
    if (cpus && *cpus) {
        wanted = hwloc_bitmap_alloc();
        if (!wanted || hwloc_bitmap_list_sscanf(wanted, cpus) != 0) {
            snprintf(err, err_len, "--cpus '%s': expected a list such as 0-3,6", cpus);
            ret = -EINVAL;
        }
    }
    if (!ret)
        ret = add_pus(p, wanted);
    if (!ret && p->n == 0) {
        snprintf(err, err_len, "--cpus '%s': none of these CPUs is available to this process",
                 cpus ? cpus : "");
        ret = -EINVAL;
    }
    hwloc_bitmap_free(wanted);
    if (ret) {
        pinning_close(p);
        return ret;
    }
    *out = p;
    return 0;
}

size_t pinning_count(const struct pinning *p)
{
    return p->n;
}

unsigned pinning_cpu(const struct pinning *p, size_t i)
{
    return p->cpus[i % p->n];
}

int pinning_bind_thread(const struct pinning *p, size_t i)
{
    if (hwloc_set_cpubind(p->topo, p->sets[i % p->n], HWLOC_CPUBIND_THREAD) != 0)
        return errno ? -errno : -EINVAL;
    return 0;
}

void pinning_close(struct pinning *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        hwloc_bitmap_free(p->sets[i]);
    free(p->sets);
    free(p->cpus);
    hwloc_topology_destroy(p->topo);
    free(p);
}
