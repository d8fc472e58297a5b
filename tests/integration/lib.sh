# shellcheck shell=bash
# lib.sh - shared helpers for the integration tests (sourced, bash).
# Environment from CTest: FORKSAFE, MAPPER, TESTLIB, CHECK_JSON.
set -u

T=$(mktemp -d /tmp/forksafe-test.XXXXXX)
PIDS=()
CLEANUPS=()
FAILS=0

cleanup() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	for c in "${CLEANUPS[@]}"; do eval "$c"; done
	rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }

# verify DESCRIPTION COMMAND... : passes when the command succeeds.
verify() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

# has TEXT REGEX... : every extended regex matches a whole line of TEXT.
has() {
	local text=$1
	shift
	for re in "$@"; do
		grep -qE -- "^$re\$" <<<"$text" || { echo "no line matches: $re"; return 1; }
	done
}

# check DESCRIPTION JSON EXPR... : validate with a real JSON parser.
check() {
	local what=$1 json=$2
	shift 2
	if printf '%s' "$json" | python3 "$CHECK_JSON" "$@"; then pass "$what"; else fail "$what"; fi
}

# expect_rc DESCRIPTION WANT GOT
expect_rc() {
	if [ "$3" = "$2" ]; then pass "$1 (exit $3)"; else fail "$1: exit $3, want $2"; fi
}

# start_mapper READY LIB... : starts a mapper, waits until it mapped all.
start_mapper() {
	local ready=$1
	"$MAPPER" "$@" &
	PIDS+=($!)
	MAPPER_PID=$!
	wait_for "$ready" "$MAPPER_PID"
}

# wait_for FILE PID : up to 10 s for FILE to appear while PID lives.
wait_for() {
	for _ in $(seq 200); do
		[ -e "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || { echo "process $2 died"; exit 1; }
		sleep 0.05
	done
	echo "timed out waiting for $1"
	exit 1
}

# The exit status inuse gives when nothing is in use: 0, or 3 when this
# machine has processes that even root may not read.
idle_rc() {
	if printf '%s' "$1" | python3 "$CHECK_JSON" 'd["complete"]' >/dev/null; then echo 0; else echo 3; fi
}

# mkpkg NAME VERSION LIB : $T/NAME-VERSION-any.pkg.tar.zst, a pacman package
# shipping LIB at usr/lib/fstest/libNAME.so and at opt/fstest/NAME-plugin.so
# (files outside usr/lib too); its tree stays in $T/build-NAME-VERSION.
mkpkg() {
	local d=$T/build-$1-$2
	mkdir -p "$d/usr/lib/fstest" "$d/opt/fstest"
	cp "$3" "$d/usr/lib/fstest/lib$1.so"
	cp "$3" "$d/opt/fstest/$1-plugin.so"
	printf 'pkgname = %s\npkgbase = %s\npkgver = %s\npkgdesc = test\nbuilddate = 1700000000\npackager = test\nsize = 16384\narch = any\nlicense = MIT\n' \
		"$1" "$1" "$2" >"$d/.PKGINFO"
	(cd "$d" && bsdtar -cf - .PKGINFO usr opt | zstd -q -o "$T/$1-$2-any.pkg.tar.zst")
}

finish() {
	if [ "$FAILS" -gt 0 ]; then echo "$FAILS check(s) failed"; exit 1; fi
	echo "all checks passed"
	exit 0
}

# jget JSON EXPR : prints a value from JSON (d is the document).
jget() {
	printf '%s' "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); v=eval(sys.argv[1]); print("" if v is None else v)' "$2"
}

# replace_like_pm FILE NEWCONTENT : what a package manager does: write the
# new version beside the old one, then rename it over.
replace_like_pm() {
	cp "$2" "$1.pm-new" && mv -f "$1.pm-new" "$1"
}

# ino_in_maps PID PATH : inode of PATH's mapping in /proc/PID/maps.
ino_in_maps() {
	awk -v p="$2" '{ path=$6; for (i = 7; i <= NF; i++) path = path " " $i;
		sub(/ \(deleted\)$/, "", path); if (path == p) { print $5; exit } }' "/proc/$1/maps"
}

# The attack tests' unprivileged local user (docs/security.md): an ordinary
# account with no special rights, created once per machine (under a lock:
# tests run in parallel).  ATTACKER_UID/GID are set by need_attacker.
ATTACKER=fs-attacker
need_attacker() {
	if [ "$(id -u)" != 0 ]; then
		echo "skipped: the attack tests run as root with an unprivileged user they create"
		exit 77
	fi
	flock /tmp/forksafe-attacker.lock sh -c \
		"id -u $ATTACKER >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin $ATTACKER" ||
		{ echo "cannot create the user $ATTACKER"; exit 1; }
	ATTACKER_UID=$(id -u "$ATTACKER")
	ATTACKER_GID=$(id -g "$ATTACKER")
	chmod 755 "$T"
}

# as_attacker CMD... : runs CMD as the unprivileged user (no groups, no
# capabilities); unshare -Urm inside gives her own user + mount namespace.
as_attacker() {
	setpriv --reuid="$ATTACKER_UID" --regid="$ATTACKER_GID" --clear-groups --inh-caps=-all "$@"
}

# lock_store : holds $S/lock (the store lock) in a background process until
# unlock_store, so the next store command waits for it.
LOCKER=
lock_store() {
	# shellcheck disable=SC2016 # for the inner shell: the lock is the sleep's own
	bash -c 'exec 9<>"$1" && flock 9 && exec sleep 60' bash "$S/lock" >/dev/null 2>&1 &
	LOCKER=$!
	PIDS+=("$LOCKER")
	for _ in $(seq 200); do
		flock -n "$S/lock" true || return 0
		sleep 0.05
	done
	echo "cannot take the store lock"
	exit 1
}
unlock_store() {
	kill "$LOCKER" 2>/dev/null
	wait "$LOCKER" 2>/dev/null
}

# need_tools TOOL... : skips the test (exit 77, one line) when one is missing.
need_tools() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null || { echo "skipped: $tool is not installed"; exit 77; }
	done
}

# need_packages_feature : skips the test when forksafe was built without
# package support (libsolv, libarchive, zstd).
need_packages_feature() {
	if ! "$FORKSAFE" --version | grep -q 'features: .*packages'; then
		echo "skipped: built without package support"
		exit 77
	fi
}

# copy_source_tree DEST : the source tree this test runs from, as it is
# now (uncommitted files included, build directories and ignored files
# left out), copied to DEST: what a package build would start from.
copy_source_tree() {
	mkdir -p "$1" || return 1
	if git -C "$SOURCE_DIR" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$SOURCE_DIR" ls-files -z -c -o --exclude-standard |
			while IFS= read -r -d '' f; do [ -e "$SOURCE_DIR/$f" ] && printf '%s\0' "$f"; done |
			(cd "$SOURCE_DIR" && tar --null -T - -cf -) | (cd "$1" && tar -xf -)
	else
		(cd "$SOURCE_DIR" && tar --exclude='./build*' -cf - .) | (cd "$1" && tar -xf -)
	fi
	[ -f "$1/CMakeLists.txt" ]
}

# file_list DIR : the files and symlinks under DIR, relative, sorted
# (dot files at the top, such as a package's .PKGINFO, left out).
file_list() {
	(cd "$1" && find . \( -type f -o -type l \) ! -path './.*' -printf '%P\n' | LC_ALL=C sort)
}

# project_version : the project's version, as the built forksafe says it
# (the build takes it from the sources).
project_version() {
	"$FORKSAFE" --version | sed -n '1s/^forksafe \([0-9][0-9.]*\) .*/\1/p'
}
