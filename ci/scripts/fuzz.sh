#!/usr/bin/env bash
# Runs every fuzz target (found in the *_test.go files) for FUZZTIME each, two at a time with
# one worker each: the machine has two cores, and two fuzzers at once finish the list in half
# the time of one with two workers. A finding is written to the package's testdata/fuzz and
# fails the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
fuzztime="${FUZZTIME:-15s}"
for file in $(grep -rl --include='*_test.go' '^func Fuzz' .); do
  for target in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$file"); do
    echo "$(dirname "$file") $target"
  done
done | xargs -P "${FUZZ_JOBS:-2}" -L 1 sh -c '
  out=$(go test -run="^\$" -fuzz="^$1\$" -fuzztime='"$fuzztime"' -parallel=1 "$0" 2>&1) && status=0 || status=$?
  echo "fuzz: $0 $1 for '"$fuzztime"': $(echo "$out" | tail -1)"
  [ $status -eq 0 ] || { echo "$out"; exit 255; }'
