//! Jupyter notebooks (`.ipynb`, nbformat 4) into cells.
//!
//! `serde_json` checks the notebook and gives its structure (outputs are
//! checked but not kept) and where each cell's `source` is written; the
//! `notebook_json` decoder reads each source from there, so that span maps
//! point at the bytes of the file as stored.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::cell::{Cell, Origin};
use crate::error::ReadError;
use crate::lang::Lang;
use crate::magic::{self, Dialect};
use crate::notebook_json;
use crate::source::SourceFile;
use crate::strict_json::Strict;

/// The cells of a notebook in order, with span maps through JSON escapes.
///
/// Markdown and raw cells are kept as [`Lang::Markdown`] cells so that cell
/// numbers match the notebook; outputs are never read. Code cells go
/// through [`magic::expand`], which may turn one into several.
pub fn cells(source: &SourceFile) -> Result<Vec<Cell>, ReadError> {
    let (json, bom) = source.text_without_bom();
    let nbformat = || notebook_json::member_text(&source.text, bom, "nbformat");
    let Skeleton { notebook, sources } = skeleton(json).map_err(|err| match err {
        // A number no float holds is not read, and `nbformat` 1e400 is an
        // unknown format rather than broken JSON.
        ReadError::InvalidJson { ref message, .. } if message == "number out of range" => {
            match nbformat() {
                Some(value) if value.parse::<f64>().is_ok_and(f64::is_infinite) => {
                    ReadError::UnsupportedNbformat(shown(value))
                }
                _ => err,
            }
        }
        other => other,
    })?;
    let (top, cells) = structure(&notebook).map_err(|err| match err {
        // The value as written: `NaN` was read as a number.
        ReadError::UnsupportedNbformat(_) => {
            ReadError::UnsupportedNbformat(nbformat().map_or_else(|| "?".to_owned(), shown))
        }
        other => other,
    })?;
    let lang = kernel_lang(top.get("metadata"));

    if sources.len() != cells.len() {
        return Err(ReadError::NotNotebook(
            "the `cells` list could not be located".into(),
        ));
    }

    let mut out = Vec::with_capacity(cells.len());
    for (index, (cell, at)) in cells.iter().zip(sources).enumerate() {
        let number = index + 1;
        let invalid = |reason| ReadError::InvalidCell {
            cell: number,
            reason,
        };
        let at = at.map(|at| at + bom);
        let is_code = check_cell(cell, &source.text, at).map_err(invalid)?;
        let decoded = at
            .and_then(|at| notebook_json::decode_source(&source.text, at))
            .ok_or_else(|| invalid("its `source` could not be located in the text".into()))?;
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

/// A value from the file as an error line shows it: whole up to 40
/// characters, cut after (a string of megabytes is not repeated).
fn shown(value: &str) -> String {
    const SHOWN: usize = 40;
    match value.char_indices().nth(SHOWN) {
        Some((at, _)) => format!("{}…", &value[..at]),
        None => value.to_owned(),
    }
}

/// A notebook as [`skeleton`] reads it.
#[derive(Debug)]
struct Skeleton {
    /// The notebook without what imds-lint never reads.
    notebook: Value,
    /// Where each cell's `source` value starts in the text read, one entry
    /// per element of the top-level `cells` list (`None` for one without).
    sources: Vec<Option<usize>>,
}

/// The notebook as a JSON value without what imds-lint never reads: cell
/// outputs and attachments, often megabytes of base64, and the cells' other
/// fields are checked to be JSON but not copied into memory; of a cell's
/// source only where it is written is kept. One pass, or two when the quick
/// one leaves the notebook to serde.
fn skeleton(json: &str) -> Result<Skeleton, ReadError> {
    match quick_skeleton(json) {
        Some(skeleton) => Ok(skeleton),
        None => serde_skeleton(json),
    }
}

/// Deeper than this, a kept value is left to serde, whose nesting limit
/// counts from the top of the document.
const QUICK_KEPT_DEPTH: usize = 64;

/// [`skeleton`] of a valid notebook of the usual shape, with what is only
/// checked stepped over by [`Strict`], as strict as serde and a sixth
/// cheaper over megabytes of outputs; kept values are built by serde
/// from their text. `None` for anything else (invalid JSON, a part that is
/// not the object or list a notebook has there, an escape in a key, a kept
/// value nested deep), which [`serde_skeleton`] reads or explains.
fn quick_skeleton(json: &str) -> Option<Skeleton> {
    let mut cursor = Strict::new(json);
    let mut sources = Vec::new();
    let notebook = quick_object(&mut cursor, Level::Top, &mut sources)?;
    cursor.at_end().then_some(Skeleton { notebook, sources })
}

/// The object at the cursor as [`Reader`] reads it at `level`.
fn quick_object(
    cursor: &mut Strict,
    level: Level,
    sources: &mut Vec<Option<usize>>,
) -> Option<Value> {
    let mut out = Map::new();
    cursor.members(|cursor, key| {
        let value = match level.member(key) {
            None => {
                let start = cursor.pos();
                cursor.value()?;
                if level == Level::Cell && key == "source" {
                    if let Some(source) = sources.last_mut() {
                        *source = Some(start);
                    }
                }
                return Some(());
            }
            Some(Level::Other) => {
                let (text, depth) = cursor.value()?;
                if depth > QUICK_KEPT_DEPTH {
                    return None;
                }
                serde_json::from_str(text).ok()?
            }
            Some(Level::Cells) => {
                // A repeated `cells`: the last is kept.
                sources.clear();
                let mut cells = Vec::new();
                cursor.elements(|cursor| {
                    sources.push(None);
                    cells.push(quick_object(cursor, Level::Cell, sources)?);
                    Some(())
                })?;
                Value::Array(cells)
            }
            Some(level @ (Level::Metadata | Level::Cell | Level::Top)) => {
                quick_object(cursor, level, sources)?
            }
        };
        out.insert(key.to_owned(), value);
        Some(())
    })?;
    Some(Value::Object(out))
}

/// Whether serde reads `json` as the quick path does, where the quick path
/// reads it. For the fuzz target `notebook_span_map`, which checks it on
/// every input.
#[doc(hidden)]
pub fn quick_read_agrees(json: &str) -> bool {
    quick_skeleton(json).is_none_or(|quick| {
        serde_skeleton(json)
            .is_ok_and(|serde| quick.notebook == serde.notebook && quick.sources == serde.sources)
    })
}

/// [`skeleton`] by serde alone: any JSON, and its errors.
fn serde_skeleton(json: &str) -> Result<Skeleton, ReadError> {
    let read = |json: &str| {
        let sources = RefCell::new(Vec::new());
        let seed = Reader {
            level: Level::Top,
            base: json.as_ptr() as usize,
            sources: &sources,
        };
        let mut reader = serde_json::Deserializer::from_str(json);
        let notebook = seed
            .deserialize(&mut reader)
            .and_then(|value| reader.end().map(|()| value))?;
        Ok::<_, serde_json::Error>(Skeleton {
            notebook,
            sources: sources.into_inner(),
        })
    };
    match read(json) {
        Ok(value) => Ok(value),
        // Python's `json` writes and reads lone surrogates and `NaN`, and
        // so Jupyter does; serde refuses them.
        Err(e) if e.is_syntax() => match python_liberties_replaced(json) {
            Some(patched) => read(&patched).map_err(|e| invalid_json(&e, json)),
            None => Err(invalid_json(&e, json)),
        },
        Err(e) => Err(invalid_json(&e, json)),
    }
}

/// `json` with what Python's `json` module writes, and JSON does not allow,
/// made standard at the same length, so that positions stay: each lone
/// surrogate escape becomes `\ufffd` (as the cell decoder reads it), and
/// `NaN`, `Infinity` and `-Infinity` outside strings become `0` and spaces.
/// `None` when it holds none of them.
fn python_liberties_replaced(json: &str) -> Option<String> {
    let surrogate = |at: usize| {
        json.get(at..at + 2)
            .filter(|u| *u == "\\u")
            .and_then(|_| json.get(at + 2..at + 6))
            .and_then(|hex| u16::from_str_radix(hex, 16).ok())
            .filter(|code| (0xD800..0xE000).contains(code))
    };
    let mut bytes = json.as_bytes().to_vec();
    let mut changed = false;
    let mut at = 0;
    // Outside a string: to the next string or bare word of interest.
    while let Some(found) = bytes
        .get(at..)
        .and_then(|rest| memchr::memchr3(b'"', b'N', b'I', rest))
    {
        at += found;
        if bytes[at] != b'"' {
            let start = if bytes[at] == b'I' && at > 0 && bytes[at - 1] == b'-' {
                at - 1
            } else {
                at
            };
            // Only a whole value: where one starts, up to where one ends.
            let value_starts = bytes[..start]
                .iter()
                .rev()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|b| matches!(b, b'[' | b':' | b','));
            let word = [&b"NaN"[..], b"Infinity", b"-Infinity"]
                .into_iter()
                .filter(|_| value_starts)
                .find(|word| {
                    bytes[start..].starts_with(word)
                        && bytes.get(start + word.len()).is_none_or(|b| {
                            b.is_ascii_whitespace() || matches!(b, b',' | b']' | b'}')
                        })
                });
            match word {
                Some(word) => {
                    bytes[start] = b'0';
                    bytes[start + 1..start + word.len()].fill(b' ');
                    changed = true;
                    at = start + word.len();
                }
                None => at += 1,
            }
            continue;
        }
        // Inside a string: to its closing quote, through escapes.
        at += 1;
        while let Some(found) = bytes
            .get(at..)
            .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
        {
            at += found;
            if bytes[at] == b'"' {
                break;
            }
            match surrogate(at) {
                // A high surrogate and a low one: a pair, kept.
                Some(0xD800..0xDC00) if surrogate(at + 6).is_some_and(|low| low >= 0xDC00) => {
                    at += 12;
                }
                Some(_) => {
                    bytes[at..at + 6].copy_from_slice(b"\\ufffd");
                    changed = true;
                    at += 6;
                }
                None => at += 2,
            }
        }
        at += 1;
    }
    // ASCII replaced ASCII of the same length.
    changed.then(|| String::from_utf8(bytes).ok()).flatten()
}

/// The notebook metadata that names the kernel's language (see
/// [`kernel_lang`]).
const KERNELSPEC: &str = "kernelspec";
const LANGUAGE_INFO: &str = "language_info";
const DATABRICKS: &str = "application/vnd.databricks.v1+notebook";

/// Where a value sits in a notebook, which decides what of it is kept.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    /// The whole document.
    Top,
    /// The top level's `cells` value.
    Cells,
    /// One element of `cells`.
    Cell,
    /// The top level's `metadata`.
    Metadata,
    /// Anywhere else: kept whole.
    Other,
}

impl Level {
    /// What the members of an object at this level are; `None` for those
    /// only checked to be JSON because nothing reads them: of a cell, all
    /// but its type (outputs, attachments, metadata, id; its source is
    /// decoded from the text, see [`notebook_json::decode_source`]); of the
    /// notebook, all but its cells, format and the metadata that names the
    /// kernel's language.
    fn member(self, key: &str) -> Option<Level> {
        match (self, key) {
            (Level::Top, "cells") => Some(Level::Cells),
            (Level::Top, "metadata") => Some(Level::Metadata),
            (Level::Top, "nbformat")
            | (Level::Cell, "cell_type")
            | (Level::Metadata, KERNELSPEC | LANGUAGE_INFO | DATABRICKS)
            | (Level::Cells | Level::Other, _) => Some(Level::Other),
            (Level::Top | Level::Cell | Level::Metadata, _) => None,
        }
    }
}

/// Reads a value at a [`Level`], noting where cells' sources are written.
#[derive(Clone, Copy)]
struct Reader<'a> {
    level: Level,
    /// The address of the text being read, which values are borrowed from.
    base: usize,
    /// Where each cell's source starts, in the text, one entry per cell.
    sources: &'a RefCell<Vec<Option<usize>>>,
}

impl Reader<'_> {
    fn at(self, level: Level) -> Self {
        Reader { level, ..self }
    }
}

impl<'de> DeserializeSeed<'de> for Reader<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, reader: D) -> Result<Value, D::Error> {
        match self.level {
            Level::Other => Value::deserialize(reader),
            Level::Cell => {
                self.sources.borrow_mut().push(None);
                reader.deserialize_any(self)
            }
            _ => reader.deserialize_any(self),
        }
    }
}

impl<'de> Visitor<'de> for Reader<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let element = self.at(match self.level {
            Level::Cells => Level::Cell,
            _ => Level::Other,
        });
        let mut out = Vec::new();
        while let Some(value) = seq.next_element_seed(element)? {
            out.push(value);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if let Some(level) = self.level.member(&key) {
                if level == Level::Cells {
                    // A repeated `cells`: serde keeps the last.
                    self.sources.borrow_mut().clear();
                }
                let value = map.next_value_seed(self.at(level))?;
                out.insert(key, value);
                continue;
            }
            // Checked as serde checks what it ignores, and borrowed from
            // the text, where a source is read from (the last one of a
            // repeated key, as serde keeps the last).
            let raw = map.next_value::<&RawValue>()?.get();
            if self.level == Level::Cell && key == "source" {
                let start = (raw.as_ptr() as usize).wrapping_sub(self.base);
                if let Some(source) = self.sources.borrow_mut().last_mut() {
                    *source = Some(start);
                }
            }
        }
        Ok(Value::Object(out))
    }
}

fn invalid_json(e: &serde_json::Error, json: &str) -> ReadError {
    // serde stands just past what it refused; past a line break (a raw one
    // in a string, the end of the file) that is column 0 of the next line.
    // The break itself ends the line before, at its last column.
    let (line, column) = match (e.line(), e.column()) {
        (line, 0) if line > 1 => {
            let before = json.split('\n').nth(line - 2).unwrap_or_default();
            (line - 1, before.len() + 1)
        }
        place => place,
    };
    ReadError::InvalidJson {
        message: json_message(e),
        line,
        column,
    }
}

/// The top-level object and its cell list, checked.
fn structure(notebook: &Value) -> Result<(&Map<String, Value>, &Vec<Value>), ReadError> {
    let top = notebook.as_object().ok_or_else(|| {
        ReadError::NotNotebook(format!(
            "the top level is {}, not an object",
            describe(notebook)
        ))
    })?;
    check_nbformat(top)?;
    match top.get("cells") {
        Some(Value::Array(cells)) => Ok((top, cells)),
        Some(other) => Err(ReadError::NotNotebook(format!(
            "`cells` is {}, not a list",
            describe(other)
        ))),
        None => Err(ReadError::NotNotebook("there is no `cells` list".into())),
    }
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
        // `4.0` is 4 to Python's `json`, and so to Jupyter.
        Some(v) if v.as_f64() == Some(4.0) => Ok(()),
        Some(other) => Err(ReadError::UnsupportedNbformat(other.to_string())),
    }
}

/// Checks one cell against the schema, its source where `text` has it at
/// `source`; returns whether it is a code cell.
fn check_cell(cell: &Value, text: &str, source: Option<usize>) -> Result<bool, String> {
    let Value::Object(fields) = cell else {
        return Err(format!("it is {}, not an object", describe(cell)));
    };
    let is_code = match fields.get("cell_type") {
        Some(Value::String(kind)) => kind == "code",
        Some(other) => return Err(format!("`cell_type` is {}, not a string", describe(other))),
        None => return Err("it has no `cell_type`".into()),
    };
    let Some(source) = source else {
        return Err("it has no `source`".into());
    };
    notebook_json::check_source(text, source)?;
    Ok(is_code)
}

/// The language of the notebook's code cells, from its metadata, in this
/// order: Databricks' own (it runs the cells in it); the kernel
/// `kernelspec.name` names, when the name tells its language (Jupyter
/// starts that kernel whatever language the metadata states); the language
/// the metadata states (`kernelspec.language`, `language_info.name`).
/// Where none tells a language imds-lint knows, Python: Jupyter's default
/// kernel runs it, and nothing can hide behind a made-up name.
fn kernel_lang(metadata: Option<&Value>) -> Lang {
    let Some(metadata) = metadata else {
        return Lang::Python;
    };
    let text = |place: &str| metadata.pointer(place).and_then(Value::as_str);
    // The first parts are those `Level::Metadata` keeps.
    let databricks = text("/application~1vnd.databricks.v1+notebook/language");
    let kernel = text("/kernelspec/name").and_then(kernel_named);
    let stated = ["/kernelspec/language", "/language_info/name"]
        .into_iter()
        .filter_map(text)
        .find_map(lang_named);
    databricks
        .and_then(lang_named)
        .or(kernel)
        .or(stated)
        .unwrap_or(Lang::Python)
}

/// The language a kernel calls by `name`, if imds-lint knows it. Languages
/// it knows but does not analyse (Julia, JavaScript...) read as
/// [`Lang::Markdown`]: kept, never analysed.
fn lang_named(name: &str) -> Option<Lang> {
    let lang = match name.trim().to_ascii_lowercase().as_str() {
        "python" | "python2" | "python3" | "ipython" | "ipython3" | "py" => Lang::Python,
        "scala" => Lang::Scala,
        "bash" | "sh" | "shell" | "zsh" => Lang::Shell,
        "sql" => Lang::Sql,
        "r" => Lang::R,
        "julia" | "javascript" | "typescript" | "ruby" | "go" | "rust" | "java" | "kotlin"
        | "c" | "c++" | "c#" | "f#" | "powershell" | "matlab" | "octave" | "sas" | "haskell"
        | "lua" | "perl" | "php" => Lang::Markdown,
        _ => return None,
    };
    Some(lang)
}

/// The language of the kernel called `name`, when its name tells:
/// `python3`, `conda-env-ml-py`, `pysparkkernel`, `spylon-kernel`,
/// `apache_toree_scala`, `bash`, `ir`, `julia-1.9`.
fn kernel_named(name: &str) -> Option<Lang> {
    let name = name.trim().to_ascii_lowercase();
    let python = name.contains("python")
        || name.contains("pyspark")
        || name.starts_with("py")
        || name.ends_with("-py")
        || name.ends_with("_py");
    if python {
        return Some(Lang::Python);
    }
    if name.contains("scala") || name.contains("spylon") || name == "sparkkernel" {
        return Some(Lang::Scala);
    }
    if name.contains("bash") || name == "sh" || name == "zsh" {
        return Some(Lang::Shell);
    }
    if name == "ir" || name.contains("sparkr") {
        return Some(Lang::R);
    }
    let other = [
        "julia",
        "javascript",
        "typescript",
        "deno",
        "node",
        "evcxr",
        "ijava",
    ];
    other
        .iter()
        .any(|language| name.contains(language))
        .then_some(Lang::Markdown)
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
            lang_of(r#"{"kernelspec": {"name": "julia-1.9", "language": "julia"}}"#),
            Lang::Markdown
        );
        assert_eq!(
            lang_of(r#"{"kernelspec": {"language": null}}"#),
            Lang::Python
        );
    }

    #[test]
    fn the_kernel_named_decides_when_the_language_stated_is_not_known() {
        // Found by testers: a language imds-lint does not know (`"Python "`
        // with a space, `""`, an escape), or a kernel name it could not
        // read (`myenv`, `conda_pytorch_p310`), hid a notebook's requests,
        // though Jupyter starts the kernel `kernelspec.name` names and runs
        // such cells as Python.
        let cell = r#"{"cell_type": "code", "source": "x"}"#;
        let lang_of = |metadata: &str| read(&notebook(metadata, cell)).unwrap_or_default()[0].lang;
        for name in ["python3", "myenv", "conda_pytorch_p310", "ipykernel", ""] {
            for language in [
                r#""Python ""#,
                r#""""#,
                r#""\u001b[31m""#,
                "7",
                r#""klingon""#,
            ] {
                let metadata = format!(
                    r#"{{"kernelspec": {{"name": "{name}", "display_name": "P", "language": {language}}}}}"#
                );
                assert_eq!(lang_of(&metadata), Lang::Python, "{metadata}");
            }
        }
        // The kernel named decides over the language stated: Jupyter
        // starts it, whatever the metadata says.
        for (name, lang) in [
            ("python3", Lang::Python),
            ("conda-env-ml-py", Lang::Python),
            ("pysparkkernel", Lang::Python),
            ("apache_toree_pyspark", Lang::Python),
            ("spylon-kernel", Lang::Scala),
            ("apache_toree_scala", Lang::Scala),
            ("bash", Lang::Shell),
            ("ir", Lang::R),
            ("julia-1.9", Lang::Markdown),
        ] {
            let metadata = format!(r#"{{"kernelspec": {{"name": "{name}", "language": "sql"}}}}"#);
            assert_eq!(lang_of(&metadata), lang, "{metadata}");
        }
        let stated = r#"{"kernelspec": {"name": "bash"}, "language_info": {"name": "python"}}"#;
        assert_eq!(lang_of(stated), Lang::Shell);
        // A kernel whose name tells nothing: the language stated, if known.
        let stated = r#"{"kernelspec": {"name": "myenv", "language": " Scala "}}"#;
        assert_eq!(lang_of(stated), Lang::Scala);
        let stated = r#"{"kernelspec": {"name": "myenv", "language": "julia"}}"#;
        assert_eq!(lang_of(stated), Lang::Markdown);
        // Databricks' own language decides in a Databricks export.
        let databricks = r#"{"kernelspec": {"name": "python3"},
            "application/vnd.databricks.v1+notebook": {"language": "scala"}}"#;
        assert_eq!(lang_of(databricks), Lang::Scala);
        // Nothing known: Python, as Jupyter's default kernel runs it.
        assert_eq!(
            lang_of(r#"{"language_info": {"name": "\u001b[31m"}}"#),
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
    fn a_refused_line_break_is_placed_at_the_end_of_its_line() {
        // A raw line break in a key, and a file cut after a line break.
        for (text, line, column) in [("{\"ce\nlls\": []}", 1, 5), ("{\"cells\": [\n", 1, 12)] {
            match read(text) {
                Err(ReadError::InvalidJson {
                    line: l, column: c, ..
                }) => {
                    assert_eq!((l, c), (line, column), "{text:?}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
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
            ("{\"cells\": [], \"nbformat\": NaN}", "nbformat NaN"),
            (
                "{\"cells\": [], \"nbformat\": -Infinity }",
                "nbformat -Infinity;",
            ),
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
    fn outputs_are_checked_but_may_nest_deeper_than_kept_values() {
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        let cell = format!(r#"{{"cell_type": "code", "outputs": {deep}, "source": "x = 1"}}"#);
        let cells = read(&notebook("{}", &cell)).unwrap_or_default();
        assert_eq!(cells.len(), 1);

        let broken = r#"{"cell_type": "code", "outputs": [{]}, "source": "x"}"#;
        let err = read(&notebook("{}", broken)).err();
        assert!(
            matches!(err, Some(ReadError::InvalidJson { line: 1, .. })),
            "{err:?}"
        );

        let message = read(&notebook(&deep, r#"{"cell_type": "code", "source": "x"}"#))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            message.contains("recursion limit exceeded at line 1, column"),
            "{message}"
        );
    }

    /// The one-pass skeleton is the notebook serde reads whole, less the
    /// cell fields never read and sources (read from the text); errors are
    /// the same errors.
    #[test]
    fn skeleton_is_the_whole_value_without_outputs() {
        fn without_outputs(mut value: Value) -> Value {
            if let Some(top) = value.as_object_mut() {
                top.retain(|key, _| ["cells", "metadata", "nbformat"].contains(&key.as_str()));
            }
            if let Some(Value::Object(metadata)) = value.get_mut("metadata") {
                metadata.retain(|key, _| {
                    [KERNELSPEC, LANGUAGE_INFO, DATABRICKS].contains(&key.as_str())
                });
            }
            if let Some(Value::Array(cells)) = value.get_mut("cells") {
                for cell in cells.iter_mut().filter_map(Value::as_object_mut) {
                    cell.retain(|key, _| key == "cell_type");
                }
            }
            value
        }
        let mut compared = 0;
        for path in files_under(&["fixtures"]) {
            if path.extension().is_none_or(|e| e != "ipynb") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            // What Python's json writes and serde refuses is made
            // standard first, as the reader does.
            let standard = python_liberties_replaced(text);
            let whole = serde_json::from_str::<Value>(standard.as_deref().unwrap_or(text))
                .map(without_outputs);
            match (skeleton(text).map(|read| read.notebook), whole) {
                (Ok(skeleton), Ok(whole)) => assert_eq!(skeleton, whole, "{}", path.display()),
                (Err(ReadError::InvalidJson { message, .. }), Err(e)) => {
                    assert_eq!(message, json_message(&e), "{}", path.display());
                }
                // What the skeleton steps over may nest deeper, or hold
                // numbers larger, than serde builds.
                (Ok(_), Err(e))
                    if ["recursion limit", "number out of range"]
                        .iter()
                        .any(|why| e.to_string().contains(why)) => {}
                (got, expected) => panic!("{}: {got:?} against {expected:?}", path.display()),
            }
            compared += 1;
        }
        assert!(compared > 100, "only {compared} notebooks found");
    }

    #[test]
    fn a_long_nbformat_is_shown_cut() {
        let long = format!("\"{}\"", "é".repeat(1000));
        let nested = format!("{}5{}", "[".repeat(100), "]".repeat(100));
        for (value, shown) in [
            (long.as_str(), format!("\"{}…", "é".repeat(39))),
            (nested.as_str(), format!("{}…", "[".repeat(40))),
            ("\"4\"", "\"4\"".to_owned()),
        ] {
            let text = format!(r#"{{"nbformat": {value}, "cells": []}}"#);
            match read(&text) {
                Err(ReadError::UnsupportedNbformat(value)) => assert_eq!(value, shown),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn an_nbformat_no_float_holds_is_unsupported_not_broken_json() {
        for huge in ["1e400", &format!("4{}", "0".repeat(400))] {
            let text = format!(r#"{{"nbformat": {huge}, "cells": []}}"#);
            match read(&text) {
                Err(ReadError::UnsupportedNbformat(value)) => assert_eq!(value, shown(huge)),
                other => panic!("{other:?}"),
            }
        }
        // Elsewhere, such a number is what serde says it is.
        let text = r#"{"nbformat": 4, "metadata": {"kernelspec": {"v": 1e400}}, "cells": []}"#;
        match read(text) {
            Err(ReadError::InvalidJson { message, .. }) => {
                assert_eq!(message, "number out of range");
            }
            other => panic!("{other:?}"),
        }
    }

    /// Every file under these folders of the repository.
    fn files_under(folders: &[&str]) -> Vec<std::path::PathBuf> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut folders: Vec<_> = folders.iter().map(|f| root.join(f)).collect();
        let mut files = Vec::new();
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files
    }

    /// Where the quick path reads a notebook, serde reads the same, with
    /// sources at the same places.
    fn assert_quick_agrees(text: &str, what: &str) -> bool {
        let Some(quick) = quick_skeleton(text) else {
            return false;
        };
        match serde_skeleton(text) {
            Ok(serde) => {
                assert_eq!(quick.notebook, serde.notebook, "{what}");
                assert_eq!(quick.sources, serde.sources, "{what}");
            }
            Err(e) => panic!("{what}: the quick path read what serde refuses: {e}"),
        }
        true
    }

    #[test]
    fn quick_skeleton_agrees_with_serde_on_fixtures_and_fuzz_inputs() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let (mut notebooks, mut quick, mut left) = (0, 0, Vec::new());
        for path in files_under(&["fixtures", "fuzz/corpus", "fuzz/regressions"]) {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            if !text.contains("\"cells\"") {
                continue;
            }
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            notebooks += 1;
            if assert_quick_agrees(text, &path.display().to_string()) {
                quick += 1;
            } else if serde_skeleton(text).is_ok() {
                left.push(path);
            }
        }
        assert!(notebooks > 300, "only {notebooks} notebooks found");
        // The notebooks of the behaviour fixtures are of the usual shape; of
        // the bad ones and the fuzzers' inputs, some are not (a cell that
        // is a number, `NaN`), and serde reads those.
        let unusual = |path: &std::path::Path| {
            path.starts_with(root.join("fuzz")) || path.starts_with(root.join("fixtures/bad"))
        };
        left.retain(|path| !unusual(path));
        assert!(left.is_empty(), "left to serde: {left:#?}");
        assert!(quick > 200, "the quick path read only {quick}");
    }

    #[test]
    fn quick_skeleton_leaves_the_unusual_to_serde() {
        let cell = r#"{"cell_type": "code", "source": ["x"], "outputs": [{"text": "ok"}]}"#;
        let read = |text: &str| quick_skeleton(text).map(|s| (s.notebook, s.sources));
        let usual = format!(
            r#"{{"nbformat": 4, "metadata": {{"kernelspec": {{"language": "python"}}}}, "cells": [{cell}]}}"#
        );
        assert!(read(&usual).is_some());
        assert!(assert_quick_agrees(&usual, "usual"));
        for unusual in [
            // Not valid JSON: serde says why.
            format!(r#"{{"cells": [{cell}],}}"#),
            format!(r#"{{"cells": [{cell}]}} x"#),
            r#"{"cells": [{"cell_type": "code", "source": "", "outputs": ["a	tab"]}]}"#.to_owned(),
            r#"{"cells": [{"cell_type": "code", "source": "", "outputs": [NaN]}]}"#.to_owned(),
            r#"{"cells": [{"cell_type": "code", "source": "", "outputs": [01]}]}"#.to_owned(),
            // Shapes serde reads its own way.
            format!("[{cell}]"),
            r#"{"cells": {"a": 1}}"#.to_owned(),
            r#"{"cells": ["code"]}"#.to_owned(),
            r#"{"metadata": [], "cells": []}"#.to_owned(),
            format!(r#"{{"cell\u0073": [{cell}]}}"#),
            // A kept value nested deep counts against serde's limit.
            format!(
                r#"{{"nbformat": {}4{}, "cells": []}}"#,
                "[".repeat(100),
                "]".repeat(100)
            ),
            // Numbers serde cannot hold.
            r#"{"nbformat": 1e400, "cells": []}"#.to_owned(),
        ] {
            assert!(read(&unusual).is_none(), "{unusual}");
        }
        // Outputs may nest deeper than kept values.
        let deep = format!(
            r#"{{"cells": [{{"cell_type": "code", "source": "", "outputs": {}{}}}]}}"#,
            "[".repeat(3000),
            "]".repeat(3000)
        );
        assert!(assert_quick_agrees(&deep, "deep outputs"));
        // Repeated keys: the last is kept, as serde keeps it.
        let repeated = format!(
            r#"{{"cells": [{cell}, {cell}], "nbformat": 3, "nbformat": 4, "cells": [{{"source": 1, "cell_type": "raw", "source": ""}}]}}"#
        );
        assert!(assert_quick_agrees(&repeated, "repeated"));
    }

    proptest::proptest! {
        /// Bytes of a notebook replaced by characters that matter to JSON:
        /// what the quick path reads, serde reads the same.
        #[test]
        fn quick_skeleton_agrees_with_serde_on_damaged_notebooks(
            damage in proptest::collection::vec((0usize..400, 0usize..16), 1..4)
        ) {
            const PIECES: [&str; 16] = [
                "\"", "\\", "\\u00", "{", "}", "[", "]", ",", ":", " ", "\n", "\t", "0", "-1e5", "null", "é",
            ];
            let mut text = String::from(
                r##"{"metadata": {"kernelspec": {"language": "python", "name": "py"}, "other": [1.5, true]},
 "nbformat": 4, "nbformat_minor": 5,
 "cells": [{"cell_type": "markdown", "source": "# t", "metadata": {}},
  {"cell_type": "code", "execution_count": 1, "source": ["import os\n", "x = \"\\u00e9\"\n"],
   "outputs": [{"output_type": "stream", "text": ["ok\n", "\\t\n"]}, {"data": {"image/png": "iVBORw0KGgo=", "n": -0.5e-3}}]}]}"##,
            );
            for (at, piece) in damage {
                let mut at = at.min(text.len());
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let end = (at + 1..=text.len()).find(|&e| text.is_char_boundary(e)).unwrap_or(at);
                text.replace_range(at..end, PIECES[piece]);
            }
            assert_quick_agrees(&text, &text);
        }
    }

    #[test]
    fn sources_are_found_past_other_keys_and_nesting() {
        let text = r#"{"metadata": {"cells": [1]}, "cells": [
            {"cell_type": "code", "source": "a", "outputs": [{"text": ["\"source\": ]"]}]},
            {"cell_type": "code", "sour\u0063e": "escaped key"},
            {"cell_type": "code", "source": "first", "source": "second"}
        ]}"#;
        let codes: Vec<_> = read(text)
            .unwrap_or_default()
            .into_iter()
            .map(|cell| cell.code)
            .collect();
        assert_eq!(codes, ["a", "escaped key", "second"]);

        // A repeated `cells` list: the last one is read, as serde keeps it.
        let twice = r#"{"cells": [{"cell_type": "code", "source": "x"}, 3],
                        "cells": [{"cell_type": "code", "source": "y"}]}"#;
        let cells = read(twice).unwrap_or_default();
        assert_eq!(cells.len(), 1);
        assert_eq!(cells[0].code, "y");
        assert_eq!(
            cells[0].map.file_start(0),
            twice.rfind("y\"").unwrap_or_default()
        );

        let message = |cells: &str| {
            read(&notebook("{}", cells))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(message(r#"3, {"cell_type": "code", "source": "x"}"#).contains("cell 1"));
        assert!(message(r#"{"cell_type": "raw"}"#).contains("no `source`"));
        let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
        let error = message(&format!(r#"{{"cell_type": "code", "source": {deep}}}"#));
        assert!(error.contains("`source` item 1 is a list"), "{error}");
    }

    #[test]
    fn cell_fields_never_read_are_only_checked() {
        let deep = format!(
            "{}{}",
            "{\"a\": ".repeat(300),
            "1".to_owned() + &"}".repeat(300)
        );
        let cell =
            format!(r#"{{"cell_type": "code", "metadata": {deep}, "id": 1e400, "source": "x"}}"#);
        assert_eq!(read(&notebook("{}", &cell)).map(|c| c.len()).ok(), Some(1));
        let top = format!(
            r#"{{"cells": [], "metadata": {{"widgets": {deep}, "x": 1e999}}, "y": {deep}}}"#
        );
        assert!(read(&top).is_ok());
        let four = r#"{"cells": [], "nbformat": 4.0}"#;
        assert!(read(four).is_ok());
    }

    #[test]
    fn lone_surrogates_read_as_replacement_characters() {
        for (escaped, expected) in [
            (r"x \ud800\n", "x \u{fffd}\n"),
            (r"x \udc00", "x \u{fffd}"),
            (r"\ud800\u0041", "\u{fffd}A"),
            (r"\ud83d\ude00 \\ud800", "\u{1f600} \\ud800"),
        ] {
            let cell = format!(r#"{{"cell_type": "code", "source": ["{escaped}"]}}"#);
            let cells = read(&notebook("{}", &cell)).unwrap_or_default();
            assert_eq!(
                cells.first().map(|c| c.code.as_str()),
                Some(expected),
                "{escaped}"
            );
        }
        // NaN and infinities, which Python writes for floats, outside strings only.
        let cell = r#"{"cell_type": "code", "execution_count": NaN, "outputs": [{"data": [Infinity, -Infinity, "NaN"]}], "source": "x = 'NaN'"}"#;
        let cells = read(&notebook("{}", cell)).unwrap_or_default();
        assert_eq!(cells.first().map(|c| c.code.as_str()), Some("x = 'NaN'"));
        assert!(read(r#"{"cells": [], "x": Nan}"#).is_err());
        // Only a whole value: next to a number or a sign it is no number.
        for value in [
            "1NaN",
            "-NaN",
            "--Infinity",
            "1.NaN",
            "1e-Infinity",
            "1Infinity",
            "1-Infinity",
            "NaNa",
        ] {
            let text = format!(r#"{{"cells": [], "x": [{value}]}}"#);
            assert!(read(&text).is_err(), "{value}");
        }
        assert!(read(r#"{"cells": [], "x": [ NaN,-Infinity ,{"y":Infinity}]}"#).is_ok());
        // A backslash last in broken text.
        assert!(read("{\"cells\": [], \"a\": \"\\ud800\\").is_err());
        let message = read(r#"{"cells": [{"cell_type": "code", "source": "\ud800"}], "x": [}"#)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("line 1, column"), "{message}");
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
