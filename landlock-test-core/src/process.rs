//! Processes as Landlock's ptrace and credential tests drive them (`ptrace_test.c` and
//! `base_test.c`, Linux v6.18): ptrace requests, wait statuses read as C's `W*` macros read
//! them, the one-byte pipe handshakes between a case and its child, Yama's ptrace scope,
//! no_new_privs, and session keyrings.
//!
//! Every syscall-like helper returns `Result<T, Errno>`, as everywhere in the framework:
//!
//! | C | here |
//! |---|---|
//! | `ASSERT_EQ(0, ptrace(PTRACE_ATTACH, pid, NULL, 0));` | `assert_eq!(Ok(()), ptrace_attach(pid));` |
//! | `EXPECT_EQ(-1, ptrace(PTRACE_TRACEME)); EXPECT_EQ(EPERM, errno);` | `expect_eq!(Err(Errno::EPERM), ptrace_traceme());` |
//! | `ASSERT_EQ(pid, waitpid(pid, &status, 0)); ASSERT_EQ(1, WIFSTOPPED(status));` | `let status = assert_ok!(waitpid(pid, None)); assert_true!(wifstopped(status));` |
//! | `ASSERT_EQ(1, read(pipe_fd[0], &buf, 1));` | `assert_eq!(Ok(1), read_byte(&pipe_read));` |
//! | `ASSERT_EQ(0, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));` | `assert_eq!(Ok(()), set_no_new_privs());` |
//!
//! A test's child is a [`fork_child`](crate::fork_child); the parent still waits for its
//! ptrace stops with [`waitpid`](prelude::waitpid) on [`Child::pid`](crate::Child::pid).

use std::os::fd::{AsFd, AsRawFd};

use nix::errno::Errno;
use nix::sys::wait::WaitStatus;
use nix::unistd::Pid;

use crate::harness::check;

/// Yama's `ptrace_scope` without restriction (security/yama/yama_lsm.c).
pub const YAMA_SCOPE_DISABLED: u32 = 0;
/// Yama's `ptrace_scope` letting a process trace its descendants only.
pub const YAMA_SCOPE_RELATIONAL: u32 = 1;

/// Where Yama publishes its ptrace scope.
const YAMA_PTRACE_SCOPE: &str = "/proc/sys/kernel/yama/ptrace_scope";

/// Yama's ptrace scope (C's `get_yama_ptrace_scope()`): [`YAMA_SCOPE_DISABLED`] when Yama is
/// not there; the error of reading the file otherwise, or `EINVAL` for what is not a number.
pub fn yama_ptrace_scope() -> Result<u32, Errno> {
    match std::fs::read_to_string(YAMA_PTRACE_SCOPE) {
        Ok(scope) => scope.trim().parse().map_err(|_| Errno::EINVAL),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(YAMA_SCOPE_DISABLED),
        Err(err) => Err(err.raw_os_error().map_or(Errno::EIO, Errno::from_raw)),
    }
}

/// `ptrace(PTRACE_ATTACH, pid, NULL, 0)`: `pid` stops, to be waited for with [`waitpid`](prelude::waitpid).
pub fn ptrace_attach(pid: Pid) -> Result<(), Errno> {
    nix::sys::ptrace::attach(pid)
}

/// `ptrace(PTRACE_DETACH, pid, NULL, 0)`: `ESRCH` when `pid` is not traced by the caller, or
/// not stopped.
pub fn ptrace_detach(pid: Pid) -> Result<(), Errno> {
    nix::sys::ptrace::detach(pid, None)
}

/// `ptrace(PTRACE_TRACEME)`: the parent becomes the caller's tracer.
pub fn ptrace_traceme() -> Result<(), Errno> {
    nix::sys::ptrace::traceme()
}

/// C's `WIFSTOPPED(status)`: stopped, as a tracer sees its tracee.
pub fn wifstopped(status: WaitStatus) -> bool {
    matches!(
        status,
        WaitStatus::Stopped(..) | WaitStatus::PtraceEvent(..) | WaitStatus::PtraceSyscall(..)
    )
}

/// C's `WIFEXITED(status)`: ended with `exit(2)`.
pub fn wifexited(status: WaitStatus) -> bool {
    matches!(status, WaitStatus::Exited(..))
}

/// C's `WEXITSTATUS(status)` where `WIFEXITED(status)`; `None` otherwise.
pub fn wexitstatus(status: WaitStatus) -> Option<i32> {
    match status {
        WaitStatus::Exited(_, code) => Some(code),
        _ => None,
    }
}

/// C's `WIFSIGNALED(status)`: killed by a signal.
pub fn wifsignaled(status: WaitStatus) -> bool {
    matches!(status, WaitStatus::Signaled(..))
}

/// Reads one byte from a pipe (C's `read(fd, &buf, 1)` in a handshake): `Ok(1)`, or `Ok(0)`
/// when every write end is closed.
pub fn read_byte(fd: impl AsFd) -> Result<usize, Errno> {
    nix::unistd::read(fd, &mut [0u8])
}

/// Writes one byte to a pipe (C's `write(fd, ".", 1)` in a handshake): `Ok(1)`.
pub fn write_byte(fd: impl AsFd) -> Result<usize, Errno> {
    nix::unistd::write(fd, b".")
}

/// Closes a forked child's copy of `fd`, as C's children do with the parent's end of a pipe or
/// socket. Only in a [`fork_child`](crate::fork_child) body (the case fails elsewhere): the
/// child ends with `_exit` and never drops the `OwnedFd`, which stays the parent's.
#[track_caller]
pub fn close_in_child(fd: impl AsFd) -> Result<(), Errno> {
    if !crate::harness::case::fork::in_fork_child() {
        check::fatal(format_args!(
            "close_in_child() outside a fork_child() body would close the test's own descriptor"
        ));
    }
    nix::unistd::close(fd.as_fd().as_raw_fd())
}

/// `keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL)`: the caller gets a new anonymous session
/// keyring, whose serial number is returned.
pub fn keyctl_join_session_keyring() -> Result<i32, Errno> {
    // SAFETY: a NULL name asks for an anonymous keyring; no other argument is read.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_keyctl,
            KEYCTL_JOIN_SESSION_KEYRING,
            std::ptr::null::<libc::c_char>(),
            0,
            0,
            0,
        )
    };
    Errno::result(ret).map(|serial| serial as i32)
}

/// `keyctl(KEYCTL_SESSION_TO_PARENT)`: the caller's session keyring replaces its parent's, with
/// credentials the kernel installs on the parent through the `cred_transfer` hook.
pub fn keyctl_session_to_parent() -> Result<(), Errno> {
    // SAFETY: takes no argument.
    let ret = unsafe { libc::syscall(libc::SYS_keyctl, KEYCTL_SESSION_TO_PARENT, 0, 0, 0, 0) };
    Errno::result(ret).map(drop)
}

// include/uapi/linux/keyctl.h
const KEYCTL_JOIN_SESSION_KEYRING: libc::c_int = 1;
const KEYCTL_SESSION_TO_PARENT: libc::c_int = 18;

/// The names of the process suites (ptrace_test.c, base_test.c): the helpers above, and the
/// process calls their cases make by name.
pub mod prelude {
    pub use super::{
        YAMA_SCOPE_DISABLED, YAMA_SCOPE_RELATIONAL, close_in_child, keyctl_join_session_keyring,
        keyctl_session_to_parent, ptrace_attach, ptrace_detach, ptrace_traceme, read_byte,
        wexitstatus, wifexited, wifsignaled, wifstopped, write_byte, yama_ptrace_scope,
    };
    /// C's `raise(3)` of a signal, named apart from the capability [`raise`](crate::prelude::raise).
    pub use crate::thread::raise_signal;
    /// `prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)`, for the tests that check it step by step
    /// (`enforce_ruleset` sets it and asserts).
    pub use nix::sys::prctl::set_no_new_privs;
    pub use nix::sys::signal::Signal;
    pub use nix::sys::wait::{WaitStatus, waitpid};
    pub use nix::unistd::{Pid, getpid};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_statuses_read_as_the_c_macros() {
        let pid = Pid::from_raw(42);
        let exited = WaitStatus::Exited(pid, 3);
        assert!(wifexited(exited) && !wifstopped(exited) && !wifsignaled(exited));
        assert_eq!(wexitstatus(exited), Some(3));
        let stopped = WaitStatus::Stopped(pid, nix::sys::signal::Signal::SIGSTOP);
        assert!(wifstopped(stopped) && !wifexited(stopped));
        assert_eq!(wexitstatus(stopped), None);
        let killed = WaitStatus::Signaled(pid, nix::sys::signal::Signal::SIGKILL, false);
        assert!(wifsignaled(killed) && !wifexited(killed));
    }

    #[test]
    fn yama_scope_is_a_number() {
        assert!(yama_ptrace_scope().is_ok());
    }

    #[test]
    fn pipe_handshake_moves_one_byte() {
        let (read_end, write_end) = nix::unistd::pipe().unwrap();
        assert_eq!(write_byte(&write_end), Ok(1));
        assert_eq!(read_byte(&read_end), Ok(1));
        drop(write_end);
        assert_eq!(read_byte(&read_end), Ok(0));
    }
}
