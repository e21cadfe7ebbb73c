//! A pause before each write of `--fix`, for the fault tests alone: they
//! change, delete or lock a file between the moment it was read and the
//! moment it is written, which no test could time from outside.
//!
//! Only debug builds (`cargo build`, `cargo test`) have it; in a release
//! build [`before_write`] does nothing and the variable is never read.
//! With `IMDS_LINT_TEST_PAUSE_BEFORE_WRITE=DIR` set, the run writes the
//! path it is about to write to `DIR/paused`, then waits until `DIR/resume`
//! exists (at most a minute), deletes it and goes on. One write pauses at a
//! time only if one file is fixed, which is all the tests need.

use std::path::Path;

/// The variable that turns the pause on.
#[cfg(debug_assertions)]
pub const VARIABLE: &str = "IMDS_LINT_TEST_PAUSE_BEFORE_WRITE";

/// Waits, if a fault test asked for it, before `path` is written.
#[cfg(debug_assertions)]
pub fn before_write(path: &Path) {
    use std::time::{Duration, Instant};

    let Some(dir) = std::env::var_os(VARIABLE).map(std::path::PathBuf::from) else {
        return;
    };
    if std::fs::write(dir.join("paused"), path.as_os_str().as_encoded_bytes()).is_err() {
        return;
    }
    let resume = dir.join("resume");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !resume.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = std::fs::remove_file(&resume);
}

/// Release builds never pause.
#[cfg(not(debug_assertions))]
pub fn before_write(_path: &Path) {}
