//! Constant folding of Python expressions: what string, dict or client
//! object an expression stands for, as far as the code shows it.

use std::collections::HashMap;
use std::rc::Rc;

use imds_lint_parser::syntax;
use tree_sitter::Node;

use crate::endpoint;
use crate::text::Text;

use super::args::Args;
use super::argv_run;
use super::clients;
use super::formatting::{self, Ends};
use super::functions::{self, Returns};
use super::imports::{chain, Imports};
use super::literal::{self, Prefix};
use super::scope::Scopes;
use super::value::{Dict, Value};
use super::{child_in, kind_of};

/// Expressions nested deeper than this are not folded: no real URL is
/// built that deep, and the evaluator must not exhaust the stack.
/// Parentheses and the terms of a sum do not count: they are walked
/// without recursion, so a sum of thousands of terms is folded whole.
const MAX_DEPTH: usize = 48;

/// Nodes looked at for a metadata URL in an expression nested too deep to
/// fold, so that a huge expression costs bounded time; also for the names
/// a function's code reads.
const MAX_SCANNED: usize = 10_000;

/// Module-level names a function's returned value may depend on, beyond
/// which it is not kept.
const MAX_READS: usize = 256;

/// Evaluates expressions of one cell as seen from one frame.
#[derive(Clone, Copy)]
pub(super) struct Eval<'a> {
    /// The cell's code.
    pub code: &'a str,
    /// The names in scope.
    pub scopes: &'a Scopes,
    /// Import aliases.
    pub imports: &'a Imports,
    /// The frame the expression is in (`None`: module level).
    pub frame: Option<usize>,
}

impl<'a> Eval<'a> {
    /// The value of an expression.
    pub(super) fn value(&self, node: Node) -> Value {
        self.at(node, 0)
    }

    /// The string value of an expression (unknown when it is not a string).
    pub(super) fn text(&self, node: Node) -> Text {
        self.value(node).text()
    }

    /// The source text of a node.
    pub(super) fn source(&self, node: Node) -> &'a str {
        &self.code[node.byte_range()]
    }

    /// The canonical dotted name a callee or attribute chain stands for
    /// (`r.get` after `import requests as r` is `requests.get`), or `None`
    /// when it starts at a variable.
    pub(super) fn canonical(&self, node: Node) -> Option<String> {
        let parts = chain(node, self.code)?;
        let (head, rest) = parts.split_first()?;
        if self.scopes.is_bound(head, self.frame) {
            return None;
        }
        let mut name = self
            .imports
            .resolve(head)
            .unwrap_or_else(|| (*head).to_owned());
        for part in rest {
            name.push('.');
            name.push_str(part);
        }
        Some(name)
    }

    fn at(&self, node: Node, depth: usize) -> Value {
        let node = unparenthesized(node);
        if depth > MAX_DEPTH {
            return self.too_deep(node);
        }
        self.fold(node, depth + 1).capped()
    }

    /// The value of an expression nested too deep to fold: a string that
    /// starts with the first metadata URL its text holds, if it holds one,
    /// else nothing known. Giving up must not hide a URL written plainly
    /// in the code; the URL may be transformed on the way, which is taken
    /// as unlikely in code that holds it as a literal.
    fn too_deep(&self, node: Node) -> Value {
        // A literal needs no recursion (but its `{...}` parts would).
        if kind_of(node) == "string" {
            return Value::Str(self.string_with(node, |_| Text::unknown()));
        }
        log::debug!(
            "Python expression at byte {} is nested too deeply to fold",
            node.start_byte()
        );
        match self.metadata_literal(node) {
            Some(mut url) => {
                url.push_unknown();
                Value::Str(url)
            }
            None => Value::Unknown,
        }
    }

    /// The first string literal in `node` (in source order) that is a
    /// metadata URL, looking at a bounded number of nodes.
    fn metadata_literal(&self, node: Node) -> Option<Text> {
        syntax::preorder(node)
            .take(MAX_SCANNED)
            .filter(|current| kind_of(*current) == "string")
            .map(|string| self.string_with(string, |_| Text::unknown()))
            .find(|text| endpoint::classify(text).is_some())
    }

    fn fold(&self, node: Node, depth: usize) -> Value {
        match kind_of(node) {
            "string" => Value::Str(self.string(node, depth)),
            "concatenated_string" => {
                let mut text = Text::default();
                let mut cursor = node.walk();
                for part in node.named_children(&mut cursor) {
                    text.push_text(&self.at(part, depth).text());
                }
                Value::Str(text)
            }
            "integer" => Value::Number(self.source(node).replace('_', "")),
            "none" => Value::None,
            // `(h := value)` is the value.
            "named_expression" => {
                child_in(node, "value").map_or(Value::Unknown, |value| self.at(value, depth))
            }
            "identifier" => self
                .scopes
                .get(self.source(node), self.frame)
                .cloned()
                .unwrap_or_default(),
            "await" => node
                .named_child(0)
                .map_or(Value::Unknown, |inner| self.at(inner, depth)),
            "binary_operator" => self.binary(node, depth),
            "boolean_operator" => self.boolean(node, depth),
            "dictionary" => Value::Dict(self.dict(node, depth)),
            "list" | "tuple" | "expression_list" => {
                let mut items = Vec::new();
                let mut cursor = node.walk();
                for item in node.named_children(&mut cursor) {
                    if kind_of(item) != "comment" {
                        items.push(self.at(item, depth));
                    }
                }
                Value::List(items)
            }
            "attribute" => self.attribute(node, depth),
            "subscript" => self.subscript(node, depth),
            "call" => self.call(node, depth),
            "lambda" => self.lambda(node, depth),
            _ => Value::Unknown,
        }
    }

    /// A lambda with no parameters, as what calling it gives, read where
    /// it is made. (Parameters are not modelled: with any, nothing is
    /// known, and requests through it are missed.)
    fn lambda(&self, node: Node, depth: usize) -> Value {
        let (None, Some(body)) = (child_in(node, "parameters"), child_in(node, "body")) else {
            return Value::Unknown;
        };
        let Some(reads) = self.module_reads(body, "") else {
            return Value::Unknown;
        };
        Value::Function(Rc::new(Returns {
            def: node.id(),
            function: None,
            params: Vec::new(),
            value: self.at(body, depth),
            reads,
            coroutine: false,
        }))
    }

    /// The module-level values of the names `node` reads (leaving out
    /// `own`, a function's name, and the names bound in this frame), or
    /// `None` when it reads too many to keep.
    pub(super) fn module_reads(
        &self,
        node: Node,
        own: &str,
    ) -> Option<Vec<(String, Option<Value>)>> {
        let local = |name: &str| {
            self.frame
                .and_then(|f| self.scopes.frames.get(f))
                .is_some_and(|f| f.vars.contains_key(name) && !f.globals.contains(name))
        };
        let mut reads: Vec<(String, Option<Value>)> = Vec::new();
        for at in syntax::preorder(node).take(MAX_SCANNED) {
            if kind_of(at) != "identifier" {
                continue;
            }
            let name = self.source(at);
            if name == own || local(name) || reads.iter().any(|(n, _)| n == name) {
                continue;
            }
            if reads.len() == MAX_READS {
                return None;
            }
            reads.push((name.to_owned(), self.scopes.module.get(name).cloned()));
        }
        Some(reads)
    }

    /// What a call of a function of the file gives back: nothing known
    /// once a global it reads was bound again, or for a coroutine not
    /// awaited.
    fn returned(&self, call: Node, returns: &Returns, args: &Args, depth: usize) -> Value {
        let still = |(name, value): &(String, Option<Value>)| {
            self.scopes.module.get(name) == value.as_ref()
        };
        let awaited = call.parent().is_some_and(|p| kind_of(p) == "await");
        if !returns.reads.iter().all(still) || (returns.coroutine && !awaited) {
            return Value::Unknown;
        }
        if args.has_splat() {
            return returns.called_with_unknown_arguments();
        }
        let text = |node: Node| self.at(node, depth).as_text().cloned();
        let positional: Vec<Option<Text>> = args.positional.iter().map(|n| text(*n)).collect();
        let keywords: Vec<(String, Text)> = args
            .keywords
            .iter()
            .filter_map(|(k, v)| Some(((*k).to_owned(), text(*v)?)))
            .collect();
        returns.called(&positional, &keywords)
    }

    fn string(&self, node: Node, depth: usize) -> Text {
        self.string_with(node, |part| self.interpolation(part, depth))
    }

    /// A string literal's value, with `interpolation` giving the value of
    /// each `{...}` of an f-string.
    fn string_with(&self, node: Node, interpolation: impl Fn(Node) -> Text) -> Text {
        let mut prefix = Prefix::default();
        let mut text = Text::default();
        let mut cursor = node.walk();
        for part in node.named_children(&mut cursor) {
            match kind_of(part) {
                "string_start" => prefix = Prefix::of(self.source(part)),
                "string_content" => text.push_lit(&literal::decode(self.source(part), prefix)),
                "interpolation" => text.push_text(&interpolation(part)),
                _ => {}
            }
        }
        text
    }

    fn interpolation(&self, node: Node, depth: usize) -> Text {
        let plain = child_in(node, "format_specifier").is_none()
            && node
                .child_by_field_name("type_conversion")
                .is_none_or(|c| self.source(c) == "!s");
        match child_in(node, "expression") {
            Some(expression) if plain => self.at(expression, depth).text(),
            _ => Text::unknown(),
        }
    }

    /// `a + b`, `fmt % args`, `a | b`. The terms of a sum are folded one
    /// after the other at the sum's own depth, since tree-sitter nests
    /// `a + b + c` as `(a + b) + c` and a long sum must not reach the limit.
    fn binary(&self, node: Node, depth: usize) -> Value {
        let Some(operator) = child_in(node, "operator") else {
            return Value::Unknown;
        };
        let operator = self.source(operator);
        let operands = if operator == "+" {
            self.sum_terms(node)
        } else {
            child_in(node, "left")
                .zip(child_in(node, "right"))
                .map(|(left, right)| vec![left, right])
        };
        let Some((first, rest)) = operands.as_deref().and_then(<[Node]>::split_first) else {
            return Value::Unknown;
        };

        let mut value = self.at(*first, depth);
        for operand in rest {
            value = combine(operator, value, self.at(*operand, depth)).capped();
        }
        value
    }

    /// The terms of a sum in source order, through parentheses on either
    /// side: `a + (b + c) + d` gives `a`, `b`, `c`, `d`. Adding strings or
    /// lists does not depend on the grouping. Walked with a stack of its own,
    /// so thousands of terms cost no recursion; `None` for a broken tree.
    fn sum_terms<'t>(&self, sum: Node<'t>) -> Option<Vec<Node<'t>>> {
        let mut terms = Vec::new();
        let mut pending = vec![sum];
        while let Some(node) = pending.pop() {
            let node = unparenthesized(node);
            if self.is_sum(node) {
                pending.push(child_in(node, "right")?);
                pending.push(child_in(node, "left")?);
            } else {
                terms.push(node);
            }
        }
        Some(terms)
    }

    /// Whether `node` is `a + b`.
    fn is_sum(&self, node: Node) -> bool {
        kind_of(node) == "binary_operator"
            && child_in(node, "operator").is_some_and(|op| self.source(op) == "+")
    }

    /// `a or b`: the first operand when it is a known non-empty string,
    /// else the second (`os.environ.get("URL") or DEFAULT`).
    fn boolean(&self, node: Node, depth: usize) -> Value {
        let (Some(left), Some(right), Some(operator)) = (
            child_in(node, "left"),
            child_in(node, "right"),
            child_in(node, "operator"),
        ) else {
            return Value::Unknown;
        };
        if self.source(operator) != "or" {
            return Value::Unknown;
        }
        match self.at(left, depth) {
            Value::Str(text) if text.as_literal().is_some_and(|s| !s.is_empty()) => {
                Value::Str(text)
            }
            _ => self.at(right, depth),
        }
    }

    fn dict(&self, node: Node, depth: usize) -> Dict {
        let mut dict = Dict::default();
        let mut cursor = node.walk();
        for entry in node.named_children(&mut cursor) {
            match kind_of(entry) {
                "pair" => {
                    let (Some(key), Some(value)) =
                        (child_in(entry, "key"), child_in(entry, "value"))
                    else {
                        continue;
                    };
                    dict.insert(self.at(key, depth).text(), self.at(value, depth));
                }
                "dictionary_splat" => {
                    let merged = entry
                        .named_child(0)
                        .map_or(Value::Unknown, |inner| self.at(inner, depth));
                    dict.merge(&merged);
                }
                "comment" => {}
                _ => dict.open = true,
            }
        }
        dict
    }

    fn attribute(&self, node: Node, depth: usize) -> Value {
        let (Some(object), Some(attribute)) =
            (child_in(node, "object"), child_in(node, "attribute"))
        else {
            return Value::Unknown;
        };
        let name = self.source(attribute);
        match self.at(object, depth) {
            Value::Object(object) => object.attributes.get(name).cloned().unwrap_or_default(),
            Value::Class(constants) => constants.get(name).cloned().unwrap_or_default(),
            Value::Instance(class) => self
                .scopes
                .frames
                .get(class)
                .and_then(|frame| frame.vars.get(name))
                .cloned()
                .unwrap_or_default(),
            _ => Value::Unknown,
        }
    }

    fn subscript(&self, node: Node, depth: usize) -> Value {
        let Some(container) = child_in(node, "value") else {
            return Value::Unknown;
        };
        let Some(key) = child_in(node, "subscript") else {
            return Value::Unknown;
        };
        match (self.at(container, depth), self.at(key, depth)) {
            (Value::Dict(dict), Value::Str(key)) => key
                .as_literal()
                .and_then(|key| dict.get(key))
                .cloned()
                .unwrap_or_default(),
            (Value::List(items), Value::Number(index)) => index
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i))
                .cloned()
                .unwrap_or_default(),
            _ => Value::Unknown,
        }
    }

    fn call(&self, node: Node, depth: usize) -> Value {
        let (Some(function), Some(arguments)) =
            (child_in(node, "function"), child_in(node, "arguments"))
        else {
            return Value::Unknown;
        };
        if kind_of(arguments) != "argument_list" {
            return Value::Unknown;
        }
        let args = Args::of(arguments, self.code);

        if kind_of(function) == "attribute" {
            if let Some(value) = self.string_method(function, &args, depth) {
                return value;
            }
        }
        if kind_of(function) == "identifier" {
            if let Some(Value::Function(returns)) =
                self.scopes.get(self.source(function), self.frame)
            {
                return self.returned(node, returns, &args, depth);
            }
        }
        let Some(name) = self.canonical(function) else {
            return Value::Unknown;
        };
        let arg = |index: usize, keyword: &str| {
            args.get(index, keyword)
                .map_or(Value::Unknown, |n| self.at(n, depth))
        };
        match name.as_str() {
            "urllib.parse.urljoin"
            | "urlparse.urljoin"
            | "requests.compat.urljoin"
            | "six.moves.urllib.parse.urljoin" => Value::Str(formatting::urljoin(
                &arg(0, "base").text(),
                &arg(1, "url").text(),
            )),
            "os.path.join" | "posixpath.join" => {
                if args.has_splat() {
                    return Value::Unknown;
                }
                let parts: Vec<Text> = args
                    .positional
                    .iter()
                    .map(|n| self.at(*n, depth).text())
                    .collect();
                Value::Str(formatting::path_join(&parts))
            }
            "os.environ.get" | "os.getenv" => match arg(1, "default") {
                Value::Str(text) => Value::Str(text),
                _ => Value::Unknown,
            },
            // An argv list: the words of a command, split as a shell
            // would, with no shell to run it.
            "shlex.split" => match arg(0, "s") {
                Value::Str(text) => Value::List(argv_run::split_words(&text)),
                _ => Value::Unknown,
            },
            "str" => match arg(0, "object") {
                Value::Str(text) => Value::Str(text),
                _ => Value::Unknown,
            },
            "dict" => {
                let mut dict = Dict::default();
                if let Some(first) = args.positional.first() {
                    dict.merge(&self.at(*first, depth));
                }
                for (key, value) in &args.keywords {
                    dict.insert(Text::lit(*key), self.at(*value, depth));
                }
                for splat in &args.dict_splats {
                    dict.merge(&self.at(*splat, depth));
                }
                Value::Dict(dict)
            }
            _ => clients::construct(self, &name, &args).map_or(Value::Unknown, Value::Object),
        }
    }

    /// `"...".format(...)`, `sep.join(...)`, `.strip()` and friends on a
    /// string, `.copy()` on a dict.
    fn string_method(&self, function: Node, args: &Args, depth: usize) -> Option<Value> {
        let receiver = child_in(function, "object")?;
        let method = self.source(child_in(function, "attribute")?);
        let value = self.at(receiver, depth);
        if let (Value::Dict(_), "copy") = (&value, method) {
            return Some(value);
        }
        let Value::Str(text) = value else {
            return None;
        };
        // A parameter's marker stands for text not known yet: what these
        // methods make of it is not known either.
        if matches!(method, "strip" | "lstrip" | "rstrip" | "replace")
            && functions::has_markers(&text)
        {
            return Some(Value::Str(Text::unknown()));
        }
        let literal_arg = |index: usize| {
            args.positional.get(index).and_then(|n| {
                self.at(*n, depth)
                    .as_text()
                    .and_then(|t| t.as_literal().map(str::to_owned))
            })
        };
        // A command's words, split with no shell (`"curl -s URL".split()`).
        if method == "split" {
            if functions::has_markers(&text) || !args.keywords.is_empty() || args.has_splat() {
                return Some(Value::Unknown);
            }
            let items = match args.positional.as_slice() {
                [] => formatting::split(&text, None),
                [sep] if kind_of(*sep) == "none" => formatting::split(&text, None),
                [_] => match literal_arg(0).filter(|sep| !sep.is_empty()) {
                    Some(sep) => formatting::split(&text, Some(&sep)),
                    None => return Some(Value::Unknown),
                },
                _ => return Some(Value::Unknown),
            };
            return Some(Value::List(items));
        }
        let result = match method {
            "format" => {
                let positional: Vec<Value> =
                    args.positional.iter().map(|n| self.at(*n, depth)).collect();
                let keywords: HashMap<String, Value> = args
                    .keywords
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), self.at(*v, depth)))
                    .collect();
                if args.has_splat() {
                    Text::unknown()
                } else {
                    formatting::format(&text, &positional, &keywords)
                }
            }
            "join" => match args.positional.first().map(|n| self.at(*n, depth)) {
                Some(Value::List(items)) => formatting::join(&text, &items),
                _ => Text::unknown(),
            },
            "strip" | "lstrip" | "rstrip" => {
                let chars = literal_arg(0);
                if !args.positional.is_empty() && chars.is_none() {
                    return Some(Value::Unknown);
                }
                let ends = match method {
                    "lstrip" => Ends::Start,
                    "rstrip" => Ends::End,
                    _ => Ends::Both,
                };
                formatting::strip(&text, chars.as_deref(), ends)
            }
            "replace" => match (literal_arg(0), literal_arg(1)) {
                (Some(old), Some(new)) => formatting::replace(&text, &old, &new),
                _ => Text::unknown(),
            },
            "encode" | "decode" => text,
            _ => return Some(Value::Unknown),
        };
        Some(Value::Str(result))
    }
}

/// `left operator right` for two folded operands.
fn combine(operator: &str, left: Value, right: Value) -> Value {
    match (operator, left) {
        ("+", Value::List(mut items)) => match right {
            Value::List(more) => {
                items.extend(more);
                Value::List(items)
            }
            _ => Value::Unknown,
        },
        ("+", left) if left.as_text().is_some() || right.as_text().is_some() => {
            let mut text = match left {
                Value::Str(text) => text,
                other => other.text(),
            };
            text.push_text(&right.text());
            Value::Str(text)
        }
        ("%", Value::Str(fmt)) => Value::Str(formatting::percent(&fmt, &right)),
        ("|", Value::Dict(mut dict)) => {
            dict.merge(&right);
            Value::Dict(dict)
        }
        _ => Value::Unknown,
    }
}

/// The expression inside any number of parentheses, found without
/// recursion: `((x))` is `x`.
fn unparenthesized(mut node: Node) -> Node {
    while kind_of(node) == "parenthesized_expression" {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;
    use imds_lint_parser::{syntax, Lang};

    /// The value of the last expression of `code`, after binding the
    /// module-level assignments before it.
    fn eval(code: &str) -> String {
        let tree = syntax::parse(Lang::Python, code).unwrap_or_else(|| panic!("no tree"));
        let mut scopes = Scopes::default();
        let mut imports = Imports::default();
        let root = tree.root_node();
        let mut cursor = root.walk();
        let statements: Vec<Node> = root.named_children(&mut cursor).collect();
        let (last, init) = statements.split_last().unwrap_or_else(|| panic!("empty"));
        for statement in init {
            if kind_of(statement).starts_with("import") {
                imports.record(*statement, code, 0);
                continue;
            }
            let assignment = statement
                .named_child(0)
                .unwrap_or_else(|| panic!("no child"));
            let left = assignment
                .child_by_field_name("left")
                .unwrap_or_else(|| panic!("left"));
            let right = assignment
                .child_by_field_name("right")
                .unwrap_or_else(|| panic!("right"));
            let e = Eval {
                code,
                scopes: &scopes,
                imports: &imports,
                frame: None,
            };
            let value = e.value(right);
            scopes.bind(&code[left.byte_range()], value, None);
        }
        let e = Eval {
            code,
            scopes: &scopes,
            imports: &imports,
            frame: None,
        };
        let expression = last
            .named_child(0)
            .unwrap_or_else(|| panic!("no expression"));
        e.text(expression).to_string()
    }

    #[test]
    fn literals_and_names() {
        assert_eq!(eval("'a' \"b\" r'\\n'"), "ab\\n");
        assert_eq!(eval("A = 'x'\nA + '/y'"), "x/y");
        assert_eq!(eval("A = 'x'\nf'{A}/{b}/{A!r}/{A:>4}/{{}}'"), "x/…/…/…/{}");
        assert_eq!(eval("u + '/y'"), "…/y");
        assert_eq!(eval("1 + 2"), "…");
    }

    #[test]
    fn formatting_and_joins() {
        assert_eq!(eval("H = 'h'\n'http://%s/%s' % (H, 'x')"), "http://h/x");
        assert_eq!(eval("'{}/{p}'.format('a', p='b')"), "a/b");
        assert_eq!(eval("'/'.join(['a', 'b'])"), "a/b");
        assert_eq!(eval("'a/ '.strip().rstrip('/')"), "a");
        assert_eq!(eval("import os\nos.path.join('/a', 'b')"), "/a/b");
        assert_eq!(
            eval("from urllib.parse import urljoin\nurljoin('http://h/a/', 'b')"),
            "http://h/a/b"
        );
        assert_eq!(
            eval("import os\nos.environ.get('X', 'http://h')"),
            "http://h"
        );
        assert_eq!(eval("import os\nos.getenv('X') or 'd'"), "d");
    }

    #[test]
    fn dicts_lists_and_subscripts() {
        assert_eq!(eval("C = {'url': 'http://h'}\nC['url']"), "http://h");
        assert_eq!(eval("C = {'url': 'http://h'}\nC['other']"), "…");
        assert_eq!(eval("L = ['a', 'b']\nL[1]"), "b");
        assert_eq!(
            eval("C = {'a': 'x'}\nD = {**C, 'b': 'y'}\nD['a'] + D['b']"),
            "xy"
        );
        assert_eq!(eval("C = {'a': 'x'} | {'a': 'z'}\nC['a']"), "z");
    }

    #[test]
    fn doubling_a_string_stays_bounded() {
        let mut code = String::from("S = 'http://169.254.169.254/'\n");
        for _ in 0..64 {
            code.push_str("S = S + S\n");
        }
        code.push_str("S\n");
        let value = eval(&code);
        assert!(value.starts_with("http://169.254.169.254/") && value.len() < 10_000);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        // The parser refuses more than 200 open brackets, as CPython does.
        let code = format!("{}'a'{}", "(".repeat(190), ")".repeat(190));
        assert_eq!(eval(&code), "a");
        let code = format!("{}'a'{}", "str(".repeat(190), ")".repeat(190));
        assert_eq!(eval(&code), "…");
        let code = format!("{}'a'{}", "[".repeat(190), "]".repeat(190));
        assert_eq!(eval(&code), "…");
    }

    #[test]
    fn a_long_sum_is_folded_whole() {
        let sum = vec!["'a'"; 3000].join(" + ");
        assert_eq!(eval(&sum), "a".repeat(3000));
        let grouped = format!("{}'a'{}", "('a' + ".repeat(190), ")".repeat(190));
        assert_eq!(eval(&grouped), "a".repeat(191));
        assert_eq!(eval("A = ['a']\nB = A + ['b'] + ['c']\nB[2]"), "c");
        assert_eq!(eval("'a' + ('%s' % 'b') + ('c' + u)"), "abc…");
    }

    #[test]
    fn a_metadata_url_nested_too_deep_starts_the_value() {
        let url = "'http://169.254.169.254/latest/'";
        let code = format!("{}{url}{}", "str(".repeat(100), ")".repeat(100));
        assert_eq!(eval(&code), "http://169.254.169.254/latest/…");
        let code = format!("{}{url}{}", "'{}'.format(".repeat(100), ")".repeat(100));
        assert_eq!(eval(&code), "http://169.254.169.254/latest/…");
        let code = format!("{}'http://h/'{}", "str(".repeat(100), ")".repeat(100));
        assert_eq!(eval(&code), "…");
    }
}
