//! Debian version ordering (deb-version(7)), to pick the newest kernel package.

use std::cmp::Ordering;

/// Compares two Debian versions `[epoch:]upstream[-revision]` as dpkg does.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (ea, ua, ra) = split(a);
    let (eb, ub, rb) = split(b);
    ea.cmp(&eb)
        .then_with(|| compare_part(ua, ub))
        .then_with(|| compare_part(ra, rb))
}

fn split(v: &str) -> (u64, &str, &str) {
    let (epoch, rest) = match v.split_once(':') {
        Some((e, rest)) => (e.parse().unwrap_or(0), rest),
        None => (0, v),
    };
    match rest.rsplit_once('-') {
        Some((upstream, revision)) => (epoch, upstream, revision),
        None => (epoch, rest, ""),
    }
}

/// `~` sorts before everything, even the end; letters before other characters.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

fn compare_part(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        // The non-digit run, character by character.
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let (ca, cb) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if ca != cb {
                return ca.cmp(&cb);
            }
            i += 1;
            j += 1;
        }
        // The digit run, as a number.
        let start = (i, j);
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let na = trim_zeros(&a[start.0..i]);
        let nb = trim_zeros(&b[start.1..j]);
        let by_number = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
        if by_number != Ordering::Equal {
            return by_number;
        }
    }
    Ordering::Equal
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let first = digits
        .iter()
        .position(|&d| d != b'0')
        .unwrap_or(digits.len());
    &digits[first..]
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering::*;

    #[test]
    fn orders_as_dpkg() {
        assert_eq!(compare("6.1.192-3", "6.1.192-2"), Greater);
        assert_eq!(compare("6.1.190-1", "6.1.192-1"), Less);
        assert_eq!(compare("6.12.118-1~bpo12+1", "6.12.118-1"), Less);
        assert_eq!(compare("7.3~rc7-1~exp1", "7.3-1"), Less);
        assert_eq!(compare("7.3.4-1~bpo13+1", "7.3~rc7-1~exp1"), Greater);
        assert_eq!(compare("1:1.0", "2.0"), Greater);
        assert_eq!(compare("1.0", "1.0"), Equal);
        assert_eq!(compare("1.0a", "1.0+"), Less);
        assert_eq!(compare("1.01", "1.1"), Equal);
        assert_eq!(compare("1.10", "1.9"), Greater);
    }
}
