//! Names in scope while a Scala cell is walked: what each `val`, parameter
//! and import binds, frame by frame, so that inner names shadow outer ones.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::process::Command;
use super::returns::Def;
use crate::text::{Env, Text};

/// What a name is bound to, as far as the analyser follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A string.
    Text(Text),
    /// A `java.net.URL` or `java.net.URI` of this address.
    Url(Text),
    /// A `URLConnection` the cell opened (index into the cell's connections).
    Connection(usize),
    /// An `HttpRequest.Builder` the cell made (index into its builders).
    Builder(usize),
    /// An `HttpRequest` built from one of the cell's builders.
    Request(usize),
    /// An IMDSv2 session token the code fetched correctly.
    Token,
    /// A `sys.process` command: `Seq("curl", ...)` or `Process(...)`.
    Command(Command),
    /// An import: the fully qualified name it stands for.
    Alias(String),
    /// A `def` with parameters whose body is a string or URL.
    Def(Rc<Def>),
    /// Anything else (a parameter, a number, a call result): it still
    /// shadows outer names.
    Other,
}

impl Value {
    /// The string this value stands for in a string context: a URL's
    /// address, unknown for anything but text.
    pub fn text(&self) -> Text {
        match self {
            Value::Text(text) | Value::Url(text) => text.clone(),
            _ => Text::unknown(),
        }
    }

    /// What a later cell sees: connections and builders belong to the cell
    /// that made them, and each cell fetches its own token (a cell can run
    /// on its own).
    fn for_next_cell(self) -> Option<Value> {
        match self {
            Value::Connection(_) | Value::Builder(_) | Value::Request(_) => None,
            Value::Token => Some(Value::Other),
            other => Some(other),
        }
    }
}

/// The names a notebook's earlier cells left at top level.
pub type Globals = HashMap<String, Value>;

/// A stack of frames, innermost last. Frame 0 is the cell's top level.
#[derive(Debug)]
pub struct Scopes {
    frames: Vec<HashMap<String, Value>>,
    /// By frame, the names whose members (`Name.member`) it binds.
    heads: Vec<HashSet<String>>,
}

impl Scopes {
    /// Scopes whose top level starts with what earlier cells bound.
    pub fn new(globals: &Globals) -> Self {
        let heads = globals
            .keys()
            .filter_map(|name| Some(name.split_once('.')?.0.to_owned()))
            .collect();
        Scopes {
            frames: vec![globals.clone()],
            heads: vec![heads],
        }
    }

    /// Opens an inner frame.
    pub fn push(&mut self) {
        self.frames.push(HashMap::new());
        self.heads.push(HashSet::new());
    }

    /// Closes the innermost frame and returns what it bound; the top level
    /// is never closed.
    pub fn pop(&mut self) -> HashMap<String, Value> {
        if self.frames.len() > 1 {
            self.heads.pop();
            self.frames.pop().unwrap_or_default()
        } else {
            HashMap::new()
        }
    }

    /// Binds `name` in the innermost frame. A plain name bound where an
    /// object's members were hides them (`val Imds = ...` after `object
    /// Imds` in an earlier cell).
    pub fn bind(&mut self, name: impl Into<String>, value: Value) {
        let name = name.into();
        let (Some(frame), Some(heads)) = (self.frames.last_mut(), self.heads.last_mut()) else {
            return;
        };
        match name.split_once('.') {
            Some((head, _)) => {
                heads.insert(head.to_owned());
            }
            None if heads.remove(&name) => {
                let members = format!("{name}.");
                frame.retain(|key, _| !key.starts_with(&members));
            }
            None => {}
        }
        frame.insert(name, value);
    }

    /// The innermost binding of `name`. A member path (`Imds.url`) is not
    /// seen past a frame that binds its first name to something else (a
    /// parameter or a local `val Imds`).
    pub fn lookup(&self, name: &str) -> Option<&Value> {
        let head = name.split_once('.').map(|(head, _)| head);
        for frame in self.frames.iter().rev() {
            if let Some(value) = frame.get(name) {
                return Some(value);
            }
            if head.is_some_and(|head| frame.contains_key(head)) {
                return None;
            }
        }
        None
    }

    /// Every binding whose name starts with `prefix`, innermost first.
    pub fn with_prefix(&self, prefix: &str) -> Vec<(String, Value)> {
        let mut seen = HashMap::new();
        for frame in self.frames.iter().rev() {
            for (name, value) in frame {
                if name.starts_with(prefix) && !seen.contains_key(name) {
                    seen.insert(name.clone(), value.clone());
                }
            }
        }
        seen.into_iter().collect()
    }

    /// A `var` assigned: in its own frame the value is replaced; from an
    /// inner frame (a branch, a loop, a function) it becomes unknown, since
    /// the assignment may or may not have run.
    pub fn assign(&mut self, name: &str, value: Value) {
        let innermost = self.frames.len() - 1;
        for (depth, frame) in self.frames.iter_mut().enumerate().rev() {
            if let Some(slot) = frame.get_mut(name) {
                *slot = if depth == innermost {
                    value
                } else {
                    Value::Other
                };
                return;
            }
        }
    }

    /// The innermost name bound to a session token, if any is in scope.
    pub fn token(&self) -> Option<&str> {
        for frame in self.frames.iter().rev() {
            let mut names: Vec<&String> = frame
                .iter()
                .filter(|(name, value)| **value == Value::Token && !name.contains('.'))
                .map(|(name, _)| name)
                .collect();
            // The same answer on every run, whatever the map's order.
            names.sort();
            if let Some(name) = names.first() {
                return Some(name.as_str());
            }
        }
        None
    }

    /// The strings in scope, innermost binding first, as shell code that
    /// interpolates them sees them.
    pub fn strings(&self) -> Env {
        let mut env = Env::new();
        for frame in &self.frames {
            for (name, value) in frame {
                match value {
                    Value::Text(text) => {
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

    /// The top level as the next cell sees it.
    pub fn into_globals(mut self) -> Globals {
        self.frames
            .swap_remove(0)
            .into_iter()
            .filter_map(|(name, value)| value.for_next_cell().map(|v| (name, v)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::Text(Text::lit(s))
    }

    #[test]
    fn inner_frames_shadow_and_end() {
        let mut scopes = Scopes::new(&Globals::new());
        scopes.bind("u", text("a"));
        scopes.push();
        scopes.bind("u", Value::Other);
        assert_eq!(scopes.lookup("u"), Some(&Value::Other));
        scopes.pop();
        assert_eq!(scopes.lookup("u"), Some(&text("a")));
        assert_eq!(scopes.lookup("v"), None);
    }

    #[test]
    fn assignment_from_an_inner_frame_makes_the_value_unknown() {
        let mut scopes = Scopes::new(&Globals::new());
        scopes.bind("u", text("a"));
        scopes.assign("u", text("b"));
        assert_eq!(scopes.lookup("u"), Some(&text("b")));
        scopes.push();
        scopes.assign("u", text("c"));
        scopes.pop();
        assert_eq!(scopes.lookup("u"), Some(&Value::Other));
    }

    #[test]
    fn connections_do_not_reach_the_next_cell() {
        let mut scopes = Scopes::new(&Globals::new());
        scopes.bind("c", Value::Connection(0));
        scopes.bind("u", text("a"));
        scopes.bind("t", Value::Token);
        assert_eq!(scopes.token(), Some("t"));
        let globals = scopes.into_globals();
        assert!(globals.contains_key("u"));
        assert!(!globals.contains_key("c"));
        assert_eq!(globals.get("t"), Some(&Value::Other));
        assert_eq!(Scopes::new(&globals).lookup("u"), Some(&text("a")));
    }
}
