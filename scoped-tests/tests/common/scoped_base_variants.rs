// scoped_base_variants.h (Linux v6.18): the variants of a `scoped_domains` fixture, every
// combination of a parent P1 and its child P2 in their own domain, a shared one, or none.
// Included (`include!`) where C includes the header, since a fixture and its variants are
// declared in the same module. "P1 -> P2: deny" means P1 may not reach P2.

variant! {
    scoped_domains {
        /// A domain for both, created before the fork.
        domain_both: bool,
        /// A domain for the parent alone, created after the fork.
        domain_parent: bool,
        /// A domain for the child alone, created after the fork.
        domain_child: bool,
    }
    // No domain. P1 -> P2: allow, P2 -> P1: allow.
    without_domain { domain_both: false, domain_parent: false, domain_child: false }
    // Child domain. P1 -> P2: allow, P2 -> P1: deny.
    child_domain { domain_both: false, domain_parent: false, domain_child: true }
    // Parent domain. P1 -> P2: deny, P2 -> P1: allow.
    parent_domain { domain_both: false, domain_parent: true, domain_child: false }
    // Parent and child domains (siblings). P1 -> P2: deny, P2 -> P1: deny.
    sibling_domain { domain_both: false, domain_parent: true, domain_child: true }
    // Same domain (inherited). P1 -> P2: allow, P2 -> P1: allow.
    inherited_domain { domain_both: true, domain_parent: false, domain_child: false }
    // Inherited and child domain. P1 -> P2: allow, P2 -> P1: deny.
    nested_domain { domain_both: true, domain_parent: false, domain_child: true }
    // Inherited and parent domain. P1 -> P2: deny, P2 -> P1: allow.
    nested_and_parent_domain { domain_both: true, domain_parent: true, domain_child: false }
    // Inherited, then parent and child domains (siblings). P1 -> P2: deny, P2 -> P1: deny.
    forked_domains { domain_both: true, domain_parent: true, domain_child: true }
}

/// Whether the variant creates any domain: the case then needs scopes (ABI 6).
fn uses_domain(variant: &scoped_domains_variant) -> bool {
    variant.domain_both || variant.domain_parent || variant.domain_child
}
