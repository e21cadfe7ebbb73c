//! What the Python analyser knows about the value of a name: a string
//! (partly known), a dict of headers, a list, or an HTTP client object.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::request::{Header, Headers};
use crate::text::Text;

use super::functions::Returns;

/// A value as far as the analyser knows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) enum Value {
    /// A string, possibly with unknown parts.
    Str(Text),
    /// An integer literal, as written (ports, `%d` arguments).
    Number(String),
    /// A dict (headers, configuration).
    Dict(Dict),
    /// A list or tuple.
    List(Vec<Value>),
    /// An HTTP client object: a session, a request, a connection.
    Object(Object),
    /// `self` inside a method of class number `0` of the cell.
    Instance(usize),
    /// A class, with the string constants its body binds (`Cfg.MD`).
    Class(BTreeMap<String, Value>),
    /// A function or lambda of the file, with what it returns.
    Function(Rc<Returns>),
    /// Python's `None`: as headers, no headers at all.
    None,
    /// Nothing known.
    #[default]
    Unknown,
}

/// Known text kept of one string: URLs are short, and code that doubles a
/// string in a loop must not exhaust memory.
const MAX_TEXT: usize = 4096;
/// Items kept of one list, for the same reason.
const MAX_ITEMS: usize = 1024;

impl Value {
    /// The value with strings and lists cut to a bounded size: a long
    /// string keeps its first known part's start, then an unknown part.
    pub(super) fn capped(self) -> Value {
        match self {
            Value::Str(text) if known_len(&text) > MAX_TEXT => {
                let mut prefix = text.known_prefix().to_owned();
                let mut cut = prefix.len().min(MAX_TEXT);
                while !prefix.is_char_boundary(cut) {
                    cut -= 1;
                }
                prefix.truncate(cut);
                let mut capped = Text::lit(prefix);
                capped.push_unknown();
                Value::Str(capped)
            }
            Value::List(items) if items.len() > MAX_ITEMS => Value::Unknown,
            other => other,
        }
    }

    /// The string this value is, or an unknown string.
    pub(super) fn text(&self) -> Text {
        match self {
            Value::Str(text) => text.clone(),
            Value::Number(digits) => Text::lit(digits),
            _ => Text::unknown(),
        }
    }

    /// The string this value is, if it is one.
    pub(super) fn as_text(&self) -> Option<&Text> {
        match self {
            Value::Str(text) => Some(text),
            _ => None,
        }
    }

    /// The value as headers: a dict's entries, a list's lines or pairs,
    /// none for `None`, or nothing known.
    pub(super) fn headers(&self) -> Headers {
        match self {
            Value::Dict(dict) => dict.headers(),
            Value::List(items) => header_lines(items),
            Value::None => Headers::none(),
            _ => Headers::unknown(),
        }
    }
}

fn known_len(text: &Text) -> usize {
    text.pieces()
        .iter()
        .map(|p| match p {
            crate::text::Piece::Lit(s) => s.len(),
            crate::text::Piece::Unknown => 0,
        })
        .sum()
}

/// Headers from a list of `"Name: value"` lines (pycurl) or `(name,
/// value)` pairs (urllib openers).
fn header_lines(items: &[Value]) -> Headers {
    let mut headers = Headers::none();
    for item in items {
        match item {
            Value::Str(line) => headers.push(Header::from_line(line)),
            Value::List(pair) if pair.len() == 2 => {
                headers.push(Header::new(pair[0].text(), pair[1].text()));
            }
            _ => headers.open = true,
        }
    }
    headers
}

/// A dict literal or a dict built up by assignments.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Dict {
    /// Entries in insertion order; keys may be partly known.
    pub entries: Vec<(Text, Value)>,
    /// Whether entries the analyser cannot see may be present (`**kw`, an
    /// unknown dict merged in).
    pub open: bool,
}

impl Dict {
    /// A dict nothing is known about.
    pub(super) fn unknown() -> Self {
        Dict {
            entries: Vec::new(),
            open: true,
        }
    }

    /// Sets `key` to `value`, replacing an entry with the same known key.
    pub(super) fn insert(&mut self, key: Text, value: Value) {
        if key.as_literal().is_some() {
            if let Some(entry) = self.entries.iter_mut().find(|(k, _)| *k == key) {
                entry.1 = value;
                return;
            }
        }
        self.entries.push((key, value));
    }

    /// Adds every entry of `other` (the `**other` or `update(other)` of
    /// Python); a value that is not a known dict opens this one.
    pub(super) fn merge(&mut self, other: &Value) {
        match other {
            Value::Dict(dict) => {
                for (key, value) in &dict.entries {
                    self.insert(key.clone(), value.clone());
                }
                self.open |= dict.open;
            }
            _ => self.open = true,
        }
    }

    /// The value stored under the known key `key`.
    pub(super) fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k.as_literal() == Some(key))
            .map(|(_, v)| v)
    }

    /// The entries as HTTP headers.
    pub(super) fn headers(&self) -> Headers {
        let mut headers = Headers::none();
        for (key, value) in &self.entries {
            headers.push(Header::new(key.clone(), value.text()));
        }
        headers.open |= self.open;
        headers
    }
}

/// An object made by an HTTP client library, with the attributes that
/// matter for requests (`headers`, `url`, `method`, `base`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Object {
    /// The class, canonically: `requests.Session`, `urllib.request.Request`,
    /// `http.client.HTTPConnection`, `pycurl.Curl`...
    pub class: &'static str,
    /// Attributes by name.
    pub attributes: BTreeMap<String, Value>,
}

impl Object {
    /// An object of `class` with no headers yet.
    pub(super) fn new(class: &'static str) -> Self {
        let mut attributes = BTreeMap::new();
        attributes.insert("headers".to_owned(), Value::Dict(Dict::default()));
        Object { class, attributes }
    }

    /// The object's `headers` dict, created if missing; `None` when the
    /// code replaced it with something that is not a dict.
    pub(super) fn headers_mut(&mut self) -> Option<&mut Dict> {
        match self
            .attributes
            .entry("headers".to_owned())
            .or_insert_with(|| Value::Dict(Dict::default()))
        {
            Value::Dict(dict) => Some(dict),
            _ => None,
        }
    }

    /// The headers the object sends with every request.
    pub(super) fn headers(&self) -> Headers {
        self.attributes
            .get("headers")
            .map_or_else(Headers::none, Value::headers)
    }

    /// A string attribute (`url`, `base`, `method`).
    pub(super) fn text(&self, name: &str) -> Option<&Text> {
        self.attributes.get(name).and_then(Value::as_text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::TOKEN_HEADER;

    #[test]
    fn dict_insert_replaces_known_keys() {
        let mut dict = Dict::default();
        dict.insert(Text::lit("a"), Value::Str(Text::lit("1")));
        dict.insert(Text::lit("a"), Value::Str(Text::lit("2")));
        assert_eq!(dict.entries.len(), 1);
        assert_eq!(dict.get("a"), Some(&Value::Str(Text::lit("2"))));
    }

    #[test]
    fn merging_an_unknown_value_opens_the_dict() {
        let mut dict = Dict::default();
        dict.merge(&Value::Unknown);
        assert!(dict.headers().may_have(TOKEN_HEADER));
        let mut closed = Dict::default();
        closed.merge(&Value::Dict(Dict::default()));
        assert!(!closed.headers().may_have(TOKEN_HEADER));
    }

    #[test]
    fn long_values_are_capped() {
        let long = Value::Str(Text::lit("x".repeat(MAX_TEXT * 2))).capped();
        let text = long.text();
        assert_eq!(text.known_prefix().len(), MAX_TEXT);
        assert!(text.has_unknown());
        assert_eq!(
            Value::List(vec![Value::Unknown; MAX_ITEMS + 1]).capped(),
            Value::Unknown
        );
        let short = Value::Str(Text::lit("http://h/"));
        assert_eq!(short.clone().capped(), short);
    }

    #[test]
    fn header_lists_are_read_as_lines_or_pairs() {
        let lines = Value::List(vec![Value::Str(Text::lit("X-aws-ec2-metadata-token: t"))]);
        assert!(lines.headers().has(TOKEN_HEADER));
        let pairs = Value::List(vec![Value::List(vec![
            Value::Str(Text::lit(TOKEN_HEADER)),
            Value::Unknown,
        ])]);
        assert!(pairs.headers().has(TOKEN_HEADER));
        assert!(!Value::List(Vec::new()).headers().may_have(TOKEN_HEADER));
    }
}
