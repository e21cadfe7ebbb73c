//! How Python code builds URLs from parts: `%` formatting, `str.format`,
//! `urljoin`, `os.path.join`, `str.join` and `strip`, on partly known
//! strings.

use std::collections::HashMap;

use crate::text::{Piece, Text};

use super::value::Value;

/// `text.split()` (`sep` `None`: on runs of whitespace, no empty items)
/// or `text.split(sep)`: an item with an unknown part is unknown.
pub(super) fn split(text: &Text, sep: Option<&str>) -> Vec<Value> {
    let mut items = Vec::new();
    // The item being read: `None` between items when splitting on
    // whitespace; its text, and whether a part of it is not known.
    let mut item: Option<(String, bool)> = sep.map(|_| (String::new(), false));
    let finish = |item: &mut Option<(String, bool)>, items: &mut Vec<Value>| {
        if let Some((text, unknown)) = item.take() {
            items.push(if unknown {
                Value::Unknown
            } else {
                Value::Str(Text::lit(&text))
            });
        }
    };
    for piece in text.pieces() {
        let Piece::Lit(s) = piece else {
            item.get_or_insert_with(Default::default).1 = true;
            continue;
        };
        match sep {
            Some(sep) => {
                let mut parts = s.split(sep);
                if let Some(first) = parts.next() {
                    item.get_or_insert_with(Default::default).0.push_str(first);
                }
                for part in parts {
                    finish(&mut item, &mut items);
                    item = Some((part.to_owned(), false));
                }
            }
            None => {
                for c in s.chars() {
                    if c.is_whitespace() {
                        finish(&mut item, &mut items);
                    } else {
                        item.get_or_insert_with(Default::default).0.push(c);
                    }
                }
            }
        }
    }
    finish(&mut item, &mut items);
    items
}

/// `fmt % args`.
pub(super) fn percent(fmt: &Text, args: &Value) -> Text {
    let (positional, mapping): (Vec<Value>, Option<&super::value::Dict>) = match args {
        Value::List(items) => (items.clone(), None),
        Value::Dict(dict) => (Vec::new(), Some(dict)),
        other => (vec![other.clone()], None),
    };
    let mut next = 0;
    let mut aligned = true;
    let mut out = Text::default();
    for piece in fmt.pieces() {
        let Piece::Lit(s) = piece else {
            // An unknown part may hold specs of its own: later arguments
            // can no longer be matched to specs.
            aligned = false;
            out.push_unknown();
            continue;
        };
        let mut rest = s.as_str();
        while let Some(at) = rest.find('%') {
            out.push_lit(&rest[..at]);
            rest = &rest[at + 1..];
            if let Some(after) = rest.strip_prefix('%') {
                out.push_lit("%");
                rest = after;
                continue;
            }
            let Some((spec, after)) = percent_spec(rest) else {
                out.push_unknown();
                return out;
            };
            rest = after;
            let value = match (&spec.name, mapping) {
                (Some(name), Some(dict)) => dict.get(name).cloned(),
                (None, _) if aligned && !spec.starred => {
                    next += 1;
                    positional.get(next - 1).cloned()
                }
                _ => None,
            };
            match value {
                Some(value @ (Value::Str(_) | Value::Number(_)))
                    if spec.plain && matches!(spec.conversion, 's' | 'd' | 'i' | 'u') =>
                {
                    out.push_text(&value.text());
                }
                _ => out.push_unknown(),
            }
        }
        out.push_lit(rest);
    }
    out
}

struct PercentSpec {
    name: Option<String>,
    conversion: char,
    /// No flags, width or precision: the value is inserted as it is.
    plain: bool,
    /// A `*` width or precision takes an argument of its own.
    starred: bool,
}

/// Reads one `%` spec after the `%`; returns it and the rest.
fn percent_spec(s: &str) -> Option<(PercentSpec, &str)> {
    let mut rest = s;
    let mut name = None;
    if let Some(after) = rest.strip_prefix('(') {
        let close = after.find(')')?;
        name = Some(after[..close].to_owned());
        rest = &after[close + 1..];
    }
    let modifiers = rest
        .find(|c: char| {
            !matches!(
                c,
                '-' | '#' | '0'..='9' | ' ' | '+' | '.' | '*' | 'h' | 'l' | 'L'
            )
        })
        .unwrap_or(rest.len());
    let conversion = rest[modifiers..].chars().next()?;
    let spec = PercentSpec {
        name,
        conversion,
        plain: modifiers == 0,
        starred: rest[..modifiers].contains('*'),
    };
    Some((spec, &rest[modifiers + conversion.len_utf8()..]))
}

/// `fmt.format(*positional, **keywords)`.
pub(super) fn format(fmt: &Text, positional: &[Value], keywords: &HashMap<String, Value>) -> Text {
    let mut next = 0;
    let mut out = Text::default();
    for piece in fmt.pieces() {
        let Piece::Lit(s) = piece else {
            out.push_unknown();
            continue;
        };
        let mut rest = s.as_str();
        while let Some(at) = rest.find(['{', '}']) {
            out.push_lit(&rest[..at]);
            let brace = &rest[at..=at];
            rest = &rest[at + 1..];
            if let Some(after) = rest.strip_prefix(brace) {
                out.push_lit(brace);
                rest = after;
                continue;
            }
            if brace == "}" {
                out.push_lit(brace);
                continue;
            }
            let Some(close) = field_end(rest) else {
                out.push_unknown();
                return out;
            };
            let field = &rest[..close];
            rest = &rest[close + 1..];
            let (name, conversion_and_spec) = field
                .find(['!', ':'])
                .map_or((field, ""), |i| (&field[..i], &field[i..]));
            let value = if name.is_empty() {
                next += 1;
                positional.get(next - 1)
            } else if let Ok(index) = name.parse::<usize>() {
                positional.get(index)
            } else {
                keywords.get(name)
            };
            match value {
                Some(value @ (Value::Str(_) | Value::Number(_)))
                    if matches!(conversion_and_spec, "" | "!s" | ":" | "!s:") =>
                {
                    out.push_text(&value.text());
                }
                _ => out.push_unknown(),
            }
        }
        out.push_lit(rest);
    }
    out
}

/// Where a replacement field that starts at `s` ends (its `}`), allowing
/// nested fields in the format spec.
fn field_end(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// `urllib.parse.urljoin(base, rel)` for the cases URLs in code use.
pub(super) fn urljoin(base: &Text, rel: &Text) -> Text {
    let rel_prefix = rel.known_prefix();
    if has_scheme(rel_prefix) {
        return rel.clone();
    }
    let Some(base) = base.as_literal() else {
        // Only an absolute path can be joined to a base known in part.
        return match origin(base.known_prefix(), false) {
            Some(origin) if rel_prefix.starts_with('/') && !rel_prefix.starts_with("//") => {
                Text::lit(origin).concat(rel)
            }
            _ => Text::unknown(),
        };
    };
    let (base_no_fragment, _) = base.split_once('#').unwrap_or((base, ""));
    let (base_path_part, _) = base_no_fragment
        .split_once('?')
        .unwrap_or((base_no_fragment, ""));
    if rel.as_literal() == Some("") {
        return Text::lit(base);
    }
    if let Some(after) = rel_prefix.strip_prefix("//") {
        let scheme = base.split_once("://").map_or("", |(s, _)| s);
        let mut out = Text::lit(format!("{scheme}://{after}"));
        out.push_text(&rest_after_prefix(rel));
        return out;
    }
    let origin_end = origin(base_path_part, true).map_or(0, str::len);
    let (head, path) = base_path_part.split_at(origin_end.min(base_path_part.len()));
    if rel_prefix.starts_with('?') {
        return Text::lit(base_path_part).concat(rel);
    }
    if rel_prefix.starts_with('#') {
        return Text::lit(base_no_fragment).concat(rel);
    }
    let joined_path = if rel_prefix.starts_with('/') {
        String::new()
    } else {
        let dir_end = path.rfind('/').map_or(0, |i| i + 1);
        let dir = &path[..dir_end];
        if dir.is_empty() && !head.is_empty() {
            "/".to_owned()
        } else {
            dir.to_owned()
        }
    };
    match rel.as_literal() {
        Some(rel) => Text::lit(format!(
            "{head}{}",
            remove_dots(&format!("{joined_path}{rel}"))
        )),
        None => Text::lit(format!("{head}{joined_path}")).concat(rel),
    }
}

fn rest_after_prefix(text: &Text) -> Text {
    let mut out = Text::default();
    for piece in text.pieces().iter().skip(1) {
        match piece {
            Piece::Lit(s) => out.push_lit(s),
            Piece::Unknown => out.push_unknown(),
        }
    }
    out
}

/// Whether `s` starts with a URL scheme (`http:`).
fn has_scheme(s: &str) -> bool {
    let Some(colon) = s.find(':') else {
        return false;
    };
    let scheme = &s[..colon];
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// `scheme://authority` at the start of `url`, when it is all there:
/// `complete` says `url` is the whole URL, not a known prefix.
fn origin(url: &str, complete: bool) -> Option<&str> {
    let after = url.find("://")? + 3;
    let end = match url[after..].find(['/', '?', '#']) {
        Some(end) => end + after,
        None if complete => url.len(),
        None => return None,
    };
    Some(&url[..end])
}

/// RFC 3986 dot-segment removal, as `urljoin` does it.
fn remove_dots(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    let last = segments.len().saturating_sub(1);
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "." => {
                if i == last {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if i == last {
                    out.push("");
                }
            }
            other => out.push(other),
        }
    }
    out.join("/")
}

/// `os.path.join(*parts)` / `posixpath.join`.
pub(super) fn path_join(parts: &[Text]) -> Text {
    let mut out = Text::default();
    for (i, part) in parts.iter().enumerate() {
        if part.known_prefix().starts_with('/') {
            out = part.clone();
            continue;
        }
        let ends_with_slash =
            matches!(out.pieces().last(), Some(Piece::Lit(s)) if s.ends_with('/'));
        if i > 0 && !ends_with_slash && out.as_literal() != Some("") {
            out.push_lit("/");
        }
        out.push_text(part);
    }
    out
}

/// `sep.join(items)`.
pub(super) fn join(sep: &Text, items: &[Value]) -> Text {
    let mut out = Text::default();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_text(sep);
        }
        out.push_text(&item.text());
    }
    out
}

/// Which ends `strip` works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ends {
    /// `lstrip`.
    Start,
    /// `rstrip`.
    End,
    /// `strip`.
    Both,
}

/// `text.strip(chars)` and its one-sided forms; `chars` `None` strips
/// whitespace. Only known ends are stripped.
pub(super) fn strip(text: &Text, chars: Option<&str>, ends: Ends) -> Text {
    let strip_char = |c: char| chars.map_or(c.is_whitespace(), |set| set.contains(c));
    let mut pieces: Vec<Piece> = text.pieces().to_vec();
    if matches!(ends, Ends::Start | Ends::Both) {
        if let Some(Piece::Lit(s)) = pieces.first_mut() {
            *s = s.trim_start_matches(strip_char).to_owned();
        }
    }
    if matches!(ends, Ends::End | Ends::Both) {
        if let Some(Piece::Lit(s)) = pieces.last_mut() {
            *s = s.trim_end_matches(strip_char).to_owned();
        }
    }
    let mut out = Text::default();
    for piece in &pieces {
        match piece {
            Piece::Lit(s) => out.push_lit(s),
            Piece::Unknown => out.push_unknown(),
        }
    }
    out
}

/// `text.replace(old, new)` in the known parts.
pub(super) fn replace(text: &Text, old: &str, new: &str) -> Text {
    let mut out = Text::default();
    for piece in text.pieces() {
        match piece {
            Piece::Lit(s) if !old.is_empty() => out.push_lit(&s.replace(old, new)),
            Piece::Lit(s) => out.push_lit(s),
            Piece::Unknown => out.push_unknown(),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Text;

    fn s(v: &str) -> Value {
        Value::Str(Text::lit(v))
    }

    fn shown(t: &Text) -> String {
        t.to_string()
    }

    #[test]
    fn percent_formatting() {
        let fmt = Text::lit("http://%s/latest/%s");
        let args = Value::List(vec![s("169.254.169.254"), Value::Unknown]);
        assert_eq!(
            shown(&percent(&fmt, &args)),
            "http://169.254.169.254/latest/…"
        );
        assert_eq!(shown(&percent(&Text::lit("%s/x"), &s("a"))), "a/x");
        assert_eq!(shown(&percent(&Text::lit("100%% %5s"), &s("a"))), "100% …");
        let mut dict = super::super::value::Dict::default();
        dict.insert(Text::lit("host"), s("h"));
        assert_eq!(
            shown(&percent(&Text::lit("//%(host)s/"), &Value::Dict(dict))),
            "//h/"
        );
        assert_eq!(shown(&percent(&Text::lit("%r"), &s("a"))), "…");
    }

    #[test]
    fn str_format() {
        let mut keywords = HashMap::new();
        keywords.insert("path".to_owned(), s("meta-data"));
        let fmt = Text::lit("{}/latest/{path}/{0}{{x}}{1:>3}");
        assert_eq!(
            shown(&format(&fmt, &[s("http://h"), s("y")], &keywords)),
            "http://h/latest/meta-data/http://h{x}…"
        );
        assert_eq!(shown(&format(&Text::lit("{a.b}"), &[], &keywords)), "…");
    }

    #[test]
    fn urljoin_cases() {
        let base = Text::lit("http://169.254.169.254/latest/meta-data/");
        let j = |rel: &str| shown(&urljoin(&base, &Text::lit(rel)));
        assert_eq!(
            j("instance-id"),
            "http://169.254.169.254/latest/meta-data/instance-id"
        );
        assert_eq!(
            j("/latest/user-data"),
            "http://169.254.169.254/latest/user-data"
        );
        assert_eq!(j("../dynamic/x"), "http://169.254.169.254/latest/dynamic/x");
        assert_eq!(j("http://example.com/a"), "http://example.com/a");
        assert_eq!(j("//example.com/a"), "http://example.com/a");
        assert_eq!(j(""), "http://169.254.169.254/latest/meta-data/");
        let no_slash = Text::lit("http://169.254.169.254/latest/meta-data");
        assert_eq!(
            shown(&urljoin(&no_slash, &Text::lit("instance-id"))),
            "http://169.254.169.254/latest/instance-id"
        );
        let host_only = Text::lit("http://169.254.169.254");
        assert_eq!(
            shown(&urljoin(&host_only, &Text::lit("latest"))),
            "http://169.254.169.254/latest"
        );
        assert_eq!(
            shown(&urljoin(&base, &Text::unknown())),
            "http://169.254.169.254/latest/meta-data/…"
        );
        let mut partial = Text::lit("http://169.254.169.254/");
        partial.push_unknown();
        assert_eq!(
            shown(&urljoin(&partial, &Text::lit("/x"))),
            "http://169.254.169.254/x"
        );
        assert_eq!(shown(&urljoin(&partial, &Text::lit("x"))), "…");
    }

    #[test]
    fn joins_and_strips() {
        let parts = [
            Text::lit("http://h/latest"),
            Text::lit("meta-data/"),
            Text::lit("x"),
        ];
        assert_eq!(shown(&path_join(&parts)), "http://h/latest/meta-data/x");
        assert_eq!(shown(&path_join(&[Text::lit("a"), Text::lit("/b")])), "/b");
        assert_eq!(
            shown(&join(&Text::lit("/"), &[s("a"), Value::Unknown, s("c")])),
            "a/…/c"
        );
        assert_eq!(
            shown(&strip(&Text::lit(" a/// "), None, Ends::Both)),
            "a///"
        );
        assert_eq!(shown(&strip(&Text::lit("a///"), Some("/"), Ends::End)), "a");
        let mut t = Text::lit("a/");
        t.push_unknown();
        assert_eq!(shown(&strip(&t, Some("/"), Ends::End)), "a/…");
        assert_eq!(shown(&replace(&Text::lit("a-b"), "-", "/")), "a/b");
    }
}
