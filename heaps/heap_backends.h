/* heaps/heap_backends.h - the one list of every heap backend, in probe order.
 *
 * An X-macro list (as stress-ng's core-stressors.h) so that the set of allocators dmabench
 * knows can be read and audited in one place. Each entry NAME names a backend defined in
 * heaps/backend_NAME.c as `const struct heap_ops heap_backend_NAME`; heaps/heap_backends.c
 * probes them in this order.
 */
#ifndef DMABENCH_HEAP_BACKENDS_H
#define DMABENCH_HEAP_BACKENDS_H

#include "heap.h"

#define HEAP_BACKENDS(X)                                                                           \
    X(dma_heap)                                                                                    \
    X(udmabuf)                                                                                     \
    X(u_dma_buf)                                                                                   \
    X(drm_dumb)                                                                                    \
    X(v4l2)                                                                                        \
    X(ion)                                                                                         \
    X(host)

/* The backend named name ("drm-dumb", as heap_ops.name), or NULL; names lists them all. */
const struct heap_ops *heap_backend_find(const char *name);
const char *heap_backend_names(void);

#define HEAP_BACKEND_DECLARE(name) extern const struct heap_ops heap_backend_##name;
HEAP_BACKENDS(HEAP_BACKEND_DECLARE)
#undef HEAP_BACKEND_DECLARE

#endif
