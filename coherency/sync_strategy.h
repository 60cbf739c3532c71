/* coherency/sync_strategy.h - how a CPU access window over a dma-buf is made coherent.
 *
 * A strategy brackets the CPU's access to some regions of a buffer: `none` does nothing,
 * `full` asks the exporter (DMA_BUF_IOCTL_SYNC over the whole buffer), `partial-ioctl` asks it
 * for the regions only (the vendor DMA_BUF_IOCTL_SYNC_PARTIAL where the kernel has it, or the
 * u-dma-buf driver's sysfs range sync), and
 * `partial-user` / `full-user` maintain the caches from user space, the regions or the whole
 * buffer, with the instructions named after a colon (partial-user:clwb) or the best ones here.
 */
#ifndef DMABENCH_SYNC_STRATEGY_H
#define DMABENCH_SYNC_STRATEGY_H

#include <stdbool.h>
#include <stddef.h>

#include "cache_maint.h"
#include "cache_region.h"
#include "heap.h"

enum sync_kind {
    SYNC_NONE,          /* skip the sync: what a coherency probe compares against */
    SYNC_FULL,          /* DMA_BUF_IOCTL_SYNC START/END over the whole buffer */
    SYNC_PARTIAL_IOCTL, /* the exporter's range sync per region (vendor ioctl, u-dma-buf sysfs) */
    SYNC_PARTIAL_USER,  /* user-space range maintenance of the regions only */
    SYNC_FULL_USER,     /* user-space maintenance of every line of the buffer */
    N_SYNC_KINDS
};

struct sync_strategy {
    enum sync_kind kind;
    bool has_method;          /* user kinds: a method was named ("partial-user:clwb") */
    enum cache_method method; /* with has_method */
};

/* "none", "full", "partial-ioctl", "partial-user", "full-user", the user kinds with ":METHOD"
 * (a cache_method name). 0 or -EINVAL. */
int sync_strategy_parse(const char *text, struct sync_strategy *out);
/* The canonical text, which parses back to the same strategy. */
void sync_strategy_format(const struct sync_strategy *s, char *out, size_t out_len);
const char *sync_kind_name(enum sync_kind kind);
bool sync_kind_is_user(enum sync_kind kind);
/* Whether the strategy syncs at all (everything but none). */
bool sync_kind_syncs(enum sync_kind kind);

/* "read", "write", "rw" <-> direction. */
int sync_dir_parse(const char *text, enum heap_sync_dir *out);

/* One strategy applied to one buffer, direction and region layout, resolved once. User
 * maintenance mirrors what the kernel does for a mapped attachment on a non-coherent arm64
 * (arch_sync_dma_for_cpu / for_device): begin invalidates unless the CPU only writes, end
 * always cleans. */
struct sync_window {
    struct heap_buf *buf;
    char *map; /* the CPU mapping user maintenance works through */
    struct sync_strategy strategy;
    enum heap_sync_dir dir;
    struct sync_layout layout;
    bool begin_maint;          /* user kinds: begin invalidates */
    enum cache_method begin_m; /* ... with this method */
    enum cache_method end_m;   /* user kinds: end cleans with this method */
    size_t lines_per_sync;     /* user kinds: lines maintained by begin + end */
    unsigned long long ioctls; /* exporter calls made so far (full, partial-ioctl) */
};

/* Check that strategy s can run on buf here for dir and layout, and resolve its methods.
 * Returns 0; -EOPNOTSUPP with why when it does not apply here (host memory has no dma-buf
 * ioctl, the kernel has no partial sync, the CPU lacks the method, the method cannot
 * invalidate what a read needs); -EINVAL or -ERANGE with why for a layout that does not fit;
 * or the exporter's -errno from the partial-sync probe. partial-ioctl is probed with one real
 * begin/end pair on the first region. */
int sync_window_init(struct sync_window *w, struct heap_buf *buf, void *map,
                     const struct sync_strategy *s, enum heap_sync_dir dir,
                     const struct sync_layout *layout, char *why, size_t why_len);
/* What the window really runs, for the rows: the strategy's canonical text ("none", "full",
 * "partial-ioctl"), and for the user kinds the kind with the instructions that run, whether
 * named or chosen here: "full-user:clflushopt"; "partial-user:clflushopt+clwb" when begin
 * (clean + invalidate) and end (clean) use different ones, begin's first. */
void sync_window_describe(const struct sync_window *w, char *out, size_t out_len);
/* Begin / end the CPU access window. 0 or the exporter's -errno. */
int sync_window_begin(struct sync_window *w);
int sync_window_end(struct sync_window *w);
/* Bytes one begin/end pair asks to be coherent: the buffer for full and full-user, the
 * regions rounded to lines for the partial kinds, the regions' bytes for none. */
size_t sync_window_bytes(const struct sync_window *w);

#endif
