#!/usr/bin/env bash
# The embedded default job: generate a 2D jammed network (000 App. D), drive it with a
# voltage source against a ground and print a short summary of the state.
set -euo pipefail
plnet=${1:-build/bin/plnet}
out=results/demo
mkdir -p "$out"
"$plnet" generate jammed --nodes 300 --dimension 2 --phi 0.9 --seed 1 \
  --conductances uniform:0.01:1 -o "$out/jammed.json"
"$plnet" solve "$out/jammed.json" --ground 0 --source 100=1 --current 200=0.5 \
  --format summary -o "$out/summary.txt"
"$plnet" solve "$out/jammed.json" --ground 0 --source 100=1 --current 200=0.5 \
  --format json -o "$out/state.json"
cat "$out/summary.txt"
echo "full state: $out/state.json"
