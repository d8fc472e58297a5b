#!/usr/bin/env bash
# test_wine_library.sh - the mingw-w64 static libforksafe as an installer
# uses it (docs/api.md): `cmake --install` into a scratch DESTDIR, the
# program tests/library/inuse_client.c built OUT OF TREE against it with
# pkg-config --static and with find_package (cross, the staging directory
# as find root), run under Wine against holder.exe loading a DLL.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../integration/lib.sh"
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/wine.sh"

need_tools x86_64-w64-mingw32-gcc pkg-config cmake
D=$T/dest
P=/usr
DESTDIR=$D cmake --install "$BUILD_DIR" --prefix "$P" >"$T/install.log" 2>&1 ||
	{ cat "$T/install.log"; echo "cmake --install failed"; exit 1; }
verify "the static library is installed" test -f "$D$P/lib/libforksafe.a"
verify "and no DLL" test -z "$(find "$D" -iname '*forksafe*.dll*')"
verify "the public header is installed" test -f "$D$P/include/forksafe/inuse.h"

mkdir "$T/src"
cp "$SOURCE_DIR/tests/library/inuse_client.c" "$SOURCE_DIR/tests/library/CMakeLists.txt" "$T/src/"
FLAGS=$(PKG_CONFIG_PATH=$D$P/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$D pkg-config --static --cflags --libs forksafe)
verify "pkg-config --static names the Windows libraries" grep -q -- "-lpsapi" <<<"$FLAGS"
# shellcheck disable=SC2086 # FLAGS are words
verify "built with pkg-config" x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Werror -static \
	-o "$T/client-pc.exe" "$T/src/inuse_client.c" $FLAGS
# the toolchain file confines find_package to mingw's root (its
# CMAKE_FIND_ROOT_PATH wins over ours): the package's directory named
# directly
verify "built with find_package(forksafe CONFIG)" bash -c \
	"cmake -S '$T/src' -B '$T/cm' -DCMAKE_TOOLCHAIN_FILE='$SOURCE_DIR/cmake/mingw-w64-x86_64.cmake' \
	   -Dforksafe_DIR='$D$P/lib/cmake/forksafe' -DCMAKE_EXE_LINKER_FLAGS=-static \
	   >'$T/cm.log' 2>&1 && cmake --build '$T/cm' >>'$T/cm.log' 2>&1 || { cat '$T/cm.log'; false; }"

cp "$TESTDLL" "$T/used.dll"
start_holder "$T/h" "$T/used.dll"
TAB=$'\t'
for c in "$T/client-pc.exe" "$T/cm/inuse_client.exe"; do
	# an installer names the installation it works on (the default root
	# is the installation the running program belongs to, docs/api.md)
	"$WINE" "$c" --root "$(winp "$T")" /used.dll /missing.dll >"$T/out"
	expect_rc "$(basename "$c") answers" 0 "$?"
	out=$(tr -d '\r' <"$T/out")
	verify "  the DLL: in use by holder.exe, uid unknown" has "$out" \
		"file${TAB}0${TAB}1${TAB}[01]${TAB}1${TAB}/used\\.dll${TAB}-${TAB}/used\\.dll" \
		"proc${TAB}0${TAB}[0-9]+${TAB}[1-9][0-9]*${TAB}-1${TAB}holder\\.exe${TAB}.*holder\\.exe"
	verify "  a missing DLL: exists 0" has "$out" \
		"file${TAB}1${TAB}0${TAB}[01]${TAB}0${TAB}/missing\\.dll${TAB}-${TAB}/missing\\.dll"
done
out=$("$WINE" "$T/client-pc.exe" --packages x 2>&1 | tr -d '\r')
verify "packages: the build says it has no package support" \
	has "$out" "inuse_client: .*built without package support.*"
stop_holder "$T/h" "$HOLDER_PID"
finish
