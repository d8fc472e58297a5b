#!/usr/bin/env bash
# test_library.sh - libforksafe as an installer uses it (docs/api.md):
# `cmake --install` into a scratch DESTDIR, then a small program
# (tests/library/inuse_client.c) built OUT OF TREE against what was
# installed, once with pkg-config and once with CMake's find_package,
# asked about files a real process maps.  Its answer is checked against
# the process and against lsof's (an oracle); the shared object is checked
# for its SONAME and for exporting the public API and nothing else.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

need_tools cc cmake pkg-config nm objdump lsof
if [ "$(id -u)" != 0 ]; then
	echo "skipped: lsof and forksafe see every process only as root"
	exit 77
fi

D=$T/dest
P=/opt/forksafe-lib
DESTDIR=$D cmake --install "$BUILD_DIR" --prefix "$P" >"$T/install.log" 2>&1 ||
	{ cat "$T/install.log"; echo "cmake --install failed"; exit 1; }
LIBDIR=$(dirname "$(find "$D$P" -name 'libforksafe.so.0' | head -1)")
PCDIR=$(dirname "$(find "$D$P" -name forksafe.pc | head -1)")
verify "the library is installed" test -f "$LIBDIR/libforksafe.so.0"
verify "the public headers are installed" test -f "$D$P/include/forksafe/inuse.h" \
	-a -f "$D$P/include/forksafe/export.h" -a -f "$D$P/include/forksafe/version.h"
verify "the private header is not" test ! -e "$D$P/include/forksafe.h"
verify "forksafe.pc names the install's prefix" grep -qx "prefix=$P" "$PCDIR/forksafe.pc"

# ---- the shared object: SONAME, exports, version node ----------------------
SO=$LIBDIR/libforksafe.so.0
verify "SONAME is libforksafe.so.0" \
	bash -c "objdump -p '$SO' | grep -qE '^ +SONAME +libforksafe\.so\.0\$'"
# every function the installed headers declare FORKSAFE_API, and no other
sed -n 's/^FORKSAFE_API [^(]*[ *]\(forksafe_[a-z_]*\)(.*/\1/p' "$D$P"/include/forksafe/*.h |
	sort >"$T/api"
nm -D --defined-only "$SO" | awk '$2 ~ /^[TDBRVW]$/ { sub(/@.*/, "", $3); print $3 }' |
	sort >"$T/exported"
verify "the headers declare the API ($(wc -l <"$T/api") functions)" test "$(wc -l <"$T/api")" -ge 8
if diff "$T/api" "$T/exported" >"$T/exports.diff"; then
	pass "exported: the public API, nothing else"
else
	fail "exports differ from the public API (< header, > exported):"
	cat "$T/exports.diff"
fi
objdump -T "$SO" | awk '$NF ~ /^forksafe_/ { print $(NF - 1) }' | sort -u >"$T/nodes"
verify "every export is in version node FORKSAFE_0" test "$(cat "$T/nodes")" = FORKSAFE_0

# ---- the program, built out of tree both ways ------------------------------
# a library built with the sanitizers (FORKSAFE_SANITIZE) needs their
# runtime first: its programs are built with them too
SAN=()
if objdump -p "$SO" | grep -qE '^ +NEEDED +lib(asan|ubsan)\.'; then
	SAN=("-fsanitize=address,undefined")
fi
cp "$SOURCE_DIR/tests/library/inuse_client.c" "$SOURCE_DIR/tests/library/CMakeLists.txt" "$T/"
mkdir "$T/src" && mv "$T/inuse_client.c" "$T/CMakeLists.txt" "$T/src/"
export PKG_CONFIG_PATH=$PCDIR PKG_CONFIG_SYSROOT_DIR=$D
FLAGS=$(pkg-config --cflags --libs forksafe) || { echo "pkg-config cannot find forksafe"; exit 1; }
verify "pkg-config gives the installed include directory" grep -q -- "-I$D$P/include" <<<"$FLAGS"
# shellcheck disable=SC2086 # FLAGS are words
verify "built with pkg-config" cc -std=c11 -Wall -Wextra -Werror "${SAN[@]}" -o "$T/client-pc" \
	"$T/src/inuse_client.c" $FLAGS
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
verify "built with find_package(forksafe CONFIG)" bash -c \
	"cmake -S '$T/src' -B '$T/cm' -DCMAKE_PREFIX_PATH='$D$P' -DCMAKE_C_FLAGS='${SAN[*]}' >'$T/cm.log' 2>&1 &&
	 cmake --build '$T/cm' >>'$T/cm.log' 2>&1 || { cat '$T/cm.log'; false; }"
CLIENTS=("$T/client-pc" "$T/cm/inuse_client")
for c in "${CLIENTS[@]}"; do
	verify "$(basename "$c") runs with the installed library" bash -c \
		"LD_LIBRARY_PATH='$LIBDIR' ldd '$c' | grep -q '=> $LIBDIR/libforksafe.so.0 '"
done
run_client() { LD_LIBRARY_PATH=$LIBDIR "$@"; }

# ---- its answer about a file a real process maps ---------------------------
mkdir -p "$T/lib"
cp "$TESTLIB" "$T/lib/libused.so"
cp "$TESTLIB" "$T/lib/libidle.so"
ln -s loop "$T/lib/loop"
start_mapper "$T/ready" "$T/lib/libused.so"
NAMES=("$T/lib/libused.so" "$T/lib/libidle.so" "$T/lib/missing.so" "$T/lib/loop")
run_client "${CLIENTS[0]}" "${NAMES[@]}" >"$T/pc.out" 2>"$T/pc.err"
expect_rc "the pkg-config build answers" 0 $?
run_client "${CLIENTS[1]}" "${NAMES[@]}" >"$T/cm.out" 2>"$T/cm.err"
expect_rc "the CMake build answers" 0 $?
verify "both builds give the same answer" cmp -s "$T/pc.out" "$T/cm.out"
OUT=$(cat "$T/pc.out")
verify "no call past the end returned an object" bash -c "! grep -q '^error' '$T/pc.out'"
TAB=$'\t'
UID_NOW=$(id -u)
EXE=$(readlink -f "$MAPPER")
START=$(awk '{ sub(/^.*\) /, ""); print $20 }' "/proc/$MAPPER_PID/stat")
verify "version is the project's" has "$OUT" "version${TAB}0\\.[0-9]+\\.[0-9]+"
verify "the mapper, found with its start time, uid, name and executable" has "$OUT" \
	"proc${TAB}0${TAB}$MAPPER_PID${TAB}$START${TAB}$UID_NOW${TAB}mapper${TAB}$EXE"
verify "the mapped file exists and is in use" \
	has "$OUT" "file${TAB}0${TAB}1${TAB}[01]${TAB}[1-9][0-9]*${TAB}$T/lib/libused\\.so${TAB}-${TAB}$T/lib/libused\\.so"
verify "the unmapped copy: no process" \
	has "$OUT" "file${TAB}1${TAB}1${TAB}[01]${TAB}0${TAB}$T/lib/libidle\\.so${TAB}-${TAB}.*"
verify "a missing file: exists 0, no process" \
	has "$OUT" "file${TAB}2${TAB}0${TAB}[01]${TAB}0${TAB}$T/lib/missing\\.so${TAB}-${TAB}.*"
verify "a symlink loop: not checked, with its problem, never complete" \
	has "$OUT" "file${TAB}3${TAB}0${TAB}0${TAB}0${TAB}-${TAB}[^-].*${TAB}$T/lib/loop"
verify "with a file not checked the whole answer is incomplete" has "$OUT" "complete${TAB}0"

# lsof's answer for the same file: the same processes
awk -F'\t' '$1 == "proc" && $2 == 0 { print $3 }' <<<"$OUT" | sort -n >"$T/ours"
lsof -n -P -w -t -- "$T/lib/libused.so" 2>/dev/null | sort -n >"$T/lsof"
verify "lsof sees the mapper" grep -qx "$MAPPER_PID" "$T/lsof"
if diff "$T/lsof" "$T/ours" >"$T/lsof.diff"; then
	pass "the same processes as lsof ($(wc -l <"$T/ours"))"
else
	fail "lsof (<) and the library (>) disagree:"
	cat "$T/lsof.diff"
fi

# complete, honestly: a process nobody may read (PID 1 on these VMs) makes
# every answer incomplete; where every process is readable, a checked file
# is complete (the CLI's own scan says which)
run_client "${CLIENTS[0]}" "$T/lib/libused.so" >"$T/one.out"
SCAN_COMPLETE=$("$FORKSAFE" ps --json | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["complete"]))')
if ! cat /proc/1/maps >/dev/null 2>&1; then
	verify "PID 1 is unreadable: the answer says incomplete" \
		has "$(cat "$T/one.out")" "complete${TAB}0" "file${TAB}0${TAB}1${TAB}0${TAB}.*"
else
	verify "complete as the scan is ($SCAN_COMPLETE)" \
		has "$(cat "$T/one.out")" "complete${TAB}$SCAN_COMPLETE"
fi

# the answer follows the process: once it is gone, nobody maps the file
kill "$MAPPER_PID"
wait "$MAPPER_PID" 2>/dev/null
OUT=$(run_client "${CLIENTS[1]}" "$T/lib/libused.so")
verify "after the mapper exits: no process" \
	has "$OUT" "file${TAB}0${TAB}1${TAB}[01]${TAB}0${TAB}$T/lib/libused\\.so${TAB}-${TAB}.*"

# ---- forksafe.pc for a prefix with a blank and a quote ----------------------
P2="/opt/odd pre'fix"
DESTDIR=$T/dest2 cmake --install "$BUILD_DIR" --prefix "$P2" >"$T/install2.log" 2>&1
expect_rc "installed with a prefix holding a blank and a quote" 0 "$?"
PC2=$(find "$T/dest2" -name forksafe.pc | head -1)
# pkg-config prints its flags quoted for a shell: read back as words
eval "set -- $(PKG_CONFIG_PATH=$(dirname "$PC2") PKG_CONFIG_SYSROOT_DIR=$T/dest2 pkg-config --cflags forksafe)"
verify "pkg-config gives that include directory as one word" test "${1-}" = "-I$T/dest2$P2/include"

# ---- errors come back as a message -----------------------------------------
ERR=$(run_client "${CLIENTS[0]}" --root "$T/no-such-root" x 2>&1 >/dev/null)
expect_rc "a root that is not there is an error" 2 "$?"
verify "with a one-line message ($ERR)" has "$ERR" "inuse_client: .*$T/no-such-root.*"

# ---- package archives: the loader module found beside the library ---------
# (the program lives in no bindir, so only the library's own place finds it)
if "$FORKSAFE" --version | grep -q 'features: .*packages'; then
	mkpkg fslib 1.0 "$TESTLIB"
	mkdir -p "$T/root/usr/lib/fstest" "$T/root/opt/fstest"
	cp "$TESTLIB" "$T/root/usr/lib/fstest/libfslib.so"
	start_mapper "$T/ready2" "$T/root/usr/lib/fstest/libfslib.so"
	OUT=$(run_client "${CLIENTS[1]}" --root "$T/root" --archives "$T/fslib-1.0-any.pkg.tar.zst" 2>&1)
	expect_rc "an archive's files are asked about" 0 "$?"
	verify "its library: in use by the mapper" has "$OUT" \
		"file${TAB}[0-9]+${TAB}1${TAB}[01]${TAB}1${TAB}/usr/lib/fstest/libfslib\\.so${TAB}-${TAB}.*" \
		"proc${TAB}[0-9]+${TAB}$MAPPER_PID${TAB}.*"
	verify "its plugin, not installed: exists 0" has "$OUT" \
		"file${TAB}[0-9]+${TAB}0${TAB}[01]${TAB}0${TAB}/opt/fstest/fslib-plugin\\.so${TAB}-${TAB}.*"
	ERR=$(run_client "${CLIENTS[1]}" --packages no-such-package-here 2>&1 >/dev/null)
	expect_rc "a package not installed is an error" 2 "$?"
	verify "with its message ($ERR)" has "$ERR" "inuse_client: .*no-such-package-here.*"
else
	echo "built without package support: archives not asked"
fi

finish
