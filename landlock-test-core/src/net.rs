//! Network helpers of the ported net tests (net_test.c and common.h, Linux v6.18): protocols
//! and services (C's `protocol_variant` and `service_fixture`), the socket helpers, each case's
//! own loopback, and the combined bind/listen/connect check.
//!
//! Errno convention: a syscall-like helper returns `Result<T, Errno>`, `Ok` on success and
//! `Err(errno)` on failure, where C's net helpers return minus errno and fs_test.c's plus errno.
//! A check reads `expect_eq!(Err(Errno::EACCES), bind_variant(&fd, &srv))`.

use std::fmt;
use std::mem;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use libc::{
    AF_INET, AF_INET6, AF_UNIX, AF_UNSPEC, IPPROTO_IP, IPPROTO_MPTCP, IPPROTO_TCP, SOCK_DGRAM,
    SOCK_STREAM, sa_family_t, sockaddr, sockaddr_in, sockaddr_in6, sockaddr_storage, sockaddr_un,
    socklen_t,
};
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sched::{CloneFlags, unshare};
use nix::sys::socket::{SockaddrStorage, accept, getsockname};
use nix::unistd::{close, gettid, read, write};

use crate::harness::case::fork::{Child, fork_child};
use crate::harness::check;
use crate::privilege::caps::Cap;
use crate::privilege::common::raise;

pub mod listen;

/// First port of [`Service::new`] (C's `sock_port_start`).
pub const SOCK_PORT_START: u16 = 1 << 10;

/// Length of the pending connections queue of a listening socket (C's `backlog`).
pub const BACKLOG: i32 = 10;

/// The RFC 2133 `sockaddr_in6`, without `sin6_scope_id`: the shortest IPv6 address the kernel
/// takes.
const SIN6_LEN_RFC2133: socklen_t = 24;

/// What socket(2) is asked for (C's `struct protocol_variant`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Protocol {
    /// `AF_INET`, `AF_INET6`, `AF_UNIX` or `AF_UNSPEC`.
    pub domain: i32,
    /// `SOCK_STREAM` or `SOCK_DGRAM`.
    pub type_: i32,
    /// socket(2)'s third argument: 0 (`IPPROTO_IP`) lets the kernel pick TCP or UDP.
    pub protocol: i32,
}

impl Protocol {
    /// TCP over IPv4, protocol 0 as in most C fixtures (the `*_tcp1` variants).
    pub const TCP_V4: Self = Self::new(AF_INET, SOCK_STREAM, IPPROTO_IP);
    /// TCP over IPv6, protocol 0.
    pub const TCP_V6: Self = Self::new(AF_INET6, SOCK_STREAM, IPPROTO_IP);
    /// MPTCP over IPv4 (`IPPROTO_MPTCP`, 262): a stream socket that Landlock does not restrict.
    pub const MPTCP_V4: Self = Self::new(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
    /// MPTCP over IPv6.
    pub const MPTCP_V6: Self = Self::new(AF_INET6, SOCK_STREAM, IPPROTO_MPTCP);
    /// UDP over IPv4, protocol 0.
    pub const UDP_V4: Self = Self::new(AF_INET, SOCK_DGRAM, IPPROTO_IP);
    /// UDP over IPv6, protocol 0.
    pub const UDP_V6: Self = Self::new(AF_INET6, SOCK_DGRAM, IPPROTO_IP);
    /// Unix stream socket (abstract address).
    pub const UNIX_STREAM: Self = Self::new(AF_UNIX, SOCK_STREAM, 0);
    /// Unix datagram socket (abstract address).
    pub const UNIX_DGRAM: Self = Self::new(AF_UNIX, SOCK_DGRAM, 0);

    /// Any combination, e.g. for a variant that C writes field by field.
    pub const fn new(domain: i32, type_: i32, protocol: i32) -> Self {
        Self {
            domain,
            type_,
            protocol,
        }
    }

    /// The same with another protocol: `TCP_V4.with_protocol(IPPROTO_TCP)` is a `*_tcp2` variant.
    pub const fn with_protocol(self, protocol: i32) -> Self {
        Self { protocol, ..self }
    }

    /// The same with another family: C's `prot_unspec` copies the variant's protocol and sets
    /// `AF_UNSPEC`.
    pub const fn with_domain(self, domain: i32) -> Self {
        Self { domain, ..self }
    }

    /// TCP over IP, as the kernel sees it (C's `prot_is_tcp`): Landlock's TCP rights apply to
    /// exactly these sockets, not to MPTCP ones.
    pub const fn is_tcp(self) -> bool {
        (self.domain == AF_INET || self.domain == AF_INET6)
            && self.type_ == SOCK_STREAM
            && (self.protocol == IPPROTO_TCP || self.protocol == IPPROTO_IP)
    }
}

/// Which network rights a variant's ruleset handles (C's `enum sandbox_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sandbox {
    /// No ruleset.
    None,
    /// A ruleset handling `LANDLOCK_ACCESS_NET_BIND_TCP` and `LANDLOCK_ACCESS_NET_CONNECT_TCP`.
    Tcp,
}

/// Whether `sandbox` restricts sockets of `prot` (C's `is_restricted`): the TCP sandbox
/// restricts TCP over IPv4 and IPv6 only.
pub fn is_restricted(prot: Protocol, sandbox: Sandbox) -> bool {
    match sandbox {
        Sandbox::None => false,
        Sandbox::Tcp => prot.is_tcp(),
    }
}

/// The address families a [`Service`] can hold, decided once by [`Service::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// `AF_UNSPEC`, laid out as an IPv4 address like C does.
    Unspec,
    Inet,
    Inet6,
    Unix,
}

/// The address in all its shapes, as C's union; the storage member makes every address as long
/// as any family may need (an `AF_UNSPEC` one is passed at `sizeof(struct sockaddr_storage)`).
#[derive(Clone, Copy)]
#[repr(C)]
union Addr {
    v4: sockaddr_in,
    v6: sockaddr_in6,
    un: sockaddr_un,
    storage: sockaddr_storage,
}

/// A service to bind and connect to (C's `struct service_fixture`): a protocol, a port, and the
/// loopback address of the family (127.0.0.1, ::1, or an abstract unix name).
#[derive(Clone, Copy)]
pub struct Service {
    protocol: Protocol,
    family: Family,
    /// Host order; also in the IP address, in network order.
    port: u16,
    addr: Addr,
    /// Full length of the unix address (SUN_LEN of the name).
    unix_addr_len: socklen_t,
}

impl Service {
    /// Service `index` (0 to 2) of `protocol`, on port `1024 << (2 * index)`: 1024, 4096 or
    /// 16384 (C's `set_service`). A unix service gets the abstract name
    /// `\0selftests-landlock-abstract-unix-tid<tid>-index<index>`, unique to the calling thread.
    /// Fails the case on another index or family, as the C fixtures assert.
    #[track_caller]
    pub fn new(protocol: Protocol, index: u16) -> Self {
        if index > 2 {
            check::fatal(format_args!(
                "service index {index}: port {SOCK_PORT_START} << {} overflows",
                2 * index
            ));
        }
        let port = SOCK_PORT_START << (2 * index);
        let family = match protocol.domain {
            AF_UNSPEC => Family::Unspec,
            AF_INET => Family::Inet,
            AF_INET6 => Family::Inet6,
            AF_UNIX => Family::Unix,
            domain => check::fatal(format_args!("service of unknown family {domain}")),
        };
        // SAFETY: these C structures are plain integers and arrays: all zeroes is valid.
        let mut addr: Addr = unsafe { mem::zeroed() };
        let mut unix_addr_len = 0;
        match family {
            Family::Unspec | Family::Inet => {
                addr.v4 = sockaddr_in {
                    sin_family: protocol.domain as sa_family_t,
                    sin_port: port.to_be(),
                    sin_addr: libc::in_addr {
                        s_addr: u32::from(Ipv4Addr::LOCALHOST).to_be(),
                    },
                    sin_zero: [0; 8],
                };
            }
            Family::Inet6 => {
                addr.v6 = sockaddr_in6 {
                    sin6_family: AF_INET6 as sa_family_t,
                    sin6_port: port.to_be(),
                    sin6_flowinfo: 0,
                    sin6_addr: libc::in6_addr {
                        s6_addr: Ipv6Addr::LOCALHOST.octets(),
                    },
                    sin6_scope_id: 0,
                };
            }
            Family::Unix => (addr.un, unix_addr_len) = abstract_unix_address(index),
        }
        Self {
            protocol,
            family,
            port,
            addr,
            unix_addr_len,
        }
    }

    /// An abstract unix address, any `index` (C's `set_unix_address`): the name of
    /// [`Service::new`], for sockets of `type_` (`SOCK_STREAM` or `SOCK_DGRAM`). Its
    /// [`port`](Self::port) is 0: no network rule applies to it.
    pub fn unix(type_: i32, index: u16) -> Self {
        // SAFETY: these C structures are plain integers and arrays: all zeroes is valid.
        let mut addr: Addr = unsafe { mem::zeroed() };
        let unix_addr_len;
        (addr.un, unix_addr_len) = abstract_unix_address(index);
        Self {
            protocol: Protocol::new(AF_UNIX, type_, 0),
            family: Family::Unix,
            port: 0,
            addr,
            unix_addr_len,
        }
    }

    /// The name of a unix address, the abstract one's leading NUL included (as an audit record
    /// prints it, in hex); `None` for other families.
    pub fn unix_name(&self) -> Option<Vec<u8>> {
        if self.family != Family::Unix {
            return None;
        }
        // SAFETY: the unix member is the one a unix service holds.
        let path = unsafe { self.addr.un.sun_path };
        let end = self.unix_addr_len as usize - mem::offset_of!(sockaddr_un, sun_path);
        Some(path[..end].iter().map(|&c| c as u8).collect())
    }

    /// The protocol sockets of this service use.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The port in host order, as Landlock rules take it. Unix services keep the number of their
    /// index though their address has no port, as in C.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Moves the service to `port`: its address (IP families) and [`port`](Self::port) change
    /// together (C's `set_port`, plus the field that C tests update by hand).
    pub fn set_port(&mut self, port: u16) {
        self.port = port;
        match self.family {
            Family::Unspec | Family::Inet => self.addr.v4.sin_port = port.to_be(),
            Family::Inet6 => self.addr.v6.sin6_port = port.to_be(),
            Family::Unix => {}
        }
    }

    /// Replaces the loopback address with the wildcard one, 0.0.0.0 or :: (C's `unspec_any0`
    /// sets `INADDR_ANY`). Fails the case for a unix service, which has no such address.
    #[track_caller]
    pub fn set_any_addr(&mut self) {
        match self.family {
            Family::Unspec | Family::Inet => {
                self.addr.v4.sin_addr.s_addr = u32::from(Ipv4Addr::UNSPECIFIED).to_be();
            }
            Family::Inet6 => self.addr.v6.sin6_addr.s6_addr = Ipv6Addr::UNSPECIFIED.octets(),
            Family::Unix => check::fatal(format_args!("a unix service has no wildcard address")),
        }
    }

    /// The address length to pass to bind(2) or connect(2) (C's `get_addrlen`); `minimal` gives
    /// the shortest length the family accepts, so that `addrlen(true) - 1` is too short.
    /// `AF_UNSPEC` takes 2 (`sa_family_t`) or 128 (`sockaddr_storage`), as 6.18.y's C since the
    /// stable fix of its bind(AF_UNSPEC) test; v6.18.0 passed the IPv4 length.
    pub fn addrlen(&self, minimal: bool) -> socklen_t {
        let len = match (self.family, minimal) {
            (Family::Unspec, true) => mem::size_of::<sa_family_t>(),
            (Family::Unspec, false) => mem::size_of::<sockaddr_storage>(),
            (Family::Inet, _) => mem::size_of::<sockaddr_in>(),
            (Family::Inet6, true) => return SIN6_LEN_RFC2133,
            (Family::Inet6, false) => mem::size_of::<sockaddr_in6>(),
            (Family::Unix, true) => mem::offset_of!(sockaddr_un, sun_path),
            (Family::Unix, false) => return self.unix_addr_len,
        };
        len as socklen_t
    }

    fn sockaddr_ptr(&self) -> *const sockaddr {
        (&raw const self.addr).cast()
    }
}

/// `\0selftests-landlock-abstract-unix-tid<tid>-index<index>` and its length.
fn abstract_unix_address(index: u16) -> (sockaddr_un, socklen_t) {
    // C writes a leading '_' to compute SUN_LEN, then makes it the abstract '\0'.
    let name = format!(
        "\0selftests-landlock-abstract-unix-tid{}-index{index}",
        gettid()
    );
    // SAFETY: plain integers and arrays: all zeroes is valid.
    let mut un: sockaddr_un = unsafe { mem::zeroed() };
    un.sun_family = AF_UNIX as sa_family_t;
    for (dst, src) in un.sun_path.iter_mut().zip(name.bytes()) {
        *dst = src as libc::c_char;
    }
    let len = (mem::offset_of!(sockaddr_un, sun_path) + name.len()) as socklen_t;
    (un, len)
}

impl fmt::Debug for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let addr = match self.family {
            Family::Unspec | Family::Inet => {
                // SAFETY: every member of the union is plain data, valid whatever its bytes.
                let v4 = unsafe { self.addr.v4 };
                let ip = Ipv4Addr::from(u32::from_be(v4.sin_addr.s_addr));
                format!("{ip}:{}", u16::from_be(v4.sin_port))
            }
            Family::Inet6 => {
                // SAFETY: as for `v4`: any bytes are a valid `sockaddr_in6`.
                let v6 = unsafe { self.addr.v6 };
                let ip = Ipv6Addr::from(v6.sin6_addr.s6_addr);
                format!("[{ip}]:{}", u16::from_be(v6.sin6_port))
            }
            Family::Unix => {
                // SAFETY: as for `v4`: any bytes are a valid `sockaddr_un`.
                let path = unsafe { self.addr.un.sun_path };
                let end = self.unix_addr_len as usize - mem::offset_of!(sockaddr_un, sun_path);
                let name: Vec<u8> = path[1..end].iter().map(|&c| c as u8).collect();
                format!("@{}", String::from_utf8_lossy(&name))
            }
        };
        f.debug_struct("Service")
            .field("protocol", &self.protocol)
            .field("port", &self.port)
            .field("addr", &format_args!("{addr}"))
            .finish()
    }
}

/// A close-on-exec socket of `prot`, for a test that needs no service (C's
/// `socket(domain, type | SOCK_CLOEXEC, protocol)`).
pub fn open_socket(prot: Protocol) -> Result<OwnedFd, Errno> {
    // SAFETY: socket(2) takes integers only: no memory of ours is involved.
    let fd = Errno::result(unsafe {
        libc::socket(prot.domain, prot.type_ | libc::SOCK_CLOEXEC, prot.protocol)
    })?;
    // SAFETY: socket(2) returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// A close-on-exec socket of the service's protocol (C's `socket_variant`).
pub fn socket_variant(srv: &Service) -> Result<OwnedFd, Errno> {
    open_socket(srv.protocol)
}

/// bind(2) to the service's address with its full length (C's `bind_variant`).
pub fn bind_variant(fd: impl AsFd, srv: &Service) -> Result<(), Errno> {
    bind_variant_addrlen(fd, srv, srv.addrlen(false))
}

/// bind(2) to the service's address passed with any length, too short ones included (C's
/// `bind_variant_addrlen`).
pub fn bind_variant_addrlen(fd: impl AsFd, srv: &Service, addrlen: socklen_t) -> Result<(), Errno> {
    // SAFETY: the kernel reads at most `addrlen` bytes and refuses (EINVAL) any length above
    // sizeof(struct sockaddr_storage), the size of the address buffer.
    Errno::result(unsafe { libc::bind(fd.as_fd().as_raw_fd(), srv.sockaddr_ptr(), addrlen) })
        .map(drop)
}

/// connect(2) to the service's address with its full length (C's `connect_variant`).
pub fn connect_variant(fd: impl AsFd, srv: &Service) -> Result<(), Errno> {
    connect_variant_addrlen(fd, srv, srv.addrlen(false))
}

/// connect(2) to the service's address passed with any length (C's `connect_variant_addrlen`).
pub fn connect_variant_addrlen(
    fd: impl AsFd,
    srv: &Service,
    addrlen: socklen_t,
) -> Result<(), Errno> {
    // SAFETY: as in `bind_variant_addrlen`.
    Errno::result(unsafe { libc::connect(fd.as_fd().as_raw_fd(), srv.sockaddr_ptr(), addrlen) })
        .map(drop)
}

/// sendto(2) of `buf` to the service's address with its full length, without flags: a
/// datagram to a peer the socket is not connected to.
pub fn sendto_variant(fd: impl AsFd, buf: &[u8], srv: &Service) -> Result<usize, Errno> {
    // SAFETY: `buf` is valid for its length; the address as in `bind_variant_addrlen`.
    let sent = unsafe {
        libc::sendto(
            fd.as_fd().as_raw_fd(),
            buf.as_ptr().cast(),
            buf.len(),
            0,
            srv.sockaddr_ptr(),
            srv.addrlen(false),
        )
    };
    Errno::result(sent).map(|sent| sent as usize)
}

/// listen(2), named like fs_test.c's syscall-like helpers as the RFC's review asks.
pub fn test_listen(fd: impl AsFd, backlog: i32) -> Result<(), Errno> {
    // SAFETY: listen(2) takes integers only: no memory of ours is involved.
    Errno::result(unsafe { libc::listen(fd.as_fd().as_raw_fd(), backlog) }).map(drop)
}

/// accept(2) of the next connection on a listening socket, without the peer's address.
pub fn test_accept(fd: impl AsFd) -> Result<OwnedFd, Errno> {
    accept(fd)
}

pub use crate::process::close_in_child;

/// The port an IPv4 or IPv6 socket is bound to, in host order: the one the kernel chose after a
/// bind to port 0 (C's `get_binded_port`). `EAFNOSUPPORT` for other families.
pub fn bound_port(fd: impl AsFd) -> Result<u16, Errno> {
    let addr: SockaddrStorage = getsockname(fd.as_fd().as_raw_fd())?;
    if let Some(v4) = addr.as_sockaddr_in() {
        Ok(v4.port())
    } else if let Some(v6) = addr.as_sockaddr_in6() {
        Ok(v6.port())
    } else {
        Err(Errno::EAFNOSUPPORT)
    }
}

/// Gives the case a network namespace of its own with `lo` up, so that ports never clash
/// between cases (C's `setup_loopback`). Raises `CAP_SYS_ADMIN` for unshare(2) and
/// `CAP_NET_ADMIN` for the interface flags, each only around its call. Fails the case when
/// either step fails.
#[track_caller]
pub fn setup_loopback() {
    crate::privilege::require_privilege("a network namespace (setup_loopback)");
    let unshared = {
        let _admin = raise(Cap::SysAdmin);
        unshare(CloneFlags::CLONE_NEWNET)
    };
    match unshared {
        Ok(()) => {}
        // CAP_SYS_ADMIN was raised: something else refuses.
        Err(Errno::EPERM) => check::fatal(format_args!(
            "unshare(CLONE_NEWNET): EPERM with CAP_SYS_ADMIN raised: a seccomp filter, an LSM \
             or a user namespace limit (user.max_net_namespaces) refuses network namespaces"
        )),
        Err(errno) => check::fatal(format_args!("unshare(CLONE_NEWNET): {errno}")),
    }
    let up = {
        let _admin = raise(Cap::NetAdmin);
        set_loopback_up()
    };
    if let Err(errno) = up {
        check::fatal(format_args!("bringing lo up (SIOCSIFFLAGS): {errno}"));
    }
}

/// `ip link set dev lo up` in-process: SIOCGIFFLAGS, then SIOCSIFFLAGS with IFF_UP, on any
/// socket of the namespace. Spawning `ip` costs more than the rest of a case's setup.
fn set_loopback_up() -> Result<(), Errno> {
    nix::ioctl_readwrite_bad!(get_if_flags, libc::SIOCGIFFLAGS, libc::ifreq);
    nix::ioctl_write_ptr_bad!(set_if_flags, libc::SIOCSIFFLAGS, libc::ifreq);

    let sock = open_socket(Protocol::UDP_V4)?;
    // SAFETY: `ifreq` is plain data: all zeroes is valid.
    let mut req: libc::ifreq = unsafe { mem::zeroed() };
    for (dst, src) in req.ifr_name.iter_mut().zip(b"lo") {
        *dst = *src as libc::c_char;
    }
    // SAFETY: `req` is a valid `ifreq` naming an interface; the kernel fills its flags.
    unsafe { get_if_flags(sock.as_raw_fd(), &mut req) }?;
    // SAFETY: SIOCGIFFLAGS set the flags member of the union.
    unsafe { req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short };
    // SAFETY: `req` is a valid `ifreq`, read by the kernel.
    unsafe { set_if_flags(sock.as_raw_fd(), &req) }?;
    Ok(())
}

/// Skips the case on a kernel without TCP port rules (Landlock ABI 4, Linux 6.7), or without
/// Landlock: a sandboxed network case must never pass there.
#[track_caller]
pub fn require_net_rules() {
    crate::abi::require_abi(4, "TCP port rules (LANDLOCK_RULE_NET_PORT)");
}

/// What a step Landlock may deny returns: `Err(EACCES)` when `denied`, else `Ok(())`.
pub const fn denied_if(denied: bool) -> Result<(), Errno> {
    if denied { Err(Errno::EACCES) } else { Ok(()) }
}

/// What each step of [`test_restricted_net_fixture`] must return: expected results rather than
/// C's `deny_*` booleans, as the RFC's review asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetExpect {
    /// bind(2), at the minimal and at the full address length.
    pub bind: Result<(), Errno>,
    /// listen(2) on the bound stream socket; not called for datagram sockets, nor when `bind`
    /// is an error.
    pub listen: Result<(), Errno>,
    /// connect(2): an error is expected as it is; `Ok` means not denied, and the helper then
    /// expects `ECONNREFUSED` where no stream server listens.
    pub connect: Result<(), Errno>,
}

impl NetExpect {
    /// Every step succeeds.
    pub const fn allowed() -> Self {
        Self::deny(false, false)
    }

    /// C's `test_bind_and_connect(srv, deny_bind, deny_connect)`: `EACCES` where denied,
    /// listen allowed.
    pub const fn deny(bind: bool, connect: bool) -> Self {
        Self {
            bind: denied_if(bind),
            listen: Ok(()),
            connect: denied_if(connect),
        }
    }
}

/// Checks bind, listen and connect on `srv` against `expect` (C's `test_bind_and_connect`,
/// renamed by the RFC), step by step as C: too short address lengths give `EINVAL`; the
/// minimal length binds as `expect.bind` says and connects with `EINVAL` (unix), the expected
/// error, `ECONNREFUSED` (stream: nothing listens yet) or success; a real bind, then listen for
/// a stream socket; a forked child connects and writes one byte, which this process accepts and
/// reads; once the child was waited for, the accepted and the listening sockets are closed.
/// Every close(2) is checked where C checks it. Failed checks of the child count for the case.
///
/// Where `expect.connect` is `Ok`, the child expects `ECONNREFUSED` when a stream server is
/// missing (bind or, as in the RFC, listen expected to fail). A datagram socket needs no
/// server: its connect only records the peer and succeeds, as upstream expects since it has UDP
/// rights; v6.18's C expected `ECONNREFUSED` there too, in a case none of its tests reaches.
#[track_caller]
pub fn test_restricted_net_fixture(srv: &Service, expect: NetExpect) {
    let stream = srv.protocol.type_ == SOCK_STREAM;
    let minimal = srv.addrlen(true);

    let inval_fd = socket_or_fatal(srv);
    crate::expect_eq!(Err(Errno::EINVAL), bind_variant_addrlen(&inval_fd, srv, 0));
    crate::expect_eq!(
        Err(Errno::EINVAL),
        bind_variant_addrlen(&inval_fd, srv, minimal - 1)
    );
    crate::expect_eq!(expect.bind, bind_variant_addrlen(&inval_fd, srv, minimal));
    crate::expect_eq!(Ok(()), close(inval_fd));

    let inval_fd = socket_or_fatal(srv);
    crate::expect_eq!(
        Err(Errno::EINVAL),
        connect_variant_addrlen(&inval_fd, srv, 0)
    );
    crate::expect_eq!(
        Err(Errno::EINVAL),
        connect_variant_addrlen(&inval_fd, srv, minimal - 1)
    );
    let minimal_connect = if srv.protocol.domain == AF_UNIX {
        // sun_family alone names no peer.
        Err(Errno::EINVAL)
    } else if expect.connect.is_err() {
        expect.connect
    } else if stream {
        // Nothing listens yet, whatever `expect.bind`.
        Err(Errno::ECONNREFUSED)
    } else {
        Ok(())
    };
    crate::expect_eq!(
        minimal_connect,
        connect_variant_addrlen(&inval_fd, srv, minimal)
    );
    crate::expect_eq!(Ok(()), close(inval_fd));

    let bind_fd = socket_or_fatal(srv);
    crate::expect_eq!(expect.bind, bind_variant(&bind_fd, srv));
    if expect.bind.is_ok() && stream {
        crate::expect_eq!(expect.listen, test_listen(&bind_fd, BACKLOG));
    }
    let serving = expect.bind.is_ok() && (!stream || expect.listen.is_ok());
    // A datagram connect(2) only records the peer: it succeeds with nothing bound there.
    let child_connect = if expect.connect.is_err() {
        expect.connect
    } else if stream && !serving {
        Err(Errno::ECONNREFUSED)
    } else {
        Ok(())
    };

    let child = fork_child(|| {
        crate::expect_eq!(Ok(()), close_in_child(&bind_fd));
        let connect_fd = socket_or_fatal(srv);
        crate::expect_eq!(child_connect, connect_variant(&connect_fd, srv));
        if child_connect.is_ok() {
            crate::expect_eq!(Ok(1), write(&connect_fd, b"."));
        }
        crate::expect_eq!(Ok(()), close(connect_fd));
    });

    // Accepts connection from the child; `None` where C's `client_fd` is `bind_fd`.
    let client_fd = if serving && expect.connect.is_ok() {
        wait_for_peer(&bind_fd, &child);
        let client_fd = if stream {
            match test_accept(&bind_fd) {
                Ok(fd) => Some(fd),
                Err(errno) => check::fatal(format_args!("accept on {srv:?}: {errno}")),
            }
        } else {
            None
        };
        let mut buf = [0u8];
        crate::expect_eq!(
            Ok(1),
            read(client_fd.as_ref().unwrap_or(&bind_fd), &mut buf)
        );
        crate::expect_eq!(b'.', buf[0]);
        client_fd
    } else {
        None
    };
    child.join();

    // Closes connection, if any: C's `EXPECT_LE(0, close(client_fd))`, met by 0 alone.
    if let Some(client_fd) = client_fd {
        crate::expect_eq!(Ok(()), close(client_fd));
    }

    // Closes listening socket.
    crate::expect_eq!(Ok(()), close(bind_fd));
}

#[track_caller]
fn socket_or_fatal(srv: &Service) -> OwnedFd {
    socket_variant(srv)
        .unwrap_or_else(|errno| check::fatal(format_args!("socket for {srv:?}: {errno}")))
}

/// Waits until a peer reached `fd` (a connection to accept, a datagram to read), and fails the
/// case if `child`, the peer, ended first: a child that failed before connecting then fails
/// the case at once, instead of leaving the server blocked in accept(2) or read(2) until its
/// timeout (C just blocks).
#[track_caller]
pub fn wait_for_peer(fd: impl AsFd, child: &Child) {
    if !peer_ready(fd.as_fd(), child) {
        check::fatal(format_args!(
            "the child (pid {}) ended before it reached the server",
            child.pid()
        ));
    }
}

/// Whether `fd` became readable before `child` ended. Without pidfd, just says yes.
fn peer_ready(fd: BorrowedFd<'_>, child: &Child) -> bool {
    let Some(pidfd) = child.pidfd() else {
        return true;
    };
    let mut fds = [
        PollFd::new(fd, PollFlags::POLLIN),
        PollFd::new(pidfd.as_fd(), PollFlags::POLLIN),
    ];
    loop {
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) => break,
            Err(Errno::EINTR) => continue,
            Err(_) => return true,
        }
    }
    if fds[0]
        .revents()
        .is_some_and(|events| events.contains(PollFlags::POLLIN))
    {
        return true;
    }
    // The child ended first. A datagram it sent over loopback may still be on its way (the
    // kernel delivers it from a softirq, possibly after the sender exited): a child that exited
    // with success gets a bounded wait for it; one that failed fails the case at once.
    let exited_ok = matches!(
        nix::sys::wait::waitid(
            nix::sys::wait::Id::PIDFd(pidfd.as_fd()),
            nix::sys::wait::WaitPidFlag::WEXITED | nix::sys::wait::WaitPidFlag::WNOWAIT,
        ),
        Ok(nix::sys::wait::WaitStatus::Exited(_, 0))
    );
    let mut fd_only = [PollFd::new(fd, PollFlags::POLLIN)];
    exited_ok && matches!(poll(&mut fd_only, PollTimeout::from(10_000u16)), Ok(1))
}

#[cfg(test)]
mod tests {
    use std::thread;

    use super::*;

    fn v4(srv: &Service) -> sockaddr_in {
        // SAFETY: plain data, valid whatever its bytes.
        unsafe { srv.addr.v4 }
    }

    fn v6(srv: &Service) -> sockaddr_in6 {
        // SAFETY: plain data, valid whatever its bytes.
        unsafe { srv.addr.v6 }
    }

    fn un(srv: &Service) -> sockaddr_un {
        // SAFETY: plain data, valid whatever its bytes.
        unsafe { srv.addr.un }
    }

    #[test]
    fn ports_follow_the_index() {
        for prot in [Protocol::TCP_V4, Protocol::UDP_V6, Protocol::UNIX_STREAM] {
            let ports: Vec<u16> = (0..3).map(|i| Service::new(prot, i).port()).collect();
            assert_eq!(vec![1024, 4096, 16384], ports);
        }
    }

    #[test]
    fn ipv4_service_is_loopback_in_network_order() {
        let srv = Service::new(Protocol::TCP_V4, 1);
        let addr = v4(&srv);
        assert_eq!(AF_INET as sa_family_t, addr.sin_family);
        assert_eq!(4096u16.to_be_bytes(), addr.sin_port.to_ne_bytes());
        assert_eq!([127, 0, 0, 1], addr.sin_addr.s_addr.to_ne_bytes());
        assert_eq!((16, 16), (srv.addrlen(false), srv.addrlen(true)));
    }

    #[test]
    fn ipv6_service_is_loopback_in_network_order() {
        let srv = Service::new(Protocol::TCP_V6, 0);
        let addr = v6(&srv);
        assert_eq!(AF_INET6 as sa_family_t, addr.sin6_family);
        assert_eq!(1024u16.to_be_bytes(), addr.sin6_port.to_ne_bytes());
        assert_eq!(Ipv6Addr::LOCALHOST.octets(), addr.sin6_addr.s6_addr);
        assert_eq!((28, 24), (srv.addrlen(false), srv.addrlen(true)));
    }

    #[test]
    fn unspec_service_is_an_ipv4_layout_of_any_length() {
        let mut srv = Service::new(Protocol::TCP_V6.with_domain(AF_UNSPEC), 0);
        assert_eq!(AF_UNSPEC as sa_family_t, v4(&srv).sin_family);
        assert_eq!([127, 0, 0, 1], v4(&srv).sin_addr.s_addr.to_ne_bytes());
        assert_eq!((128, 2), (srv.addrlen(false), srv.addrlen(true)));
        srv.set_any_addr();
        assert_eq!(0, v4(&srv).sin_addr.s_addr);
        assert_eq!(1024u16.to_be_bytes(), v4(&srv).sin_port.to_ne_bytes());
    }

    #[test]
    fn unix_service_has_an_abstract_name() {
        let srv = Service::new(Protocol::UNIX_DGRAM, 2);
        let name = format!("selftests-landlock-abstract-unix-tid{}-index2", gettid());
        let addr = un(&srv);
        assert_eq!(AF_UNIX as sa_family_t, addr.sun_family);
        assert_eq!(0, addr.sun_path[0]);
        let path: Vec<u8> = addr.sun_path[1..=name.len()]
            .iter()
            .map(|&c| c as u8)
            .collect();
        assert_eq!(name.as_bytes(), path);
        assert_eq!(0, addr.sun_path[name.len() + 1]);
        // SUN_LEN of C's name, whose leading '_' becomes the abstract '\0'.
        assert_eq!(2 + 1 + name.len() as socklen_t, srv.addrlen(false));
        assert_eq!(2, srv.addrlen(true));
        assert_eq!(16384, srv.port());
    }

    #[test]
    fn unix_address_takes_any_index() {
        let srv = Service::unix(SOCK_STREAM, 3);
        let name = format!("selftests-landlock-abstract-unix-tid{}-index3", gettid());
        assert_eq!(2 + 1 + name.len() as socklen_t, srv.addrlen(false));
        assert_eq!((0, Protocol::UNIX_STREAM), (srv.port(), srv.protocol()));
        let same = Service::new(Protocol::UNIX_DGRAM, 2);
        let other = Service::unix(SOCK_DGRAM, 2);
        assert_eq!(
            format!("{same:?}"),
            format!("{other:?}").replace("port: 0", "port: 16384")
        );
    }

    #[test]
    fn set_port_moves_address_and_rule_port_together() {
        let mut srv = Service::new(Protocol::UDP_V4, 0);
        srv.set_port(u16::MAX);
        assert_eq!(u16::MAX, srv.port());
        assert_eq!(u16::MAX, u16::from_be(v4(&srv).sin_port));
        let mut srv = Service::new(Protocol::TCP_V6, 0);
        srv.set_port(0);
        assert_eq!((0, 0), (srv.port(), v6(&srv).sin6_port));
        let mut srv = Service::new(Protocol::UNIX_STREAM, 0);
        let before = un(&srv).sun_path;
        srv.set_port(1023);
        assert_eq!((1023, before), (srv.port(), un(&srv).sun_path));
    }

    #[test]
    fn tcp_sandbox_restricts_tcp_over_ip_only() {
        let restricted = [
            Protocol::TCP_V4,
            Protocol::TCP_V6,
            Protocol::TCP_V4.with_protocol(IPPROTO_TCP),
            Protocol::TCP_V6.with_protocol(IPPROTO_TCP),
        ];
        let free = [
            Protocol::MPTCP_V4,
            Protocol::MPTCP_V6,
            Protocol::UDP_V4,
            Protocol::UDP_V6,
            Protocol::UNIX_STREAM,
            Protocol::UNIX_DGRAM,
        ];
        for prot in restricted {
            assert!(is_restricted(prot, Sandbox::Tcp), "{prot:?}");
            assert!(!is_restricted(prot, Sandbox::None), "{prot:?}");
        }
        for prot in free {
            assert!(!is_restricted(prot, Sandbox::Tcp), "{prot:?}");
        }
    }

    #[test]
    fn net_expect_deny_is_eacces_where_denied() {
        let all_ok = NetExpect {
            bind: Ok(()),
            listen: Ok(()),
            connect: Ok(()),
        };
        assert_eq!(all_ok, NetExpect::allowed());
        assert_eq!(
            NetExpect {
                connect: Err(Errno::EACCES),
                ..all_ok
            },
            NetExpect::deny(false, true)
        );
        assert_eq!(
            NetExpect {
                bind: Err(Errno::EACCES),
                connect: Err(Errno::EACCES),
                ..all_ok
            },
            NetExpect::deny(true, true)
        );
    }

    #[test]
    fn debug_shows_the_address() {
        let dbg = |prot, index| format!("{:?}", Service::new(prot, index));
        assert!(dbg(Protocol::TCP_V4, 0).contains("addr: 127.0.0.1:1024"));
        assert!(dbg(Protocol::UDP_V6, 1).contains("addr: [::1]:4096"));
        let name = format!(
            "addr: @selftests-landlock-abstract-unix-tid{}-index0 ",
            gettid()
        );
        assert!(dbg(Protocol::UNIX_STREAM, 0).contains(&name));
    }

    /// One byte from a client to a server of `prot`, with the helpers as tests use them.
    fn exchange(prot: Protocol) {
        let mut srv = Service::new(prot, 0);
        let server = socket_variant(&srv).unwrap();
        let stream = prot.type_ == SOCK_STREAM;
        if prot.domain == AF_UNIX {
            bind_variant(&server, &srv).unwrap();
        } else {
            // Port 0, as port_specific.bind_connect_zero does, then the kernel's choice.
            srv.set_port(0);
            bind_variant(&server, &srv).unwrap();
            srv.set_port(bound_port(&server).unwrap());
            assert_ne!(0, srv.port());
        }
        if stream {
            test_listen(&server, BACKLOG).unwrap();
        }
        let client = socket_variant(&srv).unwrap();
        connect_variant(&client, &srv).unwrap();
        assert_eq!(Ok(1), write(&client, b"."));
        let accepted = stream.then(|| accept(&server).unwrap());
        let mut buf = [0u8];
        assert_eq!(Ok(1), read(accepted.as_ref().unwrap_or(&server), &mut buf));
        assert_eq!(b'.', buf[0]);
    }

    /// The non-pure parts without the harness: a thread may have a network namespace of its own,
    /// where `lo` starts down, until `set_loopback_up`. Needs CAP_SYS_ADMIN (root).
    #[test]
    fn loopback_comes_up_in_a_new_network_namespace() {
        thread::spawn(|| {
            if let Err(errno) = unshare(CloneFlags::CLONE_NEWNET) {
                eprintln!("skipped: unshare(CLONE_NEWNET): {errno}");
                return;
            }
            let srv = Service::new(Protocol::UDP_V4, 0);
            let client = socket_variant(&srv).unwrap();
            assert_eq!(Err(Errno::ENETUNREACH), connect_variant(&client, &srv));
            set_loopback_up().unwrap();
            for prot in [
                Protocol::TCP_V4,
                Protocol::TCP_V6,
                Protocol::TCP_V4.with_protocol(IPPROTO_TCP),
                Protocol::MPTCP_V4,
                Protocol::MPTCP_V6,
                Protocol::UDP_V4,
                Protocol::UDP_V6,
                Protocol::UNIX_STREAM,
                Protocol::UNIX_DGRAM,
            ] {
                exchange(prot);
            }
            let unspec = Service::new(Protocol::TCP_V4.with_domain(AF_UNSPEC), 0);
            let sock = socket_variant(&Service::new(Protocol::TCP_V6, 0)).unwrap();
            assert_eq!(Err(Errno::EAFNOSUPPORT), bind_variant(&sock, &unspec));
            let len = unspec.addrlen(true) - 1;
            assert_eq!(
                Err(Errno::EINVAL),
                bind_variant_addrlen(&sock, &unspec, len)
            );
        })
        .join()
        .unwrap();
    }
}

/// The names of the network suites: services and sockets, the combined bind/listen/connect
/// check, the loopback namespace, and the listen mode.
pub mod prelude {
    pub use super::listen::{
        LISTEN_TCP_ENV, ListenMode, access_net_all_with_listen, describe_listen_mode, listen_mode,
    };
    pub use super::{
        BACKLOG, NetExpect, Protocol, SOCK_PORT_START, Sandbox, Service, bind_variant,
        bind_variant_addrlen, bound_port, close_in_child, connect_variant, connect_variant_addrlen,
        denied_if, is_restricted, open_socket, require_net_rules, sendto_variant, setup_loopback,
        socket_variant, test_accept, test_listen, test_restricted_net_fixture, wait_for_peer,
    };
}
