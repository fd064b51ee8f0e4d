#!/usr/bin/env python3
"""include_rules.py - the one-way dependency rules of the source tree, checked
over the #include lines (docs/layout.md states them for people).

Usage: include_rules.py [ROOT]   (ROOT: the repository, default: this file's ../..)

Every file under harness/ and reference/ is read; an include "X" resolves to
harness/X, reference/X (written "reference/X") or the including file's own
folder. A file *reaches* every header it includes, directly or through other
headers. A rule names a set of files and folders they must never reach. The
script prints one line per broken rule (file, forbidden header, and the chain
of includes that reaches it) and exits 1; 0 when every rule holds; 2 when the
tree cannot be read.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)

# (who, forbidden folders, why). "who" is a folder under harness/ (every file
# in it), "reference", or a path of one file without its extension.
RULES = [
    ("reference", ["harness"], "the reference never includes harness code"),
    ("harness/util", ["harness/cases", "harness/formats", "harness/adapters", "harness/backends",
                      "harness/verdict", "harness/results", "harness/cli"],
     "util is the bottom room: it includes nothing of the harness"),
    ("harness/cases", ["harness/formats", "harness/adapters", "harness/backends",
                       "harness/verdict", "harness/results", "harness/cli"],
     "cases (descriptors, generator) come before every later stage"),
    ("harness/formats", ["harness/adapters", "harness/backends", "harness/verdict",
                         "harness/results", "harness/cli"],
     "formats never reach adapters or backends"),
    ("harness/adapters", ["harness/backends", "harness/verdict", "harness/results",
                          "harness/cli"],
     "adapters hand tensors to the kernel; they never know which backend runs it"),
    ("harness/backends", ["harness/verdict", "harness/results", "harness/cli"],
     "backends run a kernel; they never judge it or report it"),
    ("harness/verdict/compare", ["harness/backends", "harness/adapters", "harness/results",
                                 "harness/cli"],
     "compare never reaches backends or adapters"),
    ("harness/results", ["harness/backends", "harness/cli"],
     "reports and fixtures never reach backends"),
    ("harness", ["harness/cli"], "only cli includes cli"),
]


def scan(root):
    """All source files under harness/ and reference/, relative to root."""
    files = []
    for top in ("harness", "reference"):
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for n in names:
                if n.endswith((".c", ".h")):
                    files.append(os.path.relpath(os.path.join(dirpath, n), root))
    return sorted(files)


def resolve(root, src, inc):
    for cand in (os.path.join("harness", inc), inc,
                 os.path.normpath(os.path.join(os.path.dirname(src), inc))):
        if os.path.isfile(os.path.join(root, cand)):
            return os.path.normpath(cand)
    return None


def graph(root, files):
    g = {}
    for f in files:
        with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        deps = []
        for inc in INCLUDE.findall(text):
            r = resolve(root, f, inc)
            if r is not None:
                deps.append(r)
        g[f] = deps
    return g


def reach(g, start):
    """{header: chain} for every header start reaches (chain: the path there)."""
    seen = {}
    stack = [(start, [start])]
    while stack:
        f, chain = stack.pop()
        for d in g.get(f, []):
            if d not in seen:
                seen[d] = chain + [d]
                stack.append((d, chain + [d]))
    return seen


def under(path, folder):
    return path == folder or path.startswith(folder + "/") or \
        os.path.splitext(path)[0] == folder


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    if not os.path.isdir(os.path.join(root, "harness")):
        print("include_rules: no harness/ under %s" % root, file=sys.stderr)
        return 2
    files = scan(root)
    g = graph(root, files)
    broken = 0
    for who, banned, why in RULES:
        for f in files:
            if not under(f, who):
                continue
            for dep, chain in sorted(reach(g, f).items()):
                for b in banned:
                    if under(dep, b) and not under(f, b):
                        print("include rule broken: %s reaches %s (%s) [%s]"
                              % (f, dep, " -> ".join(chain), why))
                        broken += 1
    n_inc = sum(len(v) for v in g.values())
    if broken:
        print("include rules: %d broken" % broken)
        return 1
    print("include rules: %d rules hold over %d files and %d includes"
          % (len(RULES), len(files), n_inc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
