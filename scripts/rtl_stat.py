#!/usr/bin/env python3
"""Condenses a yosys `stat` report into the figures of scripts/rtl_report.sh:
flip-flops, LUTs, carry cells and the rest, whatever the target library
(generic gates, Xilinx, iCE40). Usage: rtl_stat.py STAT_FILE [LTP_FILE]."""
import re
import sys

KINDS = [
    ("FFs", re.compile(r"DFF|^FD[CPRS]E?$|^SB_DFF")),
    ("LUTs", re.compile(r"^LUT\d$|^SB_LUT4$")),
    ("carry", re.compile(r"CARRY")),
    ("wide muxes", re.compile(r"^MUXF\d$")),
    ("I/O buffers", re.compile(r"^[IO]BUF|^BUFG")),
]


def main():
    cells = {}
    with open(sys.argv[1]) as f:
        for line in f:
            m = re.match(r"^\s+(\S+)\s+(\d+)$", line)
            if m and not m.group(1).startswith("Number"):
                cells[m.group(1).lstrip("\\")] = int(m.group(2))
    counts = {name: 0 for name, _ in KINDS}
    other = 0
    for cell, n in cells.items():
        for name, pattern in KINDS:
            if pattern.search(cell):
                counts[name] += n
                break
        else:
            other += n
    parts = [f"{counts[name]} {name}" for name, _ in KINDS if counts[name]]
    label = "gates" if any(c.startswith("$_") for c in cells) else "other cells"
    parts.append(f"{other} {label}")
    print(", ".join(parts))
    if len(sys.argv) > 2:
        with open(sys.argv[2]) as f:
            text = f.read()
        m = re.search(r"Longest topological path in \S+ \(length=(\d+)\)", text)
        path = [p.lstrip("\\") for p in re.findall(r"^\s+\d+: (\S+(?: \[\d+\])?)", text, re.M)]
        if m and path:
            print(f"longest topological path: {m.group(1)} cells, {path[0]} -> {path[-1]}")


if __name__ == "__main__":
    main()
