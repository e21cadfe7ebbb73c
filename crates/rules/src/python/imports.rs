//! Import aliases: which module or function a local name stands for, so
//! that `r.get`, `get` and `requests.get` all resolve to `requests.get`.

use std::collections::HashMap;

use super::{child_in, kind_of};
use tree_sitter::Node;

/// Local names bound by `import` statements, to canonical dotted names.
#[derive(Debug, Clone, Default)]
pub(super) struct Imports {
    names: HashMap<String, String>,
    /// Modules imported with `from module import *`.
    star: Vec<String>,
    /// Dotted modules loaded by `import a.b` (reachable as `a.b`).
    loaded: Vec<String>,
    /// `from module import ...` statements, where a fix can add a name.
    from_statements: Vec<FromImport>,
}

/// A `from module import a, b` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FromImport {
    /// The module.
    pub module: String,
    /// The cell it is in.
    pub cell: usize,
    /// The end of its last imported name: `, Name` goes there.
    pub after_last: usize,
}

/// Packages' submodules that fixes name: `import urllib` does not load
/// `urllib.request`.
const SUBMODULES: &[&str] = &["urllib.request", "http.client", "urllib.parse", "os.path"];

/// Names a star import could bring in that the analyser cares about.
const STAR_NAMES: &[&str] = &[
    "get",
    "post",
    "put",
    "head",
    "delete",
    "patch",
    "request",
    "Session",
    "session",
    "urlopen",
    "Request",
    "HTTPConnection",
    "HTTPSConnection",
    "Client",
    "AsyncClient",
    "ClientSession",
    "PoolManager",
    "urljoin",
    "get_instance_metadata",
    "get_instance_identity",
    "get_instance_userdata",
    "run",
    "call",
    "check_call",
    "check_output",
    "Popen",
    "getoutput",
    "getstatusoutput",
    "system",
    "popen",
];

impl Imports {
    /// Records the names an `import_statement` or `import_from_statement`
    /// binds; returns them, so that variables of the same name are dropped.
    pub(super) fn record(&mut self, node: Node, code: &str, cell: usize) -> Vec<String> {
        let mut bound = Vec::new();
        let text = |n: Node| code[n.byte_range()].to_owned();
        let mut cursor = node.walk();
        if kind_of(node) == "import_statement" {
            for name in node.children_by_field_name("name", &mut cursor) {
                if kind_of(name) == "aliased_import" {
                    let (Some(module), Some(alias)) =
                        (child_in(name, "name"), child_in(name, "alias"))
                    else {
                        continue;
                    };
                    bound.push(self.bind(text(alias), dotted_text(module, code)));
                } else {
                    // `import urllib.request` binds `urllib`.
                    let full = dotted_text(name, code);
                    let head = full.split('.').next().unwrap_or_default().to_owned();
                    self.loaded.push(full);
                    bound.push(self.bind(head.clone(), head));
                }
            }
            return bound;
        }

        let Some(module) = child_in(node, "module_name") else {
            return bound;
        };
        if kind_of(module) != "dotted_name" {
            // Relative imports name the project's own modules.
            return bound;
        }
        let module = dotted_text(module, code);
        let mut names = node.walk();
        if node
            .named_children(&mut names)
            .any(|child| kind_of(child) == "wildcard_import")
        {
            self.star.push(module.clone());
        }
        let mut last = None;
        for name in node.children_by_field_name("name", &mut cursor) {
            last = Some(name.end_byte());
            let (imported, local) = if kind_of(name) == "aliased_import" {
                let (Some(imported), Some(alias)) =
                    (child_in(name, "name"), child_in(name, "alias"))
                else {
                    continue;
                };
                (dotted_text(imported, code), text(alias))
            } else {
                let imported = dotted_text(name, code);
                (imported.clone(), imported)
            };
            bound.push(self.bind(local, format!("{module}.{imported}")));
        }
        if let Some(after_last) = last {
            self.from_statements.push(FromImport {
                module,
                cell,
                after_last,
            });
        }
        bound
    }

    /// How code can name the module or object `canonical` as imported:
    /// an alias bound to it, its dotted path when it is a submodule that
    /// was loaded (`urllib.request` after `import urllib.request`), or an
    /// attribute of its module's reference (`ur.Request`).
    pub(super) fn reference(&self, canonical: &str) -> Option<String> {
        let mut aliases: Vec<&String> = self
            .names
            .iter()
            .filter(|(_, c)| c.as_str() == canonical)
            .map(|(local, _)| local)
            .collect();
        aliases.sort();
        if let Some(alias) = aliases.first() {
            return Some((*alias).clone());
        }
        let (parent, last) = canonical.rsplit_once('.')?;
        if SUBMODULES.contains(&canonical) {
            let head = canonical.split('.').next()?;
            let loaded = self
                .loaded
                .iter()
                .any(|m| m == canonical || m.starts_with(&format!("{canonical}.")));
            let head_bound = self.names.get(head).is_some_and(|c| c == head);
            return (loaded && head_bound).then(|| canonical.to_owned());
        }
        self.reference(parent)
            .map(|parent| format!("{parent}.{last}"))
    }

    /// The last `from module import ...` statement of `cell`.
    pub(super) fn statement_importing_from(
        &self,
        module: &str,
        cell: usize,
    ) -> Option<&FromImport> {
        self.from_statements
            .iter()
            .rev()
            .find(|f| f.module == module && f.cell == cell)
    }

    fn bind(&mut self, local: String, canonical: String) -> String {
        self.names.insert(local.clone(), canonical);
        local
    }

    /// Makes `local` another name for `canonical` (`http_lib = requests`).
    pub(super) fn alias(&mut self, local: &str, canonical: String) {
        self.names.insert(local.to_owned(), canonical);
    }

    /// Drops `name`: it was rebound to a value.
    pub(super) fn forget(&mut self, name: &str) {
        self.names.remove(name);
    }

    /// The canonical dotted name `name` stands for, if an import bound it.
    pub(super) fn resolve(&self, name: &str) -> Option<String> {
        if let Some(canonical) = self.names.get(name) {
            return Some(canonical.clone());
        }
        if STAR_NAMES.contains(&name) {
            return self.star.last().map(|module| format!("{module}.{name}"));
        }
        None
    }
}

/// `a.b.c` of a `dotted_name` node, without the spaces Python allows.
fn dotted_text(node: Node, code: &str) -> String {
    code[node.byte_range()]
        .split('.')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(".")
}

/// The parts of a name or attribute chain (`a.b.c` gives `[a, b, c]`),
/// or `None` when the chain starts at something else (a call, a string).
pub(super) fn chain<'c>(node: Node, code: &'c str) -> Option<Vec<&'c str>> {
    let mut parts = Vec::new();
    let mut at = node;
    loop {
        match kind_of(at) {
            "identifier" => {
                parts.push(&code[at.byte_range()]);
                parts.reverse();
                return Some(parts);
            }
            "attribute" => {
                parts.push(&code[child_in(at, "attribute")?.byte_range()]);
                at = child_in(at, "object")?;
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use imds_lint_parser::{syntax, Lang};

    fn imports(code: &str) -> Imports {
        let tree = syntax::parse(Lang::Python, code).unwrap_or_else(|| panic!("no tree"));
        let mut imports = Imports::default();
        let root = tree.root_node();
        let mut cursor = root.walk();
        for statement in root.named_children(&mut cursor) {
            imports.record(statement, code, 0);
        }
        imports
    }

    #[test]
    fn aliases_resolve_to_canonical_names() {
        let i = imports(
            "import requests as r\nfrom urllib.request import urlopen as uo, Request\n\
             import urllib.request as ur\nimport http.client\nfrom boto.utils import get_instance_metadata\n",
        );
        assert_eq!(i.resolve("r").as_deref(), Some("requests"));
        assert_eq!(i.resolve("uo").as_deref(), Some("urllib.request.urlopen"));
        assert_eq!(
            i.resolve("Request").as_deref(),
            Some("urllib.request.Request")
        );
        assert_eq!(i.resolve("ur").as_deref(), Some("urllib.request"));
        assert_eq!(i.resolve("http").as_deref(), Some("http"));
        assert_eq!(
            i.resolve("get_instance_metadata").as_deref(),
            Some("boto.utils.get_instance_metadata")
        );
        assert_eq!(i.resolve("urlopen"), None);
    }

    #[test]
    fn references_for_fixes() {
        let code = "import requests as r\nimport urllib.request\nfrom http import client\n\
                    import httpx\nfrom urllib.request import urlopen\n";
        let i = imports(code);
        assert_eq!(i.reference("requests").as_deref(), Some("r"));
        assert_eq!(
            i.reference("urllib.request").as_deref(),
            Some("urllib.request")
        );
        assert_eq!(
            i.reference("urllib.request.Request").as_deref(),
            Some("urllib.request.Request")
        );
        assert_eq!(
            i.reference("urllib.request.urlopen").as_deref(),
            Some("urlopen")
        );
        assert_eq!(i.reference("http.client").as_deref(), Some("client"));
        assert_eq!(i.reference("httpx").as_deref(), Some("httpx"));
        assert_eq!(i.reference("urllib3"), None);
        assert_eq!(
            i.statement_importing_from("urllib.request", 0)
                .map(|f| f.after_last),
            code.find("urlopen\n").map(|at| at + 7)
        );
        let plain = imports("import urllib\n");
        assert_eq!(plain.reference("urllib.request"), None);
    }

    #[test]
    fn relative_and_star_imports() {
        let i = imports("from . import requests\nfrom requests import *\n");
        assert_eq!(i.resolve("requests"), None);
        assert_eq!(i.resolve("get").as_deref(), Some("requests.get"));
        assert_eq!(i.resolve("display"), None);
    }

    #[test]
    fn forgetting_a_rebound_name() {
        let mut i = imports("from requests import get\n");
        i.forget("get");
        assert_eq!(i.resolve("get"), None);
    }

    #[test]
    fn chains_of_names() {
        let code = "a.b.c(x)\nf().g\n";
        let tree = syntax::parse(Lang::Python, code).unwrap_or_else(|| panic!("no tree"));
        let call = tree.root_node().child(0).and_then(|s| s.child(0));
        let callee = call.and_then(|c| child_in(c, "function"));
        assert_eq!(
            callee.and_then(|c| chain(c, code)),
            Some(vec!["a", "b", "c"])
        );
        let attr = tree.root_node().child(1).and_then(|s| s.child(0));
        assert_eq!(attr.and_then(|a| chain(a, code)), None);
    }
}
