//! Running `imds-lint` on copies of files in temporary folders, taking
//! snapshots of folders, and driving `git apply` and `patch`.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// A shell script with one IMDSv1 request, which `--fix` fixes safely.
pub const IMDSV1_SCRIPT: &str = "#!/bin/sh\ncurl -s http://169.254.169.254/latest/meta-data/\n";

/// A shell script that asks IMDS for nothing.
pub const CLEAN_SCRIPT: &str = "#!/bin/sh\necho hello\n";

/// What a run printed, and how it ended.
#[derive(Debug)]
pub struct Run {
    /// The exit code (-1 when killed).
    pub code: i32,
    /// Standard output, as bytes.
    pub bytes: Vec<u8>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// The `error: ` lines of standard error.
    pub fn errors(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|line| line.starts_with("error: "))
            .collect()
    }

    /// The `warning: ` lines of standard error.
    pub fn warnings(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|line| line.starts_with("warning: "))
            .collect()
    }
}

/// The repository's root (where `fixtures/` is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The command `imds-lint ARGS`, run in `dir`, with `env` added.
pub fn command(dir: &Path, args: &[&str], env: &[(&str, &OsStr)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_imds-lint"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

/// Waits for a spawned run.
pub fn finish(child: Child) -> Run {
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        bytes: output.stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `imds-lint ARGS` in `dir` with no standard input.
pub fn imds_lint(dir: &Path, args: &[&str]) -> Run {
    imds_lint_env(dir, args, &[])
}

/// Runs `imds-lint ARGS` in `dir` with `env` added.
pub fn imds_lint_env(dir: &Path, args: &[&str], env: &[(&str, &OsStr)]) -> Run {
    let child = command(dir, args, env)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    finish(child)
}

/// Runs `imds-lint ARGS` in `dir` with `input` on standard input.
pub fn imds_lint_with_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Run {
    let mut child = command(dir, args, &[])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    finish(child)
}

/// The findings of `imds-lint --output-format json ARGS` run in `dir`.
pub fn json_findings(dir: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--output-format", "json"];
    all.extend_from_slice(args);
    let run = imds_lint(dir, &all);
    assert!(run.code == 0 || run.code == 1, "{run:#?}");
    serde_json::from_str::<Vec<Value>>(&run.stdout).unwrap()
}

/// The fix kind (`safe`, `unsafe`, `display-only`) of a JSON finding.
pub fn fix_kind(finding: &Value) -> Option<&str> {
    finding["fix"]["applicability"].as_str()
}

/// Writes `content` to `dir/name`, creating folders.
pub fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(path, content).unwrap();
}

/// Copies the folder `from` to `to` (files, folders and symbolic links).
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(entry.path()).unwrap(), &target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary folder holding a copy of the sample workspace at
/// `fixtures/workspace`, so that paths read as they do in the repository.
pub fn workspace_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &repo_root().join("fixtures/workspace"),
        &dir.path().join("fixtures/workspace"),
    );
    dir
}

/// Every file under `dir` (relative path to bytes), symbolic links as
/// their targets' names.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            let relative = entry.path().strip_prefix(dir).unwrap().to_path_buf();
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_symlink() {
                let target = fs::read_link(entry.path()).unwrap();
                files.insert(relative, target.as_os_str().as_encoded_bytes().to_vec());
            } else {
                files.insert(relative, fs::read(entry.path()).unwrap());
            }
        }
    }
    files
}

/// The paths whose bytes differ between two snapshots (or that are in one
/// only).
pub fn changed(
    before: &BTreeMap<PathBuf, Vec<u8>>,
    after: &BTreeMap<PathBuf, Vec<u8>>,
) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = before
        .keys()
        .chain(after.keys())
        .filter(|path| before.get(*path) != after.get(*path))
        .cloned()
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// Runs `program ARGS` in `dir` with `input` on standard input.
pub fn tool(dir: &Path, program: &str, args: &[&str], input: &[u8]) -> Run {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("{program} is needed by this test: {err}"));
    child.stdin.take().unwrap().write_all(input).unwrap();
    finish(child)
}

/// Whether the tests run as root (who may mount, and whom file modes do
/// not stop).
pub fn is_root() -> bool {
    let status = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&status.stdout).trim() == "0"
}

/// Tells whoever runs the tests that an assertion cannot run here, and why.
#[expect(clippy::print_stderr, reason = "the note must show in the test output")]
pub fn note_skipped(test: &str, why: &str) {
    eprintln!("note: {test}: {why}; assertion skipped");
}
