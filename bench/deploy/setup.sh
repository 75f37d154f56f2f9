#!/usr/bin/env bash
# Installs what bench/deploy needs beyond scripts/setup.sh: node and npm (Debian
# packages) and PM2 (from the npm registry, into bench/deploy/.node/, not
# system-wide). Idempotent: installs only what is missing.
# Exit status: 0 when PM2 is usable, 1 when it could not be installed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pm2_version=${PM2_VERSION:-7.0.4}
prefix="$here/.node"

note() { echo "setup: $*" >&2; }

missing=()
command -v node > /dev/null || missing+=(nodejs)
command -v npm > /dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  note "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null; }; then
    note "could not install ${missing[*]}"
    exit 1
  fi
fi

if [ -x "$prefix/node_modules/.bin/pm2" ]; then exit 0; fi
note "installing pm2@$pm2_version into $prefix"
mkdir -p "$prefix"
if ! timeout 180 npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "pm2@$pm2_version" > "$prefix/npm-install.log" 2>&1; then
  note "npm install pm2@$pm2_version failed (see $prefix/npm-install.log)"
  exit 1
fi
[ -x "$prefix/node_modules/.bin/pm2" ]
