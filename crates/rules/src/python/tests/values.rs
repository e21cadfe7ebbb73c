//! URLs built from parts: constants, f-strings, concatenation, `%`,
//! `.format`, `urljoin`, `os.path.join`, `str.join`, `strip`.

use super::{flags, found, quiet, MD};

/// Asserts that `requests.get(<url expression>)` after `setup` is flagged.
#[track_caller]
fn url_flagged(setup: &str, url: &str) {
    let call = format!("requests.get({url})");
    flags(
        &format!("import requests\nimport os\n{setup}\n{call}\n"),
        &[&call],
    );
}

#[track_caller]
fn url_quiet(setup: &str, url: &str) {
    quiet(&format!(
        "import requests\nimport os\n{setup}\nrequests.get({url})\n"
    ));
}

const BASE: &str = "BASE = 'http://169.254.169.254/latest/meta-data'";

#[test]
fn literal_prefixes() {
    url_flagged("", "r'http://169.254.169.254/latest/'");
    url_flagged("", "u'http://169.254.169.254/latest/'");
    url_flagged("", "b'http://169.254.169.254/latest/'");
    url_flagged("", "'''http://169.254.169.254/latest/'''");
    url_flagged("", "'http://169.254.169.254' '/latest/meta-data/'");
    url_flagged("", "('http://169.254.169.254'\n    '/latest/meta-data/')");
    url_flagged("", "'http:\\x2f/169.254.169.254/latest/'");
}

#[test]
fn constants_and_concatenation() {
    url_flagged(BASE, "BASE");
    url_flagged(BASE, "BASE + '/instance-id'");
    url_flagged(BASE, "BASE + '/iam/' + role");
    url_flagged("HOST = '169.254.169.254'", "'http://' + HOST + '/latest/'");
    url_flagged(
        "URL = 'http://169.254.169.254'\nURL += '/latest/meta-data/'",
        "URL",
    );
    url_quiet("HOST = 'example.com'", "'http://' + HOST + '/latest/'");
    url_quiet("", "'http://' + host + '/latest/'");
}

#[test]
fn f_strings() {
    url_flagged(BASE, "f'{BASE}/instance-id'");
    url_flagged(BASE, "F\"{BASE}/iam/{role}\"");
    url_flagged("HOST = '169.254.169.254'", "f'http://{HOST}/latest/'");
    url_flagged("", "rf'http://169.254.169.254/{path}'");
    url_quiet("HOST = '169.254.169.254'", "f'http://{HOST!r}/latest/'");
    url_quiet("", "f'http://{HOST}/latest/'");
}

#[test]
fn percent_and_format() {
    url_flagged("", "'http://%s/latest/%s' % ('169.254.169.254', path)");
    url_flagged("HOST = '169.254.169.254'", "'http://%s/latest/' % HOST");
    url_flagged("", "'http://%(h)s/latest/' % {'h': '169.254.169.254'}");
    url_flagged("", "'http://{}/latest/{}'.format('169.254.169.254', path)");
    url_flagged("", "'http://{0}/latest/'.format('169.254.169.254')");
    url_flagged("", "'http://{host}/latest/'.format(host='169.254.169.254')");
    url_flagged(BASE, "'{}/{}'.format(BASE, 'instance-id')");
    url_quiet("", "'http://{}/latest/'.format(host)");
}

#[test]
fn joins() {
    let setup =
        "from urllib.parse import urljoin\nBASE = 'http://169.254.169.254/latest/meta-data/'";
    url_flagged(setup, "urljoin(BASE, 'instance-id')");
    url_flagged(setup, "urljoin(BASE, '/latest/user-data')");
    url_quiet(setup, "urljoin(BASE, 'https://example.com/x')");
    url_flagged(
        "import urllib.parse",
        "urllib.parse.urljoin('http://169.254.169.254', 'latest')",
    );
    url_flagged(BASE, "os.path.join(BASE, 'placement', 'region')");
    url_flagged(
        "import posixpath\n".to_owned().as_str(),
        "posixpath.join('http://169.254.169.254/latest', 'x')",
    );
    url_flagged(
        "",
        "'/'.join(['http://169.254.169.254', 'latest', 'meta-data'])",
    );
    url_flagged(BASE, "'/'.join([BASE, 'iam', role])");
    url_flagged(
        "",
        "os.environ.get('MD_URL', 'http://169.254.169.254/latest/')",
    );
    url_flagged(
        "",
        "os.getenv('MD_URL') or 'http://169.254.169.254/latest/'",
    );
}

#[test]
fn strip_and_replace() {
    url_flagged(
        "B = ' http://169.254.169.254/latest/ '",
        "B.strip().rstrip('/') + '/meta-data'",
    );
    url_flagged(
        "B = 'http://169.254.169.254/latest/'",
        "B.rstrip('/') + '/x'",
    );
    url_flagged(
        "B = 'http://HOST/latest/'",
        "B.replace('HOST', '169.254.169.254')",
    );
}

#[test]
fn config_dict_lookups() {
    url_flagged(
        "CONFIG = {'md': 'http://169.254.169.254/latest/'}",
        "CONFIG['md']",
    );
    url_quiet(
        "CONFIG = {'md': 'http://169.254.169.254/latest/'}",
        "CONFIG['other']",
    );
}

#[test]
fn reassignment_and_loops_forget_values() {
    url_quiet(
        "URL = 'http://169.254.169.254/latest/'\nURL = other()",
        "URL",
    );
    url_quiet(
        "URL = 'http://169.254.169.254/latest/'\nfor URL in urls:\n    pass",
        "URL",
    );
    url_quiet(
        "URL = 'http://169.254.169.254/latest/'\nURL, X = pair",
        "URL",
    );
    url_flagged("A, B = 'http://169.254.169.254', '/latest/'", "A + B");
    url_flagged("A = B = 'http://169.254.169.254/latest/'", "A");
    url_quiet("URL = 'http://169.254.169.254/latest/'\nimport URL", "URL");
}

/// Bracket levels for nesting tests: past the evaluator's depth limit,
/// within the 200 that Python (and so the parser) accepts.
const NESTING: usize = 150;

/// `text` inside `count` copies of `open` and `close`.
fn nested(open: &str, text: &str, close: &str, count: usize) -> String {
    format!("{}{text}{}", open.repeat(count), close.repeat(count))
}

/// A URL followed by `count` concatenated `'a'` terms.
fn long_sum(count: usize) -> String {
    format!(
        "'http://169.254.169.254/latest/meta-data/'{}",
        " + 'a'".repeat(count)
    )
}

#[test]
fn long_concatenations_are_not_missed() {
    // Regression (tester): from 50 terms on, the sum was silently missed.
    url_flagged("", &long_sum(50));
    url_flagged("", &long_sum(2000));
    url_quiet(
        "",
        &format!("'http://example.com/'{}", " + 'a'".repeat(2000)),
    );

    // Grouped at every step, to the left and to the right.
    let url = "'http://169.254.169.254/latest/'";
    url_flagged("", &nested("(", url, " + 'a')", NESTING));
    url_flagged(
        "",
        &format!("{url} + {}", nested("('a' + ", "'a'", ")", NESTING)),
    );
}

#[test]
fn deep_parentheses_neither_crash_nor_hide_the_url() {
    let url = "'http://169.254.169.254/latest/'";
    url_flagged("", &nested("(", url, ")", NESTING));
    url_quiet("", &nested("(", "host", ")", NESTING));

    // Deeper than CPython accepts: it must only not crash.
    let deep = format!(
        "import requests\nrequests.get({})\n",
        nested("(", url, ")", 5000)
    );
    let _ = super::found(&deep);
}

#[test]
fn a_url_nested_past_the_folding_limit_is_still_found() {
    let url = "'http://169.254.169.254/latest/'";
    url_flagged("", &nested("str(", url, ")", NESTING));
    url_flagged("", &nested("'{}'.format(", url, ")", NESTING));
    url_quiet("", &nested("str(", "'http://example.com/'", ")", NESTING));
}

#[test]
fn loops_over_whole_urls() {
    // A tester found these missed: the request goes to the metadata
    // service when any of the items names it.
    let got = found(&format!(
        "import requests\nfor url in ['{MD}instance-id',\n            '{MD}local-ipv4']:\n    print(requests.get(url, timeout=2).text)\n"
    ));
    assert_eq!(got, ["IMD001 requests.get(url, timeout=2)"]);
    let got = found(&format!(
        "import requests\nBASE = '{MD}'\nfor url in (BASE + 'ami-id', BASE + 'mac'):\n    requests.get(url)\n"
    ));
    assert_eq!(got.len(), 1, "{got:?}");
    // Items of other hosts too: the fix would send them the token.
    quiet(&format!(
        "import requests\nfor url in ('https://example.com/', '{MD}mac'):\n    requests.get(url)\n"
    ));
    // A list emptied before the loop holds none of its items.
    quiet(&format!(
        "import requests\nurls = ['{MD}mac']\nurls.clear()\nurls.append('https://example.com/')\nfor url in urls:\n    requests.get(url)\n"
    ));
    quiet("import requests\nfor url in ['https://example.com/a', 'https://example.com/b']:\n    requests.get(url)\n");
}
