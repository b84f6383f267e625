use landlock_test_core::prelude::*;

fixture! {
    fx {}
    setpu: |_| Self {},
}

test_f!(fx, t, |self, _| {});

fn main() {}
