#!/usr/bin/env python3
"""Plots a sweep CSV (scripts/sweep.py) with gnuplot: one line per series
(each distinct combination of the --series columns) and per --y column,
against the --x column, to a PNG or SVG chosen by the output's extension
(docs/workbench.md).

    plot_sweep.py results.csv --x ctx.entries --y goodput_gbps \
        --series workload.message_bytes --where link.propagation_ns=5000 \
        --logx --out goodput.png
"""
import argparse
import csv
import subprocess
import sys


def number(text):
    try:
        return float(text)
    except ValueError:
        return None


def select(rows, where):
    for cond in where:
        key, _, value = cond.partition("=")
        rows = [r for r in rows if r.get(key) == value]
    return rows


def series_of(rows, keys):
    """Distinct values of the series columns, in order of first appearance."""
    groups = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in keys), []).append(r)
    return groups


def quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def gnuplot_script(a, rows):
    out = a.out.lower()
    terminal = "svg size 800,640 dynamic" if out.endswith(".svg") else "pngcairo size 800,640"
    lines = [f"set terminal {terminal} noenhanced", f"set output {quote(a.out)}", "set key below",
             f"set xlabel {quote(a.xlabel or a.x)}", f"set ylabel {quote(a.ylabel or ', '.join(a.y))}",
             "set grid"]
    if a.title:
        lines.append(f"set title {quote(a.title)}")
    if a.logx:
        lines.append("set logscale x 2")
    plots = []
    for n, (values, group) in enumerate(series_of(rows, a.series).items()):
        label = ", ".join(f"{k}={v}" for k, v in zip(a.series, values))
        for y in a.y:
            pts = sorted((number(r[a.x]), number(r[y])) for r in group
                         if number(r[a.x]) is not None and number(r[y]) is not None)
            name = f"$d{len(plots)}"
            lines += [f"{name} << EOD"] + [f"{x} {v}" for x, v in pts] + ["EOD"]
            title = " ".join(t for t in (label, y if len(a.y) > 1 else "") if t) or y
            style = "lines dashtype 2" if y in a.dashed else "linespoints pointtype 7"
            plots.append(f"{name} using 1:2 with {style} linecolor {n + 1} title {quote(title)}")
    if not plots:
        raise SystemExit("plot_sweep: no rows to plot")
    lines.append("plot " + ", \\\n     ".join(plots))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv")
    ap.add_argument("--x", required=True, help="column on the x axis")
    ap.add_argument("--y", action="append", required=True, help="column on the y axis (repeatable)")
    ap.add_argument("--series", action="append", default=[], help="one line per distinct value (repeatable)")
    ap.add_argument("--where", action="append", default=[], metavar="COL=VALUE", help="keep only these rows")
    ap.add_argument("--dashed", action="append", default=[], help="--y columns drawn dashed (models)")
    ap.add_argument("--out", required=True, help="FILE.png or FILE.svg")
    ap.add_argument("--logx", action="store_true")
    ap.add_argument("--xlabel")
    ap.add_argument("--ylabel")
    ap.add_argument("--title")
    a = ap.parse_args()
    with open(a.csv) as f:
        rows = select(list(csv.DictReader(f)), a.where)
    script = gnuplot_script(a, rows)
    r = subprocess.run(["gnuplot"], input=script, text=True)
    if r.returncode != 0:
        print(script, file=sys.stderr)
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
