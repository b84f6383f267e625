use landlock_test_core::prelude::*;

variant! {
    no_such_fixture {
        n: u32,
    }
    one { n: 1 }
}

fn main() {}
