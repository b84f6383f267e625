//! Landlock tests - Signal Scoping: tools/testing/selftests/landlock/scoped_signal_test.c
//! (Linux v6.18). Fixtures, variants and tests keep the C names and order.
//!
//! Threads: C's pthreads are `spawn_thread`s, threads of the case's process. The pipe a thread
//! reads is moved into it and handed back with its result, where C shares the descriptor
//! number, so that the main thread closes it after the join as C does.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

use landlock_test_core::net::prelude::*;
use landlock_test_core::prelude::*;
use landlock_test_core::scope::prelude::*;
use landlock_test_core::{assert_eq, assert_ok};
use libc::SOCK_STREAM;
use nix::fcntl::OFlag;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, kill, sigaction};
use nix::sys::socket::{MsgFlags, recv, send};
use nix::sys::wait::WaitStatus;
use nix::unistd::{Uid, getpid, getuid, pipe2, read, setuid, write};

include!("common/scoped_base_variants.rs");

/// C's `is_signaled`: set by the handler of several signals.
static IS_SIGNALED: AtomicI32 = AtomicI32::new(0);

fixture! {
    scoping_signals {}
    setup: |_| {
        drop_caps();
        require_scope(LANDLOCK_SCOPE_SIGNAL);

        IS_SIGNALED.store(0, Ordering::SeqCst);
        Self {}
    },
}

variant! {
    scoping_signals {
        sig: Signal,
    }
    sigtrap { sig: Signal::SIGTRAP }
    sigurg { sig: Signal::SIGURG }
    sighup { sig: Signal::SIGHUP }
    sigtstp { sig: Signal::SIGTSTP }
}

extern "C" fn scope_signal_handler(
    sig: libc::c_int,
    _info: *mut libc::siginfo_t,
    _ucontext: *mut libc::c_void,
) {
    if [libc::SIGTRAP, libc::SIGURG, libc::SIGHUP, libc::SIGTSTP].contains(&sig) {
        IS_SIGNALED.store(1, Ordering::SeqCst);
    }
}

/// C's `read(fd, &buf, 1)`: one byte from a pipe.
fn read_byte(fd: &OwnedFd) -> Result<usize, Errno> {
    read(fd, &mut [0u8])
}

// In this test, a child process sends a signal to parent before and after getting scoped.
test_f!(scoping_signals, send_sig_to_parent, |self, variant| {
    let parent = getpid();
    let action = SigAction::new(
        SigHandler::SigAction(scope_signal_handler),
        SaFlags::SA_SIGINFO,
        SigSet::empty(),
    );

    let (pipe_read, pipe_write) = assert_ok!(pipe2(OFlag::O_CLOEXEC));
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    assert_ok!(unsafe { sigaction(variant.sig, &action) });

    // The process should not have already been signaled.
    expect_eq!(0, IS_SIGNALED.load(Ordering::SeqCst));

    let child = fork_child(|| {
        expect_eq!(Ok(()), close_in_child(&pipe_write));

        // The child process can send signal to parent when domain is not scoped.
        assert_eq!(Ok(()), kill(parent, variant.sig));
        assert_eq!(Ok(1), read_byte(&pipe_read));
        expect_eq!(Ok(()), close_in_child(&pipe_read));

        create_scoped_domain(LANDLOCK_SCOPE_SIGNAL);

        // The child process cannot send signal to the parent anymore.
        assert_eq!(Err(Errno::EPERM), kill(parent, variant.sig));

        // No matter of the domain, a process should be able to send a signal to itself.
        assert_eq!(0, IS_SIGNALED.load(Ordering::SeqCst));
        assert_eq!(Ok(()), raise_signal(Some(variant.sig)));
        assert_eq!(1, IS_SIGNALED.load(Ordering::SeqCst));
    });
    expect_eq!(Ok(()), close(pipe_read));

    // Waits for a first signal to be received, without race condition. Not in C, which sleeps
    // 1 µs a turn: the wait ends when the child ended without signaling (its kill(2) precedes
    // its exit, so its signal would be handled first), instead of at the case's timeout.
    let pidfd = child.pidfd();
    while IS_SIGNALED.load(Ordering::SeqCst) == 0 {
        match &pidfd {
            Some(pidfd) => {
                let mut fds = [PollFd::new(pidfd.as_fd(), PollFlags::POLLIN)];
                if poll(&mut fds, PollTimeout::from(1u8)) == Ok(1)
                    && IS_SIGNALED.load(Ordering::SeqCst) == 0
                {
                    break;
                }
            }
            None => std::thread::sleep(Duration::from_micros(1)),
        }
    }
    assert_eq!(1, IS_SIGNALED.load(Ordering::SeqCst));
    assert_eq!(Ok(1), write(&pipe_write, b"."));
    expect_eq!(Ok(()), close(pipe_write));
    IS_SIGNALED.store(0, Ordering::SeqCst);

    let pid = child.pid();
    expect_eq!(WaitStatus::Exited(pid, 0), child.wait());

    expect_eq!(0, IS_SIGNALED.load(Ordering::SeqCst));
});

fixture! {
    scoped_domains {}
    setup: |variant| {
        drop_caps();
        // Not in C: a domain created in the child would skip there, which fails the case.
        if uses_domain(variant) {
            require_scope(LANDLOCK_SCOPE_SIGNAL);
        }
        Self {}
    },
}

// This test ensures that a scoped process cannot send signal out of scoped domain.
test_f!(scoped_domains, check_access_signal, |self, variant| {
    let parent = getpid();
    let can_signal_parent = !variant.domain_child;
    let can_signal_child = !variant.domain_parent;

    if variant.domain_both {
        create_scoped_domain(LANDLOCK_SCOPE_SIGNAL);
    }

    let (parent_read, parent_write) = assert_ok!(pipe2(OFlag::O_CLOEXEC));
    let (child_read, child_write) = assert_ok!(pipe2(OFlag::O_CLOEXEC));

    let child = fork_child(|| {
        expect_eq!(Ok(()), close_in_child(&child_read));
        expect_eq!(Ok(()), close_in_child(&parent_write));

        if variant.domain_child {
            create_scoped_domain(LANDLOCK_SCOPE_SIGNAL);
        }

        assert_eq!(Ok(1), write(&child_write, b"."));
        expect_eq!(Ok(()), close_in_child(&child_write));

        // Waits for the parent to send signals.
        assert_eq!(Ok(1), read_byte(&parent_read));
        expect_eq!(Ok(()), close_in_child(&parent_read));

        assert_eq!(eperm_if(!can_signal_parent), kill(parent, None));
        // No matter of the domain, a process should be able to send a signal to itself.
        assert_eq!(Ok(()), raise_signal(None));
    });
    expect_eq!(Ok(()), close(parent_read));
    expect_eq!(Ok(()), close(child_write));

    if variant.domain_parent {
        create_scoped_domain(LANDLOCK_SCOPE_SIGNAL);
    }

    assert_eq!(Ok(1), read_byte(&child_read));
    expect_eq!(Ok(()), close(child_read));

    assert_eq!(eperm_if(!can_signal_child), kill(child.pid(), None));
    assert_eq!(Ok(()), raise_signal(None));

    assert_eq!(Ok(1), write(&parent_write, b"."));
    expect_eq!(Ok(()), close(parent_write));
    let pid = child.pid();
    expect_eq!(WaitStatus::Exited(pid, 0), child.wait());
});

/// C's `enum thread_return`, without `THREAD_INVALID`: a joined thread always returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ThreadReturn {
    Success,
    Error,
    TestFailed,
}

/// C's `thread_sync`: waits for one byte on `pipe_read`, then hands the pipe back.
fn thread_sync(pipe_read: OwnedFd) -> (ThreadReturn, OwnedFd) {
    let ret = match read_byte(&pipe_read) {
        Ok(1) => ThreadReturn::Success,
        _ => ThreadReturn::Error,
    };
    (ret, pipe_read)
}

// Erratum 2: the restricted main thread signals a thread created before its domain, outside
// it; kernels without the fix deny it (EPERM), and the failure says so.
test!(signal_scoping_thread_before, || {
    drop_caps();
    require_scope(LANDLOCK_SCOPE_SIGNAL);
    let (pipe_read, pipe_write) = assert_ok!(pipe2(OFlag::O_CLOEXEC));

    let no_sandbox_thread = spawn_thread(move || thread_sync(pipe_read));

    // Enforces restriction after creating the thread.
    create_scoped_domain(LANDLOCK_SCOPE_SIGNAL);

    expect_eq!(
        Ok(()),
        no_sandbox_thread.kill(None),
        "{}",
        erratum_note(ERRATUM_SCOPED_SIGNALS)
    );
    expect_eq!(Ok(1), write(&pipe_write, b"."));

    let (ret, pipe_read) = no_sandbox_thread.join();
    expect_eq!(ThreadReturn::Success, ret);

    expect_eq!(Ok(()), close(pipe_read));
    expect_eq!(Ok(()), close(pipe_write));
});

test!(signal_scoping_thread_after, || {
    drop_caps();
    require_scope(LANDLOCK_SCOPE_SIGNAL);
    let (pipe_read, pipe_write) = assert_ok!(pipe2(OFlag::O_CLOEXEC));

    // Enforces restriction before creating the thread.
    create_scoped_domain(LANDLOCK_SCOPE_SIGNAL);

    let scoped_thread = spawn_thread(move || thread_sync(pipe_read));

    expect_eq!(Ok(()), scoped_thread.kill(None));
    expect_eq!(Ok(1), write(&pipe_write, b"."));

    let (ret, pipe_read) = scoped_thread.join();
    expect_eq!(ThreadReturn::Success, ret);

    expect_eq!(Ok(()), close(pipe_read));
    expect_eq!(Ok(()), close(pipe_write));
});

/// C's `thread_setuid`: waits for one byte, then checks that the process-wide setuid(2) of the
/// main thread reached this thread too.
fn thread_setuid(pipe_read: OwnedFd, new_uid: u32) -> (ThreadReturn, OwnedFd) {
    let ret = if read_byte(&pipe_read) != Ok(1) {
        ThreadReturn::Error
    } else if getuid().as_raw() != new_uid {
        // libc's setuid() should update all thread's credentials.
        ThreadReturn::TestFailed
    } else {
        ThreadReturn::Success
    };
    (ret, pipe_read)
}

// Erratum 2 again: glibc's setuid() signals every other thread (tgkill) to change its
// credentials too, here a thread outside the caller's domain.
test!(signal_scoping_thread_setuid, || {
    disable_caps();
    require_scope(LANDLOCK_SCOPE_SIGNAL);

    // This test does not need to be run as root.
    let prev_uid = getuid().as_raw();
    let new_uid = prev_uid + 1;
    expect_lt!(0, new_uid);
    // Not in C: the user namespace of an unprivileged run maps one uid only.
    require_uid_mapped(new_uid, "setuid(2) to another uid");

    let (pipe_read, pipe_write) = assert_ok!(pipe2(OFlag::O_CLOEXEC));

    // Capabilities must be set before creating a new thread.
    set_cap(Cap::Setuid);
    let no_sandbox_thread = spawn_thread(move || thread_setuid(pipe_read, new_uid));

    // Enforces restriction after creating the thread.
    create_scoped_domain(LANDLOCK_SCOPE_SIGNAL);

    expect_ne!(new_uid, getuid().as_raw());
    expect_eq!(Ok(()), setuid(Uid::from_raw(new_uid)));
    expect_eq!(new_uid, getuid().as_raw());
    expect_eq!(Ok(1), write(&pipe_write, b"."));

    let (ret, pipe_read) = no_sandbox_thread.join();
    expect_eq!(
        ThreadReturn::Success,
        ret,
        "{}",
        erratum_note(ERRATUM_SCOPED_SIGNALS)
    );

    clear_cap(Cap::Setuid);
    expect_eq!(Ok(()), close(pipe_read));
    expect_eq!(Ok(()), close(pipe_write));
});

/// C's `signal_received`: 1 after a SIGURG, -1 after another signal.
static SIGNAL_RECEIVED: AtomicI32 = AtomicI32::new(0);

extern "C" fn handle_sigurg(sig: libc::c_int) {
    let received = if sig == libc::SIGURG { 1 } else { -1 };
    SIGNAL_RECEIVED.store(received, Ordering::SeqCst);
}

/// C's `setup_signal_handler`: `handle_sigurg` for SIGURG, restarting interrupted calls. (C
/// also sets SA_SIGINFO, which nix drops for a one-argument handler: the handler reads only
/// the signal number either way.)
fn setup_signal_handler(signal: Signal) -> Result<(), Errno> {
    let action = SigAction::new(
        SigHandler::Handler(handle_sigurg),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe { sigaction(signal, &action) }.map(drop)
}

fixture! {
    fown {}
    setup: |variant| {
        drop_caps();
        // Not in C: as scoped_domains.
        if variant.sandbox_setown != FownSandbox::None {
            require_scope(LANDLOCK_SCOPE_SIGNAL);
        }
        Self {}
    },
}

/// C's `enum fown_sandbox`: when the parent enters its domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FownSandbox {
    None,
    BeforeFork,
    BeforeSetown,
    AfterSetown,
}

variant! {
    fown {
        sandbox_setown: FownSandbox,
    }
    no_sandbox { sandbox_setown: FownSandbox::None }
    sandbox_before_fork { sandbox_setown: FownSandbox::BeforeFork }
    sandbox_before_setown { sandbox_setown: FownSandbox::BeforeSetown }
    sandbox_after_setown { sandbox_setown: FownSandbox::AfterSetown }
}

// Sending an out of bound message will trigger the SIGURG signal through
// file_send_sigiotask.
test_f!(fown, sigurg_socket, |self, variant| {
    let server_address = Service::unix(SOCK_STREAM, 0);

    let (parent_read, parent_write) = assert_ok!(pipe2(OFlag::O_CLOEXEC));
    let (child_read, child_write) = assert_ok!(pipe2(OFlag::O_CLOEXEC));

    if variant.sandbox_setown == FownSandbox::BeforeFork {
        create_scoped_domain(LANDLOCK_SCOPE_SIGNAL);
    }

    let child = fork_child(|| {
        expect_eq!(Ok(()), close_in_child(&parent_write));
        expect_eq!(Ok(()), close_in_child(&child_read));

        assert_eq!(Ok(()), setup_signal_handler(Signal::SIGURG));
        let client_socket = assert_ok!(socket_variant(&server_address));

        // Waits for the parent to listen.
        assert_eq!(Ok(1), read_byte(&parent_read));
        assert_eq!(Ok(()), connect_variant(&client_socket, &server_address));

        // Waits for the parent to accept the connection, sandbox itself, and call fcntl(2).
        assert_eq!(Ok(1), read_byte(&parent_read));
        // May signal itself.
        assert_eq!(
            Ok(1),
            send(client_socket.as_raw_fd(), b".", MsgFlags::MSG_OOB)
        );
        expect_eq!(Ok(()), close(client_socket));
        assert_eq!(Ok(1), write(&child_write, b"."));
        expect_eq!(Ok(()), close_in_child(&child_write));

        // Waits for the message to be received.
        assert_eq!(Ok(1), read_byte(&parent_read));
        expect_eq!(Ok(()), close_in_child(&parent_read));

        if variant.sandbox_setown == FownSandbox::BeforeSetown {
            assert_eq!(0, SIGNAL_RECEIVED.load(Ordering::SeqCst));
        } else {
            // A signal is only received if fcntl(F_SETOWN) was called before any sandboxing
            // or if the signal receiver is in the same domain.
            assert_eq!(1, SIGNAL_RECEIVED.load(Ordering::SeqCst));
        }
    });
    expect_eq!(Ok(()), close(parent_read));
    expect_eq!(Ok(()), close(child_write));

    let server_socket = assert_ok!(socket_variant(&server_address));
    assert_eq!(Ok(()), bind_variant(&server_socket, &server_address));
    assert_eq!(Ok(()), test_listen(&server_socket, BACKLOG));
    assert_eq!(Ok(1), write(&parent_write, b"."));

    let recv_socket = assert_ok!(test_accept(&server_socket));

    if variant.sandbox_setown == FownSandbox::BeforeSetown {
        create_scoped_domain(LANDLOCK_SCOPE_SIGNAL);
    }

    // Sets the child to receive SIGURG for MSG_OOB. This uncommon use is a valid attack
    // scenario which also simplifies this test.
    assert_eq!(Ok(()), set_owner(&recv_socket, child.pid()));

    if variant.sandbox_setown == FownSandbox::AfterSetown {
        create_scoped_domain(LANDLOCK_SCOPE_SIGNAL);
    }

    assert_eq!(Ok(1), write(&parent_write, b"."));

    // Waits for the child to send MSG_OOB.
    assert_eq!(Ok(1), read_byte(&child_read));
    expect_eq!(Ok(()), close(child_read));
    let mut buffer_parent = [0u8];
    assert_eq!(
        Ok(1),
        recv(
            recv_socket.as_raw_fd(),
            &mut buffer_parent,
            MsgFlags::MSG_OOB
        )
    );
    expect_eq!(Ok(()), close(recv_socket));
    expect_eq!(Ok(()), close(server_socket));
    assert_eq!(Ok(1), write(&parent_write, b"."));
    expect_eq!(Ok(()), close(parent_write));

    let pid = child.pid();
    expect_eq!(WaitStatus::Exited(pid, 0), child.wait());
});

test_harness_main!();
