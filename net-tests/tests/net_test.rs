//! Landlock tests - Network: tools/testing/selftests/landlock/net_test.c (Linux v6.18), with
//! the seed's LANDLOCK_ACCESS_NET_LISTEN_TCP review applied (`port_1023`, `port_endianness`,
//! `test_restricted_net_fixture`). Fixtures, variants and tests keep the C names and order.
//!
//! Listen: no released kernel restricts listen(2) (see `landlock_test_core::listen`); where the
//! seed expects a denied listen, `listen_mode().expect(..)` derives it from the declared mode.

use landlock_test_core::prelude::*;
use landlock_test_core::{assert_eq, assert_ok};
use libc::SOCK_STREAM;

/// C's ACCESS_ALL with the seed's listen right: every network right of this run.
fn access_all() -> u64 {
    access_net_all_with_listen()
}

fn net_ruleset(handled_access_net: u64) -> RulesetAttr {
    RulesetAttr {
        handled_access_net,
        ..RulesetAttr::default()
    }
}

fn port_rule(allowed_access: u64, port: u64) -> NetPortAttr {
    NetPortAttr {
        allowed_access,
        port,
    }
}

fixture! {
    tcp_layers {
        srv0: Service,
        srv1: Service,
    }
    setup: |variant| {
        let prot = Protocol::new(variant.domain, SOCK_STREAM, 0);

        disable_caps();
        if variant.num_layers > 0 {
            require_net_rules();
        }
        let fixture = Self {
            srv0: Service::new(prot, 0),
            srv1: Service::new(prot, 1),
        };
        setup_loopback();
        fixture
    },
}

variant! {
    tcp_layers {
        num_layers: usize,
        domain: i32,
    }
    no_sandbox_with_ipv4 { domain: libc::AF_INET, num_layers: 0 }
    one_sandbox_with_ipv4 { domain: libc::AF_INET, num_layers: 1 }
    two_sandboxes_with_ipv4 { domain: libc::AF_INET, num_layers: 2 }
    three_sandboxes_with_ipv4 { domain: libc::AF_INET, num_layers: 3 }
    no_sandbox_with_ipv6 { domain: libc::AF_INET6, num_layers: 0 }
    one_sandbox_with_ipv6 { domain: libc::AF_INET6, num_layers: 1 }
    two_sandboxes_with_ipv6 { domain: libc::AF_INET6, num_layers: 2 }
    three_sandboxes_with_ipv6 { domain: libc::AF_INET6, num_layers: 3 }
}

test_f!(tcp_layers, ruleset_overlap, |self, variant| {
    let ruleset_attr = net_ruleset(LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP);
    let tcp_bind = port_rule(LANDLOCK_ACCESS_NET_BIND_TCP, self.srv0.port().into());
    let tcp_bind_connect = port_rule(
        LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP,
        self.srv0.port().into(),
    );

    if variant.num_layers >= 1 {
        let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));

        // Allows bind.
        assert_eq!(Ok(()), add_rule(&ruleset_fd, &tcp_bind));
        // Also allows bind, but allows connect too.
        assert_eq!(Ok(()), add_rule(&ruleset_fd, &tcp_bind_connect));
        enforce_ruleset(&ruleset_fd);
    }

    if variant.num_layers >= 2 {
        // Creates another ruleset layer.
        let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));

        // Only allows bind.
        assert_eq!(Ok(()), add_rule(&ruleset_fd, &tcp_bind));
        enforce_ruleset(&ruleset_fd);
    }

    if variant.num_layers >= 3 {
        // Creates another ruleset layer.
        let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));

        // Try to allow bind and connect.
        assert_eq!(Ok(()), add_rule(&ruleset_fd, &tcp_bind_connect));
        enforce_ruleset(&ruleset_fd);
    }

    // Forbids to connect to the socket because only one ruleset layer allows connect.
    test_restricted_net_fixture(
        &self.srv0,
        NetExpect {
            bind: Ok(()),
            listen: Ok(()),
            connect: denied_if(variant.num_layers >= 2),
        },
    );
});

test_f!(tcp_layers, ruleset_expand, |self, variant| {
    if variant.num_layers >= 1 {
        let ruleset_attr = net_ruleset(LANDLOCK_ACCESS_NET_BIND_TCP);
        // Allows bind for srv0.
        let bind_srv0 = port_rule(LANDLOCK_ACCESS_NET_BIND_TCP, self.srv0.port().into());

        let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));
        assert_eq!(Ok(()), add_rule(&ruleset_fd, &bind_srv0));
        enforce_ruleset(&ruleset_fd);
    }

    if variant.num_layers >= 2 {
        // Expands network mask with connect action.
        let ruleset_attr =
            net_ruleset(LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP);
        // Allows bind for srv0 and connect to srv0.
        let tcp_bind_connect_p0 = port_rule(
            LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP,
            self.srv0.port().into(),
        );
        // Try to allow bind for srv1.
        let tcp_bind_p1 = port_rule(LANDLOCK_ACCESS_NET_BIND_TCP, self.srv1.port().into());

        let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));
        assert_eq!(Ok(()), add_rule(&ruleset_fd, &tcp_bind_connect_p0));
        assert_eq!(Ok(()), add_rule(&ruleset_fd, &tcp_bind_p1));
        enforce_ruleset(&ruleset_fd);
    }

    if variant.num_layers >= 3 {
        let ruleset_attr =
            net_ruleset(LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP);
        // Allows connect to srv0, without bind rule.
        let tcp_bind_p0 = port_rule(LANDLOCK_ACCESS_NET_BIND_TCP, self.srv0.port().into());

        let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));
        assert_eq!(Ok(()), add_rule(&ruleset_fd, &tcp_bind_p0));
        enforce_ruleset(&ruleset_fd);
    }

    test_restricted_net_fixture(&self.srv0, NetExpect::deny(false, variant.num_layers >= 3));
    test_restricted_net_fixture(
        &self.srv1,
        NetExpect::deny(variant.num_layers >= 1, variant.num_layers >= 2),
    );
});

fixture! {
    ipv4_tcp {
        srv0: Service,
        srv1: Service,
    }
    setup: |_| {
        disable_caps();
        require_net_rules();
        let fixture = Self {
            srv0: Service::new(Protocol::TCP_V4, 0),
            srv1: Service::new(Protocol::TCP_V4, 1),
        };
        setup_loopback();
        fixture
    },
}

test_f!(ipv4_tcp, port_endianness, |self, _| {
    let listen = listen_mode();
    let ruleset_attr = net_ruleset(access_all());
    // Host port format.
    let bind_host_endian_p0 = port_rule(LANDLOCK_ACCESS_NET_BIND_TCP, self.srv0.port().into());
    // Big endian port format.
    let connect_listen_big_endian_p0 = port_rule(
        LANDLOCK_ACCESS_NET_CONNECT_TCP | listen.access(),
        self.srv0.port().to_be().into(),
    );
    // Host port format.
    let not_restricted_host_endian_p1 = port_rule(access_all(), self.srv1.port().into());
    let little_endian = cfg!(target_endian = "little");

    let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));
    assert_eq!(Ok(()), add_rule(&ruleset_fd, &bind_host_endian_p0));
    assert_eq!(Ok(()), add_rule(&ruleset_fd, &connect_listen_big_endian_p0));
    assert_eq!(
        Ok(()),
        add_rule(&ruleset_fd, &not_restricted_host_endian_p1)
    );
    enforce_ruleset(&ruleset_fd);

    // No restriction for big endian CPU.
    test_restricted_net_fixture(
        &self.srv0,
        NetExpect {
            bind: Ok(()),
            listen: listen.expect(little_endian),
            connect: denied_if(little_endian),
        },
    );

    // No restriction for any CPU.
    test_restricted_net_fixture(&self.srv1, NetExpect::allowed());
});

fixture! {
    port_specific {
        srv0: Service,
    }
    setup: |variant| {
        disable_caps();
        if variant.sandbox == Sandbox::Tcp {
            require_net_rules();
        }
        let fixture = Self {
            srv0: Service::new(variant.prot, 0),
        };
        setup_loopback();
        fixture
    },
}

variant! {
    port_specific {
        sandbox: Sandbox,
        prot: Protocol,
    }
    no_sandbox_with_ipv4 { sandbox: Sandbox::None, prot: Protocol::TCP_V4 }
    sandbox_with_ipv4 { sandbox: Sandbox::Tcp, prot: Protocol::TCP_V4 }
    no_sandbox_with_ipv6 { sandbox: Sandbox::None, prot: Protocol::TCP_V6 }
    sandbox_with_ipv6 { sandbox: Sandbox::Tcp, prot: Protocol::TCP_V6 }
}

test_f!(port_specific, port_1023, |self, variant| {
    // Adds a rule layer with all actions.
    if variant.sandbox == Sandbox::Tcp {
        let ruleset_attr = net_ruleset(access_all());
        // A rule with port value less than 1024.
        let tcp_low_range_port = port_rule(access_all(), 1023);
        // A rule with 1024 port.
        let tcp_port_1024 = port_rule(access_all(), 1024);

        let ruleset_fd = assert_ok!(create_ruleset(&ruleset_attr));
        assert_eq!(Ok(()), add_rule(&ruleset_fd, &tcp_low_range_port));
        assert_eq!(Ok(()), add_rule(&ruleset_fd, &tcp_port_1024));
        enforce_ruleset(&ruleset_fd);
    }

    let bind_fd = assert_ok!(socket_variant(&self.srv0));
    let connect_fd = assert_ok!(socket_variant(&self.srv0));

    // Sets address port to 1023 for both protocol families.
    self.srv0.set_port(1023);
    // Binds on port 1023: denied by the system.
    expect_eq!(Err(Errno::EACCES), bind_variant(&bind_fd, &self.srv0));

    // Binds on port 1023.
    set_cap(Cap::NetBindService);
    let ret = bind_variant(&bind_fd, &self.srv0);
    clear_cap(Cap::NetBindService);
    expect_eq!(Ok(()), ret);
    expect_eq!(Ok(()), test_listen(&bind_fd, BACKLOG));

    // Connects on the binded port 1023.
    expect_eq!(Ok(()), connect_variant(&connect_fd, &self.srv0));
    drop((connect_fd, bind_fd));

    let bind_fd = assert_ok!(socket_variant(&self.srv0));
    let connect_fd = assert_ok!(socket_variant(&self.srv0));

    // Sets address port to 1024 for both protocol families.
    self.srv0.set_port(1024);
    // Binds on port 1024.
    expect_eq!(Ok(()), bind_variant(&bind_fd, &self.srv0));
    expect_eq!(Ok(()), test_listen(&bind_fd, BACKLOG));

    // Connects on the binded port 1024.
    expect_eq!(Ok(()), connect_variant(&connect_fd, &self.srv0));
});

test_harness_main!(describe_listen_mode());
