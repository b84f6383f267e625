//! Filesystem helpers of the ported fs tests (`tools/testing/selftests/landlock/fs_test.c` and
//! `common.h`, Linux v6.18): each case's `./tmp` on a tmpfs of its own, the layout1 tree, the
//! syscall-like `test_*` helpers, rulesets built from path rules, and the plain syscalls the C
//! tests call, typed the framework's way.
//!
//! # Errors: one convention
//!
//! fs_test.c's `test_*` helpers return 0 or a **positive** errno, its raw calls return -1 and
//! set `errno`, common.h's `send_fd()`/`recv_fd()` return a **negative** errno. Here every one
//! of them returns `Result<T, Errno>`: `Ok` on success, `Err(errno)` on failure.
//!
//! | C | here |
//! |---|---|
//! | `EXPECT_EQ(0, test_open(path, O_RDONLY));` | `expect_eq!(Ok(()), test_open(path, O_RDONLY));` |
//! | `EXPECT_EQ(EACCES, test_open(path, O_RDONLY));` | `expect_eq!(Err(Errno::EACCES), test_open(path, O_RDONLY));` |
//! | `ASSERT_EQ(-1, link(a, b)); ASSERT_EQ(EXDEV, errno);` | `assert_eq!(Err(Errno::EXDEV), link(a, b));` |
//! | `ASSERT_EQ(-1, rename(a, b)); ASSERT_EQ(EXDEV, errno);` | `assert_eq!(Err(Errno::EXDEV), test_rename(a, b));` |
//! | `EXPECT_EQ(0, remove_path(path));` | `expect_eq!(Ok(()), remove_path(path));` |
//! | `fd = open(path, flags); ASSERT_LE(0, fd);` | `let fd = assert_ok!(open(path, flags));` |
//! | `ASSERT_EQ(0, close(fd));` | `assert_eq!(Ok(()), close(fd));` |
//!
//! Paths are `&str`, open flags and modes the C values (`libc::O_RDONLY | libc::O_DIRECTORY`,
//! `libc::S_IFREG | 0o700`), so that a check reads like its C line. A raw `rename()` or
//! `renameat2(..., RENAME_EXCHANGE)` of C is [`test_rename`] or [`test_exchange`] here: with one
//! error convention they are the same function.
//!
//! The helpers that take `_metadata` in C assert here: [`prepare_layout`], [`cleanup_layout`],
//! [`create_directory`], [`create_file`], [`create_layout1`], [`remove_layout1`],
//! [`add_path_beneath`], [`create_ruleset_with`] and [`enforce_fs`] end the case on a failure,
//! reported at the caller's line, with what failed.
//!
//! # Layouts and teardown
//!
//! The runner gives every case a private, empty working directory, so the `./tmp` of cases
//! running at once never meet. [`prepare_layout`] mounts a tmpfs on `tmp` from a new mount
//! namespace of the test process and makes it private. The C fixtures clean up from
//! FIXTURE_TEARDOWN_PARENT (`teardown_parent` here), in the parent, whose mount namespace is
//! the runner's: whether it sees the test's mounts depends on the propagation of the working
//! directory's mount. Private, it does not (they ended with the test's namespace, and `umount`
//! gets `EINVAL`); shared, the tmpfs on `tmp` propagated to it, and is unmounted.
//! [`cleanup_layout`] handles both, then removes `tmp`. As in C, a fixture whose setup fails
//! after [`prepare_layout`] gets no teardown.

use std::ffi::{CString, c_int, c_uint};
use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::panic::Location;

use libc::{O_CLOEXEC, O_PATH, mode_t};
use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, openat};
use nix::sys::socket::{
    AddressFamily, ControlMessage, ControlMessageOwned, MsgFlags, SockFlag, SockType,
};
use nix::sys::stat::{Mode, SFlag};

pub use nix::fcntl::AT_FDCWD;
pub use nix::mount::MsFlags;
pub use nix::sched::{CloneFlags, unshare};
use nix::unistd::{UnlinkatFlags, close, dup, dup2_stdin};
pub use nix::unistd::{Whence, chdir, chroot, lseek, read, write};

use crate::abi::access::{
    LANDLOCK_ACCESS_FS_IOCTL_DEV, LANDLOCK_ACCESS_FS_READ_DIR, LANDLOCK_ACCESS_FS_READ_FILE,
    LANDLOCK_ACCESS_FS_REFER, LANDLOCK_ACCESS_FS_TRUNCATE, LANDLOCK_ACCESS_FS_WRITE_FILE,
};
use crate::abi::{
    AccessFs, PathBeneathAttr, RulesetAttr, add_rule, create_ruleset, enforce_ruleset, require_abi,
};
use crate::harness::check;
use crate::privilege::caps::Cap;
use crate::privilege::common::{clear_cap, disable_caps, raise, set_cap};

/// The directory of every layout, relative to the case's working directory (C's `TMP_DIR`).
pub const TMP_DIR: &str = "tmp";

/// fs_test.c's `ACCESS_RO`.
pub const ACCESS_RO: u64 = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;

/// fs_test.c's `ACCESS_RW`.
pub const ACCESS_RW: u64 = ACCESS_RO | LANDLOCK_ACCESS_FS_WRITE_FILE;

/// The rights that apply to files (C's `ACCESS_FILE`) that the running kernel handles.
pub fn access_fs_file() -> u64 {
    AccessFs::file(crate::abi::abi()).bits()
}

/// The highest right the running kernel handles (C's `ACCESS_LAST`), 0 without Landlock.
/// fs_test.c hard-codes `ACCESS_ALL` and `ACCESS_LAST` for the kernel it ships with; this port
/// derives them from the running ABI instead (as Landlock's documentation advises programs to
/// do), so that the same tests tell the truth on older and newer kernels.
pub fn access_fs_last() -> u64 {
    crate::abi::highest_bit(crate::abi::access_fs_all().bits())
}

/// The filesystem rights newer than ABI 1, with the ABI that added them.
const ACCESS_FS_ABI: [(u64, i32, &str); 3] = [
    (LANDLOCK_ACCESS_FS_REFER, 2, "LANDLOCK_ACCESS_FS_REFER"),
    (
        LANDLOCK_ACCESS_FS_TRUNCATE,
        3,
        "LANDLOCK_ACCESS_FS_TRUNCATE",
    ),
    (
        LANDLOCK_ACCESS_FS_IOCTL_DEV,
        5,
        "LANDLOCK_ACCESS_FS_IOCTL_DEV",
    ),
];

/// Skips the running case (with [`require_abi`]) unless the kernel handles every right in
/// `access`, e.g. `require_access_fs(LANDLOCK_ACCESS_FS_TRUNCATE)` on ABI 2.
#[track_caller]
pub fn require_access_fs(access: u64) {
    require_abi(1, "Landlock");
    for (right, abi, name) in ACCESS_FS_ABI {
        if access & right != 0 {
            require_abi(abi, name);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Plain syscalls, as the C tests call them.
// ---------------------------------------------------------------------------------------------

fn cstr(path: &str) -> Result<CString, Errno> {
    CString::new(path).map_err(|_| Errno::EINVAL)
}

/// `open(path, flags)` with C's flags (no mode: use [`test_creat`] to create).
pub fn open(path: &str, flags: c_int) -> Result<OwnedFd, Errno> {
    openat(
        AT_FDCWD,
        path,
        OFlag::from_bits_retain(flags),
        Mode::empty(),
    )
}

/// `mkdir(path, mode)`.
pub fn mkdir(path: &str, mode: mode_t) -> Result<(), Errno> {
    nix::unistd::mkdir(path, Mode::from_bits_retain(mode))
}

/// `rmdir(path)`: the kernel's `unlinkat(AT_FDCWD, path, AT_REMOVEDIR)`, the same call with
/// the same errors (nix has no `rmdir`).
pub fn rmdir(path: &str) -> Result<(), Errno> {
    nix::unistd::unlinkat(AT_FDCWD, path, UnlinkatFlags::RemoveDir)
}

/// `unlink(path)`.
pub fn unlink(path: &str) -> Result<(), Errno> {
    nix::unistd::unlink(path)
}

/// `unlinkat(dirfd, path, flags)`, e.g. with `libc::AT_REMOVEDIR`; other flags get `EINVAL`,
/// as from the kernel.
pub fn unlinkat(dirfd: impl AsFd, path: &str, flags: c_int) -> Result<(), Errno> {
    let flags = match flags {
        0 => UnlinkatFlags::NoRemoveDir,
        libc::AT_REMOVEDIR => UnlinkatFlags::RemoveDir,
        _ => return Err(Errno::EINVAL),
    };
    nix::unistd::unlinkat(dirfd, path, flags)
}

/// `mknod(path, mode, dev)`: `mode` holds the file type, e.g. `S_IFREG | 0o700`.
pub fn mknod(path: &str, mode: mode_t, dev: libc::dev_t) -> Result<(), Errno> {
    // nix passes `kind | perm` on: every bit of `mode` reaches the kernel as given.
    let kind = SFlag::from_bits_retain(mode & libc::S_IFMT);
    let perm = Mode::from_bits_retain(mode & !libc::S_IFMT);
    nix::sys::stat::mknod(path, kind, perm, dev)
}

/// `mkfifo(path, mode)`.
pub fn mkfifo(path: &str, mode: mode_t) -> Result<(), Errno> {
    nix::unistd::mkfifo(path, Mode::from_bits_retain(mode))
}

/// `link(oldpath, newpath)`.
pub fn link(oldpath: &str, newpath: &str) -> Result<(), Errno> {
    linkat(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0)
}

/// `linkat(olddirfd, oldpath, newdirfd, newpath, flags)`.
pub fn linkat(
    olddirfd: impl AsFd,
    oldpath: &str,
    newdirfd: impl AsFd,
    newpath: &str,
    flags: c_int,
) -> Result<(), Errno> {
    let flags = AtFlags::from_bits_retain(flags);
    nix::unistd::linkat(olddirfd, oldpath, newdirfd, newpath, flags)
}

/// `symlink(target, linkpath)`.
pub fn symlink(target: &str, linkpath: &str) -> Result<(), Errno> {
    nix::unistd::symlinkat(target, AT_FDCWD, linkpath)
}

/// `renameat2(olddirfd, oldpath, newdirfd, newpath, flags)`. The raw syscall: nix wraps
/// glibc's `renameat2()` only, which other C libraries (musl) lack.
pub fn renameat2(
    olddirfd: impl AsFd,
    oldpath: &str,
    newdirfd: impl AsFd,
    newpath: &str,
    flags: c_uint,
) -> Result<(), Errno> {
    let (oldpath, newpath) = (cstr(oldpath)?, cstr(newpath)?);
    let (olddirfd, newdirfd) = (olddirfd.as_fd().as_raw_fd(), newdirfd.as_fd().as_raw_fd());
    // SAFETY: renameat2(2) takes two fds, which the kernel validates, and two NUL-terminated
    // strings, which it only reads and which live (as `CString`s) until the call returns.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            olddirfd,
            oldpath.as_ptr(),
            newdirfd,
            newpath.as_ptr(),
            flags,
        )
    };
    Errno::result(ret).map(drop)
}

/// `mount(source, target, fstype, flags, data)`.
pub fn mount(
    source: Option<&str>,
    target: &str,
    fstype: Option<&str>,
    flags: MsFlags,
    data: Option<&str>,
) -> Result<(), Errno> {
    nix::mount::mount(source, target, fstype, flags, data)
}

/// `umount(target)`.
pub fn umount(target: &str) -> Result<(), Errno> {
    nix::mount::umount(target)
}

/// `pivot_root(new_root, put_old)`.
pub fn pivot_root(new_root: &str, put_old: &str) -> Result<(), Errno> {
    nix::unistd::pivot_root(new_root, put_old)
}

/// `move_mount(AT_FDCWD, from, AT_FDCWD, to, 0)`, as the C tests call it (a raw syscall: nix
/// has no `move_mount`).
pub fn move_mount(from: &str, to: &str) -> Result<(), Errno> {
    let (from, to) = (cstr(from)?, cstr(to)?);
    // SAFETY: move_mount(2) takes two NUL-terminated strings, which the kernel only reads and
    // which live until the call returns, and AT_FDCWD for both fds.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_move_mount,
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            0,
        )
    };
    Errno::result(ret).map(drop)
}

/// `open_tree(dirfd, path, flags)`: a new fd that the caller owns, e.g. a detached clone of a
/// mount with `OPEN_TREE_CLONE`, unmounted when the fd is closed (a raw syscall: nix has no
/// `open_tree`).
pub fn open_tree(dirfd: impl AsFd, path: &str, flags: c_uint) -> Result<OwnedFd, Errno> {
    let path = cstr(path)?;
    let dirfd = dirfd.as_fd().as_raw_fd();
    // SAFETY: open_tree(2) takes an fd, which the kernel validates, and a NUL-terminated
    // string, which it only reads and which lives until the call returns.
    let ret = unsafe { libc::syscall(libc::SYS_open_tree, dirfd, path.as_ptr(), flags) };
    // SAFETY: on success, open_tree(2) returned a new fd of this process that nothing else
    // owns.
    Errno::result(ret).map(|fd| unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// `memfd_create(name, MFD_CLOEXEC)`.
pub fn memfd_create(name: &str) -> Result<OwnedFd, Errno> {
    nix::sys::memfd::memfd_create(name, nix::sys::memfd::MFdFlags::MFD_CLOEXEC)
}

/// `pipe2(O_CLOEXEC)`: the read end, then the write end.
pub fn pipe() -> Result<(OwnedFd, OwnedFd), Errno> {
    nix::unistd::pipe2(OFlag::O_CLOEXEC)
}

/// `socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)`.
pub fn unix_socketpair() -> Result<(OwnedFd, OwnedFd), Errno> {
    nix::sys::socket::socketpair(
        AddressFamily::Unix,
        SockType::Stream,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
}

/// `ioctl(fd, cmd, &arg)` for the commands taking (or ignoring) an `int`.
pub fn ioctl_int(fd: impl AsFd, cmd: libc::Ioctl, arg: &mut c_int) -> Result<(), Errno> {
    let arg: *mut c_int = arg;
    // SAFETY: the kernel reads or writes at most an int through `arg`, which is one.
    Errno::result(unsafe { libc::ioctl(fd.as_fd().as_raw_fd(), cmd, arg) }).map(drop)
}

/// Sends `fd` over the Unix socket `usock` (common.h's `send_fd()`), with one data byte.
pub fn send_fd(usock: impl AsFd, fd: impl AsFd) -> Result<(), Errno> {
    let fds = [fd.as_fd().as_raw_fd()];
    let cmsgs = [ControlMessage::ScmRights(&fds)];
    let iov = [IoSlice::new(b".")];
    let usock = usock.as_fd().as_raw_fd();
    nix::sys::socket::sendmsg::<()>(usock, &iov, &cmsgs, MsgFlags::empty(), None).map(drop)
}

/// Receives a file descriptor sent with [`send_fd`] (common.h's `recv_fd()`), close-on-exec.
/// `EPIPE` when the peer closed without sending one.
pub fn recv_fd(usock: impl AsFd) -> Result<OwnedFd, Errno> {
    let mut data = [0u8];
    let mut iov = [IoSliceMut::new(&mut data)];
    let mut space = nix::cmsg_space!(RawFd);
    let usock = usock.as_fd().as_raw_fd();
    let msg = nix::sys::socket::recvmsg::<()>(
        usock,
        &mut iov,
        Some(&mut space),
        MsgFlags::MSG_CMSG_CLOEXEC,
    )?;
    for cmsg in msg.cmsgs()? {
        if let ControlMessageOwned::ScmRights(fds) = cmsg
            && let Some(&fd) = fds.first()
        {
            // SAFETY: SCM_RIGHTS installed this new fd in our table; nothing else owns it.
            return Ok(unsafe { OwnedFd::from_raw_fd(fd) });
        }
    }
    Err(Errno::EPIPE)
}

// ---------------------------------------------------------------------------------------------
// The syscall-like helpers of fs_test.c: Ok(()) where C returns 0, Err(errno) where it returns
// errno.
// ---------------------------------------------------------------------------------------------

/// Opens `path` relative to `dirfd` with `flags | O_CLOEXEC` and closes it (C's
/// `test_open_rel()`); works with files and directories. An error of `close(2)` is returned
/// too: mixing it with `open(2)`'s cannot lead to an access-type confusion.
pub fn test_open_rel(dirfd: impl AsFd, path: &str, flags: c_int) -> Result<(), Errno> {
    let fd = openat(
        dirfd,
        path,
        OFlag::from_bits_retain(flags | O_CLOEXEC),
        Mode::empty(),
    )?;
    close(fd)
}

/// [`test_open_rel`] from the working directory (C's `test_open()`).
pub fn test_open(path: &str, flags: c_int) -> Result<(), Errno> {
    test_open_rel(AT_FDCWD, path, flags)
}

/// `rename(oldpath, newpath)` (C's `test_rename()`).
pub fn test_rename(oldpath: &str, newpath: &str) -> Result<(), Errno> {
    renameat2(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0)
}

/// `renameat2(AT_FDCWD, oldpath, AT_FDCWD, newpath, RENAME_EXCHANGE)` (C's
/// `test_exchange()`).
pub fn test_exchange(oldpath: &str, newpath: &str) -> Result<(), Errno> {
    renameat2(AT_FDCWD, oldpath, AT_FDCWD, newpath, libc::RENAME_EXCHANGE)
}

/// `renameat2(olddirfd, oldpath, newdirfd, newpath, 0)` (C's `test_renameat()`).
pub fn test_renameat(
    olddirfd: impl AsFd,
    oldpath: &str,
    newdirfd: impl AsFd,
    newpath: &str,
) -> Result<(), Errno> {
    renameat2(olddirfd, oldpath, newdirfd, newpath, 0)
}

/// `renameat2(..., RENAME_EXCHANGE)` between two directory fds (C's `test_exchangeat()`).
pub fn test_exchangeat(
    olddirfd: impl AsFd,
    oldpath: &str,
    newdirfd: impl AsFd,
    newpath: &str,
) -> Result<(), Errno> {
    renameat2(olddirfd, oldpath, newdirfd, newpath, libc::RENAME_EXCHANGE)
}

/// `truncate(path, 10)` (C's `test_truncate()`).
pub fn test_truncate(path: &str) -> Result<(), Errno> {
    nix::unistd::truncate(path, 10)
}

/// `creat(path, 0600)`, then closes the new fd (C's `test_creat()`).
pub fn test_creat(path: &str) -> Result<(), Errno> {
    let flags = OFlag::O_CREAT | OFlag::O_WRONLY | OFlag::O_TRUNC;
    let fd = openat(AT_FDCWD, path, flags, Mode::from_bits_truncate(0o600))?;
    close(fd)
}

/// `ftruncate(fd, 10)` (C's `test_ftruncate()`).
pub fn test_ftruncate(fd: impl AsFd) -> Result<(), Errno> {
    nix::unistd::ftruncate(fd, 10)
}

/// The `FS_IOC_GETFLAGS` ioctl (C's `test_fs_ioc_getflags_ioctl()`).
pub fn test_fs_ioc_getflags_ioctl(fd: impl AsFd) -> Result<(), Errno> {
    let mut flags: u32 = 0;
    let arg: *mut u32 = &mut flags;
    // SAFETY: the kernel writes an int (4 bytes) through `arg`, which points to a u32.
    let ret = unsafe { libc::ioctl(fd.as_fd().as_raw_fd(), libc::FS_IOC_GETFLAGS, arg) };
    Errno::result(ret).map(drop)
}

/// The `FIONREAD` ioctl (C's `test_fionread_ioctl()`): as in C, only `EACCES` is an error,
/// any other failure counts as `Ok(())` (the command is not implemented everywhere; what
/// matters is whether Landlock denied it).
pub fn test_fionread_ioctl(fd: impl AsFd) -> Result<(), Errno> {
    let mut size: libc::size_t = 0;
    let arg: *mut libc::size_t = &mut size;
    // SAFETY: the kernel writes an int through `arg`, which points to a larger size_t.
    let ret = unsafe { libc::ioctl(fd.as_fd().as_raw_fd(), libc::FIONREAD, arg) };
    match Errno::result(ret) {
        Err(Errno::EACCES) => Err(Errno::EACCES),
        _ => Ok(()),
    }
}

/// Calls any ioctl `cmd` on `fd` with a pointer to 128 zeroed bytes (C's `ioctl_error()`).
/// Parts of the buffer might be read as fd numbers: stdin (fd 0) is moved away during the
/// call so that no command acts on it. Asserts the moves of stdin.
#[track_caller]
pub fn ioctl_error(fd: impl AsFd, cmd: libc::Ioctl) -> Result<(), Errno> {
    let mut buf = [0u8; 128];
    let fd = fd.as_fd().as_raw_fd();
    let stdin_backup = match dup(std::io::stdin()) {
        Ok(fd) => fd,
        Err(err) => check::fatal(format_args!("dup(0) failed: {err}")),
    };
    // SAFETY: closing fd 0 leaves no Rust object with a dangling fd: nothing owns it (std's
    // `Stdin` only borrows it, and reads nothing during the call), and the fd is restored
    // below before anything else runs in this thread.
    if unsafe { libc::close(0) } != 0 {
        check::fatal(format_args!("close(0) failed: {}", Errno::last()));
    }
    let arg: *mut u8 = buf.as_mut_ptr();
    // SAFETY: every command gets a 128-byte zeroed buffer, larger than any argument that a
    // command reads or writes here; `buf` outlives the call.
    let ret = unsafe { libc::ioctl(fd, cmd, arg) };
    let result = Errno::result(ret).map(drop);
    if let Err(err) = dup2_stdin(&stdin_backup).and_then(|()| close(stdin_backup)) {
        check::fatal(format_args!("restoring stdin failed: {err}"));
    }
    result
}

// ---------------------------------------------------------------------------------------------
// Files and directories (asserting, as C's, but `remove_path`).
// ---------------------------------------------------------------------------------------------

/// Creates every missing parent directory of `path` (C's `mkdir_parents()`).
#[track_caller]
fn mkdir_parents(path: &str) {
    if path.is_empty() {
        check::fatal(format_args!("mkdir_parents(): empty path"));
    }
    for (i, _) in path.match_indices('/').filter(|&(i, _)| i > 0) {
        let parent = &path[..i];
        match mkdir(parent, 0o700) {
            Ok(()) | Err(Errno::EEXIST) => {}
            Err(err) => check::fatal(format_args!(
                "Failed to create directory \"{parent}\": {err}"
            )),
        }
    }
}

/// Creates the directory `path` (mode 0700) and its missing parents (C's
/// `create_directory()`); fails the case on an error, also when `path` exists.
#[track_caller]
pub fn create_directory(path: &str) {
    mkdir_parents(path);
    if let Err(err) = mkdir(path, 0o700) {
        check::fatal(format_args!("Failed to create directory \"{path}\": {err}"));
    }
}

/// Creates the empty regular file `path` (mode 0700) and its missing parents (C's
/// `create_file()`); fails the case on an error, also when `path` exists.
#[track_caller]
pub fn create_file(path: &str) {
    mkdir_parents(path);
    if let Err(err) = mknod(path, libc::S_IFREG | 0o700, 0) {
        check::fatal(format_args!("Failed to create file \"{path}\": {err}"));
    }
}

/// Removes the file or empty directory `path`, then its parents as long as they are empty, up
/// to and including [`TMP_DIR`] (C's `remove_path()`). A missing `path` is not an error, and
/// the walk up stops silently at a non-empty or busy (mount point) directory.
pub fn remove_path(path: &str) -> Result<(), Errno> {
    if unlink(path).is_err()
        && let Err(err) = rmdir(path)
    {
        return match err {
            Errno::ENOENT | Errno::ENOTDIR => Ok(()),
            err => Err(err),
        };
    }
    for (i, _) in path.rmatch_indices('/').filter(|&(i, _)| i > 0) {
        let parent = &path[..i];
        match rmdir(parent) {
            Ok(()) if parent == TMP_DIR => return Ok(()),
            Ok(()) => {}
            Err(Errno::ENOTEMPTY | Errno::EBUSY) => return Ok(()),
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The layout: ./tmp on a tmpfs in a mount namespace of the case.
// ---------------------------------------------------------------------------------------------

/// How to mount a layout's filesystem (C's `struct mnt_opt`): `mount(source ?: fstype, target,
/// fstype, flags, data)`. Constant, so that variants can hold one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MntOpt {
    /// The source; `None` mounts `fstype` as its own source.
    pub source: Option<&'static str>,
    /// The filesystem type; `None` for a bind mount.
    pub fstype: Option<&'static str>,
    /// The mount flags.
    pub flags: MsFlags,
    /// The filesystem's options, e.g. `size=4m`.
    pub data: Option<&'static str>,
}

impl MntOpt {
    /// A filesystem of type `fstype`, mounted with `data`.
    pub const fn new(fstype: &'static str, data: Option<&'static str>) -> Self {
        MntOpt {
            source: None,
            fstype: Some(fstype),
            flags: MsFlags::empty(),
            data,
        }
    }

    /// The filesystem's name, for messages.
    pub fn name(&self) -> &'static str {
        self.fstype.unwrap_or("bind mount")
    }
}

/// C's `MNT_TMP_DATA`: a small tmpfs that only its owner enters.
pub const MNT_TMP_DATA: &str = "size=4m,mode=700";

/// C's `mnt_tmp`.
pub const MNT_TMP: MntOpt = MntOpt::new("tmpfs", Some(MNT_TMP_DATA));

/// C's `mount_opt()`.
pub fn mount_opt(mnt: &MntOpt, target: &str) -> Result<(), Errno> {
    mount(
        mnt.source.or(mnt.fstype),
        target,
        mnt.fstype,
        mnt.flags,
        mnt.data,
    )
}

/// Raises CAP_SYS_ADMIN for one call.
#[track_caller]
fn as_sys_admin<T>(call: impl FnOnce() -> T) -> T {
    let _admin = raise(Cap::SysAdmin);
    call()
}

/// C's `prepare_layout_opt()`: [`disable_caps`], `umask(0077)`, creates [`TMP_DIR`], then with
/// CAP_SYS_ADMIN enters a new mount and cgroup namespace, mounts `mnt` on it and makes it
/// private recursively, so that nothing a test mounts reaches the rest of the system.
/// Fails the case on an error, after removing `tmp` again (setup failed: no teardown runs).
#[track_caller]
pub fn prepare_layout_opt(mnt: &MntOpt) {
    disable_caps();
    nix::sys::stat::umask(Mode::from_bits_truncate(0o077));
    create_directory(TMP_DIR);

    // Do not pollute the rest of the system: creates a private mount point for tests relying on
    // pivot_root(2) and move_mount(2).
    set_cap(Cap::SysAdmin);
    if let Err(err) = unshare(CloneFlags::CLONE_NEWNS | CloneFlags::CLONE_NEWCGROUP) {
        let _ = remove_path(TMP_DIR);
        check::fatal(format_args!(
            "unshare(CLONE_NEWNS | CLONE_NEWCGROUP) failed: {err}"
        ));
    }
    if let Err(err) = mount_opt(mnt, TMP_DIR) {
        // FIXTURE_TEARDOWN() is not called when FIXTURE_SETUP() failed: a minimal cleanup
        // avoids cascading errors.
        let _ = remove_path(TMP_DIR);
        check::fatal(format_args!(
            "Failed to mount the {} filesystem: {err}",
            mnt.name()
        ));
    }
    let private = MsFlags::MS_PRIVATE | MsFlags::MS_REC;
    if let Err(err) = mount(None, TMP_DIR, None, private, None) {
        check::fatal(format_args!(
            "mount(NULL, \"{TMP_DIR}\", NULL, MS_PRIVATE | MS_REC, NULL) failed: {err}"
        ));
    }
    clear_cap(Cap::SysAdmin);
}

/// C's `prepare_layout()`: [`prepare_layout_opt`] with a tmpfs ([`MNT_TMP`]).
#[track_caller]
pub fn prepare_layout() {
    prepare_layout_opt(&MNT_TMP);
}

/// C's `cleanup_layout()`: unmounts [`TMP_DIR`] and removes it. From `teardown_parent` the
/// mount is in the test process's namespace, which ended with it, so `umount` gets `EINVAL`
/// (depending on the propagation of the working directory's mount, the parent may or may not
/// see it); anything else fails the case.
#[track_caller]
pub fn cleanup_layout() {
    let loc = Location::caller();
    match as_sys_admin(|| umount(TMP_DIR)) {
        Ok(()) | Err(Errno::EINVAL) => {}
        Err(err) => check::fatal(format_args!("umount(\"{TMP_DIR}\") failed: {err}")),
    }
    if let Err(err) = remove_path(TMP_DIR) {
        check::fail_at(
            loc.file(),
            loc.line(),
            format_args!("remove_path(\"{TMP_DIR}\") failed: {err}"),
        );
    }
}

/// Whether `/proc/filesystems` lists `filesystem` as a `nodev` filesystem (C's
/// `supports_filesystem()`); `None` (a bind mount) and an unreadable list count as supported.
pub fn supports_filesystem(filesystem: Option<&str>) -> bool {
    let (Some(filesystem), Ok(list)) = (filesystem, std::fs::read_to_string("/proc/filesystems"))
    else {
        return true;
    };
    list.lines()
        .any(|line| line.strip_prefix("nodev\t") == Some(filesystem))
}

/// C's `HOSTFS_SUPER_MAGIC`: the working directory is on User-Mode Linux's hostfs.
pub const HOSTFS_SUPER_MAGIC: u32 = 0x00c0_ffee;

/// Whether the working directory is on a filesystem of type `fs_magic` (C's
/// `cwd_matches_fs()`); 0 and a failing `statfs(2)` match anything.
pub fn cwd_matches_fs(fs_magic: u32) -> bool {
    if fs_magic == 0 {
        return true;
    }
    // Magic numbers are 32-bit; f_type is a long on most architectures.
    nix::sys::statfs::statfs(".").map_or(true, |fs| fs.filesystem_type().0 as u32 == fs_magic)
}

// ---------------------------------------------------------------------------------------------
// layout1.
// ---------------------------------------------------------------------------------------------

/// The paths of layout1 (sibling number and depth), with fs_test.c's names.
///
/// ```text
/// tmp
/// ├── s1d1
/// │   ├── f1
/// │   ├── f2
/// │   └── s1d2
/// │       ├── f1
/// │       ├── f2
/// │       └── s1d3
/// │           ├── f1
/// │           └── f2
/// ├── s2d1
/// │   ├── f1
/// │   └── s2d2
/// │       ├── f1
/// │       └── s2d3
/// │           ├── f1
/// │           └── f2
/// └── s3d1
///     ├── f1
///     └── s3d2 [mount point]
///         ├── s3d3
///         │   └── f1
///         └── s3d4
///             └── f1
/// ```
#[allow(non_upper_case_globals)]
#[allow(
    missing_docs,
    reason = "fs_test.c's names, each a path of the tree drawn above"
)]
mod layout1_paths {
    pub const dir_s1d1: &str = "tmp/s1d1";
    pub const file1_s1d1: &str = "tmp/s1d1/f1";
    pub const file2_s1d1: &str = "tmp/s1d1/f2";
    pub const dir_s1d2: &str = "tmp/s1d1/s1d2";
    pub const file1_s1d2: &str = "tmp/s1d1/s1d2/f1";
    pub const file2_s1d2: &str = "tmp/s1d1/s1d2/f2";
    pub const dir_s1d3: &str = "tmp/s1d1/s1d2/s1d3";
    pub const file1_s1d3: &str = "tmp/s1d1/s1d2/s1d3/f1";
    pub const file2_s1d3: &str = "tmp/s1d1/s1d2/s1d3/f2";

    pub const dir_s2d1: &str = "tmp/s2d1";
    pub const file1_s2d1: &str = "tmp/s2d1/f1";
    pub const dir_s2d2: &str = "tmp/s2d1/s2d2";
    pub const file1_s2d2: &str = "tmp/s2d1/s2d2/f1";
    pub const dir_s2d3: &str = "tmp/s2d1/s2d2/s2d3";
    pub const file1_s2d3: &str = "tmp/s2d1/s2d2/s2d3/f1";
    pub const file2_s2d3: &str = "tmp/s2d1/s2d2/s2d3/f2";

    pub const dir_s3d1: &str = "tmp/s3d1";
    pub const file1_s3d1: &str = "tmp/s3d1/f1";
    /// A mount point (a tmpfs of its own).
    pub const dir_s3d2: &str = "tmp/s3d1/s3d2";
    pub const dir_s3d3: &str = "tmp/s3d1/s3d2/s3d3";
    pub const file1_s3d3: &str = "tmp/s3d1/s3d2/s3d3/f1";
    pub const dir_s3d4: &str = "tmp/s3d1/s3d2/s3d4";
    pub const file1_s3d4: &str = "tmp/s3d1/s3d2/s3d4/f1";
}
pub use layout1_paths::*;

/// Creates layout1 under [`TMP_DIR`] (C's `create_layout1()`), with a second tmpfs on
/// `dir_s3d2`; after [`prepare_layout`].
#[track_caller]
pub fn create_layout1() {
    create_file(file1_s1d1);
    create_file(file1_s1d2);
    create_file(file1_s1d3);
    create_file(file2_s1d1);
    create_file(file2_s1d2);
    create_file(file2_s1d3);

    create_file(file1_s2d1);
    create_file(file1_s2d2);
    create_file(file1_s2d3);
    create_file(file2_s2d3);

    create_file(file1_s3d1);
    create_directory(dir_s3d2);
    if let Err(err) = as_sys_admin(|| mount_opt(&MNT_TMP, dir_s3d2)) {
        check::fatal(format_args!(
            "Failed to mount a tmpfs on \"{dir_s3d2}\": {err}"
        ));
    }

    create_file(file1_s3d3);
    create_file(file1_s3d4);
}

/// Removes layout1 (C's `remove_layout1()`): every removal that fails marks the case failed
/// and the next one is tried; `dir_s3d2` is unmounted first if the caller sees the mount.
#[track_caller]
pub fn remove_layout1() {
    let loc = Location::caller();
    let expect_removed = |path: &str| {
        if let Err(err) = remove_path(path) {
            check::fail_at(
                loc.file(),
                loc.line(),
                format_args!("remove_path(\"{path}\") failed: {err}"),
            );
        }
    };
    expect_removed(file2_s1d3);
    expect_removed(file2_s1d2);
    expect_removed(file2_s1d1);
    expect_removed(file1_s1d3);
    expect_removed(file1_s1d2);
    expect_removed(file1_s1d1);
    expect_removed(dir_s1d3);

    expect_removed(file2_s2d3);
    expect_removed(file1_s2d3);
    expect_removed(file1_s2d2);
    expect_removed(file1_s2d1);
    expect_removed(dir_s2d2);

    expect_removed(file1_s3d1);
    expect_removed(file1_s3d3);
    expect_removed(file1_s3d4);
    let _ = as_sys_admin(|| umount(dir_s3d2));
    expect_removed(dir_s3d2);
}

// ---------------------------------------------------------------------------------------------
// Rulesets from path rules.
// ---------------------------------------------------------------------------------------------

/// One path rule (C's `struct rule`): allow `access` beneath `path`. A rule without access is
/// skipped by [`create_ruleset_with`], as in C.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule<'a> {
    /// The file or directory the rule is about.
    pub path: &'a str,
    /// The filesystem rights allowed beneath `path`.
    pub access: u64,
}

/// Allows `allowed_access` beneath `path` in `ruleset` (C's `add_path_beneath()`); fails the
/// case when `path` cannot be opened or the kernel rejects the rule.
#[track_caller]
pub fn add_path_beneath(ruleset: impl AsFd, allowed_access: u64, path: &str) {
    let parent = match open(path, O_PATH | O_CLOEXEC) {
        Ok(fd) => fd,
        Err(err) => check::fatal(format_args!("Failed to open directory \"{path}\": {err}")),
    };
    let attr = PathBeneathAttr {
        allowed_access,
        parent_fd: parent.as_raw_fd(),
    };
    if let Err(err) = add_rule(ruleset, &attr) {
        check::fatal(format_args!(
            "Failed to update the ruleset with \"{path}\": {err} \
             (allowed_access={allowed_access:#x})"
        ));
    }
}

/// A ruleset handling `handled_access_fs`, with one rule per entry of `rules` that has access
/// rights (C's `create_ruleset()`, named apart from the raw [`create_ruleset`]); fails the
/// case on any error. Unlike C's, an empty slice is fine: a ruleset that denies everything it
/// handles.
#[track_caller]
pub fn create_ruleset_with(handled_access_fs: u64, rules: &[Rule<'_>]) -> OwnedFd {
    let attr = RulesetAttr {
        handled_access_fs,
        ..RulesetAttr::default()
    };
    let ruleset = match create_ruleset(&attr) {
        Ok(fd) => fd,
        Err(err) => check::fatal(format_args!(
            "Failed to create a ruleset: {err} (handled_access_fs={handled_access_fs:#x})"
        )),
    };
    for rule in rules.iter().filter(|rule| rule.access != 0) {
        add_path_beneath(&ruleset, rule.access, rule.path);
    }
    ruleset
}

/// Creates a ruleset with [`create_ruleset_with`], restricts the calling thread with it
/// ([`enforce_ruleset`]) and closes it: what the C tests spell `create_ruleset()`,
/// `ASSERT_LE(0, ruleset_fd)`, `enforce_ruleset()`, `close()` (upstream later named it
/// `enforce_fs()`).
#[track_caller]
pub fn enforce_fs(handled_access_fs: u64, rules: &[Rule<'_>]) {
    let ruleset = create_ruleset_with(handled_access_fs, rules);
    enforce_ruleset(&ruleset);
}

/// The fd behind `/proc/self/fd/<fd>`, opened again with `flags` (C's `open_proc_fd()`).
pub fn open_proc_fd(fd: impl AsFd, flags: c_int) -> Result<OwnedFd, Errno> {
    open(&format!("/proc/self/fd/{}", fd.as_fd().as_raw_fd()), flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_access_masks() {
        if crate::abi::abi() < 1 {
            return;
        }
        let all = crate::abi::access_fs_all().bits();
        assert_eq!(access_fs_last() & all, access_fs_last());
        assert_eq!(all >> access_fs_last().trailing_zeros(), 1);
        assert_eq!(access_fs_file() & !all, 0);
        assert_ne!(access_fs_file() & LANDLOCK_ACCESS_FS_READ_FILE, 0);
        assert_eq!(access_fs_file() & LANDLOCK_ACCESS_FS_READ_DIR, 0);
    }

    #[test]
    fn filesystems() {
        assert!(supports_filesystem(None));
        assert!(supports_filesystem(Some("tmpfs")));
        assert!(!supports_filesystem(Some("no-such-fs")));
        assert!(cwd_matches_fs(0));
    }
}

/// The names of the filesystem suites: fs_test.c's helpers and layouts, and the syscalls its
/// cases call by name.
pub mod prelude {
    pub use super::layout1_paths::*;
    pub use super::{
        ACCESS_RO, ACCESS_RW, AT_FDCWD, CloneFlags, HOSTFS_SUPER_MAGIC, MNT_TMP, MNT_TMP_DATA,
        MntOpt, MsFlags, Rule, TMP_DIR, Whence, access_fs_file, access_fs_last, add_path_beneath,
        chdir, chroot, cleanup_layout, create_directory, create_file, create_layout1,
        create_ruleset_with, cwd_matches_fs, enforce_fs, ioctl_error, ioctl_int, link, linkat,
        lseek, memfd_create, mkdir, mkfifo, mknod, mount, mount_opt, move_mount, open,
        open_proc_fd, open_tree, pipe, pivot_root, prepare_layout, prepare_layout_opt, read,
        recv_fd, remove_layout1, remove_path, renameat2, require_access_fs, rmdir, send_fd,
        supports_filesystem, symlink, test_creat, test_exchange, test_exchangeat,
        test_fionread_ioctl, test_fs_ioc_getflags_ioctl, test_ftruncate, test_open, test_open_rel,
        test_rename, test_renameat, test_truncate, umount, unix_socketpair, unlink, unlinkat,
        unshare, write,
    };
}
