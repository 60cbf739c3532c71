/* heaps/heap_fault.c - the fault plan read from DMABENCH_FAULT, and the per-op call counters.
 *
 * Lives next to the allocator core because the core is the one door every buffer goes
 * through: a fault injected here reaches every backend and every benchmark the same way, and
 * the code under test is exactly the code that runs on a board (no #ifdef TEST).
 */
#include "heap_fault.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEAP_FAULT_MAX   16
#define HEAP_FAULT_ERRNO 4095 /* the kernel's MAX_ERRNO: no errno is larger */

struct fault {
    enum heap_fault_op op;
    unsigned long nth;
    bool and_later; /* "N+": the Nth call and every one after it */
    int err;        /* negative errno */
    size_t offset;  /* dirty: the byte to make non-zero */
};

static const char *const op_names[HEAP_FAULT_N_OPS] = {
        [HEAP_FAULT_ALLOC] = "alloc",   [HEAP_FAULT_MMAP] = "mmap",   [HEAP_FAULT_SYNC] = "sync",
        [HEAP_FAULT_SUBMIT] = "submit", [HEAP_FAULT_DIRTY] = "dirty",
};

static struct fault faults[HEAP_FAULT_MAX];
static size_t n_faults;
static int enabled; /* read on every call: the only cost when nothing is configured */
static bool configured_explicitly;
static unsigned long calls[HEAP_FAULT_N_OPS];
static unsigned long injected;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;

const char *heap_fault_op_name(enum heap_fault_op op)
{
    return op < HEAP_FAULT_N_OPS ? op_names[op] : "?";
}

/* "ENOMEM" or "12"; strerrorname_np knows every name glibc does, so no table to keep. */
static int parse_errno(const char *text)
{
    if (isdigit((unsigned char)text[0])) {
        char *end;
        long v = strtol(text, &end, 10);
        return *end || v < 1 || v > HEAP_FAULT_ERRNO ? 0 : (int)v;
    }
    for (int e = 1; e < 256; e++) {
        const char *name = strerrorname_np(e);
        if (name && !strcmp(name, text))
            return e;
    }
    return 0;
}

static int parse_item(char *item, struct fault *out, char *err, size_t err_len)
{
    char *op = strsep(&item, ":"), *nth = strsep(&item, ":"), *name = item;
    if (!nth || !name || !*name) {
        snprintf(err, err_len, "'%s': expected OP:N:ERRNO (alloc:3:ENOMEM)", op);
        return -EINVAL;
    }
    out->op = HEAP_FAULT_N_OPS;
    for (int i = 0; i < HEAP_FAULT_N_OPS; i++)
        if (!strcmp(op, op_names[i]))
            out->op = i;
    if (out->op == HEAP_FAULT_N_OPS) {
        snprintf(err, err_len, "unknown operation '%s' (alloc, mmap, sync, submit, dirty)", op);
        return -EINVAL;
    }
    size_t len = strlen(nth);
    out->and_later = len > 0 && nth[len - 1] == '+';
    if (out->and_later)
        nth[--len] = '\0';
    char *end;
    errno = 0;
    out->nth = isdigit((unsigned char)nth[0]) ? strtoul(nth, &end, 10) : 0;
    if (!out->nth || errno || *end) {
        snprintf(err, err_len, "%s: '%s' is not a call number from 1 (or N+)", op, nth);
        return -EINVAL;
    }
    if (out->op == HEAP_FAULT_DIRTY) {
        errno = 0;
        unsigned long long offset = isdigit((unsigned char)name[0]) ? strtoull(name, &end, 10) : 0;
        if (errno || !isdigit((unsigned char)name[0]) || *end) {
            snprintf(err, err_len, "dirty:%s: '%s' is not a byte offset", nth, name);
            return -EINVAL;
        }
        out->offset = (size_t)offset;
        return 0;
    }
    int e = parse_errno(name);
    if (!e) {
        snprintf(err, err_len, "%s:%s: '%s' is not an errno name (ENOMEM, EBUSY, EINTR ...)", op,
                 nth, name);
        return -EINVAL;
    }
    out->err = -e;
    return 0;
}

int heap_fault_configure(const char *spec, char *err, size_t err_len)
{
    struct fault parsed[HEAP_FAULT_MAX];
    size_t n = 0;
    char buf[512];
    if (err_len)
        err[0] = '\0';
    if (spec && strlen(spec) >= sizeof(buf)) {
        snprintf(err, err_len, "longer than %zu characters", sizeof(buf) - 1);
        return -EINVAL;
    }
    snprintf(buf, sizeof(buf), "%s", spec ? spec : "");
    char *rest = buf;
    for (char *item; *buf && (item = strsep(&rest, ","));) {
        if (n == HEAP_FAULT_MAX) {
            snprintf(err, err_len, "more than %d faults", HEAP_FAULT_MAX);
            return -EINVAL;
        }
        int ret = parse_item(item, &parsed[n++], err, err_len);
        if (ret)
            return ret;
    }
    memcpy(faults, parsed, n * sizeof(parsed[0]));
    n_faults = n;
    for (int i = 0; i < HEAP_FAULT_N_OPS; i++)
        __atomic_store_n(&calls[i], 0, __ATOMIC_RELAXED);
    __atomic_store_n(&injected, 0, __ATOMIC_RELAXED);
    configured_explicitly = true;
    __atomic_store_n(&enabled, n > 0, __ATOMIC_RELEASE);
    return 0;
}

int heap_fault_configure_from_env(char *err, size_t err_len)
{
    return heap_fault_configure(getenv(HEAP_FAULT_ENV), err, err_len);
}

static void configure_from_env_once(void)
{
    char err[160];
    if (!configured_explicitly)
        heap_fault_configure_from_env(err, sizeof(err)); /* malformed: injection stays off */
}

/* Count one call of op; the fault that hits it, or NULL. */
static const struct fault *count_call(enum heap_fault_op op)
{
    pthread_once(&env_once, configure_from_env_once);
    if (!__atomic_load_n(&enabled, __ATOMIC_ACQUIRE) || op >= HEAP_FAULT_N_OPS)
        return NULL;
    unsigned long call = __atomic_add_fetch(&calls[op], 1, __ATOMIC_RELAXED);
    for (size_t i = 0; i < n_faults; i++) {
        const struct fault *f = &faults[i];
        if (f->op == op && (call == f->nth || (f->and_later && call > f->nth))) {
            __atomic_add_fetch(&injected, 1, __ATOMIC_RELAXED);
            return f;
        }
    }
    return NULL;
}

int heap_fault_inject(enum heap_fault_op op)
{
    const struct fault *f = count_call(op);
    return f ? f->err : 0;
}

int heap_fault_dirty(size_t *offset)
{
    const struct fault *f = count_call(HEAP_FAULT_DIRTY);
    if (!f)
        return 0;
    *offset = f->offset;
    return 1;
}

unsigned long heap_fault_calls(enum heap_fault_op op)
{
    return op < HEAP_FAULT_N_OPS ? __atomic_load_n(&calls[op], __ATOMIC_RELAXED) : 0;
}

unsigned long heap_fault_injected(void)
{
    return __atomic_load_n(&injected, __ATOMIC_RELAXED);
}
