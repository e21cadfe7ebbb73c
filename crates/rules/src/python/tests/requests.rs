//! `requests`: functions, `request()`, sessions, aliases and header forms.

use super::{findings, flags, quiet, MD};

#[test]
fn every_method_function_is_a_request() {
    for method in ["get", "post", "head", "delete", "patch", "options"] {
        let call = format!("requests.{method}('{MD}instance-id')");
        flags(&format!("import requests\nx = {call}\n"), &[&call]);
    }
}

#[test]
fn the_message_names_the_client_and_the_path() {
    let (_, f) = findings(&format!(
        "import requests\nrequests.get('{MD}iam/security-credentials/')\n"
    ));
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("requests.get"), "{}", f[0].message);
    assert!(f[0]
        .message
        .contains("/latest/meta-data/iam/security-credentials/"));
    assert!(f[0].note.is_some());
}

#[test]
fn request_with_a_method_argument() {
    let call = format!("requests.request('GET', '{MD}instance-id')");
    flags(&format!("import requests\n{call}\n"), &[&call]);
    let call = format!("requests.request(method='get', url='{MD}')");
    flags(&format!("import requests\n{call}\n"), &[&call]);
}

#[test]
fn aliases_and_from_imports() {
    let call = format!("r.get('{MD}')");
    flags(&format!("import requests as r\n{call}\n"), &[&call]);
    let call = format!("get('{MD}')");
    flags(&format!("from requests import get\n{call}\n"), &[&call]);
    let call = format!("fetch('{MD}')");
    flags(
        &format!("from requests import get as fetch\n{call}\n"),
        &[&call],
    );
}

#[test]
fn a_local_function_named_get_is_not_requests() {
    quiet(&format!("def get(url):\n    return url\nget('{MD}')\n"));
    quiet(&format!("from mylib import get\nget('{MD}')\n"));
}

#[test]
fn multi_line_call_range_covers_the_whole_call() {
    let call = format!("requests.get(\n    '{MD}instance-id',\n    timeout=(1, 2),\n)");
    flags(&format!("import requests\ndoc = {call}.json()\n"), &[&call]);
}

#[test]
fn sessions_assigned_and_in_with() {
    let call = format!("s.get('{MD}')");
    flags(
        &format!("import requests\ns = requests.Session()\n{call}\n"),
        &[&call],
    );
    flags(
        &format!("import requests\nwith requests.Session() as s:\n    r = {call}\n"),
        &[&call],
    );
    let call = format!("session.post('{MD}')");
    flags(
        &format!("from requests import Session\nsession = Session()\n{call}\n"),
        &[&call],
    );
    let call = format!("requests.Session().get('{MD}')");
    flags(&format!("import requests\n{call}\n"), &[&call]);
}

#[test]
fn session_messages_name_the_class() {
    let (_, f) = findings(&format!(
        "import requests\ns = requests.session()\ns.get('{MD}')\n"
    ));
    assert!(
        f[0].message.contains("requests.Session.get"),
        "{}",
        f[0].message
    );
}

#[test]
fn session_headers_carry_the_token() {
    quiet(&format!(
        "import requests\ns = requests.Session()\ns.headers.update({{'X-aws-ec2-metadata-token': t}})\ns.get('{MD}')\n"
    ));
    quiet(&format!(
        "import requests\ns = requests.Session()\ns.headers['X-aws-ec2-metadata-token'] = t\ns.get('{MD}')\n"
    ));
    quiet(&format!(
        "import requests\ns = requests.Session()\ns.headers = {{'X-aws-ec2-metadata-token': t}}\ns.get('{MD}')\n"
    ));
    // Other headers do not.
    let call = format!("s.get('{MD}')");
    flags(
        &format!("import requests\ns = requests.Session()\ns.headers.update({{'Accept': 'x'}})\n{call}\n"),
        &[&call],
    );
}

#[test]
fn header_forms_that_carry_the_token() {
    for headers in [
        "headers={'X-aws-ec2-metadata-token': token}",
        "headers={\"x-aws-ec2-metadata-token\": token}",
        "headers=H",
        "headers={**H, 'Accept': 'x'}",
        "headers=dict(H)",
        "headers=H2",
        "headers=get_headers()",
        "**kwargs",
    ] {
        quiet(&format!(
            "import requests\nH = {{'X-aws-ec2-metadata-token': token}}\nH2 = {{}}\nH2['X-aws-ec2-metadata-token'] = token\n\
             requests.get('{MD}', {headers})\n"
        ));
    }
}

#[test]
fn keyword_arguments_from_a_dict_known_to_hold_no_headers_send_none() {
    // Regression (fresh tester): `**OPTS` with OPTS = {"timeout": 2} was
    // taken for headers that may carry the token.
    let call = format!("requests.get('{MD}', **OPTS)");
    flags(
        &format!("import requests\nOPTS = {{'timeout': 2}}\n{call}\n"),
        &[&call],
    );
    flags(
        &format!("import requests\nOPTS = dict(timeout=2)\ndef f():\n    return {call}\n"),
        &[&call],
    );
    // A dict with headers, or one nobody can see into, may carry it: a
    // fix could not add `headers=` beside them either.
    for opts in ["{'headers': {'Accept': 'x'}}", "get_opts()", "{**OTHER}"] {
        quiet(&format!("import requests\nOPTS = {opts}\n{call}\n"));
    }
}

#[test]
fn header_forms_without_the_token() {
    for headers in [
        "headers={'Accept': 'x'}",
        "headers=H",
        "headers={**H}",
        "headers=None",
        "headers=H.copy()",
    ] {
        let call = format!("requests.get('{MD}', {headers})");
        flags(
            &format!("import requests\nH = {{'Accept': 'x'}}\n{call}\n"),
            &[&call],
        );
    }
}

#[test]
fn header_dict_updated_later() {
    quiet(&format!(
        "import requests\nh = {{}}\nh.update({{'X-aws-ec2-metadata-token': t}})\nrequests.get('{MD}', headers=h)\n"
    ));
    quiet(&format!(
        "import requests\nh = {{}}\nh.update(Accept='x', **extra)\nrequests.get('{MD}', headers=h)\n"
    ));
}

#[test]
fn token_requests() {
    quiet(
        "import requests\nt = requests.put('http://169.254.169.254/latest/api/token', \
         headers={'X-aws-ec2-metadata-token-ttl-seconds': '21600'}).text\n",
    );
    let got = super::found(
        "import requests\nt = requests.get('http://169.254.169.254/latest/api/token', \
         headers={'X-aws-ec2-metadata-token-ttl-seconds': '21600'}).text\n",
    );
    assert_eq!(got.len(), 1);
    assert!(got[0].starts_with("IMD002 requests.get("), "{got:?}");
    let got = super::found(
        "import requests\nt = requests.put('http://169.254.169.254/latest/api/token').text\n",
    );
    assert!(got[0].starts_with("IMD002 requests.put("), "{got:?}");
}

#[test]
fn imds_spellings() {
    for host in [
        "169.254.169.254",
        "[fd00:ec2::254]",
        "instance-data",
        "0xa9fea9fe",
        "2852039166",
        "169.254.169.254:80",
    ] {
        let call = format!("requests.get('http://{host}/latest/meta-data/')");
        flags(&format!("import requests\n{call}\n"), &[&call]);
    }
}

#[test]
fn header_names_bound_to_none_or_pairs_without_the_token_are_reported() {
    for (bind, headers) in [
        ("h = None\n", "headers=h"),
        ("h = [('Accept', 'x')]\n", "headers=h"),
        ("h = (('Accept', 'x'),)\n", "headers=h"),
        ("", "headers=(h := [('Accept', 'x')])"),
        ("", "headers=(h := None)"),
    ] {
        let call = format!("requests.get('{MD}', {headers})");
        flags(&format!("import requests\n{bind}{call}\n"), &[&call]);
    }
    let call = format!("httpx.get('{MD}', headers=(h := [('Accept', 'x')]))");
    flags(&format!("import httpx\n{call}\n"), &[&call]);
}

#[test]
fn header_parameter_defaults_without_the_token_are_reported() {
    for default in ["[('Accept', 'x')]", "None"] {
        let call = format!("requests.get('{MD}', headers=h)");
        flags(
            &format!("import requests\ndef g(h={default}):\n    return {call}\ng()\n"),
            &[&call],
        );
    }
}

#[test]
fn header_names_bound_to_pairs_with_the_token_are_quiet() {
    for bind in [
        "h = [('X-aws-ec2-metadata-token', t)]",
        "h = [('Accept', 'x'), ('x-AWS-ec2-METADATA-token', t)]",
        "h = (('X-aws-ec2-metadata-token', t),)",
    ] {
        quiet(&format!(
            "import requests\n{bind}\nrequests.get('{MD}', headers=h)\n"
        ));
    }
    quiet(&format!(
        "import httpx\nhttpx.get('{MD}', headers=(h := [('X-aws-ec2-metadata-token', t)]))\n"
    ));
    quiet(&format!(
        "import requests\ndef g(h=[('X-aws-ec2-metadata-token', t)]):\n    \
         return requests.get('{MD}', headers=h)\ng()\n"
    ));
}

#[test]
fn header_names_with_unknown_values_are_still_quiet() {
    for code in [
        "h = make_headers()\nrequests.get('{MD}', headers=h)\n",
        "requests.get('{MD}', headers=(h := make_headers()))\n",
        "def g(h):\n    return requests.get('{MD}', headers=h)\ng(make_headers())\n",
        "def g(h=make_headers()):\n    return requests.get('{MD}', headers=h)\ng()\n",
        "def g(h=None):\n    h = make_headers()\n    return requests.get('{MD}', headers=h)\n",
        // A body that changes the parameter may add the token.
        "def g(h=None):\n    h = h or {}\n    h['X-aws-ec2-metadata-token'] = t\n    \
         return requests.get('{MD}', headers=h)\ng()\n",
        "def g(h={}):\n    h.update({'X-aws-ec2-metadata-token': t})\n    \
         return requests.get('{MD}', headers=h)\ng()\n",
        // A parameter whose URL comes from the caller: the caller's headers
        // are not followed, so the default is not assumed.
        "def g(path, h=None):\n    return requests.get('{MD}' + path, headers=h)\n\
         g('x', {'X-aws-ec2-metadata-token': t})\n",
    ] {
        quiet(&format!("import requests\n{}", code.replace("{MD}", MD)));
    }
}
