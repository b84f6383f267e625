//! `/proc/self/mountinfo`, read by the runner to find mounts a case left behind and where
//! cgroup2 is mounted.

use std::fs;
use std::path::PathBuf;

/// One mount of this mount namespace.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Mount {
    /// The directory of the file system that is mounted (`/` for its whole tree).
    pub root: PathBuf,
    /// Where it is mounted.
    pub point: PathBuf,
    pub fstype: String,
}

/// The mounts of this mount namespace; none when mountinfo cannot be read.
pub(crate) fn mounts() -> Vec<Mount> {
    fs::read_to_string("/proc/self/mountinfo")
        .map(|info| info.lines().filter_map(parse).collect())
        .unwrap_or_default()
}

/// `id parent major:minor root point options [optional...] - fstype source super-options`
fn parse(line: &str) -> Option<Mount> {
    let (mount, fs) = line.split_once(" - ")?;
    let mut fields = mount.split(' ').skip(3);
    Some(Mount {
        root: PathBuf::from(unescape_octal(fields.next()?)),
        point: PathBuf::from(unescape_octal(fields.next()?)),
        fstype: fs.split(' ').next()?.to_owned(),
    })
}

/// mountinfo escapes space, tab, newline and backslash as `\ooo`.
fn unescape_octal(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut rest = field;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        match rest
            .get(i + 1..i + 4)
            .and_then(|o| u8::from_str_radix(o, 8).ok())
        {
            Some(byte) => {
                out.push(char::from(byte));
                rest = &rest[i + 4..];
            }
            None => {
                out.push('\\');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_escapes_are_undone() {
        assert_eq!(unescape_octal("/tmp/a\\040b"), "/tmp/a b");
        assert_eq!(unescape_octal("/plain"), "/plain");
        assert_eq!(unescape_octal("/odd\\x"), "/odd\\x");
    }

    #[test]
    fn parses_a_line() {
        let line = "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw";
        assert_eq!(
            parse(line),
            Some(Mount {
                root: "/".into(),
                point: "/sys/fs/cgroup/unified".into(),
                fstype: "cgroup2".into(),
            })
        );
    }
}
