use landlock_test_core::prelude::*;

fixture! {
    fx {}
    setup: |_| Self {},
}

test_f!(fx, t, xfail = [ipv4], |self, _| {});

fn main() {}
