//! Shell run from Python: `subprocess.*`, `os.system`, `os.popen`, and
//! IPython's shell object (`get_ipython().system(...)` and the magics
//! nbconvert writes for `!cmd`, `%sx` and `%%sh`). A string literal
//! argument is shell code and becomes a nested shell cell; a list argument
//! is an argv, judged through the shell analyser's argv model.

use tree_sitter::Node;

use imds_lint_parser::{strings, Cell, Interpolation, Layer};

use crate::shell::argv;
use crate::shell::ipython::by_hand;

use super::args::Args;
use super::kind_of;
use super::value::Object;
use super::walk::CellWalk;

/// Functions that run a command, canonically.
const RUNNERS: &[&str] = &[
    "subprocess.run",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
    "subprocess.Popen",
    "subprocess.getoutput",
    "subprocess.getstatusoutput",
    "os.system",
    "os.popen",
    "commands.getoutput",
    "commands.getstatusoutput",
    "asyncio.create_subprocess_shell",
];

/// Databricks' call that writes a file, as cluster init scripts were
/// made from notebooks: `dbutils.fs.put(path, contents, overwrite)`.
pub(super) const WRITE_FILE: &str = "dbutils.fs.put";

/// The class of the object `get_ipython()` returns, as the analyser
/// names it.
pub(super) const IPYTHON_SHELL: &str = "IPython.InteractiveShell";

/// Whether `name` runs a command.
pub(super) fn is_runner(name: &str) -> bool {
    RUNNERS.contains(&name)
}

/// Whether `object` is IPython's shell, whose methods run commands.
pub(super) fn is_ipython_shell(object: &Object) -> bool {
    object.class == IPYTHON_SHELL
}

/// Whether IPython expands Python values (`$name`, `{expr}`) in a command
/// before the shell gets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expansion {
    /// The shell gets the code as written (a `%%sh` cell's body).
    None,
    /// As on a `!` line: `system`, `getoutput`, `%sx`, `%%system`.
    IPython,
}

impl<'t> CellWalk<'_, '_, 't> {
    /// Analyses the command a runner is given.
    pub(super) fn run_shell(&mut self, call: Node<'t>, arguments: Node<'t>, frame: Option<usize>) {
        let args = Args::of(arguments, self.code);
        let Some(command) = args.positional.first().copied().or_else(|| {
            ["args", "command", "cmd"]
                .iter()
                .find_map(|k| args.keyword(k))
        }) else {
            return;
        };
        let shell = args
            .keyword("shell")
            .is_some_and(|n| kind_of(n) != "false" && kind_of(n) != "none");

        match kind_of(command) {
            "string" => {
                if !self.nested_shell(command, frame) {
                    self.shell_text(command, call, frame);
                }
            }
            "list" | "tuple" if shell => {
                // With `shell=True` the first element is the script.
                let mut cursor = command.walk();
                let script = command
                    .named_children(&mut cursor)
                    .find(|n| kind_of(n) != "comment");
                if let Some(script) = script {
                    if kind_of(script) != "string" || !self.nested_shell(script, frame) {
                        self.shell_text(script, call, frame);
                    }
                }
            }
            "list" | "tuple" => self.argv_list(command, call, frame),
            _ => self.argv_value(command, call, frame, shell),
        }
    }

    /// Analyses a shell script a notebook writes for later
    /// ([`WRITE_FILE`]): its contents, a string literal, are shell code
    /// when the path ends in `.sh` or `.bash` or they start with a `#!`
    /// line naming a shell. Fixed where it is written, the script works
    /// when it runs.
    pub(super) fn written_script(&mut self, arguments: Node<'t>, frame: Option<usize>) {
        let args = Args::of(arguments, self.code);
        let Some(contents) = args
            .get(1, "contents")
            .filter(|node| kind_of(*node) == "string")
        else {
            return;
        };
        let path = args
            .get(0, "file")
            .and_then(|node| self.eval(frame).text(node).as_literal().map(str::to_owned));
        let by_name = path.is_some_and(|p| argv::named_as_shell_script(&p));
        let by_shebang = || {
            strings::python_literal(&self.code[contents.byte_range()]).is_some_and(|decoded| {
                let first = decoded.code.trim_start().lines().next().unwrap_or_default();
                first
                    .strip_prefix("#!")
                    .is_some_and(argv::shebang_names_a_shell)
            })
        };
        if by_name || by_shebang() {
            self.nested_shell(contents, frame);
        }
    }

    /// Analyses the command a method of IPython's shell runs
    /// (`get_ipython().system(cmd)`, `.run_cell_magic("sh", "", cell)`).
    pub(super) fn run_ipython(
        &mut self,
        call: Node<'t>,
        method: &str,
        arguments: Node<'t>,
        frame: Option<usize>,
    ) {
        let args = Args::of(arguments, self.code);
        let Some((command, expansion)) = self.ipython_command(method, &args, frame) else {
            return;
        };
        if kind_of(command) != "string" || !self.nested_cell(command, frame, expansion) {
            self.shell_text(command, call, frame);
        }
    }

    /// The argument holding the shell code an IPython shell method runs,
    /// and how IPython expands it; `None` when the call runs no shell.
    fn ipython_command<'a>(
        &self,
        method: &str,
        args: &Args<'a, '_>,
        frame: Option<usize>,
    ) -> Option<(Node<'a>, Expansion)> {
        let literal = |index: usize, keyword: &str| {
            let node = args.get(index, keyword)?;
            self.eval(frame).text(node).as_literal().map(str::to_owned)
        };
        match method {
            "system" | "system_piped" | "system_raw" | "getoutput" => {
                Some((args.get(0, "cmd")?, Expansion::IPython))
            }
            // `run_line_magic` expands the line, then `%sx` hands it to
            // `getoutput`, which expands it again: the second pass finds
            // `$IMDS_TOKEN` names no Python value and leaves the text alone.
            "run_line_magic" => match literal(0, "magic_name")?.as_str() {
                "sx" | "system" => Some((args.get(1, "line")?, Expansion::IPython)),
                _ => None,
            },
            // A cell magic's body is not expanded, except by `%%system`
            // (`%%sx`, `%%!`), which gives it to `getoutput`.
            "run_cell_magic" => {
                let expansion = match literal(0, "magic_name")?.as_str() {
                    "sh" | "bash" => Expansion::None,
                    "script" if runs_a_shell(&literal(1, "line")?) => Expansion::None,
                    "system" | "sx" | "!" => Expansion::IPython,
                    _ => return None,
                };
                Some((args.get(2, "cell")?, expansion))
            }
            _ => None,
        }
    }

    /// Makes a nested shell cell of a string literal the shell gets as it
    /// is; `false` when the literal cannot be decoded.
    pub(super) fn nested_shell(&mut self, literal: Node, frame: Option<usize>) -> bool {
        self.nested_cell(literal, frame, Expansion::None)
    }

    /// Makes a nested shell cell of a string literal, expanded by IPython
    /// first or not; `false` when the literal cannot be decoded. Fixes
    /// that could not be written as they must are withheld, with help.
    fn nested_cell(&mut self, literal: Node, frame: Option<usize>, expansion: Expansion) -> bool {
        let Some(decoded) = strings::python_literal(&self.code[literal.byte_range()]) else {
            return false;
        };
        let decoded = decoded.shifted(literal.start_byte());
        let layer = decoded.layer.clone();
        // IPython expands the string as it does a `!` line: the shell
        // analyser resolves `$name` and `{expr}` from Python, writes the
        // shell's `$` as `$$`, and withholds the fixes that need an
        // expansion that may fail.
        let interpolation = match expansion {
            Expansion::IPython => Interpolation::IPython,
            Expansion::None => decoded.interpolation,
        };
        let cell = Cell::nested(
            &self.file.cells[self.index],
            self.index,
            decoded.code,
            &decoded.map,
            decoded.layer,
            interpolation,
        );
        let env = self.visible_strings(frame);
        let first_finding = self.file.findings.len();

        let index = self.file.add_nested_shell(cell, &env);

        for finding in &mut self.file.findings[first_finding..] {
            let Some(fix) = finding.fix.as_ref().filter(|_| finding.cell == index) else {
                continue;
            };
            if fix.edits.iter().any(|e| !literal_holds(&layer, &e.content)) {
                finding.fix = None;
                finding.help = Some(format!("{RAW_LITERAL}; {}", by_hand(finding.rule)));
            }
        }
        true
    }
}

/// Why no fix is offered where a raw string cannot hold its text.
const RAW_LITERAL: &str = "the fix needs a quote or a line break that this raw string literal \
     cannot hold (drop the `r` prefix, doubling its backslashes, or use the other quote)";

/// Whether `%%script LINE` runs its body with sh or bash.
fn runs_a_shell(line: &str) -> bool {
    let program = line.split_whitespace().find(|w| !w.starts_with('-'));
    program.is_some_and(|p| matches!(p.rsplit('/').next(), Some("sh" | "bash")))
}

/// Whether `text` can be written into a string literal written as
/// `layer`, as the rewriter's encoder decides.
fn literal_holds(layer: &Layer, text: &str) -> bool {
    match layer {
        Layer::PythonString {
            quote,
            triple,
            raw: true,
        } => strings::fits_raw_python(text, *quote, *triple),
        _ => true,
    }
}
