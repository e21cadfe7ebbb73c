//! Cells: pieces of code in one language, as their interpreter sees them.

use std::ops::Range;

use crate::lang::Lang;
use crate::span::SpanMap;

/// Where a cell's code came from, which decides what it shares with others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The whole file (a plain script or module).
    File,
    /// A notebook code cell in the notebook's own language (Python cells of
    /// a Python notebook share one interpreter, so they share variables).
    NotebookCell,
    /// A notebook cell run by a magic (`%sh`, `%%bash`, `%scala`...). Shell
    /// magic cells each run in a shell of their own.
    MagicCell {
        /// The magic, without `%`: `sh`, `bash`, `python`, `scala`, `script bash`.
        magic: String,
    },
    /// An IPython `!cmd` line: one line run in a shell of its own, with
    /// `$name` and `{expr}` expanded from the Python namespace first.
    BangLine,
    /// Shell code inside a string of another cell (`subprocess.run("...")`,
    /// `"curl ...".!!`). `host` is the index of the host cell.
    HostString {
        /// Index of the host cell in the file's cell list.
        host: usize,
        /// How the host language interpolated the string before the shell
        /// saw it: such parts are resolved from the host's variables.
        interpolation: Interpolation,
    },
}

/// Host-language interpolation left visible in a nested cell's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interpolation {
    /// A plain string: the shell sees the code as it is.
    None,
    /// A Python f-string: `{name}` is a host value (`{{` was decoded to `{`).
    Braces,
    /// A Scala `s"..."` string: `$name` and `${expr}` are host values.
    Dollar,
    /// A command IPython expands before the shell gets it
    /// (`get_ipython().system(...)`), as it does a `!` line: `$name` and
    /// `{expr}` are Python values, `$$` is a `$`.
    IPython,
}

/// How text inserted into a cell must be written into the stored file.
///
/// Layers apply innermost first: shell code inside a Python string inside a
/// notebook JSON string is `[PythonString, JsonString]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layer {
    /// A JSON string value (one-string `source` of an `.ipynb` cell).
    JsonString,
    /// A JSON list of one string per line: a newline closes the string and
    /// opens the next one, indented like the others.
    JsonLines {
        /// The text between one string's closing quote and the next one's
        /// opening quote, as the file has it: `,` + line break + indentation
        /// (`,\n    ` as Jupyter writes it, `,` in compact JSON). A new line
        /// is written as `<line>` + `\n` (the two-character escape) + `"` +
        /// joint + `"`. A list of fewer than two strings has no joint to
        /// copy: it is `,` + what stands between `[` and the first quote.
        joint: String,
    },
    /// Databricks `MAGIC` lines: each new line gets the prefix.
    MagicLines {
        /// The prefix, such as `# MAGIC `.
        prefix: String,
    },
    /// The body of a Python string literal.
    PythonString {
        /// The quote character, `'` or `"`.
        quote: char,
        /// Whether it is triple-quoted.
        triple: bool,
        /// Whether it is a raw string (`r"..."`).
        raw: bool,
    },
    /// The body of a Scala string literal.
    ScalaString {
        /// Whether it is triple-quoted (`"""`).
        triple: bool,
    },
    /// Code a shell script hands to another program as a quoted word or
    /// a heredoc (`python3 -c '...'`, `python3 <<EOF`).
    ShellString {
        /// How the shell reads the text.
        quoting: ShellQuoting,
    },
}

/// How shell code writes a string it hands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellQuoting {
    /// `'...'`: anything but `'` stands for itself.
    Single,
    /// `"..."`: `\`, `"`, `$` and `` ` `` are escaped with a backslash.
    Double,
    /// An unquoted heredoc body: `\`, `$` and `` ` `` are escaped.
    Heredoc,
    /// A quoted heredoc body (`<<'EOF'`): text stands for itself.
    Verbatim,
}

/// A piece of code in one language, with its map back to the file.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The language the code is in.
    pub lang: Lang,
    /// The code, as the interpreter sees it.
    pub code: String,
    /// Cell offsets to file offsets.
    pub map: SpanMap,
    /// 1-based number of the notebook cell this code is in, if any.
    pub number: Option<usize>,
    /// Where the code came from.
    pub origin: Origin,
    /// How inserted text is written back, innermost layer first.
    pub layers: Vec<Layer>,
}

/// The cell the `!` line `cells[index]` was cut from: the closest cell
/// before it of the same notebook cell that is neither a `!` line nor a
/// string's code. `None` when there is none (or it is not a `!` line).
pub fn bang_host(cells: &[Cell], index: usize) -> Option<usize> {
    if cells.get(index)?.origin != Origin::BangLine {
        return None;
    }
    let number = cells[index].number;
    cells[..index]
        .iter()
        .rposition(|cell| !matches!(cell.origin, Origin::BangLine | Origin::HostString { .. }))
        .filter(|&host| cells[host].number == number)
}

impl Cell {
    /// A cell holding a whole plain file.
    pub fn whole_file(lang: Lang, text: &str) -> Self {
        Cell {
            lang,
            code: text.to_owned(),
            map: SpanMap::verbatim(0, text.len()),
            number: None,
            origin: Origin::File,
            layers: Vec::new(),
        }
    }

    /// A cell for shell code found in a string of `host` (at index
    /// `host_index`): `map` goes from the nested code to the host's code,
    /// `layer` is how the host's string literal encodes text.
    pub fn nested(
        host: &Cell,
        host_index: usize,
        code: String,
        map: &SpanMap,
        layer: Layer,
        interpolation: Interpolation,
    ) -> Self {
        let mut layers = vec![layer];
        layers.extend(host.layers.iter().cloned());
        Cell {
            lang: Lang::Shell,
            code,
            map: map.compose(&host.map),
            number: host.number,
            origin: Origin::HostString {
                host: host_index,
                interpolation,
            },
            layers,
        }
    }

    /// A cell holding `self.code[range]`, mapped through this cell's map:
    /// how a magic's body or an IPython `!` command becomes a cell.
    pub(crate) fn part(&self, range: Range<usize>, lang: Lang, origin: Origin) -> Cell {
        let map = SpanMap::verbatim(range.start, range.len()).compose(&self.map);
        Cell {
            lang,
            code: self.code[range].to_owned(),
            map,
            number: self.number,
            origin,
            layers: self.layers.clone(),
        }
    }

    /// The line ending the code mostly uses (`\r\n` or `\n`).
    pub fn line_ending(&self) -> &'static str {
        let crlf = self.code.matches("\r\n").count();
        let lf = self.code.matches('\n').count();
        if crlf * 2 > lf {
            "\r\n"
        } else {
            "\n"
        }
    }
}
