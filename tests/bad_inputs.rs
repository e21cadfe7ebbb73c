//! Bad and hostile inputs: every file of the catalogue in `fixtures/bad/`
//! (expectations in `fixtures/bad/EXPECTED.tsv`), and the inputs too big
//! or too odd to commit (megabyte lines, 10,000 cells, deep nesting, odd
//! file names, symlink loops, unreadable folders), made at test time.
//!
//! Each run must end in time, never panic, give the expected exit code,
//! and print exactly one `error: <path>: <reason>` line per bad file.
//! The second half checks that text scanned from files, and file names,
//! cannot write terminal escapes or reorder the reader's screen.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// A metadata request without a token, one per language.
const URL: &str = "http://169.254.169.254/latest/meta-data/iam/security-credentials/";

/// Longest a single run may take: generous for a debug build on a busy
/// machine, short enough that a hang fails the test rather than CI.
const TIME_LIMIT: Duration = Duration::from_secs(120);

/// What one run printed, and how it ended.
#[derive(Debug)]
struct Run {
    /// Exit code; `None` when a signal ended it (a stack overflow aborts).
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Non-empty lines of standard error.
    fn stderr_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect()
    }

    /// What went wrong with a run that should have been calm, if anything.
    fn trouble(&self) -> Option<String> {
        if self.code.is_none() {
            return Some("killed by a signal (stack overflow or abort?)".to_owned());
        }
        [
            "panicked",
            "internal error",
            "overflowed its stack",
            "RUST_BACKTRACE",
        ]
        .into_iter()
        .find(|word| self.stderr.contains(word))
        .map(|word| format!("stderr says {word:?}"))
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `imds-lint ARGS` in `dir`, killing it after [`TIME_LIMIT`].
fn imds_lint<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> Run {
    imds_lint_with(Command::new(env!("CARGO_BIN_EXE_imds-lint")), dir, args)
}

/// Runs `command ARGS` in `dir` with a time limit; `command` may be a
/// wrapper (`setpriv ... imds-lint`).
fn imds_lint_with<S: AsRef<OsStr>>(mut command: Command, dir: &Path, args: &[S]) -> Run {
    let mut child = command
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = thread::spawn(move || {
        let mut bytes = Vec::new();
        stdout.read_to_end(&mut bytes).map(|_| bytes)
    });
    let err = thread::spawn(move || {
        let mut bytes = Vec::new();
        stderr.read_to_end(&mut bytes).map(|_| bytes)
    });

    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!(
                "imds-lint {:?} did not finish in {TIME_LIMIT:?}",
                display(args)
            );
        }
        thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&out.join().unwrap().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().unwrap().unwrap()).into_owned(),
    }
}

fn display<S: AsRef<OsStr>>(args: &[S]) -> Vec<String> {
    args.iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect()
}

/// One row of `fixtures/bad/EXPECTED.tsv`.
#[derive(Debug)]
struct Expected {
    file: String,
    code: i32,
    /// A piece of the error line; empty when standard error must be empty.
    reason: String,
}

fn catalogue() -> Vec<Expected> {
    let table = fs::read_to_string(repo().join("fixtures/bad/EXPECTED.tsv")).unwrap();
    table
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert!(fields.len() >= 3, "bad row in EXPECTED.tsv: {line:?}");
            Expected {
                file: fields[0].to_owned(),
                code: fields[1].parse().unwrap(),
                reason: fields[2].to_owned(),
            }
        })
        .collect()
}

/// Checks a run on one file against its expectation; returns what is wrong.
fn judge(run: &Run, path: &str, code: i32, reason: &str) -> Option<String> {
    if let Some(trouble) = run.trouble() {
        return Some(trouble);
    }
    if run.code != Some(code) {
        return Some(format!("exit {:?}, expected {code}", run.code));
    }
    let lines = run.stderr_lines();
    if reason.is_empty() {
        return (!lines.is_empty()).then(|| format!("unexpected stderr {lines:?}"));
    }
    // A reason starting `warning:` is a warning at a place in the file.
    let (prefix, reason) = match reason.strip_prefix("warning: ") {
        Some(reason) => (format!("warning: {path}:"), reason),
        None => (format!("error: {path}: "), reason),
    };
    match lines.as_slice() {
        [line] if line.starts_with(&prefix) && line.contains(reason) => None,
        _ => Some(format!(
            "expected one line `{prefix}...{reason}...`, got {lines:?}"
        )),
    }
}

fn assert_judged(run: &Run, path: &str, code: i32, reason: &str) {
    if let Some(wrong) = judge(run, path, code, reason) {
        panic!("{path}: {wrong}\n{run:#?}");
    }
}

#[test]
fn every_catalogue_file_gives_its_expected_diagnostic() {
    let dir = repo().join("fixtures/bad");
    let mut failures = String::new();
    for case in catalogue() {
        let run = imds_lint(&dir, &[case.file.as_str()]);
        if let Some(wrong) = judge(&run, &case.file, case.code, &case.reason) {
            writeln!(
                failures,
                "{}: {wrong}\n  stderr: {:?}",
                case.file, run.stderr
            )
            .unwrap();
        }
    }
    assert!(failures.is_empty(), "catalogue mismatches:\n{failures}");
}

#[test]
fn the_catalogue_lists_every_file() {
    let dir = repo().join("fixtures/bad");
    let listed: Vec<String> = catalogue().into_iter().map(|c| c.file).collect();
    let mut present: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "EXPECTED.tsv" && name != "README.md")
        .collect();
    present.sort();
    let mut sorted = listed.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), listed.len(), "a file is listed twice");
    assert_eq!(present, sorted, "files and EXPECTED.tsv rows differ");
}

#[test]
fn bad_files_do_not_stop_the_run() {
    let dir = repo().join("fixtures/bad");
    let cases = catalogue();
    let run = imds_lint(&dir, &["--output-format", "concise", "."]);
    assert_eq!(run.trouble(), None, "{run:#?}");
    assert_eq!(run.code, Some(2), "{run:#?}");

    // One error line per failing file, one warning line per file warned
    // of, and nothing else on stderr.
    let failing: Vec<&Expected> = cases.iter().filter(|c| c.code == 2).collect();
    let warned = cases
        .iter()
        .filter(|c| c.reason.starts_with("warning: "))
        .count();
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), failing.len() + warned, "{lines:#?}");
    for case in failing {
        let prefix = format!("error: {}: ", case.file);
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&prefix) && l.contains(&case.reason)),
            "{}: no error line in {lines:#?}",
            case.file
        );
    }
    // Findings in the other files are still printed.
    for case in cases.iter().filter(|c| c.code == 1) {
        let prefix = format!("{}:", case.file);
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with(&prefix) && l.contains("IMD001")),
            "{}: finding missing from {}",
            case.file,
            run.stdout
        );
    }
}

#[test]
fn invalid_json_names_its_position_once() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{{\"metadata\": {{\"about\": \"{URL}\"}}, \"cells\": [1,");
    fs::write(dir.path().join("a.ipynb"), text).unwrap();
    let run = imds_lint(dir.path(), &["a.ipynb"]);
    assert_judged(&run, "a.ipynb", 2, "invalid notebook JSON");
    assert_eq!(run.stderr.matches("line 1").count(), 1, "{}", run.stderr);
}

/// A megabyte-scale line: in a script, in a notebook source, in a
/// notebook output (never read), in a Databricks `MAGIC` cell. The request
/// after it is still found.
#[test]
fn lines_of_several_megabytes() {
    const LEN: usize = 4 << 20;
    let dir = tempfile::tempdir().unwrap();
    let long = "a".repeat(LEN);
    let request = format!("import requests\nrequests.get('{URL}')\n");
    let files = [
        ("long.py", format!("x = '{long}'\n{request}")),
        ("long-comment.sh", format!("# {long}\ncurl {URL}\n")),
        // One syntax node per word: a megabyte of words already costs seconds.
        (
            "long-words.sh",
            format!("echo {}\ncurl {URL}\n", "ab ".repeat((1 << 20) / 3)),
        ),
        (
            "long-source.ipynb",
            notebook(&[format!("x = '{long}'\\n"), json_escaped(&request)]),
        ),
        ("long-output.ipynb", notebook_with_output(&json_escaped(&request), &long)),
        (
            "long-magic.py",
            format!(
                "# Databricks notebook source\n# MAGIC %sh\n# MAGIC echo {long}\n# MAGIC curl {URL}\n"
            ),
        ),
    ];
    for (name, text) in &files {
        fs::write(dir.path().join(name), text).unwrap();
        let run = imds_lint(dir.path(), &["--output-format", "concise", name]);
        assert_judged(&run, name, 1, "");
    }
}

/// 10,000 cells, the request in the last one: numbers stay right.
#[test]
fn ten_thousand_cells() {
    const CELLS: usize = 10_000;
    let dir = tempfile::tempdir().unwrap();

    let mut sources: Vec<String> = (0..CELLS - 1).map(|i| format!("x{i} = {i}\\n")).collect();
    sources.push(json_escaped(&format!(
        "import requests\nrequests.get('{URL}')\n"
    )));
    fs::write(dir.path().join("many.ipynb"), notebook(&sources)).unwrap();

    let mut export = String::from("# Databricks notebook source\n");
    for i in 0..CELLS - 1 {
        write!(export, "x{i} = {i}\n\n# COMMAND ----------\n\n").unwrap();
    }
    write!(export, "# MAGIC %sh\n# MAGIC curl {URL}\n").unwrap();
    fs::write(dir.path().join("many.py"), export).unwrap();

    for name in ["many.ipynb", "many.py"] {
        let run = imds_lint(dir.path(), &["--output-format", "concise", name]);
        assert_judged(&run, name, 1, "");
        assert!(
            run.stdout.contains(&format!("{name}:cell {CELLS}:")),
            "{}",
            run.stdout
        );
    }
}

/// Thousands of nesting levels in every language, each around a request:
/// no stack overflow, and the request inside is still found; in Python,
/// as deep as Python takes (200 brackets), and deeper code, which Python
/// refuses, is not analysed, and the file is an error that says so (a
/// fresh tester found it reported clean, exit 0).
#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    const DEPTH: usize = 5_000;
    let dir = tempfile::tempdir().unwrap();
    let nest_to = |depth: usize, open: &str, inner: &str, close: &str| {
        format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
    };
    let nest = |open: &str, inner: &str, close: &str| nest_to(DEPTH, open, inner, close);
    let python_call = format!("requests.get('{URL}')");
    // One level is the call's own parentheses.
    let python = |open: &str, close: &str| {
        format!(
            "import requests\nx = {}\n",
            nest_to(199, open, &python_call, close)
        )
    };
    let refused = [
        ("brackets.py", "[", "]"),
        ("parens.py", "(", ")"),
        ("calls.py", "f(", ")"),
    ];
    for (name, open, close) in refused {
        let deep = format!("deep-{name}");
        let text = format!("import requests\nx = {}\n", nest(open, &python_call, close));
        fs::write(dir.path().join(&deep), text).unwrap();
        let run = imds_lint(dir.path(), &["--output-format", "concise", &deep]);
        assert_judged(
            &run,
            &deep,
            2,
            "not analysed: Python code nested more than 200 brackets",
        );
    }
    let files = [
        ("brackets.py", python("[", "]")),
        ("parens.py", python("(", ")")),
        ("calls.py", python("f(", ")")),
        (
            "subprocess.py",
            format!(
                "import subprocess\nsubprocess.run(\"echo {}\", shell=True)\n",
                nest("$(echo ", &format!("$(curl {URL})"), ")")
            ),
        ),
        (
            "substitutions.sh",
            format!("echo {}\n", nest("$(echo ", &format!("$(curl {URL})"), ")")),
        ),
        // Spaced: `((` would open an arithmetic command.
        (
            "subshells.sh",
            format!("{}\n", nest("( ", &format!("curl {URL}"), " )")),
        ),
        (
            "groups.sh",
            format!("{}\n", nest("{ ", &format!("curl {URL}; "), "}; ")),
        ),
        (
            "arithmetic.sh",
            format!("echo $(( {} ))\ncurl {URL}\n", nest("(", "1", ")")),
        ),
        (
            "parens.scala",
            format!(
                "import scala.sys.process._\nobject A {{ val x = {} }}\n",
                nest("(", &format!("\"curl {URL}\".!!"), ")")
            ),
        ),
        (
            "blocks.scala",
            format!(
                "import scala.sys.process._\nobject A {{ val x = {} }}\n",
                nest("{ ", &format!("\"curl {URL}\".!!"), " }")
            ),
        ),
        (
            "deep-source.ipynb",
            notebook(&[json_escaped(&python("[", "]"))]),
        ),
    ];
    let mut failures = String::new();
    for (name, text) in &files {
        fs::write(dir.path().join(name), text).unwrap();
        let run = imds_lint(dir.path(), &["--output-format", "concise", name]);
        if let Some(wrong) = judge(&run, name, 1, "") {
            writeln!(
                failures,
                "{name}: {wrong}\n  stderr: {}",
                first_line(&run.stderr)
            )
            .unwrap();
        }
    }
    assert!(failures.is_empty(), "deep nesting:\n{failures}");
}

/// Code of too many tokens to parse in one piece (tree-sitter's tree of a
/// 6 MB shell pipeline took 3.5 GB, a 12 MB one 7 GB, and under a memory
/// limit the run aborted, other files' findings lost: a fresh tester's
/// find) is an error naming the file, and the run goes on. Long lines of
/// few tokens are still read (`lines_of_several_megabytes`).
#[test]
fn code_too_big_to_parse_is_an_error_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = format!("curl {URL}{}\n", " | cat".repeat(500_000));
    fs::write(dir.path().join("pipeline.sh"), &pipeline).unwrap();
    let scala = format!(
        "import scala.io.Source\nobject A {{ val s = Source.fromURL(\"{URL}\").mkString\n  val xs = List({}1) }}\n",
        "1,".repeat(1_200_000)
    );
    fs::write(dir.path().join("big.scala"), &scala).unwrap();
    let cell = format!("%sh\ncurl {URL}{}\n", " | cat".repeat(500_000));
    fs::write(
        dir.path().join("big-cell.ipynb"),
        notebook(&[json_escaped("x = 1\n"), json_escaped(&cell)]),
    )
    .unwrap();
    fs::write(
        dir.path().join("big-cells.ipynb"),
        notebook(&[
            json_escaped(&cell),
            json_escaped("x = 1\n"),
            json_escaped(&cell),
        ]),
    )
    .unwrap();
    fs::write(dir.path().join("small.sh"), format!("curl {URL}\n")).unwrap();

    for (name, reason) in [
        (
            "pipeline.sh",
            "not analysed: shell code of about 1000025 words and symbols",
        ),
        ("big.scala", "not analysed: scala code of about"),
        (
            "big-cell.ipynb",
            "cell 2: not analysed: shell code of about 1000",
        ),
        ("big-cells.ipynb", "at once; not analysed either: cell 3"),
    ] {
        let run = imds_lint(dir.path(), &["--output-format", "concise", name]);
        assert_judged(&run, name, 2, reason);
    }
    let run = imds_lint(dir.path(), &["--output-format", "concise", "."]);
    assert_eq!(run.code, Some(2), "{run:#?}");
    assert_eq!(run.stderr_lines().len(), 4, "{run:#?}");
    assert!(run.stdout.contains("small.sh:1:1: IMD001"), "{run:#?}");

    // A comment, a string or a here-document is one token however many
    // words it holds (a second tester found these refused).
    let words = "the cat sat ".repeat(200_000);
    let records = "{\"id\": 1, \"tags\": [\"a\", \"b\"]}\n".repeat(60_000);
    let read = [
        ("comment.sh", format!("# {words}\ncurl {URL}\n")),
        (
            "heredoc.sh",
            format!("cat > x.json <<'EOF'\n{records}EOF\ncurl {URL}\n"),
        ),
        ("string.sh", format!("P='{words}'\ncurl {URL}\n")),
        (
            "docstring.py",
            format!("\"\"\"{words}\"\"\"\nimport requests\nrequests.get('{URL}')\n"),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in &read {
        fs::write(dir.path().join(name), text).unwrap();
        let run = imds_lint(dir.path(), &["--output-format", "concise", name]);
        assert_judged(&run, name, 1, "");
    }
}

/// JSON nested deeper than the JSON reader follows is invalid notebook
/// JSON, not a crash.
#[test]
fn deeply_nested_notebook_json_never_overflows_the_stack() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    // Where the reader builds values (the kernel's metadata): refused.
    let read = format!(
        "{{\"cells\": [], \"metadata\": {{\"about\": \"{URL}\", \"kernelspec\": {deep}}}, \"nbformat\": 4}}"
    );
    fs::write(dir.path().join("deep.ipynb"), read).unwrap();
    let run = imds_lint(dir.path(), &["deep.ipynb"]);
    assert_judged(
        &run,
        "deep.ipynb",
        2,
        "invalid notebook JSON: recursion limit exceeded",
    );
    // Where it only checks the JSON (other metadata, outputs): read.
    let stepped_over = format!(
        "{{\"cells\": [], \"metadata\": {{\"about\": \"{URL}\", \"widgets\": {deep}}}, \"nbformat\": 4}}"
    );
    fs::write(dir.path().join("deep.ipynb"), stepped_over).unwrap();
    let run = imds_lint(dir.path(), &["deep.ipynb"]);
    assert_judged(&run, "deep.ipynb", 0, "");
}

/// File names with spaces, line breaks and bytes that are not UTF-8 are
/// read like any other; JSON output stays one valid document.
#[test]
fn paths_with_spaces_newlines_and_non_utf8_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let names: [&[u8]; 4] = [
        b"with space.sh",
        b"line\nbreak.sh",
        b"latin1-\xe9.sh",
        b"-starts-with-dash.sh",
    ];
    for name in names {
        fs::write(
            dir.path().join(OsStr::from_bytes(name)),
            format!("curl {URL}\n"),
        )
        .unwrap();
    }

    let run = imds_lint(dir.path(), &["--output-format", "json", "."]);
    assert_judged(&run, ".", 1, "");
    let findings: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let paths: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), names.len(), "{paths:?}");
    assert!(paths.contains(&"with space.sh"), "{paths:?}");
    assert!(paths.contains(&"line\nbreak.sh"), "{paths:?}");

    // Named on the command line (after `--`, for the dash).
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("--output-format"),
        OsStr::new("json"),
        OsStr::new("--"),
    ];
    args.extend(names.iter().map(|n| OsStr::from_bytes(n)));
    let run = imds_lint(dir.path(), &args);
    assert_judged(&run, "named", 1, "");
}

/// A file that links to itself, two that link to each other, and a folder
/// link back up the tree: each loop is one clear error, the walk ends, and
/// the good file beside them is still checked.
#[test]
fn symlink_loops() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("good.sh"), format!("curl {URL}\n")).unwrap();
    symlink("self.sh", root.join("self.sh")).unwrap();
    symlink("pong.sh", root.join("ping.sh")).unwrap();
    symlink("ping.sh", root.join("pong.sh")).unwrap();
    fs::create_dir(root.join("sub")).unwrap();
    symlink("..", root.join("sub/up")).unwrap();

    let run = imds_lint(root, &["--output-format", "concise", "."]);
    assert_eq!(run.trouble(), None, "{run:#?}");
    assert_eq!(run.code, Some(2), "{run:#?}");
    assert!(run.stdout.contains("good.sh:1:1: IMD001"), "{run:#?}");
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    for name in ["self.sh", "ping.sh", "pong.sh"] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("error: {name}: "))),
            "{name}: {lines:#?}"
        );
    }

    // The reason names the loop: the link is not broken, its target is
    // itself.
    let run = imds_lint(root, &["self.sh"]);
    assert_eq!(run.code, Some(2), "{run:#?}");
    let line = run
        .stderr_lines()
        .first()
        .copied()
        .unwrap_or_default()
        .to_owned();
    assert!(
        line.contains("loop") || line.contains("too many levels of symbolic links"),
        "a symlink loop is reported as: {line:?}"
    );
}

/// A named pipe in a walked folder is not opened (opening one blocks until
/// a writer comes).
#[test]
fn a_named_pipe_in_a_folder_does_not_hang_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("good.sh"), format!("curl {URL}\n")).unwrap();
    let made = Command::new("mkfifo")
        .arg(dir.path().join("pipe.sh"))
        .status()
        .unwrap();
    assert!(made.success());
    let run = imds_lint(dir.path(), &["--output-format", "concise", "."]);
    assert_eq!(run.trouble(), None, "{run:#?}");
    assert!(run.stdout.contains("good.sh:1:1: IMD001"), "{run:#?}");
}

/// Folders and files the process may not read. Root reads through any
/// permission bits, so as root the run drops the two capabilities that
/// allow it (`setpriv --bounding-set`), which makes the bits count again.
#[test]
fn unreadable_folders_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("good.sh"), format!("curl {URL}\n")).unwrap();
    fs::create_dir(root.join("locked")).unwrap();
    fs::write(root.join("locked/hidden.sh"), format!("curl {URL}\n")).unwrap();
    fs::write(root.join("secret.sh"), format!("curl {URL}\n")).unwrap();
    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(root.join("secret.sh"), fs::Permissions::from_mode(0o000)).unwrap();

    let command = unprivileged_command();
    let run = imds_lint_with(command, root, &["--output-format", "concise", "."]);
    // Let the tempdir clean up.
    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o755)).unwrap();

    assert_eq!(run.trouble(), None, "{run:#?}");
    assert_eq!(run.code, Some(2), "{run:#?}");
    assert!(run.stdout.contains("good.sh:1:1: IMD001"), "{run:#?}");
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    for name in ["locked", "secret.sh"] {
        assert!(
            lines.iter().any(|l| {
                l.starts_with(&format!("error: {name}")) && l.contains("permission denied")
            }),
            "{name}: {lines:#?}"
        );
    }
}

/// `imds-lint` as a process that file permissions apply to: itself when
/// not root; as root, under `setpriv` with `CAP_DAC_OVERRIDE` and
/// `CAP_DAC_READ_SEARCH` dropped from the bounding set (after `exec`, root
/// keeps only the capabilities in that set).
fn unprivileged_command() -> Command {
    let probe = tempfile::NamedTempFile::new().unwrap();
    let is_root = probe.as_file().metadata().unwrap().uid() == 0;
    if !is_root {
        return Command::new(env!("CARGO_BIN_EXE_imds-lint"));
    }
    let mut command = Command::new("setpriv");
    command
        .arg("--bounding-set=-dac_override,-dac_read_search")
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_imds-lint"));
    command
}

// ---------------------------------------------------------------------
// Output that cannot be turned against the reader.

/// Characters that must never reach a terminal raw from scanned text or
/// file names: C0 controls other than line feed and tab, DEL, C1 controls,
/// and the Unicode bidirectional controls (Trojan Source).
fn is_dangerous(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A script whose request URL carries an ANSI color, a bidi override, a
/// bell and a carriage return; the file name carries an escape and a bidi
/// override too. The finding's message names the URL path.
fn hostile_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let url = "http://169.254.169.254/latest/meta-data/\x1b[31mRED\u{202e}txt.exe\x07\r";
    fs::write(dir.path().join("plain.sh"), format!("curl \"{url}\"\n")).unwrap();
    fs::write(
        dir.path().join("name-\x1b[2J-\u{202e}hs.sh"),
        format!("curl \"{URL}\"\n"),
    )
    .unwrap();
    let python = format!(
        "import requests\nrequests.get(\"{}\")\n",
        url.replace('\x1b', "\\x1b")
            .replace('\x07', "\\a")
            .replace('\r', "\\r")
    );
    fs::write(dir.path().join("escaped.py"), python).unwrap();
    dir
}

#[test]
fn text_output_shows_control_and_bidi_characters_escaped() {
    let dir = hostile_workspace();
    let mut failures = String::new();
    for format in ["full", "concise", "github"] {
        let run = imds_lint(
            dir.path(),
            &["--color", "never", "--output-format", format, "."],
        );
        assert_eq!(run.trouble(), None, "{run:#?}");
        assert_eq!(run.code, Some(1), "{format}: {run:#?}");
        // The findings are still there: the visible parts are printed.
        assert!(run.stdout.contains("RED"), "{format}: {}", run.stdout);
        for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            let raw: Vec<String> = text
                .chars()
                .filter(|&c| is_dangerous(c))
                .map(|c| format!("U+{:04X}", u32::from(c)))
                .collect();
            if !raw.is_empty() {
                writeln!(failures, "{format} {stream}: raw {raw:?}").unwrap();
            }
        }
    }
    assert!(
        failures.is_empty(),
        "dangerous characters printed raw:\n{failures}"
    );
}

/// Arguments the error lines repeat (a pre-commit hook's `args:` come
/// from the repository) are shown escaped. Regression: a bad `--exclude`
/// glob and an `--output-file` path that cannot be written were printed
/// raw.
#[test]
fn error_lines_show_arguments_escaped() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.sh"), "true\n").unwrap();
    let runs = [
        imds_lint(dir.path(), &["--exclude", "{\x1b[31m\u{202e}", "."]),
        imds_lint(
            dir.path(),
            &["--output-file", "x\x1b]0;T\x07\u{202e}/r", "."],
        ),
    ];
    for run in runs {
        assert_eq!(run.code, Some(2), "{run:#?}");
        assert!(run.stderr.starts_with("error: "), "{run:#?}");
        let raw: Vec<char> = run.stderr.chars().filter(|&c| is_dangerous(c)).collect();
        assert!(raw.is_empty(), "raw {raw:?} in {:?}", run.stderr);
        assert!(run.stderr.contains("\\u{202e}"), "{:?}", run.stderr);
    }
}

/// GitHub's runner reads a log line that starts, after spaces, with `::`
/// as a workflow command, and `##[` anywhere as an old-style one: a file
/// named `::stop-commands::x.sh` would silence the annotations after it,
/// one named `::error file=README.md,...` would forge one. No line the
/// text formats, the unused-suppression lines or `--fix`'s lists print
/// may be such a command because of a file name.
#[test]
fn file_names_cannot_make_workflow_commands() {
    let dir = tempfile::tempdir().unwrap();
    let names = [
        "::stop-commands::pause.sh",
        "::error file=README.md,line=1::forged.sh",
        "x##[error]y.sh",
    ];
    for name in names {
        let script = format!("true  # imds-lint: ignore[IMD001]\ncurl {URL}\n");
        fs::write(dir.path().join(name), script).unwrap();
    }
    let mut runs = Vec::new();
    for format in ["full", "concise", "github"] {
        let args = ["--output-format", format, "--report-unused-ignores", "."];
        runs.push((format, imds_lint(dir.path(), &args)));
    }
    let fix = ["--fix", "--show-fixes", "--report-unused-ignores", "."];
    runs.push(("--fix", imds_lint(dir.path(), &fix)));

    let mut failures = String::new();
    for (what, run) in &runs {
        assert_eq!(run.trouble(), None, "{what}: {run:#?}");
        for line in run.stdout.lines().chain(run.stderr.lines()) {
            let start = line.trim_start();
            // The runner tries an old-style command only in a line that
            // is no command of the new style: an annotation's file name
            // may hold `##[`.
            let annotation = start.starts_with("::error file=");
            let forged = start.starts_with("::stop-commands")
                || start.starts_with("::error file=README.md")
                || (line.contains("##[") && !annotation);
            if forged {
                writeln!(failures, "{what}: {line}").unwrap();
            }
        }
    }
    assert!(
        failures.is_empty(),
        "workflow commands printed:\n{failures}"
    );
    // The names are still shown, escaped, and the annotations still land
    // on the files of those names.
    let (_, github) = &runs[2];
    assert!(
        github
            .stdout
            .contains("file=%3A%3Astop-commands%3A%3Apause.sh,"),
        "{}",
        github.stdout
    );
    let (_, concise) = &runs[1];
    assert!(
        concise
            .stdout
            .contains("\\u{3a}:stop-commands::pause.sh:2:1:"),
        "{}",
        concise.stdout
    );
}

#[test]
fn concise_output_keeps_one_line_per_finding_with_line_breaks_in_names() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("a\nb.sh:9:9: IMD001 forged.sh"),
        format!("curl {URL}\n"),
    )
    .unwrap();
    let run = imds_lint(dir.path(), &["--quiet", "--output-format", "concise", "."]);
    assert_eq!(run.code, Some(1), "{run:#?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "one finding printed on {} lines: {lines:#?}",
        lines.len()
    );
}

#[test]
fn json_output_stays_valid_and_faithful() {
    let dir = hostile_workspace();
    for format in ["json", "json-lines"] {
        let run = imds_lint(dir.path(), &["--output-format", format, "."]);
        assert_eq!(run.trouble(), None, "{run:#?}");
        assert_eq!(run.code, Some(1), "{format}: {run:#?}");
        let findings: Vec<serde_json::Value> = if format == "json" {
            serde_json::from_str::<Vec<serde_json::Value>>(&run.stdout).unwrap()
        } else {
            run.stdout
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        };
        assert_eq!(findings.len(), 3, "{format}: {findings:#?}");
        // JSON carries the text as it is: escaped by JSON, decoded by the
        // reader.
        let paths: Vec<&str> = findings
            .iter()
            .map(|f| f["path"].as_str().unwrap())
            .collect();
        assert!(paths.contains(&"name-\x1b[2J-\u{202e}hs.sh"), "{paths:?}");
        let messages: Vec<&str> = findings
            .iter()
            .map(|f| f["message"].as_str().unwrap())
            .collect();
        assert!(
            messages.iter().any(|m| m.contains("\x1b[31mRED")),
            "{messages:?}"
        );
        // And no raw control character reaches the terminal of whoever
        // cats the file (JSON requires escaping those below U+0020).
        assert!(
            !run.stdout.chars().any(|c| c.is_control() && c != '\n'),
            "{format}: raw control character in JSON"
        );
    }
}

// ---------------------------------------------------------------------

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// `text` as the inside of a JSON string.
fn json_escaped(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap();
    quoted[1..quoted.len() - 1].to_owned()
}

/// A notebook with one code cell per (already JSON-escaped) source.
fn notebook(sources: &[String]) -> String {
    let cells: Vec<String> = sources
        .iter()
        .map(|s| format!("{{\"cell_type\": \"code\", \"metadata\": {{}}, \"outputs\": [], \"source\": \"{s}\"}}"))
        .collect();
    format!(
        "{{\"cells\": [{}], \"metadata\": {{}}, \"nbformat\": 4, \"nbformat_minor\": 5}}",
        cells.join(",\n")
    )
}

/// A notebook whose one code cell has `source` and an output of `output`.
fn notebook_with_output(source: &str, output: &str) -> String {
    format!(
        "{{\"cells\": [{{\"cell_type\": \"code\", \"metadata\": {{}}, \"source\": \"{source}\", \
         \"outputs\": [{{\"output_type\": \"stream\", \"name\": \"stdout\", \"text\": \"{output}\"}}]}}], \
         \"metadata\": {{}}, \"nbformat\": 4, \"nbformat_minor\": 5}}"
    )
}
