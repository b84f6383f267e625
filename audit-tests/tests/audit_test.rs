//! Landlock tests - Audit: tools/testing/selftests/landlock/audit_test.c (Linux 6.18.y, the
//! stable tree's copy, which adds `audit.log_subdomains_off_fork` and matches deallocation
//! records by domain ID). Fixtures, variants and tests keep the C names, order and checks.
//!
//! Where it differs from C, because of how `landlock_test_core::audit` reads records (its
//! module doc says why):
//! - The filter keeps the records of the case's whole process tree (its login uid) where C
//!   keeps those of its executable; `audit_exec` too, where C keeps those of
//!   `wait-pipe-sandbox` only: the case's own process logs no Landlock record there.
//! - Records are read up to a sentinel (`match_past_record`, `count_records`), where C reads
//!   until none came for a microsecond: a record that is not there is known not to come.
//!   Deallocation records, logged later by a kernel worker, are waited for up to one second,
//!   as C does (`find_record`).
//! - `ocomm` and `comm` are the processes' own: cargo names the test binary
//!   `audit_test-<hash>`, where C's records say `audit_test`. The helper program is the
//!   `wait-pipe-sandbox` binary of this crate.
//! - C's raw forks are `fork_child`s: a failed check in the child counts for the case, as C's
//!   `_exit(_metadata->exit_code)` makes it.

use std::ffi::{CStr, CString};
use std::mem::size_of;
use std::num::NonZeroUsize;
use std::os::fd::{AsRawFd, OwnedFd};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

use landlock_test_core::audit::prelude::*;
use landlock_test_core::prelude::*;
use landlock_test_core::process::prelude::*;
use landlock_test_core::thread::spawn_thread;
use landlock_test_core::{assert_eq, assert_ok};
use nix::fcntl::OFlag;
use nix::sys::mman::{MapFlags, ProtFlags, mmap_anonymous, munmap};
use nix::sys::signal::kill;
use nix::unistd::{execve, getppid, gettid, pipe2};

/// C's `bin_wait_pipe_sandbox`.
const BIN_WAIT_PIPE_SANDBOX: &str = env!("CARGO_BIN_EXE_wait-pipe-sandbox");

/// The command name of process `pid`, as its records print it.
fn comm(pid: Pid) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|comm| comm.trim_end_matches('\n').to_owned())
        .unwrap_or_default()
}

/// C's `matches_log_signal`: the next record is a signal to `opid` that the scope denied;
/// stores its domain ID in `domain_id`.
#[track_caller]
fn matches_log_signal(
    audit_fd: &AuditSocket,
    opid: Pid,
    domain_id: Option<&mut u64>,
) -> Result<(), Errno> {
    let log_match = format!(
        " blockers=scope.signal opid={opid} ocomm=\"{}\"",
        comm(opid)
    );
    let id =
        audit_fd.match_past_record(AUDIT_LANDLOCK_ACCESS, &log_match, |rest| rest == log_match)?;
    if let Some(domain_id) = domain_id {
        *domain_id = id;
    }
    Ok(())
}

/// audit.h's `matches_log_domain_allocated`: the next domain record is the allocation of a
/// domain by process `pid`; stores its ID in `domain_id`.
#[track_caller]
fn matches_log_domain_allocated(
    audit_fd: &AuditSocket,
    pid: Pid,
    domain_id: &mut u64,
) -> Result<(), Errno> {
    let head = format!(" status=allocated mode=enforcing pid={pid} uid=");
    let comm = comm(getpid());
    let pattern = format!("{head}[0-9]+ exe=\"[^\"]+\" comm=\"{comm}\"");
    *domain_id = audit_fd.match_past_record(AUDIT_LANDLOCK_DOMAIN, &pattern, |rest| {
        let Some((uid, rest)) = rest
            .strip_prefix(&head)
            .and_then(|rest| rest.split_once(" exe=\""))
        else {
            return false;
        };
        let Some((exe, rest)) = rest.split_once("\" comm=\"") else {
            return false;
        };
        !uid.is_empty()
            && uid.bytes().all(|b| b.is_ascii_digit())
            && !exe.is_empty()
            && !exe.contains('"')
            && rest == format!("{comm}\"")
    })?;
    Ok(())
}

/// audit.h's `matches_log_domain_deallocated`: a record of the deallocation of domain
/// `expected_domain_id` (any domain when 0) after `num_denials` denials; stores its ID in
/// `domain_id`.
#[track_caller]
fn matches_log_domain_deallocated(
    audit_fd: &AuditSocket,
    num_denials: u32,
    expected_domain_id: u64,
    domain_id: &mut u64,
) -> Result<(), Errno> {
    *domain_id = audit_fd.find_record(
        AUDIT_LANDLOCK_DOMAIN,
        (expected_domain_id != 0).then_some(expected_domain_id),
        &format!(" status=deallocated denials={num_denials}"),
    )?;
    Ok(())
}

/// C's `matches_log_fs_read_root`: the next record is a denied listing of `/`.
#[track_caller]
fn matches_log_fs_read_root(audit_fd: &AuditSocket) -> Result<(), Errno> {
    let head = " blockers=fs.read_dir path=\"/\" dev=\"";
    let pattern = format!("{head}[^\"]+\" ino=[0-9]+");
    audit_fd
        .match_past_record(AUDIT_LANDLOCK_ACCESS, &pattern, |rest| {
            let Some((dev, ino)) = rest
                .strip_prefix(head)
                .and_then(|rest| rest.split_once("\" ino="))
            else {
                return false;
            };
            !dev.is_empty()
                && !dev.contains('"')
                && !ino.is_empty()
                && ino.bytes().all(|b| b.is_ascii_digit())
        })
        .map(drop)
}

/// `N` domain IDs in memory shared with forked children (C's `mmap(MAP_SHARED |
/// MAP_ANONYMOUS)`), until [`unmap`](Self::unmap).
struct SharedIds<const N: usize> {
    map: Option<NonNull<[AtomicU64; N]>>,
}

impl<const N: usize> SharedIds<N> {
    fn new() -> Result<Self, Errno> {
        let len = NonZeroUsize::new(size_of::<[AtomicU64; N]>()).ok_or(Errno::EINVAL)?;
        // SAFETY: a new anonymous mapping, which overlaps nothing of ours.
        let map = unsafe {
            mmap_anonymous(
                None,
                len,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_SHARED,
            )
        }?;
        Ok(SharedIds {
            map: Some(map.cast()),
        })
    }

    #[track_caller]
    fn ids(&self) -> &[AtomicU64; N] {
        let map = self.map.expect("shared IDs read after munmap");
        // SAFETY: the mapping is page-aligned, zero-filled (valid atomics) and stays mapped
        // until `unmap`, which needs `self` borrowed mutably, so no reference outlives it.
        unsafe { map.as_ref() }
    }

    fn get(&self, i: usize) -> u64 {
        self.ids()[i].load(Ordering::SeqCst)
    }

    fn set(&self, i: usize, id: u64) {
        self.ids()[i].store(id, Ordering::SeqCst);
    }

    /// C's `munmap`.
    fn unmap(&mut self) -> Result<(), Errno> {
        let map = self.map.take().ok_or(Errno::EINVAL)?;
        // SAFETY: the mapping is ours, and no reference into it outlives this `&mut self`.
        unsafe { munmap(map.cast(), size_of::<[AtomicU64; N]>()) }
    }
}

/// C's `ruleset_attr`: a domain scoping signals.
fn scoped_signal() -> RulesetAttr {
    RulesetAttr {
        scoped: LANDLOCK_SCOPE_SIGNAL,
        ..RulesetAttr::default()
    }
}

/// The setup the audit fixtures share (C repeats it in each).
#[track_caller]
fn audit_setup() -> AuditSocket {
    require_audit();
    disable_caps();
    audit_init()
}

/// "Updates filter rules to match the drop record."
#[track_caller]
fn filter_drop_records(audit_fd: &AuditSocket) {
    set_cap(Cap::AuditControl);
    expect_eq!(Ok(()), audit_fd.add_drop_rule());
    expect_eq!(Ok(()), audit_fd.delete_case_rule());
    clear_cap(Cap::AuditControl);
}

/// C's check of a raw child's end: signaled, or not exited with `EXIT_SUCCESS`, fails the case.
#[track_caller]
fn expect_child_success(child: Child) {
    let pid = child.pid();
    expect_eq!(WaitStatus::Exited(pid, 0), child.wait());
}

fixture! {
    audit {
        audit_fd: AuditSocket,
    }
    setup: |_| Self { audit_fd: audit_setup() },
    teardown: |self, _| {
        expect_eq!(Ok(()), audit_cleanup(&mut self.audit_fd));
    },
}

test_f!(audit, layers, exclusive = audit, |self, _| {
    let ruleset_attr = scoped_signal();
    let mut prev_dom = 3;

    let mut domain_stack = assert_ok!(SharedIds::<16>::new());

    let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));
    expect_eq!(Ok(()), set_no_new_privs());

    let child = fork_child(|| {
        for i in 0..16 {
            let mut denial_dom = 1;
            let mut allocated_dom = 2;

            expect_eq!(Ok(()), sys_restrict_self(ruleset_fd.as_raw_fd(), 0));

            // Creates a denial to get the domain ID.
            expect_eq!(Err(Errno::EPERM), kill(getppid(), None));
            expect_eq!(
                Ok(()),
                matches_log_signal(&self.audit_fd, getppid(), Some(&mut denial_dom))
            );
            expect_eq!(
                Ok(()),
                matches_log_domain_allocated(&self.audit_fd, getpid(), &mut allocated_dom)
            );
            expect_ne!(denial_dom, 1);
            expect_ne!(denial_dom, 0);
            expect_eq!(denial_dom, allocated_dom);

            // Checks that the new domain is younger than the previous one.
            expect_gt!(allocated_dom, prev_dom);
            prev_dom = allocated_dom;
            domain_stack.set(i, allocated_dom);
        }

        // Checks that we reached the maximum number of layers.
        expect_eq!(
            Err(Errno::E2BIG),
            sys_restrict_self(ruleset_fd.as_raw_fd(), 0)
        );

        // Updates filter rules to match the drop record.
        filter_drop_records(&self.audit_fd);
    });
    expect_child_success(child);

    // Purges log from deallocated domains. Records arrive in LIFO order (innermost domain
    // first) because landlock_put_hierarchy() walks the chain sequentially in a single kworker
    // context.
    for i in (0..16).rev() {
        let mut deallocated_dom = 2;
        let expected = domain_stack.get(i);

        expect_eq!(
            Ok(()),
            matches_log_domain_deallocated(&self.audit_fd, 1, expected, &mut deallocated_dom)
        );
        expect_eq!(
            expected,
            deallocated_dom,
            "Failed to match domain {expected:x} (#{i})"
        );
    }
    expect_eq!(Ok(()), domain_stack.unmap());
    expect_eq!(Ok(()), close(ruleset_fd));
});

/// C's `thread_audit_test`, with C's error codes: 0 when every step went as expected.
fn thread_audit_test(
    parent_pid: Pid,
    ruleset_fd: OwnedFd,
    pipe_child: OwnedFd,
    pipe_parent: OwnedFd,
) -> usize {
    // TGID and TID are different for a second thread.
    if getpid() == gettid() {
        return 1;
    }
    if sys_restrict_self(ruleset_fd.as_raw_fd(), 0).is_err() {
        return 2;
    }
    if close(ruleset_fd).is_err() {
        return 3;
    }
    // Creates a denial to get the domain ID.
    match kill(parent_pid, None) {
        Ok(()) => return 4,
        Err(errno) if errno != Errno::EPERM => return 5,
        Err(_) => {}
    }
    // Signals the parent to read denial logs.
    if write_byte(&pipe_child) != Ok(1) {
        return 6;
    }
    // Waits for the parent to update audit filters.
    if read_byte(&pipe_parent) != Ok(1) {
        return 7;
    }
    // The pipes close when the thread ends, as at C's `out`.
    0
}

// Checks that the PID tied to a domain is not a TID but the TGID.
test_f!(audit, thread, exclusive = audit, |self, _| {
    let ruleset_attr = scoped_signal();
    let mut denial_dom = 1;
    let mut allocated_dom = 2;
    let mut deallocated_dom = 3;

    let parent_pid = getppid();
    let (pipe_child_r, pipe_child_w) = assert_ok!(pipe2(OFlag::O_CLOEXEC));
    let (pipe_parent_r, pipe_parent_w) = assert_ok!(pipe2(OFlag::O_CLOEXEC));
    let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));

    // TGID and TID are the same for the initial thread.
    expect_eq!(getpid(), gettid());
    expect_eq!(Ok(()), set_no_new_privs());
    let thread = spawn_thread(move || {
        thread_audit_test(parent_pid, ruleset_fd, pipe_child_w, pipe_parent_r)
    });

    // Waits for the child to generate a denial.
    assert_eq!(Ok(1), read_byte(&pipe_child_r));
    expect_eq!(Ok(()), close(pipe_child_r));

    // Matches the signal log to get the domain ID.
    expect_eq!(
        Ok(()),
        matches_log_signal(&self.audit_fd, parent_pid, Some(&mut denial_dom))
    );
    expect_ne!(denial_dom, 1);
    expect_ne!(denial_dom, 0);

    expect_eq!(
        Ok(()),
        matches_log_domain_allocated(&self.audit_fd, getpid(), &mut allocated_dom)
    );
    expect_eq!(denial_dom, allocated_dom);

    // Updates filter rules to match the drop record.
    filter_drop_records(&self.audit_fd);

    // Signals the thread to exit, which will generate a domain deallocation.
    assert_eq!(Ok(1), write_byte(&pipe_parent_w));
    expect_eq!(Ok(()), close(pipe_parent_w));
    // C drops the thread's result; a failed step there shows here.
    expect_eq!(0, thread.join());

    expect_eq!(
        Ok(()),
        matches_log_domain_deallocated(&self.audit_fd, 1, denial_dom, &mut deallocated_dom)
    );
    expect_eq!(denial_dom, deallocated_dom);
});

// Verifies that log_subdomains_off set via the ruleset_fd=-1 path (without creating a domain)
// is inherited by children across fork(). This exercises the hook_cred_transfer() fix: the
// Landlock credential blob must be copied even when the source credential has no domain.
//
// Phase 1 (baseline): a child without muting creates a domain and triggers a denial that IS
// logged.
//
// Phase 2 (after muting): the parent mutes subdomain logs, forks another child who creates a
// domain and triggers a denial that is NOT logged.
test_f!(
    audit,
    log_subdomains_off_fork,
    exclusive = audit,
    |self, _| {
        let ruleset_attr = scoped_signal();

        let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));

        assert_eq!(Ok(()), set_no_new_privs());

        // Phase 1: forks a child that creates a domain and triggers a denial before any muting.
        // This proves the audit path works.
        let child = fork_child(|| {
            assert_eq!(Ok(()), sys_restrict_self(ruleset_fd.as_raw_fd(), 0));
            assert_eq!(Err(Errno::EPERM), kill(getppid(), None));
        });
        let status = child.wait();
        assert_true!(wifexited(status));
        assert_eq!(Some(0), wexitstatus(status));

        // The denial must be logged (baseline).
        expect_eq!(Ok(()), matches_log_signal(&self.audit_fd, getpid(), None));

        // Drains any remaining records (e.g. domain allocation).
        expect_eq!(Ok(()), self.audit_fd.count_records().map(drop));

        // Mutes subdomain logs without creating a domain. The parent's credential has
        // domain=NULL and log_subdomains_off=1.
        assert_eq!(
            Ok(()),
            sys_restrict_self(-1, LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF)
        );

        // Phase 2: forks a child that creates a domain and triggers a denial. Because
        // log_subdomains_off was inherited via fork(), the child's domain has
        // log_status=LANDLOCK_LOG_DISABLED.
        let child = fork_child(|| {
            assert_eq!(Ok(()), sys_restrict_self(ruleset_fd.as_raw_fd(), 0));
            assert_eq!(Err(Errno::EPERM), kill(getppid(), None));
        });
        let status = child.wait();
        assert_true!(wifexited(status));
        assert_eq!(Some(0), wexitstatus(status));

        // No denial record should appear.
        expect_eq!(
            Err(Errno::EAGAIN),
            matches_log_signal(&self.audit_fd, getpid(), None)
        );

        let records = self.audit_fd.count_records();
        expect_eq!(Ok(0), records.map(|records| records.access));

        expect_eq!(Ok(()), close(ruleset_fd));
    }
);

fixture! {
    audit_flags {
        audit_fd: AuditSocket,
        domain_id: SharedIds<1>,
    }
    setup: |_| {
        let audit_fd = audit_setup();
        let domain_id = assert_ok!(SharedIds::new());
        // Domain IDs are greater or equal to 2^32.
        domain_id.set(0, 1);
        Self { audit_fd, domain_id }
    },
    teardown: |self, _| {
        expect_eq!(Ok(()), self.domain_id.unmap());

        expect_eq!(Ok(()), audit_cleanup(&mut self.audit_fd));
    },
}

variant! {
    audit_flags {
        restrict_flags: u32,
    }
    default { restrict_flags: 0 }
    same_exec_off { restrict_flags: LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF }
    subdomains_off { restrict_flags: LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF }
    cross_exec_on { restrict_flags: LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON }
}

test_f!(audit_flags, signal, exclusive = audit, |self, variant| {
    let same_exec_off = variant.restrict_flags & LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF != 0;
    let mut deallocated_dom = 2;

    let child = fork_child(|| {
        let ruleset_attr = scoped_signal();

        // Add filesystem restrictions.
        let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));
        expect_eq!(Ok(()), set_no_new_privs());
        assert_eq!(
            Ok(()),
            sys_restrict_self(ruleset_fd.as_raw_fd(), variant.restrict_flags)
        );
        expect_eq!(Ok(()), close(ruleset_fd));

        // First signal checks to test log entries.
        expect_eq!(Err(Errno::EPERM), kill(getppid(), None));

        let mut domain_id = self.domain_id.get(0);
        if same_exec_off {
            expect_eq!(
                Err(Errno::EAGAIN),
                matches_log_signal(&self.audit_fd, getppid(), Some(&mut domain_id))
            );
            self.domain_id.set(0, domain_id);
            expect_eq!(self.domain_id.get(0), 1);
        } else {
            let mut allocated_dom = 3;

            expect_eq!(
                Ok(()),
                matches_log_signal(&self.audit_fd, getppid(), Some(&mut domain_id))
            );
            self.domain_id.set(0, domain_id);

            // Checks domain information records.
            expect_eq!(
                Ok(()),
                matches_log_domain_allocated(&self.audit_fd, getpid(), &mut allocated_dom)
            );
            expect_ne!(self.domain_id.get(0), 1);
            expect_ne!(self.domain_id.get(0), 0);
            expect_eq!(self.domain_id.get(0), allocated_dom);
        }

        // Second signal checks to test audit_count_records().
        expect_eq!(Err(Errno::EPERM), kill(getppid(), None));

        // Makes sure there is no superfluous logged records.
        let records = self.audit_fd.count_records();
        if same_exec_off {
            expect_eq!(Ok(0), records.map(|records| records.access));
        } else {
            expect_eq!(Ok(1), records.map(|records| records.access));
        }

        // Updates filter rules to match the drop record.
        filter_drop_records(&self.audit_fd);
    });
    expect_child_success(child);

    if same_exec_off {
        // No deallocation record: denials=0 never matches a real record.
        expect_eq!(
            Err(Errno::EAGAIN),
            matches_log_domain_deallocated(&self.audit_fd, 0, 0, &mut deallocated_dom)
        );
        expect_eq!(deallocated_dom, 2);
    } else {
        expect_eq!(
            Ok(()),
            matches_log_domain_deallocated(
                &self.audit_fd,
                2,
                self.domain_id.get(0),
                &mut deallocated_dom
            )
        );
        expect_ne!(deallocated_dom, 2);
        expect_ne!(deallocated_dom, 0);
        expect_eq!(deallocated_dom, self.domain_id.get(0));
    }
});

fixture! {
    audit_exec {
        audit_fd: AuditSocket,
    }
    // C registers as the audit daemon, then filters the records of bin_wait_pipe_sandbox:
    // here, those of the case's process tree, which only that program's denials fill.
    setup: |_| Self { audit_fd: audit_setup() },
    teardown: |self, _| {
        expect_eq!(Ok(()), audit_cleanup(&mut self.audit_fd));
    },
}

variant! {
    audit_exec {
        restrict_flags: u32,
    }
    default { restrict_flags: 0 }
    same_exec_off { restrict_flags: LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF }
    subdomains_off { restrict_flags: LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF }
    cross_exec_on { restrict_flags: LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON }
    subdomains_off_and_cross_exec_on {
        restrict_flags: LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF
            | LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON,
    }
}

test_f!(
    audit_exec,
    signal_and_open,
    exclusive = audit,
    |self, variant| {
        let new_exec_on = variant.restrict_flags & LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON != 0;
        let subdomains_off =
            variant.restrict_flags & LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF != 0;
        let access = |records: Result<landlock_test_core::audit::AuditRecords, Errno>| {
            records.map(|records| records.access)
        };

        let (pipe_child_r, pipe_child_w) = assert_ok!(pipe2(OFlag::empty()));
        let (pipe_parent_r, pipe_parent_w) = assert_ok!(pipe2(OFlag::empty()));

        let child = fork_child(|| {
            let layer1 = scoped_signal();
            let argv = [
                BIN_WAIT_PIPE_SANDBOX.to_owned(),
                pipe_child_w.as_raw_fd().to_string(),
                pipe_parent_r.as_raw_fd().to_string(),
            ]
            .map(|arg| CString::new(arg).expect("no NUL in a path from cargo nor in a number"));

            // Passes the pipe FDs to the executed binary.
            expect_eq!(Ok(()), close_in_child(&pipe_child_r));
            expect_eq!(Ok(()), close_in_child(&pipe_parent_w));

            let ruleset_fd = match create_ruleset(&layer1) {
                Ok(fd) => fd,
                Err(errno) => {
                    eprintln!("Failed to create a ruleset: {errno}");
                    // SAFETY: ends the child as C's `_exit(1)` does, without the parent's handlers.
                    unsafe { libc::_exit(1) }
                }
            };
            // C ignores the result of prctl() here.
            let _ = set_no_new_privs();
            if let Err(errno) = sys_restrict_self(ruleset_fd.as_raw_fd(), variant.restrict_flags) {
                eprintln!("Failed to restrict self: {errno}");
                // SAFETY: as above.
                unsafe { libc::_exit(1) }
            }
            let _ = close(ruleset_fd);

            let no_env: [&CStr; 0] = [];
            assert_eq!(
                Ok(()),
                execve(&argv[0], &argv, &no_env).map(drop),
                "Failed to execute \"{BIN_WAIT_PIPE_SANDBOX}\""
            );
        });

        expect_eq!(Ok(()), close(pipe_child_w));
        expect_eq!(Ok(()), close(pipe_parent_r));

        // Waits for the child.
        expect_eq!(Ok(1), read_byte(&pipe_child_r));

        // Tests that there was no denial until now.
        expect_eq!(Ok(0), access(self.audit_fd.count_records()));

        // Wait for the child to do a first denied action by layer1 and sandbox itself with layer2.
        expect_eq!(Ok(1), write_byte(&pipe_parent_w));
        expect_eq!(Ok(1), read_byte(&pipe_child_r));

        // Tests that the audit record only matches the child.
        if new_exec_on {
            // Matches the current domain.
            expect_eq!(Ok(()), matches_log_signal(&self.audit_fd, getpid(), None));
        }

        // Checks that we didn't miss anything.
        expect_eq!(Ok(0), access(self.audit_fd.count_records()));

        // Wait for the child to do a second denied action by layer1 and layer2, and sandbox itself
        // with layer3.
        expect_eq!(Ok(1), write_byte(&pipe_parent_w));
        expect_eq!(Ok(1), read_byte(&pipe_child_r));

        // Tests that the audit record only matches the child.
        if new_exec_on {
            // Matches the current domain.
            expect_eq!(Ok(()), matches_log_signal(&self.audit_fd, getpid(), None));
        }

        if !subdomains_off {
            // Matches the child domain.
            expect_eq!(Ok(()), matches_log_fs_read_root(&self.audit_fd));
        }

        // Checks that we didn't miss anything.
        expect_eq!(Ok(0), access(self.audit_fd.count_records()));

        // Waits for the child to terminate.
        expect_eq!(Ok(1), write_byte(&pipe_parent_w));
        let status = child.wait();
        assert_true!(wifexited(status));
        assert_eq!(Some(0), wexitstatus(status));

        // Tests that the audit record only matches the child.
        if !subdomains_off {
            // Matches the child domains, which tests that the llcred->domain_exec bitmask is
            // correctly updated with a new domain.
            expect_eq!(Ok(()), matches_log_fs_read_root(&self.audit_fd));
            expect_eq!(Ok(()), matches_log_signal(&self.audit_fd, getpid(), None));
        }

        // Checks that we didn't miss anything.
        expect_eq!(Ok(0), access(self.audit_fd.count_records()));
    }
);

test_harness_main!();
