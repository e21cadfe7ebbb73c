//! Where Python names live: the module (shared by a notebook's cells), and
//! the function and class bodies of the cell being analysed.

use std::collections::{HashMap, HashSet};

use crate::text::Env;

use super::value::Value;

/// What kind of body a frame is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FrameKind {
    /// A function body; `function` indexes the analyser's functions.
    Function {
        /// Index in the analyser's function list.
        function: usize,
    },
    /// A class body; its names are the class's attributes (and, for this
    /// analyser, `self`'s too).
    Class,
}

/// The names bound in one function or class body.
#[derive(Debug, Clone)]
pub(super) struct Frame {
    /// What kind of body it is.
    pub kind: FrameKind,
    /// The enclosing frame, `None` for the module.
    pub parent: Option<usize>,
    /// Names bound here.
    pub vars: HashMap<String, Value>,
    /// Names declared `global` here.
    pub globals: HashSet<String>,
    /// Names an `import` in this body binds: modules, or values from
    /// them, which the analyser does not know.
    pub imported: HashSet<String>,
    /// Parameters whose default a call may leave in place, by name (see
    /// [`Scopes::parameter_default`]).
    pub defaults: HashMap<String, ParamDefault>,
}

/// A function parameter's default value, with the marker the parameter
/// holds while the body runs.
#[derive(Debug, Clone)]
pub(super) struct ParamDefault {
    /// The marker bound to the parameter.
    pub marker: Value,
    /// The default value.
    pub value: Value,
}

/// Where a name is bound.
#[derive(Debug, Clone, Copy)]
enum Owner {
    /// The module.
    Module,
    /// A frame, by index.
    Frame(usize),
    /// An `import` in a frame: no value known, and not a variable for
    /// names' resolution (`requests.get` after `import requests` there).
    Imported,
}

/// The names of a module and of the bodies of one cell.
#[derive(Debug, Default)]
pub(super) struct Scopes {
    /// Module-level names, all values.
    pub module: HashMap<String, Value>,
    /// Module-level names bound to strings (what `!` lines can expand).
    pub strings: Env,
    /// Function and class bodies of the cell, by index.
    pub frames: Vec<Frame>,
}

impl Scopes {
    /// Opens a frame inside `parent`; returns its index.
    pub(super) fn open(&mut self, kind: FrameKind, parent: Option<usize>) -> usize {
        self.frames.push(Frame {
            kind,
            parent,
            vars: HashMap::new(),
            globals: HashSet::new(),
            imported: HashSet::new(),
            defaults: HashMap::new(),
        });
        self.frames.len() - 1
    }

    /// Where `name` is bound as seen from `frame`, following Python: the
    /// innermost function bodies, then the module; a class body only from
    /// itself.
    fn owner(&self, name: &str, frame: Option<usize>) -> Option<Owner> {
        let mut at = frame;
        let mut innermost = true;
        while let Some(index) = at {
            let f = self.frames.get(index)?;
            if f.globals.contains(name) {
                break;
            }
            let visible = innermost || matches!(f.kind, FrameKind::Function { .. });
            if visible && f.vars.contains_key(name) {
                return Some(Owner::Frame(index));
            }
            if visible && f.imported.contains(name) {
                return Some(Owner::Imported);
            }
            innermost = false;
            at = f.parent;
        }
        self.module.contains_key(name).then_some(Owner::Module)
    }

    /// The value of `name` as seen from `frame`.
    pub(super) fn get(&self, name: &str, frame: Option<usize>) -> Option<&Value> {
        match self.owner(name, frame)? {
            Owner::Frame(index) => self.frames[index].vars.get(name),
            Owner::Module => self.module.get(name),
            Owner::Imported => None,
        }
    }

    /// The value of `name`, to change in place (`h.update(...)`).
    pub(super) fn get_mut(&mut self, name: &str, frame: Option<usize>) -> Option<&mut Value> {
        match self.owner(name, frame)? {
            Owner::Frame(index) => self.frames[index].vars.get_mut(name),
            Owner::Module => self.module.get_mut(name),
            Owner::Imported => None,
        }
    }

    /// Whether `name` is bound to a value (not only imported).
    pub(super) fn is_bound(&self, name: &str, frame: Option<usize>) -> bool {
        matches!(
            self.owner(name, frame),
            Some(Owner::Frame(_) | Owner::Module)
        )
    }

    /// Whether `name`, seen from `frame`, is bound in a function or class
    /// body rather than in the module.
    pub(super) fn is_bound_in_frame(&self, name: &str, frame: Option<usize>) -> bool {
        !matches!(self.owner(name, frame), Some(Owner::Module) | None)
    }

    /// Records that an `import` in `frame` binds `name` there.
    pub(super) fn import_in(&mut self, name: &str, frame: usize) {
        if let Some(f) = self.frames.get_mut(frame) {
            f.vars.remove(name);
            f.imported.insert(name.to_owned());
        }
    }

    /// The value `name` holds where [`Scopes::bind`] would bind it in
    /// `frame`, if it is bound there.
    pub(super) fn bound_here(&self, name: &str, frame: Option<usize>) -> Option<&Value> {
        if let Some(f) = frame.and_then(|index| self.frames.get(index)) {
            if !f.globals.contains(name) {
                return f.vars.get(name);
            }
        }
        self.module.get(name)
    }

    /// The default value of the parameter `name` as seen from `frame`,
    /// while the name still holds the parameter's marker: a call that
    /// passes no argument for it runs with that value.
    pub(super) fn parameter_default(&self, name: &str, frame: Option<usize>) -> Option<&Value> {
        let Owner::Frame(index) = self.owner(name, frame)? else {
            return None;
        };
        let f = self.frames.get(index)?;
        let default = f.defaults.get(name)?;
        (f.vars.get(name) == Some(&default.marker)).then_some(&default.value)
    }

    /// Binds `name` in `frame` (or the module, also for `global` names).
    pub(super) fn bind(&mut self, name: &str, value: Value, frame: Option<usize>) {
        if let Some(index) = frame {
            if let Some(f) = self.frames.get_mut(index) {
                if !f.globals.contains(name) {
                    f.vars.insert(name.to_owned(), value);
                    return;
                }
            }
        }
        match &value {
            Value::Str(_) | Value::Number(_) => {
                self.strings.insert(name.to_owned(), value.text());
            }
            _ => {
                self.strings.remove(name);
            }
        }
        self.module.insert(name.to_owned(), value);
    }

    /// Removes a module-level binding (the name was imported instead).
    pub(super) fn unbind_module(&mut self, name: &str) {
        self.module.remove(name);
        self.strings.remove(name);
    }

    /// Declares `name` global in `frame`.
    pub(super) fn declare_global(&mut self, name: &str, frame: Option<usize>) {
        if let Some(f) = frame.and_then(|index| self.frames.get_mut(index)) {
            f.globals.insert(name.to_owned());
        }
    }

    /// The innermost function the frame is in.
    pub(super) fn function_of(&self, frame: Option<usize>) -> Option<usize> {
        let mut at = frame;
        while let Some(index) = at {
            let f = self.frames.get(index)?;
            if let FrameKind::Function { function } = f.kind {
                return Some(function);
            }
            at = f.parent;
        }
        None
    }

    /// `frame` itself when it is a class body.
    pub(super) fn class_frame(&self, frame: Option<usize>) -> Option<usize> {
        let index = frame?;
        (self.frames.get(index)?.kind == FrameKind::Class).then_some(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Text;

    fn s(v: &str) -> Value {
        Value::Str(Text::lit(v))
    }

    #[test]
    fn locals_shadow_globals_and_class_bodies_are_private() {
        let mut scopes = Scopes::default();
        scopes.bind("x", s("module"), None);
        let class = scopes.open(FrameKind::Class, None);
        scopes.bind("y", s("class"), Some(class));
        let method = scopes.open(FrameKind::Function { function: 0 }, Some(class));
        assert_eq!(scopes.get("x", Some(method)), Some(&s("module")));
        assert_eq!(scopes.get("y", Some(method)), None);
        assert_eq!(scopes.get("y", Some(class)), Some(&s("class")));
        scopes.bind("x", s("local"), Some(method));
        assert_eq!(scopes.get("x", Some(method)), Some(&s("local")));
        assert_eq!(scopes.get("x", None), Some(&s("module")));
        assert_eq!(scopes.strings.get("x"), Some(&Text::lit("module")));
        assert_eq!(scopes.class_frame(Some(class)), Some(class));
        assert_eq!(scopes.class_frame(Some(method)), None);
        assert_eq!(scopes.function_of(Some(method)), Some(0));
    }

    #[test]
    fn global_declarations_bind_in_the_module() {
        let mut scopes = Scopes::default();
        let f = scopes.open(FrameKind::Function { function: 0 }, None);
        scopes.declare_global("g", Some(f));
        scopes.bind("g", s("v"), Some(f));
        assert_eq!(scopes.get("g", None), Some(&s("v")));
        scopes.bind("g", Value::Unknown, None);
        assert!(!scopes.strings.contains_key("g"));
    }
}
