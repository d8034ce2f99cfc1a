#!/usr/bin/env bash
# README command 2: installs what is needed, builds (warnings are errors) and runs every test:
# unit tests (gtest), integration tests against the real server binary, the Python client.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release -DINNOGRAPH_WERROR=ON
ctest --preset release -j "$(nproc)"
