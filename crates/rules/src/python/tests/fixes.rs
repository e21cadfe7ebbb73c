//! Fixes: the exact text they produce, that it parses, and that checking
//! it again finds no request without a token.

use imds_lint_parser::{syntax, Applicability, Cell, Edit, Lang};

use super::{findings, notebook, MD};
use crate::{check, Rule, Settings};

const FETCH: &str = "imds_token = requests.put(\"http://169.254.169.254/latest/api/token\", \
                     headers={\"X-aws-ec2-metadata-token-ttl-seconds\": \"21600\"}).text\n";
const HEADER: &str = "\"X-aws-ec2-metadata-token\": imds_token";

/// Applies every edit of the given fixes to `code` (identical edits once).
pub(super) fn apply(code: &str, edits: impl IntoIterator<Item = Edit>) -> String {
    let mut edits: Vec<Edit> = edits.into_iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse((e.range.start, e.range.end)));
    edits.dedup();
    let mut out = code.to_owned();
    for edit in edits {
        out.replace_range(edit.range.clone(), &edit.content);
    }
    out
}

/// The file after applying every fix, checked to parse and to need no
/// more fixing.
#[track_caller]
pub(super) fn fixed(code: &str) -> String {
    let (_, f) = findings(code);
    assert!(!f.is_empty(), "nothing to fix in:\n{code}");
    let edits = f.iter().flat_map(|f| {
        let fix = f.fix.clone().unwrap_or_else(|| panic!("no fix for {f:?}"));
        fix.edits
    });
    let out = apply(code, edits);
    assert!(
        syntax::parses_cleanly(Lang::Python, &out),
        "does not parse:\n{out}"
    );
    let (_, again) = findings(&out);
    assert!(
        again
            .iter()
            .all(|f| f.rule != Rule::MetadataRequestWithoutToken),
        "still flagged: {again:?}\n{out}"
    );
    out
}

#[test]
fn requests_get_gains_a_fetch_and_a_header() {
    let code = format!(
        "import requests\nMD = '{MD}'\nregion = requests.get(MD + 'placement/region').text\n"
    );
    assert_eq!(
        fixed(&code),
        format!("import requests\nMD = '{MD}'\n{FETCH}region = requests.get(MD + 'placement/region', headers={{{HEADER}}}).text\n")
    );
    let (_, f) = findings(&code);
    assert_eq!(
        f[0].fix.as_ref().map(|x| x.applicability),
        Some(Applicability::Safe)
    );
}

#[test]
fn requests_in_one_scope_share_one_fetch() {
    let code = format!(
        "import requests\na = requests.get('{MD}a')\nb = requests.get('{MD}b', timeout=2)\n"
    );
    let (_, f) = findings(&code);
    assert_eq!(f.len(), 2);
    let first = f[0].fix.as_ref().map(|x| x.edits[0].clone());
    let second = f[1].fix.as_ref().map(|x| x.edits[0].clone());
    assert_eq!(first, second);
    assert_eq!(
        fixed(&code),
        format!(
            "import requests\n{FETCH}a = requests.get('{MD}a', headers={{{HEADER}}})\nb = requests.get('{MD}b', timeout=2, headers={{{HEADER}}})\n"
        )
    );
}

#[test]
fn existing_headers_are_kept() {
    let code = format!("import requests\nrequests.get('{MD}', headers={{'Accept': 'x'}})\n");
    assert_eq!(
        fixed(&code),
        format!(
            "import requests\n{FETCH}requests.get('{MD}', headers={{'Accept': 'x', {HEADER}}})\n"
        )
    );
    let code = format!("import requests\nH = {{'Accept': 'x'}}\nrequests.get('{MD}', headers=H)\n");
    assert_eq!(
        fixed(&code),
        format!("import requests\nH = {{'Accept': 'x'}}\n{FETCH}requests.get('{MD}', headers={{**H, {HEADER}}})\n")
    );
    let code = format!("import requests\nrequests.get('{MD}', headers={{}})\n");
    assert_eq!(
        fixed(&code),
        format!("import requests\n{FETCH}requests.get('{MD}', headers={{{HEADER}}})\n")
    );
}

#[test]
fn multi_line_calls_and_trailing_commas() {
    let code = format!(
        "import requests\ndoc = requests.get(\n    '{MD}',\n    timeout=(1, 2),\n).json()\n"
    );
    assert_eq!(
        fixed(&code),
        format!("import requests\n{}doc = requests.get(\n    '{MD}',\n    timeout=(1, 2), headers={{{HEADER}}},\n).json()\n", FETCH.replace("}).text", "}, timeout=(1, 2)).text"))
    );
}

#[test]
fn fetch_goes_into_the_function_with_its_indentation() {
    let code = format!(
        "import requests\n\ndef region():\n    x = 1\n    return requests.get('{MD}').text\n"
    );
    assert_eq!(
        fixed(&code),
        format!("import requests\n\ndef region():\n    x = 1\n    {FETCH}    return requests.get('{MD}', headers={{{HEADER}}}).text\n")
    );
}

#[test]
fn a_fetch_moved_out_of_a_branch_is_unsafe() {
    let code = format!("import requests\nif ready:\n    requests.get('{MD}')\n");
    let (_, f) = findings(&code);
    assert_eq!(
        f[0].fix.as_ref().map(|x| x.applicability),
        Some(Applicability::Unsafe)
    );
    assert_eq!(
        fixed(&code),
        format!(
            "import requests\n{FETCH}if ready:\n    requests.get('{MD}', headers={{{HEADER}}})\n"
        )
    );
}

/// Found by a tester: a request after a `with` block (or an `if`) whose
/// request took the scope's fetch out of it was called unsafe for being
/// "outside the `try` or `with` around the request", which it is not in.
/// It is unsafe for the fetch it shares, and says so.
#[test]
fn a_later_request_sharing_a_moved_fetch_says_why_it_is_unsafe() {
    for code in [
        format!("import httpx\nwith httpx.Client() as c:\n    a = c.get('{MD}a')\nb = httpx.get('{MD}b')\n"),
        format!("import requests\nif x:\n    a = requests.get('{MD}a')\nb = requests.get('{MD}b')\n"),
    ] {
        let (_, f) = findings(&code);
        assert_eq!(f.len(), 2, "{code}");
        let later = f[1].fix.as_ref().unwrap_or_else(|| panic!("no fix: {f:?}"));
        assert_eq!(later.applicability, Applicability::Unsafe, "{code}");
        assert!(later.message.contains("shares"), "{code}: {}", later.message);
        let first = f[0].fix.as_ref().unwrap_or_else(|| panic!("no fix: {f:?}"));
        assert!(!first.message.contains("shares"), "{code}: {}", first.message);
    }
}

#[test]
fn an_existing_token_variable_is_reused() {
    let code = format!(
        "import requests\ntok = requests.put('http://169.254.169.254/latest/api/token', \
         headers={{'X-aws-ec2-metadata-token-ttl-seconds': '60'}}).text\nrequests.get('{MD}')\n"
    );
    let out = fixed(&code);
    assert!(
        out.ends_with(&format!(
            "requests.get('{MD}', headers={{\"X-aws-ec2-metadata-token\": tok}})\n"
        )),
        "{out}"
    );
    assert_eq!(out.matches("api/token").count(), 1);
}

#[test]
fn the_token_name_does_not_clash() {
    let code = format!("import requests\nimds_token = 'mine'\nrequests.get('{MD}')\n");
    let out = fixed(&code);
    assert!(out.contains("imds_token_2 = requests.put("), "{out}");
    assert!(
        out.contains("headers={\"X-aws-ec2-metadata-token\": imds_token_2}"),
        "{out}"
    );
}

#[test]
fn from_imports_get_a_module_import() {
    let code = format!("from requests import get\nget('{MD}')\n");
    assert_eq!(
        fixed(&code),
        format!(
            "from requests import get\nimport requests\n{FETCH}get('{MD}', headers={{{HEADER}}})\n"
        )
    );
    let code = format!("import requests as r\ns = r.Session()\ns.get('{MD}')\n");
    let out = fixed(&code);
    assert!(out.contains("imds_token = r.put("), "{out}");
}

#[test]
fn urlopen_is_wrapped_in_a_request() {
    let code = format!("from urllib.request import urlopen\nbody = urlopen('{MD}').read()\n");
    let (_, f) = findings(&code);
    assert_eq!(
        f[0].fix.as_ref().map(|x| x.applicability),
        Some(Applicability::Unsafe)
    );
    assert_eq!(
        fixed(&code),
        format!(
            "from urllib.request import urlopen, Request\nimds_token = urlopen(Request(\"http://169.254.169.254/latest/api/token\", \
             headers={{\"X-aws-ec2-metadata-token-ttl-seconds\": \"21600\"}}, method=\"PUT\")).read().decode()\n\
             body = urlopen(Request('{MD}', headers={{{HEADER}}})).read()\n"
        )
    );
    let code = format!("import urllib.request\nbody = urllib.request.urlopen('{MD}').read()\n");
    let out = fixed(&code);
    assert!(out.contains("imds_token = urllib.request.urlopen(urllib.request.Request(\"http://169.254.169.254/latest/api/token\""), "{out}");
    assert!(
        out.contains(&format!(
            "urllib.request.urlopen(urllib.request.Request('{MD}', headers={{{HEADER}}}))"
        )),
        "{out}"
    );
}

#[test]
fn an_openers_url_is_wrapped_in_the_modules_request() {
    // Regression: `opener.open(url)` was given `opener.Request(url, ...)`,
    // which an opener does not have.
    let code = format!(
        "import urllib.request\nopener = urllib.request.build_opener()\nbody = opener.open('{MD}').read()\n"
    );
    let out = fixed(&code);
    assert!(
        out.contains(&format!(
            "opener.open(urllib.request.Request('{MD}', headers={{{HEADER}}}))"
        )),
        "{out}"
    );
}

#[test]
fn urllib_request_objects_built_inline_gain_the_header() {
    let code = format!("import urllib.request as ur\nur.urlopen(ur.Request('{MD}'))\n");
    let out = fixed(&code);
    assert!(
        out.contains(&format!(
            "ur.urlopen(ur.Request('{MD}', headers={{{HEADER}}}))"
        )),
        "{out}"
    );
}

#[test]
fn other_libraries_fetch_with_their_own_client() {
    let out = fixed(&format!("import httpx\nhttpx.get('{MD}')\n"));
    assert!(
        out.contains("imds_token = httpx.put(\"http://169.254.169.254/latest/api/token\""),
        "{out}"
    );
    let out = fixed(&format!(
        "import urllib3\nhttp = urllib3.PoolManager()\nhttp.request('GET', '{MD}')\n"
    ));
    assert!(
        out.contains("imds_token = urllib3.PoolManager().request(\"PUT\""),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "http.request('GET', '{MD}', headers={{{HEADER}}})"
        )),
        "{out}"
    );
    let out = fixed("import http.client\nc = http.client.HTTPConnection('169.254.169.254')\nc.request('GET', '/latest/meta-data/')\n");
    assert!(out.contains("imds_token = http.client.HTTPConnection(\"169.254.169.254\")\nimds_token.request(\"PUT\""), "{out}");
    assert!(
        out.contains(&format!(
            "c.request('GET', '/latest/meta-data/', headers={{{HEADER}}})"
        )),
        "{out}"
    );
}

#[test]
fn clients_without_a_fix_get_help() {
    for code in [
        format!("import pycurl\nc = pycurl.Curl()\nc.setopt(pycurl.URL, '{MD}')\nc.perform()\n"),
        format!("import aiohttp\nasync def f():\n    async with aiohttp.ClientSession() as s:\n        await s.get('{MD}')\n"),
        format!("import urllib2\nurllib2.urlopen('{MD}')\n"),
        format!("from urllib.request import urlopen, Request\nreq = Request('{MD}')\nurlopen(req)\n"),
        format!("import requests\ndef f(): return requests.get('{MD}')\n"),
    ] {
        let (_, f) = findings(&code);
        assert_eq!(f.len(), 1, "{code}");
        assert!(f[0].fix.is_none() && f[0].help.is_some(), "{f:?}");
    }
}

#[test]
fn each_notebook_cell_fetches_its_own_token() {
    let (cells, f) = notebook(&[
        "import requests\n",
        &format!("a = requests.get('{MD}a')\n"),
        &format!("b = requests.get('{MD}b')\n"),
    ]);
    assert_eq!(f.len(), 2);
    for finding in &f {
        let fix = finding.fix.as_ref().unwrap_or_else(|| panic!("no fix"));
        let out = apply(&cells[finding.cell].code, fix.edits.clone());
        assert!(out.starts_with(FETCH), "{out}");
    }
}

#[test]
fn the_ttl_comes_from_the_settings() {
    let settings = Settings {
        token_ttl: 300,
        ..Settings::default()
    };
    let code = format!("import requests\nrequests.get('{MD}')\n");
    let (_, f) = check(vec![Cell::whole_file(Lang::Python, &code)], &settings);
    let fix = f[0].fix.as_ref().unwrap_or_else(|| panic!("no fix"));
    assert!(fix.edits.iter().any(|e| e
        .content
        .contains("\"X-aws-ec2-metadata-token-ttl-seconds\": \"300\"")));
}

#[test]
fn fixing_twice_changes_nothing() {
    let code = format!("import requests\ns = requests.Session()\nr = s.get('{MD}')\n");
    let once = fixed(&code);
    let (_, again) = findings(&once);
    assert!(again.is_empty(), "{again:?}");
}

#[test]
fn command_lists_gain_header_items() {
    let code = format!(
        "import subprocess\niid = subprocess.check_output(['curl', '-s', '{MD}'], text=True)\n"
    );
    assert_eq!(
        fixed(&code),
        format!(
            "import subprocess\nimds_token = subprocess.run([\"curl\", \"-s\", \"-X\", \"PUT\", \
             \"http://169.254.169.254/latest/api/token\", \"-H\", \"X-aws-ec2-metadata-token-ttl-seconds: 21600\"], \
             capture_output=True, text=True).stdout\n\
             iid = subprocess.check_output(['curl', \"-H\", \"X-aws-ec2-metadata-token: \" + imds_token, '-s', '{MD}'], text=True)\n"
        )
    );
    let out = fixed(&format!(
        "import subprocess\nsubprocess.run(['wget', '-qO-', '{MD}'])\n"
    ));
    assert!(
        out.contains("['wget', \"--header=X-aws-ec2-metadata-token: \" + imds_token, '-qO-'"),
        "{out}"
    );
    let (_, f) = findings(&format!(
        "import subprocess\ncmd = ['curl', '{MD}']\nsubprocess.run(cmd)\n"
    ));
    assert!(f[0].fix.is_none() && f[0].help.is_some());
}

/// Found by a tester: a command's token was fetched with `urlopen`, which
/// raises when the service cannot be reached, where the command itself
/// only exits non-zero; code that went on after a failed `curl` (a
/// fallback value) died at the token fetch instead. The token is fetched
/// with the command's own program, by `subprocess.run`, which raises for
/// neither.
#[test]
fn a_commands_token_is_fetched_by_the_same_program_and_fails_as_quietly() {
    let out = fixed(&format!(
        "import subprocess\nr = subprocess.run(['/usr/bin/curl', '-s', '{MD}ami-id'], capture_output=True)\n\
         print(r.returncode)\n"
    ));
    assert!(
        out.contains(
            "imds_token = subprocess.run([\"/usr/bin/curl\", \"-s\", \"-X\", \"PUT\", \
             \"http://169.254.169.254/latest/api/token\", \"-H\", \
             \"X-aws-ec2-metadata-token-ttl-seconds: 21600\"], capture_output=True, text=True).stdout\n"
        ),
        "{out}"
    );
    assert!(!out.contains("urlopen"), "{out}");
    let out = fixed(&format!(
        "from subprocess import check_output as co\nco(['http', '--body', '{MD}ami-id'])\n"
    ));
    assert!(
        out.contains(
            "import subprocess\nimds_token = subprocess.run([\"http\", \"--ignore-stdin\", \"--body\", \"PUT\", \
             \"http://169.254.169.254/latest/api/token\", \"X-aws-ec2-metadata-token-ttl-seconds:21600\"], \
             capture_output=True, text=True).stdout\n"
        ),
        "{out}"
    );
    // Safe: the fetch fails as the command would, where the command runs.
    let (_, f) = findings(&format!(
        "import subprocess\nsubprocess.call(['wget', '-qO-', '{MD}ami-id'])\n"
    ));
    let fix = f[0].fix.as_ref().unwrap_or_else(|| panic!("no fix"));
    assert_eq!(fix.applicability, Applicability::Safe, "{fix:?}");
}

/// A command's token fetch goes where the command goes and tries as hard:
/// it takes the command's proxy choice and retries, as the shell fix's
/// does (a tester saw `--noproxy` dropped: behind a proxy the token
/// request went to it, and the request then got 401).
#[test]
fn a_commands_token_fetch_keeps_its_proxy_choice_and_retries() {
    let out = fixed(&format!(
        "import subprocess\nsubprocess.run(['curl', '-s', '--noproxy', '*', '--retry', '3', '-m', '2', '{MD}ami-id'])\n"
    ));
    assert!(
        out.contains(
            "subprocess.run([\"curl\", \"-s\", \"--noproxy\", \"*\", \"--retry\", \"3\", \"--max-time\", \"2\", \"-X\", \"PUT\""
        ),
        "{out}"
    );
    let out = fixed(&format!(
        "import subprocess\nsubprocess.run(['wget', '--no-proxy', '-t', '4', '-qO-', '{MD}ami-id'])\n"
    ));
    assert!(
        out.contains(
            "[\"wget\", \"-q\", \"-O\", \"-\", \"--no-proxy\", \"--tries=4\", \"--method=PUT\""
        ),
        "{out}"
    );
    // A proxy the code does not show: no token request can be sure to go
    // where the request goes.
    let (_, f) = findings(&format!(
        "import os, subprocess\nsubprocess.run(['curl', '-x', os.environ['P'], '{MD}ami-id'])\n"
    ));
    assert!(f[0].fix.is_none(), "{f:?}");
    assert!(
        f[0].help.as_deref().is_some_and(|h| h.contains("proxy")),
        "{f:?}"
    );
}

/// Found by a tester: the token fetch of a command run with `cwd=` or
/// `env=` ran without them (`./curl` was not found, a proxy the command's
/// `env` turned off was used), and a program path holding a backslash was
/// replaced by a bare `curl`. The fetch runs the same way, or the finding
/// says why there is no fix.
#[test]
fn a_commands_token_fetch_runs_where_and_as_the_command_does() {
    let out = fixed(&format!(
        "import subprocess\nsubprocess.run(['./curl', '-s', '{MD}ami-id'], cwd='/opt/tools', env={{'http_proxy': ''}})\n"
    ));
    assert!(
        out.contains(
            "\"X-aws-ec2-metadata-token-ttl-seconds: 21600\"], capture_output=True, text=True, \
             cwd='/opt/tools', env={'http_proxy': ''}).stdout\n"
        ),
        "{out}"
    );
    assert!(out.contains("subprocess.run([\"./curl\", \"-s\""), "{out}");
    let out = fixed(&format!(
        "import subprocess\nsubprocess.run([r'/opt/a\\b/curl', '-s', '{MD}ami-id'])\n"
    ));
    assert!(
        out.contains("subprocess.run([\"/opt/a\\\\b/curl\", \"-s\""),
        "{out}"
    );
    // A working folder the fetch cannot be sure to have.
    let (_, f) = findings(&format!(
        "import subprocess\ndef f(d):\n    subprocess.run(['./curl', '{MD}ami-id'], cwd=d)\n"
    ));
    assert!(f[0].fix.is_none(), "{f:?}");
    assert!(
        f[0].help.as_deref().is_some_and(|h| h.contains("cwd")),
        "{f:?}"
    );
}

#[test]
fn a_request_without_a_fix_does_not_block_the_others() {
    let code = format!(
        "import pycurl\nimport requests\nc = pycurl.Curl()\nc.setopt(pycurl.URL, '{MD}')\nc.perform()\nrequests.get('{MD}')\n"
    );
    let (_, f) = findings(&code);
    assert_eq!(f.len(), 2);
    assert!(f[0].fix.is_none() && f[0].help.is_some());
    let fix = f[1].fix.as_ref().unwrap_or_else(|| panic!("no fix"));
    let out = apply(&code, fix.edits.clone());
    assert!(
        out.contains(&format!("c.perform()\n{FETCH}requests.get(")),
        "{out}"
    );
}

#[test]
fn an_added_import_does_not_rebind_a_variable() {
    let code =
        "from http.client import HTTPConnection\nhttp = 1\nc = HTTPConnection('169.254.169.254')\n\
                c.request('GET', '/latest/meta-data/')\n";
    let out = fixed(code);
    assert!(
        out.contains(
            "import http.client as imds_http_client\nimds_token = imds_http_client.HTTPConnection("
        ),
        "{out}"
    );
}

#[test]
fn malformed_token_request_gets_its_ttl_not_a_token() {
    // Regression: the IMD001 fix was given to IMD002 findings, adding a
    // token header to the token request itself and never settling.
    let code = "import requests\nTOKEN_URL = \"http://169.254.169.254/latest/api/token\"\n\
                token = requests.put(TOKEN_URL, timeout=2).text\n";
    let (_, f) = findings(code);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].rule, Rule::MalformedTokenRequest);
    let fix = f[0].fix.clone().unwrap_or_else(|| panic!("no fix"));
    assert_eq!(fix.applicability, Applicability::Safe);
    let out = apply(code, fix.edits);
    assert_eq!(
        out,
        "import requests\nTOKEN_URL = \"http://169.254.169.254/latest/api/token\"\n\
         token = requests.put(TOKEN_URL, timeout=2, headers={\"X-aws-ec2-metadata-token-ttl-seconds\": \"21600\"}).text\n"
    );
    assert!(findings(&out).1.is_empty(), "the fix settles");
}

#[test]
fn a_class_of_the_code_is_not_imported_over() {
    // A tester's case: the fix imported `Request` into the code's own
    // `from urllib.request import` line, over the code's `Request` class,
    // and the fixed program called the wrong class. Wrapping the URL would
    // now need a new import line, which this fix does not add: it says
    // what to do by hand instead.
    let code = format!(
        "from urllib.request import urlopen\nclass Request:\n    pass\n\
         body = urlopen('{MD}instance-id').read()\nx = Request()\n"
    );
    let (_, found) = findings(&code);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].fix.is_none(), "{found:?}");
    assert!(found[0]
        .help
        .as_deref()
        .is_some_and(|h| h.contains("api/token")));

    let without_class = code.replace("class Request:\n    pass\n", "");
    let out = fixed(&without_class);
    assert!(
        out.contains("from urllib.request import urlopen, Request\n"),
        "{out}"
    );
}

#[test]
fn a_request_no_fix_is_written_for_still_says_what_to_do() {
    // A pycurl request alone in its function: no plan was made for the
    // scope, and the finding's help was left empty.
    let code = format!(
        "import pycurl\ndef f():\n    c = pycurl.Curl()\n    c.setopt(pycurl.URL, '{MD}')\n    c.perform()\n"
    );
    let (_, found) = findings(&code);
    assert_eq!(found.len(), 1, "{found:?}");
    let help = found[0].help.clone().unwrap_or_default();
    assert!(help.contains("HTTPHEADER"), "{help:?}");
}

#[test]
fn a_request_nested_hundreds_deep_is_reported_without_a_fix() {
    // Regression (fresh tester): placing the fix walked up from the request
    // once per ancestor, each step from the root: 20,000 brackets took 12 s.
    // Python takes 200 brackets at most; each call here adds two ancestors.
    let nested = |depth: usize| {
        format!(
            "import requests\nx = {}requests.get(\"http://169.254.169.254/latest/meta-data/x\"){}\n",
            "f(".repeat(depth),
            ")".repeat(depth)
        )
    };
    let (_, deep) = findings(&nested(190));
    assert_eq!(deep.len(), 1);
    assert!(deep[0].fix.is_none());
    assert!(
        deep[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("nested more than")),
        "{:?}",
        deep[0].help
    );
    // Shallow enough, it is fixed as usual.
    let out = fixed(&nested(50));
    assert!(out.contains(HEADER), "{out}");
}

#[test]
fn the_token_request_keeps_the_time_limit_of_the_request() {
    // Regression (fresh tester): `requests.get(u, timeout=1)` gave up after
    // a second off EC2; the token fetch before it waited without limit.
    let out = fixed(
        "import requests\nrequests.get(\"http://169.254.169.254/latest/meta-data/a\", timeout=1)\n",
    );
    assert!(
        out.contains(
            "headers={\"X-aws-ec2-metadata-token-ttl-seconds\": \"21600\"}, timeout=1).text"
        ),
        "{out}"
    );
    let out = fixed(
        "import urllib.request\n\
         urllib.request.urlopen(\"http://169.254.169.254/latest/meta-data/a\", timeout=2.5)\n",
    );
    assert!(
        out.contains("method=\"PUT\"), timeout=2.5).read()"),
        "{out}"
    );
    // A limit that is not a number written there is left out.
    let out = fixed(
        "import requests\nrequests.get(\"http://169.254.169.254/latest/meta-data/a\", timeout=T)\n",
    );
    assert!(out.contains(FETCH), "{out}");
}

#[test]
fn a_connect_and_read_limit_pair_is_kept_too() {
    // `timeout=(1, 3)`, requests' connect and read limits, was dropped:
    // off EC2 the token fetch waited where the request gave up in seconds.
    let md = "http://169.254.169.254/latest/meta-data/a";
    let out = fixed(&format!(
        "import requests\nrequests.get(\"{md}\", timeout=(1, 3.5))\n"
    ));
    assert!(out.contains("\"21600\"}, timeout=(1, 3.5)).text"), "{out}");
    // Copied as written: the fetch uses the request's own library.
    let out = fixed(&format!(
        "import httpx\nhttpx.get(\"{md}\", timeout=(0.5, 4, 4, 4))\n"
    ));
    assert!(
        out.contains("\"21600\"}, timeout=(0.5, 4, 4, 4)).text"),
        "{out}"
    );
    // A pair that is not all numbers is left out.
    let out = fixed(&format!(
        "import requests\nrequests.get(\"{md}\", timeout=(None, 3))\n"
    ));
    assert!(out.contains(FETCH), "{out}");
}

#[test]
fn the_token_request_keeps_the_time_limit_of_a_client_or_command() {
    // Regression (fresh tester): a limit set on the connection, the client
    // or the curl command was dropped, and off EC2 the fix hung.
    let out = fixed(
        "import http.client
c = http.client.HTTPConnection('169.254.169.254', 80, timeout=2)
\
         c.request('GET', '/latest/meta-data/a')
",
    );
    assert!(
        out.contains("imds_token = http.client.HTTPConnection(\"169.254.169.254:80\", timeout=2)"),
        "{out}"
    );
    let out = fixed(
        "import httpx
c = httpx.Client(timeout=2.0)
c.get('http://169.254.169.254/latest/meta-data/a')
",
    );
    assert!(out.contains("}, timeout=2.0).text"), "{out}");
    // A `Timeout` object of numbers (connect and read limits) gives its
    // largest, which every library takes.
    let out = fixed(
        "import urllib3\nhttp = urllib3.PoolManager(timeout=urllib3.Timeout(connect=0.5, read=1.0), retries=False)\n\
         http.request('GET', 'http://169.254.169.254/latest/meta-data/a')\n",
    );
    assert!(out.contains("}, timeout=1.0).data.decode()"), "{out}");
    let out = fixed(
        "import httpx\nc = httpx.Client(timeout=httpx.Timeout(5, connect=T))\n\
         c.get('http://169.254.169.254/latest/meta-data/a')\n",
    );
    assert!(!out.contains("timeout=5).text"), "{out}");
    let out = fixed(
        "import subprocess
\
         subprocess.check_output(['curl', '-s', '--max-time', '2', 'http://169.254.169.254/latest/meta-data/a'])
",
    );
    assert!(
        out.contains("[\"curl\", \"-s\", \"--max-time\", \"2\", \"-X\", \"PUT\""),
        "{out}"
    );
    let out = fixed(
        "import subprocess
\
         subprocess.check_output(['wget', '-qO-', '--timeout=3', 'http://169.254.169.254/latest/meta-data/a'])
",
    );
    assert!(
        out.contains("[\"wget\", \"-q\", \"-O\", \"-\", \"--timeout=3\", \"--method=PUT\""),
        "{out}"
    );
}

/// `--fix` refuses to rewrite a cell that does not parse (its tree is a
/// guess); the check said `[fix]` all the same. Where the code it parsed
/// has errors, it now offers none, and says why.
#[test]
fn no_fix_is_offered_in_code_that_does_not_parse() {
    let broken = format!("import requests\nr = requests.get('{MD}a'))\n");
    let (_, f) = findings(&broken);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].fix.is_none(), "{f:?}");
    assert!(
        f[0].help
            .as_deref()
            .is_some_and(|h| h.contains("does not parse")),
        "{f:?}"
    );
    // Shell code in a string of that cell is the cell's too.
    let nested = format!("import os\nos.system('curl {MD}a'))\n");
    let (_, f) = findings(&nested);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].fix.is_none(), "{f:?}");

    let (_, f) = findings(&format!("import requests\nr = requests.get('{MD}a')\n"));
    assert!(f[0].fix.is_some(), "{f:?}");
}

#[test]
fn a_time_limit_held_in_a_constant_or_on_self_is_kept() {
    let code = format!(
        "import requests\nTIMEOUT = 2\nMD = '{MD}'\nregion = requests.get(MD + 'placement/region', timeout=TIMEOUT).text\n"
    );
    assert!(
        fixed(&code).contains("\"21600\"}, timeout=TIMEOUT).text\n"),
        "{}",
        fixed(&code)
    );
    let code = format!(
        "import requests\nclass C:\n    def __init__(self):\n        self._timeout = 2\n    def region(self):\n        \
         return requests.get('{MD}placement/region', timeout=self._timeout).text\n"
    );
    assert!(
        fixed(&code).contains("\"21600\"}, timeout=self._timeout).text\n"),
        "{}",
        fixed(&code)
    );
    // A name the statement binds itself, or one local to the function,
    // may not be bound where the token is fetched: left out.
    let code = format!(
        "import requests\nMD = '{MD}'\ndef f(ts):\n    for t in ts:\n        requests.get(MD, timeout=t)\n"
    );
    assert!(!fixed(&code).contains("timeout=t)."), "{}", fixed(&code));
}

#[test]
fn a_time_limit_the_statement_binds_itself_is_left_out() {
    let code = format!(
        "import requests\nMD = '{MD}'\nprint((TIMEOUT := 2), requests.get(MD + 'instance-id', timeout=TIMEOUT).text)\n"
    );
    let (_, f) = findings(&code);
    let fix = f[0].fix.as_ref().unwrap_or_else(|| panic!("no fix"));
    assert!(
        !fix.edits
            .iter()
            .any(|e| e.content.contains("timeout=TIMEOUT).text\n")),
        "{:?}",
        fix.edits
    );
}
