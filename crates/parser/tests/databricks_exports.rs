//! Databricks source exports: cells, magics and span maps in every line
//! ending and prefix style the exports come in.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_segments_ordered, assert_verbatim_ranges_match, read};
use imds_lint_parser::{Lang, Layer, Origin};

const EXPORT: &str = "# Databricks notebook source
# DBTITLE 1,Setup
import requests
MD = \"http://169.254.169.254/latest/meta-data/\"

# COMMAND ----------

# MAGIC %sh
# MAGIC TOKEN=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)
# MAGIC
# MAGIC   echo \"é $TOKEN\"

# COMMAND ----------

# MAGIC %md
# MAGIC # Notes

# COMMAND ----------

# MAGIC %python
# MAGIC iid = !curl -s $MD/instance-id
# MAGIC print(iid)

# COMMAND ----------

region = requests.get(MD + \"placement/region\").text
";

/// The export as stored by different tools: `(name, text)`.
fn variants() -> Vec<(&'static str, String)> {
    vec![
        ("lf", EXPORT.to_owned()),
        ("crlf", EXPORT.replace('\n', "\r\n")),
        ("bom", format!("\u{feff}{EXPORT}")),
        (
            "bom crlf",
            format!("\u{feff}{}", EXPORT.replace('\n', "\r\n")),
        ),
        // Some exports write empty MAGIC lines with the trailing space.
        ("magic space", EXPORT.replace("# MAGIC\n", "# MAGIC \n")),
        ("no final newline", EXPORT.trim_end().to_owned()),
    ]
}

#[test]
fn cells_are_the_same_in_every_variant() {
    for (variant, text) in variants() {
        let (_, cells) = read("export.py", &text).unwrap();
        let eol = if variant.contains("crlf") {
            "\r\n"
        } else {
            "\n"
        };
        let last_eol = if variant == "no final newline" {
            ""
        } else {
            eol
        };
        let got: Vec<_> = cells
            .iter()
            .map(|c| (c.number, c.lang, c.code.replace("\r\n", "\n")))
            .collect();
        let expected = vec![
            (
                Some(1),
                Lang::Python,
                "import requests\nMD = \"http://169.254.169.254/latest/meta-data/\"\n".to_owned(),
            ),
            (
                Some(2),
                Lang::Shell,
                "TOKEN=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)\n\n  echo \"é $TOKEN\"\n"
                    .to_owned(),
            ),
            (Some(3), Lang::Markdown, "# Notes\n".to_owned()),
            (
                Some(4),
                Lang::Python,
                format!(
                    "iid = 0{}\nprint(iid)\n",
                    " ".repeat("!curl -s $MD/instance-id".len() - 1)
                ),
            ),
            (Some(4), Lang::Shell, "curl -s $MD/instance-id".to_owned()),
            (
                Some(5),
                Lang::Python,
                format!("region = requests.get(MD + \"placement/region\").text{last_eol}")
                    .replace("\r\n", "\n"),
            ),
        ];
        assert_eq!(got, expected, "{variant}");
        // CRLF stays in the code, as the interpreter would see it
        assert_eq!(cells[0].code.contains("\r\n"), eol == "\r\n", "{variant}");
        assert_eq!(cells[4].origin, Origin::BangLine);
        assert_eq!(
            cells[3].origin,
            Origin::MagicCell {
                magic: "python".into()
            }
        );
    }
}

#[test]
fn verbatim_ranges_point_at_the_same_bytes() {
    for (variant, text) in variants() {
        let (_, cells) = read("export.py", &text).unwrap();
        for cell in &cells {
            assert_segments_ordered(cell);
            // The Python host of the `!` line has it blanked.
            if cell.number == Some(4) && cell.lang == Lang::Python {
                continue;
            }
            assert_verbatim_ranges_match(&text, cell);
        }
        assert!(!cells.is_empty(), "{variant}");
    }
}

#[test]
fn magic_joints_hold_the_line_break_and_the_next_prefix() {
    for (variant, text) in variants() {
        let (_, cells) = read("export.py", &text).unwrap();
        for cell in cells.iter().filter(|c| !c.layers.is_empty()) {
            assert_eq!(
                cell.layers,
                [Layer::MagicLines {
                    prefix: "# MAGIC ".into()
                }]
            );
            for seg in cell
                .map
                .segments()
                .iter()
                .filter(|s| s.cell_len != s.file_len)
            {
                let stored = &text[seg.file..seg.file + seg.file_len];
                assert_eq!(&cell.code[seg.cell..seg.cell + seg.cell_len], "\n");
                assert!(
                    stored == "\n# MAGIC" || stored == "\n# MAGIC ",
                    "{variant}: {stored:?}"
                );
            }
            // text inserted at any line start lands after the prefix
            for (offset, _) in cell.code.match_indices('\n') {
                if offset + 1 == cell.code.len() {
                    continue;
                }
                let at = cell.map.file_start(offset + 1);
                let line = text[..at].rsplit('\n').next().unwrap();
                assert!(line.starts_with("# MAGIC"), "{variant}: {line:?}");
                assert!(line.len() <= "# MAGIC ".len(), "{variant}: {line:?}");
            }
        }
    }
}

#[test]
fn titles_and_separators_are_no_code() {
    for (variant, text) in variants() {
        let (_, cells) = read("export.py", &text).unwrap();
        for cell in &cells {
            for marker in [
                "DBTITLE",
                "COMMAND ----------",
                "Databricks notebook source",
            ] {
                assert!(!cell.code.contains(marker), "{variant}: {marker}");
                let file = cell.map.file_range(0..cell.code.len());
                assert!(!text[file].contains(marker), "{variant}: {marker}");
            }
        }
    }
}

#[test]
fn other_languages_use_their_comment_marker() {
    let scala = "// Databricks notebook source\n\
        val md = \"http://169.254.169.254/\"\n\n\
        // COMMAND ----------\n\n\
        // MAGIC %sh curl -s http://169.254.169.254/latest/meta-data/\n";
    let (_, cells) = read("export.scala", scala).unwrap();
    let langs: Vec<_> = cells.iter().map(|c| c.lang).collect();
    assert_eq!(langs, [Lang::Scala, Lang::Shell]);
    assert_verbatim_ranges_match(scala, &cells[1]);

    let r =
        "# Databricks notebook source\nx <- 1\n\n# COMMAND ----------\n\n# MAGIC %sh\n# MAGIC ls\n";
    let (_, cells) = read("export.r", r).unwrap();
    let langs: Vec<_> = cells.iter().map(|c| c.lang).collect();
    assert_eq!(langs, [Lang::R, Lang::Shell]);
}
