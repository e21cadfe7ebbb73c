//! Reusing the code's own token variable: only where it holds the token
//! text on every path to the request; otherwise the fix fetches a token
//! of its own.

use super::fixes::fixed;
use super::MD;

const PUT: &str = "requests.put('http://169.254.169.254/latest/api/token', \
                   headers={'X-aws-ec2-metadata-token-ttl-seconds': '300'})";
const FETCH: &str = "imds_token = requests.put(\"http://169.254.169.254/latest/api/token\", \
                     headers={\"X-aws-ec2-metadata-token-ttl-seconds\": \"21600\"}).text\n";
const FRESH: &str = "headers={\"X-aws-ec2-metadata-token\": imds_token}";

/// The header that sends the code's own variable `name`.
fn reused(name: &str) -> String {
    format!("headers={{\"X-aws-ec2-metadata-token\": {name}}}")
}

#[test]
fn a_token_fetched_in_a_branch_not_enclosing_the_request_is_not_reused() {
    let code = format!(
        "import sys, requests\nif len(sys.argv) > 5:\n    token = {PUT}.text\n\
         print(requests.get('{MD}instance-id').text)\n"
    );
    assert_eq!(
        fixed(&code),
        format!(
            "import sys, requests\nif len(sys.argv) > 5:\n    token = {PUT}.text\n\
             {FETCH}print(requests.get('{MD}instance-id', {FRESH}).text)\n"
        )
    );
}

#[test]
fn a_token_fetched_in_a_try_body_or_loop_is_not_reused_after_it() {
    for head in ["try:", "for _ in range(n):", "while retry:", "with lock:"] {
        let tail = if head == "try:" {
            "except Exception:\n    pass\n"
        } else {
            ""
        };
        let code = format!(
            "import requests\n{head}\n    token = {PUT}.text\n{tail}\
             requests.get('{MD}instance-id')\n"
        );
        let out = fixed(&code);
        assert!(out.contains(FRESH), "{out}");
        assert!(!out.contains(&reused("token")), "{out}");
    }
}

#[test]
fn a_token_reused_in_a_lambda_or_a_while_loop_gives_an_unsafe_fix() {
    // Regression (tester): the token a safe fix fetched was reused, in
    // `--fix`'s next round, by a request in a lambda's body as a safe fix,
    // so a plain `--fix` applied what the check had called unsafe. A
    // lambda, or a `while` loop, may run long after the token was fetched.
    let lambda = format!(
        "import requests\ntoken = {PUT}.text\nget = lambda p: requests.get('{MD}' + p).text\n"
    );
    let polling = format!(
        "import requests\ntoken = {PUT}.text\nwhile requests.get('{MD}spot/instance-action').status_code == 404:\n    \
         pass\n"
    );
    for (code, reason) in [
        (lambda, "lambda"),
        (polling, "may expire while the loop runs"),
    ] {
        let (_, found) = super::findings(&code);
        let fix = found[0].fix.as_ref().expect("a fix");
        assert_eq!(
            fix.applicability,
            imds_lint_parser::Applicability::Unsafe,
            "{code}"
        );
        assert!(fix.message.contains(reason), "{:?}", fix.message);
        assert!(fixed(&code).contains(&reused("token")), "{code}");
    }
    // A token fetched inside the loop, on each pass, is safe to reuse.
    let each_pass = format!(
        "import requests\nwhile True:\n    token = {PUT}.text\n    \
         requests.get('{MD}spot/instance-action')\n"
    );
    let (_, found) = super::findings(&each_pass);
    let fix = found[0].fix.as_ref().expect("a fix");
    assert_eq!(
        fix.applicability,
        imds_lint_parser::Applicability::Safe,
        "{}",
        fix.message
    );
}

#[test]
fn a_token_fetched_in_an_enclosing_block_is_reused() {
    let code = format!(
        "import requests\ntoken = {PUT}.text\nif ready:\n    \
         requests.get('{MD}instance-id')\n"
    );
    let out = fixed(&code);
    assert!(out.contains(&reused("token")), "{out}");
    assert_eq!(out.matches("api/token").count(), 1, "{out}");

    let code = format!(
        "import requests\nif ready:\n    token = {PUT}.text\n    \
         requests.get('{MD}instance-id')\n"
    );
    let out = fixed(&code);
    assert!(out.contains(&reused("token")), "{out}");
    assert_eq!(out.matches("api/token").count(), 1, "{out}");
}

#[test]
fn a_variable_holding_the_response_is_not_sent_as_the_token() {
    let code = format!(
        "import requests\ntok = {PUT}\nprint(requests.get('{MD}a', \
         headers={{'X-aws-ec2-metadata-token': tok.text}}).text)\n\
         print(requests.get('{MD}b').text)\n"
    );
    let out = fixed(&code);
    assert!(!out.contains(&reused("tok")), "{out}");
    assert!(
        out.contains(&format!(
            "{FETCH}print(requests.get('{MD}b', {FRESH}).text)"
        )),
        "{out}"
    );
}

#[test]
fn token_text_read_through_the_library_is_reused() {
    for (code, name) in [
        (
            format!("import requests\nt = {PUT}.text.strip()\nrequests.get('{MD}a')\n"),
            "t",
        ),
        (
            format!(
                "import urllib.request as u\nt = u.urlopen(u.Request('http://169.254.169.254/latest/api/token', \
                 headers={{'X-aws-ec2-metadata-token-ttl-seconds': '60'}}, method='PUT')).read().decode()\n\
                 u.urlopen(u.Request('{MD}a'))\n"
            ),
            "t",
        ),
    ] {
        let out = fixed(&code);
        assert!(out.contains(&reused(name)), "{out}");
    }
}

#[test]
fn a_rebinding_between_the_fetch_and_the_request_ends_the_reuse() {
    for rebind in [
        "token = None",
        "del token",
        "token, other = None, 1",
        "token += 'x'",
        "for token in []: pass",
        "with open('f') as token: pass",
        "import os as token",
        "def token(): pass",
        "(token := None)",
    ] {
        let code = format!(
            "import requests\ntoken = {PUT}.text\n{rebind}\nrequests.get('{MD}instance-id')\n"
        );
        let out = fixed(&code);
        assert!(!out.contains(&reused("token")), "{rebind}:\n{out}");
        assert!(out.contains(FRESH), "{rebind}:\n{out}");
    }
}

#[test]
fn a_rebinding_later_in_a_loop_around_the_request_ends_the_reuse() {
    let code = format!(
        "import requests\ntoken = {PUT}.text\nfor p in paths:\n    \
         requests.get('{MD}' + p)\n    token = None\n"
    );
    let out = fixed(&code);
    assert!(!out.contains(&reused("token")), "{out}");
}

#[test]
fn only_the_requests_after_a_rebinding_fetch_their_own_token() {
    let code = format!(
        "import requests\ntoken = {PUT}.text\na = requests.get('{MD}a')\ntoken = None\n\
         b = requests.get('{MD}b')\n"
    );
    assert_eq!(
        fixed(&code),
        format!(
            "import requests\ntoken = {PUT}.text\na = requests.get('{MD}a', {})\n\
             token = None\n{FETCH}b = requests.get('{MD}b', {FRESH})\n",
            reused("token")
        )
    );
}

#[test]
fn reads_of_the_token_do_not_end_the_reuse() {
    let code = format!(
        "import requests\ntoken = {PUT}.text\nprint(token, token.strip())\nx = {{token: 1}}\n\
         requests.get('{MD}a')\n"
    );
    let out = fixed(&code);
    assert!(out.contains(&reused("token")), "{out}");
}
