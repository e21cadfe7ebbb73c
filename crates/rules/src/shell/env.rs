//! Shell variables as the analyser follows them through a cell.
//!
//! Assignments are taken in the order they are written, whatever runs
//! them: one in a function body or an `if` branch counts for everything
//! written after it. That is how scripts are read by people too, and it
//! keeps a URL set in one branch visible to the request in the next.

use std::collections::HashMap;

use crate::text::{Env, Text};

/// The variables a shell command can see.
#[derive(Debug, Clone)]
pub(super) struct ShellEnv<'o> {
    /// Set in the cell so far.
    vars: HashMap<String, Text>,
    /// Names unset in the cell, which no longer fall back to `outer`.
    unset: Vec<String>,
    /// Visible from outside the shell (a notebook's Python names for `!`
    /// lines, the host's values for shell inside host strings).
    outer: &'o Env,
    /// Whether `{expr}` in a word is a host value (IPython `!` lines and
    /// Python f-strings expand it before the shell runs).
    braces: bool,
}

impl<'o> ShellEnv<'o> {
    /// An environment seeing `outer`; `braces` as for [`ShellEnv::braces`].
    pub fn new(outer: &'o Env, braces: bool) -> Self {
        ShellEnv {
            vars: HashMap::new(),
            unset: Vec::new(),
            outer,
            braces,
        }
    }

    /// The value of `name`, if it is set in the cell or outside it.
    pub fn get(&self, name: &str) -> Option<&Text> {
        self.vars.get(name).or_else(|| {
            if self.unset.iter().any(|n| n == name) {
                None
            } else {
                self.outer.get(name)
            }
        })
    }

    /// Sets `name`.
    pub fn set(&mut self, name: &str, value: Text) {
        self.unset.retain(|n| n != name);
        self.vars.insert(name.to_owned(), value);
    }

    /// Unsets `name`.
    pub fn unset(&mut self, name: &str) {
        self.vars.remove(name);
        self.unset.push(name.to_owned());
    }

    /// A host value named by `{expr}`, when braces are host values:
    /// `Some(unknown)` for an expression the host does not hold.
    pub fn host_value(&self, expr: &str) -> Option<Text> {
        self.braces.then(|| {
            self.outer
                .get(expr.trim())
                .cloned()
                .unwrap_or_else(Text::unknown)
        })
    }

    /// Whether `{expr}` in words is a host value.
    pub fn braces(&self) -> bool {
        self.braces
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_values_shadow_outer_ones_until_unset() {
        let outer = Env::from([("MD".to_owned(), Text::lit("outer"))]);
        let mut env = ShellEnv::new(&outer, false);
        assert_eq!(env.get("MD"), Some(&Text::lit("outer")));
        env.set("MD", Text::lit("inner"));
        assert_eq!(env.get("MD"), Some(&Text::lit("inner")));
        env.unset("MD");
        assert_eq!(env.get("MD"), None);
        assert_eq!(env.get("OTHER"), None);
    }

    #[test]
    fn braces_are_host_values_only_when_asked() {
        let outer = Env::from([("url".to_owned(), Text::lit("http://x"))]);
        assert_eq!(ShellEnv::new(&outer, false).host_value("url"), None);
        let env = ShellEnv::new(&outer, true);
        assert_eq!(env.host_value(" url "), Some(Text::lit("http://x")));
        assert_eq!(env.host_value("tok[0]"), Some(Text::unknown()));
    }
}
