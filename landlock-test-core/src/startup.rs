//! The Landlock domain's start of a run, the hook the harness's runner calls once, before any
//! case: the run's privilege (entering a user namespace where it is missing), a mount namespace
//! of its own, and the header lines that say what the results are about.

use crate::abi::{LandlockStatus, errata, status};
use crate::harness::runner::Start;
use crate::privilege::{establish, isolate_mounts};

/// The header lines (the kernel under test, its Landlock ABI and the errata it reports fixed,
/// the run's privilege, and what kept the run from a mount namespace of its own, if anything),
/// and whether the runner now has that namespace.
pub fn start() -> Start {
    let privilege = establish();
    let errata = format!("Landlock errata fixed: {}", errata());
    let mut header = vec![describe_kernel(), errata, privilege.to_string()];
    let isolated = isolate_mounts();
    let own_mount_namespace = isolated.is_none();
    header.extend(isolated);
    Start {
        header,
        own_mount_namespace,
    }
}

/// The kernel under test: results only mean something with it.
fn describe_kernel() -> String {
    let release = nix::sys::utsname::uname()
        .map(|u| u.release().to_string_lossy().into_owned())
        .unwrap_or_else(|e| format!("(uname: {e})"));
    match status() {
        LandlockStatus::Available(abi) => format!("Linux {release}, Landlock ABI {abi}"),
        status => format!("Linux {release}, no Landlock: {status}"),
    }
}
