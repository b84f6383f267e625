//! Each case runs in a private, empty working directory of its own, so that cases running at
//! once never meet in the file system (fs_test.c builds its layout in `./tmp`). The case's
//! process creates it and, when it ends normally, removes it (work off the runner's serial
//! path); the runner then checks it is gone, and cleans up after a case that could not. What a
//! case leaves there is a failure: its teardown did not clean up.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The private working directory of one case.
pub(crate) struct WorkDir {
    path: PathBuf,
}

impl WorkDir {
    /// `base` is the temporary directory; the name is unique to the run and the case.
    pub(crate) fn new(base: &Path, index: usize) -> Self {
        let path = base.join(format!("landlock-test-{}-{index}", std::process::id()));
        WorkDir { path }
    }

    /// In the case's process: creates the directory and makes it the working directory.
    pub(crate) fn enter(&self) -> io::Result<()> {
        match fs::create_dir(&self.path) {
            // Left by a killed runner that had this pid: not ours to trust.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                fs::remove_dir_all(&self.path)?;
                fs::create_dir(&self.path)?;
            }
            result => result?,
        }
        std::env::set_current_dir(&self.path)
    }

    /// In the case's process, at its end: removes the directory if the case left it empty.
    pub(crate) fn leave(&self) {
        let _ = fs::remove_dir(&self.path);
    }

    /// In the runner, once every process of the case is gone: `Some(what)` when the case left
    /// something behind, which is then removed. Mounts left there are detached first, so that
    /// removing never reaches into a mounted directory.
    pub(crate) fn finish(self) -> Option<String> {
        match fs::remove_dir(&self.path) {
            Ok(()) => return None,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
            Err(_) => {}
        }
        let mounts = mounts_under(&self.path);
        for mount in &mounts {
            if let Err(e) = nix::mount::umount2(mount.as_path(), nix::mount::MntFlags::MNT_DETACH) {
                return Some(format!(
                    "left a mount on {} that could not be detached ({e}); {} is kept",
                    mount.display(),
                    self.path.display()
                ));
            }
        }
        let mut left: Vec<String> = match fs::read_dir(&self.path) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect(),
            Err(e) => vec![format!("(unreadable: {e})")],
        };
        left.sort();
        if !mounts.is_empty() {
            let mounts: Vec<String> = mounts.iter().map(|m| m.display().to_string()).collect();
            left.push(format!("mounts on {}", mounts.join(", ")));
        }
        let removed = fs::remove_dir_all(&self.path);
        match (left.is_empty(), removed) {
            (true, Ok(())) => None,
            (_, Err(e)) => Some(format!("{} could not be removed: {e}", self.path.display())),
            (false, Ok(())) => Some(format!(
                "left behind in its working directory: {}",
                left.join(", ")
            )),
        }
    }
}

/// Mount points at or below `dir` in this mount namespace, deepest first.
fn mounts_under(dir: &Path) -> Vec<PathBuf> {
    let Ok(info) = fs::read_to_string("/proc/self/mountinfo") else {
        return Vec::new();
    };
    let mut mounts: Vec<PathBuf> = info
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(|point| PathBuf::from(unescape_octal(point)))
        .filter(|point| point.starts_with(dir))
        .collect();
    mounts.sort_by_key(|m| std::cmp::Reverse(m.components().count()));
    mounts
}

/// mountinfo escapes space, tab, newline and backslash as `\ooo`.
fn unescape_octal(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut rest = field;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        match rest
            .get(i + 1..i + 4)
            .and_then(|o| u8::from_str_radix(o, 8).ok())
        {
            Some(byte) => {
                out.push(char::from(byte));
                rest = &rest[i + 4..];
            }
            None => {
                out.push('\\');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_escapes_are_undone() {
        assert_eq!(unescape_octal("/tmp/a\\040b"), "/tmp/a b");
        assert_eq!(unescape_octal("/plain"), "/plain");
        assert_eq!(unescape_octal("/odd\\x"), "/odd\\x");
    }
}
