//! `set -e`: under it a failing token fetch stops the script, which is
//! wrong wherever the request's own failure would not have (a fallback
//! `|| echo unknown`, an `if` condition, a branch not taken). Such a fetch
//! is guarded: `IMDS_TOKEN=$(...) || IMDS_TOKEN=`.
//!
//! Known limit: errexit turned on outside the code (`bash -e script.sh`,
//! a script that sources this one) is not seen; the fetch is then left
//! unguarded, and off EC2 it may stop a script its request did not.

use tree_sitter::Node;

use super::argv::{self, Word};
use super::tree::Parents;
use super::wrapper;
use super::{child_in, kind_of};

/// Whether the command `words` may turn errexit on: `set -e`,
/// `set -o errexit`, or a shell started with `-e` (`bash -ec '...'`).
pub(super) fn turns_on(words: &[Word]) -> bool {
    let literal = |w: &Word| w.text.as_literal().map(str::to_owned);
    if words[0].text.as_literal() == Some("set") {
        let options: Vec<String> = words[1..].iter().filter_map(literal).collect();
        return options.iter().any(|o| short_e(o)) || options.iter().any(|o| o == "errexit");
    }
    let runs_shell = argv::shell_code(words).is_some() || argv::reads_script_from_stdin(words);
    let Some(program) = wrapper::unwrap(words, 0).filter(|_| runs_shell) else {
        return false;
    };
    words[program + 1..]
        .iter()
        .filter_map(literal)
        .any(|o| short_e(&o) || o == "errexit")
}

/// Whether a script's first line starts it with `-e`
/// (`#!/bin/bash -e`, `#!/usr/bin/env -S bash -eu`).
pub(super) fn in_shebang(text: &str) -> bool {
    let first = text.lines().next().unwrap_or("");
    first.starts_with("#!") && first.split_whitespace().skip(1).any(short_e)
}

/// `-e`, or short options that include it (`-eu`, `-Eeo`).
fn short_e(word: &str) -> bool {
    word.len() > 1
        && word.starts_with('-')
        && !word.starts_with("--")
        && word[1..].chars().all(|c| c.is_ascii_alphabetic())
        && word.contains('e')
}

/// Whether the failure of the request `node` would stop a `set -e` script
/// at the start of `statement`, the statement a token fetch goes before:
/// the request is the statement, alone or redirected, or the only command
/// of the substitution a plain assignment takes its value from
/// (`ID=$(curl ...)`). Anywhere else (a condition, either side of `&&` or
/// `||`, a pipeline, an argument, a branch, `local ID=$(...)`) its failure
/// is handled or ignored.
pub(super) fn stops_at(node: Node, statement: Node, parents: &Parents) -> bool {
    let mut at = node;
    while at != statement {
        let Some(parent) = parents.parent(at) else {
            return false;
        };
        let passes = match kind_of(parent) {
            "redirected_statement" => child_in(parent, "body") == Some(at),
            "command_substitution" => only_child(parent) == Some(at),
            "string" => kind_of(at) == "command_substitution" && only_child(parent) == Some(at),
            "variable_assignment" => child_in(parent, "value") == Some(at) && parent == statement,
            _ => false,
        };
        if !passes {
            return false;
        }
        at = parent;
    }
    true
}

/// The one named child of `node` that is not text or a comment.
fn only_child(node: Node) -> Option<Node> {
    let mut cursor = node.walk();
    let mut children = node
        .named_children(&mut cursor)
        .filter(|c| !matches!(kind_of(c), "string_content" | "comment"));
    let first = children.next()?;
    children.next().is_none().then_some(first)
}
