//! The harness's cost, as ratios measured in one run (not a timed test): per-case cost of the
//! runner against a bare fork+wait loop, wall time of N trivial cases against --test-threads,
//! and, when a built net suite is found, its wall time against the per-case floor of a net
//! test (fork + network namespace + `lo` up).
//!
//! `cargo bench -p harness-tests`; for the net suite, first `cargo test --release -p net-tests
//! --no-run` (or set NET_TEST_BIN to a net_test binary).

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use nix::sys::wait::waitpid;
use nix::unistd::{ForkResult, fork};

const TRIVIAL: &str = env!("CARGO_BIN_EXE_trivial");
const TRIVIAL_CASES: u32 = 200;
const ROUNDS: u32 = 7;
/// The C net suite (Linux v6.18's net_test.c, built with the kernel's selftests Makefile) takes
/// about 0.5 s for its 120 cases on this project's 2-core CI machine; measured outside this
/// repository, since its sources are not ours to build.
const C_MS_PER_CASE: f64 = 500.0 / 120.0;

/// Mean per-iteration time of `n` forks, each child running `child` then exiting.
fn fork_loop(n: u32, child: fn()) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        fork_and_wait(child);
    }
    start.elapsed() / n
}

/// Wall time of `n` forks run by `workers` processes at once (as the runner's
/// `--test-threads`), each child running `child` then exiting. Unlike `fork_loop`'s time divided
/// by `workers`, it counts what the kernel does for the children on the same CPUs meanwhile
/// (a network namespace is torn down by a kernel worker after its last process exited).
fn parallel_fork_loop(n: u32, workers: u32, child: fn()) -> Duration {
    let start = Instant::now();
    let pids: Vec<_> = (0..workers)
        .map(|w| {
            // SAFETY: this benchmark is single-threaded.
            match unsafe { fork() }.expect("fork") {
                ForkResult::Child => {
                    for _ in (w..n).step_by(workers as usize) {
                        fork_and_wait(child);
                    }
                    // SAFETY: as in `fork_and_wait`.
                    unsafe { libc::_exit(0) }
                }
                ForkResult::Parent { child } => child,
            }
        })
        .collect();
    for pid in pids {
        waitpid(pid, None).expect("waitpid");
    }
    start.elapsed()
}

fn fork_and_wait(child: fn()) {
    // SAFETY: this benchmark is single-threaded, and so are its worker processes.
    match unsafe { fork() }.expect("fork") {
        ForkResult::Child => {
            child();
            // SAFETY: _exit(2) takes an integer and never returns: the child leaves at once, as
            // the harness's processes do.
            unsafe { libc::_exit(0) }
        }
        ForkResult::Parent { child } => {
            waitpid(child, None).expect("waitpid");
        }
    }
}

fn netns_and_lo() {
    let unshared = nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET);
    assert!(unshared.is_ok(), "the floor needs root: {unshared:?}");
    let sock = nix::sys::socket::socket(
        nix::sys::socket::AddressFamily::Inet,
        nix::sys::socket::SockType::Datagram,
        nix::sys::socket::SockFlag::SOCK_CLOEXEC,
        None,
    )
    .expect("socket");
    // SAFETY: `ifreq` is plain data: all zeroes is valid.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in req.ifr_name.iter_mut().zip(b"lo\0") {
        *dst = *src as libc::c_char;
    }
    use std::os::fd::AsRawFd;
    // SAFETY: `req` is a valid `ifreq` with a NUL-terminated name; the kernel fills its flags.
    let got = unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFFLAGS, &mut req) };
    assert_eq!(0, got);
    // SAFETY: SIOCGIFFLAGS set the flags member of the union.
    unsafe { req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short };
    // SAFETY: `req` is a valid `ifreq`, only read by the kernel.
    let set = unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCSIFFLAGS, &req) };
    assert_eq!(0, set);
}

/// Best of `ROUNDS` wall times of `binary args`, which must succeed.
fn best_run(binary: &str, args: &[&str]) -> Duration {
    (0..ROUNDS).map(|_| timed_run(binary, args)).min().unwrap()
}

/// Wall time of `binary args`, which must succeed.
fn timed_run(binary: &str, args: &[&str]) -> Duration {
    let start = Instant::now();
    let out = Command::new(binary).args(args).output().expect("run");
    assert!(out.status.success(), "{binary} {args:?} failed");
    start.elapsed()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// How many cases `binary` lists for the filters `filters`.
fn listed(binary: &str, filters: &[&str]) -> usize {
    let listed = Command::new(binary)
        .args(["--list", "--format", "terse"])
        .args(filters)
        .output();
    listed.map_or(0, |o| o.stdout.iter().filter(|&&b| b == b'\n').count())
}

fn net_test_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("NET_TEST_BIN") {
        return Some(path.into());
    }
    let deps = std::env::current_exe().ok()?.parent()?.to_owned();
    std::fs::read_dir(deps)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.starts_with("net_test-") && p.extension().is_none()
        })
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
}

fn main() {
    // libtest's bench protocol passes --bench; this benchmark takes no options.
    let bare = fork_loop(2000, || {});
    let floor = fork_loop(500, netns_and_lo);
    println!(
        "bare fork+wait:                 {:7.3} ms per process",
        ms(bare)
    );
    println!(
        "fork + netns + lo up (ioctl):   {:7.3} ms per process",
        ms(floor)
    );

    for threads in ["1", "2"] {
        let wall = best_run(TRIVIAL, &["-q", "--test-threads", threads]);
        let per_case = wall / TRIVIAL_CASES;
        println!(
            "harness, {TRIVIAL_CASES} trivial cases, --test-threads {threads}: {:7.1} ms wall, \
             {:.3} ms per case = {:.1}x a bare fork+wait",
            ms(wall),
            ms(per_case),
            per_case.as_secs_f64() / bare.as_secs_f64()
        );
    }

    match net_test_binary() {
        Some(net) => {
            let net = net.to_string_lossy().into_owned();
            let cases = listed(&net, &[]);
            for threads in [1, 2] {
                let args = ["-q", "--test-threads", &threads.to_string()];
                // Suite and floor alternate, round by round, so that both meet the same
                // machine (a shared host's load comes and goes); each keeps its best round.
                let (mut wall, mut floor_wall) = (Duration::MAX, Duration::MAX);
                for _ in 0..ROUNDS {
                    wall = wall.min(timed_run(&net, &args));
                    floor_wall =
                        floor_wall.min(parallel_fork_loop(cases as u32, threads, netns_and_lo));
                }
                // On more threads, also the 1-thread floor divided among them: what perfect
                // scaling would give.
                let divided = match threads {
                    1 => String::new(),
                    _ => {
                        let ideal = floor * cases as u32 / threads;
                        format!(
                            ", the 1-thread floor divided by {threads} {:.1} ms (ratio {:.2})",
                            ms(ideal),
                            wall.as_secs_f64() / ideal.as_secs_f64()
                        )
                    }
                };
                let per_case = wall / cases.max(1) as u32;
                println!(
                    "net suite, {cases} cases, --test-threads {threads}: {:7.1} ms wall, {:.2} ms \
                     per case; floor on {threads} thread(s) {:.1} ms (ratio {:.2}){divided}; C \
                     suite: {C_MS_PER_CASE:.1} ms per case ({:.1}x ours)",
                    ms(wall),
                    ms(per_case),
                    ms(floor_wall),
                    wall.as_secs_f64() / floor_wall.as_secs_f64(),
                    C_MS_PER_CASE / ms(per_case)
                );
            }
            // The `exclusive = audit` cases run one after the other: their chain bounds the
            // suite's wall time from below, whatever the thread count.
            let audit_cases = listed(&net, &["audit."]);
            let chain = best_run(&net, &["-q", "audit."]);
            println!(
                "net suite, its {audit_cases} audit cases alone: {:7.1} ms wall, {:.2} ms per \
                 case = {:.1}x the floor",
                ms(chain),
                ms(chain / audit_cases.max(1) as u32),
                chain.as_secs_f64() / (floor * audit_cases.max(1) as u32).as_secs_f64()
            );
        }
        None => println!(
            "net suite: not built in this profile; run `cargo test --release -p net-tests \
             --no-run` first or set NET_TEST_BIN"
        ),
    }
}
