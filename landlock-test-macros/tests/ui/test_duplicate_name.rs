use landlock_test_core::prelude::*;

test!(t, || {});
test!(t, || {});

fn main() {}
