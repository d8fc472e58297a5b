#!/usr/bin/env bash
# test_completion.sh - the bash completion forksafe-gen writes, driven as
# bash drives it (COMP_WORDS, COMP_CWORD, _forksafe, COMPREPLY): commands,
# each command's own options, option values, the hook's words, and hold's
# snapshot names read from `forksafe status --json` of the given root.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

C=$BUILD_DIR/generated/forksafe.bash
[ -f "$C" ] || { echo "skipped: no generated completion (cross build)"; exit 77; }
verify "the completion passes shellcheck" shellcheck -s bash "$C"
# shellcheck source=/dev/null
. "$C"
verify "it is registered for forksafe" has "$(complete -p forksafe)" "complete -F _forksafe forksafe"

# answers WORD... : completing the last word after "$FORKSAFE", sorted
answers() {
	COMP_WORDS=("$FORKSAFE" "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_forksafe
	printf '%s\n' "${COMPREPLY[@]}" | sort -u | sed '/^$/d'
}
# same WANT WORD... : the answers are exactly WANT (lines)
same() {
	local want=$1 got
	shift
	got=$(answers "$@")
	if [ "$got" = "$want" ]; then pass "complete '$*': $(echo "$got" | tr '\n' ' ')"
	else fail "complete '$*': got [$(echo "$got" | tr '\n' ' ')], want [$(echo "$want" | tr '\n' ' ')]"; fi
}

same $'plan\nprotect\nps' p
same $'--help\n--version' --
same $'post-transaction\npre-transaction' hook ""
same 'post-transaction' hook --root / po
same $'--config' hook --co
same $'--help\n--root\n--store' hold --
same $'--all-in-use\n--archive' guard --a
same '' retire --dry-run x          # retire takes no operands
same '' inuse --threads ""          # a number: nothing to offer
same '-u' plan -u
same "$(printf -- '--%s\n' archive help json package root stdin threads)" inuse --

mkdir -p "$T/root/dir1" "$T/root/dir2"
: >"$T/root/file1"
same "$T/root/dir1"$'\n'"$T/root/dir2" guard --root "$T/root/d"
same "$T/root/dir1"$'\n'"$T/root/dir2" status --store "$T/root/d"
same "$T/root/dir1"$'\n'"$T/root/dir2"$'\n'"$T/root/file1" hook --config "$T/root/"
same "$T/root/dir1"$'\n'"$T/root/dir2"$'\n'"$T/root/file1" inuse --root / "$T/root/"
# after "--" every word is an operand: a file, never an option
same "$T/root/file1" inuse -- "$T/root/f"
same '' inuse -- --ro

# hold: the snapshots of the root given on the line, then "--", then a command
R=$T/root
mkdir -p "$R/usr/lib"
cp "$TESTLIB" "$R/usr/lib/libdemo.so"
start_mapper "$T/ready" "$R/usr/lib/libdemo.so"
snap=$(jget "$("$FORKSAFE" guard --json --root "$R" usr/lib/libdemo.so)" 'd["snapshot"]')
verify "guard made a snapshot to complete" has "$snap" 'snap-[0-9-]+'
same "$snap" hold --root "$R" ""
same "$snap" hold --root "$R" --store "$R/var/lib/forksafe" sn
same '' hold --root "$R" nosuch
same '' hold --root "$T/root/dir1" ""       # another root: its store has none
same -- hold --root "$R" "$snap" ""
if answers hold --root "$R" "$snap" -- bas | grep -qx bash; then
	pass "after -- a command (bash) is offered"
else
	fail "after -- no command is offered"
fi
same "$T/root/dir1"$'\n'"$T/root/dir2" hold --root "$R" "$snap" -- ls "$T/root/d"
# hold's options end at SNAPSHOT: CMD's options are not forksafe's
same '' hold --root "$R" "$snap" --ro
finish
