# SPDX-License-Identifier: BSD-3-Clause
# deps.sh -- sourced by the other scripts: makes sure the Debian packages
# a step needs are installed (as root) or says which apt-get line to run.
#
# Usage: need_packages PKG...

need_packages() {
	local missing=()
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
			grep -q "install ok installed" || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -eq 0 ]; then
		echo "installing: ${missing[*]}" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 ||
			{ apt-get update -q >&2 &&
			  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2; }
	else
		echo "missing Debian packages; run as root:" >&2
		echo "  apt-get install -y ${missing[*]}" >&2
		return 1
	fi
}

# Building the libraries and the tool.
BUILD_PACKAGES=(cmake make gcc pkg-config libpmem-dev)
# Running the tests: PMDK's library and tools, fio and libpmem2 for interop,
# pandoc and man-db for the man pages, jq for JSON output, clang and valgrind for the
# fuzzing and memory checks.
TEST_PACKAGES=(pmdk-tools libpmemblk1 libpmemblk-dev libpmem2-dev fio pandoc man-db jq
	valgrind clang libclang-rt-14-dev python3)
# The nbdkit plugin (nbdkit/): nbdkit's plugin header to build it (without
# it the build skips the plugin); nbdkit, libnbd's tools and C library, and
# fio's nbd engine to test it. Not needed for the libraries.
NBD_PACKAGES=(nbdkit nbdkit-plugin-dev libnbd-bin libnbd-dev)
TEST_PACKAGES+=("${NBD_PACKAGES[@]}")
