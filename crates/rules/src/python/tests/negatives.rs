//! What must stay quiet: mentions, other clouds, other hosts, IMDSv2 code.

use super::{found, quiet, MD};

#[test]
fn mentions_are_not_requests() {
    quiet("# credentials come from 169.254.169.254 via the instance profile\n");
    quiet(&format!(
        "def f():\n    \"\"\"Reads {MD} with a token.\"\"\"\n    return 1\n"
    ));
    quiet(&format!("'''Module docs: {MD}'''\nimport requests\n"));
    quiet("BLOCKED_HOSTS = {'169.254.169.254', 'metadata.google.internal'}\n");
    quiet(&format!(
        "URL = '{MD}'\nprint(URL)\nprint(f'fetching {{URL}}')\n"
    ));
    quiet(&format!(
        "import logging\nlogging.info('metadata at %s', '{MD}')\nlog.warning('{MD}')\n"
    ));
    quiet("import os\nos.environ['NO_PROXY'] = '169.254.169.254,localhost'\nos.environ.setdefault('no_proxy', '169.254.169.254')\n");
    quiet(&format!(
        "CONFIG = {{'metadata_url': '{MD}', 'timeout': 2}}\nsettings.update(CONFIG)\n"
    ));
    quiet(&format!(
        "spark.conf.set('spark.hadoop.fs.s3a.endpoint', '{MD}')\n"
    ));
    quiet(&format!("d = {{}}\nd.get('{MD}')\n"));
}

#[test]
fn other_clouds_are_not_imdsv1() {
    quiet(
        "import requests\nrequests.get('http://169.254.169.254/computeMetadata/v1/instance/id', \
         headers={'Metadata-Flavor': 'Google'})\n",
    );
    quiet(
        "import requests\nrequests.get('http://169.254.169.254/metadata/instance?api-version=2021-02-01', \
         headers={'Metadata': 'true'})\n",
    );
    quiet("import requests\nrequests.get('http://metadata.google.internal/computeMetadata/v1/')\n");
    quiet(
        "import requests\nrequests.get('http://169.254.169.254/openstack/latest/meta_data.json')\n",
    );
}

#[test]
fn other_hosts_are_not_the_service() {
    quiet("import requests\nrequests.get('https://example.com/latest/meta-data/')\n");
    quiet("import requests\nrequests.get('http://169.254.170.2/v2/credentials')\n");
    quiet("import requests\nrequests.get('http://169.254.169.254:8080/latest/')\n");
    quiet("import requests\nrequests.get(url)\n");
}

#[test]
fn imdsv2_code_is_quiet() {
    let token = "token = requests.put('http://169.254.169.254/latest/api/token', \
                 headers={'X-aws-ec2-metadata-token-ttl-seconds': '21600'}, timeout=2).text\n";
    quiet(&format!(
        "import requests\n{token}value = requests.get('{MD}', headers={{'X-aws-ec2-metadata-token': token}}).text\n"
    ));
    quiet(&format!(
        "import requests\n{token}H = {{'X-aws-ec2-metadata-token': token}}\nrequests.get('{MD}', headers=H)\n"
    ));
    quiet(&format!(
        "import requests\ns = requests.Session()\n{token}s.headers.update({{'X-aws-ec2-metadata-token': token}})\ns.get('{MD}')\n"
    ));
    quiet(&format!(
        "import urllib.request\nreq = urllib.request.Request('{MD}', headers={{'X-aws-ec2-metadata-token': t}})\n\
         print(urllib.request.urlopen(req, timeout=2).read())\n"
    ));
    quiet(&format!(
        "import urllib.request\nreq = urllib.request.Request('{MD}')\nreq.add_header('X-aws-ec2-metadata-token', t)\n\
         urllib.request.urlopen(req)\n"
    ));
}

#[test]
fn unparsable_and_empty_cells_are_quiet() {
    quiet("");
    quiet(&"(".repeat(3000));
}

#[test]
fn very_deep_indentation_is_skipped_not_fatal() {
    let mut code = String::from("import requests\n");
    for depth in 0..3000 {
        code.push_str(&" ".repeat(depth));
        code.push_str("if x:\n");
    }
    code.push_str(&" ".repeat(3000));
    code.push_str("requests.get('");
    code.push_str(MD);
    code.push_str("')\n");
    quiet(&code);
    // Moderate nesting is analysed.
    super::flags(
        &format!("import requests\nif a:\n    if b:\n        requests.get('{MD}')\n"),
        &[&format!("requests.get('{MD}')")],
    );
}

#[test]
fn an_auth_object_may_send_the_token() {
    // A tester found these flagged: an `AuthBase` of the code's own may set
    // any header, the token among them.
    quiet(&format!(
        "import requests\nclass T(requests.auth.AuthBase):\n    def __call__(self, r):\n        r.headers['X-aws-ec2-metadata-token'] = 't'\n        return r\nrequests.get('{MD}instance-id', auth=T())\n"
    ));
    quiet(&format!(
        "import httpx\nhttpx.get('{MD}instance-id', auth=token_auth)\n"
    ));
    // On the session or the client, as on the call.
    quiet(&format!(
        "import requests\ns = requests.Session()\ns.auth = TokenAuth(t)\ns.get('{MD}instance-id')\n"
    ));
    quiet(&format!(
        "import httpx\nc = httpx.Client(auth=TokenAuth(t))\nc.get('{MD}instance-id')\n"
    ));
    // Basic, digest and proxy auth send no token, written out or held in
    // a name (a tester found the names quiet).
    for auth in [
        "('u', 'p')",
        "requests.auth.HTTPBasicAuth('u', 'p')",
        "HTTPDigestAuth('u', 'p')",
        "requests.auth.HTTPProxyAuth('u', 'p')",
        "None",
    ] {
        for code in [
            format!("import requests\nfrom requests.auth import HTTPDigestAuth\nrequests.get('{MD}instance-id', auth={auth})\n"),
            format!("import requests\nfrom requests.auth import HTTPDigestAuth\ncreds = {auth}\nrequests.get('{MD}instance-id', auth=creds)\n"),
            format!("import requests\nfrom requests.auth import HTTPDigestAuth\ns = requests.Session()\ns.auth = {auth}\ns.get('{MD}instance-id')\n"),
        ] {
            assert_eq!(found(&code).len(), 1, "{code}");
        }
    }
}

#[test]
fn a_request_object_given_to_a_function_may_get_the_token() {
    quiet(&format!(
        "from urllib.request import Request, urlopen\ndef add_token(req, t):\n    req.add_header('X-aws-ec2-metadata-token', t)\nreq = Request('{MD}instance-id')\nadd_token(req, token)\nurlopen(req)\n"
    ));
    quiet(&format!(
        "from urllib.request import Request, urlopen\nreq = Request('{MD}instance-id')\nsign(req)\nurlopen(req)\n"
    ));
    // Not a function that only reads it.
    let code = format!(
        "from urllib.request import Request, urlopen\nreq = Request('{MD}instance-id')\nprint(req)\nurlopen(req)\n"
    );
    assert_eq!(found(&code).len(), 1, "{code}");
}

#[test]
fn an_installed_opener_sends_its_headers() {
    quiet(&format!(
        "import urllib.request\nopener = urllib.request.build_opener()\nopener.addheaders = [('X-aws-ec2-metadata-token', token)]\nurllib.request.install_opener(opener)\nurllib.request.urlopen('{MD}instance-id')\n"
    ));
    quiet(&format!(
        "import urllib.request\nopener = urllib.request.build_opener()\nopener.addheaders.append(('X-aws-ec2-metadata-token', token))\nopener.open('{MD}instance-id')\n"
    ));
    // `install_opener(None)` puts back the default opener, which sends none.
    let code = format!(
        "import urllib.request\nopener = urllib.request.build_opener()\nopener.addheaders = [('X-aws-ec2-metadata-token', token)]\nurllib.request.install_opener(opener)\nurllib.request.install_opener(None)\nurllib.request.urlopen('{MD}instance-id')\n"
    );
    assert_eq!(found(&code).len(), 1, "{code}");
    // An installed opener without the token does not change the finding.
    let code = format!(
        "import urllib.request\nopener = urllib.request.build_opener()\nopener.addheaders = [('User-agent', 'x')]\nurllib.request.install_opener(opener)\nurllib.request.urlopen('{MD}instance-id')\n"
    );
    assert_eq!(found(&code).len(), 1, "{code}");
}
