//! The quote a fix writes its strings in. A request may sit in an
//! f-string's replacement field (`f"id={requests.get(url).text}"`), and
//! before Python 3.12 (Databricks Runtime 13 to 15 run 3.10 and 3.11) the
//! f-string's own quote ends it there: inserted strings take another.

use super::kind_of;
use tree_sitter::Node;

/// The quote for strings a fix inserts in `node`: `"` unless an
/// enclosing f-string ends at it, else `'`; `None` when both would end
/// one (an f-string inside another, each with its own quote).
pub(super) fn for_insertion(node: Node, code: &str) -> Option<char> {
    let enclosing = enclosing_quotes(node, code);
    // A quote no enclosing string uses is best; one only triple-quoted
    // strings use is safe too, as the strings a fix writes are never
    // empty nor next to another quote, so never make three in a row.
    let unused = |q: char| enclosing.iter().all(|(c, _)| *c != q);
    let lone_only = |q: char| enclosing.iter().all(|(c, triple)| *c != q || *triple);
    ['"', '\'']
        .into_iter()
        .find(|q| unused(*q))
        .or_else(|| ['"', '\''].into_iter().find(|q| lone_only(*q)))
}

/// Why a fix in an f-string is withheld when [`for_insertion`] finds no
/// quote.
pub(super) fn no_quote_help(header: &str) -> String {
    format!(
        "the request is inside f-strings that use both quotes, where Python before 3.12 \
         cannot take a string: move the request out of the f-string and send the token in \
         the `{header}` header"
    )
}

/// `text` as a string literal in `quote`; `text` holds no quote or
/// backslash.
pub(super) fn quoted(text: &str, quote: char) -> String {
    format!("{quote}{text}{quote}")
}

/// The quote character of each string enclosing `node`, and whether the
/// string is triple-quoted.
fn enclosing_quotes(node: Node, code: &str) -> Vec<(char, bool)> {
    let mut quotes = Vec::new();
    let mut at = node.parent();
    while let Some(parent) = at {
        if kind_of(parent) == "string" {
            let start = parent
                .child(0)
                .filter(|c| kind_of(c) == "string_start")
                .map_or("", |c| &code[c.byte_range()]);
            let delimiter = start.trim_start_matches(|c: char| c.is_ascii_alphabetic());
            if let Some(quote) = delimiter.chars().next() {
                quotes.push((quote, delimiter.len() == 3));
            }
        }
        at = parent.parent();
    }
    quotes
}

#[cfg(test)]
mod tests {
    use super::*;
    use imds_lint_parser::{syntax, Lang};

    /// The quote for an insertion in the call `get(u)` of `code`.
    fn quote_in(code: &str) -> Option<char> {
        let tree = syntax::parse(Lang::Python, code).unwrap_or_else(|| panic!("{code}"));
        let at = code.find("get(u)").unwrap_or_else(|| panic!("{code}"));
        let call = tree
            .root_node()
            .descendant_for_byte_range(at, at + "get(u)".len())
            .unwrap_or_else(|| panic!("{code}"));
        assert_eq!(kind_of(call), "call", "{code}");
        for_insertion(call, code)
    }

    #[test]
    fn each_enclosing_f_string_rules_out_its_own_quote() {
        assert_eq!(quote_in("x = get(u)\n"), Some('"'));
        assert_eq!(quote_in("x = f\"{get(u)}\"\n"), Some('\''));
        assert_eq!(quote_in("x = rf'{get(u)}'\n"), Some('"'));
        assert_eq!(quote_in("x = f\"\"\"{get(u)}\"\"\"\n"), Some('\''));
        assert_eq!(quote_in("x = f'''{f\"{get(u)}\"}'''\n"), Some('\''));
        assert_eq!(quote_in("x = f\"{f'{get(u)}'}\"\n"), None);
    }
}
