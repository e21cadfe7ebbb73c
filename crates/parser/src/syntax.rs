//! Tree-sitter parsing, one reusable parser per language and thread.

use std::cell::RefCell;

use tree_sitter::{Language, Parser, Tree};

use crate::lang::Lang;

/// The tree-sitter grammar of an analysed language.
pub fn language(lang: Lang) -> Option<Language> {
    match lang {
        Lang::Python => Some(tree_sitter_python::LANGUAGE.into()),
        Lang::Shell => Some(tree_sitter_bash::LANGUAGE.into()),
        Lang::Scala => Some(tree_sitter_scala::LANGUAGE.into()),
        Lang::Sql | Lang::R | Lang::Markdown => None,
    }
}

thread_local! {
    static PARSERS: RefCell<Vec<(Lang, Parser)>> = const { RefCell::new(Vec::new()) };
}

/// Parses `code` as `lang`; `None` for languages without a grammar.
pub fn parse(lang: Lang, code: &str) -> Option<Tree> {
    let language = language(lang)?;
    PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let idx = if let Some(idx) = parsers.iter().position(|(l, _)| *l == lang) {
            idx
        } else {
            let mut parser = Parser::new();
            parser.set_language(&language).ok()?;
            parsers.push((lang, parser));
            parsers.len() - 1
        };
        parsers[idx].1.parse(code, None)
    })
}

/// Whether `code` parses as `lang` without syntax errors.
pub fn parses_cleanly(lang: Lang, code: &str) -> bool {
    parse(lang, code).is_some_and(|tree| !tree.root_node().has_error())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_language() {
        assert!(parses_cleanly(
            Lang::Python,
            "import requests\nrequests.get('x')\n"
        ));
        assert!(parses_cleanly(
            Lang::Shell,
            "X=$(curl -s http://a/b)\necho \"$X\"\n"
        ));
        assert!(parses_cleanly(
            Lang::Scala,
            "object Main { val x = \"a\" }\n"
        ));
        assert!(!parses_cleanly(Lang::Python, "def (:\n"));
        assert!(parse(Lang::Sql, "select 1").is_none());
    }
}
