//! Writing inserted text the way its container stores it: the cell's line
//! endings first, then each layer (string literal, `MAGIC` prefix, JSON).

use std::cell::OnceCell;
use std::fmt::Write as _;

use crate::{strings, Cell, Layer, ShellQuoting};

/// Why text cannot be written into a container.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// A raw or triple-quoted literal cannot hold the text as it is.
    #[error("the new text cannot be written inside this {0} string literal")]
    Literal(&'static str),
}

/// Encodes `text`, written with `\n` line endings, for insertion into
/// `cell`'s stored form.
pub fn encode(cell: &Cell, text: &str) -> Result<String, EncodeError> {
    encode_with(cell, cell.line_ending(), text)
}

fn encode_with(cell: &Cell, line_ending: &str, text: &str) -> Result<String, EncodeError> {
    let mut out = if line_ending == "\r\n" {
        text.replace('\n', "\r\n")
    } else {
        text.to_owned()
    };
    for layer in &cell.layers {
        out = encode_layer(layer, &out)?;
    }
    Ok(out)
}

/// Encodes text for the cells of one file, counting each cell's line
/// endings once: counted again for every fix, a cell with thousands of
/// findings took the square of its length.
#[derive(Debug)]
pub struct Encoder<'c> {
    cells: &'c [Cell],
    line_endings: Vec<OnceCell<&'static str>>,
}

impl<'c> Encoder<'c> {
    /// An encoder for `cells`.
    pub fn new(cells: &'c [Cell]) -> Self {
        Encoder {
            cells,
            line_endings: cells.iter().map(|_| OnceCell::new()).collect(),
        }
    }

    /// The cells.
    pub fn cells(&self) -> &'c [Cell] {
        self.cells
    }

    /// Cell `index`.
    pub fn cell(&self, index: usize) -> &'c Cell {
        &self.cells[index]
    }

    /// [`encode`] for cell `index`.
    pub fn encode(&self, index: usize, text: &str) -> Result<String, EncodeError> {
        let cell = self.cell(index);
        let line_ending = self.line_endings[index].get_or_init(|| cell.line_ending());
        encode_with(cell, line_ending, text)
    }
}

fn encode_layer(layer: &Layer, text: &str) -> Result<String, EncodeError> {
    match layer {
        Layer::JsonString => Ok(json_escape(text)),
        Layer::JsonLines { joint } => {
            let mut out = String::with_capacity(text.len() + 8);
            for (i, line) in text.split('\n').enumerate() {
                if i > 0 {
                    out.push_str("\\n\"");
                    out.push_str(joint);
                    out.push('"');
                }
                out.push_str(&json_escape(line));
            }
            Ok(out)
        }
        Layer::MagicLines { prefix } => {
            let bare = prefix.trim_end();
            let mut out = String::with_capacity(text.len() + 16);
            for (i, line) in text.split('\n').enumerate() {
                if i > 0 {
                    out.push('\n');
                    // The line's own text follows only on the last piece, so
                    // an empty middle line is written the way exports write
                    // it: the bare prefix.
                    out.push_str(if line.is_empty() && i + 1 < text.split('\n').count() {
                        bare
                    } else {
                        prefix
                    });
                }
                out.push_str(line);
            }
            Ok(out)
        }
        Layer::PythonString { quote, triple, raw } => python_escape(text, *quote, *triple, *raw),
        Layer::ScalaString { triple } => scala_escape(text, *triple),
        Layer::ShellString { quoting } => shell_escape(text, *quoting),
    }
}

/// Escapes text for the inside of a JSON string, leaving non-ASCII as it
/// is (as Jupyter writes it).
pub fn json_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

fn python_escape(text: &str, quote: char, triple: bool, raw: bool) -> Result<String, EncodeError> {
    if raw {
        return if strings::fits_raw_python(text, quote, triple) {
            Ok(text.to_owned())
        } else {
            Err(EncodeError::Literal("raw Python"))
        };
    }
    // In a triple-quoted literal a quote stands for itself unless it could
    // join others of the text into three. One that joins the literal's own
    // text around the insertion (`...x""` + `"y`) makes code that does not
    // parse, which the rewriter refuses to write.
    let chars: Vec<char> = text.chars().collect();
    let joins =
        |i: usize| !triple || (i > 0 && chars[i - 1] == quote) || chars.get(i + 1) == Some(&quote);
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' if !triple => out.push_str("\\n"),
            '\r' if !triple => out.push_str("\\r"),
            c if c == quote && joins(i) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

fn scala_escape(text: &str, triple: bool) -> Result<String, EncodeError> {
    if triple {
        return if text.contains("\"\"\"") {
            Err(EncodeError::Literal("triple-quoted Scala"))
        } else {
            Ok(text.to_owned())
        };
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    Ok(out)
}

fn shell_escape(text: &str, quoting: ShellQuoting) -> Result<String, EncodeError> {
    let special: &[char] = match quoting {
        ShellQuoting::Single if text.contains('\'') => {
            return Err(EncodeError::Literal("single-quoted shell"))
        }
        ShellQuoting::Single | ShellQuoting::Verbatim => return Ok(text.to_owned()),
        ShellQuoting::Double => &['\\', '"', '$', '`'],
        ShellQuoting::Heredoc => &['\\', '$', '`'],
    };
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if special.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Lang, SpanMap};

    fn cell(layers: Vec<Layer>, code: &str) -> Cell {
        let mut cell = Cell::whole_file(Lang::Shell, code);
        cell.map = SpanMap::verbatim(0, code.len());
        cell.layers = layers;
        cell
    }

    #[test]
    fn plain_cells_keep_their_line_endings() {
        assert_eq!(
            encode(&cell(vec![], "a\r\nb\r\n"), "x\n"),
            Ok("x\r\n".to_owned())
        );
        assert_eq!(encode(&cell(vec![], "a\nb\n"), "x\n"), Ok("x\n".to_owned()));
    }

    #[test]
    fn magic_lines_get_their_prefix() {
        let layers = vec![Layer::MagicLines {
            prefix: "# MAGIC ".to_owned(),
        }];
        assert_eq!(
            encode(&cell(layers, "a\n"), "T=1\n\nx\n"),
            Ok("T=1\n# MAGIC\n# MAGIC x\n# MAGIC ".to_owned())
        );
    }

    #[test]
    fn json_lines_split_into_one_string_per_line() {
        let layers = vec![Layer::JsonLines {
            joint: ",\n    ".to_owned(),
        }];
        assert_eq!(
            encode(&cell(layers, "a\n"), "T=\"1\"\n"),
            Ok("T=\\\"1\\\"\\n\",\n    \"".to_owned())
        );
    }

    #[test]
    fn layers_apply_innermost_first() {
        let layers = vec![
            Layer::PythonString {
                quote: '"',
                triple: false,
                raw: false,
            },
            Layer::JsonString,
        ];
        // shell `-H "X: $T"` inside a Python "..." string inside JSON
        assert_eq!(
            encode(&cell(layers, ""), "-H \"X: $T\""),
            Ok("-H \\\\\\\"X: $T\\\\\\\"".to_owned())
        );
    }

    /// A fresh tester: shell code in `"...\\r\\n..."` has CRLF line endings,
    /// and a fix's new line came out as a raw carriage return inside a
    /// one-line literal, which does not parse.
    #[test]
    fn one_line_literals_escape_carriage_returns() {
        let python = vec![Layer::PythonString {
            quote: '"',
            triple: false,
            raw: false,
        }];
        assert_eq!(
            encode(&cell(python, "a\r\nb\r\n"), "T=1\n"),
            Ok("T=1\\r\\n".to_owned())
        );
        let scala = vec![Layer::ScalaString { triple: false }];
        assert_eq!(
            encode(&cell(scala, "a\r\nb\r\n"), "T=1\n"),
            Ok("T=1\\r\\n".to_owned())
        );
    }

    #[test]
    fn triple_quoted_python_escapes_only_quotes_that_could_close_it() {
        let layers = vec![Layer::PythonString {
            quote: '"',
            triple: true,
            raw: false,
        }];
        assert_eq!(
            encode(&cell(layers.clone(), ""), "T=$(curl -H \"X: 1\" u)\n"),
            Ok("T=$(curl -H \"X: 1\" u)\n".to_owned())
        );
        // Next to another quote, a quote is escaped.
        assert_eq!(
            encode(&cell(layers, ""), "\"a \"\" b\""),
            Ok("\"a \\\"\\\" b\"".to_owned())
        );
    }

    #[test]
    fn shell_strings_escape_what_the_shell_would_read() {
        let quoted = |quoting| vec![Layer::ShellString { quoting }];
        let text = "h = {\"X\": t}  # $HOME `x` \\n\n";
        assert_eq!(
            encode(&cell(quoted(ShellQuoting::Double), ""), text),
            Ok("h = {\\\"X\\\": t}  # \\$HOME \\`x\\` \\\\n\n".to_owned())
        );
        assert_eq!(
            encode(&cell(quoted(ShellQuoting::Heredoc), ""), text),
            Ok("h = {\"X\": t}  # \\$HOME \\`x\\` \\\\n\n".to_owned())
        );
        assert_eq!(
            encode(&cell(quoted(ShellQuoting::Verbatim), ""), text),
            Ok(text.to_owned())
        );
        assert_eq!(
            encode(&cell(quoted(ShellQuoting::Single), ""), text),
            Ok(text.to_owned())
        );
        assert!(encode(&cell(quoted(ShellQuoting::Single), ""), "it's").is_err());
    }

    #[test]
    fn raw_literals_refuse_what_they_cannot_hold() {
        let layers = vec![Layer::PythonString {
            quote: '"',
            triple: false,
            raw: true,
        }];
        assert!(encode(&cell(layers.clone(), ""), "a\"b").is_err());
        assert_eq!(encode(&cell(layers, ""), "a'b"), Ok("a'b".to_owned()));
    }
}
