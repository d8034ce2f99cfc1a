#!/usr/bin/env bash
# Builds the libFuzzer targets (preset fuzz: clang-14, ASan + UBSan) and runs each for a bounded
# time, then prints the executions per target. Usage:
#
#   scripts/fuzz.sh [seconds-per-target] [target...]     (default 60 s, every target)
#
# Each target starts from its seeds (tests/fuzz/corpus/<target>/) and the kept crash inputs
# (tests/fuzz/regressions/<target>/); what it discovers goes to build/fuzz/corpus/<target>/ (not
# committed). A crash stops that target and leaves its input in build/fuzz/artifacts/<target>/;
# the script then exits 1. Keep a fixed crash input in tests/fuzz/regressions/<target>/ so that
# the release build's fuzz.<target> test replays it on every run (docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
all_targets=(jsonl csv key_codec record_codec model rpc)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

# A compiler cache only when the machine has one.
if command -v ccache >/dev/null && [ -z "${CMAKE_CXX_COMPILER_LAUNCHER:-}" ]; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache
fi
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -- -j"$(nproc)" >/dev/null

build=build/fuzz
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=()
summary=()
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/fuzz_$t"
  [ -x "$bin" ] || { echo "fuzz: no target $t (have: ${all_targets[*]})" >&2; exit 2; }
  work="$build/corpus/$t"
  artifacts="$build/artifacts/$t/"
  mkdir -p "$work" "$artifacts"
  inputs=("$work" "tests/fuzz/corpus/$t")
  [ -d "tests/fuzz/regressions/$t" ] && inputs+=("tests/fuzz/regressions/$t")
  log="$build/fuzz-$t.log"
  echo "fuzz: $t for ${seconds}s"
  rc=0
  # -timeout: one input taking longer is a hang (reported as a crash); -rss_limit_mb: memory.
  "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=25 -rss_limit_mb=2560 \
    -artifact_prefix="$artifacts" "${inputs[@]}" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  if [ "$rc" -ne 0 ]; then
    failed+=("$t")
    summary+=("$(printf '%-13s FAILED (exit %d), see %s and %s' "$t" "$rc" "$log" "$artifacts")")
    grep -m1 -E 'ERROR: |runtime error|fuzz invariant failed' "$log" >&2 || tail -20 "$log" >&2
  else
    summary+=("$(printf '%-13s %10s executions in %ss (%s/s), coverage %s' "$t" "${execs:-?}" \
      "$seconds" "$(( ${execs:-0} / seconds ))" "${cov:-?}")")
  fi
done
echo "fuzz: results"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in ${failed[*]}" >&2
  exit 1
fi
