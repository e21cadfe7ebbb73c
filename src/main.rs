//! The `imds-lint` binary: everything happens in `imds_lint_cli`.

fn main() -> std::process::ExitCode {
    imds_lint_cli::main()
}
