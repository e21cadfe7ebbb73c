//! Property tests for span maps: generated notebooks (random sources with
//! every JSON escape spelling, list and string form, any indentation,
//! decoy `source` keys) and Databricks exports (random plain and `MAGIC`
//! cells, titles, LF or CRLF, BOM) read back into the sources that made
//! them, and every range of every cell maps to file bytes that decode to
//! the same text. Composition through a host map obeys the chain law.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fmt::Write as _;
use std::ops::Range;

use imds_lint_parser::{Cell, Lang, SpanMap, SpanMapBuilder};
use proptest::prelude::*;
use proptest::sample::select;

/// 256 cases a run; failures are printed minimized, not saved (an
/// integration test has no `lib.rs` to save them beside): a failure found
/// becomes a named regression test.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        // The same cases on every run, so that CI is repeatable; change the
        // seed by hand to explore further.
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x1D5_2026),
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------
// Jupyter notebooks

/// Characters cell sources are made of: JSON's escapes (quote, backslash,
/// controls, slash), multi-byte and astral characters, a line separator.
/// No `!` or `%`, so no line is an IPython escape or magic.
const SOURCE_CHARS: &[char] = &[
    'a', 'b', 'x', ' ', ' ', '=', '(', ')', '[', ']', '{', '}', ',', ':', '"', '\'', '\\', '/',
    '\t', '\r', '\u{1}', '\u{1f}', '\u{7f}', 'é', '中', '😀', '\u{2028}', '#',
];

#[derive(Debug, Clone)]
struct GenCell {
    kind: &'static str,
    lines: Vec<String>,
    list_form: bool,
    /// Whether the cell's metadata holds a decoy `source` key.
    decoy: bool,
    /// Whether `source` comes before `metadata` in the cell object.
    source_first: bool,
}

#[derive(Debug, Clone)]
struct GenNotebook {
    cells: Vec<GenCell>,
    /// `None`: compact JSON; else spaces per level.
    indent: Option<usize>,
    crlf: bool,
    bom: bool,
    /// Picks each character's JSON spelling, cycled.
    spelling: Vec<u8>,
}

fn line() -> impl Strategy<Value = String> {
    prop::collection::vec(select(SOURCE_CHARS), 0..12).prop_map(|cs| cs.into_iter().collect())
}

fn gen_cell() -> impl Strategy<Value = GenCell> {
    (
        select(&["code", "code", "markdown", "raw"][..]),
        prop::collection::vec(line(), 0..5),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(kind, mut lines, list_form, decoy, source_first, last_nl)| {
                // Every line but the last ends with a line feed, as Jupyter
                // writes them; the last one may too.
                let count = lines.len();
                for (i, l) in lines.iter_mut().enumerate() {
                    if i + 1 < count || last_nl {
                        l.push('\n');
                    }
                }
                GenCell {
                    kind,
                    lines,
                    list_form,
                    decoy,
                    source_first,
                }
            },
        )
}

fn gen_notebook() -> impl Strategy<Value = GenNotebook> {
    (
        prop::collection::vec(gen_cell(), 0..6),
        prop::option::of(0usize..5),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(any::<u8>(), 1..32),
    )
        .prop_map(|(cells, indent, crlf, bom, spelling)| GenNotebook {
            cells,
            indent,
            crlf,
            bom,
            spelling,
        })
}

/// Writes JSON text with a choice of spelling for each character.
struct JsonWriter<'a> {
    out: String,
    spelling: &'a [u8],
    next: usize,
}

impl JsonWriter<'_> {
    fn choice(&mut self) -> u8 {
        let c = self.spelling[self.next % self.spelling.len()];
        self.next += 1;
        c
    }

    fn string(&mut self, text: &str) {
        self.out.push('"');
        for c in text.chars() {
            let pick = self.choice() % 3;
            let short = match c {
                '"' => Some("\\\""),
                '\\' => Some("\\\\"),
                '\n' => Some("\\n"),
                '\r' => Some("\\r"),
                '\t' => Some("\\t"),
                '/' if pick == 1 => Some("\\/"),
                _ => None,
            };
            let must_escape = c < ' ' || c == '"' || c == '\\';
            match (short, pick) {
                (Some(s), 0 | 1) => self.out.push_str(s),
                _ if must_escape || pick == 2 => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        write!(self.out, "\\u{unit:04x}").unwrap();
                    }
                }
                _ => self.out.push(c),
            }
        }
        self.out.push('"');
    }
}

impl GenNotebook {
    fn text(&self) -> String {
        let nl = if self.crlf { "\r\n" } else { "\n" };
        let (nl, pad) = match self.indent {
            None => ("", String::new()),
            Some(n) => (nl, " ".repeat(n)),
        };
        let sep = if self.indent.is_some() { ": " } else { ":" };
        let at = |level: usize| pad.repeat(level);
        let mut w = JsonWriter {
            out: String::new(),
            spelling: &self.spelling,
            next: 0,
        };
        if self.bom {
            w.out.push('\u{feff}');
        }
        write!(w.out, "{{{nl}{}\"cells\"{sep}[{nl}", at(1)).unwrap();
        for (i, cell) in self.cells.iter().enumerate() {
            write!(w.out, "{}{{{nl}", at(2)).unwrap();
            write!(w.out, "{}\"cell_type\"{sep}\"{}\",{nl}", at(3), cell.kind).unwrap();
            let metadata = |w: &mut JsonWriter| {
                if cell.decoy {
                    write!(
                        w.out,
                        "{}\"metadata\"{sep}{{\"source\"{sep}[\"decoy\\n\"], \"tags\"{sep}[\"source\"]}}",
                        at(3)
                    )
                    .unwrap();
                } else {
                    write!(w.out, "{}\"metadata\"{sep}{{}}", at(3)).unwrap();
                }
            };
            let source = |w: &mut JsonWriter| {
                write!(w.out, "{}\"source\"{sep}", at(3)).unwrap();
                if cell.list_form {
                    w.out.push('[');
                    for (j, l) in cell.lines.iter().enumerate() {
                        if j > 0 {
                            w.out.push(',');
                        }
                        write!(w.out, "{nl}{}", at(4)).unwrap();
                        w.string(l);
                    }
                    if !cell.lines.is_empty() {
                        write!(w.out, "{nl}{}", at(3)).unwrap();
                    }
                    w.out.push(']');
                } else {
                    w.string(&cell.lines.concat());
                }
            };
            if cell.source_first {
                source(&mut w);
                write!(w.out, ",{nl}").unwrap();
                metadata(&mut w);
            } else {
                metadata(&mut w);
                write!(w.out, ",{nl}").unwrap();
                source(&mut w);
            }
            if cell.kind == "code" {
                // An output that itself has a `source`-looking text.
                write!(
                    w.out,
                    ",{nl}{}\"outputs\"{sep}[{{\"output_type\"{sep}\"stream\", \"name\"{sep}\"stdout\", \"text\"{sep}[\"\\\"source\\\": [\\\"x\\\"]\"]}}],{nl}{}\"execution_count\"{sep}null",
                    at(3),
                    at(3)
                )
                .unwrap();
            }
            write!(w.out, "{nl}{}}}", at(2)).unwrap();
            if i + 1 < self.cells.len() {
                w.out.push(',');
            }
            w.out.push_str(nl);
        }
        write!(
            w.out,
            "{}],{nl}{}\"metadata\"{sep}{{}},{nl}{}\"nbformat\"{sep}4,{nl}{}\"nbformat_minor\"{sep}5{nl}}}{nl}",
            at(1),
            at(1),
            at(1),
            at(1)
        )
        .unwrap();
        w.out
    }
}

/// Decodes the file bytes a cell range maps to: JSON escapes, and the
/// `",<blanks>"` joints between the strings of a list-form source.
fn decode_json_fragment(fragment: &str) -> String {
    let mut out = String::new();
    let mut rest = fragment;
    while let Some(c) = rest.chars().next() {
        if c == '\\' {
            let (decoded, used) = decode_escape(rest);
            out.push_str(&decoded);
            rest = &rest[used..];
        } else if c == '"' {
            // A joint: `"` blanks `,` blanks `"`.
            let after = rest[1..].trim_start();
            let after = after.strip_prefix(',').expect("a joint").trim_start();
            rest = after.strip_prefix('"').expect("a joint");
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

fn decode_escape(text: &str) -> (String, usize) {
    let b = text.as_bytes()[1];
    let simple = match b {
        b'n' => Some('\n'),
        b'r' => Some('\r'),
        b't' => Some('\t'),
        b'b' => Some('\u{8}'),
        b'f' => Some('\u{c}'),
        b'"' => Some('"'),
        b'\\' => Some('\\'),
        b'/' => Some('/'),
        _ => None,
    };
    if let Some(c) = simple {
        return (c.to_string(), 2);
    }
    let unit = |at: usize| u16::from_str_radix(&text[at..at + 4], 16).unwrap();
    let first = unit(2);
    if (0xd800..0xdc00).contains(&first) {
        let second = unit(8);
        let s = String::from_utf16(&[first, second]).unwrap();
        (s, 12)
    } else {
        (String::from_utf16(&[first]).unwrap(), 6)
    }
}

/// The ranges of `code` to check: every pair of chosen boundaries.
fn sample_ranges(code: &str, picks: &[(u16, u16)]) -> Vec<Range<usize>> {
    let floor = |mut i: usize| {
        while !code.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let len = code.len() + 1;
    let mut ranges: Vec<Range<usize>> = picks
        .iter()
        .map(|&(a, b)| {
            let (a, b) = (floor(usize::from(a) % len), floor(usize::from(b) % len));
            a.min(b)..a.max(b)
        })
        .collect();
    ranges.push(0..code.len());
    ranges
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn notebooks_read_back_their_sources(
        nb in gen_notebook(),
        picks in prop::collection::vec((any::<u16>(), any::<u16>()), 8),
    ) {
        let text = nb.text();
        let (_, cells) = common::read("gen.ipynb", &text)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        prop_assert_eq!(cells.len(), nb.cells.len());

        for (i, (cell, made)) in cells.iter().zip(&nb.cells).enumerate() {
            prop_assert_eq!(cell.number, Some(i + 1));
            let lang = if made.kind == "code" { Lang::Python } else { Lang::Markdown };
            prop_assert_eq!(cell.lang, lang);
            prop_assert_eq!(&cell.code, &made.lines.concat());

            common::assert_segments_ordered(cell);
            assert_map_inside(&text, cell);
            for range in sample_ranges(&cell.code, &picks) {
                let file = cell.map.file_range(range.clone());
                prop_assert_eq!(
                    decode_json_fragment(&text[file.clone()]),
                    &cell.code[range.clone()],
                    "cell {} range {:?} -> {:?}", i + 1, range, file
                );
            }
        }
    }
}

/// Every segment lies inside the file, on character boundaries.
fn assert_map_inside(text: &str, cell: &Cell) {
    assert_eq!(cell.map.cell_len(), cell.code.len());
    for seg in cell.map.segments() {
        let end = seg.file + seg.file_len;
        assert!(end <= text.len(), "segment past the end");
        assert!(text.is_char_boundary(seg.file) && text.is_char_boundary(end));
    }
}

// ---------------------------------------------------------------------
// Databricks exports

/// Characters of export lines: no `#`, `%` or `!`, so no line is a
/// separator, a title, a `MAGIC` line or an IPython escape by accident.
const EXPORT_CHARS: &[char] = &[
    'a', 'b', 'x', ' ', '=', '(', ')', '"', '\'', '\\', '\t', 'é', '😀', '/', ':', '-',
];

#[derive(Debug, Clone)]
enum GenExportCell {
    /// Plain Python lines.
    Code(Vec<String>),
    /// `# MAGIC %<magic>` then the body lines; `bare` picks, per empty body
    /// line, `# MAGIC` without the trailing space.
    Magic {
        magic: &'static str,
        body: Vec<String>,
        bare: bool,
    },
}

#[derive(Debug, Clone)]
struct GenExport {
    cells: Vec<(GenExportCell, bool)>,
    crlf: bool,
    bom: bool,
}

fn export_line(nonblank: bool) -> impl Strategy<Value = String> {
    prop::collection::vec(select(EXPORT_CHARS), usize::from(nonblank)..10).prop_map(move |cs| {
        let s: String = cs.into_iter().collect();
        // A code line must not be blank: blank lines at a cell's edge
        // belong to the separator.
        if nonblank && s.trim().is_empty() {
            format!("x{s}")
        } else {
            s
        }
    })
}

fn gen_export() -> impl Strategy<Value = GenExport> {
    let code = prop::collection::vec(export_line(true), 1..4).prop_map(GenExportCell::Code);
    let magic = (
        select(&["sh", "python", "md", "scala"][..]),
        prop::collection::vec(export_line(false), 0..4),
        any::<bool>(),
    )
        .prop_map(|(magic, mut body, bare)| {
            // A trailing blank body line would be trimmed with the cell.
            if body.last().is_some_and(|l| l.trim().is_empty()) {
                body.push("x".to_owned());
            }
            GenExportCell::Magic { magic, body, bare }
        });
    (
        prop::collection::vec((prop_oneof![code, magic], any::<bool>()), 1..6),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(cells, crlf, bom)| GenExport { cells, crlf, bom })
}

impl GenExport {
    fn eol(&self) -> &'static str {
        if self.crlf {
            "\r\n"
        } else {
            "\n"
        }
    }

    fn text(&self) -> String {
        let eol = self.eol();
        let mut out = String::new();
        if self.bom {
            out.push('\u{feff}');
        }
        write!(out, "# Databricks notebook source{eol}").unwrap();
        for (i, (cell, titled)) in self.cells.iter().enumerate() {
            if i > 0 {
                write!(out, "{eol}# COMMAND ----------{eol}{eol}").unwrap();
            }
            if *titled {
                write!(out, "# DBTITLE 1,Cell {i}{eol}").unwrap();
            }
            match cell {
                GenExportCell::Code(lines) => {
                    for l in lines {
                        write!(out, "{l}{eol}").unwrap();
                    }
                }
                GenExportCell::Magic { magic, body, bare } => {
                    write!(out, "# MAGIC %{magic}{eol}").unwrap();
                    for l in body {
                        let prefix = if l.is_empty() && *bare {
                            "# MAGIC"
                        } else {
                            "# MAGIC "
                        };
                        write!(out, "{prefix}{l}{eol}").unwrap();
                    }
                }
            }
        }
        out
    }

    /// Each cell's language and code as the interpreter sees it.
    fn expected(&self) -> Vec<(Lang, String)> {
        let eol = self.eol();
        self.cells
            .iter()
            .map(|(cell, _)| match cell {
                GenExportCell::Code(lines) => (Lang::Python, terminated(lines, eol)),
                GenExportCell::Magic { magic, body, .. } => {
                    let lang = match *magic {
                        "sh" => Lang::Shell,
                        "python" => Lang::Python,
                        "scala" => Lang::Scala,
                        _ => Lang::Markdown,
                    };
                    (lang, terminated(body, eol))
                }
            })
            .collect()
    }
}

/// The lines, each followed by `eol`.
fn terminated(lines: &[String], eol: &str) -> String {
    lines.iter().flat_map(|l| [l.as_str(), eol]).collect()
}

/// The file bytes of a `MAGIC` cell range, with the prefixes that follow
/// each line break taken out.
fn strip_magic_prefixes(fragment: &str) -> String {
    let mut out = String::new();
    let mut lines = fragment.split('\n');
    out.push_str(lines.next().unwrap_or_default());
    for line in lines {
        out.push('\n');
        let body = line
            .strip_prefix("# MAGIC ")
            .or_else(|| line.strip_prefix("# MAGIC"))
            .unwrap_or(line);
        out.push_str(body);
    }
    out
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn databricks_exports_read_back_their_cells(
        export in gen_export(),
        picks in prop::collection::vec((any::<u16>(), any::<u16>()), 8),
    ) {
        let text = export.text();
        let (_, cells) = common::read("gen.py", &text).unwrap();
        let expected = export.expected();
        prop_assert_eq!(cells.len(), expected.len(), "{:?}", text);

        for (i, (cell, (lang, code))) in cells.iter().zip(&expected).enumerate() {
            prop_assert_eq!(cell.number, Some(i + 1));
            prop_assert_eq!(cell.lang, *lang);
            prop_assert_eq!(&cell.code, code);

            common::assert_segments_ordered(cell);
            common::assert_verbatim_ranges_match(&text, cell);
            assert_map_inside(&text, cell);
            for range in sample_ranges(&cell.code, &picks) {
                let file = cell.map.file_range(range.clone());
                prop_assert_eq!(
                    strip_magic_prefixes(&text[file.clone()]),
                    &cell.code[range.clone()],
                    "cell {} range {:?} -> {:?}", i + 1, range, file
                );
            }
        }
    }
}

// ---------------------------------------------------------------------
// Composition: nested cell -> host cell -> file

/// A host map made of runs: verbatim ASCII, or one character decoded from
/// an escape of `file_len` bytes. Returns the map and the host's character
/// boundaries.
fn host_map(runs: &[(bool, usize, usize)], start: usize) -> (SpanMap, Vec<bool>) {
    let mut builder = SpanMapBuilder::new(start);
    let mut boundary = vec![true];
    for &(verbatim, len, extra) in runs {
        if verbatim {
            builder.verbatim(len);
            boundary.extend(std::iter::repeat_n(true, len));
        } else {
            // One character of `len` bytes (1..=4) from a longer escape.
            let char_len = len.clamp(1, 4);
            builder.escaped(char_len, char_len + 1 + extra);
            boundary.extend(std::iter::repeat_n(false, char_len - 1));
            boundary.push(true);
        }
    }
    (builder.finish(), boundary)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn composed_maps_chain_through_the_host(
        runs in prop::collection::vec((any::<bool>(), 1usize..6, 0usize..8), 1..12),
        start in 0usize..50,
        a in any::<u16>(),
        b in any::<u16>(),
    ) {
        let (host, boundary) = host_map(&runs, start);
        let host_len = host.cell_len();
        let on_boundary: Vec<usize> = (0..=host_len).filter(|&i| boundary[i]).collect();
        let pick = |x: u16| on_boundary[usize::from(x) % on_boundary.len()];
        let (lo, hi) = (pick(a).min(pick(b)), pick(a).max(pick(b)));

        // The nested code is host bytes lo..hi, taken verbatim.
        let nested = SpanMap::verbatim(lo, hi - lo).compose(&host);
        prop_assert_eq!(nested.cell_len(), hi - lo);
        for i in (lo..=hi).filter(|&i| boundary[i]) {
            for j in (i..=hi).filter(|&j| boundary[j]) {
                prop_assert_eq!(
                    nested.file_range(i - lo..j - lo),
                    host.file_range(i..j),
                    "nested {}..{} of host {}..{}", i - lo, j - lo, lo, hi
                );
            }
        }
    }
}
