//! urllib, urllib2, http.client, httpx, aiohttp, urllib3, pycurl, boto.

use super::{findings, flags, found, quiet, MD};

/// Found by a tester: `urlretrieve` downloads with GET and no headers, and
/// was not read as a request at all. It cannot send a header, so the
/// finding says to use `urlopen` with a `Request`.
#[test]
fn urlretrieve_is_a_request_that_cannot_send_the_header() {
    let call = format!("urllib.request.urlretrieve('{MD}a3', '/tmp/x')");
    flags(&format!("import urllib.request\na3 = {call}\n"), &[&call]);
    let call = format!("urlretrieve(url='{MD}a3')");
    flags(
        &format!("from urllib.request import urlretrieve\n{call}\n"),
        &[&call],
    );
    let (_, f) = findings(&format!(
        "import urllib.request\nurllib.request.urlretrieve('{MD}a3', '/tmp/x')\n"
    ));
    assert!(f[0].fix.is_none(), "{f:?}");
    assert!(
        f[0].help.as_deref().is_some_and(|h| h.contains("urlopen")),
        "{f:?}"
    );
    quiet("import urllib.request\nurllib.request.urlretrieve('https://example.com/x', '/tmp/x')\n");
}

#[test]
fn urlopen_forms() {
    let call = format!("urllib.request.urlopen('{MD}')");
    flags(&format!("import urllib.request\n{call}.read()\n"), &[&call]);
    let call = format!("urlopen('{MD}', timeout=2)");
    flags(
        &format!("from urllib.request import urlopen\nwith {call} as r:\n    r.read()\n"),
        &[&call],
    );
    let call = format!("ur.urlopen('{MD}')");
    flags(&format!("import urllib.request as ur\n{call}\n"), &[&call]);
    let call = format!("request.urlopen('{MD}')");
    flags(&format!("from urllib import request\n{call}\n"), &[&call]);
    let call = format!("urllib2.urlopen('{MD}')");
    flags(&format!("import urllib2\n{call}\n"), &[&call]);
}

#[test]
fn urlopen_message_names_urllib() {
    let (_, f) = findings(&format!(
        "from urllib.request import urlopen\nurlopen('{MD}')\n"
    ));
    assert!(
        f[0].message.contains("urllib.request.urlopen"),
        "{}",
        f[0].message
    );
}

#[test]
fn url_request_objects() {
    let call = "urlopen(req)";
    flags(
        &format!("from urllib.request import urlopen, Request\nreq = Request('{MD}')\n{call}\n"),
        &[call],
    );
    quiet(&format!(
        "from urllib.request import urlopen, Request\nreq = Request('{MD}', headers={{'X-aws-ec2-metadata-token': t}})\nurlopen(req)\n"
    ));
    quiet(&format!(
        "from urllib.request import urlopen, Request\nreq = Request('{MD}')\nreq.add_header('X-aws-ec2-metadata-token', t)\nurlopen(req)\n"
    ));
    let call =
        format!("urllib.request.urlopen(urllib.request.Request('{MD}', headers={{'A': 'b'}}))");
    flags(&format!("import urllib.request\n{call}\n"), &[&call]);
    // A PUT Request to the token path with a TTL is the token fetch.
    quiet(
        "import urllib.request\nreq = urllib.request.Request('http://169.254.169.254/latest/api/token', method='PUT',\n    \
         headers={'X-aws-ec2-metadata-token-ttl-seconds': '21600'})\nurllib.request.urlopen(req)\n",
    );
    let got = found(
        "import urllib.request\nreq = urllib.request.Request('http://169.254.169.254/latest/api/token')\nurllib.request.urlopen(req)\n",
    );
    assert_eq!(got, ["IMD002 urllib.request.urlopen(req)"]);
}

#[test]
fn openers() {
    let call = format!("opener.open('{MD}')");
    flags(
        &format!("import urllib.request\nopener = urllib.request.build_opener()\n{call}\n"),
        &[&call],
    );
    quiet(&format!(
        "import urllib.request\nopener = urllib.request.build_opener()\nopener.addheaders = [('X-aws-ec2-metadata-token', t)]\nopener.open('{MD}')\n"
    ));
}

#[test]
fn http_client_takes_an_ipv6_host_without_brackets() {
    // Regression (tester): `HTTPConnection("fd00:ec2::254", 80)` is how
    // http.client is given an IPv6 host; the request was missed.
    let call = "conn.request('GET', '/latest/meta-data/ami-id')";
    for host in [
        "fd00:ec2::254",
        "::ffff:a9fe:a9fe",
        "::ffff:169.254.169.254",
    ] {
        flags(
            &format!(
                "import http.client\nconn = http.client.HTTPConnection('{host}', 80)\n{call}\n"
            ),
            &[call],
        );
    }
}

#[test]
fn http_client_connections() {
    let call = "conn.request('GET', '/latest/meta-data/instance-id')";
    flags(
        &format!("import http.client\nconn = http.client.HTTPConnection('169.254.169.254', 80, timeout=2)\n{call}\n"),
        &[call],
    );
    flags(
        &format!("from http.client import HTTPConnection\nconn = HTTPConnection('169.254.169.254')\n{call}\n"),
        &[call],
    );
    quiet(
        "import http.client\nconn = http.client.HTTPConnection('169.254.169.254')\n\
         conn.request('GET', '/latest/meta-data/', headers={'X-aws-ec2-metadata-token': t})\n",
    );
    quiet(&format!(
        "import http.client\nconn = http.client.HTTPConnection('example.com')\n{call}\n"
    ));
    quiet(&format!(
        "import http.client\nconn = http.client.HTTPConnection('169.254.169.254', 8080)\n{call}\n"
    ));
    // The port in the host string, as http.client reads it (a tester found
    // the first one missed).
    flags(
        &format!("import http.client\nconn = http.client.HTTPConnection('169.254.169.254:80', timeout=2)\n{call}\n"),
        &[call],
    );
    flags(
        &format!(
            "import http.client\nconn = http.client.HTTPConnection('[fd00:ec2::254]:80')\n{call}\n"
        ),
        &[call],
    );
    quiet(&format!(
        "import http.client\nconn = http.client.HTTPConnection('169.254.169.254:8080')\n{call}\n"
    ));
    let (_, f) = findings(&format!(
        "import http.client\nconn = http.client.HTTPConnection('169.254.169.254')\n{call}\n"
    ));
    assert!(
        f[0].message.contains("http.client.HTTPConnection.request"),
        "{}",
        f[0].message
    );
}

#[test]
fn httpx_functions_and_clients() {
    let call = format!("httpx.get('{MD}')");
    flags(&format!("import httpx\n{call}\n"), &[&call]);
    let call = format!("client.get('{MD}')");
    flags(
        &format!("import httpx\nwith httpx.Client() as client:\n    {call}\n"),
        &[&call],
    );
    flags(
        &format!("import httpx\nclient = httpx.Client(timeout=2)\n{call}\n"),
        &[&call],
    );
    quiet(&format!(
        "import httpx\nclient = httpx.Client(headers={{'X-aws-ec2-metadata-token': t}})\n{call}\n"
    ));
    let call = format!("await client.get('{MD}')");
    let inner = format!("client.get('{MD}')");
    flags(
        &format!("import httpx\nasync def main():\n    async with httpx.AsyncClient() as client:\n        r = {call}\n"),
        &[&inner],
    );
}

#[test]
fn aiohttp_sessions() {
    let call = format!("session.get('{MD}')");
    flags(
        &format!(
            "import aiohttp\nasync def main():\n    async with aiohttp.ClientSession() as session:\n        async with {call} as resp:\n            return await resp.text()\n"
        ),
        &[&call],
    );
    quiet(&format!(
        "import aiohttp\nasync def main(t):\n    async with aiohttp.ClientSession(headers={{'X-aws-ec2-metadata-token': t}}) as session:\n        async with {call} as resp:\n            pass\n"
    ));
    quiet(&format!(
        "import aiohttp\nasync def main(t):\n    async with aiohttp.ClientSession() as session:\n        await session.get('{MD}', headers={{'X-aws-ec2-metadata-token': t}})\n"
    ));
}

#[test]
fn urllib3_pools() {
    let call = format!("http.request('GET', '{MD}')");
    flags(
        &format!("import urllib3\nhttp = urllib3.PoolManager()\n{call}\n"),
        &[&call],
    );
    quiet(&format!(
        "import urllib3\nhttp = urllib3.PoolManager()\nhttp.request('GET', '{MD}', headers={{'X-aws-ec2-metadata-token': t}})\n"
    ));
    let call = format!("urllib3.request('GET', '{MD}')");
    flags(&format!("import urllib3\n{call}\n"), &[&call]);
    let call = "pool.request('GET', '/latest/meta-data/')";
    flags(&format!("import urllib3\npool = urllib3.HTTPConnectionPool('169.254.169.254', port=80)\n{call}\n"), &[call]);
    quiet("import urllib3\nhttp = urllib3.PoolManager()\nhttp.request('GET', 'https://example.com/')\n");
}

#[test]
fn pycurl_reports_at_perform() {
    let code = format!(
        "import pycurl\nc = pycurl.Curl()\nc.setopt(pycurl.URL, '{MD}instance-id')\nc.setopt(c.WRITEDATA, buf)\nc.perform()\n"
    );
    flags(&code, &["c.perform()"]);
    quiet(&format!(
        "import pycurl\nc = pycurl.Curl()\nc.setopt(pycurl.URL, '{MD}')\nc.setopt(pycurl.HTTPHEADER, ['X-aws-ec2-metadata-token: ' + t])\nc.perform()\n"
    ));
    quiet("import pycurl\nc = pycurl.Curl()\nc.setopt(pycurl.URL, 'https://example.com/')\nc.perform()\n");
}

#[test]
fn boto_helpers_are_imdsv1_only() {
    let got = found("from boto.utils import get_instance_metadata\nmd = get_instance_metadata()\n");
    assert_eq!(got, ["IMD003 get_instance_metadata()"]);
    let got = found("import boto.utils\nboto.utils.get_instance_identity(timeout=2)\n");
    assert_eq!(got, ["IMD003 boto.utils.get_instance_identity(timeout=2)"]);
    let got = found("from boto import utils\nutils.get_instance_userdata()\n");
    assert_eq!(got, ["IMD003 utils.get_instance_userdata()"]);
    quiet("from mylib import get_instance_metadata\nget_instance_metadata()\n");
}

#[test]
fn clients_with_a_base_url() {
    // A tester found these missed: httpx and aiohttp join a relative URL
    // to the client's `base_url`.
    for (make, call) in [
        (
            "import httpx\nclient = httpx.Client(base_url='http://169.254.169.254/latest/meta-data/')",
            "client.get('instance-id')",
        ),
        (
            "import httpx\nclient = httpx.Client(base_url='http://169.254.169.254/latest/meta-data')",
            "client.get('/instance-id')",
        ),
        (
            "import aiohttp\nsession = aiohttp.ClientSession(base_url='http://169.254.169.254')",
            "session.get('/latest/meta-data/instance-id')",
        ),
    ] {
        flags(&format!("{make}\nr = {call}\n"), &[call]);
    }
    // An absolute URL goes where it says.
    quiet("import httpx\nclient = httpx.Client(base_url='http://169.254.169.254/')\nclient.get('https://example.com/x')\n");
    quiet("import httpx\nclient = httpx.Client(base_url='https://example.com/')\nclient.get('latest/meta-data/')\n");
}
