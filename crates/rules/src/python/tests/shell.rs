//! Shell run from Python: subprocess and os.

use super::{findings, found, quiet, MD};

#[test]
fn shell_strings_become_nested_shell_cells() {
    let (cells, f) = findings(&format!(
        "import subprocess\nsubprocess.run('curl -s {MD}instance-id > /tmp/x', shell=True)\n"
    ));
    assert_eq!(f.len(), 1, "{f:?}");
    let nested = &cells[f[0].cell];
    assert_eq!(nested.lang, imds_lint_parser::Lang::Shell);
    assert!(nested.code[f[0].range.clone()].starts_with("curl -s"));
    // The nested cell maps back into the Python string.
    let file = nested.map.file_range(f[0].range.clone());
    let host = &cells[0].code;
    assert!(host[file].starts_with("curl -s http://169.254.169.254"));
}

#[test]
fn os_system_and_popen() {
    let got = found(&format!(
        "import os\nos.system('wget -qO- {MD} >> /tmp/info')\n"
    ));
    assert_eq!(got.len(), 1, "{got:?}");
    let got = found(&format!(
        "import os\nout = os.popen(\"curl -s {MD}\").read()\n"
    ));
    assert_eq!(got.len(), 1, "{got:?}");
    quiet("import os\nos.system('ls -la /tmp')\n");
}

#[test]
fn f_string_commands_see_python_names() {
    let got = found(&format!(
        "import os\nMD = '{MD}'\nos.system(f'curl -s {{MD}}instance-id')\n"
    ));
    assert_eq!(got.len(), 1, "{got:?}");
}

#[test]
fn argv_lists() {
    let got = found(&format!(
        "import subprocess\niid = subprocess.check_output(['curl', '-s', '{MD}'], text=True)\n"
    ));
    assert_eq!(
        got,
        [format!(
            "IMD001 subprocess.check_output(['curl', '-s', '{MD}'], text=True)"
        )]
    );
    let got = found(&format!(
        "from subprocess import run\nMD = '{MD}'\nrun(['curl', '-s', MD + 'instance-id'])\n"
    ));
    assert_eq!(got.len(), 1, "{got:?}");
    quiet(&format!(
        "import subprocess\nsubprocess.run(['curl', '-H', 'X-aws-ec2-metadata-token: ' + t, '{MD}'])\n"
    ));
    quiet("import subprocess\nsubprocess.run(['ls', '-la'])\n");
}

/// A list command that runs its request on another machine or in a
/// container is reported with help, not fixed with a token fetched here.
#[test]
fn argv_lists_run_elsewhere_get_help_not_a_fix() {
    for command in [
        "['ssh', host, 'curl', '-s', '{MD}']",
        "['docker', 'exec', 'agent', 'curl', '-s', '{MD}']",
        "['watch', '-n', '5', 'curl', '-s', '{MD}']",
    ] {
        let code = format!(
            "import subprocess\nsubprocess.run({})\n",
            command.replace("{MD}", MD)
        );
        let (_, f) = findings(&code);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].fix.is_none(), "{f:?}");
        assert!(
            f[0].help
                .as_deref()
                .is_some_and(|h| h.starts_with("no automatic fix: ")),
            "{f:?}"
        );
    }
    // Here, once, it is fixed.
    let (_, f) = findings(&format!(
        "import subprocess\nsubprocess.run(['flock', '/tmp/l', 'curl', '-s', '{MD}'])\n"
    ));
    assert!(f[0].fix.is_some(), "{f:?}");
}

#[test]
fn argv_with_shell_true_or_bash_c() {
    let got = found(&format!(
        "import subprocess\nsubprocess.run(['curl -s {MD}'], shell=True)\n"
    ));
    assert_eq!(got.len(), 1, "{got:?}");
    let got = found(&format!(
        "import subprocess\nsubprocess.run(['bash', '-c', 'curl -s {MD}'])\n"
    ));
    assert_eq!(got.len(), 1, "{got:?}");
}

#[test]
fn commands_built_at_run_time() {
    let got = found(&format!(
        "import subprocess\nMD = '{MD}'\nsubprocess.run('curl -s ' + MD, shell=True)\n"
    ));
    assert_eq!(got, ["IMD001 subprocess.run('curl -s ' + MD, shell=True)"]);
    let got = found(&format!(
        "import subprocess\ncmd = ['curl', '{MD}']\nsubprocess.run(cmd)\n"
    ));
    assert_eq!(got.len(), 1, "{got:?}");
}

/// Found by a tester: a string split with `str.split` was not read as a
/// command, so its request went unreported. It is reported, with help: no
/// list literal holds its words. A list joined to a part not known may
/// hold the header there, as a shell array may: not reported.
#[test]
fn commands_split_with_str_split() {
    for code in [
        format!("import subprocess\na = subprocess.run('curl -s {MD}a8'.split(), capture_output=True)\n"),
        format!("import subprocess\nMD = '{MD}'\nsubprocess.run(f'wget -qO- {{MD}}mac'.split(' '))\n"),
    ] {
        let (_, f) = findings(&code);
        assert_eq!(f.len(), 1, "{code}: {f:?}");
        assert!(f[0].fix.is_none(), "{f:?}");
        assert!(f[0].help.is_some(), "{f:?}");
    }
    quiet(&format!(
        "import subprocess\nsubprocess.run('curl -H X-aws-ec2-metadata-token:t {MD}'.split())\n"
    ));
    quiet(&format!(
        "import subprocess\nsubprocess.run('ls -la {MD}'.split())\n"
    ));
    quiet(&format!(
        "import subprocess, sys\nsubprocess.run(['curl', '-s'] + sys.argv[1:] + ['{MD}ami-id'])\n"
    ));
    // `split` on another separator is not a command's words.
    quiet(&format!(
        "import subprocess\nsubprocess.run('curl,{MD}'.split('/'))\n"
    ));
}

/// The help of a command built at run time says which commands get a fix
/// (a tester found it naming list literals only, next to a string
/// command that was fixed).
#[test]
fn the_help_of_a_command_built_at_run_time_names_what_is_fixed() {
    let (_, f) = findings(&format!(
        "import subprocess\nBASE = '{MD}'\nsubprocess.check_output('curl -s ' + BASE + 'instance-id', shell=True)\n"
    ));
    let help = f[0].help.as_deref().unwrap_or_default();
    assert!(help.contains("one string literal"), "{help}");
}

#[test]
fn ec2metadata_is_imdsv1_only() {
    let got = found("import subprocess\nsubprocess.run(['ec2metadata', '--instance-id'])\n");
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].starts_with("IMD003"));
}

#[test]
fn raw_strings_get_no_fix_they_cannot_hold() {
    // `-H "..."` cannot be written inside r"...": no fix is offered.
    let (_, f) = findings(&format!("import os\nos.system(r\"curl -s {MD}x\")\n"));
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].fix.is_none(), "{f:?}");
    let help = f[0].help.as_deref().unwrap_or_default();
    assert!(help.contains("raw"), "{help}");
    // r'...' holds it.
    let (_, f) = findings(&format!("import os\nos.system(r'curl -s {MD}x')\n"));
    assert!(f[0].fix.is_some(), "{f:?}");
}

/// Cluster init scripts were written from notebooks with
/// `dbutils.fs.put`: a script named `.sh`, or starting with a shell's
/// `#!` line, is shell code, fixed where it is written.
#[test]
fn init_scripts_a_notebook_writes_are_shell_code() {
    for code in [
        format!("dbutils.fs.put('dbfs:/databricks/init/tag.sh', '''\ncurl -s {MD}instance-id\n''', True)\n"),
        format!("dbutils.fs.put(\"/init/x\", \"\"\"#!/usr/bin/env bash\ncurl -s {MD}instance-id\n\"\"\")\n"),
        format!("dbutils.fs.put(file='/init/x.bash', contents='#!/bin/sh\\ncurl -s {MD}instance-id\\n', overwrite=True)\n"),
    ] {
        let (cells, f) = findings(&code);
        assert_eq!(f.len(), 1, "{code}\n{f:?}");
        assert_eq!(cells[f[0].cell].lang, imds_lint_parser::Lang::Shell, "{code}");
        assert!(f[0].fix.is_some(), "{code}\n{f:?}");
    }
    // Not a shell script: a file of data, or Python.
    for code in [
        format!("dbutils.fs.put('/tmp/notes.txt', 'see curl -s {MD}instance-id')\n"),
        format!("dbutils.fs.put('/tmp/x.py', '#!/usr/bin/env python3\\nprint(1) # curl {MD}')\n"),
    ] {
        quiet(&code);
    }
}

/// A fresh tester: Python run from shell code in an f-string showed a safe
/// fix that `--fix` refused: the fix writes `{...}`, which the f-string
/// reads as its own expression. Such a fix is withheld, with help.
#[test]
fn a_fix_an_f_string_would_read_as_its_own_is_withheld() {
    let code = format!(
        "import os\nos.system(f\"\"\"python3 - <<'PY'\nimport requests\nr = requests.get(\"{MD}instance-id\")\nPY\"\"\")\n"
    );
    let (cells, f) = findings(&code);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(cells[f[0].cell].lang, imds_lint_parser::Lang::Python);
    assert!(f[0].fix.is_none(), "{f:?}");
    assert!(
        f[0].help
            .as_deref()
            .is_some_and(|h| h.contains("cannot hold")),
        "{f:?}"
    );
    // Without the `f` the same fix is written.
    let (_, f) = findings(&code.replacen("f\"\"\"", "\"\"\"", 1));
    assert!(f[0].fix.is_some(), "{f:?}");
}

/// A fresh tester: in an f-string, a shell fix copied the request's
/// written base `${BASE}` (written `${{BASE}}` in the literal) into the
/// token request as `${BASE}`, which Python then read as an expression.
/// In an f-string the token URL is written with its literal base instead.
#[test]
fn an_f_string_fix_writes_no_braces_python_would_read() {
    let code = "import os\nos.system(f\"BASE=http://169.254.169.254; \
                curl -s ${{BASE}}/latest/meta-data/instance-id\")\n";
    let (_, f) = findings(code);
    assert_eq!(f.len(), 1, "{f:?}");
    let fix = f[0].fix.as_ref().unwrap_or_else(|| panic!("{f:?}"));
    for edit in &fix.edits {
        assert!(!edit.content.contains(['{', '}']), "{fix:?}");
    }
    assert!(
        fix.edits.iter().any(|e| e
            .content
            .contains("http://169.254.169.254/latest/api/token")),
        "{fix:?}"
    );
}

#[test]
fn commands_split_by_shlex() {
    // A tester's run against a mock found this one missed: `shlex.split`
    // of a string is an argv list, with no shell to run a token fetch in,
    // so the finding comes with help and no fix.
    for code in [
        format!("import shlex, subprocess\nsubprocess.check_output(shlex.split('curl -s {MD}instance-id'), text=True)\n"),
        format!("import subprocess\nfrom shlex import split\nMD = '{MD}'\nsubprocess.run(split(f'wget -qO- {{MD}}mac'))\n"),
        format!("import shlex, subprocess\ncmd = shlex.split(\"curl -s '{MD}ami-id'\")\nsubprocess.run(cmd)\n"),
    ] {
        let (_, f) = findings(&code);
        assert_eq!(f.len(), 1, "{code}: {f:?}");
        assert!(f[0].fix.is_none(), "{f:?}");
        assert!(f[0].help.is_some(), "{f:?}");
    }
    quiet(&format!(
        "import shlex, subprocess\nsubprocess.run(shlex.split('curl -H \"X-aws-ec2-metadata-token: t\" {MD}'))\n"
    ));
    quiet("import shlex, subprocess\nsubprocess.run(shlex.split('ls -la'))\n");
    // With `shell=True` the shell runs the first word alone (the rest are
    // its `$0`, `$1`...), as with a list written out.
    quiet(&format!(
        "import shlex, subprocess\nsubprocess.run(shlex.split('curl -s {MD}'), shell=True)\n"
    ));
}
