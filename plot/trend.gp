# plot/trend.gp - one series (board x case x metric) over its board's runs: each run's median
# with its 95% confidence interval, disturbed runs apart, the change points as vertical lines.
# DATA: one block, a row per run that has the case: x (the run's place in the board's order),
# median, ci_low, ci_high (the median when unknown), disturbed (0/1), "label" (the kernel
# release, or the git sha in git order), "run id". XCOL: "" (x is the run's place).
# EXTRA: words KEY=VALUE: order=time|kernel|git, runs=N (the board's runs: the x range),
# calm=N and disturbed=N (rows of each), step=K (every K-th run labelled), and per change point
# cp=X:KIND:CHANGE (X between the two runs, KIND regression|worse|better|inconclusive, CHANGE
# the text drawn beside it, "-12.3%").

here(p) = strstrt(p, "/") ? p[1:strstrt(p, "/")] . here(p[strstrt(p, "/") + 1:]) : ""
call here(ARG0) . "common.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6

# The value of KEY=VALUE in EXTRA ("" when absent); cp= words are read one by one below.
opt_from(k, i) = i > words(extra) ? "" : \
    strstrt(word(extra, i), k . "=") == 1 ? word(extra, i)[strlen(k) + 2:] : opt_from(k, i + 1)
opt(k) = opt_from(k, 1)

order = opt("order")
runs = int(opt("runs"))
calm = int(opt("calm"))
disturbed = int(opt("disturbed"))
step = int(opt("step"))
y_scale = unit_scale(unit)

set xlabel order eq "git" ? "runs in git order (dmabench's git sha)" : \
           order eq "kernel" ? "runs in kernel release order" : \
           "runs in start-time order (kernel release)"
set ylabel unit_label(unit)
set format y "%g"
set xrange [-0.5:runs - 0.5]
set xtics rotate by 45 right font ",8"
set grid noxtics ytics

stats data using 3 nooutput
y_min = STATS_min * y_scale
stats data using 4 nooutput
y_max = STATS_max * y_scale
set yrange [lin_lo(y_min, y_max):lin_hi(y_min, y_max)]

# The change points: a line between the two runs, coloured by kind, its change at the top.
colour(kind) = kind eq "regression" ? "#D55E00" : kind eq "worse" ? "#E69F00" : \
               kind eq "better" ? "#009E73" : mark_colour
dash(kind) = kind eq "inconclusive" ? 3 : kind eq "worse" ? 2 : 1
seen = ""
do for [k = 1:words(extra)] {
    w = word(extra, k)
    if (strstrt(w, "cp=") == 1) {
        w = w[4:]
        cp_x = real(w[1:strstrt(w, ":") - 1])
        w = w[strstrt(w, ":") + 1:]
        kind = w[1:strstrt(w, ":") - 1]
        set arrow from cp_x, graph 0 to cp_x, graph 1 nohead lw 2 dt dash(kind) \
            lc rgb colour(kind) back
        set label w[strstrt(w, ":") + 1:] at cp_x, graph 0.98 right rotate by 90 \
            offset -0.6, 0 tc rgb colour(kind) font ",9" front
        seen = strstrt(seen, " " . kind . " ") ? seen : seen . " " . kind . " "
    }
}

# Every step-th row gets its label (an xtic for every row would draw a tic mark for each of a
# thousand runs); many runs get smaller points.
point_size = runs > 200 ? 0.2 : runs > 50 ? 0.4 : 0.7
plot_cmd = "plot data using 1:($2 * y_scale) with lines lt 8 lw 1 title 'median of each run', " . \
           sprintf("data every %d using 1:($2 * y_scale):xtic(strcol(6)) with points ps 0 ", step) . \
           "notitle"
if (calm > 0) {
    plot_cmd = plot_cmd . ", data using 1:($5 > 0 ? NaN : $2 * y_scale):($3 * y_scale):" . \
               sprintf("($4 * y_scale) with yerrorbars lt 1 ps %g title 'median, 95%% CI'", point_size)
}
if (disturbed > 0) {
    plot_cmd = plot_cmd . ", data using 1:($5 > 0 ? $2 * y_scale : NaN):($3 * y_scale):" . \
               sprintf("($4 * y_scale) with yerrorbars lc rgb '#999999' pt 6 ps %g ", 1.4 * point_size) . \
               "title 'disturbed run (not in baselines)'"
}
do for [kind in "regression worse better inconclusive"] {
    if (strstrt(seen, " " . kind . " ")) {
        plot_cmd = plot_cmd . sprintf(", keyentry with lines lw 2 dt %d lc rgb '%s' title '%s'", \
                                      dash(kind), colour(kind), kind . " change point")
    }
}
load lib . "render.gp"
