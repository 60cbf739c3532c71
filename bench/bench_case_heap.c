/* bench/bench_case_heap.c - resolves a case's heap and allocation request.
 *
 * A heap the case names but this machine lacks, or cannot open, is an error row with the
 * heap's own reason, never a silent skip.
 */
#include "bench_case_heap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int bench_case_heap(const struct bench_case *c, const struct bench_env *env, struct heap **heap,
                    struct heap_alloc_req *req, char *reason, size_t reason_len)
{
    const char *name = c->value[AXIS_HEAP]->text;
    *heap = heap_registry_find(env->registry, name);
    if (!*heap) {
        snprintf(reason, reason_len, "no heap named '%s' on this machine", name);
        return -ENODEV;
    }
    if (!(*heap)->info.available) {
        snprintf(reason, reason_len, "%s", (*heap)->info.reason);
        return (*heap)->info.unavailable_err ? (*heap)->info.unavailable_err : -ENODEV;
    }
    memset(req, 0, sizeof(*req));
    /* Benchmarks that move frames have no size axis: a buffer holds one frame. */
    const struct sweep_value *size = c->value[AXIS_SIZE], *frame = c->value[AXIS_FORMAT];
    req->size = size ? size->bytes : frame ? frame->bytes : 0;
    const struct sweep_value *page = c->value[AXIS_PAGE_SIZE];
    req->page_kind = page ? page->page_kind : HEAP_PAGES_BASE;
    req->page_size = page && page->page_kind == HEAP_PAGES_HUGETLB ? page->bytes : 0;
    const struct sweep_value *node = c->value[AXIS_NODE];
    if (node && node->number >= 0) {
        req->bind_node = true;
        req->numa_node = (int)node->number;
    }
    return 0;
}
