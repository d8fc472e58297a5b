#!/usr/bin/env bash
# test_terminal.sh - CLASS: names that steer root's terminal (docs/security.md).
# A local user runs a program whose file name (so its comm and exe) holds
# escape sequences, and maps libraries whose names hold ESC, a newline, a
# C1 control as UTF-8 (U+009B, CSI) and a raw C1 byte (0x9b).  Every line
# forksafe writes for people (ps, inuse, guard, status, report, retire, the
# hook's warnings, error lines) must carry no control byte but its own
# newline, no DEL, no C1 control, no invalid UTF-8: each shown as \ooo.
# JSON stays exact: the same names, byte for byte.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/../integration/lib.sh"
need_attacker

E=$'\e]2;pwned\a\e[2J'                       # retitles the window, clears it
EVIL=$T/evil
LIB1=$EVIL/lib$'\e[31m\n'x$'\xc2\x9b'2Jy.so  # ESC, newline, CSI as UTF-8
LIB2=$EVIL/lib$'\x9b'raw.so                  # CSI as a raw byte (invalid UTF-8)
PROG=$EVIL/$E
mkdir -m 0755 "$EVIL"
chown "$ATTACKER_UID:$ATTACKER_GID" "$EVIL"
# shellcheck disable=SC2016
as_attacker sh -c 'cp "$1" "$2" && cp "$1" "$3" && cp "$4" "$5" && ln -s "loop$6" "$7/loop$6"' sh \
	"$TESTLIB" "$LIB1" "$LIB2" "$MAPPER" "$PROG" "$E" "$EVIL" ||
	{ echo "the attacker could not plant her files"; exit 1; }
# (setpriv itself, not the as_attacker function: $! must be the program)
setpriv --reuid="$ATTACKER_UID" --regid="$ATTACKER_GID" --clear-groups --inh-caps=-all \
	"$PROG" "$EVIL/ready" "$LIB1" "$LIB2" &
PIDS+=($!)
PID=$!
wait_for "$EVIL/ready" "$PID"
export LIB1 PROG E PID

# clean NAME FILE : FILE is safe for a terminal, and shows NAME's text escaped
clean() {
	python3 - "$2" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit(f"invalid UTF-8 at byte {e.start}: {data[max(0, e.start - 20):e.start + 20]!r}")
bad = [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f]
if bad:
    sys.exit(f"raw control characters: {bad[:5]!r}")
EOF
	local rc=$?
	if [ "$rc" = 0 ] && grep -q "$1" "$2"; then
		pass "text is clean: $3"
	else
		fail "text is not clean: $3"
		head -c 600 "$2" | od -c | head -12
	fi
}

COMM='\\033\]2;pwned\\007\\033\[2J'                  # how the comm must show
L1='lib\\033\[31m\\012x\\302\\2332Jy\.so'            # and LIB1's name
L2='lib\\233raw\.so'

"$FORKSAFE" ps >"$T/ps" 2>&1
clean "$PID $COMM (uid $ATTACKER_UID) .*/evil/$COMM" "$T/ps" "ps"
verify "ps shows the libraries escaped" grep -q "$L1.*$L2\|$L2.*$L1" <(tr '\n' ' ' <"$T/ps")
"$FORKSAFE" ps --brief >"$T/psb" 2>&1
clean "$PID $COMM" "$T/psb" "ps --brief"
"$FORKSAFE" inuse "$LIB1" "$LIB2" >"$T/inuse" 2>&1
clean "$L2: in use by 1 process" "$T/inuse" "inuse"
"$FORKSAFE" guard --store "$T/store" "$LIB1" "$LIB2" >"$T/guard" 2>&1
clean "forksafe: kept 2 files mapped 2 times, in snap-.*" "$T/guard" "guard"
"$FORKSAFE" status --store "$T/store" >"$T/status" 2>&1
clean "mapped by $PID $COMM" "$T/status" "status"
rm -f "$LIB1" # the package manager removes it: who runs it now?
"$FORKSAFE" report --store "$T/store" >"$T/report" 2>&1
clean "$PID $COMM" "$T/report" "report"
verify "report names the library escaped" grep -q "$L1" "$T/report"
"$FORKSAFE" retire --dry-run --store "$T/store" >"$T/retire" 2>&1
clean "forksafe: .*" "$T/retire" "retire"
# error lines embed paths: fs_err messages and the CLI's own
"$FORKSAFE" inuse --root "$T/no$E" x >"$T/err1" 2>&1
clean "forksafe inuse: root .*/no$COMM: No such file or directory" "$T/err1" "error line (fs_err)"
"$FORKSAFE" "frob$E" >"$T/err2" 2>&1
clean "forksafe: 'frob$COMM' is not a command" "$T/err2" "error line (CLI)"
# the hook's warning lines (pacman shows them to the administrator)
printf '%s\n' "${EVIL#/}/loop$E" |
	"$FORKSAFE" hook pre-transaction --store "$T/store2" --config /dev/null >"$T/hook" 2>&1
clean "forksafe: warning: skipped .*/evil/loop$COMM: too many levels of symbolic links" "$T/hook" "hook warning"
printf 'strict = maybe %s\n' "$E" >"$T/bad.conf"
"$FORKSAFE" hook post-transaction --store "$T/store3" --config "$T/bad.conf" >"$T/hook2" 2>&1
clean "forksafe: warning: .*; going on with the defaults" "$T/hook2" "hook configuration warning"

# JSON is exact: the names byte for byte (LIB1 is valid UTF-8)
check "ps --json: comm, exe and image names exact" "$("$FORKSAFE" ps --json)" \
	'[p for p in d["processes"] if p["pid"] == int(os.environ["PID"])][0]["comm"] == os.environ["E"]' \
	'[p for p in d["processes"] if p["pid"] == int(os.environ["PID"])][0]["exe"] == os.environ["PROG"]'
check "status --json: entry path and holder exact" "$("$FORKSAFE" status --json --store "$T/store")" \
	'os.environ["LIB1"] in [e["path"] for s in d["snapshots"] for e in s["entries"]]' \
	'os.environ["E"] in [h["comm"] for s in d["snapshots"] for e in s["entries"] for h in e["held_by"]]'
check "report --json: the removed image exact" "$("$FORKSAFE" report --json --store "$T/store")" \
	'os.environ["LIB1"] in [i["path"] for g in d["packages"] for p in g["processes"] for i in p["images"]]'
finish
