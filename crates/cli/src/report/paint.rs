//! Terminal colors for the text formats, on or off as `--color` decides.

/// Wraps text in ANSI styles when color is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paint {
    /// Whether to write color codes.
    pub color: bool,
}

impl Paint {
    /// A paint that writes plain text.
    pub const PLAIN: Paint = Paint { color: false };

    fn style(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// Paths and locations.
    pub fn bold(self, text: &str) -> String {
        self.style("1", text)
    }

    /// Rule codes and the word `error`.
    pub fn red(self, text: &str) -> String {
        self.style("1;31", text)
    }

    /// Help lines.
    pub fn cyan(self, text: &str) -> String {
        self.style("36", text)
    }

    /// Notes.
    pub fn blue(self, text: &str) -> String {
        self.style("1;34", text)
    }

    /// The word `warning`, and fix markers.
    pub fn yellow(self, text: &str) -> String {
        self.style("1;33", text)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn plain_writes_no_escape_codes() {
        assert_eq!(Paint::PLAIN.red("IMD001"), "IMD001");
        let colored = Paint { color: true }.red("IMD001");
        assert!(colored.starts_with("\x1b[") && colored.ends_with("\x1b[0m"));
        assert!(colored.contains("IMD001"));
    }
}
