//! Detection tests for Scala cells, through [`crate::check`].

use imds_lint_parser::{Cell, Lang, Origin};

use crate::{check, Finding, Rule, Settings};

const MD: &str = "http://169.254.169.254/latest/meta-data";

/// Findings of `code` as one Scala file.
fn findings(code: &str) -> Vec<Finding> {
    check(
        vec![Cell::whole_file(Lang::Scala, code)],
        &Settings::default(),
    )
    .1
}

/// `(code, source text of the range)` of each finding.
fn flagged(code: &str) -> Vec<(&'static str, String)> {
    findings(code)
        .into_iter()
        .map(|f| (f.rule.code(), code[f.range].to_owned()))
        .collect()
}

/// The source of each IMD001 finding.
fn v1(code: &str) -> Vec<String> {
    flagged(code)
        .into_iter()
        .filter(|(rule, _)| *rule == "IMD001")
        .map(|(_, text)| text)
        .collect()
}

fn with_md(template: &str) -> String {
    template.replace("%MD%", MD)
}

// --- scala.io.Source.fromURL ---------------------------------------------

#[test]
fn source_from_url_with_a_literal() {
    let code = with_md(
        "import scala.io.Source\nval region = Source.fromURL(\"%MD%/placement/region\").mkString\n",
    );
    assert_eq!(
        v1(&code),
        [with_md("Source.fromURL(\"%MD%/placement/region\")")]
    );
    let finding = &findings(&code)[0];
    assert!(
        finding.message.contains("scala.io.Source.fromURL"),
        "{}",
        finding.message
    );
    assert!(finding
        .message
        .contains("/latest/meta-data/placement/region"));
}

#[test]
fn source_from_url_fully_qualified_and_with_a_codec() {
    let code = with_md(
        "val iid = scala.io.Source.fromURL(\"%MD%/instance-id\").getLines().mkString\n\
         val az = io.Source.fromURL(\"%MD%/placement/availability-zone\")(\"UTF-8\").mkString\n",
    );
    assert_eq!(
        v1(&code),
        [
            with_md("scala.io.Source.fromURL(\"%MD%/instance-id\")"),
            with_md("io.Source.fromURL(\"%MD%/placement/availability-zone\")"),
        ]
    );
}

#[test]
fn source_from_url_under_an_alias_and_a_member_import() {
    let code = with_md(
        "import scala.io.{Source => S}\nval a = S.fromURL(\"%MD%/a\").mkString\n\
         import scala.io.Source.fromURL\nval b = fromURL(\"%MD%/b\").mkString\n",
    );
    assert_eq!(v1(&code).len(), 2);
}

#[test]
fn from_url_of_something_else_is_not_a_request() {
    let code = with_md(
        "object Source { def fromURL(u: String) = u }\nval a = fromURL(\"%MD%/a\")\n\
         val Source2 = 1\nval b = Cache.fromURL(\"%MD%/b\")\n",
    );
    assert!(v1(&code).is_empty(), "{:?}", v1(&code));
}

#[test]
fn credentials_paths_get_a_note() {
    let code = with_md(
        "val role = scala.io.Source.fromURL(\"%MD%/iam/security-credentials/\").mkString\n",
    );
    let found = findings(&code);
    assert_eq!(found.len(), 1);
    assert!(found[0].note.is_some());
}

// --- values --------------------------------------------------------------

#[test]
fn vals_interpolation_and_concatenation() {
    let code = "import scala.io.Source\n\
                val imdsBase = \"http://169.254.169.254/latest/meta-data\"\n\
                val role = Source.fromURL(s\"$imdsBase/iam/security-credentials/\").mkString\n\
                val az = Source.fromURL(s\"${imdsBase}/placement/availability-zone\").mkString\n\
                val id = Source.fromURL(imdsBase + \"/instance-id\").mkString\n\
                final val host = \"169.254.169.254\"\n\
                lazy val iid = Source.fromURL(f\"http://$host%s/latest/meta-data/instance-id\").mkString\n\
                var base = \"\"\"http://169.254.169.254/\"\"\"\n\
                val doc = Source.fromURL(base.stripSuffix(\"/\") + \"/latest/dynamic/instance-identity/document\").mkString\n";
    let found = findings(code);
    assert_eq!(found.len(), 5, "{found:#?}");
    assert!(found[4]
        .message
        .contains("/latest/dynamic/instance-identity/document"));
}

#[test]
fn object_members_are_constants() {
    let code = "object Imds {\n  val Base = \"http://169.254.169.254/latest\"\n  def url(p: String) = Base + p\n}\n\
                val a = scala.io.Source.fromURL(Imds.Base + \"/meta-data/instance-id\").mkString\n\
                import Imds._\nval b = scala.io.Source.fromURL(Base + \"/meta-data/hostname\").mkString\n";
    assert_eq!(v1(code).len(), 2, "{:?}", flagged(code));
}

#[test]
fn parameters_and_locals_shadow_constants() {
    let code = with_md(
        "val url = \"%MD%/instance-id\"\n\
         def get(url: String): String = scala.io.Source.fromURL(url).mkString\n\
         def other(): String = { val url = \"http://example.com/\"; scala.io.Source.fromURL(url).mkString }\n\
         val ok = Seq(\"x\").map(url => scala.io.Source.fromURL(url).mkString)\n",
    );
    assert!(v1(&code).is_empty(), "{:?}", v1(&code));
}

#[test]
fn a_request_inside_a_function_is_reported_once_where_written() {
    let code = with_md(
        "object Job {\n  val md = \"%MD%\"\n  def fetchInstanceMetadata(): Unit = {\n    \
         val iid = scala.io.Source.fromURL(md + \"/instance-id\").mkString\n    println(iid)\n  }\n  \
         def main(args: Array[String]): Unit = { fetchInstanceMetadata(); fetchInstanceMetadata() }\n}\n",
    );
    assert_eq!(
        v1(&code),
        [r#"scala.io.Source.fromURL(md + "/instance-id")"#]
    );
}

#[test]
fn members_may_be_used_before_they_are_written() {
    let code = with_md(
        "object Job {\n  def get() = scala.io.Source.fromURL(Md + \"/instance-id\").mkString\n  \
         val Md = \"%MD%\"\n}\n",
    );
    assert_eq!(v1(&code).len(), 1);
}

#[test]
fn a_var_assigned_in_a_branch_is_unknown() {
    let code = with_md(
        "var u = \"http://example.com/\"\nif (onAws) { u = \"%MD%/instance-id\" }\n\
         val a = scala.io.Source.fromURL(u).mkString\n\
         var w = \"http://example.com/\"\nw = \"%MD%/hostname\"\nval b = scala.io.Source.fromURL(w).mkString\n",
    );
    assert_eq!(v1(&code), ["scala.io.Source.fromURL(w)"]);
}

// --- java.net.URL --------------------------------------------------------

#[test]
fn url_open_stream() {
    let code = with_md(
        "val doc = scala.io.Source.fromInputStream(new java.net.URL(\"%MD%/instance-id\").openStream()).mkString\n\
         import java.net.URL\nval u = new URL(\"%MD%/hostname\")\nval in = u.openStream\n",
    );
    assert_eq!(
        v1(&code),
        [
            with_md("new java.net.URL(\"%MD%/instance-id\").openStream()"),
            "u.openStream".to_owned()
        ]
    );
    assert!(findings(&code)[0]
        .message
        .contains("java.net.URL.openStream"));
}

#[test]
fn url_open_connection_without_the_header() {
    let code = with_md(
        "import java.net.{URL, HttpURLConnection}\n\
         val conn = new URL(\"%MD%/instance-id\").openConnection().asInstanceOf[HttpURLConnection]\n\
         conn.setConnectTimeout(1000)\n\
         val id = scala.io.Source.fromInputStream(conn.getInputStream).mkString\n",
    );
    assert_eq!(
        v1(&code),
        [with_md("new URL(\"%MD%/instance-id\").openConnection()")]
    );
    assert!(findings(&code)[0]
        .message
        .contains("java.net.URL.openConnection"));
}

#[test]
fn url_open_connection_with_the_token_header_is_fine() {
    let code = with_md(
        "import scala.io.Source\n\
         val tokenConn = new java.net.URL(\"http://169.254.169.254/latest/api/token\").openConnection().asInstanceOf[java.net.HttpURLConnection]\n\
         tokenConn.setRequestMethod(\"PUT\")\n\
         tokenConn.setRequestProperty(\"X-aws-ec2-metadata-token-ttl-seconds\", \"21600\")\n\
         val imdsToken = Source.fromInputStream(tokenConn.getInputStream).mkString\n\
         val mdConn = new java.net.URL(\"%MD%/instance-id\").openConnection()\n\
         mdConn.setRequestProperty(\"X-aws-ec2-metadata-token\", imdsToken)\n\
         val mdValue = Source.fromInputStream(mdConn.getInputStream).mkString\n",
    );
    assert!(flagged(&code).is_empty(), "{:?}", flagged(&code));
}

#[test]
fn token_request_with_get_is_imd002() {
    let code =
        "val c = new java.net.URL(\"http://169.254.169.254/latest/api/token\").openConnection()\n\
                c.setRequestProperty(\"X-aws-ec2-metadata-token-ttl-seconds\", \"21600\")\n\
                val t = scala.io.Source.fromInputStream(c.getInputStream).mkString\n";
    assert_eq!(
        flagged(code).iter().map(|(r, _)| *r).collect::<Vec<_>>(),
        ["IMD002"]
    );
    let no_ttl = "val c = new java.net.URL(\"http://169.254.169.254/latest/api/token\").openConnection().asInstanceOf[java.net.HttpURLConnection]\n\
                  c.setRequestMethod(\"PUT\")\n";
    assert_eq!(
        flagged(no_ttl).iter().map(|(r, _)| *r).collect::<Vec<_>>(),
        ["IMD002"]
    );
}

#[test]
fn a_connection_handed_to_other_code_is_not_judged_blind() {
    let code = with_md(
        "val c = new java.net.URL(\"%MD%/instance-id\").openConnection()\nwithToken(c)\n\
         val s = scala.io.Source.fromInputStream(c.getInputStream).mkString\n",
    );
    assert!(v1(&code).is_empty());
}

#[test]
fn a_local_connection_in_a_block_is_its_own() {
    let code = with_md(
        "def get(): String = {\n  val c = new java.net.URL(\"%MD%/instance-id\").openConnection()\n  \
         c.setRequestProperty(\"X-aws-ec2-metadata-token\", token)\n  \"\"\n}\n\
         def bad(): String = {\n  val c = new java.net.URL(\"%MD%/hostname\").openConnection()\n  \"\"\n}\n",
    );
    assert_eq!(
        v1(&code),
        [with_md(
            "new java.net.URL(\"%MD%/hostname\").openConnection()"
        )]
    );
}

#[test]
fn uri_to_url() {
    let code = with_md(
        "val a = java.net.URI.create(\"%MD%/instance-id\").toURL.openStream()\n\
         val b = new java.net.URI(\"%MD%/hostname\").toURL().openConnection()\n",
    );
    assert_eq!(v1(&code).len(), 2);
}

// --- java.net.http -------------------------------------------------------

#[test]
fn http_request_builder_without_the_header() {
    let code = with_md(
        "import java.net.URI\nimport java.net.http.{HttpClient, HttpRequest, HttpResponse}\n\
         val client = HttpClient.newHttpClient()\n\
         val req = HttpRequest.newBuilder().uri(URI.create(\"%MD%/instance-id\")).GET().build()\n\
         val body = client.send(req, HttpResponse.BodyHandlers.ofString()).body()\n\
         val r2 = HttpRequest.newBuilder(new URI(\"%MD%/hostname\")).build()\n",
    );
    assert_eq!(
        v1(&code),
        [
            with_md("HttpRequest.newBuilder().uri(URI.create(\"%MD%/instance-id\")).GET().build()"),
            with_md("HttpRequest.newBuilder(new URI(\"%MD%/hostname\")).build()"),
        ]
    );
    assert!(findings(&code)[0]
        .message
        .contains("java.net.http.HttpClient"));
}

#[test]
fn http_request_builder_with_the_header_is_fine() {
    let code = with_md(
        "val tokenReq = java.net.http.HttpRequest.newBuilder(java.net.URI.create(\"http://169.254.169.254/latest/api/token\"))\n  \
         .header(\"X-aws-ec2-metadata-token-ttl-seconds\", \"21600\")\n  \
         .PUT(java.net.http.HttpRequest.BodyPublishers.noBody())\n  .build()\n\
         val req = java.net.http.HttpRequest.newBuilder()\n  .uri(java.net.URI.create(\"%MD%/instance-id\"))\n  \
         .header(\"X-aws-ec2-metadata-token\", token)\n  .build()\n\
         val b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(\"%MD%/hostname\"))\n\
         b.header(\"X-aws-ec2-metadata-token\", token)\nval r = b.build()\n",
    );
    assert!(flagged(&code).is_empty(), "{:?}", flagged(&code));
}

#[test]
fn http_request_token_get_is_imd002() {
    let code = "val r = java.net.http.HttpRequest.newBuilder(java.net.URI.create(\"http://169.254.169.254/latest/api/token\"))\
                .header(\"X-aws-ec2-metadata-token-ttl-seconds\", \"21600\").GET().build()\n";
    assert_eq!(
        flagged(code).iter().map(|(r, _)| *r).collect::<Vec<_>>(),
        ["IMD002"]
    );
}

// --- scala.sys.process ---------------------------------------------------

#[test]
fn process_strings_run_by_each_operator() {
    let code = with_md(
        "import sys.process._\n\
         val a = \"curl -s %MD%/a\".!!\n\
         val b = \"curl -s %MD%/b\".!\n\
         val c = \"curl -s %MD%/c\".lineStream.toList\n\
         val d = \"curl -s %MD%/d\" !!\n\
         val e = \"wget -qO- %MD%/e\".run()\n",
    );
    assert_eq!(
        v1(&code),
        [
            with_md("\"curl -s %MD%/a\".!!"),
            with_md("\"curl -s %MD%/b\".!"),
            with_md("\"curl -s %MD%/c\".lineStream"),
            with_md("\"curl -s %MD%/d\" !!"),
            with_md("\"wget -qO- %MD%/e\".run()"),
        ]
    );
    let message = &findings(&code)[0].message;
    assert!(message.contains("curl via sys.process"), "{message}");
}

#[test]
fn process_sequences_and_process_calls() {
    let code = with_md(
        "import scala.sys.process._\nval md = \"%MD%\"\n\
         val a = Seq(\"curl\", \"-s\", s\"$md/a\").!!\n\
         val b = Process(\"curl -s \" + md + \"/b\").!!\n\
         val c = Process(Seq(\"curl\", md + \"/c\")).!!\n\
         val d = List(\"curl\", \"--max-time\", \"2\", md + \"/d\").!!\n\
         val cmd = Seq(\"curl\", md + \"/e\")\nval e = cmd.!!\n",
    );
    let found = findings(&code);
    assert_eq!(found.len(), 5, "{found:#?}");
    assert!(found[1].message.contains("/latest/meta-data/b"));
    assert_eq!(&code[found[4].range.clone()], "cmd.!!");
}

#[test]
fn process_commands_with_the_token_or_no_request_are_fine() {
    let code = with_md(
        "import sys.process._\n\
         val t = Seq(\"curl\", \"-s\", \"-X\", \"PUT\", \"http://169.254.169.254/latest/api/token\", \"-H\", \"X-aws-ec2-metadata-token-ttl-seconds: 21600\").!!\n\
         val a = Seq(\"curl\", \"-s\", \"-H\", s\"X-aws-ec2-metadata-token: $t\", \"%MD%/a\").!!\n\
         val b = s\"curl -s -H X-aws-ec2-metadata-token:$t %MD%/b\".!!\n\
         val c = \"echo %MD%/c\".!!\n\
         val d = \"ping -c1 169.254.169.254\".!\n\
         val e = Seq(\"curl\", opts: _*).!!\n",
    );
    assert!(flagged(&code).is_empty(), "{:?}", flagged(&code));
}

#[test]
fn process_pipelines_run_each_command() {
    let code =
        with_md("import sys.process._\nval r = (\"curl -s %MD%/iam/info\" #| \"jq .\").!!\n");
    assert_eq!(
        v1(&code),
        [with_md("(\"curl -s %MD%/iam/info\" #| \"jq .\").!!")]
    );
}

#[test]
fn ec2metadata_through_process_is_imd003() {
    let code = "import sys.process._\nval id = \"ec2metadata --instance-id\".!!\n";
    assert_eq!(
        flagged(code),
        [("IMD003", "\"ec2metadata --instance-id\".!!".to_owned())]
    );
}

#[test]
fn shell_code_run_by_bash_is_a_nested_cell() {
    let code = with_md(
        "import sys.process._\nval r = Seq(\"bash\", \"-c\", \"curl -s %MD%/instance-id | tr -d x\").!!\n",
    );
    let (cells, found) = check(
        vec![Cell::whole_file(Lang::Scala, &code)],
        &Settings::default(),
    );
    assert_eq!(cells.len(), 2);
    assert_eq!(cells[1].lang, Lang::Shell);
    assert_eq!(cells[1].code, with_md("curl -s %MD%/instance-id | tr -d x"));
    // The nested cell maps back into the Scala string.
    let at = cells[1].map.file_range(0..4);
    assert_eq!(&code[at], "curl");
    assert_eq!(
        found.iter().map(|f| f.cell).collect::<Vec<_>>(),
        [1],
        "{found:#?}"
    );
}

// --- not findings --------------------------------------------------------

#[test]
fn mentions_are_not_requests() {
    let code = "// executors cannot reach 169.254.169.254 (blocked by the cluster policy)\n\
                /* http://169.254.169.254/latest/meta-data/ */\n\
                val url = \"http://169.254.169.254/latest/meta-data/instance-id\"\n\
                println(url)\n\
                spark.conf.set(\"spark.hadoop.fs.s3a.proxy.nonProxyHosts\", \"169.254.169.254|localhost\")\n\
                val blocked = Set(\"169.254.169.254\", \"metadata.google.internal\")\n\
                val r = scala.io.Source.fromURL(\"http://example.com/latest/meta-data/\").mkString\n\
                val s = \"echo 169.254.169.254\".!!\n";
    assert!(flagged(code).is_empty(), "{:?}", flagged(code));
}

#[test]
fn other_clouds_are_not_imdsv1() {
    let code = "val c = new java.net.URL(\"http://169.254.169.254/computeMetadata/v1/instance/id\").openConnection()\n\
                c.setRequestProperty(\"Metadata-Flavor\", \"Google\")\n\
                val a = scala.io.Source.fromURL(\"http://169.254.169.254/metadata/instance?api-version=2021-02-01\").mkString\n";
    assert!(flagged(code).is_empty(), "{:?}", flagged(code));
}

// --- notebooks -----------------------------------------------------------

fn notebook_cell(code: &str, number: usize) -> Cell {
    let mut cell = Cell::whole_file(Lang::Scala, code);
    cell.number = Some(number);
    cell.origin = Origin::NotebookCell;
    cell
}

#[test]
fn cells_share_top_level_vals_in_order() {
    let cells = vec![
        notebook_cell(&with_md("val imdsBase = \"%MD%\"\n"), 1),
        notebook_cell(
            "val id = scala.io.Source.fromURL(s\"$imdsBase/instance-id\").mkString\n",
            2,
        ),
        notebook_cell("val imdsBase = \"http://example.com\"\n", 3),
        notebook_cell(
            "val id2 = scala.io.Source.fromURL(s\"$imdsBase/instance-id\").mkString\n",
            4,
        ),
    ];
    let (_, found) = check(cells, &Settings::default());
    assert_eq!(found.iter().map(|f| f.cell).collect::<Vec<_>>(), [1]);
    assert_eq!(found[0].rule, Rule::MetadataRequestWithoutToken);
}

#[test]
fn disabled_rules_stay_quiet() {
    let code = with_md("val a = scala.io.Source.fromURL(\"%MD%/instance-id\").mkString\n");
    let settings = Settings {
        rules: vec![Rule::MalformedTokenRequest],
        ..Settings::default()
    };
    let (_, found) = check(vec![Cell::whole_file(Lang::Scala, &code)], &settings);
    assert!(found.is_empty());
}

#[test]
fn deep_nesting_does_not_overflow() {
    let code = format!(
        "val a = {}scala.io.Source.fromURL(\"{MD}/x\"){}\n",
        "(".repeat(20_000),
        ")".repeat(20_000)
    );
    let found = findings(&code);
    assert!(found.len() <= 1);
    let blocks = format!("def f() = {}1{}\n", "{ ".repeat(5_000), " }".repeat(5_000));
    assert!(findings(&blocks).is_empty());
}

/// Cluster init scripts were written from Scala notebooks too:
/// `dbutils.fs.put` of a `.sh` file, or of contents starting with a
/// shell's `#!` line, writes shell code, fixed where it is written.
#[test]
fn init_scripts_a_notebook_writes_are_shell_code() {
    for template in [
        "dbutils.fs.put(\"dbfs:/databricks/init/tag.sh\", \"\"\"\ncurl -s %MD%/instance-id\n\"\"\", true)\n",
        "dbutils.fs.put(\"/init/x\", \"#!/bin/bash\\ncurl -s %MD%/instance-id\\n\", true)\n",
        "val key = \"ami-id\"\ndbutils.fs.put(\"/init/x.sh\", s\"\"\"curl -s %MD%/$key\"\"\")\n",
        // From a fresh tester: named arguments, and a path held in a val.
        "dbutils.fs.put(file = \"/init/a.sh\", contents = \"\"\"curl -s %MD%/instance-id\"\"\", overwrite = true)\n",
        "dbutils.fs.put(contents = \"\"\"curl -s %MD%/instance-id\"\"\", file = \"/init/a.sh\")\n",
        "val p = \"/init/a.sh\"\ndbutils.fs.put(p, \"\"\"curl -s %MD%/instance-id\"\"\", true)\n",
        "val md = \"%MD%\"\ndbutils.fs.put(\"/init/a.sh\", s\"\"\"curl -s ${md}/instance-id\"\"\", true)\n",
    ] {
        let code = with_md(template);
        let (cells, found) = check(
            vec![Cell::whole_file(Lang::Scala, &code)],
            &Settings::default(),
        );
        assert_eq!(found.len(), 1, "{code}\n{found:?}");
        assert_eq!(cells[found[0].cell].lang, Lang::Shell, "{code}");
        assert!(found[0].fix.is_some(), "{code}\n{found:?}");
    }
    for template in [
        "dbutils.fs.put(\"/tmp/notes.txt\", \"see curl -s %MD%/instance-id\")\n",
        "dbutils.fs.head(\"/init/x.sh\")\n",
    ] {
        assert_eq!(findings(&with_md(template)), Vec::new(), "{template}");
    }
}

// --- URLs that the code's own functions return ----------------------------

#[test]
fn a_url_a_function_builds_from_its_argument() {
    let code = with_md(
        "import scala.io.Source\nval Md = \"%MD%\"\ndef mdUrl(p: String) = s\"$Md/$p\"\n\
         val id = Source.fromURL(mdUrl(\"instance-id\")).mkString\n",
    );
    assert_eq!(v1(&code), ["Source.fromURL(mdUrl(\"instance-id\"))"]);
    // An object's method, called through the object.
    let code = with_md(
        "object Imds {\n  def url(p: String): String = \"%MD%/\" + p\n}\n\
         val id = scala.io.Source.fromURL(Imds.url(\"instance-id\")).mkString\n",
    );
    assert_eq!(
        v1(&code),
        ["scala.io.Source.fromURL(Imds.url(\"instance-id\"))"]
    );
    // Empty parentheses, and a `java.net.URL` of the result.
    let code = with_md(
        "def base(): String = \"%MD%\"\nval c = new java.net.URL(base() + \"/ami-id\").openConnection()\n\
         val s = scala.io.Source.fromInputStream(c.getInputStream).mkString\n",
    );
    assert_eq!(v1(&code).len(), 1, "{:?}", flagged(&code));
}

#[test]
fn the_host_a_function_is_given_decides() {
    let define = "def url(host: String) = s\"http://$host/latest/meta-data/\"\n";
    let code =
        format!("{define}val a = scala.io.Source.fromURL(url(\"169.254.169.254\")).mkString\n");
    assert_eq!(v1(&code).len(), 1, "{:?}", flagged(&code));
    let code = format!("{define}val a = scala.io.Source.fromURL(url(\"example.com\")).mkString\n");
    assert!(v1(&code).is_empty(), "{:?}", flagged(&code));
    let code = format!("{define}val a = scala.io.Source.fromURL(url(host)).mkString\n");
    assert!(v1(&code).is_empty(), "{:?}", flagged(&code));
}

#[test]
fn overloaded_defs_are_not_read() {
    for code in [
        "def url(p: String) = \"https://example.com/\" + p\ndef url(p: String, q: String) = \"%MD%/\" + p + q\n\
         val a = scala.io.Source.fromURL(url(\"instance-id\")).mkString\n",
        "object O {\n  def url(i: Int) = \"https://example.com/item/\" + i\n  def url(p: String) = \"%MD%/\" + p\n}\n\
         val a = scala.io.Source.fromURL(O.url(5)).mkString\n",
    ] {
        let code = with_md(code);
        assert!(v1(&code).is_empty(), "{:?}", flagged(&code));
    }
}

#[test]
fn an_object_hidden_by_a_local_name_is_not_read_through() {
    let define = with_md("object Imds {\n  def url(p: String) = \"%MD%/\" + p\n}\n");
    for using in [
        "def b(Imds: Wrapper) = scala.io.Source.fromURL(Imds.url(\"y\")).mkString\n",
        "def c() = { val Imds = new Wrapper; scala.io.Source.fromURL(Imds.url(\"y\")).mkString }\n",
        "val Imds = new Wrapper\nval d = scala.io.Source.fromURL(Imds.url(\"y\")).mkString\n",
    ] {
        let code = format!("{define}{using}");
        assert!(v1(&code).is_empty(), "{:?}", flagged(&code));
    }
}

#[test]
fn a_def_called_with_type_arguments() {
    let code = with_md(
        "def typed[T](p: T) = \"%MD%/\" + p\nval a = scala.io.Source.fromURL(typed[String](\"local-ipv4\")).mkString\n",
    );
    assert_eq!(v1(&code).len(), 1, "{:?}", flagged(&code));
}

#[test]
fn a_def_reading_a_var_is_not_read() {
    let code = with_md(
        "var Md = \"%MD%\"\ndef url(p: String) = Md + \"/\" + p\nMd = \"https://example.com\"\n\
         val a = scala.io.Source.fromURL(url(\"y\")).mkString\n",
    );
    assert!(v1(&code).is_empty(), "{:?}", flagged(&code));
}

#[test]
fn a_doubling_def_chain_keeps_messages_short() {
    let mut code = String::from("def f0(p: String) = \"%MD%/\" + p\n");
    for i in 1..=40 {
        let before = i - 1;
        code += &["def f", &i.to_string(), "(p: String) = f"].concat();
        code += &[&before.to_string(), "(p) + f", &before.to_string(), "(p)\n"].concat();
    }
    code.push_str("val a = scala.io.Source.fromURL(f40(\"x\")).mkString\n");
    let found = findings(&with_md(&code));
    assert_eq!(found.len(), 1);
    assert!(found[0].message.len() < 8192, "{}", found[0].message.len());
}

#[test]
fn an_object_var_assigned_elsewhere() {
    let define = with_md("object Cfg {\n  var Base = \"%MD%/\"\n}\n");
    let code = format!("{define}Cfg.Base = \"https://example.com/\"\nval a = scala.io.Source.fromURL(Cfg.Base + \"c\").mkString\n");
    assert!(v1(&code).is_empty(), "{:?}", flagged(&code));
    let code = format!(
        "{define}object Main {{\n  def main(): Unit = {{\n    Cfg.Base = \"https://example.com/\"\n    \
         println(scala.io.Source.fromURL(Cfg.Base + \"c\").mkString)\n  }}\n}}\n"
    );
    assert!(v1(&code).is_empty(), "{:?}", flagged(&code));
}

#[test]
fn an_object_var_is_not_read_from_outside() {
    let define = with_md("object Cfg {\n  var Base = \"%MD%/\"\n}\n");
    for change in [
        "import Cfg._\nBase = \"http://example.com/\"\n",
        "val c = Cfg\nc.Base = \"http://example.com/\"\n",
        "Cfg.Base_=(\"http://example.com/\")\n",
    ] {
        let code =
            format!("{define}{change}val a = scala.io.Source.fromURL(Cfg.Base + \"c\").mkString\n");
        assert!(v1(&code).is_empty(), "{:?}", flagged(&code));
    }
}
