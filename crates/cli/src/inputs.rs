//! Which files to check: the paths named on the command line, and the
//! files found under named folders by a parallel, `.gitignore`-aware walk,
//! sorted by path so that output does not depend on thread scheduling.

use std::collections::HashSet;
use std::fs;
use std::ops::ControlFlow;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{DirEntry, WalkBuilder, WalkState};
use imds_lint_parser::FileKind;

use crate::config::{self, Resolver};
use crate::{pipeline, reason};

/// One thing to check, or to report as failed, in output order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The path as it is printed.
    pub path: PathBuf,
    /// What it is.
    pub source: InputSource,
}

/// Where an input's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSource {
    /// A file; `named` when the command line named it (then a file of no
    /// known kind is skipped quietly, but an unreadable one is an error).
    File {
        /// Whether the command line named it.
        named: bool,
    },
    /// Standard input, read before checking starts; `path` is the
    /// `--stdin-filename`, or `-`.
    Stdin {
        /// Whether `--stdin-filename` gave the name.
        named: bool,
    },
    /// A path that cannot be checked, and why.
    Failed(String),
}

/// How to find files.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Gitignore-style globs of paths to skip.
    pub exclude: Vec<String>,
    /// Whether `.gitignore` and friends are ignored.
    pub no_ignore: bool,
    /// The name standard input stands for.
    pub stdin_filename: Option<PathBuf>,
    /// Walker threads.
    pub threads: usize,
    /// Configuration files, whose `exclude` and `extend-exclude` apply too.
    pub config: Option<Arc<Resolver>>,
}

/// Paths to skip, as gitignore globs relative to the working folder.
#[derive(Debug, Clone)]
pub struct Exclude {
    globs: Gitignore,
    /// The working folder, which the globs are read from.
    cwd: PathBuf,
    config: Option<Arc<Resolver>>,
}

impl Exclude {
    /// Compiles `globs`; an invalid glob is a usage error.
    pub fn new(globs: &[String]) -> Result<Exclude, String> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let mut builder = GitignoreBuilder::new(&cwd);
        for glob in globs {
            let glob = below(glob, &cwd);
            builder
                .add_line(None, &config::glob_line(&glob))
                .map_err(|err| format!("invalid --exclude glob `{glob}`: {err}"))?;
        }
        let globs = builder
            .build()
            .map_err(|err| format!("invalid --exclude glob: {err}"))?;
        Ok(Exclude {
            globs,
            cwd,
            config: None,
        })
    }

    /// The same, with the excludes of configuration files too.
    #[must_use]
    pub fn with_config(self, config: Option<Arc<Resolver>>) -> Exclude {
        Exclude { config, ..self }
    }

    /// Whether `path` or a folder above it is excluded, by `--exclude` or
    /// by a configuration file.
    pub fn excludes(&self, path: &Path, is_dir: bool) -> bool {
        self.excluded_by_flag(path, is_dir)
            || self
                .config
                .as_ref()
                .is_some_and(|config| config.excludes_named(path, is_dir))
    }

    /// Whether `path`, or a folder it names below the working folder or
    /// the folder it shares with it, matches a `--exclude` glob.
    fn excluded_by_flag(&self, path: &Path, is_dir: bool) -> bool {
        if self.globs.is_empty() {
            return false;
        }
        // Globs are matched against the folders the path names, not the
        // way it was written (`./src/../src/gen/a.py` names `src/gen`).
        let absolute = config::absolute(path, &self.cwd);
        let shared = config::shared_folder(&absolute, &self.cwd);
        let mut current = Some(absolute.as_path());
        let mut dir = is_dir;
        while let Some(p) = current.filter(|p| *p != shared && p.parent().is_some()) {
            let found = self.globs.matched(p, dir);
            if found.is_whitelist() {
                return false;
            }
            if found.is_ignore() {
                return true;
            }
            current = p.parent();
            dir = true;
        }
        false
    }

    /// Whether the path itself matches (its folders were checked already).
    fn excludes_entry(&self, path: &Path, is_dir: bool) -> bool {
        let matched = |path: &Path| self.globs.matched(path, is_dir).is_ignore();
        // A walk from `..` names entries through the parent folder.
        let through_parent = || {
            path.components()
                .any(|c| c == std::path::Component::ParentDir)
        };
        let by_flag = if self.globs.is_empty() {
            false
        } else if through_parent() {
            matched(&config::absolute(path, &self.cwd))
        } else {
            matched(path)
        };
        by_flag
            || self
                .config
                .as_ref()
                .is_some_and(|config| config.excludes_entry(path, is_dir))
    }
}

/// `glob` as a glob of the folder `cwd`: an absolute path below it
/// (`$PWD/gen`) becomes the glob anchored there (`/gen`), which is what
/// it names; a glob with a leading `/` is otherwise anchored at `cwd`.
fn below<'g>(glob: &'g str, cwd: &Path) -> std::borrow::Cow<'g, str> {
    let (negation, body) = match glob.strip_prefix('!') {
        Some(body) => ("!", body),
        None => ("", glob),
    };
    match Path::new(body).strip_prefix(cwd) {
        Ok(inside) if cwd.parent().is_some() && Path::new(body).is_absolute() => {
            format!("{negation}/{}", inside.display()).into()
        }
        _ => glob.into(),
    }
}

/// Warns of each `--exclude` glob that names a path outside the current
/// folder (`../src`, an absolute path elsewhere), which no path is
/// matched against: it excludes nothing.
fn warn_of_globs_outside(globs: &[String]) {
    let Ok(cwd) = std::env::current_dir() else {
        return;
    };
    for glob in globs {
        let body = glob.strip_prefix('!').unwrap_or(glob);
        let path = Path::new(body);
        // `/gen` is a glob anchored here; taken for a path elsewhere only
        // when there is one and nothing here by that name.
        let elsewhere = || {
            path.is_absolute()
                && !path.starts_with(&cwd)
                && path.exists()
                && !cwd.join(path.strip_prefix("/").unwrap_or(path)).exists()
        };
        let outside = path.starts_with("..") || elsewhere();
        if outside {
            log::warn!(
                "--exclude `{glob}`: it names a path outside the current folder, and globs are \
                 matched below it: it excludes nothing (run from a folder above, or name the \
                 path from here)"
            );
        }
    }
}

/// Whether `--stdin-filename` names a path that `--exclude` or a
/// configuration file's excludes cover, judged as a path named on the
/// command line is (the name need not exist). Standard input without a
/// name is never excluded.
pub fn stdin_excluded(options: &WalkOptions) -> Result<bool, String> {
    let Some(name) = &options.stdin_filename else {
        return Ok(false);
    };
    let exclude = Exclude::new(&options.exclude)?.with_config(options.config.clone());
    let excluded = exclude.excludes(name, false);
    if excluded {
        log::debug!("{} (standard input): excluded", name.display());
    }
    Ok(excluded)
}

/// The inputs for `paths`, sorted by path, each path once.
pub fn collect(paths: &[PathBuf], options: &WalkOptions) -> Result<Vec<Input>, String> {
    let found = collect_with(paths, options, |_| ())?;
    Ok(found.into_iter().map(|(input, ())| input).collect())
}

/// The inputs for `paths`, sorted by path, each path once, each with what
/// `work` made of it. Files found in folders are worked on by the walker's
/// threads as they are found, so reading the tree and checking its files
/// overlap; named paths are worked on after the walk, in parallel too.
pub fn collect_with<R, W>(
    paths: &[PathBuf],
    options: &WalkOptions,
    work: W,
) -> Result<Vec<(Input, R)>, String>
where
    R: Send,
    W: Fn(&Input) -> R + Sync,
{
    let exclude = Exclude::new(&options.exclude)?.with_config(options.config.clone());
    warn_of_globs_outside(&options.exclude);
    let mut named = Vec::new();
    let mut folders = Vec::new();

    let mut stdin_named = false;
    for path in paths {
        if path == Path::new("-") {
            // Standard input is one text, read once, however often named.
            if std::mem::replace(&mut stdin_named, true) {
                continue;
            }
            let (path, is_named) = match &options.stdin_filename {
                Some(name) => (name.clone(), true),
                None => (PathBuf::from("-"), false),
            };
            named.push(Input {
                path,
                source: InputSource::Stdin { named: is_named },
            });
            continue;
        }
        match named_path(path, &exclude) {
            Named::Folder => folders.push(path.clone()),
            Named::Input(input) => named.push(input),
            Named::Excluded => log::debug!("{}: excluded", path.display()),
        }
    }

    // A file is checked once however it is spelled (`a.py`, `src/../a.py`,
    // `$PWD/a.py`): by the first spelling named. Paths are compared by name,
    // `.` and `..` resolved, as everywhere else (links are not followed).
    let cwd = std::env::current_dir().unwrap_or_default();
    let file_of = |input: &Input| match input.source {
        InputSource::Stdin { .. } => None,
        _ => Some(config::absolute(&input.path, &cwd)),
    };
    // Of two spellings of one file, the plainer is kept, whatever the
    // order of the arguments.
    named.sort_by_key(|input| plainness(&input.path));
    let mut named_files = HashSet::new();
    named.retain(|input| file_of(input).is_none_or(|file| named_files.insert(file)));

    let mut found = if folders.is_empty() {
        Vec::new()
    } else {
        walk(&folders, options, exclude, &work)
    };
    if !named_files.is_empty() {
        found.retain(|(input, _)| file_of(input).is_none_or(|file| !named_files.contains(&file)));
    }
    // A link named beside its target (named too, or found by the walk) is
    // the target's second path, as a walked link is.
    let is_link = |input: &Input| {
        matches!(input.source, InputSource::File { .. })
            && fs::symlink_metadata(&input.path).is_ok_and(|m| m.file_type().is_symlink())
    };
    let (named_links, mut named): (Vec<Input>, Vec<Input>) = named.into_iter().partition(is_link);
    if !named_links.is_empty() {
        let others = named.iter().chain(found.iter().map(|(input, _)| input));
        let kept = links_to_files_not_walked(named_links, others);
        named.extend(kept);
    }
    for input in &mut named {
        input.path = display_path(&input.path);
    }
    let mut results = Vec::with_capacity(named.len());
    pipeline::ordered(&named, options.threads, &work, |result| {
        results.push(result);
        ControlFlow::Continue(())
    });
    found.extend(named.into_iter().zip(results));

    // A path named and also found by a walk is kept once, as named;
    // standard input named as a file is another text, and kept beside it.
    // Sorted, a path's inputs sit together, the named one first.
    found.sort_by_cached_key(|(input, _)| (order_key(&input.path), !input.is_named()));
    let mut last_file: Option<usize> = None;
    let kept: Vec<bool> = (0..found.len())
        .map(|i| {
            let input = &found[i].0;
            if matches!(input.source, InputSource::Stdin { .. }) {
                return true;
            }
            let again = last_file.is_some_and(|last| found[last].0.path == input.path);
            if !again {
                last_file = Some(i);
            }
            !again
        })
        .collect();
    let mut kept = kept.into_iter();
    found.retain(|_| kept.next().unwrap_or(true));
    // Folders named under two spellings (`.` and its absolute path, or a
    // folder and a link to it) were walked twice: each file is kept once,
    // as --fix writes it once. One PATH cannot lead to a file twice.
    if paths.len() > 1 {
        found = crate::fix::place::one_per_file(found, |(input, _)| input);
    }
    Ok(found)
}

/// How plainly `path` is spelt, smaller first: relative before absolute,
/// without `.` or `..` before with, shorter before longer. Of two
/// spellings of one file, the plainer is shown, whatever the order of
/// the arguments.
pub fn plainness(path: &Path) -> (bool, bool, usize) {
    let steps = path
        .components()
        .any(|c| matches!(c, Component::CurDir | Component::ParentDir));
    (path.is_absolute(), steps, path.as_os_str().len())
}

impl Input {
    fn is_named(&self) -> bool {
        matches!(
            self.source,
            InputSource::File { named: true } | InputSource::Stdin { .. } | InputSource::Failed(_)
        )
    }
}

enum Named {
    Folder,
    Input(Input),
    Excluded,
}

/// What a path named on the command line is.
fn named_path(path: &Path, exclude: &Exclude) -> Named {
    let failed = |why: String| {
        Named::Input(Input {
            path: path.to_owned(),
            source: InputSource::Failed(why),
        })
    };
    let link = match fs::symlink_metadata(path) {
        Ok(link) => link,
        Err(err) => return failed(reason::io(&err)),
    };
    let target = match fs::metadata(path) {
        Ok(target) => target,
        Err(err) if link.file_type().is_symlink() => return failed(bad_link(path, &err)),
        Err(err) => return failed(reason::io(&err)),
    };
    if exclude.excludes(path, target.is_dir()) {
        return Named::Excluded;
    }
    if target.is_dir() {
        return Named::Folder;
    }
    // Not only regular files: `<(cmd)` names a pipe.
    Named::Input(Input {
        path: path.to_owned(),
        source: InputSource::File { named: true },
    })
}

/// Walks `folders` in parallel, working on each file found on the thread
/// that found it; the result is in no particular order.
fn walk<R, W>(
    folders: &[PathBuf],
    options: &WalkOptions,
    exclude: Exclude,
    work: &W,
) -> Vec<(Input, R)>
where
    R: Send,
    W: Fn(&Input) -> R + Sync,
{
    let mut builder = WalkBuilder::new(&folders[0]);
    for folder in &folders[1..] {
        builder.add(folder);
    }
    builder
        .standard_filters(!options.no_ignore)
        .hidden(true)
        .require_git(false)
        .follow_links(false)
        .threads(options.threads)
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            let excluded = entry.depth() > 0 && exclude.excludes_entry(entry.path(), is_dir);
            if excluded {
                log::debug!("{}: excluded", display_path(entry.path()).display());
            }
            !excluded
        });

    let found = Mutex::new(Vec::new());
    let links = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        let (found, links) = (&found, &links);
        Box::new(move |entry| {
            let linked = entry.as_ref().is_ok_and(DirEntry::path_is_symlink);
            let input = match entry {
                Ok(entry) => input_of_entry(&entry),
                Err(err) => input_of_error(&err),
            };
            if let Some(mut input) = input {
                input.path = display_path(&input.path);
                if linked && matches!(input.source, InputSource::File { .. }) {
                    // Checked once the walk is done, unless it found the
                    // target too.
                    links
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(input);
                    return WalkState::Continue;
                }
                let result = work(&input);
                found
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push((input, result));
            }
            WalkState::Continue
        })
    });
    let mut found = found.into_inner().unwrap_or_else(PoisonError::into_inner);
    let links = links.into_inner().unwrap_or_else(PoisonError::into_inner);
    for link in links_to_files_not_walked(links, found.iter().map(|(input, _)| input)) {
        let result = work(&link);
        found.push((link, result));
    }
    found
}

/// The links to files (found by the walk, or named) whose targets are not
/// among the files `found` as files of their own: a file is checked once, under the path with no link
/// on the way, so that a `per-file-ignores` of its folder covers it and the
/// check agrees with `--fix` (which writes it once). Two links to one file
/// the walk did not find are both kept.
fn links_to_files_not_walked<'a>(
    links: Vec<Input>,
    found: impl Iterator<Item = &'a Input>,
) -> Vec<Input> {
    if links.is_empty() {
        return links;
    }
    let targets: Vec<Option<PathBuf>> = links
        .iter()
        .map(|l| fs::canonicalize(&l.path).ok())
        .collect();
    // Only the walked files named as some target is are worth resolving.
    let names: HashSet<&std::ffi::OsStr> = targets
        .iter()
        .flatten()
        .filter_map(|t| t.file_name())
        .collect();
    let walked: HashSet<PathBuf> = found
        .filter(|input| matches!(input.source, InputSource::File { .. }))
        .filter(|input| input.path.file_name().is_some_and(|n| names.contains(n)))
        .filter_map(|input| fs::canonicalize(&input.path).ok())
        .collect();
    links
        .into_iter()
        .zip(targets)
        .filter(|(link, target)| {
            let walked_too = target.as_ref().is_some_and(|t| walked.contains(t));
            if walked_too {
                log::debug!("{}: its target is checked as itself", link.path.display());
            }
            !walked_too
        })
        .map(|(link, _)| link)
        .collect()
}

/// A walked entry as an input: regular files and links to them.
fn input_of_entry(entry: &DirEntry) -> Option<Input> {
    let file_type = entry.file_type()?;
    let path = entry.path();
    let file = || {
        Some(Input {
            path: path.to_owned(),
            source: InputSource::File { named: false },
        })
    };
    if file_type.is_file() {
        return file();
    }
    if !file_type.is_symlink() {
        return None;
    }

    // Links to files are checked; links to folders are not followed, which
    // keeps the walk inside the tree named and free of loops.
    match fs::metadata(path) {
        Ok(target) if target.is_file() => file(),
        Ok(_) => {
            log::debug!("{}: not following a linked folder", path.display());
            None
        }
        Err(err) if kind_by_name(path) => Some(Input {
            path: path.to_owned(),
            source: InputSource::Failed(bad_link(path, &err)),
        }),
        Err(_) => None,
    }
}

/// A walk error as a failed input, or a warning for problems with ignore
/// files (a bad glob in a `.gitignore` should not fail the run).
fn input_of_error(err: &ignore::Error) -> Option<Input> {
    if let (Some(path), Some(io)) = (error_path(err), err.io_error()) {
        return Some(Input {
            path: path.to_owned(),
            source: InputSource::Failed(reason::io(io)),
        });
    }
    log::warn!("{err}");
    None
}

fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Partial(errs) => errs.iter().find_map(error_path),
        _ => None,
    }
}

/// Why a symbolic link leads to no file: its target is missing, or the
/// links loop (`too many levels of symbolic links`).
pub(crate) fn bad_link(path: &Path, err: &std::io::Error) -> String {
    if err.kind() != std::io::ErrorKind::NotFound {
        return format!("cannot follow symbolic link: {}", reason::io(err));
    }
    match fs::read_link(path) {
        Ok(target) => format!("broken symbolic link (to {})", target.display()),
        Err(_) => "broken symbolic link".to_owned(),
    }
}

/// Whether the name alone says imds-lint reads the file (`.py`, `.ipynb`,
/// `.sh`...); used where the content cannot be seen.
pub fn kind_by_name(path: &Path) -> bool {
    FileKind::detect(path, b"").is_some()
}

/// The path without a leading `./`, as people write it.
/// Bytes that sort as `Path`'s own order does (component by component),
/// so that tens of thousands of paths sort by plain byte comparison:
/// each component is a tag for its kind, its bytes, and a 0 byte, which
/// no path component holds.
fn order_key(path: &Path) -> Vec<u8> {
    use std::path::Component;
    let mut key = Vec::with_capacity(path.as_os_str().len() + 8);
    for component in path.components() {
        let (tag, bytes) = match component {
            Component::Prefix(prefix) => (0, prefix.as_os_str().as_encoded_bytes()),
            Component::RootDir => (1, &b""[..]),
            Component::CurDir => (2, &b""[..]),
            Component::ParentDir => (3, &b""[..]),
            Component::Normal(name) => (4, name.as_encoded_bytes()),
        };
        key.push(tag);
        key.extend_from_slice(bytes);
        key.push(0);
    }
    key
}

fn display_path(path: &Path) -> PathBuf {
    match path.strip_prefix(".") {
        Ok(rest) if !rest.as_os_str().is_empty() => rest.to_owned(),
        _ => path.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn exclude(globs: &[&str]) -> Exclude {
        Exclude::new(&globs.iter().map(|g| (*g).to_owned()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn exclude_matches_files_and_their_folders() {
        let ex = exclude(&["*.ipynb", "build/", "fixtures/bad"]);
        assert!(ex.excludes(Path::new("a/b/x.ipynb"), false));
        assert!(ex.excludes(Path::new("./x.ipynb"), false));
        assert!(!ex.excludes(Path::new("a/b/x.py"), false));
        assert!(ex.excludes(Path::new("src/build/x.sh"), false));
        assert!(!ex.excludes(Path::new("build"), false));
        assert!(ex.excludes(Path::new("fixtures/bad/deep/y.sh"), false));
        assert!(!ex.excludes(Path::new("other/fixtures/bad/y.sh"), false));
    }

    #[test]
    fn a_glob_written_from_the_working_folder_is_anchored_there() {
        // Regression (tester): `--exclude ./libs` excluded nothing, in
        // silence; gitignore takes `./` literally.
        for glob in ["./libs", "./libs/", ".//libs", "././libs"] {
            let ex = exclude(&[glob]);
            assert!(ex.excludes(Path::new("libs/a.py"), false), "{glob}");
            assert!(!ex.excludes(Path::new("src/libs/a.py"), false), "{glob}");
        }
        let ex = exclude(&["*.sh", "!./keep.sh"]);
        assert!(!ex.excludes(Path::new("keep.sh"), false));
        assert!(ex.excludes(Path::new("a/keep.sh"), false));
    }

    #[test]
    fn exclude_whitelist_and_empty() {
        let ex = exclude(&["*.sh", "!keep.sh"]);
        assert!(ex.excludes(Path::new("a.sh"), false));
        assert!(!ex.excludes(Path::new("keep.sh"), false));
        assert!(!exclude(&[]).excludes(Path::new("a.sh"), false));
    }

    #[test]
    fn exclude_on_absolute_paths_outside_the_folder_does_not_panic() {
        let ex = exclude(&["/anchored", "*.sh"]);
        assert!(ex.excludes(Path::new("/somewhere/else/x.sh"), false));
        assert!(!ex.excludes(Path::new("/somewhere/else/x.py"), false));
    }

    #[test]
    fn excludes_read_paths_with_dots_as_the_folders_they_name() {
        // Regression (fresh tester): `./src/../src/generated/b.sh`, and the
        // entries of a walk from `..`, were matched as written.
        let ex = exclude(&["src/generated"]);
        assert!(ex.excludes(Path::new("./src/../src/generated/b.sh"), false));
        let here = std::env::current_dir().unwrap();
        let through_parent = Path::new("..").join(here.file_name().unwrap());
        assert!(ex.excludes(&through_parent.join("src/generated/b.sh"), false));
        assert!(ex.excludes_entry(&through_parent.join("src/generated"), true));
        assert!(!ex.excludes_entry(&through_parent.join("src/other"), true));
    }

    #[test]
    fn stdin_name_is_excluded_as_a_named_path_is() {
        let options = |globs: &[&str], name: Option<&str>| WalkOptions {
            exclude: globs.iter().map(|g| (*g).to_owned()).collect(),
            stdin_filename: name.map(PathBuf::from),
            ..WalkOptions::default()
        };
        assert!(stdin_excluded(&options(&["*.sh"], Some("x.sh"))).unwrap());
        assert!(stdin_excluded(&options(&["gen/"], Some("gen/deep/x.py"))).unwrap());
        assert!(!stdin_excluded(&options(&["*.sh"], Some("x.py"))).unwrap());
        assert!(!stdin_excluded(&options(&["*"], None)).unwrap());
        assert!(stdin_excluded(&options(&["[z-a]"], Some("x.sh"))).is_err());
    }

    #[test]
    fn invalid_exclude_glob_is_an_error() {
        assert!(Exclude::new(&["[z-a]".to_owned()]).is_err());
    }

    #[test]
    fn order_key_sorts_like_paths() {
        let mut paths: Vec<PathBuf> = [
            "a/b", "a-b/x", "a/b/c", "a", "ab", "/z", "../q", "a.b/c", "a/B", "a/b-c", "a/b/",
            "./x", "a//b/d",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let mut by_key = paths.clone();
        paths.sort();
        by_key.sort_by_cached_key(|p| order_key(p));
        assert_eq!(paths, by_key);
    }

    #[test]
    fn display_path_drops_dot_slash_only() {
        assert_eq!(display_path(Path::new("./a/b.sh")), PathBuf::from("a/b.sh"));
        assert_eq!(display_path(Path::new("a/b.sh")), PathBuf::from("a/b.sh"));
        assert_eq!(display_path(Path::new("/x/y")), PathBuf::from("/x/y"));
        assert_eq!(display_path(Path::new(".")), PathBuf::from("."));
    }

    #[test]
    fn kind_by_name_knows_code_extensions() {
        assert!(kind_by_name(Path::new("a.ipynb")));
        assert!(kind_by_name(Path::new("a.sh")));
        assert!(!kind_by_name(Path::new("a.txt")));
        assert!(!kind_by_name(Path::new("README")));
    }
}
