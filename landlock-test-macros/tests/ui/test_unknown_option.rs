use landlock_test_core::prelude::*;

test!(t, timeot = 5, || {});

fn main() {}
