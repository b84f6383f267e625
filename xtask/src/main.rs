//! `cargo xtask`: the project's tooling, in Rust, as the rest of the project.

use std::process::ExitCode;

mod build;

const USAGE: &str = "\
Usage: cargo xtask <COMMAND> [ARGS...]

Commands:
  build-kernel   build a patched test kernel (bzImage), cached (build-kernel --help)
  help           this help";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        None | Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some("build-kernel") => build::main(args),
        Some(other) => {
            eprintln!("xtask: unknown command {other:?}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
