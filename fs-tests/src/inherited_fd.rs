use std::fs::File;
use std::os::fd::{FromRawFd, RawFd};

/// The inherited descriptor whose number is `arg`, as the helpers' callers pass pipe ends.
pub fn inherited_fd(arg: &str) -> Option<File> {
    let fd: RawFd = arg.parse().ok()?;
    if fd < 0 {
        return None;
    }
    // SAFETY: the caller passed this descriptor, open, for this process to own; nothing else
    // in this process uses it.
    Some(unsafe { File::from_raw_fd(fd) })
}
