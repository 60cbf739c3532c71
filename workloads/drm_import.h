/* workloads/drm_import.h - a dma-buf imported into a DRM driver: what the vgem and drm engines
 * share.
 *
 * DRM_IOCTL_PRIME_FD_TO_HANDLE on a DRM file makes a GEM object of the dma-buf; for drivers on
 * the PRIME helpers (drm_gem_prime_import) that is a kernel attachment, mapped for DMA at
 * import and kept mapped until the last GEM handle goes (DRM_IOCTL_GEM_CLOSE).
 * The node both engines open is found by heaps/drm_node.h (drm_node_open_first).
 */
#ifndef DMABENCH_DRM_IMPORT_H
#define DMABENCH_DRM_IMPORT_H

#include <stddef.h>

#include "drm_node.h"
#include "engine.h"

/* The ops of an engine whose e->priv is an open DRM file (drm_import_set_fd): its fd; close it;
 * attach: import b's dma-buf into it, the GEM handle in b->priv_word (-errno with why, naming
 * the engine); detach: close the GEM handle, and the attachment goes with it. */
void drm_import_set_fd(struct engine *e, int fd);
int drm_import_fd(const struct engine *e);
void drm_import_close(struct engine *e);
int drm_import_attach(struct engine *e, struct engine_buf *b, char *why, size_t why_len);
void drm_import_detach(struct engine_buf *b);

#endif
