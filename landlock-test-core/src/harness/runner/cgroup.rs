//! A cgroup v2 per case, where the runner may create them (root, or a delegated subtree): when
//! the case ends, `cgroup.kill` ends every process it started, also those that left its process
//! group (`setpgid(2)`, `setsid(2)`), at once and without a trace of them in the process tree.
//!
//! The cgroups carry no controller: they only group processes, so they can sit below the
//! runner's own cgroup whatever that one holds.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// Set to `0` to run the cases without cgroups (to see the guarantees without them).
pub const CGROUPS_ENV: &str = "LANDLOCK_TEST_CGROUPS";

/// The run's cgroup, holding one cgroup per case.
pub(crate) struct RunCgroup {
    path: PathBuf,
}

impl RunCgroup {
    /// Creates the run's cgroup below the runner's own; `Err` says why cases run without one.
    pub(crate) fn create() -> Result<Self, String> {
        if std::env::var(CGROUPS_ENV).is_ok_and(|v| v == "0") {
            return Err(format!("{CGROUPS_ENV}=0"));
        }
        let own = own_cgroup_dir()?;
        let path = own.join(format!("landlock-test-{}", std::process::id()));
        match fs::create_dir(&path) {
            Ok(()) => {}
            // Left by a killed runner that had this pid: empty cgroups are removed like
            // directories; one still holding processes is not ours to reuse.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                remove_tree(&path);
                fs::create_dir(&path).map_err(|e| cannot(&path, e))?;
            }
            Err(e) => return Err(cannot(&path, e)),
        }
        Ok(RunCgroup { path })
    }

    /// The cgroup of case `index`, created empty.
    pub(crate) fn case(&self, index: usize) -> io::Result<CaseCgroup> {
        let path = self.path.join(format!("case-{index}"));
        fs::create_dir(&path)?;
        Ok(CaseCgroup { path })
    }

    /// At the end of the run, once every case cgroup is gone.
    pub(crate) fn remove(self) {
        remove_tree(&self.path);
    }
}

/// The cgroup of one case.
pub(crate) struct CaseCgroup {
    path: PathBuf,
}

impl CaseCgroup {
    /// In the case's process, before it runs anything: moves it into the cgroup.
    pub(crate) fn join(&self) -> io::Result<()> {
        fs::write(self.path.join("cgroup.procs"), b"0")
    }

    /// Kills every process in the cgroup (`cgroup.kill`, Linux 5.14; before that, each process
    /// listed, until none is left).
    pub(crate) fn kill(&self) {
        match fs::write(self.path.join("cgroup.kill"), b"1") {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                for _ in 0..100 {
                    let pids =
                        fs::read_to_string(self.path.join("cgroup.procs")).unwrap_or_default();
                    if pids.trim().is_empty() {
                        break;
                    }
                    for pid in pids.split_whitespace().filter_map(|p| p.parse().ok()) {
                        let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
                    }
                }
            }
            _ => {}
        }
    }

    /// Removes the cgroup: `false` while killed processes are still leaving it.
    pub(crate) fn remove(&self) -> bool {
        match fs::remove_dir(&self.path) {
            Ok(()) => true,
            Err(e) => e.kind() == io::ErrorKind::NotFound,
        }
    }
}

/// `path` and the cgroups below it, deepest first; what is still busy stays.
fn remove_tree(path: &Path) {
    if let Ok(entries) = fs::read_dir(path) {
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                remove_tree(&entry.path());
            }
        }
    }
    let _ = fs::remove_dir(path);
}

fn cannot(path: &Path, e: io::Error) -> String {
    format!("cannot create {}: {e}", path.display())
}

/// The directory of the runner's cgroup v2: its path in `/proc/self/cgroup` (`0::/path`), below
/// where cgroup2 is mounted.
fn own_cgroup_dir() -> Result<PathBuf, String> {
    let cgroups = fs::read_to_string("/proc/self/cgroup").map_err(|e| format!("{e}"))?;
    let own = cgroups
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .ok_or("no cgroup v2 hierarchy")?;
    let mount = crate::harness::mountinfo::mounts()
        .into_iter()
        .find(|m| m.fstype == "cgroup2")
        .ok_or("cgroup2 is not mounted")?;
    let relative = Path::new(own)
        .strip_prefix(&mount.root)
        .map_err(|_| format!("the runner's cgroup {own} is outside the cgroup2 mount"))?;
    Ok(mount.point.join(relative))
}
