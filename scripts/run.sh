#!/usr/bin/env bash
# README command 1: installs what is needed, builds the server (Release) and the dashboard, and
# runs innograph-server on 127.0.0.1:50051 (gRPC) and http://127.0.0.1:8080/ (dashboard, JSON
# API) with its data in var/innograph, seeded with the Hunan demo data when empty.
# Environment: INNOGRAPH_LISTEN (default 127.0.0.1:50051), INNOGRAPH_HTTP (127.0.0.1:8080),
# INNOGRAPH_DATA_DIR (var/innograph).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release
scripts/build-web.sh
mkdir -p var
listen="${INNOGRAPH_LISTEN:-127.0.0.1:50051}"
echo
http="${INNOGRAPH_HTTP:-127.0.0.1:8080}"
echo "Dashboard: http://$http/"
echo "Try, in another terminal:  build/release/client/innograph --server $listen nodes get person/zou-xuexiao"
echo
exec build/release/server/innograph-server \
  --data-dir "${INNOGRAPH_DATA_DIR:-var/innograph}" \
  --listen "$listen" \
  --http "$http" \
  --web-root web/dist \
  --seed data/hunan/hunan.jsonl "$@"
