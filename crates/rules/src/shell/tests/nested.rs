//! Shell code inside the cell's strings and heredocs.

use super::*;

const MD: &str = "http://169.254.169.254/latest/meta-data/instance-id";

#[test]
fn shell_code_in_arguments() {
    for (code, command) in [
        ("sh -c 'curl -s {MD}'", "curl -s {MD}"),
        ("bash -c \"curl -s {MD}\"", "curl -s {MD}"),
        ("bash -lc 'ID=$(curl -s {MD}); echo $ID'", "curl -s {MD}"),
        ("sudo -u root bash -c 'wget -qO- {MD}'", "wget -qO- {MD}"),
        (
            "ssh-agent bash -c 'true'; sh -c 'curl {MD} | jq .'",
            "curl {MD}",
        ),
        ("eval 'curl -s {MD}'", "curl -s {MD}"),
        (
            "bash -c \"curl -s -H \\\"Accept: */*\\\" {MD}\"",
            "curl -s -H \\\"Accept: */*\\\" {MD}",
        ),
        ("sh -c 'sh -c \"curl -s {MD}\"'", "curl -s {MD}"),
        // Regression (testers): these shell strings were not read.
        ("su ubuntu -c \"curl -s {MD}\"", "curl -s {MD}"),
        ("su -l ubuntu -c 'curl -s {MD}'", "curl -s {MD}"),
        ("su -c 'curl -s {MD}' ubuntu", "curl -s {MD}"),
        ("sudo su - ubuntu --command 'curl -s {MD}'", "curl -s {MD}"),
        ("runuser -l ubuntu -c 'curl -s {MD}'", "curl -s {MD}"),
        ("flock /tmp/l -c 'curl -s {MD}'", "curl -s {MD}"),
        ("watch -n 5 'curl -s {MD}'", "curl -s {MD}"),
    ] {
        let code = code.replace("{MD}", MD);
        assert_v1(&code, &command.replace("{MD}", MD));
    }
}

#[test]
fn shell_code_fed_on_standard_input() {
    for (code, command) in [
        ("bash <<EOF\ncurl -s {MD}\nEOF\n", "curl -s {MD}"),
        ("bash <<'EOF'\ncurl -s {MD}\nEOF\n", "curl -s {MD}"),
        ("sudo sh -s <<-EOF\n\tcurl -s {MD}\n\tEOF\n", "curl -s {MD}"),
        ("bash <<< 'curl -s {MD}'", "curl -s {MD}"),
        ("bash <<< \"curl -s {MD}\"", "curl -s {MD}"),
    ] {
        let code = code.replace("{MD}", MD);
        assert_v1(&code, &command.replace("{MD}", MD));
    }
}

#[test]
fn nested_code_built_from_unknown_values_is_read() {
    assert_v1(
        &format!("bash -c \"curl -s {MD}/$1\""),
        &format!("curl -s {MD}/$1"),
    );
}

#[test]
fn nested_code_sees_the_variables_set_before_it() {
    let code = format!("MD={MD}\nbash -c \"curl -s $MD\"\nsh -c 'curl -s \"$MD\"'\n");
    assert_eq!(findings(&code).len(), 2);
    // What nested code assigns stays in its own shell.
    let code = format!("sh -c 'MD={MD}'\ncurl -s \"$MD\"\n");
    assert_quiet(&code);
}

#[test]
fn nested_requests_with_tokens_are_quiet() {
    for code in [
        "sh -c 'curl -s -H \"X-aws-ec2-metadata-token: $T\" {MD}'",
        "bash -c \"curl -s -H \\\"X-aws-ec2-metadata-token: $T\\\" {MD}\"",
        "bash <<EOF\ncurl -s -H \"X-aws-ec2-metadata-token: $T\" {MD}\nEOF\n",
        "bash -c 'echo {MD}'",
    ] {
        assert_quiet(&code.replace("{MD}", MD));
    }
}

#[test]
fn a_substitution_in_nested_code_is_reported_once() {
    let code = format!("sh -c \"echo $(curl -s {MD})\"");
    assert_eq!(findings(&code).len(), 1);
}

/// Found by `scan_then_fix`: a fix written into nested shell code that did
/// not parse never settled (each run fetched another token). Such code is
/// reported with help, not fixed, as code of a cell that does not parse is.
#[test]
fn nested_code_that_does_not_parse_is_reported_but_not_fixed() {
    for code in [
        format!("bash -c 'curl -s {MD}; fi )'\n"),
        format!("bash <<EOF\ncurl -s {MD}\nfi )\nEOF\n"),
        format!("bash <<EOF\n`x\nhttp GET {MD}\nEOF\n"),
    ] {
        let found = findings(&code);
        assert_eq!(found.len(), 1, "{code}");
        assert!(found[0].fix.is_none(), "{code}");
        let help = found[0].help.clone().unwrap_or_default();
        assert!(help.contains("does not parse"), "{code}: {help}");
    }
    // The same in a cell of its own that is a Python string.
    let origin = Origin::HostString {
        host: 0,
        interpolation: Interpolation::None,
    };
    let found = findings_in(&format!("curl -s {MD}; fi )"), origin, &Env::new());
    assert!(found.iter().all(|f| f.fix.is_none()), "{found:?}");
    // Nested code that parses is still fixed.
    let found = findings(&format!("bash -c 'curl -s {MD}'\n"));
    assert!(found[0].fix.is_some());
}

/// A fresh tester saw `[fix]` on a request in a script that does not
/// parse, then `--fix` refuse it. Such a request now shows help instead.
#[test]
fn a_cell_that_does_not_parse_offers_no_fix() {
    let code = format!("x=$(curl -s {MD}\n");
    let found = findings(&code);
    assert_eq!(found.len(), 1);
    assert!(found[0].fix.is_none());
    assert!(found[0]
        .help
        .as_deref()
        .is_some_and(|help| help.contains("does not parse")));
    // Host values in an f-string may be what does not parse as written.
    let braces = Origin::HostString {
        host: 0,
        interpolation: Interpolation::Braces,
    };
    let found = findings_in(&format!("curl -s {MD}/{{role()}}"), braces, &Env::new());
    assert!(found.iter().all(|f| f.fix.is_some()), "{found:?}");
}

/// The sample workspace's `shell_probe.py`, once fixed, warned that its
/// f-string's shell did not parse: `{shlex.quote(dest)}` is Python that the
/// host puts in before the shell reads the line. Host values in a Python
/// f-string or a Scala interpolated string are not the shell's syntax;
/// an error of the shell's own still counts.
#[test]
fn host_values_alone_do_not_make_shell_code_unparsed() {
    let host = |interpolation| Origin::HostString {
        host: 0,
        interpolation,
    };
    let fetch = "T=$(curl -s -X PUT http://127.0.0.1/latest/api/token) && ";
    for (code, interpolation) in [
        (
            "curl -s {IMDS}/macs/ > {shlex.quote(dest)}",
            Interpolation::Braces,
        ),
        ("echo {d['k']} {f(x, y)} {{literal}}", Interpolation::Braces),
        (
            "curl -s ${base}/x > ${quote(dest, \"a\")}",
            Interpolation::Dollar,
        ),
    ] {
        let code = format!("{fetch}{code}");
        assert_eq!(
            parses_with_errors(&code, host(interpolation)),
            Some(false),
            "{code}"
        );
    }
    for (code, interpolation) in [
        ("echo $( {x}", Interpolation::Braces),
        ("if {x}; then", Interpolation::Braces),
        ("echo ${x} )", Interpolation::Dollar),
    ] {
        assert_eq!(
            parses_with_errors(code, host(interpolation)),
            Some(true),
            "{code}"
        );
    }
    // Without interpolation the braces are the shell's.
    let code = "echo {f(x)}";
    assert_eq!(
        parses_with_errors(code, host(Interpolation::None)),
        Some(true)
    );
}

/// A fresh tester: a heredoc's code parsed, the script around it did not
/// (an `if` left open after it), and the heredoc's request showed `[fix]`
/// that `--fix` then refused.
#[test]
fn nested_code_in_a_script_that_does_not_parse_offers_no_fix() {
    let code = format!("#!/bin/bash\nbash <<EOF\ncurl -s {MD}\nEOF\nif true; then\n");
    let found = findings(&code);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].fix.is_none(), "{found:?}");
}

/// An IMDSv1-only client in code that does not parse keeps its own help.
#[test]
fn an_imdsv1_only_client_in_broken_code_keeps_its_help() {
    let found = findings("ec2metadata --instance-id\nif true; then\n");
    assert_eq!(found.len(), 1, "{found:?}");
    let help = found[0].help.as_deref().unwrap_or_default();
    assert!(help.contains("ec2-metadata"), "{help}");
}
