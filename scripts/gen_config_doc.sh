#!/usr/bin/env bash
# Regenerates the key reference at the end of docs/config.md (everything
# after the marker line) from the config schema, with `toevp config
# --markdown`. Run after adding or changing a key in
# model/common/config_schema.cpp, together with
#   build/testbench/toevp config --defaults > testbench/configs/default.cfg
# (tests/workload/workload_cli_test.cpp checks both are current).
set -euo pipefail
cd "$(dirname "$0")/.."
toevp=${TOEVP:-build/testbench/toevp}
marker='<!-- Generated from model/common/config_schema.cpp by scripts/gen_config_doc.sh: do not edit below. -->'
doc=docs/config.md
grep -qxF "$marker" "$doc" || { echo "gen_config_doc.sh: no marker line in $doc" >&2; exit 1; }
tmp=$(mktemp)
sed "/^$(printf '%s' "$marker" | sed 's/[][\/.*^$]/\\&/g')\$/q" "$doc" > "$tmp"
printf '\n' >> "$tmp"
"$toevp" config --markdown >> "$tmp"
mv "$tmp" "$doc"
