//! Fixes for token requests IMDS refuses (IMD002): the method becomes PUT
//! and the TTL header is added, in the request's own call.

use imds_lint_parser::{syntax, Applicability, Lang};

use super::fixes::apply;
use super::{findings, MD};
use crate::{Finding, Rule};

const TOKEN: &str = "http://169.254.169.254/latest/api/token";
const TTL: &str = "\"X-aws-ec2-metadata-token-ttl-seconds\": \"21600\"";

/// The only finding of `code`, which must be IMD002.
#[track_caller]
fn malformed(code: &str) -> Finding {
    let (_, found) = findings(code);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].rule, Rule::MalformedTokenRequest, "{found:?}");
    found[0].clone()
}

/// `code` with its one IMD002 finding fixed at `applicability`; the result
/// parses and has no finding left.
#[track_caller]
fn mended(code: &str, applicability: Applicability) -> String {
    let finding = malformed(code);
    let fix = finding.fix.unwrap_or_else(|| panic!("no fix in:\n{code}"));
    assert_eq!(fix.applicability, applicability, "{code}");
    assert!(finding.help.is_none());
    let out = apply(code, fix.edits);
    assert!(
        syntax::parses_cleanly(Lang::Python, &out),
        "does not parse:\n{out}"
    );
    let (_, again) = findings(&out);
    assert!(again.is_empty(), "still found: {again:?}\n{out}");
    out
}

#[test]
fn requests_get_becomes_put_with_a_ttl() {
    let code = format!("import requests\ntoken = requests.get('{TOKEN}', timeout=2).text\n");
    assert_eq!(
        mended(&code, Applicability::Safe),
        format!(
            "import requests\ntoken = requests.put('{TOKEN}', timeout=2, headers={{{TTL}}}).text\n"
        )
    );
    let finding = malformed(&code);
    assert!(finding.fix.is_some_and(|f| f.message.contains("PUT")));
}

#[test]
fn a_method_literal_becomes_put_in_its_own_quotes() {
    let code = format!("import requests\nt = requests.request('GET', '{TOKEN}').text\n");
    assert_eq!(
        mended(&code, Applicability::Safe),
        format!(
            "import requests\nt = requests.request('PUT', '{TOKEN}', headers={{{TTL}}}).text\n"
        )
    );
    let code =
        format!("import requests as rq\nt = rq.request(method=\"get\", url=\"{TOKEN}\").text\n");
    assert!(mended(&code, Applicability::Safe).contains("rq.request(method=\"PUT\", url="));
}

#[test]
fn a_session_get_with_its_ttl_changes_only_the_method() {
    let code = format!(
        "import requests\ns = requests.Session()\nt = s.get('{TOKEN}', headers={{'X-aws-ec2-metadata-token-ttl-seconds': '60'}}).text\n"
    );
    assert_eq!(
        mended(&code, Applicability::Safe),
        format!(
            "import requests\ns = requests.Session()\nt = s.put('{TOKEN}', headers={{'X-aws-ec2-metadata-token-ttl-seconds': '60'}}).text\n"
        )
    );
}

#[test]
fn httpx_urllib3_and_http_client() {
    let out = mended(
        &format!("import httpx\nt = httpx.get('{TOKEN}', timeout=2).text\n"),
        Applicability::Safe,
    );
    assert!(
        out.contains(&format!(
            "httpx.put('{TOKEN}', timeout=2, headers={{{TTL}}})"
        )),
        "{out}"
    );
    let out = mended(
        &format!("import urllib3\nt = urllib3.PoolManager().request('GET', '{TOKEN}').data\n"),
        Applicability::Safe,
    );
    assert!(
        out.contains(&format!("request('PUT', '{TOKEN}', headers={{{TTL}}})")),
        "{out}"
    );
    let out = mended(
        "import http.client\nc = http.client.HTTPConnection('169.254.169.254')\n\
         c.request('GET', '/latest/api/token')\n",
        Applicability::Safe,
    );
    assert!(
        out.contains(&format!(
            "c.request('PUT', '/latest/api/token', headers={{{TTL}}})"
        )),
        "{out}"
    );
}

#[test]
fn urlopen_of_the_url_is_wrapped_in_a_put_request() {
    let code =
        format!("from urllib.request import urlopen\ntoken = urlopen('{TOKEN}').read().decode()\n");
    assert_eq!(
        mended(&code, Applicability::Unsafe),
        format!(
            "from urllib.request import urlopen, Request\n\
             token = urlopen(Request('{TOKEN}', headers={{{TTL}}}, method=\"PUT\")).read().decode()\n"
        )
    );
}

#[test]
fn a_request_object_gains_the_method_keyword() {
    let code =
        format!("import urllib.request as ur\ntoken = ur.urlopen(ur.Request('{TOKEN}')).read()\n");
    assert_eq!(
        mended(&code, Applicability::Safe),
        format!(
            "import urllib.request as ur\n\
             token = ur.urlopen(ur.Request('{TOKEN}', headers={{{TTL}}}, method=\"PUT\")).read()\n"
        )
    );
    let code = format!(
        "import urllib.request as ur\n\
         token = ur.urlopen(ur.Request('{TOKEN}', headers={{{TTL}}}, method='GET')).read()\n"
    );
    assert!(mended(&code, Applicability::Safe).contains("method='PUT'"));
}

#[test]
fn requests_after_a_mended_token_request_reuse_it() {
    let code = format!(
        "import requests\ntoken = requests.get('{TOKEN}').text\n\
         region = requests.get('{MD}placement/region').text\n"
    );
    let (_, found) = findings(&code);
    assert_eq!(found.len(), 2, "{found:?}");
    let v1 = found
        .iter()
        .find(|f| f.rule == Rule::MetadataRequestWithoutToken)
        .and_then(|f| f.fix.clone())
        .unwrap_or_else(|| panic!("no IMD001 fix: {found:?}"));
    // The request's fix alone makes both requests work.
    let out = apply(&code, v1.edits);
    assert_eq!(
        out,
        format!(
            "import requests\ntoken = requests.put('{TOKEN}', headers={{{TTL}}}).text\n\
             region = requests.get('{MD}placement/region', headers={{\"X-aws-ec2-metadata-token\": token}}).text\n"
        )
    );
    assert!(findings(&out).1.is_empty(), "{out}");
    assert_eq!(v1.applicability, Applicability::Safe);
}

#[test]
fn a_reuse_of_an_unsafe_mend_is_unsafe() {
    let code = format!(
        "from urllib.request import urlopen\nimport requests\ntoken = urlopen('{TOKEN}').read().decode()\n\
         region = requests.get('{MD}placement/region').text\n"
    );
    let (_, found) = findings(&code);
    let applicabilities: Vec<_> = found
        .iter()
        .map(|f| f.fix.as_ref().map(|fix| fix.applicability))
        .collect();
    assert_eq!(
        applicabilities,
        [Some(Applicability::Unsafe), Some(Applicability::Unsafe)]
    );
}

#[test]
fn unknown_headers_get_only_the_method() {
    let code =
        format!("import requests\nt = requests.get('{TOKEN}', headers=make_headers()).text\n");
    let out = mended(&code, Applicability::Safe);
    assert!(
        out.contains(&format!("requests.put('{TOKEN}', headers=make_headers())")),
        "{out}"
    );
}

#[test]
fn what_cannot_be_mended_with_certainty_keeps_its_help() {
    for code in [
        // The method is the imported name.
        format!("from requests import get\nt = get('{TOKEN}').text\n"),
        // `put`'s second parameter is the body, `get`'s the query.
        format!("import requests\nt = requests.get('{TOKEN}', {{'a': 1}}).text\n"),
        // Another method than GET.
        format!("import requests\nt = requests.post('{TOKEN}').text\n"),
        // A TTL out of range.
        format!(
            "import requests\nt = requests.put('{TOKEN}', headers={{'X-aws-ec2-metadata-token-ttl-seconds': '86400'}}).text\n"
        ),
        // A method held in a name.
        format!("import requests\nm = 'GET'\nt = requests.request(m, '{TOKEN}').text\n"),
        // An f-string method.
        format!("import requests\nv = 'ET'\nt = requests.request(f'G{{v}}', '{TOKEN}').text\n"),
        // A Request held in a variable.
        format!(
            "from urllib.request import urlopen, Request\nr = Request('{TOKEN}')\nt = urlopen(r).read()\n"
        ),
        // pycurl options.
        format!("import pycurl\nc = pycurl.Curl()\nc.setopt(pycurl.URL, '{TOKEN}')\nc.perform()\n"),
    ] {
        let finding = malformed(&code);
        assert!(finding.fix.is_none(), "{code}\n{finding:?}");
        assert!(
            finding.help.as_deref().is_some_and(|h| h.contains("PUT")),
            "{code}\n{finding:?}"
        );
    }
}

#[test]
fn fixing_twice_changes_nothing() {
    let code =
        format!("import requests\ns = requests.Session()\nt = s.request('GET', '{TOKEN}').text\n");
    let once = mended(&code, Applicability::Safe);
    assert!(findings(&once).1.is_empty());
}
