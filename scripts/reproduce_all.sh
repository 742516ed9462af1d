#!/usr/bin/env bash
# Runs every registered reproduction (`plnet reproduce --list`) and fails if any check fails or,
# when matplotlib is available, if a figure is missing. ctest runs it with --quick (label
# "reproduce": `ctest -L reproduce`); without --quick it regenerates the full-size results.
#   scripts/reproduce_all.sh <plnet binary> <output root> [plnet reproduce options...]
set -uo pipefail
plnet=${1:?usage: reproduce_all.sh <plnet> <output root> [options]}
root=${2:?usage: reproduce_all.sh <plnet> <output root> [options]}
shift 2
figures=0
if [[ " $* " != *" --no-figures "* ]] && /usr/bin/python3 -c 'import matplotlib, h5py' 2>/dev/null; then
  figures=1
fi
failed=()
for id in $("$plnet" reproduce --list | awk '{print $1}'); do
  start=$(date +%s)
  if "$plnet" reproduce "$id" -o "$root/$id" "$@"; then
    if [[ $figures == 1 && ! -f "$root/$id/$id.png" ]]; then
      echo "reproduce_all: $id: no figure $root/$id/$id.png" >&2
      failed+=("$id(figure)")
    fi
  else
    failed+=("$id")
  fi
  echo "reproduce_all: $id finished in $(( $(date +%s) - start )) s" >&2
done
if (( ${#failed[@]} )); then
  echo "reproduce_all: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "reproduce_all: no unexpected failure (known deviations: see each check.md)" >&2
