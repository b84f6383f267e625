//! `fixture!`, `variant!` and `test_f!` next to user items named like what the macros
//! generate or implement: setup, teardown, bodies and variant values must reach the user's
//! items, and the fixture may have methods named like its variants and like `Fixture`'s items.
//! A `teardown_parent` fixture sits next to items named like what its Copy check generates.

use landlock_test_core::prelude::*;

struct Body {
    n: u32,
}

fn body() -> u32 {
    1
}

fn setup() -> u32 {
    2
}

fn teardown() -> u32 {
    3
}

const ENTRY: u32 = 4;

#[derive(Debug, PartialEq)]
enum Variant {
    Small,
    Large,
}

#[allow(dead_code)]
trait Fixture {}

#[allow(dead_code)]
struct NoVariant;

/// A method named like the one that holds a test body: `self.body()` must stay unambiguous.
trait Helper {
    fn body(&mut self) -> u32;
}

fixture! {
    fx {
        n: u32,
    }
    setup: |variant| {
        expect_eq!(2, setup());
        Self { n: variant.n }
    },
    teardown: |self, variant| {
        expect_eq!(3, teardown());
        expect_eq!(self.n, variant.n);
    },
}

impl Helper for fx {
    fn body(&mut self) -> u32 {
        self.n
    }
}

#[allow(dead_code)]
impl fx {
    fn small(&self) -> u32 {
        self.n
    }

    fn large(&self) -> u32 {
        self.n
    }

    fn setup(&self) -> u32 {
        5
    }

    fn teardown(&mut self) {}

    const NAME: &'static str = "user";
    const LINE: u32 = 0;
}

variant! {
    fx {
        n: u32,
        kind: Variant,
    }
    small { n: ENTRY, kind: Variant::Small }
    large { n: 10, kind: Variant::Large }
}

test_f!(fx, reads_user_items, |self, variant| {
    let b = Body { n: 7 };
    expect_eq!(7, b.n);
    expect_eq!(1, body());
    expect_eq!(variant.n, self.body());
    expect_eq!(variant.n, self.small());
    expect_eq!(5, self.setup());
    expect_eq!("user", fx::NAME);
});

test_f!(fx, variant_values, |self, variant| {
    let kind = if variant.n == ENTRY {
        Variant::Small
    } else {
        Variant::Large
    };
    expect_eq!(kind, variant.kind);
});

test_f!(fx, xfail_by_name, xfail = [small], |self, variant| {
    expect_eq!(10, variant.n);
});

/// Named like what the Copy check of `teardown_parent` generates.
fn shared_with_parent() -> u32 {
    1
}

#[allow(dead_code)]
trait SharedWithParent {}

#[allow(dead_code)]
struct T;

fixture! {
    #[derive(Clone, Copy)]
    shared {
        n: u32,
    }
    setup: |_| Self { n: shared_with_parent() },
    teardown_parent: |self, _| {
        expect_eq!(1, self.n);
    },
}

test_f!(shared, reads_user_fn, |self, _| {
    expect_eq!(shared_with_parent(), self.n);
});

test_harness_main!();
