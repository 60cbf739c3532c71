/* bench/analysis/name_list.h - a fixed list of names (a command's output formats): find one,
 * or say them all in an error message, from the one list that declares them.
 */
#ifndef DMABENCH_NAME_LIST_H
#define DMABENCH_NAME_LIST_H

#include <stddef.h>

/* The index of name in names[0..n), or -EINVAL. */
int name_list_find(const char *const *names, size_t n, const char *name);
/* "a, b, c or d" into out (cut at out_len); returns out. */
const char *name_list_join(const char *const *names, size_t n, char *out, size_t out_len);

#endif
