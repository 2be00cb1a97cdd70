#!/usr/bin/env bash
# The RTL report of the header generator (rtl/toe_header_gen.sv):
#   1. verilator --lint-only -Wall (the RTL and its place-and-route harness)
#   2. four-state X check under Icarus Verilog (testbench/rtl/
#      toe_header_gen_xcheck_tb.sv): no X/Z on any output after reset
#   3. yosys 0.23 generic synth: flip-flops, gates, longest topological path;
#      fails on latches, undriven or multiply driven nets, comb. loops
#   4. synth_xilinx and synth_ice40: LUT and FF counts
#   5. nextpnr-ice40 (if installed): Fmax on an iCE40 HX8K and UP5K
# Exits non-zero if a check fails. Logs go to $TOEVP_RTL_REPORT_DIR
# (default build-rtl/rtl_report).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${TOEVP_RTL_REPORT_DIR:-$root/build-rtl/rtl_report}
mkdir -p "$out"
cd "$root"
status=0
fail() { echo "  FAIL: $*"; status=1; }

echo "RTL report: rtl/toe_header_gen.sv (logs in $out)"

echo "== lint (verilator --lint-only -Wall, $(verilator --version | cut -d' ' -f2))"
if verilator --lint-only -Wall rtl/toe_header_gen.sv >"$out/lint.log" 2>&1 &&
   verilator --lint-only -Wall --top-module toe_header_gen_fmax_top rtl/toe_header_gen.sv \
     rtl/syn/toe_header_gen_fmax_top.sv >>"$out/lint.log" 2>&1; then
  echo "  clean: no warnings"
else
  cat "$out/lint.log"; fail "lint"
fi

echo "== X check (Icarus Verilog, four-state)"
if command -v iverilog >/dev/null; then
  iverilog -g2012 -o "$out/xcheck.vvp" rtl/toe_header_gen.sv \
    testbench/rtl/toe_header_gen_xcheck_tb.sv >"$out/xcheck_build.log" 2>&1 || true
  if [ -f "$out/xcheck.vvp" ] && vvp -n "$out/xcheck.vvp" >"$out/xcheck.log" 2>&1 &&
     grep -q "XCHECK PASS" "$out/xcheck.log"; then
    sed 's/^/  /' <(grep "XCHECK" "$out/xcheck.log")
  else
    cat "$out/xcheck_build.log" "$out/xcheck.log" 2>/dev/null; fail "X check"
  fi
else
  echo "  skipped: iverilog not installed"
fi

# yosys SCRIPT NAME [ltp]: runs scripts/SCRIPT from the repository root and
# writes $out/NAME.log and $out/NAME_stat.txt (and NAME_ltp.txt).
run_yosys() {
  local script=$1 name=$2 extra="tee -q -o $out/$2_stat.txt stat"
  [ "${3:-}" = ltp ] && extra="$extra; tee -q -o $out/$2_ltp.txt ltp -noff"
  yosys -q -l "$out/$name.log" -p "script scripts/$script; $extra" >/dev/null 2>&1
}

echo "== yosys $(yosys -V | cut -d' ' -f2) generic synth"
if run_yosys rtl_synth_generic.ys generic ltp; then
  echo "  no latches; check -assert: no undriven or multiply driven nets, no loops"
  python3 scripts/rtl_stat.py "$out/generic_stat.txt" "$out/generic_ltp.txt" | sed 's/^/  /'
else
  grep -iE "error|assert|latch|problem" "$out/generic.log" | tail -20; fail "generic synth"
fi

echo "== yosys synth_xilinx (LUT6 / FDRE)"
if run_yosys rtl_synth_xilinx.ys xilinx; then
  echo "  $(python3 scripts/rtl_stat.py "$out/xilinx_stat.txt")"
else
  grep -iE "error|assert" "$out/xilinx.log" | tail -20; fail "synth_xilinx"
fi

echo "== yosys synth_ice40 (SB_LUT4 / SB_DFF*)"
if run_yosys rtl_synth_ice40.ys ice40; then
  echo "  $(python3 scripts/rtl_stat.py "$out/ice40_stat.txt")"
else
  grep -iE "error|assert" "$out/ice40.log" | tail -20; fail "synth_ice40"
fi

echo "== nextpnr-ice40 Fmax (harness rtl/syn/toe_header_gen_fmax_top.sv, seed 1)"
if command -v nextpnr-ice40 >/dev/null; then
  if yosys -q -l "$out/pnr_synth.log" \
       -p "script scripts/rtl_pnr_ice40.ys; write_json $out/fmax_top.json" >/dev/null 2>&1; then
    for dev in "hx8k ct256" "up5k sg48"; do
      set -- $dev
      log=$out/pnr_$1.log
      if nextpnr-ice40 --"$1" --package "$2" --json "$out/fmax_top.json" --freq 25 --seed 1 \
           --pcf-allow-unconstrained --timing-allow-fail -q -l "$log" >/dev/null 2>&1; then
        fmax=$(grep "Max frequency for clock" "$log" | tail -1 | sed -E 's/.*: ([0-9.]+ MHz).*/\1/')
        lcs=$(grep "ICESTORM_LC:" "$log" | tail -1 |
              sed -E 's|.*ICESTORM_LC: *([0-9]+)/ *([0-9]+) *([0-9]+%).*|\1 of \2 (\3)|')
        echo "  iCE40 ${1^^} ($2): Fmax $fmax; logic cells $lcs with the harness"
      else
        tail -5 "$log"; fail "nextpnr-ice40 $1"
      fi
    done
  else
    fail "synthesis of the harness"
  fi
else
  echo "  skipped: nextpnr-ice40 not installed (scripts/setup.sh installs it)"
fi

if [ $status = 0 ]; then echo "RTL report: all checks passed"; else echo "RTL report: FAILED"; fi
exit $status
