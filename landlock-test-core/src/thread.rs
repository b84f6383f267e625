//! Threads within a case, as C tests use pthreads: a thread runs beside the case's main
//! thread, in the same process, and its failed checks count for the case.
//!
//! A thread starts with the credentials of the thread that spawned it: its capabilities, its
//! no_new_privs, its Landlock domain. Restrictions made later apply to the thread that makes
//! them only ([`enforce_ruleset`](crate::abi::enforce_ruleset) restricts the calling thread).
//!
//! A case process must be single-threaded when it forks ([`fork_child`](crate::fork_child)):
//! join its threads before.

use std::os::unix::thread::JoinHandleExt;
use std::panic;
use std::thread::{Builder, JoinHandle};

use nix::errno::Errno;
use nix::sys::signal::Signal;

use crate::harness::check;

/// A thread of the case's process (C's `pthread_t`); wait for it with [`CaseThread::join`].
#[must_use = "a thread must be joined, as C's pthread_join(): its result is the case's"]
#[derive(Debug)]
pub struct CaseThread<T> {
    handle: JoinHandle<T>,
}

/// Starts `body` in a new thread of the case's process (C's `pthread_create`); fails the case
/// when the thread cannot be created.
#[track_caller]
pub fn spawn_thread<T: Send + 'static>(body: impl FnOnce() -> T + Send + 'static) -> CaseThread<T> {
    match Builder::new().spawn(body) {
        Ok(handle) => CaseThread { handle },
        Err(err) => check::fatal(format_args!("pthread_create: {err}")),
    }
}

/// `raise(3)`: sends `signal` to the calling thread, or with `None` only checks that it may
/// be sent (signal 0). A handler for it has run when this returns. (Named apart from the
/// capability guard [`raise`](crate::privilege::common::raise).)
pub fn raise_signal(signal: Option<Signal>) -> Result<(), Errno> {
    let signum = signal.map_or(0, |signal| signal as libc::c_int);
    // SAFETY: plain library call on the calling thread.
    Errno::result(unsafe { libc::raise(signum) }).map(drop)
}

impl<T> CaseThread<T> {
    /// `pthread_kill(3)`: sends `signal` to this thread, or with `None` only checks that it
    /// may be sent (signal 0). Landlock's signal scope checks it as any other signal.
    pub fn kill(&self, signal: Option<Signal>) -> Result<(), Errno> {
        let signum = signal.map_or(0, |signal| signal as libc::c_int);
        // SAFETY: the thread is not joined yet (`join` consumes `self`), so its pthread_t is
        // valid.
        let ret = unsafe { libc::pthread_kill(self.handle.as_pthread_t(), signum) };
        if ret == 0 {
            Ok(())
        } else {
            Err(Errno::from_raw(ret))
        }
    }

    /// Waits for the thread (C's `pthread_join`) and returns what its body returned. A fatal
    /// check, a skip or a panic in the thread (already recorded for the case) goes on here, in
    /// the joining thread, as if it had happened there.
    pub fn join(self) -> T {
        match self.handle.join() {
            Ok(value) => value,
            Err(payload) => panic::resume_unwind(payload),
        }
    }
}
