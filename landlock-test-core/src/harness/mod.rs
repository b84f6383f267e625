//! The kselftest harness, knowing nothing of Landlock: the registry the macros fill, the
//! checks, a case's process (setup, body, teardown, helper children) and the runner that starts
//! cases and reports them. What the run needs from its domain (privilege, the kernel's
//! description) comes through the start-up hook the runner is given ([`runner::main`]).
//!
//! Modules, from the bottom: `sys` (process primitives: flushing, pidfds), `shared` (a case's
//! result in shared memory), `context` (what a case process knows of itself), `check` (failing,
//! skipping, logging) and its macros, `registry`, `mountinfo` and `workdir`, `case`, `runner`.

pub(crate) mod case;
pub(crate) mod check;
pub(crate) mod context;
mod macros;
pub(crate) mod mountinfo;
pub(crate) mod registry;
pub mod runner;
pub(crate) mod shared;
pub(crate) mod sys;
pub(crate) mod workdir;
