use landlock_test_core::prelude::*;

test_f!(no_such_fixture, t, |self, variant| {});

fn main() {}
