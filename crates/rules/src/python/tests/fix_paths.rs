//! Fixes where the token fetch could run on paths the request does not:
//! a request in a part of its statement evaluated only sometimes, or in a
//! lambda's body, gets an unsafe fix that says why; and headers held in a
//! variable that may not be a dict are merged in a way that survives
//! `None`.

use imds_lint_parser::Applicability;

use super::fixes::fixed;
use super::{findings, notebook};

const MD: &str = "MD = \"http://169.254.169.254/latest/meta-data/\"\n";
const HEADER: &str = "\"X-aws-ec2-metadata-token\": imds_token";

/// Each finding's fix: its applicability and message.
fn fixes_of(code: &str) -> Vec<(Applicability, String)> {
    let (_, f) = findings(code);
    f.iter()
        .map(|f| {
            let fix = f.fix.as_ref().unwrap_or_else(|| panic!("no fix: {f:?}"));
            (fix.applicability, fix.message.clone())
        })
        .collect()
}

#[track_caller]
fn assert_unsafe_because(code: &str, reason: &str) {
    let got = fixes_of(code);
    assert!(!got.is_empty(), "no finding in:\n{code}");
    for (applicability, message) in got {
        assert_eq!(applicability, Applicability::Unsafe, "in:\n{code}");
        assert!(
            message.contains(reason),
            "{message:?} lacks {reason:?} in:\n{code}"
        );
    }
}

#[track_caller]
fn assert_safe(code: &str) {
    let got = fixes_of(code);
    assert!(!got.is_empty(), "no finding in:\n{code}");
    for (applicability, message) in got {
        assert_eq!(applicability, Applicability::Safe, "{message} in:\n{code}");
    }
}

#[test]
fn headers_that_may_be_none_are_merged_with_a_fallback() {
    let code = "import requests\nIMDS = \"http://169.254.169.254/latest/\"\n\
                DOC = \"dynamic/instance-identity/document\"\n\
                def with_none_headers(extra=False):\n    hdrs = None\n    if extra:\n        \
                hdrs = {\"Accept\": \"application/json\"}\n    \
                return requests.get(IMDS + DOC, headers=hdrs).json()[\"region\"]\n";
    let out = fixed(code);
    assert!(
        out.contains(&format!("headers={{**dict(hdrs or {{}}), {HEADER}}}")),
        "{out}"
    );
    assert_safe(code);
}

#[test]
fn headers_not_known_to_be_a_dict_are_merged_with_a_fallback() {
    // Bound to something else than a dict literal somewhere in the scope,
    // or held by an expression: the merge must not assume a mapping.
    for (setup, headers) in [
        ("    h = {'A': 'x'}\n    if a:\n        h = dict(h)\n", "h"),
        (
            "    h = {'A': 'x'}\n    with hs as h:\n        pass\n    h = {}\n",
            "h",
        ),
        ("    h = {'A': 'x'}\n    del h\n    h = {}\n", "h"),
    ] {
        let code = format!(
            "import requests\n{MD}def f(a, hs):\n{setup}    \
             return requests.get(MD + 'x', headers={headers})\n"
        );
        let out = fixed(&code);
        assert!(
            out.contains(&format!("headers={{**dict({headers} or {{}}), {HEADER}}}")),
            "{out}"
        );
    }
}

#[test]
fn headers_a_nested_function_may_rebind_are_not_known() {
    // `nonlocal h` and an assignment: `h` may hold anything once `g`
    // runs, the token among them, as for any headers not known.
    super::quiet(&format!(
        "import requests\n{MD}def f(a, hs):\n    h = {{'A': 'x'}}\n    def g():\n        nonlocal h\n        h = None\n    \
         return requests.get(MD + 'x', headers=h)\n"
    ));
}

#[test]
fn headers_given_as_pairs_are_merged_through_dict() {
    // httpx takes a list of (name, value) pairs: `**` of a list raises.
    for (setup, headers) in [
        ("    h = [('Accept', 'text/plain')]\n", "h"),
        ("", "[('Accept', 'text/plain')]"),
        ("", "(('Accept', 'text/plain'),)"),
    ] {
        let code = format!(
            "import httpx\n{MD}def f():\n{setup}    return httpx.get(MD + 'x', headers={headers})\n"
        );
        let out = fixed(&code);
        assert!(
            out.contains(&format!("headers={{**dict({headers} or {{}}), {HEADER}}}")),
            "{out}"
        );
    }
}

#[test]
fn headers_always_bound_to_a_dict_keep_the_plain_merge() {
    let code = format!(
        "import requests\n{MD}def f(a):\n    h = {{'A': 'x'}}\n    if a:\n        \
         h = {{'A': 'y'}}\n    return requests.get(MD + 'x', headers=h)\n"
    );
    let out = fixed(&code);
    assert!(out.contains(&format!("headers={{**h, {HEADER}}}")), "{out}");
}

#[test]
fn headers_of_a_module_name_another_cell_may_bind_get_a_fallback() {
    let cells = [
        "import requests\nH = {'A': 'x'}\n",
        "H = {'A': 'y'}\n",
        "requests.get('http://169.254.169.254/latest/meta-data/', headers=H)\n",
    ];
    let (_, f) = notebook(&cells);
    let edits: Vec<String> = f
        .iter()
        .flat_map(|f| f.fix.iter().flat_map(|x| x.edits.iter()))
        .map(|e| e.content.clone())
        .collect();
    assert!(
        edits.contains(&format!("{{**dict(H or {{}}), {HEADER}}}")),
        "{edits:?}"
    );
}

#[test]
fn a_request_evaluated_only_on_some_paths_gets_an_unsafe_fix() {
    let reason = "only on some paths";
    for body in [
        "    return explicit or os.environ.get('R') or requests.get(MD + 'r', timeout=1).text\n",
        "    return explicit and requests.get(MD + 'r').text\n",
        "    return requests.get(MD + 'r', timeout=1).text if explicit else 'n/a'\n",
        "    return 'n/a' if explicit else requests.get(MD + 'r').text\n",
        "    if explicit:\n        pass\n    elif requests.get(MD + 'r', timeout=1).ok:\n        \
         print('ok')\n",
        "    if explicit:\n        requests.get(MD + 'r')\n",
        "    return [requests.get(MD + p).text for p in explicit]\n",
        "    return [requests.get(MD + p).text for p in ('a', 'b') if explicit]\n",
        "    return [p for p in ('a', 'b') if requests.get(MD + p).ok]\n",
        "    return list(requests.get(MD + p).text for p in ('a', 'b'))\n",
        "    return {p: requests.get(MD + p).text for p in explicit}\n",
        "    assert explicit, requests.get(MD + 'r').text\n",
        "    return 0 < explicit < len(requests.get(MD + 'r').text)\n",
    ] {
        let code = format!("import os, requests\n{MD}def region(explicit=None):\n{body}");
        assert_unsafe_because(&code, reason);
    }
}

#[test]
fn a_request_evaluated_on_every_path_keeps_a_safe_fix() {
    for body in [
        "    return requests.get(MD + 'r').text or explicit\n",
        "    return 'a' if requests.get(MD + 'r').ok else 'b'\n",
        "    if requests.get(MD + 'r').ok:\n        pass\n",
        "    return [requests.get(MD + p).text for p in ('a', 'b')]\n",
        "    return [p for p in requests.get(MD + 'r').text.split()]\n",
        "    return (lambda: requests.get(MD + 'r').text)()\n",
        "    return explicit < len(requests.get(MD + 'r').text)\n",
    ] {
        let code = format!("import requests\n{MD}def region(explicit=None):\n{body}");
        assert_safe(&code);
    }
}

#[test]
fn a_request_a_try_guards_gets_an_unsafe_fix_that_says_so() {
    // Regression (fresh tester): the fetch goes before the `try`, so off
    // EC2 its failure escapes the handler that gave the fallback.
    let code = format!(
        "import requests\n{MD}def region():\n    try:\n        return requests.get(MD + 'r', \
         timeout=0.5).text\n    except requests.RequestException:\n        return 'us-east-1'\n"
    );
    assert_unsafe_because(&code, "outside the `try` or `with`");
}

#[test]
fn a_request_in_a_with_body_gets_an_unsafe_fix_that_says_so() {
    // Regression (tester): a context manager may handle the request's
    // failure as a `try` does (`contextlib.suppress`), and the fetch goes
    // before the `with`.
    let code = format!(
        "import contextlib, requests\n{MD}def region():\n    with contextlib.suppress(Exception):\n        \
         return requests.get(MD + 'r', timeout=1).text\n    return 'us-east-1'\n"
    );
    assert_unsafe_because(&code, "outside the `try` or `with`");
}

#[test]
fn a_request_in_a_lambda_body_gets_an_unsafe_fix() {
    let reason = "lambda";
    let module = format!(
        "import requests\n{MD}fetch = lambda path: requests.get(MD + path, timeout=2).text\n\
         HANDLERS = {{\"iid\": lambda: requests.get(MD + \"instance-id\", timeout=2).text}}\n"
    );
    assert_unsafe_because(&module, reason);
    let function = format!(
        "import requests\n{MD}def handlers():\n    \
         return {{'iid': lambda: requests.get(MD + 'instance-id').text}}\n"
    );
    assert_unsafe_because(&function, reason);
    let class = format!(
        "import requests\n{MD}class Facts:\n    ID = lambda self: requests.get(MD + 'i').text\n"
    );
    assert_unsafe_because(&class, reason);
}

#[test]
fn a_request_in_a_while_loop_gets_an_unsafe_fix_that_says_the_token_may_expire() {
    // Regression (tester): a polling loop's condition
    // (`while requests.get(...).status_code == 404:`) got a safe fix that
    // fetched one token before the loop; once it expired, each poll got
    // 401, which the loop took for the notice it waited for.
    let reason = "may expire while the loop runs";
    let condition =
        "while requests.get(MD + 'spot/instance-action', timeout=1).status_code == 404:\n    \
                     time.sleep(5)\n";
    let body = "while True:\n    r = requests.get(MD + 'spot/instance-action', timeout=1)\n    \
                if r.ok:\n        break\n    time.sleep(5)\n";
    for loop_ in [condition, body] {
        let top = format!("import time, requests\n{MD}{loop_}");
        assert_unsafe_because(&top, reason);
        let nested = loop_.replace('\n', "\n    ");
        let function = format!("import time, requests\n{MD}def wait():\n    {nested}\n");
        assert_unsafe_because(&function, reason);
    }
    // A later request of the scope, in a loop the first one's fetch is
    // not in, says so too.
    let later = format!(
        "import time, requests\n{MD}iid = requests.get(MD + 'instance-id', timeout=1).text\n{condition}"
    );
    let got = fixes_of(&later);
    assert_eq!(got[0].0, Applicability::Safe);
    assert_eq!(got[1].0, Applicability::Unsafe);
    assert!(got[1].1.contains(reason), "{:?}", got[1].1);
    // A `for` loop whose body sleeps polls as a `while` loop does (found
    // by a tester: `for i in range(17280): ...; time.sleep(5)` after a
    // first request shared its token).
    let polling_for = format!(
        "import time, requests\n{MD}iid = requests.get(MD + 'instance-id', timeout=1).text\n\
         for _ in range(17280):\n    r = requests.get(MD + 'spot/instance-action', timeout=1)\n    \
         time.sleep(5)\n"
    );
    let got = fixes_of(&polling_for);
    assert_eq!(got[0].0, Applicability::Safe);
    assert_eq!(got[1].0, Applicability::Unsafe);
    assert!(got[1].1.contains(reason), "{:?}", got[1].1);
    // A `for` over a list ends; its iterable is evaluated once.
    let iterable = format!(
        "import requests\n{MD}for line in requests.get(MD + 'public-keys/', timeout=1).text.split():\n    \
         print(line)\n"
    );
    assert_safe(&iterable);
}

#[test]
fn a_plain_request_after_a_lambda_one_keeps_a_safe_fix_of_its_own() {
    // The lambda's fix is unsafe; a request before it in the same scope
    // fetches the token where it runs anyway.
    let code = format!(
        "import requests\n{MD}iid = requests.get(MD + 'instance-id').text\n\
         fetch = lambda path: requests.get(MD + path).text\n"
    );
    let got = fixes_of(&code);
    assert_eq!(got[0].0, Applicability::Safe);
    assert_eq!(got[1].0, Applicability::Unsafe);
    assert!(got[1].1.contains("lambda"), "{:?}", got[1].1);
}
