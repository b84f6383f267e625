//! The command line: libtest's options (so `cargo test` and `cargo nextest run` drive a test
//! binary as they drive any other) and the C harness's `-t/-T/-v/-V/-f/-F/-r/-l`.

use std::num::NonZeroUsize;

use crate::harness::registry::Case;

pub(crate) const USAGE: &str = "\
Usage: TEST-BINARY [OPTIONS] [FILTERS...]

Runs Landlock test cases, each in a process of its own. Case names are those of the C
harness: fixture.variant.test, fixture.test, or global.test.

libtest options:
    FILTERS...          run cases whose name contains one of these
    --exact             filters must match whole names
    --skip TEXT         do not run cases whose name contains TEXT (repeatable)
    --list              list cases (with --format terse: `name: test` lines)
    --ignored           run only ignored cases (there are none: nothing runs)
    --include-ignored   run ignored cases too
    --test-threads N    cases running at once (default: the number of CPUs)
    --nocapture         let cases print straight to the terminal
    --format FORMAT     pretty (default), terse, or tap (TAP 13 as kselftest prints it)
    -q, --quiet         same as --format terse
C harness options (the first matching filter decides, as in kselftest_harness.h):
    -l                  list cases
    -t NAME / -T NAME   include / exclude test NAME
    -v NAME / -V NAME   include / exclude variant NAME
    -f NAME / -F NAME   include / exclude fixture NAME
    -r F.V.T            run exactly this case
    -h, --help          this help

Environment:
    LANDLOCK_TEST_STRICT=1  every skipped case counts as a failure (for CI that must not skip)";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Pretty,
    Terse,
    Tap,
}

/// One `-t/-T/-v/-V/-f/-F/-r` option, in command-line order.
#[derive(Debug, Clone)]
enum CFilter {
    Test(bool, String),
    Variant(bool, String),
    Fixture(bool, String),
    Run(String),
}

#[derive(Debug, Clone)]
pub(crate) struct Args {
    pub filters: Vec<String>,
    pub exact: bool,
    pub skip: Vec<String>,
    pub list: bool,
    pub ignored: bool,
    pub test_threads: Option<NonZeroUsize>,
    pub nocapture: bool,
    pub format: Format,
    pub help: bool,
    c_filters: Vec<CFilter>,
}

impl Args {
    pub(crate) fn parse(mut argv: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut args = Args {
            filters: Vec::new(),
            exact: false,
            skip: Vec::new(),
            list: false,
            ignored: false,
            test_threads: None,
            nocapture: false,
            format: Format::Pretty,
            help: false,
            c_filters: Vec::new(),
        };
        while let Some(arg) = argv.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => {
                    (flag.to_owned(), Some(value.to_owned()))
                }
                _ => (arg.clone(), None),
            };
            let mut value = |name: &str| {
                inline
                    .clone()
                    .or_else(|| argv.next())
                    .ok_or_else(|| format!("option {name} needs a value"))
            };
            match flag.as_str() {
                "--exact" => args.exact = true,
                "--skip" => args.skip.push(value("--skip")?),
                "--list" => args.list = true,
                "-l" => {
                    args.list = true;
                    args.format = Format::Terse;
                }
                "--ignored" => args.ignored = true,
                "--include-ignored" => {}
                "--nocapture" | "--no-capture" => args.nocapture = true,
                "--show-output" => {}
                "-q" | "--quiet" => args.format = Format::Terse,
                "--test-threads" => {
                    let n = value("--test-threads")?;
                    args.test_threads = Some(n.parse().map_err(|_| {
                        format!("--test-threads takes a number above 0, not {n:?}")
                    })?);
                }
                "--format" => {
                    args.format = match value("--format")?.as_str() {
                        "pretty" => Format::Pretty,
                        "terse" => Format::Terse,
                        "tap" => Format::Tap,
                        other => {
                            return Err(format!(
                                "unknown --format {other:?}: pretty, terse or tap"
                            ));
                        }
                    }
                }
                // Accepted for compatibility with libtest's callers; they change nothing here.
                "--color" | "-Z" => {
                    value(&flag)?;
                }
                "-h" | "--help" => args.help = true,
                "-t" | "-T" | "-v" | "-V" | "-f" | "-F" | "-r" => {
                    let name = value(&flag)?;
                    let include = flag.as_bytes()[1].is_ascii_lowercase();
                    args.c_filters
                        .push(match flag.as_bytes()[1].to_ascii_lowercase() {
                            b't' => CFilter::Test(include, name),
                            b'v' => CFilter::Variant(include, name),
                            b'f' => CFilter::Fixture(include, name),
                            _ => CFilter::Run(name),
                        });
                }
                _ if flag.starts_with('-') => {
                    return Err(format!("unknown option {flag:?}; see --help"));
                }
                _ => args.filters.push(arg),
            }
        }
        if args.nocapture && args.format == Format::Tap {
            return Err(
                "--nocapture and --format tap do not mix: TAP carries each case's \
                        output as `# ` lines"
                    .to_owned(),
            );
        }
        Ok(args)
    }

    /// Whether the case is selected by every filter of the command line.
    pub(crate) fn selects(&self, case: &Case, name: &str) -> bool {
        if self.ignored {
            return false;
        }
        let matches = |filter: &String| {
            if self.exact {
                name == filter
            } else {
                name.contains(filter.as_str())
            }
        };
        (self.filters.is_empty() || self.filters.iter().any(matches))
            && !self.skip.iter().any(|s| name.contains(s.as_str()))
            && self.c_enabled(case, name)
    }

    /// kselftest_harness.h's test_enabled(): the first matching option decides; without any
    /// including option, everything not excluded runs.
    fn c_enabled(&self, case: &Case, name: &str) -> bool {
        let mut has_positive = false;
        for filter in &self.c_filters {
            let (include, hit) = match filter {
                CFilter::Test(include, n) => (*include, case.test.name == n),
                CFilter::Variant(include, n) => (*include, case.variant_name() == n),
                CFilter::Fixture(include, n) => (*include, case.test.fixture == n),
                CFilter::Run(n) => (true, name == n),
            };
            has_positive |= include;
            if hit {
                return include;
            }
        }
        !has_positive
    }

    /// `--exact NAME` with one name: nextest's way to run one case, looked up directly.
    pub(crate) fn exact_name(&self) -> Option<&str> {
        match (
            self.exact,
            self.filters.as_slice(),
            self.c_filters.is_empty(),
        ) {
            (true, [name], true) if self.skip.is_empty() && !self.ignored => Some(name),
            _ => None,
        }
    }
}
