#!/usr/bin/env bash
# test_inuse.sh - `forksafe inuse` against a real process that dlopen()s
# libraries with awkward names, one of them unlinked after loading.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

NL=$'new\nline.so'
UTF=$'caf\xc3\xa9-\xe2\x82\xac.so'
for n in plain.so "with space.so" "$NL" "$UTF" unlinked.so unused.so; do
	cp "$TESTLIB" "$T/$n"
done
ln "$T/unlinked.so" "$T/kept.so"          # a second name for the same file
ln -s plain.so "$T/link.so"
mkdir "$T/sub"

start_mapper "$T/ready" "$T/plain.so" "$T/with space.so" "$T/$NL" "$T/$UTF" "$T/unlinked.so"
rm "$T/unlinked.so"
M=$MAPPER_PID

# --- arguments, JSON -------------------------------------------------------
out=$("$FORKSAFE" inuse --json "$T/plain.so" "$T/with space.so" "$T/$NL" "$T/$UTF" \
	"$T/kept.so" "$T/unused.so" "$T/missing.so" "$T/link.so")
rc=$?
expect_rc "inuse with targets in use" 1 "$rc"
check "inuse JSON: attribution per file" "$out" \
	'd["schema"] == 1' 'd["root"] == "/"' \
	'isinstance(d["complete"], bool) and isinstance(d["unreadable_processes"], int)' \
	'd["complete"] == (d["unreadable_processes"] == 0)' \
	'len(d["files"]) == 8' \
	"pids(F('$T/plain.so')) == {$M}" \
	"pids(F('$T/with space.so')) == {$M}" \
	"pids(F('$T/new\\nline.so')) == {$M}" \
	"pids(F('$T/café-€.so')) == {$M}" \
	"pids(F('$T/kept.so')) == {$M}" \
	"F('$T/unused.so')['exists'] and F('$T/unused.so')['processes'] == []" \
	"not F('$T/missing.so')['exists'] and F('$T/missing.so')['processes'] == []" \
	"F('$T/missing.so')['dev'] is None and F('$T/missing.so')['ino'] is None" \
	"[f['request'] for f in d['files'] if f['path'] == '$T/plain.so'] == ['$T/plain.so', '$T/link.so']" \
	"(F('$T/unused.so')['dev'], F('$T/unused.so')['ino']) == ident('$T/unused.so')" \
	"(F('$T/kept.so')['dev'], F('$T/kept.so')['ino']) == ident('$T/kept.so')" \
	"[p for p in F('$T/plain.so')['processes'] if p['comm'] == 'mapper' and p['exe'] == '$MAPPER' and p['uid'] == $(id -u)]"

# --- nothing in use ---------------------------------------------------------
out=$("$FORKSAFE" inuse --json "$T/unused.so" "$T/missing.so")
rc=$?
expect_rc "inuse with nothing in use" "$(idle_rc "$out")" "$rc"

# --- stdin in NeedsTargets form with --root ---------------------------------
out=$(printf 'sub/\nplain.so\nlink.so\nunused.so\nmissing.so\n' |
	"$FORKSAFE" inuse --json --root "$T" --stdin)
rc=$?
expect_rc "inuse --root --stdin" 1 "$rc"
check "stdin targets relative to the root, directories skipped" "$out" \
	"d['root'] == '$T'" 'len(d["files"]) == 4' \
	"pids(F('/plain.so')) == {$M}" \
	"[f['request'] for f in d['files'] if f['path'] == '/plain.so'] == ['plain.so', 'link.so']" \
	"F('/unused.so')['processes'] == [] and not F('/missing.so')['exists']"

# --- text output --------------------------------------------------------------
out=$(cd "$T" && "$FORKSAFE" inuse plain.so unused.so missing.so)
verify "text output, relative paths from the current directory" has "$out" \
	"$T/plain.so: in use by 1 process" "    $M mapper .*" \
	"$T/unused.so: not in use" "$T/missing.so: missing"


# --- ps sees the unlinked library as deleted, with its identity -------------
out=$("$FORKSAFE" ps --json)
check "ps: deleted image keeps its identity; exact names" "$out" \
	"[i for i in P($M)['images'] if i['path'] == '$T/unlinked.so' and i['deleted'] and i['ino'] == $(stat -c %i "$T/kept.so")]" \
	"[i for i in P($M)['images'] if i['path'] == '$T/new\\nline.so' and not i['deleted']]" \
	"[i for i in P($M)['images'] if i['path'] == '$T/with space.so']" \
	"len({(i['dev'], i['ino']) for i in P($M)['images']}) == len(P($M)['images'])"

# --- a path ending in '/' that names a file: skipped, never "not in use" ------
out=$("$FORKSAFE" inuse --json "$T/plain.so/" "$T/sub/" "$T/link.so/")
rc=$?
expect_rc "inuse FILE/" 3 "$rc"
check "FILE/ and LINK-TO-FILE/ are skipped as not directories, DIR/ is not listed" "$out" \
	'd["files"] == []' \
	"sorted((s['request'], s['problem']) for s in d['skipped']) == [('$T/link.so/', 'not a directory'), ('$T/plain.so/', 'not a directory')]"
out=$("$FORKSAFE" inuse "$T/plain.so/" 2>&1)
verify "FILE/ in text: a skipped line" has "$out" "$T/plain.so/: skipped: not a directory"
out=$(printf 'sub/\nplain.so/\nmissing-dir/\n' | "$FORKSAFE" inuse --json --root "$T" --stdin)
check "stdin FILE/ skipped; DIR/ and a missing DIR/ are not listed" "$out" \
	'd["files"] == []' "[s['request'] for s in d['skipped']] == ['plain.so/']"
out=$("$FORKSAFE" guard --store "$T/store" "$T/plain.so/" 2>&1)
rc=$?
verify "guard FILE/: a skipped line" has "$out" "forksafe: skipped $T/plain.so/: not a directory"
expect_rc "guard FILE/" 0 "$rc"

# --- /proc/PID/exe and /proc/PID/root/PATH: the file they reach ---------------
cp "$MAPPER" "$T/gone-mapper"
"$T/gone-mapper" "$T/ready-gone" "$T/plain.so" &
PIDS+=($!)
G=$!
wait_for "$T/ready-gone" "$G"
exe_id=$(stat -c '%d %i' "$T/gone-mapper")
rm "$T/gone-mapper"
out=$("$FORKSAFE" inuse --json "/proc/$G/exe")
rc=$?
expect_rc "inuse /proc/PID/exe of a deleted executable" 1 "$rc"
check "/proc/PID/exe: the deleted executable, in use by its process" "$out" \
	"F('/proc/$G/exe')['exists'] and pids(F('/proc/$G/exe')) == {$G}" \
	"F('/proc/$G/exe')['ino'] == ${exe_id#* }"
# another mount namespace: its plain.so is another file (bind-mounted there)
cp "$TESTLIB2" "$T/other.so"
ln -s "$T/plain.so" "$T/abs.so"
# shellcheck disable=SC2016 # expanded by that sh
unshare -m --propagation private sh -c \
	'mount --bind "$1/other.so" "$1/plain.so" && exec "$2" "$1/ready-ns" "$1/plain.so"' \
	sh "$T" "$MAPPER" &
PIDS+=($!)
N=$!
wait_for "$T/ready-ns" "$N"
other_ino=$(stat -c %i "$T/other.so")
out=$("$FORKSAFE" inuse --json "/proc/$N/root$T/plain.so" "/proc/$N/root$T/abs.so" \
	"/proc/$N/root/../..$T/plain.so" "/proc/$N/exe")
rc=$?
expect_rc "inuse /proc/PID/root/PATH" 1 "$rc"
check "/proc/PID/root/PATH: the file in that process's view, absolute links and .. inside it" "$out" \
	"F('/proc/$N/root$T/plain.so')['ino'] == $other_ino" \
	"pids(F('/proc/$N/root$T/plain.so')) == {$N}" \
	"sorted(f['request'] for f in d['files'] if f['path'] == '/proc/$N/root$T/plain.so') == sorted(['/proc/$N/root$T/plain.so', '/proc/$N/root$T/abs.so', '/proc/$N/root/../..$T/plain.so'])" \
	"pids(F('/proc/$N/exe')) >= {$N, $M}"
# with --root, /proc inside the root is the root's (as arch-chroot mounts
# it): /proc/PID/root there is a link to its "/", the root
mkdir -p "$T/r/proc" "$T/r/x"
cp "$TESTLIB" "$T/r/x/plain.so"
# shellcheck disable=SC2016 # expanded by that sh
out=$(unshare -m --propagation private sh -c \
	'mount --bind /proc "$2/r/proc" && "$1" inuse --json --root "$2/r" "proc/$3/root/x/plain.so"' \
	sh "$FORKSAFE" "$T" "$N")
check "--root DIR: DIR/proc/PID/root is DIR" "$out" \
	"F('/x/plain.so')['ino'] == $(stat -c %i "$T/r/x/plain.so")"
kill "$G" "$N"

# --- forksafe is never a user of a file --------------------------------------
# a copy of its own: other tests run $FORKSAFE meanwhile (ctest -j)
FS=$T/forksafe-copy
cp "$FORKSAFE" "$FS"
"$FS" inuse --json "$FS" >"$T/self.json" &
F=$!
wait "$F"
rc=$?
out=$(cat "$T/self.json")
expect_rc "inuse of forksafe's own executable: nothing in use" "$(idle_rc "$out")" "$rc"
check "inuse does not count itself" "$out" "$F not in pids(F('$FS'))" "pids(F('$FS')) == set()"
"$FS" ps --json >"$T/ps.json" &
F=$!
wait "$F"
check "ps does not list itself" "$(cat "$T/ps.json")" "$F not in {p['pid'] for p in d['processes']}"
out=$("$FS" guard --json --store "$T/store" "$FS")
rc=$?
expect_rc "guard of forksafe's own executable" 0 "$rc"
check "guard keeps nothing only forksafe maps" "$out" 'd["in_use"] == 0'
# the hook's work runs in a child: neither it nor the hook's process counts
out=$(printf '%s\n' "${FS#/}" | "$FS" hook pre-transaction --store "$T/store" 2>&1)
verify "the hook is no user of forksafe's own executable" has "$out" \
	"forksafe: no file of this transaction is in use(; .*)?"

# --- the target exits: no longer in use --------------------------------------
kill "$M"; wait "$M" 2>/dev/null
out=$("$FORKSAFE" inuse --json "$T/plain.so")
rc=$?
expect_rc "inuse after the process exited" "$(idle_rc "$out")" "$rc"
finish
