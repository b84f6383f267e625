//! Helpers of the ported scope tests (scoped_common.h and the scoped parts of common.h, Linux
//! v6.18): scoped domains, file descriptors passed over unix sockets, and erratum 2 of
//! signal scoping.
//!
//! A scope (`landlock_ruleset_attr.scoped`, Landlock ABI 6, Linux 6.12) cuts a domain off from
//! what lies outside it: [`LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET`] denies connecting or sending
//! to an abstract unix socket bound by a process outside the domain, [`LANDLOCK_SCOPE_SIGNAL`]
//! denies signals to such processes (`EPERM` in both cases). The abstract addresses of the
//! tests are [`Service::unix`](crate::net::Service::unix).

use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};

use nix::errno::Errno;
use nix::sys::socket::{ControlMessage, ControlMessageOwned, MsgFlags, recvmsg, sendmsg};
use nix::unistd::Pid;

use crate::abi::{
    LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET, LANDLOCK_SCOPE_SIGNAL, RulesetAttr, create_ruleset,
    enforce_ruleset, errata, require_abi,
};
use crate::harness::check;

/// The uapi names of `scope`'s bits, for messages.
fn scope_names(scope: u64) -> String {
    let mut names: Vec<String> = Vec::new();
    for bit in (0..u64::BITS)
        .map(|bit| 1u64 << bit)
        .filter(|bit| scope & bit != 0)
    {
        names.push(match bit {
            LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET => "LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET".to_owned(),
            LANDLOCK_SCOPE_SIGNAL => "LANDLOCK_SCOPE_SIGNAL".to_owned(),
            unknown => format!("{unknown:#x}"),
        });
    }
    names.join(" | ")
}

/// Skips the case on a kernel without scopes (Landlock ABI 6, Linux 6.12). A case calls it
/// before it forks when a child will create the domain: a skip in a child fails the case.
#[track_caller]
pub fn require_scope(scope: u64) {
    require_abi(6, &format!("scoped domains ({})", scope_names(scope)));
}

/// Restricts the calling thread with a ruleset that handles only `scope` (scoped_common.h's
/// `create_scoped_domain`): the ruleset must be created, then [`enforce_ruleset`] sets
/// no_new_privs and restricts; other threads of the process keep their domain. Skips on a
/// kernel without scopes.
#[track_caller]
pub fn create_scoped_domain(scope: u64) {
    require_scope(scope);
    let ruleset_attr = RulesetAttr {
        scoped: scope,
        ..RulesetAttr::default()
    };
    let ruleset_fd = match create_ruleset(&ruleset_attr) {
        Ok(fd) => fd,
        Err(errno) => check::fatal(format_args!(
            "Failed to create a ruleset scoping {}: {errno}",
            scope_names(scope)
        )),
    };
    enforce_ruleset(&ruleset_fd);
    crate::expect_eq!(Ok(()), nix::unistd::close(ruleset_fd));
}

/// Sends `fd` over the connected unix socket `usock` with one byte of data (common.h's
/// `send_fd`).
pub fn send_fd(usock: impl AsFd, fd: impl AsFd) -> Result<(), Errno> {
    let fds = [fd.as_fd().as_raw_fd()];
    let data = [b'.'];
    sendmsg::<()>(
        usock.as_fd().as_raw_fd(),
        &[IoSlice::new(&data)],
        &[ControlMessage::ScmRights(&fds)],
        MsgFlags::empty(),
        None,
    )
    .map(drop)
}

/// Receives a file descriptor sent by [`send_fd`], close-on-exec (common.h's `recv_fd`).
/// `ENODATA` when the message carried none.
pub fn recv_fd(usock: impl AsFd) -> Result<OwnedFd, Errno> {
    let mut data = [0u8];
    let mut iov = [IoSliceMut::new(&mut data)];
    let mut space = nix::cmsg_space!(std::os::fd::RawFd);
    let msg = recvmsg::<()>(
        usock.as_fd().as_raw_fd(),
        &mut iov,
        Some(&mut space),
        MsgFlags::MSG_CMSG_CLOEXEC,
    )?;
    for cmsg in msg.cmsgs()? {
        if let ControlMessageOwned::ScmRights(fds) = cmsg
            && let Some(&fd) = fds.first()
        {
            // SAFETY: SCM_RIGHTS installed a new descriptor in this process for us alone.
            return Ok(unsafe { OwnedFd::from_raw_fd(fd) });
        }
    }
    Err(Errno::ENODATA)
}

/// `fcntl(fd, F_SETOWN, owner)`: `owner` gets the file's `SIGIO` and `SIGURG` (a socket's
/// out-of-band data). Landlock checks such a signal against the domain of the process that
/// set the owner, at that time.
pub fn set_owner(fd: impl AsFd, owner: Pid) -> Result<(), Errno> {
    // SAFETY: F_SETOWN takes an integer argument only.
    let ret = unsafe { libc::fcntl(fd.as_fd().as_raw_fd(), libc::F_SETOWN, owner.as_raw()) };
    Errno::result(ret).map(drop)
}

/// Erratum 2 of Landlock ABI 6 (scoped signal handling): with [`LANDLOCK_SCOPE_SIGNAL`], a
/// thread could not signal another thread of its own process outside its domain, which
/// breaks glibc's `setuid(2)` (it signals every thread to change their credentials too).
/// Upstream fixed it in Linux 6.15; stable kernels carry the fix from various points.
pub const ERRATUM_SCOPED_SIGNAL: u32 = 2;

/// Whether the running kernel says it has the fix of erratum `number` (bit `number - 1` of the
/// errata query); `None` where it cannot say (no errata query before ABI 7: stable kernels
/// may have fixes without it).
pub fn erratum_fixed(number: u32) -> Option<bool> {
    errata().ok().map(|mask| mask & (1 << (number - 1)) != 0)
}

/// What a failed check of same-process signals means on this kernel, for its message: a case
/// testing erratum 2 still fails without the fix, and says why.
pub fn scoped_signal_erratum_note() -> String {
    let what = "Landlock erratum 2 (scoped signal handling, ABI 6): with LANDLOCK_SCOPE_SIGNAL, \
                a thread could not signal a thread of its own process outside its domain";
    let fix = "the fix (\"landlock: Always allow signals between threads of the same \
               process\") is upstream since Linux 6.15 and in stable kernels";
    match erratum_fixed(ERRATUM_SCOPED_SIGNAL) {
        Some(true) => {
            format!("this kernel reports the fix of {what}: this failure is not that erratum")
        }
        Some(false) => format!("this kernel lacks the fix of {what}; {fix}"),
        None => format!(
            "this kernel has no errata query (ABI < 7) and may lack the fix of {what}; {fix}"
        ),
    }
}

/// The names of the scope suites.
pub mod prelude {
    pub use super::{
        ERRATUM_SCOPED_SIGNAL, create_scoped_domain, erratum_fixed, recv_fd, require_scope,
        scoped_signal_erratum_note, send_fd, set_owner,
    };
    pub use crate::thread::{CaseThread, raise_signal, spawn_thread};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_names_are_the_uapi_ones() {
        assert_eq!(
            scope_names(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL),
            "LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL"
        );
        assert_eq!(scope_names(1 << 2), "0x4");
    }

    #[test]
    fn a_descriptor_goes_over_a_socket_pair() {
        use nix::sys::socket::{AddressFamily, SockFlag, SockType, socketpair};
        let (a, b) = socketpair(
            AddressFamily::Unix,
            SockType::Stream,
            None,
            SockFlag::SOCK_CLOEXEC,
        )
        .unwrap();
        let (read_end, write_end) = nix::unistd::pipe().unwrap();
        send_fd(&a, &write_end).unwrap();
        let received = recv_fd(&b).unwrap();
        assert_eq!(Ok(1), nix::unistd::write(&received, b"x"));
        let mut buf = [0u8];
        assert_eq!(Ok(1), nix::unistd::read(&read_end, &mut buf));
        nix::unistd::write(&a, b".").unwrap();
        assert_eq!(Err(Errno::ENODATA), recv_fd(&b).map(drop));
    }
}
