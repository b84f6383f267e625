//! The raw Landlock ABI, with our own copies of the uapi structs so that tests can send what a
//! well-behaved library never would (unknown access bits, ports above 65535, wrong sizes),
//! typed helpers for the common case, and the ABI probe behind skips.
//!
//! # Errors
//!
//! The framework-wide convention: helpers that mimic a syscall return `Result<T, Errno>`,
//! `Ok` on success and `Err(errno)` on failure, never C's `-errno` or `+errno`.
//! [`enforce_ruleset`] asserts instead, like common.h's: it ends the running case with
//! a fatal check naming the failed call, its errno and what to do about it.
//! [`require_abi`] ends the case as skipped when the kernel lacks a feature.

use std::ffi::c_void;
use std::fmt;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::OnceLock;

pub use crate::rights::{AccessFs, AccessNet, Rights};
use nix::errno::Errno;

use crate::harness::check;

/// The uapi names of the access rights, as raw bits for the raw attribute structs, so that
/// tests read like C; the typed [`AccessFs`] and [`AccessNet`] are the same bits.
pub mod access {
    use super::{AccessFs, AccessNet};

    /// [`AccessFs::Execute`].
    pub const LANDLOCK_ACCESS_FS_EXECUTE: u64 = AccessFs::Execute as u64;
    /// [`AccessFs::WriteFile`].
    pub const LANDLOCK_ACCESS_FS_WRITE_FILE: u64 = AccessFs::WriteFile as u64;
    /// [`AccessFs::ReadFile`].
    pub const LANDLOCK_ACCESS_FS_READ_FILE: u64 = AccessFs::ReadFile as u64;
    /// [`AccessFs::ReadDir`].
    pub const LANDLOCK_ACCESS_FS_READ_DIR: u64 = AccessFs::ReadDir as u64;
    /// [`AccessFs::RemoveDir`].
    pub const LANDLOCK_ACCESS_FS_REMOVE_DIR: u64 = AccessFs::RemoveDir as u64;
    /// [`AccessFs::RemoveFile`].
    pub const LANDLOCK_ACCESS_FS_REMOVE_FILE: u64 = AccessFs::RemoveFile as u64;
    /// [`AccessFs::MakeChar`].
    pub const LANDLOCK_ACCESS_FS_MAKE_CHAR: u64 = AccessFs::MakeChar as u64;
    /// [`AccessFs::MakeDir`].
    pub const LANDLOCK_ACCESS_FS_MAKE_DIR: u64 = AccessFs::MakeDir as u64;
    /// [`AccessFs::MakeReg`].
    pub const LANDLOCK_ACCESS_FS_MAKE_REG: u64 = AccessFs::MakeReg as u64;
    /// [`AccessFs::MakeSock`].
    pub const LANDLOCK_ACCESS_FS_MAKE_SOCK: u64 = AccessFs::MakeSock as u64;
    /// [`AccessFs::MakeFifo`].
    pub const LANDLOCK_ACCESS_FS_MAKE_FIFO: u64 = AccessFs::MakeFifo as u64;
    /// [`AccessFs::MakeBlock`].
    pub const LANDLOCK_ACCESS_FS_MAKE_BLOCK: u64 = AccessFs::MakeBlock as u64;
    /// [`AccessFs::MakeSym`].
    pub const LANDLOCK_ACCESS_FS_MAKE_SYM: u64 = AccessFs::MakeSym as u64;
    /// [`AccessFs::Refer`].
    pub const LANDLOCK_ACCESS_FS_REFER: u64 = AccessFs::Refer as u64;
    /// [`AccessFs::Truncate`].
    pub const LANDLOCK_ACCESS_FS_TRUNCATE: u64 = AccessFs::Truncate as u64;
    /// [`AccessFs::IoctlDev`].
    pub const LANDLOCK_ACCESS_FS_IOCTL_DEV: u64 = AccessFs::IoctlDev as u64;

    /// [`AccessNet::BindTcp`].
    pub const LANDLOCK_ACCESS_NET_BIND_TCP: u64 = AccessNet::BindTcp as u64;
    /// [`AccessNet::ConnectTcp`].
    pub const LANDLOCK_ACCESS_NET_CONNECT_TCP: u64 = AccessNet::ConnectTcp as u64;
}

/// The highest single bit of an access mask (C's `ACCESS_LAST` from `ACCESS_ALL`); 0 for 0.
pub fn highest_bit(mask: u64) -> u64 {
    mask.checked_ilog2().map_or(0, |bit| 1 << bit)
}

/// The single bits from bit 0 up to `last` included: C's
/// `for (access = 1; access <= ACCESS_LAST; access <<= 1)`.
pub fn bits_up_to(last: u64) -> impl Iterator<Item = u64> {
    (0..u64::BITS)
        .map(|bit| 1u64 << bit)
        .take_while(move |&access| access <= last)
}

/// The single bits from bit 63 down to `last` excluded: C's
/// `for (access = 1ULL << 63; access != ACCESS_LAST; access >>= 1)`.
pub fn bits_down_to(last: u64) -> impl Iterator<Item = u64> {
    (0..u64::BITS)
        .rev()
        .map(|bit| 1u64 << bit)
        .take_while(move |&access| access != last)
}

/// `landlock_create_ruleset()` flag: return the highest supported ABI version.
pub const LANDLOCK_CREATE_RULESET_VERSION: u32 = 1 << 0;
/// `landlock_create_ruleset()` flag: return the bitmask of fixed errata (ABI 7).
pub const LANDLOCK_CREATE_RULESET_ERRATA: u32 = 1 << 1;

/// `enum landlock_rule_type`: the attribute is a [`PathBeneathAttr`].
pub const LANDLOCK_RULE_PATH_BENEATH: u32 = 1;
/// `enum landlock_rule_type`: the attribute is a [`NetPortAttr`] (ABI 4).
pub const LANDLOCK_RULE_NET_PORT: u32 = 2;

/// `landlock_ruleset_attr.scoped` (ABI 6): no connection to an abstract unix socket created
/// outside the domain.
pub const LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET: u64 = 1 << 0;
/// `landlock_ruleset_attr.scoped` (ABI 6): no signal to a process outside the domain.
pub const LANDLOCK_SCOPE_SIGNAL: u64 = 1 << 1;

/// The most nested Landlock domains a thread can have: one more `landlock_restrict_self()`
/// fails with `E2BIG`.
pub const LANDLOCK_MAX_NUM_LAYERS: usize = 16;

/// `landlock_restrict_self()` flag (ABI 7): do not log denials of the new domain before the
/// next `execve(2)`.
pub const LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF: u32 = 1 << 0;
/// `landlock_restrict_self()` flag (ABI 7): also log denials after the next `execve(2)`.
pub const LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON: u32 = 1 << 1;
/// `landlock_restrict_self()` flag (ABI 7): do not log denials of future nested domains.
pub const LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF: u32 = 1 << 2;

/// `struct landlock_ruleset_attr` as of ABI 6 (24 bytes). Raw fields: anything can be sent.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RulesetAttr {
    /// The filesystem rights the ruleset handles (denies unless a rule allows them).
    pub handled_access_fs: u64,
    /// The network rights the ruleset handles (ABI 4).
    pub handled_access_net: u64,
    /// The IPC scopes the domain restricts (ABI 6).
    pub scoped: u64,
}

/// Access rights as the attribute structs carry them: typed flags, or raw bits as C tests
/// write them (`LANDLOCK_ACCESS_FS_READ_FILE | ...`, unknown bits included).
pub trait AccessBits {
    /// The rights as the kernel's bit mask.
    fn access_bits(self) -> u64;
}

impl AccessBits for u64 {
    fn access_bits(self) -> u64 {
        self
    }
}

impl<R> AccessBits for Rights<R> {
    fn access_bits(self) -> u64 {
        self.bits()
    }
}

impl AccessBits for AccessFs {
    fn access_bits(self) -> u64 {
        self as u64
    }
}

impl AccessBits for AccessNet {
    fn access_bits(self) -> u64 {
        self as u64
    }
}

impl RulesetAttr {
    /// A ruleset handling these filesystem rights only.
    pub fn fs(access: impl AccessBits) -> Self {
        Self::default().with_fs(access)
    }

    /// A ruleset handling these network rights only.
    pub fn net(access: impl AccessBits) -> Self {
        Self::default().with_net(access)
    }

    /// Also handles these filesystem rights (replacing the previous ones).
    pub fn with_fs(self, access: impl AccessBits) -> Self {
        RulesetAttr {
            handled_access_fs: access.access_bits(),
            ..self
        }
    }

    /// Also handles these network rights (replacing the previous ones).
    pub fn with_net(self, access: impl AccessBits) -> Self {
        RulesetAttr {
            handled_access_net: access.access_bits(),
            ..self
        }
    }
}

/// `struct landlock_path_beneath_attr` (packed, 12 bytes).
#[repr(C, packed)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathBeneathAttr {
    /// The filesystem rights allowed beneath `parent_fd`.
    pub allowed_access: u64,
    /// An fd of the file or directory the rule is about (typically opened with `O_PATH`).
    pub parent_fd: i32,
}

impl PathBeneathAttr {
    /// Allows `access` beneath `parent`. Only the fd number is kept: `parent` must stay open
    /// until the rule is added.
    pub fn new(access: impl AccessBits, parent: impl AsFd) -> Self {
        PathBeneathAttr {
            allowed_access: access.access_bits(),
            parent_fd: parent.as_fd().as_raw_fd(),
        }
    }
}

/// `struct landlock_net_port_attr` (16 bytes). The port is in host byte order; the kernel
/// rejects values above 65535 with `EINVAL`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetPortAttr {
    /// The network rights allowed on `port`.
    pub allowed_access: u64,
    /// The TCP port, in host byte order.
    pub port: u64,
}

impl NetPortAttr {
    /// Allows `access` on `port`.
    pub fn new(access: impl AccessBits, port: u64) -> Self {
        NetPortAttr {
            allowed_access: access.access_bits(),
            port,
        }
    }
}

/// A rule attribute and the `landlock_rule_type` the kernel reads it as.
pub trait RuleAttr {
    /// The `landlock_rule_type` of this attribute.
    const RULE_TYPE: u32;
}

impl RuleAttr for PathBeneathAttr {
    const RULE_TYPE: u32 = LANDLOCK_RULE_PATH_BENEATH;
}

impl RuleAttr for NetPortAttr {
    const RULE_TYPE: u32 = LANDLOCK_RULE_NET_PORT;
}

// The raw syscalls below are safe functions although they take raw pointers and fds: the
// kernel reads the attribute with copy_from_user() (at most `size` bytes, or the size of the
// rule type), never writes through it and keeps no reference, so a bad pointer yields EFAULT
// and cannot break any Rust invariant. The fds are only looked up, never closed or consumed.

/// `landlock_create_ruleset(attr, size, flags)`: the raw result, a new ruleset fd that the
/// caller owns, or with [`LANDLOCK_CREATE_RULESET_VERSION`] the ABI version (with
/// [`LANDLOCK_CREATE_RULESET_ERRATA`], the errata mask).
#[expect(
    clippy::not_unsafe_ptr_arg_deref,
    reason = "only the kernel reads through the pointer, with copy_from_user()"
)]
pub fn sys_create_ruleset(attr: *const RulesetAttr, size: usize, flags: u32) -> Result<i32, Errno> {
    // SAFETY: see above; the kernel validates the pointer.
    let ret = unsafe { libc::syscall(libc::SYS_landlock_create_ruleset, attr, size, flags) };
    Errno::result(ret).map(|value| value as i32)
}

/// `landlock_add_rule(ruleset_fd, rule_type, attr, flags)`.
#[expect(
    clippy::not_unsafe_ptr_arg_deref,
    reason = "only the kernel reads through the pointer, with copy_from_user()"
)]
pub fn sys_add_rule(
    ruleset_fd: RawFd,
    rule_type: u32,
    attr: *const c_void,
    flags: u32,
) -> Result<(), Errno> {
    // SAFETY: see above; the kernel validates the pointer and the fd.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_landlock_add_rule,
            ruleset_fd,
            rule_type,
            attr,
            flags,
        )
    };
    Errno::result(ret).map(drop)
}

/// `landlock_restrict_self(ruleset_fd, flags)`: restricts the calling thread for good.
pub fn sys_restrict_self(ruleset_fd: RawFd, flags: u32) -> Result<(), Errno> {
    // SAFETY: no pointer; the kernel validates the fd.
    let ret = unsafe { libc::syscall(libc::SYS_landlock_restrict_self, ruleset_fd, flags) };
    Errno::result(ret).map(drop)
}

/// Creates a ruleset from `attr` (its full size, no flags). Without Landlock the case skips
/// with the reason: every ruleset a test builds goes through here, and a case that needs one
/// must not fail (nor pass) on such a kernel. [`sys_create_ruleset`] sends anything as it is.
#[track_caller]
pub fn create_ruleset(attr: &RulesetAttr) -> Result<OwnedFd, Errno> {
    require_abi(1, "Landlock rulesets");
    let fd = sys_create_ruleset(attr, size_of::<RulesetAttr>(), 0)?;
    // SAFETY: without flags, success returns a new fd that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Adds one rule, typed by its attribute, without flags; the values are sent as they are.
/// Without Landlock the case skips, as with [`create_ruleset`].
#[track_caller]
pub fn add_rule<T: RuleAttr>(ruleset: impl AsFd, attr: &T) -> Result<(), Errno> {
    require_abi(1, "Landlock rules");
    let attr: *const T = attr;
    sys_add_rule(ruleset.as_fd().as_raw_fd(), T::RULE_TYPE, attr.cast(), 0)
}

/// Allows `access` on `port` (host byte order).
#[track_caller]
pub fn add_net_port_rule(
    ruleset: impl AsFd,
    access: Rights<AccessNet>,
    port: u64,
) -> Result<(), Errno> {
    add_rule(ruleset, &NetPortAttr::new(access, port))
}

/// Allows `access` beneath `parent`.
#[track_caller]
pub fn add_path_beneath_rule(
    ruleset: impl AsFd,
    access: Rights<AccessFs>,
    parent: impl AsFd,
) -> Result<(), Errno> {
    add_rule(ruleset, &PathBeneathAttr::new(access, parent))
}

/// What to do about a `landlock_restrict_self()` failure.
fn restrict_self_hint(err: Errno) -> &'static str {
    match err {
        Errno::EOPNOTSUPP => "; Landlock is disabled at boot: add `landlock` to `lsm=`",
        Errno::EPERM => "; the thread has neither no_new_privs nor CAP_SYS_ADMIN",
        Errno::E2BIG => "; the thread already has the maximum of 16 nested Landlock domains",
        Errno::EBADF | Errno::EBADFD => "; the fd is not a Landlock ruleset",
        _ => "",
    }
}

/// Restricts the calling thread with `ruleset` (common.h's `enforce_ruleset`): sets
/// no_new_privs, then `landlock_restrict_self(fd, 0)`. Fails the case on any error.
#[track_caller]
pub fn enforce_ruleset(ruleset: impl AsFd) {
    if let Err(err) = nix::sys::prctl::set_no_new_privs() {
        check::fatal(format_args!("prctl(PR_SET_NO_NEW_PRIVS, 1) failed: {err}"));
    }
    let fd = ruleset.as_fd().as_raw_fd();
    if let Err(err) = sys_restrict_self(fd, 0) {
        let hint = restrict_self_hint(err);
        check::fatal(format_args!(
            "landlock_restrict_self({fd}, 0) failed: {err}{hint}"
        ));
    }
}

/// The Linux release that introduced each Landlock ABI: entry `n - 1` is ABI `n`.
pub const ABI_LINUX_VERSIONS: [&str; 11] = [
    "5.13", "5.19", "6.2", "6.7", "6.10", "6.12", "6.15", "7.0", "7.1", "7.2", "7.3",
];

/// The Linux release that introduced `abi`, if known.
pub fn linux_version(abi: i32) -> Option<&'static str> {
    let index = usize::try_from(abi).ok()?.checked_sub(1)?;
    ABI_LINUX_VERSIONS.get(index).copied()
}

/// Whether the running kernel offers Landlock, and if not, why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LandlockStatus {
    /// Landlock works; the highest ABI version the kernel supports.
    Available(i32),
    /// `ENOSYS`: the kernel was built without `CONFIG_SECURITY_LANDLOCK`.
    NotBuilt,
    /// `EOPNOTSUPP`: built in but not enabled at boot.
    Disabled,
    /// Any other error, e.g. from a seccomp filter of a container runtime.
    Failed(Errno),
}

impl LandlockStatus {
    fn from_version_query(result: Result<i32, Errno>) -> Self {
        match result {
            Ok(abi) => LandlockStatus::Available(abi),
            Err(Errno::ENOSYS) => LandlockStatus::NotBuilt,
            Err(Errno::EOPNOTSUPP) => LandlockStatus::Disabled,
            Err(err) => LandlockStatus::Failed(err),
        }
    }
}

impl fmt::Display for LandlockStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LandlockStatus::Available(abi) => write!(f, "this kernel has ABI {abi}"),
            LandlockStatus::NotBuilt => f.write_str(
                "Landlock is not built into this kernel (ENOSYS): it needs \
                 CONFIG_SECURITY_LANDLOCK=y",
            ),
            LandlockStatus::Disabled => f.write_str(
                "Landlock is disabled at boot (EOPNOTSUPP): add `landlock` to the `lsm=` boot \
                 parameter",
            ),
            LandlockStatus::Failed(err) => write!(
                f,
                "landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) failed: \
                 {err} (a seccomp filter?)"
            ),
        }
    }
}

/// The Landlock status of the running kernel, queried once per process.
pub fn status() -> LandlockStatus {
    static STATUS: OnceLock<LandlockStatus> = OnceLock::new();
    *STATUS.get_or_init(|| {
        LandlockStatus::from_version_query(sys_create_ruleset(
            std::ptr::null(),
            0,
            LANDLOCK_CREATE_RULESET_VERSION,
        ))
    })
}

/// The running kernel's Landlock ABI version, 0 without Landlock (see [`status`] for why).
pub fn abi() -> i32 {
    match status() {
        LandlockStatus::Available(abi) => abi,
        _ => 0,
    }
}

/// A Landlock erratum: a kernel bug whose fix a kernel reports in its errata bitmask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Erratum {
    /// Its number: bit `number - 1` of the bitmask.
    pub number: u32,
    /// The ABI whose feature it concerns.
    pub abi: i32,
    /// Its name in upstream's `security/landlock/errata/abi-*.h`, shortened.
    pub title: &'static str,
    /// What a kernel without the fix does.
    pub impact: &'static str,
}

/// Erratum 1 (ABI 4): TCP rights also restricted non-TCP stream sockets (SMC, MPTCP, SCTP).
pub const ERRATUM_TCP_SOCKETS: Erratum = Erratum {
    number: 1,
    abi: 4,
    title: "TCP socket identification",
    impact: "BIND_TCP and CONNECT_TCP also restrict non-TCP stream sockets (SMC, MPTCP, SCTP)",
};
/// Erratum 2 (ABI 6): signal scoping between threads of one process.
pub const ERRATUM_SCOPED_SIGNALS: Erratum = Erratum {
    number: 2,
    abi: 6,
    title: "scoped signal handling",
    impact: "LANDLOCK_SCOPE_SIGNAL also denies signals between threads of one process that \
             are in different domains",
};
/// Erratum 3 (ABI 1): disconnected directories (a REFER bypass).
pub const ERRATUM_DISCONNECTED_DIRECTORIES: Erratum = Erratum {
    number: 3,
    abi: 1,
    title: "disconnected directory handling",
    impact: "a directory moved out of a bind mount is checked against the wrong hierarchy: \
             access is denied (EACCES) or widened through rename and link (a \
             LANDLOCK_ACCESS_FS_REFER bypass)",
};
/// Erratum 4 (ABI 1): whiteouts need MAKE_REG, not MAKE_CHAR.
pub const ERRATUM_WHITEOUT: Erratum = Erratum {
    number: 4,
    abi: 1,
    title: "whiteout creation",
    impact: "creating a whiteout (RENAME_WHITEOUT, overlayfs) is checked against \
             LANDLOCK_ACCESS_FS_MAKE_CHAR where the fixed kernel checks \
             LANDLOCK_ACCESS_FS_MAKE_REG",
};
/// Every erratum, by number.
pub const ERRATA: [Erratum; 4] = [
    ERRATUM_TCP_SOCKETS,
    ERRATUM_SCOPED_SIGNALS,
    ERRATUM_DISCONNECTED_DIRECTORIES,
    ERRATUM_WHITEOUT,
];

/// What the running kernel reports of its fixed errata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Errata {
    /// The bitmask of `landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_ERRATA)`.
    Fixed(u32),
    /// The query failed: `EINVAL` before ABI 7 (stable kernels may carry fixes all the same).
    Unreported(Errno),
}

impl Errata {
    /// Whether the kernel reports `erratum` fixed (an unreported fix counts as missing).
    pub fn is_fixed(self, erratum: Erratum) -> bool {
        matches!(self, Errata::Fixed(mask) if mask & (1 << (erratum.number - 1)) != 0)
    }
}

impl fmt::Display for Errata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Errata::Unreported(Errno::EINVAL) => {
                f.write_str("not reported (EINVAL: the query needs ABI 7)")
            }
            Errata::Unreported(err) => write!(f, "not reported ({err})"),
            Errata::Fixed(0) => f.write_str("none"),
            Errata::Fixed(mask) => {
                let mut first = true;
                for bit in 0..u32::BITS {
                    if mask & (1 << bit) == 0 {
                        continue;
                    }
                    let number = bit + 1;
                    let title = ERRATA
                        .iter()
                        .find(|e| e.number == number)
                        .map_or("unknown to this suite", |e| e.title);
                    write!(f, "{}#{number} ({title})", if first { "" } else { ", " })?;
                    first = false;
                }
                Ok(())
            }
        }
    }
}

/// The running kernel's fixed errata, queried once per process.
pub fn errata() -> Errata {
    static ERRATA_MASK: OnceLock<Errata> = OnceLock::new();
    *ERRATA_MASK.get_or_init(|| {
        match sys_create_ruleset(std::ptr::null(), 0, LANDLOCK_CREATE_RULESET_ERRATA) {
            Ok(mask) => Errata::Fixed(mask as u32),
            Err(err) => Errata::Unreported(err),
        }
    })
}

/// The message for a check that a kernel without `erratum`'s fix fails: whether the kernel
/// reports the fix, and if not, which known bug the failure is.
pub fn erratum_note(erratum: Erratum) -> String {
    let Erratum {
        number,
        title,
        impact,
        ..
    } = erratum;
    if errata().is_fixed(erratum) {
        format!("this kernel reports Landlock erratum {number} ({title}) fixed")
    } else {
        format!(
            "this kernel does not report Landlock erratum {number} ({title}) fixed: without the \
             fix, {impact}; a known kernel bug, fixed upstream and in the stable kernels"
        )
    }
}

/// Every network right the running kernel handles; never a right it would reject.
pub fn access_net_all() -> Rights<AccessNet> {
    AccessNet::all(abi())
}

/// Every filesystem right the running kernel handles.
pub fn access_fs_all() -> Rights<AccessFs> {
    AccessFs::all(abi())
}

/// The skip reason when `status` does not provide ABI `min` needed by `feature`.
fn abi_shortfall(min: i32, feature: &str, status: LandlockStatus) -> Option<String> {
    if matches!(status, LandlockStatus::Available(abi) if abi >= min) {
        return None;
    }
    let linux = linux_version(min).map_or_else(String::new, |linux| format!(" (Linux {linux})"));
    Some(format!(
        "{feature}: needs Landlock ABI {min}{linux}; {status}"
    ))
}

/// Skips the running case unless the kernel has Landlock ABI `min` or later; `feature` names
/// what the case needs, e.g. "network rules (LANDLOCK_RULE_NET_PORT)".
#[track_caller]
pub fn require_abi(min: i32, feature: &str) {
    if let Some(reason) = abi_shortfall(min, feature, status()) {
        check::skip(format_args!("{reason}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_helpers_walk_as_the_c_loops() {
        assert_eq!(highest_bit(0b1011), 0b1000);
        assert_eq!(highest_bit(0), 0);
        assert_eq!(bits_up_to(4).collect::<Vec<_>>(), [1, 2, 4]);
        assert_eq!(bits_up_to(1 << 63).count(), 64);
        let down: Vec<u64> = bits_down_to(1 << 61).collect();
        assert_eq!(down, [1 << 63, 1 << 62]);
    }

    #[test]
    fn struct_layouts_match_the_kernel() {
        assert_eq!(size_of::<RulesetAttr>(), 24);
        assert_eq!(size_of::<PathBeneathAttr>(), 12);
        assert_eq!(size_of::<NetPortAttr>(), 16);
    }

    #[test]
    fn uapi_values() {
        assert_eq!(LANDLOCK_CREATE_RULESET_VERSION, 1);
        assert_eq!(LANDLOCK_CREATE_RULESET_ERRATA, 2);
        assert!(Errata::Fixed(0b0100).is_fixed(ERRATUM_DISCONNECTED_DIRECTORIES));
        assert!(!Errata::Fixed(0b1011).is_fixed(ERRATUM_DISCONNECTED_DIRECTORIES));
        assert!(!Errata::Unreported(Errno::EINVAL).is_fixed(ERRATUM_TCP_SOCKETS));
        assert_eq!(
            Errata::Fixed(0b1_0101).to_string(),
            "#1 (TCP socket identification), #3 (disconnected directory handling), \
             #5 (unknown to this suite)"
        );
        assert_eq!(Errata::Fixed(0).to_string(), "none");
        assert_eq!((LANDLOCK_RULE_PATH_BENEATH, LANDLOCK_RULE_NET_PORT), (1, 2));
        assert_eq!(LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF, 1);
        assert_eq!(LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON, 2);
        assert_eq!(LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF, 4);
        assert_eq!(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET, 1);
        assert_eq!(LANDLOCK_SCOPE_SIGNAL, 2);
    }

    #[test]
    fn typed_constructors_keep_the_kernel_bits() {
        let attr = RulesetAttr::net(AccessNet::BindTcp | AccessNet::ConnectTcp)
            .with_fs(AccessFs::Execute | AccessFs::Truncate);
        assert_eq!(attr.handled_access_net, 0b11);
        assert_eq!(attr.handled_access_fs, 1 | 1 << 14);
        assert_eq!(attr.scoped, 0);
        // Bit 2 is BIND_UDP (ABI 10), never a "listen" right.
        assert_eq!(Rights::from(AccessNet::BindUdp).bits(), 1 << 2);
        let rule = NetPortAttr::new(AccessNet::ConnectTcp, 65536);
        assert_eq!((rule.allowed_access, rule.port), (2, 65536));
        let stdin = std::io::stdin();
        let rule = PathBeneathAttr::new(AccessFs::ReadFile, &stdin);
        assert_eq!({ rule.allowed_access }, 1 << 2);
        assert_eq!({ rule.parent_fd }, 0);
    }

    #[test]
    fn abi_table() {
        assert_eq!(linux_version(1), Some("5.13"));
        assert_eq!(linux_version(4), Some("6.7"));
        assert_eq!(linux_version(7), Some("6.15"));
        assert_eq!(linux_version(10), Some("7.2"));
        assert_eq!(linux_version(11), Some("7.3"));
        assert_eq!(linux_version(0), None);
        assert_eq!(linux_version(12), None);
    }

    #[test]
    fn status_from_errno() {
        let query = LandlockStatus::from_version_query;
        assert_eq!(query(Ok(7)), LandlockStatus::Available(7));
        assert_eq!(query(Err(Errno::ENOSYS)), LandlockStatus::NotBuilt);
        assert_eq!(query(Err(Errno::EOPNOTSUPP)), LandlockStatus::Disabled);
        assert_eq!(
            query(Err(Errno::EPERM)),
            LandlockStatus::Failed(Errno::EPERM)
        );
    }

    #[test]
    fn skip_reasons() {
        let net = "network rules (LANDLOCK_RULE_NET_PORT)";
        assert_eq!(abi_shortfall(4, net, LandlockStatus::Available(4)), None);
        assert_eq!(abi_shortfall(4, net, LandlockStatus::Available(7)), None);
        assert_eq!(
            abi_shortfall(4, net, LandlockStatus::Available(2)).unwrap(),
            "network rules (LANDLOCK_RULE_NET_PORT): needs Landlock ABI 4 (Linux 6.7); \
             this kernel has ABI 2"
        );
        assert_eq!(
            abi_shortfall(1, "Landlock", LandlockStatus::Disabled).unwrap(),
            "Landlock: needs Landlock ABI 1 (Linux 5.13); Landlock is disabled at boot \
             (EOPNOTSUPP): add `landlock` to the `lsm=` boot parameter"
        );
        let reason = abi_shortfall(12, "x", LandlockStatus::NotBuilt).unwrap();
        assert!(reason.starts_with("x: needs Landlock ABI 12; Landlock is not built"));
    }

    #[test]
    fn syscalls_report_errno() {
        if abi() < 4 {
            return;
        }
        let ruleset = create_ruleset(&RulesetAttr::net(AccessNet::BindTcp)).unwrap();
        assert_eq!(
            add_net_port_rule(&ruleset, AccessNet::BindTcp.into(), 1024),
            Ok(())
        );
        assert_eq!(
            add_net_port_rule(&ruleset, AccessNet::BindTcp.into(), 65536),
            Err(Errno::EINVAL)
        );
        // A bad pointer is the kernel's to reject, which is why the raw calls are safe.
        let bad = std::ptr::dangling::<RulesetAttr>();
        assert_eq!(
            sys_create_ruleset(bad, size_of::<RulesetAttr>(), 0),
            Err(Errno::EFAULT)
        );
    }

    #[test]
    fn this_kernel_has_landlock() {
        assert!(abi() >= 1, "{}", status());
        if abi() >= 4 {
            assert!(access_net_all().contains(AccessNet::BindTcp | AccessNet::ConnectTcp));
        }
    }
}
