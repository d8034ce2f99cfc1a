#!/usr/bin/env bash
# README command 2: installs what is needed, builds (warnings are errors) and runs every test:
# unit tests (gtest), integration tests against the real server binary, the Python client and
# the networkx/igraph cross-checks, and the dashboard's tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release -DINNOGRAPH_WERROR=ON
scripts/build-web.sh
# Browser screenshots of the dashboard tests are kept in build/release/test-artifacts.
ctest --preset release -j "$(nproc)"
