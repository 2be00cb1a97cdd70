#!/usr/bin/env python3
"""Summarizes a Verilator coverage file (verilator_coverage --write output)
for scripts/rtl_coverage.sh: covered/total points per kind (line, branch,
toggle), the uncovered lines, and the bits that never toggled.

The combinational header (hdr_wire in wire order, hdr_form in beat order)
carries fields that are constant by design (EtherType, version/IHL, TOS,
DF/fragment, protocol, reserved bits, urgent pointer, option kinds); their
bits cannot toggle and are reported apart, by field, so that any other
untoggled bit stands out as a real hole. Exits 1 if a kind is below its
--min-* percentage (toggle counted without the constant-by-design bits)."""
import argparse
import collections
import re
import sys

# Each point is  C '<key><value>...' <count>  with keys and values separated
# by \x01 and \x02 (SystemC::Coverage-3 format).
POINT = re.compile(r"^C '(.*)' (\d+)$")


def parse(path):
    points = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = POINT.match(line.rstrip("\n"))
            if not m:
                continue
            fields = dict(kv.split("\x02", 1) for kv in m.group(1).split("\x01")[1:])
            points.append((fields, int(m.group(2))))
    return points


HEADER_BYTES = 66
# Header bytes that are constant, or constant but for the Timestamps option
# (data offset nibble, option kinds), in wire order (DESIGN.md contract).
CONSTANT_FIELDS = {
    12: "EtherType", 13: "EtherType", 14: "IPv4 version/IHL", 15: "IPv4 TOS",
    20: "IPv4 flags/fragment", 21: "IPv4 flags/fragment", 23: "IPv4 protocol",
    46: "TCP data offset/reserved", 52: "TCP urgent pointer", 53: "TCP urgent pointer",
    54: "TCP option kinds", 55: "TCP option kinds", 56: "TCP option kinds",
    57: "TCP option kinds",
}


def header_field(name):
    """The constant field a bit of hdr_wire/hdr_form belongs to, or None."""
    m = re.match(r"^(hdr_wire|hdr_form)\[(\d+)\]$", name)
    if not m:
        return None
    bit = int(m.group(2))
    byte = HEADER_BYTES - 1 - bit // 8 if m.group(1) == "hdr_wire" else bit // 8
    return CONSTANT_FIELDS.get(byte)


def kind(fields):
    page = fields.get("page", "")
    for k in ("toggle", "branch", "line"):
        if page.startswith("v_" + k):
            return k
    return page or "other"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("coverage_dat")
    ap.add_argument("--min-line", type=float, default=0.0)
    ap.add_argument("--min-branch", type=float, default=0.0)
    ap.add_argument("--min-toggle", type=float, default=0.0)
    args = ap.parse_args()

    points = parse(args.coverage_dat)
    if not points:
        print("no coverage points in", args.coverage_dat)
        return 1
    total = collections.Counter()
    hit = collections.Counter()
    untoggled = collections.defaultdict(list)
    constant = collections.Counter()
    unhit_lines = []
    for fields, count in points:
        k = kind(fields)
        name = fields.get("o", "?")
        if k == "toggle" and count == 0 and header_field(name):
            constant[header_field(name)] += 1
            continue
        total[k] += 1
        if count > 0:
            hit[k] += 1
        elif k == "toggle":
            untoggled[re.sub(r"\[\d+\]$", "", name)].append(name)
        else:
            unhit_lines.append(f"  line {fields.get('l', '?')}: {k} {fields.get('o', '')}")

    print("RTL coverage of rtl/toe_header_gen.sv (Verilator --coverage)")
    status = 0
    minimum = {"line": args.min_line, "branch": args.min_branch, "toggle": args.min_toggle}
    for k in ("line", "branch", "toggle"):
        if not total[k]:
            continue
        pct = 100.0 * hit[k] / total[k]
        flag = ""
        if pct < minimum[k]:
            flag = f"  BELOW the required {minimum[k]:.1f}%"
            status = 1
        print(f"  {k:7s} {hit[k]:5d} / {total[k]:5d} points covered  {pct:6.2f}%{flag}")
    all_hit, all_total = sum(hit.values()), sum(total.values())
    print(f"  {'total':7s} {all_hit:5d} / {all_total:5d} points covered  "
          f"{100.0 * all_hit / all_total:6.2f}%")
    if unhit_lines:
        print("uncovered lines and branches:")
        print("\n".join(sorted(set(unhit_lines))))
    if constant:
        print(f"not counted: {sum(constant.values())} bits of hdr_wire/hdr_form constant by "
              "design:")
        for field, n in sorted(constant.items()):
            print(f"  {field}: {n} bit(s)")
    if untoggled:
        print("signals with bits that never toggled (holes):")
        for sig, bits in sorted(untoggled.items()):
            print(f"  {sig}: {len(bits)} bit(s): {' '.join(sorted(bits)[:8])}"
                  f"{' ...' if len(bits) > 8 else ''}")
    return status


if __name__ == "__main__":
    sys.exit(main())
