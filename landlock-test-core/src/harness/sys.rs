//! Process primitives shared by the runner and a case's processes.

use std::io::Write;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use nix::errno::Errno;
use nix::unistd::{ForkResult, Pid};

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

/// From `linux/sched.h`; libc's constant is an `int`, too narrow for it.
const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;

/// `fork(2)` whose child starts in the cgroup v2 directory `cgroup` (`clone3(2)` with
/// `CLONE_INTO_CGROUP`, Linux 5.7): no migration afterwards, which would take the cgroup
/// hierarchy's write lock against every fork and exit of the system. `Err(ENOSYS)` (no
/// `clone3`, before 5.3), `Err(E2BIG)` or `Err(EINVAL)` (no `CLONE_INTO_CGROUP`, 5.3 to 5.6)
/// where the kernel lacks it.
///
/// # Safety
///
/// As for `fork(2)`, and more: the calling process must be single-threaded, and the child
/// must not rely on glibc's record of its thread ID (`pthread_self()`'s TID, which only
/// `fork(3)` updates): PI or robust mutexes, and `pthread_kill` or `pthread_join` aimed at the
/// child's main thread from another thread. `raise(3)` and `abort(3)` ask the kernel for the
/// TID, and Rust's locks do not record one.
pub(crate) unsafe fn fork_into_cgroup(cgroup: BorrowedFd<'_>) -> Result<ForkResult, Errno> {
    // SAFETY: `clone_args` is plain data: all zeroes is valid (no flags, no pointers).
    let mut args: libc::clone_args = unsafe { std::mem::zeroed() };
    args.flags = CLONE_INTO_CGROUP;
    args.exit_signal = libc::SIGCHLD as u64;
    args.cgroup = cgroup.as_raw_fd() as u64;
    // SAFETY: `args` is a valid `clone_args` of the size given, read by the kernel only; with
    // neither CLONE_VM nor a stack, the child is a copy of this process, as after fork(2); the
    // caller answers for the rest (see the function's safety section).
    let ret = unsafe {
        libc::syscall(
            libc::SYS_clone3,
            &raw const args,
            size_of::<libc::clone_args>(),
        )
    };
    match ret {
        0 => Ok(ForkResult::Child),
        pid if pid > 0 => Ok(ForkResult::Parent {
            child: Pid::from_raw(pid as libc::pid_t),
        }),
        _ => Err(Errno::last()),
    }
}
