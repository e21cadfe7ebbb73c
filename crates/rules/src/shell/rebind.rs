//! Where shell code may give a variable a new value, or take its value
//! away, so that a token variable is not reused past such a place.
//!
//! The net is wide on purpose: reusing a variable that holds something
//! else sends that to IMDS (a workspace API token, say), while missing a
//! reuse only costs one token request more. Besides assignments of every
//! form (`NAME=`, `export`, `local`, `declare`, `NAME[i]=`, arithmetic,
//! `${NAME:=...}`), the builtins that write a variable (`read`, `mapfile`,
//! `printf -v`, `getopts`, `let`), `unset`, and loop variables count; so
//! do `eval`, `source` and `.`, which may set any variable.
//!
//! Known limits: a variable written through a name held in another one
//! (`read "$var"`, `declare -n`) is not seen.

use std::collections::HashMap;

use tree_sitter::{Node, Tree};

use super::tree::Parents;
use super::{child_in, kind_of};

/// A place where code may rebind a variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Rebinding {
    /// The variable, or `None` for any (`eval`, `source`).
    pub name: Option<String>,
    /// Where the rebinding is written, in its code's offsets.
    pub start: usize,
    /// The innermost function whose body holds it (its node id).
    pub function: Option<usize>,
    /// Whether it is a `local` (or `declare` in a function) declaration,
    /// which only the function and those it calls see.
    pub local: bool,
}

/// The rebindings of a piece of code, found by the variable they rebind:
/// a request asks only about its token's variable, and a script may
/// assign thousands of others (scanning them all for each request took
/// the square of the script's length).
#[derive(Debug, Default)]
pub(super) struct Rebindings {
    by_name: HashMap<String, Vec<Rebinding>>,
    /// Those that may set any variable (`eval`, `source`).
    any: Vec<Rebinding>,
}

impl Rebindings {
    pub fn new(all: Vec<Rebinding>) -> Self {
        let mut index = Rebindings::default();
        for rebinding in all {
            match &rebinding.name {
                Some(name) => index
                    .by_name
                    .entry(name.clone())
                    .or_default()
                    .push(rebinding),
                None => index.any.push(rebinding),
            }
        }
        index
    }

    /// Those that may rebind `name`.
    pub fn of<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s Rebinding> {
        self.by_name
            .get(name)
            .into_iter()
            .flatten()
            .chain(&self.any)
    }
}

/// Builtins that write a variable named by an argument.
const WRITERS: [&str; 7] = [
    "read",
    "mapfile",
    "readarray",
    "printf",
    "getopts",
    "wait",
    "let",
];

/// Commands that may set any variable.
const ANY: [&str; 3] = ["eval", "source", "."];

/// Every rebinding in the code `text` parsed into `tree`, in the order
/// they are written. One walk, which keeps the functions it is in: asking
/// each node for its function would cost the square of the depth.
pub(super) fn rebindings(tree: &Tree, text: &str, parents: &Parents) -> Vec<Rebinding> {
    let mut out = Vec::new();
    let mut functions: Vec<usize> = Vec::new();
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        for name in bound_names(node, text) {
            out.push(Rebinding {
                name,
                start: node.start_byte(),
                function: functions.last().copied(),
                local: is_local(node, text, parents),
            });
        }
        if cursor.goto_first_child() {
            if kind_of(node) == "function_definition" {
                functions.push(node.id());
            }
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return out;
            }
            if kind_of(cursor.node()) == "function_definition" {
                functions.pop();
            }
        }
    }
}

/// The innermost function definition around `node`, by node id.
pub(super) fn enclosing_function(node: Node, parents: &Parents) -> Option<usize> {
    let mut at = node;
    while let Some(parent) = parents.parent(at) {
        if kind_of(parent) == "function_definition" {
            return Some(parent.id());
        }
        at = parent;
    }
    None
}

/// The names `node` itself may rebind (`None`: any name).
fn bound_names(node: Node, text: &str) -> Vec<Option<String>> {
    let named = |name: Option<Node>| name.map(|n| vec![Some(variable_of(n, text))]);
    match kind_of(node) {
        "variable_assignment" => named(child_in(node, "name")).unwrap_or_default(),
        "for_statement" => named(child_in(node, "variable")).unwrap_or_default(),
        "declaration_command" => declared(node, text),
        "unset_command" => arguments(node)
            .into_iter()
            .map(|n| Some(unquoted(&text[n.byte_range()]).to_owned()))
            .collect(),
        "command" => command(node, text),
        "expansion" => assigning_expansion(node, text),
        "binary_expression" => {
            let op = child_in(node, "operator").map_or("", |op| &text[op.byte_range()]);
            let assigns = op.ends_with('=') && !matches!(op, "==" | "!=" | "<=" | ">=");
            assigns
                .then(|| named(child_in(node, "left")))
                .flatten()
                .unwrap_or_default()
        }
        "postfix_expression" | "unary_expression" => {
            let steps = ["++", "--"]
                .iter()
                .any(|op| text[node.byte_range()].contains(op));
            steps
                .then(|| named(node.named_child(0)))
                .flatten()
                .unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

/// The variable a name node stands for: `NAME` of `NAME[i]`.
fn variable_of(node: Node, text: &str) -> String {
    let node = match kind_of(node) {
        "subscript" => child_in(node, "name").unwrap_or(node),
        _ => node,
    };
    text[node.byte_range()].to_owned()
}

/// Bare names a declaration empties: `local NAME`, `declare NAME`,
/// `typeset NAME` (`export NAME` and `readonly NAME` keep the value).
/// Its assignments are nodes of their own.
fn declared(node: Node, text: &str) -> Vec<Option<String>> {
    let keyword = node.child(0).map_or("", |k| &text[k.byte_range()]);
    if !matches!(keyword, "local" | "declare" | "typeset") {
        return Vec::new();
    }
    arguments(node)
        .into_iter()
        .filter(|n| kind_of(n) == "variable_name")
        .map(|n| Some(text[n.byte_range()].to_owned()))
        .collect()
}

/// Whether the rebinding `node` is a declaration local to a function, or
/// an assignment of one: `local`, or `declare`/`typeset` without `-g`.
fn is_local(node: Node, text: &str, parents: &Parents) -> bool {
    let declaration = match kind_of(node) {
        "declaration_command" => Some(node),
        "variable_assignment" => parents
            .parent(node)
            .filter(|p| kind_of(p) == "declaration_command"),
        _ => None,
    };
    let Some(declaration) = declaration else {
        return false;
    };
    let keyword = declaration.child(0).map_or("", |k| &text[k.byte_range()]);
    let global = arguments(declaration)
        .into_iter()
        .filter(|n| kind_of(n) == "word")
        .any(|n| {
            let option = &text[n.byte_range()];
            option.starts_with('-') && option.contains('g')
        });
    keyword == "local" || (matches!(keyword, "declare" | "typeset") && !global)
}

/// The names a simple command may write: a builtin's variable arguments,
/// or any name for `eval` and `source`.
fn command(node: Node, text: &str) -> Vec<Option<String>> {
    let Some(name) = child_in(node, "name") else {
        return Vec::new();
    };
    let program = unquoted(&text[name.byte_range()]);
    if ANY.contains(&program) {
        return vec![None];
    }
    if !WRITERS.contains(&program) {
        return Vec::new();
    }
    let mut cursor = node.walk();
    let words: Vec<&str> = node
        .children_by_field_name("argument", &mut cursor)
        .map(|n| unquoted(&text[n.byte_range()]))
        .collect();
    let names: Vec<&str> = match program {
        // `printf` writes only with `-v NAME`; `let` evaluates its
        // arguments (`let NAME=1 NAME++`).
        "printf" => words
            .windows(2)
            .filter(|pair| pair[0] == "-v")
            .map(|pair| pair[1])
            .collect(),
        "let" => words
            .iter()
            .flat_map(|w| w.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
            .collect(),
        _ => words,
    };
    names
        .into_iter()
        .filter(|n| !n.is_empty())
        .map(|n| Some(n.to_owned()))
        .collect()
}

/// `${NAME:=value}` and `${NAME=value}` assign NAME when it is unset or
/// empty.
fn assigning_expansion(node: Node, text: &str) -> Vec<Option<String>> {
    let Some(name) = node
        .named_child(0)
        .filter(|n| kind_of(n) == "variable_name")
    else {
        return Vec::new();
    };
    let after = text[name.end_byte()..node.end_byte()].trim_start();
    if after.starts_with(":=") || after.starts_with('=') {
        vec![Some(text[name.byte_range()].to_owned())]
    } else {
        Vec::new()
    }
}

/// The named children of `node`: a declaration's or `unset`'s options
/// and names (their keyword is not named).
fn arguments(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// `word` without one pair of surrounding quotes.
fn unquoted(word: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = word.strip_prefix(quote).and_then(|w| w.strip_suffix(quote)) {
            return inner;
        }
    }
    word
}

#[cfg(test)]
mod tests {
    use super::*;
    use imds_lint_parser::{syntax, Lang};

    /// The rebindings of `code`: name (`*` for any), whether in a
    /// function, whether local.
    fn found(code: &str) -> Vec<(String, bool, bool)> {
        let tree = syntax::parse(Lang::Shell, code).unwrap_or_else(|| panic!("parses"));
        let parents = Parents::of(&tree);
        rebindings(&tree, code, &parents)
            .into_iter()
            .map(|r| {
                let name = r.name.unwrap_or_else(|| "*".to_owned());
                (name, r.function.is_some(), r.local)
            })
            .collect()
    }

    #[test]
    fn rebindings_know_their_function_and_whether_they_are_local() {
        let code = "f() {\n  g() { T=1; }\n  local T\n  declare -g T=2\n}\nT=3\n";
        assert_eq!(
            found(code),
            vec![
                ("T".to_owned(), true, false),
                ("T".to_owned(), true, true),
                ("T".to_owned(), true, false),
                ("T".to_owned(), false, false),
            ]
        );
    }

    #[test]
    fn exporting_or_reading_a_variable_does_not_rebind_it() {
        assert_eq!(
            found("export T\nreadonly T\necho \"$T\"\nprintf '%s' \"$T\"\n"),
            vec![]
        );
        assert_eq!(found("eval \"$X\"\n"), vec![("*".to_owned(), false, false)]);
    }
}
