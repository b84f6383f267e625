use landlock_test_core::prelude::*;

fixture! {
    fx {}
    setup: |_| Self {},
    teardown: |self| {},
}

test_f!(fx, t, |self, _| {});

fn main() {}
