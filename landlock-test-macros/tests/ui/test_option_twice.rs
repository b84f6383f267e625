use landlock_test_core::prelude::*;

test!(t, timeout = 5, timeout = 10, || {});

fn main() {}
