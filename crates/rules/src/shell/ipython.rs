//! IPython's expansion of the shell commands it runs (`!cmd`, `%sx`,
//! `%system`, `get_ipython().system(...)`): whether it surely happens, and
//! what to tell people when it may not.
//!
//! IPython replaces `$name` and `{expr}` with Python values and `$$` with
//! `$` before the shell gets the command, but only when every one of them
//! evaluates: on any failure it hands over the whole command as written.
//! A fix writes the shell's `$IMDS_TOKEN` as `$$IMDS_TOKEN`, which is right
//! only where the expansion happens.

use crate::finding::{Finding, Rule};
use crate::request::{TOKEN_HEADER, TTL_HEADER};
use crate::text::Env;

/// Why no fix is offered where IPython's expansion may fail.
const UNSURE_EXPANSION: &str = "IPython leaves the whole command unexpanded when a `$name` or \
     `{expr}` in it is not a Python value it can read, and the `$$` a fix would write for the \
     token would then reach the shell as it is";

/// Withholds, with help, each fix among `findings` that writes `$$` for
/// IPython to expand, when the expansion of `code` with the Python values
/// `env` may fail.
pub(crate) fn withhold_unsure_fixes(findings: &mut [Finding], code: &str, env: &Env) {
    if expands_surely(code, env) {
        return;
    }
    for finding in findings {
        let doubles_dollars = finding
            .fix
            .as_ref()
            .is_some_and(|fix| fix.edits.iter().any(|e| e.content.contains("$$")));
        if doubles_dollars {
            finding.fix = None;
            finding.help = Some(format!("{UNSURE_EXPANSION}; {}", by_hand(finding.rule)));
        }
    }
}

/// What to change by hand for a finding of `rule` whose fix is withheld.
pub(crate) fn by_hand(rule: Rule) -> String {
    match rule {
        Rule::MalformedTokenRequest => {
            format!("send the token request with PUT and a `{TTL_HEADER}` header by hand")
        }
        _ => format!(
            "fetch a token with `PUT /latest/api/token` and send it in the `{TOKEN_HEADER}` \
             header by hand"
        ),
    }
}

/// Whether IPython's expansion of `code` surely succeeds: every `$name`
/// and `{name}` in it names a Python string the analyser knows. It fails
/// as a whole, leaving the text as written, on any name it cannot read,
/// on any other expression that raises, and on a lone brace.
fn expands_surely(code: &str, env: &Env) -> bool {
    let bytes = code.as_bytes();
    let known = |name: &str| env.contains_key(name);
    let name_at = |start: usize| {
        let len = code[start..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(code.len() - start);
        &code[start..start + len]
    };
    let mut i = 0;
    while i < bytes.len() {
        i = match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'$') => i + 2,
            b'{' if bytes.get(i + 1) == Some(&b'{') => i + 2,
            b'}' if bytes.get(i + 1) == Some(&b'}') => i + 2,
            b'$' => {
                let name = name_at(i + 1);
                if !name.is_empty() && !known(name) {
                    return false;
                }
                i + 1 + name.len()
            }
            b'{' => {
                let name = name_at(i + 1);
                if !known(name) || bytes.get(i + 1 + name.len()) != Some(&b'}') {
                    return false;
                }
                i + 2 + name.len()
            }
            b'}' => return false,
            _ => i + 1,
        };
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Text;

    fn python(names: &[&str]) -> Env {
        names
            .iter()
            .map(|n| ((*n).to_owned(), Text::lit("v")))
            .collect()
    }

    #[test]
    fn expansion_is_sure_only_with_known_values() {
        let env = python(&["url", "key"]);
        for code in [
            "curl -s x",
            "curl $url$key",
            "curl {url} $$X",
            "{{x}} $",
            "$(ls)",
            "${url}",
        ] {
            assert!(expands_surely(code, &env), "{code}");
        }
        for code in [
            "curl $HOME",
            "awk '{print $1}'",
            "{url()}",
            "${HOME}",
            "$1",
            "}",
            "{",
        ] {
            assert!(!expands_surely(code, &env), "{code}");
        }
    }
}
