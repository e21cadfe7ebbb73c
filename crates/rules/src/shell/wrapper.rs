//! Commands that run another command: `sudo curl ...`, `timeout 5 curl
//! ...`, `env A=1 curl ...`. The request is the wrapped command's.

use super::argv::Word;
use super::options::{scan, Arg, Spec};

/// How one wrapper reads its own arguments before the wrapped command.
struct Wrapper {
    /// The wrapper's name.
    name: &'static str,
    /// Its options.
    spec: Spec,
    /// Operands it takes before the command (`timeout`'s duration).
    operands: usize,
    /// Whether `NAME=value` words may come before the command (`env`, `sudo`).
    assignments: bool,
}

const fn spec(short_valued: &'static str, long_valued: &'static [&'static str]) -> Spec {
    Spec {
        short_valued,
        short_lettered: "",
        long_valued,
        long_prefix: "",
        stop_at_operand: true,
    }
}

const WRAPPERS: &[Wrapper] = &[
    Wrapper {
        name: "sudo",
        spec: spec(
            "ughpCDRTUrt",
            &[
                "user",
                "group",
                "host",
                "prompt",
                "close-from",
                "chdir",
                "chroot",
                "role",
                "type",
                "other-user",
                "command-timeout",
            ],
        ),
        operands: 0,
        assignments: true,
    },
    Wrapper {
        name: "doas",
        spec: spec("uC", &[]),
        operands: 0,
        assignments: false,
    },
    Wrapper {
        name: "timeout",
        spec: spec("sk", &["signal", "kill-after"]),
        operands: 1,
        assignments: false,
    },
    Wrapper {
        name: "env",
        spec: spec("uCS", &["unset", "chdir", "split-string"]),
        operands: 0,
        assignments: true,
    },
    Wrapper {
        name: "nohup",
        spec: spec("", &[]),
        operands: 0,
        assignments: false,
    },
    Wrapper {
        name: "command",
        spec: spec("", &[]),
        operands: 0,
        assignments: false,
    },
    Wrapper {
        name: "builtin",
        spec: spec("", &[]),
        operands: 0,
        assignments: false,
    },
    Wrapper {
        name: "exec",
        spec: spec("a", &[]),
        operands: 0,
        assignments: false,
    },
    Wrapper {
        name: "time",
        spec: spec("fo", &["format", "output"]),
        operands: 0,
        assignments: false,
    },
    Wrapper {
        name: "nice",
        spec: spec("n", &["adjustment"]),
        operands: 0,
        assignments: false,
    },
    Wrapper {
        name: "stdbuf",
        spec: spec("ioe", &["input", "output", "error"]),
        operands: 0,
        assignments: false,
    },
    // `coproc curl ...` runs the command beside the shell; a coprocess's
    // NAME comes only before a compound command, never a simple one.
    Wrapper {
        name: "coproc",
        spec: spec("", &[]),
        operands: 0,
        assignments: false,
    },
    Wrapper {
        name: "setsid",
        spec: spec("", &[]),
        operands: 0,
        assignments: false,
    },
    Wrapper {
        name: "busybox",
        spec: spec("", &[]),
        operands: 0,
        assignments: false,
    },
    // `xargs` appends words read from stdin; the command's own words are
    // still what it is given here, and `-I {}` placeholders stay literal.
    Wrapper {
        name: "xargs",
        spec: spec(
            "aEdIiLlnPs",
            &[
                "arg-file",
                "delimiter",
                "eof",
                "replace",
                "max-lines",
                "max-args",
                "max-procs",
                "max-chars",
                "process-slot-var",
            ],
        ),
        operands: 0,
        assignments: false,
    },
];

/// The name a command word runs: its last path component (`/usr/bin/curl`
/// runs `curl`), when the word is fully known.
pub(super) fn program_name(word: &Word) -> Option<&str> {
    let text = word.text.as_literal()?;
    Some(text.rsplit('/').next().unwrap_or(text))
}

/// The index of the command that `words[start..]` finally runs, looking
/// through wrappers; `None` when there is none or it is not run
/// (`command -v curl` only looks it up).
pub(super) fn unwrap(words: &[Word], start: usize) -> Option<usize> {
    let mut at = start;
    // Each round moves past one wrapper, so this ends.
    loop {
        let name = program_name(words.get(at)?)?;
        let Some(wrapper) = WRAPPERS.iter().find(|w| w.name == name) else {
            return Some(at);
        };
        at = wrapped(words, at, wrapper)?;
    }
}

/// The index of the command `wrapper` at `words[at]` runs.
fn wrapped(words: &[Word], at: usize, wrapper: &Wrapper) -> Option<usize> {
    let mut from = at + 1;
    let mut operands = wrapper.operands;

    loop {
        let args = scan(words, from, &wrapper.spec);
        for arg in &args {
            if let Arg::Option { name, .. } = arg {
                let lookup_only = matches!(wrapper.name, "command" | "builtin")
                    && matches!(name.as_str(), "-v" | "-V");
                if lookup_only {
                    return None;
                }
            }
        }
        let Some(Arg::Operand { word }) = args.last() else {
            return None;
        };
        let word = *word;
        let is_assignment = wrapper.assignments
            && words[word]
                .text
                .known_prefix()
                .split_once('=')
                .is_some_and(|(name, _)| is_name(name));
        if is_assignment {
            from = word + 1;
        } else if operands > 0 {
            operands -= 1;
            from = word + 1;
        } else {
            return Some(word);
        }
    }
}

/// Whether `s` is a shell variable name.
pub(super) fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Text;

    fn words(line: &str) -> Vec<Word> {
        line.split(' ')
            .map(|a| Word::new(Text::lit(a), 0..0))
            .collect()
    }

    fn program(line: &str) -> Option<String> {
        let w = words(line);
        unwrap(&w, 0).and_then(|i| program_name(&w[i]).map(str::to_owned))
    }

    #[test]
    fn looks_through_wrappers() {
        for line in [
            "curl x",
            "/usr/bin/curl x",
            "sudo curl x",
            "sudo -u hdfs -E curl x",
            "sudo --user=hdfs A=1 curl x",
            "timeout 5 curl x",
            "timeout -s KILL 5s curl x",
            "env -i A=1 B=2 curl x",
            "nohup nice -n 5 curl x",
            "nice -10 curl x",
            "command curl x",
            "exec -a name curl x",
            "time -p curl x",
            "xargs -I {} curl x/{}",
            "xargs -n1 curl",
            "sudo timeout 3 env A=1 curl x",
            "busybox wget x",
            "coproc curl x",
        ] {
            let expect = if line.starts_with("busybox") {
                "wget"
            } else {
                "curl"
            };
            assert_eq!(program(line).as_deref(), Some(expect), "{line}");
        }
    }

    #[test]
    fn lookups_and_bare_wrappers_run_nothing() {
        assert_eq!(program("command -v curl"), None);
        assert_eq!(program("sudo -l"), None);
        assert_eq!(program("timeout 5"), None);
        assert_eq!(program("echo curl").as_deref(), Some("echo"));
    }
}
