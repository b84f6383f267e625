//! The capability helpers of Landlock's selftests `common.h` (Linux v6.18), which assert:
//! `disable_caps`, `drop_caps`, `set_cap`, `clear_cap`, `set_ambient_cap`, `clear_ambient_cap`,
//! and [`raise`] for a capability held around one call. On failure they end the running case
//! with a fatal check, reported at the caller's line, saying which call failed with which
//! errno and which capability is missing. The C helpers use `EXPECT_*` there; going on without
//! the wanted capabilities only produces confusing failures later, so ours are fatal.

use std::marker::PhantomData;
use std::panic::Location;

use nix::errno::Errno;

use super::caps::*;
use crate::harness::check;

/// `SECBIT_NOROOT`: uid 0 gets no capabilities from `execve(2)`.
const SECBIT_NOROOT: libc::c_ulong = 1 << 0;
/// `SECBIT_NOROOT_LOCKED`: nor can the thread unset `SECBIT_NOROOT`.
const SECBIT_NOROOT_LOCKED: libc::c_ulong = 1 << 1;

/// Why the test may miss a capability, and how to get it.
const HOW_TO_GET_CAPS: &str = "run the tests as root, or in a user namespace where they have \
     the capability; disable_caps() keeps CAP_AUDIT_CONTROL, CAP_DAC_OVERRIDE, CAP_MKNOD, \
     CAP_NET_ADMIN, CAP_NET_BIND_SERVICE, CAP_SETUID, CAP_SYS_ADMIN and CAP_SYS_CHROOT \
     permitted, drop_caps() none";

/// Sets `SECBIT_NOROOT | SECBIT_NOROOT_LOCKED` unless both are already set (e.g. by an
/// earlier `disable_caps` in this process), as common.h's `_init_caps()` does.
fn lock_noroot() -> Result<(), Errno> {
    let noroot = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED;
    // SAFETY: PR_GET_SECUREBITS takes no argument and returns the bits.
    let bits = Errno::result(unsafe { libc::prctl(libc::PR_GET_SECUREBITS) })?;
    if bits as libc::c_ulong & noroot == noroot {
        return Ok(());
    }
    // SAFETY: PR_SET_SECUREBITS takes an integer argument only.
    Errno::result(unsafe { libc::prctl(libc::PR_SET_SECUREBITS, noroot) }).map(drop)
}

/// common.h's `_init_caps()`: lock the no-root securebits, then empty every set but, unless
/// `drop_all`, the permitted [`KEPT_CAPS`]. Emptying the inheritable set clears the ambient one.
#[track_caller]
fn init_caps(drop_all: bool) {
    if let Err(err) = lock_noroot() {
        check::fatal(format_args!(
            "prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED) failed: {err}; \
             it needs CAP_SETPCAP and no other locked securebits: {HOW_TO_GET_CAPS}"
        ));
    }
    let permitted = if drop_all {
        0
    } else {
        KEPT_CAPS.iter().fold(0, |mask, cap| mask | cap.mask())
    };
    let sets = CapSets {
        permitted,
        ..CapSets::default()
    };
    if let Err(err) = capset(&sets) {
        let had = capget().map_or(0, |sets| sets.permitted);
        let missing: Vec<String> = KEPT_CAPS
            .iter()
            .filter(|cap| had & cap.mask() == 0)
            .map(Cap::to_string)
            .collect();
        check::fatal(format_args!(
            "capset(2) to permitted={permitted:#x}, effective=0, inheritable=0 failed: {err}; \
             not permitted: {}: {HOW_TO_GET_CAPS}",
            missing.join(", ")
        ));
    }
    if has_ambient(KEPT_CAPS[0]) {
        check::fatal(format_args!(
            "{} is still in the ambient set after capset(2) emptied the inheritable set",
            KEPT_CAPS[0]
        ));
    }
}

/// Keeps only [`KEPT_CAPS`], in the permitted set only (C's `disable_caps`): the test starts
/// unprivileged and raises what it needs with [`set_cap`]. Fails the case when not possible.
#[track_caller]
pub fn disable_caps() {
    crate::privilege::require_privilege("disable_caps (securebits and the kept capabilities)");
    init_caps(false);
}

/// Drops every capability for good (C's `drop_caps`). Fails the case when not possible.
#[track_caller]
pub fn drop_caps() {
    crate::privilege::require_privilege("drop_caps (securebits)");
    init_caps(true);
}

/// The message for a failure to raise `cap` in `set` ("effective" or "ambient").
fn raise_failed(cap: Cap, set: &str, err: Errno, permitted: bool) -> String {
    let why = if permitted {
        String::new()
    } else {
        format!("; {cap} is not in the permitted set and this test needs it: {HOW_TO_GET_CAPS}")
    };
    format!("cannot raise {cap} in the {set} set: {err}{why}")
}

/// Raises `cap` in the effective set (C's `set_cap`); fails the case when it is not permitted.
#[track_caller]
pub fn set_cap(cap: Cap) {
    if let Err(err) = try_set_cap(cap) {
        check::fatal(format_args!(
            "{}",
            raise_failed(cap, "effective", err, has_permitted(cap))
        ));
    }
}

/// Lowers `cap` in the effective set (C's `clear_cap`).
#[track_caller]
pub fn clear_cap(cap: Cap) {
    if let Err(err) = try_clear_cap(cap) {
        check::fatal(format_args!(
            "cannot lower {cap} in the effective set: {err}"
        ));
    }
}

/// Makes `cap` inheritable and ambient (C's `set_ambient_cap`), e.g. for a helper program run
/// with `execve(2)`; fails the case when `cap` is not permitted.
#[track_caller]
pub fn set_ambient_cap(cap: Cap) {
    if let Err(err) = try_set_ambient_cap(cap) {
        check::fatal(format_args!(
            "{}",
            raise_failed(cap, "ambient", err, has_permitted(cap))
        ));
    }
}

/// Undoes [`set_ambient_cap`] (C's `clear_ambient_cap`), checking that `cap` was ambient
/// before and is not after.
#[track_caller]
pub fn clear_ambient_cap(cap: Cap) {
    if !has_ambient(cap) {
        check::fatal(format_args!(
            "{cap} is not in the ambient set: clear_ambient_cap() undoes set_ambient_cap()"
        ));
    }
    if let Err(err) = try_clear_ambient_cap(cap) {
        check::fatal(format_args!(
            "cannot lower {cap} in the inheritable set: {err}"
        ));
    }
    if has_ambient(cap) {
        check::fatal(format_args!(
            "{cap} is still ambient after leaving the inheritable set"
        ));
    }
}

/// An effective capability raised by [`raise`], lowered again when dropped. Not `Send`:
/// capabilities belong to a thread, and dropping on another thread would lower the wrong one.
#[must_use = "the capability is lowered again as soon as the guard is dropped"]
#[derive(Debug)]
pub struct CapGuard {
    cap: Cap,
    raised_at: &'static Location<'static>,
    not_send: PhantomData<*const ()>,
}

/// Raises `cap` in the effective set until the guard is dropped: the scoped form of C's
/// `set_cap(); ...; clear_cap();`. Fails the case when `cap` is not permitted.
#[track_caller]
pub fn raise(cap: Cap) -> CapGuard {
    set_cap(cap);
    CapGuard {
        cap,
        raised_at: Location::caller(),
        not_send: PhantomData,
    }
}

impl Drop for CapGuard {
    fn drop(&mut self) {
        // A failure is reported at raise(); while unwinding a second one would abort.
        if let Err(err) = try_clear_cap(self.cap)
            && !std::thread::panicking()
        {
            check::fatal_at(
                self.raised_at.file(),
                self.raised_at.line(),
                format_args!("cannot lower {} in the effective set: {err}", self.cap),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_advice_names_every_kept_capability() {
        for cap in KEPT_CAPS {
            assert!(HOW_TO_GET_CAPS.contains(cap.name()), "{cap}");
        }
    }

    #[test]
    fn raise_message_names_the_capability() {
        let message = raise_failed(Cap::NetAdmin, "effective", Errno::EPERM, false);
        assert!(message.starts_with("cannot raise CAP_NET_ADMIN in the effective set: EPERM"));
        assert!(message.contains("CAP_NET_ADMIN is not in the permitted set"));
        assert!(message.contains("run the tests as root"));
        let message = raise_failed(Cap::NetAdmin, "ambient", Errno::EPERM, true);
        assert_eq!(
            message,
            "cannot raise CAP_NET_ADMIN in the ambient set: EPERM: Operation not permitted"
        );
    }

    /// The kernel semantics the helpers rely on, on a thread of its own (capabilities are per
    /// thread); needs root, like the C tests.
    #[test]
    fn kept_caps_can_be_raised_and_lowered() {
        if !has_effective(Cap::Setpcap) {
            return;
        }
        std::thread::spawn(|| {
            lock_noroot().unwrap();
            let kept = KEPT_CAPS.iter().fold(0, |mask, cap| mask | cap.mask());
            let disabled = CapSets {
                permitted: kept,
                ..CapSets::default()
            };
            capset(&disabled).unwrap();
            assert_eq!(capget(), Ok(disabled));
            assert!(has_permitted(Cap::NetAdmin) && !has_effective(Cap::NetAdmin));

            assert_eq!(try_set_cap(Cap::NetAdmin), Ok(()));
            assert!(has_effective(Cap::NetAdmin));
            assert_eq!(try_clear_cap(Cap::NetAdmin), Ok(()));
            assert_eq!(capget(), Ok(disabled));
            assert_eq!(try_set_cap(Cap::NetRaw), Err(Errno::EPERM));

            assert_eq!(try_set_ambient_cap(Cap::NetAdmin), Ok(()));
            assert!(has_ambient(Cap::NetAdmin));
            assert_eq!(try_clear_ambient_cap(Cap::NetAdmin), Ok(()));
            assert!(!has_ambient(Cap::NetAdmin));
            assert_eq!(capget(), Ok(disabled));
        })
        .join()
        .unwrap();
    }
}
