//! Imports: which names an `import` brings into scope, so that
//! `S.fromURL` after `import scala.io.{Source => S}` is still
//! `scala.io.Source.fromURL`, and `import Imds._` reaches an object's
//! constants.

use tree_sitter::Node;

use super::kind_of;
use super::scope::{Scopes, Value};
use super::value::normalize;

/// Names that fully qualified imports may bring into scope one by one.
const IMPORTABLE: [&str; 6] = [
    "scala.io.Source",
    "scala.io.Source.fromURL",
    "java.net.URL",
    "java.net.URI",
    "java.net.http.HttpRequest",
    "scala.sys.process.Process",
];

/// Binds the names `import` declaration `node` brings into scope.
pub fn bind(scopes: &mut Scopes, node: Node<'_>, code: &str) {
    let mut cursor = node.walk();
    let path: Vec<&str> = node
        .children_by_field_name("path", &mut cursor)
        .filter(|c| kind_of(c) == "identifier")
        .map(|c| &code[c.byte_range()])
        .collect();
    if path.is_empty() {
        return;
    }
    let prefix = path.join(".");
    let mut cursor = node.walk();
    let tail = node
        .named_children(&mut cursor)
        .find(|c| matches!(kind_of(c), "namespace_wildcard" | "namespace_selectors"));

    match tail {
        None => {
            let (parent, name) = prefix.rsplit_once('.').unwrap_or(("", prefix.as_str()));
            import_one(scopes, parent, name, name);
        }
        Some(wildcard) if kind_of(wildcard) == "namespace_wildcard" => {
            import_all(scopes, &prefix);
        }
        Some(selectors) => {
            let mut cursor = selectors.walk();
            for selector in selectors.named_children(&mut cursor) {
                match kind_of(selector) {
                    "identifier" => {
                        let name = &code[selector.byte_range()];
                        import_one(scopes, &prefix, name, name);
                    }
                    "arrow_renamed_identifier" | "as_renamed_identifier" => {
                        let field = |f| {
                            selector
                                .child_by_field_name(f)
                                .map(|n| &code[n.byte_range()])
                        };
                        if let (Some(name), Some(alias)) = (field("name"), field("alias")) {
                            if alias != "_" {
                                import_one(scopes, &prefix, name, alias);
                            }
                        }
                    }
                    "namespace_wildcard" => import_all(scopes, &prefix),
                    _ => {}
                }
            }
        }
    }
}

/// `import parent.name` (as `alias`): an object member's value, or an
/// alias for the qualified name.
fn import_one(scopes: &mut Scopes, parent: &str, name: &str, alias: &str) {
    let qualified = if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    };
    let value = match scopes.lookup(&qualified) {
        Some(value) => value.clone(),
        None => Value::Alias(normalize(&qualified)),
    };
    scopes.bind(alias, value);
}

/// `import parent._`: the known names and object members under it.
fn import_all(scopes: &mut Scopes, parent: &str) {
    let parent_normal = normalize(parent);
    for known in IMPORTABLE {
        if known
            .rsplit_once('.')
            .is_some_and(|(p, _)| p == parent_normal)
        {
            let name = known.rsplit('.').next().unwrap_or(known);
            scopes.bind(name, Value::Alias(known.to_owned()));
        }
    }
    let prefix = format!("{parent}.");
    for (member, value) in scopes.with_prefix(&prefix) {
        let name = &member[prefix.len()..];
        if !name.contains('.') {
            scopes.bind(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scala::scope::Globals;
    use crate::text::Text;
    use imds_lint_parser::{syntax, Lang};

    fn scopes_after(code: &str, before: &[(&str, Value)]) -> Scopes {
        let tree = syntax::parse(Lang::Scala, code).unwrap_or_else(|| panic!("no tree"));
        let mut scopes = Scopes::new(&Globals::new());
        for (name, value) in before {
            scopes.bind(*name, value.clone());
        }
        let root = tree.root_node();
        let mut cursor = root.walk();
        for node in root.named_children(&mut cursor) {
            bind(&mut scopes, node, code);
        }
        scopes
    }

    fn alias(name: &str) -> Value {
        Value::Alias(name.to_owned())
    }

    #[test]
    fn single_renamed_and_wildcard_imports() {
        let scopes = scopes_after(
            "import io.Source\nimport java.net.{URL => JUrl, URI}\nimport scala.sys.process._\n",
            &[],
        );
        assert_eq!(scopes.lookup("Source"), Some(&alias("scala.io.Source")));
        assert_eq!(scopes.lookup("JUrl"), Some(&alias("java.net.URL")));
        assert_eq!(scopes.lookup("URI"), Some(&alias("java.net.URI")));
        assert_eq!(
            scopes.lookup("Process"),
            Some(&alias("scala.sys.process.Process"))
        );
        assert_eq!(scopes.lookup("URL"), None);
    }

    #[test]
    fn hidden_names_and_object_members() {
        let base = Value::Text(Text::lit("http://h"));
        let scopes = scopes_after(
            "import scala.io.{Source => _}\nimport Imds._\n",
            &[("Imds.Base", base.clone()), ("Imds.Inner.X", base.clone())],
        );
        assert_eq!(scopes.lookup("Source"), None);
        assert_eq!(scopes.lookup("_"), None);
        assert_eq!(scopes.lookup("Base"), Some(&base));
        assert_eq!(scopes.lookup("Inner.X"), None);
    }
}
