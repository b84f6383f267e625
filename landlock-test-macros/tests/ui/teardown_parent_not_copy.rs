use landlock_test_core::prelude::*;

fixture! {
    fx {
        name: String,
    }
    setup: |_| Self { name: String::new() },
    teardown_parent: |self, _| {},
}

test_f!(fx, t, |self, _| {});

fn main() {}
