//! Deciding what kind of file a path holds, from its name and first line.

use std::path::Path;

use crate::lang::Lang;

/// The kinds of file imds-lint reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A Jupyter notebook (`.ipynb`, nbformat 4).
    Jupyter,
    /// A Databricks notebook source export in the given language: its first
    /// line is `<comment> Databricks notebook source`.
    Databricks(Lang),
    /// A plain Python module or script.
    Python,
    /// A shell script (`.sh`, `.bash`, or a shell shebang).
    Shell,
    /// A Scala source file or script (`.scala`, `.sc`).
    Scala,
}

impl FileKind {
    /// Decides the kind from the file name and its first bytes; `None` for
    /// files imds-lint does not read.
    pub fn detect(path: &Path, head: &[u8]) -> Option<FileKind> {
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        let first_line = first_line(head);
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);

        match ext.as_deref() {
            Some("ipynb") => Some(FileKind::Jupyter),
            Some("py") => Some(databricks(first_line, Lang::Python).unwrap_or(FileKind::Python)),
            Some("scala" | "sc") => {
                Some(databricks(first_line, Lang::Scala).unwrap_or(FileKind::Scala))
            }
            Some("sql") => databricks(first_line, Lang::Sql),
            Some("r") => databricks(first_line, Lang::R),
            Some("sh" | "bash") => Some(FileKind::Shell),
            None => shebang(first_line),
            Some(_) => None,
        }
    }

    /// The kind of text with no name, from its content alone: a Jupyter
    /// notebook when it starts with `{`, a Databricks export when its
    /// first line is the export header of Python, Scala or SQL (R's is
    /// Python's). `None` for anything else.
    pub fn from_content(head: &[u8]) -> Option<FileKind> {
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        if head.trim_ascii_start().starts_with(b"{") {
            return Some(FileKind::Jupyter);
        }
        let first_line = first_line(head);
        [Lang::Python, Lang::Scala, Lang::Sql]
            .into_iter()
            .find_map(|lang| databricks(first_line, lang))
    }

    /// The language of code outside any magic.
    pub fn lang(self) -> Lang {
        match self {
            FileKind::Jupyter | FileKind::Python => Lang::Python,
            FileKind::Databricks(lang) => lang,
            FileKind::Shell => Lang::Shell,
            FileKind::Scala => Lang::Scala,
        }
    }
}

/// The header line of a Databricks source export in `lang`, without the
/// line ending.
pub fn databricks_header(lang: Lang) -> String {
    format!("{} Databricks notebook source", lang.line_comment())
}

fn databricks(first_line: &[u8], lang: Lang) -> Option<FileKind> {
    let header = databricks_header(lang);
    (first_line.trim_ascii_end() == header.as_bytes()).then_some(FileKind::Databricks(lang))
}

fn first_line(head: &[u8]) -> &[u8] {
    let end = memchr::memchr(b'\n', head).unwrap_or(head.len());
    &head[..end]
}

/// Reads a `#!` line: shells are shell scripts, Python is Python.
fn shebang(first_line: &[u8]) -> Option<FileKind> {
    let rest = first_line.strip_prefix(b"#!")?;
    let rest = std::str::from_utf8(rest).ok()?;
    let mut words = rest.split_ascii_whitespace();
    let mut program = words.next()?.rsplit('/').next()?;
    if program == "env" {
        program = words.find(|w| !w.starts_with('-'))?;
    }
    match program {
        "sh" | "bash" | "dash" | "ksh" | "zsh" | "ash" => Some(FileKind::Shell),
        p if p.starts_with("python") => Some(FileKind::Python),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(name: &str, head: &str) -> Option<FileKind> {
        FileKind::detect(Path::new(name), head.as_bytes())
    }

    #[test]
    fn databricks_headers_per_language() {
        let py = "# Databricks notebook source\nprint(1)\n";
        assert_eq!(kind("a.py", py), Some(FileKind::Databricks(Lang::Python)));
        let scala = "// Databricks notebook source\r\nval x = 1\r\n";
        assert_eq!(
            kind("a.scala", scala),
            Some(FileKind::Databricks(Lang::Scala))
        );
        let sql = "\u{feff}-- Databricks notebook source\n";
        assert_eq!(kind("a.sql", sql), Some(FileKind::Databricks(Lang::Sql)));
        assert_eq!(
            kind("a.r", "# Databricks notebook source\n"),
            Some(FileKind::Databricks(Lang::R))
        );
    }

    #[test]
    fn plain_files_by_extension() {
        assert_eq!(kind("a.py", "import os\n"), Some(FileKind::Python));
        assert_eq!(kind("a.sh", ""), Some(FileKind::Shell));
        assert_eq!(kind("a.BASH", ""), Some(FileKind::Shell));
        assert_eq!(kind("a.sc", ""), Some(FileKind::Scala));
        assert_eq!(kind("a.sql", "select 1"), None);
        assert_eq!(kind("a.md", "# x"), None);
        assert_eq!(kind("nb.ipynb", "{}"), Some(FileKind::Jupyter));
    }

    #[test]
    fn shebangs_without_extension() {
        assert_eq!(kind("init", "#!/bin/bash\n"), Some(FileKind::Shell));
        assert_eq!(kind("init", "#!/usr/bin/env bash\n"), Some(FileKind::Shell));
        assert_eq!(
            kind("init", "#!/usr/bin/env -S python3 -u\n"),
            Some(FileKind::Python)
        );
        assert_eq!(kind("init", "#!/usr/bin/perl\n"), None);
        assert_eq!(kind("Makefile", "all:\n"), None);
    }
}
