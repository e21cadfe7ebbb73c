//! Checks shared by the integration tests: reading a file the way the tool
//! does, and the span-map properties every cell must have.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use imds_lint_parser::{split, Cell, FileKind, ReadError, SourceFile};

/// Reads `text` as the file `name` and splits it.
pub fn read(name: &str, text: &str) -> Result<(SourceFile, Vec<Cell>), ReadError> {
    let path = Path::new(name);
    let kind = FileKind::detect(path, text.as_bytes()).expect("a kind imds-lint reads");
    let source = SourceFile::from_bytes(path, kind, text.as_bytes().to_vec())?;
    let cells = split(&source)?;
    Ok((source, cells))
}

/// For every verbatim segment of every cell, and every range inside it,
/// the file bytes the map gives are the cell's bytes.
pub fn assert_verbatim_ranges_match(file: &str, cell: &Cell) {
    assert_eq!(
        cell.map.cell_len(),
        cell.code.len(),
        "map covers {:?}",
        cell.code
    );
    for seg in cell.map.segments() {
        if seg.cell_len != seg.file_len {
            continue;
        }
        for start in seg.cell..=seg.cell + seg.cell_len {
            for end in start..=seg.cell + seg.cell_len {
                if !cell.code.is_char_boundary(start) || !cell.code.is_char_boundary(end) {
                    continue;
                }
                let range = cell.map.file_range(start..end);
                assert_eq!(
                    &file[range.clone()],
                    &cell.code[start..end],
                    "cell {:?} range {start}..{end} -> {range:?}",
                    cell.number
                );
            }
        }
    }
}

/// Segments cover the cell without gaps, in order, and never run backwards
/// in the file.
pub fn assert_segments_ordered(cell: &Cell) {
    let mut cell_at = 0;
    let mut file_at = 0;
    for seg in cell.map.segments() {
        assert_eq!(seg.cell, cell_at, "gap in cell {:?}", cell.number);
        assert!(
            seg.file >= file_at,
            "map runs backwards in cell {:?}",
            cell.number
        );
        cell_at = seg.cell + seg.cell_len;
        file_at = seg.file + seg.file_len;
    }
}
