/* bench/analysis/json_out.c - jansson helpers that keep going and remember failures.
 *
 * Moved from export_kcidb.c when `history --format json` needed the same: a JSON writer must
 * not drop a whole report because one error text holds a byte that is not UTF-8.
 */
#include "json_out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "utf8_scan.h"

json_t *json_text(const char *s)
{
    json_t *j = json_string(s);
    if (j)
        return j;
    /* Not UTF-8 (a board names its own heaps): each bad byte becomes U+FFFD. */
    char *copy = utf8_repaired(s);
    if (!copy)
        return NULL;
    j = json_string(copy);
    free(copy);
    return j;
}

json_t *json_number(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

void json_put(json_t *obj, const char *key, json_t *value, bool *ok)
{
    if (!value || json_object_set_new(obj, key, value) != 0)
        *ok = false;
}

void json_put_text(json_t *obj, const char *key, const char *value, bool *ok)
{
    json_put(obj, key, json_text(value), ok);
}

void json_append(json_t *array, json_t *value, bool *ok)
{
    if (!value || json_array_append_new(array, value) != 0)
        *ok = false;
}

json_t *json_new_object(bool *ok)
{
    json_t *o = json_object();
    if (!o)
        *ok = false;
    return o;
}

/* value into obj under key (array: appended when key is NULL); value itself (borrowed) while
 * its container holds it, else NULL. */
static json_t *put_kept(json_t *obj, const char *key, json_t *value, bool *ok)
{
    if (!value || (key ? json_object_set(obj, key, value) : json_array_append(obj, value)) != 0) {
        json_decref(value);
        *ok = false;
        return NULL;
    }
    json_decref(value); /* obj holds the one reference now */
    return value;
}

json_t *json_put_array(json_t *obj, const char *key, bool *ok)
{
    return put_kept(obj, key, json_array(), ok);
}

json_t *json_put_object(json_t *obj, const char *key, bool *ok)
{
    return put_kept(obj, key, json_object(), ok);
}

json_t *json_append_object(json_t *array, bool *ok)
{
    return put_kept(array, NULL, json_object(), ok);
}
