use landlock_test_core::prelude::*;

fixture! {
    fx {
        n: u32,
    }
    setup: |variant| Self { n: variant.n },
}

variant! {
    fx {
        n: u32,
    }
    one { n: 1 }
    one { n: 2 }
}

test_f!(fx, t, xfail = [one], |self, variant| {
    expect_eq!(variant.n, self.n);
});

fn main() {}
