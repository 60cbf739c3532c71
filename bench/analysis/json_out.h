/* bench/analysis/json_out.h - building JSON documents with jansson that never lose a report to
 * one bad byte or a failed allocation unnoticed.
 *
 * export (KCIDB and json), compare and history (--format json) build their objects through
 * these: text that is not UTF-8 is kept with U+FFFD for its bad bytes, and every failed set is
 * remembered in *ok.
 */
#ifndef DMABENCH_JSON_OUT_H
#define DMABENCH_JSON_OUT_H

#include <jansson.h>
#include <stdbool.h>

/* A JSON string even from bytes that are not UTF-8 (jansson refuses those): each byte that
 * begins no valid character becomes U+FFFD, valid characters stay. NULL only when out of memory. */
json_t *json_text(const char *s);
/* A number; null for NAN or an infinity (JSON has neither). */
json_t *json_number(double v);
/* Set key to value (stolen); a NULL value or a failed set is remembered in *ok. */
void json_put(json_t *obj, const char *key, json_t *value, bool *ok);
void json_put_text(json_t *obj, const char *key, const char *value, bool *ok);
/* Append value (stolen) to the array; failures as json_put (a NULL array drops the value). */
void json_append(json_t *array, json_t *value, bool *ok);
/* A new object, or NULL with *ok false. */
json_t *json_new_object(bool *ok);
/* A new array or object set in obj under key now (so keys keep their order), owned by obj and
 * returned to be filled; NULL with *ok false when it could not be made or set. */
json_t *json_put_array(json_t *obj, const char *key, bool *ok);
json_t *json_put_object(json_t *obj, const char *key, bool *ok);
/* A new object appended to array, owned by it and returned to be filled; NULL with *ok false. */
json_t *json_append_object(json_t *array, bool *ok);

#endif
