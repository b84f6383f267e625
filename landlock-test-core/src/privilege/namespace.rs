//! What the run may do that needs privilege: create network and mount namespaces, set
//! securebits, raise the capabilities the C tests raise.
//!
//! As root, everything. Otherwise the runner, once and before forking any case, enters a new
//! user namespace mapping the user to root, where a test has every capability over the
//! namespaces it creates: the suites then run as under root, but for what needs the initial
//! namespace (audit). Where neither is possible, cases that need privilege skip and say how to
//! get it.

use std::fmt;
use std::fs;
use std::sync::OnceLock;

use nix::errno::Errno;
use nix::sched::{CloneFlags, unshare};
use nix::unistd::{getegid, geteuid};

use crate::harness::check;
use crate::privilege::caps::{Cap, KEPT_CAPS, capget};

/// Set to `0` to keep a non-root run out of a user namespace (to see what skips without one).
pub const USERNS_ENV: &str = "LANDLOCK_TEST_USERNS";

/// What privilege the run has, for the tests that need some.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Privilege {
    /// Root in the initial user namespace, with the capabilities the tests raise.
    Root,
    /// Root of a user namespace: one the runner entered (`entered` holds the real uid and gid
    /// it maps to root), or one the run started in.
    UserNamespace {
        /// The real uid and gid of the namespace the runner entered; `None` if it started in
        /// one.
        entered: Option<(u32, u32)>,
    },
    /// Neither: why, to tell the user.
    Unprivileged(String),
}

impl fmt::Display for Privilege {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Privilege::Root => f.write_str("privilege: root"),
            Privilege::UserNamespace {
                entered: Some((uid, gid)),
            } => write!(
                f,
                "privilege: a user namespace mapping uid {uid} and gid {gid} to root (cases \
                 needing the initial namespace skip)"
            ),
            Privilege::UserNamespace { entered: None } => f.write_str(
                "privilege: root of a user namespace that is not the initial one (cases needing \
                 the initial namespace skip)",
            ),
            Privilege::Unprivileged(why) => write!(f, "privilege: none ({why})"),
        }
    }
}

static PRIVILEGE: OnceLock<Privilege> = OnceLock::new();

/// What the tests raise or set (common.h's kept capabilities, and CAP_SETPCAP for securebits)
/// and this process is not permitted; empty when all is there.
fn missing_capabilities() -> Vec<Cap> {
    let permitted = capget().map_or(0, |sets| sets.permitted);
    KEPT_CAPS
        .iter()
        .chain(&[Cap::Setpcap])
        .copied()
        .filter(|cap| permitted & cap.mask() == 0)
        .collect()
}

/// The initial user namespace maps every id to itself.
fn in_initial_user_namespace() -> bool {
    fs::read_to_string("/proc/self/uid_map")
        .is_ok_and(|map| map.split_whitespace().collect::<Vec<_>>() == ["0", "0", "4294967295"])
}

/// Decides the run's privilege, from capabilities (not the uid: root may lack them), entering
/// a user namespace when they are missing. Called by the runner while it is single-threaded,
/// before any case is forked; later calls return the same.
pub(crate) fn establish() -> &'static Privilege {
    PRIVILEGE.get_or_init(|| {
        let missing = missing_capabilities();
        if missing.is_empty() {
            return if in_initial_user_namespace() {
                Privilege::Root
            } else {
                Privilege::UserNamespace { entered: None }
            };
        }
        let missing: Vec<String> = missing.iter().map(Cap::to_string).collect();
        let missing = format!("without {}", missing.join(", "));
        if std::env::var(USERNS_ENV).is_ok_and(|v| v == "0") {
            return Privilege::Unprivileged(format!("{missing}, and {USERNS_ENV}=0"));
        }
        let (uid, gid) = (geteuid().as_raw(), getegid().as_raw());
        // A user namespace cannot be left: a half-made one (entered, but its ids not mapped)
        // would keep the runner unmapped with every capability. So a child tries first, and
        // the runner follows only where the child succeeded.
        if let Err(why) = probe(|| enter_user_namespace(uid, gid)) {
            return Privilege::Unprivileged(format!("{missing}; {why}"));
        }
        match enter_user_namespace(uid, gid) {
            Ok(()) => Privilege::UserNamespace {
                entered: Some((uid, gid)),
            },
            Err(why) => {
                eprintln!(
                    "error: entering a user namespace failed in the runner after it worked in a \
                     child ({why}): the cases cannot run in a known state"
                );
                std::process::exit(2)
            }
        }
    })
}

/// Runs `attempt` in a child process and returns what it returned there: for changes to a
/// process that cannot be undone.
fn probe(attempt: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    let (read_end, write_end) = nix::unistd::pipe().map_err(|e| format!("pipe: {e}"))?;
    crate::harness::sys::flush_std();
    // SAFETY: called by the runner while it is single-threaded, so the child may run any code.
    match unsafe { nix::unistd::fork() }.map_err(|e| format!("fork: {e}"))? {
        nix::unistd::ForkResult::Child => {
            drop(read_end);
            let status = match attempt() {
                Ok(()) => 0,
                Err(why) => {
                    let _ = nix::unistd::write(&write_end, why.as_bytes());
                    1
                }
            };
            // SAFETY: _exit(2) takes an integer and never returns; skipping the parent's exit
            // handlers is the point.
            unsafe { libc::_exit(status) }
        }
        nix::unistd::ForkResult::Parent { child } => {
            drop(write_end);
            let mut why = Vec::new();
            let _ = std::io::Read::read_to_end(&mut std::fs::File::from(read_end), &mut why);
            match nix::sys::wait::waitpid(child, None) {
                Ok(nix::sys::wait::WaitStatus::Exited(_, 0)) => Ok(()),
                Ok(_) if !why.is_empty() => Err(String::from_utf8_lossy(&why).into_owned()),
                status => Err(format!(
                    "the trial in a child process ended with {status:?}"
                )),
            }
        }
    }
}

fn enter_user_namespace(uid: u32, gid: u32) -> Result<(), String> {
    unshare(CloneFlags::CLONE_NEWUSER).map_err(|errno| {
        format!(
            "unshare(CLONE_NEWUSER) failed with {errno}{}",
            match errno {
                Errno::EPERM | Errno::ENOSPC => {
                    ": run as root, or allow unprivileged user namespaces (sysctl \
                     user.max_user_namespaces=15000, kernel.unprivileged_userns_clone=1 on \
                     Debian, kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu)"
                }
                _ => "",
            }
        )
    })?;
    let write = |file: &str, content: String| {
        fs::write(format!("/proc/self/{file}"), &content)
            .map_err(|e| format!("writing {content:?} to /proc/self/{file}: {e}"))
    };
    // An unprivileged process must give up setgroups(2) before it may map its gid.
    write("setgroups", "deny".to_owned())?;
    write("uid_map", format!("0 {uid} 1"))?;
    write("gid_map", format!("0 {gid} 1"))
}

/// With privilege, gives the runner a mount namespace of its own where every mount is private:
/// a mount a case makes, even without its own namespace or under shared propagation, never
/// reaches the system, and a case's leftover mount shows in its working directory. `None` when
/// done, else why not.
pub(crate) fn isolate_mounts() -> Option<String> {
    if matches!(establish(), Privilege::Unprivileged(_)) {
        return Some("no privilege for a mount namespace".to_owned());
    }
    let private = unshare(CloneFlags::CLONE_NEWNS).and_then(|()| {
        nix::mount::mount(
            None::<&str>,
            "/",
            None::<&str>,
            nix::mount::MsFlags::MS_REC | nix::mount::MsFlags::MS_PRIVATE,
            None::<&str>,
        )
    });
    private
        .err()
        .map(|errno| format!("a private mount namespace for the run failed: {errno}"))
}

/// The run's privilege; in a process the runner did not start, as if established there.
pub fn privilege() -> &'static Privilege {
    establish()
}

/// Skips the case when the run has no privilege at all; `what` says what needed it.
#[track_caller]
pub fn require_privilege(what: &str) {
    if let Privilege::Unprivileged(why) = privilege() {
        check::skip(format_args!("{what} needs privilege: {why}"));
    }
}

/// Skips the case unless it runs in the initial user namespace as root (e.g. audit, which the
/// kernel only lets the initial namespace control).
#[track_caller]
pub fn require_initial_namespace(what: &str) {
    match privilege() {
        Privilege::Root => {}
        Privilege::UserNamespace { .. } => check::skip(format_args!(
            "{what} needs root in the initial user namespace; this run is in a user namespace \
             (run as root)"
        )),
        Privilege::Unprivileged(why) => check::skip(format_args!(
            "{what} needs root in the initial user namespace: {why}"
        )),
    }
}

/// Whether `uid` is mapped in this process's user namespace (`/proc/self/uid_map`).
fn uid_mapped(uid: u32) -> bool {
    let Ok(map) = fs::read_to_string("/proc/self/uid_map") else {
        return false;
    };
    map.lines().any(|line| {
        let fields: Vec<u64> = line
            .split_whitespace()
            .filter_map(|field| field.parse().ok())
            .collect();
        matches!(fields[..], [inside, _, count] if (inside..inside + count).contains(&u64::from(uid)))
    })
}

/// Skips the case unless `uid` is mapped in the run's user namespace, where `what` (e.g.
/// `setuid(2)`) needs it: the user namespace the runner enters maps one uid only, and the
/// kernel refuses ids it cannot map with `EINVAL`.
#[track_caller]
pub fn require_uid_mapped(uid: u32, what: &str) {
    if !uid_mapped(uid) {
        check::skip(format_args!(
            "{what} needs uid {uid}, which this run's user namespace does not map: it needs \
             root in the initial user namespace (run as root)"
        ));
    }
}
