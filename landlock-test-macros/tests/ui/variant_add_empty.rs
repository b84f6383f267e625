use landlock_test_core::prelude::*;

fixture! {
    fx {}
    setup: |_| Self {},
}

variant! {
    fx {
        n: u32,
    }
    one { n: 1 }
}

variant! { fx: }

fn main() {}
