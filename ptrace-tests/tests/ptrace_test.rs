//! Landlock tests - Ptrace: tools/testing/selftests/landlock/ptrace_test.c (Linux v6.18).
//! The fixture, its variants and its test keep the C names and order; the ptrace requests,
//! wait statuses and pipe handshakes are in `landlock_test_core::process`.
//!
//! `audit.trace` reads its records with `landlock_test_core::audit` (its module doc says how
//! that differs from audit.h): the filter keeps the records of the case's process tree, so the
//! child reads its own on the socket it shares with the parent, as in C.
//!
//! Skips, where C would fail: `drop_caps()` needs CAP_SETPCAP, which C takes for granted by
//! running as root; the variants with a domain need Landlock (ABI 1).

use std::os::fd::AsRawFd;

use landlock_test_core::audit::prelude::*;
use landlock_test_core::fs::prelude::*;
use landlock_test_core::prelude::*;
use landlock_test_core::privilege::caps::{CapSets, capset};
use landlock_test_core::process::prelude::*;
use landlock_test_core::{assert_eq, assert_ok};
use libc::{EXIT_SUCCESS, O_RDONLY};

/// Enforces a new domain on the calling process (C's `create_domain()`). Its checks do not end
/// the case; returns whether they all passed, which C's caller reads with `__test_passed()`
/// (every check before it is an assertion).
#[track_caller]
fn create_domain() -> bool {
    let ruleset_attr = RulesetAttr::fs(LANDLOCK_ACCESS_FS_MAKE_BLOCK);

    let ruleset_fd = create_ruleset(&ruleset_attr);
    expect_true!(
        ruleset_fd.is_ok(),
        "Failed to create a ruleset: {ruleset_fd:?}"
    );
    // C goes on with fd -1, whose every later step fails; they add nothing here.
    let Ok(ruleset_fd) = ruleset_fd else {
        return false;
    };
    let no_new_privs = set_no_new_privs();
    expect_eq!(Ok(()), no_new_privs);
    let restricted = sys_restrict_self(ruleset_fd.as_raw_fd(), 0);
    expect_eq!(Ok(()), restricted);
    let closed = close(ruleset_fd);
    expect_eq!(Ok(()), closed);
    no_new_privs.is_ok() && restricted.is_ok() && closed.is_ok()
}

/// Opens `/proc/<pid>/environ`, which needs PTRACE_MODE_READ on `pid` (C's
/// `test_ptrace_read()`). An error of `close(2)` is returned too: mixing it with `open(2)`'s
/// cannot lead to an access-type confusion.
fn test_ptrace_read(pid: Pid) -> Result<(), Errno> {
    test_open(&format!("/proc/{pid}/environ"), O_RDONLY)
}

fixture! {
    hierarchy {}
    setup: |_| Self {},
}

variant! {
    hierarchy {
        domain_both: bool,
        domain_parent: bool,
        domain_child: bool,
    }
}

// Test multiple tracing combinations between a parent process P1 and a child process P2.
//
// Yama's scoped ptrace is presumed disabled.  If enabled, this optional restriction is enforced
// in addition to any Landlock check, which means that all P2 requests to trace P1 would be
// denied.

//        No domain
//
//   P1-.               P1 -> P2 : allow
//       \              P2 -> P1 : allow
//        'P2
variant! {
    hierarchy: allow_without_domain {
        domain_both: false,
        domain_parent: false,
        domain_child: false,
    }
}

//        Child domain
//
//   P1--.              P1 -> P2 : allow
//        \             P2 -> P1 : deny
//        .'-----.
//        |  P2  |
//        '------'
variant! {
    hierarchy: allow_with_one_domain {
        domain_both: false,
        domain_parent: false,
        domain_child: true,
    }
}

//        Parent domain
// .------.
// |  P1  --.           P1 -> P2 : deny
// '------'  \          P2 -> P1 : allow
//            '
//            P2
variant! {
    hierarchy: deny_with_parent_domain {
        domain_both: false,
        domain_parent: true,
        domain_child: false,
    }
}

//        Parent + child domain (siblings)
// .------.
// |  P1  ---.          P1 -> P2 : deny
// '------'   \         P2 -> P1 : deny
//         .---'--.
//         |  P2  |
//         '------'
variant! {
    hierarchy: deny_with_sibling_domain {
        domain_both: false,
        domain_parent: true,
        domain_child: true,
    }
}

//         Same domain (inherited)
// .-------------.
// | P1----.     |      P1 -> P2 : allow
// |        \    |      P2 -> P1 : allow
// |         '   |
// |         P2  |
// '-------------'
variant! {
    hierarchy: allow_sibling_domain {
        domain_both: true,
        domain_parent: false,
        domain_child: false,
    }
}

//         Inherited + child domain
// .-----------------.
// |  P1----.        |  P1 -> P2 : allow
// |         \       |  P2 -> P1 : deny
// |        .-'----. |
// |        |  P2  | |
// |        '------' |
// '-----------------'
variant! {
    hierarchy: allow_with_nested_domain {
        domain_both: true,
        domain_parent: false,
        domain_child: true,
    }
}

//         Inherited + parent domain
// .-----------------.
// |.------.         |  P1 -> P2 : deny
// ||  P1  ----.     |  P2 -> P1 : allow
// |'------'    \    |
// |             '   |
// |             P2  |
// '-----------------'
variant! {
    hierarchy: deny_with_nested_and_parent_domain {
        domain_both: true,
        domain_parent: true,
        domain_child: false,
    }
}

//         Inherited + parent and child domain (siblings)
// .-----------------.
// | .------.        |  P1 -> P2 : deny
// | |  P1  .        |  P2 -> P1 : deny
// | '------'\       |
// |          \      |
// |        .--'---. |
// |        |  P2  | |
// |        '------' |
// '-----------------'
variant! {
    hierarchy: deny_with_forked_domain {
        domain_both: true,
        domain_parent: true,
        domain_child: true,
    }
}

// Test PTRACE_TRACEME and PTRACE_ATTACH for parent and child.
test_f!(hierarchy, trace, |_, variant| {
    let yama_ptrace_scope = assert_ok!(yama_ptrace_scope());

    if yama_ptrace_scope > YAMA_SCOPE_DISABLED {
        th_log!("Incomplete tests due to Yama restrictions (scope {yama_ptrace_scope})");
    }

    // can_read_child is true if a parent process can read its child process, which is only
    // the case when the parent process is not isolated from the child with a dedicated
    // Landlock domain.
    let can_read_child = !variant.domain_parent;

    // can_trace_child is true if a parent process can trace its child process.  This depends
    // on two conditions:
    // - The parent process is not isolated from the child with a dedicated Landlock domain.
    // - Yama allows tracing children (up to YAMA_SCOPE_RELATIONAL).
    let can_trace_child = can_read_child && yama_ptrace_scope <= YAMA_SCOPE_RELATIONAL;

    // can_read_parent is true if a child process can read its parent process, which is only
    // the case when the child process is not isolated from the parent with a dedicated
    // Landlock domain.
    let can_read_parent = !variant.domain_child;

    // can_trace_parent is true if a child process can trace its parent process.  This depends
    // on two conditions:
    // - The child process is not isolated from the parent with a dedicated Landlock domain.
    // - Yama is disabled (YAMA_SCOPE_DISABLED).
    // (C's `<=`: the scope is unsigned here.)
    let can_trace_parent = can_read_parent && yama_ptrace_scope == YAMA_SCOPE_DISABLED;

    // Not in C: a variant with a domain skips, before any process is forked, on a kernel
    // without Landlock.
    if variant.domain_both || variant.domain_parent || variant.domain_child {
        require_abi(1, "Landlock domains");
    }

    // Removes all effective and permitted capabilities to not interfere with
    // cap_ptrace_access_check() in case of PTRACE_MODE_FSCREDS.
    drop_caps();

    let parent = getpid();
    let (pipe_child_read, pipe_child_write) = assert_ok!(pipe());
    let (pipe_parent_read, pipe_parent_write) = assert_ok!(pipe());
    if variant.domain_both && !create_domain() {
        // Aborts before forking.
        return;
    }

    let child = fork_child(|| {
        assert_eq!(Ok(()), close_in_child(&pipe_parent_write));
        assert_eq!(Ok(()), close_in_child(&pipe_child_read));
        if variant.domain_child {
            create_domain();
        }

        // Waits for the parent to be in a domain, if any.
        assert_eq!(Ok(1), read_byte(&pipe_parent_read));

        // Tests PTRACE_MODE_READ on the parent.
        let err_proc_read = test_ptrace_read(parent);
        if can_read_parent {
            expect_eq!(Ok(()), err_proc_read);
        } else {
            expect_eq!(Err(Errno::EACCES), err_proc_read);
        }

        // Tests PTRACE_ATTACH on the parent.
        let ret = ptrace_attach(parent);
        if can_trace_parent {
            expect_eq!(Ok(()), ret);
        } else {
            expect_eq!(Err(Errno::EPERM), ret);
        }
        if ret.is_ok() {
            let status = assert_ok!(waitpid(parent, None));
            assert_eq!(Some(parent), status.pid());
            assert_true!(wifstopped(status));
            assert_eq!(Ok(()), ptrace_detach(parent));
        }

        // Tests child PTRACE_TRACEME.
        let ret = ptrace_traceme();
        if can_trace_child {
            expect_eq!(Ok(()), ret);
        } else {
            expect_eq!(Err(Errno::EPERM), ret);
        }

        // Signals that the PTRACE_ATTACH test is done and the PTRACE_TRACEME test is ongoing.
        assert_eq!(Ok(1), write_byte(&pipe_child_write));

        if can_trace_child {
            assert_eq!(Ok(()), raise_signal(Some(Signal::SIGSTOP)));
        }

        // Waits for the parent PTRACE_ATTACH test.
        assert_eq!(Ok(1), read_byte(&pipe_parent_read));
    });
    let child_pid = child.pid();

    assert_eq!(Ok(()), close(pipe_child_write));
    assert_eq!(Ok(()), close(pipe_parent_read));
    if variant.domain_parent {
        create_domain();
    }

    // Signals that the parent is in a domain, if any.
    assert_eq!(Ok(1), write_byte(&pipe_parent_write));

    // Waits for the child to test PTRACE_ATTACH on the parent and start testing
    // PTRACE_TRACEME.
    assert_eq!(Ok(1), read_byte(&pipe_child_read));

    // Tests child PTRACE_TRACEME.
    if can_trace_child {
        let status = assert_ok!(waitpid(child_pid, None));
        assert_eq!(Some(child_pid), status.pid());
        assert_true!(wifstopped(status));
        assert_eq!(Ok(()), ptrace_detach(child_pid));
    } else {
        // The child should not be traced by the parent.
        expect_eq!(Err(Errno::ESRCH), ptrace_detach(child_pid));
    }

    // Tests PTRACE_MODE_READ on the child.
    let err_proc_read = test_ptrace_read(child_pid);
    if can_read_child {
        expect_eq!(Ok(()), err_proc_read);
    } else {
        expect_eq!(Err(Errno::EACCES), err_proc_read);
    }

    // Tests PTRACE_ATTACH on the child.
    let ret = ptrace_attach(child_pid);
    if can_trace_child {
        expect_eq!(Ok(()), ret);
    } else {
        expect_eq!(Err(Errno::EPERM), ret);
    }

    if ret.is_ok() {
        let status = assert_ok!(waitpid(child_pid, None));
        assert_eq!(Some(child_pid), status.pid());
        assert_true!(wifstopped(status));
        assert_eq!(Ok(()), ptrace_detach(child_pid));
    }

    // Signals that the parent PTRACE_ATTACH test is done.
    assert_eq!(Ok(1), write_byte(&pipe_parent_write));
    let status = child.wait();

    expect_false!(
        wifsignaled(status) || !wifexited(status) || wexitstatus(status) != Some(EXIT_SUCCESS),
        "the child ended with {status:?}"
    );
});

/// C's `matches_log_ptrace`: the next record is a ptrace request on `opid` that Landlock
/// denied. `ocomm` is the process's own: cargo names the test binary `ptrace_test-<hash>`,
/// where C's records say `ptrace_test`. Records are read up to a sentinel, where C reads until
/// none came for a microsecond.
#[track_caller]
fn matches_log_ptrace(audit_fd: &AuditSocket, opid: Pid) -> Result<(), Errno> {
    let ocomm = std::fs::read_to_string(format!("/proc/{opid}/comm")).unwrap_or_default();
    let log_match = format!(
        " blockers=ptrace opid={opid} ocomm=\"{}\"",
        ocomm.trim_end_matches('\n')
    );
    audit_fd
        .match_past_record(AUDIT_LANDLOCK_ACCESS, &log_match, |rest| rest == log_match)
        .map(drop)
}

fixture! {
    audit {
        audit_fd: AuditSocket,
    }
    setup: |_| {
        require_audit();
        disable_caps();
        let audit_fd = audit_init();
        Self { audit_fd }
    },
    // C cleans up from the parent (FIXTURE_TEARDOWN_PARENT, with a socket of its own), since
    // the test dropped every capability: here the test keeps CAP_AUDIT_CONTROL permitted.
    teardown: |self, _| {
        expect_eq!(Ok(()), audit_cleanup(&mut self.audit_fd));
    },
}

// Test PTRACE_TRACEME and PTRACE_ATTACH for parent and child.
test_f!(audit, trace, exclusive = audit, |self, _| {
    let records = |audit_fd: &AuditSocket| {
        audit_fd
            .count_records()
            .map(|records| (records.access, records.domain))
    };

    // Makes sure there is no superfluous logged records.
    expect_eq!(Ok(0), records(&self.audit_fd).map(|(access, _)| access));

    let yama_ptrace_scope = assert_ok!(yama_ptrace_scope());

    if yama_ptrace_scope > YAMA_SCOPE_DISABLED {
        th_log!("Incomplete tests due to Yama restrictions (scope {yama_ptrace_scope})");
    }

    // Removes all effective and permitted capabilities to not interfere with
    // cap_ptrace_access_check() in case of PTRACE_MODE_FSCREDS. But CAP_AUDIT_CONTROL, which
    // stays permitted (not effective) in parent and child alike: reading records up to a
    // sentinel raises it for a moment, and the same permitted set on both sides keeps
    // cap_ptrace_access_check() out of the way as the empty sets of C do.
    assert_eq!(
        Ok(()),
        capset(&CapSets {
            permitted: Cap::AuditControl.mask(),
            ..CapSets::default()
        })
    );

    let (pipe_child_read, pipe_child_write) = assert_ok!(pipe());
    let (pipe_parent_read, pipe_parent_write) = assert_ok!(pipe());

    let child = fork_child(|| {
        assert_eq!(Ok(()), close_in_child(&pipe_parent_write));
        assert_eq!(Ok(()), close_in_child(&pipe_child_read));

        // Waits for the parent to be in a domain, if any.
        assert_eq!(Ok(1), read_byte(&pipe_parent_read));

        // Tests child PTRACE_TRACEME.
        expect_eq!(Err(Errno::EPERM), ptrace_traceme());
        // We should see the child process.
        expect_eq!(Ok(()), matches_log_ptrace(&self.audit_fd, getpid()));

        // Checks for a domain creation.
        expect_eq!(Ok((0, 1)), records(&self.audit_fd));

        // Signals that the PTRACE_ATTACH test is done and the PTRACE_TRACEME test is ongoing.
        assert_eq!(Ok(1), write_byte(&pipe_child_write));

        // Waits for the parent PTRACE_ATTACH test.
        assert_eq!(Ok(1), read_byte(&pipe_parent_read));
    });
    let child_pid = child.pid();

    assert_eq!(Ok(()), close(pipe_child_write));
    assert_eq!(Ok(()), close(pipe_parent_read));
    create_domain();

    // Signals that the parent is in a domain.
    assert_eq!(Ok(1), write_byte(&pipe_parent_write));

    // Waits for the child to test PTRACE_ATTACH on the parent and start testing
    // PTRACE_TRACEME.
    assert_eq!(Ok(1), read_byte(&pipe_child_read));

    // The child should not be traced by the parent.
    expect_eq!(Err(Errno::ESRCH), ptrace_detach(child_pid));

    // Tests PTRACE_ATTACH on the child.
    expect_eq!(Err(Errno::EPERM), ptrace_attach(child_pid));
    expect_eq!(Ok(()), matches_log_ptrace(&self.audit_fd, child_pid));

    // Signals that the parent PTRACE_ATTACH test is done.
    assert_eq!(Ok(1), write_byte(&pipe_parent_write));
    let status = child.wait();
    expect_false!(
        wifsignaled(status) || !wifexited(status) || wexitstatus(status) != Some(EXIT_SUCCESS),
        "the child ended with {status:?}"
    );

    // Makes sure there is no superfluous logged records.
    expect_eq!(Ok((0, 0)), records(&self.audit_fd));
});

test_harness_main!();
