use landlock_test_core::prelude::*;

test!(t, timeout = 0, || {});

fn main() {}
