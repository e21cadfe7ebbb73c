//! Token fetches come from the endpoint the request uses: the scheme,
//! host and port of its URL as written.

use super::findings;
use super::fixes::fixed;

const TTL: &str = "headers={\"X-aws-ec2-metadata-token-ttl-seconds\": \"21600\"}";

#[test]
fn an_ipv6_request_gets_its_token_over_ipv6() {
    let out = fixed(
        "import requests\nr = requests.get('http://[fd00:ec2::254]/latest/meta-data/instance-id')\n",
    );
    assert!(
        out.contains(&format!(
            "imds_token = requests.put(\"http://[fd00:ec2::254]/latest/api/token\", {TTL}).text\n"
        )),
        "{out}"
    );
    assert!(!out.contains("169.254.169.254"), "{out}");
}

#[test]
fn names_ports_and_other_spellings_are_kept() {
    for (url, base) in [
        (
            "http://instance-data/latest/meta-data/hostname",
            "http://instance-data",
        ),
        (
            "http://instance-data.ec2.internal/latest/meta-data/",
            "http://instance-data.ec2.internal",
        ),
        (
            "http://169.254.169.254:80/latest/meta-data/",
            "http://169.254.169.254:80",
        ),
        ("http://2852039166/latest/meta-data/", "http://2852039166"),
    ] {
        let out = fixed(&format!("import httpx\nhttpx.get('{url}')\n"));
        assert!(
            out.contains(&format!("httpx.put(\"{base}/latest/api/token\"")),
            "{url}:\n{out}"
        );
    }
}

#[test]
fn a_url_built_from_a_constant_gives_the_constants_host() {
    let out = fixed(
        "import urllib.request\nMD = 'http://[fd00:ec2::254]/latest/meta-data/'\n\
         body = urllib.request.urlopen(urllib.request.Request(MD + 'iam/info')).read()\n",
    );
    assert!(
        out.contains("urllib.request.Request(\"http://[fd00:ec2::254]/latest/api/token\""),
        "{out}"
    );
}

#[test]
fn http_client_connects_to_the_requests_host() {
    let out = fixed(
        "import http.client\nc = http.client.HTTPConnection('[fd00:ec2::254]', 80)\n\
         c.request('GET', '/latest/meta-data/')\n",
    );
    assert!(
        out.contains(
            "imds_token = http.client.HTTPConnection(\"[fd00:ec2::254]:80\")\n\
             imds_token.request(\"PUT\", \"/latest/api/token\""
        ),
        "{out}"
    );
    let out = fixed(
        "import http.client\nc = http.client.HTTPSConnection('instance-data')\n\
         c.request('GET', '/latest/meta-data/')\n",
    );
    assert!(
        out.contains("imds_token = http.client.HTTPSConnection(\"instance-data\")\n"),
        "{out}"
    );
}

#[test]
fn a_command_list_gets_its_token_from_the_commands_host() {
    let out = fixed(
        "import subprocess\nsubprocess.run(['curl', '-s', 'http://[fd00:ec2::254]/latest/meta-data/'])\n",
    );
    assert!(
        out.contains("\"PUT\", \"http://[fd00:ec2::254]/latest/api/token\""),
        "{out}"
    );
}

#[test]
fn a_scope_fetches_from_its_first_requests_host() {
    let out = fixed(
        "import requests\na = requests.get('http://[fd00:ec2::254]/latest/meta-data/a')\n\
         b = requests.get('http://169.254.169.254/latest/meta-data/b')\n",
    );
    assert_eq!(out.matches("/latest/api/token").count(), 1, "{out}");
    assert!(
        out.contains("requests.put(\"http://[fd00:ec2::254]/latest/api/token\""),
        "{out}"
    );
}

#[test]
fn the_usual_address_stays_where_the_request_uses_it() {
    let out = fixed("import requests\nrequests.get('169.254.169.254/latest/meta-data/')\n");
    assert!(
        out.contains("requests.put(\"http://169.254.169.254/latest/api/token\""),
        "{out}"
    );
    assert!(!out.contains("fd00"), "{out}");
}

#[test]
fn help_for_clients_without_a_fix_names_the_requests_endpoint() {
    let (_, found) = findings(
        "import pycurl\nc = pycurl.Curl()\nc.setopt(pycurl.URL, 'http://instance-data/latest/meta-data/')\nc.perform()\n",
    );
    assert_eq!(found.len(), 1);
    assert!(found[0].fix.is_none());
    let (_, found) =
        findings("import urllib2\nurllib2.urlopen('http://[fd00:ec2::254]/latest/meta-data/')\n");
    let help = found[0].help.as_deref().unwrap_or_default();
    assert!(
        help.contains("PUT http://[fd00:ec2::254]/latest/api/token"),
        "{help}"
    );
}
