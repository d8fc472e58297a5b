#!/usr/bin/env bash
# test_cli_errors.sh - bad input gets one clear line on stderr and exit 2.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

# expect_error DESCRIPTION PATTERN STDIN-FILE ARGS...
expect_error() {
	local what=$1 pattern=$2 in=$3
	shift 3
	"$FORKSAFE" "$@" <"$in" >"$T/out" 2>"$T/err"
	local rc=$? lines
	lines=$(wc -l <"$T/err")
	if [ "$rc" = 2 ] && [ "$lines" = 1 ] && grep -q -- "$pattern" "$T/err" && [ ! -s "$T/out" ]; then
		pass "$what: $(cat "$T/err")"
	else
		fail "$what: exit $rc, stderr: $(cat "$T/err")"
	fi
}

# expect_skipped DESCRIPTION LINE-REGEX STDIN-FILE ARGS... : a target that
# names no file is one line of the answer, the others are answered, and
# "none in use" is not claimed (exit 3); no error line.
expect_skipped() {
	local what=$1 pattern=$2 in=$3
	shift 3
	"$FORKSAFE" "$@" <"$in" >"$T/out" 2>"$T/err"
	local rc=$?
	if [ "$rc" = 3 ] && has "$(cat "$T/out")" "$pattern" && ! grep -v warning "$T/err"; then
		pass "$what: $(grep skipped "$T/out")"
	else
		fail "$what: exit $rc, stdout: $(cat "$T/out"), stderr: $(cat "$T/err")"
	fi
}

mkdir "$T/root"
touch "$T/root/file"
head -c 5000 /dev/zero | tr '\0' a >"$T/long"
printf 'ok\nbad\0name\n' >"$T/nul"
printf 'file\n../../etc/passwd\n' >"$T/escape"
: >"$T/empty"

expect_error "no command" "no command given" /dev/null
expect_error "unknown command" "not a command" /dev/null frobnicate
expect_error "unknown option" "unknown option '--bogus'" /dev/null inuse --bogus x
expect_error "option without value" "needs a value" /dev/null inuse --root
expect_error "no targets" "no files given" /dev/null inuse
expect_error "missing root" "root /nonexistent" /dev/null inuse --root /nonexistent x
expect_error "stdin is a directory" "cannot read targets" / inuse --stdin
expect_skipped "overlong line" "a{128}: skipped: target line 1 is longer than 4096 bytes" "$T/long" inuse --stdin --root "$T/root"
expect_skipped "NUL byte" "bad: skipped: target line 2 contains a NUL byte" "$T/nul" inuse --stdin --root "$T/root"
expect_skipped "'..' leaving the root (stdin)" "\\.\\./\\.\\./etc/passwd: skipped: leaves the root through '\\.\\.'" "$T/escape" inuse --stdin --root "$T/root"
expect_skipped "'..' leaving the root (argument)" "\\.\\./x: skipped: leaves the root through '\\.\\.'" /dev/null inuse --root "$T/root" ../x
expect_error "bad --threads" "--threads takes" /dev/null ps --threads 0
expect_error "ps with an argument" "unexpected argument" /dev/null ps extra
# a common option only where the command uses it (one option table)
expect_error "hold takes no --json" "unknown option '--json'" /dev/null hold --json snap -- true
expect_error "hold takes no --threads" "unknown option '--threads'" /dev/null hold --threads 2 snap -- true
expect_error "hook takes no --json" "unknown option '--json'" /dev/null hook --json post-transaction
expect_error "owner takes no --threads" "unknown option '--threads'" /dev/null owner --threads 2 /
expect_error "enable takes no --store" "unknown option '--store'" /dev/null enable --store /tmp
expect_error "bad --copy-budget" "--copy-budget takes a size" /dev/null guard --copy-budget 1X x
expect_error "--package with --archive" "cannot be combined" /dev/null inuse --package --archive x
expect_error "hook word" "neither pre-transaction nor post-transaction" /dev/null hook prX-transaction

# an empty target list is a valid, empty question
out=$("$FORKSAFE" inuse --json --stdin <"$T/empty")
rc=$?
check "empty stdin" "$out" 'd["files"] == []'
expect_rc "empty stdin" "$(idle_rc "$out")" "$rc"
verify "--version" has "$("$FORKSAFE" --version)" "forksafe [0-9.]+ .*"
verify "inuse --help" has "$("$FORKSAFE" inuse --help)" "exit status.*"
finish
