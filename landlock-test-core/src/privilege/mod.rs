//! What a case may do that needs privilege: the run's privilege (root, a user namespace the
//! runner entered, or none), capabilities as the kernel has them, and the asserting capability
//! helpers of Landlock's `common.h`.

pub mod caps;
pub mod common;
mod namespace;

pub use namespace::{
    Privilege, USERNS_ENV, privilege, require_initial_namespace, require_privilege,
    require_uid_mapped,
};
pub(crate) use namespace::{establish, isolate_mounts};
