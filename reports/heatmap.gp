# heatmap.gp - the error of one failing case over its output: rows m (in row
# groups) against columns n (in column groups), coloured by the largest
# |got - ref| in each cell (exact data: against the rounded reference, so
# right elements are 0, white), relative to the RMS of the reference in that
# output row. A wrong weight or zero-point layout shows along the columns, a
# tail bug as the last rows or columns. NaN, Inf and unwritten elements are
# drawn at the top of the colour scale.
# Loaded by RUN/plots/plots.gp after it set the terminal, the output and:
#   datafile (RUN/plots/heat-INDEX.dat, a rows x cols matrix), rows cols M N,
#   cbmin cbmax (colour range), title1 title2 (the title's two lines), and
#   weights: 1 when the grid is over the weights the kernel was handed
#   (rows: K groups, M = their number; |w_eff - w| / rms(w): white where the
#   weights are right), 0 when over the output.
reset
set title sprintf("%s\n%s", title1, title2) font ',9'
if (weights) {
    set xlabel sprintf("weight column n (%d cells of %.3g columns)", cols, N * 1.0 / cols)
    set ylabel sprintf("weight row group g (%d cells of %.3g groups)", rows, M * 1.0 / rows)
    set cblabel "max |w_kernel - w| / rms(w)" font ",9"
} else {
    set xlabel sprintf("output column n (%d cells of %.3g columns)", cols, N * 1.0 / cols)
    set ylabel sprintf("output row m (%d cells of %.3g rows)", rows, M * 1.0 / rows)
    set cblabel "max |got - ref| / row RMS" font ",9"
}
set xrange [0:N]
set yrange [M:0]
set logscale cb
set cbrange [cbmin:cbmax]
set format cb "%.0e"
set palette defined (0 '#ffffff', 1 '#fee391', 2 '#fb6a4a', 3 '#a50f15', 4 '#3f007d')
set tics out
set rmargin 12
if (M <= 16) { set ytics 1 }
unset key
plot datafile matrix using (($1 + 0.5) * N / cols):(($2 + 0.5) * M / rows):3 with image
