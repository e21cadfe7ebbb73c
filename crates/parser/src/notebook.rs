//! Jupyter notebooks (`.ipynb`, nbformat 4) into cells.
//!
//! `serde_json` checks the notebook and gives its structure; the
//! `notebook_json` scanner finds where each cell's `source` is written, so
//! that span maps point at the bytes of the file as stored.

use serde_json::{Map, Value};

use crate::cell::{Cell, Origin};
use crate::error::ReadError;
use crate::lang::Lang;
use crate::magic::{self, Dialect};
use crate::notebook_json::{self, Source};
use crate::source::SourceFile;

/// The cells of a notebook in order, with span maps through JSON escapes.
///
/// Markdown and raw cells are kept as [`Lang::Markdown`] cells so that cell
/// numbers match the notebook; outputs are never read. Code cells go
/// through [`magic::expand`], which may turn one into several.
pub fn cells(source: &SourceFile) -> Result<Vec<Cell>, ReadError> {
    let (json, bom) = source.text_without_bom();
    let notebook: Value = serde_json::from_str(json).map_err(|e| ReadError::InvalidJson {
        message: json_message(&e),
        line: e.line(),
        column: e.column(),
    })?;

    let top = notebook.as_object().ok_or_else(|| {
        ReadError::NotNotebook(format!(
            "the top level is {}, not an object",
            describe(&notebook)
        ))
    })?;
    check_nbformat(top)?;
    let cells = match top.get("cells") {
        Some(Value::Array(cells)) => cells,
        Some(other) => {
            return Err(ReadError::NotNotebook(format!(
                "`cells` is {}, not a list",
                describe(other)
            )))
        }
        None => return Err(ReadError::NotNotebook("there is no `cells` list".into())),
    };
    let lang = kernel_lang(top.get("metadata"));

    let sources = notebook_json::locate_sources(&source.text, bom)
        .filter(|found| found.len() == cells.len())
        .ok_or_else(|| ReadError::NotNotebook("the `cells` list could not be located".into()))?;

    let mut out = Vec::with_capacity(cells.len());
    for (index, (cell, at)) in cells.iter().zip(sources).enumerate() {
        let number = index + 1;
        let (is_code, decoded) =
            read_cell(&source.text, cell, at).map_err(|reason| ReadError::InvalidCell {
                cell: number,
                reason,
            })?;
        let cell = Cell {
            lang: if is_code { lang } else { Lang::Markdown },
            code: decoded.code,
            map: decoded.map,
            number: Some(number),
            origin: Origin::NotebookCell,
            layers: vec![decoded.layer],
        };
        if is_code {
            out.extend(magic::expand(cell, Dialect::CodeCell));
        } else {
            out.push(cell);
        }
    }
    Ok(out)
}

/// Whether the text is a JSON object from its first byte to its last; the
/// error names where it stops being one.
pub fn looks_like_notebook(source: &SourceFile) -> Result<(), ReadError> {
    let (json, _) = source.text_without_bom();
    let trimmed = json.trim_ascii_start();
    if !trimmed.starts_with('{') {
        // Let the JSON parser say what is there instead, with its position.
        return cells(source).map(|_| ());
    }
    if !json.trim_ascii_end().ends_with('}') {
        let lines = source.lines.len();
        return Err(ReadError::InvalidJson {
            message: "the notebook ends before its closing `}` (truncated?)".to_owned(),
            line: lines,
            column: json.lines().last().map_or(1, |l| l.chars().count() + 1),
        });
    }
    Ok(())
}

/// What the JSON parser says is wrong, without the position it appends:
/// [`ReadError::InvalidJson`] states the position itself.
fn json_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    match text.strip_suffix(&position) {
        Some(message) => message.to_owned(),
        None => text,
    }
}

/// Rejects notebooks in another format; one without `nbformat` is read.
fn check_nbformat(top: &Map<String, Value>) -> Result<(), ReadError> {
    match top.get("nbformat") {
        None => Ok(()),
        Some(v) if v.as_u64() == Some(4) => Ok(()),
        Some(other) => Err(ReadError::UnsupportedNbformat(other.to_string())),
    }
}

/// Checks one cell against the schema; returns whether it is a code cell,
/// and its decoded source. `at` is where the scanner found `source`.
fn read_cell(text: &str, cell: &Value, at: Option<usize>) -> Result<(bool, Source), String> {
    let Value::Object(fields) = cell else {
        return Err(format!("it is {}, not an object", describe(cell)));
    };
    let is_code = match fields.get("cell_type") {
        Some(Value::String(kind)) => kind == "code",
        Some(other) => return Err(format!("`cell_type` is {}, not a string", describe(other))),
        None => return Err("it has no `cell_type`".into()),
    };
    match fields.get("source") {
        Some(Value::String(_)) => {}
        Some(Value::Array(lines)) => {
            if let Some((i, line)) = lines.iter().enumerate().find(|(_, l)| !l.is_string()) {
                return Err(format!(
                    "`source` item {} is {}, not a string",
                    i + 1,
                    describe(line)
                ));
            }
        }
        Some(other) => {
            return Err(format!(
                "`source` is {}; expected a string or a list of strings",
                describe(other)
            ))
        }
        None => return Err("it has no `source`".into()),
    }

    let source = at
        .and_then(|at| notebook_json::decode_source(text, at))
        .ok_or("its `source` could not be located in the text")?;
    Ok((is_code, source))
}

/// The language of the notebook's code cells, from the kernel's metadata
/// (or Databricks' own); Python when none is given.
fn kernel_lang(metadata: Option<&Value>) -> Lang {
    const PLACES: [&str; 3] = [
        "/kernelspec/language",
        "/language_info/name",
        "/application~1vnd.databricks.v1+notebook/language",
    ];
    let Some(metadata) = metadata else {
        return Lang::Python;
    };
    PLACES
        .iter()
        .find_map(|place| metadata.pointer(place).and_then(Value::as_str))
        .map_or(Lang::Python, lang_named)
}

/// The language a kernel calls by `name`. Languages imds-lint does not know
/// (Julia, JavaScript...) read as [`Lang::Markdown`]: kept, never analysed.
fn lang_named(name: &str) -> Lang {
    match name.to_ascii_lowercase().as_str() {
        "python" | "python2" | "python3" | "ipython" | "ipython3" | "py" => Lang::Python,
        "scala" => Lang::Scala,
        "bash" | "sh" | "shell" | "zsh" => Lang::Shell,
        "sql" => Lang::Sql,
        "r" => Lang::R,
        other => {
            log::debug!("kernel language {other:?} is not analysed");
            Lang::Markdown
        }
    }
}

/// A JSON value's kind, for error messages.
fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::FileKind;
    use std::path::Path;

    fn read(text: &str) -> Result<Vec<Cell>, ReadError> {
        let source = SourceFile::from_bytes(
            Path::new("nb.ipynb"),
            FileKind::Jupyter,
            text.as_bytes().to_vec(),
        )?;
        cells(&source)
    }

    fn notebook(metadata: &str, cells: &str) -> String {
        format!(
            r#"{{"cells": [{cells}], "metadata": {metadata}, "nbformat": 4, "nbformat_minor": 5}}"#
        )
    }

    #[test]
    fn cheap_look_catches_truncated_and_non_json_notebooks() {
        let read = |text: &str| {
            let source =
                SourceFile::from_bytes(Path::new("n.ipynb"), FileKind::Jupyter, text.into())
                    .unwrap_or_else(|e| panic!("{e}"));
            looks_like_notebook(&source)
        };
        assert!(read("{\"cells\": [], \"nbformat\": 4}\n").is_ok());
        assert!(matches!(
            read("{\"cells\": [{\"cell_type\""),
            Err(ReadError::InvalidJson { .. })
        ));
        assert!(read("[1, 2]").is_err());
        assert!(read("PK\u{3}\u{4} zip").is_err());
    }

    #[test]
    fn numbers_count_every_cell_and_markdown_is_kept() {
        let text = notebook(
            "{}",
            r##"{"cell_type": "markdown", "metadata": {}, "source": ["# t"]},
               {"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": [{"text": "169.254.169.254"}]},
               {"cell_type": "raw", "metadata": {}, "source": "r"}"##,
        );
        let cells = read(&text).unwrap_or_default();
        let summary: Vec<_> = cells
            .iter()
            .map(|c| (c.number, c.lang, c.code.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (Some(1), Lang::Markdown, "# t"),
                (Some(2), Lang::Python, "x = 1"),
                (Some(3), Lang::Markdown, "r")
            ]
        );
        assert!(!cells.iter().any(|c| c.code.contains("169.254")));
    }

    #[test]
    fn kernel_language_from_metadata() {
        let cell = r#"{"cell_type": "code", "source": "x"}"#;
        let lang_of = |metadata: &str| read(&notebook(metadata, cell)).unwrap_or_default()[0].lang;
        assert_eq!(lang_of("{}"), Lang::Python);
        assert_eq!(
            lang_of(r#"{"kernelspec": {"language": "scala"}}"#),
            Lang::Scala
        );
        assert_eq!(lang_of(r#"{"language_info": {"name": "R"}}"#), Lang::R);
        assert_eq!(
            lang_of(r#"{"application/vnd.databricks.v1+notebook": {"language": "sql"}}"#),
            Lang::Sql
        );
        assert_eq!(
            lang_of(r#"{"kernelspec": {"language": "julia"}}"#),
            Lang::Markdown
        );
        assert_eq!(
            lang_of(r#"{"kernelspec": {"language": null}}"#),
            Lang::Python
        );
    }

    #[test]
    fn invalid_json_reports_line_and_column() {
        let err = read("{\n  \"cells\": [\n    {,\n").err();
        assert!(
            matches!(err, Some(ReadError::InvalidJson { line: 3, .. })),
            "{err:?}"
        );
    }

    #[test]
    fn invalid_json_names_its_position_once() {
        let message = read("{\"cells\": [1,").err().map(|e| e.to_string());
        assert_eq!(
            message.as_deref(),
            Some("invalid notebook JSON: EOF while parsing a value at line 1, column 13")
        );
    }

    #[test]
    fn structural_errors_are_named() {
        let cases = [
            ("[]", "top level is a list"),
            ("{\"nbformat\": 4}", "no `cells`"),
            ("{\"cells\": {}}", "`cells` is an object"),
            ("{\"cells\": [], \"nbformat\": 3}", "nbformat 3"),
            ("{\"cells\": [], \"nbformat\": null}", "nbformat null"),
            ("{\"cells\": [7]}", "cell 1 is malformed: it is a number"),
            (
                "{\"cells\": [{\"cell_type\": \"code\", \"source\": null}]}",
                "`source` is null",
            ),
            (
                "{\"cells\": [{\"cell_type\": \"code\", \"source\": 1.5}]}",
                "`source` is a number",
            ),
            (
                "{\"cells\": [{\"cell_type\": \"code\", \"source\": [\"a\", 2]}]}",
                "`source` item 2 is a number",
            ),
            ("{\"cells\": [{\"source\": \"a\"}]}", "no `cell_type`"),
            (
                "{\"cells\": [{\"cell_type\": 1, \"source\": \"a\"}]}",
                "`cell_type` is a number",
            ),
            ("{\"cells\": [{\"cell_type\": \"code\"}]}", "no `source`"),
        ];
        for (text, expected) in cases {
            let message = read(text).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(message.contains(expected), "{text}: {message}");
        }
    }

    #[test]
    fn code_cells_go_through_magics() {
        let text = notebook(
            "{}",
            r#"{"cell_type": "code", "source": ["%%bash\n", "curl x\n"]},
               {"cell_type": "code", "source": ["a = 1\n", "!ls\n"]}"#,
        );
        let cells = read(&text).unwrap_or_default();
        let summary: Vec<_> = cells
            .iter()
            .map(|c| (c.number, c.lang, c.code.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (Some(1), Lang::Shell, "curl x\n"),
                (Some(2), Lang::Python, "a = 1\n0  \n"),
                (Some(2), Lang::Shell, "ls"),
            ]
        );
    }
}
