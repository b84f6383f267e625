use landlock_test_core::prelude::*;

test!(t, xfail = [v], || {});

fn main() {}
