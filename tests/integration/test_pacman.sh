#!/usr/bin/env bash
# test_pacman.sh - the alpm hooks with real pacman on a scratch root: an
# upgrade and a removal of packages whose files a running process maps, the
# snapshot the PreTransaction hook makes, the PostTransaction hook's retire
# and report, and the strict setting of /etc/forksafe.conf.
#
# pacman runs every hook chrooted into --root, so the root must hold the
# forksafe binary, its libraries and /proc: a private mount namespace
# (unshare -m) bind-mounts them in for the duration of each pacman call.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

need_tools pacman bsdtar zstd unshare cmake
if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
	echo "skipped: needs root and unshare -m (hooks run chrooted)"
	exit 77
fi
# under ASan, a SIGSEGV must kill the process as it does in a release build
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0"

# The hooks as a package build installs them: into a staging DESTDIR, for
# the prefix /usr, whatever prefix the build was configured with.  Exec must
# name /usr/bin/forksafe, where the binary lands: neither the configured
# prefix nor the DESTDIR.  The root gets the installed binary there.
D=$T/dest
if ! DESTDIR=$D cmake --install "$BUILD_DIR" --prefix /usr >"$T/install.log" 2>&1; then
	cat "$T/install.log"
	echo "cmake --install failed"
	exit 1
fi
HOOKS=$D/usr/share/libalpm/hooks
BIN=$D/usr/bin/forksafe
BINAT=/usr/bin/forksafe
verify "installed with DESTDIR and --prefix /usr, the guard hook runs /usr/bin/forksafe" \
	grep -qx "Exec = /bin/sh -c '.*' forksafe /usr/bin/forksafe pre-transaction" "$HOOKS/forksafe-guard.hook"
verify "  and so does the retire hook" \
	grep -qx "Exec = /bin/sh -c '.*' forksafe /usr/bin/forksafe post-transaction" "$HOOKS/forksafe-retire.hook"

R=$T/root
S=$R/var/lib/forksafe
mkdir -p "$R/var/lib/pacman" "$R/var/cache/pacman/pkg" "$R/var/log" "$R/etc" \
	"$R/proc" "$R/usr/lib/x86_64-linux-gnu" "$R/usr/lib64" "$R/usr/bin" \
	"$R$(dirname "$LOADERS_INSTALLED")"
ln -s usr/lib "$R/lib"
# the hooks run forksafe through /bin/sh (and grep for strict), as every
# Arch and MSYS2 root has them: the host's, mounted in by pac
ln -s usr/bin "$R/bin"
touch "$R/usr/bin/sh" "$R/usr/bin/grep"
ln -s usr/lib64 "$R/lib64"
touch "$R$BINAT" "$R$LOADERS_INSTALLED"
printf '[options]\nArchitecture = auto\nSigLevel = Never\n' >"$T/pacman.conf"

# pac ARGS... : pacman on the scratch root with the hooks of $HOOKS, the
# program $BIN at $BINAT inside the root (and the loader module where it
# would be installed), the host's libraries and /proc visible inside it.
# BIN or MOD "none": nothing is mounted there (the root's own file, if any).
pac() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	unshare -m bash -c '
		R=$1 BINAT=$2 BIN=$3 HOOKS=$4 CONF=$5 MOD=$6 MODAT=$7; shift 7
		mount --bind /proc "$R/proc" &&
		mount --bind /usr/lib/x86_64-linux-gnu "$R/usr/lib/x86_64-linux-gnu" &&
		mount --bind /usr/lib64 "$R/usr/lib64" &&
		mount --bind "$(readlink -f /bin/sh)" "$R/usr/bin/sh" &&
		mount --bind "$(command -v grep)" "$R/usr/bin/grep" &&
		{ [ "$BIN" = none ] || mount --bind "$BIN" "$R$BINAT"; } &&
		{ [ "$MOD" = none ] || mount --bind "$MOD" "$R$MODAT"; } || exit 99
		pacman --root "$R" --dbpath "$R/var/lib/pacman" --cachedir "$R/var/cache/pacman/pkg" \
			--logfile "$R/var/log/pacman.log" --hookdir "$HOOKS" --config "$CONF" \
			--noconfirm "$@"' bash "$R" "$BINAT" "$BIN" "$HOOKS" "$T/pacman.conf" \
		"${MOD:-$LOADERS}" "$LOADERS_INSTALLED" "$@" 2>&1
}

mkpkg foo 1.0-1 "$TESTLIB"
mkpkg foo 2.0-1 "$TESTLIB2"
mkpkg bar 1.0-1 "$TESTLIB"

out=$(pac -U "$T/foo-1.0-1-any.pkg.tar.zst" "$T/bar-1.0-1-any.pkg.tar.zst")
expect_rc "pacman installs foo 1.0 and bar 1.0" 0 $?
has "$out" "forksafe: no replaced file needs keeping" || fail "post hook line on install: $out"
# the installed binary finds its loader module where that install put it,
# not where the configured prefix would have
if [ ! -e "$LOADERS_INSTALLED" ]; then
	out=$("$BIN" owner --root "$R" --store "$T/s-owner" /usr/lib/fstest/libfoo.so 2>&1)
	expect_rc "the DESTDIR install's binary loads its module (owner)" 0 $?
	verify "  and names the package" has "$out" "/usr/lib/fstest/libfoo.so is owned by foo 1.0-1"
else
	echo "skipped: a module is installed at $LOADERS_INSTALLED, so any binary finds it"
fi

# --- upgrade while a process maps two of foo's files ---------------------------------------
start_mapper "$T/ready1" "$R/usr/lib/fstest/libfoo.so" "$R/opt/fstest/foo-plugin.so"
M=$MAPPER_PID
old_ino=$(stat -c %i "$R/usr/lib/fstest/libfoo.so")
out=$(pac -U "$T/foo-2.0-1-any.pkg.tar.zst")
expect_rc "pacman upgrades foo while it is in use" 0 $?
echo "$out" | grep forksafe
verify "the pre-transaction hook says it kept both files" \
	has "$out" "forksafe: kept 2 in-use files for running processes(; 1 process could not be read)?"
verify "the post-transaction hook says who runs replaced images" \
	has "$out" "forksafe: 2 replaced files kept for running processes; 1 process runs replaced images \(forksafe report\)"
verify "pacman replaced the file" [ "$(stat -c %i "$R/usr/lib/fstest/libfoo.so")" != "$old_ino" ]
snap=$(cd "$S" && echo snap-*)
# shellcheck disable=SC2317 # called through verify
closed_snapshot() { [ -d "$1" ] && [ ! -e "$1/open" ]; }
verify "one snapshot, closed by the post-transaction hook" closed_snapshot "$S/$snap"
verify "it keeps the inode the process maps (usr/lib)" \
	[ "$(stat -c %i "$S/$snap/files/usr/lib/fstest/libfoo.so")" = "$(ino_in_maps "$M" "$R/usr/lib/fstest/libfoo.so")" ]
verify "it keeps the inode the process maps (opt)" \
	[ "$(stat -c %i "$S/$snap/files/opt/fstest/foo-plugin.so")" = "$(ino_in_maps "$M" "$R/opt/fstest/foo-plugin.so")" ]
verify "the process still runs" kill -0 "$M"

out=$("$FORKSAFE" report --json --root "$R" 2>/dev/null)
expect_rc "report: a process runs replaced images" 1 $?
check "report groups the process under package foo, old files in the snapshot" "$out" \
	"[p['package'] for p in d['packages']] == ['foo']" \
	"[q['pid'] for q in d['packages'][0]['processes']] == [$M]" \
	"sorted(i['path'] for i in d['packages'][0]['processes'][0]['images']) == ['$R/opt/fstest/foo-plugin.so', '$R/usr/lib/fstest/libfoo.so']" \
	"all(i['snapshot'] == '$snap' and i['deleted'] for i in d['packages'][0]['processes'][0]['images'])" \
	"d['must_restart'] == []"
out=$("$FORKSAFE" report --root "$R" 2>/dev/null)
verify "report for people" has "$out" "  foo:" "    $M mapper .*" \
	"        $R/usr/lib/fstest/libfoo.so \(old file kept in $snap\)"
out=$("$FORKSAFE" status --json --root "$R" 2>/dev/null)
check "status names the package of each kept file" "$out" \
	"sorted(e['package'] for e in d['snapshots'][0]['entries']) == ['foo', 'foo']"
out=$("$FORKSAFE" owner --json --root "$R" /usr/lib/fstest/libfoo.so 2>/dev/null)
check "owner: the new version owns the path" "$out" \
	"d['database'] == 'pacman'" "d['files'][0]['package'] == 'foo'" \
	"d['files'][0]['version'] == '2.0-1'"

# --- the post-transaction line counts who runs files forksafe kept ----------------------------
# A file replaced by hand (no hook ran) while another process maps it:
# nothing kept it, so the next transaction's line does not count that
# process (the hook scans only what the store keeps); report, which looks
# at every image, lists both.
cp "$TESTLIB" "$R/opt/fstest/handmade.so"
start_mapper "$T/ready-hand" "$R/opt/fstest/handmade.so"
M2=$MAPPER_PID
replace_like_pm "$R/opt/fstest/handmade.so" "$TESTLIB2"
out=$(pac -U "$T/foo-2.0-1-any.pkg.tar.zst")
expect_rc "pacman reinstalls foo 2.0" 0 $?
verify "the post-transaction line counts the process that runs kept files, not the other" \
	has "$out" "forksafe: 2 replaced files kept for running processes; 1 process runs replaced images \(forksafe report\)"
out=$("$FORKSAFE" report --json --root "$R" 2>/dev/null)
check "report lists both" "$out" \
	"sorted(q['pid'] for p in d['packages'] for q in p['processes']) == sorted([$M, $M2])"
kill "$M2"; wait "$M2" 2>/dev/null
rm "$R/opt/fstest/handmade.so"

kill "$M"; wait "$M" 2>/dev/null
"$FORKSAFE" retire --store "$S" >/dev/null 2>&1
verify "once the process is gone, retire removes the snapshot" [ -z "$(cd "$S" && ls -d snap-* 2>/dev/null)" ]

# --- removal of a package whose file is mapped ----------------------------------------------
start_mapper "$T/ready2" "$R/usr/lib/fstest/libbar.so"
M=$MAPPER_PID
out=$(pac -R bar)
expect_rc "pacman removes bar while it is in use" 0 $?
verify "the pre-transaction hook kept its mapped file" \
	has "$out" "forksafe: kept 1 in-use file for running processes(; 1 process could not be read)?"
verify "the file is gone from the root" [ ! -e "$R/usr/lib/fstest/libbar.so" ]
snap=$(cd "$S" && echo snap-*)
verify "the snapshot keeps the removed file's inode" \
	[ "$(stat -c %i "$S/$snap/files/usr/lib/fstest/libbar.so")" = "$(ino_in_maps "$M" "$R/usr/lib/fstest/libbar.so")" ]
out=$("$FORKSAFE" report --json --root "$R" 2>/dev/null)
check "report: a removed package's file belongs to no package" "$out" \
	"[p['package'] for p in d['packages']] == [None]"
kill "$M"; wait "$M" 2>/dev/null
"$FORKSAFE" retire --store "$S" >/dev/null 2>&1

# --- the hook's work crashes or hangs during a transaction: pacman goes on ---------------------
# The work is caught while it waits for the store lock the test holds.
installed() { (cd "$R/var/lib/pacman/local" && echo foo-*); }
descendants() { local c; for c in $(pgrep -P "$1"); do echo "$c"; descendants "$c"; done; }
# lock_waiter PID : the descendant of PID that has the store lock open
lock_waiter() {
	local p l
	for p in $(descendants "$1"); do
		for l in /proc/"$p"/fd/*; do
			[ "$(readlink "$l" 2>/dev/null)" = "$S/lock" ] && { echo "$p"; return; }
		done
	done
}
# pac_bounded SECS ARGS... : pac in the background, at most SECS seconds
# (then its processes are killed and RC is "hung"); output in $T/pac.out.
# CAUGHT: the process doing a hook's work once it waits for the lock; with
# SIGNAL set, that signal is sent to it.
pac_bounded() {
	local secs=$1 p
	shift
	pac "$@" >"$T/pac.out" &
	p=$!
	CAUGHT=
	for _ in $(seq 200); do
		CAUGHT=$(lock_waiter "$p")
		[ -n "$CAUGHT" ] && break
		sleep 0.05
	done
	if [ -n "${SIGNAL:-}" ] && [ -n "$CAUGHT" ]; then kill -s "$SIGNAL" "$CAUGHT"; unlock_store; fi
	for _ in $(seq $((secs * 20))); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$p" 2>/dev/null; then
		# shellcheck disable=SC2046 # one pid a word
		kill -9 $(descendants "$p") "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		rm -f "$R/var/lib/pacman/db.lck"
		RC=hung
	else
		wait "$p"
		RC=$?
	fi
}

start_mapper "$T/ready5" "$R/usr/lib/fstest/libfoo.so"
M=$MAPPER_PID
printf 'timeout = 30\n' >"$R/etc/forksafe.conf"
lock_store
SIGNAL=SEGV pac_bounded 20 -U "$T/foo-1.0-1-any.pkg.tar.zst"
out=$(cat "$T/pac.out")
expect_rc "a crash (SIGSEGV) of the pre-transaction work does not stop pacman" 0 "$RC"
verify "  it warns in one line" has "$out" \
	"forksafe: warning: in-use files may not be protected: the pre-transaction work was killed by SIGSEGV"
verify "  and the transaction happened" [ "$(installed)" = foo-1.0-1 ]
unlock_store

kill "$M"; wait "$M" 2>/dev/null
start_mapper "$T/ready6" "$R/usr/lib/fstest/libfoo.so"
M=$MAPPER_PID
printf 'timeout = 2\n' >"$R/etc/forksafe.conf"
lock_store
start=$SECONDS
pac_bounded 20 -U "$T/foo-2.0-1-any.pkg.tar.zst"
out=$(cat "$T/pac.out")
expect_rc "both hooks' work hanging does not stop pacman (done in $((SECONDS - start)) s)" 0 "$RC"
verify "  the pre-transaction hook says it stopped its work" has "$out" \
	"forksafe: warning: in-use files may not be protected: the pre-transaction work did not finish within 2 s \(timeout in /etc/forksafe.conf\) and was stopped"
verify "  so does the post-transaction hook" has "$out" \
	"forksafe: warning: kept files were not retired: the post-transaction work did not finish within 2 s \(timeout in /etc/forksafe.conf\) and was stopped"
verify "  and the transaction happened" [ "$(installed)" = foo-2.0-1 ]
unlock_store
rm -f "$R/etc/forksafe.conf"
kill "$M"; wait "$M" 2>/dev/null
"$FORKSAFE" retire --store "$S" >/dev/null 2>&1

# --- a store forksafe must refuse: warn and go on, unless strict ------------------------------
start_mapper "$T/ready3" "$R/usr/lib/fstest/libfoo.so"
M=$MAPPER_PID
chmod 0777 "$S"
out=$(pac -U "$T/foo-1.0-1-any.pkg.tar.zst")
expect_rc "without strict, a failing guard does not stop pacman" 0 $?
verify "  it warns in one line" has "$out" \
	"forksafe: warning: in-use files are not protected: .*writable by another user.*"
verify "  and the transaction happened" [ "$(installed)" = foo-1.0-1 ]
kill "$M"; wait "$M" 2>/dev/null

start_mapper "$T/ready4" "$R/usr/lib/fstest/libfoo.so"
M=$MAPPER_PID
printf '# forksafe settings\nstrict = yes\n' >"$R/etc/forksafe.conf"
out=$(pac -U "$T/foo-2.0-1-any.pkg.tar.zst")
rc=$?
verify "with strict = yes, a failing guard aborts the transaction (pacman exit $rc)" [ "$rc" != 0 ]
verify "  it says why" has "$out" \
	"forksafe: error: in-use files are not protected: .*writable by another user.*"
verify "  and nothing was replaced" [ "$(installed)" = foo-1.0-1 ] \
	&& cmp -s "$TESTLIB" "$R/usr/lib/fstest/libfoo.so"
chmod 0700 "$S"
out=$(pac -U "$T/foo-2.0-1-any.pkg.tar.zst")
expect_rc "with strict = yes and a sound store, the upgrade goes through" 0 $?
verify "  protected" has "$out" \
	"forksafe: kept 1 in-use file for running processes(; 1 process could not be read)?"
verify "  upgraded" [ "$(installed)" = foo-2.0-1 ]
kill "$M"; wait "$M" 2>/dev/null

# --- forksafe cannot start (removed, a library gone): pacman goes on, unless strict -----------
# A partial upgrade: the binary needs a library that is not there (the
# loader refuses to start it, exit 127), or the binary itself is gone.
python3 -c '
import sys
b = open(sys.argv[1], "rb").read()
assert b.count(b"libc.so.6\0") == 1
open(sys.argv[2], "wb").write(b.replace(b"libc.so.6\0", b"libc.so.9\0"))' "$BIN" "$T/broken"
chmod 0755 "$T/broken"
rm -f "$R/etc/forksafe.conf"
# cannot_run OUT : one warning line per hook, and no other line of forksafe's
# shellcheck disable=SC2317 # called through verify
cannot_run() {
	local why="$BINAT cannot run \(missing, or a library it needs is missing\)"
	if ! has "$1" "forksafe: warning: $why: the pre-transaction hook did nothing" \
		"forksafe: warning: $why: the post-transaction hook did nothing"; then
		return 1
	fi
	[ "$(grep -c 'forksafe:' <<<"$1")" = 2 ] || { echo "not one line each: $1"; return 1; }
}
out=$(BIN=$T/broken pac -U "$T/foo-1.0-1-any.pkg.tar.zst")
expect_rc "forksafe needs a library that is gone: pacman goes on" 0 $?
verify "  each hook says so in one line" cannot_run "$out"
verify "  and the transaction happened" [ "$(installed)" = foo-1.0-1 ]
rm "$R$BINAT"
out=$(BIN=none pac -U "$T/foo-2.0-1-any.pkg.tar.zst")
expect_rc "forksafe removed from the root: pacman goes on" 0 $?
verify "  each hook says so in one line" cannot_run "$out"
verify "  and the transaction happened" [ "$(installed)" = foo-2.0-1 ]
touch "$R$BINAT"
printf 'strict = true # the administrator asked\n' >"$R/etc/forksafe.conf"
out=$(BIN=$T/broken pac -U "$T/foo-1.0-1-any.pkg.tar.zst")
rc=$?
verify "with strict, forksafe unable to start aborts the transaction (pacman exit $rc)" [ "$rc" != 0 ]
verify "  it says why" has "$out" \
	"forksafe: error: $BINAT cannot run \(missing, or a library it needs is missing\); strict = yes in /etc/forksafe.conf"
verify "  and nothing was replaced" [ "$(installed)" = foo-2.0-1 ]
rm -f "$R/etc/forksafe.conf"

# The loader module (package names) gone while a process maps a file of
# the transaction: the hooks still keep it and never fail.
start_mapper "$T/ready7" "$R/usr/lib/fstest/libfoo.so"
M=$MAPPER_PID
rm "$R$LOADERS_INSTALLED"
out=$(MOD=none pac -U "$T/foo-1.0-1-any.pkg.tar.zst")
expect_rc "the loader module gone: pacman goes on" 0 $?
grep forksafe <<<"$out"
verify "  the file in use is kept" has "$out" \
	"forksafe: kept 1 in-use file for running processes(; 1 process could not be read)?"
# the post-transaction hook's line names no package: it never loads them
# shellcheck disable=SC2016 # $1 is expanded by the inner bash
verify "  the post-transaction hook needs no loader module: no warning of it" \
	bash -c '! grep -q "package loaders" <<<"$1"' _ "$out"
verify "  and the transaction happened" [ "$(installed)" = foo-1.0-1 ]
touch "$R$LOADERS_INSTALLED"
kill "$M"; wait "$M" 2>/dev/null
"$FORKSAFE" retire --store "$S" >/dev/null 2>&1

# --- the hook command itself ------------------------------------------------------------------
printf 'strict = maybe\n' >"$T/bad.conf"
out=$(echo usr/lib/fstest/libfoo.so | "$FORKSAFE" hook pre-transaction --root "$R" --config "$T/bad.conf" 2>&1)
expect_rc "a bad configuration never blocks" 0 $?
verify "  it says so in one line" has "$out" \
	"forksafe: warning: $T/bad.conf:1: strict is yes or no, not 'maybe'; going on with the defaults" \
	"forksafe: no file of this transaction is in use(; 1 process could not be read)?"
out=$(printf 'bad\0line\n' | "$FORKSAFE" hook pre-transaction --root "$R" 2>&1)
expect_rc "a garbled target never blocks" 0 $?
verify "  one warning line" has "$out" "forksafe: warning: skipped bad: target line 1 contains a NUL byte"
"$FORKSAFE" hook sideways >/dev/null 2>&1
expect_rc "an unknown hook moment is an error" 2 $?

# --- a prefix with spaces (Windows' default prefix has them) -------------------------------------
P="$T/odd pre'fix"
if ! cmake --install "$BUILD_DIR" --prefix "$P" >"$T/install2.log" 2>&1; then
	cat "$T/install2.log"
	fail "cmake --install --prefix '$P'"
fi
verify "installed with a prefix holding a space and a quote, Exec quotes them" \
	grep -qF "' forksafe '${P//\'/\\\'}/bin/forksafe' pre-transaction" \
	"$P/share/libalpm/hooks/forksafe-guard.hook"
HOOKS=$P/share/libalpm/hooks BIN=$P/bin/forksafe BINAT=$P/bin/forksafe
mkdir -p "$R$P/bin" && touch "$R$BINAT"
rm -f "$R/etc/forksafe.conf"
out=$(pac -R foo)
expect_rc "pacman runs those hooks" 0 $?
grep -E 'forksafe|error|failed' <<<"$out"
verify "  the pre-transaction hook ran" has "$out" "forksafe: (no file of this transaction is in use|kept [0-9]+ in-use files?.*)(; .*)?"
verify "  and the post-transaction hook" has "$out" "forksafe: no replaced file needs keeping(; .*)?"
finish
