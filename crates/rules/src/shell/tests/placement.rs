//! Where the token a fix sends comes from: a variable the code already
//! fetched a token into only where it is set for sure, a fetch of its own
//! in each loop iteration, and a fetch that cannot stop a `set -e` script
//! where the request's own failure would not have.

use super::fixes::{fixed, FETCH, HEADER};

/// The code's own token request, with a TTL of 300 seconds.
const PUT: &str = "TOKEN=$(curl -s -X PUT http://169.254.169.254/latest/api/token \
                   -H \"X-aws-ec2-metadata-token-ttl-seconds: 300\")";
const MD: &str = "MD=http://169.254.169.254/latest/meta-data\n";
const SPOT: &str = "http://169.254.169.254/latest/meta-data/spot/instance-action";
/// What a fetch guarded against `set -e` adds after the fetch.
const GUARD: &str = " || IMDS_TOKEN=";

#[test]
fn a_token_not_set_at_the_request_is_not_reused() {
    for setup in [
        // Set only when a branch is taken.
        format!("if [ \"$1\" = refresh ]; then\n  {PUT}\nfi\n"),
        // Set in a subshell, in the background, in a pipeline stage: in
        // another process, whose variables this shell never sees.
        format!("( {PUT} )\n"),
        format!("{PUT} &\n"),
        format!("echo x | {{ read a; {PUT}; }}\n"),
        // Set only if the command before it succeeds.
        format!("true && {PUT}\n"),
        // Set in a loop body that may run no time.
        format!("for i in $LIST; do\n  {PUT}\ndone\n"),
    ] {
        let code = format!("{MD}{setup}curl -s $MD/instance-id\n");
        let out = fixed(&code);
        assert_eq!(
            out,
            format!("{MD}{setup}{FETCH}\ncurl {HEADER} -s $MD/instance-id\n"),
            "in:\n{code}"
        );
    }
}

#[test]
fn a_token_set_on_every_path_to_the_request_is_reused() {
    let request = "curl -s $MD/instance-id";
    let reused = "curl -H \"X-aws-ec2-metadata-token: $TOKEN\" -s $MD/instance-id";
    for code in [
        format!("{PUT}\nif [ -n \"$X\" ]; then\n  {request}\nfi\n"),
        format!("if true; then\n  {PUT}\n  {request}\nfi\n"),
        format!("if {PUT}; then\n  {request}\nfi\n"),
        format!("( {PUT}; {request} )\n"),
        format!("{PUT} || exit 1\n{request}\n"),
        // Set in the same function as the request.
        format!("get() {{\n  {PUT}\n  {request}\n}}\n"),
        // Rebound before the fetch, or only exported after it.
        format!("TOKEN=old\n{PUT}\nexport TOKEN\necho \"$TOKEN\"\n{request}\n"),
        // A `local` in another function cannot touch this one's variable.
        format!("other() {{\n  local TOKEN=x\n}}\n{PUT}\nother\n{request}\n"),
    ] {
        let code = format!("{MD}{code}");
        assert_eq!(fixed(&code), code.replace(request, reused), "in:\n{code}");
    }
}

#[test]
fn a_request_in_a_loop_fetches_its_token_in_each_iteration() {
    // A token fetched once before an endless loop expires after its TTL,
    // and every request after that is refused.
    let code = format!(
        "while true; do\n  if curl -sf {SPOT} >/dev/null; then\n    echo interrupted\n  fi\n  \
         sleep 5\ndone\n"
    );
    assert_eq!(
        fixed(&code),
        format!(
            "while true; do\n  {FETCH}\n  if curl {HEADER} -sf {SPOT} >/dev/null; then\n    \
             echo interrupted\n  fi\n  sleep 5\ndone\n"
        )
    );

    let code =
        format!("while true; do if curl -sf {SPOT} >/dev/null; then break; fi; sleep 5; done\n");
    assert_eq!(
        fixed(&code),
        format!(
            "while true; do {FETCH} && if curl {HEADER} -sf {SPOT} >/dev/null; then break; fi; \
             sleep 5; done\n"
        )
    );
}

#[test]
fn a_for_loop_that_sleeps_polls_and_fetches_in_each_iteration() {
    // `for i in $(seq 1 17280)` with a `sleep` polls for hours: a token
    // fetched before it expires while it runs.
    let code = format!("for i in $(seq 1 17280); do\n  curl -s {SPOT}\n  sleep 5\ndone\n");
    assert_eq!(
        fixed(&code),
        format!(
            "for i in $(seq 1 17280); do\n  {FETCH}\n  curl {HEADER} -s {SPOT}\n  sleep 5\ndone\n"
        )
    );
    // Nor is a token fetched before it reused inside it.
    let code = format!(
        "{MD}{PUT}\nfor i in 1 2 3; do\n  curl -s $MD/instance-id\n  /bin/sleep 60\ndone\n"
    );
    assert_eq!(
        fixed(&code),
        format!(
            "{MD}{PUT}\nfor i in 1 2 3; do\n  {FETCH}\n  curl {HEADER} -s $MD/instance-id\n  \
             /bin/sleep 60\ndone\n"
        )
    );
    // A `for` over a list that does not sleep keeps one token before it.
    let code = format!("{MD}for k in instance-id hostname; do\n  curl -s \"$MD/$k\"\ndone\n");
    assert_eq!(
        fixed(&code),
        format!(
            "{MD}{FETCH}\nfor k in instance-id hostname; do\n  curl {HEADER} -s \"$MD/$k\"\ndone\n"
        )
    );
}

#[test]
fn a_request_in_a_loop_condition_fetches_its_token_there() {
    // The condition's status stays the request's; `set -e` does not act
    // in a condition, so the fetch needs no guard.
    let code = format!("set -e\nwhile ! curl -sf {SPOT} >/dev/null; do sleep 5; done\n");
    assert_eq!(
        fixed(&code),
        format!("set -e\nwhile {FETCH}; ! curl {HEADER} -sf {SPOT} >/dev/null; do sleep 5; done\n")
    );
}

#[test]
fn a_token_fetched_outside_a_loop_is_not_reused_inside_it() {
    let code = format!("{MD}{PUT}\nwhile true; do\n  curl -s $MD/instance-id\n  sleep 5\ndone\n");
    assert_eq!(
        fixed(&code),
        format!(
            "{MD}{PUT}\nwhile true; do\n  {FETCH}\n  curl {HEADER} -s $MD/instance-id\n  \
             sleep 5\ndone\n"
        )
    );
    // Nor is a token fetched in a loop used after it.
    let code = format!(
        "{MD}while read k; do\n  curl -s \"$MD/$k\"\ndone < keys\ncurl -s $MD/instance-id\n"
    );
    assert_eq!(
        fixed(&code),
        format!(
            "{MD}while read k; do\n  {FETCH}\n  curl {HEADER} -s \"$MD/$k\"\ndone < keys\n\
             {FETCH}\ncurl {HEADER} -s $MD/instance-id\n"
        )
    );
}

#[test]
fn under_set_e_a_fetch_does_not_stop_a_script_whose_request_may_fail() {
    // The tester's script: off EC2 it printed iid=unknown; the fix made it
    // exit 7 at the token fetch.
    let code = "#!/bin/sh\nset -e\n\
                iid=$(curl -s --max-time 1 http://169.254.169.254/latest/meta-data/instance-id \
                || echo unknown)\necho \"iid=$iid\"\n";
    // The fetch keeps the request's time limit.
    let fetch = FETCH.replace("curl -s -X PUT", "curl -s --max-time 1 -X PUT");
    assert_eq!(
        fixed(code),
        format!(
            "#!/bin/sh\nset -e\n{fetch}{GUARD}\n\
             iid=$(curl {HEADER} -s --max-time 1 http://169.254.169.254/latest/meta-data/instance-id \
             || echo unknown)\necho \"iid=$iid\"\n"
        )
    );

    let request = "curl -s $MD/instance-id";
    let sent = format!("curl {HEADER} -s $MD/instance-id");
    for errexit in ["set -e", "set -euo pipefail", "set -o errexit", "set -Ee"] {
        for statement in [
            format!("if {request}; then echo ok; fi"),
            format!("{request} || true"),
            format!("! {request}"),
            format!("{request} && echo ok"),
            format!("echo \"$({request})\""),
            format!("ID=$({request} | tr a-z A-Z)"),
            format!("local_id() {{\n  {request} || echo none\n}}"),
        ] {
            let code = format!("{errexit}\n{MD}{statement}\n");
            let out = fixed(&code);
            let indent = if statement.contains('{') { "  " } else { "" };
            let guarded = format!("{indent}{FETCH}{GUARD}\n");
            assert!(out.contains(&guarded), "{out}");
            assert_eq!(
                out.replace(&guarded, "").replace(&sent, request),
                code,
                "{out}"
            );
        }
    }
}

#[test]
fn a_fetch_needs_no_guard_where_the_request_would_stop_the_script_too() {
    for code in [
        // The request's own failure stops a `set -e` script at that line.
        format!("set -e\n{MD}ID=$(curl -s $MD/instance-id)\n"),
        format!("set -e\n{MD}curl -s $MD/instance-id > id.txt\n"),
        // Without `set -e` a failing fetch stops nothing.
        format!("{MD}ID=$(curl -s $MD/instance-id || echo unknown)\n"),
        format!("set -o pipefail\n{MD}curl -s $MD/instance-id | tr a-z A-Z\n"),
    ] {
        let out = fixed(&code);
        assert!(!out.contains(GUARD), "{out}");
    }
}

#[test]
fn errexit_is_seen_in_the_shebang_and_in_a_nested_shell() {
    let code = format!("#!/bin/bash -e\n{MD}curl -s $MD/instance-id || true\n");
    assert!(fixed(&code).contains(&format!("{FETCH}{GUARD}\n")));

    let code = format!("{MD}set -e; ID=$(curl -s $MD/instance-id || echo unknown)\n");
    assert_eq!(
        fixed(&code),
        format!(
            "{MD}set -e; {FETCH}{GUARD}; ID=$(curl {HEADER} -s $MD/instance-id || echo unknown)\n"
        )
    );

    let code = "bash -ec 'curl -s http://169.254.169.254/latest/meta-data/ || true'\n";
    assert_eq!(
        fixed(code),
        format!(
            "bash -ec '{FETCH}{GUARD}; curl {HEADER} -s http://169.254.169.254/latest/meta-data/ \
             || true'\n"
        )
    );
}

#[test]
fn a_token_variable_rebound_before_the_request_is_not_reused() {
    // The tester's script: $TOKEN held the workspace API token by the time
    // of the last request, and the fix sent it to IMDS.
    for rebind in [
        "TOKEN=$(cat /tmp/pat.txt)\ncurl -s -H \"Authorization: Bearer $TOKEN\" https://example.com/\n",
        "TOKEN=abc\n",
        "TOKEN+=abc\n",
        "TOKEN[0]=abc\n",
        "read -r TOKEN < /tmp/pat.txt\n",
        "unset TOKEN\n",
        "unset -v TOKEN\n",
        "export TOKEN=abc\n",
        "declare TOKEN=abc\n",
        "readonly TOKEN=abc\n",
        "for TOKEN in a b; do echo \"$TOKEN\"; done\n",
        "select TOKEN in a b; do break; done\n",
        "mapfile -t TOKEN < /tmp/pat.txt\n",
        "printf -v TOKEN '%s' abc\n",
        "getopts ab TOKEN\n",
        "let TOKEN=1\n",
        "(( TOKEN = 1 ))\n",
        "(( TOKEN++ ))\n",
        ": \"${TOKEN:=abc}\"\n",
        "if [ -n \"$X\" ]; then\n  TOKEN=abc\nfi\n",
        "( true ) && TOKEN=abc\n",
        "eval \"$SETUP\"\n",
        ". ./env.sh\n",
        // The tester's forms: the option joined to the name, a prefix word
        // before the builtin, the name in quotes, an fd number, a coprocess,
        // an element in quotes, arithmetic in a test, a subscript or an
        // array element's index.
        "printf -vTOKEN '%s' abc\n",
        "command read -r TOKEN <<< abc\n",
        "builtin read -r TOKEN <<< abc\n",
        "time read -r TOKEN <<< abc\n",
        "declare 'TOKEN=abc'\n",
        "export \"TOKEN=abc\"\n",
        "exec {TOKEN}>/dev/null\n",
        "coproc TOKEN { cat; }\n",
        "printf -v 'TOKEN[0]' abc\n",
        "read -r 'TOKEN[0]' <<< abc\n",
        "[[ 1 -eq TOKEN=1 ]]\n",
        ": ${a[TOKEN=5]}\n",
        "b[TOKEN=4]=1\n",
    ] {
        let code = format!("{MD}{PUT}\n{rebind}curl -s $MD/instance-id\n");
        assert_eq!(
            fixed(&code),
            format!("{MD}{PUT}\n{rebind}{FETCH}\ncurl {HEADER} -s $MD/instance-id\n"),
            "in:\n{code}"
        );
    }
}

#[test]
fn a_token_variable_a_function_may_rebind_is_not_reused() {
    // The function may run between the fetch and the request, wherever it
    // is written.
    for function in [
        "load() {\n  TOKEN=$(cat /tmp/pat.txt)\n}\n",
        "load() {\n  read -r TOKEN < /tmp/pat.txt\n}\n",
    ] {
        let code = format!("{MD}{function}{PUT}\nload\ncurl -s $MD/instance-id\n");
        assert_eq!(
            fixed(&code),
            format!("{MD}{function}{PUT}\nload\n{FETCH}\ncurl {HEADER} -s $MD/instance-id\n"),
            "in:\n{code}"
        );
    }
    // In the function that fetched it, a `local` after the fetch empties it.
    let code = format!("{MD}get() {{\n  {PUT}\n  local TOKEN\n  curl -s $MD/instance-id\n}}\n");
    assert_eq!(
        fixed(&code),
        format!(
            "{MD}get() {{\n  {PUT}\n  local TOKEN\n  {FETCH}\n  curl {HEADER} -s \
             $MD/instance-id\n}}\n"
        )
    );
}

#[test]
fn a_token_variable_rebound_later_in_the_same_loop_is_not_reused() {
    // The second pass of the loop sends what the first one wrote.
    let code = format!(
        "{MD}{PUT}\nfor k in instance-id hostname; do\n  curl -s \"$MD/$k\"\n  TOKEN=abc\ndone\n"
    );
    assert_eq!(
        fixed(&code),
        format!(
            "{MD}{PUT}\n{FETCH}\nfor k in instance-id hostname; do\n  curl {HEADER} -s \"$MD/$k\"\n  \
             TOKEN=abc\ndone\n"
        )
    );
}

#[test]
fn a_token_variable_read_through_a_prefix_word_later_in_the_same_loop_is_not_reused() {
    let code = format!(
        "{MD}{PUT}\nfor k in instance-id hostname; do\n  curl -s \"$MD/$k\"\n  \
         command read -r TOKEN <<< abc\ndone\n"
    );
    assert_eq!(
        fixed(&code),
        format!(
            "{MD}{PUT}\n{FETCH}\nfor k in instance-id hostname; do\n  curl {HEADER} -s \"$MD/$k\"\n  \
             command read -r TOKEN <<< abc\ndone\n"
        )
    );
}

#[test]
fn the_tools_own_token_variable_rebound_is_not_reused() {
    let own = "IMDS_TOKEN=$(curl -s -X PUT \"http://169.254.169.254/latest/api/token\" \
               -H \"X-aws-ec2-metadata-token-ttl-seconds: 21600\")";
    let code = format!("{MD}{own}\nIMDS_TOKEN=abc\ncurl -s $MD/instance-id\n");
    let out = fixed(&code);
    assert!(
        out.contains("curl -H \"X-aws-ec2-metadata-token: $IMDS_TOKEN_2\" -s $MD/instance-id"),
        "{out}"
    );
}

#[test]
fn a_function_does_not_reuse_a_token_fetched_outside_it() {
    // The tester's script: the function is called from an endless loop,
    // long after the token fetched before it has expired.
    let code = format!(
        "{MD}{PUT}\nIID=$(curl -s -H \"X-aws-ec2-metadata-token: $TOKEN\" $MD/instance-id)\n\
         interrupted() {{ curl -sf $MD/spot/instance-action >/dev/null; }}\n\
         while true; do if interrupted; then echo \"spot interruption\"; break; fi; sleep 5; done &\n"
    );
    assert_eq!(
        fixed(&code),
        code.replace("{ curl -sf", &format!("{{ {FETCH} && curl {HEADER} -sf"))
    );

    let code = format!("{MD}{PUT}\nget() {{\n  curl -s $MD/instance-id\n}}\n");
    assert_eq!(
        fixed(&code),
        format!("{MD}{PUT}\nget() {{\n  {FETCH}\n  curl {HEADER} -s $MD/instance-id\n}}\n")
    );
}
