#!/usr/bin/env bash
# Installs every dependency of toevp from Debian 12 packages. Idempotent: a
# package already present is left alone, so running it twice costs seconds.
# Run as root or with sudo available.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build
  libsystemc-dev            # SystemC 2.3.4 with TLM-2.0
  verilator                 # RTL co-simulation (issue: header generator)
  catch2                    # unit and platform tests (Catch2 v2)
  libboost-dev libboost-program-options-dev
  nlohmann-json3-dev        # config files and JSON reports
  python3                   # register-map generator, scripts
  yosys iverilog            # synthesis reports, second simulator
  nextpnr-ice40             # iCE40 place and route: Fmax in scripts/rtl_report.sh
  tshark                    # pcap checks
  parallel                  # design-point sweeps in parallel (scripts/sweep.py)
  gnuplot-nox               # sweep plots (scripts/plot_sweep.py)
  socat iproute2            # TAP demo: Linux TCP listener, namespace and TAP set-up (scripts/tap_demo.sh)
  clang-14 libclang-rt-14-dev llvm-14  # libFuzzer + sanitizer runtimes, llvm-symbolizer (scripts/fuzz.sh)
)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | "${sudo_cmd[@]}" debconf-set-selections 2>/dev/null || true
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
