//! A cgroup v2 per case, where the runner may create them (root, or a delegated subtree): when
//! the case ends, `cgroup.kill` ends every process it started, also those that left its process
//! group (`setpgid(2)`, `setsid(2)`), at once and without a trace of them in the process tree.
//!
//! The cgroups carry no controller: they only group processes, so they can sit below the
//! runner's own cgroup whatever that one holds.

use std::cell::Cell;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::sys::signal::{Signal, kill};
use nix::unistd::{ForkResult, Pid, fork};

use crate::harness::sys::fork_into_cgroup;

/// Set to `0` to run the cases without cgroups (to see the guarantees without them).
pub const CGROUPS_ENV: &str = "LANDLOCK_TEST_CGROUPS";

/// The run's cgroup, holding the cases' cgroups. A case's cgroup is used again when the case
/// left nothing to kill in it: creating a cgroup and opening its files costs more than the rest
/// of a short case. A cgroup that was killed is removed once empty, never used again: some
/// kernels (seen on 6.18) kill every child later started in it by `CLONE_INTO_CGROUP`, since
/// they compare its kill count with the parent's cgroup's.
pub(crate) struct RunCgroup {
    path: PathBuf,
    /// Empty cgroups, ready for a case.
    free: Vec<CaseCgroup>,
    /// Cgroups that were killed, to remove once their processes have left.
    dying: Vec<CaseCgroup>,
    created: usize,
    /// Whether the kernel starts a child in a cgroup (`CLONE_INTO_CGROUP`, Linux 5.7), until
    /// it says otherwise.
    clone_into: bool,
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
        Ok(RunCgroup {
            path,
            free: Vec::new(),
            dying: Vec::new(),
            created: 0,
            clone_into: true,
        })
    }

    /// Forks a case's process into `cgroup`: born there where the kernel can, else moved there
    /// by the child before it returns (where a failure ends it with status 1).
    ///
    /// # Safety
    ///
    /// As for [`fork_into_cgroup`]: the runner is single-threaded, and case processes do not
    /// rely on glibc's cached TID of their main thread.
    pub(crate) unsafe fn fork_into(&mut self, cgroup: &CaseCgroup) -> nix::Result<ForkResult> {
        if self.clone_into {
            // SAFETY: the caller's.
            match unsafe { fork_into_cgroup(cgroup.dir.as_fd()) } {
                // No clone3 (before 5.3), or one without CLONE_INTO_CGROUP (5.3 to 5.6).
                Err(Errno::ENOSYS | Errno::E2BIG | Errno::EINVAL) => self.clone_into = false,
                forked => return forked,
            }
        }
        // SAFETY: the caller's: the runner is single-threaded.
        let forked = unsafe { fork() }?;
        if let ForkResult::Child = forked
            && let Err(e) = (&cgroup.procs).write_all(b"0")
        {
            eprintln!("the case could not join its cgroup: {e}");
            // SAFETY: _exit(2) takes an integer and never returns; it ends the case process
            // before it ran anything, without the runner's exit handlers.
            unsafe { libc::_exit(1) }
        }
        Ok(forked)
    }

    /// An empty cgroup for a case.
    pub(crate) fn take(&mut self) -> io::Result<CaseCgroup> {
        if let Some(cgroup) = self.free.pop() {
            return Ok(cgroup);
        }
        self.created += 1;
        CaseCgroup::create(self.path.join(format!("case-{}", self.created)))
    }

    /// The cgroup of a case that ended (and whose processes were killed, if any were left).
    pub(crate) fn give_back(&mut self, cgroup: CaseCgroup) {
        if cgroup.killed.get() {
            self.dying.push(cgroup);
        } else {
            self.free.push(cgroup);
        }
    }

    /// Killed processes leave their cgroup within a scheduling round or two: whether some
    /// have not yet.
    pub(crate) fn has_dying(&self) -> bool {
        !self.dying.is_empty()
    }

    /// Removes the killed cgroups that emptied (the runner calls it after every reap).
    pub(crate) fn tidy(&mut self) {
        self.dying.retain(|cgroup| {
            let empty = cgroup.is_empty();
            if empty {
                let _ = fs::remove_dir(&cgroup.path);
            }
            !empty
        });
    }

    /// At the end of the run: waits a little for the last killed processes to leave, then
    /// removes every cgroup.
    pub(crate) fn remove(mut self) {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(2);
        while self.has_dying() && std::time::Instant::now() < until {
            std::thread::sleep(std::time::Duration::from_micros(200));
            self.tidy();
        }
        drop(self.free);
        drop(self.dying);
        remove_tree(&self.path);
    }
}

/// The cgroup of one case, with its directory and the files the runner and the case write,
/// open.
pub(crate) struct CaseCgroup {
    dir: File,
    procs: File,
    /// `None` before Linux 5.14.
    kill: Option<File>,
    events: File,
    path: PathBuf,
    /// Whether [`kill`](Self::kill) found processes to kill in it.
    killed: Cell<bool>,
}

impl CaseCgroup {
    fn create(path: PathBuf) -> io::Result<Self> {
        fs::create_dir(&path)?;
        let write = |name: &str| OpenOptions::new().write(true).open(path.join(name));
        Ok(CaseCgroup {
            dir: OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_DIRECTORY)
                .open(&path)?,
            procs: write("cgroup.procs")?,
            kill: write("cgroup.kill").ok(),
            events: File::open(path.join("cgroup.events"))?,
            path,
            killed: Cell::new(false),
        })
    }

    /// Kills every process in the cgroup (`cgroup.kill`, Linux 5.14; before that, each process
    /// listed, until none is left).
    pub(crate) fn kill(&self) {
        // An empty cgroup stays empty: only the runner starts processes in it.
        if self.is_empty() {
            return;
        }
        self.killed.set(true);
        if let Some(mut kill_file) = self.kill.as_ref() {
            let _ = kill_file.write_all(b"1");
            return;
        }
        for _ in 0..100 {
            let pids = fs::read_to_string(self.path.join("cgroup.procs")).unwrap_or_default();
            if pids.trim().is_empty() {
                break;
            }
            for pid in pids.split_whitespace().filter_map(|p| p.parse().ok()) {
                let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
            }
        }
    }

    /// No process is left in it (`cgroup.events`: `populated 0`).
    fn is_empty(&self) -> bool {
        let mut events = [0u8; 64];
        let n = self.events.read_at(&mut events, 0).unwrap_or(0);
        events[..n].starts_with(b"populated 0")
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
