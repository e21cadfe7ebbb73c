//! Span maps of `.ipynb` cells point at the exact bytes of each `source`
//! string, whatever the JSON layout and escapes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_segments_ordered, assert_verbatim_ranges_match, read};
use imds_lint_parser::{Cell, Lang, Layer, Origin};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// The lines of the Python cell every layout stores, escapes of every kind.
const LINES: [&str; 6] = [
    "import os\n",
    "s = \"a\\tb\"\t# tab\n",
    "t = 'é😀/x'\r\n",
    "u = '\\\\x' + \"\\\"\"\n",
    "\n",
    "last = 1",
];

fn notebook() -> Value {
    json!({
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Title é\n", "text"]},
            {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [
                {"name": "stdout", "output_type": "stream", "text": ["curl http://169.254.169.254/\n"]}
             ], "source": LINES},
            {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],
             "source": LINES.concat()},
            {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],
             "source": ["x = 1\n", "out = !curl -s \"http://h/é\" \\\n", "   -o f\n", "y = 2\n"]},
            {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],
             "source": ["%%bash\n", "curl -H \"a: b\" \\\n", "  http://x\t/é\n"]},
            {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": []},
            {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": ""}
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5
    })
}

/// Pretty JSON with `indent` spaces per level. JSON strings hold no raw
/// line breaks, so every line's leading spaces are layout.
fn pretty(value: &Value, indent: usize) -> String {
    let two = serde_json::to_string_pretty(value).unwrap();
    two.lines()
        .map(|line| {
            let body = line.trim_start_matches(' ');
            let depth = (line.len() - body.len()) / 2;
            format!("{}{body}", " ".repeat(depth * indent))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes non-ASCII as `\uXXXX` (surrogate pairs past U+FFFF) and `/` as
/// `\/`, as some tools do. Outside strings JSON has neither.
fn ascii_escaped(json: &str) -> String {
    let mut out = String::new();
    for c in json.chars() {
        if c == '/' {
            out.push_str("\\/");
        } else if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(out, "\\u{unit:04x}").unwrap();
            }
        }
    }
    out
}

/// Every layout the tests read: `(name, text)`.
fn layouts() -> Vec<(&'static str, String)> {
    let value = notebook();
    let indent1 = pretty(&value, 1);
    vec![
        ("indent 1", indent1.clone()),
        ("indent 2", pretty(&value, 2)),
        ("compact", serde_json::to_string(&value).unwrap()),
        ("ascii escapes", ascii_escaped(&indent1)),
        ("crlf", indent1.replace('\n', "\r\n")),
        ("bom", format!("\u{feff}{indent1}")),
    ]
}

fn cells_of(layout: &str, text: &str) -> Vec<Cell> {
    read("nb.ipynb", text)
        .unwrap_or_else(|e| panic!("{layout}: {e}"))
        .1
}

#[test]
fn every_layout_reads_the_same_cells() {
    let expected: Vec<(Option<usize>, Lang, String)> = vec![
        (Some(1), Lang::Markdown, "# Title é\ntext".into()),
        (Some(2), Lang::Python, LINES.concat()),
        (Some(3), Lang::Python, LINES.concat()),
        (
            Some(4),
            Lang::Python,
            format!(
                "x = 1\nout = 0{}\\\n{}\ny = 2\n",
                " ".repeat("!curl -s \"http://h/é\" ".len() - 1),
                " ".repeat("   -o f".len())
            ),
        ),
        (
            Some(4),
            Lang::Shell,
            "curl -s \"http://h/é\" \\\n   -o f".into(),
        ),
        (
            Some(5),
            Lang::Shell,
            "curl -H \"a: b\" \\\n  http://x\t/é\n".into(),
        ),
        (Some(6), Lang::Python, String::new()),
        (Some(7), Lang::Python, String::new()),
    ];
    for (layout, text) in layouts() {
        let cells = cells_of(layout, &text);
        let got: Vec<_> = cells
            .iter()
            .map(|c| (c.number, c.lang, c.code.clone()))
            .collect();
        assert_eq!(got, expected, "{layout}");
        assert_eq!(cells[4].origin, Origin::BangLine, "{layout}");
        assert_eq!(
            cells[5].origin,
            Origin::MagicCell {
                magic: "bash".into()
            }
        );
    }
}

#[test]
fn verbatim_ranges_point_at_the_same_bytes() {
    for (layout, text) in layouts() {
        for cell in cells_of(layout, &text) {
            // The Python host of a `!` line has it blanked; its shell cell
            // is checked instead.
            if cell.number == Some(4) && cell.lang == Lang::Python {
                continue;
            }
            assert_segments_ordered(&cell);
            assert_verbatim_ranges_match(&text, &cell);
        }
    }
}

#[test]
fn escaped_segments_are_escapes_or_joints() {
    for (layout, text) in layouts() {
        for cell in cells_of(layout, &text) {
            if cell.number == Some(4) && cell.lang == Lang::Python {
                continue;
            }
            for seg in cell.map.segments() {
                if seg.cell_len == seg.file_len {
                    continue;
                }
                let stored = &text[seg.file..seg.file + seg.file_len];
                let code = &cell.code[seg.cell..seg.cell + seg.cell_len];
                let decoded: Result<String, _> = serde_json::from_str(&format!("\"{stored}\""));
                if let Ok(decoded) = decoded {
                    assert_eq!(decoded, code, "{layout}: {stored:?}");
                    continue;
                }
                // A joint: the newline escape, the closing quote, the
                // separator, the next opening quote.
                assert_eq!(code, "\n", "{layout}: {stored:?}");
                assert!(stored.starts_with("\\n\""), "{layout}: {stored:?}");
                assert!(stored.ends_with('"'), "{layout}: {stored:?}");
                let Some(Layer::JsonLines { joint }) = cell.layers.first() else {
                    panic!("{layout}: joint outside a list source");
                };
                assert_eq!(&stored[3..stored.len() - 1], joint, "{layout}");
            }
        }
    }
}

#[test]
fn insertion_at_a_line_start_lands_inside_the_next_string() {
    for (layout, text) in layouts() {
        let cells = cells_of(layout, &text);
        let cell = &cells[1];
        for (offset, _) in cell.code.match_indices('\n') {
            let at = cell.map.file_start(offset + 1);
            let before = text[..at].trim_end_matches(char::is_whitespace);
            assert!(before.ends_with('"'), "{layout}: {:?}", &text[at - 6..at]);
        }
        // after the last byte: before the last string's closing quote
        let end = cell.map.file_start(cell.code.len());
        assert_eq!(&text[end..=end], "\"", "{layout}");
    }
}

#[test]
fn layers_name_the_json_container() {
    for (layout, text) in layouts() {
        let cells = cells_of(layout, &text);
        let joint = match layout {
            "compact" => ",",
            "indent 2" => ",\n        ",
            "crlf" => ",\r\n    ",
            _ => ",\n    ",
        };
        assert_eq!(
            cells[1].layers,
            [Layer::JsonLines {
                joint: joint.into()
            }],
            "{layout}"
        );
        assert_eq!(cells[2].layers, [Layer::JsonString], "{layout}");
        assert_eq!(cells[4].layers, cells[3].layers, "{layout}");
    }
}

#[test]
fn empty_sources_have_an_insertion_point_inside_their_container() {
    for (layout, text) in layouts() {
        let cells = cells_of(layout, &text);
        let list = cells[6].map.file_start(0);
        assert_eq!(&text[list - 1..list], "[", "{layout}");
        let string = cells[7].map.file_start(0);
        assert_eq!(&text[string - 1..=string], "\"\"", "{layout}");
    }
}
