/* bench/bench_case_heap.h - from a case's parameters to a heap and an allocation request, and
 * back from the buffers to what the kernel granted.
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

/* After the case's buffers were touched: read back the pages behind them (heap_buf_pages) into
 * env->facts (page size, huge fraction), with a note where a THP or hugetlb request was not
 * honoured in full, where huge pages came unasked, or where a huge request cannot be read
 * back. Once per case; NULL entries of bufs are skipped, and so is a NULL env->facts. */
void bench_case_heap_pages(const struct bench_env *env, const struct heap_alloc_req *req,
                           struct heap_buf *const *bufs, size_t n);

#endif
