use landlock_test_core::prelude::*;

test!(t, |self, variant| {});

fn main() {}
