#!/usr/bin/env bash
# Runs plnet's libFuzzer targets (docs/testing.md, "Fuzzing").
#
#   fuzz.sh replay NAME BINARY           every seed and every kept regression input, once
#   fuzz.sh run NAME BINARY SECONDS      fuzz for SECONDS from the seeds and the corpus grown so far
#
# The corpus grows in <folder of BINARY>/corpus/NAME; a finding (crash, sanitizer report, hang,
# oversized allocation, broken error contract) is written to <folder of BINARY>/findings/NAME/
# and fails the run. Once fixed, move the finding to fuzz/regressions/NAME/ so it is replayed
# by every test run from then on.
set -euo pipefail
mode=$1 name=$2 binary=$3
if [[ ! -x $binary ]]; then
  echo "fuzz.sh: no fuzz target '$name' (no program $binary; targets: network_json edge_list" \
    "csv experiment_toml checkpoint run_file, built by make sanitize-build)" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
seeds=$root/fuzz/corpus/$name
regressions=$root/fuzz/regressions/$name
work=$(dirname "$binary")

# A size read from a file and used unchecked shows up as an allocation beyond 512 MB; a parser
# that loops shows up as a 25 s timeout.
limits=(-malloc_limit_mb=512 -rss_limit_mb=2560 -timeout=25)
# LeakSanitizer stays on; UBSan stops at the first report (the build uses -fno-sanitize-recover).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}

case $mode in
  replay)
    inputs=()
    for dir in "$seeds" "$regressions"; do
      [[ -d $dir ]] && while IFS= read -r -d '' f; do inputs+=("$f"); done \
        < <(find "$dir" -type f ! -name README.md -print0 | sort -z)
    done
    if ((${#inputs[@]} == 0)); then
      echo "fuzz.sh: no inputs for $name" >&2
      exit 1
    fi
    # libFuzzer runs each file given by name once and stops at the first finding.
    "$binary" "${limits[@]}" "${inputs[@]}" 2>"$work/replay_$name.log" || {
      tail -n 40 "$work/replay_$name.log" >&2
      exit 1
    }
    echo "fuzz.sh: $name: ${#inputs[@]} inputs replayed, no finding"
    ;;
  run)
    seconds=$4
    mkdir -p "$work/corpus/$name" "$work/findings/$name"
    "$binary" "${limits[@]}" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$work/findings/$name/" "$work/corpus/$name" "$seeds" \
      2>"$work/run_$name.log" || {
      tail -n 60 "$work/run_$name.log" >&2
      echo "fuzz.sh: $name: finding kept in $work/findings/$name/ (after the fix, move it to" \
        "fuzz/regressions/$name/)" >&2
      exit 1
    }
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/run_$name.log" | grep -o '[0-9]*$')
    echo "fuzz.sh: $name: ${execs:-?} executions in ${seconds} s, no finding"
    ;;
  *)
    echo "fuzz.sh: unknown mode '$mode' (need replay or run)" >&2
    exit 2
    ;;
esac
