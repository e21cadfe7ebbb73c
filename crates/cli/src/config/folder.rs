//! The settings in force in one folder: a configuration file's values over
//! the defaults, with the command line over both; and the matchers for
//! its `exclude` and `per-file-ignores` globs, read from the file's folder.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use imds_lint_rules::{Rule, Settings};

use super::file::{ConfigError, ConfigFile};
use crate::report::OutputFormat;

/// Folders of other people's code, skipped unless `exclude` says otherwise:
/// a virtual environment's copy of boto 2 is not the user's to fix.
pub const DEFAULT_EXCLUDE: [&str; 4] = [
    "node_modules/",
    "site-packages/",
    "venv/",
    "__pypackages__/",
];

/// The command-line flags that override configuration files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--select`: the rules to run, in place of the file's choice.
    pub select: Option<Vec<Rule>>,
    /// `--ignore`: rules not to run, on top of the file's choice.
    pub ignore: Vec<Rule>,
    /// `--token-ttl`, when given.
    pub token_ttl: Option<u32>,
    /// `--output-format`, when given.
    pub output_format: Option<OutputFormat>,
}

/// Where a configuration came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file as printed: relative to the working folder when under it.
    pub shown: PathBuf,
    /// The folder its globs are relative to (absolute).
    pub root: PathBuf,
}

/// The settings in force for the files of a folder.
#[derive(Debug)]
pub struct FolderSettings {
    /// The configuration file, or `None` for the defaults.
    pub origin: Option<Origin>,
    /// What the file says, key by key (for `imds-lint config`).
    pub file: ConfigFile,
    /// The command-line overrides applied.
    pub overrides: Overrides,
    /// Rule settings before `per-file-ignores`.
    pub settings: Arc<Settings>,
    /// The output format (used from the configuration of the working folder).
    pub output_format: OutputFormat,
    /// Said once per run when these settings are used: they run no rule.
    pub warning: Option<String>,
    exclude: Gitignore,
    /// Whether an `exclude` glob can match a file, not only folders (the
    /// defaults match only folders).
    excludes_files: bool,
    per_file_ignores: Vec<PerFileIgnore>,
}

/// One `per-file-ignores` entry.
#[derive(Debug)]
struct PerFileIgnore {
    glob: String,
    matcher: Gitignore,
    rules: Vec<Rule>,
}

impl FolderSettings {
    /// The settings of `file` (from `origin`) under `overrides`; a file
    /// already checked by [`super::file::parse`] cannot fail here, but a
    /// glob the matcher refuses is still reported rather than dropped.
    pub fn new(
        origin: Option<Origin>,
        file: ConfigFile,
        overrides: &Overrides,
    ) -> Result<FolderSettings, ConfigError> {
        let root = origin
            .as_ref()
            .map_or_else(|| PathBuf::from("/"), |origin| origin.root.clone());
        let shown = origin.as_ref().map_or_else(
            || PathBuf::from("(defaults)"),
            |origin| origin.shown.clone(),
        );
        let glob_error = |key: &str, err: ignore::Error| {
            ConfigError::file(&shown, format!("bad value for `{key}`: {err}"))
        };

        let exclude_globs = file
            .exclude
            .clone()
            .unwrap_or_else(|| DEFAULT_EXCLUDE.map(str::to_owned).to_vec());
        let extend = file.extend_exclude.clone().unwrap_or_default();
        let exclude = matcher(&root, exclude_globs.iter().chain(&extend))
            .map_err(|err| glob_error("exclude", err))?;
        // A glob that ends in `/` matches only folders; one that starts
        // with `!` excludes nothing.
        let excludes_files = exclude_globs.iter().chain(&extend).any(|glob| {
            let line = super::glob_line(glob);
            !line.starts_with('!') && !line.ends_with('/')
        });

        let mut per_file_ignores = Vec::new();
        for (glob, rules) in file.per_file_ignores.iter().flatten() {
            per_file_ignores.push(PerFileIgnore {
                glob: glob.clone(),
                matcher: matcher(&root, [glob])
                    .map_err(|err| glob_error("per-file-ignores", err))?,
                rules: rules.clone(),
            });
        }

        let settings = Arc::new(rule_settings(&file, overrides));
        let warning = if settings.rules.is_empty() {
            no_rule_warning(origin.as_ref(), overrides)
        } else {
            None
        };
        let output_format = overrides
            .output_format
            .or(file.output_format)
            .unwrap_or(OutputFormat::Full);
        Ok(FolderSettings {
            origin,
            file,
            overrides: overrides.clone(),
            settings,
            output_format,
            warning,
            exclude,
            excludes_files,
            per_file_ignores,
        })
    }

    /// The folder globs are read from: the configuration file's folder.
    fn root(&self) -> &Path {
        self.origin
            .as_ref()
            .map_or(Path::new("/"), |origin| origin.root.as_path())
    }

    /// Whether an entry of this folder that is (or is not) a folder may be
    /// excluded at all: a cheap answer before [`FolderSettings::excludes`].
    pub fn may_exclude(&self, is_dir: bool) -> bool {
        is_dir || self.excludes_files
    }

    /// Whether `path` (absolute, in this folder) is excluded by its own
    /// name; the walk has checked the folders above it already.
    pub fn excludes(&self, path: &Path, is_dir: bool) -> bool {
        if !self.may_exclude(is_dir) {
            return false;
        }
        let Ok(relative) = path.strip_prefix(self.root()) else {
            return false;
        };
        !relative.as_os_str().is_empty() && self.exclude.matched(relative, is_dir).is_ignore()
    }

    /// The `per-file-ignores` entries that match `path` (absolute): a glob
    /// matches the file (or folder) or a folder above it, up to the
    /// configuration's folder.
    pub fn ignores_for(&self, path: &Path, is_dir: bool) -> Vec<(&str, &[Rule])> {
        let Ok(relative) = path.strip_prefix(self.root()) else {
            return Vec::new();
        };
        self.per_file_ignores
            .iter()
            .filter(|entry| {
                relative
                    .ancestors()
                    .take_while(|p| !p.as_os_str().is_empty())
                    .enumerate()
                    .any(|(depth, p)| entry.matcher.matched(p, is_dir || depth > 0).is_ignore())
            })
            .map(|entry| (entry.glob.as_str(), entry.rules.as_slice()))
            .collect()
    }

    /// The rule settings for the file at `path` (absolute):
    /// `per-file-ignores` applied.
    pub fn settings_for(&self, path: &Path) -> Arc<Settings> {
        let ignored: Vec<Rule> = self
            .ignores_for(path, false)
            .into_iter()
            .flat_map(|(_, rules)| rules.iter().copied())
            .collect();
        if !self
            .settings
            .rules
            .iter()
            .any(|rule| ignored.contains(rule))
        {
            return Arc::clone(&self.settings);
        }
        let mut settings = Settings::clone(&self.settings);
        settings.rules.retain(|rule| !ignored.contains(rule));
        Arc::new(settings)
    }

    /// The excludes in force: `exclude` (or the defaults), then
    /// `extend-exclude`.
    pub fn exclude_globs(&self) -> (Vec<String>, Vec<String>) {
        let exclude = self
            .file
            .exclude
            .clone()
            .unwrap_or_else(|| DEFAULT_EXCLUDE.map(str::to_owned).to_vec());
        (
            exclude,
            self.file.extend_exclude.clone().unwrap_or_default(),
        )
    }
}

/// Rules, token lifetime and variable names: the defaults, then the file,
/// then the command line. `--select` replaces the file's whole choice of
/// rules (its `ignore` too); `--ignore` removes rules from the result.
fn rule_settings(file: &ConfigFile, overrides: &Overrides) -> Settings {
    let mut settings = Settings::default();

    if let Some(select) = &file.select {
        settings.rules.retain(|rule| select.contains(rule));
    }
    if let Some(ignore) = &file.ignore {
        settings.rules.retain(|rule| !ignore.contains(rule));
    }
    if let Some(select) = &overrides.select {
        settings.rules = Rule::ALL
            .into_iter()
            .filter(|rule| select.contains(rule))
            .collect();
    }
    settings
        .rules
        .retain(|rule| !overrides.ignore.contains(rule));

    if let Some(ttl) = overrides.token_ttl.or(file.token_ttl) {
        settings.token_ttl = ttl;
    }
    let names = &mut settings.token_variable;
    for (slot, name) in [
        (&mut names.shell, &file.token_variable_shell),
        (&mut names.python, &file.token_variable_python),
        (&mut names.scala, &file.token_variable_scala),
    ] {
        if let Some(name) = name {
            slot.clone_from(name);
        }
    }
    settings
}

/// A gitignore-style matcher of `globs`, relative to `root`.
/// Why settings that run no rule are worth a warning, so that a CI gate
/// turned off by `select = []` is not taken for a clean run: said once for
/// the flags when they leave none, else once per configuration file.
fn no_rule_warning(origin: Option<&Origin>, overrides: &Overrides) -> Option<String> {
    let flags_leave_none = rule_settings(&ConfigFile::default(), overrides)
        .rules
        .is_empty();
    let flags_given = overrides.select.is_some() || !overrides.ignore.is_empty();
    match origin {
        None if flags_leave_none => {
            Some("no rule runs (--select and --ignore leave none): nothing is reported".to_owned())
        }
        Some(origin) if !flags_leave_none => {
            let with_flags = if flags_given {
                ", with --select and --ignore,"
            } else {
                ""
            };
            Some(format!(
                "{}: no rule runs (its select and ignore{with_flags} leave none): nothing it \
                 governs is reported",
                origin.shown.display()
            ))
        }
        _ => None,
    }
}

fn matcher<'a>(
    root: &Path,
    globs: impl IntoIterator<Item = &'a String>,
) -> Result<Gitignore, ignore::Error> {
    let mut builder = GitignoreBuilder::new(root);
    for glob in globs {
        builder.add_line(None, &super::glob_line(glob))?;
    }
    builder.build()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const IMD001: Rule = Rule::MetadataRequestWithoutToken;
    const IMD002: Rule = Rule::MalformedTokenRequest;
    const IMD003: Rule = Rule::Imdsv1OnlyClient;

    fn folder(file: ConfigFile, overrides: &Overrides) -> FolderSettings {
        let origin = Origin {
            shown: PathBuf::from("imds-lint.toml"),
            root: PathBuf::from("/p"),
        };
        FolderSettings::new(Some(origin), file, overrides).unwrap()
    }

    #[test]
    fn defaults_run_every_rule_and_skip_third_party_folders() {
        let f = FolderSettings::new(None, ConfigFile::default(), &Overrides::default()).unwrap();
        assert_eq!(*f.settings, Settings::default());
        assert_eq!(f.output_format, OutputFormat::Full);
        assert!(f.excludes(Path::new("/x/venv"), true));
        assert!(f.excludes(Path::new("/x/lib/site-packages"), true));
        assert!(!f.excludes(Path::new("/x/venv"), false));
        assert!(!f.excludes(Path::new("/x/src"), true));
    }

    #[test]
    fn exclude_replaces_the_defaults_and_extend_exclude_adds() {
        let file = ConfigFile {
            exclude: Some(vec!["/build/".into()]),
            extend_exclude: Some(vec!["*.gen.py".into()]),
            ..ConfigFile::default()
        };
        let f = folder(file, &Overrides::default());
        assert!(f.excludes(Path::new("/p/build"), true));
        assert!(!f.excludes(Path::new("/p/sub/build"), true));
        assert!(f.excludes(Path::new("/p/sub/a.gen.py"), false));
        assert!(!f.excludes(Path::new("/p/venv"), true));
        assert!(!f.excludes(Path::new("/elsewhere/build"), true));

        let only_extend = ConfigFile {
            extend_exclude: Some(vec!["gen/".into()]),
            ..ConfigFile::default()
        };
        let f = folder(only_extend, &Overrides::default());
        assert!(f.excludes(Path::new("/p/venv"), true));
        assert!(f.excludes(Path::new("/p/gen"), true));
    }

    #[test]
    fn per_file_ignores_match_files_and_folders_below_the_config() {
        let file = ConfigFile {
            per_file_ignores: Some(vec![
                ("tests/".into(), vec![IMD001]),
                ("*.ipynb".into(), vec![IMD003]),
                ("/scripts/*.sh".into(), vec![IMD002]),
            ]),
            ..ConfigFile::default()
        };
        let f = folder(file, &Overrides::default());
        assert_eq!(
            f.settings_for(Path::new("/p/tests/deep/a.py")).rules,
            vec![IMD002, IMD003]
        );
        assert_eq!(
            f.settings_for(Path::new("/p/x/n.ipynb")).rules,
            vec![IMD001, IMD002]
        );
        assert_eq!(
            f.settings_for(Path::new("/p/scripts/i.sh")).rules,
            vec![IMD001, IMD003]
        );
        assert_eq!(
            f.settings_for(Path::new("/p/x/scripts/i.sh")).rules,
            Rule::ALL.to_vec()
        );
        assert_eq!(
            f.settings_for(Path::new("/p/a.py")).rules,
            Rule::ALL.to_vec()
        );
        assert_eq!(
            f.ignores_for(Path::new("/p/tests/n.ipynb"), false),
            vec![("tests/", &[IMD001][..]), ("*.ipynb", &[IMD003][..])]
        );
    }

    #[test]
    fn command_line_overrides_the_file() {
        let file = ConfigFile {
            select: Some(vec![IMD001, IMD002]),
            ignore: Some(vec![IMD002]),
            token_ttl: Some(60),
            token_variable_python: Some("tok".into()),
            output_format: Some(OutputFormat::Concise),
            ..ConfigFile::default()
        };
        let f = folder(file.clone(), &Overrides::default());
        assert_eq!(f.settings.rules, vec![IMD001]);
        assert_eq!(f.settings.token_ttl, 60);
        assert_eq!(f.settings.token_variable.python, "tok");
        assert_eq!(f.settings.token_variable.shell, "IMDS_TOKEN");
        assert_eq!(f.output_format, OutputFormat::Concise);

        let flags = Overrides {
            select: Some(vec![IMD002, IMD003]),
            ignore: vec![IMD003],
            token_ttl: Some(900),
            output_format: Some(OutputFormat::Json),
        };
        let f = folder(file, &flags);
        // `--select` brings back what the file ignored; `--ignore` wins last.
        assert_eq!(f.settings.rules, vec![IMD002]);
        assert_eq!(f.settings.token_ttl, 900);
        assert_eq!(f.output_format, OutputFormat::Json);
    }
}
