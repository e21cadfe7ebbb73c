//! Dicts changed in place by calls: the changes the analyser models
//! (`update`, `setdefault`), and the calls it cannot follow (another dict
//! method, a function given the dict), after which the dict may hold
//! anything, the token header included, and is assumed to (IMD001's rule
//! for headers it cannot resolve).

use tree_sitter::Node;

use crate::text::Text;

use super::args::Args;
use super::kind_of;
use super::value::{Dict, Value};
use super::walk::CellWalk;

/// Functions, by canonical name, that read the arguments they are given
/// and never change them.
const READ_ONLY_FUNCTIONS: &[&str] = &[
    "all",
    "any",
    "bool",
    "dict",
    "display",
    "enumerate",
    "format",
    "frozenset",
    "hash",
    "id",
    "isinstance",
    "iter",
    "len",
    "list",
    "print",
    "repr",
    "reversed",
    "set",
    "sorted",
    "str",
    "tuple",
    "type",
    "zip",
];

/// Modules whose functions and classes copy or read the dicts they are
/// given: HTTP clients (a headers dict passed to one is sent, not
/// changed), serialisers, logging.
const READ_ONLY_MODULES: &[&str] = &[
    "aiohttp",
    "copy",
    "http",
    "httplib",
    "httpx",
    "json",
    "logging",
    "os",
    "posixpath",
    "pprint",
    "pycurl",
    "requests",
    "six",
    "urllib",
    "urllib2",
    "urllib3",
];

/// Dict methods that only read the dict.
const READ_ONLY_DICT_METHODS: &[&str] = &[
    "__contains__",
    "__getitem__",
    "__iter__",
    "__len__",
    "copy",
    "get",
    "items",
    "keys",
    "values",
];

/// Whether the function or class `name` (canonical) leaves its arguments
/// as they were.
pub(super) fn reads_only(name: &str) -> bool {
    let module = name.split('.').next().unwrap_or_default();
    READ_ONLY_FUNCTIONS.contains(&name) || (name != module && READ_ONLY_MODULES.contains(&module))
}

impl CellWalk<'_, '_, '_> {
    /// A call that may change the dicts passed to it: each dict an
    /// argument names is opened.
    pub(super) fn may_change_arguments(&mut self, arguments: Node, frame: Option<usize>) {
        let args = Args::of(arguments, self.code);
        let given = args
            .positional
            .iter()
            .copied()
            .chain(args.keywords.iter().map(|(_, value)| *value));
        for node in given.collect::<Vec<Node>>() {
            self.open_dict(node, frame);
        }
    }

    /// `l.append(x)`, `l.extend(xs)`, `l.insert(i, x)` on a known list (an
    /// opener's `addheaders`): the items it gains; `l.clear()` empties it;
    /// a method that may drop some (`pop`, `remove`) leaves it unknown.
    pub(super) fn list_method(
        &mut self,
        receiver: Node,
        method: &str,
        arguments: Node,
        frame: Option<usize>,
    ) {
        if !matches!(kind_of(receiver), "identifier" | "attribute") {
            return;
        }
        let args = Args::of(arguments, self.code);
        let eval = self.eval(frame);
        let value = |index: usize| {
            args.positional
                .get(index)
                .map_or(Value::Unknown, |node| eval.value(*node))
        };
        let added = match method {
            "append" => vec![value(0)],
            "insert" => {
                // Where the item goes matters to `l[0]`: a known position
                // is followed, any other leaves the list unknown.
                let at = args
                    .positional
                    .first()
                    .and_then(|n| list_index(self.code, *n));
                let item = value(1);
                if let Some(place) = self.place(receiver, frame) {
                    match (place, at) {
                        (Value::List(items), Some(at)) => items.insert(at.min(items.len()), item),
                        (place, _) => *place = Value::Unknown,
                    }
                }
                return;
            }
            "extend" => match value(0) {
                Value::List(items) => items,
                _ => vec![Value::Unknown],
            },
            "clear" => {
                if let Some(Value::List(items)) = self.place(receiver, frame) {
                    items.clear();
                }
                return;
            }
            // Copies and counts change nothing.
            "copy" | "count" | "index" => return,
            // `pop`, `remove`, `sort`, `reverse`...: which items are left,
            // or where, is not followed.
            _ => {
                if let Some(place) = self.place(receiver, frame) {
                    *place = Value::Unknown;
                }
                return;
            }
        };
        if let Some(Value::List(items)) = self.place(receiver, frame) {
            items.extend(added);
        }
    }

    /// `h.method(...)` on a known dict.
    pub(super) fn dict_method(
        &mut self,
        receiver: Node,
        method: &str,
        arguments: Node,
        frame: Option<usize>,
    ) {
        match method {
            "update" => self.update_dict(receiver, arguments, frame),
            "setdefault" => self.set_default(receiver, arguments, frame),
            _ if READ_ONLY_DICT_METHODS.contains(&method) => {}
            // `pop`, `clear`, `__setitem__`, `__ior__`...: not modelled.
            _ => self.open_dict(receiver, frame),
        }
    }

    /// Marks the dict `node` names (`h`, `s.headers`), or the headers of
    /// the client object it names (a `Request`, a session), as holding
    /// entries the analyser cannot see.
    fn open_dict(&mut self, node: Node, frame: Option<usize>) {
        if !matches!(kind_of(node), "identifier" | "attribute") {
            return;
        }
        match self.place(node, frame) {
            Some(Value::Dict(dict)) => dict.open = true,
            // Its items may be reordered, replaced or dropped.
            Some(place @ Value::List(_)) => *place = Value::Unknown,
            Some(Value::Object(object)) => {
                if let Some(headers) = object.headers_mut() {
                    headers.open = true;
                }
            }
            _ => {}
        }
    }

    /// `h.update({...})`, `s.headers.update(k=v)`.
    fn update_dict(&mut self, receiver: Node, arguments: Node, frame: Option<usize>) {
        let eval = self.eval(frame);
        let args = Args::of(arguments, self.code);
        let mut more = Dict::default();
        for positional in &args.positional {
            more.merge(&eval.value(*positional));
        }
        for (key, value) in &args.keywords {
            more.insert(Text::lit(*key), eval.value(*value));
        }
        for splat in &args.dict_splats {
            more.merge(&eval.value(*splat));
        }
        more.open |= args.list_splat;
        if let Some(Value::Dict(dict)) = self.place(receiver, frame) {
            dict.merge(&Value::Dict(more));
        }
    }

    /// `h.setdefault(key, value)`: the entry is added when the key is not
    /// there yet.
    fn set_default(&mut self, receiver: Node, arguments: Node, frame: Option<usize>) {
        let eval = self.eval(frame);
        let args = Args::of(arguments, self.code);
        let (Some(key), false) = (args.get(0, "key"), args.has_splat()) else {
            self.open_dict(receiver, frame);
            return;
        };
        let key = eval.text(key);
        // No default stores None, which the analyser does not know.
        let value = args
            .get(1, "default")
            .map_or(Value::Unknown, |n| eval.value(n));
        if let Some(Value::Dict(dict)) = self.place(receiver, frame) {
            let present = key.as_literal().is_some_and(|k| dict.get(k).is_some());
            if !present {
                dict.insert(key, value);
            }
        }
    }
}

/// A list position written as a non-negative integer literal.
pub(super) fn list_index(code: &str, node: Node) -> Option<usize> {
    (kind_of(node) == "integer")
        .then(|| code[node.byte_range()].replace('_', "").parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_names() {
        assert!(reads_only("print"));
        assert!(reads_only("json.dumps"));
        assert!(reads_only("requests.Session"));
        assert!(!reads_only("json"));
        assert!(!reads_only("helpers.sign"));
        assert!(!reads_only("fill"));
    }
}
