//! Header dicts changed in ways the analyser models (item stores,
//! `update`, `setdefault`) and in ways it does not (other methods, a
//! function given the dict): the latter may add the token, so the dict is
//! assumed to carry it from then on.

use super::{flags, quiet, MD};

/// The module's start: a client, a metadata URL and a token.
fn start() -> String {
    format!("import requests\nimport json\nURL = '{MD}instance-id'\nt = get_token()\n")
}

#[test]
fn setdefault_adds_the_token_when_it_is_missing() {
    quiet(&format!(
        "{}h5 = {{}}\nh5.setdefault('X-aws-ec2-metadata-token', t)\nrequests.get(URL, headers=h5)\n",
        start()
    ));
    flags(
        &format!(
            "{}h = {{}}\nh.setdefault('Accept', 'text/plain')\nrequests.get(URL, headers=h)\n",
            start()
        ),
        &["requests.get(URL, headers=h)"],
    );
}

#[test]
fn dict_methods_not_modelled_make_the_dict_unknown() {
    quiet(&format!(
        "{}h = {{}}\nh.__setitem__('X-aws-ec2-metadata-token', t)\nrequests.get(URL, headers=h)\n",
        start()
    ));
    quiet(&format!(
        "{}h = {{}}\nh |= {{'X-aws-ec2-metadata-token': t}}\nrequests.get(URL, headers=h)\n",
        start()
    ));
    // Reading a dict leaves it as it was.
    flags(
        &format!(
            "{}h = {{}}\nh.get('X-aws-ec2-metadata-token')\nlist(h.items())\nrequests.get(URL, headers=h)\n",
            start()
        ),
        &["requests.get(URL, headers=h)"],
    );
}

#[test]
fn a_function_given_the_dict_may_add_the_token() {
    quiet(&format!(
        "{}def add(hh):\n    hh['X-aws-ec2-metadata-token'] = t\nh7 = {{}}\nadd(h7)\nrequests.get(URL, headers=h7)\n",
        start()
    ));
    quiet(&format!(
        "{}h = {{}}\nhelpers.sign(h)\nrequests.get(URL, headers=h)\n",
        start()
    ));
    quiet(&format!(
        "{}h = {{}}\nfill(headers=h)\nrequests.get(URL, headers=h)\n",
        start()
    ));
}

#[test]
fn read_only_builtins_and_requests_leave_the_dict_as_it_was() {
    flags(
        &format!(
            "{}h = {{}}\nprint(h)\nlen(h)\nstr(h)\njson.dumps(h)\nrequests.get(URL, headers=h)\n",
            start()
        ),
        &["requests.get(URL, headers=h)"],
    );
    // The first request does not change the dict the second one sends.
    flags(
        &format!(
            "{}h = {{'Accept': 'text/plain'}}\nrequests.get(URL, headers=h)\nrequests.get(URL + '/x', headers=h)\n",
            start()
        ),
        &[
            "requests.get(URL, headers=h)",
            "requests.get(URL + '/x', headers=h)",
        ],
    );
}

#[test]
fn modelled_changes_still_work() {
    quiet(&format!(
        "{}h = {{}}\nh['X-aws-ec2-metadata-token'] = t\nrequests.get(URL, headers=h)\n",
        start()
    ));
    quiet(&format!(
        "{}h = {{}}\nh.update({{'X-aws-ec2-metadata-token': t}})\nrequests.get(URL, headers=h)\n",
        start()
    ));
    flags(
        &format!(
            "{}h = {{}}\nh.update({{'Accept': 'text/plain'}})\nrequests.get(URL, headers=h)\n",
            start()
        ),
        &["requests.get(URL, headers=h)"],
    );
}
