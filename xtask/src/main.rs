//! `cargo xtask`: the project's tooling, in Rust, as the rest of the project.

use std::process::ExitCode;

const USAGE: &str = "\
Usage: cargo xtask <COMMAND> [ARGS...]

Commands:
  help           this help";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        None | Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("xtask: unknown command {other:?}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
