//! The result of one case, in memory shared by the runner and every process of the case (the
//! C harness's `_metadata->results` and `exit_code`): a failure recorded by a grandchild or a
//! forked helper counts for the case.

use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, AtomicU32, Ordering};

const REASON_MAX: usize = 1024;

#[repr(C)]
pub(crate) struct Shared {
    failed: AtomicBool,
    skipped: AtomicBool,
    /// Setup completed: teardown is owed (the C harness's `no_teardown` cleared).
    setup_done: AtomicBool,
    /// Teardown started somewhere: it runs at most once.
    teardown_claimed: AtomicBool,
    /// The case process reached its end through the harness, not an early exit.
    finished: AtomicBool,
    /// Signal that killed the process running the test (grandchild when there is one).
    signal: AtomicI32,
    reason_len: AtomicU32,
    /// Bytes of the skip reason; atomics, since any process of the case may write them.
    reason: [AtomicU8; REASON_MAX],
}

/// An anonymous `MAP_SHARED` mapping holding one [`Shared`], inherited across `fork`.
pub(crate) struct SharedMap(NonNull<Shared>);

impl SharedMap {
    pub(crate) fn new() -> std::io::Result<Self> {
        Ok(Self(shared_alloc::<Shared>()?))
    }

    /// `'static` for the case's processes, whose copy of the mapping lives as long as they do;
    /// in the runner, the handle outlives every use (it is dropped after the case's report).
    pub(crate) fn get(&self) -> &'static Shared {
        // SAFETY: the mapping is zero-initialised (a valid `Shared`, all atomics) and stays
        // mapped as long as this handle, as said above.
        unsafe { self.0.as_ref() }
    }
}

impl Drop for SharedMap {
    fn drop(&mut self) {
        // SAFETY: mapped by `shared_alloc` with this size.
        unsafe { libc::munmap(self.0.as_ptr().cast(), size_of::<Shared>()) };
    }
}

/// Maps zeroed shared anonymous memory for one `T`.
pub(crate) fn shared_alloc<T>() -> std::io::Result<NonNull<T>> {
    // SAFETY: a new anonymous mapping where the kernel chooses (no hint, no MAP_FIXED) replaces
    // nothing of ours; the result is checked before it is used.
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            size_of::<T>().max(1),
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if ptr == libc::MAP_FAILED {
        return Err(std::io::Error::last_os_error());
    }
    Ok(NonNull::new(ptr.cast()).expect("mmap returned a null mapping"))
}

impl Shared {
    pub(crate) fn mark_failed(&self) {
        self.failed.store(true, Ordering::SeqCst);
    }

    pub(crate) fn failed(&self) -> bool {
        self.failed.load(Ordering::SeqCst)
    }

    /// Keeps the first reason: later skips (from teardown, say) do not overwrite it.
    pub(crate) fn mark_skipped(&self, reason: &str) {
        if !self.skipped.swap(true, Ordering::SeqCst) {
            self.set_reason(reason);
        }
    }

    pub(crate) fn skipped(&self) -> bool {
        self.skipped.load(Ordering::SeqCst)
    }

    fn set_reason(&self, reason: &str) {
        let mut len = reason.len().min(REASON_MAX);
        while !reason.is_char_boundary(len) {
            len -= 1;
        }
        // Only the process that won the `skipped` swap writes, once, before publishing the
        // length; readers read no more than the published length.
        for (slot, byte) in self.reason.iter().zip(&reason.as_bytes()[..len]) {
            slot.store(*byte, Ordering::Relaxed);
        }
        self.reason_len.store(len as u32, Ordering::SeqCst);
    }

    pub(crate) fn reason(&self) -> String {
        let len = self.reason_len.load(Ordering::SeqCst) as usize;
        let bytes: Vec<u8> = self.reason[..len]
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    pub(crate) fn set_setup_done(&self) {
        self.setup_done.store(true, Ordering::SeqCst);
    }

    pub(crate) fn setup_done(&self) -> bool {
        self.setup_done.load(Ordering::SeqCst)
    }

    /// True for exactly one caller over all processes of the case.
    pub(crate) fn claim_teardown(&self) -> bool {
        !self.teardown_claimed.swap(true, Ordering::SeqCst)
    }

    pub(crate) fn set_finished(&self) {
        self.finished.store(true, Ordering::SeqCst);
    }

    pub(crate) fn finished(&self) -> bool {
        self.finished.load(Ordering::SeqCst)
    }

    pub(crate) fn set_signal(&self, signal: i32) {
        self.signal.store(signal, Ordering::SeqCst);
    }

    pub(crate) fn signal(&self) -> i32 {
        self.signal.load(Ordering::SeqCst)
    }
}
