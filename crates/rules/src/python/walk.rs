//! One pass over a Python cell in execution order: the top level, with a
//! function's body walked at its first call by name (or after the top
//! level when never called), bindings applied as the interpreter would,
//! and calls handed to [`super::call`].

use std::cell::RefCell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Range;
use std::rc::Rc;

use tree_sitter::Node;

use crate::endpoint;
use crate::node_map::NodeSet;
use crate::text::Env;
use crate::FileCheck;

use super::eval::Eval;
use super::functions::{self, CallSite, Calls, Function, Param, Returns};
use super::imports::{chain, Imports};
use super::mutation;
use super::query::{Match, Shape, Shapes};
use super::scope::{FrameKind, ParamDefault, Scopes};
use super::value::Value;
use super::Site;
use super::{child_in, identifiers, kind_of};

/// The state of one cell's analysis.
pub(super) struct CellWalk<'a, 'f, 't> {
    /// The file, for findings and nested shell cells.
    pub file: &'a mut FileCheck<'f>,
    /// The cell's index.
    pub index: usize,
    /// The cell's code.
    pub code: &'a str,
    /// The query's shapes, matched at each node as the walk enters it.
    pub shapes: Shapes<'t>,
    /// The names in scope.
    pub scopes: Scopes,
    /// Import aliases (shared by the file's cells).
    pub imports: &'a mut Imports,
    /// Functions and pending requests (shared by the file's cells).
    pub calls: &'a mut Calls,
    /// Module-level names a function of the file may rebind through
    /// `global` (shared by the file's cells).
    pub volatile: &'a mut HashSet<String>,
    /// Function bodies still to walk, with the frame they are defined in.
    pub deferred: VecDeque<(Node<'t>, Option<usize>)>,
    /// The same definitions by function name, for calls.
    pub defined: HashMap<String, Vec<(Node<'t>, Option<usize>)>>,
    /// Ids of function definitions already walked.
    pub walked: NodeSet,
    /// How many function bodies are being walked from call sites.
    pub inline_depth: usize,
    /// Parameters' default values by node id, read where the function is
    /// defined (Python evaluates them there, once).
    pub defaults: HashMap<usize, Value>,
    /// Requests reported in this cell, for fixes.
    pub sites: Vec<Site>,
    /// Correct token requests of this cell: their frame and call range.
    pub tokens: Vec<(Option<usize>, Range<usize>)>,
    /// Where each name may be bound again in a block, by name and block id
    /// (see `reuse`), found once per block however many requests ask.
    pub bindings: RefCell<HashMap<(String, usize), Vec<Binding>>>,
}

/// A place in a block that may bind a name: the identifier, or a
/// `from module import *`, which may bind any.
#[derive(Debug, Clone)]
pub(super) struct Binding {
    pub range: Range<usize>,
    pub wildcard: bool,
}

/// How deep function bodies are walked from their call sites; deeper
/// chains are walked after the cell's top level, like uncalled functions.
const MAX_INLINE: usize = 16;

/// Decorators that return a function giving what the decorated one gives.
const KEEP_RETURNS: &[&str] = &[
    "functools.cache",
    "functools.lru_cache",
    "functools.wraps",
    "tenacity.retry",
    "backoff.on_exception",
    "backoff.on_predicate",
    "retrying.retry",
    "retry.retry",
];

/// Nodes of a function body looked at for its `return` statements: a
/// body bigger than this returns nothing known.
const MAX_RETURN_SCAN: usize = 20_000;

/// A step of the iterative walk.
enum Step<'t> {
    /// Visit a node: calls act now, then children.
    Enter(Node<'t>, Option<usize>),
    /// Leave a node: bindings take effect once their value is computed.
    /// With the shapes found on entering.
    Leave(Node<'t>, Option<usize>, Vec<Match<'t>>),
    /// Leave a class definition: its name, bound in the outer frame, gets
    /// the constants of its body (the class's frame).
    EndClass(Node<'t>, Option<usize>, usize),
}

impl<'t> CellWalk<'_, '_, 't> {
    /// An evaluator for expressions in `frame`.
    pub(super) fn eval(&self, frame: Option<usize>) -> Eval<'_> {
        Eval {
            code: self.code,
            scopes: &self.scopes,
            imports: self.imports,
            frame,
        }
    }

    /// Walks the cell: its top level, then the function bodies.
    pub(super) fn run(&mut self, root: Node<'t>) {
        self.walk(root, None);
        while let Some((def, parent)) = self.deferred.pop_front() {
            if self.walked.insert(def.id()) {
                self.function(def, parent);
            }
        }
    }

    /// Walks the statements under `root` in `frame`, deferring function
    /// bodies and opening class bodies.
    fn walk(&mut self, root: Node<'t>, frame: Option<usize>) {
        let mut stack = vec![Step::Enter(root, frame)];
        let mut cursor = root.walk();
        while let Some(step) = stack.pop() {
            match step {
                Step::Enter(node, frame) => {
                    let kind = kind_of(node);
                    if kind == "function_definition" && node != root {
                        self.define_function(node, frame);
                        continue;
                    }
                    let mut inner = frame;
                    // A class's name and bases belong to the outer frame,
                    // its body to the class's.
                    let mut class_body = None;
                    if kind == "class_definition" {
                        let class = self.define_class(node, frame);
                        stack.push(Step::EndClass(node, frame, class));
                        inner = Some(class);
                        class_body = Some(child_in(node, "body"));
                    }
                    let shapes = self.shapes.at(node, self.code);
                    self.shapes_at(node, &shapes, frame, true);
                    stack.push(Step::Leave(node, frame, shapes));
                    // Children go on the stack last first, so that the
                    // first is walked first.
                    let pushed = stack.len();
                    for child in node.named_children(&mut cursor) {
                        let child_frame = if class_body.is_some_and(|body| Some(child) != body) {
                            frame
                        } else {
                            inner
                        };
                        stack.push(Step::Enter(child, child_frame));
                    }
                    stack[pushed..].reverse();
                }
                Step::Leave(node, frame, shapes) => self.shapes_at(node, &shapes, frame, false),
                Step::EndClass(node, frame, class) => self.end_class(node, frame, class),
            }
        }
    }

    /// Acts on the query matches sitting on `node`: calls and loop
    /// variables on entry, other bindings on leaving.
    fn shapes_at(
        &mut self,
        node: Node<'t>,
        matches: &[Match<'t>],
        frame: Option<usize>,
        entering: bool,
    ) {
        for &m in matches {
            let early = matches!(m.shape, Shape::Call | Shape::Forget | Shape::Global);
            if early != entering {
                continue;
            }
            match m.shape {
                Shape::Call => self.call(&m, frame),
                Shape::Import => self.import(node, frame),
                Shape::Assign => self.assign(&m, frame),
                Shape::Unpack => self.unpack(&m, frame),
                Shape::StoreItem => self.store_item(&m, frame),
                Shape::StoreAttribute => self.store_attribute(&m, frame),
                Shape::Augment => self.augment(&m, frame),
                Shape::Forget => {
                    if let Some(targets) = m.targets {
                        self.forget(targets, frame);
                        self.loop_over_urls(m.node, targets, frame);
                    }
                }
                Shape::Global => {
                    let mut cursor = node.walk();
                    for name in node.named_children(&mut cursor) {
                        let name = &self.code[name.byte_range()];
                        self.scopes.declare_global(name, frame);
                    }
                }
            }
        }
    }

    fn import(&mut self, node: Node, frame: Option<usize>) {
        for name in self.imports.record(node, self.code, self.index) {
            match frame {
                None => self.scopes.unbind_module(&name),
                Some(frame) => self.scopes.import_in(&name, frame),
            }
        }
    }

    /// Binds `name`; a module-level name stops being an import alias.
    pub(super) fn bind(&mut self, name: &str, value: Value, frame: Option<usize>) {
        if frame.is_none() {
            self.imports.forget(name);
        }
        self.scopes.bind(name, value, frame);
    }

    fn assign(&mut self, m: &Match, frame: Option<usize>) {
        let (Some(target), Some(mut value)) = (m.target, m.value) else {
            return;
        };
        // `a = b = value`: the innermost right-hand side is the value.
        while kind_of(value) == "assignment" {
            match child_in(value, "right") {
                Some(right) => value = right,
                None => return,
            }
        }
        let name = self.code[target.byte_range()].to_owned();
        if frame.is_none() {
            if let Some(module) = self.module_named(value) {
                // `http_lib = requests`: another name for the module. Only
                // at module level; inside a function the name is unknown.
                self.scopes.unbind_module(&name);
                self.imports.alias(&name, module);
                return;
            }
        }
        let computed = self.eval(frame).value(value);
        if matches!(computed, Value::Unknown | Value::None)
            && in_except_handler(m.node)
            && self.is_known(&name, frame)
        {
            // `try: MD = "http://..." except Exception: MD = None`: the
            // handler runs only when the try body failed, and code after
            // it is written for the value the try body gives; keeping that
            // one reports the request on the path where it runs (on the
            // other path, the handler's `None` fails before any request).
            return;
        }
        self.bind(&name, computed, frame);
    }

    /// The canonical name of the imported module or object an expression
    /// names (`requests`, `r.get` after `import requests as r`).
    fn module_named(&self, value: Node) -> Option<String> {
        let parts = chain(value, self.code)?;
        let head = parts.first()?;
        if self.scopes.is_bound(head, None) || self.imports.resolve(head).is_none() {
            return None;
        }
        self.eval(None).canonical(value)
    }

    /// Whether binding `name` in `frame` would replace a known value or an
    /// import.
    fn is_known(&self, name: &str, frame: Option<usize>) -> bool {
        match self.scopes.bound_here(name, frame) {
            Some(Value::Function(returns)) => returns.value != Value::Unknown,
            Some(value) => *value != Value::Unknown,
            None => frame.is_none() && self.imports.resolve(name).is_some(),
        }
    }

    fn unpack(&mut self, m: &Match, frame: Option<usize>) {
        let (Some(targets), Some(value)) = (m.targets, m.value) else {
            return;
        };
        let mut cursor = targets.walk();
        let names: Vec<Node> = targets.named_children(&mut cursor).collect();
        match self.eval(frame).value(value) {
            Value::List(items)
                if items.len() == names.len()
                    && names.iter().all(|n| kind_of(n) == "identifier") =>
            {
                for (name, item) in names.iter().zip(items) {
                    let name = self.code[name.byte_range()].to_owned();
                    self.bind(&name, item, frame);
                }
            }
            _ => self.forget(targets, frame),
        }
    }

    /// Binds every name in a target pattern to an unknown value.
    fn forget(&mut self, targets: Node, frame: Option<usize>) {
        let mut stack = vec![targets];
        while let Some(node) = stack.pop() {
            match kind_of(node) {
                "identifier" => {
                    let name = self.code[node.byte_range()].to_owned();
                    self.bind(&name, Value::Unknown, frame);
                }
                // `L[0] = ...` in a loop or an unpacking, `del L[0]`: which
                // item changed, or to what, is not followed.
                "subscript" => {
                    if let Some(place) = child_in(node, "value").and_then(|c| self.place(c, frame))
                    {
                        *place = Value::Unknown;
                    }
                }
                "pattern_list"
                | "tuple_pattern"
                | "list_pattern"
                | "list_splat_pattern"
                | "parenthesized_expression"
                | "expression_list"
                | "case_pattern"
                | "as_pattern"
                | "as_pattern_target" => {
                    let mut cursor = node.walk();
                    stack.extend(node.named_children(&mut cursor));
                }
                // `case NAME:` captures; `case Cfg.NAME:` compares.
                "dotted_name" if node.named_child_count() == 1 => stack.extend(node.named_child(0)),
                _ => {}
            }
        }
    }

    /// `for url in [URL, ...]:` over URLs that all name the metadata
    /// service: a request with `url` goes there on every pass, so `url`
    /// stands for the first. (With another host among them, a fix would
    /// send that host the token: `url` stays unknown.)
    fn loop_over_urls(&mut self, node: Node, target: Node, frame: Option<usize>) {
        if kind_of(node) != "for_statement" || kind_of(target) != "identifier" {
            return;
        }
        let Some(items) = child_in(node, "right") else {
            return;
        };
        let Value::List(items) = self.eval(frame).value(items) else {
            return;
        };
        let metadata = |item: &Value| {
            item.as_text()
                .is_some_and(|text| endpoint::classify(text).is_some())
        };
        if !items.is_empty() && items.iter().all(metadata) {
            let name = self.code[target.byte_range()].to_owned();
            self.bind(&name, items[0].clone(), frame);
        }
    }

    fn augment(&mut self, m: &Match, frame: Option<usize>) {
        let (Some(target), Some(value)) = (m.target, m.value) else {
            return;
        };
        let eval = self.eval(frame);
        let old = eval.value(target);
        let more = eval.value(value);
        let new = match (&old, &more) {
            (Value::List(a), Value::List(b)) => Value::List(a.iter().chain(b).cloned().collect()),
            _ if old.as_text().is_some() || more.as_text().is_some() => {
                Value::Str(old.text().concat(&more.text()))
            }
            _ => Value::Unknown,
        };
        let name = self.code[target.byte_range()].to_owned();
        self.bind(&name, new.capped(), frame);
    }

    /// `container[key] = value`: a header dict gains an entry.
    fn store_item(&mut self, m: &Match, frame: Option<usize>) {
        let (Some(container), Some(key), Some(value)) = (m.container, m.key, m.value) else {
            return;
        };
        let eval = self.eval(frame);
        let index = mutation::list_index(self.code, key);
        let key = eval.text(key);
        let value = eval.value(value);
        match (self.place(container, frame), index) {
            (Some(Value::Dict(dict)), _) => dict.insert(key, value),
            (Some(Value::List(items)), Some(at)) if at < items.len() => items[at] = value,
            (Some(place @ Value::List(_)), _) => *place = Value::Unknown,
            _ => {}
        }
    }

    /// `object.attribute = value`: `self.url = ...`, `s.headers = {...}`.
    fn store_attribute(&mut self, m: &Match, frame: Option<usize>) {
        let (Some(object), Some(attribute), Some(value)) = (m.object, m.attribute, m.value) else {
            return;
        };
        let value = self.eval(frame).value(value);
        let attribute = self.code[attribute.byte_range()].to_owned();
        if let Value::Instance(class) = self.eval(frame).value(object) {
            if let Some(f) = self.scopes.frames.get_mut(class) {
                f.vars.insert(attribute, value);
            }
            return;
        }
        match self.place(object, frame) {
            Some(Value::Object(target)) => {
                target.attributes.insert(attribute, value);
            }
            Some(Value::Class(constants)) => match value {
                Value::Str(_) | Value::Number(_) => {
                    constants.insert(attribute, value);
                }
                _ => {
                    constants.remove(&attribute);
                }
            },
            _ => {}
        }
    }

    /// The value an assignable expression (`h`, `s.headers`,
    /// `self.session.headers`) names, to change in place.
    pub(super) fn place(&mut self, node: Node, frame: Option<usize>) -> Option<&mut Value> {
        let parts = chain(node, self.code)?;
        let (head, rest) = parts.split_first()?;
        let (mut value, rest) = match self.scopes.get(head, frame) {
            Some(Value::Instance(class)) if !rest.is_empty() => {
                let class = *class;
                let (attribute, rest) = rest.split_first()?;
                (
                    self.scopes
                        .frames
                        .get_mut(class)?
                        .vars
                        .get_mut(*attribute)?,
                    rest,
                )
            }
            _ => (self.scopes.get_mut(head, frame)?, rest),
        };
        for part in rest {
            value = match value {
                Value::Object(object) => object.attributes.get_mut(*part)?,
                _ => return None,
            };
        }
        Some(value)
    }

    fn define_class(&mut self, node: Node, frame: Option<usize>) -> usize {
        if let Some(name) = child_in(node, "name") {
            let name = self.code[name.byte_range()].to_owned();
            self.bind(&name, Value::Unknown, frame);
        }
        self.scopes.open(FrameKind::Class, frame)
    }

    /// Binds a class's name to the string constants of its body, read as
    /// `Cfg.MD`.
    // Inherited constants (`Sub.MD` with `MD` set in a base class) are not
    // seen: requests built from them are missed.
    fn end_class(&mut self, node: Node, frame: Option<usize>, class: usize) {
        let Some(name) = child_in(node, "name") else {
            return;
        };
        let Some(body) = self.scopes.frames.get(class) else {
            return;
        };
        let constants = body
            .vars
            .iter()
            .filter(|(_, value)| match value {
                Value::Str(text) => !functions::has_markers(text),
                Value::Number(_) => true,
                _ => false,
            })
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        let name = self.code[name.byte_range()].to_owned();
        self.bind(&name, Value::Class(constants), frame);
    }

    /// Binds a function's name now; its body is walked later.
    fn define_function(&mut self, node: Node<'t>, frame: Option<usize>) {
        if let Some(name) = child_in(node, "name") {
            let name = self.code[name.byte_range()].to_owned();
            let returns = Returns::unknown(node.id());
            self.bind(&name, Value::Function(Rc::new(returns)), frame);
            self.defined.entry(name).or_default().push((node, frame));
        }
        // Default values run where the function is defined.
        let mut cursor = node.walk();
        let params: Vec<Node<'t>> = node
            .child_by_field_name("parameters")
            .map(|p| p.named_children(&mut cursor).collect())
            .unwrap_or_default();
        for part in params {
            if let Some(value) = child_in(part, "value") {
                self.walk(value, frame);
                let read = self.eval(frame).value(value);
                self.defaults.insert(value.id(), read);
            }
        }
        self.forget_rebound_outside(node, frame);
        self.deferred.push_back((node, frame));
    }

    /// A name the function `node` declares `global` or `nonlocal` and
    /// assigns may hold something else once it runs, and it may run at
    /// any time: from its definition on, the outer name is unknown (a
    /// call the walk follows binds what it assigns).
    fn forget_rebound_outside(&mut self, node: Node<'t>, frame: Option<usize>) {
        let Some(body) = child_in(node, "body") else {
            return;
        };
        let code = self.code;
        let mut declared: Vec<(&str, bool)> = Vec::new();
        let mut assigned: Vec<&str> = Vec::new();
        let mut stack = vec![body];
        let mut seen = 0;
        while let Some(at) = stack.pop() {
            seen += 1;
            if seen > MAX_RETURN_SCAN {
                break;
            }
            let kind = kind_of(at);
            match kind {
                "function_definition" | "class_definition" | "lambda" => continue,
                "global_statement" | "nonlocal_statement" => {
                    let mut cursor = at.walk();
                    for name in at.named_children(&mut cursor) {
                        declared.push((&code[name.byte_range()], kind == "global_statement"));
                    }
                }
                "assignment" | "augmented_assignment" | "for_statement" => {
                    if let Some(target) = child_in(at, "left") {
                        assigned.extend(target_names(target, code));
                    }
                }
                "named_expression" => {
                    if let Some(name) = child_in(at, "name") {
                        assigned.push(&code[name.byte_range()]);
                    }
                }
                _ => {}
            }
            let mut cursor = at.walk();
            stack.extend(at.named_children(&mut cursor));
        }
        for (name, global) in declared {
            if !assigned.contains(&name) {
                continue;
            }
            match (global, frame) {
                (true, _) => {
                    self.volatile.insert(name.to_owned());
                    self.bind(name, Value::Unknown, None);
                }
                (false, Some(outer)) => self.scopes.bind(name, Value::Unknown, Some(outer)),
                (false, None) => {}
            }
        }
    }

    /// Walks the body of the function `name` called from `frame` now, if
    /// it is defined in this cell and not walked yet: the body then sees
    /// the names as they are when it runs (`login()` setting a session's
    /// headers before the module's next request).
    pub(super) fn walk_called(&mut self, name: &str, frame: Option<usize>) {
        if self.inline_depth >= MAX_INLINE {
            return;
        }
        let visible = |parent: Option<usize>| {
            let mut at = frame;
            loop {
                if at == parent {
                    return true;
                }
                match at.and_then(|index| self.scopes.frames.get(index)) {
                    Some(f) => at = f.parent,
                    None => return false,
                }
            }
        };
        let found = self.defined.get(name).and_then(|defs| {
            defs.iter()
                .rev()
                .find(|(def, parent)| !self.walked.contains(&def.id()) && visible(*parent))
        });
        let Some(&(def, parent)) = found else {
            return;
        };
        self.walked.insert(def.id());
        self.inline_depth += 1;
        self.function(def, parent);
        self.inline_depth -= 1;
    }

    /// Walks a function body: parameters hold markers, `self` the class.
    fn function(&mut self, node: Node<'t>, parent: Option<usize>) {
        let (Some(name), Some(parameters), Some(body)) = (
            child_in(node, "name"),
            child_in(node, "parameters"),
            child_in(node, "body"),
        ) else {
            return;
        };
        let index = self.calls.functions.len();
        let class = self.scopes.class_frame(parent);
        let frame = self
            .scopes
            .open(FrameKind::Function { function: index }, parent);

        let mut params = Vec::new();
        let mut keyword_only = false;
        let mut cursor = parameters.walk();
        for param in parameters.named_children(&mut cursor) {
            let (name_node, default) = match kind_of(param) {
                "identifier" => (Some(param), None),
                "typed_parameter" => (
                    param.named_child(0).filter(|n| kind_of(n) == "identifier"),
                    None,
                ),
                "default_parameter" | "typed_default_parameter" => {
                    (child_in(param, "name"), child_in(param, "value"))
                }
                "list_splat_pattern" | "dictionary_splat_pattern" | "keyword_separator" => {
                    keyword_only = true;
                    if let Some(inner) = param.named_child(0) {
                        let inner = self.code[inner.byte_range()].to_owned();
                        self.scopes.bind(&inner, Value::Unknown, Some(frame));
                    }
                    continue;
                }
                _ => continue,
            };
            let Some(name_node) = name_node else {
                continue;
            };
            let param_name = self.code[name_node.byte_range()].to_owned();
            let default_value = default.map(|d| match self.defaults.get(&d.id()) {
                Some(read) => read.clone(),
                None => self.eval(parent).value(d),
            });
            let value = match class {
                Some(class) if params.is_empty() => Value::Instance(class),
                _ => Value::Str(functions::marker(index, params.len())),
            };
            self.scopes.bind(&param_name, value.clone(), Some(frame));
            if let Some(default) = default_value.clone() {
                self.keep_header_default(body, frame, &param_name, value, default);
            }
            let default = default_value.and_then(|v| v.as_text().cloned());
            params.push(Param {
                name: param_name,
                positional: !keyword_only,
                default,
            });
        }

        let has_defaults = params.iter().any(|p| p.default.is_some());
        let name = self.code[name.byte_range()].to_owned();
        self.calls.functions.push(Function {
            name: name.clone(),
            params: params.clone(),
        });
        if has_defaults {
            // Callers outside the file may rely on the defaults.
            let site = CallSite {
                name: name.clone(),
                positional: Vec::new(),
                keywords: Vec::new(),
                caller: None,
            };
            let found = self.calls.add_site(site);
            self.push_findings(found);
        }

        self.walk(body, Some(frame));
        let Some(reads) = self.eval(Some(frame)).module_reads(body, &name) else {
            return;
        };
        let value = if self.decorators_keep_returns(node, parent) {
            self.returned(node, frame)
        } else {
            Value::Unknown
        };
        let returns = Returns {
            def: node.id(),
            function: Some(index),
            params,
            value,
            reads,
            coroutine: node.child(0).is_some_and(|first| kind_of(first) == "async"),
        };
        self.bind_returns(&name, parent, returns);
    }

    /// Whether the function `node` is bound to what its own body returns:
    /// it has no decorator, or only ones known to keep the return value
    /// (caches, retries). Any other decorator may replace the function.
    fn decorators_keep_returns(&self, node: Node<'t>, parent: Option<usize>) -> bool {
        let Some(decorated) = node
            .parent()
            .filter(|p| kind_of(*p) == "decorated_definition")
        else {
            return true;
        };
        let eval = self.eval(parent);
        let mut cursor = decorated.walk();
        let decorators: Vec<Node<'t>> = decorated
            .named_children(&mut cursor)
            .filter(|c| kind_of(*c) == "decorator")
            .collect();
        decorators.into_iter().all(|decorator| {
            let Some(mut expr) = decorator.named_child(0) else {
                return false;
            };
            if kind_of(expr) == "call" {
                match child_in(expr, "function") {
                    Some(function) => expr = function,
                    None => return false,
                }
            }
            eval.canonical(expr)
                .is_some_and(|name| KEEP_RETURNS.contains(&name.as_str()))
        })
    }

    /// Binds what a function just walked returns to its name, unless the
    /// name was bound to something else since the definition.
    fn bind_returns(&mut self, name: &str, parent: Option<usize>, returns: Returns) {
        let still_this = matches!(
            self.scopes.bound_here(name, parent),
            Some(Value::Function(defined)) if defined.def == returns.def
        );
        if still_this {
            self.bind(name, Value::Function(Rc::new(returns)), parent);
        }
    }

    /// What the function `node` returns, read from its `return`
    /// statements with the names as they are at the end of its body:
    /// their one value, leaving out `None` (a guard's early return), or
    /// nothing known when they differ. A generator function returns
    /// neither. (An `async def`'s call is a coroutine; `await` gives its
    /// value, and the evaluator reads `await x` as `x`.)
    fn returned(&self, node: Node<'t>, frame: usize) -> Value {
        let Some(body) = child_in(node, "body") else {
            return Value::Unknown;
        };
        let mut values: Vec<Value> = Vec::new();
        let mut stack = vec![body];
        let mut seen = 0;
        while let Some(at) = stack.pop() {
            seen += 1;
            if seen > MAX_RETURN_SCAN {
                return Value::Unknown;
            }
            match kind_of(at) {
                "function_definition" | "lambda" | "class_definition" => continue,
                "yield" => return Value::Unknown,
                "return_statement" => {
                    let value = at
                        .named_child(0)
                        .map_or(Value::None, |expr| self.eval(Some(frame)).value(expr));
                    if value != Value::None && !values.contains(&value) {
                        values.push(value);
                    }
                }
                _ => {}
            }
            let mut cursor = at.walk();
            stack.extend(at.named_children(&mut cursor));
        }
        match values.len() {
            0 => Value::None,
            1 => values.remove(0),
            _ => Value::Unknown,
        }
    }

    /// Keeps a parameter's default for judging the headers it is passed
    /// as, when it may be headers (`None`, a dict, a list of pairs) and
    /// the body only ever passes the name on by keyword: a body that
    /// changes or rebinds it (`h.update(...)`, `h = h or {}`) may add the
    /// token in ways the default does not show.
    // A function given the name by keyword (`f(h=h)`) may still change
    // a dict default in place; that is taken as unlikely.
    fn keep_header_default(
        &mut self,
        body: Node,
        frame: usize,
        name: &str,
        marker: Value,
        default: Value,
    ) {
        if !matches!(default, Value::None | Value::Dict(_) | Value::List(_)) {
            return;
        }
        if !only_passed_by_keyword(body, name, self.code) {
            return;
        }
        if let Some(f) = self.scopes.frames.get_mut(frame) {
            let default = ParamDefault {
                marker,
                value: default,
            };
            f.defaults.insert(name.to_owned(), default);
        }
    }

    /// The string names visible from `frame`, for shell code run here.
    pub(super) fn visible_strings(&self, frame: Option<usize>) -> Env {
        let mut env = self.scopes.strings.clone();
        let mut chain = Vec::new();
        let mut at = frame;
        while let Some(index) = at {
            let Some(f) = self.scopes.frames.get(index) else {
                break;
            };
            chain.push(index);
            at = f.parent;
        }
        for index in chain.into_iter().rev() {
            for (name, value) in &self.scopes.frames[index].vars {
                match value.as_text() {
                    Some(text) if !functions::has_markers(text) => {
                        env.insert(name.clone(), text.clone());
                    }
                    _ => {
                        env.remove(name);
                    }
                }
            }
        }
        env
    }
}

/// Whether every use of the name `name` in `body` is the value of a
/// keyword argument (`headers=h`).
fn only_passed_by_keyword(body: Node, name: &str, code: &str) -> bool {
    identifiers(body)
        .filter(|node| &code[node.byte_range()] == name)
        .all(|node| {
            node.parent().is_some_and(|parent| {
                kind_of(parent) == "keyword_argument"
                    && child_in(parent, "value").is_some_and(|value| value.id() == node.id())
            })
        })
}

/// Whether a binding is written in an `except` handler of the function,
/// class or module it belongs to.
fn in_except_handler(node: Node) -> bool {
    let mut at = node.parent();
    while let Some(parent) = at {
        match kind_of(parent) {
            "except_clause" | "except_group_clause" => return true,
            "function_definition" | "class_definition" | "lambda" | "module" => return false,
            _ => at = parent.parent(),
        }
    }
    false
}

/// The names an assignment's target binds: `x`, `a, b`, `[a, *b]`; not
/// items or attributes.
fn target_names<'c>(target: Node, code: &'c str) -> Vec<&'c str> {
    let mut names = Vec::new();
    let mut stack = vec![target];
    while let Some(node) = stack.pop() {
        match kind_of(node) {
            "identifier" => names.push(&code[node.byte_range()]),
            "pattern_list"
            | "tuple_pattern"
            | "list_pattern"
            | "list_splat_pattern"
            | "parenthesized_expression" => {
                let mut cursor = node.walk();
                stack.extend(node.named_children(&mut cursor));
            }
            _ => {}
        }
    }
    names
}
