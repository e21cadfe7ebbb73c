//! Fixes of requests in a class body: a comprehension or lambda there
//! cannot see the class's names, so its token is fetched where it can see
//! it, before the class statement.

use imds_lint_parser::Applicability;

use super::findings;
use super::fixes::fixed;

const MD: &str = "MD = \"http://169.254.169.254/latest/meta-data/\"\n";
const FETCH: &str = "imds_token = requests.put(\"http://169.254.169.254/latest/api/token\", \
                     headers={\"X-aws-ec2-metadata-token-ttl-seconds\": \"21600\"}).text\n";
const HEADER: &str = "headers={\"X-aws-ec2-metadata-token\": imds_token}";

#[test]
fn a_comprehension_or_lambda_in_a_class_body_gets_its_token_before_the_class() {
    let code = format!(
        "import requests\n{MD}class Facts:\n    \
         IDS = [requests.get(MD + p).text for p in (\"instance-id\", \"ami-id\")]\n    \
         HOST = (lambda: requests.get(MD + \"hostname\").text)()\n"
    );
    assert_eq!(
        fixed(&code),
        format!(
            "import requests\n{MD}{FETCH}class Facts:\n    \
             IDS = [requests.get(MD + p, {HEADER}).text for p in (\"instance-id\", \"ami-id\")]\n    \
             HOST = (lambda: requests.get(MD + \"hostname\", {HEADER}).text)()\n"
        )
    );
    let (_, f) = findings(&code);
    for finding in &f {
        assert_eq!(
            finding.fix.as_ref().map(|x| x.applicability),
            Some(Applicability::Safe)
        );
    }
}

#[test]
fn a_class_in_a_function_gets_the_token_in_the_function() {
    let code = format!(
        "import requests\n{MD}def facts():\n    class Facts:\n        \
         IDS = [requests.get(MD + p).text for p in (\"instance-id\",)]\n    return Facts\n"
    );
    assert_eq!(
        fixed(&code),
        format!(
            "import requests\n{MD}def facts():\n    {FETCH}    class Facts:\n        \
             IDS = [requests.get(MD + p, {HEADER}).text for p in (\"instance-id\",)]\n    \
             return Facts\n"
        )
    );
}

#[test]
fn a_nested_class_gets_the_token_before_the_outermost_class() {
    let code = format!(
        "import requests\n{MD}class Outer:\n    class Inner:\n        \
         HOST = (lambda: requests.get(MD + \"hostname\").text)()\n"
    );
    assert_eq!(
        fixed(&code),
        format!(
            "import requests\n{MD}{FETCH}class Outer:\n    class Inner:\n        \
             HOST = (lambda: requests.get(MD + \"hostname\", {HEADER}).text)()\n"
        )
    );
}

#[test]
fn a_plain_request_in_a_class_body_keeps_its_token_in_the_body() {
    let code = format!(
        "import requests\n{MD}class Facts:\n    ID = requests.get(MD + \"instance-id\").text\n"
    );
    assert_eq!(
        fixed(&code),
        format!(
            "import requests\n{MD}class Facts:\n    {FETCH}    \
             ID = requests.get(MD + \"instance-id\", {HEADER}).text\n"
        )
    );
}

#[test]
fn a_comprehension_in_a_method_gets_the_token_in_the_method() {
    let code = format!(
        "import requests\n{MD}class Facts:\n    def ids(self):\n        \
         return [requests.get(MD + p).text for p in (\"instance-id\",)]\n"
    );
    assert_eq!(
        fixed(&code),
        format!(
            "import requests\n{MD}class Facts:\n    def ids(self):\n        {FETCH}        \
             return [requests.get(MD + p, {HEADER}).text for p in (\"instance-id\",)]\n"
        )
    );
}

#[test]
fn a_comprehension_in_a_class_body_reuses_a_module_token_not_a_class_one() {
    let put = "requests.put(\"http://169.254.169.254/latest/api/token\", \
               headers={\"X-aws-ec2-metadata-token-ttl-seconds\": \"60\"}).text";
    let code = format!(
        "import requests\n{MD}tok = {put}\nclass Facts:\n    \
         IDS = [requests.get(MD + p).text for p in (\"instance-id\",)]\n"
    );
    let out = fixed(&code);
    assert!(
        out.contains("headers={\"X-aws-ec2-metadata-token\": tok}"),
        "{out}"
    );
    assert_eq!(out.matches("api/token").count(), 1, "{out}");

    let code = format!(
        "import requests\n{MD}class Facts:\n    tok = {put}\n    \
         IDS = [requests.get(MD + p).text for p in (\"instance-id\",)]\n"
    );
    assert_eq!(
        fixed(&code),
        format!(
            "import requests\n{MD}{FETCH}class Facts:\n    tok = {put}\n    \
             IDS = [requests.get(MD + p, {HEADER}).text for p in (\"instance-id\",)]\n"
        )
    );
}
