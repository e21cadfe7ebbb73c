//! Unified diffs that `git apply` and `patch -p1` accept as they are.

use similar::TextDiff;

/// The unified diff from `old` to `new` for `path` (a relative path with
/// `/` separators), with `a/` and `b/` prefixes and three lines of context;
/// empty when nothing changed.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let diff = TextDiff::from_lines(old, new);
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        out.push_str(&hunk.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_has_git_headers_and_hunks() {
        let d = unified_diff("x/a.sh", "a\nb\n", "a\nT\nb\n");
        assert_eq!(
            d,
            "--- a/x/a.sh\n+++ b/x/a.sh\n@@ -1,2 +1,3 @@\n a\n+T\n b\n"
        );
        assert_eq!(unified_diff("a", "same", "same"), "");
    }

    #[test]
    fn missing_final_newline_is_marked() {
        let d = unified_diff("a", "x", "y");
        assert!(d.contains("\\ No newline at end of file"), "{d}");
    }
}
