//! Writes in a pipe and waits (wait-pipe.c). Used by `layout1.umount_sandboxer`.
//!
//! Arguments: the number of the descriptor to write one byte to, then the number of the
//! descriptor to read one byte from.

use std::io::{Read, Write};
use std::process::ExitCode;

#[path = "../inherited_fd.rs"]
mod inherited_fd;
use inherited_fd::inherited_fd;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, pipe_child, pipe_parent] = args.as_slice() else {
        eprintln!("Wrong number of arguments (not two)");
        return ExitCode::FAILURE;
    };
    let (Some(mut pipe_child), Some(mut pipe_parent)) =
        (inherited_fd(pipe_child), inherited_fd(pipe_parent))
    else {
        eprintln!("The arguments must be file descriptor numbers");
        return ExitCode::FAILURE;
    };

    // Signals that we are waiting.
    if let Err(err) = pipe_child.write_all(b".") {
        eprintln!("Failed to write to first argument: {err}");
        return ExitCode::FAILURE;
    }

    // Waits for the parent to do its test.
    if let Err(err) = pipe_parent.read_exact(&mut [0]) {
        eprintln!("Failed to read from the second argument: {err}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
