#!/usr/bin/env bash
# The sizing study (docs/sizing_study.md): message-context table and TCB cache
# sizes from toevp runs through the sweep runner (scripts/sweep.py), next to
# the closed-form bounds of scripts/study_bounds.py. One command regenerates
# every figure and table:
#
#   scripts/sizing_study.sh [--all] [--quick] [--part NAME]... [-j N] [--toevp PATH] [--report-only]
#
# Parts: contexts, cost, tcb, loss, mtu (all by default); --quick runs fewer
# points per part. Writes docs/figures/study_* and docs/sizing_study.md; the
# runs stay in $SIZING_WORK (build/sizing_study). See scripts/sizing_study.py.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/sizing_study.py "$@"
