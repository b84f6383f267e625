use landlock_test_core::prelude::*;

fixture! {
    #[derive(Clone, Copy)]
    fx {}
    setup: |_| Self {},
    teardown: |self, _| {},
    teardown_parent: |self, _| {},
}

test_f!(fx, t, |self, _| {});

fn main() {}
