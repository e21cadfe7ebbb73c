//! Names bound in ways beyond `NAME = value`: a module held in another
//! name, constants written in `try` blocks, constants of a class.

use super::{flags, notebook, quiet, shown, MD};

#[test]
fn a_module_assigned_to_a_name_is_an_alias() {
    flags(
        &format!(
            "import requests\nMD = '{MD}'\nhttp_lib = requests\nhttp_lib.get(MD + 'instance-id')\n"
        ),
        &["http_lib.get(MD + 'instance-id')"],
    );
    flags(
        &format!("import requests as r\nfetch = r.get\nfetch('{MD}')\n"),
        &[&format!("fetch('{MD}')")],
    );
    // A name bound to something else is no alias, and rebinding ends one.
    quiet(&format!(
        "import requests\nhttp_lib = make_client()\nhttp_lib.get('{MD}')\n"
    ));
    quiet(&format!(
        "import requests\nhttp_lib = requests\nhttp_lib = make_client()\nhttp_lib.get('{MD}')\n"
    ));
    quiet(&format!("http_lib = requests\nhttp_lib.get('{MD}')\n"));
}

#[test]
fn an_except_handler_writing_an_unknown_value_keeps_the_try_value() {
    flags(
        &format!(
            "import requests\ntry:\n    MD = \"{MD}\"\nexcept Exception:\n    MD = None\nrequests.get(MD + \"instance-id\")\n"
        ),
        &["requests.get(MD + \"instance-id\")"],
    );
    flags(
        &format!(
            "try:\n    import requests\nexcept ImportError:\n    requests = None\nrequests.get('{MD}')\n"
        ),
        &[&format!("requests.get('{MD}')")],
    );
    // A known value written by the handler still replaces it, as does an
    // unknown one written outside a handler.
    quiet(&format!(
        "import requests\ntry:\n    MD = '{MD}'\nexcept Exception:\n    MD = 'https://example.com/'\nrequests.get(MD)\n"
    ));
    quiet(&format!(
        "import requests\ntry:\n    MD = '{MD}'\nfinally:\n    MD = None\nrequests.get(MD)\n"
    ));
    quiet(&format!(
        "import requests\nif ok:\n    MD = '{MD}'\nelse:\n    MD = None\nrequests.get(MD)\n"
    ));
}

#[test]
fn an_except_handler_in_a_function_binds_its_own_locals() {
    // The handler's local is new: it hides nothing of the module.
    flags(
        &format!(
            "import requests\nMD = '{MD}'\ndef f():\n    try:\n        MD = '{MD}'\n    except Exception:\n        MD = None\n    return requests.get(MD)\nf()\n"
        ),
        &["requests.get(MD)"],
    );
}

#[test]
fn class_string_constants_are_read_through_the_class() {
    flags(
        &format!(
            "import requests\nclass Cfg:\n    MD = \"{MD}\"\nrequests.get(Cfg.MD + \"instance-id\")\n"
        ),
        &["requests.get(Cfg.MD + \"instance-id\")"],
    );
    quiet(
        "import requests\nclass Cfg:\n    MD = 'https://example.com/'\nrequests.get(Cfg.MD + 'instance-id')\n",
    );
    quiet(&format!(
        "import requests\nclass Cfg:\n    MD = \"{MD}\"\nCfg.MD = 'https://example.com/'\nrequests.get(Cfg.MD)\n"
    ));
    quiet(&format!(
        "import requests\nclass Cfg:\n    MD = \"{MD}\"\nclass Cfg:\n    pass\nrequests.get(Cfg.MD)\n"
    ));
    quiet(&format!(
        "import requests\nclass Cfg:\n    MD = \"{MD}\"\nCfg.MD = make_url()\nrequests.get(Cfg.MD)\n"
    ));
    // Across notebook cells too.
    let result = notebook(&[
        &format!("import requests\nclass Cfg:\n    MD = '{MD}'\n"),
        "requests.get(Cfg.MD)\n",
    ]);
    assert_eq!(shown(&result), ["IMD001 requests.get(Cfg.MD)"]);
}
