//! Landlock's audit records, read as the audit daemon over netlink (the selftests' audit.h,
//! Linux v6.18), with raw netlink messages and no libaudit.
//!
//! [`AuditSocket::init_with_filter`] enables audit, registers the calling process as the audit
//! daemon (the one process the kernel sends records to) and adds an exclude rule so that only
//! this process's records reach it; [`AuditSocket::cleanup`] deletes the rule. Records are
//! matched by plain string comparison: every pattern of the net tests is C's
//! `REGEX_LANDLOCK_PREFIX` followed by fixed text, so no regex is needed.
//!
//! Where it differs from audit.h, because the runner runs cases in parallel:
//! - Only one process can be the audit daemon: init first takes an exclusive lock on
//!   [`LOCK_FILE`], held until the socket drops, so that audit cases of every landlock-test
//!   binary wait for each other instead of failing with `EEXIST`.
//! - The exclude rule keeps the records of this process (`AUDIT_PID`), where C keeps those of
//!   its executable (`AUDIT_EXE`): other cases of the same binary deny accesses meanwhile.
//! - Once the rule is in place, stale records (queued while no daemon listened) are drained,
//!   as later upstream versions do.
//! - A record that must come is waited for up to [`RECORD_TIMEOUT`], not one jiffy: the kernel
//!   sends records from its kauditd thread, which a busy machine may delay.
//!
//! As in C, audit stays enabled afterwards, and a process killed between init and cleanup
//! leaves its rule behind; ours then drops every later record (`auditctl -D` deletes it).
//! Needs `CAP_AUDIT_CONTROL` in the initial user and PID namespaces.

use std::fmt;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::panic::Location;
use std::time::Duration;

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg, OFlag, open};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::socket::{
    AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType, recvfrom, sendto,
    socket,
};
use nix::sys::stat::Mode;
use nix::unistd::getpid;

use crate::harness::check;

/// `AUDIT_LANDLOCK_ACCESS`: the record of a denied access.
pub const AUDIT_LANDLOCK_ACCESS: u16 = 1423;
/// `AUDIT_LANDLOCK_DOMAIN`: the record of a domain's allocation or deallocation.
pub const AUDIT_LANDLOCK_DOMAIN: u16 = 1424;

/// The lock that makes one process at a time the audit daemon, across test binaries.
pub const LOCK_FILE: &str = "/tmp/landlock-test-audit.lock";

/// How long a record that must come is waited for (C's `audit_tv_dom_drop`).
pub const RECORD_TIMEOUT: Duration = Duration::from_secs(1);

/// How long without a message means that no more will come (C's `audit_tv_default`, 1 µs,
/// which the kernel rounds up to one jiffy: 4 ms at 250 Hz).
pub const QUIET: Duration = Duration::from_millis(10);

// include/uapi/linux/audit.h
const AUDIT_SET: u16 = 1001;
const AUDIT_ADD_RULE: u16 = 1011;
const AUDIT_DEL_RULE: u16 = 1012;
const AUDIT_STATUS_ENABLED: u32 = 0x0001;
const AUDIT_STATUS_PID: u32 = 0x0004;
const AUDIT_FILTER_EXCLUDE: u32 = 0x05;
const AUDIT_NEVER: u32 = 0;
const AUDIT_PID: u32 = 0;
const AUDIT_NOT_EQUAL: u32 = 0x3000_0000;
/// `AUDIT_BITMASK_SIZE` and `AUDIT_MAX_FIELDS`: the arrays of `struct audit_rule_data`.
const RULE_ARRAY: usize = 64;

// include/uapi/linux/netlink.h
const NLMSG_HDRLEN: usize = 16;
const NLMSG_ERROR: u16 = 2;
const NLM_F_REQUEST: u16 = 0x01;
const NLM_F_ACK: u16 = 0x04;
/// `MAX_AUDIT_MESSAGE_LENGTH`: the longest message the kernel sends.
const MAX_MESSAGE: usize = 8970;

/// A netlink message as received: its type and what follows the header.
struct Message {
    kind: u16,
    payload: Vec<u8>,
}

impl Message {
    /// For an acknowledgement (`NLMSG_ERROR` with error 0): the type of the acknowledged
    /// request, from the copy of its header in `struct nlmsgerr`.
    fn acked_type(&self) -> Option<u16> {
        let bytes = self.payload.get(8..10)?;
        (self.kind == NLMSG_ERROR).then(|| u16::from_ne_bytes([bytes[0], bytes[1]]))
    }

    /// A record's text, up to a NUL if any.
    fn text(&self) -> String {
        let end = self
            .payload
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.payload.len());
        String::from_utf8_lossy(&self.payload[..end]).into_owned()
    }
}

/// What [`AuditSocket::count_records`] saw (C's `struct audit_records`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditRecords {
    /// `AUDIT_LANDLOCK_ACCESS` records.
    pub access: usize,
    /// `AUDIT_LANDLOCK_DOMAIN` records.
    pub domain: usize,
}

/// The audit daemon's netlink socket with its exclude rule (C's `audit_fd` and `audit_filter`).
/// Dropping it deletes the rule if [`cleanup`](Self::cleanup) did not, closes the socket and
/// releases the lock.
pub struct AuditSocket {
    fd: OwnedFd,
    pid: u32,
    rule_in_place: bool,
    _lock: Flock<OwnedFd>,
}

impl AuditSocket {
    /// Becomes the audit daemon, keeping only this process's records (C's
    /// `audit_init_with_exe_filter`): waits for [`LOCK_FILE`], enables audit, registers this
    /// process, adds the exclude rule, drains stale records. `EEXIST`: another audit daemon
    /// (auditd) is registered; `EPERM`: no `CAP_AUDIT_CONTROL`, or not in the initial PID
    /// namespace; `ECONNREFUSED`: not in the initial user namespace.
    pub fn init_with_filter() -> Result<Self, Errno> {
        let lock = open(
            LOCK_FILE,
            OFlag::O_RDWR | OFlag::O_CREAT | OFlag::O_CLOEXEC,
            Mode::S_IRUSR | Mode::S_IWUSR,
        )?;
        let lock = Flock::lock(lock, FlockArg::LockExclusive).map_err(|(_, errno)| errno)?;
        let fd = socket(
            AddressFamily::Netlink,
            SockType::Raw,
            SockFlag::SOCK_CLOEXEC,
            SockProtocol::NetlinkAudit,
        )?;
        let mut audit = AuditSocket {
            fd,
            pid: getpid().as_raw() as u32,
            rule_in_place: false,
            _lock: lock,
        };
        audit.set_status(AUDIT_STATUS_ENABLED, 1)?;
        audit.set_status(AUDIT_STATUS_PID, audit.pid)?;
        audit.request(AUDIT_ADD_RULE, &pid_rule(audit.pid))?;
        audit.rule_in_place = true;
        // Stale records, sent before the rule kept others' out.
        while audit.recv(QUIET).is_ok() {}
        Ok(audit)
    }

    /// Deletes the exclude rule (C's `audit_cleanup`). C ignores a failure here; it is reported,
    /// since the rule would drop every later record.
    pub fn cleanup(&mut self) -> Result<(), Errno> {
        self.rule_in_place = false;
        self.request(AUDIT_DEL_RULE, &pid_rule(self.pid))
    }

    /// Reads records up to the first of `record_type`, which must read
    /// `audit(<time>:<serial>): domain=<hex ID>` then exactly `rest` (C's `audit_match_record`
    /// with the pattern `REGEX_LANDLOCK_PREFIX "<rest>$"`), and returns its domain ID. `ENOENT`
    /// when that record says something else, `EAGAIN` when none came in [`RECORD_TIMEOUT`]; both
    /// are explained on stderr.
    #[track_caller]
    pub fn match_record(&self, record_type: u16, rest: &str) -> Result<u64, Errno> {
        let caller = Location::caller();
        let log = |args: fmt::Arguments<'_>| check::log_at(caller.file(), caller.line(), args);
        let record = loop {
            match self.recv(RECORD_TIMEOUT) {
                Ok(message) if message.kind == record_type => break message,
                Ok(_) => {}
                Err(Errno::EAGAIN) => {
                    log(format_args!(
                        "no audit record of type {record_type} within {RECORD_TIMEOUT:?}; if \
                         the access was denied, a rule left by a killed case may drop records \
                         (`auditctl -l` lists the rules)"
                    ));
                    return Err(Errno::EAGAIN);
                }
                Err(errno) => return Err(errno),
            }
        };
        let data = record.text();
        match split_landlock_prefix(&data) {
            Some((domain, tail)) if tail == rest => Ok(domain),
            _ => {
                log(format_args!("DATA: {data}"));
                log(format_args!(
                    "ERROR: no match for: audit(<time>:<serial>): domain=<hex ID>{rest}"
                ));
                Err(Errno::ENOENT)
            }
        }
    }

    /// Counts the Landlock records that come until none has for [`QUIET`] (C's
    /// `audit_count_records`).
    pub fn count_records(&self) -> Result<AuditRecords, Errno> {
        let mut records = AuditRecords::default();
        loop {
            match self.recv(QUIET) {
                Ok(message) => match message.kind {
                    AUDIT_LANDLOCK_ACCESS => records.access += 1,
                    AUDIT_LANDLOCK_DOMAIN => records.domain += 1,
                    _ => {}
                },
                Err(Errno::EAGAIN) => return Ok(records),
                Err(errno) => return Err(errno),
            }
        }
    }

    /// Sets one field of the kernel's audit status (C's `audit_set_status`).
    fn set_status(&self, key: u32, value: u32) -> Result<(), Errno> {
        let value_if = |field| if key == field { value } else { 0 };
        // The leading fields of `struct audit_status`; the kernel zeroes the rest.
        let status = [
            key,
            value_if(AUDIT_STATUS_ENABLED),
            0,
            value_if(AUDIT_STATUS_PID),
        ];
        self.request(AUDIT_SET, &status)
    }

    /// Sends a request and waits for its acknowledgement, skipping records meanwhile (C's
    /// `audit_request`).
    fn request(&self, kind: u16, payload: &[u32]) -> Result<(), Errno> {
        let message = netlink_message(kind, payload);
        let kernel = NetlinkAddr::new(0, 0);
        let sent = loop {
            match sendto(self.fd.as_raw_fd(), &message, &kernel, MsgFlags::empty()) {
                Err(Errno::EINTR) => continue,
                sent => break sent?,
            }
        };
        if sent != message.len() {
            return Err(Errno::E2BIG);
        }
        loop {
            if self.recv(RECORD_TIMEOUT)?.acked_type() == Some(kind) {
                return Ok(());
            }
        }
    }

    /// The next message, waiting up to `timeout`: `EAGAIN` when none came (C's `audit_recv`
    /// with `SO_RCVTIMEO`), the errno of an error message, `EINVAL` for a message that is not
    /// the kernel's.
    fn recv(&self, timeout: Duration) -> Result<Message, Errno> {
        let timeout = PollTimeout::try_from(timeout).map_err(|_| Errno::EINVAL)?;
        let mut fds = [PollFd::new(self.fd.as_fd(), PollFlags::POLLIN)];
        loop {
            match poll(&mut fds, timeout) {
                Ok(0) => return Err(Errno::EAGAIN),
                Ok(_) => break,
                Err(Errno::EINTR) => continue,
                Err(errno) => return Err(errno),
            }
        }
        let mut buf = vec![0; MAX_MESSAGE];
        let (len, sender) = recvfrom::<NetlinkAddr>(self.fd.as_raw_fd(), &mut buf)?;
        if len < NLMSG_HDRLEN || sender.is_none_or(|addr| addr.pid() != 0) {
            return Err(Errno::EINVAL);
        }
        // The payload is what follows the header: audit records under-count nlmsg_len.
        let message = Message {
            kind: u16::from_ne_bytes([buf[4], buf[5]]),
            payload: buf[NLMSG_HDRLEN..len].to_vec(),
        };
        if message.kind == NLMSG_ERROR {
            let error = message.payload.get(..4).map_or(0, |bytes| {
                i32::from_ne_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
            });
            if error != 0 {
                return Err(Errno::from_raw(-error));
            }
        }
        Ok(message)
    }
}

impl Drop for AuditSocket {
    fn drop(&mut self) {
        if self.rule_in_place {
            // Best effort, e.g. after a setup that failed past init.
            let _ = self.cleanup();
        }
    }
}

/// A request with its netlink header, asking for an acknowledgement.
fn netlink_message(kind: u16, payload: &[u32]) -> Vec<u8> {
    let len = NLMSG_HDRLEN + 4 * payload.len();
    let mut message = Vec::with_capacity(len);
    message.extend((len as u32).to_ne_bytes());
    message.extend(kind.to_ne_bytes());
    message.extend((NLM_F_REQUEST | NLM_F_ACK).to_ne_bytes());
    // Sequence number and port ID: 0, the kernel assigns the port.
    message.extend([0; 8]);
    for word in payload {
        message.extend(word.to_ne_bytes());
    }
    message
}

/// `struct audit_rule_data` of the rule dropping every record not from `pid`: in the exclude
/// list, never audit what has a `pid` other than ours. No string field, so an empty buffer.
fn pid_rule(pid: u32) -> [u32; 4 + 4 * RULE_ARRAY] {
    const FIELDS: usize = 3 + RULE_ARRAY;
    const VALUES: usize = FIELDS + RULE_ARRAY;
    const FIELDFLAGS: usize = VALUES + RULE_ARRAY;
    let mut rule = [0; 4 + 4 * RULE_ARRAY];
    rule[0] = AUDIT_FILTER_EXCLUDE;
    rule[1] = AUDIT_NEVER;
    rule[2] = 1;
    rule[FIELDS] = AUDIT_PID;
    rule[VALUES] = pid;
    rule[FIELDFLAGS] = AUDIT_NOT_EQUAL;
    rule
}

/// Splits a record that starts as C's `REGEX_LANDLOCK_PREFIX` says,
/// `audit(<digits, '.' and ':'>): domain=<lowercase hex>`, into its domain ID and the rest.
fn split_landlock_prefix(data: &str) -> Option<(u64, &str)> {
    let (stamp, rest) = data.strip_prefix("audit(")?.split_once("): domain=")?;
    if stamp.is_empty()
        || !stamp
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b':')
    {
        return None;
    }
    let id_len = rest
        .bytes()
        .take_while(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        .count();
    let id = u64::from_str_radix(&rest[..id_len], 16).ok()?;
    Some((id, &rest[id_len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn landlock_prefix_gives_domain_and_rest() {
        let record = "audit(1764339000.123:456): domain=1a2b3c4d5 blockers=net.bind_tcp \
                      saddr=127.0.0.1 src=1024";
        assert_eq!(
            split_landlock_prefix(record),
            Some((
                0x1a2b3c4d5,
                " blockers=net.bind_tcp saddr=127.0.0.1 src=1024"
            ))
        );
        let record = "audit(1.2:3): domain=ff blockers=net.connect_tcp daddr=::1 dest=1024";
        assert_eq!(
            split_landlock_prefix(record),
            Some((0xff, " blockers=net.connect_tcp daddr=::1 dest=1024"))
        );
    }

    #[test]
    fn anything_else_is_no_landlock_prefix() {
        for record in [
            "",
            "type=1423 audit(1.2:3): domain=ff blockers=net.bind_tcp",
            "audit(): domain=ff blockers=net.bind_tcp",
            "audit(1.2:3x): domain=ff blockers=net.bind_tcp",
            "audit(1.2:3): domain= blockers=net.bind_tcp",
            "audit(1.2:3): domain=FF blockers=net.bind_tcp",
            "audit(1.2:3): status=allocated",
        ] {
            assert_eq!(split_landlock_prefix(record), None, "{record:?}");
        }
    }

    #[test]
    fn requests_have_the_netlink_layout() {
        let message = netlink_message(AUDIT_SET, &[AUDIT_STATUS_PID, 0, 0, 42]);
        assert_eq!(message.len(), 32);
        assert_eq!(message[..4], 32u32.to_ne_bytes());
        assert_eq!(message[4..6], AUDIT_SET.to_ne_bytes());
        assert_eq!(message[6..8], 5u16.to_ne_bytes());
        assert_eq!(message[8..16], [0; 8]);
        assert_eq!(message[28..], 42u32.to_ne_bytes());
    }

    #[test]
    fn pid_rule_is_a_struct_audit_rule_data() {
        let rule = pid_rule(42);
        // flags, action, field_count, mask[64], fields[64], values[64], fieldflags[64], buflen.
        assert_eq!(size_of_val(&rule), 1040);
        assert_eq!(rule[..3], [AUDIT_FILTER_EXCLUDE, AUDIT_NEVER, 1]);
        assert_eq!(rule[3..67], [0; 64]);
        assert_eq!(
            (rule[67], rule[131], rule[195]),
            (AUDIT_PID, 42, AUDIT_NOT_EQUAL)
        );
        assert_eq!(rule[259], 0);
    }

    #[test]
    fn an_ack_names_its_request() {
        let mut payload = 0i32.to_ne_bytes().to_vec();
        payload.extend(netlink_message(AUDIT_ADD_RULE, &[])[..NLMSG_HDRLEN].iter());
        let ack = Message {
            kind: NLMSG_ERROR,
            payload,
        };
        assert_eq!(ack.acked_type(), Some(AUDIT_ADD_RULE));
        let record = Message {
            kind: AUDIT_LANDLOCK_ACCESS,
            payload: b"audit(1.2:3): domain=ff\0junk".to_vec(),
        };
        assert_eq!(record.acked_type(), None);
        assert_eq!(record.text(), "audit(1.2:3): domain=ff");
    }
}
