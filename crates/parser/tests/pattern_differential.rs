//! Our pattern engine against tree-sitter's own query engine: for each of
//! `grammars/*.scm`, over every cell of that language in the fixtures, the
//! same cells cut short and mangled (which leaves error and missing nodes
//! and comments in odd places), and hand-written tricky code, both must
//! find the same set of matches.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use imds_lint_parser::pattern::{Match, Patterns};
use imds_lint_parser::{split, syntax, FileKind, Lang, SourceFile};
use tree_sitter::{Node, Query, QueryCursor, StreamingIterator};

const PYTHON: &str = include_str!("../../../grammars/python.scm");
const BASH: &str = include_str!("../../../grammars/bash.scm");
const SCALA: &str = include_str!("../../../grammars/scala.scm");

/// A match as both engines can state it: the pattern index, and each
/// capture as (name, byte range, node kind), sorted.
type Found = (usize, Vec<(String, usize, usize, String)>);

fn capture(name: &str, node: Node) -> (String, usize, usize, String) {
    (
        name.to_owned(),
        node.start_byte(),
        node.end_byte(),
        node.kind().to_owned(),
    )
}

/// What our engine finds; fails if it reports one match twice.
fn ours(patterns: &Patterns, root: Node, code: &str) -> BTreeSet<Found> {
    let names = patterns.capture_names();
    let mut set = BTreeSet::new();
    for m in patterns.matches(root, code) {
        let mut captures: Vec<_> = m
            .captures
            .iter()
            .map(|c| capture(&names[c.index as usize], c.node))
            .collect();
        captures.sort();
        assert!(set.insert((m.pattern, captures)), "a match reported twice");
    }
    set
}

/// What our engine finds node by node, visiting the tree in pre-order as
/// a caller's own walk would.
fn node_by_node<'t>(patterns: &Patterns, root: Node<'t>, code: &str) -> Vec<Match<'t>> {
    let mut matcher = patterns.matcher();
    let mut found = Vec::new();
    for node in syntax::preorder(root) {
        matcher.matches_at(node, code, &mut found);
    }
    found
}

/// What tree-sitter finds.
fn theirs(query: &Query, root: Node, code: &str) -> BTreeSet<Found> {
    let names = query.capture_names();
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(query, root, code.as_bytes());
    let mut set = BTreeSet::new();
    while let Some(m) = matches.next() {
        let mut captures: Vec<_> = m
            .captures()
            .iter()
            .map(|c| capture(names[c.index as usize], c.node))
            .collect();
        captures.sort();
        set.insert((m.pattern_index, captures));
    }
    set
}

/// Mangled copies compared per sample.
const MANGLED_COPIES: u64 = 4;

/// The largest char boundary of `code` at or before `at`.
fn floor_char_boundary(code: &str, at: usize) -> usize {
    (0..=at.min(code.len()))
        .rev()
        .find(|&i| code.is_char_boundary(i))
        .unwrap_or(0)
}

/// `code` with a few pieces of `debris` inserted and a few bytes deleted,
/// at places a seeded generator picks (so that a failure repeats).
fn mangle(code: &str, seed: u64, debris: &[&str]) -> String {
    let mut state = seed.wrapping_add(code.len() as u64);
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let mut out = code.to_owned();
    for _ in 0..=next() % 6 {
        let at = floor_char_boundary(&out, next() % (out.len() + 1));
        if next() % 3 == 0 {
            let end = floor_char_boundary(&out, at + 1 + next() % 4).max(at);
            out.replace_range(at..end, "");
        } else {
            out.insert_str(at, debris[next() % debris.len()]);
        }
    }
    out
}

/// The two engines for one language.
struct Engines {
    lang: Lang,
    ours: Patterns,
    theirs: Query,
    /// Pieces of code `mangle` inserts.
    debris: &'static [&'static str],
    /// Samples compared and matches found, so that the test cannot pass
    /// on nothing.
    samples: usize,
    matches: usize,
}

impl Engines {
    fn new(lang: Lang, source: &str, debris: &'static [&'static str]) -> Engines {
        let language = syntax::language(lang).unwrap();
        Engines {
            lang,
            debris,
            ours: Patterns::new(&language, source).unwrap(),
            theirs: Query::new(&language, source).unwrap(),
            samples: 0,
            matches: 0,
        }
    }

    /// Compares the engines on `code`, on `code` cut short at a few
    /// places, and on a few mangled copies of it.
    fn compare(&mut self, what: &str, code: &str) {
        self.compare_one(what, code);
        for cut in [code.len() / 3, code.len() / 2, code.len() * 2 / 3] {
            let cut = floor_char_boundary(code, cut);
            self.compare_one(&format!("{what} (first {cut} bytes)"), &code[..cut]);
        }
        for seed in 0..MANGLED_COPIES {
            let mangled = mangle(code, seed, self.debris);
            self.compare_one(&format!("{what} (mangled, seed {seed})"), &mangled);
        }
    }

    fn compare_one(&mut self, what: &str, code: &str) {
        let Some(tree) = syntax::parse(self.lang, code) else {
            return;
        };
        assert_eq!(
            node_by_node(&self.ours, tree.root_node(), code),
            self.ours.matches(tree.root_node(), code),
            "{:?}: matching node by node differs from matching the tree, in {what}",
            self.lang
        );
        let ours = ours(&self.ours, tree.root_node(), code);
        let theirs = theirs(&self.theirs, tree.root_node(), code);
        if ours != theirs {
            let only_ours: Vec<_> = ours.difference(&theirs).collect();
            let only_theirs: Vec<_> = theirs.difference(&ours).collect();
            panic!(
                "{:?} matches differ in {what}\nonly ours: {only_ours:#?}\nonly tree-sitter's: \
                 {only_theirs:#?}\ncode:\n{code}\ntree: {}",
                self.lang,
                tree.root_node().to_sexp()
            );
        }
        self.samples += 1;
        self.matches += ours.len();
    }

    fn assert_compared(&self, samples: usize, matches: usize) {
        assert!(
            self.samples >= samples && self.matches >= matches,
            "{:?}: only {} samples with {} matches compared",
            self.lang,
            self.samples,
            self.matches
        );
    }
}

/// Every file under `dir`, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Every fixture cell in `lang`, as (where, code).
fn fixture_cells(lang: Lang) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut cells = Vec::new();
    for path in files(&root.join("workspace"))
        .into_iter()
        .chain(files(&root.join("fix")))
    {
        let bytes = std::fs::read(&path).unwrap();
        let Some(kind) = FileKind::detect(&path, &bytes) else {
            continue;
        };
        let Ok(source) = SourceFile::from_bytes(&path, kind, bytes) else {
            continue;
        };
        let Ok(split) = split(&source) else {
            continue;
        };
        for cell in split.into_iter().filter(|c| c.lang == lang) {
            cells.push((
                format!("{} cell {:?}", path.display(), cell.number),
                cell.code,
            ));
        }
    }
    cells
}

fn compare_all(engines: &mut Engines, tricky: &[&str]) {
    for (what, code) in fixture_cells(engines.lang) {
        engines.compare(&what, &code);
    }
    for (i, code) in tricky.iter().enumerate() {
        engines.compare(&format!("tricky snippet {i}"), code);
    }
}

#[test]
fn python_patterns_match_as_tree_sitter_queries_do() {
    let mut engines = Engines::new(
        Lang::Python,
        PYTHON,
        &[
            "# c\n",
            "(",
            ")",
            ",",
            " = ",
            ":",
            "\n",
            "[",
            "]",
            ".",
            " as ",
            "+=",
            "  # x\n  ",
            "\\\n",
            "'",
            "\"",
            "f(",
            "lambda: ",
        ],
    );
    let deep = format!("x = {}1{}\n", "(".repeat(2000), ")".repeat(2000));
    compare_all(
        &mut engines,
        &[
            "a = b = c\nx: int = 1\n(y := f(z))\na, b = c\n[a, b] = c\n(a, b) = c\n",
            "h['k'] = v\nh[1:2] = v\ns.headers = v\na.b.c = d\nx += 'a'\nx -= 1\nx @= m\n",
            "for x in y: pass\nfor a, b in y: pass\nasync def f():\n    async for q in r: pass\n",
            "with f() as x, g() as (a, b): pass\nwith open(p) as fh:\n    pass\n",
            "global x, y\nimport a.b as c, d\nfrom . import e\nfrom f import (g, h)\n",
            "requests.get(u)\nget(u)\nf(a)(b)\na.b.c(d)\nf(*args, **kw)\nx.y[0](z)\n",
            "x = (  # comment\n  1)\nx = \\\n  2\ny = f(  # c\n  a,  # d\n  b)\n",
            "a = # comment\n  b\nx +=\ny = \nf(\nwith as x: pass\nfor in y: pass\n",
            "class C:\n    def m(self):\n        self.url = u\n        self.s.get(self.url)\n",
            "@decorator(arg)\ndef f(a=g(h)):\n    return [k(v) for v in w if p(v)]\n",
            "x = lambda: f(y)\nprint(f'{f(x)}')\nd = {k: v(w) for k in ks}\n",
            &deep,
        ],
    );
    engines.assert_compared(1200, 5000);
}

#[test]
fn bash_patterns_match_as_tree_sitter_queries_do() {
    let mut engines = Engines::new(
        Lang::Shell,
        BASH,
        &[
            " # c\n",
            "$(",
            ")",
            "\"",
            "'",
            "\\\n",
            ";",
            "=",
            "\n",
            " ",
            "{",
            "}",
            "<<EOF\n",
            "`",
            "for x in ",
            "do ",
            "done",
            "unset ",
            "f() ",
        ],
    );
    let deep = format!("X={}a{}\n", "$(".repeat(1500), ")".repeat(1500));
    compare_all(
        &mut engines,
        &[
            "A=1 B=2 curl $A\nexport C=3 D\nlocal E=4\ndeclare -r F=5\nreadonly G\n",
            "for x in a b; do curl $x; done\nfor y; do :; done\nfor ((i=0;i<3;i++)); do :; done\n",
            "f() { curl x; }\nfunction g { wget y; }\nfunction h() ( echo )\n",
            "unset A B\nunset -f f\nunset -v V\n",
            "X=$(curl -s http://a/b)\necho \"$X ${Y:-z} ${#Z}\"\n`curl q`\n",
            "sudo -u hdfs curl x | tee y > z 2>&1 &\nbash <<EOF\ncurl $M\nEOF\n",
            "if [ -n \"$A\" ]; then curl a; elif true; then :; else wget b; fi\n",
            "case $x in a) curl a;; *) :;; esac\nwhile read l; do echo $l; done < f\n",
            "A=( 1 2 3 )\nA+=(4)\nB[1]=x\necho ${A[@]}\n# comment\ncurl \\\n  x # c\n",
            "curl 'unterminated\nX=$(\nfor in; do\nf() {\n",
            &deep,
        ],
    );
    engines.assert_compared(1200, 9000);
}

#[test]
fn scala_patterns_match_as_tree_sitter_queries_do() {
    let mut engines = Engines::new(
        Lang::Scala,
        SCALA,
        &[
            "/* c */",
            "// c\n",
            "(",
            ")",
            ",",
            ".",
            " ",
            "\n",
            "{",
            "}",
            "!",
            "!!",
            "\"",
            "=",
            ".header(",
            "fromURL",
            ".openStream",
        ],
    );
    let deep = format!("val x = {}1{}\n", "(".repeat(1500), ")".repeat(1500));
    compare_all(
        &mut engines,
        &[
            "Source.fromURL(u)\nscala.io.Source.fromURL(u)(codec)\nfromURL(u)\nfromURL()\n",
            "Source.fromURL(/* c */ u, enc)\nSource.fromURL(\n  // c\n  u)\nSource.fromURL\n",
            "new URL(u).openStream()\nurl.openConnection\nurl.openStream.close()\n",
            "c.setRequestProperty(\"a\", \"b\")\nc.addRequestProperty(k, v)\nc.setRequestMethod(m)\n",
            "HttpRequest.newBuilder()\nHttpRequest.newBuilder(uri).header(a, b).GET().build()\n",
            "b.header(\"a\", \"b\")\nb.uri(u)\nb.GET\nb.method(\"PUT\", p)\nf(x).header(a, b)\n",
            "\"curl x\".!!\nSeq(\"curl\", u).!\nProcess(c).lineStream\ncmd.run()\ncmd.lazyLines_!\n",
            "\"curl x\" !!\nval r = cmd !\nprintln(r)\ncmd !< \ncmd.!<\n",
            "object A { def f = { val c = new URL(u).openConnection(); c.setRequestMethod(\"GET\") } }\n",
            "Source.fromURL(u\nc.setRequestProperty(\nb.header(\nval = .openStream\n",
            &deep,
        ],
    );
    engines.assert_compared(300, 300);
}
