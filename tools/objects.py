"""objects.py - the compiled objects of a source tree and their symbols,
for the checks that read them (include-cycles.py, header-homes.py)."""
import os
import subprocess


def objects(objdirs, root):
    """(object path, its source relative to root: "core/store.c") for each
    object of root's sources below objdirs (CMake's SRC.c.o / SRC.c.obj)."""
    marker = os.path.basename(os.path.normpath(root)) + os.sep
    for objdir in objdirs:
        for d, _, files in os.walk(objdir):
            for f in files:
                if not f.endswith(('.c.o', '.c.obj')):
                    continue
                path = os.path.join(d, f)
                at = path.find(marker)
                if at >= 0:
                    yield path, path[at + len(marker):].rsplit('.', 1)[0]


def symbols(obj, undefined):
    """The symbols obj defines (code and data), or with undefined those it uses."""
    args = [os.environ.get('NM') or 'nm', '--undefined-only' if undefined else '--defined-only', obj]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and (undefined or parts[-2] in 'TDBRV'):
            names.add(parts[-1])
    return names
