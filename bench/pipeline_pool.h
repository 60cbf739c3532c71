/* bench/pipeline_pool.h - a pool of frames in flight between the CPU and a DMA engine.
 *
 * A slot is a source and a destination buffer, mapped by the CPU and attached to the engine:
 * the CPU writes a frame into a source in the strategy's write window, the engine copies it,
 * and the CPU reads and checks the copy in a read window. At most depth frames are in flight.
 */
#ifndef DMABENCH_PIPELINE_POOL_H
#define DMABENCH_PIPELINE_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "heap.h"
#include "sync_strategy.h"

#define PIPELINE_WAIT_MS 5000 /* a frame's copy not done by then is an engine fault */

struct pipeline_pool_config {
    struct heap *heap;
    struct heap_alloc_req req; /* .size: bytes per frame */
    const struct engine_ops *engine;
    struct engine_config engine_config; /* .slots is set to depth */
    struct sync_strategy strategy;
    unsigned depth; /* frames in flight, >= 1 */
};

struct pipeline_pool;

/* Open the engine, allocate, map, fault in and attach 2 x depth buffers, and resolve the
 * strategy's windows. 0, or -errno with why: -EOPNOTSUPP when the strategy or the engine
 * does not apply to this heap (host memory has no DMA_BUF_IOCTL_SYNC), the heap's or the
 * engine's errno otherwise. Nothing is left behind on failure. */
int pipeline_pool_open(const struct pipeline_pool_config *cfg, struct pipeline_pool **out,
                       char *why, size_t why_len);
/* Move frames through the pool in steady state, from empty to empty: fill it (produce depth
 * frames), then, timed, frames times: consume the oldest frame and produce the next into its
 * slot; then drain it (consume the last depth frames). So depth + frames frames move, and
 * *elapsed_ns is the time of the frames steady-state steps. latency_ns[i] is the i-th frame
 * consumed in those steps: from the start of producing it to the end of consuming its copy.
 * 0, or -errno with why: the engine's submit or wait error, a sync error, or -EIO when a copy
 * is wrong (checked for every frame, drained ones included). On an error every job still in
 * flight has been waited for, so the pool can run again or be closed. */
int pipeline_pool_run(struct pipeline_pool *p, uint64_t frames, double *latency_ns,
                      double *elapsed_ns, char *why, size_t why_len);
size_t pipeline_pool_frame_bytes(const struct pipeline_pool *p);
/* The sync code the frames' windows run (sync_window_describe of a read window: its begin and
 * end use every method any window of the pool uses): "none", "full-user:clflushopt+clwb". */
void pipeline_pool_sync_describe(const struct pipeline_pool *p, char *out, size_t out_len);
/* Waits for any job still in flight, then detaches, frees and closes everything. NULL is
 * fine. */
void pipeline_pool_close(struct pipeline_pool *p);

#endif
