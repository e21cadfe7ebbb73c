//! The Python call and binding shapes of `grammars/python.scm`, compiled
//! once, and matched at the nodes a cell's walk visits.

use std::sync::OnceLock;

use imds_lint_parser::pattern::{self, NodeMatcher, Patterns};
use tree_sitter::Node;

/// The query text, kept with the other grammars' queries.
const SOURCE: &str = include_str!("../../../../grammars/python.scm");

/// What a pattern of the query matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// `import ...` or `from ... import ...`.
    Import,
    /// `name = value`, `(name := value)`, `with value as name`.
    Assign,
    /// `a, b = value`.
    Unpack,
    /// `container[key] = value`.
    StoreItem,
    /// `object.attribute = value`.
    StoreAttribute,
    /// `name += value`.
    Augment,
    /// Names bound to values the analyser cannot know (loops, `-=`).
    Forget,
    /// `global name`.
    Global,
    /// A call, `receiver.method(...)` or `name(...)`.
    Call,
}

/// One match, with the parts its pattern captured.
#[derive(Debug, Clone, Copy)]
pub(super) struct Match<'t> {
    /// The shape.
    pub shape: Shape,
    /// The node the whole pattern matched.
    pub node: Node<'t>,
    /// `@target`: one name being bound.
    pub target: Option<Node<'t>>,
    /// `@targets`: a pattern of names being bound.
    pub targets: Option<Node<'t>>,
    /// `@value`: the value bound or stored.
    pub value: Option<Node<'t>>,
    /// `@container` of an item store.
    pub container: Option<Node<'t>>,
    /// `@key` of an item store.
    pub key: Option<Node<'t>>,
    /// `@object` of an attribute store.
    pub object: Option<Node<'t>>,
    /// `@attribute` of an attribute store.
    pub attribute: Option<Node<'t>>,
    /// `@receiver` of a method call.
    pub receiver: Option<Node<'t>>,
    /// `@method` of a method call.
    pub method: Option<Node<'t>>,
    /// `@function` of a plain call.
    pub function: Option<Node<'t>>,
    /// `@arguments` of a call.
    pub arguments: Option<Node<'t>>,
}

impl<'t> Match<'t> {
    fn new(shape: Shape, node: Node<'t>) -> Self {
        Match {
            shape,
            node,
            target: None,
            targets: None,
            value: None,
            container: None,
            key: None,
            object: None,
            attribute: None,
            receiver: None,
            method: None,
            function: None,
            arguments: None,
        }
    }
}

/// The compiled shapes, read on first use; `None` only if the grammar and
/// the file disagree, which the tests catch.
fn patterns() -> Option<&'static Patterns> {
    static PATTERNS: OnceLock<Option<Patterns>> = OnceLock::new();
    PATTERNS
        .get_or_init(|| {
            let language = imds_lint_parser::syntax::language(imds_lint_parser::Lang::Python)?;
            match Patterns::new(&language, SOURCE) {
                Ok(patterns) => Some(patterns),
                Err(err) => {
                    log::error!("grammars/python.scm: {err}");
                    None
                }
            }
        })
        .as_ref()
}

fn shape_of(capture: &str) -> Option<Shape> {
    Some(match capture {
        "import" => Shape::Import,
        "assign" => Shape::Assign,
        "unpack" => Shape::Unpack,
        "store_item" => Shape::StoreItem,
        "store_attribute" => Shape::StoreAttribute,
        "augment" => Shape::Augment,
        "forget" => Shape::Forget,
        "global" => Shape::Global,
        "call" => Shape::Call,
        _ => return None,
    })
}

/// The shapes at the nodes of one tree, matched as a walk reaches each
/// node: the walk that acts on them visits every node anyway.
pub(super) struct Shapes<'t> {
    matcher: Option<NodeMatcher<'static, 't>>,
    found: Vec<pattern::Match<'t>>,
}

impl<'t> Shapes<'t> {
    pub(super) fn new() -> Self {
        Shapes {
            matcher: patterns().map(Patterns::matcher),
            found: Vec::new(),
        }
    }

    /// The shapes whose pattern matched `node` itself, in the order of
    /// the query file. `code` is the text the tree was parsed from.
    pub(super) fn at(&mut self, node: Node<'t>, code: &str) -> Vec<Match<'t>> {
        let (Some(matcher), Some(patterns)) = (&mut self.matcher, patterns()) else {
            return Vec::new();
        };
        self.found.clear();
        matcher.matches_at(node, code, &mut self.found);
        let names = patterns.capture_names();
        self.found
            .iter()
            .filter_map(|m| shape_match(m, names))
            .collect()
    }
}

/// A pattern's match as the walk uses it: the shape its captures name,
/// and the parts they captured.
fn shape_match<'t>(m: &pattern::Match<'t>, names: &[String]) -> Option<Match<'t>> {
    let (shape, node) = m.captures.iter().find_map(|c| {
        let shape = shape_of(&names[c.index as usize])?;
        Some((shape, c.node))
    })?;
    let mut item = Match::new(shape, node);
    for capture in &m.captures {
        let slot = match names[capture.index as usize].as_str() {
            "target" => &mut item.target,
            "targets" => &mut item.targets,
            "value" => &mut item.value,
            "container" => &mut item.container,
            "key" => &mut item.key,
            "object" => &mut item.object,
            "attribute" => &mut item.attribute,
            "receiver" => &mut item.receiver,
            "method" => &mut item.method,
            "function" => &mut item.function,
            "arguments" => &mut item.arguments,
            _ => continue,
        };
        *slot = Some(capture.node);
    }
    Some(item)
}

#[cfg(test)]
mod tests {
    use super::*;
    use imds_lint_parser::{syntax, Lang};

    fn shapes(code: &str) -> Vec<Shape> {
        let tree = syntax::parse(Lang::Python, code).unwrap_or_else(|| panic!("no tree"));
        let mut shapes = Shapes::new();
        let mut all: Vec<(usize, usize, Shape)> = syntax::preorder(tree.root_node())
            .flat_map(|node| shapes.at(node, code))
            .map(|m| (m.node.start_byte(), m.node.end_byte(), m.shape))
            .collect();
        // Outer nodes first, as the walk visits them.
        all.sort_by_key(|(start, end, _)| (*start, usize::MAX - end));
        all.into_iter().map(|(_, _, s)| s).collect()
    }

    #[test]
    fn the_patterns_compile() {
        assert!(patterns().is_some());
    }

    #[test]
    fn each_shape_is_matched() {
        assert_eq!(shapes("import requests"), [Shape::Import]);
        assert_eq!(shapes("from a import b"), [Shape::Import]);
        assert_eq!(shapes("x = 'a'"), [Shape::Assign]);
        assert_eq!(shapes("a, b = c"), [Shape::Unpack]);
        assert_eq!(shapes("h['k'] = v"), [Shape::StoreItem]);
        assert_eq!(shapes("s.headers = v"), [Shape::StoreAttribute]);
        assert_eq!(shapes("x += 'a'"), [Shape::Augment]);
        assert_eq!(shapes("x -= 1"), [Shape::Forget]);
        assert_eq!(shapes("for x in y: pass"), [Shape::Forget]);
        assert_eq!(
            shapes("try:\n    pass\nexcept E as x:\n    pass\n"),
            [Shape::Forget]
        );
        assert_eq!(
            shapes("match p:\n    case x:\n        pass\n"),
            [Shape::Forget]
        );
        assert_eq!(shapes("global x"), [Shape::Global]);
        assert_eq!(shapes("with f() as x: pass"), [Shape::Assign, Shape::Call]);
        assert_eq!(shapes("requests.get(u)"), [Shape::Call]);
        assert_eq!(shapes("get(u)"), [Shape::Call]);
        assert!(shapes("print").is_empty());
    }
}
