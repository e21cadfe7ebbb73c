//! Shapes of the benchmark workspace's Python usages, written anew: each
//! IMDSv1 shape is found on the line of its call, IMDSv2 and mentions are
//! quiet, inside a function too.

use super::{findings, quiet, MD};

/// The 1-based line of each finding's start in the file as stored.
fn lines(code: &str) -> Vec<usize> {
    let (cells, f) = findings(code);
    f.iter()
        .map(|f| {
            let at = cells[f.cell].map.file_start(f.range.start);
            code[..at].matches('\n').count() + 1
        })
        .collect()
}

/// `body` as is and wrapped in a function: findings on line `line`.
#[track_caller]
fn found_on(body: &str, line: usize) {
    assert_eq!(lines(body), [line], "in:\n{body}");
    let wrapped = format!(
        "def collect_node_facts():\n{}",
        body.lines()
            .map(|l| if l.is_empty() {
                "\n".to_owned()
            } else {
                format!("    {l}\n")
            })
            .collect::<String>()
    );
    assert_eq!(lines(&wrapped), [line + 1], "in:\n{wrapped}");
}

#[test]
fn imdsv1_shapes() {
    found_on(&format!("import requests\n\nresp = requests.get('{MD}local-ipv4', timeout=3)\nprint(resp.text)\n"), 3);
    found_on(
        "import requests\nIMDS_BASE = 'http://169.254.169.254/latest/meta-data'\n\
         creds = requests.get(f'{IMDS_BASE}/iam/security-credentials/', timeout=1).json()\n",
        3,
    );
    found_on(&format!("import requests\nidentity = requests.get(\n    '{MD}hostname',\n    timeout=(2, 5),\n).json()\n"), 2);
    found_on(&format!("import requests\nhttp = requests.Session()\nresp = http.get('{MD}hostname', timeout=2)\n"), 3);
    found_on(&format!("from urllib.request import urlopen\n\nwith urlopen('{MD}placement/region', timeout=2) as fh:\n    zone = fh.read().decode()\n"), 3);
    found_on(&format!("import urllib.request\ntext = urllib.request.urlopen('{MD}instance-id').read().decode('utf-8')\n"), 2);
    found_on(&format!("import subprocess\nzone = subprocess.check_output(['curl', '-sf', '{MD}placement/availability-zone'], text=True)\n"), 2);
    found_on(&format!("import subprocess\nsubprocess.run('curl -sf {MD}hostname > /tmp/host.txt', shell=True)\n"), 2);
    found_on(
        &format!("import os\nos.system('wget -qO- {MD}local-ipv4 >> /tmp/facts.txt')\n"),
        2,
    );
}

#[test]
fn imdsv2_shapes() {
    let token = "tok = requests.put('http://169.254.169.254/latest/api/token', \
                 headers={'X-aws-ec2-metadata-token-ttl-seconds': '300'}, timeout=2).text\n";
    for body in [
        format!("import requests\n{token}v = requests.get('{MD}hostname', headers={{'X-aws-ec2-metadata-token': tok}}, timeout=2).text\n"),
        format!("import requests\n{token}AUTH = {{'X-aws-ec2-metadata-token': tok}}\nr = requests.get('{MD}hostname', headers=AUTH, timeout=2)\n"),
        format!("import requests\nhttp = requests.Session()\n{token}http.headers.update({{'X-aws-ec2-metadata-token': tok}})\nr = http.get('{MD}hostname', timeout=2)\n"),
        format!(
            "import urllib.request\ntreq = urllib.request.Request('http://169.254.169.254/latest/api/token', method='PUT',\n    \
             headers={{'X-aws-ec2-metadata-token-ttl-seconds': '21600'}})\ntok = urllib.request.urlopen(treq, timeout=2).read().decode()\n\
             mreq = urllib.request.Request('{MD}hostname', headers={{'X-aws-ec2-metadata-token': tok}})\n\
             print(urllib.request.urlopen(mreq, timeout=2).read().decode())\n"
        ),
    ] {
        quiet(&body);
        quiet(&format!(
            "def collect_node_facts():\n{}",
            body.lines().fold(String::new(), |out, l| out + "    " + l + "\n")
        ));
    }
}

#[test]
fn mention_shapes() {
    quiet("# nodes reach 169.254.169.254 only through the instance profile\n");
    quiet("import os\nos.environ['NO_PROXY'] = 'localhost,169.254.169.254'\n");
    quiet("DENYLIST = {'169.254.169.254', 'metadata.google.internal'}\n");
}
