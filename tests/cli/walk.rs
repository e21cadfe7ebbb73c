//! The walk over folders: .gitignore (in and outside git), hidden files,
//! --no-ignore, --exclude, named files, and the order of output.

use std::io::{BufRead, BufReader};

use crate::support::{imds_lint, spawn, write, write_probe, IMDSV1_SCRIPT};

/// The names in the `error:` lines: where the walk went.
fn probed(dir: &std::path::Path, args: &[&str]) -> Vec<String> {
    imds_lint(dir, args)
        .errors()
        .iter()
        .map(|line| line.split(": ").nth(1).unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn gitignore_is_honoured_outside_git_repositories() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitignore", "build/\n*.gen.py\n");
    write_probe(dir.path(), "build/out.py");
    write_probe(dir.path(), "a.gen.py");
    write_probe(dir.path(), "kept.py");
    assert!(!dir.path().join(".git").exists());

    assert_eq!(probed(dir.path(), &[]), vec!["kept.py"]);
    assert_eq!(
        probed(dir.path(), &["--no-ignore"]),
        vec!["a.gen.py", "build/out.py", "kept.py"]
    );
}

#[test]
fn dot_ignore_files_count_too() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sub/.ignore", "skip.py\n");
    write_probe(dir.path(), "sub/skip.py");
    write_probe(dir.path(), "sub/kept.py");
    assert_eq!(probed(dir.path(), &[]), vec!["sub/kept.py"]);
}

#[test]
fn hidden_files_and_folders_are_skipped_unless_named() {
    let dir = tempfile::tempdir().unwrap();
    write_probe(dir.path(), ".venv/lib/site.py");
    write_probe(dir.path(), ".hidden.py");
    write_probe(dir.path(), "seen.py");
    assert_eq!(probed(dir.path(), &[]), vec!["seen.py"]);
    assert_eq!(probed(dir.path(), &[".hidden.py"]), vec![".hidden.py"]);
}

#[test]
fn named_files_are_checked_even_when_gitignored() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitignore", "*.py\n");
    write_probe(dir.path(), "ignored.py");
    assert_eq!(probed(dir.path(), &["ignored.py"]), vec!["ignored.py"]);
}

#[test]
fn exclude_skips_files_and_folders_named_or_found() {
    let dir = tempfile::tempdir().unwrap();
    write_probe(dir.path(), "vendor/lib.py");
    write_probe(dir.path(), "gen/a.py");
    write_probe(dir.path(), "src/b.py");
    write_probe(dir.path(), "src/c_test.py");

    let args = [
        "--exclude",
        "vendor",
        "--exclude",
        "*_test.py",
        "--exclude",
        "/gen",
    ];
    assert_eq!(probed(dir.path(), &args), vec!["src/b.py"]);
    let named = [&args[..], &["vendor/lib.py", "src/c_test.py", "src/b.py"]].concat();
    assert_eq!(probed(dir.path(), &named), vec!["src/b.py"]);

    // Regression (fresh tester): `-v` said so only for paths named on the
    // command line, not for what the walk left out.
    let run = imds_lint(dir.path(), &[&["-v"], &args[..], &["."]].concat());
    for left_out in ["vendor", "gen", "src/c_test.py"] {
        let line = format!("debug: {left_out}: excluded");
        assert!(run.stderr.contains(&line), "{line} in {run:?}");
    }
}

/// Found by testers: `--exclude "$PWD/gen"` excluded nothing (a glob with a
/// leading `/` is anchored at the current folder, so it named
/// `$PWD$PWD/gen`), and `--exclude ../src` matched nothing without a word.
/// An absolute path under the current folder names that path; a glob
/// outside it is warned about.
#[test]
fn exclude_takes_absolute_paths_below_the_folder_and_warns_of_others() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    write_probe(&root, "gen/a.py");
    write_probe(&root, "src/b.py");
    let absolute = root.join("gen").display().to_string();
    assert_eq!(probed(&root, &["--exclude", &absolute]), vec!["src/b.py"]);
    let run = imds_lint(&root, &["--exclude", "../src", "."]);
    assert!(
        run.stderr
            .contains("warning: --exclude `../src`: it names a path outside the current folder"),
        "{run:?}"
    );
    let run = imds_lint(&root, &["--exclude", "gen", "."]);
    assert!(!run.stderr.contains("warning"), "{run:?}");
    // An anchored glob named like a folder at the root (`/tmp`) is not
    // taken for that folder when this folder has one by that name.
    write_probe(&root, "tmp/c.py");
    let run = imds_lint(&root, &["--exclude", "/tmp", "."]);
    assert!(!run.stderr.contains("warning"), "{run:?}");
}

#[test]
fn output_is_sorted_by_path_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let mut expected = Vec::new();
    for i in (0..60).rev() {
        let name = format!("d{}/f{i:02}.py", i % 3);
        write_probe(dir.path(), &name);
        expected.push(name);
    }
    expected.sort();
    assert_eq!(probed(dir.path(), &[]), expected);
    assert_eq!(probed(dir.path(), &["d2", "d0", "d1"]), expected);
}

/// A folder named twice under two spellings (`.` and its absolute path,
/// or through a link to it) holds each file once, and a file named two
/// ways is shown under the same name whatever the order of the
/// arguments: the plainest spelling. Found by a tester: `imds-lint .
/// $PWD` checked every file twice, and `imds-lint $PWD/a.py a.py` showed
/// the absolute path where `a.py $PWD/a.py` showed `a.py`.
#[test]
fn a_folder_named_two_ways_holds_each_file_once() {
    let dir = tempfile::tempdir().unwrap();
    write_probe(dir.path(), "a.py");
    write_probe(dir.path(), "sub/b.py");
    std::os::unix::fs::symlink("sub", dir.path().join("link")).unwrap();
    let absolute = dir.path().to_str().unwrap().to_owned();
    let absolute_a = dir.path().join("a.py").to_str().unwrap().to_owned();
    assert_eq!(
        probed(dir.path(), &[".", &absolute]),
        vec!["a.py", "sub/b.py"]
    );
    assert_eq!(probed(dir.path(), &["sub", "link"]), vec!["sub/b.py"]);
    assert_eq!(probed(dir.path(), &["link", "sub"]), vec!["sub/b.py"]);
    for args in [
        ["a.py", &absolute_a],
        [&absolute_a, "a.py"],
        ["sub/../a.py", "a.py"],
    ] {
        assert_eq!(probed(dir.path(), &args), vec!["a.py"], "{args:?}");
    }
}

#[test]
fn a_file_named_twice_is_checked_once() {
    let dir = tempfile::tempdir().unwrap();
    write_probe(dir.path(), "a.py");
    assert_eq!(probed(dir.path(), &["a.py", "./a.py", "."]), vec!["a.py"]);

    // Regression (fresh tester): spelled through `..` or from the root, the
    // same file was reported once per spelling.
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    let absolute = dir.path().join("a.py");
    let absolute = absolute.to_str().unwrap();
    assert_eq!(
        probed(dir.path(), &["a.py", "src/../a.py", absolute, "."]),
        vec!["a.py"]
    );
}

#[test]
fn named_files_of_no_kind_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "notes",
        IMDSV1_SCRIPT.replace("#!/bin/sh", "# notes"),
    );
    let run = imds_lint(dir.path(), &["notes"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, "");

    let run = imds_lint(dir.path(), &["-v", "notes"]);
    assert!(run.stderr.contains("debug: notes: skipped"), "{run:?}");
}

#[test]
fn shebang_decides_for_files_without_extension() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bootstrap", IMDSV1_SCRIPT);
    write(
        dir.path(),
        "README",
        "curl http://169.254.169.254/latest/meta-data/\n",
    );
    let run = imds_lint(dir.path(), &["--output-format", "concise", "-q"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.stdout.lines().count(), 1, "{run:?}");
    assert!(run.stdout.starts_with("bootstrap:2:1: IMD001"), "{run:?}");
}

#[test]
fn broken_pipe_exits_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let many = "curl http://169.254.169.254/latest/meta-data/\n".repeat(3000);
    write(dir.path(), "many.sh", format!("#!/bin/sh\n{many}"));

    let mut child = spawn(dir.path(), &["--output-format", "concise"]);
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is gone (like `| head -1`); the rest cannot be written.
    let output = child.wait_with_output().unwrap();
    assert!(first.starts_with("many.sh:2:1: IMD001"), "{first}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr, "", "no error, no panic on a closed pipe");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn verbose_logs_from_worker_threads_do_not_deadlock() {
    // Workers log while the main thread writes: standard error must not be
    // held locked by either for the whole run.
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["-v".to_owned()];
    for i in 0..200 {
        let name = format!("note{i:03}.txt");
        write(dir.path(), &name, "text\n");
        args.push(name);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let mut child = spawn(dir.path(), &args);
    let stderr = child.stderr.take().unwrap();
    let lines = std::thread::spawn(move || BufReader::new(stderr).lines().count());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("imds-lint -v hung");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(lines.join().unwrap() >= 200);
}

/// Chains of nested folders are made and removed this many levels at a
/// time, so that no path named is much longer than the temporary folder
/// and ten folder names.
const CHAIN_STEP: usize = 10;

/// Names for a chain of nested folders that passes Linux's path limit
/// (4,096 bytes) under `dir`: long names first, then 200 one-letter ones,
/// so that the limit is passed one or two bytes at a time, as in a chain
/// of thousands of `d` folders, yet few folders are made.
fn names_past_the_path_limit(dir: &std::path::Path) -> Vec<String> {
    let long = 3_900_usize.saturating_sub(dir.as_os_str().len()) / 101;
    let mut names = vec!["d".repeat(100); long];
    names.extend(std::iter::repeat_n("d".to_owned(), 200));
    names
}

/// Makes nested folders named `names` (the top first) in `dir`, with a
/// script `a.sh` at the bottom: short chains are made bottom first, each
/// moved into the bottom of the next one up.
fn deep_folder_chain(dir: &std::path::Path, names: &[String]) {
    let piece = dir.join("piece");
    let above = dir.join("above");
    let below_top = |chunk: &[String]| chunk[1..].iter().collect::<std::path::PathBuf>();
    let mut chunks = names.rchunks(CHAIN_STEP);
    let bottom = chunks.next().unwrap();
    std::fs::create_dir_all(piece.join(below_top(bottom))).unwrap();
    std::fs::write(piece.join(below_top(bottom)).join("a.sh"), IMDSV1_SCRIPT).unwrap();
    let mut piece_name = &bottom[0];
    for chunk in chunks {
        let bottom_of_above = above.join(below_top(chunk));
        std::fs::create_dir_all(&bottom_of_above).unwrap();
        std::fs::rename(&piece, bottom_of_above.join(piece_name)).unwrap();
        std::fs::rename(&above, &piece).unwrap();
        piece_name = &chunk[0];
    }
    std::fs::rename(&piece, dir.join(piece_name)).unwrap();
}

/// Removes what [`deep_folder_chain`] made, a short chain at a time
/// (removing a chain too deep to name in one go can take seconds).
fn remove_deep_folder_chain(dir: &std::path::Path, names: &[String]) {
    let top = dir.join("top");
    let rest = dir.join("rest");
    std::fs::rename(dir.join(&names[0]), &top).unwrap();
    for chunk in names[1..].chunks(CHAIN_STEP) {
        let below: std::path::PathBuf = chunk.iter().collect();
        std::fs::rename(top.join(below), &rest).unwrap();
        std::fs::remove_dir_all(&top).unwrap();
        std::fs::rename(&rest, &top).unwrap();
    }
    std::fs::remove_dir_all(&top).unwrap();
}

#[test]
fn a_folder_chain_deeper_than_the_path_limit_is_one_error_not_one_per_config() {
    // Regression (tester): in 2,500 nested folders `d`, each configuration
    // file that could not even be named (`file name too long`), though
    // none existed, was an error, and the run stopped there.
    let dir = tempfile::tempdir().unwrap();
    let names = names_past_the_path_limit(dir.path());
    deep_folder_chain(dir.path(), &names);

    let run = imds_lint(dir.path(), &["--output-format", "concise", "."]);
    assert_eq!(run.code, 2, "{run:?}");
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(!errors[0].contains("imds-lint.toml"), "{errors:?}");
    assert!(errors[0].ends_with(": file name too long"), "{errors:?}");

    // Named, the file's own error names it.
    let deep_file = format!("{}/a.sh", names.join("/"));
    let run = imds_lint(dir.path(), &[deep_file.as_str()]);
    assert_eq!(
        run.errors(),
        [format!("error: {deep_file}: file name too long")]
    );
    remove_deep_folder_chain(dir.path(), &names);
}

/// Found by a fresh tester in the tenth session: a file named on the
/// command line whose kind imds-lint does not read (`f.zsh`) was passed
/// over without a word, as "No findings (0 files checked)".
#[test]
fn a_named_file_of_a_kind_not_read_gets_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "f.zsh",
        "#!/bin/zsh\ncurl http://169.254.169.254/latest/meta-data/\n",
    );
    write(dir.path(), "README", "notes\n");
    let run = imds_lint(dir.path(), &["f.zsh", "README"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stderr,
        "warning: f.zsh: not checked: imds-lint reads notebooks, Databricks exports, and Python, shell and Scala files (docs/cli.md, \"Which files\")\n",
        "an extensionless file without a shebang stays silent: {run:?}"
    );
    // Found in a folder, it stays silent.
    let run = imds_lint(dir.path(), &["."]);
    assert_eq!(run.stderr, "", "{run:?}");
}
