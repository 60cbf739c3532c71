/* bench/bench_case_heap.h - from a case's parameters to a heap and an allocation request.
 *
 * Every benchmark that allocates reads heap, size, page size and node the same way; the
 * alignment axis means different things per benchmark, so each sets req->align itself.
 */
#ifndef DMABENCH_BENCH_CASE_HEAP_H
#define DMABENCH_BENCH_CASE_HEAP_H

#include <stddef.h>

#include "bench.h"
#include "heap.h"

/* Find the case's heap and fill *req (size, or one frame's bytes for a case with a format but
 * no size; page kind and size, node; align 0). Returns 0, -ENODEV when no such heap exists
 * here, or the heap's errno when it is unavailable, with a reason. */
int bench_case_heap(const struct bench_case *c, const struct bench_env *env, struct heap **heap,
                    struct heap_alloc_req *req, char *reason, size_t reason_len);

#endif
