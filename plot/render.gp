# plot/render.gp - draws plot_cmd (set by the calling script) to OUT.png and OUT.svg.
#
# Loaded last by every script in plot/. The command is run once per terminal rather than with
# replot, so that multiplot layouts (the heatmap) render the same way.

set terminal pngcairo size 1100,620 noenhanced font "sans,10"
set output out . ".png"
eval plot_cmd
set terminal svg size 1100,620 dynamic noenhanced font "sans,10" background "white"
set output out . ".svg"
eval plot_cmd
unset output
