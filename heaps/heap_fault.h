/* heaps/heap_fault.h - test-only fault injection: make the Nth alloc / mmap / sync / submit fail.
 *
 * Error paths that a healthy machine never takes (CMA exhausted, a sync interrupted, a DMA
 * engine refusing a job) are driven on demand: DMABENCH_FAULT="alloc:3:ENOMEM,sync:1+:EINTR"
 * makes the allocator core (and engines, through heap_fault_inject) return those errors;
 * DMABENCH_FAULT="dirty:2:4097" makes the core hand out its 2nd buffer with a non-zero byte at
 * offset 4097, a heap that leaks old data (what the zeroed checks must catch).
 */
#ifndef DMABENCH_HEAP_FAULT_H
#define DMABENCH_HEAP_FAULT_H

#include <stddef.h>

#define HEAP_FAULT_ENV "DMABENCH_FAULT"

/* The operations a fault can hit; every call of one through the core counts, 1-based. */
enum heap_fault_op {
    HEAP_FAULT_ALLOC,  /* heap_alloc, after its request was validated */
    HEAP_FAULT_MMAP,   /* heap_mmap */
    HEAP_FAULT_SYNC,   /* heap_sync_begin/end and heap_sync_range_begin/end, any backend */
    HEAP_FAULT_SUBMIT, /* an engine's job submission: engine_submit (workloads/engine.c)
                        * checks it after validating the job, before the backend sees it */
    HEAP_FAULT_DIRTY,  /* a buffer heap_alloc made: its third field is a byte offset, not an
                        * errno, where the core writes a non-zero byte before handing it out */
    HEAP_FAULT_N_OPS
};

/* Replace the faults with spec, a comma-separated list of OP:N:ERRNO items: OP alloc, mmap,
 * sync or submit; N the 1-based call that fails, or N+ for that call and every later one;
 * ERRNO a name (ENOMEM, EBUSY, EINTR, EIO ...) or a positive number. dirty:N:OFFSET items
 * dirty the Nth buffer made (N+ as above) at byte OFFSET (decimal; past the end: its last). NULL or
 * "" disables injection. Call counts restart at zero. 0, or -EINVAL with a reason in err (nothing
 * changed). Not thread-safe: configure before the threads start. */
int heap_fault_configure(const char *spec, char *err, size_t err_len);
/* heap_fault_configure($DMABENCH_FAULT). The core does this by itself on its first call, then
 * silently ignores a malformed value: call this first where a bad value must be reported. */
int heap_fault_configure_from_env(char *err, size_t err_len);
/* Count one call of op: 0, or the -errno a configured fault says this call fails with.
 * Costs one load when no fault is configured. Thread-safe. */
int heap_fault_inject(enum heap_fault_op op);
/* Count one buffer made: 1 with the byte offset to dirty in *offset when a dirty fault says
 * this one is dirty, else 0. Thread-safe. */
int heap_fault_dirty(size_t *offset);
/* Calls of op counted since configuration, and faults injected so far (all ops). */
unsigned long heap_fault_calls(enum heap_fault_op op);
unsigned long heap_fault_injected(void);
const char *heap_fault_op_name(enum heap_fault_op op);

#endif
