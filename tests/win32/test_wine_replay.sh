#!/usr/bin/env bash
# The Cygwin/MSYS2 runtime's fork retry replayed under Wine (replay.exe,
# see replay.c): which DLL does a forked child get after an upgrade?
#
# Each cell of the matrix is a fresh installation R:\<cell> (drive R: is a
# directory of its own, a volume with its own root and recycle bin) with
# usr/bin/replay.exe (the "Cygwin program"), usr/bin/msys-2.0.dll (a stand-in
# for the runtime, so that `forksafe enable` recognises the installation)
# and usr/bin/msys-foo.dll (replay42: the old version), which replay.exe
# dlopen()s.  The cell then:
#   1. turns the retry on with `forksafe enable` before the installation's
#      first process starts ("start"), or after one already runs ("late":
#      a long-lived process of the installation, as sshd or a mintty);
#   2. starts the process that loads msys-foo.dll;
#   3. runs `forksafe guard` on it, or not;
#   4. replaces msys-foo.dll as
#        pacman: MSYS2 pacman (the runtime's unlink: rename into
#                R:\$Recycle.Bin\<SID>\, delete refused), new file at the path;
#        setup:  Cygwin setup.exe (delete and overwrite refused: the old
#                file stays, the new one waits as .new for a reboot);
#        aside:  a rename aside (msys-foo.dll.old) and a new file;
#        rm:     WINE ONLY: the last name removed from the host (`rm`),
#                new file at the path -- a state NTFS never allows;
#   5. forks, and asserts which version the child got, after how many
#      attempts.
# The new DLL is replay44 (another image base: the runtime's first child
# notices the change, so the retry decides), except in the row that shows
# what no retry can catch: replay43 at the old DLL's address.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../integration/lib.sh"
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/wine.sh"

vol=$T/vol
mkdir -p "$vol"
if [ -n "${WINE:-}" ]; then
	ln -sfn "$vol" "$WINEPREFIX/dosdevices/r:"
	CLEANUPS+=("rm -f '$WINEPREFIX/dosdevices/r:'")
else
	# On Windows itself (docs/windows.md, "What only Windows can tell"):
	# WINE empty, from an MSYS2 or Cygwin shell, R: a subst drive.
	subst R: "$(cygpath -w "$vol")" || { echo "cannot subst R:"; exit 1; }
	CLEANUPS+=("MSYS2_ARG_CONV_EXCL='*' subst R: /D")
fi
MATRIX=()

# wait_file FILE PID : as wait_for, but up to 60 s (Wine starts slowly
# when the machine is busy)
wait_file() {
	for _ in $(seq 1200); do
		[ -e "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || { echo "process $2 died"; return 1; }
		sleep 0.05
	done
	echo "timed out waiting for $1"
	return 1
}

# new_installation NAME : R:\NAME with the exe, the runtime stand-in and
# the old DLL
new_installation() {
	local r=$vol/$1
	mkdir -p "$r/usr/bin"
	cp "$REPLAY" "$r/usr/bin/replay.exe"
	cp "$DLL42" "$r/usr/bin/msys-2.0.dll"
	cp "$DLL42" "$r/usr/bin/msys-foo.dll"
}

# enable NAME : forksafe enable; the directory must exist afterwards (its
# exit status and words about running processes are enable's own tests')
enable() {
	fs enable --root "R:/$1" >/dev/null 2>&1
	verify "$1: forksafe enable made var/run/cygfork" test -d "$vol/$1/var/run/cygfork"
}

# replace HOW NAME NEWDLL : replace usr/bin/msys-foo.dll of R:\NAME
replace() {
	local how=$1 r=$vol/$2 new=$3 dll="R:\\$2\\usr\\bin\\msys-foo.dll"
	case $how in
	pacman)
		verify "$2: pacman moves it into the recycle bin, its delete refused" \
			win "$r/usr/bin/replay.exe" pacman-unlink "$dll"
		cp "$new" "$r/usr/bin/msys-foo.dll" ;;
	setup)
		verify "$2: setup.exe's delete and overwrite are refused" \
			win "$r/usr/bin/replay.exe" setup-replace "$dll" "$(winp "$new")" ;;
	aside)
		verify "$2: renamed aside" win_mv "$r/usr/bin/msys-foo.dll" "$r/usr/bin/msys-foo.dll.old"
		cp "$new" "$r/usr/bin/msys-foo.dll" ;;
	rm)
		rm "$r/usr/bin/msys-foo.dll" # WINE ONLY: NTFS keeps a mapped image's last name
		cp "$new" "$r/usr/bin/msys-foo.dll" ;;
	esac
}

# links_ok NAME OLDINO : the retry's directory is named as the
# runtime names it and links the old DLL by its file ID
links_ok() {
	local base=$vol/$1/var/run/cygfork d id
	id=$(printf '%016X' "$2")
	d=$(find "$base" -mindepth 2 -maxdepth 2 -type d | head -n 1)
	[[ $d =~ /S-1-5-[0-9-]+/[0-9A-F]{16}@[0-9A-F]{16}$ ]] || { echo "  no $base/<SID>/<exe id>@<pid><tid>"; return 1; }
	[ -f "$d/replay.exe.local" ] || { echo "  no replay.exe.local"; return 1; }
	[ "$(stat -c %i "$d/replay.exe")" = "$(stat -c %i "$vol/$1/usr/bin/replay.exe")" ] ||
		{ echo "  replay.exe is not linked"; return 1; }
	[ "$(stat -c %i "$d/$id/msys-foo.dll" 2>/dev/null)" = "$2" ] ||
		{ echo "  $d/$id/msys-foo.dll is not the old DLL"; return 1; }
}

# cell NAME HOW GUARD(yes|no) CYGFORK(start|late|restart) NEWDLL WANT
# WANT is replay.exe's result line: "version 42 attempts 2", ...
cell() {
	local name=$1 how=$2 guard=$3 when=$4 new=$5 want=$6
	local r=$vol/$name d=$T/$name holder="" run got old out
	echo "---- $name: $how, guard $guard, cygfork $when"
	new_installation "$name"
	mkdir -p "$d/hold" "$d/run"
	if [ "$when" = start ]; then
		enable "$name"
	else
		win "$r/usr/bin/replay.exe" hold "R:\\$name" "$(winp "$d/hold")" &
		holder=$!
		PIDS+=("$holder")
		wait_file "$d/hold/ready" "$holder" || { fail "$name: the holder did not start"; return; }
		verify "$name: the installation's first process finds no cygfork: retry off" \
			grep -q "retry off" "$d/hold/ready"
		enable "$name"
		if [ "$when" = restart ]; then
			# every process of the installation exits: the next first
			# process decides again
			touch "$d/hold/quit"
			wait "$holder" 2>/dev/null
			holder=""
		fi
	fi
	old=$(stat -c %i "$r/usr/bin/msys-foo.dll")
	win "$r/usr/bin/replay.exe" run "R:\\$name" "R:\\$name\\usr\\bin\\msys-foo.dll" \
		"$(winp "$d/run")" >"$d/out" 2>&1 &
	run=$!
	PIDS+=("$run")
	wait_file "$d/run/ready" "$run" || { fail "$name: replay.exe did not start"; cat "$d/out"; return; }
	if [ "$guard" = yes ]; then
		out=$(fs guard --json --root "R:/$name" usr/bin/msys-foo.dll)
		check "$name: forksafe guard keeps the loaded DLL" "$out" \
			'[e["path"] for e in d["kept"]] == ["/usr/bin/msys-foo.dll"]'
	fi
	replace "$how" "$name" "$new"
	touch "$d/run/fork"
	wait_file "$d/run/result" "$run" || { fail "$name: no result"; cat "$d/out"; return; }
	got=$(tr -d '\r' <"$d/run/result")
	if [ "$got" = "$want" ]; then
		pass "$name: $got"
	else
		fail "$name: $got, want $want"
		sed 's/^/  | /' "$d/out"
	fi
	if [ -z "${WINE:-}" ] && grep -q "^  wine: " "$d/out"; then
		fail "$name: a file ID did not open relative to the volume, as the runtime opens it"
	fi
	if [ "$want" = "version 42 attempts 2" ]; then
		if links_ok "$name" "$old"; then
			pass "$name: the retry linked the old DLL by its ID under cygfork\\<SID>\\<exe id>@<pid><tid>"
		else
			fail "$name: the retry's links"
		fi
	fi
	touch "$d/run/quit"
	wait "$run" 2>/dev/null
	if [ -n "$holder" ]; then
		touch "$d/hold/quit"
		wait "$holder" 2>/dev/null
	fi
	MATRIX+=("$(printf '%-7s %-5s %-8s %-22s -> %s' "$how" "$guard" "$when" "$(basename "$new")" "$got")")
}

# ---- the matrix: only states NTFS allows ----------------------------------
retry="version 42 attempts 2" fails="version none attempts 1" kept="version 42 attempts 1"
for how in pacman setup aside; do
	for guard in no yes; do
		for when in start late; do
			want=$retry
			[ "$when" = late ] && want=$fails
			[ "$how" = setup ] && want=$kept
			cell "$how-$guard-$when" "$how" "$guard" "$when" "$DLL44" "$want"
		done
	done
done
# the retry off at first, on for the next first process once every process
# of the installation has exited
cell pacman-no-restart pacman no restart "$DLL44" "$retry"
# a new DLL that lands where the old one was: the first child runs the NEW
# code, the retry never starts -- guard or not
cell pacman-same-address pacman no start "$DLL43" "version 43 attempts 1"
cell pacman-same-address-guard pacman yes start "$DLL43" "version 43 attempts 1"

# ---- WINE ONLY: the last name removed (NTFS refuses this) -------------------
# Without a second name the old file cannot be found by its ID; guard's
# hardlink in the store is such a name.  (On Windows `rm` is the runtime's
# unlink, which moves the file into the recycle bin: not this state.)
if [ -n "${WINE:-}" ]; then
	cell wineonly-rm-no rm no start "$DLL44" "version none attempts 2"
	cell wineonly-rm-guard rm yes start "$DLL44" "$retry"
fi

echo "---- matrix (replacement, guard, cygfork, new DLL -> result) ----"
printf '%s\n' "${MATRIX[@]}"
finish
