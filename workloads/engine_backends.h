/* workloads/engine_backends.h - the one list of DMA engine backends, in `dmabench list` order.
 *
 * Like heaps/heap_backends.h and stress-ng's core-stressors.h: an X-macro list that can be read
 * and audited in one place. Adding an engine is one line here and one workloads/engine_NAME.c.
 */
#ifndef DMABENCH_ENGINE_BACKENDS_H
#define DMABENCH_ENGINE_BACKENDS_H

#include "engine.h"

#define ENGINE_BACKENDS(X)                                                                         \
    X(cpu)                                                                                         \
    X(v4l2)                                                                                        \
    X(vgem)                                                                                        \
    X(sw_sync)                                                                                     \
    X(edu)                                                                                         \
    X(drm)

#define ENGINE_DECLARE(name) extern const struct engine_ops engine_##name##_ops;
ENGINE_BACKENDS(ENGINE_DECLARE)
#undef ENGINE_DECLARE

#endif
