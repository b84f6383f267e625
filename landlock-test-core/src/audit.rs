//! Landlock's audit records, read as the audit daemon over netlink (the selftests' audit.h,
//! Linux v6.18), with raw netlink messages and no libaudit.
//!
//! [`AuditSocket::init_with_filter`] enables audit, registers the calling process as the audit
//! daemon (the one process the kernel sends records to) and adds an exclude rule so that only
//! the records of this case's processes reach it; [`AuditSocket::cleanup`] deletes the rule
//! ([`delete_filter_rule`] from the unrestricted parent of a test process, as C's
//! `FIXTURE_TEARDOWN_PARENT` does).
//! Records are matched by plain string comparison: every pattern of the net tests is C's
//! `REGEX_LANDLOCK_PREFIX` followed by fixed text, so no regex is needed; where a pattern holds
//! what a test cannot know (a device name, an inode number), a predicate judges the text
//! ([`AuditSocket::match_record_with`]).
//!
//! # Which records are the case's
//!
//! Every process of the case, and nothing of the cases running beside it: a denial may be
//! logged by a process the case forked (with [`fork_child`](crate::fork_child) or a raw fork),
//! which may have exited by the time records are read. Init therefore gives the case process
//! its own login uid, [`CASE_LOGINUID`] (writing `/proc/thread-self/loginuid`, which also opens
//! a new audit session), and the exclude rule drops every record logged by a task whose login
//! uid differs (`AUDIT_LOGINUID`, one of the few fields the exclude list evaluates). The kernel
//! copies the login uid into every process and thread forked afterwards, none of them can
//! change it without `CAP_AUDIT_CONTROL`, and the rule is evaluated when a record is logged, in
//! the task that logs it: so the case's whole process tree is kept, forked in any way, exited
//! or not, and the other cases' processes, which keep the runner's login uid, are dropped.
//! Matching pids instead would need the case to know every pid it forked (raw forks do not
//! tell), and a process group or cgroup is no rule field and cannot be looked up for a process
//! that is gone. Records that no task of the case logs are dropped too: Landlock logs a
//! domain's deallocation from a kernel worker. To read those, a case swaps the rule for C's
//! drop rule ([`AuditSocket::add_drop_rule`], then [`AuditSocket::delete_case_rule`]), which
//! keeps the domain records of every task, and [`AuditSocket::find_record`] picks the case's
//! among them by domain ID (which the case learnt from its denials), as C's 6.18.y
//! `matches_log_domain_deallocated` does.
//!
//! # Waiting for evidence
//!
//! No record is waited for by the clock: [`AuditSocket::count_records`] (and init, to drain
//! stale records) sets `audit_enabled` to 1 again, a no-op whose `AUDIT_CONFIG_CHANGE` record
//! the kernel logs in this process, with this case's session, after every record the case
//! logged before; records reach the daemon in the order they were logged, so once that
//! sentinel arrives nothing earlier is still to come. [`RECORD_TIMEOUT`] only bounds a failure.
//! (The one record that can still slip through is another task's that was being written at the
//! very moment the rule came in: the filter runs when a record starts, it is queued when done.)
//!
//! Where it differs from audit.h, because the runner runs cases in parallel:
//! - Only one process can be the audit daemon: init first takes an exclusive lock on
//!   [`LOCK_FILE`], held until the socket drops, so that audit cases of every landlock-test
//!   binary wait for each other instead of failing with `EEXIST`.
//! - The exclude rule keeps the records of this case (its login uid), where C keeps those of
//!   its executable (`AUDIT_EXE`): other cases of the same binary deny accesses meanwhile.
//! - Records are read up to a sentinel, as above, where C reads until none came for one jiffy:
//!   so does [`AuditSocket::match_past_record`], for checks that a record is not there.
//! - A record that must come is waited for up to [`RECORD_TIMEOUT`], not one jiffy: the kernel
//!   sends records from its kauditd thread, which a busy machine may delay.
//! - The cases of the [`AUDIT_GROUP`] (`exclusive = audit`, every audit case of the suites)
//!   leave their exclude rule in place for each other; the group's teardown, which the runner
//!   runs once after the last of them, deletes it. The kernel deletes a rule only after an RCU
//!   grace period (`synchronize_rcu()` in `audit_del_rule()`, 6 to 20 ms on a 2-CPU machine),
//!   which each case would otherwise wait for in turn. The rule is the same for every case, so
//!   each init finds it in place (`EEXIST`) or adds it again.
//!
//! As in C, audit stays enabled afterwards. A case killed between init and cleanup leaves its
//! rule behind, which then drops every record but those of [`CASE_LOGINUID`]; the next init
//! finds the same rule in place (`EEXIST`), keeps it, and its cleanup or its group's teardown
//! deletes it; a drop rule left behind (which keeps only domain records) the next init
//! deletes. Needs
//! `CAP_AUDIT_CONTROL` in the initial user and PID namespaces, and a case process whose login
//! uid may change (not `auditctl --loginuid-immutable`).

use std::collections::VecDeque;
use std::fmt;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::panic::Location;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use linkme::distributed_slice;
use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg, OFlag, open};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::socket::{
    AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType, recvfrom, sendto,
    socket,
};
use nix::sys::stat::Mode;
use nix::unistd::getpid;

use crate::abi::require_abi;
use crate::harness::check;
use crate::harness::context;
use crate::harness::registry::{GROUP_TEARDOWNS, GroupTeardown};
use crate::privilege::caps::{Cap, has_effective, try_clear_cap, try_set_cap};
use crate::privilege::common::{clear_cap, set_cap};
use crate::privilege::{Privilege, privilege, require_initial_namespace};

/// `AUDIT_LANDLOCK_ACCESS`: the record of a denied access.
pub const AUDIT_LANDLOCK_ACCESS: u16 = 1423;
/// `AUDIT_LANDLOCK_DOMAIN`: the record of a domain's allocation or deallocation.
pub const AUDIT_LANDLOCK_DOMAIN: u16 = 1424;

/// The lock that makes one process at a time the audit daemon, across test binaries. In
/// `/run`, which only root may write: no other user can plant a link there, nor create the file
/// to hold the lock; `O_NOFOLLOW` refuses a link all the same.
pub const LOCK_FILE: &str = "/run/landlock-test-audit.lock";

/// The login uid that init gives the case holding the audit daemon: an arbitrary one that no
/// login is expected to have (not a 16-bit uid, nor `(uid_t)-1` which means unset). It is the
/// same for every case, since audit cases run one at a time, so that a rule left by a killed
/// case is the one the next case needs.
pub const CASE_LOGINUID: u32 = 0x7a11_7e57;

/// How long a record that must come is waited for (C's `audit_tv_dom_drop`).
pub const RECORD_TIMEOUT: Duration = Duration::from_secs(1);

// include/uapi/linux/audit.h
const AUDIT_SET: u16 = 1001;
const AUDIT_ADD_RULE: u16 = 1011;
const AUDIT_DEL_RULE: u16 = 1012;
const AUDIT_CONFIG_CHANGE: u16 = 1305;
const AUDIT_STATUS_ENABLED: u32 = 0x0001;
const AUDIT_STATUS_PID: u32 = 0x0004;
const AUDIT_FILTER_EXCLUDE: u32 = 0x05;
const AUDIT_NEVER: u32 = 0;
const AUDIT_LOGINUID: u32 = 9;
const AUDIT_MSGTYPE: u32 = 12;
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
    /// The audit session that init opened, named by the sentinel records.
    session: u32,
    rule_in_place: bool,
    /// Records read past the one [`match_past_record`](Self::match_past_record) returned, up
    /// to its sentinel: the next reads take them first.
    unread: Mutex<VecDeque<Message>>,
    _lock: Flock<OwnedFd>,
}

impl AuditSocket {
    /// Waits for [`LOCK_FILE`] and opens an audit netlink socket, not yet the audit daemon's.
    fn open_locked() -> Result<Self, Errno> {
        let lock = lock(LOCK_FILE)?;
        let fd = socket(
            AddressFamily::Netlink,
            SockType::Raw,
            SockFlag::SOCK_CLOEXEC,
            SockProtocol::NetlinkAudit,
        )?;
        Ok(AuditSocket {
            fd,
            session: 0,
            rule_in_place: false,
            unread: Mutex::default(),
            _lock: lock,
        })
    }

    /// Becomes the audit daemon, keeping only the records of this case's processes (C's
    /// `audit_init_with_exe_filter`): waits for [`LOCK_FILE`], enables audit, gives this
    /// process [`CASE_LOGINUID`], registers it, adds the exclude rule, drains stale records.
    /// Call it before the case forks or starts threads: the login uid is the calling thread's,
    /// inherited from then on. `EEXIST`: another audit daemon (auditd) is registered; `EPERM`:
    /// no `CAP_AUDIT_CONTROL`, not in the initial PID namespace, audit configuration locked
    /// (`auditctl -e 2`) or login uids immutable; `ECONNREFUSED`: not in the initial user
    /// namespace.
    pub fn init_with_filter() -> Result<Self, Errno> {
        let mut audit = Self::open_locked()?;
        // Enabled first, in the old session: the config change record of this request is
        // never taken for the sentinel below.
        audit.set_status(AUDIT_STATUS_ENABLED, 1)?;
        audit.session = enter_case_session()?;
        audit.set_status(AUDIT_STATUS_PID, getpid().as_raw() as u32)?;
        match audit.request(AUDIT_ADD_RULE, &loginuid_rule()) {
            // The rule of a case killed before its cleanup, the same as ours.
            Ok(()) | Err(Errno::EEXIST) => {}
            Err(errno) => return Err(errno),
        }
        audit.rule_in_place = true;
        // The drop rule of a case killed after `add_drop_rule`: it would drop the sentinel.
        absent_is_fine(audit.request(AUDIT_DEL_RULE, &drop_rule()))?;
        // Stale records, sent before the rule kept others' out.
        audit.read_to_sentinel()?;
        Ok(audit)
    }

    /// Deletes the exclude rules, the case's and the drop rule, where in place (C's
    /// `audit_cleanup`: "Filters might not be in place"; a forked child may have changed
    /// them). C ignores every failure here; one other than `ENOENT` (no such rule) is reported,
    /// since a rule left behind would drop records of later cases and other programs.
    ///
    /// In a case of the [`AUDIT_GROUP`], the case's rule stays for the next case of the group,
    /// and the group's teardown deletes it after the last one (see the module's documentation).
    pub fn cleanup(&mut self) -> Result<(), Errno> {
        self.rule_in_place = false;
        if !group_deletes_rule() {
            absent_is_fine(self.request(AUDIT_DEL_RULE, &loginuid_rule()))?;
        }
        absent_is_fine(self.request(AUDIT_DEL_RULE, &drop_rule()))
    }

    /// Adds the exclude rule that drops every record but `AUDIT_LANDLOCK_DOMAIN` ones, of any
    /// task (C's `audit_filter_drop(fd, AUDIT_ADD_RULE)`): with
    /// [`delete_case_rule`](Self::delete_case_rule), it lets in the deallocation records,
    /// which a kernel worker logs, outside the case's login uid. Records of other programs' domains come in too:
    /// [`find_record`](Self::find_record) skips them by their domain ID. The sentinel is
    /// dropped from then on: [`count_records`](Self::count_records) and
    /// [`match_past_record`](Self::match_past_record) no longer work. Needs
    /// `CAP_AUDIT_CONTROL` effective.
    pub fn add_drop_rule(&self) -> Result<(), Errno> {
        self.request(AUDIT_ADD_RULE, &drop_rule())
    }

    /// Deletes the rule keeping only the case's records (C's `audit_filter_exe(fd, filter,
    /// AUDIT_DEL_RULE)`), after [`add_drop_rule`](Self::add_drop_rule). Needs
    /// `CAP_AUDIT_CONTROL` effective.
    pub fn delete_case_rule(&self) -> Result<(), Errno> {
        self.request(AUDIT_DEL_RULE, &loginuid_rule())
    }

    /// Reads records up to the first of `record_type`, which must read
    /// `audit(<time>:<serial>): domain=<hex ID>` then exactly `rest` (C's `audit_match_record`
    /// with the pattern `REGEX_LANDLOCK_PREFIX "<rest>$"`), and returns its domain ID. `ENOENT`
    /// when that record says something else, `EAGAIN` when none came in [`RECORD_TIMEOUT`]; both
    /// are explained on stderr.
    #[track_caller]
    pub fn match_record(&self, record_type: u16, rest: &str) -> Result<u64, Errno> {
        self.match_record_with(record_type, rest, |tail| tail == rest)
    }

    /// [`match_record`](Self::match_record) for a record whose rest holds what a test cannot
    /// know exactly (C's patterns with `[^"]\+` or `[0-9]\+`): `matches` judges the rest, and
    /// `pattern` says what it expects, for the error message.
    #[track_caller]
    pub fn match_record_with(
        &self,
        record_type: u16,
        pattern: &str,
        matches: impl Fn(&str) -> bool,
    ) -> Result<u64, Errno> {
        let caller = Location::caller();
        let log = |args: fmt::Arguments<'_>| check::log_at(caller.file(), caller.line(), args);
        let record = loop {
            match self.recv(RECORD_TIMEOUT) {
                Ok(message) if message.kind == record_type => break message,
                Ok(_) => {}
                Err(Errno::EAGAIN) => {
                    log(format_args!(
                        "no audit record of type {record_type} within {RECORD_TIMEOUT:?}: the \
                         access was allowed, its record was lost (audit backlog full), or an \
                         exclude rule other than ours dropped it (`auditctl -l` lists them)"
                    ));
                    return Err(Errno::EAGAIN);
                }
                Err(errno) => return Err(errno),
            }
        };
        check_record(&record, pattern, matches, caller)
    }

    /// Reads the records logged before this call, up to a sentinel, and takes the first of
    /// `record_type`, which must read `audit(<time>:<serial>): domain=<hex ID>` then what
    /// `rest` accepts (`pattern`, C's regex after `REGEX_LANDLOCK_PREFIX`, is printed when it
    /// does not); returns its domain ID. Records before it are skipped, as C does; those after
    /// it stay to be read. Unlike [`match_record`](Self::match_record), a record that was not
    /// logged by the time of the call is not waited for: `EAGAIN` says, on evidence, that there
    /// is none (C's `-EAGAIN` of a negative check), with nothing printed. `ENOENT` (explained on
    /// stderr) when the record says something else. Raises `CAP_AUDIT_CONTROL` meanwhile, as
    /// [`count_records`](Self::count_records).
    #[track_caller]
    pub fn match_past_record(
        &self,
        record_type: u16,
        pattern: &str,
        rest: impl Fn(&str) -> bool,
    ) -> Result<u64, Errno> {
        let caller = Location::caller();
        let mut past = self.read_to_sentinel_raising(caller)?.into_iter();
        let Some(record) = past.find(|message| message.kind == record_type) else {
            return Err(Errno::EAGAIN);
        };
        self.unread
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(past);
        check_record(&record, pattern, rest, caller)
    }

    /// Reads records up to the first of `record_type` whose domain is `domain` (any when
    /// `None`) and whose text after `domain=<hex ID>` is `rest`, and returns its domain ID;
    /// records of that type that say something else are skipped (C's `audit_match_record` as
    /// fixed in 6.18.y for stale records, and `matches_log_domain_deallocated` with an expected
    /// domain ID). For records no task of the case logs, such as a domain's deallocation, after
    /// [`add_drop_rule`](Self::add_drop_rule): they come when a kernel worker frees the
    /// domain, after the fact, so they are waited for up to [`RECORD_TIMEOUT`] in all (C's
    /// `audit_tv_dom_drop`), and `EAGAIN` is the only evidence there is that none came.
    /// The last record skipped is printed then.
    #[track_caller]
    pub fn find_record(
        &self,
        record_type: u16,
        domain: Option<u64>,
        rest: &str,
    ) -> Result<u64, Errno> {
        let caller = Location::caller();
        let deadline = Instant::now() + RECORD_TIMEOUT;
        let mut skipped = None;
        loop {
            let message = match self.recv(deadline.saturating_duration_since(Instant::now())) {
                Ok(message) => message,
                Err(Errno::EAGAIN) => {
                    if let Some(data) = skipped {
                        let log = |args: fmt::Arguments<'_>| {
                            check::log_at(caller.file(), caller.line(), args)
                        };
                        log(format_args!("DATA: {data}"));
                        log(format_args!(
                            "ERROR: records of type {record_type} came, none of domain \
                             {domain:x?} with{rest}"
                        ));
                    }
                    return Err(Errno::EAGAIN);
                }
                Err(errno) => return Err(errno),
            };
            if message.kind != record_type {
                continue;
            }
            let data = message.text();
            match split_landlock_prefix(&data) {
                Some((id, tail)) if domain.is_none_or(|domain| domain == id) && tail == rest => {
                    return Ok(id);
                }
                _ => skipped = Some(data),
            }
        }
    }

    /// Counts the Landlock records that the case logged and that were not read yet (C's
    /// `audit_count_records`), reading up to a sentinel. Raises `CAP_AUDIT_CONTROL` for it
    /// meanwhile: `EPERM` when it is not permitted. `EAGAIN` (explained on stderr) when the
    /// sentinel did not come in [`RECORD_TIMEOUT`].
    #[track_caller]
    pub fn count_records(&self) -> Result<AuditRecords, Errno> {
        let past = self.read_to_sentinel_raising(Location::caller())?;
        let mut records = AuditRecords::default();
        for message in past {
            match message.kind {
                AUDIT_LANDLOCK_ACCESS => records.access += 1,
                AUDIT_LANDLOCK_DOMAIN => records.domain += 1,
                _ => {}
            }
        }
        Ok(records)
    }

    /// [`read_to_sentinel`](Self::read_to_sentinel), raising `CAP_AUDIT_CONTROL` for it if
    /// need be; a failure is explained on stderr, attributed to `caller`.
    fn read_to_sentinel_raising(&self, caller: &Location<'_>) -> Result<Vec<Message>, Errno> {
        let log = |args: fmt::Arguments<'_>| check::log_at(caller.file(), caller.line(), args);
        let raise = !has_effective(Cap::AuditControl);
        if raise {
            try_set_cap(Cap::AuditControl).inspect_err(|errno| {
                log(format_args!(
                    "reading audit records up to a sentinel needs CAP_AUDIT_CONTROL permitted \
                     (as disable_caps() leaves it): {errno}"
                ));
            })?;
        }
        let past = self.read_to_sentinel();
        if raise {
            try_clear_cap(Cap::AuditControl)?;
        }
        if past.as_ref().err() == Some(&Errno::EAGAIN) {
            log(format_args!(
                "the audit sentinel (a config change record) did not come within \
                 {RECORD_TIMEOUT:?}"
            ));
        }
        past
    }

    /// Sets `audit_enabled` to 1 again and reads up to the config change record that the
    /// kernel logs for it in this session, returning the records read before it: every
    /// record the case logged before this call, since records come in the order they were
    /// logged. `ENOBUFS` when the socket overflowed meanwhile. Needs `CAP_AUDIT_CONTROL`
    /// effective.
    fn read_to_sentinel(&self) -> Result<Vec<Message>, Errno> {
        // No acknowledgement asked: a failure still answers with an error message.
        self.send(&netlink_message(
            AUDIT_SET,
            NLM_F_REQUEST,
            &status(AUDIT_STATUS_ENABLED, 1),
        ))?;
        let deadline = Instant::now() + RECORD_TIMEOUT;
        let mut past = Vec::new();
        loop {
            let message = self.recv(deadline.saturating_duration_since(Instant::now()))?;
            if message.kind == AUDIT_CONFIG_CHANGE && is_sentinel(&message.text(), self.session) {
                return Ok(past);
            }
            past.push(message);
        }
    }

    /// Sets one field of the kernel's audit status (C's `audit_set_status`).
    fn set_status(&self, key: u32, value: u32) -> Result<(), Errno> {
        self.request(AUDIT_SET, &status(key, value))
    }

    /// Sends a request and waits for its acknowledgement, skipping records meanwhile (C's
    /// `audit_request`).
    fn request(&self, kind: u16, payload: &[u32]) -> Result<(), Errno> {
        self.send(&netlink_message(kind, NLM_F_REQUEST | NLM_F_ACK, payload))?;
        loop {
            if self.recv(RECORD_TIMEOUT)?.acked_type() == Some(kind) {
                return Ok(());
            }
        }
    }

    /// Sends a message to the kernel (C's `audit_send`).
    fn send(&self, message: &[u8]) -> Result<(), Errno> {
        let kernel = NetlinkAddr::new(0, 0);
        let sent = loop {
            match sendto(self.fd.as_raw_fd(), message, &kernel, MsgFlags::empty()) {
                Err(Errno::EINTR) => continue,
                sent => break sent?,
            }
        };
        if sent != message.len() {
            return Err(Errno::E2BIG);
        }
        Ok(())
    }

    /// The next message, waiting up to `timeout`: `EAGAIN` when none came (C's `audit_recv`
    /// with `SO_RCVTIMEO`), the errno of an error message, `EINVAL` for a message that is not
    /// the kernel's.
    fn recv(&self, timeout: Duration) -> Result<Message, Errno> {
        if let Some(message) = self
            .unread
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front()
        {
            return Ok(message);
        }
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

/// Skips the case unless it can read audit records of Landlock denials: the kernel lets only
/// root of the initial user namespace be the audit daemon, and Landlock logs denials since
/// ABI 7 (Linux 6.15).
#[track_caller]
pub fn require_audit() {
    require_initial_namespace("audit");
    require_abi(7, "audit records of Landlock denials");
}

/// The setup of an audit fixture, as C's `set_cap(CAP_AUDIT_CONTROL);
/// audit_init_with_exe_filter(); clear_cap(CAP_AUDIT_CONTROL)`: makes the case the audit
/// daemon ([`AuditSocket::init_with_filter`]) with `CAP_AUDIT_CONTROL` raised for the call.
/// Fails the case, naming the likely cause, when it cannot.
#[track_caller]
pub fn audit_init() -> AuditSocket {
    set_cap(Cap::AuditControl);
    let audit = AuditSocket::init_with_filter();
    clear_cap(Cap::AuditControl);
    audit.unwrap_or_else(|errno| {
        check::fatal(format_args!(
            "becoming the audit daemon failed with {errno} (EEXIST: another daemon such as \
             auditd is registered; EPERM: no CAP_AUDIT_CONTROL; ENOENT: no /run)"
        ))
    })
}

/// The teardown of an audit fixture, as C's `set_cap(CAP_AUDIT_CONTROL);
/// EXPECT_EQ(0, audit_cleanup(...)); clear_cap(CAP_AUDIT_CONTROL)`: [`AuditSocket::cleanup`]
/// with `CAP_AUDIT_CONTROL` raised for the call; the caller checks the result.
#[track_caller]
pub fn audit_cleanup(audit: &mut AuditSocket) -> Result<(), Errno> {
    set_cap(Cap::AuditControl);
    let cleaned = audit.cleanup();
    clear_cap(Cap::AuditControl);
    cleaned
}

/// Deletes the exclude rule from a process other than the case's (C's `audit_cleanup(-1, NULL)`
/// in a `FIXTURE_TEARDOWN_PARENT`): for fixtures whose test process ends restricted, with the
/// rule left in place by [`AuditSocket::init_with_filter`] and no [`AuditSocket::cleanup`]. Holds
/// [`LOCK_FILE`] meanwhile, so that it never deletes the rule of an audit daemon of another
/// binary. A rule already gone is fine: such a daemon, which took the lock once the test
/// process ended, found the rule in place and deleted it at its end (the rule is the same for
/// every case). `EPERM` without `CAP_AUDIT_CONTROL`.
///
/// In a case of the [`AUDIT_GROUP`], does nothing: the group's teardown deletes the rule.
pub fn delete_filter_rule() -> Result<(), Errno> {
    if group_deletes_rule() {
        return Ok(());
    }
    // Not the audit daemon: only the acknowledgement comes, and nothing to delete on drop.
    let audit = AuditSocket::open_locked()?;
    absent_is_fine(audit.request(AUDIT_DEL_RULE, &loginuid_rule()))
}

/// The exclusive group of the audit cases (`exclusive = audit`): one audit daemon at a time,
/// and one deletion of the exclude rule for all of them, by the group's teardown.
pub const AUDIT_GROUP: &str = "audit";

/// Whether the running case leaves the exclude rule to the [`AUDIT_GROUP`]'s teardown.
fn group_deletes_rule() -> bool {
    context::exclusive_group() == Some(AUDIT_GROUP)
}

#[distributed_slice(GROUP_TEARDOWNS)]
static AUDIT_GROUP_TEARDOWN: GroupTeardown = GroupTeardown {
    group: AUDIT_GROUP,
    run: delete_group_rule,
};

/// The [`AUDIT_GROUP`]'s teardown, in a process of the runner's (root's, with its
/// capabilities): deletes the exclude rule that the group's cases left in place, holding
/// [`LOCK_FILE`] so that no audit daemon of another binary loses it meanwhile (the next one
/// adds it again). Without privilege for audit, no case could add the rule: nothing to do.
fn delete_group_rule() -> Result<(), String> {
    if *privilege() != Privilege::Root {
        return Ok(());
    }
    let audit = match AuditSocket::open_locked() {
        Ok(audit) => audit,
        // No audit in the kernel (EPROTONOSUPPORT), no /run (ENOENT): no case added the rule.
        Err(Errno::EPROTONOSUPPORT | Errno::ENOENT) => return Ok(()),
        Err(errno) => return Err(format!("taking {LOCK_FILE}: {errno}")),
    };
    absent_is_fine(audit.request(AUDIT_DEL_RULE, &loginuid_rule()))
        .map_err(|errno| format!("deleting the exclude rule of the audit cases: {errno}"))
}

impl Drop for AuditSocket {
    fn drop(&mut self) {
        if self.rule_in_place {
            // Best effort, e.g. after a setup that failed past init.
            let _ = self.cleanup();
        }
    }
}

/// Waits for the exclusive lock of the file at `path`, created if need be, never through a
/// symbolic link (`ELOOP`).
fn lock(path: &str) -> Result<Flock<OwnedFd>, Errno> {
    let file = open(
        path,
        OFlag::O_RDWR | OFlag::O_CREAT | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::S_IRUSR | Mode::S_IWUSR,
    )?;
    Flock::lock(file, FlockArg::LockExclusive).map_err(|(_, errno)| errno)
}

/// A request with its netlink header and `flags`.
fn netlink_message(kind: u16, flags: u16, payload: &[u32]) -> Vec<u8> {
    let len = NLMSG_HDRLEN + 4 * payload.len();
    let mut message = Vec::with_capacity(len);
    message.extend((len as u32).to_ne_bytes());
    message.extend(kind.to_ne_bytes());
    message.extend(flags.to_ne_bytes());
    // Sequence number and port ID: 0, the kernel assigns the port.
    message.extend([0; 8]);
    for word in payload {
        message.extend(word.to_ne_bytes());
    }
    message
}

/// The leading fields of a `struct audit_status` setting one field (the kernel zeroes the
/// rest): `mask`, `enabled`, `failure`, `pid`.
fn status(key: u32, value: u32) -> [u32; 4] {
    let value_if = |field| if key == field { value } else { 0 };
    [
        key,
        value_if(AUDIT_STATUS_ENABLED),
        0,
        value_if(AUDIT_STATUS_PID),
    ]
}

/// `struct audit_rule_data` of the rule dropping every record not from the case: in the
/// exclude list, never audit what has a login uid other than [`CASE_LOGINUID`].
fn loginuid_rule() -> [u32; 4 + 4 * RULE_ARRAY] {
    exclude_unless(AUDIT_LOGINUID, CASE_LOGINUID)
}

/// The rule dropping every record but Landlock's domain records (C's `audit_filter_drop`).
fn drop_rule() -> [u32; 4 + 4 * RULE_ARRAY] {
    exclude_unless(AUDIT_MSGTYPE, AUDIT_LANDLOCK_DOMAIN.into())
}

/// `struct audit_rule_data` of an exclude rule: never audit what has `field` other than
/// `value`. No string field, so an empty buffer.
fn exclude_unless(field: u32, value: u32) -> [u32; 4 + 4 * RULE_ARRAY] {
    const FIELDS: usize = 3 + RULE_ARRAY;
    const VALUES: usize = FIELDS + RULE_ARRAY;
    const FIELDFLAGS: usize = VALUES + RULE_ARRAY;
    let mut rule = [0; 4 + 4 * RULE_ARRAY];
    rule[0] = AUDIT_FILTER_EXCLUDE;
    rule[1] = AUDIT_NEVER;
    rule[2] = 1;
    rule[FIELDS] = field;
    rule[VALUES] = value;
    rule[FIELDFLAGS] = AUDIT_NOT_EQUAL;
    rule
}

/// `ENOENT` (no such rule) is fine where a rule may not be in place.
fn absent_is_fine(result: Result<(), Errno>) -> Result<(), Errno> {
    match result {
        Err(Errno::ENOENT) => Ok(()),
        result => result,
    }
}

/// Checks that a record reads `audit(<time>:<serial>): domain=<hex ID>` then what `rest`
/// accepts, and returns its domain ID; `ENOENT`, explained on stderr with `pattern`, when not.
fn check_record(
    record: &Message,
    pattern: &str,
    rest: impl Fn(&str) -> bool,
    caller: &Location<'_>,
) -> Result<u64, Errno> {
    let data = record.text();
    match split_landlock_prefix(&data) {
        Some((domain, tail)) if rest(tail) => Ok(domain),
        _ => {
            let log = |args: fmt::Arguments<'_>| check::log_at(caller.file(), caller.line(), args);
            log(format_args!("DATA: {data}"));
            log(format_args!(
                "ERROR: no match for: audit(<time>:<serial>): domain=<hex ID>{pattern}"
            ));
            Err(Errno::ENOENT)
        }
    }
}

/// Gives the calling thread, and so every process and thread it forks afterwards,
/// [`CASE_LOGINUID`] and a new audit session, whose ID it returns. Changing a login uid that
/// is set needs `CAP_AUDIT_CONTROL`; `EPERM` also when login uids are immutable.
fn enter_case_session() -> Result<u32, Errno> {
    let errno = |err: std::io::Error| Errno::from_raw(err.raw_os_error().unwrap_or(libc::EIO));
    std::fs::write("/proc/thread-self/loginuid", CASE_LOGINUID.to_string()).map_err(errno)?;
    let session = std::fs::read_to_string("/proc/thread-self/sessionid").map_err(errno)?;
    session.trim().parse().map_err(|_| Errno::EINVAL)
}

/// Whether a config change record is the one logged for [`AuditSocket::sync`]'s request in
/// `session`: `audit(<time>:<serial>): op=set audit_enabled=1 old=<n> auid=<uid>
/// ses=<session> ...`.
fn is_sentinel(data: &str, session: u32) -> bool {
    data.split_once("): ").is_some_and(|(_, fields)| {
        fields.starts_with("op=set audit_enabled=1 ")
            && fields
                .split(' ')
                .any(|field| field == format!("ses={session}"))
    })
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
        let message = netlink_message(
            AUDIT_SET,
            NLM_F_REQUEST | NLM_F_ACK,
            &status(AUDIT_STATUS_PID, 42),
        );
        assert_eq!(message.len(), 32);
        assert_eq!(message[..4], 32u32.to_ne_bytes());
        assert_eq!(message[4..6], AUDIT_SET.to_ne_bytes());
        assert_eq!(message[6..8], 5u16.to_ne_bytes());
        assert_eq!(message[8..16], [0; 8]);
        assert_eq!(message[28..], 42u32.to_ne_bytes());
    }

    #[test]
    fn loginuid_rule_is_a_struct_audit_rule_data() {
        let rule = loginuid_rule();
        // flags, action, field_count, mask[64], fields[64], values[64], fieldflags[64], buflen.
        assert_eq!(size_of_val(&rule), 1040);
        assert_eq!(rule[..3], [AUDIT_FILTER_EXCLUDE, AUDIT_NEVER, 1]);
        assert_eq!(rule[3..67], [0; 64]);
        assert_eq!(
            (rule[67], rule[131], rule[195]),
            (AUDIT_LOGINUID, CASE_LOGINUID, AUDIT_NOT_EQUAL)
        );
        assert_eq!(rule[259], 0);
    }

    #[test]
    fn drop_rule_keeps_only_domain_records() {
        let rule = drop_rule();
        assert_eq!(rule[..3], [AUDIT_FILTER_EXCLUDE, AUDIT_NEVER, 1]);
        assert_eq!(
            (rule[67], rule[131], rule[195]),
            (AUDIT_MSGTYPE, 1424, AUDIT_NOT_EQUAL)
        );
    }

    #[test]
    fn an_ack_names_its_request() {
        let mut payload = 0i32.to_ne_bytes().to_vec();
        payload.extend(netlink_message(AUDIT_ADD_RULE, NLM_F_REQUEST, &[])[..NLMSG_HDRLEN].iter());
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

    #[test]
    fn only_root_can_write_where_the_lock_is() {
        let dir = std::path::Path::new(LOCK_FILE).parent().unwrap();
        let stat = nix::sys::stat::stat(dir).unwrap();
        assert_eq!(stat.st_uid, 0, "{dir:?}");
        assert_eq!(stat.st_mode & 0o022, 0, "{dir:?} is writable by others");
    }

    #[test]
    fn the_lock_follows_no_link() {
        let dir = nix::unistd::mkdtemp(&std::env::temp_dir().join("audit-lock-XXXXXX")).unwrap();
        let (target, link) = (dir.join("target"), dir.join("lock"));
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let locked = lock(link.to_str().unwrap()).map(drop);
        let created = target.exists();
        std::fs::remove_file(&link).unwrap();
        let _ = std::fs::remove_file(&target);
        std::fs::remove_dir(&dir).unwrap();
        assert_eq!(locked, Err(Errno::ELOOP));
        assert!(!created);
    }

    #[test]
    fn the_sentinel_is_our_enabling_in_our_session() {
        let ours = "audit(1764339000.123:456): op=set audit_enabled=1 old=1 auid=2047966807 \
                    ses=42 subj=unconfined res=1";
        assert!(is_sentinel(ours, 42));
        assert!(!is_sentinel(ours, 4));
        assert!(!is_sentinel(ours, 420));
        for other in [
            "audit(1.2:3): op=set audit_enabled=1 old=1 auid=4294967295 ses=4294967295 res=1",
            "audit(1.2:3): op=set audit_pid=7 old=0 auid=2047966807 ses=42 res=1",
            "audit(1.2:3): op=set audit_enabled=0 old=1 auid=2047966807 ses=42 res=1",
            "audit(1.2:3): auid=2047966807 ses=42 op=add_rule key=(null) list=5 res=1",
        ] {
            assert!(!is_sentinel(other, 42), "{other:?}");
        }
    }
}

/// The names of the audit fixtures: the daemon's socket and its setup, the record types.
pub mod prelude {
    pub use super::{
        AUDIT_LANDLOCK_ACCESS, AUDIT_LANDLOCK_DOMAIN, AuditRecords, AuditSocket, audit_cleanup,
        audit_init, delete_filter_rule, require_audit,
    };
}
