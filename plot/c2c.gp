# plot/c2c.gp - the core-to-core heatmap: the cost of moving a cache line from one CPU (x) to
# another (y), each cell labelled with its value; one panel per series (metric, strategy ...).
# DATA blocks: x y median, the first line the series title.

here(p) = strstrt(p, "/") ? p[1:strstrt(p, "/")] . here(p[strstrt(p, "/") + 1:]) : ""
call here(ARG0) . "common.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6

# Both before any range is set: stats only counts values inside the current ranges.
stats data using 2 nooutput
y_min = STATS_min
y_max = STATS_max
stats data using 3 nooutput
mid = (STATS_min + STATS_max) / 2
set cbrange [STATS_min:(STATS_max > STATS_min ? STATS_max : STATS_min + 1)]
# Whole cells (each 1 wide) and row 0 on top, as a matrix is read.
set xrange [x_min - 0.5:x_max + 0.5]
set yrange [y_max + 0.5:y_min - 0.5]
set xlabel "from CPU (" . xcol . "); hatched grey: not measured"
set ylabel "to CPU"
set xtics 1
set ytics 1
set grid noxtics noytics
set cblabel unit
# Measured cells run from light blue (fastest) to dark blue; a pair that was not measured (a CPU
# with itself, or a pair the run left out) shows the grey hatching behind the cells, a colour no
# value has.
set palette defined (0 "#c6dbef", 0.5 "#6baed6", 1 "#08306b")
set object 1 rectangle from graph 0, graph 0 to graph 1, graph 1 behind \
    fillcolor rgb "#969696" fillstyle pattern 4 noborder
# A lone matrix needs no key (the title says what it is); several are told apart by it.
if (blocks > 1) { set key above } else { unset key }
set size ratio -1
set view map
# Cells labelled white on dark cells and black on light ones.
cell = "using 1:2:(0.5):(0.5):3 with boxxyerror fillstyle solid border lc rgb '#ffffff' " . \
       "fillcolor palette title columnheader(1), '' index i using 1:2:(sprintf('%.0f', $3)):" . \
       "($3 > mid ? 0xffffff : 0x000000) with labels center tc rgb variable font ',9' notitle"
plot_cmd = "if (blocks > 1) { set multiplot layout 1, blocks title plot_title }; " . \
           "do for [i = 0:blocks - 1] { plot data index i " . cell . " }; " . \
           "if (blocks > 1) { unset multiplot }"
load lib . "render.gp"
