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
