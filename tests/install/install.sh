#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# install.sh BUILD_DIR HAVE_MAN -- installs the build into a temporary
# prefix with `cmake --install --prefix`, checks that every file is in its
# GNUInstallDirs place, then builds a small consumer program out of tree
# against that prefix, once with pkg-config and once with CMake's
# find_package (libpmemblk with its async component, and libminiasync),
# and runs it with LD_LIBRARY_PATH pointing into the prefix; then moves the
# prefix and builds once more through pkg-config (relocatable .pc files).
set -euo pipefail
BUILD=$1
HAVE_MAN=$2
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/pmemblk-install.XXXXXX")
trap 'rm -rf "$T"' EXIT
PREFIX=$T/prefix

die() { echo "FAIL: $*" >&2; exit 1; }

# expect_line REGEX CMD...: some line of CMD's output matches (the output
# is captured first: grep -q in a pipe would break CMD's pipe early)
expect_line() {
	local re=$1 out
	shift
	out=$("$@" 2>&1) || return 1
	grep -Eq "$re" <<<"$out"
}

cmake --install "$BUILD" --prefix "$PREFIX" >"$T/install.log" ||
	{ cat "$T/install.log"; die "cmake --install"; }
# the libdir as configured (lib, or lib/<multiarch> for prefix /usr)
LIBDIR=$(dirname "$(find "$PREFIX" -name libpmemblk.pc)")
LIBDIR=${LIBDIR%/pkgconfig}
[ -n "$LIBDIR" ] || die "libpmemblk.pc not installed"

for f in include/libpmemblk.h include/libpmemblk/async.h \
		include/libminiasync.h include/libminiasync/future.h \
		include/libminiasync/vdm.h include/libminiasync/runtime.h \
		include/libminiasync/data_mover_sync.h \
		include/libminiasync/data_mover_threads.h bin/pmemblk; do
	[ -f "$PREFIX/$f" ] || die "not installed: $f"
done
for f in libpmemblk.so.1 libpmemblk.so libpmemblk.a libminiasync.so.0 \
		libminiasync.so libminiasync.a pkgconfig/libpmemblk.pc \
		pkgconfig/libminiasync.pc cmake/libpmemblk/libpmemblkConfig.cmake \
		cmake/libpmemblk/libpmemblkConfigVersion.cmake \
		cmake/libpmemblk/libpmemblkTargets.cmake \
		cmake/libminiasync/libminiasyncConfig.cmake \
		cmake/libminiasync/libminiasyncConfigVersion.cmake \
		cmake/libminiasync/libminiasyncTargets.cmake; do
	[ -e "$LIBDIR/$f" ] || die "not installed: ${LIBDIR#$PREFIX/}/$f"
done
[ "$(readlink "$LIBDIR/libpmemblk.so.1")" = libpmemblk.so.1.0.0 ] ||
	die "libpmemblk.so.1 does not point to libpmemblk.so.1.0.0"
expect_line 'SONAME +libpmemblk\.so\.1$' objdump -p "$LIBDIR/libpmemblk.so.1" ||
	die "SONAME of libpmemblk"
expect_line 'SONAME +libminiasync\.so\.0$' objdump -p "$LIBDIR/libminiasync.so.0" ||
	die "SONAME of libminiasync"
if [ "$HAVE_MAN" = 1 ]; then
	for f in man1/pmemblk.1 man3/pmemblk_create.3 man3/pmemblk_open.3 \
			man3/pmemblk_async.3 man7/libpmemblk.7 man7/miniasync.7 \
			man3/runtime_wait.3; do
		[ -f "$PREFIX/share/man/$f" ] || die "not installed: share/man/$f"
	done
	# an alias page resolves to its family's page
	if command -v man >/dev/null; then
		page=$(MANWIDTH=80 man -M "$PREFIX/share/man" 3 pmemblk_open 2>&1 || true)
		grep -Eq 'pmemblk_create, +pmemblk_open, +pmemblk_close' <<<"$page" ||
			die "man pmemblk_open does not show pmemblk_create(3)"
	fi
fi
LD_LIBRARY_PATH=$LIBDIR "$PREFIX/bin/pmemblk" --version >/dev/null ||
	die "the installed pmemblk tool does not run"

# The .pc files are relocatable: their prefix comes from ${pcfiledir}, so
# an install to a prefix other than the configured one (here: a temporary
# directory, then that directory moved) is found with no --define-prefix.
# Were they to name the configured prefix, the compiler would pick up
# Debian's PMDK <libpmemblk.h>, which lacks the async API consumer.c uses.
configured=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BUILD/CMakeCache.txt")
[ "$configured" != "$PREFIX" ] || die "the test must install elsewhere"
grep -q '^prefix=${pcfiledir}/' "$LIBDIR/pkgconfig/libpmemblk.pc" ||
	die "libpmemblk.pc: prefix is not relative to \${pcfiledir}"

# consumer_pc PREFIX LIBDIR NAME: build consumer.c with pkg-config against
# the prefix and run it
consumer_pc() {
	local prefix=$1 libdir=$2 name=$3 got
	export PKG_CONFIG_PATH=$libdir/pkgconfig
	for mod in libpmemblk libminiasync; do
		got=$(realpath "$(pkg-config --variable=prefix $mod)")
		[ "$got" = "$(realpath "$prefix")" ] ||
			die "pkg-config $mod: prefix $got, installed in $prefix"
	done
	cc -Wall -Werror -o "$T/$name" "$HERE/consumer/consumer.c" \
		$(pkg-config --cflags --libs libpmemblk libminiasync) ||
		die "build with pkg-config ($name)"
	LD_LIBRARY_PATH=$libdir expect_line "$libdir/libpmemblk\.so\.1" ldd "$T/$name" ||
		die "$name does not load the installed libpmemblk.so.1"
	LD_LIBRARY_PATH=$libdir expect_line '^consumer: ok$' "$T/$name" "$T/pool-$name" ||
		die "consumer built with pkg-config failed ($name)"
}
consumer_pc "$PREFIX" "$LIBDIR" consumer_pc

# the consumers through find_package(libpmemblk COMPONENTS async) and
# find_package(libminiasync)
cmake -S "$HERE/consumer" -B "$T/cbuild" -DCMAKE_PREFIX_PATH="$PREFIX" \
	>"$T/cmake.log" 2>&1 || { cat "$T/cmake.log"; die "find_package(libpmemblk)"; }
cmake --build "$T/cbuild" >"$T/build.log" 2>&1 ||
	{ cat "$T/build.log"; die "build with find_package"; }
export LD_LIBRARY_PATH=$LIBDIR
for prog in consumer consumer_static consumer_miniasync; do
	expect_line '^consumer: ok$' "$T/cbuild/$prog" "$T/pool-$prog" ||
		die "$prog (find_package) failed"
done
expect_line "$LIBDIR/libpmemblk\.so\.1" ldd "$T/cbuild/consumer" ||
	die "consumer (find_package) does not load the installed libpmemblk.so.1"
expect_line "$LIBDIR/libminiasync\.so\.0" ldd "$T/cbuild/consumer_miniasync" ||
	die "consumer_miniasync does not load the installed libminiasync.so.0"
expect_line 'libpmemblk|libminiasync' ldd "$T/cbuild/consumer_static" &&
	die "consumer_static loads a shared libpmemblk or libminiasync"
unset LD_LIBRARY_PATH

# the license travels with the installed documentation
cmp -s "$PREFIX/share/doc/libpmemblk/LICENSE" "$HERE/../../LICENSE" ||
	die "share/doc/libpmemblk/LICENSE missing or not the repository's LICENSE"

# the installed examples build from the installed prefix and run
for ex in sync async; do
	src=$PREFIX/share/doc/libpmemblk/examples/${ex}_example.c
	[ -f "$src" ] || die "not installed: share/doc/libpmemblk/examples/${ex}_example.c"
	mods=libpmemblk
	[ $ex = async ] && mods="libpmemblk libminiasync"
	cc -Wall -Werror -o "$T/$ex" "$src" $(pkg-config --cflags --libs $mods) ||
		die "installed ${ex}_example.c does not build"
	LD_LIBRARY_PATH=$LIBDIR expect_line ' 0 failed|hello, persistent world' \
		"$T/$ex" "$T/pool-$ex" || die "installed ${ex}_example failed"
done

# the whole prefix moved elsewhere: pkg-config still finds it
mv "$PREFIX" "$T/moved"
consumer_pc "$T/moved" "$T/moved${LIBDIR#$PREFIX}" consumer_moved
echo "install: prefix layout, relocatable pkg-config and find_package consumers ok"
