#!/usr/bin/env bash
# guard / retire / status / protect / hold on Windows, under Wine: hardlink
# snapshots, the named mutex placed in the processes that map a kept DLL
# (and inherited by what they start), an installer's rename-aside
# replacement (only states NTFS allows), a killed process, protect freeing a loaded DLL's path, and
# protect's copy never readable by anyone the original was not (its DACL).
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../integration/lib.sh"
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/wine.sh"

root=$T/root
store=$root/var/lib/forksafe
mkdir -p "$root/usr/bin"
for n in one two three; do cp "$TESTDLL" "$root/usr/bin/$n.dll"; done
rroot=$(winp "$root")

# jq-free: one member of a JSON document
jget() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# ---- guard: a hardlink, the mutex placed in the process -------------------
start_holder "$T/h1" "$root/usr/bin/one.dll"
h1=$HOLDER_PID
out=$(printf 'usr/bin/one.dll\nusr/bin/two.dll\n' | fs guard --json --stdin --root "$rroot")
expect_rc "guard" 0 $?
check "guard keeps the loaded DLL only, by a link, and places the lock" "$out" \
	'[e["path"] for e in d["kept"]] == ["/usr/bin/one.dll"]' \
	'd["kept"][0]["method"] == "link"' \
	'd["lock_holders"] == 1' \
	"d['kept'][0]['ino'] == $(stat -c %i "$root/usr/bin/one.dll")"
snap=$(printf '%s' "$out" | jget 'd["snapshot"]')
kept=$store/$snap/files/usr/bin/one.dll
verify "the kept file is the same file (same index)" \
	test "$(stat -c %i "$kept")" = "$(stat -c %i "$root/usr/bin/one.dll")"
verify "a hardlink of a loaded DLL cannot be deleted either" \
	win_cannot_rm "$kept"

# ---- the installer replaces it: rename aside, new file -------------------
# The old file keeps its name one.dll.old: NTFS never lets the last name of
# a mapped image go, and whether it lets a loaded DLL's other names go
# (here the store's link is one) only a real Windows machine can tell
# (Wine refuses; docs/windows.md).  So nothing is removed from the host.
verify "rename the loaded DLL aside" win_mv "$root/usr/bin/one.dll" "$root/usr/bin/one.dll.old"
cp "$TESTDLL2" "$root/usr/bin/one.dll"

out=$(fs retire --json --post-transaction --root "$rroot")
expect_rc "retire while the holder lives" 0 $?
check "the snapshot stays: its mutex is held" "$out" \
	'd["snapshots"][0]["removed"] is False' 'd["snapshots"][0]["lock_held"] is True'
out=$(fs status --json --root "$rroot")
check "status says the lock is held and the file is present" "$out" \
	'd["snapshots"][0]["lock_held"] is True' 'd["snapshots"][0]["entries"][0]["present"]'

# ---- the handle is inherited: a child outlives the parent -----------------
touch "$T/h1/spawn"
wait_for "$T/h1/child/ready" "$h1"
stop_holder "$T/h1" "$h1"
out=$(fs retire --json --root "$rroot")
check "a child holding the inherited handle keeps the snapshot" "$out" \
	'd["snapshots"][0]["removed"] is False' 'd["snapshots"][0]["lock_held"] is True'
touch "$T/h1/child/quit"
for _ in $(seq 100); do
	out=$(fs status --json --root "$rroot")
	printf '%s' "$out" | python3 "$CHECK_JSON" 'not d["snapshots"][0]["lock_held"]' >/dev/null && break
	sleep 0.1
done
out=$(fs retire --json --root "$rroot")
check "after the last holder exits the snapshot is removed" "$out" \
	'd["snapshots"][0]["removed"] is True'
verify "nothing is left in the store but its own files" \
	test -z "$(find "$store" -mindepth 1 -maxdepth 1 ! -name lock ! -name pkgdb.solv)"

# ---- a killed process releases its handle too -----------------------------
start_holder "$T/h2" "$root/usr/bin/two.dll"
h2=$HOLDER_PID
out=$(fs guard --json --root "$rroot" usr/bin/two.dll)
check "guard places the lock in the second holder" "$out" 'd["lock_holders"] == 1'
win_mv "$root/usr/bin/two.dll" "$root/usr/bin/two.dll.old"
cp "$TESTDLL2" "$root/usr/bin/two.dll"
out=$(fs retire --json --post-transaction --root "$rroot")
check "kept while it runs" "$out" 'd["snapshots"][0]["removed"] is False'
kill -9 "$h2"
wait "$h2" 2>/dev/null
for _ in $(seq 100); do
	out=$(fs retire --json --root "$rroot")
	printf '%s' "$out" | python3 "$CHECK_JSON" 'd["snapshots"][0]["removed"]' >/dev/null && break
	sleep 0.1
done
check "removed once the process was killed" "$out" 'd["snapshots"][0]["removed"] is True'

# ---- protect: the loaded DLL's path is freed for a rebuild ----------------
start_holder "$T/h3" "$root/usr/bin/three.dll"
h3=$HOLDER_PID
verify "a loaded DLL cannot be deleted" win_cannot_rm "$root/usr/bin/three.dll"
before=$(stat -c %i "$root/usr/bin/three.dll")
out=$(fs protect --json --root "$rroot" usr/bin/three.dll)
expect_rc "protect" 0 $?
check "protect replaced the path" "$out" 'd["replaced"] == 1' 'd["lock_holders"] == 1'
psnap=$(printf '%s' "$out" | jget 'd["snapshot"]')
verify "the path holds a fresh copy with the same content" \
	cmp -s "$TESTDLL" "$root/usr/bin/three.dll"
verify "the fresh copy is another file" test "$(stat -c %i "$root/usr/bin/three.dll")" != "$before"
verify "the loaded file went aside into the snapshot" \
	test "$(stat -c %i "$store/$psnap/aside/usr/bin/three.dll")" = "$before"
verify "the path can now be deleted (a linker may rewrite it)" win_rm "$root/usr/bin/three.dll"
out=$(fs inuse --json --root "$rroot" "usr/bin/three.dll")
check "nothing maps the path any more" "$out" 'F("/usr/bin/three.dll")["exists"] is False'
stop_holder "$T/h3" "$h3"
out=$(fs retire --json --root "$rroot")
check "retire removes the protect snapshot once the holder is gone" "$out" \
	"[s['removed'] for s in d['snapshots'] if s['name'] == '$psnap'] == [True]"

# ---- protect: the copy's DACL is the original's, never its directory's ----
# Windows gives a new file its directory's inheritable ACEs unless it is
# created with a protected DACL of its own: CopyFileW's copy of a file with
# an owner-only DACL, in a directory whose inheritable ACE grants Everyone
# read, is readable by Everyone.  protect must create its copy with the
# original's DACL (protected).
# Wine keeps no ACL: it maps a DACL to the unix mode bits and renders the
# mode back as a DACL (never marked P).  There a new file gets the umask's
# 0644 (not an inherited ACE), which Wine shows as Everyone read: the same
# leak by another way.  So under Wine these checks compare the DACL text
# Win32 reads back, not access; the SID of Wine's only user is fixed.
me=S-1-5-21-0-0-0-1000
acl=$root/usr/lib/acl
mkdir -p "$acl"
cp "$TESTDLL" "$acl/four.dll"
verify "a directory whose inheritable ACE grants Everyone read" \
	win_set_dacl "$acl" "D:(A;OICI;FA;;;SY)(A;OICI;FA;;;$me)(A;OICI;FR;;;WD)"
verify "a DLL in it with an owner-only protected DACL" \
	win_set_dacl "$acl/four.dll" "D:P(A;;FA;;;SY)(A;;FA;;;$me)"
dacl=$(win_dacl "$acl/four.dll")
verify "  which grants Everyone nothing: $dacl" test -n "$dacl" -a "${dacl#*;WD)}" = "$dacl"
start_holder "$T/h6" "$acl/four.dll"
h6=$HOLDER_PID
out=$(fs protect --json --root "$rroot" usr/lib/acl/four.dll)
expect_rc "protect of the owner-only DLL" 0 $?
check "  it replaced the path" "$out" 'd["replaced"] == 1'
after=$(win_dacl "$acl/four.dll")
verify "  the copy's DACL is the original's: $after" test "$after" = "$dacl"
verify "  and grants Everyone nothing" test -n "$after" -a "${after#*;WD)}" = "$after"
verify "  with the same content" cmp -s "$TESTDLL" "$acl/four.dll"
stop_holder "$T/h6" "$h6"

# ---- hold: a command run holding a snapshot's lock ------------------------
start_holder "$T/h4" "$root/usr/bin/two.dll"
h4=$HOLDER_PID
out=$(fs guard --json --root "$rroot" usr/bin/two.dll)
hsnap=$(printf '%s' "$out" | jget 'd["snapshot"]')
stop_holder "$T/h4" "$h4"
mkdir -p "$T/h5"
fs hold --root "$rroot" "$hsnap" -- "$(winp "$HOLDER")" "$(winp "$T/h5")" &
hold=$!
PIDS+=("$hold")
wait_for "$T/h5/ready" "$hold"
out=$(fs status --json --root "$rroot")
check "the command run by hold holds the snapshot's lock" "$out" \
	"[s['lock_held'] for s in d['snapshots'] if s['name'] == '$hsnap'] == [True]"
touch "$T/h5/quit"
wait "$hold"
expect_rc "hold gives the command's exit status" 0 $?
out=$(fs status --json --root "$rroot")
check "released when the command ends" "$out" \
	"[s['lock_held'] for s in d['snapshots'] if s['name'] == '$hsnap'] == [False]"
fs hold --root "$rroot" snap-nonexistent -- "$(winp "$HOLDER")" "$(winp "$T/h5")" 2>"$T/err"
expect_rc "hold of a snapshot that does not exist" 2 $?
verify "with a one-line error" test "$(wc -l <"$T/err")" = 1
finish
