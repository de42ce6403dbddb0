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
  fuzz() { out=$(go test -run="^\$" -fuzz="^$2\$" -fuzztime='"$fuzztime"' -parallel=1 "$1" 2>&1) && status=0 || status=$?; }
  fuzz "$0" "$1"
  # Go'"'"'s fuzzer can stop with "context deadline exceeded" when its time runs out while a
  # worker is busy, with no failing input found; that run proved nothing either way, so it runs
  # again. A real finding writes its input to testdata/fuzz and fails at once.
  if [ $status -ne 0 ] && echo "$out" | grep -q "context deadline exceeded" && ! echo "$out" | grep -q "Failing input written"; then
    echo "fuzz: $0 $1 ended with the fuzzer'"'"'s own deadline error and no finding: once more"
    fuzz "$0" "$1"
  fi
  echo "fuzz: $0 $1 for '"$fuzztime"': $(echo "$out" | tail -1)"
  [ $status -eq 0 ] || { echo "$out"; exit 255; }'
