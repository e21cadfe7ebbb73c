//! Commands that run another command: `sudo curl ...`, `timeout 5 curl
//! ...`, `env A=1 curl ...`, `ssh host curl ...`. The request is the
//! wrapped command's; where and how often it runs is the wrapper's
//! ([`Runs`]).

use super::argv::{Runs, Word};
use super::options::{scan, Arg, Spec};

/// How one wrapper reads its own arguments before the wrapped command.
struct Wrapper {
    /// The wrapper's name.
    name: &'static str,
    /// The words after the name that make it run a command (`docker exec`).
    subcommand: &'static [&'static str],
    /// Its options.
    spec: Spec,
    /// Operands it takes before the command (`timeout`'s duration).
    operands: usize,
    /// Whether `NAME=value` words may come before the command (`env`, `sudo`).
    assignments: bool,
    /// Options one of which it needs to run a command of its own: without
    /// `-u`, `runuser` runs a login shell as `su` does.
    needs: &'static [&'static str],
    /// Options with which it runs no command (`command -v`, `taskset -p`).
    runs_nothing: &'static [&'static str],
    /// Options after its operands that make the next word shell code it
    /// runs (`flock FILE -c CODE`).
    code_options: &'static [&'static str],
    /// Whether it joins the command's words with blanks and has a shell
    /// read them again (`watch`, `ssh`), unless one of these options is
    /// given (`watch -x`): one word is then shell code.
    joins_unless: Option<&'static [&'static str]>,
    /// Where and how often the command runs.
    runs: Runs,
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

/// A wrapper that runs its command here, once, as the argv it is given.
const fn here(name: &'static str, spec: Spec) -> Wrapper {
    Wrapper {
        name,
        subcommand: &[],
        spec,
        operands: 0,
        assignments: false,
        needs: &[],
        runs_nothing: &[],
        code_options: &[],
        joins_unless: None,
        runs: Runs::Here,
    }
}

/// Options of `docker exec` and `podman exec` that take a value.
const CONTAINER_EXEC: &[&str] = &[
    "env",
    "env-file",
    "user",
    "workdir",
    "detach-keys",
    "preserve-fds",
];

/// Options of `kubectl exec` (and `oc exec`) that take a value, its own
/// and the global ones.
const KUBECTL_EXEC: &[&str] = &[
    "container",
    "namespace",
    "filename",
    "pod-running-timeout",
    "context",
    "cluster",
    "kubeconfig",
    "user",
    "server",
    "token",
    "as",
    "as-group",
    "request-timeout",
    "selector",
];

const WRAPPERS: &[Wrapper] = &[
    Wrapper {
        assignments: true,
        ..here(
            "sudo",
            spec(
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
        )
    },
    here("doas", spec("uC", &[])),
    Wrapper {
        operands: 1,
        ..here("timeout", spec("sk", &["signal", "kill-after"]))
    },
    Wrapper {
        assignments: true,
        ..here("env", spec("uCS", &["unset", "chdir", "split-string"]))
    },
    here("nohup", spec("", &[])),
    Wrapper {
        runs_nothing: &["-v", "-V"],
        ..here("command", spec("", &[]))
    },
    Wrapper {
        runs_nothing: &["-v", "-V"],
        ..here("builtin", spec("", &[]))
    },
    here("exec", spec("a", &[])),
    here("time", spec("fo", &["format", "output"])),
    here("nice", spec("n", &["adjustment"])),
    here("stdbuf", spec("ioe", &["input", "output", "error"])),
    // `coproc curl ...` runs the command beside the shell; a coprocess's
    // NAME comes only before a compound command, never a simple one.
    here("coproc", spec("", &[])),
    here("setsid", spec("", &[])),
    here("busybox", spec("", &[])),
    // `xargs` appends words read from stdin; the command's own words are
    // still what it is given here, and `-I {}` placeholders stay literal.
    here(
        "xargs",
        spec(
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
    ),
    // util-linux's: `runuser -u USER [--] COMMAND`; without `-u` it runs
    // a shell, read as `su` is (see `argv::shell_code`).
    Wrapper {
        needs: &["-u", "--user"],
        ..here(
            "runuser",
            spec(
                "ugGcsw",
                &[
                    "user",
                    "group",
                    "supp-group",
                    "command",
                    "session-command",
                    "shell",
                    "whitelist-environment",
                ],
            ),
        )
    },
    // `flock FILE COMMAND...` or `flock FILE -c CODE`; `flock FD` runs
    // nothing.
    Wrapper {
        operands: 1,
        code_options: &["-c", "--command"],
        ..here(
            "flock",
            spec("wE", &["timeout", "wait", "conflict-exit-code"]),
        )
    },
    Wrapper {
        runs_nothing: &["-p", "--pid", "-P", "--pgid", "-u", "--uid"],
        ..here(
            "ionice",
            spec("cnpPu", &["class", "classdata", "pid", "pgid", "uid"]),
        )
    },
    // `taskset MASK COMMAND`; `-c` reads the mask as a list.
    Wrapper {
        operands: 1,
        runs_nothing: &["-p", "--pid"],
        ..here("taskset", spec("", &[]))
    },
    // `chrt [POLICY] PRIORITY COMMAND`.
    Wrapper {
        operands: 1,
        runs_nothing: &["-p", "--pid", "-m", "--max"],
        ..here(
            "chrt",
            spec("TPD", &["sched-runtime", "sched-period", "sched-deadline"]),
        )
    },
    Wrapper {
        runs_nothing: &["-d", "--dump"],
        ..here(
            "setpriv",
            spec(
                "",
                &[
                    "reuid",
                    "regid",
                    "ruid",
                    "euid",
                    "rgid",
                    "egid",
                    "groups",
                    "securebits",
                    "pdeathsig",
                    "selinux-label",
                    "apparmor-profile",
                    "inh-caps",
                    "ambient-caps",
                    "bounding-set",
                    "landlock-access",
                    "landlock-rule",
                    "seccomp-filter",
                ],
            ),
        )
    },
    Wrapper {
        operands: 1,
        ..here("chroot", spec("", &["userspec", "groups"]))
    },
    // `watch` runs the command again every few seconds, through `sh -c`
    // unless `-x`.
    Wrapper {
        joins_unless: Some(&["-x", "--exec"]),
        runs: Runs::Repeatedly,
        ..here("watch", spec("nq", &["interval", "equexit"]))
    },
    // OpenSSH reads options after the destination too; the remote shell
    // reads the command's words joined.
    Wrapper {
        operands: 1,
        runs_nothing: &["-V", "-G", "-O", "-N"],
        joins_unless: Some(&[]),
        runs: Runs::Elsewhere,
        ..here("ssh", spec("BbcDEeFIiJLlmOoPpQRSWw", &[]))
    },
    Wrapper {
        subcommand: &["exec"],
        operands: 1,
        runs: Runs::Elsewhere,
        ..here("docker", spec("euw", CONTAINER_EXEC))
    },
    Wrapper {
        subcommand: &["container", "exec"],
        operands: 1,
        runs: Runs::Elsewhere,
        ..here("docker", spec("euw", CONTAINER_EXEC))
    },
    Wrapper {
        subcommand: &["exec"],
        operands: 1,
        runs: Runs::Elsewhere,
        ..here("podman", spec("euw", CONTAINER_EXEC))
    },
    Wrapper {
        subcommand: &["exec"],
        operands: 1,
        runs: Runs::Elsewhere,
        ..here("kubectl", spec("cnfl", KUBECTL_EXEC))
    },
    Wrapper {
        subcommand: &["exec"],
        operands: 1,
        runs: Runs::Elsewhere,
        ..here("oc", spec("cnfl", KUBECTL_EXEC))
    },
];

/// What a command runs, its wrappers looked through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Target {
    /// Index of the word of the command run, or of the shell code run
    /// (`flock FILE -c CODE`, `watch 'CODE'`).
    pub at: usize,
    /// Whether `words[at]` is shell code rather than a command's name.
    pub code: bool,
    /// Whether a wrapper joins the command's words for a shell to read
    /// again (`watch curl -H 'A: b' URL`): a word of them that is shell
    /// code to the command (`bash -c CODE`) is split up.
    pub joined: bool,
    /// Where and how often it runs: the farthest and most often any
    /// wrapper makes it.
    pub runs: Runs,
}

/// The name a command word runs: its last path component (`/usr/bin/curl`
/// runs `curl`), when the word is fully known.
pub(super) fn program_name(word: &Word) -> Option<&str> {
    let text = word.text.as_literal()?;
    Some(text.rsplit('/').next().unwrap_or(text))
}

/// The index of the command that `words[start..]` finally runs, looking
/// through wrappers; `None` when there is none, it is not run (`command
/// -v curl` only looks it up), or it is shell code.
pub(super) fn unwrap(words: &[Word], start: usize) -> Option<usize> {
    look_through(words, start)
        .filter(|target| !target.code)
        .map(|target| target.at)
}

/// What `words[start..]` finally runs, looking through wrappers; `None`
/// when it runs nothing.
pub(super) fn look_through(words: &[Word], start: usize) -> Option<Target> {
    let mut target = Target {
        at: start,
        code: false,
        joined: false,
        runs: Runs::Here,
    };
    // Each round moves past one wrapper, so this ends.
    loop {
        let name = program_name(words.get(target.at)?)?;
        let Some(wrapper) = WRAPPERS
            .iter()
            .find(|w| w.name == name && follows(words, target.at + 1, w.subcommand))
        else {
            return Some(target);
        };
        let Some((at, code)) = wrapped(words, target.at, wrapper) else {
            // runuser without `-u` runs a shell: it is the command.
            return (!wrapper.needs.is_empty()).then_some(target);
        };
        let joins = wrapper.joins_unless.is_some_and(|unless| {
            !scan(words, target.at + 1, &wrapper.spec).iter().any(
                |arg| matches!(arg, Arg::Option { name, .. } if unless.contains(&name.as_str())),
            )
        });
        // A lone word that a shell reads again is shell code, when it
        // holds more than a command's name (`ssh host bash` runs `bash`).
        let lone = joins
            && at + 1 == words.len()
            && !target.joined
            && words[at].text.known_prefix().contains(char::is_whitespace);
        target = Target {
            at,
            code: code || lone,
            joined: target.joined || joins,
            runs: target.runs.max(wrapper.runs),
        };
        if target.code {
            return Some(target);
        }
    }
}

/// Whether `words[at..]` starts with the literal words `expected`.
fn follows(words: &[Word], at: usize, expected: &[&str]) -> bool {
    expected
        .iter()
        .enumerate()
        .all(|(i, e)| words.get(at + i).and_then(|w| w.text.as_literal()) == Some(*e))
}

/// The index of what `wrapper` at `words[at]` runs, and whether it is
/// shell code; `None` when it runs nothing, or lacks an option it needs.
fn wrapped(words: &[Word], at: usize, wrapper: &Wrapper) -> Option<(usize, bool)> {
    let mut from = at + 1 + wrapper.subcommand.len();
    let mut operands = wrapper.operands;
    let mut needed = wrapper.needs.is_empty();

    loop {
        let args = scan(words, from, &wrapper.spec);
        let mut code = false;
        for arg in &args {
            if let Arg::Option { name, .. } = arg {
                if wrapper.runs_nothing.contains(&name.as_str()) {
                    return None;
                }
                needed |= wrapper.needs.contains(&name.as_str());
                code |= operands == 0 && wrapper.code_options.contains(&name.as_str());
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
            return needed.then_some((word, code));
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
