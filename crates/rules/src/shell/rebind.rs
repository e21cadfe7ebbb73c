//! Where shell code may give a variable a new value, or take its value
//! away, so that a token variable is not reused past such a place.
//!
//! The net is wide on purpose: reusing a variable that holds something
//! else sends that to IMDS (a workspace API token, say), while missing a
//! reuse only costs one token request more. Besides assignments of every
//! form (`NAME=`, `export`, `local`, `declare`, quoted `declare 'NAME=v'`,
//! `NAME[i]=`, arithmetic anywhere bash evaluates it, `${NAME:=...}`), the
//! builtins that write a variable (`read`, `mapfile`, `printf -v`,
//! `getopts`, `let`, also behind `command`, `builtin` or `time`), `unset`,
//! loop variables, `{NAME}>` redirections and `coproc NAME` count; so do
//! `eval`, `source` and `.`, which may set any variable.
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

/// Words that run the builtin after them in this shell (`command read T`).
const PREFIXES: [&str; 3] = ["command", "builtin", "time"];

/// The operators of `[[ ]]` that evaluate their operands as arithmetic,
/// where `T=1` assigns.
const ARITHMETIC_TESTS: [&str; 6] = ["-eq", "-ne", "-lt", "-le", "-gt", "-ge"];

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
            .map(|n| Some(variable_in(unquoted(&text[n.byte_range()])).to_owned()))
            .collect(),
        "command" => command(node, text),
        "expansion" => assigning_expansion(node, text),
        "binary_expression" => binary(node, text),
        // The grammar leaves an index (`${a[T=5]}`, `b[T++]=1`) as text,
        // which bash evaluates as arithmetic.
        "subscript" => child_in(node, "index")
            .map(|index| arithmetic(&text[index.byte_range()]))
            .unwrap_or_default(),
        "word" | "concatenation" => fd_variable(node, text),
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

/// The names an arithmetic or test operation may write: the left side of
/// an assignment operator, or any name in an operand of `[[ A -eq B ]]`,
/// which the grammar leaves as text.
fn binary(node: Node, text: &str) -> Vec<Option<String>> {
    let op = child_in(node, "operator").map_or("", |op| &text[op.byte_range()]);
    if ARITHMETIC_TESTS.contains(&op) {
        return ["left", "right"]
            .into_iter()
            .filter_map(|side| child_in(node, side))
            .flat_map(|side| arithmetic(&text[side.byte_range()]))
            .collect();
    }
    let assigns = op.ends_with('=') && !matches!(op, "==" | "!=" | "<=" | ">=");
    match child_in(node, "left") {
        Some(left) if assigns => vec![Some(variable_of(left, text))],
        _ => Vec::new(),
    }
}

/// Every name in the arithmetic `expression` if it may assign one (`=`,
/// `+=`, `++`...): too rare to be worth telling which name it writes.
fn arithmetic(expression: &str) -> Vec<Option<String>> {
    if !may_assign(expression) {
        return Vec::new();
    }
    expression
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
        .map(|w| Some(w.to_owned()))
        .collect()
}

/// Whether the arithmetic `expression` holds an assignment or a step:
/// an `=` that is not part of `==`, `!=`, `<=` or `>=` (but is of `<<=`
/// and `>>=`), or `++`/`--`.
fn may_assign(expression: &str) -> bool {
    let bytes = expression.as_bytes();
    let assigns_at = |i: usize| {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let twice = i >= 2 && bytes[i - 2] == bytes[i - 1];
        let comparison = match before {
            Some(b'=' | b'!') => true,
            Some(b'<' | b'>') => !twice,
            _ => false,
        };
        bytes.get(i + 1) != Some(&b'=') && !comparison
    };
    let assigns = (0..bytes.len()).any(|i| bytes[i] == b'=' && assigns_at(i));
    assigns || expression.contains("++") || expression.contains("--")
}

/// `{NAME}>file`, `{NAME}<&-`: bash stores the file descriptor it opens
/// in NAME (the grammar sees `{NAME}` as a word before the redirection).
fn fd_variable(node: Node, text: &str) -> Vec<Option<String>> {
    let word = &text[node.byte_range()];
    let name = word.strip_prefix('{').and_then(|w| w.strip_suffix('}'));
    let redirects = text[node.end_byte()..].starts_with(['<', '>']);
    match name {
        Some(name) if redirects && is_name(name) => vec![Some(name.to_owned())],
        _ => Vec::new(),
    }
}

/// Whether `word` is a shell variable name.
fn is_name(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The variable a word naming one stands for: `NAME` of `NAME[i]`.
fn variable_in(word: &str) -> &str {
    word.split('[').next().unwrap_or(word)
}

/// The variable a name node stands for: `NAME` of `NAME[i]`.
fn variable_of(node: Node, text: &str) -> String {
    let node = match kind_of(node) {
        "subscript" => child_in(node, "name").unwrap_or(node),
        _ => node,
    };
    text[node.byte_range()].to_owned()
}

/// The names a declaration writes that are not assignment nodes of their
/// own: bare names it empties (`local NAME`, `declare NAME`, `typeset
/// NAME`; `export NAME` and `readonly NAME` keep the value), and
/// assignments the grammar does not see because of quotes (`declare
/// 'NAME=v'`, `export "NAME=v"`, `export NAME"=v"`).
fn declared(node: Node, text: &str) -> Vec<Option<String>> {
    let keyword = node.child(0).map_or("", |k| &text[k.byte_range()]);
    let empties = matches!(keyword, "local" | "declare" | "typeset");
    shell_words(arguments(node))
        .into_iter()
        .filter(|word| word.iter().all(|n| kind_of(n) != "variable_assignment"))
        .filter_map(|word| {
            let joined: String = word.iter().map(|n| &text[n.byte_range()]).collect();
            let bare = joined.replace(['\'', '"'], "");
            let name = bare
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("");
            let rest = &bare[name.len()..];
            let assigns = rest.starts_with(['=', '[']) || rest.starts_with("+=");
            let writes = assigns || (empties && rest.is_empty());
            (writes && is_name(name)).then(|| Some(name.to_owned()))
        })
        .collect()
}

/// `nodes` grouped into the shell words they make: nodes with no space
/// between them (`NAME` and `"=v"`) are one word.
fn shell_words(nodes: Vec<Node>) -> Vec<Vec<Node>> {
    let mut words: Vec<Vec<Node>> = Vec::new();
    for node in nodes {
        match words.last_mut() {
            Some(word)
                if word
                    .last()
                    .is_some_and(|n| n.end_byte() == node.start_byte()) =>
            {
                word.push(node);
            }
            _ => words.push(vec![node]),
        }
    }
    words
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
/// a coprocess's name, or any name for `eval` and `source`.
fn command(node: Node, text: &str) -> Vec<Option<String>> {
    let Some(name) = child_in(node, "name") else {
        return Vec::new();
    };
    if unquoted(&text[name.byte_range()]) == "coproc" {
        return coprocess(name, text);
    }
    let mut cursor = node.walk();
    let words: Vec<&str> = std::iter::once(name)
        .chain(node.children_by_field_name("argument", &mut cursor))
        .map(|n| unquoted(&text[n.byte_range()]))
        .collect();
    let words = without_prefixes(&words);
    let Some((&program, words)) = words.split_first() else {
        return Vec::new();
    };
    if ANY.contains(&program) {
        return vec![None];
    }
    if !WRITERS.contains(&program) {
        return Vec::new();
    }
    let names: Vec<&str> = match program {
        "printf" => printf_targets(words),
        // `let` evaluates its arguments (`let NAME=1 NAME++`).
        "let" => words
            .iter()
            .flat_map(|w| w.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
            .collect(),
        _ => words.to_vec(),
    };
    names
        .into_iter()
        .map(variable_in)
        .filter(|n| !n.is_empty())
        .map(|n| Some(n.to_owned()))
        .collect()
}

/// `words` from the builtin on: `command`, `builtin` and `time` (with
/// their options) run the word after them in this shell.
fn without_prefixes<'w>(mut words: &'w [&'w str]) -> &'w [&'w str] {
    while let Some((first, rest)) = words.split_first() {
        if !PREFIXES.contains(first) {
            break;
        }
        words = rest;
        while words.first().is_some_and(|w| w.starts_with('-')) {
            words = &words[1..];
        }
    }
    words
}

/// The variables `printf` writes: only with `-v NAME` or `-vNAME`, its
/// one option, before the format (`printf '%s' -v T` prints `-vT`).
fn printf_targets<'w>(words: &[&'w str]) -> Vec<&'w str> {
    let mut names = Vec::new();
    let mut rest = words;
    while let Some((word, after)) = rest.split_first() {
        if *word == "-v" {
            names.extend(after.first());
            rest = after.get(1..).unwrap_or_default();
        } else if let Some(joined) = word.strip_prefix("-v") {
            names.push(joined);
            rest = after;
        } else {
            break;
        }
    }
    names
}

/// `coproc NAME { ...; }` stores the coprocess's file descriptors in the
/// array NAME; the grammar, which has no `coproc`, sees a command named
/// `coproc` followed by the name (at times in an error node).
fn coprocess(name: Node, text: &str) -> Vec<Option<String>> {
    let next = name
        .next_named_sibling()
        .map(|n| text[n.byte_range()].trim());
    match next {
        Some(next) if is_name(next) => vec![Some(next.to_owned())],
        _ => Vec::new(),
    }
}

/// The name `${NAME:=value}` or `${NAME=value}` assigns (when it is
/// unset, or empty).
pub(super) fn assigned_by_expansion(node: Node, text: &str) -> Option<String> {
    assigning_expansion(node, text).pop().flatten()
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

    #[test]
    fn each_missed_form_of_the_testers_rebinds_the_variable() {
        for code in [
            "printf -vT '%s' zz\n",
            "command read -r T <<< zz\n",
            "builtin read -r T <<< zz\n",
            "time read -r T <<< zz\n",
            "command -p read T\n",
            "declare 'T=zz'\n",
            "export \"T=zz\"\n",
            "export T\"=zz\"\n",
            "exec {T}>/dev/null\n",
            "exec 3>x {T}<&-\n",
            "coproc T { cat; }\n",
            "coproc T (cat)\n",
            "printf -v 'T[0]' zz\n",
            "read 'T[0]' <<< zz\n",
            "unset 'T[0]'\n",
            "[[ 1 -eq T=1 ]]\n",
            "[[ $X -lt T++ ]]\n",
            ": ${a[T=5]}\n",
            "echo \"${a[T<<=1]}\"\n",
            "b[T=4]=1\n",
        ] {
            let names: Vec<String> = found(code).into_iter().map(|(n, _, _)| n).collect();
            assert!(names.iter().any(|n| n == "T"), "{code:?}: {names:?}");
        }
    }

    #[test]
    fn reading_a_variable_in_those_forms_does_not_rebind_it() {
        for code in [
            "[[ T -eq 1 ]]\n",
            "[[ $T -le 1 ]]\n",
            "echo \"${a[T]}\" \"${a[T==1]}\" \"${a[T>=1]}\"\n",
            "echo {T} x\n",
            "export 'T' \"U\"\n",
            "command echo T\n",
            "printf '%s' -v T\n",
        ] {
            let names: Vec<String> = found(code).into_iter().map(|(n, _, _)| n).collect();
            assert!(!names.iter().any(|n| n == "T"), "{code:?}: {names:?}");
        }
    }

    #[test]
    fn a_quoted_declaration_in_a_function_is_local() {
        assert_eq!(
            found("f() {\n  declare 'T=1'\n  export \"T=2\"\n}\n"),
            vec![("T".to_owned(), true, true), ("T".to_owned(), true, false)]
        );
    }
}
