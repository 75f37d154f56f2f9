#!/usr/bin/env bash
# Installs every build, test and benchmark dependency from Debian 12 packages
# (clang 16, its runtimes and llvm-symbolizer for the ASan+UBSan and libFuzzer builds).
# Idempotent: when everything is present it changes nothing and needs no network.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  clang-16 libclang-rt-16-dev llvm-16
  libboost1.81-dev libsqlite3-dev
  libtomlplusplus-dev libcli11-dev nlohmann-json3-dev libfmt-dev libspdlog-dev
  libgtest-dev libgmock-dev libbenchmark-dev libsystemd-dev libncurses-dev
  libarchive-dev  # release archives: tar, tar.gz, tar.zst, zip
  libssl-dev  # hashes of the admin listener's tokens
  curl wrk nginx-light haproxy procps python3 git
  zstd xz-utils bzip2  # archives made by real archivers in the tests
  tmux  # a real terminal for the 'baton monit' test
  nodejs  # a real Node app deployed from tarballs in the tests
  prometheus  # promtool checks /metrics; a real server scrapes it in a test
  chromium chromium-driver python3-selenium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The packaged servers must not hold ports on the machine: bench/ and the tests start their own.
for svc in nginx haproxy prometheus prometheus-node-exporter; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
    $sudo systemctl disable --now "$svc" >/dev/null 2>&1 || true
  fi
done
