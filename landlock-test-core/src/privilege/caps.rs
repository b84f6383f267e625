//! Capabilities as the kernel has them: numbers and names, the raw `capget(2)`/`capset(2)`
//! syscalls (`_LINUX_CAPABILITY_VERSION_3`) and the ambient set through `prctl(2)`, so no libcap
//! is needed. Capabilities belong to the calling **thread**: a helper changes the thread it
//! runs on, exactly like libcap's `cap_set_proc()` in the C tests.
//!
//! These return `Result<T, Errno>`, the framework-wide convention for helpers that mimic a
//! syscall; the asserting helpers named after common.h's are in [`super::common`].

use std::fmt;

use nix::errno::Errno;

/// A Linux capability, numbered as in `include/uapi/linux/capability.h`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
#[allow(
    missing_docs,
    reason = "capabilities(7)'s names, `CAP_` dropped, in camel case"
)]
pub enum Cap {
    Chown = 0,
    DacOverride = 1,
    DacReadSearch = 2,
    Fowner = 3,
    Fsetid = 4,
    Kill = 5,
    Setgid = 6,
    Setuid = 7,
    Setpcap = 8,
    LinuxImmutable = 9,
    NetBindService = 10,
    NetBroadcast = 11,
    NetAdmin = 12,
    NetRaw = 13,
    IpcLock = 14,
    IpcOwner = 15,
    SysModule = 16,
    SysRawio = 17,
    SysChroot = 18,
    SysPtrace = 19,
    SysPacct = 20,
    SysAdmin = 21,
    SysBoot = 22,
    SysNice = 23,
    SysResource = 24,
    SysTime = 25,
    SysTtyConfig = 26,
    Mknod = 27,
    Lease = 28,
    AuditWrite = 29,
    AuditControl = 30,
    Setfcap = 31,
    MacOverride = 32,
    MacAdmin = 33,
    Syslog = 34,
    WakeAlarm = 35,
    BlockSuspend = 36,
    AuditRead = 37,
    Perfmon = 38,
    Bpf = 39,
    CheckpointRestore = 40,
}

impl Cap {
    /// The kernel's name, e.g. `CAP_NET_ADMIN`.
    pub const fn name(self) -> &'static str {
        match self {
            Cap::Chown => "CAP_CHOWN",
            Cap::DacOverride => "CAP_DAC_OVERRIDE",
            Cap::DacReadSearch => "CAP_DAC_READ_SEARCH",
            Cap::Fowner => "CAP_FOWNER",
            Cap::Fsetid => "CAP_FSETID",
            Cap::Kill => "CAP_KILL",
            Cap::Setgid => "CAP_SETGID",
            Cap::Setuid => "CAP_SETUID",
            Cap::Setpcap => "CAP_SETPCAP",
            Cap::LinuxImmutable => "CAP_LINUX_IMMUTABLE",
            Cap::NetBindService => "CAP_NET_BIND_SERVICE",
            Cap::NetBroadcast => "CAP_NET_BROADCAST",
            Cap::NetAdmin => "CAP_NET_ADMIN",
            Cap::NetRaw => "CAP_NET_RAW",
            Cap::IpcLock => "CAP_IPC_LOCK",
            Cap::IpcOwner => "CAP_IPC_OWNER",
            Cap::SysModule => "CAP_SYS_MODULE",
            Cap::SysRawio => "CAP_SYS_RAWIO",
            Cap::SysChroot => "CAP_SYS_CHROOT",
            Cap::SysPtrace => "CAP_SYS_PTRACE",
            Cap::SysPacct => "CAP_SYS_PACCT",
            Cap::SysAdmin => "CAP_SYS_ADMIN",
            Cap::SysBoot => "CAP_SYS_BOOT",
            Cap::SysNice => "CAP_SYS_NICE",
            Cap::SysResource => "CAP_SYS_RESOURCE",
            Cap::SysTime => "CAP_SYS_TIME",
            Cap::SysTtyConfig => "CAP_SYS_TTY_CONFIG",
            Cap::Mknod => "CAP_MKNOD",
            Cap::Lease => "CAP_LEASE",
            Cap::AuditWrite => "CAP_AUDIT_WRITE",
            Cap::AuditControl => "CAP_AUDIT_CONTROL",
            Cap::Setfcap => "CAP_SETFCAP",
            Cap::MacOverride => "CAP_MAC_OVERRIDE",
            Cap::MacAdmin => "CAP_MAC_ADMIN",
            Cap::Syslog => "CAP_SYSLOG",
            Cap::WakeAlarm => "CAP_WAKE_ALARM",
            Cap::BlockSuspend => "CAP_BLOCK_SUSPEND",
            Cap::AuditRead => "CAP_AUDIT_READ",
            Cap::Perfmon => "CAP_PERFMON",
            Cap::Bpf => "CAP_BPF",
            Cap::CheckpointRestore => "CAP_CHECKPOINT_RESTORE",
        }
    }

    /// The capability's bit in a [`CapSets`] mask.
    pub const fn mask(self) -> u64 {
        1 << self as u32
    }
}

impl fmt::Display for Cap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What [`disable_caps`](super::common::disable_caps) keeps in the permitted set: the list of common.h's `_init_caps()`
/// in v6.18. A test raises one of them with [`set_cap`](super::common::set_cap) only around the call that needs it.
pub const KEPT_CAPS: [Cap; 8] = [
    Cap::AuditControl,
    Cap::DacOverride,
    Cap::Mknod,
    Cap::NetAdmin,
    Cap::NetBindService,
    Cap::Setuid,
    Cap::SysAdmin,
    Cap::SysChroot,
];

/// The three capability sets of a thread, one bit per [`Cap`] ([`Cap::mask`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CapSets {
    /// The capabilities the thread uses in permission checks.
    pub effective: u64,
    /// The capabilities the thread may make effective.
    pub permitted: u64,
    /// The capabilities kept across `execve(2)` (with the file's or the ambient set).
    pub inheritable: u64,
}

/// `_LINUX_CAPABILITY_VERSION_3`: 64-bit sets passed as two 32-bit data words.
const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;

/// `struct __user_cap_header_struct`.
#[repr(C)]
struct CapHeader {
    version: u32,
    pid: libc::c_int,
}

/// `struct __user_cap_data_struct`: one 32-bit word of each set.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

impl CapSets {
    fn from_data(data: [CapData; 2]) -> Self {
        let join = |low: u32, high: u32| u64::from(low) | u64::from(high) << 32;
        CapSets {
            effective: join(data[0].effective, data[1].effective),
            permitted: join(data[0].permitted, data[1].permitted),
            inheritable: join(data[0].inheritable, data[1].inheritable),
        }
    }

    fn to_data(self) -> [CapData; 2] {
        let word = |set: u64, index: u32| (set >> (32 * index)) as u32;
        [0, 1].map(|index| CapData {
            effective: word(self.effective, index),
            permitted: word(self.permitted, index),
            inheritable: word(self.inheritable, index),
        })
    }
}

/// Header addressing the calling thread (pid 0).
fn header() -> CapHeader {
    CapHeader {
        version: LINUX_CAPABILITY_VERSION_3,
        pid: 0,
    }
}

/// `capget(2)` of the calling thread.
pub fn capget() -> Result<CapSets, Errno> {
    let mut header = header();
    let mut data = [CapData::default(); 2];
    // SAFETY: both pointers are valid for the sizes version 3 implies (a header, two words).
    let ret = unsafe { libc::syscall(libc::SYS_capget, &mut header, data.as_mut_ptr()) };
    Errno::result(ret)?;
    Ok(CapSets::from_data(data))
}

/// `capset(2)` of the calling thread. The kernel drops ambient capabilities that are no
/// longer both permitted and inheritable.
pub fn capset(sets: &CapSets) -> Result<(), Errno> {
    let mut header = header();
    let data = sets.to_data();
    // SAFETY: both pointers are valid for the sizes version 3 implies; capset only reads data.
    let ret = unsafe { libc::syscall(libc::SYS_capset, &mut header, data.as_ptr()) };
    Errno::result(ret).map(drop)
}

/// Whether `cap` is in the calling thread's effective set. capget(2) of oneself with valid
/// buffers cannot fail; if it did, the capability counts as absent.
pub fn has_effective(cap: Cap) -> bool {
    capget().is_ok_and(|sets| sets.effective & cap.mask() != 0)
}

/// Whether `cap` is in the calling thread's permitted set, i.e. whether [`set_cap`](super::common::set_cap) can raise it.
pub fn has_permitted(cap: Cap) -> bool {
    capget().is_ok_and(|sets| sets.permitted & cap.mask() != 0)
}

/// Whether `cap` is in the calling thread's ambient set (`PR_CAP_AMBIENT_IS_SET`); false also
/// when the kernel does not know `cap`.
pub fn has_ambient(cap: Cap) -> bool {
    prctl_ambient(libc::PR_CAP_AMBIENT_IS_SET, cap) == Ok(1)
}

fn prctl_ambient(op: libc::c_int, cap: Cap) -> Result<libc::c_int, Errno> {
    let no_arg: libc::c_ulong = 0;
    // SAFETY: PR_CAP_AMBIENT takes integer arguments only.
    let ret = unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            op as libc::c_ulong,
            cap as libc::c_ulong,
            no_arg,
            no_arg,
        )
    };
    Errno::result(ret)
}

/// Changes `cap` in the sets picked by `select`, keeping everything else.
fn change(cap: Cap, select: fn(&mut CapSets) -> &mut u64, on: bool) -> Result<(), Errno> {
    let mut sets = capget()?;
    let set = select(&mut sets);
    if on {
        *set |= cap.mask();
    } else {
        *set &= !cap.mask();
    }
    capset(&sets)
}

/// Raises `cap` in the effective set; `EPERM` when it is not permitted.
pub fn try_set_cap(cap: Cap) -> Result<(), Errno> {
    change(cap, |sets| &mut sets.effective, true)
}

/// Lowers `cap` in the effective set.
pub fn try_clear_cap(cap: Cap) -> Result<(), Errno> {
    change(cap, |sets| &mut sets.effective, false)
}

/// Adds `cap` to the inheritable set, then raises it in the ambient set, so that it survives
/// `execve(2)` of an unprivileged program (C's `set_ambient_cap`).
pub fn try_set_ambient_cap(cap: Cap) -> Result<(), Errno> {
    change(cap, |sets| &mut sets.inheritable, true)?;
    prctl_ambient(libc::PR_CAP_AMBIENT_RAISE, cap).map(drop)
}

/// Removes `cap` from the inheritable set, which makes the kernel drop it from the ambient set
/// (C's `clear_ambient_cap`).
pub fn try_clear_ambient_cap(cap: Cap) -> Result<(), Errno> {
    change(cap, |sets| &mut sets.inheritable, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abi_structs_match_the_kernel() {
        assert_eq!(size_of::<CapHeader>(), 8);
        assert_eq!(size_of::<CapData>(), 12);
    }

    #[test]
    fn numbers_and_names() {
        assert_eq!(Cap::Chown as u8, 0);
        assert_eq!(Cap::DacOverride as u8, 1);
        assert_eq!(Cap::Setuid as u8, 7);
        assert_eq!(Cap::NetBindService as u8, 10);
        assert_eq!(Cap::NetAdmin as u8, 12);
        assert_eq!(Cap::SysAdmin as u8, 21);
        assert_eq!(Cap::Mknod as u8, 27);
        assert_eq!(Cap::AuditControl as u8, 30);
        assert_eq!(Cap::AuditRead as u8, 37);
        assert_eq!(Cap::CheckpointRestore as u8, 40);
        assert_eq!(Cap::NetAdmin.to_string(), "CAP_NET_ADMIN");
        assert_eq!(Cap::AuditRead.mask(), 1 << 37);
    }

    #[test]
    fn sets_split_into_two_words() {
        let sets = CapSets {
            effective: Cap::NetAdmin.mask() | Cap::AuditRead.mask(),
            permitted: u64::MAX,
            inheritable: 0,
        };
        let data = sets.to_data();
        assert_eq!(data[0].effective, 1 << 12);
        assert_eq!(data[1].effective, 1 << (37 - 32));
        assert_eq!((data[0].permitted, data[1].permitted), (u32::MAX, u32::MAX));
        assert_eq!(CapSets::from_data(data), sets);
    }

    #[test]
    fn kept_caps_match_common_h() {
        let mask = KEPT_CAPS.iter().fold(0, |mask, cap| mask | cap.mask());
        let bits = [30, 1, 27, 12, 10, 7, 21, 18];
        assert_eq!(mask, bits.iter().fold(0, |mask, bit| mask | 1 << bit));
    }

    #[test]
    fn capget_reads_this_thread() {
        let sets = capget().expect("capget");
        assert_eq!(sets.effective & !sets.permitted, 0);
    }
}
