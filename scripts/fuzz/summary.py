"""One Markdown table from Schemathesis's JUnit report: operations, test
cases and failures, and each failing operation with its first message."""

import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
cases = root.iter("testcase")
ops, failed = 0, []
for case in cases:
    ops += 1
    problems = case.findall("failure") + case.findall("error")
    if problems:
        text = (problems[0].get("message") or problems[0].text or "").strip().splitlines()
        failed.append((case.get("name"), text[0] if text else ""))
print("| operations | failing operations |")
print("|---|---|")
print(f"| {ops} | {len(failed)} |")
for name, message in failed:
    print(f"- `{name}`: {message[:200]}")
