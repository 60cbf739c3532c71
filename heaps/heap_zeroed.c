/* heaps/heap_zeroed.c - the search for the first non-zero byte of a fresh buffer.
 *
 * Word by word while the bytes are zero (the case that matters: a clean buffer is read once at
 * memory speed), byte by byte only to name the first one that is not.
 */
#include "heap_zeroed.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

size_t heap_first_nonzero(const void *addr, size_t len)
{
    const unsigned char *p = addr;
    size_t i = 0;
    for (; i + sizeof(uint64_t) <= len; i += sizeof(uint64_t)) {
        uint64_t word;
        memcpy(&word, p + i, sizeof(word));
        if (word)
            break;
    }
    for (; i < len; i++)
        if (p[i])
            return i;
    return len;
}

int heap_buf_first_nonzero(struct heap_buf *buf, size_t *offset)
{
    if (!buf || !offset)
        return -EINVAL;
    void *addr;
    int ret = heap_mmap(buf, &addr);
    if (ret)
        return ret;
    if ((ret = heap_sync_begin(buf, HEAP_SYNC_READ)) == 0) {
        *offset = heap_first_nonzero(addr, buf->alloc_size);
        ret = heap_sync_end(buf, HEAP_SYNC_READ);
    }
    heap_munmap(buf, addr);
    return ret;
}
