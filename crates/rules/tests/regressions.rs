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
