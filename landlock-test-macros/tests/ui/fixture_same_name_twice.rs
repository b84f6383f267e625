use landlock_test_core::prelude::*;

mod a {
    use landlock_test_core::prelude::*;

    fixture! {
        fx {}
        setup: |_| Self {},
    }

    test_f!(fx, t, |_, _| {});
}

mod b {
    use landlock_test_core::prelude::*;

    fixture! {
        fx {}
        setup: |_| Self {},
    }

    test_f!(fx, t, |_, _| {});
}

test_harness_main!();
