//! Finding the configuration in force for a folder: the nearest
//! `imds-lint.toml`, `.imds-lint.toml` or `pyproject.toml` with a
//! `[tool.imds-lint]` table, from the folder up to the filesystem root;
//! or one file for everything (`--config`), or none (`--isolated`).
//!
//! Answers are cached per folder, and shared by the walker's threads: a
//! folder's configuration files are looked for and read once per run.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use imds_lint_rules::Settings;

use super::file::{self, ConfigError, Layout};
use super::folder::{FolderSettings, Origin, Overrides};
use super::text::{self, Reading};

/// The names of configuration files, by precedence when a folder holds
/// more than one.
pub const CONFIG_NAMES: [&str; 3] = ["imds-lint.toml", ".imds-lint.toml", "pyproject.toml"];

/// Which configuration files a run reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Choice {
    /// The nearest file above each checked file.
    #[default]
    Discover,
    /// This one file for every checked file (`--config`).
    File(PathBuf),
    /// None: defaults and flags only (`--isolated`).
    Isolated,
}

impl Choice {
    /// The choice `--config FILE` and `--isolated` make (clap keeps them
    /// apart).
    pub fn from_flags(config: Option<&Path>, isolated: bool) -> Choice {
        match (config, isolated) {
            (Some(path), _) => Choice::File(path.to_owned()),
            (None, true) => Choice::Isolated,
            (None, false) => Choice::Discover,
        }
    }
}

type Found = Result<Arc<FolderSettings>, ConfigError>;

/// A folder whose entry [`Resolver::excludes_entry`] judged: the
/// resolver's id, the folder's path as the entry's path spells it, and its
/// settings (`None`: they cannot be read).
type JudgedFolder = (u64, PathBuf, Option<Arc<FolderSettings>>);

thread_local! {
    /// The folder this thread judged an entry of last.
    static LAST_FOLDER: RefCell<Option<JudgedFolder>> = const { RefCell::new(None) };
}

/// How many resolvers were made: each one's id.
static RESOLVERS: AtomicU64 = AtomicU64::new(0);

/// The configuration in force for any folder, found once per folder.
#[derive(Debug)]
pub struct Resolver {
    /// Tells this resolver's answers from another's in [`LAST_FOLDER`].
    id: u64,
    cwd: PathBuf,
    overrides: Overrides,
    /// The settings for every folder, when they do not depend on it.
    fixed: Option<Arc<FolderSettings>>,
    defaults: Arc<FolderSettings>,
    cache: Mutex<HashMap<PathBuf, Found>>,
    /// Warnings about configuration files met, besides their settings'.
    notes: Mutex<Vec<String>>,
}

impl Resolver {
    /// A resolver for `choice` with the command line's `overrides`,
    /// relative to the working folder `cwd`. A `--config` file is read
    /// here; discovered ones when first needed.
    pub fn new(
        choice: &Choice,
        overrides: Overrides,
        cwd: PathBuf,
    ) -> Result<Resolver, ConfigError> {
        let defaults = Arc::new(FolderSettings::new(
            None,
            file::ConfigFile::default(),
            &overrides,
        )?);
        let fixed = match choice {
            Choice::Discover => None,
            Choice::Isolated => Some(Arc::clone(&defaults)),
            Choice::File(path) => Some(read_named(path, &cwd, &overrides)?),
        };
        Ok(Resolver {
            id: RESOLVERS.fetch_add(1, Ordering::Relaxed),
            cwd,
            overrides,
            fixed,
            defaults,
            cache: Mutex::new(HashMap::new()),
            notes: Mutex::new(Vec::new()),
        })
    }

    /// The settings in force in folder `dir`.
    pub fn for_folder(&self, dir: &Path) -> Found {
        if let Some(fixed) = &self.fixed {
            return Ok(Arc::clone(fixed));
        }
        let dir = self.absolute(dir);

        // Up from `dir` to the first folder already known or holding a
        // configuration; every folder passed on the way gets the answer.
        let mut passed = Vec::new();
        let mut current = Some(dir.as_path());
        let found = loop {
            let Some(folder) = current else {
                break Ok(Arc::clone(&self.defaults));
            };
            if let Some(found) = self.cached(folder) {
                break found;
            }
            passed.push(folder.to_owned());
            if let Some(found) = self.read_folder(folder) {
                break found;
            }
            current = folder.parent();
        };

        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        for folder in passed {
            cache.entry(folder).or_insert_with(|| found.clone());
        }
        found
    }

    /// The settings in force for the file at `path` (`-` for standard
    /// input without a name: the working folder's).
    pub fn for_file(&self, path: &Path) -> Found {
        self.for_folder(self.folder_of(path).as_path())
    }

    /// The rule settings for the file at `path`, `per-file-ignores`
    /// applied.
    pub fn settings_for(&self, path: &Path) -> Result<Arc<Settings>, ConfigError> {
        let folder = self.for_file(path)?;
        Ok(folder.settings_for(&self.absolute(path)))
    }

    /// Whether a walked entry is excluded by the configuration of the
    /// folder holding it. A configuration that cannot be read excludes
    /// nothing; [`Resolver::errors`] reports it before any check.
    pub fn excludes_entry(&self, path: &Path, is_dir: bool) -> bool {
        self.folder_of_entry(path).is_some_and(|folder| {
            folder.may_exclude(is_dir) && folder.excludes(&self.absolute(path), is_dir)
        })
    }

    /// The settings of the folder that holds the entry at `path` (`None`:
    /// its configuration cannot be read). A walk meets a folder's entries
    /// one after another, so each thread keeps its last answer, by the
    /// folder as the entry's path spells it: looking the folder up again
    /// for each entry cost 4% of a sparse scan's instructions.
    fn folder_of_entry(&self, path: &Path) -> Option<Arc<FolderSettings>> {
        let look_up = || {
            let absolute = self.absolute(path);
            self.for_folder(absolute.parent()?).ok()
        };
        // `a/..` is not in the folder `a` it spells.
        let (Some(parent), Some(Component::Normal(_))) =
            (path.parent(), path.components().next_back())
        else {
            return look_up();
        };
        LAST_FOLDER.with_borrow_mut(|last| {
            if let Some((id, folder, found)) = last.as_ref() {
                if *id == self.id && folder.as_os_str() == parent.as_os_str() {
                    return found.clone();
                }
            }
            let found = look_up();
            *last = Some((self.id, parent.to_owned(), found.clone()));
            found
        })
    }

    /// Whether a path named on the command line, or a folder the path
    /// names, is excluded: the folders below the one it shares with the
    /// working folder (`../vendor/x/a.sh` names `vendor` and `x`). Folders
    /// at or above the working folder do not count: a checkout under
    /// `/home/me/venv/` must not exclude everything in it.
    pub fn excludes_named(&self, path: &Path, is_dir: bool) -> bool {
        let absolute = self.absolute(path);
        let shared = shared_folder(&absolute, &self.cwd);
        // From the top down, as a walk would meet them: an excluded folder
        // ends it before the configuration files inside it are read.
        let named: Vec<&Path> = absolute
            .ancestors()
            .take_while(|p| *p != shared && p.parent().is_some())
            .collect();
        named
            .iter()
            .rev()
            .any(|p| self.excludes_entry(p, *p != absolute || is_dir))
    }

    /// Every warning about the configuration met so far (settings that
    /// run no rule, a table that is not read), each once, sorted: said
    /// before the report, in the same order whatever the walk's.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings: Vec<String> = self
            .notes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        let settings = cache
            .values()
            .filter_map(|found| found.as_ref().ok())
            .chain(&self.fixed)
            .chain([&self.defaults]);
        warnings.extend(settings.filter_map(|folder| folder.warning.clone()));
        warnings.sort();
        warnings.dedup();
        warnings
    }

    fn note(&self, warning: String) {
        self.notes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(warning);
    }

    /// Every configuration error met so far, each once, by file.
    pub fn errors(&self) -> Vec<ConfigError> {
        let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        let mut errors: Vec<ConfigError> = cache
            .values()
            .filter_map(|found| found.as_ref().err().cloned())
            .collect();
        errors.sort();
        errors.dedup();
        errors
    }

    /// The folder a file's settings come from.
    fn folder_of(&self, path: &Path) -> PathBuf {
        if path == Path::new("-") {
            return self.cwd.clone();
        }
        let absolute = self.absolute(path);
        absolute.parent().map_or(absolute.clone(), Path::to_owned)
    }

    fn cached(&self, folder: &Path) -> Option<Found> {
        let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        cache.get(folder).cloned()
    }

    /// The configuration file in `folder`, read; `None` when it has none.
    fn read_folder(&self, folder: &Path) -> Option<Found> {
        for name in CONFIG_NAMES {
            let path = folder.join(name);
            let is_pyproject = name == "pyproject.toml";
            let text = match text::read(&path) {
                Reading::Absent(_) => continue,
                Reading::Text(text) => text,
                // A pyproject.toml belongs to other tools first: one that
                // cannot be read as text and does not name us is passed
                // over, as a broken one is below.
                Reading::Unusable(unusable) if is_pyproject && !unusable.names_us => {
                    log::debug!("{}: passed over: {}", path.display(), unusable.why);
                    continue;
                }
                Reading::Unusable(unusable) => {
                    return Some(Err(read_error(&self.shown(&path), &unusable.why)))
                }
            };
            // A pyproject.toml that does not mention us is not parsed: a
            // broken one belongs to another tool.
            if is_pyproject && file::has_underscore_table(&text) {
                self.note(format!(
                    "{}: [tool.imds_lint] is not read: imds-lint's table is [tool.imds-lint]",
                    self.shown(&path).display()
                ));
            }
            if is_pyproject && !text.contains("imds-lint") {
                continue;
            }
            let shown = self.shown(&path);
            match file::parse(&text, Layout::of(&path), &shown) {
                Ok(None) => {}
                Ok(Some(config)) => {
                    log::debug!("{}: settings from {}", folder.display(), shown.display());
                    let origin = Origin {
                        shown,
                        root: folder.to_owned(),
                    };
                    return Some(
                        FolderSettings::new(Some(origin), config, &self.overrides).map(Arc::new),
                    );
                }
                Err(err) => return Some(Err(err)),
            }
        }
        None
    }

    /// A path as printed: relative to the working folder when under it.
    fn shown(&self, path: &Path) -> PathBuf {
        shown(path, &self.cwd)
    }

    fn absolute(&self, path: &Path) -> PathBuf {
        absolute(path, &self.cwd)
    }
}

/// Reads the file named by `--config`: it must exist and hold a
/// configuration (a `pyproject.toml` must have the table).
fn read_named(path: &Path, cwd: &Path, overrides: &Overrides) -> Found {
    let text = match text::read(path) {
        Reading::Text(text) => text,
        Reading::Absent(err) => return Err(read_error(path, &crate::reason::io(&err))),
        Reading::Unusable(unusable) => return Err(read_error(path, &unusable.why)),
    };
    let Some(config) = file::parse(&text, Layout::of(path), path)? else {
        return Err(ConfigError::file(path, "has no [tool.imds-lint] table"));
    };
    let absolute = absolute(path, cwd);
    let root = absolute
        .parent()
        .map_or_else(|| cwd.to_owned(), Path::to_owned);
    let origin = Origin {
        shown: path.to_owned(),
        root,
    };
    FolderSettings::new(Some(origin), config, overrides).map(Arc::new)
}

fn read_error(path: &Path, why: &str) -> ConfigError {
    ConfigError::file(path, format!("cannot be read: {why}"))
}

/// `path` relative to `cwd` when under it, else as it is.
pub fn shown(path: &Path, cwd: &Path) -> PathBuf {
    match path.strip_prefix(cwd) {
        Ok(relative) if !relative.as_os_str().is_empty() => relative.to_owned(),
        _ => path.to_owned(),
    }
}

/// The deepest folder that holds both `a` and `b` (absolute paths).
pub fn shared_folder(a: &Path, b: &Path) -> PathBuf {
    a.components()
        .zip(b.components())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x)
        .collect()
}

/// `path` made absolute against `cwd`, with `.` and `..` resolved by
/// name (links are not followed: the path as the user wrote it decides).
pub fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_owned()
    } else {
        cwd.join(path)
    };
    // Walked paths are nearly always in normal form already; rebuilding
    // them component by component cost a tenth of a sparse scan.
    if is_normal(&joined) {
        return joined;
    }
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Whether `path` is absolute and has no `.` or `..` component, no empty
/// one (`a//b`) and no trailing separator: what [`absolute`] would build
/// from it component by component is the same bytes.
#[cfg(unix)]
fn is_normal(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    let Some(rest) = bytes.strip_prefix(b"/") else {
        return false;
    };
    // `//x` is a root of its own on some systems: leave it to the slow path.
    rest.is_empty()
        || rest
            .split(|&b| b == b'/')
            .all(|part| !matches!(part, b"" | b"." | b".."))
}

#[cfg(not(unix))]
fn is_normal(_path: &Path) -> bool {
    false
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::fs;

    use imds_lint_rules::Rule;

    use super::*;

    #[test]
    fn normal_paths_are_taken_as_they_are_and_others_rebuilt() {
        let cwd = Path::new("/work/repo");
        for (path, want) in [
            ("/a/b.py", "/a/b.py"),
            ("/", "/"),
            ("x/y.sh", "/work/repo/x/y.sh"),
            ("./x/../y.sh", "/work/repo/y.sh"),
            ("/a//b/", "/a/b"),
            ("/a/./b/..", "/a"),
            ("..", "/work"),
            ("/a/.hidden/b..c", "/a/.hidden/b..c"),
        ] {
            assert_eq!(absolute(Path::new(path), cwd), Path::new(want), "{path}");
            assert_eq!(
                absolute(Path::new(path), cwd).as_os_str(),
                Path::new(want).as_os_str(),
                "{path}: the bytes too"
            );
        }
    }

    fn write(dir: &Path, name: &str, text: &str) {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn resolver(root: &Path) -> Resolver {
        Resolver::new(&Choice::Discover, Overrides::default(), root.to_owned()).unwrap()
    }

    /// Each thread keeps the folder it last judged an entry of: that answer
    /// is never another resolver's, nor another folder's of the same name.
    #[test]
    fn the_last_folder_judged_is_kept_per_resolver_and_folder() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        write(&a, "p/imds-lint.toml", "extend-exclude = [\"*.sh\"]\n");
        write(&a, "p/x.sh", "");
        write(&b, "p/x.sh", "");
        write(&b, "p/venv/x.sh", "");
        let (in_a, in_b) = (resolver(&a), resolver(&b));
        for _ in 0..2 {
            assert!(in_a.excludes_entry(Path::new("p/x.sh"), false));
            assert!(!in_b.excludes_entry(Path::new("p/x.sh"), false));
        }
        // Folders are still excluded where only folders are.
        assert!(in_b.excludes_entry(Path::new("p/venv"), true));
        assert!(!in_b.excludes_entry(Path::new("p/venv"), false));
        // `p/x.sh/..` is `p`, an entry of the folder above, whose
        // configuration excludes nothing.
        assert!(in_a.excludes_entry(Path::new("p/x.sh"), true));
        assert!(!in_a.excludes_entry(Path::new("p/x.sh/.."), true));
        assert!(in_a.excludes_entry(Path::new("p/y.sh"), false));
    }

    #[test]
    fn absolute_resolves_dots_by_name() {
        let cwd = Path::new("/w/p");
        assert_eq!(
            absolute(Path::new("./a/../b/c.py"), cwd),
            PathBuf::from("/w/p/b/c.py")
        );
        assert_eq!(absolute(Path::new("../x"), cwd), PathBuf::from("/w/x"));
        assert_eq!(absolute(Path::new("/a/./b"), cwd), PathBuf::from("/a/b"));
        assert_eq!(absolute(Path::new("/.."), cwd), PathBuf::from("/"));
        assert_eq!(
            shown(Path::new("/w/p/a/b.toml"), cwd),
            PathBuf::from("a/b.toml")
        );
        assert_eq!(
            shown(Path::new("/w/q.toml"), cwd),
            PathBuf::from("/w/q.toml")
        );
    }

    #[test]
    fn nearest_file_wins_and_folders_share_the_answer() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "imds-lint.toml", "ignore = [\"IMD003\"]\n");
        write(root, "a/b/c/.keep", "");
        write(root, "a/b/.imds-lint.toml", "select = [\"IMD001\"]\n");

        let r = resolver(root);
        let deep = r.for_folder(&root.join("a/b/c")).unwrap();
        assert_eq!(
            deep.origin.as_ref().unwrap().shown,
            PathBuf::from("a/b/.imds-lint.toml")
        );
        assert_eq!(deep.settings.rules, vec![Rule::MetadataRequestWithoutToken]);
        let top = r.for_folder(&root.join("a")).unwrap();
        assert_eq!(
            top.origin.as_ref().unwrap().shown,
            PathBuf::from("imds-lint.toml")
        );
        assert!(Arc::ptr_eq(&top, &r.for_folder(root).unwrap()));
        assert!(Arc::ptr_eq(
            &deep,
            &r.for_folder(&root.join("a/b")).unwrap()
        ));
        assert!(r.errors().is_empty());
    }

    #[test]
    fn pyproject_counts_only_with_its_table_and_loses_to_imds_lint_toml() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "pyproject.toml",
            "[tool.imds-lint]\nignore = [\"IMD002\"]\n",
        );
        write(
            root,
            "sub/pyproject.toml",
            "[tool.ruff]\nline-length = 100\n",
        );
        write(
            root,
            "both/pyproject.toml",
            "[tool.imds-lint]\nignore = [\"IMD001\"]\n",
        );
        write(root, "both/imds-lint.toml", "ignore = [\"IMD003\"]\n");
        write(root, "broken/pyproject.toml", "[tool.black\n");

        let r = resolver(root);
        let sub = r.for_folder(&root.join("sub")).unwrap();
        assert_eq!(
            sub.origin.as_ref().unwrap().shown,
            PathBuf::from("pyproject.toml")
        );
        let both = r.for_folder(&root.join("both")).unwrap();
        assert_eq!(
            both.origin.as_ref().unwrap().shown,
            PathBuf::from("both/imds-lint.toml")
        );
        let broken = r.for_folder(&root.join("broken")).unwrap();
        assert_eq!(
            broken.origin.as_ref().unwrap().shown,
            PathBuf::from("pyproject.toml")
        );
    }

    #[test]
    fn errors_are_kept_per_file_and_reported_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "bad/imds-lint.toml", "selct = []\n");
        write(root, "bad/x/.keep", "");
        let r = resolver(root);
        assert!(r.for_folder(&root.join("bad/x")).is_err());
        assert!(r.for_folder(&root.join("bad")).is_err());
        assert!(!r.excludes_entry(&root.join("bad/x/venv"), true));
        let errors: Vec<String> = r.errors().iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with("bad/imds-lint.toml:1: unknown key `selct`"),
            "{errors:?}"
        );
    }

    /// A FIFO at `path`, made by `mkfifo` (the tests take no libc).
    #[cfg(unix)]
    fn fifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    }

    #[cfg(unix)]
    #[test]
    fn config_files_that_are_not_regular_files_are_not_read() {
        // Regression (tester): a committed link `pyproject.toml ->
        // /dev/zero` ate memory until the run died, and a FIFO named
        // `pyproject.toml` hung the run forever.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "imds-lint.toml", "ignore = [\"IMD003\"]\n");
        fs::create_dir_all(root.join("zero")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", root.join("zero/pyproject.toml")).unwrap();
        fs::create_dir_all(root.join("pipe")).unwrap();
        fifo(&root.join("pipe/pyproject.toml"));
        fs::create_dir_all(root.join("own")).unwrap();
        fifo(&root.join("own/imds-lint.toml"));
        fs::create_dir_all(root.join("dev")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", root.join("dev/.imds-lint.toml")).unwrap();

        let r = resolver(root);
        // Another tool's file: passed over, as one without our table.
        for folder in ["zero", "pipe"] {
            let found = r.for_folder(&root.join(folder)).unwrap();
            assert_eq!(
                found.origin.as_ref().unwrap().shown,
                PathBuf::from("imds-lint.toml")
            );
        }
        // Ours: an error naming it.
        let errors: Vec<String> = [
            r.for_folder(&root.join("own")),
            r.for_folder(&root.join("dev")),
        ]
        .into_iter()
        .map(|found| found.unwrap_err().to_string())
        .collect();
        assert_eq!(
            errors,
            [
                "own/imds-lint.toml: cannot be read: not a regular file",
                "dev/.imds-lint.toml: cannot be read: not a regular file",
            ]
        );

        let named = Choice::File(root.join("own/imds-lint.toml"));
        let err = Resolver::new(&named, Overrides::default(), root.to_owned()).unwrap_err();
        assert!(err
            .to_string()
            .ends_with("own/imds-lint.toml: cannot be read: not a regular file"));
    }

    /// Found by a fresh tester in the tenth session: an `imds-lint.toml`
    /// that was a folder or a broken link was passed over without a word,
    /// and the parent folder's settings used instead.
    #[cfg(unix)]
    #[test]
    fn a_config_name_that_is_a_folder_or_a_broken_link_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "imds-lint.toml", "ignore = [\"IMD003\"]\n");
        fs::create_dir_all(root.join("folder/imds-lint.toml")).unwrap();
        fs::create_dir_all(root.join("broken")).unwrap();
        std::os::unix::fs::symlink("gone.toml", root.join("broken/.imds-lint.toml")).unwrap();
        // Another tool's name: passed over, as a file without our table is.
        fs::create_dir_all(root.join("other/pyproject.toml")).unwrap();
        std::os::unix::fs::symlink("gone.toml", root.join("other/.pyproject-link")).unwrap();

        let r = resolver(root);
        let errors: Vec<String> = [
            r.for_folder(&root.join("folder")),
            r.for_folder(&root.join("broken")),
        ]
        .into_iter()
        .map(|found| found.unwrap_err().to_string())
        .collect();
        assert_eq!(
            errors,
            [
                "folder/imds-lint.toml: cannot be read: a folder, not a file",
                "broken/.imds-lint.toml: cannot be read: a symbolic link to nothing",
            ]
        );
        let found = r.for_folder(&root.join("other")).unwrap();
        assert_eq!(
            found.origin.as_ref().unwrap().shown,
            PathBuf::from("imds-lint.toml")
        );
    }

    #[test]
    fn config_files_over_the_size_cap_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let padding = "# padding\n".repeat(120_000);
        write(root, "big/imds-lint.toml", &padding);
        write(
            root,
            "other/pyproject.toml",
            &format!("[tool.ruff]\n{padding}"),
        );
        write(
            root,
            "ours/pyproject.toml",
            &format!("[tool.imds-lint]\n{padding}"),
        );
        write(root, "fits/imds-lint.toml", &"# padding\n".repeat(100_000));

        let r = resolver(root);
        assert_eq!(
            r.for_folder(&root.join("big")).unwrap_err().to_string(),
            "big/imds-lint.toml: cannot be read: too large (over 1 MiB)"
        );
        assert!(r.for_folder(&root.join("other")).unwrap().origin.is_none());
        assert_eq!(
            r.for_folder(&root.join("ours")).unwrap_err().to_string(),
            "ours/pyproject.toml: cannot be read: too large (over 1 MiB)"
        );
        assert!(r.for_folder(&root.join("fits")).is_ok());
    }

    #[test]
    fn a_pyproject_that_is_not_utf8_stops_the_run_only_when_it_is_ours() {
        // Regression (tester): a Latin-1 pyproject.toml of another tool
        // stopped the run, while one with broken TOML was passed over.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("latin1")).unwrap();
        fs::create_dir_all(root.join("ours")).unwrap();
        fs::write(
            root.join("latin1/pyproject.toml"),
            b"[project]\nauthors = [\"Ren\xe9\"]\n",
        )
        .unwrap();
        fs::write(
            root.join("ours/pyproject.toml"),
            b"# Ren\xe9\n[tool.imds-lint]\nignore = []\n",
        )
        .unwrap();

        let r = resolver(root);
        assert!(r.for_folder(&root.join("latin1")).unwrap().origin.is_none());
        assert_eq!(
            r.for_folder(&root.join("ours")).unwrap_err().to_string(),
            "ours/pyproject.toml: cannot be read: not UTF-8"
        );
    }

    #[test]
    fn a_config_path_too_long_to_name_is_no_config() {
        // Regression (tester): in a folder chain deeper than PATH_MAX, each
        // candidate configuration file was an error (`file name too
        // long`), one per folder, and the files were never reported.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "imds-lint.toml", "ignore = [\"IMD003\"]\n");
        let deep = root.join("d/".repeat(2_500));
        let r = resolver(root);
        let found = r.for_folder(&deep).unwrap();
        assert_eq!(
            found.origin.as_ref().unwrap().shown,
            PathBuf::from("imds-lint.toml")
        );
        assert!(r.errors().is_empty(), "{:?}", r.errors());
    }

    #[test]
    fn config_flag_and_isolated_ignore_the_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "imds-lint.toml", "ignore = [\"IMD003\"]\n");
        write(root, "conf/other.toml", "select = [\"IMD002\"]\n");

        let isolated =
            Resolver::new(&Choice::Isolated, Overrides::default(), root.to_owned()).unwrap();
        assert!(isolated.for_folder(root).unwrap().origin.is_none());

        let named = Choice::File(root.join("conf/other.toml"));
        let r = Resolver::new(&named, Overrides::default(), root.to_owned()).unwrap();
        let f = r.for_folder(root).unwrap();
        assert_eq!(f.settings.rules, vec![Rule::MalformedTokenRequest]);
        assert_eq!(f.origin.as_ref().unwrap().root, root.join("conf"));

        let missing = Choice::File(PathBuf::from("nope.toml"));
        let err = Resolver::new(&missing, Overrides::default(), root.to_owned()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "nope.toml: cannot be read: no such file or directory"
        );

        write(root, "conf/pyproject.toml", "[project]\n");
        let no_table = Choice::File(root.join("conf/pyproject.toml"));
        let err = Resolver::new(&no_table, Overrides::default(), root.to_owned()).unwrap_err();
        assert!(err
            .to_string()
            .ends_with("pyproject.toml: has no [tool.imds-lint] table"));
    }

    #[test]
    fn named_paths_are_excluded_through_their_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "imds-lint.toml", "extend-exclude = [\"gen/\"]\n");
        let r = resolver(root);
        assert!(r.excludes_named(Path::new("gen/deep/a.py"), false));
        assert!(r.excludes_named(Path::new("src/venv/a.py"), false));
        assert!(!r.excludes_named(Path::new("src/a.py"), false));
        assert!(!r.excludes_named(Path::new("."), true));
        assert!(r.excludes_named(&root.join("src/venv/a.py"), false));
        assert!(r.excludes_named(&root.join("venv"), true));

        // Folders at or above the working folder do not count.
        let inside = root.join("venv/project");
        fs::create_dir_all(&inside).unwrap();
        let r = Resolver::new(&Choice::Discover, Overrides::default(), inside.clone()).unwrap();
        assert!(!r.excludes_named(Path::new("a.py"), false));
        assert!(!r.excludes_named(&inside.join("a.py"), false));
        assert!(!r.excludes_named(Path::new("../other/a.py"), false));
        assert!(r.excludes_named(Path::new("../venv"), true));
    }

    #[test]
    fn folders_a_path_names_outside_the_working_folder_count() {
        // Regression (fresh tester): `../vendor/x/a.sh` from a sibling
        // folder was judged by its own name only.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "imds-lint.toml", "extend-exclude = [\"/vendor/\"]\n");
        fs::create_dir_all(root.join("src")).unwrap();
        fs::create_dir_all(root.join("vendor/x")).unwrap();
        let from = |cwd: &str| {
            Resolver::new(&Choice::Discover, Overrides::default(), root.join(cwd)).unwrap()
        };
        assert!(from("src").excludes_named(Path::new("../vendor/x/a.sh"), false));
        assert!(from("src").excludes_named(&root.join("vendor/x/a.sh"), false));
        assert!(!from("src").excludes_named(Path::new("../src/a.sh"), false));
        // Run inside an excluded folder, the path names none of it.
        assert!(!from("vendor").excludes_named(Path::new("x/a.sh"), false));
    }

    /// Found by a fresh tester in the tenth session: `imds-lint venv/v.sh`
    /// read `venv/imds-lint.toml` (and stopped on it when it was broken)
    /// while judging the file, though `venv` itself is excluded and a
    /// configuration file in an excluded folder is never read.
    #[cfg(unix)]
    #[test]
    fn a_named_path_in_an_excluded_folder_reads_no_configuration_there() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("venv/lib")).unwrap();
        std::os::unix::fs::symlink("nothing", root.join("venv/imds-lint.toml")).unwrap();
        std::os::unix::fs::symlink("nothing", root.join("venv/lib/imds-lint.toml")).unwrap();
        let r = resolver(root);
        assert!(r.excludes_named(Path::new("venv/v.sh"), false));
        assert!(r.excludes_named(Path::new("venv/lib/x.py"), false));
        assert!(r.errors().is_empty(), "{:?}", r.errors());
    }

    #[test]
    fn settings_for_stdin_come_from_the_working_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "imds-lint.toml",
            "per-file-ignores = { \"*.sh\" = [\"IMD001\"] }\n",
        );
        let r = resolver(root);
        assert_eq!(
            r.settings_for(Path::new("-")).unwrap().rules,
            Rule::ALL.to_vec()
        );
        assert_eq!(
            r.settings_for(Path::new("init.sh")).unwrap().rules,
            vec![Rule::MalformedTokenRequest, Rule::Imdsv1OnlyClient]
        );
    }
}
