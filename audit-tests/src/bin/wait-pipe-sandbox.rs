//! Writes in a pipe, waits, sandboxes itself, tests sandboxing, and waits again (C's
//! wait-pipe-sandbox.c, Linux 6.18.y): the program that `audit_exec.signal_and_open` of
//! audit_test executes. Its arguments are the numbers of the pipe ends it inherited.

use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::process::ExitCode;

use landlock_test_core::abi::access::LANDLOCK_ACCESS_FS_READ_DIR;
use landlock_test_core::abi::{
    LANDLOCK_SCOPE_SIGNAL, RulesetAttr, create_ruleset, sys_restrict_self,
};
use nix::fcntl::{OFlag, open};
use nix::sys::signal::kill;
use nix::sys::stat::Mode;
use nix::unistd::getppid;

/// Signals that it waits, then waits for the parent to do its test.
fn sync_with(pipe_child: BorrowedFd<'_>, pipe_parent: BorrowedFd<'_>) -> Result<(), String> {
    if nix::unistd::write(pipe_child, b".") != Ok(1) {
        return Err("Failed to write to first argument".into());
    }
    if nix::unistd::read(pipe_parent, &mut [0u8]) != Ok(1) {
        return Err("Failed to read from the second argument".into());
    }
    Ok(())
}

/// Creates a ruleset from `attr` and restricts the process with it.
fn restrict(attr: &RulesetAttr, layer: &str) -> Result<(), String> {
    let ruleset_fd = create_ruleset(attr)
        .map_err(|errno| format!("Failed to create the {layer} ruleset: {errno}"))?;
    sys_restrict_self(ruleset_fd.as_raw_fd(), 0)
        .map_err(|errno| format!("Failed to restrict self: {errno}"))
}

/// A signal to the parent, which must be denied.
fn signal_parent_denied() -> Result<(), String> {
    match kill(getppid(), None) {
        Ok(()) => Err("Successfully sent a signal to the parent".into()),
        Err(_) => Ok(()),
    }
}

/// Opening `/`, which must be denied.
fn open_root_denied() -> Result<(), String> {
    match open(
        "/",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    ) {
        Ok(_) => Err("Successfully opened /".into()),
        Err(_) => Ok(()),
    }
}

fn run(pipe_child: BorrowedFd<'_>, pipe_parent: BorrowedFd<'_>) -> Result<(), String> {
    let layer2 = RulesetAttr::fs(LANDLOCK_ACCESS_FS_READ_DIR);
    let layer3 = RulesetAttr {
        scoped: LANDLOCK_SCOPE_SIGNAL,
        ..RulesetAttr::default()
    };
    // PR_SET_NO_NEW_PRIVS already set by parent.

    // First step to test parent's layer1.
    sync_with(pipe_child, pipe_parent)?;
    // Tries to send a signal, denied by layer1.
    signal_parent_denied()?;

    // Second step to test parent's layer1 and our layer2.
    sync_with(pipe_child, pipe_parent)?;
    restrict(&layer2, "layer2")?;
    // Tries to send a signal, denied by layer1.
    signal_parent_denied()?;
    // Tries to open /, denied by layer2.
    open_root_denied()?;

    // Third step to test our layer2 and layer3.
    sync_with(pipe_child, pipe_parent)?;
    restrict(&layer3, "layer3")?;
    // Tries to open /, denied by layer2.
    open_root_denied()?;
    // Tries to send a signal, denied by layer3.
    signal_parent_denied()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let fds = match &args[..] {
        [_, child, parent] => child
            .parse::<RawFd>()
            .and_then(|c| Ok((c, parent.parse()?))),
        _ => {
            eprintln!("Wrong number of arguments (not two)");
            return ExitCode::FAILURE;
        }
    };
    let Ok((pipe_child, pipe_parent)) = fds else {
        eprintln!("The arguments must be file descriptor numbers");
        return ExitCode::FAILURE;
    };
    // SAFETY: the parent passes the numbers of two pipe ends it left open across execve(2);
    // they stay open until this process exits.
    let pipe_child = unsafe { BorrowedFd::borrow_raw(pipe_child) };
    // SAFETY: as above.
    let pipe_parent = unsafe { BorrowedFd::borrow_raw(pipe_parent) };
    match run(pipe_child, pipe_parent) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
