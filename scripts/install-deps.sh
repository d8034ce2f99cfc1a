#!/usr/bin/env bash
# Installs the Debian 12 packages innograph needs to build, run and test. Idempotent: does
# nothing when everything is present. Runs apt-get as root, or through sudo for a normal user.
set -euo pipefail

# clang-16 and its runtime libraries (libFuzzer, sanitizers) build the fuzz targets
# (scripts/fuzz.sh); GCC's own sanitizers serve the asan and tsan presets.
packages=(
  build-essential cmake ninja-build pkg-config clang-format
  librocksdb-dev libboost-graph-dev libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev
  protobuf-compiler libabsl-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
  libcpp-httplib-dev libtoml11-dev
  python3 python3-grpcio python3-grpc-tools python3-networkx python3-igraph python3-graph-tool
  python3-prometheus-client
  postgresql-15  # the PostgreSQL peer of bench/suite.py (exercised by the bench.smoke test)
  chromium fonts-noto-cjk
  clang-16 libclang-rt-16-dev
)
# Node.js and npm build and test the dashboard; use the machine's own when it has one.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null; then
  sudo=(sudo)
else
  echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
