//! Text a fix inserts inside an f-string's replacement field: before
//! Python 3.12 (Databricks Runtime 13 to 15 run 3.10 and 3.11) it may not
//! use the quote that ends an enclosing f-string.

use imds_lint_parser::Applicability;

use super::fixes::{apply, fixed};
use super::{findings, MD};

const FETCH: &str = "imds_token = requests.put(\"http://169.254.169.254/latest/api/token\", \
                     headers={\"X-aws-ec2-metadata-token-ttl-seconds\": \"21600\"}).text\n";

#[test]
fn a_header_inside_a_double_quoted_f_string_uses_single_quotes() {
    let code =
        format!("import requests\nURL = '{MD}'\nprint(f\"id={{requests.get(URL).text}}\")\n");
    assert_eq!(
        fixed(&code),
        format!(
            "import requests\nURL = '{MD}'\n{FETCH}print(f\"id={{requests.get(URL, \
             headers={{'X-aws-ec2-metadata-token': imds_token}}).text}}\")\n"
        )
    );
}

#[test]
fn a_header_inside_a_single_quoted_f_string_keeps_double_quotes() {
    let code = format!("import requests\nURL = '{MD}'\nprint(f'id={{requests.get(URL).text}}')\n");
    assert_eq!(
        fixed(&code),
        format!(
            "import requests\nURL = '{MD}'\n{FETCH}print(f'id={{requests.get(URL, \
             headers={{\"X-aws-ec2-metadata-token\": imds_token}}).text}}')\n"
        )
    );
}

#[test]
fn existing_headers_inside_an_f_string_use_the_other_quote() {
    let code = format!(
        "import requests\nURL = '{MD}'\nH = {{}}\n\
         print(f\"{{requests.get(URL, headers={{}}).text}} {{requests.get(URL, headers=H).text}}\")\n"
    );
    let out = fixed(&code);
    assert!(
        out.contains(
            "requests.get(URL, headers={'X-aws-ec2-metadata-token': imds_token}).text} \
             {requests.get(URL, headers={**H, 'X-aws-ec2-metadata-token': imds_token}).text}"
        ),
        "{out}"
    );
}

#[test]
fn a_triple_quoted_f_string_takes_the_other_quote() {
    let code =
        format!("import requests\nURL = '{MD}'\nprint(f\"\"\"{{requests.get(URL).text}}\"\"\")\n");
    let out = fixed(&code);
    assert!(
        out.contains("headers={'X-aws-ec2-metadata-token': imds_token}).text}\"\"\")"),
        "{out}"
    );
}

#[test]
fn a_quote_only_an_enclosing_triple_quoted_string_uses_is_taken() {
    // The inner f-string forbids `"`; the outer, triple-quoted, allows a
    // lone `'`.
    let code = format!(
        "import requests\nURL = '{MD}'\nprint(f'''{{f\"{{requests.get(URL).text}}\"}}''')\n"
    );
    let out = fixed(&code);
    assert!(
        out.contains(
            "requests.get(URL, headers={'X-aws-ec2-metadata-token': imds_token}).text}\"}''')"
        ),
        "{out}"
    );
}

#[test]
fn no_fix_when_both_quotes_end_an_enclosing_f_string() {
    let code =
        format!("import requests\nURL = '{MD}'\nprint(f\"{{f'{{requests.get(URL).text}}'}}\")\n");
    let (_, f) = findings(&code);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].fix.is_none(), "{:?}", f[0].fix);
    let help = f[0].help.as_deref().unwrap_or_default();
    assert!(help.contains("f-string"), "{help}");
}

#[test]
fn a_token_request_mended_inside_an_f_string_uses_the_other_quote() {
    let code = "import requests\n\
                print(f\"{requests.get('http://169.254.169.254/latest/api/token').text}\")\n";
    let (_, f) = findings(code);
    assert_eq!(f.len(), 1, "{f:?}");
    let fix = f[0].fix.clone().unwrap_or_else(|| panic!("no fix: {f:?}"));
    assert_eq!(fix.applicability, Applicability::Safe);
    assert_eq!(
        apply(code, fix.edits),
        "import requests\nprint(f\"{requests.put('http://169.254.169.254/latest/api/token', \
         headers={'X-aws-ec2-metadata-token-ttl-seconds': '21600'}).text}\")\n"
    );
}

#[test]
fn urlopen_wrapped_inside_an_f_string_uses_the_other_quote() {
    let code =
        format!("import urllib.request\nprint(f\"{{urllib.request.urlopen('{MD}').read()}}\")\n");
    let out = fixed(&code);
    assert!(
        out.contains(&format!(
            "urllib.request.urlopen(urllib.request.Request('{MD}', \
             headers={{'X-aws-ec2-metadata-token': imds_token}})).read()}}\")"
        )),
        "{out}"
    );
}
