#!/usr/bin/env python3
"""Score an imds-lint JSON report against a generated workspace's .expected.jsonl.

    score.py TREE REPORT [--details FILE]
    score.py --count REPORT

A finding counts as an IMDSv1 report when its code is IMD001 or IMD003; it is
right when the file and line match a record of kind v1. Precision and recall
are over those (path, line) pairs. The report is what `imds-lint
--output-format json` prints: an array of objects with "path", "line" and
"code" (a JSON Lines stream, or an object holding such an array, is read too).
Paths may be relative to TREE, relative to the current folder, or absolute.

Prints one JSON object with the counts on standard output; with --details,
writes recall per shape and the first misses and false alarms as Markdown.
With --count, prints the number of findings per code. Exits 3 when the report
cannot be read. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

IMDSV1_CODES = {"IMD001", "IMD003"}
LIST_KEYS = ("findings", "diagnostics", "results", "messages")


class UnreadableReport(Exception):
    pass


def load_findings(report: Path) -> list[dict]:
    """The finding objects of a report, whichever of the accepted layouts it has."""
    text = report.read_text(encoding="utf-8", errors="replace").strip()
    if not text:
        raise UnreadableReport("the report is empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as err:
            raise UnreadableReport(f"neither JSON nor JSON Lines: {err}") from None
    if isinstance(data, dict):
        data = next((data[k] for k in LIST_KEYS if isinstance(data.get(k), list)), None)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise UnreadableReport("expected an array of finding objects")
    return data


def field(finding: dict, *names: str):
    """The first of `names` present, looking into a nested "location" or "start" object too."""
    for holder in (finding, finding.get("location") or {}, finding.get("start") or {}):
        if isinstance(holder, dict):
            for name in names:
                if name in holder:
                    return holder[name]
    return None


def relative(path: str, tree: Path) -> str:
    """`path` as a "/"-separated path below `tree`."""
    if os.path.isabs(path):
        candidate = Path(path)
    elif (tree / path).exists():
        candidate = tree / path
    else:
        candidate = Path.cwd() / path
    try:
        return Path(os.path.relpath(candidate.resolve(), tree.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return Path(path).as_posix()


def score(tree: Path, findings: list[dict]) -> tuple[dict, str]:
    """Counts as a dict, and the details as Markdown."""
    records = [json.loads(line) for line in (tree / ".expected.jsonl").read_text(encoding="utf-8").splitlines()]
    by_place = {(r["path"], r["line"]): r for r in records}
    expected = {place for place, r in by_place.items() if r["kind"] == "v1"}

    reported, other_codes, code_mismatch = set(), Counter(), 0
    for finding in findings:
        code, path, line = field(finding, "code", "rule"), field(finding, "path", "filename", "file"), \
            field(finding, "line", "row")
        if code not in IMDSV1_CODES:
            other_codes[str(code)] += 1
            continue
        if path is None or not isinstance(line, int):
            continue
        place = (relative(str(path), tree), line)
        reported.add(place)
        if place in by_place and by_place[place]["code"] not in (None, code):
            code_mismatch += 1

    hits = reported & expected
    false_alarms = sorted(reported - expected)
    misses = sorted(expected - reported)
    counts = {
        "expected": len(expected), "reported": len(reported), "matched": len(hits),
        "precision": round(len(hits) / len(reported), 4) if reported else None,
        "recall": round(len(hits) / len(expected), 4) if expected else None,
        "false_alarms_on_v2": sum(by_place.get(p, {}).get("kind") == "v2" for p in false_alarms),
        "false_alarms_on_mentions": sum(by_place.get(p, {}).get("kind") == "none" for p in false_alarms),
        "false_alarms_elsewhere": sum(p not in by_place for p in false_alarms),
        "code_mismatch": code_mismatch, "other_codes": dict(sorted(other_codes.items())),
    }
    return counts, details(records, reported, false_alarms, misses, by_place)


def details(records, reported, false_alarms, misses, by_place) -> str:
    per_shape: dict[str, list[int]] = {}
    for r in records:
        found = (r["path"], r["line"]) in reported
        entry = per_shape.setdefault(f'{r["kind"]} {r["shape"]}', [0, 0])
        entry[0] += 1
        entry[1] += found
    lines = ["| kind and shape | inserted | reported as IMDSv1 |", "| --- | --- | --- |"]
    lines += [f"| {shape} | {n} | {hit} |" for shape, (n, hit) in sorted(per_shape.items())]
    for title, places in (("Missed IMDSv1 requests", misses), ("False alarms", false_alarms)):
        lines += ["", f"## {title} ({len(places)}; first 40)", ""]
        for path, line in places[:40]:
            record = by_place.get((path, line))
            lines.append(f"- `{path}:{line}`" + (f" ({record['kind']} {record['shape']})" if record else ""))
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tree", type=Path, nargs="?", help="the generated workspace")
    parser.add_argument("report", type=Path, help="imds-lint --output-format json output")
    parser.add_argument("--details", type=Path, help="write recall per shape, misses and false alarms here")
    parser.add_argument("--count", action="store_true", help="only count findings per code")
    args = parser.parse_args()

    try:
        findings = load_findings(args.report)
    except (OSError, UnreadableReport) as err:
        print(f"score.py: cannot read {args.report}: {err}", file=sys.stderr)
        return 3
    if args.count:
        print(json.dumps(dict(sorted(Counter(str(field(f, "code", "rule")) for f in findings).items()))))
        return 0
    if args.tree is None:
        parser.error("TREE is needed unless --count is given")

    counts, text = score(args.tree, findings)
    if args.details:
        args.details.write_text(f"# Accuracy on {args.tree.name}\n\n" + text, encoding="utf-8")
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
