//! What must stay quiet: the address named but never requested, other
//! clouds' metadata services, and commands that are no HTTP clients.

use super::*;

#[test]
fn mentions_are_not_requests() {
    for code in [
        "# curl -s http://169.254.169.254/latest/meta-data/instance-id",
        "curl -s http://example.com/ # then http://169.254.169.254/latest/meta-data/",
        "echo http://169.254.169.254/latest/meta-data/",
        "echo \"metadata at 169.254.169.254 is blocked\"",
        "printf '%s\\n' \"http://169.254.169.254/latest/meta-data/\"",
        "MD=http://169.254.169.254/latest/meta-data/",
        "export IMDS_ENDPOINT=\"http://169.254.169.254\"",
        "export NO_PROXY=\"localhost,127.0.0.1,169.254.169.254,.internal\"",
        "export no_proxy=169.254.169.254",
        "NO_PROXY=169.254.169.254 curl -s https://example.com/",
        "curl --noproxy 169.254.169.254 https://example.com/",
        "iptables -A OUTPUT -d 169.254.169.254/32 -m owner ! --uid-owner root -j DROP",
        "sudo iptables -I FORWARD -d 169.254.169.254 -j REJECT",
        "ip route add 169.254.169.254/32 dev eth0",
        "route add -host 169.254.169.254 reject",
        "ping -c 1 169.254.169.254",
        "nc -z -w 2 169.254.169.254 80",
        "grep -r 169.254.169.254 /etc",
        "sed -i 's/169.254.169.254/127.0.0.1/' /etc/hosts",
        "logger \"cannot reach http://169.254.169.254/latest/meta-data/\"",
        "curl -s \"https://example.com/?redirect=http://169.254.169.254/latest/\"",
        "curl -s http://169.254.170.2/v2/credentials",
        "curl -s http://169.254.169.253/",
        "curl -s http://169.254.169.254:8080/latest/meta-data/",
    ] {
        assert_quiet(code);
    }
}

#[test]
fn heredocs_fed_to_programs_that_are_not_shells() {
    for code in [
        "cat <<EOF\ncurl -s http://169.254.169.254/latest/meta-data/\nEOF\n",
        "cat > /tmp/get.sh <<'EOF'\ncurl -s http://169.254.169.254/latest/meta-data/\nEOF\n",
        "tee /tmp/x <<< 'curl -s http://169.254.169.254/latest/meta-data/'",
        "python3 <<EOF\nprint('http://169.254.169.254/')\nEOF\n",
        "bash /tmp/script.sh <<EOF\ncurl -s http://169.254.169.254/latest/meta-data/\nEOF\n",
    ] {
        assert_quiet(code);
    }
}

#[test]
fn other_clouds_at_the_same_address() {
    for code in [
        "curl -s -H 'Metadata-Flavor: Google' http://169.254.169.254/computeMetadata/v1/instance/id",
        "curl -s -H 'Metadata-Flavor: Google' http://169.254.169.254/latest/",
        "curl -s http://169.254.169.254/computeMetadata/v1/",
        "curl -s -H Metadata:true 'http://169.254.169.254/metadata/instance?api-version=2021-02-01'",
        "curl -s -H 'Metadata: true' http://169.254.169.254/latest/",
        "curl -s http://169.254.169.254/openstack/latest/meta_data.json",
        "curl -s http://169.254.169.254/opc/v2/instance/",
        "wget -qO- --header='Metadata-Flavor: Google' http://169.254.169.254/computeMetadata/v1/",
        "http http://169.254.169.254/latest/ Metadata-Flavor:Google",
    ] {
        assert_quiet(code);
    }
}

#[test]
fn broken_and_empty_cells() {
    for code in [
        "",
        "\n",
        "curl",
        "curl -s",
        "if then fi ((",
        "$(",
        "\"unterminated",
    ] {
        assert_quiet(code);
    }
}

#[test]
fn deep_nesting_does_not_overflow() {
    let depth = 5_000;
    let code = format!(
        "{}curl -s http://169.254.169.254/latest/meta-data/{}",
        "$(".repeat(depth),
        ")".repeat(depth)
    );
    let _ = findings(&code);
    let code = format!("echo {}x{}", "${A:-".repeat(depth), "}".repeat(depth));
    assert_quiet(&code);
    let code = format!("{}curl x{}", "{ ".repeat(depth), "; }".repeat(depth));
    assert_quiet(&code);
}
