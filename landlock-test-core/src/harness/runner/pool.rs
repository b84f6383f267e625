//! Case processes running at once. The runner is single-threaded: parallelism comes from
//! several case processes, never from threads around `fork`. One `poll` loop reads every
//! case's output pipe, learns of exits through pidfds and enforces the timeouts.

use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, close, dup2_stderr, dup2_stdout, fork, pipe2, read};

use super::cgroup::{CaseCgroup, RunCgroup};
use super::orphans::{Orphans, become_subreaper};
use super::verdict::Ending;
use crate::harness::case::run::case_main;
use crate::harness::registry::{self, Case};
use crate::harness::shared::{Shared, SharedMap};
use crate::harness::sys::{flush_std, pidfd_open};
use crate::harness::workdir::{RunDir, WorkDir};

/// How long the output of a case that ended may still arrive (from a descendant that left the
/// process group, until it is killed) before the case is reported without it.
const OUTPUT_GRACE: Duration = Duration::from_millis(500);

/// A case that ended: what the report needs.
pub(crate) struct Finished<'a> {
    pub index: usize,
    pub ending: Ending,
    pub output: Vec<u8>,
    pub duration: Duration,
    pub shared: &'a Shared,
    /// What the case left in its working directory, if anything.
    pub leftovers: Option<String>,
}

struct Running {
    index: usize,
    case: Case,
    pid: Pid,
    pidfd: Option<OwnedFd>,
    output: Option<OwnedFd>,
    buffer: Vec<u8>,
    shared: SharedMap,
    workdir: WorkDir,
    cgroup: Option<CaseCgroup>,
    started: Instant,
    deadline: Instant,
    timed_out: bool,
    ended: Option<(Ending, Instant)>,
}

impl Running {
    fn ending(&self) -> Option<Ending> {
        self.ended.map(|(ending, _)| match ending {
            _ if self.timed_out => Ending::TimedOut(self.case.timeout()),
            ending => ending,
        })
    }

    fn done(&self, now: Instant) -> bool {
        match self.ended {
            Some((_, at)) => self.output.is_none() || now >= at + OUTPUT_GRACE,
            None => false,
        }
    }

    /// Kills every process left in the case's process group, and in its cgroup if it has one.
    fn kill_group(&self) {
        let _ = kill(Pid::from_raw(-self.pid.as_raw()), Signal::SIGKILL);
        if let Some(cgroup) = &self.cgroup {
            cgroup.kill();
        }
    }
}

/// The teardowns of exclusive groups ([`GroupTeardown`](crate::harness::registry::GroupTeardown)):
/// how many cases of each group are still to end, and the teardown processes running.
#[derive(Default)]
struct GroupTeardowns {
    remaining: Vec<(&'static str, usize)>,
    running: Vec<(&'static str, Pid)>,
    failed: Vec<String>,
}

impl GroupTeardowns {
    fn count(&mut self, cases: &[Case]) {
        for group in cases.iter().filter_map(|c| c.test.options.exclusive) {
            match self.remaining.iter_mut().find(|(g, _)| *g == group) {
                Some((_, n)) => *n += 1,
                None => self.remaining.push((group, 1)),
            }
        }
    }

    /// A case of `group` ended: after the last one, its teardowns start.
    fn case_ended(&mut self, group: &'static str) {
        let Some(at) = self.remaining.iter().position(|(g, _)| *g == group) else {
            return;
        };
        self.remaining[at].1 -= 1;
        if self.remaining[at].1 == 0 {
            self.remaining.swap_remove(at);
            self.start(group);
        }
    }

    fn start(&mut self, group: &'static str) {
        if registry::group_teardowns(group).next().is_none() {
            return;
        }
        flush_std();
        // SAFETY: the runner is single-threaded (harness = false main, no threads spawned).
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                let mut code = 0;
                for teardown in registry::group_teardowns(group) {
                    if let Err(message) = (teardown.run)() {
                        eprintln!("error: the teardown of the {group} group: {message}");
                        code = 1;
                    }
                }
                flush_std();
                // SAFETY: _exit(2) takes an integer and never returns; it ends the teardown
                // process without the runner's exit handlers.
                unsafe { libc::_exit(code) }
            }
            Ok(ForkResult::Parent { child }) => self.running.push((group, child)),
            Err(e) => self.failed.push(format!(
                "the teardown of the {group} group did not start: {e}"
            )),
        }
    }

    /// Whether `pid` was a teardown process, now reaped with `status`.
    fn reaped(&mut self, pid: Pid, status: WaitStatus) -> bool {
        let Some(at) = self.running.iter().position(|(_, p)| *p == pid) else {
            return false;
        };
        let (group, _) = self.running.swap_remove(at);
        if !matches!(status, WaitStatus::Exited(_, 0)) {
            self.failed.push(format!(
                "the teardown of the {group} group failed: {status:?}"
            ));
        }
        true
    }

    /// At the end of the run: the groups whose cases did not all end (a runner error) are torn
    /// down too, and every teardown is waited for.
    fn end(&mut self) -> Result<(), String> {
        for (group, _) in std::mem::take(&mut self.remaining) {
            self.start(group);
        }
        while let Some(&(_, pid)) = self.running.first() {
            match waitpid(pid, None) {
                Ok(status) => {
                    self.reaped(pid, status);
                }
                Err(e) => {
                    self.running.remove(0);
                    self.failed
                        .push(format!("waiting for a group teardown: {e}"));
                }
            }
        }
        match self.failed.is_empty() {
            true => Ok(()),
            false => Err(self.failed.join("; ")),
        }
    }
}

pub(crate) struct Pool {
    threads: usize,
    /// Where the cases' working directories go.
    run_dir: RunDir,
    /// The cases' cgroups, or why there are none.
    cgroups: Result<RunCgroup, String>,
    orphans: Orphans,
    capture: bool,
    running: Vec<Running>,
    teardowns: GroupTeardowns,
}

impl Pool {
    /// `own_mount_namespace`: whether the runner has a mount namespace of its own, for a tmpfs
    /// of the cases' working directories.
    pub(crate) fn new(
        threads: usize,
        capture: bool,
        own_mount_namespace: bool,
    ) -> std::io::Result<Self> {
        become_subreaper();
        Ok(Pool {
            threads: threads.max(1),
            run_dir: RunDir::create(own_mount_namespace)?,
            cgroups: RunCgroup::create(),
            orphans: Orphans::default(),
            capture,
            running: Vec::new(),
            teardowns: GroupTeardowns::default(),
        })
    }

    /// One line for the run's header: what ends the processes of a case.
    pub(crate) fn describe(&self) -> String {
        match &self.cgroups {
            Ok(_) => "processes: each case in a cgroup of its own, killed when the case ends \
                      (nothing it started outlives it)"
                .to_owned(),
            Err(why) => format!(
                "processes: each case's process group is killed when the case ends, and what \
                 leaves it once the cases it may belong to have ended (no cgroup per case: \
                 {why})"
            ),
        }
    }

    /// Runs every case, calling `on_finished` as each one ends (in completion order).
    pub(crate) fn run(
        &mut self,
        cases: &[Case],
        mut on_finished: impl FnMut(Finished<'_>),
    ) -> std::io::Result<()> {
        self.teardowns.count(cases);
        let mut pending: Vec<(usize, Case)> = cases.iter().copied().enumerate().collect();
        while !pending.is_empty() || !self.running.is_empty() {
            while self.running.len() < self.threads {
                let Some(next) = self.next_case(&pending) else {
                    break;
                };
                let (index, case) = pending.remove(next);
                match self.spawn(index, case) {
                    Ok(running) => self.running.push(running),
                    Err(e) => {
                        self.abandon();
                        return Err(e);
                    }
                }
            }
            if let Err(e) = self.wait_for_events() {
                self.abandon();
                return Err(e);
            }
            let now = Instant::now();
            let mut i = 0;
            while i < self.running.len() {
                if self.running[i].done(now) {
                    let r = self.running.swap_remove(i);
                    let ending = r.ending().expect("a done case has ended");
                    let duration = r.started.elapsed();
                    if let (Some(cgroup), Ok(run)) = (r.cgroup, &mut self.cgroups) {
                        run.give_back(cgroup);
                    }
                    if let Some(group) = r.case.test.options.exclusive {
                        self.teardowns.case_ended(group);
                    }
                    on_finished(Finished {
                        index: r.index,
                        ending,
                        output: r.buffer,
                        duration,
                        shared: r.shared.get(),
                        leftovers: r.workdir.finish(),
                    });
                } else {
                    i += 1;
                }
            }
        }
        self.end()
    }

    /// Which pending case to start: first one of an exclusive group that is idle (a group's
    /// cases run one after the other, so the chain starts as early as it can), else the first
    /// without a group; `None` while only busy groups' cases are left.
    fn next_case(&self, pending: &[(usize, Case)]) -> Option<usize> {
        let busy = |group| {
            self.running
                .iter()
                .any(|r| r.case.test.options.exclusive == Some(group))
        };
        let exclusive = |(_, case): &(usize, Case)| case.test.options.exclusive;
        pending
            .iter()
            .position(|c| exclusive(c).is_some_and(|group| !busy(group)))
            .or_else(|| pending.iter().position(|c| exclusive(c).is_none()))
    }

    fn spawn(&mut self, index: usize, case: Case) -> std::io::Result<Running> {
        // A fresh result for every case: a process that escaped an earlier case's group can
        // never touch a later case's result.
        let shared = SharedMap::new()?;
        let workdir = WorkDir::new(self.run_dir.path(), index);
        let cgroup = match &mut self.cgroups {
            Ok(run) => Some(run.take()?),
            Err(_) => None,
        };
        let (read_end, write_end) = pipe2(OFlag::O_CLOEXEC)?;
        let shared_ref: &'static Shared = shared.get();
        flush_std();
        let forked = match (&cgroup, &mut self.cgroups) {
            // SAFETY: the runner is single-threaded (harness = false main, no threads spawned),
            // and nothing in a case reaches its main thread through glibc's cached TID.
            (Some(cgroup), Ok(run)) => unsafe { run.fork_into(cgroup) },
            // SAFETY: the runner is single-threaded (harness = false main, no threads spawned).
            _ => unsafe { fork() },
        };
        match forked? {
            ForkResult::Child => {
                // The runner's cgroup files are not the case's business.
                drop(cgroup);
                drop(std::mem::replace(&mut self.cgroups, Err(String::new())));
                self.close_inherited();
                drop(read_end);
                if self.capture {
                    let _ = dup2_stdout(&write_end);
                    let _ = dup2_stderr(&write_end);
                }
                drop(write_end);
                case_main(case, shared_ref, &workdir)
            }
            ForkResult::Parent { child } => {
                // Also set here, so that a kill right after fork reaches the whole group.
                // SAFETY: setpgid(2) takes integers only: no memory of ours is involved. Its
                // failure only means the child already did it or died.
                unsafe { libc::setpgid(child.as_raw(), child.as_raw()) };
                drop(write_end);
                let started = Instant::now();
                Ok(Running {
                    index,
                    case,
                    pid: child,
                    pidfd: pidfd_open(child),
                    output: Some(read_end),
                    buffer: Vec::new(),
                    shared,
                    workdir,
                    cgroup,
                    started,
                    deadline: started + case.timeout(),
                    timed_out: false,
                    ended: None,
                })
            }
        }
    }

    /// In a new case process: the runner's descriptors of other cases are not its business.
    fn close_inherited(&mut self) {
        for r in self.running.drain(..) {
            for fd in [r.pidfd, r.output].into_iter().flatten() {
                let _ = close(fd);
            }
        }
    }

    fn wait_for_events(&mut self) -> std::io::Result<()> {
        let now = Instant::now();
        let wake_at = self
            .running
            .iter()
            .map(|r| match r.ended {
                Some((_, at)) => at + OUTPUT_GRACE,
                None => r.deadline,
            })
            .min();
        let mut timeout = wake_at.map_or(Duration::ZERO, |at| at.saturating_duration_since(now));
        if self.cgroups.as_ref().is_ok_and(RunCgroup::has_dying) {
            // Killed processes leave their cgroup within a scheduling round or two.
            timeout = timeout.min(Duration::from_millis(1));
        }
        if self.running.iter().any(|r| r.pidfd.is_none()) {
            // Without pidfds (Linux < 5.3) exits are noticed by polling waitpid.
            timeout = timeout.min(Duration::from_millis(5));
        }
        let timeout = PollTimeout::try_from(timeout.as_millis().min(60_000) as i32 + 1)
            .unwrap_or(PollTimeout::MAX);

        // Which running case and which of its descriptors each poll entry stands for.
        let mut owners: Vec<(usize, bool)> = Vec::new();
        let mut fds: Vec<PollFd<'_>> = Vec::new();
        for (i, r) in self.running.iter().enumerate() {
            if let Some(output) = &r.output {
                fds.push(PollFd::new(output.as_fd(), PollFlags::POLLIN));
                owners.push((i, true));
            }
            if r.ended.is_none()
                && let Some(pidfd) = &r.pidfd
            {
                fds.push(PollFd::new(pidfd.as_fd(), PollFlags::POLLIN));
                owners.push((i, false));
            }
        }
        match poll(&mut fds, timeout) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => return Err(e.into()),
        }
        let ready: Vec<(usize, bool)> = fds
            .iter()
            .zip(&owners)
            .filter(|(fd, _)| fd.revents().is_some_and(|e| !e.is_empty()))
            .map(|(_, &owner)| owner)
            .collect();
        drop(fds);

        for (i, is_output) in ready {
            let r = &mut self.running[i];
            if is_output {
                drain(r);
            } else {
                // Kill the rest of the group while the case's zombie still holds its pgid.
                r.kill_group();
            }
        }
        self.reap();
        let now = Instant::now();
        for r in &mut self.running {
            if r.ended.is_none() && now >= r.deadline && !r.timed_out {
                r.timed_out = true;
                r.kill_group();
            }
        }
        Ok(())
    }

    /// On a runner error: no case may outlive the run.
    fn abandon(&mut self) {
        for r in self.running.drain(..) {
            r.kill_group();
            if let (Some(cgroup), Ok(run)) = (r.cgroup, &mut self.cgroups) {
                run.give_back(cgroup);
            }
        }
        let _ = self.end();
    }

    /// The end of the run: no process of any case is left, nor any cgroup.
    fn end(&mut self) -> std::io::Result<()> {
        let teardowns = self.teardowns.end();
        let orphans = self.orphans.end();
        if let Ok(run) = std::mem::replace(&mut self.cgroups, Err(String::new())) {
            run.remove();
        }
        teardowns.and(orphans).map_err(std::io::Error::other)
    }

    /// Collects every exited child: the cases' own processes and orphans handed to us; then
    /// deals with the orphans.
    fn reap(&mut self) {
        let mut reaped = false;
        loop {
            match waitpid(None::<Pid>, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) | Err(_) => break,
                Ok(status) => {
                    let Some(pid) = status.pid() else { continue };
                    reaped = true;
                    match self.running.iter_mut().find(|r| r.pid == pid) {
                        Some(r) => {
                            if let Some(ending) = Ending::from_wait(status) {
                                r.ended = Some((ending, Instant::now()));
                                // The case may have ended after the last poll: its group is
                                // killed here in any case (members keep the pgid from being
                                // reused).
                                r.kill_group();
                            }
                        }
                        None if self.teardowns.reaped(pid, status) => {}
                        None => self.orphans.reaped(pid),
                    }
                }
            }
        }
        // A process ended: its children, if any, are now the runner's.
        if reaped {
            // The runner's own children: the case processes and the group teardowns.
            let own: Vec<Pid> = (self.running.iter().map(|r| r.pid))
                .chain(self.teardowns.running.iter().map(|&(_, pid)| pid))
                .collect();
            let unended: Vec<usize> = self
                .running
                .iter()
                .filter(|r| r.ended.is_none())
                .map(|r| r.index)
                .collect();
            self.orphans.update(&own, &unended);
        }
        if let Ok(run) = &mut self.cgroups {
            run.tidy();
        }
    }
}

/// Reads what is in the pipe now; closes it at end of file.
fn drain(r: &mut Running) {
    let Some(fd) = &r.output else { return };
    let mut chunk = [0u8; 16384];
    match read(fd, &mut chunk) {
        Ok(0) => r.output = None,
        Ok(n) => r.buffer.extend_from_slice(&chunk[..n]),
        Err(Errno::EINTR | Errno::EAGAIN) => {}
        Err(_) => r.output = None,
    }
}
