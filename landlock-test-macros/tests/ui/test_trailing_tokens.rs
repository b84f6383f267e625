use landlock_test_core::prelude::*;

test!(t, || {}, extra);

fn main() {}
