//! The `imds-lint` binary: everything happens in `imds_lint_cli`.

/// mimalloc serves Rust and, through its `override` feature, the C parsers.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    imds_lint_cli::main()
}
