use landlock_test_core::prelude::*;

test!(t, || -> () {});

fn main() {}
