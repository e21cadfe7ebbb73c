#!/usr/bin/env python3
"""Where a fuzzing run still finds new code, and how late.

    new_code.py LOG BINARY [--base HEX] [--last FRACTION]

LOG is the output of a libFuzzer run started with `-print_pcs=1` under
`setarch -R` (no address randomization, so the binary sits at --base, by
default 0x555555554000 where Linux puts a position-independent executable
then); BINARY is that same build, with line tables
(`CARGO_PROFILE_RELEASE_DEBUG=line-tables-only cargo fuzz build ...`).

Each `NEW_PC` line is an instrumented branch the run reached for the first
time. It is placed by `addr2line` and sorted into:

- own: the innermost source line is imds-lint's (`crates/` of this checkout);
- inlined: library code (iterators, sorting, hash tables) inlined into a
  function of imds-lint's: reached when that function gives it data of a
  new shape (a sort of more edits than before, a longer probe);
- library: code with no frame of imds-lint's (serde_json, the grammars'
  bindings, std).

Prints how many of each the run found in each quarter of its executions,
the libraries of the inlined branches and imds-lint's own lines first
reached in the last FRACTION (default 0.25) of the run, and libFuzzer's
`cov:` count once the corpus was loaded and at the end of each quarter.
A target that reaches no own line over a long last stretch has reached a
plateau.
Inlined branches are counted but do not decide it: some are probes of
hash tables, which Rust seeds at random in each process, so which of them
a run reaches is not a property of its inputs.
Standard library and binutils' addr2line only.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

# Where imds-lint's own sources are, as the build's line tables name them.
OWN = str(Path(__file__).resolve().parent.parent / "crates") + "/"

STATUS = re.compile(r"^#(\d+)\s")
NEW_PC = re.compile(r"NEW_PC: (0x[0-9a-f]+)")
COV = re.compile(r"^#(\d+)\s+(\w+)\s+cov: (\d+)")


def read_log(path: str) -> tuple[list[tuple[int, int]], int, list[tuple[int, int]]]:
    """(executions when found, address) of each new branch, the run's
    executions, and libFuzzer's `cov:` count from the corpus loaded on
    ((executions, cov) at each status line from `INITED`)."""
    found, executions, cov = [], 0, []
    with open(path, errors="replace") as log:
        for line in log:
            status = STATUS.match(line)
            if status:
                executions = int(status.group(1))
                counted = COV.match(line)
                if counted and (cov or counted.group(2) == "INITED"):
                    cov.append((executions, int(counted.group(3))))
                continue
            pc = NEW_PC.search(line)
            if pc:
                found.append((executions, int(pc.group(1), 16)))
    return found, executions, cov


def cov_at(cov: list[tuple[int, int]], executions: float) -> int:
    """libFuzzer's `cov:` count after `executions` (the loaded corpus's before)."""
    reached = [count for at, count in cov if at <= executions]
    return reached[-1] if reached else (cov[0][1] if cov else 0)


def place(binary: str, offsets: list[int]) -> list[list[tuple[str, str]]]:
    """For each offset, its (function, file:line) frames, innermost first."""
    if not offsets:
        return []
    # A sentinel address after each real one marks where its frames end.
    query = "".join(f"{offset:#x}\n0x0\n" for offset in offsets)
    out = subprocess.run(["addr2line", "-f", "-C", "-i", "-e", binary], input=query,
                         capture_output=True, text=True, check=True).stdout.splitlines()
    frames, current, i = [], [], 0
    while i + 1 < len(out):
        function, where = out[i], out[i + 1]
        i += 2
        if function == "??" and where.startswith("??:0") and current:
            frames.append(current)
            current = []
            continue
        current.append((function, where))
    if current:
        frames.append(current)
    return frames


def kind(frames: list[tuple[str, str]]) -> str:
    own = [where.startswith(OWN) for _, where in frames]
    if own and own[0]:
        return "own"
    if any(own) or any("imds_lint" in function for function, _ in frames):
        return "inlined"
    return "library"


def source_of(where: str) -> str:
    """A short name for the library a source line is in."""
    crate = re.search(r"/([A-Za-z_][\w-]*?)-\d+\.\d+\.\d+[^/]*/", where)
    if crate:
        return crate.group(1)
    library = re.search(r"/library/(\w+)/", where)
    if library:
        return "stdarch" if "stdarch" in where else library.group(1)
    return where.rsplit(":", 1)[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log")
    parser.add_argument("binary")
    parser.add_argument("--base", default="0x555555554000")
    parser.add_argument("--last", type=float, default=0.25)
    args = parser.parse_args()

    found, executions, cov = read_log(args.log)
    if not found:
        print("no NEW_PC lines: was the run started with -print_pcs=1?", file=sys.stderr)
        return 1
    base = int(args.base, 16)
    frames = place(args.binary, [pc - base for _, pc in found])
    if len(frames) != len(found):
        print(f"addr2line placed {len(frames)} of {len(found)} addresses", file=sys.stderr)
        return 1
    kinds = [kind(f) for f in frames]

    print(f"{args.log}: {executions:,} executions, {len(found)} branches reached after the corpus was loaded")
    print("| executions | own | inlined | library | `cov:` at the end |")
    print("| --- | --- | --- | --- | --- |")
    for quarter in range(4):
        low, high = executions * quarter / 4, executions * (quarter + 1) / 4
        count = Counter(k for (at, _), k in zip(found, kinds) if low < at <= high or (quarter == 0 and at == 0))
        print(f"| {quarter * 25}–{quarter * 25 + 25}% | {count['own']} | {count['inlined']} | {count['library']} "
              f"| {cov_at(cov, high)} |")
    if cov:
        print(f"\n`cov:` with the corpus loaded: {cov[0][1]}")

    since = executions * (1 - args.last)
    sources = Counter(source_of(f[0][1]) for (at, _), f, k in zip(found, frames, kinds)
                      if k == "inlined" and at > since)
    print(f"\ninlined library code first reached in the last {args.last:.0%}, by where its line is: "
          + (", ".join(f"{name} {n}" for name, n in sources.most_common()) or "none"))

    late = [(at, f[0][1], f[-1][0]) for (at, _), f, k in zip(found, frames, kinds) if k == "own" and at > since]
    print(f"\nimds-lint's own lines first reached in the last {args.last:.0%} ({len(late)}):")
    for at, where, function in late:
        where = where.removeprefix(OWN)
        print(f"  #{at:,}  {where}  ({function})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
