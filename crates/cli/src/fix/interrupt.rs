//! Ctrl-C, or the SIGTERM a CI runner sends when a job runs out of time,
//! during `--fix`: files already renamed stay written, no write starts
//! after the signal, files not yet checked are left alone, and the run
//! still says which files were changed and which were not. A second
//! signal ends the run at once (exit 130), as pressing Ctrl-C twice should.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// Set by the first signal.
static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// Starts listening for the signals. Where that fails, they end the run as
/// they always would.
pub fn listen() {
    let flag = FLAG.get_or_init(|| Arc::new(AtomicBool::new(false)));
    for signal in [SIGINT, SIGTERM, SIGHUP] {
        // First in line, so that it sees the flag as an earlier signal left
        // it: the second signal ends the run.
        let ended = signal_hook::flag::register_conditional_shutdown(signal, 130, Arc::clone(flag));
        let noted = signal_hook::flag::register(signal, Arc::clone(flag));
        if let Err(err) = ended.and(noted) {
            log::debug!("signal {signal} not listened for: {err}");
        }
    }
}

/// Whether a signal asked the run to stop.
pub fn interrupted() -> bool {
    FLAG.get().is_some_and(|flag| flag.load(Ordering::Relaxed))
}
