use landlock_test_core::prelude::*;

fixture! {
    fx {
        n: u32,
    }
    teardown: |self, _| {},
}

test_f!(fx, t, |self, _| {});

fn main() {}
