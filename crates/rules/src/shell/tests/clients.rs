//! Each client, each way of writing its options, and the wrappers around
//! it.

use super::*;

const MD: &str = "http://169.254.169.254/latest/meta-data/instance-id";
const TOKEN_URL: &str = "http://169.254.169.254/latest/api/token";

/// `template` with `{MD}` and `{TOKEN_URL}` filled in.
fn fill(template: &str) -> String {
    template
        .replace("{MD}", MD)
        .replace("{TOKEN_URL}", TOKEN_URL)
}

#[track_caller]
fn v1(template: &str) {
    assert_v1_whole(&fill(template));
}

#[track_caller]
fn quiet(template: &str) {
    assert_quiet(&fill(template));
}

#[track_caller]
fn malformed(template: &str, why: &str) {
    let code = fill(template);
    let found = findings(&code);
    assert_eq!(found.len(), 1, "in: {code}");
    assert_eq!(found[0].rule, Rule::MalformedTokenRequest, "in: {code}");
    assert!(
        found[0].message.contains(why),
        "{} in: {code}",
        found[0].message
    );
}

#[test]
fn curl_plain_and_with_flags() {
    v1("curl {MD}");
    v1("curl -s {MD}");
    v1("curl -sSfL {MD}");
    v1("curl --silent --fail --location {MD}");
    v1("curl -sS --retry 3 --connect-timeout 2 --max-time 5 {MD} -o /tmp/md.json");
    v1("curl -- {MD}");
    v1("/usr/bin/curl -s {MD}");
    v1("\\curl -s {MD}");
}

#[test]
fn curl_short_options_take_their_values() {
    // The value of each option is never the URL, and the URL after it is.
    for option in "ACDEFHKPQTUXYbcdemortuwxyz".chars() {
        quiet(&format!(
            "curl -{option} 169.254.169.254 http://example.com/"
        ));
        quiet(&format!(
            "curl -{option}169.254.169.254 http://example.com/"
        ));
        if option != 'H' && option != 'K' {
            v1(&format!("curl -{option} v {{MD}}"));
        }
    }
}

#[test]
fn curl_long_options_take_their_values() {
    for option in [
        "max-time",
        "connect-timeout",
        "retry",
        "retry-delay",
        "retry-max-time",
        "output",
        "request",
        "data",
        "data-raw",
        "data-binary",
        "data-urlencode",
        "form",
        "user",
        "user-agent",
        "referer",
        "cookie",
        "cookie-jar",
        "proxy",
        "write-out",
        "dump-header",
        "cacert",
        "interface",
        "resolve",
        "connect-to",
        "range",
        "noproxy",
        "limit-rate",
        "json",
        "upload-file",
        "stderr",
        "trace-ascii",
    ] {
        quiet(&format!(
            "curl --{option} 169.254.169.254 http://example.com/"
        ));
        v1(&format!("curl --{option} v {{MD}}"));
    }
    v1("curl --url {MD}");
    v1("curl -s --url {MD} -o out");
}

#[test]
fn curl_methods() {
    v1("curl -X GET {MD}");
    v1("curl -XGET {MD}");
    v1("curl -sX GET {MD}");
    v1("curl -I {MD}");
    v1("curl --head {MD}");
    v1("curl -d x=1 {MD}");
    quiet("curl -X PUT {TOKEN_URL} -H 'X-aws-ec2-metadata-token-ttl-seconds: 21600'");
    quiet("curl -sXPUT {TOKEN_URL} -H 'X-aws-ec2-metadata-token-ttl-seconds: 60'");
    quiet("curl -sX PUT {TOKEN_URL} -H 'X-aws-ec2-metadata-token-ttl-seconds: 60'");
    quiet("curl --request PUT {TOKEN_URL} --header 'X-aws-ec2-metadata-token-ttl-seconds: 60'");
    quiet("curl -X \"$M\" {TOKEN_URL} -H 'X-aws-ec2-metadata-token-ttl-seconds: 60'");
    malformed("curl -s {TOKEN_URL}", "sent with GET");
    malformed("curl -I {TOKEN_URL}", "sent with HEAD");
    malformed("curl -d '' {TOKEN_URL}", "sent with POST");
    malformed("curl --data-raw '' {TOKEN_URL}", "sent with POST");
    malformed("curl -G -d a=1 {TOKEN_URL}", "sent with GET");
    malformed(
        "curl -X PUT {TOKEN_URL}",
        "no X-aws-ec2-metadata-token-ttl-seconds",
    );
    malformed(
        "curl -X PUT {TOKEN_URL} -H 'X-aws-ec2-metadata-token-ttl-seconds: 0'",
        "outside",
    );
    // -T uploads with PUT.
    quiet("curl -T /dev/null {TOKEN_URL} -H 'X-aws-ec2-metadata-token-ttl-seconds: 60'");
    // curl sends the method as written, and methods are case-sensitive;
    // wget upper-cases it.
    malformed(
        "curl -X put {TOKEN_URL} -H 'X-aws-ec2-metadata-token-ttl-seconds: 60'",
        "sent with put instead of PUT",
    );
    quiet("wget -qO- --method=put --header='X-aws-ec2-metadata-token-ttl-seconds: 60' {TOKEN_URL}");
}

#[test]
fn a_token_fetched_with_a_lower_case_put_is_not_reused() {
    let code = fill(concat!(
        "T=$(curl -s -X put -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' {TOKEN_URL})\n",
        "curl -s {MD}\n",
    ));
    let found = findings(&code);
    let rules: Vec<Rule> = found.iter().map(|f| f.rule).collect();
    assert_eq!(
        rules,
        [
            Rule::MalformedTokenRequest,
            Rule::MetadataRequestWithoutToken
        ],
        "{code}"
    );
    let fix = found[1].fix.as_ref().expect("a fix");
    assert!(
        fix.edits.iter().all(|e| !e.content.contains("$T\"")),
        "{fix:?}"
    );
}

#[test]
fn curl_headers() {
    quiet("curl -H \"X-aws-ec2-metadata-token: $TOKEN\" {MD}");
    quiet("curl -H 'x-aws-ec2-metadata-token: abc' {MD}");
    quiet("curl -sH \"X-aws-ec2-metadata-token: $TOKEN\" {MD}");
    quiet("curl -H\"X-aws-ec2-metadata-token: $TOKEN\" {MD}");
    quiet("curl --header \"X-aws-ec2-metadata-token: ${TOKEN}\" {MD}");
    quiet("curl --header=\"X-aws-ec2-metadata-token: $TOKEN\" {MD}");
    quiet("curl --expand-header \"X-aws-ec2-metadata-token: {{tok}}\" {MD}");
    // Headers nobody can read may hold the token.
    quiet("curl -H @/etc/imds-headers {MD}");
    quiet("curl -H \"$HEADER\" {MD}");
    quiet("curl -K /etc/curl.conf {MD}");
    // Other headers are not the token.
    v1("curl -H 'Accept: application/json' {MD}");
    v1("curl -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' {MD}");
    v1("curl -H 'X-Token: abc' {MD}");
    v1("curl -A 'X-aws-ec2-metadata-token: no, a user agent' {MD}");
}

#[test]
fn curl_sends_no_token_in_an_empty_header() {
    // Regression: `Name:` with nothing after the colon tells curl not to
    // send that header at all, and `Name;` sends it empty, which IMDS
    // refuses (401): neither is a token.
    v1("curl -H \"X-aws-ec2-metadata-token:\" {MD}");
    v1("curl -H 'X-aws-ec2-metadata-token:   ' {MD}");
    v1("curl --header=X-aws-ec2-metadata-token: {MD}");
    v1("curl -H \"X-aws-ec2-metadata-token;\" {MD}");
    v1("curl -sH 'x-aws-ec2-metadata-token;' {MD}");
    // A value held in a variable may be a token, even one set empty
    // first (as the guarded fetch of a fix does).
    quiet("curl -H \"X-aws-ec2-metadata-token: $TOKEN\" {MD}");
    quiet("TOKEN=$(curl -sX PUT {TOKEN_URL} -H 'X-aws-ec2-metadata-token-ttl-seconds: 60') || TOKEN=\n\
           curl -H \"X-aws-ec2-metadata-token: $TOKEN\" {MD}");
    quiet("EMPTY=\ncurl -H \"X-aws-ec2-metadata-token:$EMPTY\" {MD}");
    // An empty header next to a real one does not hide it.
    quiet("curl -H 'X-aws-ec2-metadata-token: abc' -H 'X-aws-ec2-metadata-token:' {MD}");
    // A token request whose TTL header is removed has none.
    malformed(
        "curl -X PUT {TOKEN_URL} -H 'X-aws-ec2-metadata-token-ttl-seconds:'",
        "ttl",
    );
}

#[test]
fn options_before_curls_next_are_not_the_next_requests() {
    // Regression: `--next` (`-:`) starts a new request whose options are
    // its own; the header before it did not count for the URL after it.
    let token = "-H \"X-aws-ec2-metadata-token: $T\"";
    v1(&format!("curl {token} {MD} --next {MD}/b"));
    v1(&format!("curl -s {MD} -: {token} {MD}/b"));
    v1(&format!("curl -s {token} {MD} -s: {MD}/b"));
    // Each request that needs a token is reported; one after the first
    // from its `--next` on.
    let code = fill("curl -s {MD} --next {MD}/b");
    let found = reported(&code);
    let rule = Rule::MetadataRequestWithoutToken;
    let next = fill("--next {MD}/b");
    assert_eq!(found, [(rule, code.clone()), (rule, next)]);
    // A header after the separator is the next request's.
    quiet(&format!("curl {token} {MD} --next {token} {MD}/b"));
    quiet(&format!(
        "curl {token} {MD}/x --next {token} {MD}/b -: {token} {MD}"
    ));
    // The URLs of one request still share its options.
    quiet(&format!("curl {token} {MD} {MD}/b"));
}

#[test]
fn curl_with_several_urls_reports_the_metadata_one() {
    let code = fill("curl -s http://example.com/ {MD}");
    assert_v1_whole(&code);
    let found = findings(&code);
    assert!(found[0].message.contains("/latest/meta-data/instance-id"));
}

#[test]
fn curl_help_and_version_make_no_request() {
    quiet("curl --help {MD}");
    quiet("curl -V {MD}");
}

#[test]
fn wget_forms() {
    v1("wget {MD}");
    v1("wget -q -O - {MD}");
    v1("wget -qO- {MD}");
    v1("wget -qO - {MD}");
    v1("wget -O /tmp/id {MD}");
    v1("wget -O- -q {MD}");
    v1("wget -nv -O- {MD}");
    v1("wget -nvqO- {MD}");
    v1("wget -T 2 -t 3 {MD}");
    v1("wget --timeout=2 --tries 3 {MD}");
    v1("wget --timeout 2 -O /tmp/x {MD}");
    v1("wget --output-document=- {MD}");
    v1("wget --header='Accept: text/plain' {MD}");
    quiet("wget -O 169.254.169.254 http://example.com/");
    quiet("wget -e robots=off -O - http://example.com/");
    quiet("wget -h {MD}");
}

#[test]
fn wget_headers_and_methods() {
    quiet("wget -qO- --header=\"X-aws-ec2-metadata-token: $TOKEN\" {MD}");
    quiet("wget -qO- --header \"X-aws-ec2-metadata-token: $TOKEN\" {MD}");
    quiet("wget -qO- -e \"header = X-aws-ec2-metadata-token: $TOKEN\" {MD}");
    quiet("wget -qO- --header=\"$H\" {MD}");
    quiet("wget --config=/etc/imds.wgetrc -qO- {MD}");
    quiet("wget -qO- --method=PUT --header='X-aws-ec2-metadata-token-ttl-seconds: 60' {TOKEN_URL}");
    quiet("wget -qO- --method PUT --header 'X-aws-ec2-metadata-token-ttl-seconds: 60' {TOKEN_URL}");
    malformed(
        "wget -qO- --header='X-aws-ec2-metadata-token-ttl-seconds: 60' {TOKEN_URL}",
        "sent with GET",
    );
    malformed(
        "wget -qO- --post-data='' --header='X-aws-ec2-metadata-token-ttl-seconds: 60' {TOKEN_URL}",
        "sent with POST",
    );
    malformed(
        "wget -qO- --method=PUT {TOKEN_URL}",
        "no X-aws-ec2-metadata-token-ttl-seconds",
    );
}

#[test]
fn httpie_forms() {
    v1("http {MD}");
    v1("http GET {MD}");
    v1("http get {MD}");
    v1("http --timeout 2 {MD}");
    v1("http --timeout=2 -b {MD}");
    v1("http --print=b {MD}");
    v1("http -p b {MD}");
    v1("http -b --check-status {MD} Accept:text/plain");
    v1("http 169.254.169.254/latest/meta-data/");
    v1("https 169.254.169.254/latest/meta-data/");
    v1("xh {MD}");
    quiet("http -o 169.254.169.254 http://example.com/");
    quiet("http --offline {MD}");
}

#[test]
fn httpie_items_and_methods() {
    quiet("http {MD} X-aws-ec2-metadata-token:$TOKEN");
    quiet("http {MD} \"X-aws-ec2-metadata-token: $TOKEN\"");
    quiet("http -b GET {MD} X-aws-ec2-metadata-token:abc");
    quiet("http {MD} \"$ITEM\"");
    quiet("http --session=imds {MD}");
    quiet("http PUT {TOKEN_URL} X-aws-ec2-metadata-token-ttl-seconds:21600");
    quiet("http --body put {TOKEN_URL} X-aws-ec2-metadata-token-ttl-seconds:60");
    v1("http {MD} X-Other:1");
    v1("http {MD} token==abc");
    malformed(
        "http {TOKEN_URL} X-aws-ec2-metadata-token-ttl-seconds:60",
        "sent with GET",
    );
    malformed(
        "http {TOKEN_URL} X-aws-ec2-metadata-token-ttl-seconds:60 a=b",
        "sent with POST",
    );
    malformed(
        "http PUT {TOKEN_URL}",
        "no X-aws-ec2-metadata-token-ttl-seconds",
    );
}

#[test]
fn ec2metadata_is_imdsv1_only_but_ec2_metadata_is_not() {
    for code in [
        "ec2metadata --instance-id",
        "ec2metadata",
        "sudo /usr/bin/ec2metadata --availability-zone",
    ] {
        let found = reported(code);
        assert_eq!(
            found,
            vec![(Rule::Imdsv1OnlyClient, code.to_owned())],
            "{code}"
        );
    }
    let found = findings("REGION=$(ec2metadata --availability-zone)");
    assert!(found[0]
        .help
        .as_deref()
        .is_some_and(|h| h.contains("ec2-metadata")));
    assert_quiet("ec2-metadata --instance-id");
    assert_quiet("INSTANCE=$(ec2-metadata -i | cut -d' ' -f2)");
}

#[test]
fn wrappers_are_part_of_the_command() {
    for wrapper in [
        "sudo",
        "sudo -u hdfs",
        "sudo -E",
        "sudo --user=root HOME=/root",
        "timeout 5",
        "timeout -k 1 5s",
        "timeout --signal=KILL 10",
        "env",
        "env -i PATH=/usr/bin",
        "nohup",
        "command",
        "exec",
        "time",
        "nice -n 10",
        "stdbuf -oL",
        "xargs -n1",
        "sudo timeout 3 env A=1",
        "coproc",
    ] {
        v1(&format!("{wrapper} curl -s {{MD}}"));
        v1(&format!("{wrapper} wget -qO- {{MD}}"));
    }
    v1("A=1 B=2 curl -s {MD}");
    v1("xargs -I{} curl -s http://169.254.169.254/latest/meta-data/{}");
    quiet("command -v curl");
    quiet("sudo -l");
}

/// Regression (testers): these wrappers hid the request they run, and the
/// file reported nothing.
#[test]
fn more_wrappers_are_part_of_the_command() {
    for wrapper in [
        "runuser -u ubuntu --",
        "runuser -u ubuntu",
        "flock /tmp/l",
        "flock -w 5 -x /tmp/l",
        "ionice -c3",
        "ionice -c 2 -n 7 -t",
        "taskset 0x3",
        "taskset -c 0-3",
        "chrt -b 0",
        "chrt --rr 10",
        "setpriv --reuid=1000 --init-groups",
        "setpriv --reuid 1000",
        "chroot /srv/root",
        "chroot --userspec=1000:1000 /srv/root",
        "watch -n 5",
        "watch -d -n 5",
        "watch -x",
        "ssh \"$h\"",
        "ssh -p 2222 -i key.pem admin@bastion",
        "ssh host -l admin",
        "docker exec agent",
        "docker exec -it -u root -e A=1 agent",
        "docker container exec agent",
        "podman exec -w /tmp agent",
        "kubectl exec pod --",
        "kubectl exec -n ns pod -c side --",
        "kubectl exec -it deploy/agent --",
        "oc exec pod --",
        "sudo ionice -c3 nice timeout 5",
    ] {
        v1(&format!("{wrapper} curl -s {{MD}}"));
        v1(&format!("{wrapper} wget -qO- {{MD}}"));
    }
    // Options that make them run nothing.
    quiet("taskset -p 123 curl -s {MD}");
    quiet("ionice -p 123 curl -s {MD}");
    quiet("chrt -p 10 123 curl -s {MD}");
    quiet("ssh -O exit host curl -s {MD}");
}

/// A request that runs on another machine or in a container, or again and
/// again, is reported with help and no fix: a token fetched before the
/// command would not serve it.
#[test]
fn requests_run_elsewhere_or_repeatedly_get_help_not_a_fix() {
    for (code, why) in [
        ("ssh \"$h\" curl -s {MD}", "another machine"),
        ("docker exec agent curl -s {MD}", "container"),
        ("kubectl exec pod -- curl -s {MD}", "container"),
        (
            "sudo docker exec agent timeout 5 wget -qO- {MD}",
            "container",
        ),
        ("watch -n 5 curl -s {MD}", "again and again"),
        ("ssh h 'curl -s {MD}'", "another machine"),
        ("docker exec agent sh -c 'curl -s {MD}'", "container"),
        ("ssh h bash <<'EOF'\ncurl -s {MD}\nEOF\n", "another machine"),
    ] {
        let code = fill(code);
        let found = findings(&code);
        assert_eq!(found.len(), 1, "{code}: {found:?}");
        assert_eq!(found[0].rule, Rule::MetadataRequestWithoutToken);
        assert!(found[0].fix.is_none(), "{code}: {found:?}");
        assert!(
            found[0].help.as_deref().is_some_and(|h| h.contains(why)),
            "{code}: {found:?}"
        );
    }
    // A token sent there is fine.
    quiet("ssh h curl -s -H 'X-aws-ec2-metadata-token: t' {MD}");
}

#[test]
fn commands_anywhere_in_the_script() {
    let cases = [
        ("curl -s {MD} | jq -r .", "curl -s {MD}"),
        ("ID=$(curl -s {MD}) && echo $ID", "curl -s {MD}"),
        ("test -f /x || curl -s {MD}", "curl -s {MD}"),
        ("ID=`curl -s {MD}`", "curl -s {MD}"),
        ("echo \"id: $(curl -s {MD})\"", "curl -s {MD}"),
        ("(cd /tmp; curl -s {MD})", "curl -s {MD}"),
        ("{ curl -s {MD}; }", "curl -s {MD}"),
        ("if true; then\n  curl -s {MD}\nfi", "curl -s {MD}"),
        ("if curl -sf {MD} >/dev/null; then :; fi", "curl -sf {MD}"),
        ("for i in 1 2; do curl -s {MD}; done", "curl -s {MD}"),
        ("while ! curl -sf {MD}; do sleep 1; done", "curl -sf {MD}"),
        ("f() {\n  curl -s {MD}\n}\nf\nf", "curl -s {MD}"),
        ("function g { wget -qO- {MD}; }", "wget -qO- {MD}"),
        ("case $X in a) curl -s {MD};; esac", "curl -s {MD}"),
        ("read -r ID <<< \"$(curl -s {MD})\"", "curl -s {MD}"),
        ("curl -s {MD} > /tmp/id 2>&1", "curl -s {MD}"),
        ("diff <(curl -s {MD}) /tmp/id", "curl -s {MD}"),
        ("[[ -n \"$(curl -s {MD})\" ]]", "curl -s {MD}"),
        ("cat <<EOF\nid: $(curl -s {MD})\nEOF", "curl -s {MD}"),
        (
            "curl -sS --retry 3 \\\n  --connect-timeout 2 \\\n  {MD} \\\n  -o /tmp/md.json\n",
            "curl -sS --retry 3 \\\n  --connect-timeout 2 \\\n  {MD} \\\n  -o /tmp/md.json",
        ),
    ];
    for (code, command) in cases {
        assert_v1(&fill(code), &fill(command));
    }
}

#[test]
fn one_finding_per_command() {
    let code = fill("curl -s {MD}\ncurl -s {MD}\nwget -qO- {MD}\n");
    assert_eq!(findings(&code).len(), 3);
}
