//! The request call shapes of `grammars/scala.scm`, compiled once, and the
//! matches of one cell, indexed by the node where the walk meets them.

use std::sync::OnceLock;

use imds_lint_parser::pattern::Patterns;
use tree_sitter::{Node, Tree};

use crate::node_map::NodeMap;

/// The query source, kept next to the other languages' shapes.
const SOURCE: &str = include_str!("../../../../grammars/scala.scm");

/// Which shape a match is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShapeKind {
    /// `Source.fromURL(url)`.
    FromUrl,
    /// `url.openStream()` or `url.openConnection()`.
    Open,
    /// `conn.setRequestProperty(...)`, `conn.setRequestMethod(...)`.
    ConnectionSetting,
    /// `HttpRequest.newBuilder(...)`.
    NewBuilder,
    /// `builder.header(...)` on a builder held in a val.
    BuilderStep,
    /// `cmd.!!` and the other ways to run a `sys.process` command.
    ProcessRun,
    /// `cmd !` read by the grammar as an infix expression.
    ProcessRunInfix,
    /// `dbutils.fs.put(path, contents, overwrite)`.
    WriteFile,
}

impl ShapeKind {
    fn from_capture(name: &str) -> Option<ShapeKind> {
        Some(match name {
            "from_url" => ShapeKind::FromUrl,
            "open" => ShapeKind::Open,
            "connection_setting" => ShapeKind::ConnectionSetting,
            "new_builder" => ShapeKind::NewBuilder,
            "builder_step" => ShapeKind::BuilderStep,
            "process_run" => ShapeKind::ProcessRun,
            "process_run_infix" => ShapeKind::ProcessRunInfix,
            "write_file" => ShapeKind::WriteFile,
            _ => return None,
        })
    }
}

/// One match of a shape.
#[derive(Debug, Clone)]
pub struct Shape<'tree> {
    /// Which shape.
    pub kind: ShapeKind,
    /// The node the shape's outer capture names.
    pub node: Node<'tree>,
    captures: Vec<(&'static str, Node<'tree>)>,
}

impl<'tree> Shape<'tree> {
    /// The node captured as `name` (without `@`).
    pub fn capture(&self, name: &str) -> Option<Node<'tree>> {
        self.captures
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, node)| *node)
    }
}

/// The compiled shapes, read on first use (a run that meets no Scala
/// never reads them); `None` only if the grammar and the file disagree,
/// which the tests catch.
fn patterns() -> Option<&'static Patterns> {
    static PATTERNS: OnceLock<Option<Patterns>> = OnceLock::new();
    PATTERNS
        .get_or_init(|| {
            let language = imds_lint_parser::syntax::language(imds_lint_parser::Lang::Scala)?;
            match Patterns::new(&language, SOURCE) {
                Ok(patterns) => Some(patterns),
                Err(error) => {
                    log::error!("grammars/scala.scm: {error}");
                    None
                }
            }
        })
        .as_ref()
}

/// Every shape in `tree`, by the id of its outer node.
pub fn find<'tree>(tree: &'tree Tree, code: &str) -> NodeMap<Vec<Shape<'tree>>> {
    let mut shapes: NodeMap<Vec<Shape<'tree>>> = NodeMap::default();
    let Some(patterns) = patterns() else {
        return shapes;
    };
    let names: &'static [String] = patterns.capture_names();

    for m in patterns.matches(tree.root_node(), code) {
        let captures: Vec<(&'static str, Node<'tree>)> = m
            .captures
            .iter()
            .map(|c| (names[c.index as usize].as_str(), c.node))
            .collect();
        let outer = captures
            .iter()
            .find_map(|(name, node)| ShapeKind::from_capture(name).map(|kind| (kind, *node)));
        if let Some((kind, node)) = outer {
            shapes.entry(node.id()).or_default().push(Shape {
                kind,
                node,
                captures,
            });
        }
    }
    shapes
}

#[cfg(test)]
mod tests {
    use super::*;
    use imds_lint_parser::{syntax, Lang};

    fn kinds(code: &str) -> Vec<(ShapeKind, String)> {
        let tree = syntax::parse(Lang::Scala, code).unwrap_or_else(|| panic!("no tree"));
        let mut found: Vec<(usize, ShapeKind, String)> = find(&tree, code)
            .into_values()
            .flatten()
            .map(|s| {
                (
                    s.node.start_byte(),
                    s.kind,
                    code[s.node.byte_range()].to_owned(),
                )
            })
            .collect();
        found.sort_by_key(|(start, kind, _)| (*start, *kind as u8));
        found.into_iter().map(|(_, k, t)| (k, t)).collect()
    }

    #[test]
    fn the_patterns_compile() {
        assert!(patterns().is_some());
    }

    #[test]
    fn finds_each_shape() {
        let code = "Source.fromURL(u)\nfromURL(u)\nnew URL(u).openStream()\n\
                    c.setRequestMethod(\"PUT\")\nHttpRequest.newBuilder()\nb.header(\"a\", \"b\")\n\
                    \"curl x\".!!\n";
        let found: Vec<ShapeKind> = kinds(code).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            found,
            [
                ShapeKind::FromUrl,
                ShapeKind::FromUrl,
                ShapeKind::Open,
                ShapeKind::ConnectionSetting,
                ShapeKind::NewBuilder,
                ShapeKind::BuilderStep,
                ShapeKind::ProcessRun,
            ]
        );
    }

    #[test]
    fn other_calls_are_no_shape() {
        assert!(kinds("println(url)\nSource.fromFile(p)\nxs.map(f)\n\"a\".trim\n").is_empty());
    }
}
