use landlock_test_core::prelude::*;

variant! {
    no_such_fixture:
    one { n: 1 }
}

fn main() {}
