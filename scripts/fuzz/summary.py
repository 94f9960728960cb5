"""One Markdown table from a Schemathesis run: operations, examples asked
per operation, test cases sent, failing operations, time and seed (from the
JUnit report and the run's own output), then each failing operation with
its first message."""

import re
import sys
import xml.etree.ElementTree as ET

report, log, examples = sys.argv[1], sys.argv[2], sys.argv[3]
root = ET.parse(report).getroot()
ops, failed = 0, []
for case in root.iter("testcase"):
    ops += 1
    problems = case.findall("failure") + case.findall("error")
    if problems:
        text = (problems[0].get("message") or problems[0].text or "").strip().splitlines()
        failed.append((case.get("name"), text[0] if text else ""))
output = open(log, encoding="utf-8", errors="replace").read()


def find(pattern, default="?"):
    match = re.search(pattern, output)
    return match.group(1) if match else default


cases = find(r"(\d+) generated")
seconds = find(r" in ([\d.]+)s =+")
seed = find(r"Seed: (\d+)")
print("| operations | examples each | test cases | failing operations | time | seed |")
print("|---:|---:|---:|---:|---:|---|")
print(f"| {ops} | {examples} | {cases} | {len(failed)} | {seconds} s | {seed} |")
for name, message in failed:
    print(f"- `{name}`: {message[:200]}")
