#!/usr/bin/env bash
# owner.sh - `forksafe owner` against `pacman -Qo` on a pacman local database
# of P packages with F files each (written in pacman's local-db format), side
# by side and interleaved (bench/measure.py).  pacman -Qo takes the path
# with the root in front, forksafe the path inside --root.  Each asks for a file of the
# first, the middle and the last package (pacman stops at the owner it
# finds) and one file no package owns.  forksafe runs with its .solv cache
# warm, as every lookup after the first does.
#
# usage: bench/owner.sh BUILD_DIR [P [F]]
# env:   RUNS (default 15)
set -euo pipefail

B=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
P=${2:-1000}
F=${3:-100}
RUNS=${RUNS:-15}
W=$(mktemp -d /tmp/forksafe-bench-owner.XXXXXX)
trap 'rm -rf "$W"' EXIT

R=$W/root
L=$R/var/lib/pacman/local
mkdir -p "$L" "$R/usr/share/unowned"
echo 9 >"$L/ALPM_DB_VERSION"
for ((p = 0; p < P; p++)); do
	n=$(printf 'pkg%04d' "$p")
	mkdir "$L/$n-1.0-1"
	printf '%%NAME%%\n%s\n\n%%VERSION%%\n1.0-1\n\n%%ARCH%%\nx86_64\n\n%%BUILDDATE%%\n1700000000\n\n%%INSTALLDATE%%\n1700000000\n\n%%SIZE%%\n1024\n\n%%REASON%%\n1\n\n' \
		"$n" >"$L/$n-1.0-1/desc"
	{
		printf '%%FILES%%\nusr/\nusr/lib/\nusr/lib/%s/\n' "$n"
		for ((f = 0; f < F; f++)); do printf 'usr/lib/%s/lib%s-%03d.so\n' "$n" "$n" "$f"; done
		printf '\n'
	} >"$L/$n-1.0-1/files"
done
name() { printf '/usr/lib/pkg%04d/libpkg%04d-%03d.so' "$1" "$1" "$2"; }
first=$(name 0 0)
mid=$(name $((P / 2)) $((F / 2)))
last=$(name $((P - 1)) $((F - 1)))
none=/usr/share/unowned/file
for f in $first $mid $last $none; do mkdir -p "$R$(dirname "$f")" && : >"$R$f"; done

PAC="pacman --root $R --dbpath $R/var/lib/pacman --config /dev/null -Qo"
OWN="$B/forksafe owner --root $R --store $W/store"
echo "== owner lookup: $P packages x $F files =="
[ "$($PAC "$R$mid" 2>/dev/null | awk '{print $5}')" = "$(printf 'pkg%04d' $((P / 2)))" ] ||
	{ echo "pacman -Qo gives another answer" >&2; exit 1; }
$OWN "$mid" | grep -q "owned by $(printf 'pkg%04d' $((P / 2))) " ||
	{ echo "forksafe owner gives another answer" >&2; exit 1; }
for which in first mid last none; do
	f=${!which}
	echo "-- a file of the $which package ($f)"
	python3 "$HERE/measure.py" "$RUNS" "pacman=$PAC $R$f" "forksafe=$OWN $f"
done
echo "-- forksafe without its cache (the loader module reads the database each time;"
echo "   the sh that removes the cache first costs ~2 ms of this)"
python3 "$HERE/measure.py" "$RUNS" "pacman=$PAC $R$mid" \
	"uncached=sh -c 'rm -f $W/store/pkgdb.solv; exec $OWN $mid'"
