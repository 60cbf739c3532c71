# plot/common.gp - what every dmabench plot shares: its arguments, colours, axes and margins.
#
# Every script in plot/ is run as `gnuplot -c plot/NAME.gp DATA OUT TITLE UNIT XCOL [EXTRA]`,
# by `dmabench plot` or by hand on the .dat files it leaves, and loads this file first:
#   DATA   a .dat file from dmabench plot (its first lines say what each column is)
#   OUT    the output path without extension: OUT.png (pngcairo) and OUT.svg are written
#   TITLE  the title; its second line names the board, the kernel and the run
#   UNIT   the unit of the values as results.csv has it (bytes/s, ns, frames/s ...)
#   XCOL   the results.csv column on the x axis (size_bytes, region_bytes, batch ...)
#   EXTRA  per script: the cache sizes to mark, the number of result sets ...
# Nothing here prints: dmabench treats anything gnuplot writes to stderr as a failure.

# Where the other shared pieces are (here() is defined by the calling script).
lib = here(ARG0)
data = ARG1
out = ARG2
plot_title = ARG3
unit = ARG4
xcol = ARG5
extra = ARG6

set encoding utf8
set title plot_title
set grid xtics ytics lc rgb "#dddddd" lw 1 dt 1
set border 3 lc rgb "#444444"
set tics nomirror out
set key outside right top vertical Left reverse noautotitle samplen 4 spacing 1.1
set bars small
set datafile missing "NaN"

# Okabe-Ito colours, told apart by colour-blind readers too; point shapes differ as well, so a
# ninth series (same colour as the first) is still distinguishable.
set linetype 1 lc rgb "#0072B2" lw 2 pt 7 ps 0.7
set linetype 2 lc rgb "#D55E00" lw 2 pt 5 ps 0.7
set linetype 3 lc rgb "#009E73" lw 2 pt 9 ps 0.8
set linetype 4 lc rgb "#CC79A7" lw 2 pt 11 ps 0.8
set linetype 5 lc rgb "#E69F00" lw 2 pt 13 ps 0.8
set linetype 6 lc rgb "#56B4E9" lw 2 pt 15 ps 0.8
set linetype 7 lc rgb "#000000" lw 2 pt 3 ps 0.8
set linetype 8 lc rgb "#999999" lw 2 pt 1 ps 0.8
set linetype cycle 8
mark_colour = "#7f7f7f"

# Values in a unit people read: bandwidth in GB/s (10^9, as the run summary prints it).
unit_scale(u) = u eq "bytes/s" ? 1e-9 : 1
unit_label(u) = u eq "bytes/s" ? "GB/s (10^9 bytes/s)" : u

# Sizes on a log2 axis, labelled at every power of 4 in binary units.
size_label(b) = b >= 2**40 ? sprintf("%g TiB", b / 2.0**40) : \
                b >= 2**30 ? sprintf("%g GiB", b / 2.0**30) : \
                b >= 2**20 ? sprintf("%g MiB", b / 2.0**20) : \
                b >= 2**10 ? sprintf("%g KiB", b / 2.0**10) : sprintf("%g B", b)
is_size_col(c) = strstrt(c, "_bytes") > 0
axis_name(c) = c eq "size_bytes" ? "buffer size" : \
               is_size_col(c) ? c[1:strstrt(c, "_bytes") - 1] . " size" : c

# A log y axis with tics at 1, 2 and 5 times every power of ten: plain decades leave most
# plots with two labels. Run with `eval log_y`.
log_y = "set logscale y 10; set ytics (); set format y '%g'; set mytics 10; " . \
        "do for [e = -12:15] { set ytics add (10.0**e, 2 * 10.0**e, 5 * 10.0**e) }"

# Margins around [lo, hi] so no point or error bar sits on the border, and a single value (one
# point, or all equal) still gives a range: gnuplot warns about an empty one.
lin_lo(lo, hi) = hi > lo ? lo - 0.05 * (hi - lo) : (lo == 0 ? -1 : lo - 0.1 * abs(lo))
lin_hi(lo, hi) = hi > lo ? hi + 0.05 * (hi - lo) : (hi == 0 ? 1 : hi + 0.1 * abs(hi))
log_lo(lo, hi) = lo / 1.4
log_hi(lo, hi) = (hi > lo ? hi : lo) * 1.4

# x axis over the data's column 1: log2 with size labels for a size column, else linear. A plot
# whose x axis is not numeric (the bars) passes no XCOL.
if (xcol ne "") {
    stats data using 1 nooutput
    blocks = STATS_blocks
    x_min = STATS_min
    x_max = STATS_max
    set xlabel axis_name(xcol)
    if (is_size_col(xcol)) {
        set logscale x 2
        set xtics ()
        do for [e = 0:44:2] { set xtics add (size_label(2.0**e) 2.0**e) }
        set xrange [log_lo(x_min, x_max):log_hi(x_min, x_max)]
    } else {
        set xrange [lin_lo(x_min, x_max):lin_hi(x_min, x_max)]
    }
}

# What every error bar in these plots is, said on the plot itself. Scripts with error bars:
# `eval ci_note`.
ci_note = 'set label "error bars: 95% confidence interval of the median" at screen 0.99, screen 0.015 right font ",8"'
