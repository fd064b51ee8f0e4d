#!/usr/bin/env python3
"""doc_example.py - writes the ```python blocks of a page whose first line is
"# NAME.py: ..." into DIR/NAME.py, and prints each NAME and its line count.

Usage: doc_example.py PAGE DIR"""
import re
import sys

page, out = sys.argv[1], sys.argv[2]
text = open(page, encoding="utf-8").read()
found = 0
for block in re.findall(r"```python\n(.*?)```", text, re.S):
    m = re.match(r"# ([A-Za-z0-9_]+\.py):", block)
    if not m:
        continue
    with open("%s/%s" % (out, m.group(1)), "w", encoding="utf-8") as f:
        f.write(block)
    print(m.group(1), block.count("\n"))
    found += 1
sys.exit(0 if found else 1)
