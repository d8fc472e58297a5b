# shellcheck shell=bash
# wine.sh - helpers for the Wine tests (sourced after ../integration/lib.sh).
# Environment from CTest: WINE, FORKSAFE_EXE, HOLDER, TESTDLL, TESTDLL2,
# WINEPREFIX (the fixture's server is running).

# win PROGRAM ARGS... : a Windows program through Wine; with WINE empty (a
# script that can run on Windows itself, from an MSYS2 or Cygwin shell:
# test_wine_replay.sh) directly.
win() { if [ -n "${WINE:-}" ]; then "$WINE" "$@"; else "$@"; fi; }

# Windows name of a Linux path: Wine's Z: drive is the Linux root (on
# Windows: cygpath).
winp() { if [ -n "${WINE:-}" ]; then printf 'Z:%s' "$1"; else cygpath -w "$1"; fi; }

# fs ARGS... : forksafe.exe under Wine.
fs() { win "$FORKSAFE_EXE" "$@"; }

# start_holder DIR DLL... : holder.exe loading the DLLs (Linux paths);
# waits until they are loaded.  HOLDER_PID: its Wine process.
start_holder() {
	local dir=$1 args=()
	shift
	mkdir -p "$dir"
	for d in "$@"; do args+=("$(winp "$d")"); done
	"$WINE" "$HOLDER" "$(winp "$dir")" "${args[@]}" &
	HOLDER_PID=$!
	PIDS+=("$HOLDER_PID")
	wait_for "$dir/ready" "$HOLDER_PID"
}

# stop_holder DIR PID : asks it to quit and waits, up to 10 s, for its
# process to be gone (what it held, a mutex's name, is free once Wine's
# process has exited); fails the test when it is not.
stop_holder() {
	local st
	touch "$1/quit"
	for _ in $(seq 200); do
		st=$(sed 's/.*) //' "/proc/$2/stat" 2>/dev/null | cut -c1)
		if [ -z "$st" ] || [ "$st" = Z ]; then
			wait "$2" 2>/dev/null || true
			return 0
		fi
		sleep 0.05
	done
	echo "process $2 did not quit within 10 s"
	exit 1
}

# win_mv FROM TO : renames through Win32 (MoveFileExW), as an installer
# does; Wine follows the open file only through its own calls.
win_mv() { win "$HOLDER" --rename "$(winp "$1")" "$(winp "$2")"; }

# win_rm FILE : DeleteFileW; fails for a loaded DLL and its hardlinks.
win_rm() { win "$HOLDER" --delete "$(winp "$1")"; }
win_cannot_rm() { ! win_rm "$1" 2>/dev/null; }

# win_set_dacl PATH SDDL : SetFileSecurityW(DACL) of PATH; win_dacl PATH : its DACL
# as SDDL, as Win32 reads it back (under Wine: its rendering of the unix mode).
win_set_dacl() { "$WINE" "$HOLDER" --set-dacl "$(winp "$1")" "$2"; }
win_dacl() { "$WINE" "$HOLDER" --dacl "$(winp "$1")" | tr -d '\r'; }
