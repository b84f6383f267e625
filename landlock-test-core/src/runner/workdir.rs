//! Each case runs in a private, empty working directory of its own, so that cases running at
//! once never meet in the file system (fs_test.c builds its layout in `./tmp`), and removed
//! when the case ended. What a case leaves there is a failure: its teardown did not clean up.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The private working directory of one case.
pub(crate) struct WorkDir {
    path: PathBuf,
}

impl WorkDir {
    pub(crate) fn create(index: usize) -> io::Result<Self> {
        let path =
            std::env::temp_dir().join(format!("landlock-test-{}-{index}", std::process::id()));
        // A directory left by a runner that was killed with this pid: not ours to trust.
        if path.exists() {
            fs::remove_dir_all(&path)?;
        }
        fs::create_dir(&path)?;
        Ok(WorkDir { path })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the directory; `Some(what)` when the case left something behind.
    pub(crate) fn finish(self) -> Option<String> {
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
