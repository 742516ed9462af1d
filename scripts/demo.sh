#!/usr/bin/env bash
# The embedded default job: reproduce 000 Figs. 1 and 4 (R1, docs/reproduce.md) at a length that
# finishes in under two minutes on 2 cores: train a 300-node jammed resistor network with
# Coupled Learning for the two-target map of 000 eq. (1), then the cost-Hessian spectrum, its
# stiff modes and the susceptibility norms, with the figure and the check table.
# The full-length run (000 App. D: 1e6 iterations, ~5 min) is `plnet reproduce R1`.
set -euo pipefail
plnet=${1:-build/bin/plnet}
out=results/demo/R1
status=0
"$plnet" reproduce R1 --set protocol.steps=300000 -o "$out" || status=$?
if [[ $status != 0 && $status != 3 ]]; then exit "$status"; fi
echo
echo "results: $out/results.h5, check table: $out/check.md, figure: $out/R1.png (and .svg)"
if [[ $status == 3 ]]; then
  echo "some checks failed: the notes column of $out/check.md gives the most likely reason"
  echo "(docs/reproduce.md, \"R1\"). Full length (000's 1e6 iterations): $plnet reproduce R1"
fi
