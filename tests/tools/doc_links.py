#!/usr/bin/env python3
"""doc_links.py - README.md and docs/*.md stay self-contained: every relative
link (markdown [text](target) and <a href>/<img src>) points at a file or
folder of the repository, anchors excluded, and no text refers to a path
outside it (a link or path that climbs out of the repository with "..", or
the developers' design notes, which users never see).

Usage: doc_links.py [ROOT]. Prints one line per problem and exits 1; exit 0
when all hold; 2 when ROOT has no README.md.
"""
import glob
import os
import re
import sys

LINK = re.compile(r'\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|(?:href|src)="([^"]+)"')
OUTSIDE = [re.compile(p) for p in (r'\.\./shared', r'DESIGN\.md', r'DESIGN §')]


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    readme = os.path.join(root, "README.md")
    if not os.path.isfile(readme):
        print("doc_links: no README.md under %s" % root, file=sys.stderr)
        return 2
    pages = [readme] + sorted(glob.glob(os.path.join(root, "docs", "**", "*.md"), recursive=True))
    problems, links = 0, 0
    for page in pages:
        rel = os.path.relpath(page, root)
        with open(page, encoding="utf-8") as fh:
            text = fh.read()
        for lineno, line in enumerate(text.splitlines(), 1):
            for pat in OUTSIDE:
                if pat.search(line):
                    print("%s:%d: refers to something outside the repository: %s"
                          % (rel, lineno, line.strip()))
                    problems += 1
            for m in LINK.finditer(line):
                target = m.group(1) or m.group(2)
                if re.match(r'^[a-z][a-z0-9+.-]*:', target) or target.startswith("#"):
                    continue  # a URL (http:, mailto:) or an anchor in the same page
                links += 1
                path = target.split("#", 1)[0]
                full = os.path.normpath(os.path.join(os.path.dirname(page), path))
                if not (full == root or full.startswith(root + os.sep)):
                    print("%s:%d: link leaves the repository: %s" % (rel, lineno, target))
                    problems += 1
                elif not os.path.exists(full):
                    print("%s:%d: broken link: %s" % (rel, lineno, target))
                    problems += 1
    if problems:
        print("doc links: %d problems" % problems)
        return 1
    print("doc links: %d relative links in %d pages, all resolve" % (links, len(pages)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
