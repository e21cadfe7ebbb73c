//! Scala: finds `Source.fromURL`, `java.net.URL`, `HttpClient` and
//! `sys.process` requests.
//!
//! A cell is walked once in source order ([`walk`]): scopes open and close,
//! `val`s bind constants, and each request shape of `grammars/scala.scm`
//! ([`shapes`]) is read with the names in scope where it is written. A
//! notebook's Scala cells share one interpreter, so the top-level names of
//! one cell are seen by the next.
//!
//! Known limits: values are followed through `val`s, object members,
//! parameterless `def`s, calls of `def`s with one parameter list and an
//! expression body ([`returns`]), concatenation, interpolation and a few
//! string methods, not through other calls; a connection given its header in a
//! later cell is reported; `new URL(u) #> file` (a download through
//! `sys.process`) and HTTP libraries other than `scala.io`, `java.net` and
//! `java.net.http` (sttp, scalaj-http, requests-scala) are not seen.

mod clients;
mod fix;
mod imports;
mod literal;
mod process;
mod process_request;
mod returns;
mod scope;
mod shapes;
mod token_request;
mod value;
mod walk;

use imds_lint_parser::strings::{self, Decoded};
use imds_lint_parser::{Cell, Interpolation, Lang, Layer};

use crate::finding::{withhold_fixes_in_unparsed_code, Finding, Rule};
use crate::request::TTL_HEADER;
use crate::rules::{self, imd002_malformed_token_request::MAX_TTL};
use crate::text::Env;
use crate::FileCheck;
use scope::Globals;

/// Scala analysis state shared by the cells of one notebook.
#[derive(Debug, Default)]
pub struct Analyzer {
    /// Top-level names the cells so far bound.
    globals: Globals,
}

impl Analyzer {
    /// Analyses Scala cell `index`.
    pub fn check_cell(&mut self, file: &mut FileCheck, index: usize) {
        let code = file.cells[index].code.clone();
        let Some(tree) = file.parse(index, Lang::Scala, &code, &[]) else {
            return;
        };
        if file.analysing_whole(index) {
            file.note_parse(index, tree.root_node().has_error());
        }

        let mut outcome = walk::walk(&tree, &code, &self.globals);
        // Cells left out of analysis (see `focus`) may use the names a fix
        // would take.
        let hidden = file
            .hidden_names(index, Lang::Scala, &file.settings.token_variable.scala)
            .into_iter()
            .chain(file.hidden_names(index, Lang::Scala, fix::CONNECTION));
        let fixer = fix::Fixer::new(
            &code,
            tree.root_node(),
            file.settings,
            outcome.globals.keys().cloned().chain(hidden),
        );
        self.globals = outcome.globals;

        // Commands run through sys.process join the requests; shell code
        // they run becomes a nested cell.
        let mut nested = Vec::new();
        for (script, strings) in &outcome.scripts {
            if let Some(decoded) = strings::scala_literal(&code[script.clone()]) {
                nested.push((decoded.shifted(script.start), strings));
            }
        }
        for run in &outcome.processes {
            match process_request::read(run, &code, index) {
                process_request::Read::Request(found) => outcome.found.push(found),
                process_request::Read::Finding(finding) => {
                    if file.settings.enabled(finding.rule) {
                        file.findings.push(finding);
                    }
                }
                process_request::Read::Shell(decoded) => nested.push((decoded, &run.strings)),
                process_request::Read::Nothing => {}
            }
        }
        outcome
            .found
            .sort_by_key(|f| (f.request.range.start, f.request.range.end));

        // Judge every request; those without a token get fixed together,
        // so that they share one token fetch per function.
        let mut findings = Vec::new();
        let mut needs = Vec::new();
        for found in &outcome.found {
            let Some(judgement) = rules::judge(&found.request) else {
                continue;
            };
            if !file.settings.enabled(judgement.rule) {
                continue;
            }
            let mut finding = Finding::new(
                judgement.rule,
                index,
                found.request.range.clone(),
                judgement.message,
            );
            finding.note = judgement.note;
            match judgement.rule {
                Rule::MetadataRequestWithoutToken => needs.push((
                    findings.len(),
                    fix::Need {
                        found,
                        base: judgement.endpoint.token_base(&found.request.url),
                    },
                )),
                Rule::MalformedTokenRequest => match fixer.mend(found) {
                    Ok(fix) => finding.fix = Some(fix),
                    Err(why) => {
                        finding.help = Some(format!(
                            "send the token request with PUT and a `{TTL_HEADER}` header of 1 \
                             to {MAX_TTL} seconds (no automatic fix: {why})"
                        ));
                    }
                },
                Rule::Imdsv1OnlyClient => {}
            }
            findings.push(finding);
        }

        let requests: Vec<fix::Need<'_>> = needs.iter().map(|(_, need)| need.clone()).collect();
        for ((at, _), fix) in needs.iter().zip(fixer.fixes(&requests)) {
            match fix {
                Ok(fix) => findings[*at].fix = Some(fix),
                Err(why) => findings[*at].help = Some(format!("no automatic fix: {why}")),
            }
        }
        if tree.root_node().has_error() {
            withhold_fixes_in_unparsed_code(&mut findings, "Scala");
        }
        file.findings.extend(findings);

        add_nested_shell(file, index, nested);
    }
}

/// Adds the shell code of cell `index`'s strings as nested cells, each
/// with the string values it can see.
fn add_nested_shell(file: &mut FileCheck, index: usize, nested: Vec<(Decoded, &Env)>) {
    for (decoded, strings) in nested {
        let quotes_unwritable = decoded.layer == Layer::ScalaString { triple: false }
            && decoded.interpolation == Interpolation::Dollar;
        let first = file.cells.len();
        let cell = Cell::nested(
            &file.cells[index],
            index,
            decoded.code,
            &decoded.map,
            decoded.layer,
            decoded.interpolation,
        );
        file.add_nested_shell(cell, strings);
        if quotes_unwritable {
            withhold_quoting_fixes(file, first);
        }
    }
}

/// Drops the fixes of the shell cells from `first` on that would write a
/// `"`: inside an `s"..."`, `f"..."` or `raw"..."` string it can only be
/// written `\"`, which Scala 2.11 and 2.12 read as the end of the string.
/// A triple-quoted string takes `"` as it is, a plain one takes `\"`.
fn withhold_quoting_fixes(file: &mut FileCheck, first: usize) {
    for finding in file.findings.iter_mut().filter(|f| f.cell >= first) {
        let quotes = finding
            .fix
            .as_ref()
            .is_some_and(|fix| fix.edits.iter().any(|e| e.content.contains('"')));
        if quotes {
            finding.fix = None;
            finding.help = Some(
                "no automatic fix: the fix would write `\\\"` in an interpolated Scala string, \
                 which Scala 2.11 and 2.12 do not accept; make the string triple-quoted \
                 (`s\"\"\"...\"\"\"`) and fix again, or send `-H 'X-aws-ec2-metadata-token: ${token}'` \
                 with a token fetched in Scala"
                    .to_owned(),
            );
        }
    }
}

#[cfg(test)]
mod fix_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod token_request_tests;

/// The kind of a node of a Scala tree (see [`imds_lint_parser::syntax::kind_name`]).
pub(crate) fn kind_of<'t>(node: impl std::borrow::Borrow<tree_sitter::Node<'t>>) -> &'t str {
    imds_lint_parser::syntax::kind_name(imds_lint_parser::Lang::Scala, *node.borrow())
}

/// The child of a node of a Scala tree in one of its fields (see
/// [`imds_lint_parser::syntax::field_child`]).
pub(crate) fn child_in<'t>(
    node: impl std::borrow::Borrow<tree_sitter::Node<'t>>,
    field: &str,
) -> Option<tree_sitter::Node<'t>> {
    imds_lint_parser::syntax::field_child(imds_lint_parser::Lang::Scala, *node.borrow(), field)
}
