//! Fixes for Scala token requests IMDS refuses (IMD002): the request is
//! sent with PUT and the TTL header.
//!
//! ```scala
//! val c = new java.net.URL(tokenUrl).openConnection().asInstanceOf[java.net.HttpURLConnection]
//! // the fix adds:
//! c.setRequestMethod("PUT")
//! c.setRequestProperty("X-aws-ec2-metadata-token-ttl-seconds", "21600")
//! ```
//!
//! A connection held in a val gets the settings after the val (a method
//! it sets from a literal gets `"PUT"` there); an `HttpRequest` builder
//! chain gets `.header(...)` and `.PUT(...)` after `newBuilder(...)`, its
//! `.GET()` becoming that `PUT`. `Source.fromURL`, `openStream()` and a
//! connection held in no val are read through an `HttpURLConnection`, as
//! the token fix does. `sys.process` commands are left for a person.

use std::ops::Range;

use imds_lint_parser::{Applicability, Edit, Fix};

use super::clients::{Found, MethodAt, Site};
use super::fix::{line_indent, Fixer};
use super::{child_in, kind_of};
use crate::request::TTL_HEADER;
use crate::rules::imd002_malformed_token_request::{self, Repair};

/// The `PUT` step of an `HttpRequest` builder, with an empty body.
const PUT_STEP: &str = "PUT(java.net.http.HttpRequest.BodyPublishers.noBody())";

impl Fixer<'_, '_> {
    /// The fix that makes the token request `found` one IMDS accepts, or
    /// why there is none.
    pub fn mend(&self, found: &Found) -> Result<Fix, String> {
        let repair = imd002_malformed_token_request::repair(&found.request)
            .ok_or("its method is not GET, or its TTL is out of range")?;
        // A method the code names is changed where it is named; one it
        // does not name (GET by default) is set by the fix.
        let mut edits = Vec::new();
        let set_method = match (&found.method_at, repair.method) {
            (_, false) => false,
            (None, true) => true,
            (Some(MethodAt::Literal(at)), true) => {
                edits.push(Edit::replacement(at.clone(), "\"PUT\""));
                false
            }
            (Some(MethodAt::Step(at)), true) => {
                edits.push(Edit::replacement(at.clone(), PUT_STEP));
                false
            }
            (Some(MethodAt::Other), true) => {
                return Err("its method is not a string literal".to_owned());
            }
        };
        let applicability = self.site_edits(found, repair, set_method, &mut edits)?;
        if edits.is_empty() {
            return Err("nothing to change".to_owned());
        }
        Ok(Fix::new(repair.message(), edits, applicability))
    }

    /// Adds to `edits` what the request's site needs (the method set when
    /// `set_method`); returns how safe that is.
    fn site_edits(
        &self,
        found: &Found,
        repair: Repair,
        set_method: bool,
        edits: &mut Vec<Edit>,
    ) -> Result<Applicability, String> {
        let range = &found.request.range;
        match &found.site {
            Site::Connection {
                holder: Some(holder),
            } => {
                let connection = if set_method && !self.holds_http_connection(&holder.statement) {
                    format!("{}.asInstanceOf[java.net.HttpURLConnection]", holder.name)
                } else {
                    holder.name.clone()
                };
                let joint = match line_indent(self.code, holder.statement.start) {
                    Some(indent) => format!("\n{indent}"),
                    None => "; ".to_owned(),
                };
                let text: Vec<String> = self
                    .settings(&connection, repair, set_method)
                    .iter()
                    .map(|s| format!("{joint}{s}"))
                    .collect();
                edits.push(Edit::insertion(holder.statement.end, text.concat()));
                Ok(Applicability::Safe)
            }
            Site::Builder { new_builder_end } => {
                let mut steps = Vec::new();
                if repair.ttl {
                    steps.push(format!(".header(\"{TTL_HEADER}\", \"{}\")", self.ttl));
                }
                if set_method {
                    steps.push(format!(".{PUT_STEP}"));
                }
                edits.push(Edit::insertion(*new_builder_end, steps.concat()));
                Ok(Applicability::Safe)
            }
            // The rewrites below restructure the request, as the token
            // fix's do: unsafe like them.
            Site::Connection { holder: None } => {
                let block = self.through_connection(range, "", false, repair, set_method)?;
                edits.push(Edit::replacement(
                    range.clone(),
                    self.enclosed(range.start, block),
                ));
                Ok(Applicability::Unsafe)
            }
            Site::OpenStream { target } => {
                let block =
                    self.through_connection(target, ".openConnection()", true, repair, set_method)?;
                edits.push(Edit::replacement(
                    range.clone(),
                    self.enclosed(range.start, block),
                ));
                Ok(Applicability::Unsafe)
            }
            Site::FromUrl { url, is_url_object } => {
                let call = self
                    .node_at(range)
                    .ok_or("the call could not be found again")?;
                let function = call
                    .child_by_field_name("function")
                    .ok_or("the call has no function")?;
                edits.push(match child_in(function, "field") {
                    Some(field) => Edit::replacement(field.byte_range(), "fromInputStream"),
                    None => {
                        Edit::replacement(function.byte_range(), "scala.io.Source.fromInputStream")
                    }
                });
                let block = if *is_url_object {
                    self.through_connection(url, ".openConnection()", true, repair, set_method)?
                } else {
                    let open = format!(
                        "new java.net.URL({}).openConnection()",
                        &self.code[url.clone()]
                    );
                    self.connection_block(&open, true, repair, set_method)
                };
                edits.push(Edit::replacement(url.clone(), block));
                Ok(Applicability::Unsafe)
            }
            Site::Process { .. } => Err(
                "imds-lint does not mend commands run through sys.process: add `-X PUT` and \
                 the TTL header by hand"
                    .to_owned(),
            ),
        }
    }

    /// The statements that make `connection` send the repaired request.
    fn settings(&self, connection: &str, repair: Repair, set_method: bool) -> Vec<String> {
        let mut statements = Vec::new();
        if set_method {
            statements.push(format!("{connection}.setRequestMethod(\"PUT\")"));
        }
        if repair.ttl {
            statements.push(format!(
                "{connection}.setRequestProperty(\"{TTL_HEADER}\", \"{}\")",
                self.ttl
            ));
        }
        statements
    }

    /// A block that opens the code at `range` (followed by `open`) as an
    /// `HttpURLConnection`, repairs it and yields it, or its stream when
    /// `stream`.
    fn through_connection(
        &self,
        range: &Range<usize>,
        open: &str,
        stream: bool,
        repair: Repair,
        set_method: bool,
    ) -> Result<String, String> {
        let source = self
            .code
            .get(range.clone())
            .ok_or("the request could not be found again")?;
        Ok(self.connection_block(&format!("{source}{open}"), stream, repair, set_method))
    }

    /// `{ val imdsConn = OPEN.asInstanceOf[...]; settings; imdsConn }`.
    fn connection_block(
        &self,
        open: &str,
        stream: bool,
        repair: Repair,
        set_method: bool,
    ) -> String {
        let c = &self.connection;
        let mut parts = vec![format!(
            "val {c} = {open}.asInstanceOf[java.net.HttpURLConnection]"
        )];
        parts.extend(self.settings(c, repair, set_method));
        parts.push(if stream {
            format!("{c}.getInputStream")
        } else {
            c.clone()
        });
        format!("{{ {} }}", parts.join("; "))
    }

    /// Whether the `val` statement at `statement` is typed as an
    /// `HttpURLConnection` (declared, or cast with `asInstanceOf`), so
    /// that `setRequestMethod` can be called on it as it is.
    fn holds_http_connection(&self, statement: &Range<usize>) -> bool {
        let Some(val) = self.node_at(statement) else {
            return false;
        };
        let names_class = |range: Range<usize>| {
            self.code[range]
                .trim_end()
                .trim_end_matches(']')
                .ends_with("HttpURLConnection")
        };
        let declared = val
            .child_by_field_name("type")
            .is_some_and(|t| names_class(t.byte_range()));
        let cast = child_in(val, "value").is_some_and(|value| {
            kind_of(value) == "generic_function"
                && value
                    .child_by_field_name("function")
                    .and_then(|f| child_in(f, "field"))
                    .is_some_and(|f| &self.code[f.byte_range()] == "asInstanceOf")
                && names_class(value.byte_range())
        });
        declared || cast
    }
}
