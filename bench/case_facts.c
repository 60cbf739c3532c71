/* bench/case_facts.c - the notes a benchmark leaves in its case's rows.
 *
 * A case may have more than one thing to say (its samples are short by nature, and a page
 * size was not granted): each finding adds its sentence rather than replacing another's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

void case_facts_note(struct case_facts *facts, const char *fmt, ...)
{
    if (!facts)
        return;
    size_t used = strlen(facts->note);
    if (used) {
        if (used + 3 >= sizeof(facts->note))
            return; /* no room for even one more character */
        memcpy(facts->note + used, "; ", 3);
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(facts->note + used, sizeof(facts->note) - used, fmt, ap);
    va_end(ap);
}
