#!/usr/bin/env python3
"""include-cycles.py - fails when plugin/'s files depend on each other in a circle.

usage: tools/include-cycles.py [--edges] PLUGIN_DIR [OBJECT_DIR...]

Two graphs, over modules (a .c file and the .h of the same name are one
module, named by their path below PLUGIN_DIR without the ending):
  include: module A includes a header of module B ("..." includes only);
  call:    an object of A uses a symbol an object of B defines (nm, for the
           objects of PLUGIN_DIR's sources found below each OBJECT_DIR, e.g.
           the build's CMakeFiles; $NM names the nm to use).  Finding no
           such object is an error: the check would see nothing.
A circle of two or more modules in either graph is printed and the exit
status is 1; 0 when there is none.  --edges also prints every edge
("include A -> B", "call A -> B: symbols"), the map docs/architecture.md
is checked against.  The public header (include/forksafe.h)
declares many modules' functions: through it, only the call graph sees who
calls whom.
"""
import os
import re
import sys

from objects import objects, symbols

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module(path, root):
    rel = os.path.relpath(path, root)
    return os.path.splitext(rel)[0]


def include_graph(root):
    graph = {}
    for d, _, files in os.walk(root):
        for f in files:
            if not f.endswith(('.c', '.h')):
                continue
            path = os.path.join(d, f)
            src = open(path, encoding='utf-8', errors='replace').read()
            edges = graph.setdefault(module(path, root), set())
            for inc in INCLUDE.findall(src):
                for base in (d, os.path.join(root, 'include')):
                    target = os.path.normpath(os.path.join(base, inc))
                    if os.path.isfile(target) and target.startswith(root):
                        edges.add(module(target, root))
                        break
    return graph


def call_graph(root, objdirs):
    defined, used = {}, {}
    for path, src in objects(objdirs, root):
        mod = os.path.splitext(src)[0]
        for s in symbols(path, False):
            defined[s] = mod
        used.setdefault(mod, set()).update(symbols(path, True))
    if not used:
        print('no object of %s below %s' % (root, ' '.join(objdirs)), file=sys.stderr)
        return None
    graph, why = {}, {}
    for mod, names in used.items():
        edges = graph.setdefault(mod, set())
        for s in names:
            if s in defined and defined[s] != mod:
                edges.add(defined[s])
                why.setdefault((mod, defined[s]), set()).add(s)
    return graph, why


def circles(graph):
    """Strongly connected components of two or more nodes (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def main(argv):
    show = len(argv) > 1 and argv[1] == '--edges'
    if show:
        argv = argv[:1] + argv[2:]
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    root = os.path.abspath(argv[1])
    bad = 0
    graphs = [('include', include_graph(root), {})]
    if len(argv) > 2:
        calls = call_graph(root, argv[2:])
        if calls is None:
            return 2
        graphs.append(('call',) + calls)
    for name, graph, why in graphs:
        for a in sorted(graph) if show else ():
            for b in sorted(graph[a]):
                names = sorted(why.get((a, b), ()))
                print('%s %s -> %s%s' % (name, a, b, ': ' + ' '.join(names) if names else ''))
        for comp in circles(graph):
            print('%s circle: %s' % (name, ' <-> '.join(comp)))
            bad = 1
        print('%s graph: %d modules, %d edges' % (
            name, len(graph), sum(len(e) for e in graph.values())))
    return bad


if __name__ == '__main__':
    sys.exit(main(sys.argv))
