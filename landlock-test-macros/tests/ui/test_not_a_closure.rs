use landlock_test_core::prelude::*;

test!(t, { 1 + 1 });

fn main() {}
