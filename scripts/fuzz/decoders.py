"""Decoder fuzzing, full form: builds the unit-test binaries of shared,
domain and server (the test profile `cargo test` uses), runs every `fuzz_`
test in them with UC_FUZZ_CASES cases (one process per test, --jobs at a
time), and prints one Markdown table: crate, test, cases, time, result.
A failing test's output goes to stderr and the exit status is 1.

    decoders.py [--cases 100000] [--jobs 2]

The binaries are hard-linked into a temporary directory beside them before
they run, so a build of another checkout sharing CARGO_TARGET_DIR cannot
swap them mid-run; a binary without fuzz tests (someone else's build won
the race) is an error, never an empty row."""

import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

CRATES = ["shared", "domain", "server"]

parser = argparse.ArgumentParser()
parser.add_argument("--cases", type=int, default=100_000)
parser.add_argument("--jobs", type=int, default=1)
args = parser.parse_args()

# Built as ./scripts/test's `cargo test` builds them, so the artifacts are
# shared: without the LEPTOS_* settings scripts/reliability exports for its
# servers (leptos reads LEPTOS_OUTPUT_NAME at compile time).
env = {k: v for k, v in os.environ.items() if not k.startswith("LEPTOS_")}
env.update(RUSTFLAGS="--cfg erase_components", UC_FUZZ_CASES=str(args.cases))
build = subprocess.run(
    ["cargo", "test", "--no-run", "--message-format=json"] + [a for c in CRATES for a in ("-p", c)],
    env=env, stdout=subprocess.PIPE, check=True, text=True,
)
target = os.environ.get("CARGO_TARGET_DIR", "target")
links = tempfile.mkdtemp(prefix="decoder-fuzz-", dir=os.path.join(target, "debug"))
binaries = {}  # crate -> (linked executable, package directory)
for line in build.stdout.splitlines():
    message = json.loads(line)
    if message.get("reason") != "compiler-artifact" or not message.get("executable"):
        continue
    name = message["target"]["name"]
    kinds = message["target"]["kind"]
    other = {"test", "example", "bench", "custom-build"}
    if name in CRATES and message["profile"]["test"] and not other & set(kinds):
        linked = os.path.join(links, name)
        os.link(message["executable"], linked)
        binaries[name] = (linked, os.path.dirname(message["manifest_path"]))

tests = []  # (crate, executable, directory, full test name)
for crate in CRATES:
    if crate not in binaries:
        sys.exit(f"cargo built no unit-test binary for {crate}")
    exe, cwd = binaries[crate]
    listed = subprocess.run([exe, "--list", "fuzz_"], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, text=True, check=True).stdout
    names = [l[: -len(": test")] for l in listed.splitlines() if l.endswith(": test")]
    if not names:
        sys.exit(f"no fuzz_ tests in {crate}'s test binary (built from another checkout?)")
    tests += [(crate, exe, cwd, n) for n in names]


def run(test):
    crate, exe, cwd, name = test
    start = time.monotonic()
    result = subprocess.run([exe, "--exact", name, "--test-threads=1"], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return test, time.monotonic() - start, result


rows, failed, total = [], 0, 0.0
with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
    for (crate, _, _, name), seconds, result in pool.map(run, tests):
        ok = result.returncode == 0
        failed += not ok
        total += seconds
        if not ok:
            print(f"--- {crate} {name}\n{result.stdout[-6000:]}", file=sys.stderr)
        short = name.rsplit("::", 1)[-1]
        rows.append(f"| {crate} | `{short}` | {args.cases} | {seconds:.1f} s | {'0' if ok else '**failed**'} |")
shutil.rmtree(links)

print("| crate | test | cases | time | failures |")
print("|---|---|---:|---:|---:|")
print("\n".join(rows))
print(f"| **{len(tests)} tests** | | {args.cases * len(tests)} | {total:.1f} s | {failed} |")
sys.exit(1 if failed else 0)
