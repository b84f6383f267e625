//! Each case runs in a private, empty working directory of its own, so that cases running at
//! once never meet in the file system (fs_test.c builds its layout in `./tmp`). The case's
//! process creates it and, when it ends normally, removes it (work off the runner's serial
//! path); the runner then checks it is gone, and cleans up after a case that could not. What a
//! case leaves there is a failure: its teardown did not clean up.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The run's directory of working directories: made fresh by `mkdtemp(3)` in the temporary
/// directory, owned by the runner and closed to others, so that no other user can plant a
/// name in it (a fixed name in a world-writable directory could be a symlink). In a mount
/// namespace of the runner's own, a tmpfs is mounted on it: a directory costs less to make and
/// remove there than on a journaled file system, and the tmpfs ends with the namespace.
pub(crate) struct RunDir {
    path: PathBuf,
    tmpfs: bool,
}

impl RunDir {
    pub(crate) fn create(own_mount_namespace: bool) -> io::Result<Self> {
        let template = std::env::temp_dir().join("landlock-test-XXXXXX");
        let path = nix::unistd::mkdtemp(&template)?;
        let tmpfs = own_mount_namespace
            && nix::mount::mount(
                Some("landlock-test"),
                &path,
                Some("tmpfs"),
                nix::mount::MsFlags::MS_NOSUID | nix::mount::MsFlags::MS_NODEV,
                Some("mode=0700"),
            )
            .is_ok();
        Ok(RunDir { path, tmpfs })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for RunDir {
    /// Empty by then: each case's directory was removed when the case was reported.
    fn drop(&mut self) {
        if self.tmpfs {
            let _ = nix::mount::umount2(&self.path, nix::mount::MntFlags::MNT_DETACH);
        }
        let _ = fs::remove_dir(&self.path);
    }
}

/// The private working directory of one case.
pub(crate) struct WorkDir {
    path: PathBuf,
}

impl WorkDir {
    /// `run_dir` is the run's private directory ([`RunDir`]).
    pub(crate) fn new(run_dir: &Path, index: usize) -> Self {
        let path = run_dir.join(format!("case-{index}"));
        WorkDir { path }
    }

    /// In the case's process: creates the directory and makes it the working directory.
    pub(crate) fn enter(&self) -> io::Result<()> {
        fs::create_dir(&self.path)?;
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
    let mut mounts: Vec<PathBuf> = crate::harness::mountinfo::mounts()
        .into_iter()
        .map(|mount| mount.point)
        .filter(|point| point.starts_with(dir))
        .collect();
    mounts.sort_by_key(|m| std::cmp::Reverse(m.components().count()));
    mounts
}
