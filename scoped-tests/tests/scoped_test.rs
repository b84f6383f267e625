//! Landlock tests - Common scope restriction: tools/testing/selftests/landlock/scoped_test.c
//! (Linux v6.18).

use landlock_test_core::assert_eq;
use landlock_test_core::prelude::*;
use landlock_test_core::scope::prelude::*;

/// C's ACCESS_LAST: the highest scope up to the newest ABI this suite knows (ABI 11 added
/// none after ABI 6's two).
const ACCESS_LAST: u64 = LANDLOCK_SCOPE_SIGNAL;

test!(ruleset_with_unknown_scope, || {
    // A kernel before ABI 6 rejects any `scoped` bit as a trailing non-zero byte (E2BIG).
    require_scope(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL);
    for scoped_mask in bits_down_to(ACCESS_LAST) {
        let ruleset_attr = RulesetAttr {
            scoped: scoped_mask,
            ..RulesetAttr::default()
        };
        assert_eq!(
            Err(Errno::EINVAL),
            create_ruleset(&ruleset_attr).map(drop),
            "scoped = {scoped_mask:#x}"
        );
    }
});

test_harness_main!();
