//! Reads the subset of the tree-sitter query language that `grammars/*.scm`
//! use, resolving node kinds and fields against the grammar as it goes.
//!
//! Taken: `(kind child...)`, `(_)`, `"token"`, `field: pattern`,
//! `[alternatives]`, a `.` anchor before a first child, `@captures`,
//! `(#eq? @c "text")`, `(#any-of? @c "a" ...)` and `;` comments. Anything
//! else of the query language is refused with its line and column, never
//! skipped, so a pattern never means less than it says.

use tree_sitter::Language;

use super::element::{Element, Form, Kind, Pattern, Predicate};
use super::error::{PatternError, Problem};

/// The patterns of one file and the names of their captures, by index.
pub(super) struct Read {
    pub patterns: Vec<Pattern>,
    pub capture_names: Vec<String>,
}

/// Reads `text` against `language`.
pub(super) fn read(language: &Language, text: &str) -> Result<Read, PatternError> {
    let mut reader = Reader {
        language,
        text,
        at: 0,
        capture_names: Vec::new(),
    };
    let patterns = reader.file()?;
    Ok(Read {
        patterns,
        capture_names: reader.capture_names,
    })
}

/// Where an element stands; it decides what the element may be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The outermost node of a pattern.
    Root,
    /// A child pattern inside a node's parentheses.
    Child,
    /// One alternative inside `[ ... ]`.
    Alternative,
}

/// The captures a pattern defines and the ones its predicates use, to
/// check the second against the first once the pattern is read.
#[derive(Default)]
struct Captures {
    defined: Vec<u32>,
    used: Vec<(u32, usize)>,
}

struct Reader<'a> {
    language: &'a Language,
    text: &'a str,
    /// Byte offset of the next character to read.
    at: usize,
    capture_names: Vec<String>,
}

impl<'a> Reader<'a> {
    fn file(&mut self) -> Result<Vec<Pattern>, PatternError> {
        let mut patterns = Vec::new();
        loop {
            self.skip_blank();
            if self.peek().is_none() {
                return Ok(patterns);
            }
            patterns.push(self.pattern()?);
        }
    }

    /// One top-level pattern with its predicates.
    fn pattern(&mut self) -> Result<Pattern, PatternError> {
        let start = self.at;
        let mut predicates = Vec::new();
        let mut captures = Captures::default();
        let mut root = self.element(Place::Root, &mut predicates, &mut captures)?;

        match &root.form {
            Form::Node {
                kind: Kind::Id(id), ..
            } if usize::from(*id) < self.language.node_kind_count() => {}
            Form::Node {
                kind: Kind::Id(_), ..
            } => return Err(self.error_at(start, unsupported("`ERROR` as a pattern's root"))),
            Form::Node {
                kind: Kind::AnyNamed,
                ..
            } => return Err(self.error_at(start, unsupported("`(_)` as a pattern's root"))),
            Form::Choice(_) => {
                return Err(self.error_at(start, unsupported("an alternation as a pattern's root")))
            }
        }
        for &(capture, at) in &captures.used {
            if !captures.defined.contains(&capture) {
                let name = self.capture_names[capture as usize].clone();
                return Err(self.error_at(at, Problem::UnknownCapture(name)));
            }
        }
        root.attach(&predicates);
        Ok(Pattern { root })
    }

    /// An element with its field prefix and captures.
    fn element(
        &mut self,
        place: Place,
        predicates: &mut Vec<Predicate>,
        captures: &mut Captures,
    ) -> Result<Element, PatternError> {
        let start = self.at;
        let field = self.field(place)?;
        self.skip_blank();

        let form = match self.peek() {
            Some('(') if self.predicate_ahead() => {
                return Err(self.error_at(
                    start,
                    unsupported("a predicate outside a node's parentheses"),
                ))
            }
            Some('(') => self.node(predicates, captures)?,
            Some('"') => {
                let at = self.at;
                let token = self.string()?;
                let id = self.language.id_for_node_kind(&token, false);
                if id == 0 {
                    return Err(self.error_at(at, Problem::UnknownToken(token)));
                }
                Form::Node {
                    kind: Kind::Id(id),
                    children: Vec::new(),
                }
            }
            Some('[') => self.choice(predicates, captures)?,
            Some('_') => {
                return Err(self.error_at(self.at, unsupported("`_` (a node of any kind)")));
            }
            _ => return Err(self.unexpected("a pattern")),
        };

        let mut element = Element {
            field,
            anchored: false,
            captures: Vec::new(),
            checks: Vec::new(),
            form,
        };
        loop {
            self.skip_blank();
            match self.peek() {
                Some('@') => {
                    self.at += 1;
                    let name = self.identifier("a capture name")?;
                    let index = self.capture_index(name);
                    element.captures.push(index);
                    captures.defined.push(index);
                }
                Some('*' | '+' | '?') => {
                    return Err(self.error_at(self.at, unsupported("a quantifier (`*`, `+`, `?`)")))
                }
                _ => return Ok(element),
            }
        }
    }

    /// A `field:` prefix, where one may stand.
    fn field(&mut self, place: Place) -> Result<Option<super::element::FieldId>, PatternError> {
        self.skip_blank();
        let start = self.at;
        if !self.peek().is_some_and(starts_identifier) {
            return Ok(None);
        }
        let name = self.identifier("a field name")?;
        if name == "_" {
            // A bare wildcard, which `element` refuses.
            self.at = start;
            return Ok(None);
        }
        self.skip_blank();
        if self.peek() != Some(':') {
            return Err(self.error_at(start, syntax("a pattern", format!("`{name}`"))));
        }
        self.at += 1;
        if place == Place::Root {
            return Err(self.error_at(start, unsupported("a field on a pattern's root")));
        }
        match self.language.field_id_for_name(name) {
            Some(id) => Ok(Some(id)),
            None => Err(self.error_at(start, Problem::UnknownField(name.to_owned()))),
        }
    }

    /// `(kind child...)` or `(_ child...)`, at its opening parenthesis.
    fn node(
        &mut self,
        predicates: &mut Vec<Predicate>,
        captures: &mut Captures,
    ) -> Result<Form, PatternError> {
        self.at += 1;
        self.skip_blank();
        let at = self.at;
        let kind = match self.peek() {
            Some('(') => return Err(self.error_at(at, unsupported("a group of patterns"))),
            Some(c) if starts_identifier(c) => {
                let name = self.identifier("a node kind")?;
                if self.peek() == Some('/') {
                    let what = "a supertype's subtype (`/`)";
                    return Err(self.error_at(self.at, unsupported(what)));
                }
                self.kind(name, at)?
            }
            _ => return Err(self.unexpected("a node kind")),
        };

        let mut children: Vec<Element> = Vec::new();
        let mut anchor: Option<usize> = None;
        loop {
            self.skip_blank();
            match self.peek() {
                Some(')') => {
                    self.at += 1;
                    break;
                }
                Some('.') => {
                    if !children.is_empty() || anchor.is_some() {
                        return Err(self.error_at(
                            self.at,
                            unsupported("a `.` anchor other than before a node's first child"),
                        ));
                    }
                    anchor = Some(self.at);
                    self.at += 1;
                }
                Some('!') => {
                    return Err(self.error_at(self.at, unsupported("a negated field (`!field`)")))
                }
                Some('(') if self.predicate_ahead() => {
                    predicates.push(self.predicate(captures)?);
                }
                None => return Err(self.unexpected("`)`")),
                Some(_) => {
                    let mut child = self.element(Place::Child, predicates, captures)?;
                    child.anchored = children.is_empty() && anchor.is_some();
                    children.push(child);
                }
            }
        }
        if let (Some(at), true) = (anchor, children.is_empty()) {
            return Err(self.error_at(
                at,
                unsupported("a `.` anchor other than before a node's first child"),
            ));
        }
        Ok(Form::Node { kind, children })
    }

    /// The kind named `name` (read at `at`).
    fn kind(&self, name: &str, at: usize) -> Result<Kind, PatternError> {
        if name == "_" {
            return Ok(Kind::AnyNamed);
        }
        if name == "MISSING" {
            return Err(self.error_at(at, unsupported("`MISSING`")));
        }
        let id = self.language.id_for_node_kind(name, true);
        if id == 0 {
            return Err(self.error_at(at, Problem::UnknownKind(name.to_owned())));
        }
        if self.language.node_kind_is_supertype(id) {
            let what = format!("the supertype `{name}`");
            return Err(self.error_at(at, Problem::Unsupported(what)));
        }
        Ok(Kind::Id(id))
    }

    /// `[ alternative... ]`, at its opening bracket.
    fn choice(
        &mut self,
        predicates: &mut Vec<Predicate>,
        captures: &mut Captures,
    ) -> Result<Form, PatternError> {
        self.at += 1;
        let mut alternatives = Vec::new();
        loop {
            self.skip_blank();
            match self.peek() {
                Some(']') if alternatives.is_empty() => {
                    return Err(self.unexpected("a pattern"));
                }
                Some(']') => {
                    self.at += 1;
                    return Ok(Form::Choice(alternatives));
                }
                None => return Err(self.unexpected("`]`")),
                Some(_) => {
                    alternatives.push(self.element(Place::Alternative, predicates, captures)?);
                }
            }
        }
    }

    /// `(#name args...)`, at its opening parenthesis.
    fn predicate(&mut self, captures: &mut Captures) -> Result<Predicate, PatternError> {
        self.at += 1;
        self.skip_blank();
        let start = self.at;
        self.at += 1;
        let name = self.identifier("a predicate name")?;
        let predicate: &'static str = match name {
            "eq?" => "eq?",
            "any-of?" => "any-of?",
            other => {
                let what = format!("the predicate #{other} (only #eq? and #any-of? are)");
                return Err(self.error_at(start, Problem::Unsupported(what)));
            }
        };

        let mut capture = None;
        let mut texts = Vec::new();
        loop {
            self.skip_blank();
            let at = self.at;
            match self.peek() {
                Some(')') => {
                    self.at += 1;
                    break;
                }
                Some('@') if capture.is_none() && texts.is_empty() => {
                    self.at += 1;
                    let name = self.identifier("a capture name")?;
                    let index = self.capture_index(name);
                    captures.used.push((index, at));
                    capture = Some(index);
                }
                Some('"') if capture.is_some() => texts.push(self.string()?),
                Some('@' | '"') => return Err(self.error_at(at, arguments(predicate))),
                _ => return Err(self.unexpected("a capture, a string or `)`")),
            }
        }

        let wrong = || self.error_at(start, arguments(predicate));
        let capture = capture.ok_or_else(wrong)?;
        match (predicate, texts.len()) {
            ("eq?", 1) => Ok(Predicate::Eq {
                capture,
                text: texts.remove(0),
            }),
            ("any-of?", 1..) => Ok(Predicate::AnyOf { capture, texts }),
            _ => Err(wrong()),
        }
    }

    /// A string literal, at its opening quote, with the escapes tree-sitter
    /// reads (`\n`, `\r`, `\t`, `\0`; any other escaped character stands
    /// for itself).
    fn string(&mut self) -> Result<String, PatternError> {
        let start = self.at;
        self.at += 1;
        let mut out = String::new();
        let mut chars = self.text[self.at..].char_indices();
        while let Some((offset, c)) = chars.next() {
            match c {
                '"' => {
                    self.at += offset + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 'r')) => out.push('\r'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, '0')) => out.push('\0'),
                    Some((_, other)) => out.push(other),
                    None => break,
                },
                c => out.push(c),
            }
        }
        Err(self.error_at(start, Problem::UnclosedString))
    }

    /// An identifier (kind, field, capture or predicate name).
    fn identifier(&mut self, expected: &'static str) -> Result<&'a str, PatternError> {
        let text = self.text;
        let start = self.at;
        let rest = &text[start..];
        if !rest.starts_with(starts_identifier) {
            return Err(self.unexpected(expected));
        }
        let len = rest
            .find(|c| !continues_identifier(c))
            .unwrap_or(rest.len());
        self.at += len;
        Ok(&rest[..len])
    }

    fn capture_index(&mut self, name: &str) -> u32 {
        if let Some(index) = self.capture_names.iter().position(|n| n == name) {
            return index as u32;
        }
        self.capture_names.push(name.to_owned());
        (self.capture_names.len() - 1) as u32
    }

    /// Whether a `(` at the reading position opens a predicate.
    fn predicate_ahead(&self) -> bool {
        self.text[self.at + 1..]
            .trim_start_matches(is_blank)
            .starts_with('#')
    }

    fn peek(&self) -> Option<char> {
        self.text[self.at..].chars().next()
    }

    /// Skips blanks and `;` comments.
    fn skip_blank(&mut self) {
        loop {
            let rest = &self.text[self.at..];
            let trimmed = rest.trim_start_matches(is_blank);
            self.at += rest.len() - trimmed.len();
            if !trimmed.starts_with(';') {
                return;
            }
            self.at += trimmed.find('\n').unwrap_or(trimmed.len());
        }
    }

    /// What stands at the reading position, where `expected` should.
    fn unexpected(&self, expected: &'static str) -> PatternError {
        let found = match self.peek() {
            Some(c) => format!("`{c}`"),
            None => "end of file".to_owned(),
        };
        self.error_at(self.at, syntax(expected, found))
    }

    fn error_at(&self, at: usize, problem: Problem) -> PatternError {
        let before = &self.text[..at];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        PatternError {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
            problem,
        }
    }
}

fn syntax(expected: &'static str, found: String) -> Problem {
    Problem::Syntax { expected, found }
}

fn unsupported(what: &str) -> Problem {
    Problem::Unsupported(what.to_owned())
}

fn arguments(predicate: &'static str) -> Problem {
    Problem::PredicateArguments {
        predicate,
        takes: if predicate == "eq?" {
            "a capture and one string"
        } else {
            "a capture and one or more strings"
        },
    }
}

fn is_blank(c: char) -> bool {
    c.is_whitespace()
}

fn starts_identifier(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

fn continues_identifier(c: char) -> bool {
    starts_identifier(c) || matches!(c, '.' | '?' | '!')
}
