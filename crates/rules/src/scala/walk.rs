//! One pass over a Scala cell's syntax tree, in source order: scopes open
//! and close, `val`s and imports bind names, and each request shape is
//! read with the names in scope where it is written.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::rc::Rc;

use imds_lint_parser::{strings, syntax};
use tree_sitter::{Node, Tree};

use super::clients::{self, Found, Holder, Opened, Setting, Site};
use super::imports;
use super::process::{self, Command};
use super::returns::{self, Def};
use super::scope::{Globals, Scopes, Value};
use super::shapes::{self, Shape, ShapeKind};
use super::value::{is_comment, Eval};
use super::{child_in, kind_of};
use crate::endpoint;
use crate::node_map::NodeMap;
use crate::request::{Method, Request};
use crate::rules;
use crate::shell::argv::{named_as_shell_script, shebang_names_a_shell, shell_code};
use crate::text::Env;

/// What a walk found in one cell.
#[derive(Debug)]
pub struct Outcome {
    /// HTTP requests, in source order.
    pub found: Vec<Found>,
    /// `sys.process` commands run, in source order.
    pub processes: Vec<ProcessRun>,
    /// The string literals of shell scripts the cell writes to files
    /// (`dbutils.fs.put("init.sh", """...""")`), in source order, with the
    /// string values in scope there (for `s"..."` contents).
    pub scripts: Vec<(Range<usize>, Env)>,
    /// The top-level names, for the next cell.
    pub globals: Globals,
}

/// A command `sys.process` runs.
#[derive(Debug)]
pub struct ProcessRun {
    /// Its words.
    pub command: Command,
    /// The expression that runs it (`"curl ...".!!`).
    pub range: Range<usize>,
    /// A val in scope that holds a session token the code fetched itself.
    pub token: Option<String>,
    /// The strings in scope, for shell code the command runs (`bash -c`).
    pub strings: Env,
}

/// A connection or builder still open to settings.
#[derive(Debug)]
struct Pending {
    found: Found,
    /// Passed to other code, which may add headers the walk cannot see.
    escaped: bool,
}

/// Nodes of a `def`'s body looked at for the vars it reads: a bigger
/// body counts as reading one.
const MAX_DEF_SCAN: usize = 10_000;

/// Walks `tree` of `code`, starting from the names earlier cells bound.
pub fn walk(tree: &Tree, code: &str, globals: &Globals) -> Outcome {
    let mut walk = Walk {
        code,
        shapes: shapes::find(tree, code),
        scopes: Scopes::new(globals),
        made: NodeMap::default(),
        found: Vec::new(),
        connections: Vec::new(),
        builders: Vec::new(),
        processes: Vec::new(),
        scripts: Vec::new(),
        path: Vec::new(),
        vars: HashSet::new(),
        defs_by_name: NodeMap::default(),
    };

    let mut cursor = tree.walk();
    'walk: loop {
        walk.enter(cursor.node());
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            walk.leave(cursor.node());
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }

    walk.finish()
}

struct Walk<'a, 'tree> {
    code: &'a str,
    shapes: NodeMap<Vec<Shape<'tree>>>,
    scopes: Scopes,
    made: NodeMap<Value>,
    found: Vec<Found>,
    connections: Vec<Pending>,
    builders: Vec<Pending>,
    processes: Vec<ProcessRun>,
    scripts: Vec<(Range<usize>, Env)>,
    /// The nodes from the root to the current one: `parent()` would cost
    /// the tree's depth on each call.
    path: Vec<Node<'tree>>,
    /// Names this cell declares with `var`: a `def` that reads one gives
    /// whatever the var holds when it is called, which is not followed.
    vars: HashSet<String>,
    /// By body (node id), how many `def`s of each name it holds: an
    /// overloaded name is not read, since which one a call picks
    /// depends on argument types.
    defs_by_name: NodeMap<HashMap<String, usize>>,
}

impl<'tree> Walk<'_, 'tree> {
    fn eval(&self) -> Eval<'_> {
        Eval {
            code: self.code,
            scopes: &self.scopes,
            made: &self.made,
        }
    }

    fn parent(&self) -> Option<Node<'tree>> {
        self.path.len().checked_sub(2).map(|i| self.path[i])
    }

    fn enter(&mut self, node: Node<'tree>) {
        self.path.push(node);
        if opens_frame(node) {
            self.scopes.push();
            self.bind_parameters(node);
            if kind_of(node) == "template_body" {
                self.bind_members_ahead(node);
            }
        }
        if let Some(shapes) = self.shapes.remove(&node.id()) {
            for shape in shapes {
                self.read_shape(&shape);
            }
        }
        if kind_of(node) == "identifier" && self.parent().is_some_and(|p| kind_of(p) == "arguments")
        {
            self.mark_escaped(node);
        }
    }

    fn leave(&mut self, node: Node<'tree>) {
        match kind_of(node) {
            "val_definition" | "var_definition" => self.bind_val(node),
            "function_definition" => {
                self.scopes.pop();
                self.bind_def(node);
            }
            "template_body" => {
                let members = self.scopes.pop();
                if let Some(owner) = self.parent() {
                    self.export_members(owner, members);
                }
            }
            "import_declaration" => self.bind_import(node),
            "assignment_expression" => self.assign(node),
            _ if opens_frame(node) => {
                self.scopes.pop();
            }
            _ => {}
        }
        self.path.pop();
    }

    fn read_shape(&mut self, shape: &Shape<'tree>) {
        let eval = Eval {
            code: self.code,
            scopes: &self.scopes,
            made: &self.made,
        };
        let token = self.scopes.token().map(str::to_owned);
        let with_token = |mut found: Found| {
            found.token.clone_from(&token);
            found
        };
        match shape.kind {
            ShapeKind::FromUrl => {
                if let Some(found) = clients::from_url(&eval, shape) {
                    self.found.push(with_token(found));
                }
            }
            ShapeKind::Open => match clients::open(&eval, shape, &self.path) {
                Some(Opened::Stream(found)) => self.found.push(with_token(found)),
                Some(Opened::Connection(found, call)) => {
                    let found = with_token(found);
                    self.made
                        .insert(call.id(), Value::Connection(self.connections.len()));
                    self.connections.push(Pending {
                        found,
                        escaped: false,
                    });
                }
                None => {}
            },
            ShapeKind::ConnectionSetting => {
                let Some((id, setting)) = clients::connection_setting(&eval, shape) else {
                    return;
                };
                self.apply_setting(id, setting);
            }
            ShapeKind::NewBuilder => {
                let Some((found, last, built)) = clients::new_builder(&eval, shape, &self.path)
                else {
                    return;
                };
                let id = self.builders.len();
                let made = if built {
                    Value::Request(id)
                } else {
                    Value::Builder(id)
                };
                self.made.insert(last.id(), made);
                let found = with_token(found);
                self.builders.push(Pending {
                    found,
                    escaped: false,
                });
            }
            ShapeKind::BuilderStep => {
                let Some(name) = shape.capture("builder") else {
                    return;
                };
                if let Value::Builder(id) = eval.value(name) {
                    if let Some(pending) = self.builders.get_mut(id) {
                        let mut path = self.path.clone();
                        path.push(name);
                        clients::apply_chain(&eval, &path, &mut pending.found);
                    }
                }
            }
            ShapeKind::WriteFile => {
                let arguments = shape.capture("arguments");
                let eval = self.eval();
                if let Some(script) = arguments.and_then(|a| written_script(a, &eval)) {
                    self.scripts.push((script, self.scopes.strings()));
                }
            }
            ShapeKind::ProcessRun | ShapeKind::ProcessRunInfix => {
                let Some(command) = shape.capture("command") else {
                    return;
                };
                let range = if shape.kind == ShapeKind::ProcessRunInfix {
                    let end = shape
                        .node
                        .child_by_field_name("operator")
                        .map_or(shape.node.end_byte(), |op| op.end_byte());
                    shape.node.start_byte()..end
                } else {
                    clients::call_of(&self.path).map_or(shape.node.byte_range(), |n| n.byte_range())
                };
                for command in process::commands(&eval, command) {
                    let strings = if shell_code(&command.words).is_some() {
                        self.scopes.strings()
                    } else {
                        Env::new()
                    };
                    self.processes.push(ProcessRun {
                        command,
                        range: range.clone(),
                        token: token.clone(),
                        strings,
                    });
                }
            }
        }
    }

    /// Applies a setting to connection `id`.
    fn apply_setting(&mut self, id: usize, setting: Setting) {
        let Some(pending) = self.connections.get_mut(id) else {
            return;
        };
        let found = &mut pending.found;
        match setting {
            Setting::Header(header) => found.request.headers.push(header),
            Setting::Method(method, at) => {
                found.request.method = method;
                found.method_at = Some(at);
            }
        }
    }

    /// A connection or builder handed to other code may get headers there.
    fn mark_escaped(&mut self, identifier: Node<'tree>) {
        let pending = match self.scopes.lookup(&self.code[identifier.byte_range()]) {
            Some(Value::Connection(id)) => self.connections.get_mut(*id),
            Some(Value::Builder(id)) => self.builders.get_mut(*id),
            _ => None,
        };
        if let Some(pending) = pending {
            pending.escaped = true;
        }
    }

    fn bind_parameters(&mut self, node: Node<'tree>) {
        let mut cursor = node.walk();
        let holders: Vec<Node<'tree>> = match kind_of(node) {
            "function_definition" | "class_definition" | "trait_definition" => node
                .named_children(&mut cursor)
                .filter(|c| matches!(kind_of(c), "parameters" | "class_parameters"))
                .collect(),
            "lambda_expression" => child_in(node, "parameters").into_iter().collect(),
            "case_clause" => child_in(node, "pattern").into_iter().collect(),
            "for_expression" => node
                .named_children(&mut cursor)
                .filter(|c| kind_of(c) == "enumerators")
                .collect(),
            _ => Vec::new(),
        };
        for holder in holders {
            for name in bound_names(holder, self.code) {
                self.scopes.bind(name, Value::Other);
            }
        }
    }

    /// Members of a class or object body can be used before they are
    /// written (from methods): bind the simple ones up front.
    fn bind_members_ahead(&mut self, body: Node<'tree>) {
        let mut cursor = body.walk();
        for member in body.named_children(&mut cursor) {
            match kind_of(member) {
                "val_definition" | "var_definition" => self.bind_val(member),
                "function_definition" => self.bind_def(member),
                _ => {}
            }
        }
    }

    fn bind_val(&mut self, node: Node<'tree>) {
        let Some(pattern) = child_in(node, "pattern") else {
            return;
        };
        let mut value = node
            .child_by_field_name("value")
            .map_or(Value::Other, |v| self.eval().value(v));
        if matches!(value, Value::Text(_) | Value::Other) && self.fetches_token(node) {
            value = Value::Token;
        }
        if kind_of(node) == "var_definition" {
            self.vars.extend(bound_names(pattern, self.code));
        }
        if kind_of(pattern) != "identifier" {
            for name in bound_names(pattern, self.code) {
                self.scopes.bind(name, Value::Other);
            }
            return;
        }
        let name = self.code[pattern.byte_range()].to_owned();
        if let Value::Connection(id) = value {
            if let Some(pending) = self.connections.get_mut(id) {
                if pending.found.site == (Site::Connection { holder: None }) {
                    pending.found.site = Site::Connection {
                        holder: Some(Holder {
                            name: name.clone(),
                            statement: node.byte_range(),
                        }),
                    };
                }
            }
        }
        self.scopes.bind(name, value);
    }

    /// Whether a `val` holds the body of a correct token request: its value
    /// reads a connection or request that PUTs to the token path with a
    /// TTL, and ends in a string (`.mkString`, `.body()`, or a `String` type).
    fn fetches_token(&self, val: Node<'tree>) -> bool {
        let Some(value) = child_in(val, "value") else {
            return false;
        };
        let declared_string = val
            .child_by_field_name("type")
            .is_some_and(|t| &self.code[t.byte_range()] == "String");
        if !declared_string && !ends_in_string(value, self.code) {
            return false;
        }

        // Look for the connection or request among the value's nodes.
        let mut stack = vec![value];
        let mut budget = 4096;
        while let Some(node) = stack.pop() {
            budget -= 1;
            if budget == 0 {
                return false;
            }
            let made = match self.made.get(&node.id()) {
                Some(made) => Some(made),
                None if kind_of(node) == "identifier" => {
                    self.scopes.lookup(&self.code[node.byte_range()])
                }
                None => None,
            };
            let request = match made {
                Some(Value::Connection(id)) => self.connections.get(*id),
                Some(Value::Request(id)) => self.builders.get(*id),
                _ => None,
            };
            if request.is_some_and(|p| is_token_fetch(&p.found.request)) {
                return true;
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
        false
    }

    /// `def base = "http://..."`: a parameterless def with an expression
    /// body is read like a val; a def with one parameter list and such a
    /// body (`def url(p: String) = s"$Base/$p"`) as what its calls give
    /// (see [`returns`](super::returns)); any other def shadows the name.
    fn bind_def(&mut self, node: Node<'tree>) {
        let Some(name) = child_in(node, "name") else {
            return;
        };
        let mut cursor = node.walk();
        let lists: Vec<Node<'tree>> = node
            .named_children(&mut cursor)
            .filter(|c| kind_of(c) == "parameters")
            .collect();
        let name = &self.code[name.byte_range()];
        let value = match (child_in(node, "body"), lists.as_slice()) {
            _ if self.overloaded(node, name) => Value::Other,
            (Some(body), _) if self.reads_a_var(body) => Value::Other,
            (Some(body), _) if kind_of(body) == "block" && lists.is_empty() => Value::Other,
            (Some(body), []) => self.eval().value(body),
            (Some(body), [list]) => self.def_value(node, *list, body),
            _ => Value::Other,
        };
        self.scopes.bind(name, value);
    }

    /// Whether the body holding the def `node` defines `name` more than once.
    fn overloaded(&mut self, node: Node<'tree>, name: &str) -> bool {
        let Some(holder) = node.parent() else {
            return false;
        };
        let code = self.code;
        let counts = self.defs_by_name.entry(holder.id()).or_insert_with(|| {
            let mut counts: HashMap<String, usize> = HashMap::new();
            let mut cursor = holder.walk();
            for def in holder.named_children(&mut cursor) {
                if matches!(kind_of(def), "function_definition" | "function_declaration") {
                    if let Some(name) = child_in(def, "name") {
                        *counts
                            .entry(code[name.byte_range()].to_owned())
                            .or_default() += 1;
                    }
                }
            }
            counts
        });
        counts.get(name).is_some_and(|&n| n > 1)
    }

    /// Whether `body` reads a name this cell declares with `var`.
    fn reads_a_var(&self, body: Node<'tree>) -> bool {
        !self.vars.is_empty()
            && syntax::preorder(body).take(MAX_DEF_SCAN).any(|n| {
                kind_of(n) == "identifier" && self.vars.contains(&self.code[n.byte_range()])
            })
    }

    /// What the def `node` with the parameter list `list` returns, with
    /// its parameters as markers: a string or a URL, else nothing known.
    fn def_value(&mut self, node: Node<'tree>, list: Node<'tree>, body: Node<'tree>) -> Value {
        let mut cursor = list.walk();
        let mut params = Vec::new();
        for param in list.named_children(&mut cursor) {
            match (kind_of(param), child_in(param, "name")) {
                ("parameter", Some(name)) => params.push(self.code[name.byte_range()].to_owned()),
                _ if is_comment(param) => {}
                // `implicit`, `using` and anything else unusual.
                _ => return Value::Other,
            }
        }
        self.scopes.push();
        for (index, param) in params.iter().enumerate() {
            let marker = returns::marker(node.id(), index);
            self.scopes.bind(param.clone(), Value::Text(marker));
        }
        let returned = returns::capped(self.eval().value(body));
        self.scopes.pop();
        match returned {
            Value::Text(_) | Value::Url(_) => Value::Def(Rc::new(Def {
                id: node.id(),
                params,
                returns: returned,
            })),
            _ => Value::Other,
        }
    }

    /// An object's members are reachable as `Object.member` after it.
    fn export_members(&mut self, owner: Node<'tree>, members: HashMap<String, Value>) {
        if !matches!(kind_of(owner), "object_definition" | "package_object") {
            return;
        }
        let Some(name) = child_in(owner, "name") else {
            return;
        };
        let name = &self.code[name.byte_range()];
        for (member, value) in members {
            // A `var` member may be set from anywhere, by any name the
            // object goes by (`import Cfg._`, `val c = Cfg`): not followed.
            let value = if self.vars.contains(&member) {
                Value::Other
            } else {
                value
            };
            if !matches!(value, Value::Alias(_)) {
                self.scopes.bind(format!("{name}.{member}"), value);
            }
        }
    }

    fn bind_import(&mut self, node: Node<'tree>) {
        imports::bind(&mut self.scopes, node, self.code);
    }

    fn assign(&mut self, node: Node<'tree>) {
        let (Some(left), Some(right)) = (child_in(node, "left"), child_in(node, "right")) else {
            return;
        };
        let name = match kind_of(left) {
            "identifier" => self.code[left.byte_range()].to_owned(),
            // `Cfg.Base = ...`: an object's var.
            "field_expression" => match self.eval().path(left) {
                Some(path) => path,
                None => return,
            },
            _ => return,
        };
        let value = self.eval().value(right);
        self.scopes.assign(&name, value);
    }

    // A connection given its header in a later cell is judged without it:
    // a false report, for code that splits one request over cells.
    fn finish(self) -> Outcome {
        let mut found = self.found;
        for pending in self.connections.into_iter().chain(self.builders) {
            let mut item = pending.found;
            item.request.headers.open |= pending.escaped;
            found.push(item);
        }
        found.sort_by_key(|f| (f.request.range.start, f.request.range.end));
        Outcome {
            found,
            processes: self.processes,
            scripts: self.scripts,
            globals: self.scopes.into_globals(),
        }
    }
}

/// The string literal of the contents `dbutils.fs.put(path, contents,
/// ...)` writes, when the file is a shell script: its path (a literal or
/// a known value) ends in `.sh` or `.bash`, or the contents start with a
/// `#!` line naming a shell. Arguments may be named (`contents = ...`).
fn written_script(arguments: Node, eval: &Eval) -> Option<Range<usize>> {
    let mut cursor = arguments.walk();
    let values: Vec<Node> = arguments
        .named_children(&mut cursor)
        .filter(|n| !kind_of(*n).contains("comment"))
        .collect();
    let named = |name: &str| {
        values.iter().find_map(|value| {
            let left = child_in(*value, "left")?;
            (kind_of(*value) == "assignment_expression" && eval.source(left) == name)
                .then(|| child_in(*value, "right"))
                .flatten()
        })
    };
    let positional = |at: usize| {
        values
            .get(at)
            .copied()
            .filter(|v| kind_of(*v) != "assignment_expression")
    };
    let path = named("file").or_else(|| positional(0))?;
    let contents = named("contents").or_else(|| positional(1))?;
    if !matches!(
        kind_of(contents),
        "string" | "interpolated_string_expression"
    ) {
        return None;
    }
    let by_name = eval
        .text(path)
        .as_literal()
        .is_some_and(named_as_shell_script);
    let by_shebang = || {
        strings::scala_literal(eval.source(contents)).is_some_and(|decoded| {
            let first = decoded.code.trim_start().lines().next().unwrap_or_default();
            first.strip_prefix("#!").is_some_and(shebang_names_a_shell)
        })
    };
    (by_name || by_shebang()).then(|| contents.byte_range())
}

/// Whether `request` is a token request IMDS accepts.
fn is_token_fetch(request: &Request) -> bool {
    request.method == Method::Put
        && endpoint::classify(&request.url).is_some_and(|e| e.is_token_path())
        && rules::judge(request).is_none()
}

/// Whether an expression ends in a call that gives the response as a
/// string.
fn ends_in_string(value: Node<'_>, code: &str) -> bool {
    let last = match kind_of(value) {
        "call_expression" => child_in(value, "function"),
        _ => Some(value),
    };
    let method = last
        .filter(|n| kind_of(n) == "field_expression")
        .and_then(|n| child_in(n, "field"))
        .map(|f| &code[f.byte_range()]);
    matches!(
        method,
        Some("mkString" | "body" | "trim" | "readLine" | "toString" | "strip")
    )
}

/// Whether a node opens a scope of its own.
fn opens_frame(node: Node<'_>) -> bool {
    matches!(
        kind_of(node),
        "block"
            | "template_body"
            | "with_template_body"
            | "indented_block"
            | "function_definition"
            | "class_definition"
            | "trait_definition"
            | "lambda_expression"
            | "case_clause"
            | "for_expression"
    )
}

/// The names a pattern or parameter list binds: its identifiers (type
/// names and default values aside), found without recursion.
fn bound_names(node: Node<'_>, code: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match kind_of(node) {
            "identifier" => names.push(code[node.byte_range()].to_owned()),
            "parameter" | "class_parameter" | "binding" => {
                stack.extend(child_in(node, "name"));
            }
            "enumerator" => stack.extend(node.named_child(0)),
            _ => {
                let mut cursor = node.walk();
                stack.extend(node.named_children(&mut cursor).filter(|c| {
                    !kind_of(c).ends_with("type") && !kind_of(c).ends_with("type_identifier")
                }));
            }
        }
    }
    names
}
