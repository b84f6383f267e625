//! A kernel's table (`kernel/matrix/<kernel-id>.expected`): which kernel it is, and what each
//! case must do there. Format: README.md ("The tables").

use super::tap::Outcome;
use std::fmt;
use std::path::Path;

/// The Landlock the table says the kernel has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Abi {
    Version(u32),
    Disabled,
}

impl fmt::Display for Abi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Abi::Version(n) => write!(f, "ABI {n}"),
            Abi::Disabled => f.write_str("disabled"),
        }
    }
}

/// The errata the table says the kernel reports fixed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Errata {
    /// The query is refused (`EINVAL`: before ABI 7, or Landlock off).
    Unreported,
    /// The erratum numbers of the reported bitmask.
    Fixed(Vec<u32>),
}

/// One line of a `[suite]` section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub suite: String,
    pub glob: String,
    pub outcome: Outcome,
    /// Alternatives (`a | b`): for a skip, one must be in the reason; for a fail, in the case's
    /// output.
    pub reasons: Vec<String>,
    pub line: usize,
}

impl Rule {
    pub fn reason_text(&self) -> String {
        self.reasons.join(" | ")
    }

    /// Whether `text` contains one of the alternatives.
    pub fn reason_in(&self, text: &str) -> bool {
        self.reasons.iter().any(|r| text.contains(r.as_str()))
    }
}

/// A kernel built by `cargo xtask build-kernel`: its arguments, paths relative to the
/// workspace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Build {
    /// `debian:PACKAGE` or a kernel tree.
    pub source: String,
    /// Patch directories, applied in order.
    pub patches: Vec<String>,
    /// The Kconfig fragment; the project's when unset.
    pub config: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// Regexes over package names, tried in order (Debian kernels only).
    pub packages: Vec<String>,
    /// Set for a kernel built from a source (`source`, `patches`, `config`) instead of a
    /// Debian package.
    pub build: Option<Build>,
    pub abi: Abi,
    /// Appended to the kernel command line.
    pub cmdline: String,
    /// When set, the run's header must list exactly these.
    pub errata: Option<Errata>,
    /// `NAME=VALUE` set for every suite.
    pub env: Vec<(String, String)>,
    pub rules: Vec<Rule>,
}

impl Table {
    pub fn load(path: &Path) -> Result<Table, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the table {}: {e}", path.display()))?;
        Table::parse(&text).map_err(|e| format!("{}:{e}", path.display()))
    }

    /// Parses a table; an error is `line: message`.
    pub fn parse(text: &str) -> Result<Table, String> {
        let mut packages = Vec::new();
        let mut build: Option<Build> = None;
        let mut abi = None;
        let mut cmdline = String::new();
        let mut errata = None;
        let mut env = Vec::new();
        let mut rules = Vec::new();
        let mut section: Option<String> = None;
        for (index, raw) in text.lines().enumerate() {
            let lineno = index + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    return Err(format!("{lineno}: bad section name [{name}]"));
                }
                section = Some(name.to_owned());
                continue;
            }
            let (key, rest) = split_word(line);
            let Some(suite) = &section else {
                match key {
                    "package" => packages = rest.split_whitespace().map(str::to_owned).collect(),
                    "cmdline" => cmdline = rest.to_owned(),
                    "source" => build.get_or_insert_default().source = rest.to_owned(),
                    "patches" => {
                        build.get_or_insert_default().patches =
                            rest.split_whitespace().map(str::to_owned).collect()
                    }
                    "config" => build.get_or_insert_default().config = Some(rest.to_owned()),
                    "abi" => abi = Some(parse_abi(rest).map_err(|e| format!("{lineno}: {e}"))?),
                    "errata" => {
                        errata = Some(parse_errata(rest).map_err(|e| format!("{lineno}: {e}"))?)
                    }
                    "env" => {
                        let (name, value) = rest.split_once('=').ok_or_else(|| {
                            format!("{lineno}: env needs NAME=VALUE, not '{rest}'")
                        })?;
                        env.push((name.to_owned(), value.to_owned()));
                    }
                    _ => {
                        return Err(format!(
                            "{lineno}: unknown setting '{key}' (package or source, patches and \
                             config; abi, cmdline, errata, env; then [suite] sections)"
                        ));
                    }
                }
                continue;
            };
            let (word, reason) = split_word(rest);
            let outcome = match Outcome::parse(word) {
                Some(o @ (Outcome::Pass | Outcome::Skip | Outcome::Xfail | Outcome::Fail)) => o,
                _ => {
                    return Err(format!(
                        "{lineno}: the result must be pass, skip, xfail or fail, not '{word}'"
                    ));
                }
            };
            let reasons: Vec<String> = reason
                .split(" | ")
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect();
            if reasons.is_empty() && matches!(outcome, Outcome::Skip | Outcome::Fail) {
                return Err(format!(
                    "{lineno}: a {outcome} needs a reason: for a skip a substring of its \
                     message naming the feature and the ABI, for a fail a substring of the \
                     case's output naming the kernel bug"
                ));
            }
            rules.push(Rule {
                suite: suite.clone(),
                glob: key.to_owned(),
                outcome,
                reasons,
                line: lineno,
            });
        }
        let abi = abi.ok_or(
            "0: no 'abi' setting (the kernel's Landlock ABI, a number, or 'disabled')".to_owned(),
        )?;
        match &build {
            Some(b) if b.source.is_empty() => {
                return Err(
                    "0: 'patches' or 'config' without 'source' (debian:PACKAGE or \
                            a kernel tree)"
                        .to_owned(),
                );
            }
            Some(_) if !packages.is_empty() => {
                return Err(
                    "0: both 'package' (a Debian kernel) and 'source' (a built one)".to_owned(),
                );
            }
            _ => {}
        }
        Ok(Table {
            packages,
            build,
            abi,
            cmdline,
            errata,
            env,
            rules,
        })
    }

    /// The first rule of `suite` whose glob matches `case`; none means the case must pass.
    pub fn rule_for(&self, suite: &str, case: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.suite == suite && glob_match(&r.glob, case))
    }
}

fn split_word(line: &str) -> (&str, &str) {
    match line.split_once(char::is_whitespace) {
        Some((word, rest)) => (word, rest.trim()),
        None => (line, ""),
    }
}

fn parse_abi(text: &str) -> Result<Abi, String> {
    match text {
        "disabled" => Ok(Abi::Disabled),
        n => n.parse().map(Abi::Version).map_err(|_| {
            format!("'abi' must be the kernel's Landlock ABI (a number) or 'disabled', not '{n}'")
        }),
    }
}

fn parse_errata(text: &str) -> Result<Errata, String> {
    match text {
        "unreported" => return Ok(Errata::Unreported),
        "none" => return Ok(Errata::Fixed(Vec::new())),
        _ => {}
    }
    text.split_whitespace()
        .map(|n| n.parse::<u32>())
        .collect::<Result<Vec<_>, _>>()
        .map(Errata::Fixed)
        .map_err(|_| {
            format!("'errata' must be 'unreported', 'none' or erratum numbers (e.g. 1 2 3), not '{text}'")
        })
}

/// Shell-style matching of `*` (any run of characters) and `?` (one character).
pub fn glob_match(glob: &str, text: &str) -> bool {
    let (g, t): (Vec<char>, Vec<char>) = (glob.chars().collect(), text.chars().collect());
    let (mut gi, mut ti) = (0, 0);
    // Where the last `*` was, and the text position it currently absorbs up to.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if gi < g.len() && (g[gi] == '?' || g[gi] == t[ti]) {
            gi += 1;
            ti += 1;
        } else if gi < g.len() && g[gi] == '*' {
            star = Some((gi, ti));
            gi += 1;
        } else if let Some((sg, st)) = star {
            gi = sg + 1;
            ti = st + 1;
            star = Some((sg, st + 1));
        } else {
            return false;
        }
    }
    g[gi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "\
# comment
package  ^linux-image-6\\.1\\.0-50-amd64-unsigned$  ^linux-image-6\\.1\\.0-50-amd64$
abi      2
cmdline  lsm=lockdown,yama
errata   unreported
env      LANDLOCK_TEST_LISTEN_TCP=0x10

[net_test]
*.no_sandbox_*   pass
*                skip  TCP port rules | Landlock is disabled

[fs_test]
layout1_bind.path_disconnected*  fail  erratum 3
*                pass
";

    #[test]
    fn parses_settings_and_rules() {
        let t = Table::parse(TABLE).unwrap();
        assert_eq!(t.packages.len(), 2);
        assert_eq!(t.abi, Abi::Version(2));
        assert_eq!(t.cmdline, "lsm=lockdown,yama");
        assert_eq!(t.errata, Some(Errata::Unreported));
        assert_eq!(
            t.env,
            [("LANDLOCK_TEST_LISTEN_TCP".to_owned(), "0x10".to_owned())]
        );
        assert_eq!(t.rules.len(), 4);
        assert_eq!(
            t.rules[1].reasons,
            ["TCP port rules", "Landlock is disabled"]
        );
        assert_eq!(t.rules[1].line, 10);
    }

    #[test]
    fn first_matching_rule_decides() {
        let t = Table::parse(TABLE).unwrap();
        assert_eq!(
            t.rule_for("net_test", "a.no_sandbox_x").unwrap().outcome,
            Outcome::Pass
        );
        assert_eq!(
            t.rule_for("net_test", "a.b").unwrap().outcome,
            Outcome::Skip
        );
        let r = t
            .rule_for("fs_test", "layout1_bind.path_disconnected_rename")
            .unwrap();
        assert_eq!(r.outcome, Outcome::Fail);
        assert!(r.reason_in("x erratum 3 y"));
        assert!(t.rule_for("other", "a").is_none());
    }

    #[test]
    fn parses_a_built_kernel() {
        let t = Table::parse(
            "source debian:linux-source-7.2\npatches a/b c\nconfig k.config\nabi 10\n",
        )
        .unwrap();
        let b = t.build.unwrap();
        assert_eq!(b.source, "debian:linux-source-7.2");
        assert_eq!(b.patches, ["a/b", "c"]);
        assert_eq!(b.config.as_deref(), Some("k.config"));
        assert!(Table::parse("patches a\nabi 10\n").is_err());
        assert!(Table::parse("package x\nsource y\nabi 10\n").is_err());
    }

    #[test]
    fn refuses_bad_tables() {
        assert!(
            Table::parse("abi 2\n[s]\na skip\n")
                .unwrap_err()
                .starts_with("3: a skip")
        );
        assert!(
            Table::parse("abi 2\n[s]\na fail\n")
                .unwrap_err()
                .starts_with("3: a fail")
        );
        assert!(Table::parse("abi 2\n[s]\na maybe\n").is_err());
        assert!(Table::parse("abi two\n").is_err());
        assert!(Table::parse("[s]\na pass\n").is_err());
        assert!(Table::parse("abi 2\nfoo 1\n").is_err());
        assert!(Table::parse("abi 2\nerrata 1 x\n").is_err());
        assert_eq!(
            Table::parse("abi 2\nerrata none\n").unwrap().errata,
            Some(Errata::Fixed(vec![]))
        );
        assert_eq!(
            Table::parse("abi disabled\nerrata 1 4\n").unwrap().errata,
            Some(Errata::Fixed(vec![1, 4]))
        );
    }

    #[test]
    fn globs() {
        assert!(glob_match("*", ""));
        assert!(glob_match("*", "abc"));
        assert!(glob_match("audit.*", "audit.x.y"));
        assert!(!glob_match("audit.*", "audit_layout1.x"));
        assert!(glob_match(
            "*.no_sandbox_*",
            "port.ipv4.no_sandbox_with_ipv6"
        ));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
        assert!(glob_match(
            "layout1_bind.path_disconnected*",
            "layout1_bind.path_disconnected"
        ));
        assert!(glob_match("*a*b", "xaxxab"));
        assert!(!glob_match("*a*b", "xaxxa"));
        assert!(!glob_match("layout1.truncate", "layout1.truncate_x"));
    }
}
