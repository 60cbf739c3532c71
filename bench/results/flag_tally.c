/* bench/results/flag_tally.c - tallies flag texts by their main reason.
 *
 * Reasons are kept in the order first seen and printed by count, so two runs with the same
 * flags print the same line.
 */
#include "flag_tally.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void flag_reason_label(const char *flag, char *label, size_t label_len)
{
    size_t n = strcspn(flag, ":;");
    while (n > 0 && flag[n - 1] == ' ')
        n--;
    snprintf(label, label_len, "%.*s", (int)n, flag);
}

void flag_tally_add(struct flag_tally *t, const char *flag)
{
    if (!flag || !flag[0])
        return;
    char label[sizeof(t->reasons[0].label)];
    flag_reason_label(flag, label, sizeof(label));
    t->flagged++;
    size_t i = 0;
    while (i < t->n && i < FLAG_TALLY_REASONS && strcmp(t->reasons[i].label, label))
        i++;
    if (i == t->n) { /* a new reason: its own slot, or "other" once every slot is taken */
        t->n++;
        snprintf(t->reasons[i].label, sizeof(t->reasons[i].label), "%s",
                 i < FLAG_TALLY_REASONS ? label : "other");
        t->reasons[i].count = 0;
    }
    t->reasons[i].count++;
}

size_t flag_tally_order(const struct flag_tally *t, size_t order[FLAG_TALLY_REASONS + 1])
{
    bool taken[FLAG_TALLY_REASONS + 1] = {false};
    for (size_t k = 0; k < t->n; k++) {
        size_t best = t->n;
        for (size_t i = 0; i < t->n; i++)
            if (!taken[i] && (best == t->n || t->reasons[i].count > t->reasons[best].count))
                best = i;
        taken[best] = true;
        order[k] = best;
    }
    return t->n;
}

void flag_tally_format(const struct flag_tally *t, char *out, size_t out_len)
{
    size_t order[FLAG_TALLY_REASONS + 1], used = 0;
    size_t n = flag_tally_order(t, order);
    if (out_len)
        out[0] = '\0';
    for (size_t k = 0; k < n && used < out_len; k++) {
        int w = snprintf(out + used, out_len - used, "%s%s %u", used ? ", " : "",
                         t->reasons[order[k]].label, t->reasons[order[k]].count);
        used += w > 0 ? (size_t)w : 0;
    }
}
