//! A working tree per source and fragment: locked while in use, and patched with exactly one
//! patch set at a time, so that builds with other patches are incremental.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use nix::fcntl::{Flock, FlockArg};

use super::cache::Patch;

pub struct Tree {
    root: PathBuf,
    _lock: Flock<File>,
}

impl Tree {
    /// Takes `root` (created if needed) for this process, waiting for another build to end.
    pub fn lock(root: &Path) -> Result<Self, String> {
        fs::create_dir_all(root).map_err(|e| format!("creating {}: {e}", root.display()))?;
        let lock_path = root.join("lock");
        let file = File::create(&lock_path)
            .map_err(|e| format!("creating {}: {e}", lock_path.display()))?;
        let lock = match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(lock) => lock,
            Err((file, _)) => {
                eprintln!(
                    "build-kernel: waiting for another build in {}",
                    root.display()
                );
                Flock::lock(file, FlockArg::LockExclusive)
                    .map_err(|(_, e)| format!("locking {}: {e}", lock_path.display()))?
            }
        };
        Ok(Self {
            root: root.to_path_buf(),
            _lock: lock,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn linux(&self) -> PathBuf {
        self.root.join("linux")
    }

    fn applied(&self) -> PathBuf {
        self.root.join("applied")
    }

    fn extracted_marker(&self) -> PathBuf {
        self.root.join("extracted")
    }

    /// Whether the source was completely unpacked; a partial tree is unpacked again.
    pub fn is_extracted(&self) -> bool {
        self.extracted_marker().is_file()
    }

    pub fn mark_extracted(&self) -> Result<(), String> {
        fs::write(self.extracted_marker(), b"")
            .map_err(|e| format!("writing {}: {e}", self.extracted_marker().display()))
    }

    /// Reverts the patches applied last (kept in `applied/`), then applies `patches`, so that
    /// the tree holds exactly them. Patches already in place, in the same order, stay.
    pub fn swap_patches(&self, patches: &[Patch]) -> Result<(), String> {
        let applied_dir = self.applied();
        fs::create_dir_all(&applied_dir)
            .map_err(|e| format!("creating {}: {e}", applied_dir.display()))?;
        let mut applied: Vec<PathBuf> = fs::read_dir(&applied_dir)
            .map_err(|e| format!("reading {}: {e}", applied_dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        applied.sort();
        let mut same = 0;
        while same < applied.len()
            && same < patches.len()
            && fs::read(&applied[same]).ok().as_deref() == Some(&patches[same].contents[..])
        {
            same += 1;
        }
        for path in applied[same..].iter().rev() {
            eprintln!("build-kernel: reverting {}", path.display());
            self.patch(&fs::read(path).unwrap_or_default(), true)
                .map_err(|e| format!("{e}\nremove {} to start afresh", self.root.display()))?;
            fs::remove_file(path).map_err(|e| format!("removing {}: {e}", path.display()))?;
        }
        for (index, patch) in patches.iter().enumerate().skip(same) {
            eprintln!("build-kernel: applying {}", patch.name);
            self.patch(&patch.contents, false)
                .map_err(|e| format!("{}: {e}", patch.name))?;
            let copy = applied_dir.join(format!("{index:04}.patch"));
            fs::write(&copy, &patch.contents)
                .map_err(|e| format!("writing {}: {e}", copy.display()))?;
        }
        Ok(())
    }

    /// `patch -p1` (or `-R`) in the tree, after a dry run: a patch that does not apply whole
    /// leaves the tree untouched.
    fn patch(&self, contents: &[u8], reverse: bool) -> Result<(), String> {
        self.run_patch(contents, reverse, true)?;
        self.run_patch(contents, reverse, false)
    }

    /// One run of patch(1), the patch on standard input; `--force`: no questions, and no
    /// guessing that a patch is reversed.
    fn run_patch(&self, contents: &[u8], reverse: bool, dry_run: bool) -> Result<(), String> {
        let mut command = Command::new("patch");
        command
            .args([
                "-p1",
                "--force",
                "--no-backup-if-mismatch",
                "--reject-file=-",
            ])
            .current_dir(self.linux())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if reverse {
            command.arg("-R");
        }
        if dry_run {
            command.arg("--dry-run");
        }
        let mut child = command
            .spawn()
            .map_err(|e| format!("running patch (apt-get install patch): {e}"))?;
        child
            .stdin
            .take()
            .expect("piped")
            .write_all(contents)
            .map_err(|e| format!("writing to patch: {e}"))?;
        let output = child
            .wait_with_output()
            .map_err(|e| format!("waiting for patch: {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "patch -p1{} failed:\n{}{}",
                if reverse { " -R" } else { "" },
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }
}
