# plot/alloc.gp - allocation latency percentiles vs buffer size: per series (heap, kernel,
# batch ...) one colour, p50 solid with the CI of the median, p90 dashed, p99 dotted.
# DATA: see ci_lines.gp (p90 and p99 are columns 5 and 6).

here(p) = strstrt(p, "/") ? p[1:strstrt(p, "/")] . here(p[strstrt(p, "/") + 1:]) : ""
call here(ARG0) . "common.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6

# Allocation times are microseconds; the results are in ns.
y_scale = unit eq "ns" ? 1e-3 : 1
set ylabel "latency per buffer (" . (unit eq "ns" ? "µs" : unit) . ")"
stats data using 3 nooutput
y_min = STATS_min * y_scale
stats data using ($6 > $4 ? $6 : $4) nooutput
y_max = STATS_max * y_scale
eval log_y
set yrange [log_lo(y_min, y_max):log_hi(y_min, y_max)]
plot_cmd = "plot for [i = 0:blocks - 1] data index i " . \
           "using 1:($2 * y_scale):($3 * y_scale):($4 * y_scale) " . \
           "with yerrorlines lt (i + 1) title columnheader(1), " . \
           "for [i = 0:blocks - 1] data index i using 1:($5 * y_scale) " . \
           "with lines lt (i + 1) dt 2 lw 1.5 notitle, " . \
           "for [i = 0:blocks - 1] data index i using 1:($6 * y_scale) " . \
           "with lines lt (i + 1) dt 3 lw 1.5 notitle, " . \
           "NaN with lines lc rgb mark_colour lw 2 title 'p50 (error bars: 95% CI)', " . \
           "NaN with lines lc rgb mark_colour dt 2 lw 1.5 title 'p90', " . \
           "NaN with lines lc rgb mark_colour dt 3 lw 1.5 title 'p99'"
load lib . "render.gp"
