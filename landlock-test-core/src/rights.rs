//! Landlock's access rights, typed: an enum per kind of right holding the uapi bits, a set of
//! rights of one kind ([`Rights`]), and which rights each ABI handles. The raw
//! `LANDLOCK_ACCESS_*` constants of [`crate::abi::access`] are the same bits.
//!
//! The sets per ABI follow `include/uapi/linux/landlock.h`; for a kernel newer than this table
//! they are the newest known ones, so that a ruleset never handles a right the kernel lacks.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{BitAnd, BitOr};

/// A filesystem access right (`LANDLOCK_ACCESS_FS_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u64)]
pub enum AccessFs {
    /// Execute a file (ABI 1).
    Execute = 1 << 0,
    /// Open a file with write access (ABI 1).
    WriteFile = 1 << 1,
    /// Open a file with read access (ABI 1).
    ReadFile = 1 << 2,
    /// Open a directory or list its content (ABI 1).
    ReadDir = 1 << 3,
    /// Remove an empty directory or rename one (ABI 1).
    RemoveDir = 1 << 4,
    /// Unlink or rename a file (ABI 1).
    RemoveFile = 1 << 5,
    /// Create, rename or link a character device (ABI 1).
    MakeChar = 1 << 6,
    /// Create or rename a directory (ABI 1).
    MakeDir = 1 << 7,
    /// Create, rename or link a regular file (ABI 1).
    MakeReg = 1 << 8,
    /// Create, rename or link a unix domain socket (ABI 1).
    MakeSock = 1 << 9,
    /// Create, rename or link a named pipe (ABI 1).
    MakeFifo = 1 << 10,
    /// Create, rename or link a block device (ABI 1).
    MakeBlock = 1 << 11,
    /// Create, rename or link a symbolic link (ABI 1).
    MakeSym = 1 << 12,
    /// Link or rename a file from or to a different directory (ABI 2).
    Refer = 1 << 13,
    /// Truncate a file (ABI 3).
    Truncate = 1 << 14,
    /// Invoke ioctl(2) on a device file (ABI 5).
    IoctlDev = 1 << 15,
    /// Connect to a pathname unix domain socket (ABI 9).
    ResolveUnix = 1 << 16,
}

/// A network access right (`LANDLOCK_ACCESS_NET_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u64)]
pub enum AccessNet {
    /// Bind a TCP socket to a local port (ABI 4).
    BindTcp = 1 << 0,
    /// Connect a TCP socket to a remote port (ABI 4).
    ConnectTcp = 1 << 1,
    /// Bind a UDP socket to a local port (ABI 10).
    BindUdp = 1 << 2,
    /// Connect or send a UDP datagram to a remote port (ABI 10).
    ConnectSendUdp = 1 << 3,
}

/// A set of access rights of one kind ([`AccessFs`] or [`AccessNet`]).
pub struct Rights<R> {
    bits: u64,
    kind: PhantomData<R>,
}

impl<R> Rights<R> {
    /// No right.
    pub const EMPTY: Self = Self::from_bits(0);

    const fn from_bits(bits: u64) -> Self {
        Rights {
            bits,
            kind: PhantomData,
        }
    }

    /// The rights as the kernel's bit mask.
    pub const fn bits(self) -> u64 {
        self.bits
    }

    /// Whether every right of `other` is in the set.
    pub fn contains(self, other: impl Into<Self>) -> bool {
        let other = other.into().bits;
        self.bits & other == other
    }
}

impl<R> Clone for Rights<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for Rights<R> {}

impl<R> PartialEq for Rights<R> {
    fn eq(&self, other: &Self) -> bool {
        self.bits == other.bits
    }
}

impl<R> Eq for Rights<R> {}

impl<R> fmt::Debug for Rights<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rights({:#x})", self.bits)
    }
}

impl<R, T: Into<Rights<R>>> BitOr<T> for Rights<R> {
    type Output = Self;
    fn bitor(self, other: T) -> Self {
        Self::from_bits(self.bits | other.into().bits)
    }
}

impl<R, T: Into<Rights<R>>> BitAnd<T> for Rights<R> {
    type Output = Self;
    fn bitand(self, other: T) -> Self {
        Self::from_bits(self.bits & other.into().bits)
    }
}

/// One right as a set, and `right | right` as a set, for each kind.
macro_rules! kind {
    ($right:ident) => {
        impl From<$right> for Rights<$right> {
            fn from(right: $right) -> Self {
                Self::from_bits(right as u64)
            }
        }

        impl<T: Into<Rights<$right>>> BitOr<T> for $right {
            type Output = Rights<$right>;
            fn bitor(self, other: T) -> Rights<$right> {
                Rights::from(self) | other
            }
        }
    };
}
kind!(AccessFs);
kind!(AccessNet);

/// The newest ABI this table knows; a newer kernel handles at least its rights.
const NEWEST_KNOWN_ABI: i32 = 11;

impl AccessFs {
    /// Every filesystem right of Landlock ABI `abi` (none without Landlock).
    pub fn all(abi: i32) -> Rights<AccessFs> {
        use AccessFs::*;
        let v1 = Rights::from_bits((1 << 13) - 1);
        match abi.min(NEWEST_KNOWN_ABI) {
            ..=0 => Rights::EMPTY,
            1 => v1,
            2 => v1 | Refer,
            3 | 4 => v1 | Refer | Truncate,
            5..=8 => v1 | Refer | Truncate | IoctlDev,
            _ => v1 | Refer | Truncate | IoctlDev | ResolveUnix,
        }
    }

    /// The rights of ABI `abi` that apply to a file, not only to a directory.
    pub fn file(abi: i32) -> Rights<AccessFs> {
        use AccessFs::*;
        Self::all(abi) & (ReadFile | WriteFile | Execute | Truncate | IoctlDev | ResolveUnix)
    }
}

impl AccessNet {
    /// Every network right of Landlock ABI `abi` (none before ABI 4).
    pub fn all(abi: i32) -> Rights<AccessNet> {
        use AccessNet::*;
        match abi.min(NEWEST_KNOWN_ABI) {
            ..=3 => Rights::EMPTY,
            4..=9 => BindTcp | ConnectTcp,
            _ => BindTcp | ConnectTcp | BindUdp | ConnectSendUdp,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rights_per_abi_as_upstream_adds_them() {
        assert_eq!(AccessFs::all(0), Rights::EMPTY);
        assert_eq!(AccessFs::all(1).bits(), 0x1fff);
        assert_eq!(AccessFs::all(2).bits(), 0x3fff);
        assert_eq!(AccessFs::all(4).bits(), 0x7fff);
        assert_eq!(AccessFs::all(5).bits(), 0xffff);
        assert_eq!(AccessFs::all(9).bits(), 0x1ffff);
        assert_eq!(AccessFs::all(99), AccessFs::all(11));
        assert_eq!(AccessNet::all(3), Rights::EMPTY);
        assert_eq!(AccessNet::all(4).bits(), 0b11);
        assert_eq!(AccessNet::all(10).bits(), 0b1111);
        assert_eq!(AccessFs::file(1).bits(), 0b111);
        assert!(AccessFs::all(3).contains(AccessFs::Truncate | AccessFs::Refer));
        assert!(!AccessFs::all(2).contains(AccessFs::Truncate));
    }
}
