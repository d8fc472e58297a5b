#!/usr/bin/env python3
"""header-homes.py - is every function a header declares defined where the header says?

usage: tools/header-homes.py PLUGIN_DIR HEADER... -- OBJECT_DIR...

For each HEADER (e.g. plugin/core/*.h), the functions (and extern objects)
it declares are looked up in the objects below the OBJECT_DIRs (nm; $NM
names the nm to use).  A declaration is at home when the defining source
file has the header's name (store.h: store.c), or when the header's first
comment names that file ("snapshot.c implements ...") or its directory
("plugin/os/linux/", spelt so).  Prints each declaration that is not, and
"declared, defined nowhere" for one no object defines (a backend this build
does not compile, or dead code).  Exit status 1 when a declaration is not
at home, else 0.
"""
import os
import re
import sys

from objects import objects, symbols

COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)
DECL = re.compile(r'\b(fs_[A-Za-z0-9_]+)\s*(\(|\[)')


def declared(text):
    body = COMMENT.sub(' ', text)
    body = re.sub(r'^\s*#[^\n]*(\\\n[^\n]*)*', ' ', body, flags=re.M)
    names = set()
    for m in DECL.finditer(body):
        before = body[max(0, m.start() - 2):m.start()]
        if '(*' in before or '*' in before.strip()[-1:] and body[m.start() - 1] == '(':
            continue
        # a call inside an inline function body is not a declaration
        depth = body[:m.start()].count('{') - body[:m.start()].count('}')
        if depth == 0 or (m.group(2) == '[' and depth == 0):
            names.add(m.group(1))
    return names


def defined(objdirs, root):
    where = {}
    for path, src in objects(objdirs, root):
        for name in symbols(path, False):
            where.setdefault(name, set()).add(src)
    return where


def main(argv):
    if '--' not in argv:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    cut = argv.index('--')
    root, headers, objdirs = argv[1], argv[2:cut], argv[cut + 1:]
    where = defined(objdirs, root)
    bad = 0
    for h in headers:
        text = open(h, encoding='utf-8').read()
        m = re.match(r'\s*/\*.*?\*/', text, re.S)
        top = m.group(0) if m else ''
        base = os.path.splitext(os.path.basename(h))[0]
        for name in sorted(declared(text)):
            srcs = where.get(name)
            if not srcs:
                print('%s: %s: declared, defined nowhere' % (h, name))
                continue
            for src in sorted(srcs):
                file = os.path.basename(src)
                folder = 'plugin/' + os.path.dirname(src) + '/'
                if os.path.splitext(file)[0] == base or file in top or folder in top:
                    continue
                print('%s: %s is defined in %s' % (h, name, src))
                bad = 1
    return bad


if __name__ == '__main__':
    sys.exit(main(sys.argv))
