//! Landlock tests - Abstract UNIX socket: tools/testing/selftests/landlock/
//! scoped_abstract_unix_test.c (Linux v6.18). Fixtures, variants and tests keep the C names
//! and order; each C `fork()` is a `fork_child`, whose failed checks count for the case.
//!
//! Abstract addresses are `Service::unix(type, index)`, C's `set_unix_address`: names unique
//! to the case's process. C checks a failed `connect(2)` as `-1` then `errno`; a check here
//! compares the whole result, e.g. `Err(EPERM)`.

use std::os::fd::{AsRawFd, OwnedFd};

use landlock_test_core::audit::prelude::*;
use landlock_test_core::fs::{TMP_DIR, mkdir, recv_fd, rmdir, send_fd, unlink};
use landlock_test_core::net::prelude::*;
use landlock_test_core::prelude::*;
use landlock_test_core::scope::prelude::*;
use landlock_test_core::{assert_eq, assert_ok};
use libc::{SOCK_DGRAM, SOCK_STREAM};
use nix::fcntl::OFlag;
use nix::sys::socket::{
    AddressFamily, MsgFlags, SockFlag, SockType, UnixAddr, bind, connect, recv, send, sendto,
    socketpair,
};
use nix::sys::stat::{Mode, umask};
use nix::sys::wait::WaitStatus;
use nix::unistd::{pipe2, read, write};

include!("common/scoped_base_variants.rs");
include!("common/scoped_multiple_domain_variants.rs");

/// C's `read(fd, &buf, 1)`: one byte.
fn read_byte(fd: &OwnedFd) -> Result<usize, Errno> {
    read(fd, &mut [0u8])
}

/// A unix socket of `type_` (C's `socket(AF_UNIX, type, 0)`).
fn unix_socket(type_: i32) -> Result<OwnedFd, Errno> {
    open_socket(Protocol::new(libc::AF_UNIX, type_, 0))
}

/// C's `create_fs_domain`: a domain handling `LANDLOCK_ACCESS_FS_READ_DIR`, each step an
/// EXPECT as in C.
fn create_fs_domain() {
    let ruleset_attr = RulesetAttr {
        handled_access_fs: LANDLOCK_ACCESS_FS_READ_DIR,
        ..RulesetAttr::default()
    };
    let ruleset_fd = create_ruleset(&ruleset_attr);
    expect_true!(
        ruleset_fd.is_ok(),
        "Failed to create a ruleset: {:?}",
        ruleset_fd.as_ref().err()
    );
    // C goes on with -1, which fails the calls below; there is no descriptor to go on with.
    let Ok(ruleset_fd) = ruleset_fd else {
        return;
    };
    expect_eq!(Ok(()), nix::sys::prctl::set_no_new_privs());
    expect_eq!(Ok(()), sys_restrict_self(ruleset_fd.as_raw_fd(), 0));
    expect_eq!(Ok(()), close(ruleset_fd));
}

/// Enters the domain `sandbox` says (the `if (... == OTHER_SANDBOX) ... else if` of C).
fn create_domain(sandbox: SandboxType) {
    match sandbox {
        SandboxType::None => {}
        SandboxType::Scope => create_scoped_domain(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET),
        SandboxType::Other => create_fs_domain(),
    }
}

/// Not in C: skips a case on a kernel that lacks a domain it will create. A case must skip
/// before it forks, since a skip in a child process fails the case.
#[track_caller]
fn require_sandboxes(sandboxes: &[SandboxType]) {
    if sandboxes.contains(&SandboxType::Scope) {
        require_scope(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);
    }
    if sandboxes.contains(&SandboxType::Other) {
        require_abi(1, "filesystem domains (LANDLOCK_ACCESS_FS_READ_DIR)");
    }
}

fixture! {
    scoped_domains {
        stream_address: Service,
        dgram_address: Service,
    }
    setup: |variant| {
        drop_caps();
        if uses_domain(variant) {
            require_scope(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);
        }

        Self {
            stream_address: Service::unix(SOCK_STREAM, 0),
            dgram_address: Service::unix(SOCK_DGRAM, 1),
        }
    },
}

// Test unix_stream_connect() and unix_may_send() for a child connecting to its parent, when
// they have scoped domain or no domain.
test_f!(scoped_domains, connect_to_parent, |self, variant| {
    // can_connect_to_parent is true if a child process can connect to its parent process.
    // This depends on the child process not being isolated from the parent with a dedicated
    // Landlock domain.
    let can_connect_to_parent = !variant.domain_child;

    let (pipe_read, pipe_write) = assert_ok!(pipe2(OFlag::O_CLOEXEC));
    if variant.domain_both {
        // C returns here if the domain failed: create_scoped_domain() ends the case then.
        create_scoped_domain(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);
    }

    let child = fork_child(|| {
        expect_eq!(Ok(()), close_in_child(&pipe_write));
        if variant.domain_child {
            create_scoped_domain(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);
        }

        let stream_client = assert_ok!(unix_socket(SOCK_STREAM));
        let dgram_client = assert_ok!(unix_socket(SOCK_DGRAM));

        // Waits for the server.
        assert_eq!(Ok(1), read_byte(&pipe_read));

        expect_eq!(
            eperm_if(!can_connect_to_parent),
            connect_variant(&stream_client, &self.stream_address)
        );
        expect_eq!(Ok(()), close(stream_client));

        expect_eq!(
            eperm_if(!can_connect_to_parent),
            connect_variant(&dgram_client, &self.dgram_address)
        );
        expect_eq!(Ok(()), close(dgram_client));
    });
    expect_eq!(Ok(()), close(pipe_read));
    if variant.domain_parent {
        create_scoped_domain(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);
    }

    let stream_server = assert_ok!(unix_socket(SOCK_STREAM));
    let dgram_server = assert_ok!(unix_socket(SOCK_DGRAM));
    assert_eq!(Ok(()), bind_variant(&stream_server, &self.stream_address));
    assert_eq!(Ok(()), bind_variant(&dgram_server, &self.dgram_address));
    assert_eq!(Ok(()), test_listen(&stream_server, BACKLOG));

    // Signals to child that the parent is listening.
    assert_eq!(Ok(1), write(&pipe_write, b"."));

    let pid = child.pid();
    let status = child.wait();
    expect_eq!(Ok(()), close(stream_server));
    expect_eq!(Ok(()), close(dgram_server));

    expect_eq!(WaitStatus::Exited(pid, 0), status);
});

// Test unix_stream_connect() and unix_may_send() for a parent connecting to its child, when
// they have scoped domain or no domain.
test_f!(scoped_domains, connect_to_child, |self, variant| {
    // can_connect_to_child is true if a parent process can connect to its child process. The
    // parent process is not isolated from the child with a dedicated Landlock domain.
    let can_connect_to_child = !variant.domain_parent;

    let (child_read, child_write) = assert_ok!(pipe2(OFlag::O_CLOEXEC));
    let (parent_read, parent_write) = assert_ok!(pipe2(OFlag::O_CLOEXEC));
    if variant.domain_both {
        // C returns here if the domain failed: create_scoped_domain() ends the case then.
        create_scoped_domain(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);
    }

    let child = fork_child(|| {
        expect_eq!(Ok(()), close_in_child(&parent_write));
        expect_eq!(Ok(()), close_in_child(&child_read));
        if variant.domain_child {
            create_scoped_domain(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);
        }

        // Waits for the parent to be in a domain, if any.
        assert_eq!(Ok(1), read_byte(&parent_read));

        let stream_server = assert_ok!(unix_socket(SOCK_STREAM));
        let dgram_server = assert_ok!(unix_socket(SOCK_DGRAM));
        assert_eq!(Ok(()), bind_variant(&stream_server, &self.stream_address));
        assert_eq!(Ok(()), bind_variant(&dgram_server, &self.dgram_address));
        assert_eq!(Ok(()), test_listen(&stream_server, BACKLOG));

        // Signals to the parent that child is listening.
        assert_eq!(Ok(1), write(&child_write, b"."));

        // Waits to connect.
        assert_eq!(Ok(1), read_byte(&parent_read));
        expect_eq!(Ok(()), close(stream_server));
        expect_eq!(Ok(()), close(dgram_server));
    });
    expect_eq!(Ok(()), close(child_write));
    expect_eq!(Ok(()), close(parent_read));

    if variant.domain_parent {
        create_scoped_domain(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);
    }

    // Signals that the parent is in a domain, if any.
    assert_eq!(Ok(1), write(&parent_write, b"."));

    let stream_client = assert_ok!(unix_socket(SOCK_STREAM));
    let dgram_client = assert_ok!(unix_socket(SOCK_DGRAM));

    // Waits for the child to listen
    assert_eq!(Ok(1), read_byte(&child_read));
    let err_stream = connect_variant(&stream_client, &self.stream_address);
    let err_dgram = connect_variant(&dgram_client, &self.dgram_address);
    expect_eq!(eperm_if(!can_connect_to_child), err_stream);
    expect_eq!(eperm_if(!can_connect_to_child), err_dgram);
    assert_eq!(Ok(1), write(&parent_write, b"."));
    expect_eq!(Ok(()), close(stream_client));
    expect_eq!(Ok(()), close(dgram_client));

    let pid = child.pid();
    expect_eq!(WaitStatus::Exited(pid, 0), child.wait());
});

fixture! {
    scoped_audit {
        dgram_address: Service,
        audit_fd: AuditSocket,
    }
    setup: |_| {
        // Not in C: audit needs the initial user namespace, and records ABI 7 (Linux 6.15).
        require_audit();
        require_scope(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);
        disable_caps();

        let dgram_address = Service::unix(SOCK_DGRAM, 1);

        let audit_fd = audit_init();
        // C drops every capability here and cleans up in the parent (FIXTURE_TEARDOWN_PARENT).
        // The audit socket is no plain data to share with the parent, so the teardown runs
        // here and raises CAP_AUDIT_CONTROL again: only disable_caps() keeps it permitted.
        // Nothing is effective in the body either way.
        disable_caps();
        Self { dgram_address, audit_fd }
    },
    teardown: |self, _| {
        expect_eq!(Ok(()), audit_cleanup(&mut self.audit_fd));
    },
}

// Simpler version of scoped_domains.connect_to_child, but with audit tests.
test_f!(
    scoped_audit,
    connect_to_child,
    exclusive = audit,
    |self, _| {
        // Makes sure there is no superfluous logged records.
        expect_eq!(
            Ok(0),
            self.audit_fd.count_records().map(|records| records.access)
        );

        let (child_read, child_write) = assert_ok!(pipe2(OFlag::O_CLOEXEC));
        let (parent_read, parent_write) = assert_ok!(pipe2(OFlag::O_CLOEXEC));

        let child = fork_child(|| {
            expect_eq!(Ok(()), close_in_child(&parent_write));
            expect_eq!(Ok(()), close_in_child(&child_read));

            // Waits for the parent to be in a domain.
            assert_eq!(Ok(1), read_byte(&parent_read));

            let dgram_server = assert_ok!(unix_socket(SOCK_DGRAM));
            assert_eq!(Ok(()), bind_variant(&dgram_server, &self.dgram_address));

            // Signals to the parent that child is listening.
            assert_eq!(Ok(1), write(&child_write, b"."));

            // Waits to connect.
            assert_eq!(Ok(1), read_byte(&parent_read));
            expect_eq!(Ok(()), close(dgram_server));
        });
        expect_eq!(Ok(()), close(child_write));
        expect_eq!(Ok(()), close(parent_read));

        create_scoped_domain(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);

        // Signals that the parent is in a domain, if any.
        assert_eq!(Ok(1), write(&parent_write, b"."));

        let dgram_client = assert_ok!(unix_socket(SOCK_DGRAM));

        // Waits for the child to listen
        assert_eq!(Ok(1), read_byte(&child_read));
        expect_eq!(
            Err(Errno::EPERM),
            connect_variant(&dgram_client, &self.dgram_address)
        );

        // The record prints the whole abstract name in hex, where C's pattern has its prefix
        // ("\0selftests-landlock-abstract-unix-") and any hex digits after it.
        let name = self.dgram_address.unix_name().unwrap_or_default();
        let path: String = name.iter().map(|byte| format!("{byte:02X}")).collect();
        expect_eq!(
            Ok(()),
            self.audit_fd
                .match_record(
                    AUDIT_LANDLOCK_ACCESS,
                    &format!(" blockers=scope.abstract_unix_socket path={path}")
                )
                .map(drop)
        );

        assert_eq!(Ok(1), write(&parent_write, b"."));
        expect_eq!(Ok(()), close(dgram_client));

        let pid = child.pid();
        expect_eq!(WaitStatus::Exited(pid, 0), child.wait());
    }
);

fixture! {
    scoped_vs_unscoped {
        parent_stream_address: Service,
        parent_dgram_address: Service,
        child_stream_address: Service,
        child_dgram_address: Service,
    }
    setup: |variant| {
        drop_caps();
        require_sandboxes(&[
            variant.domain_all,
            variant.domain_parent,
            variant.domain_children,
            variant.domain_child,
            variant.domain_grand_child,
        ]);

        Self {
            parent_stream_address: Service::unix(SOCK_STREAM, 0),
            parent_dgram_address: Service::unix(SOCK_DGRAM, 1),
            child_stream_address: Service::unix(SOCK_STREAM, 2),
            child_dgram_address: Service::unix(SOCK_DGRAM, 3),
        }
    },
}

// Test unix_stream_connect and unix_may_send for parent, child and grand child processes when
// they can have scoped or non-scoped domains.
test_f!(scoped_vs_unscoped, unix_scoping, |self, variant| {
    let can_connect_to_child = variant.domain_grand_child != SandboxType::Scope;
    let can_connect_to_parent =
        can_connect_to_child && variant.domain_children != SandboxType::Scope;

    let (parent_read, parent_write) = assert_ok!(pipe2(OFlag::O_CLOEXEC));

    create_domain(variant.domain_all);

    let child = fork_child(|| {
        let (child_read, child_write) = assert_ok!(pipe2(OFlag::O_CLOEXEC));

        create_domain(variant.domain_children);

        let grand_child = fork_child(|| {
            expect_eq!(Ok(()), close_in_child(&parent_write));
            expect_eq!(Ok(()), close_in_child(&child_write));

            create_domain(variant.domain_grand_child);

            let stream_client = assert_ok!(unix_socket(SOCK_STREAM));
            let dgram_client = assert_ok!(unix_socket(SOCK_DGRAM));

            assert_eq!(Ok(1), read_byte(&child_read));
            let stream_err = connect_variant(&stream_client, &self.child_stream_address);
            let dgram_err = connect_variant(&dgram_client, &self.child_dgram_address);
            expect_eq!(eperm_if(!can_connect_to_child), stream_err);
            expect_eq!(eperm_if(!can_connect_to_child), dgram_err);

            expect_eq!(Ok(()), close(stream_client));
            let stream_client = assert_ok!(unix_socket(SOCK_STREAM));
            // Datagram sockets can "reconnect".

            assert_eq!(Ok(1), read_byte(&parent_read));
            let stream_err = connect_variant(&stream_client, &self.parent_stream_address);
            let dgram_err = connect_variant(&dgram_client, &self.parent_dgram_address);
            expect_eq!(eperm_if(!can_connect_to_parent), stream_err);
            expect_eq!(eperm_if(!can_connect_to_parent), dgram_err);
            expect_eq!(Ok(()), close(stream_client));
            expect_eq!(Ok(()), close(dgram_client));
        });
        expect_eq!(Ok(()), close(child_read));
        create_domain(variant.domain_child);

        let stream_server_child = assert_ok!(unix_socket(SOCK_STREAM));
        let dgram_server_child = assert_ok!(unix_socket(SOCK_DGRAM));

        assert_eq!(
            Ok(()),
            bind_variant(&stream_server_child, &self.child_stream_address)
        );
        assert_eq!(
            Ok(()),
            bind_variant(&dgram_server_child, &self.child_dgram_address)
        );
        assert_eq!(Ok(()), test_listen(&stream_server_child, BACKLOG));

        assert_eq!(Ok(1), write(&child_write, b"."));
        // Not in C, which waits for the grandchild without reading its status.
        let pid = grand_child.pid();
        expect_eq!(WaitStatus::Exited(pid, 0), grand_child.wait());
        expect_eq!(Ok(()), close(stream_server_child));
        expect_eq!(Ok(()), close(dgram_server_child));
    });
    expect_eq!(Ok(()), close(parent_read));

    create_domain(variant.domain_parent);

    let stream_server_parent = assert_ok!(unix_socket(SOCK_STREAM));
    let dgram_server_parent = assert_ok!(unix_socket(SOCK_DGRAM));
    assert_eq!(
        Ok(()),
        bind_variant(&stream_server_parent, &self.parent_stream_address)
    );
    assert_eq!(
        Ok(()),
        bind_variant(&dgram_server_parent, &self.parent_dgram_address)
    );

    assert_eq!(Ok(()), test_listen(&stream_server_parent, BACKLOG));

    assert_eq!(Ok(1), write(&parent_write, b"."));
    let pid = child.pid();
    let status = child.wait();
    expect_eq!(Ok(()), close(stream_server_parent));
    expect_eq!(Ok(()), close(dgram_server_parent));

    expect_eq!(WaitStatus::Exited(pid, 0), status);
});

fixture! {
    outside_socket {
        address: Service,
        transit_address: Service,
    }
    setup: |variant| {
        drop_caps();
        require_scope(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);

        Self {
            transit_address: Service::unix(SOCK_STREAM, 0),
            address: Service::unix(variant.type_, 1),
        }
    },
}

variant! {
    outside_socket {
        child_socket: bool,
        type_: i32,
    }
    allow_dgram_child { child_socket: true, type_: SOCK_DGRAM }
    deny_dgram_server { child_socket: false, type_: SOCK_DGRAM }
    allow_stream_child { child_socket: true, type_: SOCK_STREAM }
    deny_stream_server { child_socket: false, type_: SOCK_STREAM }
}

// Test unix_stream_connect and unix_may_send for parent and child processes when connecting
// socket has different domain than the process using it.
test_f!(
    outside_socket,
    socket_with_different_domain,
    |self, variant| {
        let (child_read, child_write) = assert_ok!(pipe2(OFlag::O_CLOEXEC));
        let (parent_read, parent_write) = assert_ok!(pipe2(OFlag::O_CLOEXEC));

        let child = fork_child(|| {
            expect_eq!(Ok(()), close_in_child(&parent_write));
            expect_eq!(Ok(()), close_in_child(&child_read));

            // Client always has a domain.
            create_scoped_domain(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);

            // C never closes the data socket: it stays open until the child ends.
            let _data_socket = if variant.child_socket {
                let passed_socket = assert_ok!(unix_socket(variant.type_));
                let stream_server = assert_ok!(unix_socket(SOCK_STREAM));
                assert_eq!(Ok(()), bind_variant(&stream_server, &self.transit_address));
                assert_eq!(Ok(()), test_listen(&stream_server, BACKLOG));
                assert_eq!(Ok(1), write(&child_write, b"."));
                let data_socket = assert_ok!(test_accept(&stream_server));
                assert_eq!(Ok(()), send_fd(&data_socket, &passed_socket));
                expect_eq!(Ok(()), close(passed_socket));
                expect_eq!(Ok(()), close(stream_server));
                Some(data_socket)
            } else {
                None
            };

            let client_socket = assert_ok!(unix_socket(variant.type_));

            // Waits for parent signal for connection.
            assert_eq!(Ok(1), read_byte(&parent_read));
            expect_eq!(
                eperm_if(!variant.child_socket),
                connect_variant(&client_socket, &self.address)
            );
            expect_eq!(Ok(()), close(client_socket));
        });
        expect_eq!(Ok(()), close(child_write));
        expect_eq!(Ok(()), close(parent_read));

        let server_socket = if variant.child_socket {
            let client_child = assert_ok!(unix_socket(SOCK_STREAM));

            assert_eq!(Ok(1), read_byte(&child_read));
            assert_eq!(
                Ok(()),
                connect_variant(&client_child, &self.transit_address)
            );
            let server_socket = recv_fd(&client_child);
            expect_eq!(Ok(()), close(client_child));
            server_socket
        } else {
            unix_socket(variant.type_)
        };
        let server_socket = assert_ok!(server_socket);

        // Server always has a domain.
        create_scoped_domain(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);

        assert_eq!(Ok(()), bind_variant(&server_socket, &self.address));
        if variant.type_ == SOCK_STREAM {
            assert_eq!(Ok(()), test_listen(&server_socket, BACKLOG));
        }

        // Signals to child that the parent is listening.
        assert_eq!(Ok(1), write(&parent_write, b"."));

        let pid = child.pid();
        let status = child.wait();
        expect_eq!(Ok(()), close(server_socket));

        expect_eq!(WaitStatus::Exited(pid, 0), status);
    }
);

// Under C's `TMP_DIR`, in the case's private working directory.
const STREAM_PATH: &str = "tmp/stream.sock";
const DGRAM_PATH: &str = "tmp/dgram.sock";

fixture! {
    various_address_sockets {}
    setup: |variant| {
        drop_caps();
        require_sandboxes(&[variant.domain]);

        umask(Mode::from_bits_truncate(0o077));
        assert_eq!(Ok(()), mkdir(TMP_DIR, 0o700));
        Self {}
    },
    teardown: |self, _| {
        expect_eq!(Ok(()), unlink(STREAM_PATH));
        expect_eq!(Ok(()), unlink(DGRAM_PATH));
        expect_eq!(Ok(()), rmdir(TMP_DIR));
    },
}

variant! {
    various_address_sockets {
        domain: SandboxType,
    }
    pathname_socket_scoped_domain { domain: SandboxType::Scope }
    pathname_socket_other_domain { domain: SandboxType::Other }
    pathname_socket_no_domain { domain: SandboxType::None }
}

test_f!(
    various_address_sockets,
    scoped_pathname_sockets,
    |self, variant| {
        let scoped = variant.domain == SandboxType::Scope;
        let mut buf_parent = [0u8];

        // Pathname address.
        let stream_pathname_addr = assert_ok!(UnixAddr::new(STREAM_PATH));
        let dgram_pathname_addr = assert_ok!(UnixAddr::new(DGRAM_PATH));

        // Abstract address.
        let stream_abstract_addr = Service::unix(SOCK_STREAM, 0);
        let dgram_abstract_addr = Service::unix(SOCK_DGRAM, 1);

        // Unnamed address for datagram socket.
        let (unnamed_0, unnamed_1) = assert_ok!(socketpair(
            AddressFamily::Unix,
            SockType::Datagram,
            None,
            SockFlag::empty()
        ));

        let (pipe_read, pipe_write) = assert_ok!(pipe2(OFlag::O_CLOEXEC));

        let child = fork_child(|| {
            expect_eq!(Ok(()), close_in_child(&pipe_write));
            expect_eq!(Ok(()), close_in_child(&unnamed_1));

            create_domain(variant.domain);

            // Waits for parent to listen.
            assert_eq!(Ok(1), read_byte(&pipe_read));
            expect_eq!(Ok(()), close_in_child(&pipe_read));

            // Checks that we can send data through a datagram socket.
            assert_eq!(Ok(1), write(&unnamed_0, b"a"));
            expect_eq!(Ok(()), close_in_child(&unnamed_0));

            // Connects with pathname sockets.
            let stream_pathname_socket = assert_ok!(unix_socket(SOCK_STREAM));
            assert_eq!(
                Ok(()),
                connect(stream_pathname_socket.as_raw_fd(), &stream_pathname_addr)
            );
            assert_eq!(Ok(1), write(&stream_pathname_socket, b"b"));
            expect_eq!(Ok(()), close(stream_pathname_socket));

            // Sends without connection.
            let dgram_pathname_socket = assert_ok!(unix_socket(SOCK_DGRAM));
            expect_eq!(
                Ok(1),
                sendto(
                    dgram_pathname_socket.as_raw_fd(),
                    b"c",
                    &dgram_pathname_addr,
                    MsgFlags::empty()
                )
            );

            // Sends with connection.
            assert_eq!(
                Ok(()),
                connect(dgram_pathname_socket.as_raw_fd(), &dgram_pathname_addr)
            );
            assert_eq!(Ok(1), write(&dgram_pathname_socket, b"d"));
            expect_eq!(Ok(()), close(dgram_pathname_socket));

            // Connects with abstract sockets.
            let stream_abstract_socket = assert_ok!(unix_socket(SOCK_STREAM));
            let err = connect_variant(&stream_abstract_socket, &stream_abstract_addr);
            if scoped {
                expect_eq!(Err(Errno::EPERM), err);
            } else {
                expect_eq!(Ok(()), err);
                assert_eq!(Ok(1), write(&stream_abstract_socket, b"e"));
            }
            expect_eq!(Ok(()), close(stream_abstract_socket));

            // Sends without connection.
            let dgram_abstract_socket = assert_ok!(unix_socket(SOCK_DGRAM));
            let sent = sendto_variant(&dgram_abstract_socket, b"f", &dgram_abstract_addr);
            if scoped {
                expect_eq!(Err(Errno::EPERM), sent);
            } else {
                expect_eq!(Ok(1), sent);
            }

            // Sends with connection.
            let err = connect_variant(&dgram_abstract_socket, &dgram_abstract_addr);
            if scoped {
                expect_eq!(Err(Errno::EPERM), err);
            } else {
                expect_eq!(Ok(()), err);
                assert_eq!(Ok(1), write(&dgram_abstract_socket, b"g"));
            }
            expect_eq!(Ok(()), close(dgram_abstract_socket));
        });
        expect_eq!(Ok(()), close(pipe_read));
        expect_eq!(Ok(()), close(unnamed_0));

        // Sets up pathname servers.
        let stream_pathname_socket = assert_ok!(unix_socket(SOCK_STREAM));
        assert_eq!(
            Ok(()),
            bind(stream_pathname_socket.as_raw_fd(), &stream_pathname_addr)
        );
        assert_eq!(Ok(()), test_listen(&stream_pathname_socket, BACKLOG));

        let dgram_pathname_socket = assert_ok!(unix_socket(SOCK_DGRAM));
        assert_eq!(
            Ok(()),
            bind(dgram_pathname_socket.as_raw_fd(), &dgram_pathname_addr)
        );

        // Sets up abstract servers.
        let stream_abstract_socket = assert_ok!(unix_socket(SOCK_STREAM));
        assert_eq!(
            Ok(()),
            bind_variant(&stream_abstract_socket, &stream_abstract_addr)
        );

        let dgram_abstract_socket = assert_ok!(unix_socket(SOCK_DGRAM));
        assert_eq!(
            Ok(()),
            bind_variant(&dgram_abstract_socket, &dgram_abstract_addr)
        );
        assert_eq!(Ok(()), test_listen(&stream_abstract_socket, BACKLOG));

        assert_eq!(Ok(1), write(&pipe_write, b"."));
        expect_eq!(Ok(()), close(pipe_write));

        // Reads from unnamed socket.
        assert_eq!(Ok(1), read(&unnamed_1, &mut buf_parent));
        assert_eq!(b'a', buf_parent[0]);
        expect_eq!(Ok(()), close(unnamed_1));

        // Reads from pathname sockets.
        let data_socket = assert_ok!(test_accept(&stream_pathname_socket));
        assert_eq!(Ok(1), read(&data_socket, &mut buf_parent));
        assert_eq!(b'b', buf_parent[0]);
        expect_eq!(Ok(()), close(data_socket));
        expect_eq!(Ok(()), close(stream_pathname_socket));

        assert_eq!(Ok(1), read(&dgram_pathname_socket, &mut buf_parent));
        assert_eq!(b'c', buf_parent[0]);
        assert_eq!(Ok(1), read(&dgram_pathname_socket, &mut buf_parent));
        assert_eq!(b'd', buf_parent[0]);
        expect_eq!(Ok(()), close(dgram_pathname_socket));

        if !scoped {
            // Reads from abstract sockets if allowed to send.
            let data_socket = assert_ok!(test_accept(&stream_abstract_socket));
            assert_eq!(Ok(1), read(&data_socket, &mut buf_parent));
            assert_eq!(b'e', buf_parent[0]);
            expect_eq!(Ok(()), close(data_socket));

            assert_eq!(Ok(1), read(&dgram_abstract_socket, &mut buf_parent));
            assert_eq!(b'f', buf_parent[0]);
            assert_eq!(Ok(1), read(&dgram_abstract_socket, &mut buf_parent));
            assert_eq!(b'g', buf_parent[0]);
        }

        // Waits for all abstract socket tests.
        let pid = child.pid();
        let status = child.wait();
        expect_eq!(Ok(()), close(stream_abstract_socket));
        expect_eq!(Ok(()), close(dgram_abstract_socket));

        expect_eq!(WaitStatus::Exited(pid, 0), status);
    }
);

test!(datagram_sockets, || {
    drop_caps();
    require_scope(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);
    let connected_addr = Service::unix(SOCK_DGRAM, 0);
    let non_connected_addr = Service::unix(SOCK_DGRAM, 1);
    let mut buf = [0u8];

    let (parent_read, parent_write) = assert_ok!(pipe2(OFlag::O_CLOEXEC));
    let (child_read, child_write) = assert_ok!(pipe2(OFlag::O_CLOEXEC));

    let child = fork_child(|| {
        expect_eq!(Ok(()), close_in_child(&parent_write));
        expect_eq!(Ok(()), close_in_child(&child_read));

        let client_conn_socket = unix_socket(SOCK_DGRAM);
        let client_unconn_socket = unix_socket(SOCK_DGRAM);
        let client_conn_socket = assert_ok!(client_conn_socket);
        let client_unconn_socket = assert_ok!(client_unconn_socket);

        // Waits for parent to listen.
        assert_eq!(Ok(1), read_byte(&parent_read));
        assert_eq!(
            Ok(()),
            connect_variant(&client_conn_socket, &connected_addr)
        );

        // Both connected and non-connected sockets can send data when the domain is not
        // scoped.
        assert_eq!(
            Ok(1),
            send(client_conn_socket.as_raw_fd(), b".", MsgFlags::empty())
        );
        assert_eq!(
            Ok(1),
            sendto_variant(&client_unconn_socket, b".", &non_connected_addr)
        );
        assert_eq!(Ok(1), write(&child_write, b"."));

        // Scopes the domain.
        create_scoped_domain(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);

        // Connected socket sends data to the receiver, but the non-connected socket must fail
        // to send data.
        assert_eq!(
            Ok(1),
            send(client_conn_socket.as_raw_fd(), b".", MsgFlags::empty())
        );
        assert_eq!(
            Err(Errno::EPERM),
            sendto_variant(&client_unconn_socket, b".", &non_connected_addr)
        );
        assert_eq!(Ok(1), write(&child_write, b"."));

        expect_eq!(Ok(()), close(client_conn_socket));
        expect_eq!(Ok(()), close(client_unconn_socket));
    });
    expect_eq!(Ok(()), close(parent_read));
    expect_eq!(Ok(()), close(child_write));

    let server_conn_socket = unix_socket(SOCK_DGRAM);
    let server_unconn_socket = unix_socket(SOCK_DGRAM);
    let server_conn_socket = assert_ok!(server_conn_socket);
    let server_unconn_socket = assert_ok!(server_unconn_socket);

    assert_eq!(Ok(()), bind_variant(&server_conn_socket, &connected_addr));
    assert_eq!(
        Ok(()),
        bind_variant(&server_unconn_socket, &non_connected_addr)
    );
    assert_eq!(Ok(1), write(&parent_write, b"."));

    // Waits for child to test.
    assert_eq!(Ok(1), read_byte(&child_read));
    assert_eq!(
        Ok(1),
        recv(server_conn_socket.as_raw_fd(), &mut buf, MsgFlags::empty())
    );
    assert_eq!(
        Ok(1),
        recv(
            server_unconn_socket.as_raw_fd(),
            &mut buf,
            MsgFlags::empty()
        )
    );

    // Connected datagram socket will receive data, but non-connected datagram socket does not
    // receive data.
    assert_eq!(Ok(1), read_byte(&child_read));
    assert_eq!(
        Ok(1),
        recv(server_conn_socket.as_raw_fd(), &mut buf, MsgFlags::empty())
    );

    // Waits for all tests to finish.
    let pid = child.pid();
    let status = child.wait();
    expect_eq!(Ok(()), close(server_conn_socket));
    expect_eq!(Ok(()), close(server_unconn_socket));

    expect_eq!(WaitStatus::Exited(pid, 0), status);
});

test!(self_connect, || {
    drop_caps();
    require_scope(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);
    let connected_addr = Service::unix(SOCK_DGRAM, 0);
    let non_connected_addr = Service::unix(SOCK_DGRAM, 1);

    let connected_socket = unix_socket(SOCK_DGRAM);
    let non_connected_socket = unix_socket(SOCK_DGRAM);
    let connected_socket = assert_ok!(connected_socket);
    let non_connected_socket = assert_ok!(non_connected_socket);

    assert_eq!(Ok(()), bind_variant(&connected_socket, &connected_addr));
    assert_eq!(
        Ok(()),
        bind_variant(&non_connected_socket, &non_connected_addr)
    );

    let child = fork_child(|| {
        // Child's domain is scoped.
        create_scoped_domain(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);

        // The child inherits the sockets, and cannot connect or send data to them.
        assert_eq!(
            Err(Errno::EPERM),
            connect_variant(&connected_socket, &connected_addr)
        );

        assert_eq!(
            Err(Errno::EPERM),
            sendto_variant(&connected_socket, b".", &connected_addr)
        );

        assert_eq!(
            Err(Errno::EPERM),
            sendto_variant(&non_connected_socket, b".", &non_connected_addr)
        );

        expect_eq!(Ok(()), close_in_child(&connected_socket));
        expect_eq!(Ok(()), close_in_child(&non_connected_socket));
    });

    // Waits for all tests to finish.
    let pid = child.pid();
    let status = child.wait();
    expect_eq!(Ok(()), close(connected_socket));
    expect_eq!(Ok(()), close(non_connected_socket));

    expect_eq!(WaitStatus::Exited(pid, 0), status);
});

test_harness_main!();
