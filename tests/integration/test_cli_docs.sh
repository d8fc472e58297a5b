#!/usr/bin/env bash
# test_cli_docs.sh - every command and option the CLI's tables declare
# (forksafe-gen list) is in `forksafe CMD --help`, in forksafe(1), in the
# bash completion and in docs/cli.md; every key of /etc/forksafe.conf is in
# forksafe.conf(5) and docs/hooks.md; both pages pass `mandoc -T lint` and
# render with `man -l`.  So none of them can drift from what forksafe parses.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_tools mandoc man

G=$BUILD_DIR/generated
[ -x "$FORKSAFE_GEN" ] || { echo "skipped: no forksafe-gen (cross build)"; exit 77; }
verify "forksafe(1) and forksafe.conf(5) pass mandoc -T lint" \
	mandoc -T lint "$G/forksafe.1" "$G/forksafe.conf.5"
# wide enough that no option is hyphenated across lines
man1=$(LC_ALL=C MANWIDTH=250 man -l "$G/forksafe.1" 2>"$T/man.err")
verify "man -l renders forksafe(1) without a message" test ! -s "$T/man.err"
man5=$(LC_ALL=C MANWIDTH=250 man -l "$G/forksafe.conf.5" 2>"$T/man.err")
verify "man -l renders forksafe.conf(5) without a message" test ! -s "$T/man.err"
list=$("$FORKSAFE_GEN" - list)
verify "the tables list commands, options and keys" \
	has "$list" "command ps" "option guard --copy-budget" "option plan -u" "key strict"

# shellcheck source=/dev/null
. "$G/forksafe.bash"
# complete WORD... : the answers to completing the last word, one a line
complete_words() {
	COMP_WORDS=(forksafe "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_forksafe
	printf '%s\n' "${COMPREPLY[@]}"
}
# section FILE-TEXT START-REGEX END-REGEX : the lines from START to before END
section() { awk -v s="$2" -v e="$3" '$0 ~ s { on = 1; print; next } on && $0 ~ e { exit } on' <<<"$1"; }

cli_md=$(cat "$SOURCE_DIR/docs/cli.md")
usage=$("$FORKSAFE" --help)
commands=$(complete_words "")
n=0
while read -r kind cmd opt; do
	case $kind in
	command)
		grep -qE "^  $cmd " <<<"$usage" || fail "$cmd: not in forksafe --help"
		grep -qx "   forksafe $cmd" <<<"$man1" || fail "$cmd: no section in forksafe(1)"
		grep -qx "$cmd" <<<"$commands" || fail "$cmd: not completed"
		grep -qx "## forksafe $cmd" <<<"$cli_md" || fail "$cmd: no section in docs/cli.md"
		help=$("$FORKSAFE" "$cmd" --help) || fail "$cmd --help: exit $?"
		man=$(section "$man1" "^   forksafe $cmd\$" "^(   forksafe |[A-Z])")
		doc=$(section "$cli_md" "^## forksafe $cmd\$" "^## ")
		opts=$(complete_words "$cmd" -)
		;;
	option)
		n=$((n + 1))
		re="(^|[^a-z-])$opt([^a-z-]|\$)"
		grep -qE -- "$re" <<<"$help" || fail "$cmd $opt: not in forksafe $cmd --help"
		grep -qE -- "$re" <<<"$man" || fail "$cmd $opt: not in forksafe(1)'s $cmd section"
		grep -qx -- "$opt" <<<"$opts" || fail "$cmd $opt: not completed"
		grep -qE -- "$re" <<<"$doc" || fail "$cmd $opt: not in docs/cli.md's $cmd section"
		;;
	key)
		grep -qE "^       $cmd = " <<<"$man5" || fail "key $cmd: not in forksafe.conf(5)"
		grep -qE "^$cmd = " "$SOURCE_DIR/docs/hooks.md" || fail "key $cmd: not in docs/hooks.md"
		;;
	esac
done <<<"$list"
verify "$n options of $(grep -c '^command' <<<"$list") commands checked" test "$n" -gt 20

# an option a command does not take is in none of them (hold takes no --json)
if "$FORKSAFE" hold --help | grep -q -- --json || complete_words hold - | grep -qx -- --json; then
	fail "hold's --help or completion offers --json, which hold refuses"
else
	pass "hold's --help and completion do not offer --json"
fi
finish
