use landlock_test_core::prelude::*;

fixture! {
    fx {}
    setup: |self| Self {},
}

test_f!(fx, t, |self, _| {});

fn main() {}
