#!/usr/bin/env bash
# test_package_windows.sh - what can be checked here of the MSYS2 packages
# (packaging/msys2/PKGBUILD with forksafe.install, the MSYS package;
# packaging/mingw-w64/PKGBUILD, the MINGW-packages library package) and
# the Cygwin ones (packaging/cygwin/forksafe.cygport: forksafe and
# mingw64-x86_64-forksafe): neither makepkg-on-MSYS2 nor cygport runs on
# Linux, but their build and install steps are cmake with the mingw-w64
# cross compiler, which does.  Each is sourced in bash and its steps run
# on a copy of this source tree with the variables makepkg or cygport
# would set; what each package holds is compared with what
# `cmake --install --component ...` of that mingw-w64 build installs
# (computed here, not listed), and the library packages are used as a
# programmer would: pkg-config and find_package(forksafe) link a program
# against them.  The setup.exe scripts are checked to name the program and
# the configuration of the prefix they were installed with.  With Wine,
# the MSYS2 install script runs the packaged forksafe.exe in a scratch
# installation and makes its /var/run/cygfork.  The files' lint is the
# ctest entry shellcheck_packaging (tests/CMakeLists.txt).
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

need_tools cmake ninja x86_64-w64-mingw32-gcc pkg-config dash
export CMAKE_BUILD_PARALLEL_LEVEL=2 # a shared machine
version=$(project_version)
CC_WIN=x86_64-w64-mingw32-gcc

# hooks_of DIR : the alpm hooks hooks/pacman makes, as installed under DIR
hooks_of() { (cd "$SOURCE_DIR/hooks/pacman" && for h in *.hook.in; do echo "$1/${h%.in}"; done); }
# all_in LINES FILE : every line of LINES is a line of the sorted FILE
# shellcheck disable=SC2317 # called through verify
all_in() { ! comm -23 <(LC_ALL=C sort <<<"$1") "$2" | grep -q .; }
# shellcheck disable=SC2317 # called through verify
is_pe() { [ "$(head -c 2 "$1" 2>/dev/null)" = MZ ]; }
# components BUILD DIR [--prefix P] COMPONENT... : what `cmake --install
# --component C` of BUILD installs for each C, staged in DIR; its file list
# on stdout
components() {
	local build=$1 dir=$2 c
	shift 2
	local pre=()
	if [ "$1" = --prefix ]; then pre=(--prefix "$2"); shift 2; fi
	for c in "$@"; do
		DESTDIR=$dir cmake --install "$build" --component "$c" "${pre[@]}" >>"$T/components.log" 2>&1 ||
			{ cat "$T/components.log"; echo "cmake --install --component $c of $build failed" >&2; return 1; }
	done
	file_list "$dir"
}
# dev_files FILE : the lines of the file list FILE that are for programmers:
# headers, static archives, pkg-config and CMake package files
# shellcheck disable=SC2317 # called through verify
dev_files() { grep -E '(^|/)include/|(^|/)lib[^/]*\.a$|\.pc$|(^|/)cmake/|-config(-version)?\.cmake$' "$1"; }
# shellcheck disable=SC2317 # called through verify
no_dev_files() { ! dev_files "$1"; }
# names FILE WORD... : FILE has the line forksafe=WORD1 and config=WORD2
# as a setup.exe script written for a prefix does
# shellcheck disable=SC2317 # called through verify
names() { grep -qxF "forksafe=$2" "$1" && grep -qxF "config=$3" "$1"; }
# lines TEXT LINE... : every LINE is a whole line of TEXT
# shellcheck disable=SC2317 # called through verify
lines() {
	local text=$1 l
	shift
	for l in "$@"; do grep -qxF -- "$l" <<<"$text" || return 1; done
}
# sq TEXT : TEXT as one single-quoted sh word
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# the_library ROOT PREFIX LABEL : the library package unpacked at ROOT
# holds PREFIX/...; pkg-config and the CMake config must name PREFIX (the
# package's own prefix), and a program links against it both ways
the_library() {
	local root=$1 pfx=$2 label=$3 out
	local pcdir=$root$pfx/lib/pkgconfig
	for v in prefix:"$pfx" libdir:"$pfx/lib" includedir:"$pfx/include"; do
		out=$(PKG_CONFIG_LIBDIR=$pcdir PKG_CONFIG_PATH='' pkg-config --variable="${v%%:*}" forksafe)
		verify "  forksafe.pc: pkg-config --variable=${v%%:*} is ${v#*:}" [ "$out" = "${v#*:}" ]
	done
	# shellcheck disable=SC2046 # pkg-config prints words
	verify "  $CC_WIN links a program with pkg-config --static (sysroot $label)" \
		$CC_WIN -std=c11 -Wall -Wextra -Werror -o "$T/$label-pc.exe" "$SOURCE_DIR/tests/library/inuse_client.c" \
		$(PKG_CONFIG_LIBDIR=$pcdir PKG_CONFIG_PATH='' PKG_CONFIG_SYSROOT_DIR=$root pkg-config --static --cflags --libs forksafe)
	verify "  and it is a Windows program" is_pe "$T/$label-pc.exe"
	# find_package: where the config says the library is
	mkdir -p "$T/$label-cm-src"
	cat >"$T/$label-cm-src/CMakeLists.txt" <<-EOT
		cmake_minimum_required(VERSION 3.18)
		project(probe LANGUAGES C)
		find_package(forksafe $version CONFIG REQUIRED)
		get_target_property(inc forksafe::forksafe INTERFACE_INCLUDE_DIRECTORIES)
		get_target_property(cfg forksafe::forksafe IMPORTED_CONFIGURATIONS)
		get_target_property(lib forksafe::forksafe IMPORTED_LOCATION_\${cfg})
		file(WRITE "\${CMAKE_BINARY_DIR}/found" "prefix=\${PACKAGE_PREFIX_DIR}\ninclude=\${inc}\nlib=\${lib}\n")
		add_executable(inuse_client "$SOURCE_DIR/tests/library/inuse_client.c")
		target_link_libraries(inuse_client PRIVATE forksafe::forksafe)
	EOT
	if cmake -S "$T/$label-cm-src" -B "$T/$label-cm" -G Ninja \
		-DCMAKE_TOOLCHAIN_FILE="$SOURCE_DIR/cmake/mingw-w64-x86_64.cmake" \
		-Dforksafe_DIR="$root$pfx/lib/cmake/forksafe" >"$T/$label-cm.log" 2>&1 &&
		cmake --build "$T/$label-cm" >>"$T/$label-cm.log" 2>&1; then
		pass "  find_package(forksafe) finds it and links a program"
	else
		cat "$T/$label-cm.log"
		fail "  find_package(forksafe) finds it and links a program"
	fi
	out=$(cat "$T/$label-cm/found" 2>/dev/null)
	verify "  the CMake config's prefix is where it lies ($pfx in the unpacked package)" \
		has "$out" "prefix=$root$pfx" "include=$root$pfx/include" "lib=$root$pfx/lib/libforksafe\.a"
}

# ==== MSYS2: forksafe (MSYS-packages) ===========================================================
srcdir=$T/msys2/src
pkgdir=$T/msys2/pkg
startdir=$srcdir/forksafe/packaging/msys2
CARCH=x86_64
copy_source_tree "$srcdir/forksafe" || { echo "copy of the source tree failed"; exit 1; }
mkdir -p "$pkgdir"
# msys2_run FUNCTION : a PKGBUILD function as makepkg runs it: in srcdir,
# errexit, makepkg's variables set (and the MINGW environment's, which
# makepkg-mingw sets, for packaging/mingw-w64).
msys2_run() {
	(
		set -e
		export srcdir pkgdir startdir CARCH MINGW_PREFIX MINGW_PACKAGE_PREFIX MSYSTEM
		# shellcheck source=../../packaging/msys2/PKGBUILD
		. "$startdir/PKGBUILD"
		cd "$srcdir"
		"$1"
	) >"$T/$(basename "$startdir")-$1.log" 2>&1
}
# shellcheck source=../../packaging/msys2/PKGBUILD
msys2_field() { (. "$startdir/PKGBUILD" && eval "printf '%s\n' \"\${$1[@]}\""); }
# msys2_steps LABEL : build() then package(), each said
msys2_steps() {
	local start=$SECONDS log
	log=$T/$(basename "$startdir")
	if msys2_run build; then
		pass "$1: the PKGBUILD's build() with the mingw-w64 cross compiler ($((SECONDS - start)) s)"
		if msys2_run package; then
			pass "$1: the PKGBUILD's package()"
		else
			tail -20 "$log-package.log"
			fail "$1: the PKGBUILD's package()"
		fi
	else
		tail -30 "$log-build.log"
		fail "$1: the PKGBUILD's build()"
	fi
}

msys2_steps MSYS2
verify "MSYS2: pkgver is the project's version ($version)" [ "$(msys2_field pkgver)" = "$version" ]
name=$(msys2_field _realname)
B_MSYS2=$srcdir/build-$CARCH
# every file the build installs belongs to an install component
DESTDIR=$T/msys2/all cmake --install "$B_MSYS2" >"$T/msys2-all.log" 2>&1 ||
	{ cat "$T/msys2-all.log"; fail "MSYS2: cmake --install of the PKGBUILD's build"; }
file_list "$T/msys2/all" >"$T/msys2-all"
components "$B_MSYS2" "$T/msys2/every" runtime development alpm-hooks cygwin-setup >"$T/msys2-every"
verify "every file cmake --install installs is in a component ($(wc -l <"$T/msys2-all") files)" \
	diff -u "$T/msys2-all" "$T/msys2-every"
# the package: components runtime and alpm-hooks, and the licence
{
	components "$B_MSYS2" "$T/msys2/ref" runtime alpm-hooks
	echo "usr/share/licenses/$name/LICENSE"
} | LC_ALL=C sort >"$T/msys2-want"
file_list "$pkgdir" >"$T/msys2-got"
verify "MSYS2: the package holds components runtime and alpm-hooks, and the licence ($(wc -l <"$T/msys2-got") files)" \
	diff -u "$T/msys2-want" "$T/msys2-got"
verify "  no file for programmers (include/, lib*.a, .pc, CMake config)" no_dev_files "$T/msys2-got"
verify "  no setup.exe script" bash -c "! grep -E '^etc/' '$T/msys2-got'"
verify "  among them every alpm hook, in /usr/share/libalpm/hooks" all_in "$(hooks_of usr/share/libalpm/hooks)" "$T/msys2-got"
verify "  and forksafe.exe in /usr/bin, a Windows program" is_pe "$pkgdir/usr/bin/forksafe.exe"
for h in "$pkgdir"/usr/share/libalpm/hooks/*.hook; do
	verify "  $(basename "$h") runs /usr/bin/forksafe (through /bin/sh)" \
		grep -qE "^Exec = /bin/sh -c '.*' forksafe /usr/bin/forksafe (pre|post)-transaction\$" "$h"
done

install_file=$startdir/$(msys2_field install)
verify "MSYS2: the install script the PKGBUILD names exists" [ -f "$install_file" ]
# shellcheck disable=SC1090,SC2317 # the install script; called through verify
defines() { (. "$1" && declare -F "$2" >/dev/null); }
for f in post_install post_upgrade; do
	verify "  it defines $f()" defines "$install_file" "$f"
done
WINE64=$(command -v /usr/lib/wine/wine64 wine64 2>/dev/null | head -1)
WINESERVER=$(command -v /usr/lib/wine/wineserver wineserver 2>/dev/null | head -1)
if [ -n "$WINE64" ] && [ -n "$WINESERVER" ] && [ -f "$pkgdir/usr/bin/forksafe.exe" ]; then
	# The package unpacked as an installation; pacman runs the script in
	# the root, where MSYS2 finds usr/bin/forksafe.exe as usr/bin/forksafe:
	# here a wrapper runs it under Wine.
	root=$T/msys2/root
	mkdir -p "$root"
	cp -a "$pkgdir/." "$root/"
	export WINEPREFIX=$T/wineprefix WINEDEBUG=-all
	CLEANUPS+=("'$WINESERVER' -k 2>/dev/null")
	printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$WINE64" "$root/usr/bin/forksafe.exe" >"$root/usr/bin/forksafe"
	chmod +x "$root/usr/bin/forksafe"
	# shellcheck disable=SC1090 # the install script
	out=$(cd "$root" && . "$install_file" && post_install 2>&1)
	expect_rc "MSYS2: the install script's post_install never fails the install" 0 $?
	echo "$out"
	verify "  forksafe enable made the installation's /var/run/cygfork" [ -d "$root/var/run/cygfork" ]
	verify "  and said so" has "$out" "forksafe: /var/run/cygfork created.*"
	rm -rf "$root/var/run/cygfork"
	# shellcheck disable=SC1090 # the install script
	(cd "$root" && . "$install_file" && post_upgrade) >/dev/null 2>&1
	verify "  post_upgrade does the same" [ -d "$root/var/run/cygfork" ]
else
	echo "skipped: the install script under Wine (no wine64, wineserver or forksafe.exe)"
fi

# ==== MSYS2: mingw-w64-forksafe (MINGW-packages) ================================================
# makepkg-mingw in a MINGW64 shell: that environment's prefix and names; its
# native compiler is, here, the cross compiler (CMake reads the toolchain
# file from the environment when the PKGBUILD gives none)
srcdir=$T/mingw/src
pkgdir=$T/mingw/pkg
startdir=$srcdir/forksafe/packaging/mingw-w64
MINGW_PREFIX=/mingw64
MINGW_PACKAGE_PREFIX=mingw-w64-x86_64
MSYSTEM=MINGW64
copy_source_tree "$srcdir/forksafe" || { echo "copy of the source tree failed"; exit 1; }
mkdir -p "$pkgdir"
CMAKE_TOOLCHAIN_FILE=$srcdir/forksafe/cmake/mingw-w64-x86_64.cmake msys2_steps "MINGW64"
verify "MINGW64: pkgver is the project's version ($version)" [ "$(msys2_field pkgver)" = "$version" ]
verify "  pkgbase is mingw-w64-forksafe" [ "$(msys2_field pkgbase)" = mingw-w64-forksafe ]
verify "  pkgname is $MINGW_PACKAGE_PREFIX-forksafe" [ "$(msys2_field pkgname)" = "$MINGW_PACKAGE_PREFIX-forksafe" ]
B_MINGW=$srcdir/build-$MSYSTEM
{
	components "$B_MINGW" "$T/mingw/ref" development
	echo "${MINGW_PREFIX#/}/share/licenses/forksafe/LICENSE"
} | LC_ALL=C sort >"$T/mingw-want"
file_list "$pkgdir" >"$T/mingw-got"
verify "MINGW64: the package holds component development, and the licence ($(wc -l <"$T/mingw-got") files)" \
	diff -u "$T/mingw-want" "$T/mingw-got"
verify "  all of it under $MINGW_PREFIX" bash -c "! grep -v '^${MINGW_PREFIX#/}/' '$T/mingw-got'"
verify "  the static library, a header, forksafe.pc and the CMake config" all_in \
	"$(printf 'mingw64/%s\n' lib/libforksafe.a include/forksafe/inuse.h lib/pkgconfig/forksafe.pc lib/cmake/forksafe/forksafe-config.cmake)" \
	"$T/mingw-got"
verify "  no program" bash -c "! grep -E '\\.exe\$' '$T/mingw-got'"
the_library "$pkgdir" "$MINGW_PREFIX" mingw64

# ==== Cygwin: forksafe and mingw64-x86_64-forksafe ================================================
# cygport's directories: S the sources, B the build, D the install
C=$SOURCE_DIR/packaging/cygwin/forksafe.cygport
S=$T/cygwin/forksafe-$version
B=$T/cygwin/build
D=$T/cygwin/inst
copy_source_tree "$S" || { echo "copy of the source tree failed"; exit 1; }
mkdir -p "$B" "$D"
# cygport_run FUNCTION : a cygport function with cygport's variables and
# its error() (which ends the build).
cygport_run() {
	(
		set -e
		export S B D
		# shellcheck disable=SC2317 # called by the cygport
		error() { echo "cygport: error: $*" >&2; exit 1; }
		# shellcheck source=../../packaging/cygwin/forksafe.cygport
		. "$C"
		"$1"
	) >"$T/cygwin-$1.log" 2>&1
}
# shellcheck disable=SC1090 # the cygport
cygport_field() { (. "$C" && eval "printf '%s\n' \"\${$1}\""); }

start=$SECONDS
if cygport_run src_compile; then
	pass "Cygwin: the cygport's src_compile with the mingw-w64 cross compiler ($((SECONDS - start)) s)"
	cygport_run src_install || { tail -20 "$T/cygwin-src_install.log"; fail "Cygwin: the cygport's src_install"; }
else
	tail -30 "$T/cygwin-src_compile.log"
	fail "Cygwin: the cygport's src_compile"
fi
verify "Cygwin: VERSION is the project's version ($version)" [ "$(cygport_field VERSION)" = "$version" ]
read -ra PKGS <<<"$(cygport_field PKG_NAMES)"
verify "Cygwin: PKG_NAMES is forksafe mingw64-x86_64-forksafe" [ "${PKGS[*]}" = "forksafe mingw64-x86_64-forksafe" ]
# each package as cygport packs it: the entries of PKG_CONTENTS under D
# (tar: each must exist)
: >"$T/cygwin-packed"
for p in "${PKGS[@]}"; do
	read -ra entries <<<"$(cygport_field "${p//[-+.]/_}_CONTENTS")"
	if (cd "$D" && find "${entries[@]}" \( -type f -o -type l \) -print) 2>"$T/cygwin-$p.err" |
		LC_ALL=C sort >"$T/cygwin-$p"; then
		pass "Cygwin: $p's contents exist (${entries[*]}: $(wc -l <"$T/cygwin-$p") files)"
	else
		cat "$T/cygwin-$p.err"
		fail "Cygwin: $p's contents exist (${entries[*]})"
	fi
	cat "$T/cygwin-$p" >>"$T/cygwin-packed"
done
file_list "$D" >"$T/cygwin-installed"
verify "Cygwin: every installed file is in one package, none in two" \
	diff -u "$T/cygwin-installed" <(LC_ALL=C sort "$T/cygwin-packed")
SYSROOT=/usr/x86_64-w64-mingw32/sys-root/mingw
components "$B" "$T/cygwin/ref-run" --prefix /usr runtime cygwin-setup >"$T/cygwin-want-forksafe"
verify "  forksafe holds components runtime and cygwin-setup with prefix /usr" \
	diff -u "$T/cygwin-want-forksafe" "$T/cygwin-forksafe"
verify "  no file for programmers (include/, lib*.a, .pc, CMake config)" no_dev_files "$T/cygwin-forksafe"
verify "  no alpm hook" bash -c "! grep -q libalpm '$T/cygwin-forksafe'"
verify "  forksafe.exe in /usr/bin, a Windows program" is_pe "$D/usr/bin/forksafe.exe"
components "$B" "$T/cygwin/ref-dev" --prefix "$SYSROOT" development >"$T/cygwin-want-mingw"
verify "  mingw64-x86_64-forksafe holds component development with prefix $SYSROOT" \
	diff -u "$T/cygwin-want-mingw" "$T/cygwin-mingw64-x86_64-forksafe"
verify "  the static library, a header, forksafe.pc and the CMake config" all_in \
	"$(printf "${SYSROOT#/}/%s\n" lib/libforksafe.a include/forksafe/inuse.h lib/pkgconfig/forksafe.pc lib/cmake/forksafe/forksafe-config.cmake)" \
	"$T/cygwin-mingw64-x86_64-forksafe"
the_library "$D" "$SYSROOT" cygwin
# setup.exe's perpetual scripts (pkg-scripts/README.md): 0p_* run before
# any removal (/etc/preremove), zp_* after every postinstall script
for s in "$SOURCE_DIR"/pkg-scripts/cygwin/*.dash.in; do
	n=$(basename "$s" .in)
	case $n in
	0p_*) at=etc/preremove/$n ;;
	zp_*) at=etc/postinstall/$n ;;
	*) fail "pkg-scripts/cygwin/$n.in: neither a 0p_ nor a zp_ script"; continue ;;
	esac
	verify "  pkg-scripts/cygwin/$n.in is /$at, naming /usr/bin/forksafe.exe and /etc/forksafe.conf" \
		names "$D/$at" "'/usr/bin/forksafe.exe'" "'/etc/forksafe.conf'"
	verify "  and it is sh (dash -n)" dash -n "$D/$at"
done

# ==== the setup.exe scripts for the prefix of the install, not the configured one ================
# (the build configured with prefix /mingw64, installed with --prefix /usr,
# is what setup.exe needs: /etc; the one configured with /usr installed
# elsewhere must name that elsewhere)
DESTDIR=$T/moved/usr cmake --install "$B_MINGW" --prefix /usr >"$T/moved.log" 2>&1 ||
	{ cat "$T/moved.log"; fail "cmake --install --prefix /usr of the MINGW64 build"; }
verify "configured /mingw64, installed --prefix /usr: /etc/preremove/0p_forksafe.dash names /usr/bin/forksafe.exe and /etc/forksafe.conf" \
	names "$T/moved/usr/etc/preremove/0p_forksafe.dash" "'/usr/bin/forksafe.exe'" "'/etc/forksafe.conf'"
verify "  and /etc/postinstall/zp_forksafe.dash too" \
	names "$T/moved/usr/etc/postinstall/zp_forksafe.dash" "'/usr/bin/forksafe.exe'" "'/etc/forksafe.conf'"
DESTDIR=$T/moved/opt cmake --install "$B" --prefix /opt/forksafe >"$T/moved.log" 2>&1 ||
	{ cat "$T/moved.log"; fail "cmake --install --prefix /opt/forksafe of the Cygwin build"; }
verify "configured /usr, installed --prefix /opt/forksafe: /etc/opt/forksafe/preremove/0p_forksafe.dash (the FHS) names /opt/forksafe/bin/forksafe.exe and /etc/opt/forksafe/forksafe.conf" \
	names "$T/moved/opt/etc/opt/forksafe/preremove/0p_forksafe.dash" "'/opt/forksafe/bin/forksafe.exe'" "'/etc/opt/forksafe/forksafe.conf'"
# installed for real (no DESTDIR) under a prefix with a blank and a quote;
# the program there records how the script runs it
P="$T/moved/it's here"
cmake --install "$B" --prefix "$P" >"$T/moved.log" 2>&1 ||
	{ cat "$T/moved.log"; fail "cmake --install --prefix '$P' of the Cygwin build"; }
verify "installed --prefix '$P': the scripts are in P/etc, naming P/bin/forksafe.exe and P/etc/forksafe.conf" \
	names "$P/etc/postinstall/zp_forksafe.dash" "$(sq "$P/bin/forksafe.exe")" "$(sq "$P/etc/forksafe.conf")"
printf '#!/bin/sh\nprintf "%%s\\n" "$@"\n' >"$P/bin/forksafe.exe"
out=$(FORKSAFE='' dash "$P/etc/postinstall/zp_forksafe.dash" 2>&1)
expect_rc "  zp_forksafe.dash runs P/bin/forksafe.exe" 0 $?
verify "  with --config P/etc/forksafe.conf" lines "$out" --config "$P/etc/forksafe.conf"
finish
