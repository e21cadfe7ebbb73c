//! Databricks notebook source exports into cells.

use crate::cell::Cell;
use crate::lang::Lang;
use crate::source::SourceFile;

/// The cells of a Databricks source export in `lang`.
pub fn cells(_source: &SourceFile, _lang: Lang) -> Vec<Cell> {
    // TODO(parser): COMMAND and MAGIC splitting; until then exports yield no cells.
    Vec::new()
}
