//! Landlock tests - listen(2) restricted by a TCP listen right, as the
//! LANDLOCK_ACCESS_NET_LISTEN_TCP RFC (Aug 2024) proposed it. No upstream C file has these: they
//! are written in net_test.c's style for a kernel that carries such a right (the project's
//! kernel/patches/listen-tcp prototype does).
//!
//! They run only where the right is declared (`LANDLOCK_TEST_LISTEN_TCP`, see
//! `landlock_test_core::listen`), and skip elsewhere: no released kernel knows a listen right.
//!
//! The rules follow bind and connect: a port rule grants listening on a socket bound to that
//! local port, every layer handling the right must grant it, `EACCES` otherwise. A port the
//! kernel chooses (a socket bound to port 0, or not bound when listen(2) autobinds it) is checked
//! as port 0, "any port in the ephemeral range", as bind(2) to port 0 is. MPTCP sockets are not
//! restricted by TCP rights (erratum 1), for listen as for bind and connect.

use std::os::fd::{AsFd, AsRawFd};

use landlock_test_core::audit::prelude::*;
use landlock_test_core::net::prelude::*;
use landlock_test_core::prelude::*;
use landlock_test_core::{assert_eq, assert_ok};
use libc::IPPROTO_MPTCP;
use nix::sys::socket::{Shutdown, shutdown};

/// The declared listen right (the fixture skips when there is none).
fn listen_tcp() -> u64 {
    listen_mode().access()
}

/// Skips the case unless a listen right is declared.
fn require_declared_listen() {
    if listen_mode() == ListenMode::Unrestricted {
        skip!(
            "no released kernel has a listen right (LANDLOCK_ACCESS_NET_LISTEN_TCP was never \
             merged); for a kernel that has one, declare its bit with {LISTEN_TCP_ENV}=0x10 (say)"
        );
    }
}

/// Enforces one layer: a ruleset handling `handled`, with one rule per `(access, port)`.
fn enforce_layer(handled: u64, rules: &[(u64, u16)]) {
    let ruleset_fd = assert_ok!(create_ruleset(&RulesetAttr::net(handled)));
    for &(access, port) in rules {
        assert_eq!(
            Ok(()),
            add_rule(&ruleset_fd, &NetPortAttr::new(access, port.into()))
        );
    }
    enforce_ruleset(&ruleset_fd);
}

/// shutdown(2) of both directions, which stops a listening socket (it may listen again).
fn test_shutdown(fd: impl AsFd) -> Result<(), Errno> {
    shutdown(fd.as_fd().as_raw_fd(), Shutdown::Both)
}

fixture! {
    listen_tcp {
        srv0: Service,
        srv1: Service,
        srv2: Service,
    }
    setup: |variant| {
        disable_caps();
        require_net_rules();
        require_declared_listen();
        let fixture = Self {
            srv0: Service::new(variant.prot, 0),
            srv1: Service::new(variant.prot, 1),
            srv2: Service::new(variant.prot, 2),
        };
        setup_loopback();
        fixture
    },
}

variant! {
    listen_tcp {
        prot: Protocol,
    }
    ipv4 { prot: Protocol::TCP_V4 }
    ipv6 { prot: Protocol::TCP_V6 }
}

test_f!(listen_tcp, port, |self, _variant| {
    let listen = listen_tcp();
    enforce_layer(
        LANDLOCK_ACCESS_NET_BIND_TCP | listen,
        &[
            (LANDLOCK_ACCESS_NET_BIND_TCP | listen, self.srv0.port()),
            (LANDLOCK_ACCESS_NET_BIND_TCP, self.srv1.port()),
        ],
    );

    // Allows binding and listening on the first port.
    let fd0 = assert_ok!(socket_variant(&self.srv0));
    expect_eq!(Ok(()), bind_variant(&fd0, &self.srv0));
    expect_eq!(Ok(()), test_listen(&fd0, BACKLOG));

    // Allows binding but denies listening on the second port.
    let fd1 = assert_ok!(socket_variant(&self.srv1));
    expect_eq!(Ok(()), bind_variant(&fd1, &self.srv1));
    expect_eq!(Err(Errno::EACCES), test_listen(&fd1, BACKLOG));

    // Denies binding on the third port, which has no rule.
    let fd2 = assert_ok!(socket_variant(&self.srv2));
    expect_eq!(Err(Errno::EACCES), bind_variant(&fd2, &self.srv2));

    // Only the first socket listens (connect is not handled).
    let client0 = assert_ok!(socket_variant(&self.srv0));
    expect_eq!(Ok(()), connect_variant(&client0, &self.srv0));
    let client1 = assert_ok!(socket_variant(&self.srv1));
    expect_eq!(
        Err(Errno::ECONNREFUSED),
        connect_variant(&client1, &self.srv1)
    );
});

test_f!(listen_tcp, layers, |self, _variant| {
    let listen = listen_tcp();
    let bind_listen = LANDLOCK_ACCESS_NET_BIND_TCP | listen;

    // A first layer allows binding and listening on every port of the test.
    enforce_layer(
        bind_listen,
        &[
            (bind_listen, self.srv0.port()),
            (bind_listen, self.srv1.port()),
            (bind_listen, self.srv2.port()),
        ],
    );
    let listening1 = assert_ok!(socket_variant(&self.srv1));
    expect_eq!(Ok(()), bind_variant(&listening1, &self.srv1));
    expect_eq!(Ok(()), test_listen(&listening1, BACKLOG));

    // A second layer denies listening on the second and third ports.
    enforce_layer(
        bind_listen,
        &[
            (bind_listen, self.srv0.port()),
            (LANDLOCK_ACCESS_NET_BIND_TCP, self.srv1.port()),
            (LANDLOCK_ACCESS_NET_BIND_TCP, self.srv2.port()),
        ],
    );
    let fd0 = assert_ok!(socket_variant(&self.srv0));
    expect_eq!(Ok(()), bind_variant(&fd0, &self.srv0));
    expect_eq!(Ok(()), test_listen(&fd0, BACKLOG));
    let fd2 = assert_ok!(socket_variant(&self.srv2));
    expect_eq!(Ok(()), bind_variant(&fd2, &self.srv2));
    expect_eq!(Err(Errno::EACCES), test_listen(&fd2, BACKLOG));

    // listen(2) on a listening socket (a new backlog) is checked again, and its denial does not
    // stop the socket listening.
    expect_eq!(Err(Errno::EACCES), test_listen(&listening1, BACKLOG + 1));
    let client1 = assert_ok!(socket_variant(&self.srv1));
    expect_eq!(Ok(()), connect_variant(&client1, &self.srv1));

    // A third layer that does not handle listening does not restrict it.
    enforce_layer(
        LANDLOCK_ACCESS_NET_BIND_TCP,
        &[(LANDLOCK_ACCESS_NET_BIND_TCP, self.srv0.port())],
    );
    drop(fd0);
    let fd0 = assert_ok!(socket_variant(&self.srv0));
    expect_eq!(Ok(()), bind_variant(&fd0, &self.srv0));
    expect_eq!(Ok(()), test_listen(&fd0, BACKLOG));
});

test_f!(listen_tcp, bind_port_zero, |self, _variant| {
    let listen = listen_tcp();
    let bind_listen = LANDLOCK_ACCESS_NET_BIND_TCP | listen;
    let mut any_port = self.srv0;
    any_port.set_port(0);

    enforce_layer(
        bind_listen,
        &[(bind_listen, 0), (bind_listen, self.srv0.port())],
    );
    // Binds on port 0, which selects a random port within ip_local_port_range: listening on it
    // is checked as port 0.
    let fd = assert_ok!(socket_variant(&any_port));
    expect_eq!(Ok(()), bind_variant(&fd, &any_port));
    expect_ne!(Ok(0), bound_port(&fd));
    expect_eq!(Ok(()), test_listen(&fd, BACKLOG));

    let chosen_fd = assert_ok!(socket_variant(&any_port));
    expect_eq!(Ok(()), bind_variant(&chosen_fd, &any_port));
    let chosen = assert_ok!(bound_port(&chosen_fd));
    expect_ne!(0, chosen);

    // A second layer allows binding on port 0 and listening on the chosen port, but not
    // listening on port 0: the kernel's choice is not the port checked.
    enforce_layer(
        bind_listen,
        &[
            (LANDLOCK_ACCESS_NET_BIND_TCP, 0),
            (listen, chosen),
            (bind_listen, self.srv0.port()),
        ],
    );
    expect_eq!(Err(Errno::EACCES), test_listen(&chosen_fd, BACKLOG));
    let fd = assert_ok!(socket_variant(&any_port));
    expect_eq!(Ok(()), bind_variant(&fd, &any_port));
    expect_eq!(Err(Errno::EACCES), test_listen(&fd, BACKLOG));

    // An explicit port is checked as itself.
    let fd0 = assert_ok!(socket_variant(&self.srv0));
    expect_eq!(Ok(()), bind_variant(&fd0, &self.srv0));
    expect_eq!(Ok(()), test_listen(&fd0, BACKLOG));
});

test_f!(listen_tcp, unbound, |self, _variant| {
    let listen = listen_tcp();

    // Listening on port 0 without any bind right: the autobind of listen(2) is not a bind(2).
    enforce_layer(
        LANDLOCK_ACCESS_NET_BIND_TCP | listen,
        &[(listen, 0), (listen, self.srv0.port())],
    );
    let fd = assert_ok!(socket_variant(&self.srv0));
    expect_eq!(Ok(()), test_listen(&fd, BACKLOG));
    expect_ne!(Ok(0), bound_port(&fd));
    let fd0 = assert_ok!(socket_variant(&self.srv0));
    expect_eq!(Err(Errno::EACCES), bind_variant(&fd0, &self.srv0));

    // A second layer allows listening on the first port only: not on an autobound one.
    enforce_layer(listen, &[(listen, self.srv0.port())]);
    let fd = assert_ok!(socket_variant(&self.srv0));
    expect_eq!(Err(Errno::EACCES), test_listen(&fd, BACKLOG));
    // The denied listen(2) did not autobind the socket.
    expect_eq!(Ok(0), bound_port(&fd));
});

test_f!(listen_tcp, shutdown_relisten, |self, _variant| {
    let listen = listen_tcp();
    let bind_listen = LANDLOCK_ACCESS_NET_BIND_TCP | listen;

    enforce_layer(bind_listen, &[(bind_listen, self.srv0.port()), (listen, 0)]);
    // An explicitly bound socket keeps its port after a shutdown.
    let bound_fd = assert_ok!(socket_variant(&self.srv0));
    expect_eq!(Ok(()), bind_variant(&bound_fd, &self.srv0));
    expect_eq!(Ok(()), test_listen(&bound_fd, BACKLOG));
    expect_eq!(Ok(()), test_shutdown(&bound_fd));
    expect_eq!(Ok(self.srv0.port()), bound_port(&bound_fd));
    expect_eq!(Ok(()), test_listen(&bound_fd, BACKLOG));

    // An autobound socket loses its port with a shutdown (getsockname(2) still shows it):
    // listening again autobinds it anew, checked as port 0.
    let auto_fd = assert_ok!(socket_variant(&self.srv0));
    expect_eq!(Ok(()), test_listen(&auto_fd, BACKLOG));
    expect_eq!(Ok(()), test_shutdown(&auto_fd));
    expect_eq!(Ok(()), test_listen(&auto_fd, BACKLOG));

    // A second layer allows listening on the first port only.
    enforce_layer(listen, &[(listen, self.srv0.port())]);
    expect_eq!(Ok(()), test_shutdown(&bound_fd));
    expect_eq!(Ok(()), test_listen(&bound_fd, BACKLOG));
    expect_eq!(Ok(()), test_shutdown(&auto_fd));
    expect_eq!(Err(Errno::EACCES), test_listen(&auto_fd, BACKLOG));
});

test_f!(listen_tcp, listen_not_bind, |self, _variant| {
    let listen = listen_tcp();

    // Bound before the sandbox.
    let bound_fd = assert_ok!(socket_variant(&self.srv0));
    expect_eq!(Ok(()), bind_variant(&bound_fd, &self.srv0));

    // Rules granting listening but not binding.
    enforce_layer(
        LANDLOCK_ACCESS_NET_BIND_TCP | listen,
        &[(listen, self.srv0.port()), (listen, self.srv1.port())],
    );
    let fd1 = assert_ok!(socket_variant(&self.srv1));
    expect_eq!(Err(Errno::EACCES), bind_variant(&fd1, &self.srv1));
    expect_eq!(Ok(()), test_listen(&bound_fd, BACKLOG));
});

test_f!(listen_tcp, bind_not_listen, |self, _variant| {
    let listen = listen_tcp();

    // Rules granting binding but not listening.
    enforce_layer(
        LANDLOCK_ACCESS_NET_BIND_TCP | listen,
        &[(LANDLOCK_ACCESS_NET_BIND_TCP, self.srv0.port())],
    );
    let fd = assert_ok!(socket_variant(&self.srv0));
    expect_eq!(Ok(()), bind_variant(&fd, &self.srv0));
    expect_eq!(Err(Errno::EACCES), test_listen(&fd, BACKLOG));

    // Nothing listens (connect is not handled).
    let client = assert_ok!(socket_variant(&self.srv0));
    expect_eq!(
        Err(Errno::ECONNREFUSED),
        connect_variant(&client, &self.srv0)
    );
});

test_f!(listen_tcp, not_handled, |self, _variant| {
    let listen = listen_tcp();

    // A ruleset that does not handle listening refuses rules granting it.
    let ruleset_fd = assert_ok!(create_ruleset(&RulesetAttr::net(
        LANDLOCK_ACCESS_NET_BIND_TCP
    )));
    expect_eq!(
        Err(Errno::EINVAL),
        add_rule(
            &ruleset_fd,
            &NetPortAttr::new(listen, self.srv0.port().into())
        )
    );
    assert_eq!(
        Ok(()),
        add_rule(
            &ruleset_fd,
            &NetPortAttr::new(LANDLOCK_ACCESS_NET_BIND_TCP, self.srv0.port().into())
        )
    );
    enforce_ruleset(&ruleset_fd);

    // Listening stays unrestricted, on a bound socket and on an unbound one.
    let fd0 = assert_ok!(socket_variant(&self.srv0));
    expect_eq!(Ok(()), bind_variant(&fd0, &self.srv0));
    expect_eq!(Ok(()), test_listen(&fd0, BACKLOG));
    let fd = assert_ok!(socket_variant(&self.srv0));
    expect_eq!(Ok(()), test_listen(&fd, BACKLOG));
});

test_f!(listen_tcp, mptcp, |self, variant| {
    let listen = listen_tcp();
    let mptcp = Service::new(variant.prot.with_protocol(IPPROTO_MPTCP), 0);

    // No rule: every TCP bind and listen is denied.
    enforce_layer(LANDLOCK_ACCESS_NET_BIND_TCP | listen, &[]);
    let tcp_fd = assert_ok!(socket_variant(&self.srv0));
    expect_eq!(Err(Errno::EACCES), bind_variant(&tcp_fd, &self.srv0));
    expect_eq!(Err(Errno::EACCES), test_listen(&tcp_fd, BACKLOG));

    // MPTCP is not TCP for Landlock's TCP rights: neither bind nor listen is restricted.
    let fd = assert_ok!(socket_variant(&mptcp));
    expect_eq!(Ok(()), bind_variant(&fd, &mptcp));
    expect_eq!(Ok(()), test_listen(&fd, BACKLOG));
    let unbound_fd = assert_ok!(socket_variant(&mptcp));
    expect_eq!(Ok(()), test_listen(&unbound_fd, BACKLOG));
});

fixture! {
    listen_tcp_audit {
        srv0: Service,
        audit_fd: AuditSocket,
    }
    setup: |variant| {
        require_audit();
        require_declared_listen();
        let srv0 = Service::new(variant.prot, 0);
        setup_loopback();

        let audit_fd = audit_init();
        disable_caps();
        Self { srv0, audit_fd }
    },
    teardown: |self, _| {
        expect_eq!(Ok(()), audit_cleanup(&mut self.audit_fd));
    },
}

// The addresses as the records print them.
variant! {
    listen_tcp_audit {
        addr: &'static str,
        prot: Protocol,
    }
    ipv4 { addr: "127.0.0.1", prot: Protocol::TCP_V4 }
    ipv6 { addr: "::1", prot: Protocol::TCP_V6 }
}

test_f!(
    listen_tcp_audit,
    listen,
    exclusive = audit,
    |self, variant| {
        let listen = listen_tcp();
        enforce_layer(
            LANDLOCK_ACCESS_NET_BIND_TCP | listen,
            &[(LANDLOCK_ACCESS_NET_BIND_TCP, self.srv0.port())],
        );

        let sock_fd = assert_ok!(socket_variant(&self.srv0));
        expect_eq!(Ok(()), bind_variant(&sock_fd, &self.srv0));
        expect_eq!(Err(Errno::EACCES), test_listen(&sock_fd, BACKLOG));
        // The record names the right, the socket's local address (laddr, lport: the socket is
        // bound) and the address and port checked (saddr, src).
        let log_match = format!(
            " blockers=net.listen_tcp laddr={addr} lport={port} saddr={addr} src={port}",
            addr = variant.addr,
            port = self.srv0.port()
        );
        expect_eq!(
            Ok(()),
            self.audit_fd
                .match_record(AUDIT_LANDLOCK_ACCESS, &log_match)
                .map(drop)
        );
        expect_eq!(
            Ok(AuditRecords {
                access: 0,
                domain: 1
            }),
            self.audit_fd.count_records()
        );
    }
);

test_harness_main!(describe_listen_mode());
