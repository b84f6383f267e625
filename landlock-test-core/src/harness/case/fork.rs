//! Helper processes inside a case: a client beside a server, a process that restricts itself
//! while its parent does not. Like a fork in a C test, whatever the child records (failed
//! expectations, a fatal assert, a panic) counts for the case, since the result is shared.

use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, Ordering};

use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork};

use super::run::{Outcome, catch};
use crate::harness::check;
use crate::harness::sys::{flush_std, pidfd_open};

/// Set in a [`fork_child`] body's process, where the parent's descriptors are copies.
static IN_CHILD: AtomicBool = AtomicBool::new(false);

/// Whether this process is a [`fork_child`] body's.
pub(crate) fn in_fork_child() -> bool {
    IN_CHILD.load(Ordering::Relaxed)
}

/// A process forked by [`fork_child`]; wait for it with [`Child::join`] or [`Child::wait`].
#[must_use = "a forked child must be waited for"]
#[derive(Debug)]
pub struct Child {
    pid: Pid,
}

/// Runs `body` in a forked child process. The child exits with 0 when `body` returns, with 1
/// after a fatal check or a panic (already recorded as the case's failure), with 4 (KSFT_SKIP)
/// after `skip!`, so that the parent's [`Child::join`] fails as C's `EXIT_SUCCESS` check does.
/// A `Child` dropped without being waited for (e.g. by a fatal check in the parent) is killed
/// and reaped.
///
/// The test process must be single-threaded when it forks, as in C.
#[track_caller]
pub fn fork_child(body: impl FnOnce()) -> Child {
    flush_std();
    // SAFETY: test processes are single-threaded (the runner forks each case from its own
    // single-threaded main), so the child may run arbitrary code.
    match unsafe { fork() } {
        Ok(ForkResult::Child) => {
            IN_CHILD.store(true, Ordering::Relaxed);
            let code = match catch(body) {
                Outcome::Returned => 0,
                Outcome::Fatal | Outcome::Panicked => 1,
                Outcome::Skipped => 4,
            };
            flush_std();
            // SAFETY: _exit(2) takes an integer and never returns; it ends this forked process
            // without running the parent's exit handlers.
            unsafe { libc::_exit(code) }
        }
        Ok(ForkResult::Parent { child }) => Child { pid: child },
        Err(errno) => check::fatal(format_args!("fork: {errno}")),
    }
}

impl Child {
    /// The child's process ID.
    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// A pidfd of the child, readable once it ended: to wait for it beside other descriptors.
    /// `None` without pidfd support (Linux < 5.3).
    pub fn pidfd(&self) -> Option<OwnedFd> {
        pidfd_open(self.pid)
    }

    /// Waits for the child and returns how it ended.
    #[track_caller]
    pub fn wait(self) -> WaitStatus {
        let pid = self.pid;
        // Waited for here: nothing for `Drop` to do.
        std::mem::forget(self);
        match waitpid(pid, None) {
            Ok(status) => status,
            Err(errno) => check::fatal(format_args!("waitpid({pid}): {errno}")),
        }
    }

    /// Waits for the child and asserts it exited with success, as C tests do after `waitpid`.
    #[track_caller]
    pub fn join(self) {
        let pid = self.pid;
        match self.wait() {
            WaitStatus::Exited(_, 0) => {}
            status => check::fatal(format_args!(
                "child {pid} did not exit successfully: {status:?}"
            )),
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = kill(self.pid, Signal::SIGKILL);
        let _ = waitpid(self.pid, None);
    }
}
