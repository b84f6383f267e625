//! The runner is a child subreaper: a process of a case whose parent died comes back to it
//! instead of to init, wherever it went (another process group, `setsid(2)`). Such an orphan
//! cannot say which case it came from, so it may belong to any case that had not ended when it
//! was found; it is killed once all of those have ended, and the run kills whatever is left
//! before it ends. No process of a case outlives the run.

use std::fs;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

/// Makes this process a child subreaper.
pub(crate) fn become_subreaper() {
    // SAFETY: PR_SET_CHILD_SUBREAPER takes integers only: no memory of ours is involved.
    unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
}

/// Orphans handed to the runner, each with the cases it may belong to (their indices).
#[derive(Default)]
pub(crate) struct Orphans {
    known: Vec<(Pid, Vec<usize>)>,
}

impl Orphans {
    /// Looks for new orphans among the runner's children (`own`: the children the runner
    /// started itself, case processes and group teardowns, which are not orphans; `unended`: the
    /// cases that may own a new one), then kills every orphan whose possible owners have all
    /// ended.
    pub(crate) fn update(&mut self, own: &[Pid], unended: &[usize]) {
        for pid in children() {
            if !own.contains(&pid) && !self.known.iter().any(|(known, _)| *known == pid) {
                self.known.push((pid, unended.to_vec()));
            }
        }
        for (pid, owners) in &mut self.known {
            owners.retain(|owner| unended.contains(owner));
            if owners.is_empty() {
                // A zombie or a dying process takes it as well; it stays known until reaped.
                let _ = kill(*pid, Signal::SIGKILL);
            }
        }
    }

    /// An orphan was reaped.
    pub(crate) fn reaped(&mut self, pid: Pid) {
        self.known.retain(|(known, _)| *known != pid);
    }

    /// At the end of the run: kills and reaps every child left, and what they leave to the
    /// runner in turn, until none is left. `Err` names what could not be reaped in time.
    pub(crate) fn end(&mut self) -> Result<(), String> {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            for pid in children() {
                let _ = kill(pid, Signal::SIGKILL);
            }
            match waitpid(None::<Pid>, Some(WaitPidFlag::WNOHANG)) {
                Err(Errno::ECHILD) => {
                    self.known.clear();
                    return Ok(());
                }
                Ok(WaitStatus::StillAlive) if Instant::now() >= until => {
                    return Err(format!(
                        "processes of the run's cases could not be reaped: {:?}",
                        children()
                    ));
                }
                Ok(WaitStatus::StillAlive) => std::thread::sleep(Duration::from_micros(200)),
                Ok(status) => {
                    if let Some(pid) = status.pid() {
                        self.reaped(pid);
                    }
                }
                Err(_) => {}
            }
        }
    }
}

/// The runner's live children (it is single-threaded: its one task's `children`), or, on a
/// kernel without `/proc/<pid>/task/<tid>/children`, from every process's parent in `/proc`.
fn children() -> Vec<Pid> {
    let me = std::process::id();
    if let Ok(list) = fs::read_to_string(format!("/proc/{me}/task/{me}/children")) {
        return list
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
            .map(Pid::from_raw)
            .collect();
    }
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| parent_of(*pid) == Some(me as i32))
        .map(Pid::from_raw)
        .collect()
}

/// The parent in `/proc/<pid>/stat`: the fourth field, after the name in parentheses.
fn parent_of(pid: i32) -> Option<i32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, after_name) = stat.rsplit_once(')')?;
    after_name.split_whitespace().nth(1)?.parse().ok()
}
