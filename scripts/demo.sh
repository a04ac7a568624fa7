#!/usr/bin/env bash
# demo.sh -- builds the project and runs the pmemblk tool's demo: a pool in
# a temporary directory, sync and async writes and reads, check, a short
# benchmark. Extra arguments go to `pmemblk demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
need_packages "${BUILD_PACKAGES[@]}"

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build -j"$(nproc)" --target pmemblk_tool >/dev/null
exec build/tools/pmemblk/pmemblk demo "$@"
