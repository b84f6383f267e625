//! `cargo xtask`: the project's tooling, in Rust, as the rest of the project.

mod build;
mod matrix;
mod readme;
mod unprivileged;

use std::process::ExitCode;

const USAGE: &str = "\
Usage: cargo xtask <COMMAND> [ARGS...]

Commands:
  build-kernel   build a patched test kernel (bzImage), cached (build-kernel --help)
  kernel-matrix  boot kernels under qemu, run the suites, check them against their tables
                 (`cargo xtask kernel-matrix --help`)
  readme         run every command of README.md's ```sh blocks, as CI does
                 (`cargo xtask readme --help`)
  unprivileged   run every suite as root and as nobody, and compare (root needed)
  help           this help";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        None | Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some("build-kernel") => build::main(args),
        Some("kernel-matrix") => matrix::main(args.collect()),
        Some("readme") => readme::main(args.collect(), workspace_root()),
        Some("unprivileged") => unprivileged::main(args.collect(), workspace_root()),
        Some(other) => {
            eprintln!("xtask: unknown command {other:?}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// The repository's root, where the commands run from.
fn workspace_root() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lies in the workspace")
}
