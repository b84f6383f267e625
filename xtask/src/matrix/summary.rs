//! The matrix as one Markdown table (kernel x suite), for CI logs and people.

use super::tap::Outcome;
use super::{Error, KernelResult};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub fn render(results: &[KernelResult]) -> String {
    let mut md = String::from(
        "| kernel | Linux | Landlock | suite | pass | skip | xfail | fail | deviations | seconds |\n\
         |---|---|---|---|--:|--:|--:|--:|--:|--:|\n",
    );
    for r in results {
        for (i, (suite, counts)) in r.suites.iter().enumerate() {
            let count = |o: Outcome| counts[Outcome::ALL.iter().position(|&x| x == o).unwrap_or(0)];
            let (id, kernel, landlock, deviations, seconds) = if i == 0 {
                (
                    r.id.as_str(),
                    r.kernel.as_str(),
                    r.landlock.as_str(),
                    r.deviations.to_string(),
                    format!("{:.0}", r.seconds),
                )
            } else {
                ("", "", "", String::new(), String::new())
            };
            let _ = writeln!(
                md,
                "| {id} | {kernel} | {landlock} | {suite} | {} | {} | {} | {} | {deviations} | {seconds} |",
                count(Outcome::Pass),
                count(Outcome::Skip),
                count(Outcome::Xfail),
                count(Outcome::Fail) + count(Outcome::Xpass),
            );
        }
    }
    md
}

/// Writes `summary.md` under `out` and prints it; returns its path.
pub fn write(out: &Path, results: &[KernelResult]) -> Result<PathBuf, Error> {
    let md = render(results);
    let path = out.join("summary.md");
    std::fs::write(&path, &md)?;
    print!("\n{md}");
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_kernel_and_suite() {
        let r = KernelResult {
            id: "debian12-6.1".into(),
            kernel: "6.1.0-50-amd64".into(),
            landlock: "ABI 2".into(),
            seconds: 12.3,
            suites: vec![
                ("net_test".into(), [3, 40, 0, 0, 0]),
                ("fs_test".into(), [100, 20, 1, 0, 2]),
            ],
            deviations: 0,
        };
        let md = render(&[r]);
        let lines: Vec<&str> = md.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(
            lines[2],
            "| debian12-6.1 | 6.1.0-50-amd64 | ABI 2 | net_test | 3 | 40 | 0 | 0 | 0 | 12 |"
        );
        assert_eq!(lines[3], "|  |  |  | fs_test | 100 | 20 | 1 | 2 |  |  |");
    }
}
