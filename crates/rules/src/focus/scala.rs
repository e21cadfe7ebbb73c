//! Names a Scala cell may bind for the cells after it (a Databricks
//! notebook's Scala cells share one REPL).

use super::chunks::{last_word, words};

/// Keywords after which a word is a name being defined.
const DEFINING: [&str; 8] = [
    "val", "var", "def", "object", "class", "trait", "type", "given",
];

/// Names `code` may bind: defined by `val`/`var`/`def`/`object`/`class`/
/// `trait`/`type`, in a `val (a, b) =` pattern, by `<-` in a `for`, and
/// every word of an `import` line (`import a.b.{C => D}` binds `D`, and
/// counting `a`, `b` and `C` too costs only some more code analysed).
pub fn bound_names(code: &str) -> Vec<&str> {
    let mut names = Vec::new();
    for line in code.lines() {
        let line = line.trim_start();
        if line.starts_with("import ") {
            names.extend(words(line).skip(1));
            continue;
        }
        let mut previous = "";
        for word in words(line) {
            if DEFINING.contains(&previous) {
                names.push(word);
            }
            previous = word;
        }
        // `val (a, b) = ...`: every word up to the `=` is a name.
        for keyword in ["val ", "var "] {
            let mut rest = line;
            while let Some(at) = rest.find(keyword) {
                let pattern = &rest[at + keyword.len()..];
                let end = pattern.find(['=', ':']).unwrap_or(pattern.len());
                names.extend(words(&pattern[..end]));
                rest = &pattern[end..];
            }
        }
        if let Some(arrow) = line.find("<-") {
            names.extend(last_word(&line[..arrow]));
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(code: &str) -> Vec<&str> {
        let mut names = bound_names(code);
        names.sort_unstable();
        names.dedup();
        names
    }

    #[test]
    fn definitions_imports_and_generators() {
        assert_eq!(
            sorted("import scala.io.{Source => S}\nval url = \"x\"\nobject Md { def get = 1 }\n"),
            ["Md", "S", "Source", "get", "io", "scala", "url"]
        );
        assert_eq!(sorted("for (line <- lines) println(line)\n"), ["line"]);
        assert!(sorted("println(url)\n").is_empty());
    }
}
