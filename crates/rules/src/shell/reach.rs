//! Where a variable the code fetched a token into is set for sure, so
//! that a fix may send it instead of fetching another.
//!
//! A token is reused only where its assignment has run on every path to
//! the request, in the same shell process, within the token's lifetime:
//! the assignment is a statement of a list (the code, a block, a branch,
//! a loop body or condition; or the first command of an `&&`/`||` chain),
//! and the request is in a later statement of that same list. An
//! assignment in a branch not taken, in a subshell `( )`, in the
//! background `&`, in a pipeline stage or after `&&` does not set the
//! variable at a request after it; one made before a loop has perhaps
//! expired in the loop's later iterations, and one made outside a
//! function body before the function is called (from a loop, a trap, an
//! hour later).
//!
//! Nor is a token reused where the variable may have been given another
//! value since (see [`rebind`](super::rebind)): between the assignment and the request,
//! in a later pass of a loop around the request, or in another function,
//! which may run at any time.

use tree_sitter::Node;

use super::fix::Route;
use super::kind_of;
use super::rebind::Rebindings;
use super::scope;
use super::tree::Parents;

/// A variable assigned from a correct token request.
#[derive(Debug, Clone)]
pub(super) struct TokenVar {
    /// The variable.
    pub name: String,
    /// The piece of code it is assigned in.
    pub code: usize,
    /// The list whose later statements see it (a node id of that code's
    /// tree).
    pub list: usize,
    /// Start of the assignment, in that code's offsets.
    pub at: usize,
    /// End of the statement that assigns it, in that code's offsets.
    pub end: usize,
    /// The innermost function whose body holds the assignment (its node
    /// id).
    pub function: Option<usize>,
    /// The options that decide where the token request goes, when the
    /// code shows them: a request that goes another way does not send
    /// this token, which may be empty.
    pub route: Option<Route>,
}

/// The list node the assignment `assignment` sets its variable for, and
/// the end of the statement of that list it is in; `None` when it is not
/// sure to run before the list's later statements, in this process.
pub(super) fn assigned_for(assignment: Node, parents: &Parents) -> Option<(usize, usize)> {
    let mut statement = assignment;
    // `local TOKEN=$(...)`, `TOKEN=$(...) || exit 1`: the statement runs
    // the assignment first.
    loop {
        let parent = parents.parent(statement)?;
        let first = parent.named_child(0) == Some(statement);
        match kind_of(parent) {
            "declaration_command" => statement = parent,
            "list" if first => statement = parent,
            _ => break,
        }
    }
    let list = parents.parent(statement)?;
    let is_list = matches!(
        kind_of(list),
        "program"
            | "compound_statement"
            | "subshell"
            | "do_group"
            | "if_statement"
            | "elif_clause"
            | "else_clause"
            | "case_item"
            | "while_statement"
    );
    let background = statement.next_sibling().is_some_and(|s| kind_of(s) == "&");
    (is_list && !background).then(|| (list.id(), statement.end_byte()))
}

/// The last of `tokens` (in the order they are written) that is set at
/// the request `node` of code `code`, whose `rebindings` are given.
pub(super) fn token_at<'v, 'r>(
    node: Node,
    code: usize,
    parents: &Parents,
    tokens: &'v [TokenVar],
    rebindings: impl Fn() -> &'r Rebindings,
    polls: scope::Polls,
) -> Option<&'v TokenVar> {
    tokens.iter().rev().filter(|t| t.code == code).find(|t| {
        is_set_at(t, node, parents, polls).is_some_and(|until| !rebound(t, until, rebindings()))
    })
}

/// Whether `token` is set at `node`: `node` is in a later statement of the
/// token's list, and no loop or function body lies between them. If so,
/// the end of what may run between the assignment and the request: the
/// request, or the loop around it whose later passes run after it.
fn is_set_at(
    token: &TokenVar,
    node: Node,
    parents: &Parents,
    polls: scope::Polls,
) -> Option<usize> {
    let mut until = node.start_byte();
    let mut child = node;
    while let Some(parent) = parents.parent(child) {
        if parent.id() == token.list {
            // Branches after `then`'s statements are other paths.
            let branch = matches!(kind_of(child), "elif_clause" | "else_clause");
            return (child.start_byte() >= token.end && !branch).then_some(until);
        }
        if scope::repeats(parent, child, polls) || kind_of(parent) == "function_definition" {
            return None;
        }
        if matches!(
            kind_of(parent),
            "for_statement" | "c_style_for_statement" | "while_statement"
        ) {
            until = parent.end_byte();
        }
        child = parent;
    }
    None
}

/// Whether `token`'s variable may be rebound between its assignment and
/// `until` in the same function, or at any time by another function
/// (unless only for that function, with `local`).
fn rebound(token: &TokenVar, until: usize, rebindings: &Rebindings) -> bool {
    rebindings.of(&token.name).any(|r| {
        if r.function == token.function {
            token.at < r.start && r.start < until
        } else {
            r.function.is_some() && !r.local
        }
    })
}
