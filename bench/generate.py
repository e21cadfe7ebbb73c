#!/usr/bin/env python3
"""Write a reproducible exported Databricks workspace for imds-lint's benchmark.

    generate.py OUT --profile sparse|dense [--seed N] [--files N]

The tree under OUT looks like what `databricks workspace export-dir` (or a
repo of exported notebooks) gives: Databricks source notebooks in Python,
Scala and SQL with `%sh`, `%python` and `%md` magic cells, Jupyter notebooks
(some exported from Databricks) with cell outputs that are often large, plain
Python modules, Scala sources, cluster init scripts, and Markdown, CSV and
JSON files.

Some files mention the instance metadata service: IMDSv1 requests (which
imds-lint must report), correct IMDSv2 requests and mere mentions such as
comments, NO_PROXY lists, other clouds' metadata requests and cell outputs
(which it must not). The two profiles:

    sparse  20,000 files, about 1% mention the service, several hundred MB
    dense    2,000 files, every one mentions it

Besides the tree, OUT holds two hidden files:

    .expected.jsonl  one JSON object per inserted usage, sorted by path and line:
                     path (relative to OUT, "/"-separated), line (1-based, of the
                     file as stored, where the request starts), kind (v1, v2 or
                     none), code (the rule expected there: IMD001, IMD003 or
                     null), shape, lang and context (where in the file it sits)
    .stats.json      counts and sizes of the tree, and the generator's hash

Every file is drawn from a random stream of its own, seeded from the seed and
its index, so the same arguments give the same bytes on every run and every
Python 3.9 or newer. Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import math
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ left in the source tree by the import below
from catalogue import (  # noqa: E402
    FILE_TYPES, IMD003_SHAPES, INIT_BLOCKS, KIND_WEIGHTS, MAGIC_MIX, METADATA_PATHS, MODULE_BLOCKS, PEOPLE,
    PROJECTS, PROSE, PYTHON_CELLS, SCALA_CELLS, SCALA_SOURCE_BLOCKS, SHELL_LINES, SHELL_SPELLINGS, SPELLINGS,
    SQL_CELLS, USAGES, VOCAB, WRAPPERS,
)

# Both files decide the bytes written; run.sh keys its cache on the same hash.
SOURCES = [Path(__file__).resolve(), Path(__file__).resolve().with_name("catalogue.py")]

# --- profiles -----------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    files: int
    seed: int
    share: float  # of files that mention the metadata service
    uses: tuple[int, int]  # usages in a file that mentions it, inclusive


PROFILES = {
    "sparse": Profile(files=20_000, seed=1, share=0.01, uses=(1, 3)),
    "dense": Profile(files=2_000, seed=2, share=1.0, uses=(1, 4)),
}

ADDRESS = b"169.254.169.254"


def pick(r: random.Random, weighted):
    """Choose from (value, weight) pairs."""
    values = [v for v, _ in weighted]
    return r.choices(values, [w for _, w in weighted])[0]


def log_uniform(r: random.Random, low: float, high: float) -> int:
    return int(math.exp(r.uniform(math.log(low), math.log(high))))


def fill(r: random.Random, template: str) -> str:
    """Replace ~name~ placeholders; one draw per name, so a template stays consistent."""
    values = {name: r.choice(words) for name, words in VOCAB.items()}
    values["n"] = str(r.choice([10, 25, 100, 200, 1000]))
    values["date"] = f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
    values["Tbl"] = values["tbl"].title().replace("_", "")
    return re.sub(r"~(\w+)~", lambda m: values.get(m.group(1), m.group(0)), template)


def filler(r: random.Random, templates) -> list[str]:
    return fill(r, r.choice(templates)).split("\n")


def draws(r: random.Random, *ranges: int) -> list[int]:
    """Small random integers, one below each range, from a single draw: big tables stay cheap to make."""
    bits, values = r.getrandbits(128), []
    for size in ranges:
        bits, value = divmod(bits, size)
        values.append(value)
    return values


# --- usages ---------------------------------------------------------------------


@dataclass
class Usage:
    """Lines of one inserted usage and the records pointing into them."""

    lines: list[str]
    marks: list[tuple[int, dict]]  # (index into lines, record without path and line)

    def shifted(self, prefix: list[str], suffix: tuple[str, ...] = ()) -> Usage:
        return Usage(prefix + self.lines + list(suffix), [(i + len(prefix), m) for i, m in self.marks])


def usage(r: random.Random, lang: str, context: str, wrap: float = 0.25) -> Usage:
    """Draw one usage written in `lang` (a key of USAGES)."""
    table = USAGES[lang]
    kind = pick(r, [(k, KIND_WEIGHTS[k]) for k in table])
    shape, template = r.choice(table[kind])
    spellings = SHELL_SPELLINGS if lang in ("sh", "bang") else SPELLINGS
    base = pick(r, spellings) if kind == "v1" else "http://169.254.169.254"
    path = r.choice(METADATA_PATHS)
    text = template.replace("@URL@", f"{base}/{path}").replace("@BASE@", base).replace("@PATH@", path)

    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if "¶" in line)
    lines[at] = lines[at].replace("¶", "")
    name = f"{'sh' if lang == 'bang' else lang}.{shape}"
    code = ("IMD003" if name in IMD003_SHAPES else "IMD001") if kind == "v1" else None
    record = {"kind": kind, "code": code, "shape": name, "lang": "sh" if lang == "bang" else lang,
              "context": context}
    found = Usage(lines, [(at, record)])

    # Requests inside a block must be found there too.
    if lang in WRAPPERS and kind != "none" and r.random() < wrap:
        head, tail, indent = WRAPPERS[lang]
        found = Usage([indent + x if x else x for x in lines], found.marks).shifted([head], [tail] if tail else [])
    return found


# --- files ----------------------------------------------------------------------


@dataclass
class TextFile:
    """A line-oriented file under construction."""

    lines: list[str] = field(default_factory=list)
    marks: list[tuple[int, dict]] = field(default_factory=list)  # (0-based line, record)

    def add(self, part: Usage) -> None:
        self.marks += [(len(self.lines) + i, m) for i, m in part.marks]
        self.lines += part.lines

    def render(self, newline: str = "\n") -> tuple[bytes, list[tuple[int, dict]]]:
        data = (newline.join(self.lines) + newline).encode()
        return data, [(i + 1, m) for i, m in self.marks]


COMMENT = {"python": "#", "scala": "//", "sql": "--"}
CELL_TEMPLATES = {"python": PYTHON_CELLS, "scala": SCALA_CELLS, "sql": SQL_CELLS}


def databricks_source(r: random.Random, lang: str, n_uses: int):
    """A Databricks source export: cells between COMMAND lines, magics as MAGIC comments."""
    c = COMMENT[lang]
    host = f"dbx-{lang}"

    def magic(part: Usage) -> Usage:
        return Usage([f"{c} MAGIC {x}" if x else f"{c} MAGIC" for x in part.lines], part.marks)

    cells = [magic(Usage(["%md", fill(r, "# ~Tbl~: ~verb~"), "", fill(r, r.choice(PROSE))], []))]
    for _ in range(log_uniform(r, 3, 40)):
        roll = r.random()
        if roll < 0.07:
            cells.append(magic(Usage(["%sh"] + filler(r, SHELL_LINES), [])))
        elif roll < 0.10:
            cells.append(magic(Usage([fill(r, "%pip install ~pkg~")], [])))
        elif roll < 0.22:
            cells.append(magic(Usage(["%md", fill(r, r.choice(PROSE))], [])))
        else:
            cells.append(Usage(filler(r, CELL_TEMPLATES[lang]), []))

    for _ in range(n_uses):
        place = pick(r, MAGIC_MIX[lang])
        if place == "%sh":
            lead = filler(r, SHELL_LINES) if r.random() < 0.3 else []
            cell = magic(usage(r, "sh", f"{host}:%sh").shifted(["%sh"] + lead))
        elif place == "%python":
            cell = magic(usage(r, "python", f"{host}:%python").shifted(["%python"]))
        elif place == "%md":
            cell = magic(usage(r, "markdown", f"{host}:%md").shifted(["%md"]))
        elif lang == "sql":
            cell = usage(r, "sql", f"{host}:code")
        else:
            lead = filler(r, CELL_TEMPLATES[lang]) + [""] if r.random() < 0.3 else []
            cell = usage(r, lang, f"{host}:code").shifted(lead)
        cells.insert(r.randint(1, len(cells)), cell)

    # Constants set in one cell serve requests in later ones.
    if lang == "python" and n_uses and r.random() < 0.3:
        at = r.randint(1, len(cells))
        cells.insert(at, Usage(['IMDS_ROOT = "http://169.254.169.254/latest/"'], []))
        request = Usage(["import urllib.request", "",
                         'zone = urllib.request.urlopen(IMDS_ROOT + "meta-data/placement/availability-zone").read()'],
                        [(2, {"kind": "v1", "code": "IMD001", "shape": "python.constant_from_earlier_cell",
                              "lang": "python", "context": f"{host}:code"})])
        cells.insert(r.randint(at + 1, len(cells)), request)

    out = TextFile([f"{c} Databricks notebook source"])
    for i, cell in enumerate(cells):
        if i:
            out.lines += ["", f"{c} COMMAND ----------", ""]
        out.add(cell)
    return out


def plain_file(r: random.Random, head: list[str], templates, n_blocks: int, n_uses: int, lang: str, context: str):
    """A module or script: a header, filler blocks, usages between them."""
    parts = [Usage(filler(r, templates), []) for _ in range(n_blocks)]
    for _ in range(n_uses):
        parts.insert(r.randint(0, len(parts)), usage(r, lang, context, wrap=0.4))
    out = TextFile(list(head))
    for i, part in enumerate(parts):
        if i:
            out.lines += [""] * (2 if lang == "python" else 1)
        out.add(part)
    return out


def markdown_file(r: random.Random, n_uses: int):
    out = TextFile([fill(r, "# ~Tbl~ pipeline"), "", fill(r, r.choice(PROSE)), "", "## Notebooks", ""])
    for _ in range(r.randint(2, 12)):
        out.lines.append(fill(r, "- `~n~_~verb~_~tbl~`: ") + fill(r, r.choice(PROSE)))
    for _ in range(n_uses):
        out.lines.append("")
        out.add(usage(r, "markdown", "readme"))
    return out


def csv_file(r: random.Random, n_uses: int):
    if not n_uses:
        out = TextFile(["vehicle_id,route_id,event_time,speed_kmh,fuel_level"])
        pool = []
        for _ in range(256):
            vehicle, route, month, day, hour, minute, speed, fuel = draws(r, 9000, 400, 12, 28, 24, 60, 1300, 1000)
            pool.append(f"V{1000 + vehicle},R{route + 1},2024-{month + 1:02d}-{day + 1:02d}T{hour:02d}:"
                        f"{minute:02d}:00Z,{speed / 10:.1f},{fuel / 1000:.3f}")
        out.lines += r.choices(pool, k=log_uniform(r, 10, 6000))
        return out
    out = TextFile(["rule,direction,cidr,port,action,why"])
    for i in range(r.randint(3, 30)):
        out.lines.append(f"{i + 1},egress,10.{r.randint(0, 255)}.0.0/16,{r.choice([443, 5432, 9092])},allow,internal")
    # One rule row names the address, however many usages were asked for.
    at = r.randint(1, len(out.lines))
    out.lines.insert(at, f"{at},egress,169.254.169.254/32,80,deny,instance metadata (v1)")
    out.marks.append((at, {"kind": "none", "code": None, "shape": "csv.egress_rule", "lang": "csv", "context": "csv"}))
    return out


def json_file(r: random.Random, n_uses: int):
    """A cluster definition; when it is to mention the service, its NO_PROXY names the address."""
    env = {"PYSPARK_PYTHON": "/databricks/python3/bin/python3"}
    if n_uses:
        env["NO_PROXY"] = "localhost,127.0.0.1,169.254.169.254"
    spec = {"cluster_name": fill(r, "~verb~-~tbl~"),
            "spark_version": r.choice(["14.3.x-scala2.12", "15.4.x-scala2.12"]),
            "node_type_id": r.choice(["m6gd.xlarge", "r6id.2xlarge", "i4i.xlarge"]),
            "autoscale": {"min_workers": 1, "max_workers": r.randint(2, 20)},
            "aws_attributes": {"instance_profile_arn": "arn:aws:iam::210987654321:instance-profile/etl"},
            "init_scripts": [{"volumes": {"destination": fill(r, "/Volumes/~cat~/ops/init/~tbl~.sh")}}],
            "spark_env_vars": env}
    lines = json.dumps(spec, indent=2).split("\n")
    marks = [(i, {"kind": "none", "code": None, "shape": "json.no_proxy", "lang": "json", "context": "json"})
             for i, line in enumerate(lines) if "169.254.169.254" in line]
    return TextFile(lines, marks)


# --- Jupyter notebooks ------------------------------------------------------------

MARK = "\x1e{}\x1f"  # JSON escapes it as \u001e...\u001f, so it can be found after dumping
MARK_FOUND = re.compile(r"\\u001e(\d+)\\u001f")


def outputs(r: random.Random, budget: int) -> tuple[list[dict], int]:
    """Outputs of one code cell and about how many bytes they take, at most about `budget`."""
    roll = r.random()
    if roll < 0.12 and budget > 20_000:
        raw = b"\x89PNG\r\n\x1a\n" + r.randbytes(min(log_uniform(r, 4_000, 1_500_000), budget * 3 // 4))
        png = base64.b64encode(raw).decode() + "\n"
        return [{"data": {"image/png": png, "text/plain": ["<Figure size 1000x500 with 1 Axes>"]},
                 "metadata": {}, "output_type": "display_data"}], len(png)
    if roll < 0.26:
        tables = VOCAB["tbl"]
        pool = []
        for _ in range(256):
            key, table, value, month, day, hour = draws(r, 9_000_000, len(tables), 100_000, 12, 28, 24)
            pool.append(f"|{1_000_000 + key:>10}|{tables[table]:>20}|{value / 100:>10.2f}|"
                        f"2024-{month + 1:02d}-{day + 1:02d} {hour:02d}:00:00|\n")
        rows = min(log_uniform(r, 5, 12000), max(budget // 70, 3))
        text = ["+----------+--------------------+----------+-------------------+\n"] + r.choices(pool, k=rows)
        return [{"name": "stdout", "output_type": "stream", "text": text}], 70 * len(text)
    if roll < 0.32:
        columns = VOCAB["col"]
        pool = []
        for _ in range(64):
            column, key, value = draws(r, len(columns), 1000, 10_000_000)
            pool.append(f"<tr><td>{columns[column]}_{key}</td><td>{value / 1000:.3f}</td></tr>\n")
        rows = min(log_uniform(r, 5, 1500), max(budget // 70, 3))
        html = ['<table border="1" class="dataframe">\n', "<thead><tr><th>key</th><th>value</th></tr></thead>\n",
                "<tbody>\n"] + r.choices(pool, k=rows) + ["</tbody></table>"]
        return [{"data": {"text/html": html, "text/plain": [f"<DataFrame with {rows} rows>"]},
                 "execution_count": 1, "metadata": {}, "output_type": "execute_result"}], 70 * len(html)
    if roll < 0.35:
        return [{"ename": "AnalysisException", "evalue": fill(r, "[TABLE_OR_VIEW_NOT_FOUND] ~cat~.~layer~.~tbl~"),
                 "output_type": "error",
                 "traceback": ["\x1b[0;31m---------------------------------------------------------------\x1b[0m",
                               "\x1b[0;31mAnalysisException\x1b[0m  Traceback (most recent call last)",
                               fill(r, "File \x1b[0;32m<command-~n~>:1\x1b[0m\n----> 1 spark.table(\"~tbl~\")")]}], 400
    if roll < 0.50:
        return [{"data": {"text/plain": [fill(r, "DataFrame[~col~: string, ~num~: double]")]},
                 "execution_count": 1, "metadata": {}, "output_type": "execute_result"}], 200
    return [], 0


def jupyter(r: random.Random, n_uses: int):
    """An nbformat 4 notebook with list-form sources; records are located after dumping."""
    databricks = r.random() < 0.4
    budget = log_uniform(r, 30_000, 4_000_000) if r.random() < 0.5 else 0
    pending: list[dict] = []  # records, indexed by the mark left in the text

    def cell(kind: str, part: Usage, produced: list[dict] | None = None) -> dict:
        nonlocal budget
        lines = list(part.lines)
        for i, record in part.marks:
            lines[i] = MARK.format(len(pending)) + lines[i]
            pending.append(record)
        meta = {}
        if databricks:
            meta = {"application/vnd.databricks.v1+cell": {
                "cellMetadata": {"byteLimit": 2048000, "rowLimit": 10000}, "inputWidgets": {},
                "nuid": f"{r.getrandbits(128):032x}", "showTitle": False, "title": ""}}
        built = {"cell_type": kind, "metadata": meta, "source": [x + "\n" for x in lines[:-1]] + lines[-1:]}
        if kind == "code":
            outs, size = (produced, 200) if produced is not None else outputs(r, budget) if budget > 0 else ([], 0)
            budget -= size
            built.update(execution_count=r.randint(1, 60) if outs else None, outputs=outs)
        return built

    cells = [cell("markdown", Usage([fill(r, "# ~Tbl~ ~verb~"), "", fill(r, r.choice(PROSE))], []))]
    for _ in range(log_uniform(r, 3, 35)):
        if r.random() < 0.2:
            cells.append(cell("markdown", Usage([fill(r, r.choice(PROSE))], [])))
        else:
            cells.append(cell("code", Usage(filler(r, PYTHON_CELLS), [])))

    for _ in range(n_uses):
        roll = r.random()
        if roll < 0.2:
            new = cell("code", usage(r, "bang", "ipynb:bang").shifted(filler(r, PYTHON_CELLS)))
        elif roll < 0.4:
            new = cell("code", usage(r, "sh", "ipynb:%sh").shifted(["%sh" if databricks else "%%bash"]))
        elif roll < 0.47:
            new = cell("markdown", usage(r, "markdown", "ipynb:markdown"))
        elif roll < 0.55:
            # The address printed by a cell: output text is never code.
            seen = MARK.format(len(pending)) + "connected to 169.254.169.254 port 80: instance metadata reachable\n"
            pending.append({"kind": "none", "code": None, "shape": "ipynb.output_mention", "lang": "output",
                            "context": "ipynb:output"})
            new = cell("code", Usage(["print(probe_metadata())"], []),
                       [{"name": "stdout", "output_type": "stream", "text": ["probing...\n", seen]}])
        else:
            new = cell("code", usage(r, "python", "ipynb:code"))
        cells.insert(r.randint(1, len(cells)), new)

    if databricks:
        meta = {"application/vnd.databricks.v1+notebook": {
            "dashboards": [], "language": "python", "notebookMetadata": {"pythonIndentUnit": 4},
            "notebookName": fill(r, "~verb~_~tbl~"), "widgets": {}}}
    else:
        meta = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                "language_info": {"name": "python", "version": "3.11.9"}}
    notebook = {"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": 0 if databricks else 5}
    text = json.dumps(notebook, indent=1 if r.random() < 0.7 else 2, sort_keys=True, ensure_ascii=False) + "\n"

    marks = []
    for found in MARK_FOUND.finditer(text):
        marks.append((text.count("\n", 0, found.start()) + 1, pending[int(found.group(1))]))
    return MARK_FOUND.sub("", text).encode(), marks


# --- the workspace -------------------------------------------------------------------


def make_file(r: random.Random, ftype: str, n_uses: int) -> tuple[bytes, list[tuple[int, dict]]]:
    """Bytes of one file and its records as (1-based line, record)."""
    if ftype == "ipynb":
        return jupyter(r, n_uses)
    newline = "\r\n" if r.random() < 0.04 else "\n"  # exports made on Windows
    if ftype.startswith("dbx_"):
        return databricks_source(r, ftype[4:], n_uses).render(newline)
    if ftype == "module":
        head = ['"""' + fill(r, "Helpers for the ~tbl~ tables of the ~layer~ layer.") + '"""',
                "from datetime import date, timedelta", "",
                "from pyspark.sql import DataFrame, SparkSession, Window", "from pyspark.sql import functions as F",
                "", ""]
        return plain_file(r, head, MODULE_BLOCKS, log_uniform(r, 1, 25), n_uses, "python", "py-module").render(newline)
    if ftype == "scala_source":
        head = [fill(r, "package com.northwind.~cat~"), "", "import org.apache.spark.sql.{DataFrame, SparkSession}",
                "import org.apache.spark.sql.functions._", "", fill(r, "object ~Tbl~Jobs {")]
        body = plain_file(r, head, SCALA_SOURCE_BLOCKS, log_uniform(r, 1, 12), n_uses, "scala", "scala-source")
        body.lines.append("}")
        return body.render(newline)
    if ftype == "init_script":
        head = ["#!/bin/bash", fill(r, "# Cluster init script for the ~tbl~ jobs."), "set -euo pipefail", ""]
        return plain_file(r, head, INIT_BLOCKS, log_uniform(r, 1, 12), n_uses, "sh", "init-script").render("\n")
    if ftype == "markdown":
        return markdown_file(r, n_uses).render()
    if ftype == "csv":
        return csv_file(r, n_uses).render()
    return json_file(r, n_uses).render()


def file_path(r: random.Random, ftype: str) -> str:
    person = r.choice(PEOPLE) + "@northwind.example"
    project = r.choice(PROJECTS)
    home = r.choice([f"Users/{person}/{project}", f"Repos/{person}/{project}", f"Shared/{project}"])
    stem = fill(r, f"{r.randint(1, 60):02d}_~verb~_~tbl~")
    folder = home + r.choice(["", "", "", "/exploration", "/jobs", "/archive/2023", "/archive/2024"])
    if ftype == "module":
        return f"{home}/src/{project}/{fill(r, '~verb~_~tbl~')}.py"
    if ftype == "scala_source":
        return f"{home}/src/main/scala/{fill(r, '~Tbl~Jobs')}.scala"
    if ftype == "init_script":
        return f"{r.choice(['Shared/init', home + '/init'])}/{fill(r, 'setup_~tbl~')}.sh"
    extension = {"dbx_python": "py", "dbx_scala": "scala", "dbx_sql": "sql", "ipynb": "ipynb"}
    if ftype in extension:
        return f"{folder}/{stem}.{extension[ftype]}"
    if ftype == "markdown":
        return f"{folder}/README.md"
    if ftype == "csv":
        return f"{home}/data/{fill(r, '~tbl~_sample')}.csv"
    return f"{home}/clusters/{fill(r, '~verb~_~tbl~')}.json"


def generator_hash() -> str:
    digest = hashlib.sha256()
    for source in SOURCES:
        digest.update(source.read_bytes())
    return digest.hexdigest()


def generate(out: Path, profile_name: str, seed: int, n_files: int) -> dict:
    """Write the tree, .expected.jsonl and .stats.json; return the stats."""
    profile = PROFILES[profile_name]

    # Exactly round(share * n) files mention the service; which ones depends on the seed only.
    order = list(range(n_files))
    random.Random(f"{seed}:mentions").shuffle(order)
    mentioning = set(order[:round(profile.share * n_files)])

    taken: set[str] = set()
    made_dirs: set[Path] = set()
    records: list[dict] = []
    stats = {"profile": profile_name, "seed": seed, "files": n_files, "bytes": 0, "files_mentioning": 0,
             "files_with_address": 0, "address_lines": 0, "records": {"v1": 0, "v2": 0, "none": 0},
             "by_type": {}, "probe": None, "generator": generator_hash()}
    probe_size = -1

    for index in range(n_files):
        r = random.Random(f"{seed}:file:{index}")
        ftype = pick(r, FILE_TYPES)
        path = file_path(r, ftype)
        stem, dot, extension = path.rpartition(".")
        twin = 2
        while path in taken:
            path, twin = f"{stem}_{twin}{dot}{extension}", twin + 1
        taken.add(path)

        n_uses = r.randint(*profile.uses) if index in mentioning else 0
        data, marks = make_file(r, ftype, n_uses)

        target = out / path
        if target.parent not in made_dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(target.parent)
        target.write_bytes(data)

        kind_stats = stats["by_type"].setdefault(ftype, {"files": 0, "bytes": 0})
        kind_stats["files"] += 1
        kind_stats["bytes"] += len(data)
        stats["bytes"] += len(data)
        stats["files_mentioning"] += bool(marks)
        if ADDRESS in data:
            stats["files_with_address"] += 1
            stats["address_lines"] += sum(ADDRESS in line for line in data.split(b"\n"))
        for line, record in marks:
            records.append({"path": path, "line": line, **record})
            stats["records"][record["kind"]] += 1
        if any(m["kind"] == "v1" for _, m in marks) and len(data) > probe_size:
            stats["probe"], probe_size = path, len(data)

    records.sort(key=lambda rec: (rec["path"], rec["line"]))
    with open(out / ".expected.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        fh.writelines(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records)
    with open(out / ".stats.json", "w", encoding="utf-8", newline="\n") as fh:
        json.dump(stats, fh, indent=2)
        fh.write("\n")
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder to write; must be absent or empty")
    parser.add_argument("--profile", required=True, choices=sorted(PROFILES))
    parser.add_argument("--seed", type=int, help="random seed (default: the profile's: sparse 1, dense 2)")
    parser.add_argument("--files", type=int, help="number of files (default: the profile's: sparse 20000, dense 2000)")
    args = parser.parse_args()

    profile = PROFILES[args.profile]
    n_files = profile.files if args.files is None else args.files
    seed = profile.seed if args.seed is None else args.seed
    if n_files < 1:
        parser.error("--files must be at least 1")
    if args.out.exists() and (not args.out.is_dir() or any(args.out.iterdir())):
        parser.error(f"{args.out} exists and is not an empty folder")

    started = time.monotonic()
    stats = generate(args.out, args.profile, seed, n_files)
    rec = stats["records"]
    print(f"{args.profile}: {stats['files']} files, {stats['bytes'] / 1e6:.1f} MB, "
          f"{stats['files_mentioning']} files with usages ({rec['v1']} v1, {rec['v2']} v2, {rec['none']} none), "
          f"in {time.monotonic() - started:.1f} s -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
