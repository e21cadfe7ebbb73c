//! Fingerprints from one run to the next: lines added above a finding move
//! it but keep its fingerprint; a different request gets a different one.

use std::path::Path;

use crate::support::{fingerprint, has_ext, region, repo, results, sarif, uri};

/// (uri, startLine, fingerprint) of every result for the files in `dir`.
fn prints(dir: &Path) -> Vec<(String, usize, String)> {
    let (log, _) = sarif(dir, &["."]);
    results(&log)
        .iter()
        .map(|r| (uri(r).to_owned(), region(r).0, fingerprint(r).to_owned()))
        .collect()
}

/// Copies files of the sample workspace into `dir`, flat.
fn copy(dir: &Path, files: &[&str]) {
    for file in files {
        let from = repo().join("fixtures/workspace").join(file);
        let name = Path::new(file).file_name().unwrap();
        std::fs::copy(from, dir.join(name)).unwrap();
    }
}

const SCRIPT: &str = "Shared/init_scripts/install-datadog-agent.sh";
const NOTEBOOK: &str = "Users/priya.raman@halcyonfreight.com/exploration/spot_interruptions.ipynb";

#[test]
fn fingerprints_survive_lines_added_above() {
    let dir = tempfile::tempdir().unwrap();
    copy(dir.path(), &[SCRIPT, NOTEBOOK]);
    let before = prints(dir.path());
    assert!(before.iter().any(|(u, ..)| has_ext(u, "sh")), "{before:?}");
    assert!(
        before.iter().any(|(u, ..)| has_ext(u, "ipynb")),
        "{before:?}"
    );

    // Shell: three comment lines after the shebang.
    let script = dir.path().join("install-datadog-agent.sh");
    let text = std::fs::read_to_string(&script).unwrap();
    let (shebang, rest) = text.split_once('\n').unwrap();
    let added = "# Owned by the platform team.\n# Runs at cluster start.\n\n";
    std::fs::write(&script, format!("{shebang}\n{added}{rest}")).unwrap();

    // Notebook: a new markdown cell before the others (new JSON lines).
    let notebook = dir.path().join("spot_interruptions.ipynb");
    let text = std::fs::read_to_string(&notebook).unwrap();
    let cells_at = text.find("\"cells\": [").unwrap() + "\"cells\": [".len();
    let cell = "\n  {\n   \"cell_type\": \"markdown\",\n   \"metadata\": {},\n   \"source\": [\"# Notes\\n\", \"More notes.\"]\n  },";
    let mut new_text = text.clone();
    new_text.insert_str(cells_at, cell);
    std::fs::write(&notebook, new_text).unwrap();

    let after = prints(dir.path());
    assert_eq!(after.len(), before.len());
    for (old, new) in before.iter().zip(&after) {
        assert_eq!(old.0, new.0);
        assert_eq!(old.2, new.2, "fingerprint of {} changed", old.0);
        let shift = if has_ext(&old.0, "sh") { 3 } else { 5 };
        assert_eq!(new.1, old.1 + shift, "{} moved down", old.0);
    }
}

#[test]
fn fingerprints_tell_findings_apart() {
    let dir = tempfile::tempdir().unwrap();
    copy(dir.path(), &[SCRIPT, NOTEBOOK]);
    let prints = prints(dir.path());
    let mut unique: Vec<&String> = prints.iter().map(|(_, _, p)| p).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), prints.len(), "{prints:?}");
}

#[test]
fn identical_requests_in_a_file_are_numbered() {
    let dir = tempfile::tempdir().unwrap();
    let curl = "curl -s http://169.254.169.254/latest/meta-data/instance-id";
    crate::support::write(
        dir.path(),
        "twice.sh",
        format!("#!/bin/sh\n{curl}\n  {curl}\n"),
    );
    let prints = prints(dir.path());
    assert_eq!(prints.len(), 2);
    let (hash1, n1) = prints[0].2.split_once(':').unwrap();
    let (hash2, n2) = prints[1].2.split_once(':').unwrap();
    assert_eq!(hash1, hash2, "same request, same file: same hash");
    assert_eq!((n1, n2), ("1", "2"));
}
