//! The words of a file error: why a file could not be checked, in the
//! short form that follows `error: <path>: `.

use std::io;

/// Why an I/O operation failed, without the OS error number.
pub fn io(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        io::ErrorKind::IsADirectory => "is a directory".to_owned(),
        _ => {
            let text = err.to_string();
            // `Display` of an OS error appends "(os error N)", and a
            // temporary file's error the temporary path: noise for users.
            let text = text.split(" (os error").next().unwrap_or(&text);
            let text = text.split(" at path \"").next().unwrap_or(text);
            lower_first(text)
        }
    }
}

/// Why standard output (or the report file) could not be written: an
/// error of the system in the words of [`io`], one of ours (which names
/// the report file) as it is.
pub fn output(err: &io::Error) -> String {
    if err.raw_os_error().is_some() {
        io(err)
    } else {
        err.to_string()
    }
}

/// A file over the size limit. `size` is `None` for a stream, whose size is
/// only known to pass the limit.
pub fn too_large(size: Option<u64>, limit: u64) -> String {
    match size {
        // Rounded, a size just past the limit would read as the limit.
        Some(size) if human_size(size) == human_size(limit) => format!(
            "file too large ({size} bytes; the limit is {limit} bytes, see --max-file-size)"
        ),
        Some(size) => format!(
            "file too large ({}; the limit is {}, see --max-file-size)",
            human_size(size),
            human_size(limit)
        ),
        None => format!(
            "input too large (more than {}, see --max-file-size)",
            human_size(limit)
        ),
    }
}

/// Sizes in the units `--max-file-size` takes.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (factor, unit) in UNITS {
        if bytes >= factor {
            let whole = bytes / factor;
            let tenths = (bytes % factor) * 10 / factor;
            return if tenths == 0 {
                format!("{whole} {unit}")
            } else {
                format!("{whole}.{tenths} {unit}")
            };
        }
    }
    format!("{bytes} bytes")
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Found by a fresh tester in the tenth session: standard output on a
    /// full disk gave `No space left on device (os error 28)`.
    #[test]
    fn output_reasons_are_the_systems_in_short_or_ours_as_they_are() {
        let full = io::Error::from_raw_os_error(28);
        assert_eq!(output(&full), "no space left on device");
        let named = io::Error::new(
            io::ErrorKind::NotFound,
            "report.txt: no such file or directory",
        );
        assert_eq!(output(&named), "report.txt: no such file or directory");
    }

    #[test]
    fn io_reasons_are_short_and_lower_case() {
        let missing = io::Error::from_raw_os_error(2);
        assert_eq!(io(&missing), "no such file or directory");
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        assert_eq!(io(&denied), "permission denied");
        let other = io::Error::from_raw_os_error(6); // ENXIO
        assert_eq!(io(&other), "no such device or address");
    }

    #[test]
    fn sizes_read_like_the_flag() {
        assert_eq!(human_size(200 << 20), "200 MiB");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(12), "12 bytes");
        assert_eq!(
            too_large(Some(200 << 20), 50 << 20),
            "file too large (200 MiB; the limit is 50 MiB, see --max-file-size)"
        );
        assert!(too_large(None, 10).contains("more than 10 bytes"));
        assert_eq!(
            too_large(Some((50 << 20) + 186), 50 << 20),
            "file too large (52428986 bytes; the limit is 52428800 bytes, see --max-file-size)"
        );
    }
}
