#!/usr/bin/env python3
"""Runs testbench/configs/sweeps/smoke.txt (ctx.entries = 2 8 32, 40 messages
of 4 KiB) through scripts/sweep.py and checks the merged CSV: exactly one row
per design point in sweep order, every run ok, and figures that make sense
(goodput within the theoretical bound, every message completed, the context
table never above its size, growing goodput with more contexts, and the
column that --figure adds)."""
import argparse
import csv
import os
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fail(why):
    print(f"check_sweep: FAIL: {why}", file=sys.stderr)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--toevp", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    sweep = os.path.join(REPO, "testbench", "configs", "sweeps", "smoke.txt")
    r = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "sweep.py"), sweep, "--out", a.work,
                        "--toevp", a.toevp, "-j", "2", "--set", "sim.seed=1", "--figure", "protocol.rtt_mean_ns"])
    if r.returncode != 0:
        fail(f"sweep.py exited {r.returncode} (seed 1, runs in {a.work}/runs)")
    with open(os.path.join(a.work, "results.csv")) as f:
        rows = list(csv.DictReader(f))
    print(f"check_sweep: {len(rows)} rows (seed 1)")
    if [r["ctx.entries"] for r in rows] != ["2", "8", "32"]:
        fail(f"expected one row per point, ctx.entries 2 8 32; got {[r['ctx.entries'] for r in rows]}")
    goodputs = []
    for r in rows:
        where = f"point {r['point']} (ctx.entries {r['ctx.entries']}, seed 1)"
        g, bound = float(r["goodput_gbps"]), float(r["theoretical_goodput_gbps"])
        print(f"  {where}: goodput {g:.3f} Gb/s, peak contexts {r['context_table.peak_used']}")
        if r["status"] != "ok" or r["peer_data_ok"] != "true":
            fail(f"{where}: status {r['status']}, peer_data_ok {r['peer_data_ok']}")
        if int(r["messages_completed"]) != 40 or int(r["workload.messages"]) != 40:
            fail(f"{where}: {r['messages_completed']} of 40 messages completed")
        if not 0 < g <= bound:
            fail(f"{where}: goodput {g} not in (0, {bound}]")
        if not 1 <= int(r["context_table.peak_used"]) <= int(r["ctx.entries"]):
            fail(f"{where}: peak contexts {r['context_table.peak_used']} outside [1, entries]")
        if float(r["context_table.hold_time_mean_ns"]) <= 0 or int(r["pcie.read_bytes"]) < 40 * 4096:
            fail(f"{where}: hold time or PCIe read bytes missing")
        # --figure: an extra report figure as a column; an RTT of 4 us (2 us each way) at least.
        if not float(r.get("protocol.rtt_mean_ns") or 0) >= 4000:
            fail(f"{where}: --figure protocol.rtt_mean_ns column missing or wrong: {r.get('protocol.rtt_mean_ns')}")
        goodputs.append(g)
    if not goodputs[0] < goodputs[1] < goodputs[2]:
        fail(f"goodput should grow with contexts at this RTT: {goodputs}")
    print("check_sweep: ok")


if __name__ == "__main__":
    main()
