//! The audit helpers against a case's process tree (no upstream counterpart): a denial logged
//! by any process of the case is read, whether the harness forked it or the test did with a
//! raw fork, and whether it exited before the records were read (or reads them itself, on the
//! socket it shares with its parent); a denial logged by a process that is not the case's is
//! not. Root only, as the `audit` cases of net_test.

use std::os::fd::AsRawFd;

use landlock_test_core::audit::prelude::*;
use landlock_test_core::net::prelude::*;
use landlock_test_core::prelude::*;
use landlock_test_core::{assert_eq, assert_ok};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, fork};

fixture! {
    audit_tree {
        srv0: Service,
        audit_fd: AuditSocket,
    }
    setup: |_variant| {
        require_audit();
        let srv0 = Service::new(Protocol::TCP_V4, 0);
        setup_loopback();

        let audit_fd = audit_init();
        disable_caps();
        Self { srv0, audit_fd }
    },
    teardown: |self, _| {
        expect_eq!(Ok(()), audit_cleanup(&mut self.audit_fd));
    },
}

/// Restricts the calling process to no TCP bind nor connect.
fn deny_tcp() -> Result<(), Errno> {
    let ruleset_fd = create_ruleset(&RulesetAttr::net(
        LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP,
    ))?;
    nix::sys::prctl::set_no_new_privs()?;
    sys_restrict_self(ruleset_fd.as_raw_fd(), 0)
}

/// A bind denied by Landlock, in a raw fork that exits at once, as a C test's child: 0 when
/// the bind failed with `EACCES`. `restrict` makes the child create its own domain first.
fn bind_in_raw_fork(srv: &Service, restrict: bool) -> WaitStatus {
    // SAFETY: the case process is single-threaded; the child only makes syscalls and exits.
    match unsafe { fork() }.expect("fork") {
        ForkResult::Child => {
            let denied = (!restrict || deny_tcp().is_ok())
                && socket_variant(srv).is_ok_and(|fd| bind_variant(&fd, srv) == Err(Errno::EACCES));
            // SAFETY: leaves the child without running the parent's exit handlers.
            unsafe { libc::_exit(if denied { 0 } else { 1 }) }
        }
        ForkResult::Parent { child } => waitpid(child, None).expect("waitpid"),
    }
}

/// The next access record is the denied bind of 127.0.0.1:1024.
#[track_caller]
fn matches_bind(audit_fd: &AuditSocket) -> Result<(), Errno> {
    audit_fd
        .match_record(
            AUDIT_LANDLOCK_ACCESS,
            " blockers=net.bind_tcp saddr=127.0.0.1 src=1024",
        )
        .map(drop)
}

test_f!(
    audit_tree,
    fork_child_denied,
    exclusive = audit,
    |self, _variant| {
        assert_eq!(Ok(()), deny_tcp());
        let srv0 = self.srv0;
        fork_child(move || {
            let sock_fd = assert_ok!(socket_variant(&srv0));
            expect_eq!(Err(Errno::EACCES), bind_variant(&sock_fd, &srv0));
        })
        .join();

        expect_eq!(Ok(()), matches_bind(&self.audit_fd));
        expect_eq!(
            Ok(AuditRecords {
                access: 0,
                domain: 1
            }),
            self.audit_fd.count_records()
        );
    }
);

test_f!(
    audit_tree,
    raw_fork_denied,
    exclusive = audit,
    |self, _variant| {
        assert_eq!(Ok(()), deny_tcp());
        let child = bind_in_raw_fork(&self.srv0, false);
        assert!(matches!(child, WaitStatus::Exited(_, 0)), "{child:?}");

        expect_eq!(Ok(()), matches_bind(&self.audit_fd));
        expect_eq!(
            Ok(AuditRecords {
                access: 0,
                domain: 1
            }),
            self.audit_fd.count_records()
        );
    }
);

test_f!(
    audit_tree,
    raw_fork_domain_denied,
    exclusive = audit,
    |self, _variant| {
        // The domain is the child's: the case process itself stays unrestricted.
        let child = bind_in_raw_fork(&self.srv0, true);
        assert!(matches!(child, WaitStatus::Exited(_, 0)), "{child:?}");

        expect_eq!(Ok(()), matches_bind(&self.audit_fd));
        expect_eq!(
            Ok(AuditRecords {
                access: 0,
                domain: 1
            }),
            self.audit_fd.count_records()
        );
        let sock_fd = assert_ok!(socket_variant(&self.srv0));
        expect_eq!(Ok(()), bind_variant(&sock_fd, &self.srv0));
    }
);

test_f!(
    audit_tree,
    outsider_unseen,
    exclusive = audit,
    |self, _variant| {
        assert_eq!(Ok(()), deny_tcp());
        let srv0 = self.srv0;
        // A process that leaves the case's login uid, as the processes of the other cases never
        // had it: its denial is not the case's.
        fork_child(move || {
            set_cap(Cap::AuditControl);
            assert_ok!(std::fs::write("/proc/self/loginuid", u32::MAX.to_string()));
            clear_cap(Cap::AuditControl);
            let sock_fd = assert_ok!(socket_variant(&srv0));
            expect_eq!(Err(Errno::EACCES), bind_variant(&sock_fd, &srv0));
        })
        .join();
        expect_eq!(Ok(AuditRecords::default()), self.audit_fd.count_records());

        // The case's own denial of the same domain is read, with the domain, logged only now.
        let sock_fd = assert_ok!(socket_variant(&self.srv0));
        expect_eq!(Err(Errno::EACCES), bind_variant(&sock_fd, &self.srv0));
        expect_eq!(Ok(()), matches_bind(&self.audit_fd));
        expect_eq!(
            Ok(AuditRecords {
                access: 0,
                domain: 1
            }),
            self.audit_fd.count_records()
        );
    }
);

test_f!(
    audit_tree,
    count_during_denials,
    exclusive = audit,
    |self, _variant| {
        assert_eq!(Ok(()), deny_tcp());
        let (ready_r, ready_w) = assert_ok!(nix::unistd::pipe());
        let srv0 = &self.srv0;
        // Denied every 5 ms until killed: the records never pause for the 10 ms of quiet that
        // would end a count by the clock, yet counting ends, with every record logged before it
        // began. Not faster: the records must not fill the socket (ENOBUFS) on a busy machine.
        let child = fork_child(|| {
            let mut first = true;
            loop {
                let sock_fd = assert_ok!(socket_variant(srv0));
                expect_eq!(Err(Errno::EACCES), bind_variant(&sock_fd, srv0));
                if std::mem::take(&mut first) {
                    assert_eq!(Ok(1), nix::unistd::write(&ready_w, &[0]));
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        });
        drop(ready_w);
        assert_eq!(Ok(1), nix::unistd::read(&ready_r, &mut [0]));

        let records = assert_ok!(self.audit_fd.count_records());
        expect_eq!(1, records.domain);
        expect_true!(records.access >= 1, "{records:?}");
        drop(child);
    }
);

// As ptrace_test.c's `audit.trace`, where the denied child reads its records on the socket it
// shares with its parent.
test_f!(
    audit_tree,
    child_reads,
    exclusive = audit,
    |self, _variant| {
        let audit_fd = &self.audit_fd;
        let srv0 = &self.srv0;
        fork_child(|| {
            assert_eq!(Ok(()), deny_tcp());
            let sock_fd = assert_ok!(socket_variant(srv0));
            expect_eq!(Err(Errno::EACCES), bind_variant(&sock_fd, srv0));
            expect_eq!(Ok(()), matches_bind(audit_fd));
            expect_eq!(
                Ok(AuditRecords {
                    access: 0,
                    domain: 1
                }),
                audit_fd.count_records()
            );
        })
        .join();
        expect_eq!(Ok(AuditRecords::default()), self.audit_fd.count_records());
    }
);

test_harness_main!();
