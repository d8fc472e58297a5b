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

for tool in pacman bsdtar zstd unshare; do
	command -v "$tool" >/dev/null || { echo "skipped: $tool is not installed"; exit 77; }
done
if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
	echo "skipped: needs root and unshare -m (hooks run chrooted)"
	exit 77
fi

R=$T/root
S=$R/var/lib/forksafe
EXEC=$(sed -n 's/^Exec = \([^ ]*\) .*/\1/p' "$HOOKS/forksafe-guard.hook")
mkdir -p "$R/var/lib/pacman" "$R/var/cache/pacman/pkg" "$R/var/log" "$R/etc" \
	"$R/proc" "$R/usr/lib/x86_64-linux-gnu" "$R/usr/lib64" "$R$(dirname "$EXEC")" \
	"$R$(dirname "$LOADERS_INSTALLED")"
ln -s usr/lib "$R/lib"
ln -s usr/lib64 "$R/lib64"
touch "$R$EXEC" "$R$LOADERS_INSTALLED"
printf '[options]\nArchitecture = auto\nSigLevel = Never\n' >"$T/pacman.conf"

# pac ARGS... : pacman on the scratch root, hooks from the build, with the
# binary (and its loader module where it would be installed), the host's
# libraries and /proc visible inside the root.
pac() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	unshare -m bash -c '
		R=$1 EXEC=$2 BIN=$3 HOOKS=$4 CONF=$5 MOD=$6 MODAT=$7; shift 7
		mount --bind /proc "$R/proc" &&
		mount --bind /usr/lib/x86_64-linux-gnu "$R/usr/lib/x86_64-linux-gnu" &&
		mount --bind /usr/lib64 "$R/usr/lib64" &&
		mount --bind "$BIN" "$R$EXEC" && mount --bind "$MOD" "$R$MODAT" || exit 99
		pacman --root "$R" --dbpath "$R/var/lib/pacman" --cachedir "$R/var/cache/pacman/pkg" \
			--logfile "$R/var/log/pacman.log" --hookdir "$HOOKS" --config "$CONF" \
			--noconfirm "$@"' bash "$R" "$EXEC" "$FORKSAFE" "$HOOKS" "$T/pacman.conf" \
		"$LOADERS" "$LOADERS_INSTALLED" "$@" 2>&1
}

mkpkg foo 1.0-1 "$TESTLIB"
mkpkg foo 2.0-1 "$TESTLIB2"
mkpkg bar 1.0-1 "$TESTLIB"

out=$(pac -U "$T/foo-1.0-1-any.pkg.tar.zst" "$T/bar-1.0-1-any.pkg.tar.zst")
expect_rc "pacman installs foo 1.0 and bar 1.0" 0 $?
has "$out" "forksafe: no replaced file needs keeping" || fail "post hook line on install: $out"

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
verify "one snapshot, closed by the post-transaction hook" \
	[ -d "$S/$snap" ] && [ ! -e "$S/$snap/open" ]
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

# --- a store forksafe must refuse: warn and go on, unless strict ------------------------------
installed() { (cd "$R/var/lib/pacman/local" && echo foo-*); }
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
finish
