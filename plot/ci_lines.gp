# plot/ci_lines.gp - the line plot most scripts draw: a line per series of the median, with the
# 95% confidence interval of the median as error bars (rows without one have a zero-length bar).
# Set before loading: y_scale (multiplies every value) and y_log (1 for a log y axis).
# DATA blocks: x median ci_low ci_high p90 p99, the first line the series title.

stats data using 3 nooutput
y_min = STATS_min * y_scale
stats data using 4 nooutput
y_max = STATS_max * y_scale
if (y_log) {
    eval log_y
    set yrange [log_lo(y_min, y_max):log_hi(y_min, y_max)]
} else {
    set yrange [lin_lo(y_min, y_max):lin_hi(y_min, y_max)]
}
eval ci_note
plot_cmd = "plot for [i = 0:blocks - 1] data index i " . \
           "using 1:($2 * y_scale):($3 * y_scale):($4 * y_scale) " . \
           "with yerrorlines lt (i + 1) title columnheader(1)"
load lib . "render.gp"
