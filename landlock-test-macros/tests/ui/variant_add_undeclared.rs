use landlock_test_core::prelude::*;

fixture! {
    fx {}
    setup: |_| Self {},
}

variant! {
    fx:
    one { n: 1 }
}

fn main() {}
