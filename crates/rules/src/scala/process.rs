//! `scala.sys.process` commands as argument lists.
//!
//! `"curl -s URL".!!` runs no shell: the string is split into words (on
//! whitespace; Scala 2.13 also keeps quoted parts together), the first word
//! is the program. `Seq("curl", "-s", url).!!` gives the words directly.

use std::ops::Range;

use tree_sitter::Node;

use super::literal::{self, Part, PartKind};
use super::scope::Value;
use super::value::{is_comment, Eval};
use super::{child_in, kind_of};
pub use crate::shell::argv::Word;
use crate::text::{Piece, Text};

/// A command's words, and where each is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Command {
    /// The words, the program first.
    pub words: Vec<Word>,
    /// Where each word comes from, in the same order.
    pub origins: Vec<Origin>,
}

/// Where a word of a command comes from, which decides how a fix can add
/// words next to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A whole element of `Seq(...)`: new elements can follow it.
    Element,
    /// Part of a string literal that is split into words: new words can be
    /// written into the literal.
    Literal {
        /// The literal, quotes and interpolator included.
        literal: Range<usize>,
    },
    /// An expression whose text is not written here.
    Value,
}

impl Command {
    fn push(&mut self, word: Word, origin: Origin) {
        self.words.push(word);
        self.origins.push(origin);
    }

    fn extend(&mut self, other: Command) {
        self.words.extend(other.words);
        self.origins.extend(other.origins);
    }
}

/// Collections whose elements are a command's words.
const SEQUENCES: [&str; 5] = ["Seq", "List", "Vector", "Array", "IndexedSeq"];

/// Whether calling `function` makes a command: `Seq(...)`, `List(...)`,
/// `Process(...)`.
pub fn is_command_constructor(eval: &Eval<'_>, function: Node<'_>) -> bool {
    constructor(eval, function).is_some()
}

/// What a command-making function is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Constructor {
    /// A sequence of words.
    Sequence,
    /// `Process(...)` and the implicit conversions to it.
    Process,
}

fn constructor(eval: &Eval<'_>, function: Node<'_>) -> Option<Constructor> {
    let name = eval.qualified(function)?;
    let name = name
        .strip_prefix("scala.collection.immutable.")
        .or_else(|| name.strip_prefix("scala.collection."))
        .or_else(|| name.strip_prefix("scala."))
        .unwrap_or(&name);
    if SEQUENCES.contains(&name) {
        return Some(Constructor::Sequence);
    }
    matches!(
        name,
        "sys.process.Process"
            | "sys.process.Process.apply"
            | "sys.process.stringToProcess"
            | "sys.process.stringSeqToProcess"
    )
    .then_some(Constructor::Process)
}

/// The words of a command-making call (`Seq(...)`, `Process(...)`).
pub fn command(eval: &Eval<'_>, call: Node<'_>) -> Option<Command> {
    let function = child_in(call, "function")?;
    let arguments = child_in(call, "arguments")?;
    let mut cursor = arguments.walk();
    let args: Vec<Node<'_>> = arguments
        .named_children(&mut cursor)
        .filter(|n| !is_comment(*n))
        .collect();
    if constructor(eval, function)? == Constructor::Sequence {
        let mut command = Command::default();
        for arg in args {
            if kind_of(arg) == "vararg" {
                command.push(
                    Word::spread(Text::unknown(), arg.byte_range()),
                    Origin::Value,
                );
            } else {
                command.push(Word::new(eval.text(arg), arg.byte_range()), Origin::Element);
            }
        }
        return Some(command);
    }

    // Process(command), Process(command, arguments), Process(command, cwd, env...).
    let mut command = words(eval, *args.first()?)?;
    if let Some(Value::Command(more)) = args.get(1).map(|a| eval.value(*a)) {
        command.extend(more);
    }
    Some(command)
}

/// Every command that `node` runs: one, or each side of `a #| b`,
/// `a #&& b`, `a #|| b`, `a ### b`.
pub fn commands(eval: &Eval<'_>, node: Node<'_>) -> Vec<Command> {
    let mut found = Vec::new();
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        let node = unparenthesized(node);
        if kind_of(node) == "infix_expression" {
            let operator = node
                .child_by_field_name("operator")
                .map(|op| eval.source(op));
            if matches!(
                operator,
                Some("#|" | "#&&" | "#||" | "###" | "#>" | "#>>" | "#<")
            ) {
                // Right first, so that the left command is found first.
                stack.extend(child_in(node, "right"));
                stack.extend(child_in(node, "left"));
                continue;
            }
        }
        if let Some(command) = words(eval, node) {
            found.push(command);
        }
    }
    found
}

/// The words of one command expression: a string, a sequence, a
/// `Process(...)`, or a name bound to one.
pub fn words(eval: &Eval<'_>, node: Node<'_>) -> Option<Command> {
    let node = unparenthesized(node);
    if let Some(parts) = literal::decode(node, eval.code) {
        let origin = Origin::Literal {
            literal: node.byte_range(),
        };
        return Some(split(&units_of_parts(eval, &parts), &origin));
    }
    if kind_of(node) == "infix_expression"
        && node
            .child_by_field_name("operator")
            .map(|op| eval.source(op))
            == Some("++")
    {
        let (left, right) = (child_in(node, "left")?, child_in(node, "right")?);
        let mut command = words(eval, left)?;
        match eval.value(right) {
            Value::Command(more) => command.extend(more),
            _ => command.push(
                Word::spread(Text::unknown(), right.byte_range()),
                Origin::Value,
            ),
        }
        return Some(command);
    }
    match eval.value(node) {
        Value::Command(command) => Some(command),
        Value::Text(text) => Some(split(
            &units_of_text(&text, node.byte_range()),
            &Origin::Value,
        )),
        _ => None,
    }
}

fn unparenthesized(mut node: Node<'_>) -> Node<'_> {
    while kind_of(node) == "parenthesized_expression" && node.named_child_count() == 1 {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// One character of a command string, or an unknown stretch, with where
/// it is written.
#[derive(Debug, Clone)]
enum Unit {
    Char(char, Range<usize>),
    Unknown(Range<usize>),
}

fn units_of_parts(eval: &Eval<'_>, parts: &[Part<'_>]) -> Vec<Unit> {
    let mut units = Vec::new();
    for part in parts {
        match &part.kind {
            PartKind::Verbatim(s) => {
                for (i, c) in s.char_indices() {
                    let start = part.range.start + i;
                    units.push(Unit::Char(c, start..start + c.len_utf8()));
                }
            }
            PartKind::Escape(s) => {
                units.extend(s.chars().map(|c| Unit::Char(c, part.range.clone())));
            }
            PartKind::Hole {
                formatted: true, ..
            } => units.push(Unit::Unknown(part.range.clone())),
            PartKind::Hole { expr, .. } => {
                units.extend(units_of_text(&eval.value(*expr).text(), part.range.clone()));
            }
        }
    }
    units
}

fn units_of_text(text: &Text, range: Range<usize>) -> Vec<Unit> {
    let mut units = Vec::new();
    for piece in text.pieces() {
        match piece {
            Piece::Lit(s) => units.extend(s.chars().map(|c| Unit::Char(c, range.clone()))),
            Piece::Unknown => units.push(Unit::Unknown(range.clone())),
        }
    }
    units
}

/// Splits a command into words the way `Process(String)` does: on
/// whitespace, quotes grouping (Scala 2.13; 2.11 and 2.12 split quoted
/// text too, so a quoted argument with spaces never worked there). A word
/// that is all unknown may stand for several.
fn split(units: &[Unit], origin: &Origin) -> Command {
    let mut command = Command::default();
    let mut current: Option<Word> = None;
    let mut quote: Option<char> = None;
    let finish = |word: Option<Word>, command: &mut Command| {
        if let Some(mut word) = word {
            word.spread = word.text.is_unknown();
            command.push(word, origin.clone());
        }
    };
    for unit in units {
        let range = match unit {
            Unit::Char(c, _) if quote.is_none() && c.is_whitespace() => {
                finish(current.take(), &mut command);
                continue;
            }
            Unit::Char(_, range) | Unit::Unknown(range) => range.clone(),
        };
        let word = current.get_or_insert_with(|| Word::new(Text::default(), range.clone()));
        word.range.start = word.range.start.min(range.start);
        word.range.end = word.range.end.max(range.end);
        match unit {
            Unit::Char(c, _) if quote == Some(*c) => quote = None,
            Unit::Char(c @ ('"' | '\''), _) if quote.is_none() => quote = Some(*c),
            Unit::Char(c, _) => word.text.push_lit(c.encode_utf8(&mut [0; 4])),
            Unit::Unknown(_) => word.text.push_unknown(),
        }
    }
    finish(current, &mut command);
    command
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node_map::NodeMap;
    use crate::scala::scope::{Globals, Scopes};
    use imds_lint_parser::{syntax, Lang};

    /// The words of each command the first expression of `code` runs, as
    /// `text@source` where `source` is the cell text the word's range covers.
    fn run(code: &str, bind: &[(&str, Value)]) -> Vec<Vec<String>> {
        let tree = syntax::parse(Lang::Scala, code).unwrap_or_else(|| panic!("no tree"));
        let made = NodeMap::default();
        let mut scopes = Scopes::new(&Globals::new());
        for (name, value) in bind {
            scopes.bind(*name, value.clone());
        }
        let eval = Eval {
            code,
            scopes: &scopes,
            made: &made,
        };
        let node = tree
            .root_node()
            .named_child(0)
            .unwrap_or_else(|| panic!("empty"));
        commands(&eval, node)
            .into_iter()
            .map(|command| {
                command
                    .words
                    .into_iter()
                    .map(|w| format!("{}@{}", w.text, &code[w.range]))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_string_splits_on_whitespace_with_exact_ranges() {
        assert_eq!(
            run(r#""curl  -s\thttp://h/x""#, &[]),
            [["curl@curl", "-s@-s", "http://h/x@http://h/x"]]
        );
    }

    #[test]
    fn escapes_and_holes_map_as_a_whole() {
        let url = Value::Text(Text::lit("http://h"));
        assert_eq!(
            run(r#"s"curl -s $u/x""#, &[("u", url)]),
            [["curl@curl", "-s@-s", "http://h/x@$u/x"]]
        );
        assert_eq!(run(r#"s"curl $p""#, &[]), [["curl@curl", "…@$p"]]);
        assert_eq!(run(r#""a\tb""#, &[]), [["a@a", "b@b"]]);
    }

    #[test]
    fn quotes_group_words() {
        assert_eq!(
            run(r#""curl -H 'A: b' u""#, &[]),
            [["curl@curl", "-H@-H", "A: b@'A: b'", "u@u"]]
        );
    }

    #[test]
    fn sequences_and_process() {
        let url = Value::Text(Text::lit("http://h"));
        assert_eq!(
            run(r#"Seq("curl", "-s", u)"#, &[("u", url.clone())]),
            [["curl@\"curl\"", "-s@\"-s\"", "http://h@u"]]
        );
        assert_eq!(
            run(r#"Process("curl -s", Seq(u))"#, &[("u", url.clone())]),
            [["curl@curl", "-s@-s", "http://h@u"]]
        );
        assert_eq!(
            run(r#"sys.process.Process(List("curl", u))"#, &[("u", url)]),
            [["curl@\"curl\"", "http://h@u"]]
        );
    }

    #[test]
    fn pipelines_run_each_side() {
        assert_eq!(
            run(r#"("curl u" #| "jq .")"#, &[]),
            [vec!["curl@curl", "u@u"], vec!["jq@jq", ".@."]]
        );
    }

    #[test]
    fn other_values_are_no_command() {
        assert!(run("x.foo(1)", &[]).is_empty());
    }
}
