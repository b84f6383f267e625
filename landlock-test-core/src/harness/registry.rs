//! Fixtures, variants and tests, collected at link time from every `fixture!`, `variant!`,
//! `test_f!` and `test!` of the binary, and turned into the list of cases in the C harness's
//! order: `global` first, then fixture by fixture, variant by variant, test by test, as
//! declared in the source.

use std::any::{Any, TypeId};
use std::time::Duration;

use linkme::distributed_slice;

/// What `fixture!` implements: FIXTURE, FIXTURE_SETUP and FIXTURE_TEARDOWN(_PARENT).
pub trait Fixture: Sized + 'static {
    /// The C name of the fixture, first part of every case name.
    const NAME: &'static str;
    /// Where the fixture is declared, to order fixtures as the source does.
    const LINE: u32;
    /// Teardown runs in the unrestricted parent after the test process ended
    /// (FIXTURE_TEARDOWN_PARENT); the fixture then lives in shared memory.
    const TEARDOWN_PARENT: bool;
    /// The variant type (`variant!`), or [`NoVariant`].
    type Variant: Sync + 'static;

    /// FIXTURE_SETUP: runs in the case's process before the body and builds the fixture.
    fn setup(variant: &Self::Variant) -> Self;

    /// FIXTURE_TEARDOWN: runs after the body, also after a fatal check; at most once.
    fn teardown(&mut self, variant: &Self::Variant);
}

/// The variant of a fixture that declares none: its cases are named `fixture.test`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoVariant;

/// The fixture of `test!` cases, named `global` as in C.
pub const GLOBAL: &str = "global";

/// Which variants of a test are expected to fail (XFAIL_ADD).
#[derive(Debug, Clone, Copy)]
pub enum Xfail {
    No,
    All,
    Variants(&'static [&'static str]),
}

/// A test's options: TEST_F_TIMEOUT, TEST_F_SIGNAL and XFAIL_ADD, and a group of cases that
/// must not run at once (a resource only one process may hold, such as the audit daemon's
/// netlink port): the runner starts such cases first, one at a time.
#[derive(Debug, Clone, Copy)]
pub struct TestOptions {
    pub timeout: Option<Duration>,
    pub signal: Option<i32>,
    pub xfail: Xfail,
    pub exclusive: Option<&'static str>,
}

/// The default timeout of the C harness.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// One `test_f!` or `test!`.
pub struct TestEntry {
    pub fixture: &'static str,
    /// The fixture's type (`NoVariant`'s for `test!`): what its variants are matched by, so
    /// that fixtures are told apart by the compiler, not by name.
    pub fixture_id: fn() -> TypeId,
    pub fixture_line: u32,
    pub name: &'static str,
    pub file: &'static str,
    pub line: u32,
    pub options: TestOptions,
    /// Runs setup, body and teardown for one variant, inside the case's process.
    pub run: fn(&'static (dyn Any + Sync)),
}

/// One named instance added by `variant!`.
pub struct VariantEntry {
    /// The fixture's type.
    pub fixture: fn() -> TypeId,
    pub name: &'static str,
    pub file: &'static str,
    pub line: u32,
    pub value: &'static (dyn Any + Sync),
}

#[distributed_slice]
pub static TESTS: [TestEntry];

#[distributed_slice]
pub static VARIANTS: [VariantEntry];

/// What ends an exclusive group (`exclusive = GROUP`): the runner calls `run` once, in a process
/// of its own beside the cases still running, after the last case of the group in the run
/// ended. What the group's cases leave in place for each other is released there, once,
/// instead of by every case. An `Err` fails the run with its message.
pub struct GroupTeardown {
    pub group: &'static str,
    pub run: fn() -> Result<(), String>,
}

#[distributed_slice]
pub static GROUP_TEARDOWNS: [GroupTeardown];

/// The teardowns of `group`, if any.
pub(crate) fn group_teardowns(group: &str) -> impl Iterator<Item = &'static GroupTeardown> {
    GROUP_TEARDOWNS.iter().filter(move |t| t.group == group)
}

static NO_VARIANT: NoVariant = NoVariant;

/// One test for one variant: what the runner forks a process for.
#[derive(Clone, Copy)]
pub struct Case {
    pub test: &'static TestEntry,
    pub variant: Option<&'static VariantEntry>,
}

impl Case {
    /// `fixture.variant.test`, `fixture.test` or `global.test`, as the C harness names it.
    pub fn name(&self) -> String {
        match self.variant {
            Some(v) => format!("{}.{}.{}", self.test.fixture, v.name, self.test.name),
            None => format!("{}.{}", self.test.fixture, self.test.name),
        }
    }

    pub fn variant_name(&self) -> &'static str {
        self.variant.map_or("", |v| v.name)
    }

    pub fn timeout(&self) -> Duration {
        self.test.options.timeout.unwrap_or(DEFAULT_TIMEOUT)
    }

    pub fn xfail(&self) -> bool {
        match self.test.options.xfail {
            Xfail::No => false,
            Xfail::All => true,
            Xfail::Variants(names) => names.contains(&self.variant_name()),
        }
    }

    pub(crate) fn variant_value(&self) -> &'static (dyn Any + Sync) {
        self.variant.map_or(&NO_VARIANT, |v| v.value)
    }
}

fn variants_of(fixture: TypeId) -> Vec<&'static VariantEntry> {
    let mut variants: Vec<_> = VARIANTS
        .iter()
        .filter(|v| (v.fixture)() == fixture)
        .collect();
    variants.sort_by_key(|v| (v.file, v.line));
    variants
}

/// Every case of the binary, in the C harness's order.
pub fn cases() -> Vec<Case> {
    let mut tests: Vec<&'static TestEntry> = TESTS.iter().collect();
    tests.sort_by_key(|t| (t.file, t.line));
    let mut fixtures: Vec<(TypeId, &str, &str, u32)> = Vec::new();
    for t in &tests {
        let id = (t.fixture_id)();
        if !fixtures.iter().any(|&(known, ..)| known == id) {
            fixtures.push((id, t.fixture, t.file, t.fixture_line));
        }
    }
    // As in C, whose fixture list starts with `global`: plain tests come first.
    fixtures.sort_by_key(|&(_, name, file, line)| (name != GLOBAL, file, line));

    let mut cases = Vec::new();
    for (fixture, ..) in fixtures {
        let variants = variants_of(fixture);
        let of_fixture = || tests.iter().filter(move |t| (t.fixture_id)() == fixture);
        if variants.is_empty() {
            cases.extend(of_fixture().map(|&test| Case {
                test,
                variant: None,
            }));
        } else {
            for &v in &variants {
                cases.extend(of_fixture().map(|&test| Case {
                    test,
                    variant: Some(v),
                }));
            }
        }
    }
    cases
}

/// The case named exactly `name`, found from its parts without building every case.
pub fn find(name: &str) -> Option<Case> {
    TESTS.iter().find_map(|test| {
        let rest = name.strip_prefix(test.fixture)?.strip_prefix('.')?;
        let rest = rest.strip_suffix(test.name)?;
        let fixture = (test.fixture_id)();
        if rest.is_empty() {
            return variants_of(fixture).is_empty().then_some(Case {
                test,
                variant: None,
            });
        }
        let variant_name = rest.strip_suffix('.')?;
        VARIANTS
            .iter()
            .find(|v| (v.fixture)() == fixture && v.name == variant_name)
            .map(|v| Case {
                test,
                variant: Some(v),
            })
    })
}
