//! Names across notebook cells, functions, parameters and classes.

use super::{findings, flags, notebook, quiet, shown, MD};

#[test]
fn notebook_cells_share_names_and_imports() {
    let result = notebook(&[
        "import requests\n",
        &format!("MD = '{MD}'\n"),
        "x = 1\n",
        "region = requests.get(MD + 'placement/region').text\n",
    ]);
    assert_eq!(
        shown(&result),
        ["IMD001 requests.get(MD + 'placement/region')"]
    );
    assert_eq!(result.1[0].cell, 3);
}

#[test]
fn a_later_cell_rebinding_a_name_hides_it() {
    let result = notebook(&[
        &format!("import requests\nMD = '{MD}'\n"),
        "MD = 'https://example.com/'\n",
        "requests.get(MD)\n",
    ]);
    assert!(shown(&result).is_empty());
}

#[test]
fn globals_are_exposed_for_bang_lines() {
    let mut analyzer = super::super::Analyzer::default();
    let settings = crate::Settings::default();
    let mut file = crate::FileCheck {
        cells: vec![imds_lint_parser::Cell::whole_file(
            imds_lint_parser::Lang::Python,
            &format!("MD = '{MD}'\nN = 3\ndef f():\n    LOCAL = 'x'\n"),
        )],
        findings: Vec::new(),
        settings: &settings,
        hidden: Vec::new(),
        whole: None,
        part_ranges: Vec::new(),
        syntax_errors: Vec::new(),
        refused: Vec::new(),
    };
    analyzer.check_cell(&mut file, 0);
    assert_eq!(
        analyzer.globals().get("MD").and_then(|t| t.as_literal()),
        Some(MD)
    );
    assert!(analyzer.globals().contains_key("N"));
    assert!(!analyzer.globals().contains_key("LOCAL"));
}

#[test]
fn requests_in_functions_are_reported_once_where_written() {
    let code = format!(
        "import requests\nMD = '{MD}'\ndef region():\n    return requests.get(MD + 'placement/region').text\n\
         region()\nregion()\n"
    );
    flags(&code, &["requests.get(MD + 'placement/region')"]);
}

#[test]
fn function_bodies_see_constants_defined_after_them() {
    let code = format!(
        "import requests\ndef region():\n    return requests.get(MD + 'placement/region').text\nMD = '{MD}'\n"
    );
    flags(&code, &["requests.get(MD + 'placement/region')"]);
}

#[test]
fn locals_shadow_globals() {
    quiet(&format!(
        "import requests\nURL = '{MD}'\ndef f():\n    URL = 'https://example.com/'\n    return requests.get(URL)\n"
    ));
    flags(
        &format!("import requests\nURL = 'https://example.com/'\ndef f():\n    URL = '{MD}'\n    return requests.get(URL)\n"),
        &["requests.get(URL)"],
    );
    // A parameter hides a global of the same name.
    quiet(&format!("import requests\nurl = '{MD}'\ndef f(url):\n    return requests.get(url)\nf('https://example.com')\n"));
}

#[test]
fn global_declarations() {
    flags(
        &format!(
            "import requests\ndef setup():\n    global MD\n    MD = '{MD}'\nrequests.get(MD)\n"
        ),
        &[],
    );
    flags(
        &format!("import requests\nMD = '{MD}'\ndef use():\n    global MD\n    return requests.get(MD)\n"),
        &["requests.get(MD)"],
    );
}

#[test]
fn url_parameter_resolved_at_call_sites() {
    let code = format!(
        "import requests\ndef fetch(url, timeout=2):\n    return requests.get(url, timeout=timeout).text\n\
         fetch('https://example.com/')\nfetch('{MD}instance-id')\nfetch(url='{MD}hostname')\n"
    );
    let (cells, f) = findings(&code);
    assert_eq!(
        shown(&(cells, f.clone())),
        ["IMD001 requests.get(url, timeout=timeout)"]
    );
    let help = f[0].help.as_deref().unwrap_or_default();
    assert!(help.contains("argument of `fetch`"), "{help}");
    assert!(f[0].fix.is_none());
}

#[test]
fn url_parameter_without_metadata_calls_is_quiet() {
    quiet("import requests\ndef fetch(url):\n    return requests.get(url)\nfetch('https://example.com/')\n");
    quiet("import requests\ndef fetch(url):\n    return requests.get(url)\n");
}

#[test]
fn url_parameter_call_before_definition_and_in_later_cells() {
    let code = format!(
        "import requests\ndef main():\n    return fetch('{MD}')\ndef fetch(url):\n    return requests.get(url)\n"
    );
    flags(&code, &["requests.get(url)"]);
    let result = notebook(&[
        "import requests\ndef fetch(host):\n    return requests.get(f'http://{host}/latest/meta-data/')\n",
        "fetch('169.254.169.254')\n",
    ]);
    assert_eq!(
        shown(&result),
        ["IMD001 requests.get(f'http://{host}/latest/meta-data/')"]
    );
    assert_eq!(result.1[0].cell, 0);
}

#[test]
fn url_parameter_passed_through_another_function() {
    let code = format!(
        "import requests\ndef fetch(url):\n    return requests.get(url)\ndef outer(u):\n    return fetch(u)\nouter('{MD}')\n"
    );
    flags(&code, &["requests.get(url)"]);
}

#[test]
fn url_parameter_default() {
    flags(
        &format!("import requests\ndef fetch(url='{MD}'):\n    return requests.get(url)\n"),
        &["requests.get(url)"],
    );
}

#[test]
fn methods_see_class_attributes_through_self() {
    let code = format!(
        "import requests\nclass Metadata:\n    BASE = '{MD}'\n    def __init__(self):\n        self.session = requests.Session()\n\
         \n    def region(self):\n        return self.session.get(self.BASE + 'placement/region').text\n"
    );
    flags(&code, &["self.session.get(self.BASE + 'placement/region')"]);
    let code = format!(
        "import requests\nclass Metadata:\n    def __init__(self, token):\n        self.session = requests.Session()\n\
         \n        self.session.headers.update({{'X-aws-ec2-metadata-token': token}})\n\
         \n    def region(self):\n        return self.session.get('{MD}placement/region').text\n"
    );
    quiet(&code);
}

#[test]
fn method_url_parameter_resolved_at_self_calls() {
    let code = format!(
        "import requests\nclass C:\n    def get(self, url):\n        return requests.get(url)\n    def run(self):\n        return self.get('{MD}')\n"
    );
    flags(&code, &["requests.get(url)"]);
}

#[test]
fn a_function_called_before_a_request_changes_what_it_sees() {
    quiet(&format!(
        "import requests\ns = requests.Session()\ndef login(token):\n    s.headers.update({{'X-aws-ec2-metadata-token': token}})\n\
         login(get_token())\ns.get('{MD}')\n"
    ));
    flags(
        &format!("import requests\ndef region():\n    return requests.get(MD + 'region')\nMD = '{MD}'\nregion()\nMD = 'https://example.com/'\n"),
        &["requests.get(MD + 'region')"],
    );
}

#[test]
fn recursive_and_long_call_chains_terminate() {
    let chain = (0..200).fold(String::new(), |mut out, i| {
        let next = i + 1;
        out.push_str("def f");
        out.push_str(&i.to_string());
        out.push_str("():\n    return f");
        out.push_str(&next.to_string());
        out.push_str("()\n");
        out
    });
    let code = format!(
        "import requests\n{chain}def f200():\n    return requests.get('{MD}')\nf0()\ndef r():\n    return r()\nr()\n"
    );
    flags(&code, &[&format!("requests.get('{MD}')")]);
}

#[test]
fn a_name_a_function_may_assign_through_global_or_nonlocal_is_not_known() {
    // A method that rebinds the global, called before the request.
    quiet(&format!(
        "import requests\nMD = '{MD}'\nclass Cfg:\n    def load(self):\n        global MD\n        MD = 'https://example.com/'\n\
         Cfg().load()\nrequests.get(MD + 'x')\n"
    ));
    // A nested function that rebinds the enclosing one's name.
    quiet(&format!(
        "import requests\ndef outer():\n    base = '{MD}'\n    def switch():\n        nonlocal base\n        base = 'http://example.com/'\n\
         \n    switch()\n    return requests.get(base + 'instance-id')\n"
    ));
    // Declaring the name global only to read it changes nothing.
    flags(
        &format!("import requests\nMD = '{MD}'\ndef use():\n    global MD\n    return requests.get(MD)\n"),
        &["requests.get(MD)"],
    );
    // A setter called before the request binds what it assigns.
    flags(
        &format!("import requests\nMD = None\ndef init():\n    global MD\n    MD = '{MD}'\ninit()\nrequests.get(MD)\n"),
        &["requests.get(MD)"],
    );
}

#[test]
fn list_items_changed_in_place() {
    let hosts = format!("import requests\nHOSTS = ['{MD}']\n");
    quiet(&format!(
        "{hosts}HOSTS[0] = 'http://example.com/'\nrequests.get(HOSTS[0] + 'b')\n"
    ));
    quiet(&format!(
        "{hosts}HOSTS.insert(0, 'http://example.com/')\nrequests.get(HOSTS[0] + 'b')\n"
    ));
    quiet(&format!("{hosts}HOSTS.append('http://example.com/')\nHOSTS.reverse()\nrequests.get(HOSTS[0] + 'b')\n"));
    quiet(&format!(
        "{hosts}HOSTS[i] = 'http://example.com/'\nrequests.get(HOSTS[0] + 'b')\n"
    ));
    flags(
        &format!("{hosts}HOSTS.insert(1, 'http://example.com/')\nrequests.get(HOSTS[0] + 'b')\n"),
        &["requests.get(HOSTS[0] + 'b')"],
    );
    flags(
        &format!("{hosts}HOSTS[0] = '{MD}'\nrequests.get(HOSTS[0] + 'b')\n"),
        &["requests.get(HOSTS[0] + 'b')"],
    );
}

#[test]
fn a_global_setter_run_in_a_way_the_walk_does_not_follow() {
    let setter = "import requests\ndef init():\n    global MD\n    MD = 'http://example.com/'\n";
    for call in [
        "cb = init\ncb()\n",
        "def run(fn):\n    fn()\nrun(init)\n",
        "App().configure()\n",
    ] {
        let setter = if call.starts_with("App") {
            "import requests\nclass App:\n    def configure(self):\n        global MD\n        MD = 'http://example.com/'\n"
        } else {
            setter
        };
        quiet(&format!(
            "{setter}MD = '{MD}'\n{call}requests.get(MD + 'instance-id')\n"
        ));
    }
    // Defined in an earlier cell, called in a later one.
    let result = notebook(&[
        setter,
        &format!("MD = '{MD}'\n"),
        "init()\nrequests.get(MD + 'instance-id')\n",
    ]);
    assert!(shown(&result).is_empty(), "{:?}", shown(&result));
    // Calls that cannot run the setter keep what is known.
    flags(
        &format!("{setter}MD = '{MD}'\nprint(len(MD))\nrequests.get(MD + 'instance-id')\n"),
        &["requests.get(MD + 'instance-id')"],
    );
}

#[test]
fn list_items_changed_through_other_names_or_statements() {
    let hosts = format!("import requests, random\nL = ['{MD}', 'http://example.com/']\n");
    for change in [
        "def swap(x):\n    x.reverse()\nswap(L)\n",
        "random.shuffle(L)\n",
        "del L[0]\n",
        "L[0], L[1] = L[1], L[0]\n",
        "for L[0] in ['http://example.com/']:\n    pass\n",
    ] {
        quiet(&format!(
            "{hosts}{change}requests.get(L[0] + 'instance-id')\n"
        ));
    }
}
