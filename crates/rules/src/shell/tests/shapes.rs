//! Shapes init scripts, `%sh` cells and `!` lines take in exported
//! Databricks workspaces (the benchmark's kinds, written anew here).

use super::*;

#[test]
fn requests_without_tokens() {
    for (code, command) in [
        ("curl -sf http://169.254.169.254/latest/meta-data/local-ipv4\n", None),
        (
            "IID=$(curl -s --max-time 3 http://169.254.169.254/latest/meta-data/instance-id)\necho \"$IID\"\n",
            Some("curl -s --max-time 3 http://169.254.169.254/latest/meta-data/instance-id"),
        ),
        (
            "ZONE=`curl -s http://169.254.169.254/latest/meta-data/placement/availability-zone`\necho zone=$ZONE\n",
            Some("curl -s http://169.254.169.254/latest/meta-data/placement/availability-zone"),
        ),
        (
            "BASE=\"http://169.254.169.254/latest\"\nDOC=$(curl -sf \"$BASE/dynamic/instance-identity/document\")\n",
            Some("curl -sf \"$BASE/dynamic/instance-identity/document\""),
        ),
        (
            "curl -sS --retry 5 \\\n    --max-time 4 \\\n    http://169.254.169.254/latest/meta-data/hostname \\\n    -o /tmp/host.txt\n",
            None,
        ),
        (
            "md() { curl -sf \"http://169.254.169.254/latest/meta-data/$1\"; }\nmd placement/region\nmd local-ipv4\n",
            Some("curl -sf \"http://169.254.169.254/latest/meta-data/$1\""),
        ),
        ("wget -q -O - http://169.254.169.254/latest/meta-data/iam/info\n", None),
        (
            "REGION=$(wget -qO- http://169.254.169.254/latest/meta-data/placement/region)\nexport REGION\n",
            Some("wget -qO- http://169.254.169.254/latest/meta-data/placement/region"),
        ),
        (
            "if [[ \"${IS_DRIVER:-}\" == \"TRUE\" ]]; then\n  ROLE=$(curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/)\nfi\n",
            Some("curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/"),
        ),
    ] {
        match command {
            Some(command) => assert_v1(code, command),
            None => assert_v1_whole(code),
        }
    }
}

#[test]
fn credentials_requests_carry_a_note() {
    let found =
        findings("curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/\n");
    assert!(found[0].note.is_some());
    let found = findings("curl -s http://169.254.169.254/latest/meta-data/instance-id\n");
    assert!(found[0].note.is_none());
}

#[test]
fn requests_with_tokens() {
    let fetch = "TOKEN=$(curl -s -X PUT \"http://169.254.169.254/latest/api/token\" -H \"X-aws-ec2-metadata-token-ttl-seconds: 600\")\n";
    for request in [
        "curl -sf -H \"X-aws-ec2-metadata-token: $TOKEN\" http://169.254.169.254/latest/meta-data/hostname",
        "IID=$(curl -s \\\n  -H \"X-aws-ec2-metadata-token: ${TOKEN}\" \\\n  http://169.254.169.254/latest/meta-data/instance-id)",
        "HDR=\"X-aws-ec2-metadata-token: $TOKEN\"\ncurl -sf -H \"$HDR\" http://169.254.169.254/latest/meta-data/local-ipv4",
        "wget -q -O - --header=\"X-aws-ec2-metadata-token: $TOKEN\" http://169.254.169.254/latest/meta-data/iam/info",
    ] {
        assert_quiet(&format!("{fetch}{request}\n"));
    }
    assert_quiet(
        "TOKEN=`curl -s -X PUT http://169.254.169.254/latest/api/token \\\n  -H \"X-aws-ec2-metadata-token-ttl-seconds: 300\"`\n\
         curl -s -H \"X-aws-ec2-metadata-token: $TOKEN\" http://169.254.169.254/latest/meta-data/\n",
    );
}

#[test]
fn notebook_bang_lines() {
    let python = outer(&[("tok", "")]);
    for code in [
        "curl -s http://169.254.169.254/latest/meta-data/placement/region",
        "wget -qO- http://169.254.169.254/latest/meta-data/instance-id",
    ] {
        let found = findings_in(code, Origin::BangLine, &python);
        assert_eq!(found.len(), 1, "{code}");
        assert_eq!(found[0].range, 0..code.len());
    }
    let code = "curl -s -H \"X-aws-ec2-metadata-token: {tok[0]}\" http://169.254.169.254/latest/meta-data/hostname";
    assert_eq!(findings_in(code, Origin::BangLine, &python), vec![]);
    let code = "curl -sX PUT http://169.254.169.254/latest/api/token -H \"X-aws-ec2-metadata-token-ttl-seconds: 60\"";
    assert_eq!(findings_in(code, Origin::BangLine, &python), vec![]);
}

#[test]
fn mentions_in_init_scripts() {
    assert_quiet(
        "#!/bin/bash\n# Only root may reach 169.254.169.254 (IMDSv2 calls only)\nset -euo pipefail\n\
         iptables -A OUTPUT -d 169.254.169.254/32 -m owner ! --uid-owner root -j DROP\n\
         export NO_PROXY=\"localhost,169.254.169.254\"\necho \"169.254.169.254 is firewalled\"\n",
    );
}
