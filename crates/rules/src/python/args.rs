//! The arguments of a Python call, by position and by keyword.

use super::{child_in, kind_of};
use tree_sitter::Node;

/// A call's arguments as written.
#[derive(Debug, Clone, Default)]
pub(super) struct Args<'t, 'c> {
    /// Positional arguments, in order (up to the first `*args`).
    pub positional: Vec<Node<'t>>,
    /// Keyword arguments, `name=value`.
    pub keywords: Vec<(&'c str, Node<'t>)>,
    /// `*args` after the positional ones: later positions are unknown.
    pub list_splat: bool,
    /// `**kwargs` values: keywords the analyser cannot see may be there.
    pub dict_splats: Vec<Node<'t>>,
}

impl<'t, 'c> Args<'t, 'c> {
    /// Reads an `argument_list` node.
    pub(super) fn of(arguments: Node<'t>, code: &'c str) -> Self {
        let mut args = Args::default();
        let mut cursor = arguments.walk();
        for child in arguments.named_children(&mut cursor) {
            match kind_of(child) {
                "comment" => {}
                "keyword_argument" => {
                    if let (Some(name), Some(value)) =
                        (child_in(child, "name"), child_in(child, "value"))
                    {
                        args.keywords.push((&code[name.byte_range()], value));
                    }
                }
                "list_splat" => args.list_splat = true,
                "dictionary_splat" => args.dict_splats.extend(child.named_child(0)),
                _ if args.list_splat => {}
                _ => args.positional.push(child),
            }
        }
        args
    }

    /// The keyword argument `name`.
    pub(super) fn keyword(&self, name: &str) -> Option<Node<'t>> {
        self.keywords
            .iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
    }

    /// The argument at `index`, or else the keyword `name`.
    pub(super) fn get(&self, index: usize, name: &str) -> Option<Node<'t>> {
        self.positional
            .get(index)
            .copied()
            .or_else(|| self.keyword(name))
    }

    /// Whether arguments the analyser cannot see may be passed.
    pub(super) fn has_splat(&self) -> bool {
        self.list_splat || !self.dict_splats.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use imds_lint_parser::{syntax, Lang};

    #[test]
    fn positional_keyword_and_splats() {
        let code = "f(a, b, c=d, *e, **g)";
        let tree = syntax::parse(Lang::Python, code).unwrap_or_else(|| panic!("no tree"));
        let call = tree.root_node().child(0).and_then(|s| s.child(0));
        let arguments = call.and_then(|c| child_in(c, "arguments"));
        let args = Args::of(arguments.unwrap_or_else(|| panic!("no args")), code);
        let text = |n: Option<Node>| n.map(|n| &code[n.byte_range()]);
        assert_eq!(args.positional.len(), 2);
        assert_eq!(text(args.get(1, "x")), Some("b"));
        assert_eq!(text(args.get(5, "c")), Some("d"));
        assert_eq!(text(args.get(5, "z")), None);
        assert!(args.list_splat);
        assert_eq!(args.dict_splats.len(), 1);
        assert!(args.has_splat());
    }
}
