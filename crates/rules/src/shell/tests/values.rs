//! URLs and headers held in variables, every spelling of the address, and
//! the values `!` lines and host strings see from outside the shell.

use super::*;

#[test]
fn url_forms() {
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "'http://169.254.169.254/latest/meta-data/'",
        "\"http://169.254.169.254/latest/meta-data/\"",
        "$'http://169.254.169.254/latest/meta-data/'",
        "http://169.254.169.254:80/latest/meta-data/",
        "169.254.169.254/latest/meta-data/",
        "169.254.169.254",
        "https://169.254.169.254/latest/meta-data/",
        "http://2852039166/latest/meta-data/",
        "http://0xa9fea9fe/latest/meta-data/",
        "http://0xA9.0xFE.0xA9.0xFE/latest/meta-data/",
        "http://0251.0376.0251.0376/latest/meta-data/",
        "http://169.254.43518/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "'http://[fd00:ec2::254]/latest/meta-data/'",
        "http://instance-data/latest/meta-data/",
        "instance-data.ec2.internal/latest/meta-data/",
        "http://169.254.169.254/latest/meta-data/{instance-id,hostname}",
        "http://169.254.169.254/latest/\"meta-data\"/",
        "http://169.254.169.254/latest/user-data",
        "http://169.254.169.254/latest/dynamic/instance-identity/document",
    ] {
        assert_v1_whole(&format!("curl -s {url}"));
    }
}

#[test]
fn a_line_continuation_inside_an_unquoted_url_joins_it() {
    // Regression (tester): the shell joins `http://169.254.\` and the next
    // line into one word; the request was not reported.
    assert_v1_whole("curl -s http://169.254.\\\n169.254/latest/meta-data/instance-id");
    assert_v1_whole("curl -s http://169.254.169.254/lat\\\nest/meta-data/");
    assert_v1_whole("curl -s http://169.254.169.254/la\\\ntest/meta\\\n-data/");
    assert_v1_whole("cu\\\nrl -s http://169.254.169.254/latest/meta-data/");
    // An expansion that gives no word joins nothing to the word before it.
    let code = "E=\"\"\ncurl -s $E\\\nhttp://169.254.169.254/latest/meta-data/";
    assert_eq!(reported(code).len(), 1, "in:\n{code}");
}

#[test]
fn a_url_longer_than_a_known_value_is_still_reported() {
    // Regression (tester): a URL of more than 256 KiB was silently clean.
    let query = "a".repeat(300_000);
    assert_v1_whole(&format!(
        "curl -s http://169.254.169.254/latest/meta-data/?q={query}"
    ));
}

#[test]
fn urls_in_variables() {
    let set = "MD=http://169.254.169.254/latest/meta-data\n";
    for (request, expect) in [
        ("curl -s $MD/instance-id", "/latest/meta-data/instance-id"),
        ("curl -s ${MD}/instance-id", "/latest/meta-data/instance-id"),
        (
            "curl -s \"$MD\"/instance-id",
            "/latest/meta-data/instance-id",
        ),
        (
            "curl -s \"$MD/instance-id\"",
            "/latest/meta-data/instance-id",
        ),
        ("curl -s \"${MD}/iam/info\"", "/latest/meta-data/iam/info"),
        ("curl -s $MD", "/latest/meta-data"),
        ("curl -s \"${MD%/}/x\"", "/latest/meta-data/x"),
        ("curl -s \"$MD/$1\"", "/latest/meta-data/…"),
        ("curl -s \"$MD/$(cat /tmp/path)\"", "/latest/meta-data/…"),
    ] {
        let code = format!("{set}{request}\n");
        assert_v1(&code, request);
        let message = &findings(&code)[0].message;
        assert!(message.ends_with(expect), "{message} for {request}");
    }
}

#[test]
fn every_way_to_assign() {
    for assign in [
        "MD=\"http://169.254.169.254/latest/meta-data\"",
        "MD='http://169.254.169.254/latest/meta-data'",
        "export MD=http://169.254.169.254/latest/meta-data",
        "local MD=http://169.254.169.254/latest/meta-data",
        "readonly MD=http://169.254.169.254/latest/meta-data",
        "declare -r MD=http://169.254.169.254/latest/meta-data",
        "typeset MD=http://169.254.169.254/latest/meta-data",
        "HOST=169.254.169.254; MD=\"http://$HOST/latest/meta-data\"",
        "HOST=169.254.169.254; MD=http://${HOST}/latest/meta-data",
        "MD=http://169.254.169.254; MD+=/latest/meta-data",
        "MD=${IMDS_URL:-http://169.254.169.254/latest/meta-data}",
        "MD=${IMDS_URL:=http://169.254.169.254/latest/meta-data}",
        "B=http://169.254.169.254 P=/latest/meta-data; MD=$B$P",
        "f() { MD=http://169.254.169.254/latest/meta-data; }",
    ] {
        let code = format!("{assign}\ncurl -s \"$MD/instance-id\"\n");
        assert_v1(&code, "curl -s \"$MD/instance-id\"");
    }
}

#[test]
fn values_that_are_not_the_service() {
    for code in [
        "MD=http://example.com; curl -s \"$MD/latest/meta-data/\"",
        "IMDS_URL=http://localhost:1338; curl -s \"${IMDS_URL:-http://169.254.169.254}/latest/\"",
        "curl -s \"$1/latest/meta-data/\"",
        "curl -s \"$UNSET_URL\"",
        "MD=$(get_url); curl -s \"$MD\"",
        "MD=http://169.254.169.254/; unset MD; curl -s \"$MD\"",
        "MD=http://169.254.169.254/; read -r MD; curl -s \"$MD\"",
        "for MD in \"$@\"; do curl -s \"$MD\"; done",
        "MD=http://169.254.169.254/; MD=http://example.com/; curl -s $MD",
    ] {
        assert_quiet(code);
    }
}

#[test]
fn prefix_assignments_belong_to_their_command() {
    // The shell expands `$MD` before `MD=...` applies to curl.
    assert_quiet("MD=http://169.254.169.254/ curl -s \"$MD\"");
    assert_quiet("MD=http://169.254.169.254/ env | grep MD\ncurl -s \"$MD\"");
}

#[test]
fn loop_variables() {
    assert_v1(
        "for p in instance-id hostname; do curl -s \"http://169.254.169.254/latest/meta-data/$p\"; done",
        "curl -s \"http://169.254.169.254/latest/meta-data/$p\"",
    );
    assert_v1(
        "for u in http://169.254.169.254/latest/meta-data/; do curl -s $u; done",
        "curl -s $u",
    );
    // Several whole URLs: a tester found these missed. The request goes to
    // the metadata service when any of them names it.
    assert_v1(
        "for u in http://169.254.169.254/latest/meta-data/instance-id http://169.254.169.254/latest/meta-data/local-ipv4; do curl -s \"$u\"; done",
        "curl -s \"$u\"",
    );
    assert_v1(
        "MD=http://169.254.169.254/latest/meta-data\nfor u in \"$MD/instance-id\" \"$MD/local-ipv4\"; do\n  curl -s \"$u\"\ndone",
        "curl -s \"$u\"",
    );
    assert_quiet("for u in https://example.com/x https://example.org/y; do curl -s \"$u\"; done");
    // Items of other hosts too: the fix would send the token to them on
    // every pass (a tester found it), so the variable stays unknown, and
    // after such a loop it holds the last item.
    assert_quiet("for u in https://example.com/x http://169.254.169.254/latest/meta-data/mac; do curl -s \"$u\"; done");
    assert_quiet(
        "for h in 169.254.169.254 example.com; do curl -s \"http://$h/latest/meta-data/\"; done",
    );
    assert_quiet("for u in http://169.254.169.254/latest/meta-data/mac https://example.com/b; do :; done\ncurl -s \"$u\"");
}

#[test]
fn expansions_that_assign_a_default() {
    // A tester found the request after `: "${IMDS:=...}"` missed: the
    // expansion sets IMDS when it is unset or empty.
    assert_v1(
        ": \"${IMDS:=http://169.254.169.254}\"\ncurl -s \"$IMDS/latest/meta-data/instance-id\"",
        "curl -s \"$IMDS/latest/meta-data/instance-id\"",
    );
    let code =
        "curl -s \"${X:=http://169.254.169.254/latest/meta-data}/mac\"\ncurl -s \"$X/ami-id\"\n";
    assert_eq!(findings(code).len(), 2, "{code}");
    assert_v1(
        "Y=${X:=http://169.254.169.254}\ncurl -s \"$X/latest/meta-data/x\"",
        "curl -s \"$X/latest/meta-data/x\"",
    );
    // Not in a subshell, whose variables end with it.
    assert_quiet(
        "echo $(: \"${IMDS:=http://169.254.169.254}\")\ncurl -s \"$IMDS/latest/meta-data/x\"",
    );
    // A set value is kept.
    assert_quiet("IMDS=https://example.com\n: \"${IMDS:=http://169.254.169.254}\"\ncurl -s \"$IMDS/latest/meta-data/x\"");
}

#[test]
fn headers_in_variables() {
    let token = "TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token \
                 -H 'X-aws-ec2-metadata-token-ttl-seconds: 21600')\n";
    for request in [
        "AUTH_HEADER=\"X-aws-ec2-metadata-token: $TOKEN\"\ncurl -s -H \"$AUTH_HEADER\" http://169.254.169.254/latest/meta-data/",
        "NAME=X-aws-ec2-metadata-token\ncurl -s -H \"$NAME: $TOKEN\" http://169.254.169.254/latest/meta-data/",
        "OPTS=\"-s -H X-aws-ec2-metadata-token:$TOKEN\"\ncurl $OPTS http://169.254.169.254/latest/meta-data/",
        "curl -s $CURL_OPTS http://169.254.169.254/latest/meta-data/",
        "curl -s \"$@\" http://169.254.169.254/latest/meta-data/",
        "curl -s -H \"$(cat /etc/imds-header)\" http://169.254.169.254/latest/meta-data/",
    ] {
        assert_quiet(&format!("{token}{request}\n"));
    }
    // Options in a variable that hold no token.
    assert_v1(
        "OPTS=\"-s --max-time 2\"\ncurl $OPTS http://169.254.169.254/latest/meta-data/",
        "curl $OPTS http://169.254.169.254/latest/meta-data/",
    );
    assert_v1(
        "EMPTY=\ncurl $EMPTY http://169.254.169.254/latest/meta-data/",
        "curl $EMPTY http://169.254.169.254/latest/meta-data/",
    );
    assert_v1(
        "CURL=\"curl -s\"\n$CURL http://169.254.169.254/latest/meta-data/",
        "$CURL http://169.254.169.254/latest/meta-data/",
    );
}

#[test]
fn outer_values_are_seen_by_bang_lines() {
    let md = outer(&[
        ("url", "http://169.254.169.254/latest/meta-data/instance-id"),
        ("base", "http://169.254.169.254/latest"),
        ("MD", "http://169.254.169.254/latest/meta-data/"),
    ]);
    for code in [
        "curl -s {url}",
        "curl -s \"{url}\"",
        "curl -s {base}/meta-data/",
        "curl -s $MD",
        "wget -qO- ${MD}hostname",
    ] {
        let found = findings_in(code, Origin::BangLine, &md);
        assert_eq!(found.len(), 1, "{code}");
        assert_eq!(found[0].range, 0..code.len(), "{code}");
    }
    for code in [
        "curl -s {missing}",
        "curl -s -H \"X-aws-ec2-metadata-token: {tok[0]}\" {url}",
        "curl -s -H \"X-aws-ec2-metadata-token: $tok\" {url}",
        "curl -s {{url}}",
    ] {
        assert_eq!(findings_in(code, Origin::BangLine, &md), vec![], "{code}");
    }
}

#[test]
fn braces_are_host_values_only_where_the_host_expands_them() {
    let md = outer(&[("url", "http://169.254.169.254/latest/meta-data/")]);
    let braces = Origin::HostString {
        host: 0,
        interpolation: Interpolation::Braces,
    };
    assert_eq!(findings_in("curl -s {url}", braces, &md).len(), 1);
    let plain = Origin::HostString {
        host: 0,
        interpolation: Interpolation::None,
    };
    assert_eq!(findings_in("curl -s {url}", plain, &md), vec![]);
    let dollar = Origin::HostString {
        host: 0,
        interpolation: Interpolation::Dollar,
    };
    assert_eq!(findings_in("curl -s $url", dollar.clone(), &md).len(), 1);
    assert_eq!(findings_in("curl -s ${url}iam/", dollar, &md).len(), 1);
}

#[test]
fn cell_values_shadow_outer_ones() {
    let md = outer(&[("MD", "http://169.254.169.254/latest/meta-data/")]);
    let code = "MD=http://example.com/\ncurl -s $MD";
    assert_eq!(findings_in(code, Origin::File, &md), vec![]);
    assert_eq!(findings_in("curl -s $MD", Origin::File, &md).len(), 1);
}
