#!/usr/bin/env bash
# The README test command (and CI): set-up, build, the whole test suite, the
# sanitizer run, the format check and the install test. Non-zero on any failure.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

passed=0
failed=0
# Scratch space for the install test and the fuzzer, removed on exit.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
check() {
  local name=$1
  shift
  step "$name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $name"
  fi
}

format_check() {
  git ls-files -co --exclude-standard -- '*.h' '*.cc' | grep -v '^tests/data/' |
    xargs clang-format --dry-run --Werror
}

# The core library is compiled with -fno-exceptions by src/CMakeLists.txt, so
# building it is the proof; this check also compiles every public header
# alone with -fno-exceptions.
headers_noexcept_check() {
  local hdr
  for hdr in $(cd include && find sift -name '*.h' | sort); do
    echo "#include \"$hdr\"" | g++ -std=c++17 -fno-exceptions -fsyntax-only -Wall -Wextra -Werror \
      -Iinclude -x c++ - || { echo "not self-contained without exceptions: $hdr"; return 1; }
  done
}

unit_and_integration() {
  build_preset default && ctest --preset default -j "$SIFT_JOBS"
}

sanitizers() {
  build_preset asan && ctest --preset asan -j "$SIFT_JOBS"
}

install_test() {
  local tmp=$scratch/install
  cmake --install build/default --prefix "$tmp/prefix" >/dev/null || return 1
  # A typical user never includes generated or third-party headers through ours
  # (sift/protos/ is the opt-in raw-proto target).
  if grep -rEn '#include [<"]([^">]*\.pb\.h|grpcpp/|yaml-cpp/)' "$tmp/prefix/include/sift" \
      --include='*.h' | grep -v '/include/sift/protos/'; then
    echo "a public header includes a generated, gRPC or yaml-cpp header"
    return 1
  fi
  cmake -S tests/install -B "$tmp/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null &&
    cmake --build "$tmp/consumer" -j "$SIFT_JOBS" &&
    "$tmp/consumer/consumer" examples/telemetry_config/nostromo_lv_426.yml \
      examples/telemetry_config/expression_modules/*.yml || return 1
  # Every example also builds on its own against the installed package.
  cmake -S examples -B "$tmp/examples" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null &&
    cmake --build "$tmp/examples" -j "$SIFT_JOBS"
}

# The threaded ingestion code under ThreadSanitizer: the services, the engine
# and its fault tests (with a tenth of the rows: TSan is ~10x slower), and
# rule sync + evaluation end to end (rows from the sender thread reach the
# emulator's evaluator on gRPC's threads), and FileAttachmentService against
# the emulator (its HTTP worker threads share the store with gRPC's).
tsan_threads() {
  build_preset tsan buffered_ingestion_test ingestion_service_test ingestion_engine_test \
    rules_end_to_end_test file_attachment_service_test \
    restart_test outage_test crash_test fault_ingest_child &&
    SIFT_FAULT_ROWS=100000 ctest --preset tsan -j "$SIFT_JOBS" \
      -R 'BufferedIngestionTest|IngestionServiceTest|IngestionEngineTest|RulesEndToEndTest|FaultTest|FileAttachmentServiceTest'
}

# libFuzzer over the YAML loader (seeded with every YAML file we ship) and
# over the rule expression parser (seeded with tests/data/expressions), each
# for a bounded time (SIFT_FUZZ_SECONDS, default 60).
run_fuzzer() {
  local name=$1 seeds=$2
  mkdir -p "$scratch/fuzz/$name" || return 1
  build/fuzz/bin/"$name" -max_total_time="${SIFT_FUZZ_SECONDS:-60}" -timeout=10 \
    -rss_limit_mb=4096 -print_final_stats=1 "$scratch/fuzz/$name" "$seeds" 2>&1 | tail -n 15
  return "${PIPESTATUS[0]}"
}

fuzz_parsers() {
  build_preset fuzz yaml_loader_fuzz expression_fuzz || return 1
  mkdir -p "$scratch/fuzz/yaml_seeds" || return 1
  find tests/data examples -name '*.yml' -exec cp {} "$scratch/fuzz/yaml_seeds/" \; || return 1
  run_fuzzer yaml_loader_fuzz "$scratch/fuzz/yaml_seeds" &&
    run_fuzzer expression_fuzz tests/data/expressions
}

check "clang-format" format_check
check "public headers without exceptions" headers_noexcept_check
check "build + ctest" unit_and_integration
check "ASan+UBSan build + ctest" sanitizers
check "TSan build + ingestion engine and fault tests" tsan_threads
check "install + downstream find_package(sift)" install_test
check "fuzz the YAML loader and the expression parser" fuzz_parsers

printf '\nchecks: %d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
