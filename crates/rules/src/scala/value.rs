//! Constant folding for Scala expressions: what string, URL or command an
//! expression stands for, given the names in scope.

use std::rc::Rc;

use tree_sitter::Node;

use super::literal::{self, Part, PartKind};
use super::process;
use super::returns::Def;
use super::scope::{Scopes, Value};
use super::{child_in, kind_of};
use crate::node_map::NodeMap;
use crate::text::{Piece, Text};

/// Nesting beyond which an expression is taken as unknown, so that deep
/// input cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

/// Evaluates expressions of one cell against the names in scope.
#[derive(Debug, Clone, Copy)]
pub struct Eval<'a> {
    /// The cell's code.
    pub code: &'a str,
    /// The names in scope where the expression is.
    pub scopes: &'a Scopes,
    /// Values the walk made at a node (a connection opened there), by
    /// node id.
    pub made: &'a NodeMap<Value>,
}

impl<'a> Eval<'a> {
    /// The source text of `node`.
    pub fn source(&self, node: Node<'_>) -> &'a str {
        &self.code[node.byte_range()]
    }

    /// What `node` stands for.
    pub fn value(&self, node: Node<'_>) -> Value {
        self.value_at(node, 0)
    }

    /// The string `node` stands for.
    pub fn text(&self, node: Node<'_>) -> Text {
        self.value(node).text()
    }

    /// The fully qualified name a type or object reference stands for
    /// (`Source` -> `scala.io.Source`), following imports; `None` when a
    /// local value of that name shadows it.
    pub fn qualified(&self, node: Node<'_>) -> Option<String> {
        let mut segments = Vec::new();
        let mut node = node;
        // Walk down the left spine of `a.b.c`, collecting fields.
        for _ in 0..MAX_DEPTH {
            match kind_of(node) {
                "field_expression" => {
                    segments.push(self.source(child_in(node, "field")?));
                    node = child_in(node, "value")?;
                }
                "stable_identifier" | "stable_type_identifier" => {
                    let count = node.named_child_count();
                    let last = node.named_child(u32::try_from(count.checked_sub(1)?).ok()?)?;
                    segments.push(self.source(last));
                    node = node.named_child(0)?;
                    if count == 1 {
                        break;
                    }
                }
                "identifier" | "type_identifier" => {
                    let head = match self.scopes.lookup(self.source(node)) {
                        Some(Value::Alias(name)) => name.clone(),
                        Some(_) => return None,
                        None => default_qualified(self.source(node)).to_owned(),
                    };
                    segments.push(self.source(node));
                    let mut name = head;
                    for segment in segments.iter().rev().skip(1) {
                        name.push('.');
                        name.push_str(segment);
                    }
                    return Some(normalize(&name));
                }
                _ => return None,
            }
        }
        None
    }

    /// The dotted path `a.b.c` of an identifier chain, as written.
    pub fn path(&self, node: Node<'_>) -> Option<String> {
        let mut segments = Vec::new();
        let mut node = node;
        for _ in 0..MAX_DEPTH {
            match kind_of(node) {
                "field_expression" => {
                    segments.push(self.source(child_in(node, "field")?));
                    node = child_in(node, "value")?;
                }
                "identifier" => {
                    if self.source(node) != "this" {
                        segments.push(self.source(node));
                    }
                    segments.reverse();
                    return Some(segments.join("."));
                }
                _ => return None,
            }
        }
        None
    }

    fn value_at(&self, node: Node<'_>, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Other;
        }
        if let Some(made) = self.made.get(&node.id()) {
            return made.clone();
        }
        let depth = depth + 1;
        match kind_of(node) {
            "string" | "interpolated_string_expression" => match literal::decode(node, self.code) {
                Some(parts) => Value::Text(self.parts_text_at(&parts, depth)),
                None => Value::Text(Text::unknown()),
            },
            "integer_literal" | "floating_point_literal" | "boolean_literal" => {
                Value::Text(Text::lit(self.source(node)))
            }
            "identifier" => match self.scopes.lookup(self.source(node)) {
                Some(Value::Alias(_)) | None => Value::Other,
                Some(value) => value.clone(),
            },
            "parenthesized_expression" | "ascription_expression" | "block" => {
                match only_expression(node) {
                    Some(inner) => self.value_at(inner, depth),
                    None => Value::Other,
                }
            }
            "infix_expression" => self.infix(node, depth),
            "field_expression" => self.field(node, depth),
            "call_expression" => self.call(node, depth),
            "generic_function" => self.generic(node, depth),
            "instance_expression" => self.instance(node, depth),
            _ => Value::Other,
        }
    }

    fn parts_text_at(&self, parts: &[Part<'_>], depth: usize) -> Text {
        let mut text = Text::default();
        for part in parts {
            match &part.kind {
                PartKind::Verbatim(s) | PartKind::Escape(s) => text.push_lit(s),
                PartKind::Hole {
                    formatted: true, ..
                } => text.push_unknown(),
                PartKind::Hole { expr, .. } => text.push_text(&self.value_at(*expr, depth).text()),
            }
        }
        text
    }

    /// `a + b` on strings; anything else is not followed.
    fn infix(&self, node: Node<'_>, depth: usize) -> Value {
        let operator = node
            .child_by_field_name("operator")
            .map(|op| self.source(op));
        let (Some(left), Some(right)) = (child_in(node, "left"), child_in(node, "right")) else {
            return Value::Other;
        };
        if operator != Some("+") {
            return Value::Other;
        }
        let left = self.value_at(left, depth).text();
        Value::Text(left.concat(&self.value_at(right, depth).text()))
    }

    /// `Obj.member`, `s.trim` and `uri.toURL` without parentheses.
    fn field(&self, node: Node<'_>, depth: usize) -> Value {
        let (Some(receiver), Some(field)) = (child_in(node, "value"), child_in(node, "field"))
        else {
            return Value::Other;
        };
        if let Some(value) = self.path(node).and_then(|p| self.scopes.lookup(&p)) {
            return value.clone();
        }
        self.method(receiver, self.source(field), None, depth)
    }

    /// `f(args)`: string methods, URL factories, commands.
    fn call(&self, node: Node<'_>, depth: usize) -> Value {
        let (Some(function), Some(arguments)) =
            (child_in(node, "function"), child_in(node, "arguments"))
        else {
            return Value::Other;
        };
        if process::is_command_constructor(self, function) {
            return match process::command(self, node) {
                Some(command) => Value::Command(command),
                None => Value::Other,
            };
        }
        if let Some(def) = self.def_called(function) {
            return self.returned(&def, arguments, depth);
        }
        if kind_of(function) != "field_expression" {
            return Value::Other;
        }
        let (Some(receiver), Some(field)) =
            (child_in(function, "value"), child_in(function, "field"))
        else {
            return Value::Other;
        };
        let method = self.source(field);
        if method == "create" && self.qualified(receiver).as_deref() == Some("java.net.URI") {
            return match arguments.named_child(0) {
                Some(arg) => Value::Url(self.value_at(arg, depth).text()),
                None => Value::Other,
            };
        }
        self.method(receiver, method, Some(arguments), depth)
    }

    /// The `def` of the code's own that `function` names (`url`,
    /// `Imds.url`).
    fn def_called(&self, function: Node<'_>) -> Option<Rc<Def>> {
        let value = match kind_of(function) {
            "identifier" => self.scopes.lookup(self.source(function)),
            "field_expression" => self.path(function).and_then(|p| self.scopes.lookup(&p)),
            // `url[String](...)`
            "generic_function" => return self.def_called(child_in(function, "function")?),
            _ => None,
        };
        match value {
            Some(Value::Def(def)) => Some(Rc::clone(def)),
            _ => None,
        }
    }

    /// What a call of `def` with `arguments` gives: arguments by position,
    /// or by name (`url(path = "x")`).
    fn returned(&self, def: &Def, arguments: Node<'_>, depth: usize) -> Value {
        let mut args: Vec<Option<Text>> = vec![None; def.params.len()];
        let mut cursor = arguments.walk();
        let given: Vec<Node<'_>> = arguments
            .named_children(&mut cursor)
            .filter(|n| !is_comment(*n))
            .collect();
        for (position, arg) in given.into_iter().enumerate() {
            let named = (kind_of(arg) == "assignment_expression")
                .then(|| Some((child_in(arg, "left")?, child_in(arg, "right")?)))
                .flatten()
                .and_then(|(left, right)| {
                    let name = self.source(left);
                    Some((def.params.iter().position(|p| p == name)?, right))
                });
            let (index, value) = named.unwrap_or((position, arg));
            if let Some(slot) = args.get_mut(index) {
                *slot = Some(self.value_at(value, depth).text());
            }
        }
        def.called(&args)
    }

    /// A method on a string or URL value.
    fn method(
        &self,
        receiver: Node<'_>,
        method: &str,
        arguments: Option<Node<'_>>,
        depth: usize,
    ) -> Value {
        let args: Vec<Node<'_>> = arguments
            .map(|a| {
                let mut cursor = a.walk();
                a.named_children(&mut cursor)
                    .filter(|n| !is_comment(*n))
                    .collect()
            })
            .unwrap_or_default();
        let arg_text = |i: usize| args.get(i).map(|n| self.value_at(*n, depth).text());
        let target = self.value_at(receiver, depth);
        match (method, &target) {
            ("toURL" | "toURI", Value::Url(text)) if args.is_empty() => Value::Url(text.clone()),
            ("toString" | "toExternalForm", Value::Url(text)) if args.is_empty() => {
                Value::Text(text.clone())
            }
            (_, Value::Text(text)) => match (method, args.len()) {
                ("toString" | "intern", 0) => Value::Text(text.clone()),
                ("trim" | "strip", 0) => Value::Text(trim(text)),
                ("stripSuffix", 1) => Value::Text(strip_suffix(text, arg_text(0).as_ref())),
                ("stripPrefix", 1) => Value::Text(strip_prefix(text, arg_text(0).as_ref())),
                ("concat", 1) => Value::Text(text.concat(&arg_text(0).unwrap_or_default())),
                ("format", _) => {
                    let values: Vec<Text> = (0..args.len()).filter_map(arg_text).collect();
                    Value::Text(format(text, &values))
                }
                _ => Value::Other,
            },
            _ => Value::Other,
        }
    }

    /// `x.asInstanceOf[T]` is `x`.
    fn generic(&self, node: Node<'_>, depth: usize) -> Value {
        let Some(function) = child_in(node, "function") else {
            return Value::Other;
        };
        let field = function
            .child_by_field_name("field")
            .map(|f| self.source(f));
        match (kind_of(function), field) {
            ("field_expression", Some("asInstanceOf")) => match child_in(function, "value") {
                Some(receiver) => self.value_at(receiver, depth),
                None => Value::Other,
            },
            _ => Value::Other,
        }
    }

    /// `new URL(spec)`, `new URL(protocol, host, file)`, `new URI(str)`.
    fn instance(&self, node: Node<'_>, depth: usize) -> Value {
        let mut cursor = node.walk();
        let type_node = node
            .named_children(&mut cursor)
            .find(|c| matches!(kind_of(c), "type_identifier" | "stable_type_identifier"));
        let class = type_node.and_then(|t| self.qualified(t));
        if !matches!(class.as_deref(), Some("java.net.URL" | "java.net.URI")) {
            return Value::Other;
        }
        let Some(arguments) = child_in(node, "arguments") else {
            return Value::Other;
        };
        let mut cursor = arguments.walk();
        let args: Vec<Text> = arguments
            .named_children(&mut cursor)
            .filter(|n| !is_comment(*n))
            .map(|n| self.value_at(n, depth).text())
            .collect();
        let url = match args.as_slice() {
            [spec] => spec.clone(),
            [protocol, host, file] if class.as_deref() == Some("java.net.URL") => {
                protocol.concat(&Text::lit("://")).concat(host).concat(file)
            }
            [protocol, host, port, file] if class.as_deref() == Some("java.net.URL") => protocol
                .concat(&Text::lit("://"))
                .concat(host)
                .concat(&Text::lit(":"))
                .concat(port)
                .concat(file),
            _ => Text::unknown(),
        };
        Value::Url(url)
    }
}

/// Names that need no import, or whose usual import the analyser assumes
/// when it has not seen one (notebook cells import in other cells).
fn default_qualified(name: &str) -> &str {
    match name {
        "Source" => "scala.io.Source",
        "URL" => "java.net.URL",
        "URI" => "java.net.URI",
        "HttpRequest" => "java.net.http.HttpRequest",
        "Process" => "scala.sys.process.Process",
        other => other,
    }
}

/// `io.Source` and `sys.process` are reachable without `scala.`, and
/// `_root_.` adds nothing.
pub fn normalize(name: &str) -> String {
    let name = name.strip_prefix("_root_.").unwrap_or(name);
    if name.starts_with("io.") || name.starts_with("sys.") {
        return format!("scala.{name}");
    }
    name.to_owned()
}

/// The one expression inside parentheses, an ascription or a block.
fn only_expression(node: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = node.walk();
    let mut inner = node.named_children(&mut cursor).filter(|n| !is_comment(*n));
    let first = inner.next()?;
    if kind_of(node) == "ascription_expression" {
        return Some(first);
    }
    inner.next().is_none().then_some(first)
}

/// Whether `node` is a comment.
pub fn is_comment(node: Node<'_>) -> bool {
    matches!(kind_of(node), "comment" | "block_comment")
}

fn rebuild(pieces: Vec<Piece>) -> Text {
    let mut text = Text::default();
    for piece in pieces {
        match piece {
            Piece::Lit(s) => text.push_lit(&s),
            Piece::Unknown => text.push_unknown(),
        }
    }
    text
}

fn trim(text: &Text) -> Text {
    let mut pieces = text.pieces().to_vec();
    if let Some(Piece::Lit(first)) = pieces.first_mut() {
        *first = first.trim_start().to_owned();
    }
    if let Some(Piece::Lit(last)) = pieces.last_mut() {
        *last = last.trim_end().to_owned();
    }
    rebuild(pieces)
}

fn strip_suffix(text: &Text, suffix: Option<&Text>) -> Text {
    let Some(suffix) = suffix.and_then(Text::as_literal) else {
        return text.clone();
    };
    let mut pieces = text.pieces().to_vec();
    if let Some(Piece::Lit(last)) = pieces.last_mut() {
        if let Some(stripped) = last.strip_suffix(suffix) {
            *last = stripped.to_owned();
        }
    }
    rebuild(pieces)
}

fn strip_prefix(text: &Text, prefix: Option<&Text>) -> Text {
    let Some(prefix) = prefix.and_then(Text::as_literal) else {
        return text.clone();
    };
    let mut pieces = text.pieces().to_vec();
    if let Some(Piece::Lit(first)) = pieces.first_mut() {
        if let Some(stripped) = first.strip_prefix(prefix) {
            *first = stripped.to_owned();
        }
    }
    rebuild(pieces)
}

/// `"%s/x".format(a)`: `%s` takes the next argument, `%%` is `%`; other
/// specs make that part unknown.
fn format(template: &Text, args: &[Text]) -> Text {
    let mut out = Text::default();
    let mut next = args.iter();
    for piece in template.pieces() {
        let Piece::Lit(s) = piece else {
            out.push_unknown();
            continue;
        };
        let mut rest = s.as_str();
        while let Some(at) = rest.find('%') {
            out.push_lit(&rest[..at]);
            let spec = &rest[at..];
            if let Some(after) = spec.strip_prefix("%%") {
                out.push_lit("%");
                rest = after;
            } else if let Some(after) = spec.strip_prefix("%s") {
                match next.next() {
                    Some(arg) => out.push_text(arg),
                    None => out.push_unknown(),
                }
                rest = after;
            } else {
                next.next();
                out.push_unknown();
                let len = spec[1..]
                    .find(|c: char| c.is_ascii_alphabetic())
                    .map_or(spec.len(), |i| i + 2);
                rest = &spec[len..];
            }
        }
        out.push_lit(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scala::scope::Globals;
    use imds_lint_parser::{syntax, Lang};

    /// The value of the last top-level expression of `code`, after binding
    /// its `val`s in order (a small stand-in for the walk).
    fn value_of(code: &str) -> Value {
        let tree = syntax::parse(Lang::Scala, code).unwrap_or_else(|| panic!("no tree"));
        let root = tree.root_node();
        let made = NodeMap::default();
        let mut scopes = Scopes::new(&Globals::new());
        let mut last = Value::Other;
        let mut cursor = root.walk();
        for node in root.named_children(&mut cursor) {
            let eval = Eval {
                code,
                scopes: &scopes,
                made: &made,
            };
            if kind_of(node) == "val_definition" {
                let name = eval.source(child_in(node, "pattern").unwrap_or(node));
                let value = node
                    .child_by_field_name("value")
                    .map_or(Value::Other, |v| eval.value(v));
                scopes.bind(name.to_owned(), value);
            } else {
                last = eval.value(node);
            }
        }
        last
    }

    fn text_of(code: &str) -> String {
        value_of(code).text().to_string()
    }

    #[test]
    fn literals_and_concatenation() {
        assert_eq!(text_of(r#"val a = "x"; a + "/y""#), "x/y");
        assert_eq!(text_of(r#"val a = "x"; s"$a/${a}/z""#), "x/x/z");
        assert_eq!(text_of(r#"val a = "x"; f"$a%s/q""#), "x/q");
        assert_eq!(text_of(r#""""a\b""" + 1"#), "a\\b1");
        assert_eq!(text_of(r#"("a/": String) + "b""#), "a/b");
    }

    #[test]
    fn unknown_names_stay_unknown() {
        assert_eq!(text_of(r#"p + "/y""#), "…/y");
        assert_eq!(text_of(r#"s"$p/y""#), "…/y");
        assert_eq!(text_of(r#"f"$n%d/y""#), "…/y");
        assert_eq!(text_of("foo(1)"), "…");
    }

    #[test]
    fn string_methods() {
        assert_eq!(text_of(r#"val a = "x/"; a.stripSuffix("/") + "/y""#), "x/y");
        assert_eq!(text_of(r#""/x".stripPrefix("/")"#), "x");
        assert_eq!(text_of(r#"" x ".trim"#), "x");
        assert_eq!(text_of(r#""%s/y/%s".format("a", "b")"#), "a/y/b");
        assert_eq!(text_of(r#""%d/y".format(n)"#), "…/y");
        assert_eq!(text_of(r#""a".concat("b").toString"#), "ab");
    }

    #[test]
    fn urls() {
        assert_eq!(
            value_of(r#"new java.net.URL("http://h/x")"#),
            Value::Url(Text::lit("http://h/x"))
        );
        assert_eq!(
            value_of(r#"java.net.URI.create("http://h/x").toURL"#),
            Value::Url(Text::lit("http://h/x"))
        );
        assert_eq!(
            value_of(r#"new URL("http", "h", "/x")"#),
            Value::Url(Text::lit("http://h/x"))
        );
        assert_eq!(value_of(r#"new java.io.File("x")"#), Value::Other);
    }

    #[test]
    fn object_members_by_path() {
        // The walk binds an object's members under their dotted path.
        let code = "Md.base + \"/x\"";
        let tree = syntax::parse(Lang::Scala, code).unwrap_or_else(|| panic!("no tree"));
        let made = NodeMap::default();
        let mut scopes = Scopes::new(&Globals::new());
        scopes.bind("Md.base", Value::Text(Text::lit("h")));
        let eval = Eval {
            code,
            scopes: &scopes,
            made: &made,
        };
        let expr = tree
            .root_node()
            .named_child(0)
            .unwrap_or_else(|| panic!("empty"));
        assert_eq!(eval.text(expr).to_string(), "h/x");
    }

    #[test]
    fn deep_nesting_is_unknown_not_a_crash() {
        let code = format!("{}\"x\"{}", "(".repeat(5000), ")".repeat(5000));
        assert_eq!(text_of(&code), "…");
    }
}
