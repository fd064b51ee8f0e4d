"""ci_docs.py - checks the CI configurations of docs/ci.md (tests/ci_docs.sh).

Usage: python3 tests/tools/ci_docs.py ROOT BIN

Every ```yaml block must parse (PyYAML) and have the shape its CI system
needs (GitLab: a job with parallel and a JUnit report; Buildkite: a step with
parallelism; GitHub Actions: a job with a matrix; the Groovy block: a junit
step). Every command the blocks run is checked: `build/gptq-harness SUB ...`
must name a subcommand whose --help lists each option given, its batch files
must exist, `make T` must name a target of the Makefile and `sh scripts/X`
an existing script. Prints one line per problem; exits 1 when any.
"""
import os
import re
import shlex
import subprocess
import sys

import yaml

ROOT, BIN = sys.argv[1], sys.argv[2]
problems = []
checked = []


def blocks(text):
    """(language, body) of every fenced block."""
    return re.findall(r"^```(\w+)\n(.*?)^```$", text, re.S | re.M)


def strings(node):
    """Every string value in a parsed YAML document."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)


HELP = {}


def help_text(sub):
    if sub not in HELP:
        p = subprocess.run([BIN] + sub.split() + ["--help"], capture_output=True, text=True)
        HELP[sub] = (p.returncode, p.stdout)
    return HELP[sub]


def targets():
    text = open(os.path.join(ROOT, "Makefile")).read()
    return set(re.findall(r"^([A-Za-z][\w-]*):", text, re.M))


MAKE_TARGETS = targets()


def check_harness(words, where):
    sub = words[1] if len(words) > 1 else ""
    if sub == "report":
        sub = "report " + (words[2] if len(words) > 2 else "")
    rc, text = help_text(sub)
    if rc != 0:
        problems.append("%s: gptq-harness %s: no such subcommand (--help exit %d)" % (where, sub, rc))
        return
    for i, w in enumerate(words):
        if w.startswith("-") and w != "-":
            opt = w.split("=", 1)[0]
            if not re.search(r"(^|[\s,\[])" + re.escape(opt) + r"([\s,=\]|]|$)", text, re.M):
                problems.append("%s: gptq-harness %s does not list %s" % (where, sub, opt))
        if w == "--batch" and i + 1 < len(words):
            if not os.path.exists(os.path.join(ROOT, words[i + 1])):
                problems.append("%s: batch file %s does not exist" % (where, words[i + 1]))
    checked.append("gptq-harness " + sub)


def check_command(line, where):
    # GitHub expressions and shell variables stand for words
    line = re.sub(r"\$\{\{[^}]*\}\}", "X", line)
    for part in re.split(r"\|\||&&|\||;|>>|>", line):
        try:
            words = shlex.split(part)
        except ValueError as e:
            problems.append("%s: cannot split %r: %s" % (where, part, e))
            continue
        if words and words[0] == "sudo":
            words = words[1:]
        if not words:
            continue
        if words[0] == "build/gptq-harness":
            check_harness(words, where)
        elif words[0] == "make":
            for t in words[1:]:
                if not t.startswith("-") and t not in MAKE_TARGETS:
                    problems.append("%s: make %s: no such target" % (where, t))
            checked.append("make")
        elif words[0] == "sh":
            if not os.path.isfile(os.path.join(ROOT, words[1])):
                problems.append("%s: %s does not exist" % (where, words[1]))
            checked.append("sh " + words[1])


COMMAND_START = ("build/gptq-harness", "make ", "sh ", "sudo ")

text = open(os.path.join(ROOT, "docs", "ci.md")).read()
found = {"gitlab": 0, "buildkite": 0, "github": 0, "jenkins": 0}
for n, (lang, body) in enumerate(blocks(text), 1):
    where = "docs/ci.md block %d (%s)" % (n, lang)
    if lang == "yaml":
        try:
            doc = yaml.safe_load(body)
        except yaml.YAMLError as e:
            problems.append("%s: YAML does not parse: %s" % (where, e))
            continue
        if not isinstance(doc, dict):
            problems.append("%s: not a mapping" % where)
            continue
        if "steps" in doc:  # Buildkite
            found["buildkite"] += 1
            if not any(isinstance(s, dict) and s.get("parallelism") for s in doc["steps"]):
                problems.append("%s: Buildkite: no step with parallelism" % where)
        elif "jobs" in doc:  # GitHub Actions
            found["github"] += 1
            if not any(isinstance(j, dict) and j.get("strategy", {}).get("matrix")
                       for j in doc["jobs"].values()):
                problems.append("%s: GitHub Actions: no job with a matrix" % where)
        else:  # GitLab CI
            found["gitlab"] += 1
            jobs = [j for j in doc.values() if isinstance(j, dict) and "script" in j]
            if not any(j.get("parallel") for j in jobs):
                problems.append("%s: GitLab: no job with parallel" % where)
            if not any(j.get("artifacts", {}).get("reports", {}).get("junit") for j in jobs):
                problems.append("%s: GitLab: no artifacts:reports:junit" % where)
        for s in strings(doc):
            for line in s.splitlines():
                if line.strip().startswith(COMMAND_START):
                    check_command(line.strip(), where)
    elif lang == "groovy":
        found["jenkins"] += 1
        if not re.search(r"^\s*junit\s+'[^']+'", body, re.M):
            problems.append("%s: Jenkins: no junit step" % where)
        for cmd in re.findall(r"\bsh\s+'([^']*)'", body):
            check_command(cmd, where)
for k, v in found.items():
    if v != 1:
        problems.append("docs/ci.md: %d %s configuration(s), want 1" % (v, k))
for p in problems:
    print(p)
print("ci_docs: %d configurations, %d commands checked, %d problem(s)"
      % (sum(found.values()), len(checked), len(problems)))
sys.exit(1 if problems else 0)
