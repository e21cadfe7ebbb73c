//! Inputs that once made an analyser panic, each named after what went
//! wrong. Checking them must simply finish.

use imds_lint_parser::{Cell, Lang};
use imds_lint_rules::{check, Settings};

fn check_one(lang: Lang, code: &str) {
    let _ = check(vec![Cell::whole_file(lang, code)], &Settings::default());
}

#[test]
fn shell_empty_translated_string_sliced_past_its_end() {
    check_one(
        Lang::Shell,
        "#!/bin/bash\n# Reads the region from IMDS (169.254.169.254) later on.\nGREETING=$\"\"\necho \"$GREETING\"\n",
    );
}

#[test]
fn shell_unterminated_string_ending_in_a_variable_sliced_backwards() {
    check_one(
        Lang::Shell,
        "#!/bin/bash\nIMDS=http://169.254.169.254\necho \"unterminated $IMDS",
    );
}

#[test]
fn scala_unterminated_interpolation_sliced_backwards() {
    check_one(Lang::Scala, "l d=((\"\"s\"\")).m\nn(s\"$t)\nval 169.254.! ");
}

#[test]
fn curl_with_a_token_url_and_a_metadata_url_reports_the_metadata_request() {
    // Found by fuzzing: only the token URL was judged, its IMD002 fix made
    // the whole command a PUT, and the next run added a token: no settling.
    // Then only the metadata URL was: the IMD002 showed after a first fix.
    // Both are reported; only the IMD001 has a fix.
    let code =
        "curl http://169.254.169.254/latest/api/token http://169.254.169.254/latest/meta-data/\n";
    let (_, findings) = check(
        vec![Cell::whole_file(Lang::Shell, code)],
        &Settings::default(),
    );
    assert_eq!(findings.len(), 2, "{findings:?}");
    assert_eq!(
        findings[0].rule,
        imds_lint_rules::Rule::MetadataRequestWithoutToken
    );
    assert_eq!(
        findings[1].rule,
        imds_lint_rules::Rule::MalformedTokenRequest
    );
    assert!(findings[1].fix.is_none());
}

#[test]
fn a_request_in_the_last_line_of_an_unterminated_heredoc_is_found() {
    // tree-sitter-bash takes the last line of a heredoc that never ends for
    // its terminator; bash runs it as part of the body.
    let code = "bash <<E\necho $V\nhttp GET http://169.254.169.254/latest/meta-data/x/\n";
    let (_, findings) = check(
        vec![Cell::whole_file(Lang::Shell, code)],
        &Settings::default(),
    );
    assert_eq!(findings.len(), 1, "{findings:?}");
}

#[test]
fn the_fix_of_a_request_ending_an_unterminated_heredoc_settles() {
    // Found by fuzzing (bug 19): the body ended before the URL's last `/`,
    // which tree-sitter-bash took for the terminator, so the header went
    // inside the URL word and every run added another token fetch.
    let code = "bash <<E\nhttp GET 169.254.169.254/latest/meta-data/$V/";
    let once = fixed_once(Lang::Shell, code);
    assert_ne!(once, code);
    assert!(
        once.ends_with("$V/ \"X-aws-ec2-metadata-token:\\$IMDS_TOKEN\""),
        "{once}"
    );
    assert_eq!(fixed_once(Lang::Shell, &once), once);
}

#[test]
fn a_command_written_with_a_backslash_at_a_line_start_is_a_command_of_its_own() {
    // A new-user tester found it: tree-sitter-bash joins a line that starts
    // with a backslash (`\curl`, the idiom that skips aliases) to the line
    // before it, so `echo hi` then `\curl URL` parsed as one `echo`, and
    // `MD=...` then `\curl "$MD/x"` as one command with MD set for it
    // alone: both requests, and every later use of MD, were missed.
    let url = "http://169.254.169.254/latest/meta-data";
    let cases = [
        format!("echo hi\n\\curl -s {url}/instance-id\n"),
        format!("MD=\"{url}\"\n\\curl -s \"$MD/region\"\ncurl -s \"$MD/ami-id\"\n"),
        format!("export MD={url}\n\\wget -qO- \"$MD/mac\"\n"),
        format!("f() {{\n  true\n}}\n\\curl -s {url}/hostname\n"),
    ];
    let expected = [1, 2, 1, 1];
    for (code, expected) in cases.iter().zip(expected) {
        let (_, findings) = check(
            vec![Cell::whole_file(Lang::Shell, code)],
            &Settings::default(),
        );
        assert_eq!(findings.len(), expected, "{code}: {findings:?}");
        assert!(
            findings.iter().all(|f| f.fix.is_some()),
            "{code}: {findings:?}"
        );
        let once = fixed_once(Lang::Shell, code);
        assert_eq!(fixed_once(Lang::Shell, &once), once, "{code}");
        assert!(once.contains("X-aws-ec2-metadata-token"), "{once}");
    }

    // A backslash at a line start that bash does not read as a command's
    // start is left as it is: a continued line, a string, a heredoc.
    let untouched = [
        format!("echo hi \\\n\\curl -s {url}/x\n"),
        format!("echo \"a\n\\curl -s {url}/x\"\n"),
        format!("cat <<EOF\n\\curl -s {url}/x\nEOF\n"),
    ];
    for code in &untouched {
        let (_, findings) = check(
            vec![Cell::whole_file(Lang::Shell, code)],
            &Settings::default(),
        );
        assert_eq!(findings.len(), 0, "{code}: {findings:?}");
    }
}

/// The code after applying every fix `check` offers (single cell).
fn fixed_once(lang: Lang, code: &str) -> String {
    let (_, findings) = check(vec![Cell::whole_file(lang, code)], &Settings::default());
    let mut edits: Vec<_> = findings
        .iter()
        .filter_map(|f| f.fix.as_ref())
        .flat_map(|fix| fix.edits.iter())
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = code.to_owned();
    for edit in edits {
        out.replace_range(edit.range.clone(), &edit.content);
    }
    out
}
