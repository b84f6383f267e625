//! 200 trivial cases (20 variants x 10 tests) that pass: the harness's own cost, measured by
//! `benches/overhead.rs`.

use landlock_test_core::prelude::*;

fixture! {
    trivial {}
    setup: |_| Self {},
}

variant! {
    trivial {
        n: u32,
    }
    v00 { n: 0 } v01 { n: 1 } v02 { n: 2 } v03 { n: 3 } v04 { n: 4 }
    v05 { n: 5 } v06 { n: 6 } v07 { n: 7 } v08 { n: 8 } v09 { n: 9 }
    v10 { n: 10 } v11 { n: 11 } v12 { n: 12 } v13 { n: 13 } v14 { n: 14 }
    v15 { n: 15 } v16 { n: 16 } v17 { n: 17 } v18 { n: 18 } v19 { n: 19 }
}

test_f!(trivial, t0, |_, v| expect_gt!(20, v.n));
test_f!(trivial, t1, |_, v| expect_gt!(20, v.n));
test_f!(trivial, t2, |_, v| expect_gt!(20, v.n));
test_f!(trivial, t3, |_, v| expect_gt!(20, v.n));
test_f!(trivial, t4, |_, v| expect_gt!(20, v.n));
test_f!(trivial, t5, |_, v| expect_gt!(20, v.n));
test_f!(trivial, t6, |_, v| expect_gt!(20, v.n));
test_f!(trivial, t7, |_, v| expect_gt!(20, v.n));
test_f!(trivial, t8, |_, v| expect_gt!(20, v.n));
test_f!(trivial, t9, |_, v| expect_gt!(20, v.n));

test_harness_main!();
