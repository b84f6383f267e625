use landlock_test_core::prelude::*;

fixture! {
    fx {}
    setup: |_| Self {},
}

test_f!(fx, t, |self, _| {});
test_f!(fx, t, |self, _| {});

fn main() {}
