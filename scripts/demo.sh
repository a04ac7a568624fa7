#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# demo.sh -- builds the project and runs the pmemblk tool's demo: a pool in
# a temporary directory, sync and async writes and reads, check, a short
# benchmark. Extra arguments go to `pmemblk demo`.
#
# It builds in build-demo/ (Release, tool only), never in build/: test.sh
# configures build/ with the tests, and a shared cache would leave one of
# the two scripts with the other's settings.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
need_packages "${BUILD_PACKAGES[@]}"

cmake -S . -B build-demo -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build-demo -j"$(nproc)" --target pmemblk_tool >/dev/null
exec build-demo/tools/pmemblk/pmemblk demo "$@"
