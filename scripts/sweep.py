#!/usr/bin/env python3
"""Design-point sweeps of toevp: one `toevp run --quiet --json` per point, run
in parallel by GNU parallel, merged into one CSV (docs/workbench.md).

A sweep file holds grid lines and point lines; blank lines and # comments
are ignored:

    ctx.entries = 4 16 64          grid axis: the cartesian product of all axes
    --set workload.message_bytes=256 --set workload.messages=4000
                                   one design point (any number of --set)

The design points are every point line (or one empty point when there is
none) combined with every combination of the grid axes. The CSV has one row
per design point: its number, every key the sweep file names, the run status,
then the figures of FIGURES (dotted names flatten the JSON report,
docs/results.md).

    sweep.py FILE --out DIR [-j N] [--set k=v]... [--figure NAME]...
                                                    run here, write DIR/results.csv
    sweep.py FILE --slurm DIR [--set k=v]...        write a Slurm job array
    sweep.py --merge DIR                            merge DIR/runs/*.json again
"""
import argparse
import csv
import itertools
import json
import os
import shlex
import subprocess
import sys

FIGURES = [
    "goodput_gbps", "theoretical_goodput_gbps", "messages_completed", "peer_data_ok",
    "completion_latency_ns.p50", "completion_latency_ns.p99",
    "context_table.peak_used", "context_table.mean_used", "context_table.full_stall_cycles",
    "context_table.hold_time_mean_ns", "tcb_cache.hits", "tcb_cache.misses", "pcie.read_bytes",
    "retransmitted_segments", "timeouts", "tx_buffer.bytes", "pcie.tag_wait_ns", "wall_s", "sim_frames_per_wall_s",
    "workload.mean_bytes_posted", "workload.posted_gbps", "workload.backlogged", "workload.backlog_peak",
    "mode",
]
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class SweepError(Exception):
    pass


def parse_assignment(text, where):
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise SweepError(f"{where}: expected key=value, got '{text}'")
    return key.strip(), value.strip()


def parse_point_line(line, where):
    """`--set k=v --set k2=v2` (the toevp command line's own form) -> dict."""
    words = shlex.split(line)
    point = {}
    while words:
        flag = words.pop(0)
        if flag != "--set" or not words:
            raise SweepError(f"{where}: a point line is a list of '--set key=value'")
        key, value = parse_assignment(words.pop(0), where)
        point[key] = value
    return point


def parse_sweep(text, name="sweep"):
    """Returns (keys in order of first mention, list of design points)."""
    axes, points, keys = [], [], []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        where = f"{name}:{n}"
        if not line:
            continue
        if line.startswith("--"):
            point = parse_point_line(line, where)
            points.append(point)
            new = list(point)
        else:
            key, values = parse_assignment(line, where)
            axes.append((key, values.split()))
            new = [key]
        keys += [k for k in new if k not in keys]
    if not axes and not points:
        raise SweepError(f"{name}: no design points")
    grid = [dict(zip([k for k, _ in axes], combo)) for combo in itertools.product(*[v for _, v in axes])]
    return keys, [{**p, **g} for p in (points or [{}]) for g in grid]


def write_point_list(out_dir, keys, points, common, extra_figures=()):
    """points.json (for --merge) and points.tsv: `id<TAB>toevp arguments`."""
    os.makedirs(os.path.join(out_dir, "runs"), exist_ok=True)
    with open(os.path.join(out_dir, "points.json"), "w") as f:
        json.dump({"keys": keys, "points": points, "common": common, "figures": list(extra_figures)}, f, indent=1)
    with open(os.path.join(out_dir, "points.tsv"), "w") as f:
        for i, p in enumerate(points):
            sets = [f"{k}={v}" for k, v in common] + [f"{k}={v}" for k, v in p.items()]
            f.write(f"{i:05d}\t" + " ".join("--set " + shlex.quote(s) for s in sets) + "\n")
    return os.path.join(out_dir, "points.tsv")


def run_local(out_dir, toevp, jobs):
    """Every point as its own toevp process; GNU parallel does the scheduling."""
    tsv = os.path.join(out_dir, "points.tsv")
    runs = os.path.join(out_dir, "runs")
    # {=2 uq() =}: the argument column goes in unquoted so the shell splits it
    # into the --set words (they were shell-quoted when points.tsv was written).
    command = (f"{shlex.quote(toevp)} run --quiet --json {shlex.quote(runs)}/{{1}}.json {{=2 uq() =}}"
               f" > {shlex.quote(runs)}/{{1}}.log 2>&1")
    argv = ["parallel", "--will-cite", "--colsep", "\t", "--joblog", os.path.join(out_dir, "joblog.txt"),
            "-a", tsv]
    if jobs:
        argv += ["--jobs", str(jobs)]
    return subprocess.run(argv + [command]).returncode


def write_slurm(out_dir, toevp, count):
    script = os.path.join(out_dir, "sweep.sbatch")
    with open(script, "w") as f:
        f.write(f"""#!/usr/bin/env bash
# Slurm job array of a toevp sweep: task i runs design point i of points.tsv.
# Submit from anywhere:   sbatch {script}
# Then merge:             scripts/sweep.py --merge {out_dir}
#SBATCH --job-name=toevp-sweep
#SBATCH --array=0-{count - 1}
#SBATCH --cpus-per-task=1
#SBATCH --output={out_dir}/runs/slurm-%a.out
set -euo pipefail
toevp=${{TOEVP:-{toevp}}}
line=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" {shlex.quote(os.path.join(out_dir, "points.tsv"))})
id=${{line%%$'\\t'*}}
eval "set -- ${{line#*$'\\t'}}"
exec "$toevp" run --quiet --json {shlex.quote(os.path.join(out_dir, "runs"))}/"$id".json "$@"
""")
    os.chmod(script, 0o755)
    return script


def figure(report, dotted):
    value = report
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return ""
        value = value[part]
    return str(value).lower() if isinstance(value, bool) else value


def status(report):
    if report is None:
        return "no_result"
    ok = (report.get("peer_data_ok") and report.get("firmware_ok") and not report.get("timed_out")
          and report.get("messages_completed") == report.get("messages_posted"))
    return "ok" if ok else "check_failed"


def merge(out_dir, csv_path=None):
    with open(os.path.join(out_dir, "points.json")) as f:
        meta = json.load(f)
    csv_path = csv_path or os.path.join(out_dir, "results.csv")
    figures = FIGURES + [n for n in meta.get("figures", []) if n not in FIGURES]
    bad = 0
    with open(csv_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["point"] + meta["keys"] + ["status"] + figures)
        for i, p in enumerate(meta["points"]):
            try:
                with open(os.path.join(out_dir, "runs", f"{i:05d}.json")) as r:
                    report = json.load(r)
            except (OSError, ValueError):
                report = None
            st = status(report)
            bad += st != "ok"
            w.writerow([i] + [p.get(k, "") for k in meta["keys"]] + [st] +
                       [figure(report or {}, name) for name in figures])
    return csv_path, len(meta["points"]), bad


def default_toevp():
    return os.environ.get("TOEVP") or os.path.join(REPO, "build", "testbench", "toevp")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sweep", nargs="?", help="sweep file")
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--out", metavar="DIR", help="run here, results in DIR")
    mode.add_argument("--slurm", metavar="DIR", help="write a Slurm job array and point list to DIR")
    mode.add_argument("--merge", metavar="DIR", help="merge the runs already in DIR")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="for every point")
    ap.add_argument("--toevp", default=default_toevp(), help="toevp executable (default $TOEVP or build/)")
    ap.add_argument("-j", "--jobs", type=int, help="parallel runs (default: one per core)")
    ap.add_argument("--csv", help="merged CSV (default DIR/results.csv)")
    ap.add_argument("--figure", action="append", default=[], metavar="NAME",
                    help="one more report figure as a CSV column (dotted name, repeatable)")
    a = ap.parse_args()
    try:
        if a.merge:
            path, n, bad = merge(os.path.abspath(a.merge), a.csv)
        else:
            if not a.sweep:
                raise SweepError("a sweep file is needed with --out or --slurm")
            with open(a.sweep) as f:
                keys, points = parse_sweep(f.read(), a.sweep)
            common = [parse_assignment(s, "--set") for s in a.set]
            out_dir = os.path.abspath(a.out or a.slurm)
            toevp = os.path.abspath(a.toevp)
            write_point_list(out_dir, keys, points, common, a.figure)
            if a.slurm:
                print(f"sweep: {len(points)} points; submit with: sbatch {write_slurm(out_dir, toevp, len(points))}")
                return 0
            if not os.access(toevp, os.X_OK):
                raise SweepError(f"no toevp executable at {toevp} (build it or pass --toevp)")
            run_local(out_dir, toevp, a.jobs)
            path, n, bad = merge(out_dir, a.csv)
    except (SweepError, OSError) as e:
        print(f"sweep: {e}", file=sys.stderr)
        return 2
    print(f"sweep: {n} points, {n - bad} ok, {bad} failed or missing -> {path}")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
