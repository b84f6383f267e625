//! Helpers of the ported scope tests (scoped_common.h and the scoped parts of common.h, Linux
//! v6.18): scoped domains, signals through a file's owner, and erratum 2 of signal scoping.
//!
//! A scope (`landlock_ruleset_attr.scoped`, Landlock ABI 6, Linux 6.12) cuts a domain off from
//! what lies outside it: [`LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET`] denies connecting or sending
//! to an abstract unix socket bound by a process outside the domain, [`LANDLOCK_SCOPE_SIGNAL`]
//! denies signals to such processes (`EPERM` in both cases). The abstract addresses of the
//! tests are [`Service::unix`](crate::net::Service::unix).

use std::os::fd::{AsFd, AsRawFd};

use nix::errno::Errno;
use nix::unistd::Pid;

use crate::abi::{
    LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET, LANDLOCK_SCOPE_SIGNAL, RulesetAttr, create_ruleset,
    enforce_ruleset, require_abi,
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

/// What a step a scope may deny returns: `Err(EPERM)` when `denied`, else `Ok(())`.
pub const fn eperm_if(denied: bool) -> Result<(), Errno> {
    if denied { Err(Errno::EPERM) } else { Ok(()) }
}

/// `fcntl(fd, F_SETOWN, owner)`: `owner` gets the file's `SIGIO` and `SIGURG` (a socket's
/// out-of-band data). Landlock checks such a signal against the domain of the process that
/// set the owner, at that time.
pub fn set_owner(fd: impl AsFd, owner: Pid) -> Result<(), Errno> {
    // SAFETY: F_SETOWN takes an integer argument only.
    let ret = unsafe { libc::fcntl(fd.as_fd().as_raw_fd(), libc::F_SETOWN, owner.as_raw()) };
    Errno::result(ret).map(drop)
}

/// The names of the scope suites.
pub mod prelude {
    pub use super::{create_scoped_domain, eperm_if, require_scope, set_owner};
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
}
