use landlock_test_core::prelude::*;

fixture! {
    fx {}
    setup: |a, b| Self {},
}

variant! {
    fx {
        n: u32,
    }
    one { n: 1 }
}

test_f!(fx, t, xfail = [one], |self, variant| {
    expect_eq!(1, variant.n);
});

fn main() {}
