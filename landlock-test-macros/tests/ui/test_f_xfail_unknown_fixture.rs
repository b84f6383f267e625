use landlock_test_core::prelude::*;

test_f!(no_such_fixture, t, xfail = [one], |self, _| {});

fn main() {}
