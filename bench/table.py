#!/usr/bin/env python3
"""Render the measurements bench/run.sh collected as a Markdown report.

    table.py RESULTS.jsonl

Each line of RESULTS.jsonl is an object with a "type": "meta" (machine,
versions, how timing was done), "run" (one timed command), "floor" (the
writes of --fix alone, from write_floor.py), "score" (accuracy from
score.py, or an error) or "note". All values arrive as strings.
Standard library only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

MB = 1e6  # figures are in decimal megabytes, as throughput usually is
TARGETS_DOC = "docs/performance.md"


def seconds(text: str) -> str:
    value = float(text)
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


class Results:
    def __init__(self, lines: list[dict]):
        self.meta = next((x for x in lines if x["type"] == "meta"), {})
        self.runs = [x for x in lines if x["type"] == "run"]
        self.scores = [x for x in lines if x["type"] == "score"]
        self.notes = [x["text"] for x in lines if x["type"] == "note"]
        self.floors = [x for x in lines if x["type"] == "floor"]
        self.quick = self.meta.get("quick") == "1"

    def wall(self, profile: str, case: str, tool: str) -> float | None:
        run = next((x for x in self.runs if (x["profile"], x["case"], x["tool"]) == (profile, case, tool)), None)
        return float(run["wall"]) if run else None

    def baseline(self, run: dict) -> str:
        """How this run compares: to ripgrep on the same input, or --fix to the scan."""
        own = float(run["wall"])
        if run["case"] in ("fix", "fix-memory"):
            value, against = ratio(own, self.wall(run["profile"], "scan", "imds-lint")), "the scan"
        else:
            value, against = ratio(own, self.wall(run["profile"], run["case"], "rg")), "rg"
        if run["tool"] == "rg" or value is None:
            return "1.00×" if run["tool"] == "rg" else "—"
        return f"{value:.2f}× {against}"

    def timings(self) -> list[str]:
        out = ["| workload | what | command | files | MB | wall (median) | MB/s | files/s | peak RSS | ratio |",
               "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for run in self.runs:
            wall, size, files = float(run["wall"]), int(run["bytes"]), int(run["files"])
            exit_note = "" if run["exit"] in ("0", "1") else f" (exit {run['exit']})"
            out.append(f"| {run['profile']} | {run['case']} | `{run['command']}`{exit_note} | {files:,} | "
                       f"{size / MB:,.{1 if size >= 10 * MB else 2}f} | {seconds(run['wall'])} | {number(size / MB / wall)} | "
                       f"{number(files / wall)} | {int(run['rss_kb']) * 1024 / MB:.1f} MB | {self.baseline(run)} |")
        return out

    def targets(self) -> list[str]:
        rows = []

        def judge(what: str, limit: str, value: float | None, text: str, ok: bool | None) -> None:
            verdict = "not measured" if value is None else "quick run: not judged" if self.quick else \
                "met" if ok else "**NOT met**"
            rows.append(f"| {what} | {limit} | {text if value is not None else '—'} | {verdict} |")

        for profile, limit in (("sparse", 1.5), ("dense", 5.0)):
            value = ratio(self.wall(profile, "scan", "imds-lint"), self.wall(profile, "scan", "rg"))
            judge(f"{profile}: scan wall / rg wall", f"≤ {limit}×", value, f"{value or 0:.2f}×",
                  value is not None and value <= limit)
        value = ratio(self.wall("dense", "fix", "imds-lint"), self.wall("dense", "scan", "imds-lint"))
        judge("dense: --fix wall / scan wall", "≤ 2×", value, f"{value or 0:.2f}×", value is not None and value <= 2)
        for profile in ("sparse", "dense"):
            value = self.wall(profile, "single", "imds-lint")
            judge(f"{profile}: one file (pre-commit)", "< 20 ms", value, f"{(value or 0) * 1000:.1f} ms",
                  value is not None and value < 0.020)
        peaks = [int(x["rss_kb"]) * 1024 / MB for x in self.runs if x["tool"] == "imds-lint"]
        value = max(peaks) if peaks else None
        judge("peak RSS of imds-lint, any run", "< 100 MB", value, f"{value or 0:.1f} MB",
              value is not None and value < 100)
        return ["| target | limit | measured | verdict |", "| --- | --- | --- | --- |"] + rows

    def floor(self) -> list[str]:
        """What --fix's writes alone cost (write_floor.py), against the scan and --fix."""
        out = []
        for f in self.floors:
            profile, wall, cpu = f["profile"], float(f["wall"]), float(f["cpu"])
            scan, fix = self.wall(profile, "scan", "imds-lint"), self.wall(profile, "fix", "imds-lint")
            out.append(f"- {profile}: replacing the {int(f['files']):,} files --fix changed "
                       f"({int(f['bytes']) / MB:.1f} MB) as it does (temporary file, fsync, rename, folder "
                       f"fsync; {f['threads']} threads), and nothing else, takes {seconds(f['wall'])} wall and "
                       f"{cpu:.2f} s of CPU time (`bench/write_floor.py`)")
            if scan and fix:
                out.append(f"- {profile}: that is {wall / scan:.2f}× the scan; --fix takes {fix / scan:.2f}× "
                           f"the scan, {(fix - wall) / scan:.2f}× once the writes' own wall time is taken off")
            memory = self.wall(profile, "fix-memory", "imds-lint")
            if scan and memory:
                out.append(f"- {profile}: on a memory file system (`/dev/shm`), where writing costs next to "
                           f"nothing, --fix takes {seconds(str(memory))}: {memory / scan:.2f}× the scan, its own work")
        return out

    def accuracy(self) -> list[str]:
        out = ["| workload | IMDSv1 lines expected | reported (IMD001/IMD003) | matched | precision | recall "
               "| false alarms on v2 / mentions / elsewhere |",
               "| --- | --- | --- | --- | --- | --- | --- |"]
        for s in self.scores:
            if "error" in s:
                out.append(f"| {s['profile']} | not scored: {s['error']} | | | | | |")
                continue
            c = json.loads(s["counts"])
            pct = [f"{100 * c[k]:.1f}%" if c[k] is not None else "—" for k in ("precision", "recall")]
            out.append(f"| {s['profile']} | {c['expected']} | {c['reported']} | {c['matched']} | {pct[0]} | {pct[1]} "
                       f"| {c['false_alarms_on_v2']} / {c['false_alarms_on_mentions']} / "
                       f"{c['false_alarms_elsewhere']} |")
        return out

    def render(self) -> str:
        m = self.meta
        head = ["# imds-lint benchmark results", ""]
        if self.quick:
            head += ["**Quick smoke test on small workloads: these are not the benchmark's figures.**", ""]
        head += [f"- when: {m.get('date', '?')}; commit {m.get('commit', '?')}",
                 f"- machine: {m.get('cpu', '?')}, {m.get('cores', '?')} cores, {m.get('memory', '?')} RAM; "
                 f"{m.get('os', '?')}",
                 f"- tools: {m.get('imds_lint', '?')}; {m.get('ripgrep', '?')}",
                 f"- timing: {m.get('timer', '?')}, median of {m.get('runs', '?')} runs after one warm-up run, "
                 "warm page cache; peak RSS from a separate run under `/usr/bin/time -v`; output piped, not "
                 "sent to /dev/null (ripgrep stops at the first match when its output is /dev/null)",
                 f"- MB = 10^6 bytes; targets are those of {TARGETS_DOC}", ""]
        body = ["## Timings", ""] + self.timings() + ["", "## Targets", ""] + self.targets()
        if self.floors:
            body += ["", "## What the writes of --fix cost alone", ""] + self.floor()
        body += ["", "## Accuracy on IMDSv1 requests", ""] + self.accuracy()
        if self.notes:
            body += ["", "## Notes", ""] + [f"- {n}" for n in self.notes]
        return "\n".join(head + body) + "\n"


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    lines = [json.loads(x) for x in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines() if x.strip()]
    sys.stdout.write(Results(lines).render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
