//! Fix tests for Scala cells: the exact text each fix writes, that it
//! parses, and that checking it again finds nothing to fix.

use imds_lint_parser::{syntax, Applicability, Cell, Edit, Lang, Origin};

use crate::{check, Finding, Rule, Settings};

pub(super) const MD: &str = "http://169.254.169.254/latest/meta-data";

/// The token fetch a fix inserts, under `name`.
pub(super) fn fetch(name: &str) -> String {
    format!(
        "val {name} = {{ val c = new java.net.URL(\"http://169.254.169.254/latest/api/token\").openConnection().asInstanceOf[java.net.HttpURLConnection]; \
         c.setRequestMethod(\"PUT\"); c.setRequestProperty(\"X-aws-ec2-metadata-token-ttl-seconds\", \"21600\"); \
         scala.io.Source.fromInputStream(c.getInputStream).mkString }}"
    )
}

/// The token fetch a fix of a `sys.process` command inserts: the command
/// fails with an exit code, not an exception, so the fetch does not throw
/// either (a tester saw a fallback after a failed `curl` lost).
pub(super) fn quiet_fetch(name: &str) -> String {
    let fetch = fetch(name);
    let body = fetch
        .strip_prefix(&format!("val {name} = "))
        .unwrap_or_else(|| panic!("{fetch}"));
    format!("val {name} = scala.util.Try {body}.getOrElse(\"\")")
}

/// `{ val imdsConn = OPEN; imdsConn.setRequestProperty(...); imdsConn.getInputStream }`.
fn stream(open: &str) -> String {
    format!(
        "{{ val imdsConn = {open}; imdsConn.setRequestProperty(\"X-aws-ec2-metadata-token\", imdsToken); imdsConn.getInputStream }}"
    )
}

/// Applies every fix of `findings` to `code`, as the rewriter would:
/// identical edits once, no two edits overlapping.
pub(super) fn apply(code: &str, findings: &[Finding]) -> String {
    let mut edits: Vec<Edit> = findings
        .iter()
        .filter_map(|f| f.fix.as_ref())
        .flat_map(|fix| fix.edits.iter().cloned())
        .collect();
    edits.sort_by(|a, b| {
        (a.range.start, a.range.end, &a.content).cmp(&(b.range.start, b.range.end, &b.content))
    });
    edits.dedup();
    for pair in edits.windows(2) {
        assert!(!pair[0].overlaps(&pair[1]), "overlapping edits: {pair:?}");
    }
    let mut out = code.to_owned();
    for edit in edits.iter().rev() {
        out.replace_range(edit.range.clone(), &edit.content);
    }
    out
}

pub(super) fn findings(code: &str) -> Vec<Finding> {
    check(
        vec![Cell::whole_file(Lang::Scala, code)],
        &Settings::default(),
    )
    .1
}

/// The fixed text of `code`; checks that every IMD001 finding has a fix,
/// that the result parses, and that it has no finding left.
pub(super) fn fixed(code: &str) -> String {
    let found = findings(code);
    assert!(!found.is_empty(), "nothing found in:\n{code}");
    for finding in &found {
        assert!(finding.fix.is_some(), "no fix: {finding:?}");
    }
    let out = apply(code, &found);
    assert!(
        syntax::parses_cleanly(Lang::Scala, &out),
        "the fixed code does not parse:\n{out}"
    );
    let again = findings(&out);
    assert!(again.is_empty(), "still found in:\n{out}\n{again:#?}");
    out
}

#[test]
fn source_from_url_reads_through_a_connection() {
    let code = format!(
        "import scala.io.Source\nval region = Source.fromURL(\"{MD}/placement/region\").mkString\n"
    );
    let expected = format!(
        "import scala.io.Source\n{}\nval region = Source.fromInputStream({}).mkString\n",
        fetch("imdsToken"),
        stream(&format!(
            "new java.net.URL(\"{MD}/placement/region\").openConnection()"
        ))
    );
    assert_eq!(fixed(&code), expected);
    let fix = findings(&code)[0]
        .fix
        .clone()
        .unwrap_or_else(|| panic!("no fix"));
    assert_eq!(fix.applicability, Applicability::Unsafe);
    assert!(fix.message.contains("imdsToken"));
}

#[test]
fn requests_of_one_scope_share_one_token() {
    let code = format!(
        "object Job {{\n  def fetchInstanceMetadata(): Unit = {{\n    println(\"start\")\n    \
         val iid = scala.io.Source.fromURL(\"{MD}/instance-id\").mkString\n    \
         if (iid.nonEmpty) {{\n      val az = scala.io.Source.fromURL(\"{MD}/placement/availability-zone\").mkString\n    }}\n  }}\n}}\n"
    );
    let out = fixed(&code);
    assert_eq!(out.matches("val imdsToken =").count(), 1, "{out}");
    assert!(
        out.contains(&format!(
            "    println(\"start\")\n    {}\n    val iid",
            fetch("imdsToken")
        )),
        "{out}"
    );
}

#[test]
fn each_function_fetches_its_own_token() {
    let code = format!(
        "object Job {{\n  def a(): String = {{\n    scala.io.Source.fromURL(\"{MD}/a\").mkString\n  }}\n  \
         def b(): String = {{\n    scala.io.Source.fromURL(\"{MD}/b\").mkString\n  }}\n}}\n"
    );
    assert_eq!(fixed(&code).matches("val imdsToken =").count(), 2);
}

#[test]
fn an_expression_body_becomes_a_block() {
    let code = format!("object Job {{\n  def region(): String = scala.io.Source.fromURL(\"{MD}/r\").mkString\n}}\n");
    let expected = format!(
        "object Job {{\n  def region(): String = {{ {}; scala.io.Source.fromInputStream({}).mkString }}\n}}\n",
        fetch("imdsToken"),
        stream(&format!("new java.net.URL(\"{MD}/r\").openConnection()"))
    );
    assert_eq!(fixed(&code), expected);
}

#[test]
fn a_lambda_fetches_its_own_token() {
    let code = format!(
        "val paths = Seq(\"a\", \"b\")\nval values = paths.map(p => scala.io.Source.fromURL(s\"{MD}/$p\").mkString)\n"
    );
    let out = fixed(&code);
    assert!(out.contains("paths.map(p => { val imdsToken = "), "{out}");
}

#[test]
fn a_connection_val_gets_the_header_after_it() {
    let code = format!(
        "import java.net.{{URL, HttpURLConnection}}\ndef id(): String = {{\n  \
         val conn = new URL(\"{MD}/instance-id\").openConnection().asInstanceOf[HttpURLConnection]\n  \
         scala.io.Source.fromInputStream(conn.getInputStream).mkString\n}}\n"
    );
    let expected = format!(
        "import java.net.{{URL, HttpURLConnection}}\ndef id(): String = {{\n  {}\n  \
         val conn = new URL(\"{MD}/instance-id\").openConnection().asInstanceOf[HttpURLConnection]\n  \
         conn.setRequestProperty(\"X-aws-ec2-metadata-token\", imdsToken)\n  \
         scala.io.Source.fromInputStream(conn.getInputStream).mkString\n}}\n",
        fetch("imdsToken")
    );
    assert_eq!(fixed(&code), expected);
    assert_eq!(
        findings(&code)[0].fix.as_ref().map(|f| f.applicability),
        Some(Applicability::Safe)
    );
}

#[test]
fn an_unheld_connection_is_wrapped() {
    let code = format!(
        "val s = scala.io.Source.fromInputStream(new java.net.URL(\"{MD}/x\").openConnection().getInputStream).mkString\n"
    );
    let out = fixed(&code);
    assert!(
        out.contains(&format!(
            "fromInputStream({{ val imdsConn = new java.net.URL(\"{MD}/x\").openConnection(); \
             imdsConn.setRequestProperty(\"X-aws-ec2-metadata-token\", imdsToken); imdsConn }}.getInputStream)"
        )),
        "{out}"
    );
}

#[test]
fn open_stream_at_the_start_of_a_line_is_parenthesized() {
    let code =
        format!("if (true) {{ println(1) }}\nnew java.net.URL(\"{MD}/x\").openStream().close()\n");
    let expected = format!(
        "if (true) {{ println(1) }}\n{}\n({}).close()\n",
        fetch("imdsToken"),
        stream(&format!("new java.net.URL(\"{MD}/x\").openConnection()"))
    );
    assert_eq!(fixed(&code), expected);
}

#[test]
fn an_http_request_builder_gets_a_header() {
    let code = format!(
        "import java.net.URI\nimport java.net.http.{{HttpClient, HttpRequest, HttpResponse}}\n\
         val req = HttpRequest.newBuilder().uri(URI.create(\"{MD}/instance-id\")).GET().build()\n"
    );
    let expected = format!(
        "import java.net.URI\nimport java.net.http.{{HttpClient, HttpRequest, HttpResponse}}\n{}\n\
         val req = HttpRequest.newBuilder().header(\"X-aws-ec2-metadata-token\", imdsToken).uri(URI.create(\"{MD}/instance-id\")).GET().build()\n",
        fetch("imdsToken")
    );
    assert_eq!(fixed(&code), expected);
}

#[test]
fn an_existing_token_is_reused() {
    let code = format!(
        "val tokenConn = new java.net.URL(\"http://169.254.169.254/latest/api/token\").openConnection().asInstanceOf[java.net.HttpURLConnection]\n\
         tokenConn.setRequestMethod(\"PUT\")\n\
         tokenConn.setRequestProperty(\"X-aws-ec2-metadata-token-ttl-seconds\", \"21600\")\n\
         val token: String = scala.io.Source.fromInputStream(tokenConn.getInputStream).mkString\n\
         val mdConn = new java.net.URL(\"{MD}/instance-id\").openConnection()\n\
         val id = scala.io.Source.fromInputStream(mdConn.getInputStream).mkString\n"
    );
    let out = fixed(&code);
    assert!(!out.contains("imdsToken"), "{out}");
    assert!(
        out.contains(
            "openConnection()\nmdConn.setRequestProperty(\"X-aws-ec2-metadata-token\", token)\n"
        ),
        "{out}"
    );
}

#[test]
fn the_token_name_does_not_clash() {
    let code = format!(
        "val imdsToken = \"not a token\"\nval imdsConn = 1\nval r = scala.io.Source.fromURL(\"{MD}/x\").mkString\n"
    );
    let out = fixed(&code);
    assert!(out.contains(&fetch("imdsToken2")), "{out}");
    assert!(out.contains("val imdsConn2 = new java.net.URL"), "{out}");
}

#[test]
fn settings_name_the_token_and_its_lifetime() {
    let code = format!("val r = scala.io.Source.fromURL(\"{MD}/x\").mkString\n");
    let mut settings = Settings {
        token_ttl: 300,
        ..Settings::default()
    };
    settings.token_variable.scala = "mdToken".to_owned();
    let (_, found) = check(vec![Cell::whole_file(Lang::Scala, &code)], &settings);
    let out = apply(&code, &found);
    assert!(out.contains("val mdToken = {"), "{out}");
    assert!(
        out.contains("\"X-aws-ec2-metadata-token-ttl-seconds\", \"300\""),
        "{out}"
    );
    assert!(
        out.contains("setRequestProperty(\"X-aws-ec2-metadata-token\", mdToken)"),
        "{out}"
    );
}

#[test]
fn the_ipv6_endpoint_gets_an_ipv6_token() {
    let code =
        "val r = scala.io.Source.fromURL(\"http://[fd00:ec2::254]/latest/meta-data/x\").mkString\n";
    let out = fixed(code);
    assert!(
        out.contains("new java.net.URL(\"http://[fd00:ec2::254]/latest/api/token\")"),
        "{out}"
    );
}

#[test]
fn a_process_string_takes_a_header_option() {
    let code = format!(
        "import sys.process._\nval az = \"curl -s {MD}/placement/availability-zone\".!!.trim\n"
    );
    let expected = format!(
        "import sys.process._\n{}\nval az = s\"curl -H X-aws-ec2-metadata-token:${{imdsToken}} -s {MD}/placement/availability-zone\".!!.trim\n",
        quiet_fetch("imdsToken")
    );
    assert_eq!(fixed(&code), expected);
}

#[test]
fn a_process_string_at_the_start_of_the_cell() {
    let code = format!("\"curl -s {MD}/x$y\" !\n");
    let out = fixed(&code);
    assert_eq!(
        out,
        format!(
            "{}\ns\"curl -H X-aws-ec2-metadata-token:${{imdsToken}} -s {MD}/x$$y\" !\n",
            quiet_fetch("imdsToken")
        )
    );
}

#[test]
fn a_process_seq_takes_new_elements() {
    let code = format!(
        "import scala.sys.process._\nval url = \"{MD}/instance-id\"\nval id = Seq(\"curl\", \"-s\", url).!!\n\
         val az = Process(Seq(\"wget\", \"-qO-\", url)).!!\n"
    );
    let expected = format!(
        "import scala.sys.process._\nval url = \"{MD}/instance-id\"\n{}\n\
         val id = Seq(\"curl\", \"-H\", \"X-aws-ec2-metadata-token: \" + imdsToken, \"-s\", url).!!\n\
         val az = Process(Seq(\"wget\", \"--header=X-aws-ec2-metadata-token: \" + imdsToken, \"-qO-\", url)).!!\n",
        quiet_fetch("imdsToken")
    );
    assert_eq!(fixed(&code), expected);
}

/// Found by a tester: a command sent through a proxy (`--proxy p`) got a
/// safe fix whose token fetch, made with `java.net.URL`, goes straight to
/// the service: the two go different ways. Such a command gets help; one
/// that turns proxies off goes straight, as the fetch does.
#[test]
fn a_process_sent_through_a_proxy_gets_help_not_a_fix() {
    for command in [
        format!("Seq(\"curl\", \"-s\", \"--proxy\", p, \"{MD}/instance-id\").!!"),
        format!("Seq(\"curl\", \"-sx\", \"http://127.0.0.1:3128\", \"{MD}/instance-id\").!!"),
        format!(
            "Seq(\"wget\", \"-qO-\", \"-e\", \"https_proxy=http://p:1\", \"{MD}/instance-id\").!!"
        ),
    ] {
        let code =
            format!("import scala.sys.process._\nval p = sys.env(\"P\")\nval id = {command}\n");
        let found = findings(&code);
        assert_eq!(found.len(), 1, "{code}: {found:?}");
        assert!(found[0].fix.is_none(), "{code}: {found:?}");
        assert!(
            found[0]
                .help
                .as_deref()
                .is_some_and(|h| h.contains("proxy")),
            "{found:?}"
        );
    }
    let out = fixed(&format!(
        "import scala.sys.process._\nval id = Seq(\"curl\", \"-s\", \"--noproxy\", \"*\", \"{MD}/instance-id\").!\n"
    ));
    assert!(out.contains("scala.util.Try {"), "{out}");
}

#[test]
fn a_process_string_with_escaped_quotes_gets_no_fix() {
    let code = format!("val r = \"curl -s -A \\\"x\\\" {MD}/x\".!!\n");
    let found = findings(&code);
    assert_eq!(found.len(), 1);
    assert!(found[0].fix.is_none());
    assert!(
        found[0].help.as_deref().is_some_and(|h| h.contains("2.11")),
        "{found:?}"
    );
}

#[test]
fn each_notebook_cell_fetches_its_own_token() {
    let cell = |code: String, number: usize| {
        let mut cell = Cell::whole_file(Lang::Scala, &code);
        cell.number = Some(number);
        cell.origin = Origin::NotebookCell;
        cell
    };
    let cells = vec![
        cell(
            format!("val md = \"{MD}\"\nval a = scala.io.Source.fromURL(md + \"/a\").mkString\n"),
            1,
        ),
        cell(
            "val b = scala.io.Source.fromURL(md + \"/b\").mkString\n".to_owned(),
            2,
        ),
    ];
    let (cells, found) = check(cells, &Settings::default());
    assert_eq!(found.len(), 2);
    for finding in &found {
        let out = apply(&cells[finding.cell].code, std::slice::from_ref(finding));
        assert!(out.contains(&fetch("imdsToken")), "{out}");
    }
}

#[test]
fn token_requests_are_not_fixed_as_imd001() {
    let code =
        "val c = new java.net.URL(\"http://169.254.169.254/latest/api/token\").openConnection()\n";
    let found = findings(code);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, Rule::MalformedTokenRequest);
    // The fix mends the token request; it sends it no token.
    let fix = found[0].fix.clone().unwrap_or_else(|| panic!("no fix"));
    assert!(fix.message.contains("PUT"), "{fix:?}");
    assert!(
        fix.edits
            .iter()
            .all(|e| !e.content.contains("\"X-aws-ec2-metadata-token\"")),
        "{fix:?}"
    );
}

#[test]
fn names_and_ports_keep_their_spelling_in_the_token_url() {
    for (url, base) in [
        (
            "http://instance-data.ec2.internal/latest/meta-data/x",
            "http://instance-data.ec2.internal",
        ),
        (
            "http://169.254.169.254:80/latest/meta-data/x",
            "http://169.254.169.254:80",
        ),
        ("http://0xa9fea9fe/latest/meta-data/x", "http://0xa9fea9fe"),
    ] {
        let out = fixed(&format!(
            "val r = scala.io.Source.fromURL(\"{url}\").mkString\n"
        ));
        assert!(
            out.contains(&format!("new java.net.URL(\"{base}/latest/api/token\")")),
            "{url}:\n{out}"
        );
    }
    // A URL built from a val: the val's host.
    let out = fixed(
        "val md = \"http://[fd00:ec2::254]/latest/meta-data\"\n\
         val r = scala.io.Source.fromURL(s\"$md/instance-id\").mkString\n",
    );
    assert!(
        out.contains("new java.net.URL(\"http://[fd00:ec2::254]/latest/api/token\")"),
        "{out}"
    );
}

/// The usage shapes of the benchmark's Scala notebooks, written afresh:
/// `(name, code, IMDSv1 requests in it)`.
fn workspace_shapes() -> Vec<(&'static str, String, usize)> {
    let url = format!("{MD}/placement/availability-zone");
    vec![
        (
            "source_fromurl",
            format!("import scala.io.Source\nval zone = Source.fromURL(\"{url}\").mkString"),
            1,
        ),
        (
            "source_fromurl_fq",
            format!("val zone = scala.io.Source.fromURL(\"{url}\").getLines().mkString(\"\")"),
            1,
        ),
        (
            "source_urlvar",
            format!(
                "import scala.io.Source\nval mdRoot = \"{MD}\"\n\
                 val creds = Source.fromURL(s\"$mdRoot/iam/security-credentials/\").mkString"
            ),
            1,
        ),
        (
            "url_openstream",
            format!(
                "val zone = scala.io.Source.fromInputStream(new java.net.URL(\"{url}\").openStream()).mkString"
            ),
            1,
        ),
        (
            "process_curl",
            format!("import sys.process._\nval zone = \"curl -s {url}\".!!.trim"),
            1,
        ),
        (
            "v2_connection",
            format!(
                "import scala.io.Source\n\
                 val tc = new java.net.URL(\"http://169.254.169.254/latest/api/token\").openConnection().asInstanceOf[java.net.HttpURLConnection]\n\
                 tc.setRequestMethod(\"PUT\")\n\
                 tc.setRequestProperty(\"X-aws-ec2-metadata-token-ttl-seconds\", \"600\")\n\
                 val tok = Source.fromInputStream(tc.getInputStream).mkString\n\
                 val mc = new java.net.URL(\"{url}\").openConnection()\n\
                 mc.setRequestProperty(\"X-aws-ec2-metadata-token\", tok)\n\
                 val zone = Source.fromInputStream(mc.getInputStream).mkString"
            ),
            0,
        ),
        (
            "comment",
            "// the driver reads 169.254.169.254 only through the instance profile".to_owned(),
            0,
        ),
        (
            "non_proxy_hosts",
            "spark.conf.set(\"spark.driver.extraJavaOptions\", \"-Dhttp.nonProxyHosts=169.254.169.254|localhost\")"
                .to_owned(),
            0,
        ),
    ]
}

/// `body` at top level, in a function, and in a method of an object.
fn contexts(body: &str) -> Vec<String> {
    let indented = |by: &str| {
        let mut out = String::new();
        for line in body.lines() {
            out.push_str(by);
            out.push_str(line);
            out.push('\n');
        }
        out
    };
    vec![
        format!("val before = 1\n{body}\nval after = 2\n"),
        format!(
            "def fetchInstanceMetadata(): Unit = {{\n{}}}\n",
            indented("  ")
        ),
        format!(
            "object Metadata {{\n  def run(): Unit = {{\n{}  }}\n}}\n",
            indented("    ")
        ),
    ]
}

#[test]
fn workspace_shapes_in_every_context() {
    for (name, body, expected) in workspace_shapes() {
        for code in contexts(&body) {
            let found = findings(&code);
            let v1: Vec<&Finding> = found
                .iter()
                .filter(|f| f.rule == Rule::MetadataRequestWithoutToken)
                .collect();
            assert_eq!(v1.len(), expected, "{name}:\n{code}\n{found:#?}");
            assert_eq!(found.len(), expected, "{name}:\n{code}\n{found:#?}");
            if expected > 0 {
                // The finding is on the line of the request.
                let line = code[..v1[0].range.start].matches('\n').count();
                let request_line = code.lines().nth(line).unwrap_or_default();
                assert!(
                    request_line.contains("169.254") || request_line.contains("$mdRoot"),
                    "{name}: {request_line}"
                );
                fixed(&code);
            }
        }
    }
}

#[test]
fn from_url_of_a_url_object_opens_it_directly() {
    let code = format!(
        "val u = new java.net.URL(\"{MD}/x\")\nval r = scala.io.Source.fromURL(u, \"UTF-8\").mkString\n"
    );
    let out = fixed(&code);
    assert!(
        out.contains(&format!(
            "scala.io.Source.fromInputStream({}, \"UTF-8\")",
            stream("u.openConnection()")
        )),
        "{out}"
    );
}

#[test]
fn a_case_of_a_function_literal_fetches_its_own_token() {
    let code = format!(
        "val pairs = Seq((\"a\", 1))\nval out = pairs.map {{ case (p, _) => scala.io.Source.fromURL(\"{MD}/\" + p).mkString }}\n"
    );
    let out = fixed(&code);
    assert!(out.contains("case (p, _) => val imdsToken = {"), "{out}");
}

#[test]
fn crlf_code_keeps_its_indentation() {
    let code = format!("object A {{\r\n  def f(): Unit = {{\r\n    val r = scala.io.Source.fromURL(\"{MD}/x\").mkString\r\n  }}\r\n}}\r\n");
    let out = fixed(&code);
    assert!(
        out.contains(&format!("{{\r\n    {}\n    val r = ", fetch("imdsToken"))),
        "{out:?}"
    );
}

/// `Seq("curl", "-H", ..., "-s", URL).!!`: a request through `sys.process`
/// as its fix writes it.
fn curl_with_token(url: &str) -> String {
    format!("Seq(\"curl\", \"-H\", \"X-aws-ec2-metadata-token: \" + imdsToken, \"-s\", {url}).!!")
}

#[test]
fn an_expression_body_on_its_own_line_gets_braces_not_a_scala3_block() {
    let code = format!(
        "object NodeInfo {{\n  import scala.sys.process._\n  def az(): String =\n    \
         Seq(\"curl\", \"-s\", \"{MD}/placement/availability-zone\").!!.trim\n}}\n"
    );
    let expected = format!(
        "object NodeInfo {{\n  import scala.sys.process._\n  def az(): String = {{\n    {}\n    {}.trim\n  }}\n}}\n",
        quiet_fetch("imdsToken"),
        curl_with_token(&format!("\"{MD}/placement/availability-zone\""))
    );
    assert_eq!(fixed(&code), expected);
}

#[test]
fn a_branch_of_an_expression_body_on_its_own_line_gets_braces() {
    let code = format!(
        "import scala.sys.process._\nobject A {{\n  def id(b: Boolean): String =\n    if (b)\n      \
         Seq(\"curl\", \"-s\", \"{MD}/instance-id\").!!\n    else\n      \"none\"\n}}\n"
    );
    let expected = format!(
        "import scala.sys.process._\nobject A {{\n  def id(b: Boolean): String = {{\n    {}\n    if (b)\n      \
         {}\n    else\n      \"none\"\n  }}\n}}\n",
        quiet_fetch("imdsToken"),
        curl_with_token(&format!("\"{MD}/instance-id\""))
    );
    assert_eq!(fixed(&code), expected);
}

#[test]
fn a_for_yield_of_an_expression_body_on_its_own_line_gets_braces() {
    let code = format!(
        "import scala.sys.process._\nobject A {{\n  def all(xs: Seq[String]): Seq[String] =\n    \
         for (x <- xs) yield\n      Seq(\"curl\", \"-s\", \"{MD}/\" + x).!!\n}}\n"
    );
    let expected = format!(
        "import scala.sys.process._\nobject A {{\n  def all(xs: Seq[String]): Seq[String] = {{\n    {}\n    \
         for (x <- xs) yield\n      {}\n  }}\n}}\n",
        quiet_fetch("imdsToken"),
        curl_with_token(&format!("\"{MD}/\" + x"))
    );
    assert_eq!(fixed(&code), expected);
}

#[test]
fn a_lambda_body_on_its_own_line_inside_parentheses_gets_braces() {
    let code = format!(
        "import scala.sys.process._\nval xs = Seq(\"a\")\nval out = xs.map(x =>\n  \
         Seq(\"curl\", \"-s\", \"{MD}/\" + x).!!)\n"
    );
    let expected = format!(
        "import scala.sys.process._\nval xs = Seq(\"a\")\nval out = xs.map(x => {{\n  {}\n  {}\n}})\n",
        quiet_fetch("imdsToken"),
        curl_with_token(&format!("\"{MD}/\" + x"))
    );
    assert_eq!(fixed(&code), expected);
}

#[test]
fn a_lambda_body_on_its_own_line_inside_braces_needs_no_more() {
    let code = format!(
        "import scala.sys.process._\nval xs = Seq(\"a\")\nval out = xs.map {{ x =>\n  \
         Seq(\"curl\", \"-s\", \"{MD}/\" + x).!!\n}}\n"
    );
    let expected = format!(
        "import scala.sys.process._\nval xs = Seq(\"a\")\nval out = xs.map {{ x =>\n  {}\n  {}\n}}\n",
        quiet_fetch("imdsToken"),
        curl_with_token(&format!("\"{MD}/\" + x"))
    );
    assert_eq!(fixed(&code), expected);
}

#[test]
fn a_one_line_process_body_becomes_a_block() {
    let code = format!(
        "import scala.sys.process._\nobject A {{\n  def az(): String = Seq(\"curl\", \"-s\", \"{MD}/x\").!!.trim\n}}\n"
    );
    let expected = format!(
        "import scala.sys.process._\nobject A {{\n  def az(): String = {{ {}; {}.trim }}\n}}\n",
        quiet_fetch("imdsToken"),
        curl_with_token(&format!("\"{MD}/x\""))
    );
    assert_eq!(fixed(&code), expected);
}

/// `Seq("sh", "-c", LITERAL).!!` after a constant `md`, as a cell.
fn shell_run(literal: &str) -> String {
    format!(
        "import sys.process._\nval md = \"{MD}\"\nval e = Seq(\"sh\", \"-c\", {literal}).!!.trim\n"
    )
}

#[test]
fn shell_code_in_an_s_string_gets_no_fix_that_writes_escaped_quotes() {
    for literal in [
        "s\"curl -s $md/instance-id\"",
        "s\"curl -s ${md}/instance-id\"",
        "raw\"curl -s $md/instance-id\"",
    ] {
        let found = findings(&shell_run(literal));
        assert_eq!(found.len(), 1, "{literal}: {found:#?}");
        assert!(found[0].fix.is_none(), "{literal}: {found:#?}");
        assert!(
            found[0].help.as_deref().is_some_and(|h| h.contains("2.11")),
            "{literal}: {found:#?}"
        );
    }
}

#[test]
fn shell_code_in_a_plain_or_triple_quoted_string_keeps_its_fix() {
    for literal in [
        format!("\"curl -s {MD}/instance-id\""),
        "s\"\"\"curl -s $md/instance-id\"\"\"".to_owned(),
    ] {
        let found = findings(&shell_run(&literal));
        assert_eq!(found.len(), 1, "{literal}: {found:#?}");
        let fix = found[0].fix.as_ref();
        assert!(
            fix.is_some_and(|fix| fix.edits.iter().any(|e| e.content.contains('"'))),
            "{literal}: {found:#?}"
        );
    }
}

/// The applicability of each IMD001 finding's fix in `code`, in order.
fn applicabilities(code: &str) -> Vec<Applicability> {
    findings(code)
        .iter()
        .filter(|f| f.rule == Rule::MetadataRequestWithoutToken)
        .map(|f| {
            f.fix
                .as_ref()
                .map_or(Applicability::DisplayOnly, |fix| fix.applicability)
        })
        .collect()
}

/// Asserts that the one IMD001 fix in `code` (after an import of
/// `scala.sys.process._`) is unsafe, with `why` in its message, and that,
/// applied anyway (with --unsafe-fixes), it still parses and settles its
/// finding.
fn assert_unsafe_because(code: &str, why: &str) {
    let code = format!("import scala.sys.process._\n{code}");
    assert_eq!(applicabilities(&code), [Applicability::Unsafe], "{code}");
    let found = findings(&code);
    let message = found[0]
        .fix
        .as_ref()
        .map(|fix| fix.message.clone())
        .unwrap_or_default();
    assert!(message.contains(why), "{message}");
    fixed(&code);
}

#[test]
fn a_request_on_some_paths_only_gets_an_unsafe_fix() {
    let request = format!("\"curl -s {MD}/instance-id\".!!");
    let some_paths = [
        format!("def f(b: Boolean): String =\n  if (b) \"a\"\n  else\n    {request}\n"),
        format!("def f(b: Boolean): String = if (b) {request} else \"a\"\n"),
        format!("def f(b: Boolean): String = {{\n  val x = 1\n  if (b) {request} else \"a\"\n}}\n"),
        format!("def f(n: Int): Unit = {{\n  var i = n\n  while (i > 0) {{ {request}; i -= 1 }}\n}}\n"),
        format!("def f(xs: Seq[String]): Unit = {{\n  for (x <- xs) {request}\n}}\n"),
        format!("def f(xs: Seq[String]): Seq[String] = for (x <- xs; y <- Seq({request})) yield y\n"),
        format!("def f(o: Any): String = o match {{\n  case s: String => {request}\n  case _ => \"\"\n}}\n"),
        format!("def f(): String = try \"a\" catch {{ case _: Exception => {request} }}\n"),
        format!("def f(b: Boolean): Boolean = b && {request}.nonEmpty\n"),
        format!("def f(b: Boolean): Boolean = b || {request}.isEmpty\n"),
        format!("object A {{\n  lazy val id = {request}\n}}\n"),
        format!("def f(xs: Seq[Int]) = for (i <- xs if {request}.nonEmpty) yield i\n"),
        format!("def f(o: Option[String]): String = o.getOrElse({request})\n"),
        format!("def f(o: Option[String]) = o.orElse(Some({request}))\n"),
        format!("def f(b: Boolean): Unit = {{\n  if (b) {{\n    val x = {request}\n    println(x)\n  }}\n}}\n"),
    ];
    for code in &some_paths {
        assert_unsafe_because(code, "runs only on some paths");
    }
    let every_path = [
        format!("def f(): String = {request}\n"),
        format!("def f(): String = {{\n  val x = 1\n  {request}\n}}\n"),
        format!("def f(b: Boolean): String = if ({request}.isEmpty) \"a\" else \"b\"\n"),
        format!("def f(): Seq[String] = for (x <- Seq({request})) yield x\n"),
        format!("def f(b: Boolean): Boolean = {request}.nonEmpty && b\n"),
        format!("def f(): Int = {request}.length + 1\n"),
        format!("def f(): Option[String] = Some({request}).map(_.trim)\n"),
        format!("val id = {request}\n"),
    ];
    for code in &every_path {
        let code = format!("import scala.sys.process._\n{code}");
        assert_eq!(applicabilities(&code), [Applicability::Safe], "{code}");
    }
}

/// Found by a fresh tester in the tenth session: a request in a `try` body
/// (or a `Try`, or a `Future`) got a safe fix that fetched the token before
/// the `try`, where its `catch` does not reach: off EC2 the function threw
/// instead of returning its fallback.
#[test]
fn a_request_whose_failure_is_handled_gets_an_unsafe_fix() {
    let request = format!("\"curl -s {MD}/instance-id\".!!");
    let guarded = [
        format!("def f(): String = try {request} catch {{ case _: Exception => \"\" }}\n"),
        format!("def f(): String = try {{\n  val x = {request}\n  x.trim\n}} catch {{\n  case _: Exception => \"us-east-1\"\n}}\n"),
        format!("def f(): String = scala.util.Try({request}).getOrElse(\"\")\n"),
        format!("import scala.util.Try\ndef f(): String = Try {{ {request} }}.getOrElse(\"\")\n"),
        format!("import scala.util.Try\ndef f(): Option[String] = Try {{\n  val x = {request}\n  x.trim\n}}.toOption\n"),
        format!("import scala.concurrent._\nimport ExecutionContext.Implicits.global\ndef f(): Future[String] = Future {{ {request} }}\n"),
    ];
    for code in &guarded {
        assert_unsafe_because(code, "outside the `try`");
    }
}

#[test]
fn code_that_does_not_parse_offers_no_fix() {
    let code = format!(
        "import scala.sys.process._\nval id = \"curl -s {MD}/instance-id\".!!\nval x = (\n"
    );
    let found = findings(&code);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].fix.is_none());
    assert!(found[0]
        .help
        .as_deref()
        .is_some_and(|help| help.contains("does not parse")));
}

/// Found by `scan_then_fix`: a request inside another whose fix rewrites
/// it whole got a fix holding both the outer rewrite (merged with the
/// token fetch) and its own edit inside it, which no rewriter can apply.
#[test]
fn no_fix_has_edits_that_overlap_each_other() {
    let code = format!(
        "def f() = {{\n  new java.net.URL(\"{MD}/\" + scala.io.Source.fromURL(\"{MD}/mac\").mkString).openConnection()\n}}\n"
    );
    let found = findings(&code);
    assert_eq!(found.len(), 2, "{found:?}");
    for finding in &found {
        let Some(fix) = &finding.fix else { continue };
        for (i, a) in fix.edits.iter().enumerate() {
            for b in &fix.edits[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} overlaps {b:?} in {finding:?}");
            }
        }
    }
    // One --fix round applies the outer request's fix; the next, the
    // inner one's, made again from the new text.
    let once = apply(&code, &found[..1]);
    let again = findings(&once);
    assert!(again.iter().all(|f| f.fix.is_some()), "{again:?}");
}

#[test]
fn braces_close_before_a_comment_after_an_indented_body() {
    let code = format!(
        "import sys.process._\nobject A {{\n  def az(): String =\n    Seq(\"curl\", \"-s\", \"{MD}/placement/availability-zone\").!!.trim\n\n  \
         // next one\n  def b(): Int = 1\n}}\n"
    );
    let out = fixed(&code);
    assert!(
        out.contains(".!!.trim\n  }\n\n  // next one\n  def b(): Int = 1\n"),
        "{out}"
    );
}
