/* bench/analysis/export_junit.c - writes JUnit XML with every attribute and text escaped.
 *
 * Error texts and heap names are arbitrary bytes from the results: markup characters become
 * entities, control characters XML 1.0 cannot carry at all (anything below 0x20 but tab,
 * newline and return) become spaces, and bytes that are not UTF-8 (and U+FFFE, U+FFFF) become
 * U+FFFD, the replacement character, so the document always parses.
 */
#include "export_junit.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "utf8_scan.h"

static void escape(FILE *out, const char *s)
{
    while (s && *s) {
        unsigned char c = (unsigned char)*s;
        size_t len = utf8_sequence(s);
        /* U+FFFE and U+FFFF are valid UTF-8 but not XML characters. */
        if (!len || (len == 3 && !memcmp(s, "\xef\xbf", 2) && (unsigned char)s[2] >= 0xbe)) {
            fputs(UTF8_REPLACEMENT, out);
            s += len ? len : 1;
            continue;
        }
        switch (c) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&apos;", out);
            break;
        default:
            if (len == 1)
                fputc(c < 0x20 && c != '\t' && c != '\n' && c != '\r' ? ' ' : c, out);
            else
                fwrite(s, 1, len, out);
        }
        s += len;
    }
}

static void attribute(FILE *out, const char *name, const char *value)
{
    fprintf(out, " %s=\"", name);
    escape(out, value);
    fputc('"', out);
}

/* Seconds as junit-10.xsd's SUREFIRE_TIME has them: digits, at most three decimals. */
static void time_attribute(FILE *out, double time_s)
{
    if (isfinite(time_s) && time_s >= 0)
        fprintf(out, " time=\"%.3f\"", time_s);
}

void junit_count(struct junit_counts *c, enum junit_outcome outcome)
{
    c->tests++;
    c->failures += outcome == JUNIT_FAILURE;
    c->errors += outcome == JUNIT_ERROR;
    c->skipped += outcome == JUNIT_SKIPPED;
}

void junit_begin(FILE *out)
{
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n", out);
}

void junit_suite_open(FILE *out, const struct junit_suite *suite)
{
    fputs("  <testsuite", out);
    attribute(out, "name", suite->name);
    const struct junit_counts *n = &suite->counts;
    fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\"", n->tests,
            n->failures, n->errors, n->skipped);
    time_attribute(out, suite->time_s);
    if (suite->timestamp && *suite->timestamp)
        attribute(out, "timestamp", suite->timestamp);
    if (suite->hostname && *suite->hostname)
        attribute(out, "hostname", suite->hostname);
    fputs(">\n", out);
    size_t shown = 0;
    for (size_t i = 0; i < suite->n_properties; i++) {
        const struct junit_property *p = &suite->properties[i];
        if (!p->value)
            continue;
        if (!shown++)
            fputs("    <properties>\n", out);
        fputs("      <property", out);
        attribute(out, "name", p->name);
        attribute(out, "value", p->value);
        fputs("/>\n", out);
    }
    if (shown)
        fputs("    </properties>\n", out);
}

void junit_case_timed(FILE *out, const char *classname, const char *name, double time_s,
                      enum junit_outcome outcome, const char *message, const char *detail)
{
    static const char *const element[] = {
            [JUNIT_FAILURE] = "failure", [JUNIT_ERROR] = "error", [JUNIT_SKIPPED] = "skipped"};
    fputs("    <testcase", out);
    attribute(out, "classname", classname);
    attribute(out, "name", name);
    time_attribute(out, time_s);
    if (outcome == JUNIT_PASS && !detail) {
        fputs("/>\n", out);
        return;
    }
    fputs(">\n", out);
    if (outcome != JUNIT_PASS) {
        fprintf(out, "      <%s", element[outcome]);
        attribute(out, "message", message ? message : "");
        fputs("/>\n", out);
    }
    if (detail) {
        fputs("      <system-out>", out);
        escape(out, detail);
        fputs("</system-out>\n", out);
    }
    fputs("    </testcase>\n", out);
}

void junit_case(FILE *out, const char *classname, const char *name, enum junit_outcome outcome,
                const char *message, const char *detail)
{
    junit_case_timed(out, classname, name, NAN, outcome, message, detail);
}

void junit_suite_end(FILE *out)
{
    fputs("  </testsuite>\n", out);
}

int junit_end(FILE *out)
{
    fputs("</testsuites>\n", out);
    return fflush(out) != 0 || ferror(out) ? -EIO : 0;
}
