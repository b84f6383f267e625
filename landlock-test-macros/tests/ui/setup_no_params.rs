use landlock_test_core::prelude::*;

fixture! {
    fx {}
    setup: || Self {},
}

test_f!(fx, t, |self, _| {});

fn main() {}
