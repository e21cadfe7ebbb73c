//! Fixes, checked on the text they produce: applied to the cell, the code
//! must parse and have no finding left.

use imds_lint_parser::{syntax, Applicability, Edit};

use super::*;
use crate::settings::TokenVariables;

pub(super) const FETCH: &str =
    "IMDS_TOKEN=$(curl -s -X PUT \"http://169.254.169.254/latest/api/token\" \
                     -H \"X-aws-ec2-metadata-token-ttl-seconds: 21600\")";
pub(super) const HEADER: &str = "-H \"X-aws-ec2-metadata-token: $IMDS_TOKEN\"";

/// Applies every finding's edits to `code`, identical edits once, as the
/// rewriter does.
pub(super) fn apply(code: &str, found: &[Finding]) -> String {
    let mut edits: Vec<Edit> = found
        .iter()
        .filter_map(|f| f.fix.as_ref())
        .flat_map(|fix| fix.edits.iter().cloned())
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse((e.range.start, e.range.end)));
    edits.dedup();
    for pair in edits.windows(2) {
        assert!(!pair[0].overlaps(&pair[1]), "overlapping edits {pair:?}");
    }
    let mut out = code.to_owned();
    for edit in edits {
        out.replace_range(edit.range, &edit.content);
    }
    out
}

/// Fixes `code` with `settings`; asserts that every IMD001 had a safe fix,
/// and that the result parses and has no finding.
#[track_caller]
pub(super) fn fixed_with(code: &str, settings: &Settings) -> String {
    let found = check(vec![Cell::whole_file(Lang::Shell, code)], settings).1;
    assert!(!found.is_empty(), "nothing found in:\n{code}");
    for finding in &found {
        let fix = finding
            .fix
            .as_ref()
            .unwrap_or_else(|| panic!("no fix: {finding:?}"));
        assert_eq!(fix.applicability, Applicability::Safe);
    }
    let out = apply(code, &found);
    assert!(
        syntax::parses_cleanly(Lang::Shell, &out),
        "does not parse:\n{out}"
    );
    let again = check(vec![Cell::whole_file(Lang::Shell, &out)], settings).1;
    assert_eq!(again, vec![], "still found in:\n{out}");
    out
}

#[track_caller]
pub(super) fn fixed(code: &str) -> String {
    fixed_with(code, &Settings::default())
}

#[test]
fn the_documented_example() {
    let code =
        "ROLE=$(curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/)\n";
    assert_eq!(
        fixed(code),
        format!(
            "{FETCH}\nROLE=$(curl {HEADER} -s \
             http://169.254.169.254/latest/meta-data/iam/security-credentials/)\n"
        )
    );
}

#[test]
fn requests_of_one_scope_share_one_token() {
    let code = "#!/bin/bash\nset -e\nMD=http://169.254.169.254/latest/meta-data\n\
                ID=$(curl -s $MD/instance-id)\nAZ=$(curl -s \"$MD/placement/availability-zone\")\n";
    assert_eq!(
        fixed(code),
        format!(
            "#!/bin/bash\nset -e\nMD=http://169.254.169.254/latest/meta-data\n{FETCH}\n\
             ID=$(curl {HEADER} -s $MD/instance-id)\n\
             AZ=$(curl {HEADER} -s \"$MD/placement/availability-zone\")\n"
        )
    );
}

#[test]
fn a_function_fetches_its_own_token_indented_alike() {
    let code = "get() {\n    curl -sf \"http://169.254.169.254/latest/meta-data/$1\"\n}\n\
                if true; then\n  curl -s http://169.254.169.254/latest/meta-data/hostname\nfi\n";
    assert_eq!(
        fixed(code),
        format!(
            "get() {{\n    {FETCH}\n    curl {HEADER} -sf \
             \"http://169.254.169.254/latest/meta-data/$1\"\n}}\n\
             {FETCH}\nif true; then\n  curl {HEADER} -s \
             http://169.254.169.254/latest/meta-data/hostname\nfi\n"
        )
    );
}

#[test]
fn statements_sharing_a_line_are_chained() {
    let code = "cd /tmp; curl -s http://169.254.169.254/latest/meta-data/ > md.txt\n";
    assert_eq!(
        fixed(code),
        format!(
            "cd /tmp; {FETCH} && curl {HEADER} -s http://169.254.169.254/latest/meta-data/ \
             > md.txt\n"
        )
    );
    let code = "md() { curl -s http://169.254.169.254/latest/meta-data/$1; }\n";
    assert_eq!(
        fixed(code),
        format!(
            "md() {{ {FETCH} && curl {HEADER} -s http://169.254.169.254/latest/meta-data/$1; }}\n"
        )
    );
}

#[test]
fn wget_and_httpie_fetch_with_their_own_client() {
    let code =
        "AZ=$(wget -qO- http://169.254.169.254/latest/meta-data/placement/availability-zone)\n";
    assert_eq!(
        fixed(code),
        "IMDS_TOKEN=$(wget -q -O - --method=PUT \
         --header=\"X-aws-ec2-metadata-token-ttl-seconds: 21600\" \
         \"http://169.254.169.254/latest/api/token\")\n\
         AZ=$(wget --header=\"X-aws-ec2-metadata-token: $IMDS_TOKEN\" \
         -qO- http://169.254.169.254/latest/meta-data/placement/availability-zone)\n"
    );
    let code = "http -b 169.254.169.254/latest/meta-data/local-ipv4 Accept:text/plain\n";
    assert_eq!(
        fixed(code),
        "IMDS_TOKEN=$(http --ignore-stdin --body PUT \"http://169.254.169.254/latest/api/token\" \
         \"X-aws-ec2-metadata-token-ttl-seconds:21600\")\n\
         http -b 169.254.169.254/latest/meta-data/local-ipv4 \
         \"X-aws-ec2-metadata-token:$IMDS_TOKEN\" Accept:text/plain\n"
    );
}

#[test]
fn the_token_request_uses_the_address_as_written() {
    for base in [
        "http://[fd00:ec2::254]",
        "http://instance-data",
        "http://2852039166",
        "https://169.254.169.254",
    ] {
        let code = format!("curl -s {base}/latest/meta-data/instance-id\n");
        let out = fixed(&code);
        assert!(
            out.starts_with(&format!(
                "IMDS_TOKEN=$(curl -s -X PUT \"{base}/latest/api/token\""
            )),
            "{out}"
        );
    }
    let out = fixed("curl -s 169.254.169.254/latest/meta-data/\n");
    assert!(
        out.contains("\"http://169.254.169.254/latest/api/token\""),
        "{out}"
    );
}

#[test]
fn the_token_request_takes_the_endpoint_from_the_same_variables() {
    // An endpoint the environment may override: the token must come from
    // wherever the request goes.
    let code = concat!(
        "IMDS=${AWS_EC2_METADATA_SERVICE_ENDPOINT:-http://169.254.169.254}\n",
        "curl -s \"$IMDS/latest/meta-data/instance-id\"\n",
    );
    let out = fixed(code);
    assert!(
        out.contains("IMDS_TOKEN=$(curl -s -X PUT \"$IMDS/latest/api/token\""),
        "{out}"
    );
    for (url, token_url) in [
        (
            "http://$HOST/latest/meta-data/",
            "http://$HOST/latest/api/token",
        ),
        ("${BASE}latest/meta-data/", "${BASE}latest/api/token"),
        ("\"$BASE\"/latest/meta-data/", "$BASE/latest/api/token"),
    ] {
        let code = format!("HOST=169.254.169.254\nBASE=http://169.254.169.254/\ncurl -s {url}\n");
        let out = fixed(&code);
        assert!(out.contains(&format!("-X PUT \"{token_url}\"")), "{out}");
    }
    // Regression (tester): in code nested in a string, `$IMDS` was the
    // outer shell's, expanded before the inner one ran; written into the
    // inner code's fetch it named the inner shell's unset variable.
    let out = fixed(
        "IMDS=http://169.254.169.254\nbash -c \"curl -s $IMDS/latest/meta-data/instance-id\"\n",
    );
    assert!(
        out.contains("-X PUT \\\"http://169.254.169.254/latest/api/token\\\""),
        "{out}"
    );
    // A fetch chained after the assignment on its line sees it.
    let out = fixed("B=http://169.254.169.254; curl -s \"$B/latest/meta-data/\"\n");
    assert!(
        out.contains(
            "B=http://169.254.169.254; IMDS_TOKEN=$(curl -s -X PUT \"$B/latest/api/token\""
        ),
        "{out}"
    );
    // Not where a variable is set between the fetch and the request.
    let out = fixed("for B in http://169.254.169.254; do curl -s \"$B/latest/meta-data/\"; done\n");
    assert!(
        out.contains("-X PUT \"http://169.254.169.254/latest/api/token\""),
        "{out}"
    );
}

/// Regression (tester): a variable after `latest/` (`$IMDS/latest/meta-data/$k`)
/// made the token URL the literal address, so an overridden endpoint
/// served the request but not its token.
#[test]
fn the_token_request_keeps_the_endpoint_variable_whatever_follows_it() {
    for tail in ["$k", "${k}", "$1", "$(echo ami-id)"] {
        let code = format!(
            "IMDS=${{AWS_EC2_METADATA_SERVICE_ENDPOINT:-http://169.254.169.254}}\nk=ami-id\n\
             curl -s \"$IMDS/latest/meta-data/{tail}\"\n"
        );
        let out = fixed(&code);
        assert!(
            out.contains("IMDS_TOKEN=$(curl -s -X PUT \"$IMDS/latest/api/token\""),
            "{out}"
        );
    }
    // A variable holding more than the scheme and host is still not kept.
    let out = fixed(
        "MD=http://169.254.169.254/latest/meta-data\nk=ami-id\ncurl -s \"${MD}/y/latest/$k\"\n",
    );
    assert!(
        out.contains("-X PUT \"http://169.254.169.254/latest/api/token\""),
        "{out}"
    );
}

#[test]
fn an_existing_token_is_reused() {
    let code = "TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token \
                -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')\n\
                curl -s -H \"X-aws-ec2-metadata-token: $TOKEN\" http://169.254.169.254/latest/meta-data/\n\
                curl -s http://169.254.169.254/latest/meta-data/hostname\n";
    let out = fixed(code);
    assert_eq!(
        out,
        code.replace(
            "curl -s http://169.254.169.254/latest/meta-data/hostname",
            "curl -H \"X-aws-ec2-metadata-token: $TOKEN\" -s http://169.254.169.254/latest/meta-data/hostname"
        )
    );
    let found = findings(code);
    assert!(found[0]
        .fix
        .as_ref()
        .is_some_and(|f| f.message.contains("$TOKEN")));
}

#[test]
fn a_token_fetched_after_the_request_is_not_reused() {
    let code = "curl -s http://169.254.169.254/latest/meta-data/hostname\n\
                T=$(curl -sX PUT http://169.254.169.254/latest/api/token \
                -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')\n";
    assert!(fixed(code).starts_with(FETCH));
}

#[test]
fn the_variable_name_does_not_clash() {
    let code = "IMDS_TOKEN=unrelated\ncurl -s http://169.254.169.254/latest/meta-data/\n";
    let out = fixed(code);
    assert!(out.contains("IMDS_TOKEN_2=$(curl -s -X PUT"), "{out}");
    assert!(
        out.contains("X-aws-ec2-metadata-token: $IMDS_TOKEN_2"),
        "{out}"
    );
}

#[test]
fn settings_choose_the_ttl_and_the_name() {
    let settings = Settings {
        token_ttl: 300,
        token_variable: TokenVariables {
            shell: "MD_TOKEN".to_owned(),
            ..Settings::default().token_variable
        },
        ..Settings::default()
    };
    let out = fixed_with(
        "curl -s http://169.254.169.254/latest/meta-data/\n",
        &settings,
    );
    assert!(out.starts_with("MD_TOKEN=$(curl"), "{out}");
    assert!(out.contains("ttl-seconds: 300\")"), "{out}");
    assert!(
        out.contains("X-aws-ec2-metadata-token: $MD_TOKEN\""),
        "{out}"
    );
}

#[test]
fn nested_code_is_fixed_in_its_own_quoting() {
    let code = "bash -c 'curl -s http://169.254.169.254/latest/meta-data/'\n";
    assert_eq!(
        fixed(code),
        format!("bash -c '{FETCH} && curl {HEADER} -s http://169.254.169.254/latest/meta-data/'\n")
    );
    let code = "sh -c \"curl -s http://169.254.169.254/latest/meta-data/\"\n";
    let escaped = |s: &str| s.replace('"', "\\\"").replace('$', "\\$");
    assert_eq!(
        fixed(code),
        format!(
            "sh -c \"{} && curl {} -s http://169.254.169.254/latest/meta-data/\"\n",
            escaped(FETCH),
            escaped(HEADER)
        )
    );
    let code = "bash <<EOF\necho start\ncurl -s http://169.254.169.254/latest/meta-data/\nEOF\n";
    assert_eq!(
        fixed(code),
        format!(
            "bash <<EOF\necho start\n{}\ncurl {} -s http://169.254.169.254/latest/meta-data/\nEOF\n",
            FETCH.replace('$', "\\$"),
            HEADER.replace('$', "\\$")
        )
    );
}

/// Wrappers that run the request here, once, keep a safe fix; the shell
/// string `watch` runs fetches a token on each run, in the string.
#[test]
fn requests_behind_local_wrappers_are_fixed() {
    for wrapper in [
        "runuser -u ubuntu --",
        "flock /tmp/l",
        "ionice -c3",
        "taskset 0x3",
        "chrt -b 0",
        "setpriv --reuid=1000",
    ] {
        let code = format!("{wrapper} curl -s http://169.254.169.254/latest/meta-data/a9\n");
        assert_eq!(
            fixed(&code),
            format!(
                "{FETCH}\n{wrapper} curl {HEADER} -s http://169.254.169.254/latest/meta-data/a9\n"
            )
        );
    }
    let code = "su ubuntu -c 'curl -s http://169.254.169.254/latest/meta-data/a9'\n";
    assert_eq!(
        fixed(code),
        format!(
            "su ubuntu -c '{FETCH} && curl {HEADER} -s http://169.254.169.254/latest/meta-data/a9'\n"
        )
    );
    let code = "watch -n 5 'curl -s http://169.254.169.254/latest/meta-data/a9'\n";
    assert_eq!(
        fixed(code),
        format!(
            "watch -n 5 '{FETCH} && curl {HEADER} -s http://169.254.169.254/latest/meta-data/a9'\n"
        )
    );
}

/// Regression (tester): the code of `su --command='...' USER` (and of
/// runuser's, and of `--session-command=`), written in the option's own
/// word, was not read: its request was not reported at all.
#[test]
fn code_given_in_the_options_own_word_is_read_and_fixed() {
    for (before, after) in [
        ("su --command='", "' root"),
        ("su --session-command=\"", "\" root"),
        ("runuser -l ubuntu --command='", "'"),
        ("sudo su - ubuntu --command='", "'"),
        ("su -c'", "' root"),
    ] {
        let code = format!("{before}curl -s http://169.254.169.254/latest/meta-data/a9{after}\n");
        let out = fixed(&code);
        let (fetch, header) = if before.ends_with('"') {
            (
                FETCH.replace('"', "\\\"").replace('$', "\\$"),
                HEADER.replace('"', "\\\"").replace('$', "\\$"),
            )
        } else {
            (FETCH.to_owned(), HEADER.to_owned())
        };
        assert_eq!(
            out,
            format!(
                "{before}{fetch} && curl {header} -s \
                 http://169.254.169.254/latest/meta-data/a9{after}\n"
            )
        );
    }
}

#[test]
fn substitutions_are_fixed_in_the_shell_that_runs_them() {
    // The outer shell runs `$(...)` before `sh` starts.
    let code = "sh -c \"echo $(curl -s http://169.254.169.254/latest/meta-data/)\"\n";
    assert_eq!(
        fixed(code),
        format!("{FETCH}\nsh -c \"echo $(curl {HEADER} -s http://169.254.169.254/latest/meta-data/)\"\n")
    );
    // Escaped, it is the inner shell's.
    let code = "sh -c \"echo \\$(curl -s http://169.254.169.254/latest/meta-data/)\"\n";
    let escaped = |s: &str| s.replace('"', "\\\"").replace('$', "\\$");
    assert_eq!(
        fixed(code),
        format!(
            "sh -c \"{} && echo \\$(curl {} -s http://169.254.169.254/latest/meta-data/)\"\n",
            escaped(FETCH),
            escaped(HEADER)
        )
    );
    // Unquoted heredocs too are expanded by the shell that feeds them.
    let code = "bash <<EOF\nID=$(curl -s http://169.254.169.254/latest/meta-data/)\nEOF\n";
    assert_eq!(
        fixed(code),
        format!("{FETCH}\nbash <<EOF\nID=$(curl {HEADER} -s http://169.254.169.254/latest/meta-data/)\nEOF\n")
    );
}

/// A fresh tester: `!bash -c "curl ..."` was fixed to send
/// `\$\$IMDS_TOKEN`, which the outer shell turns into `$$` and the inner one
/// into its process ID. The nested code's quoting comes first (`\$T`),
/// then IPython's reading of the line (`\$$T`, which IPython gives to the
/// shell as `\$T`).
#[test]
fn bang_lines_escape_nested_code_before_doubling_dollars() {
    let code = "bash -c \"curl -s http://169.254.169.254/latest/meta-data/instance-id\"";
    let found = findings_in(code, Origin::BangLine, &Env::new());
    let out = apply(code, &found);
    assert!(
        out.contains("-H \\\"X-aws-ec2-metadata-token: \\$$IMDS_TOKEN\\\""),
        "{out}"
    );
    assert!(!out.contains("\\$\\$"), "{out}");
}

/// A fresh tester: IPython leaves `$name` and `$$name` alone where an
/// odd number of `'` follow on the line (so its `'...'` strings keep their
/// dollars). There the fix writes a single `$`; before, `!sh -c '...'`
/// was fixed to send `$$IMDS_TOKEN`, the shell's process ID.
#[test]
fn bang_lines_write_one_dollar_where_ipython_leaves_dollars_alone() {
    let md = "http://169.254.169.254/latest/meta-data/instance-id";
    let code = format!("sh -c 'curl -s {md}'");
    let out = apply(&code, &findings_in(&code, Origin::BangLine, &Env::new()));
    assert!(
        out.contains("-H \"X-aws-ec2-metadata-token: $IMDS_TOKEN\""),
        "{out}"
    );
    assert!(!out.contains("$$"), "{out}");
    // The header goes before the closing quote, the fetch after the
    // opening one: each counts the quotes that follow it.
    let code = format!("curl -s {md} && echo \"it's done\"");
    let out = apply(&code, &findings_in(&code, Origin::BangLine, &Env::new()));
    assert!(out.contains(": $IMDS_TOKEN\""), "{out}");
    // An even number after it: IPython reads `$$` as `$`.
    let code = format!("curl -s {md} && echo 'done'");
    let out = apply(&code, &findings_in(&code, Origin::BangLine, &Env::new()));
    assert!(out.contains(": $$IMDS_TOKEN\""), "{out}");
    // A second tester: IPython counts only up to the next `{field}` (a
    // doubled `{{` is no field).
    let python = outer(&[("fname", "out.txt")]);
    let code = format!("curl -s {md} -o {{fname}} && echo \"it's\"");
    let out = apply(&code, &findings_in(&code, Origin::BangLine, &python));
    assert!(out.contains(": $$IMDS_TOKEN\""), "{out}");
    let code = format!("curl -s {md} -o x{{{{y}}}} && echo \"it's\"");
    let out = apply(&code, &findings_in(&code, Origin::BangLine, &Env::new()));
    assert!(out.contains(": $IMDS_TOKEN\""), "{out}");
}

#[test]
fn bang_lines_chain_and_double_dollars() {
    let code = "curl -s http://169.254.169.254/latest/meta-data/instance-id";
    let found = findings_in(code, Origin::BangLine, &Env::new());
    let out = apply(code, &found);
    assert_eq!(
        out,
        format!(
            "{FETCH} && curl -H \"X-aws-ec2-metadata-token: $$IMDS_TOKEN\" -s \
             http://169.254.169.254/latest/meta-data/instance-id"
        )
    );
    assert!(syntax::parses_cleanly(Lang::Shell, &out));
    assert_eq!(findings_in(&out, Origin::BangLine, &Env::new()), vec![]);
    // A Python name is not taken.
    let python = outer(&[("IMDS_TOKEN", "x")]);
    let found = findings_in(code, Origin::BangLine, &python);
    assert!(apply(code, &found).starts_with("IMDS_TOKEN_2=$(curl"));
}

#[test]
fn bang_lines_whose_expansion_may_fail_get_no_fix() {
    // Regression: IPython leaves a whole `!` line unexpanded when one
    // `$name` or `{expr}` in it is no Python value it can read; the `$$`
    // of the fix then reached the shell as bash's process id.
    let python = outer(&[
        ("md", "http://169.254.169.254/latest/meta-data/"),
        ("key", "instance-id"),
    ]);
    for code in [
        "curl -s http://169.254.169.254/latest/meta-data/$HOME",
        "curl -s {md}{path()}",
        "curl -s $md${HOME}",
        "curl -s $md$1",
        "curl -s $md }",
    ] {
        let found = findings_in(code, Origin::BangLine, &python);
        assert_eq!(found.len(), 1, "{code}: {found:?}");
        assert!(found[0].fix.is_none(), "{code}: {found:?}");
        let help = found[0].help.as_deref().unwrap_or_default();
        // `{path()}` is no shell as written: the line does not parse,
        // which is said first.
        let cause = if code.contains("()") {
            "does not parse"
        } else {
            "IPython"
        };
        assert!(
            help.contains(cause) && help.contains("by hand"),
            "{code}: {help}"
        );
    }
    // Where IPython leaves the fix's `$` alone either way (an odd number
    // of `'` before the next `{field}`), a single `$` is right whether the
    // expansion fails or not.
    let code = "curl -s http://169.254.169.254/latest/meta-data/ | awk '{print $1}'";
    let out = apply(code, &findings_in(code, Origin::BangLine, &python));
    assert!(out.contains(": $IMDS_TOKEN\""), "{out}");
    // Where every value is a Python string, or there is none, IPython
    // expands the line and the fix stands.
    for code in [
        "curl -s http://169.254.169.254/latest/meta-data/instance-id",
        "curl -s $md$key | tr a-z A-Z",
        "curl -s {md}{key} -o /tmp/id",
        "curl -s $md{key} | awk '{{print}}'",
        "curl -s http://169.254.169.254/latest/meta-data/$(cat /tmp/key)",
    ] {
        let found = findings_in(code, Origin::BangLine, &python);
        assert_eq!(found.len(), 1, "{code}: {found:?}");
        assert!(found[0].fix.is_some(), "{code}: {found:?}");
    }
}

#[test]
fn an_empty_token_header_gets_a_real_one_or_help() {
    // `Name:` sends nothing: a token header beside it is all curl sends.
    let out =
        fixed("curl -H 'X-aws-ec2-metadata-token:' http://169.254.169.254/latest/meta-data/a\n");
    assert_eq!(
        out,
        format!(
            "{FETCH}\ncurl {HEADER} -H 'X-aws-ec2-metadata-token:' \
             http://169.254.169.254/latest/meta-data/a\n"
        )
    );
    // `Name;` is sent, empty, beside any other: the empty one must go, by
    // hand.
    let found =
        findings("curl -H 'X-aws-ec2-metadata-token;' http://169.254.169.254/latest/meta-data/a\n");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].fix.is_none(), "{found:?}");
    let help = found[0].help.as_deref().unwrap_or_default();
    assert!(help.contains("X-aws-ec2-metadata-token;"), "{help}");
}

#[test]
fn each_request_after_curls_next_gets_its_own_header() {
    let md = "http://169.254.169.254/latest/meta-data";
    let code = format!("curl -s {md}/a --next -s {md}/b -: {md}/c\n");
    assert_eq!(
        fixed(&code),
        format!("{FETCH}\ncurl {HEADER} -s {md}/a --next {HEADER} -s {md}/b -: {HEADER} {md}/c\n")
    );
    let code = format!("curl {HEADER} -s {md}/a --next {md}/b\n");
    let out = fixed(&format!("{FETCH}\n{code}"));
    assert_eq!(
        out,
        format!("{FETCH}\ncurl {HEADER} -s {md}/a --next {HEADER} {md}/b\n")
    );
}

#[test]
fn host_strings_are_chained_on_their_line() {
    let code = "curl -s http://169.254.169.254/latest/meta-data/ > /tmp/md.txt";
    let host = Origin::HostString {
        host: 0,
        interpolation: Interpolation::None,
    };
    let found = findings_in(code, host, &Env::new());
    assert_eq!(
        apply(code, &found),
        format!(
            "{FETCH} && curl {HEADER} -s http://169.254.169.254/latest/meta-data/ > /tmp/md.txt"
        )
    );
}

#[test]
fn no_fix_where_none_can_be_written() {
    for code in [
        "CURL=\"curl -s\"\n$CURL http://169.254.169.254/latest/meta-data/\n",
        "sh -c curl\\ -s\\ http://169.254.169.254/latest/meta-data/\n",
    ] {
        let found = findings(code);
        assert_eq!(found.len(), 1, "{code}");
        assert!(found[0].fix.is_none(), "{code}");
        assert!(found[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("X-aws-ec2-metadata-token")));
    }
}

#[test]
fn scala_interpolated_strings_double_their_dollars() {
    let code = "curl -s http://169.254.169.254/latest/meta-data/";
    let dollar = Origin::HostString {
        host: 0,
        interpolation: Interpolation::Dollar,
    };
    let found = findings_in(code, dollar.clone(), &Env::new());
    let out = apply(code, &found);
    assert_eq!(
        out,
        format!(
            "{} && curl -H \"X-aws-ec2-metadata-token: $$IMDS_TOKEN\" -s \
             http://169.254.169.254/latest/meta-data/",
            FETCH.replace("=$(", "=`").replace("\")", "\"`")
        )
    );
    assert!(syntax::parses_cleanly(Lang::Shell, &out));
    assert_eq!(findings_in(&out, dollar, &Env::new()), vec![]);
}

#[test]
fn token_requests_get_put_and_a_ttl() {
    for (code, expect) in [
        (
            "TOKEN=$(curl -s http://169.254.169.254/latest/api/token)\n",
            "TOKEN=$(curl -X PUT -H \"X-aws-ec2-metadata-token-ttl-seconds: 21600\" -s \
             http://169.254.169.254/latest/api/token)\n",
        ),
        (
            "TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token)\n",
            "TOKEN=$(curl -H \"X-aws-ec2-metadata-token-ttl-seconds: 21600\" -sX PUT \
             http://169.254.169.254/latest/api/token)\n",
        ),
        (
            "T=$(curl -s -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' \
             http://169.254.169.254/latest/api/token)\n",
            "T=$(curl -X PUT -s -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' \
             http://169.254.169.254/latest/api/token)\n",
        ),
        (
            "T=$(wget -qO- http://169.254.169.254/latest/api/token)\n",
            "T=$(wget --method=PUT --header=\"X-aws-ec2-metadata-token-ttl-seconds: 21600\" \
             -qO- http://169.254.169.254/latest/api/token)\n",
        ),
        (
            "T=$(http -b 169.254.169.254/latest/api/token)\n",
            "T=$(http -b PUT 169.254.169.254/latest/api/token \
             \"X-aws-ec2-metadata-token-ttl-seconds:21600\")\n",
        ),
    ] {
        assert_eq!(fixed(code), expect);
    }
}

#[test]
fn token_requests_that_need_a_person() {
    for code in [
        "curl -X GET http://169.254.169.254/latest/api/token",
        "curl -d x -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token",
        "curl -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 99999' http://169.254.169.254/latest/api/token",
        "wget --method=POST -qO- http://169.254.169.254/latest/api/token",
    ] {
        let found = findings(code);
        assert_eq!(found.len(), 1, "{code}");
        assert_eq!(found[0].rule, Rule::MalformedTokenRequest);
        assert!(found[0].fix.is_none(), "{code}");
        assert!(found[0].help.as_deref().is_some_and(|h| h.contains("PUT")), "{code}");
    }
}

#[test]
fn imdsv1_only_clients_get_no_fix() {
    let found = findings("ec2metadata --instance-id\n");
    assert!(found[0].fix.is_none());
}

#[test]
fn a_command_with_a_token_url_and_a_metadata_url_reports_both() {
    // Bug 6 of fuzz/README: only the IMD001 was reported; the IMD002 of the
    // token URL (fetched with GET) showed only after the first --fix.
    let code =
        "curl http://169.254.169.254/latest/api/token http://169.254.169.254/latest/meta-data/\n";
    let found = check(
        vec![Cell::whole_file(Lang::Shell, code)],
        &Settings::default(),
    )
    .1;
    let rules: Vec<Rule> = found.iter().map(|f| f.rule).collect();
    assert_eq!(
        rules,
        [
            Rule::MetadataRequestWithoutToken,
            Rule::MalformedTokenRequest
        ],
        "{found:?}"
    );
    // The token request cannot be made a PUT without making the other one
    // a PUT too: no fix, only what to do.
    assert!(
        found[1].fix.is_none() && found[1].help.is_some(),
        "{found:?}"
    );

    // Fixing what can be fixed leaves the same IMD002, with nothing to do.
    let out = apply(code, &found);
    let again = check(
        vec![Cell::whole_file(Lang::Shell, &out)],
        &Settings::default(),
    )
    .1;
    let rules: Vec<Rule> = again.iter().map(|f| f.rule).collect();
    assert_eq!(rules, [Rule::MalformedTokenRequest], "{out}");
    assert!(again[0].fix.is_none());
}

#[test]
fn the_token_request_keeps_the_time_limits_of_the_request() {
    // Regression (fresh tester): a request that gave up after a second
    // waited for a token fetch without limit off EC2 or past a hop limit.
    let out = fixed("curl -s --max-time 1 http://169.254.169.254/latest/meta-data/a\n");
    assert!(
        out.starts_with("IMDS_TOKEN=$(curl -s --max-time 1 -X PUT "),
        "{out}"
    );
    let out = fixed("curl -m 2 --connect-timeout=0.5 http://169.254.169.254/latest/meta-data/a\n");
    assert!(
        out.starts_with("IMDS_TOKEN=$(curl -s --max-time 2 --connect-timeout 0.5 -X PUT "),
        "{out}"
    );
    let out = fixed("wget -q -O - -T 3 http://169.254.169.254/latest/meta-data/a\n");
    assert!(
        out.starts_with("IMDS_TOKEN=$(wget -q -O - --timeout=3 --method=PUT "),
        "{out}"
    );
    let out = fixed("http --timeout=4 GET http://169.254.169.254/latest/meta-data/a\n");
    assert!(
        out.starts_with("IMDS_TOKEN=$(http --timeout=4 --ignore-stdin"),
        "{out}"
    );
    // A limit whose value the code does not show is left out; one it does
    // is written as its value.
    let out = fixed("curl -m \"$T\" http://169.254.169.254/latest/meta-data/a\n");
    assert!(out.starts_with("IMDS_TOKEN=$(curl -s -X PUT "), "{out}");
    let out = fixed("T=1\ncurl -m \"$T\" http://169.254.169.254/latest/meta-data/a\n");
    assert!(
        out.contains("IMDS_TOKEN=$(curl -s --max-time 1 -X PUT "),
        "{out}"
    );
}

/// Regression (tester): behind an `http_proxy`, a request sent with
/// `--noproxy '*'` got a token fetch without it: the PUT went to the
/// proxy, and the request then got 401.
#[test]
fn two_routes_in_one_statement_leave_the_second_with_help_written_plainly() {
    let code = "a=$(curl -s http://169.254.169.254/latest/meta-data/a) b=$(curl -s --noproxy '*' http://169.254.169.254/latest/meta-data/b)\n";
    let found = findings(code);
    assert_eq!(found.len(), 2, "{found:?}");
    let help = found[1].help.as_deref().unwrap_or_default();
    assert!(found[1].fix.is_none(), "{found:?}");
    assert!(help.contains("other proxy options"), "{help}");
    assert!(!help.contains("  "), "{help:?}");
}

#[test]
fn the_token_request_keeps_the_proxy_choice_of_the_request() {
    for (code, fetch) in [
        (
            "curl -s --noproxy '*' http://169.254.169.254/latest/meta-data/a\n",
            "IMDS_TOKEN=$(curl -s --noproxy '*' -X PUT ",
        ),
        (
            "curl -s --noproxy=\"*\" http://169.254.169.254/latest/meta-data/a\n",
            "IMDS_TOKEN=$(curl -s --noproxy '*' -X PUT ",
        ),
        (
            "curl -x http://proxy:3128 http://169.254.169.254/latest/meta-data/a\n",
            "IMDS_TOKEN=$(curl -s --proxy http://proxy:3128 -X PUT ",
        ),
        (
            "curl --proxy '' http://169.254.169.254/latest/meta-data/a\n",
            "IMDS_TOKEN=$(curl -s --proxy '' -X PUT ",
        ),
        (
            "wget -qO- --no-proxy http://169.254.169.254/latest/meta-data/a\n",
            "IMDS_TOKEN=$(wget -q -O - --no-proxy --method=PUT ",
        ),
        (
            "wget -qO- -e use_proxy=no http://169.254.169.254/latest/meta-data/a\n",
            "IMDS_TOKEN=$(wget -q -O - -e use_proxy=no --method=PUT ",
        ),
    ] {
        let out = fixed(code);
        assert!(out.starts_with(fetch), "{out}");
    }
    // A proxy the code does not show, nor can write as the request does,
    // may send the token request elsewhere: no fix, and help that says why.
    let found = findings("curl -x \"$(cat p)\" http://169.254.169.254/latest/meta-data/a\n");
    assert_eq!(found.len(), 1);
    assert!(found[0].fix.is_none(), "{found:?}");
    assert!(
        found[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("proxy")),
        "{found:?}"
    );
}

/// Regression (tester): one token fetch served every request of a scope,
/// whatever their proxy choice: behind an `http_proxy`, the fetch written
/// for the first request went to the proxy and the second request, sent
/// with `--noproxy '*'`, got an empty token. A request whose proxy choice
/// differs gets a fetch of its own, into a variable of its own.
#[test]
fn requests_that_go_different_ways_do_not_share_a_token() {
    let code = "curl -s http://169.254.169.254/latest/meta-data/instance-id\n\
                curl -s --noproxy '*' http://169.254.169.254/latest/meta-data/ami-id\n\
                curl -s http://169.254.169.254/latest/meta-data/mac\n\
                curl -s --noproxy '*' http://169.254.169.254/latest/meta-data/hostname\n";
    let out = fixed(code);
    let second = "IMDS_TOKEN_2=$(curl -s --noproxy '*' -X PUT";
    assert!(out.starts_with(FETCH), "{out}");
    assert_eq!(out.matches(second).count(), 1, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[2].starts_with(second), "{out}");
    for (line, variable) in [(1, "$IMDS_TOKEN\""), (3, "$IMDS_TOKEN_2\"")] {
        assert!(lines[line].contains(variable), "{out}");
    }
    assert!(lines[4].contains("$IMDS_TOKEN\""), "{out}");
    assert!(lines[5].contains("$IMDS_TOKEN_2\""), "{out}");

    let code = "wget -qO- http://169.254.169.254/latest/meta-data/instance-id\n\
                wget -qO- --no-proxy http://169.254.169.254/latest/meta-data/ami-id\n";
    let out = fixed(code);
    assert!(
        out.contains("\nIMDS_TOKEN_2=$(wget -q -O - --no-proxy --method=PUT"),
        "{out}"
    );
    assert!(
        out.ends_with(
            "--header=\"X-aws-ec2-metadata-token: $IMDS_TOKEN_2\" -qO- --no-proxy \
                       http://169.254.169.254/latest/meta-data/ami-id\n"
        ),
        "{out}"
    );

    // Time limits and retries do not matter: one fetch serves both.
    let code = "curl -s http://169.254.169.254/latest/meta-data/instance-id\n\
                curl -s -m 2 http://169.254.169.254/latest/meta-data/ami-id\n";
    assert!(!fixed(code).contains("IMDS_TOKEN_2"));

    // A token the code fetched along another route is not sent either.
    let code = "T=$(curl -s -X PUT http://169.254.169.254/latest/api/token \
                -H 'X-aws-ec2-metadata-token-ttl-seconds: 60')\n\
                curl -s --noproxy '*' http://169.254.169.254/latest/meta-data/ami-id\n";
    let out = fixed(code);
    assert!(
        out.contains("IMDS_TOKEN=$(curl -s --noproxy '*' -X PUT"),
        "{out}"
    );

    // Two requests of one statement that go different ways: one fetch
    // cannot go before the statement for both, in an order both need.
    let code = "curl -s http://169.254.169.254/latest/meta-data/a && \
                curl -s --noproxy '*' http://169.254.169.254/latest/meta-data/b\n";
    let found = findings(code);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].fix.is_some(), "{found:?}");
    assert!(found[1].fix.is_none(), "{found:?}");
    assert!(
        found[1]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("proxy")),
        "{found:?}"
    );
}

/// Regression (tester): a proxy held in a variable with a default
/// (`P=${MY_PROXY:-http://127.0.0.1:3128}`) was copied into the token
/// fetch as its default: with `MY_PROXY` set, the fetch and the request went
/// different ways. It is written as the request writes it, where the
/// variable holds the same at the fetch; else the request gets help.
#[test]
fn a_proxy_from_a_variable_is_written_as_the_variable() {
    let code = "P=${MY_PROXY:-http://127.0.0.1:3128}\n\
                curl -s --proxy \"$P\" http://169.254.169.254/latest/meta-data/a\n";
    let out = fixed(code);
    assert!(
        out.contains("\nIMDS_TOKEN=$(curl -s --proxy \"$P\" -X PUT "),
        "{out}"
    );
    // A variable the code never sets is written as it is too.
    let out = fixed("curl -x \"$P\" http://169.254.169.254/latest/meta-data/a\n");
    assert!(
        out.starts_with("IMDS_TOKEN=$(curl -s --proxy \"$P\" -X PUT "),
        "{out}"
    );
    let out = fixed("wget -qO- -e \"https_proxy=$P\" http://169.254.169.254/latest/meta-data/a\n");
    assert!(
        out.starts_with("IMDS_TOKEN=$(wget -q -O - -e \"https_proxy=$P\" --method=PUT "),
        "{out}"
    );

    // P set again between two requests: the second fetches its own token
    // after it is set.
    let code = "P=${MY_PROXY:-http://127.0.0.1:3128}\n\
                curl -s --proxy \"$P\" http://169.254.169.254/latest/meta-data/a\n\
                P=http://127.0.0.1:8080\n\
                curl -s --proxy \"$P\" http://169.254.169.254/latest/meta-data/b\n";
    let out = fixed(code);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[1].contains("--proxy \"$P\" -X PUT"), "{out}");
    assert!(lines[4].contains("--proxy \"$P\" -X PUT"), "{out}");
    assert!(!out.contains("--proxy http"), "{out}");

    // Set in a loop around the request: no fetch before the loop sees the
    // value the request uses.
    let code = "for P in http://127.0.0.1:1 http://127.0.0.1:2; do\n\
                curl -s --proxy \"$P\" http://169.254.169.254/latest/meta-data/a\ndone\n";
    let found = findings(code);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].fix.is_none(), "{found:?}");
    assert!(
        found[0].help.as_deref().is_some_and(|h| h.contains("`$P`")),
        "{found:?}"
    );

    // Written in the option's own word, or where the outer shell may
    // expand it first: help, never the default.
    for code in [
        "P=${MY_PROXY:-http://127.0.0.1:3128}\n\
         curl --proxy=\"$P\" http://169.254.169.254/latest/meta-data/a\n",
        "P=${MY_PROXY:-http://127.0.0.1:3128}\n\
         bash -c \"curl --proxy $P http://169.254.169.254/latest/meta-data/a\"\n",
    ] {
        let found = findings(code);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].fix.is_none(), "{code}: {found:?}");
    }
}

/// Regression (tester): in single-quoted shell code a copied value that
/// needs quoting (`--noproxy '*'`) could not be written, so the request
/// got no fix and only generic help. It is written in double quotes there.
#[test]
fn copied_values_are_quoted_as_single_quoted_code_can_hold() {
    for (before, after) in [
        ("su root -c '", "'"),
        ("bash -c '", "'"),
        ("eval '", "'"),
        ("flock /tmp/l -c '", "'"),
    ] {
        let code = format!(
            "{before}curl -s --noproxy \"*\" http://169.254.169.254/latest/meta-data/a{after}\n"
        );
        let out = fixed(&code);
        assert!(
            out.starts_with(&format!(
                "{before}IMDS_TOKEN=$(curl -s --noproxy \"*\" -X PUT "
            )),
            "{out}"
        );
    }
    // Single quotes stay where the code can hold them, and inside double
    // quotes around single ones the double quotes are escaped.
    let out = fixed("bash -c \"curl --noproxy '*' http://169.254.169.254/latest/meta-data/a\"\n");
    assert!(
        out.starts_with("bash -c \"IMDS_TOKEN=\\$(curl -s --noproxy '*' -X PUT "),
        "{out}"
    );
    let out = fixed(
        "bash -c \"su -c 'curl --noproxy x,y http://169.254.169.254/latest/meta-data/a' root\"\n",
    );
    assert!(out.contains("--noproxy x,y -X PUT"), "{out}");
    let out = fixed(
        "bash -c \"su -c 'wget -qO- -e \\\"no_proxy=a b\\\" \
         http://169.254.169.254/latest/meta-data/a' root\"\n",
    );
    assert!(
        out.contains("su -c 'IMDS_TOKEN=\\$(wget -q -O - -e \\\"no_proxy=a b\\\" --method=PUT"),
        "{out}"
    );
}

/// Regression (tester): the help for a request whose proxy is not known
/// told wget and `HTTPie` users to add `-H "X-aws-ec2-metadata-token:
/// $TOKEN"`: wget's `-H` spans hosts, and `HTTPie` takes `Name:value`.
#[test]
fn help_names_each_clients_own_header_syntax() {
    for (code, header, not) in [
        (
            "curl -x \"$(cat p)\" http://169.254.169.254/latest/meta-data/a\n",
            "-H \"X-aws-ec2-metadata-token: $TOKEN\"",
            "--header=",
        ),
        (
            "wget -qO- -e \"http_proxy=$(cat p)\" http://169.254.169.254/latest/meta-data/a\n",
            "--header=\"X-aws-ec2-metadata-token: $TOKEN\"",
            "-H ",
        ),
        (
            "http --proxy \"http:$(cat p)\" http://169.254.169.254/latest/meta-data/a\n",
            "X-aws-ec2-metadata-token:$TOKEN",
            "-H ",
        ),
    ] {
        let found = findings(code);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].fix.is_none(), "{found:?}");
        let help = found[0].help.as_deref().unwrap_or_default();
        assert!(help.contains(header), "{code}: {help}");
        assert!(!help.contains(not), "{code}: {help}");
    }
}

/// Regression (tester): `curl -sf --retry 3` kept retrying its request,
/// but its token fetch gave up at the first failure.
#[test]
fn the_token_request_retries_like_the_request() {
    let out = fixed(
        "curl -sf --retry 3 --retry-delay 2 --retry-max-time=30 --retry-connrefused \
         --retry-all-errors http://169.254.169.254/latest/meta-data/a\n",
    );
    assert!(
        out.starts_with(
            "IMDS_TOKEN=$(curl -s --retry 3 --retry-delay 2 --retry-max-time 30 \
             --retry-connrefused --retry-all-errors -X PUT "
        ),
        "{out}"
    );
    let out = fixed(
        "wget -qO- -t 5 --waitretry=2 --retry-connrefused --retry-on-http-error=503 \
         http://169.254.169.254/latest/meta-data/a\n",
    );
    assert!(
        out.starts_with(
            "IMDS_TOKEN=$(wget -q -O - --tries=5 --waitretry=2 --retry-connrefused \
             --retry-on-http-error=503 --method=PUT "
        ),
        "{out}"
    );
    // Time limits and retries together, in the order written.
    let out = fixed("curl -m 2 --retry 3 http://169.254.169.254/latest/meta-data/a\n");
    assert!(
        out.starts_with("IMDS_TOKEN=$(curl -s --max-time 2 --retry 3 -X PUT "),
        "{out}"
    );
}

/// Found by a fresh tester: a `!` line whose shell does not parse was
/// offered a fix (a `{expr}` may be what does not parse as written), which
/// `--fix` then refused, since it holds a `!` line to parsing as a cell.
/// None is offered now; in a string's shell, where the rewriter judges by
/// errors gained, one still is.
#[test]
fn a_bang_line_that_does_not_parse_gets_no_fix() {
    let code = "curl -s http://169.254.169.254/latest/meta-data/mac ; if then";
    let found = findings_in(code, Origin::BangLine, &Env::new());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].fix.is_none(), "{found:?}");
    assert!(
        found[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("does not parse")),
        "{found:?}"
    );
    let fine = "curl -s http://169.254.169.254/latest/meta-data/mac ; echo done";
    let found = findings_in(fine, Origin::BangLine, &Env::new());
    assert!(found[0].fix.is_some(), "{found:?}");
}
