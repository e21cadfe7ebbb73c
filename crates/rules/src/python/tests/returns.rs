//! URLs and headers that the file's own functions and lambdas return.

use super::fixes::fixed;
use super::{findings, flags, notebook, quiet, shown, MD};

#[test]
fn a_url_built_by_a_function_from_its_argument() {
    let code = format!(
        "import requests\nBASE = '{MD}'\ndef imds_url(path):\n    return f'{{BASE}}{{path}}'\n\
         instance_id = requests.get(imds_url('instance-id'), timeout=2).text\n"
    );
    flags(&code, &["requests.get(imds_url('instance-id'), timeout=2)"]);
}

#[test]
fn a_url_returned_by_a_function_with_no_parameters() {
    flags(
        &format!("import requests\ndef role_url():\n    return '{MD}' + 'iam/'\nrequests.get(role_url())\n"),
        &["requests.get(role_url())"],
    );
    // Defined after the call's function, as a module reads.
    flags(
        &format!("import requests\ndef main():\n    return requests.get(url())\ndef url():\n    return '{MD}'\n"),
        &["requests.get(url())"],
    );
}

#[test]
fn a_url_awaited_from_a_coroutine() {
    flags(
        &format!(
            "import requests\nasync def url():\n    return '{MD}'\nrequests.get(await url())\n"
        ),
        &["requests.get(await url())"],
    );
}

#[test]
fn a_url_returned_by_a_lambda() {
    flags(
        &format!("import requests\nregion_url = lambda: '{MD}' + 'placement/region'\nrequests.get(region_url())\n"),
        &["requests.get(region_url())"],
    );
}

#[test]
fn a_returned_url_held_in_a_variable_or_used_in_a_later_cell() {
    flags(
        &format!("import requests\ndef url(p):\n    return '{MD}' + p\nu = url('hostname')\nrequests.get(u)\n"),
        &["requests.get(u)"],
    );
    let result = notebook(&[
        &format!("import requests\ndef url(p):\n    return '{MD}' + p\n"),
        "region = requests.get(url('placement/region')).text\n",
    ]);
    assert_eq!(
        shown(&result),
        ["IMD001 requests.get(url('placement/region'))"]
    );
    assert_eq!(result.1[0].cell, 1);
}

#[test]
fn the_host_may_come_from_the_argument() {
    let define = "import requests\ndef url(host):\n    return f'http://{host}/latest/meta-data/'\n";
    flags(
        &format!("{define}requests.get(url('169.254.169.254'))\n"),
        &["requests.get(url('169.254.169.254'))"],
    );
    quiet(&format!("{define}requests.get(url('example.com'))\n"));
    quiet(&format!("{define}requests.get(url(HOST))\n"));
}

#[test]
fn a_function_that_may_return_none_returns_its_url() {
    flags(
        &format!("import requests\ndef url(key):\n    if not key:\n        return None\n    return '{MD}' + key\nrequests.get(url('ami-id'))\n"),
        &["requests.get(url('ami-id'))"],
    );
}

#[test]
fn functions_that_return_other_urls_or_unknowable_ones_are_quiet() {
    quiet(&format!("import requests\nMD = '{MD}'\ndef url():\n    return 'https://example.com/'\nrequests.get(url())\n"));
    // Two different hosts: which one a call gets is not known.
    quiet(&format!("import requests\ndef url(local):\n    if local:\n        return 'http://localhost/'\n    return '{MD}'\nrequests.get(url(True))\n"));
    // A generator's call gives a generator.
    quiet(&format!(
        "import requests\ndef urls():\n    yield '{MD}'\nrequests.get(urls())\n"
    ));
    // A function named again as something else.
    quiet(&format!(
        "import requests\ndef url():\n    return '{MD}'\nurl = make_url\nrequests.get(url())\n"
    ));
}

#[test]
fn headers_returned_by_a_function() {
    flags(
        &format!("import requests\ndef headers():\n    return {{'Accept': 'application/json'}}\nrequests.get('{MD}', headers=headers())\n"),
        &[&format!("requests.get('{MD}', headers=headers())")],
    );
    quiet(&format!("import requests\ndef headers(token):\n    return {{'X-aws-ec2-metadata-token': token}}\nrequests.get('{MD}', headers=headers(t))\n"));
}

#[test]
fn a_request_through_a_returned_url_is_fixed_where_it_is_made() {
    let code = format!(
        "import requests\ndef url(p):\n    return '{MD}' + p\nregion = requests.get(url('placement/region')).text\n"
    );
    let out = fixed(&code);
    assert!(
        out.contains("requests.get(url('placement/region'), headers={\"X-aws-ec2-metadata-token\": imds_token})"),
        "{out}"
    );
    let (_, f) = findings(&code);
    assert_eq!(f.len(), 1);
}

#[test]
fn a_session_returned_by_a_helper() {
    let define = "import requests\ndef session(token=None):\n    s = requests.Session()\n";
    flags(
        &format!("{define}    return s\nsession().get('{MD}')\n"),
        &[&format!("session().get('{MD}')")],
    );
    quiet(&format!(
        "{define}    s.headers['X-aws-ec2-metadata-token'] = token\n    return s\nsession(t).get('{MD}')\n"
    ));
}

#[test]
fn a_global_rebound_after_the_body_was_read_makes_the_return_unknown() {
    // Python reads a function's globals when it runs: after `HOST` is
    // bound again, the value read with the old one no longer holds.
    let define = "import requests\nHOST = '169.254.169.254'\ndef url():\n    return 'http://' + HOST + '/latest/meta-data/'\n";
    let result = notebook(&[
        define,
        "HOST = 'example.com'\nprint(requests.get(url()).text)\n",
    ]);
    assert!(shown(&result).is_empty(), "{:?}", shown(&result));
    quiet(&format!(
        "{define}a = requests.get(url(), headers={{'X-aws-ec2-metadata-token': t}})\nHOST = 'example.com'\nb = requests.get(url())\n"
    ));
    // Bound again to the same value, it still holds.
    let result = notebook(&[define, "HOST = '169.254.169.254'\nrequests.get(url())\n"]);
    assert_eq!(shown(&result), ["IMD001 requests.get(url())"]);
}

#[test]
fn default_values_are_read_where_the_function_is_defined() {
    quiet(&format!(
        "import requests\nBASE = 'http://example.com/'\ndef url(p, base=BASE):\n    return base + p\nBASE = '{MD}'\nrequests.get(url('instance-id'))\n"
    ));
    // The same for a request whose URL is a parameter.
    quiet(&format!(
        "import requests\nBASE = 'http://example.com/'\ndef fetch(url=BASE):\n    return requests.get(url)\nBASE = '{MD}'\nfetch()\n"
    ));
}

#[test]
fn a_request_object_returned_by_a_function_gets_help_not_a_fix() {
    let code = format!(
        "import urllib.request\ndef req():\n    return urllib.request.Request('{MD}instance-id')\nprint(urllib.request.urlopen(req()).read())\n"
    );
    let (_, f) = findings(&code);
    assert_eq!(f.len(), 1);
    assert!(f[0].fix.is_none(), "{:?}", f[0].fix);
    let help = f[0].help.as_deref().unwrap_or_default();
    assert!(help.contains("Request"), "{help}");
}

#[test]
fn a_long_return_value_cut_short_shows_no_parameter_marker() {
    let terms = " + p".repeat(2_000);
    let code = format!(
        "import requests\ndef u(p, q):\n    return '{MD}'{terms} + q\nrequests.get(u('', 'Z'))\n"
    );
    let (_, f) = findings(&code);
    assert_eq!(f.len(), 1);
    assert!(!f[0].message.contains("0:"), "{}", f[0].message);
}

#[test]
fn decorators_that_may_replace_the_function_hide_its_return() {
    quiet(&format!(
        "import requests\ndef other(f):\n    return lambda: 'http://example.com/'\n@other\ndef url():\n    return '{MD}'\nrequests.get(url())\n"
    ));
    flags(
        &format!("import functools, requests\n@functools.lru_cache(maxsize=None)\ndef url():\n    return '{MD}'\nrequests.get(url())\n"),
        &["requests.get(url())"],
    );
}

#[test]
fn a_coroutine_not_awaited_is_no_url() {
    quiet(&format!(
        "import requests\nasync def url():\n    return '{MD}'\nrequests.get(url())\n"
    ));
}

#[test]
fn a_parameter_changed_by_a_string_method_is_not_known() {
    let code = format!(
        "import requests\ndef url(path):\n    return f\"{MD}{{path.lstrip('/')}}\"\nrequests.get(url('/instance-id'))\n"
    );
    let (_, f) = findings(&code);
    assert_eq!(f.len(), 1);
    assert!(!f[0].message.contains("//instance-id"), "{}", f[0].message);
}

#[test]
fn names_bound_in_the_body_by_imports_handlers_and_patterns_are_local() {
    let md = format!("import requests\nMD = '{MD}'\n");
    for body in [
        "    from cfg import MD\n    return MD + p\n",
        "    import cfg as MD\n    return MD + p\n",
        "    try:\n        pass\n    except ValueError as MD:\n        return MD + p\n",
        "    match p:\n        case MD:\n            return MD + p\n",
    ] {
        quiet(&format!("{md}def url(p):\n{body}requests.get(url('x'))\n"));
    }
    // Without a return read: the request in the body.
    quiet(&format!(
        "{md}def get(p):\n    from cfg import MD\n    return requests.get(MD + p)\n"
    ));
    // An import in a function still names the module for calls.
    flags(
        &format!("def get():\n    import requests\n    return requests.get('{MD}')\n"),
        &[&format!("requests.get('{MD}')")],
    );
}
