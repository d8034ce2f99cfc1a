#!/usr/bin/env bash
# Builds the dashboard (web/dist) from the npm lockfile. Needs Node.js and npm.
set -euo pipefail
cd "$(dirname "$0")/../web"
npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
