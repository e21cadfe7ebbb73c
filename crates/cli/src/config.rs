//! Configuration files: `imds-lint.toml`, `.imds-lint.toml` or the
//! `[tool.imds-lint]` table of `pyproject.toml`, the nearest one above each
//! checked file; read with care ([`text`]), their keys checked
//! ([`file`]), merged with the defaults and the command line ([`folder`]),
//! found and cached per folder ([`discover`]), and shown by
//! `imds-lint config` ([`show`]).

mod discover;
mod file;
mod folder;
pub mod show;
mod text;

use std::path::{Path, PathBuf};

pub use discover::{absolute, shared_folder, Choice, Resolver, CONFIG_NAMES};
pub use file::{ConfigError, ConfigFile, KEYS};
pub use folder::{FolderSettings, Origin, Overrides, DEFAULT_EXCLUDE};

use crate::args::Args;
use crate::inputs::{Input, InputSource};

impl Overrides {
    /// What the command line says over configuration files: only flags
    /// given, not their defaults.
    pub fn from_args(args: &Args) -> Overrides {
        Overrides {
            select: (!args.select.is_empty()).then(|| args.select.clone()),
            ignore: args.ignore.clone(),
            token_ttl: args.given.token_ttl.then_some(args.token_ttl),
            output_format: args.given.output_format.then_some(args.output_format),
        }
    }
}

/// An exclude glob as a gitignore line: a glob written from its base
/// folder (`./libs`, which gitignore takes literally and so never matches)
/// is anchored there (`/libs`), a `!` before it kept.
pub fn glob_line(glob: &str) -> std::borrow::Cow<'_, str> {
    let (negation, body) = match glob.strip_prefix('!') {
        Some(body) => ("!", body),
        None => ("", glob),
    };
    if !body.starts_with("./") {
        return glob.into();
    }
    let mut rest = body;
    while let Some(after) = rest.strip_prefix("./") {
        rest = after.trim_start_matches('/');
    }
    format!("{negation}/{rest}").into()
}

/// A resolver for the run `args` describe, from the working folder.
pub fn resolver(args: &Args) -> Result<Resolver, ConfigError> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let choice = Choice::from_flags(args.config.as_deref(), args.isolated);
    Resolver::new(&choice, Overrides::from_args(args), cwd)
}

/// Every configuration error met for `inputs`, the walk's included, each
/// once: a bad configuration file stops the run before any check.
pub fn errors_for<'a>(
    resolver: &Resolver,
    inputs: impl IntoIterator<Item = &'a Input>,
) -> Vec<ConfigError> {
    // Inputs come sorted, so the files of a folder are next to each other:
    // each folder is looked up once.
    let mut last_folder: Option<&Path> = None;
    for input in inputs {
        if matches!(input.source, InputSource::Failed(_)) {
            continue;
        }
        let folder = input.path.parent();
        if last_folder.is_some() && folder == last_folder {
            continue;
        }
        last_folder = folder;
        // The cache keeps an error; it is collected below with the others.
        let _ = resolver.for_file(&input.path);
    }
    resolver.errors()
}
