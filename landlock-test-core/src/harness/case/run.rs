//! Inside a case's process: setup, body and teardown with the C harness's rules, and the
//! process that runs them.

use std::any::Any;
use std::mem::MaybeUninit;
use std::panic::{self, AssertUnwindSafe};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};

use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, fork};

use crate::harness::check::{Fatal, Skipped};
use crate::harness::context;
use crate::harness::registry::{Case, Fixture};
use crate::harness::shared::{Shared, shared_alloc};
use crate::harness::sys::flush_std;
use crate::harness::workdir::WorkDir;

/// How a step (setup, body, teardown, a helper child) ended.
pub(crate) enum Outcome {
    Returned,
    Fatal,
    Skipped,
    Panicked,
}

/// Runs one step, turning a fatal check, a skip or a panic into an [`Outcome`].
pub(crate) fn catch(step: impl FnOnce()) -> Outcome {
    match catch_value(step) {
        Ok(()) => Outcome::Returned,
        Err(outcome) => outcome,
    }
}

fn catch_value<T>(step: impl FnOnce() -> T) -> Result<T, Outcome> {
    panic::catch_unwind(AssertUnwindSafe(step)).map_err(|payload| classify(&*payload))
}

fn classify(payload: &(dyn Any + Send)) -> Outcome {
    if payload.is::<Fatal>() {
        Outcome::Fatal
    } else if payload.is::<Skipped>() {
        Outcome::Skipped
    } else {
        context::mark_failed();
        Outcome::Panicked
    }
}

/// A panic is a failure of the case, printed like a failed check: `file:line:case:message`.
/// Fatal checks and skips unwind with `resume_unwind`, which does not call the hook.
fn install_panic_hook() {
    panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
            .unwrap_or("Box<dyn Any>");
        let (file, line) = info.location().map_or(("?", 0), |l| (l.file(), l.line()));
        eprintln!("{file}:{line}:{}:panicked: {message}", context::case_name());
        context::mark_failed();
    }));
}

/// The case's process, right after the runner forked it. Never returns.
pub(crate) fn case_main(case: Case, shared: &'static Shared, workdir: &WorkDir) -> ! {
    // Its own process group, so that a timeout kills every process the case started.
    // SAFETY: setpgid(2) takes integers only: no memory of ours is involved.
    unsafe { libc::setpgid(0, 0) };
    context::enter(&case, shared);
    install_panic_hook();
    match workdir.enter() {
        Ok(()) => (case.test.run)(case.variant_value()),
        Err(e) => crate::harness::check::fail_at(
            file!(),
            line!(),
            format_args!("cannot make a private working directory: {e}"),
        ),
    }
    workdir.leave();
    flush_std();
    shared.set_finished();
    // SAFETY: _exit(2) takes an integer and never returns; it ends the case process without
    // running the runner's exit handlers.
    unsafe { libc::_exit(0) }
}

/// `test!`: the body runs in the case's process; there is no fixture.
pub fn run_test(body: fn()) {
    catch(body);
}

/// `test_f!`: setup, body and teardown of fixture `F` for one variant.
pub fn run_fixture_test<F: Fixture>(
    variant: &'static (dyn Any + Sync),
    body: fn(&mut F, &F::Variant),
) {
    let Some(variant) = (variant as &dyn Any).downcast_ref::<F::Variant>() else {
        crate::harness::check::fail_at(
            file!(),
            line!(),
            format_args!(
                "fixture {} declares a variant type but no variant! adds an instance",
                F::NAME
            ),
        );
        return;
    };
    if F::TEARDOWN_PARENT {
        run_with_parent_teardown(variant, body);
    } else {
        run_in_place(variant, body);
    }
}

/// Setup; `None` when it failed or skipped: then neither body nor teardown runs (C: "Let
/// setup failure terminate early").
fn setup<F: Fixture>(variant: &F::Variant) -> Option<F> {
    let fixture = catch_value(|| F::setup(variant)).ok()?;
    let shared = context::shared();
    (!shared.failed() && !shared.skipped()).then_some(fixture)
}

fn run_in_place<F: Fixture>(variant: &F::Variant, body: fn(&mut F, &F::Variant)) {
    let Some(mut fixture) = setup::<F>(variant) else {
        return;
    };
    context::shared().set_setup_done();
    catch(|| body(&mut fixture, variant));
    if context::shared().claim_teardown() {
        catch(|| fixture.teardown(variant));
    }
    catch(move || drop(fixture));
}

/// What the test process and its unrestricted parent share for FIXTURE_TEARDOWN_PARENT.
struct ParentShared<F> {
    body_done: AtomicBool,
    fixture: MaybeUninit<F>,
}

/// As the C harness does for FIXTURE_TEARDOWN_PARENT: setup and body run in a grandchild, the
/// teardown in this process once the grandchild ended, however it ended.
fn run_with_parent_teardown<F: Fixture>(variant: &F::Variant, body: fn(&mut F, &F::Variant)) {
    let mem: NonNull<ParentShared<F>> = match shared_alloc() {
        Ok(mem) => mem,
        Err(e) => crate::harness::check::fatal(format_args!("mmap of the fixture: {e}")),
    };
    flush_std();
    // SAFETY: the case process is single-threaded, so the child may run any code.
    match unsafe { fork() } {
        Ok(ForkResult::Child) => {
            if let Some(fixture) = setup::<F>(variant) {
                // SAFETY: the mapping is ours, sized and aligned for `ParentShared<F>` (page
                // aligned); `fixture` is written once, before anyone reads it.
                let fixture = unsafe { (*mem.as_ptr()).fixture.write(fixture) };
                context::shared().set_setup_done();
                catch(|| body(fixture, variant));
            }
            flush_std();
            // SAFETY: the mapping is still ours, sized and aligned for `ParentShared<F>`, and
            // `body_done` is an atomic: the store races with no other access.
            unsafe { (*mem.as_ptr()).body_done.store(true, Ordering::SeqCst) };
            // SAFETY: _exit(2) takes an integer and never returns; it ends the test process
            // without running exit handlers.
            unsafe { libc::_exit(0) }
        }
        Ok(ForkResult::Parent { child }) => {
            let shared = context::shared();
            match waitpid(child, None) {
                Ok(WaitStatus::Signaled(_, signal, _)) => shared.set_signal(signal as i32),
                Ok(_) => {}
                Err(e) => {
                    crate::harness::check::fail_at(file!(), line!(), format_args!("waitpid: {e}"))
                }
            }
            // SAFETY: the grandchild ended; the memory is still mapped.
            let parent_shared = unsafe { &mut *mem.as_ptr() };
            if !parent_shared.body_done.load(Ordering::SeqCst) && shared.signal() == 0 {
                crate::harness::check::fail_at(
                    file!(),
                    line!(),
                    format_args!("the test process exited before the case completed"),
                );
            }
            if shared.setup_done() && shared.claim_teardown() {
                // SAFETY: setup_done is set only after the fixture was written; `F: Copy`
                // (checked by `fixture!`) makes its bytes valid in this process too.
                let fixture = unsafe { parent_shared.fixture.assume_init_mut() };
                catch(|| fixture.teardown(variant));
            }
            // SAFETY: mapped above with this size; nothing refers to it any more.
            unsafe { libc::munmap(mem.as_ptr().cast(), size_of::<ParentShared<F>>()) };
        }
        Err(e) => crate::harness::check::fatal(format_args!("fork of the test process: {e}")),
    }
}
