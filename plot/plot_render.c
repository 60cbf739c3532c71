/* plot/plot_render.c - a plot script run in a private directory, and its files checked and moved
 * into the output directory (see plot_render.h).
 */
#include "plot_render.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot_gnuplot.h"
#include "safe_file.h"

int plot_render_begin(struct plot_render *r, int dirfd, const char *out_dir, const char *script_dir,
                      char *err, size_t err_len)
{
    *r = (struct plot_render){
            .dirfd = dirfd, .subfd = -1, .out_dir = out_dir, .script_dir = script_dir};
    int ret = safe_file_private_dir(dirfd, "dmabench-plot", r->private_name,
                                    sizeof(r->private_name), &r->subfd);
    if (ret)
        snprintf(err, err_len, "%s: cannot create %s: %s", out_dir, r->private_name,
                 strerror(-ret));
    return ret;
}

void plot_render_end(struct plot_render *r)
{
    if (r->subfd >= 0)
        safe_file_private_dir_remove(r->dirfd, r->private_name, r->subfd);
    r->subfd = -1;
}

int plot_render_dat_create(const struct plot_render *r, const char *stem, FILE **f, char *err,
                           size_t err_len)
{
    char name[NAME_MAX + 1];
    snprintf(name, sizeof(name), "%s.dat", stem);
    int ret = safe_file_create(r->subfd, name, f);
    if (ret)
        snprintf(err, err_len, "%s/%s: %s", r->out_dir, name, strerror(-ret));
    return ret;
}

int plot_render_dat_close(const struct plot_render *r, const char *stem, FILE *f, char *err,
                          size_t err_len)
{
    int ret = safe_file_flush(f);
    if (fclose(f) != 0 && !ret)
        ret = -errno;
    if (ret)
        snprintf(err, err_len, "%s/%s.dat: %s", r->out_dir, stem, strerror(-ret));
    return ret;
}

/* Whether gnuplot left STEM.EXT whole: a PNG ends with its IEND chunk, an SVG with </svg>.
 * gnuplot does not notice a write that failed: a full disk leaves a cut file, and exit 0. Else
 * the note says what is wrong. */
static bool output_whole(const struct plot_render *r, const char *stem, const char *ext, char *note,
                         size_t note_len)
{
    static const unsigned char png_end[] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
    char name[NAME_MAX + 1], why[128], tail[32];
    snprintf(name, sizeof(name), "%s.%s", stem, ext);
    struct stat st;
    ssize_t n = 0;
    int fd;
    if (safe_file_open_read(r->subfd, name, false, &fd, why, sizeof(why)) == 0) {
        if (fstat(fd, &st) == 0 && st.st_size > 0) {
            off_t from = st.st_size > (off_t)sizeof(tail) ? st.st_size - (off_t)sizeof(tail) : 0;
            n = pread(fd, tail, sizeof(tail), from);
        }
        close(fd);
    }
    if (n <= 0) {
        snprintf(note, note_len, "gnuplot made no %s", name);
        return false;
    }
    bool whole;
    if (!strcmp(ext, "png"))
        whole = n >= (ssize_t)sizeof(png_end) &&
                !memcmp(tail + n - sizeof(png_end), png_end, sizeof(png_end));
    else
        whole = memmem(tail, (size_t)n, "</svg>", 6) != NULL;
    if (!whole)
        snprintf(note, note_len, "gnuplot left %s cut short (is the disk full?)", name);
    return whole;
}

/* STEM.EXT, synced, over the old one. */
static int move_into_place(const struct plot_render *r, const char *stem, const char *ext,
                           char *err, size_t err_len)
{
    char name[NAME_MAX + 1];
    snprintf(name, sizeof(name), "%s.%s", stem, ext);
    int ret = safe_file_move(r->subfd, name, r->dirfd, name);
    if (ret)
        snprintf(err, err_len, "%s/%s: %s", r->out_dir, name, strerror(-ret));
    return ret;
}

int plot_render_run(const struct plot_render *r, const char *script, const char *stem,
                    const char *const *args, size_t n_args, bool *made, char *note, size_t note_len,
                    char **gnuplot_errors, char *err, size_t err_len)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s.gp", r->script_dir, script);
    *made = false;
    int status;
    int ret = plot_gnuplot_run(path, args, n_args, r->subfd, gnuplot_errors, &status);
    /* The data stay beside the plot whatever gnuplot made of them, to redraw it by hand. */
    int moved = move_into_place(r, stem, "dat", err, err_len);
    if (ret == -ENOENT) {
        snprintf(err, err_len, "%s not found: install gnuplot (Debian: gnuplot-nox)",
                 plot_gnuplot_program());
        return ret;
    }
    if (moved)
        return moved;
    if (ret == -ECHILD)
        snprintf(note, note_len, "gnuplot %s %d",
                 WIFEXITED(status) ? "exited with status" : "was killed by signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    else if (ret)
        snprintf(note, note_len, "cannot run %s: %s", plot_gnuplot_program(), strerror(-ret));
    else if (*gnuplot_errors && (*gnuplot_errors)[0])
        snprintf(note, note_len, "gnuplot warned (a warning fails the plot)");
    else if (output_whole(r, stem, "png", note, note_len) &&
             output_whole(r, stem, "svg", note, note_len)) {
        /* Both whole, or the old pair stays. */
        if ((ret = move_into_place(r, stem, "png", err, err_len)) ||
            (ret = move_into_place(r, stem, "svg", err, err_len)))
            return ret;
        if ((ret = safe_file_sync_dir(r->dirfd))) {
            snprintf(err, err_len, "%s: %s", r->out_dir, strerror(-ret));
            return ret;
        }
        *made = true;
    }
    return 0;
}
