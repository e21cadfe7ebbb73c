//! Shell run from Python: `subprocess.*`, `os.system`, `os.popen`. A
//! string literal argument is shell code and becomes a nested shell cell;
//! a list argument is an argv, judged through the shell analyser's argv
//! model.

use tree_sitter::Node;

use imds_lint_parser::{strings, Cell};

use super::args::Args;
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

/// Whether `name` runs a command.
pub(super) fn is_runner(name: &str) -> bool {
    RUNNERS.contains(&name)
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
            .is_some_and(|n| n.kind() != "false" && n.kind() != "none");

        match command.kind() {
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
                    .find(|n| n.kind() != "comment");
                if let Some(script) = script {
                    if script.kind() != "string" || !self.nested_shell(script, frame) {
                        self.shell_text(script, call, frame);
                    }
                }
            }
            "list" | "tuple" => self.argv_list(command, call, frame),
            _ => self.argv_value(command, call, frame),
        }
    }

    /// Makes a nested shell cell of a string literal; `false` when the
    /// literal cannot be decoded.
    pub(super) fn nested_shell(&mut self, literal: Node, frame: Option<usize>) -> bool {
        let Some(decoded) = strings::python_literal(&self.code[literal.byte_range()]) else {
            return false;
        };
        let decoded = decoded.shifted(literal.start_byte());
        let cell = Cell::nested(
            &self.file.cells[self.index],
            self.index,
            decoded.code,
            &decoded.map,
            decoded.layer,
            decoded.interpolation,
        );
        let env = self.visible_strings(frame);
        self.file.add_nested_shell(cell, &env);
        true
    }
}
