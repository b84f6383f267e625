//! Sandboxes itself and executes another program, in a different mount point
//! (sandbox-and-launch.c). Used by `layout1.umount_sandboxer`.
//!
//! Arguments: the program to execute, then the two pipe descriptor numbers that it is given
//! in turn, as wait-pipe takes them. Writes one byte to the first once sandboxed, waits for one
//! byte from the second, then executes the program with an empty environment.

use std::ffi::CString;
use std::io::{Read, Write};
use std::process::ExitCode;

#[path = "../inherited_fd.rs"]
mod inherited_fd;
use inherited_fd::inherited_fd;

use landlock_test_core::abi::{
    LANDLOCK_SCOPE_SIGNAL, RulesetAttr, create_ruleset, sys_restrict_self,
};
use nix::sys::prctl::set_no_new_privs;
use nix::unistd::execve;
use std::os::fd::AsRawFd;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, program, pipe_child, pipe_parent] = args.as_slice() else {
        eprintln!("Wrong number of arguments (not three)");
        return ExitCode::FAILURE;
    };
    let (Some(mut pipe_child_file), Some(mut pipe_parent_file)) =
        (inherited_fd(pipe_child), inherited_fd(pipe_parent))
    else {
        eprintln!("The second and third arguments must be file descriptor numbers");
        return ExitCode::FAILURE;
    };

    let ruleset_attr = RulesetAttr {
        scoped: LANDLOCK_SCOPE_SIGNAL,
        ..RulesetAttr::default()
    };
    let ruleset_fd = match create_ruleset(&ruleset_attr) {
        Ok(fd) => fd,
        Err(err) => {
            eprintln!("Failed to create ruleset: {err}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(err) = set_no_new_privs() {
        eprintln!("Failed to call prctl(): {err}");
        return ExitCode::FAILURE;
    }
    if let Err(err) = sys_restrict_self(ruleset_fd.as_raw_fd(), 0) {
        eprintln!("Failed to restrict self: {err}");
        return ExitCode::FAILURE;
    }
    drop(ruleset_fd);

    // Signals that we are sandboxed.
    if let Err(err) = pipe_child_file.write_all(b".") {
        eprintln!("Failed to write to the second argument: {err}");
        return ExitCode::FAILURE;
    }

    // Waits for the parent to try to umount.
    if let Err(err) = pipe_parent_file.read_exact(&mut [0]) {
        eprintln!("Failed to read from the third argument: {err}");
        return ExitCode::FAILURE;
    }

    // The program gets the descriptors, still open (File does not set close-on-exec).
    std::mem::forget((pipe_child_file, pipe_parent_file));
    let argv: Vec<CString> = [program, pipe_child, pipe_parent]
        .iter()
        .map(|arg| CString::new(arg.as_str()).expect("arguments have no NUL"))
        .collect();
    let err = execve::<CString, CString>(&argv[0], &argv, &[]).unwrap_err();
    eprintln!("Failed to execute the provided binary: {err}");
    ExitCode::FAILURE
}
