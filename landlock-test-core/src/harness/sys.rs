//! Process primitives shared by the runner and a case's processes.

use std::io::Write;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use nix::unistd::Pid;

/// `pidfd_open(2)`; `None` where the kernel lacks it.
pub(crate) fn pidfd_open(pid: Pid) -> Option<OwnedFd> {
    // SAFETY: pidfd_open(2) takes integers only: no memory of ours is involved.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid.as_raw(), 0) };
    // SAFETY: a non-negative result of pidfd_open(2) is a new fd that nothing else owns.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// Buffered output goes out before a fork or an exit, never twice and never lost.
pub(crate) fn flush_std() {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
}
