#!/usr/bin/env python3
"""Time the writes alone of a --fix run: the least any atomic, durable
writer pays on this machine for the files --fix changed.

    write_floor.py TREE FIXED SCRATCH [--threads N] [--runs N]

TREE is the workload, FIXED a copy of it that `imds-lint --fix` has run on.
The files whose bytes differ are the ones --fix wrote. Each run copies TREE
to SCRATCH (untimed), then times replacing each of those files in SCRATCH
with its fixed bytes, read into memory beforehand, the way imds-lint writes
one: a temporary file in the same folder, written, synced, renamed over the
original, then the folder synced. No reading, parsing or checking is timed.

Prints one JSON object: the median wall time and CPU time (user and
system, of all its threads) in seconds, the number of files, their fixed
size in bytes and the number of writer threads. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def changed_files(tree: Path, fixed: Path) -> dict[Path, bytes]:
    """Fixed bytes of every file under `fixed` that differs from `tree`, by relative path."""
    changed = {}
    for path in sorted(fixed.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        relative = path.relative_to(fixed)
        original = tree / relative
        new = path.read_bytes()
        if not original.is_file() or original.read_bytes() != new:
            changed[relative] = new
    return changed


def replace(path: Path, data: bytes) -> None:
    """Replaces `path` with `data` atomically and durably."""
    folder = path.parent
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".floor.", suffix=".tmp")
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
        os.fsync(handle)
    finally:
        os.close(handle)
    os.rename(temp, path)
    folder_handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(folder_handle)
    finally:
        os.close(folder_handle)


def one_run(tree: Path, scratch: Path, changed: dict[Path, bytes], threads: int) -> tuple[float, float]:
    """Wall time and CPU time (user and system, all threads) of one timed run."""
    # The copy before is moved aside, not removed, as bench/run.sh does before
    # each --fix run: on ext4, while thousands of inodes were freed moments
    # ago, creating each temporary file first steps over them, which made
    # these writes cost about twice what --fix's own do.
    if scratch.exists():
        scratch.rename(tempfile.mkdtemp(prefix="floor-old.", dir=scratch.parent))
    subprocess.run(["cp", "-a", str(tree), str(scratch)], check=True)
    subprocess.run(["sync"], check=True)
    jobs = [(scratch / relative, data) for relative, data in changed.items()]
    start, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for _ in pool.map(lambda job: replace(*job), jobs):
            pass
    end, cpu_end = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    used = (cpu_end.ru_utime - cpu.ru_utime) + (cpu_end.ru_stime - cpu.ru_stime)
    return end - start, used


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("fixed", type=Path)
    parser.add_argument("scratch", type=Path)
    parser.add_argument("--threads", type=int, default=4 * (os.cpu_count() or 1))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    changed = changed_files(args.tree, args.fixed)
    if not changed:
        print("write_floor.py: --fix changed no file", file=sys.stderr)
        return 1
    # One untimed run first, as the other measurements have a warm-up.
    one_run(args.tree, args.scratch, changed, args.threads)
    runs = [one_run(args.tree, args.scratch, changed, args.threads) for _ in range(args.runs)]
    shutil.rmtree(args.scratch)
    for old in args.scratch.parent.glob("floor-old.*"):
        shutil.rmtree(old)
    print(json.dumps({
        "wall": statistics.median(wall for wall, _ in runs),
        "cpu": statistics.median(cpu for _, cpu in runs),
        "files": len(changed),
        "bytes": sum(len(data) for data in changed.values()),
        "threads": args.threads,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
