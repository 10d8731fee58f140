//! The `retort` command (see the library for everything it does).

fn main() -> std::process::ExitCode {
    retort_cli::main()
}
