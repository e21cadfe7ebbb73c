//! Malformed input gives a reason, never a panic: truncated and mutated
//! notebooks and exports, odd code in cells, odd string literals.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_segments_ordered, read};
use imds_lint_parser::strings::{python_literal, scala_literal, Decoded};
use imds_lint_parser::ReadError;

const NOTEBOOK: &str = r##"{
 "cells": [
  {
   "cell_type": "code",
   "metadata": {},
   "source": [
    "import os\n",
    "s = \"a\\tb \u00e9 \ud83d\ude00\"\n",
    "!curl -s http://x \\\n",
    "  -o f\n"
   ]
  },
  {"cell_type": "markdown", "metadata": {}, "source": "# t"},
  {"cell_type": "code", "metadata": {}, "source": ["%%bash\n", "ls"]}
 ],
 "metadata": {"kernelspec": {"language": "python"}},
 "nbformat": 4,
 "nbformat_minor": 5
}
"##;

const EXPORT: &str = "# Databricks notebook source\r\nx = 1\r\n\r\n# COMMAND ----------\r\n\r\n\
    # DBTITLE 1,t\r\n# MAGIC %sh\r\n# MAGIC curl x\r\n# MAGIC\r\n\r\n# COMMAND ----------\r\n\r\n!ls\r\n";

/// Reads text that may be anything; only checks that reading returns.
fn read_any(name: &str, text: &str) {
    if let Ok((_, cells)) = read(name, text) {
        for cell in &cells {
            assert_segments_ordered(cell);
            let file = cell.map.file_range(0..cell.code.len());
            assert!(file.end <= text.len(), "{name}: map past the end");
        }
    }
}

#[test]
fn the_samples_read() {
    let (_, cells) = read("nb.ipynb", NOTEBOOK).unwrap();
    // Python host, its `!` line, markdown, `%%bash`
    assert_eq!(cells.len(), 4);
    let (_, cells) = read("nb.py", EXPORT).unwrap();
    assert_eq!(cells.len(), 4);
}

#[test]
fn truncated_notebooks_fail_cleanly() {
    let json_end = NOTEBOOK.trim_end().len();
    for end in (0..json_end).filter(|&e| NOTEBOOK.is_char_boundary(e)) {
        let result = read("nb.ipynb", &NOTEBOOK[..end]);
        // Only the whole object is valid JSON.
        assert!(
            matches!(result, Err(ReadError::InvalidJson { .. })),
            "{end}: {:?}",
            result.err()
        );
    }
}

#[test]
fn mutated_notebooks_never_panic() {
    let bytes = NOTEBOOK.as_bytes();
    for at in 0..bytes.len() {
        if !NOTEBOOK.is_char_boundary(at) || !NOTEBOOK.is_char_boundary(at + 1) {
            continue;
        }
        for replacement in [
            "\"", "\\", "[", "]", "{", "}", ",", "0", "null", "\"\"", "\\u",
        ] {
            let text = format!("{}{replacement}{}", &NOTEBOOK[..at], &NOTEBOOK[at + 1..]);
            read_any("nb.ipynb", &text);
        }
    }
}

#[test]
fn cells_of_the_wrong_shape_are_named() {
    for (text, expected) in [
        (r#"{"cells": [1, 2], "nbformat": 4}"#, "cell 1"),
        (
            r#"{"cells": [{"cell_type": "code", "source": {"a": 1}}]}"#,
            "an object",
        ),
        (
            r#"{"cells": [{"cell_type": "code", "source": [["x"]]}]}"#,
            "a list",
        ),
        (
            r#"{"cells": [{"cell_type": "code", "source": true}]}"#,
            "a boolean",
        ),
        (r#"{"cells": null}"#, "`cells` is null"),
        (r#""just a string""#, "a string"),
        (r#"{"cells": [], "nbformat": "4"}"#, "nbformat \"4\""),
        (r#"{"cells": [], "nbformat": 4.5}"#, "nbformat 4.5"),
    ] {
        let message = read("nb.ipynb", text)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains(expected), "{text}: {message}");
    }
}

#[test]
fn deep_nesting_is_never_a_stack_overflow() {
    let nested = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000));
    // Where values are built (the notebook's metadata), an error.
    let built = format!("{{\"cells\": [], \"metadata\": {{\"kernelspec\": {nested}}}}}");
    assert!(matches!(
        read("nb.ipynb", &built),
        Err(ReadError::InvalidJson { .. })
    ));
    // A cell's source is read from the text: a list nested that deep is
    // valid JSON and the wrong kind of source.
    let source = format!("{{\"cells\": [{{\"cell_type\": \"code\", \"source\": {nested}}}]}}");
    assert!(matches!(
        read("nb.ipynb", &source),
        Err(ReadError::InvalidCell { cell: 1, .. })
    ));
    // Where the JSON is only checked (fields nothing reads), read.
    let checked = format!("{{\"cells\": [], \"x\": {nested}}}");
    assert!(read("nb.ipynb", &checked).is_ok());
    // Broken inside the nesting: an error either way.
    let broken = format!(
        "{{\"cells\": [], \"x\": {}{}}}",
        "[".repeat(50_000),
        "]".repeat(49_999)
    );
    assert!(matches!(
        read("nb.ipynb", &broken),
        Err(ReadError::InvalidJson { .. })
    ));
}

#[test]
fn odd_code_in_cells_never_panics() {
    let fragments = [
        "!", "!!", "%", "%%", "%%bash", "%sh", "\\", "'", "\"\"\"", "'''", "(", ")", "x = ", "#",
        "\n", "\r\n", " ", "é", "%sx", "=", "!ls \\",
    ];
    for a in fragments {
        for b in fragments {
            for c in fragments {
                let code = format!("{a}{b}{c}");
                let notebook = serde_json::json!({
                    "cells": [{"cell_type": "code", "source": code}],
                    "nbformat": 4
                });
                read_any("nb.ipynb", &notebook.to_string());
                let export = format!("# Databricks notebook source\n{code}\n# MAGIC {code}\n");
                read_any("nb.py", &export);
            }
        }
    }
}

#[test]
fn truncated_and_mutated_exports_never_panic() {
    for end in (0..=EXPORT.len()).filter(|&e| EXPORT.is_char_boundary(e)) {
        read_any("nb.py", &EXPORT[..end]);
    }
    for at in 0..EXPORT.len() {
        for replacement in ["\n", "\r", " ", "#", "%", "!", ""] {
            let text = format!("{}{replacement}{}", &EXPORT[..at], &EXPORT[at + 1..]);
            read_any("nb.py", &text);
        }
    }
}

/// A decoded literal's map covers its code and its verbatim runs match.
fn check_decoded(text: &str, decoded: &Decoded) {
    assert_eq!(decoded.map.cell_len(), decoded.code.len(), "{text:?}");
    for seg in decoded.map.segments() {
        assert!(seg.file + seg.file_len <= text.len(), "{text:?}");
        if seg.cell_len == seg.file_len {
            assert_eq!(
                &decoded.code[seg.cell..seg.cell + seg.cell_len],
                &text[seg.file..seg.file + seg.file_len],
                "{text:?}"
            );
        }
    }
}

#[test]
fn every_piece_of_a_literal_decodes_or_is_refused() {
    let samples = [
        r#"f"curl {x!r:>{w}} {{ \x41\u00e9\N{BULLET} \
done""#,
        r"rb'''a\'''",
        r#""\0\07\777\U0010FFFF\U00110000é""#,
        r#"s"curl ${a + "}"} $$ $"q \uu0041 \101 é""#,
        r#"raw"""a\n$b""""#,
    ];
    for sample in samples {
        for start in (0..sample.len()).filter(|&s| sample.is_char_boundary(s)) {
            for end in (start..=sample.len()).filter(|&e| sample.is_char_boundary(e)) {
                let text = &sample[start..end];
                if let Some(d) = python_literal(text) {
                    check_decoded(text, &d);
                }
                if let Some(d) = scala_literal(text) {
                    check_decoded(text, &d);
                }
            }
        }
    }
}
