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
    /// something behind, which is then removed.
    pub(crate) fn finish(self) -> Option<String> {
        match fs::remove_dir(&self.path) {
            Ok(()) => return None,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
            Err(_) => {}
        }
        let mut left: Vec<String> = match fs::read_dir(&self.path) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect(),
            Err(e) => vec![format!("(unreadable: {e})")],
        };
        left.sort();
        let removed = fs::remove_dir_all(&self.path);
        match (left.is_empty(), removed) {
            (true, Ok(())) => None,
            (_, Err(e)) => Some(format!(
                "{} could not be removed: {e} (a mount left behind?)",
                self.path.display()
            )),
            (false, Ok(())) => Some(format!(
                "left behind in its working directory: {}",
                left.join(", ")
            )),
        }
    }
}
