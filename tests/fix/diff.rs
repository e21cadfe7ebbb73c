//! `--diff`: unified diffs that `git apply` and `patch -p1` take as they
//! are, that change a copy exactly as `--fix` changes another, and that
//! write nothing themselves.

use crate::support::{
    changed, imds_lint, snapshot, tool, workspace_copy, write, CLEAN_SCRIPT, IMDSV1_SCRIPT,
};

#[test]
fn sample_workspace_diff_checks_with_git_apply_in_the_repository() {
    let root = crate::support::repo_root();
    let run = imds_lint(&root, &["--diff", "fixtures/workspace"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("--- a/fixtures/workspace/"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("Would fix "), "{}", run.stderr);

    // As the README says: `imds-lint --diff fixtures/workspace | git apply --check`.
    let check = tool(&root, "git", &["apply", "--check", "-"], &run.bytes);
    assert_eq!(check.code, 0, "git apply --check: {check:#?}");
}

#[test]
fn sample_workspace_diff_applies_like_fix_with_git_and_with_patch() {
    let fixed = workspace_copy();
    let run = imds_lint(fixed.path(), &["--fix", "fixtures/workspace"]);
    assert!(run.code == 0 || run.code == 1, "{run:#?}");
    let expected = snapshot(fixed.path());

    for (program, args) in [
        ("git", &["apply", "-"][..]),
        ("patch", &["-p1", "--quiet"][..]),
    ] {
        let copy = workspace_copy();
        let before = snapshot(copy.path());
        let diff = imds_lint(copy.path(), &["--diff", "fixtures/workspace"]);
        assert_eq!(diff.code, 1, "{diff:#?}");
        assert_eq!(snapshot(copy.path()), before, "--diff wrote a file");

        if program == "patch" {
            let dry = tool(copy.path(), "patch", &["-p1", "--dry-run"], &diff.bytes);
            assert_eq!(dry.code, 0, "patch -p1 --dry-run: {dry:#?}");
            assert_eq!(snapshot(copy.path()), before, "--dry-run changed a file");
        }
        let applied = tool(copy.path(), program, args, &diff.bytes);
        assert_eq!(applied.code, 0, "{program}: {applied:#?}");
        let after = snapshot(copy.path());
        assert_eq!(
            changed(&expected, &after),
            Vec::<std::path::PathBuf>::new(),
            "{program} applied the diff differently from --fix"
        );
        assert!(!changed(&before, &after).is_empty());
    }
}

#[test]
fn diff_paths_are_relative_to_the_current_folder() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "jobs/init.sh", IMDSV1_SCRIPT);
    let absolute = dir.path().join("jobs/init.sh");

    // git refuses `..` in a diff's path: it is named without one.
    for (from, path) in [
        ("", "jobs/init.sh"),
        ("", "./jobs/init.sh"),
        ("", "jobs/../jobs/init.sh"),
        ("jobs", "../jobs/init.sh"),
    ] {
        let cwd = dir.path().join(from);
        let run = imds_lint(&cwd, &["--diff", path]);
        assert_eq!(run.code, 1, "{run:#?}");
        let expected_path = if from.is_empty() {
            "jobs/init.sh"
        } else {
            "init.sh"
        };
        assert!(
            run.stdout.starts_with(&format!(
                "--- a/{expected_path}\n+++ b/{expected_path}\n@@ "
            )),
            "{path}: {}",
            run.stdout
        );
        let check = tool(&cwd, "git", &["apply", "--check", "-"], &run.bytes);
        assert_eq!(check.code, 0, "{path}: {check:#?}");
    }
    // Through a linked folder (which git refuses), by where it leads.
    std::os::unix::fs::symlink("jobs", dir.path().join("linked")).unwrap();
    let run = imds_lint(dir.path(), &["--diff", "linked"]);
    assert!(
        run.stdout.starts_with("--- a/jobs/init.sh\n"),
        "{}",
        run.stdout
    );
    let check = tool(dir.path(), "git", &["apply", "--check", "-"], &run.bytes);
    assert_eq!(check.code, 0, "{check:#?}");
    // A linked file (which git holds as a link, and will not patch) is
    // named by where it leads too. Found by a fresh tester in the tenth
    // session: `hlink.sh -> .hidden/t.sh` was named `hlink.sh`.
    write(dir.path(), ".hidden/t.sh", IMDSV1_SCRIPT);
    std::os::unix::fs::symlink(".hidden/t.sh", dir.path().join("hlink.sh")).unwrap();
    let run = imds_lint(dir.path(), &["--diff", "hlink.sh"]);
    assert!(
        run.stdout.starts_with("--- a/.hidden/t.sh\n"),
        "{}",
        run.stdout
    );
    let check = tool(dir.path(), "git", &["apply", "--check", "-"], &run.bytes);
    assert_eq!(check.code, 0, "{check:#?}");
    // Outside the current folder, the path stays as it was given.
    write(dir.path(), "top.sh", IMDSV1_SCRIPT);
    let run = imds_lint(&dir.path().join("jobs"), &["--diff", "../top.sh"]);
    assert!(
        run.stdout.starts_with("--- a/../top.sh\n"),
        "{}",
        run.stdout
    );
    let run = imds_lint(dir.path(), &["--diff", absolute.to_str().unwrap()]);
    assert!(
        run.stdout
            .starts_with("--- a/jobs/init.sh\n+++ b/jobs/init.sh\n"),
        "{}",
        run.stdout
    );
    let check = tool(dir.path(), "git", &["apply", "--check", "-"], &run.bytes);
    assert_eq!(check.code, 0, "{check:#?}");
}

#[test]
fn unusual_file_names_are_quoted_so_git_apply_and_patch_read_the_diff() {
    use std::os::unix::ffi::OsStrExt;

    let names: [&[u8]; 9] = [
        b"plain.sh",
        b"with space.sh",
        b"new\nline.sh",
        b"tab\there.sh",
        b"carriage\rreturn.sh",
        b"nonutf\xff\xfe.sh",
        b"esc\x1b[31m.sh",
        b"quote\"back\\slash.sh",
        "caf\u{e9}.sh".as_bytes(),
    ];
    let dir = tempfile::tempdir().unwrap();
    for name in names {
        let path = dir.path().join(std::ffi::OsStr::from_bytes(name));
        std::fs::write(path, IMDSV1_SCRIPT).unwrap();
    }
    let fixed = tempfile::tempdir().unwrap();
    crate::support::copy_tree(dir.path(), fixed.path());
    let run = imds_lint(fixed.path(), &["--fix", "."]);
    assert_eq!(run.code, 0, "{run:#?}");
    let expected = snapshot(fixed.path());

    let diff = imds_lint(dir.path(), &["--diff", "."]);
    assert_eq!(diff.code, 1, "{diff:#?}");
    for header in [
        "--- a/plain.sh\n",
        "--- a/with space.sh\t\n",
        "--- \"a/new\\nline.sh\"\n",
        "+++ \"b/nonutf\\377\\376.sh\"\n",
        "--- \"a/esc\\033[31m.sh\"\n",
        "--- \"a/caf\\303\\251.sh\"\n",
    ] {
        assert!(
            diff.stdout.contains(header),
            "{header:?} in {}",
            diff.stdout
        );
    }
    assert!(!diff.bytes.contains(&0x1b), "{}", diff.stdout);

    let check = tool(dir.path(), "git", &["apply", "--check", "-"], &diff.bytes);
    assert_eq!(check.code, 0, "git apply --check: {check:#?}");
    let dry = tool(dir.path(), "patch", &["-p1", "--dry-run"], &diff.bytes);
    assert_eq!(dry.code, 0, "patch -p1 --dry-run: {dry:#?}");
    for (program, args) in [
        ("git", &["apply", "-"][..]),
        ("patch", &["-p1", "--quiet"][..]),
    ] {
        let copy = tempfile::tempdir().unwrap();
        crate::support::copy_tree(dir.path(), copy.path());
        let applied = tool(copy.path(), program, args, &diff.bytes);
        assert_eq!(applied.code, 0, "{program}: {applied:#?}");
        assert_eq!(snapshot(copy.path()), expected, "{program}");
    }
}

#[test]
fn line_endings_and_a_missing_final_newline_survive_the_diff() {
    let dir = tempfile::tempdir().unwrap();
    let crlf = IMDSV1_SCRIPT.replace('\n', "\r\n");
    write(dir.path(), "crlf.sh", &crlf);
    write(dir.path(), "no-eol.sh", IMDSV1_SCRIPT.trim_end());
    write(
        dir.path(),
        "bom.py",
        "\u{feff}import requests\nrequests.get('http://169.254.169.254/latest/meta-data/')\n",
    );

    let fixed = tempfile::tempdir().unwrap();
    crate::support::copy_tree(dir.path(), fixed.path());
    let run = imds_lint(fixed.path(), &["--fix", "."]);
    assert_eq!(run.code, 0, "{run:#?}");
    let expected = snapshot(fixed.path());
    assert!(
        expected[&std::path::PathBuf::from("crlf.sh")]
            .windows(2)
            .filter(|w| w == b"\r\n")
            .count()
            > 2
    );

    let diff = imds_lint(dir.path(), &["--diff", "."]);
    assert_eq!(diff.code, 1, "{diff:#?}");
    assert!(
        diff.stdout.contains("\\ No newline at end of file"),
        "{}",
        diff.stdout
    );
    let dry = tool(dir.path(), "patch", &["-p1", "--dry-run"], &diff.bytes);
    assert_eq!(dry.code, 0, "{dry:#?}");
    let applied = tool(dir.path(), "git", &["apply", "-"], &diff.bytes);
    assert_eq!(applied.code, 0, "{applied:#?}");
    assert_eq!(snapshot(dir.path()), expected);
}

#[test]
fn notebook_diff_is_of_the_json_as_stored() {
    let root = crate::support::repo_root();
    let notebook = "fixtures/workspace/Users/priya.raman@halcyonfreight.com/exploration/spot_interruptions.ipynb";
    let run = imds_lint(&root, &["--diff", notebook]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stdout.starts_with(&format!("--- a/{notebook}\n")),
        "{}",
        run.stdout
    );
    // Added lines are lines of the notebook's JSON: quoted, escaped.
    let added: Vec<&str> = run
        .stdout
        .lines()
        .filter(|line| line.starts_with('+') && !line.starts_with("+++"))
        .collect();
    assert!(!added.is_empty());
    assert!(
        added
            .iter()
            .all(|line| line[1..].trim_start().starts_with('"')),
        "{added:#?}"
    );
}

#[test]
fn diff_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "clean.sh", CLEAN_SCRIPT);
    let run = imds_lint(dir.path(), &["--diff", "."]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run:#?}");
    assert!(run.stderr.contains("Nothing to fix."), "{run:#?}");

    // A finding with no fix is not a change.
    write(
        dir.path(),
        "old.sh",
        "#!/bin/sh\nec2metadata --instance-id\n",
    );
    let run = imds_lint(dir.path(), &["--diff", "."]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run:#?}");

    write(dir.path(), "init.sh", IMDSV1_SCRIPT);
    let run = imds_lint(dir.path(), &["--diff", "--quiet", "."]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(run.stdout.starts_with("--- a/init.sh\n"), "{run:#?}");
    assert_eq!(run.stderr, "", "--quiet: no closing line");

    // A file that cannot be read wins, and the others' diffs still print.
    write(dir.path(), "broken.py", b"import os\0\n");
    let run = imds_lint(dir.path(), &["--diff", "."]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stdout.starts_with("--- a/init.sh\n"), "{run:#?}");
    assert_eq!(run.errors().len(), 1, "{run:#?}");
    assert!(
        run.errors()[0].starts_with("error: broken.py: "),
        "{run:#?}"
    );
}

#[test]
fn diff_and_fix_together_are_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "init.sh", IMDSV1_SCRIPT);
    let run = imds_lint(dir.path(), &["--fix", "--diff", "."]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("--diff"), "{run:#?}");
    assert_eq!(run.stdout, "");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("init.sh")).unwrap(),
        IMDSV1_SCRIPT
    );
}

/// Found by a fresh tester in the tenth session: `--diff` showed changes to
/// a read-only file and through a link out of the checked folder, which
/// `--fix` then refused; `git apply` rejected the whole patch for the link.
/// The diff now leaves out what `--fix` would not write, and says why.
#[test]
fn diff_leaves_out_the_files_fix_would_not_write() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "outside/target.sh", IMDSV1_SCRIPT);
    write(dir.path(), "root/ro.sh", IMDSV1_SCRIPT);
    write(dir.path(), "root/ok.sh", IMDSV1_SCRIPT);
    let read_only = dir.path().join("root/ro.sh");
    std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("outside/target.sh"),
        dir.path().join("root/link.sh"),
    )
    .unwrap();

    let diff = imds_lint(dir.path(), &["--diff", "root"]);
    assert_eq!(diff.code, 2, "{diff:#?}");
    assert!(diff.stdout.starts_with("--- a/root/ok.sh\n"), "{diff:#?}");
    assert!(!diff.stdout.contains("ro.sh"), "{diff:#?}");
    assert!(!diff.stdout.contains("link.sh"), "{diff:#?}");
    let errors = diff.errors();
    assert_eq!(errors.len(), 2, "{diff:#?}");
    assert!(
        errors[0].starts_with("error: root/link.sh: not in the diff: --fix would not write it: the path is a symbolic link to "),
        "{diff:#?}"
    );
    assert_eq!(
        errors[1],
        "error: root/ro.sh: not in the diff: --fix would not write it: the file is read-only"
    );
    assert!(
        diff.stderr.contains("Would fix 1 finding in 1 file"),
        "{diff:#?}"
    );

    // --fix refuses the same two, for the same reasons.
    let fix = imds_lint(dir.path(), &["--fix", "--output-format", "concise", "root"]);
    assert_eq!(fix.code, 2, "{fix:#?}");
    assert_eq!(fix.errors().len(), 2, "{fix:#?}");
    assert!(fix.stdout.contains("Fixed 1 finding in 1 file"), "{fix:#?}");
}
