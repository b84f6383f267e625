// scoped_multiple_domain_variants.h (Linux v6.18): the variants of a `scoped_vs_unscoped`
// fixture, a parent P1, its child P2 and grandchild P3 in scoped domains, other domains or
// none. Included (`include!`) where C includes the header. "P3 -> P1: deny" means the
// grandchild may not reach the parent.

/// C's `enum sandbox_type` (`NO_SANDBOX`, `SCOPE_SANDBOX`, `OTHER_SANDBOX`): which domain a
/// process enters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SandboxType {
    None,
    /// A domain scoping abstract unix sockets.
    Scope,
    /// Any other type of sandboxing domain.
    Other,
}

variant! {
    scoped_vs_unscoped {
        /// The parent's domain, before the fork: everyone's.
        domain_all: SandboxType,
        /// The parent's own, after the fork.
        domain_parent: SandboxType,
        /// The child's, before it forks: its own and the grandchild's.
        domain_children: SandboxType,
        /// The child's own, after it forked.
        domain_child: SandboxType,
        /// The grandchild's own.
        domain_grand_child: SandboxType,
    }
    // P3 -> P2: allow, P3 -> P1: deny.
    deny_scoped {
        domain_all: SandboxType::Other,
        domain_parent: SandboxType::None,
        domain_children: SandboxType::Scope,
        domain_child: SandboxType::None,
        domain_grand_child: SandboxType::None,
    }
    // P3 -> P2: allow, P3 -> P1: deny.
    all_scoped {
        domain_all: SandboxType::Scope,
        domain_parent: SandboxType::None,
        domain_children: SandboxType::Scope,
        domain_child: SandboxType::None,
        domain_grand_child: SandboxType::None,
    }
    // P3 -> P2: allow, P3 -> P1: allow.
    allow_with_other_domain {
        domain_all: SandboxType::Other,
        domain_parent: SandboxType::None,
        domain_children: SandboxType::Other,
        domain_child: SandboxType::None,
        domain_grand_child: SandboxType::None,
    }
    // P3 -> P2: allow, P3 -> P1: allow.
    allow_with_one_domain {
        domain_all: SandboxType::None,
        domain_parent: SandboxType::Other,
        domain_children: SandboxType::None,
        domain_child: SandboxType::Scope,
        domain_grand_child: SandboxType::None,
    }
    // P3 -> P2: allow, P3 -> P1: allow.
    allow_with_grand_parent_scoped {
        domain_all: SandboxType::None,
        domain_parent: SandboxType::Scope,
        domain_children: SandboxType::None,
        domain_child: SandboxType::Other,
        domain_grand_child: SandboxType::None,
    }
    // P3 -> P2: allow, P3 -> P1: allow.
    allow_with_parents_domain {
        domain_all: SandboxType::None,
        domain_parent: SandboxType::Scope,
        domain_children: SandboxType::None,
        domain_child: SandboxType::Scope,
        domain_grand_child: SandboxType::None,
    }
    // P3 -> P2: deny, P3 -> P1: deny.
    deny_with_self_and_grandparent_domain {
        domain_all: SandboxType::None,
        domain_parent: SandboxType::Scope,
        domain_children: SandboxType::None,
        domain_child: SandboxType::None,
        domain_grand_child: SandboxType::Scope,
    }
}
