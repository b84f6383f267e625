//! The listen right of the LISTEN_TCP RFC (a patch series to net_test.c and its LKML review,
//! August 2024), handled honestly.
//!
//! `LANDLOCK_ACCESS_NET_LISTEN_TCP` was proposed (as `1 << 2`) but never merged, and since ABI 10
//! that bit is `LANDLOCK_ACCESS_NET_BIND_UDP`: sending it as "listen" would silently restrict UDP
//! binds instead. No released kernel restricts listen(2). So the suites expect every `listen` to
//! succeed, unless the user declares, with [`LISTEN_TCP_ENV`], which access bit the kernel under
//! test uses for a listen right: then the rules carry that bit and a listen the rules do not
//! allow is expected to fail with `EACCES`, as the RFC's tests have it. The run's header says
//! which mode it used; a declared bit the kernel refuses stops the run before any case.

use std::sync::OnceLock;

use nix::errno::Errno;

use super::denied_if;
use crate::harness::check;

/// Environment variable declaring the kernel's listen access right: one bit, as `0x10`, `16` or
/// `1<<4`.
pub const LISTEN_TCP_ENV: &str = "LANDLOCK_TEST_LISTEN_TCP";

/// Network access bits that upstream Linux gives other rights (any ABI): never "listen".
const UPSTREAM_NET_RIGHTS: [&str; 4] = [
    "LANDLOCK_ACCESS_NET_BIND_TCP",
    "LANDLOCK_ACCESS_NET_CONNECT_TCP",
    "LANDLOCK_ACCESS_NET_BIND_UDP",
    "LANDLOCK_ACCESS_NET_CONNECT_SEND_UDP",
];

/// How the suites treat listen(2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListenMode {
    /// The kernel has no listen right: listen(2) is never denied by Landlock.
    Unrestricted,
    /// The user declared this access bit as the kernel's listen right.
    Declared(u64),
}

impl ListenMode {
    /// The listen right to add to handled and allowed accesses: 0 when there is none.
    pub fn access(self) -> u64 {
        match self {
            ListenMode::Unrestricted => 0,
            ListenMode::Declared(bit) => bit,
        }
    }

    /// What listen(2) returns where the rules `deny` listening: only a declared right denies.
    pub fn expect(self, deny: bool) -> Result<(), Errno> {
        denied_if(deny && self != ListenMode::Unrestricted)
    }

    /// Parses a declaration; `None` for an absent or empty variable.
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(ListenMode::Unrestricted);
        };
        let bit = parse_mask(value).ok_or_else(|| {
            format!("{LISTEN_TCP_ENV}={value:?} is not a number: write 0x10, 16 or 1<<4")
        })?;
        if bit.count_ones() != 1 {
            return Err(format!(
                "{LISTEN_TCP_ENV}={value:?} must name exactly one access bit"
            ));
        }
        let index = bit.trailing_zeros() as usize;
        if let Some(right) = UPSTREAM_NET_RIGHTS.get(index) {
            return Err(format!(
                "{LISTEN_TCP_ENV}={value:?}: bit {index} is {right} in upstream Linux, not a \
                 listen right (the RFC's 1 << 2 became LANDLOCK_ACCESS_NET_BIND_UDP in ABI 10)"
            ));
        }
        Ok(ListenMode::Declared(bit))
    }

    /// One line for the run's header.
    pub fn describe(self) -> String {
        match self {
            ListenMode::Unrestricted => format!(
                "listen(2): not restricted (no kernel has merged LANDLOCK_ACCESS_NET_LISTEN_TCP); \
                 every listen is expected to succeed. Set {LISTEN_TCP_ENV}=<bit> for a kernel \
                 that has one"
            ),
            ListenMode::Declared(bit) => format!(
                "listen(2): restricted by the declared access right {bit:#x} \
                 ({LISTEN_TCP_ENV}); a listen the rules do not allow must fail with EACCES"
            ),
        }
    }
}

fn parse_mask(value: &str) -> Option<u64> {
    if let Some((one, shift)) = value.split_once("<<") {
        return (one.trim() == "1")
            .then(|| shift.trim().parse::<u32>().ok())
            .flatten()
            .and_then(|s| 1u64.checked_shl(s));
    }
    match value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"))
    {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => value.parse().ok(),
    }
}

fn declared() -> &'static Result<ListenMode, String> {
    static MODE: OnceLock<Result<ListenMode, String>> = OnceLock::new();
    MODE.get_or_init(|| ListenMode::parse(std::env::var(LISTEN_TCP_ENV).ok().as_deref()))
}

/// The listen mode of this run; a malformed declaration fails the case that asks.
#[track_caller]
pub fn listen_mode() -> ListenMode {
    match declared() {
        Ok(mode) => *mode,
        Err(message) => check::fatal(format_args!("{message}")),
    }
}

/// The header line for the listen mode; `Err` when the declaration is malformed or the kernel
/// refuses the declared bit: a configuration error, reported before any case runs.
pub fn describe_listen_mode() -> Result<String, String> {
    let mode = declared().clone()?;
    if let ListenMode::Declared(bit) = mode {
        refused(bit).map_or(Ok(()), Err)?;
    }
    Ok(mode.describe())
}

/// Why the kernel refuses a ruleset handling `bit` as a network right, if it does.
fn refused(bit: u64) -> Option<String> {
    let errno = crate::abi::create_ruleset(&crate::abi::RulesetAttr {
        handled_access_net: bit,
        ..Default::default()
    })
    .err()?;
    let kernel = nix::sys::utsname::uname()
        .map(|u| u.release().to_string_lossy().into_owned())
        .unwrap_or_default();
    let landlock = match crate::abi::status() {
        crate::abi::LandlockStatus::Available(abi) => format!("Landlock ABI {abi}"),
        status => status.to_string(),
    };
    Some(format!(
        "{LISTEN_TCP_ENV} declares {bit:#x} as the kernel's listen right, but this kernel \
         (Linux {kernel}, {landlock}) refuses a ruleset handling it: landlock_create_ruleset() \
         fails with {errno}. Unset {LISTEN_TCP_ENV}, or run on a kernel that has the right at \
         that bit"
    ))
}

/// Every network right of this run: what the running ABI handles (`AccessNet::all`), plus
/// a declared listen right.
#[track_caller]
pub fn access_net_all_with_listen() -> u64 {
    crate::abi::access_net_all().bits() | listen_mode().access()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_or_empty_means_unrestricted() {
        assert_eq!(ListenMode::parse(None), Ok(ListenMode::Unrestricted));
        assert_eq!(ListenMode::parse(Some(" ")), Ok(ListenMode::Unrestricted));
    }

    #[test]
    fn one_bit_in_three_spellings() {
        for value in ["0x10", "16", "1<<4", "1 << 4"] {
            assert_eq!(
                ListenMode::parse(Some(value)),
                Ok(ListenMode::Declared(16)),
                "{value}"
            );
        }
    }

    #[test]
    fn upstream_bits_are_refused() {
        for value in ["1", "2", "1<<2", "0x8"] {
            let err = ListenMode::parse(Some(value)).unwrap_err();
            assert!(err.contains("in upstream Linux"), "{value}: {err}");
        }
        assert!(
            ListenMode::parse(Some("1<<2"))
                .unwrap_err()
                .contains("BIND_UDP")
        );
    }

    #[test]
    fn malformed_is_refused() {
        for value in ["0x30", "0", "listen", "2<<4", "1<<64"] {
            assert!(ListenMode::parse(Some(value)).is_err(), "{value}");
        }
    }

    #[test]
    fn a_bit_no_kernel_has_is_refused() {
        let why = refused(1 << 63).expect("no kernel handles bit 63");
        assert!(why.contains("refuses a ruleset handling it"), "{why}");
    }

    #[test]
    fn only_a_declared_right_denies() {
        assert_eq!(ListenMode::Unrestricted.expect(true), Ok(()));
        assert_eq!(ListenMode::Declared(16).expect(true), Err(Errno::EACCES));
        assert_eq!(ListenMode::Declared(16).expect(false), Ok(()));
        assert_eq!(ListenMode::Unrestricted.access(), 0);
    }
}
