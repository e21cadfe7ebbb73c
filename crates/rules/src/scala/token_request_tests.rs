//! Fix tests for Scala token requests IMDS refuses (IMD002): the exact
//! text each fix writes, its safety, and what is left for a person.

use imds_lint_parser::Applicability;

use super::fix_tests::{apply, findings, fixed};
use crate::{Finding, Rule};

const TOKEN: &str = "http://169.254.169.254/latest/api/token";
const TTL: &str = "setRequestProperty(\"X-aws-ec2-metadata-token-ttl-seconds\", \"21600\")";
const PUT: &str = ".PUT(java.net.http.HttpRequest.BodyPublishers.noBody())";

/// The only finding of `code`, which must be IMD002.
#[track_caller]
fn malformed(code: &str) -> Finding {
    let found = findings(code);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].rule, Rule::MalformedTokenRequest, "{found:#?}");
    found[0].clone()
}

/// `code` fixed, after checking the fix's applicability.
#[track_caller]
fn mended(code: &str, applicability: Applicability) -> String {
    let finding = malformed(code);
    assert_eq!(
        finding.fix.as_ref().map(|f| f.applicability),
        Some(applicability),
        "{finding:#?}"
    );
    fixed(code)
}

#[test]
fn a_held_connection_gets_method_and_ttl_after_its_val() {
    let code = format!(
        "def token(): String = {{\n  \
         val c = new java.net.URL(\"{TOKEN}\").openConnection().asInstanceOf[java.net.HttpURLConnection]\n  \
         scala.io.Source.fromInputStream(c.getInputStream).mkString\n}}\n"
    );
    assert_eq!(
        mended(&code, Applicability::Safe),
        format!(
            "def token(): String = {{\n  \
             val c = new java.net.URL(\"{TOKEN}\").openConnection().asInstanceOf[java.net.HttpURLConnection]\n  \
             c.setRequestMethod(\"PUT\")\n  c.{TTL}\n  \
             scala.io.Source.fromInputStream(c.getInputStream).mkString\n}}\n"
        )
    );
    let fix = malformed(&code).fix.unwrap_or_else(|| panic!("no fix"));
    assert!(fix.message.contains("PUT"), "{}", fix.message);
}

#[test]
fn a_plain_url_connection_is_cast_to_set_its_method() {
    let code = format!(
        "import java.net.URL\nval c = new URL(\"{TOKEN}\").openConnection()\n\
         c.{TTL}\nval t = scala.io.Source.fromInputStream(c.getInputStream).mkString\n"
    );
    assert_eq!(
        mended(&code, Applicability::Safe),
        format!(
            "import java.net.URL\nval c = new URL(\"{TOKEN}\").openConnection()\n\
             c.asInstanceOf[java.net.HttpURLConnection].setRequestMethod(\"PUT\")\n\
             c.{TTL}\nval t = scala.io.Source.fromInputStream(c.getInputStream).mkString\n"
        )
    );
    // Declared as one: no cast.
    let code = format!(
        "import java.net.{{URL, HttpURLConnection}}\n\
         val c: HttpURLConnection = new URL(\"{TOKEN}\").openConnection().asInstanceOf[HttpURLConnection]\n\
         c.{TTL}\n"
    );
    let out = mended(&code, Applicability::Safe);
    assert!(
        out.contains("]\nc.setRequestMethod(\"PUT\")\nc.setRequestProperty"),
        "{out}"
    );
}

#[test]
fn a_get_the_code_sets_becomes_put_where_it_is_set() {
    let code = format!(
        "val c = new java.net.URL(\"{TOKEN}\").openConnection().asInstanceOf[java.net.HttpURLConnection]; c.setRequestMethod(\"GET\")\n"
    );
    assert_eq!(
        mended(&code, Applicability::Safe),
        format!(
            "val c = new java.net.URL(\"{TOKEN}\").openConnection().asInstanceOf[java.net.HttpURLConnection]\n\
             c.{TTL}; c.setRequestMethod(\"PUT\")\n"
        )
    );
}

#[test]
fn a_builder_gets_its_header_and_put_after_new_builder() {
    let code = format!(
        "import java.net.URI\nimport java.net.http.HttpRequest\n\
         val req = HttpRequest.newBuilder(URI.create(\"{TOKEN}\")).build()\n"
    );
    assert_eq!(
        mended(&code, Applicability::Safe),
        format!(
            "import java.net.URI\nimport java.net.http.HttpRequest\n\
             val req = HttpRequest.newBuilder(URI.create(\"{TOKEN}\"))\
             .header(\"X-aws-ec2-metadata-token-ttl-seconds\", \"21600\"){PUT}.build()\n"
        )
    );
}

#[test]
fn a_builders_get_step_becomes_put() {
    let code = format!(
        "val req = java.net.http.HttpRequest.newBuilder()\n  .uri(java.net.URI.create(\"{TOKEN}\"))\n  \
         .header(\"X-aws-ec2-metadata-token-ttl-seconds\", \"600\")\n  .GET()\n  .build()\n"
    );
    assert_eq!(
        mended(&code, Applicability::Safe),
        format!(
            "val req = java.net.http.HttpRequest.newBuilder()\n  .uri(java.net.URI.create(\"{TOKEN}\"))\n  \
             .header(\"X-aws-ec2-metadata-token-ttl-seconds\", \"600\")\n  {PUT}\n  .build()\n"
        )
    );
    let code = format!(
        "val b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(\"{TOKEN}\"))\n\
         b.method(\"GET\", java.net.http.HttpRequest.BodyPublishers.noBody())\nval r = b.build()\n"
    );
    let out = mended(&code, Applicability::Safe);
    assert!(
        out.contains("b.method(\"PUT\", java.net.http.HttpRequest.BodyPublishers.noBody())"),
        "{out}"
    );
}

#[test]
fn from_url_and_open_stream_read_through_a_put_connection() {
    let code = format!("val t = scala.io.Source.fromURL(\"{TOKEN}\").mkString\n");
    assert_eq!(
        mended(&code, Applicability::Unsafe),
        format!(
            "val t = scala.io.Source.fromInputStream({{ val imdsConn = new java.net.URL(\"{TOKEN}\").openConnection()\
             .asInstanceOf[java.net.HttpURLConnection]; imdsConn.setRequestMethod(\"PUT\"); imdsConn.{TTL}; \
             imdsConn.getInputStream }}).mkString\n"
        )
    );
    let code = format!(
        "val u = new java.net.URL(\"{TOKEN}\")\nval t = scala.io.Source.fromInputStream(u.openStream()).mkString\n"
    );
    let out = mended(&code, Applicability::Unsafe);
    assert!(
        out.contains(
            "fromInputStream({ val imdsConn = u.openConnection().asInstanceOf[java.net.HttpURLConnection]; \
             imdsConn.setRequestMethod(\"PUT\")"
        ),
        "{out}"
    );
}

#[test]
fn an_unheld_connection_is_wrapped() {
    let code = format!(
        "val t = scala.io.Source.fromInputStream(new java.net.URL(\"{TOKEN}\").openConnection().getInputStream).mkString\n"
    );
    let out = mended(&code, Applicability::Unsafe);
    assert!(
        out.contains(&format!(
            "fromInputStream({{ val imdsConn = new java.net.URL(\"{TOKEN}\").openConnection()\
             .asInstanceOf[java.net.HttpURLConnection]; imdsConn.setRequestMethod(\"PUT\"); imdsConn.{TTL}; \
             imdsConn }}.getInputStream)"
        )),
        "{out}"
    );
}

#[test]
fn what_cannot_be_mended_with_certainty_keeps_its_help() {
    for code in [
        // A method held in a val.
        format!(
            "val m = \"GET\"\nval c = new java.net.URL(\"{TOKEN}\").openConnection().asInstanceOf[java.net.HttpURLConnection]\n\
             c.setRequestMethod(m)\n"
        ),
        // Another method than GET.
        format!(
            "val c = new java.net.URL(\"{TOKEN}\").openConnection().asInstanceOf[java.net.HttpURLConnection]\n\
             c.setRequestMethod(\"POST\")\nc.{TTL}\n"
        ),
        // A TTL out of range.
        format!(
            "val c = new java.net.URL(\"{TOKEN}\").openConnection().asInstanceOf[java.net.HttpURLConnection]\n\
             c.setRequestMethod(\"PUT\")\nc.setRequestProperty(\"X-aws-ec2-metadata-token-ttl-seconds\", \"86400\")\n"
        ),
        // A command run through sys.process.
        format!("import sys.process._\nval t = \"curl -s {TOKEN}\".!!\n"),
    ] {
        let finding = malformed(&code);
        assert!(finding.fix.is_none(), "{code}\n{finding:#?}");
        assert!(
            finding
                .help
                .as_deref()
                .is_some_and(|h| h.contains("PUT") && h.contains("no automatic fix")),
            "{code}\n{finding:#?}"
        );
    }
}

#[test]
fn a_mended_request_and_a_request_without_a_token_are_fixed_together() {
    let code = format!(
        "val c = new java.net.URL(\"{TOKEN}\").openConnection().asInstanceOf[java.net.HttpURLConnection]\n\
         val t = scala.io.Source.fromInputStream(c.getInputStream).mkString\n\
         val id = scala.io.Source.fromURL(\"http://169.254.169.254/latest/meta-data/instance-id\").mkString\n"
    );
    let found = findings(&code);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found.iter().all(|f| f.fix.is_some()), "{found:#?}");
    let out = apply(&code, &found);
    assert!(findings(&out).is_empty(), "{out}");
}
