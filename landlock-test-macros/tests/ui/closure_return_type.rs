use landlock_test_core::prelude::*;

fixture! {
    fx {}
    setup: |_| -> Self { Self {} },
}

test_f!(fx, t, |self, _| {});

fn main() {}
