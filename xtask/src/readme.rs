//! `cargo xtask readme`: runs every command of README.md's ```sh blocks, in order, from the
//! repository root, so that what the README tells people to type is what CI runs. A block whose
//! info string carries [`OPT_OUT`] is left out (say why after it, e.g.
//! "```sh skip-readme-check: the benchmark takes minutes and measures, it does not check").

use std::path::Path;
use std::process::{Command, ExitCode};

/// The marker that keeps a block out of the run.
pub const OPT_OUT: &str = "skip-readme-check";

const USAGE: &str = "\
Usage: cargo xtask readme [--list]

Runs each command of README.md's ```sh blocks with bash, from the repository root, printing it
first, and stops at the first that fails (with its status). A line is one command (a trailing
backslash continues it; `#` starts a shell comment). A block whose info string says
skip-readme-check is left out.

  --list   print the commands without running them";

/// One command and the README line it starts on.
#[derive(Debug, PartialEq, Eq)]
pub struct ReadmeCommand {
    pub line: usize,
    pub text: String,
}

/// The commands of the ```sh blocks that do not opt out.
pub fn commands(markdown: &str) -> Vec<ReadmeCommand> {
    let mut commands = Vec::new();
    // Inside a fence: whether its commands run.
    let mut fence: Option<bool> = None;
    let mut pending: Option<ReadmeCommand> = None;
    for (index, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        match fence {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    let runs =
                        info.split_whitespace().next() == Some("sh") && !info.contains(OPT_OUT);
                    fence = Some(runs);
                }
            }
            Some(runs) => {
                if trimmed.starts_with("```") {
                    fence = None;
                    continue;
                }
                if !runs {
                    continue;
                }
                let continued = pending.take();
                let text = match &continued {
                    Some(c) => format!("{}\n{line}", c.text),
                    None => line.to_owned(),
                };
                let start = continued.map_or(index + 1, |c| c.line);
                if line.trim_end().ends_with('\\') {
                    pending = Some(ReadmeCommand { line: start, text });
                } else if !text.trim().is_empty() && !text.trim_start().starts_with('#') {
                    commands.push(ReadmeCommand {
                        line: start,
                        text: text.trim().to_owned(),
                    });
                }
            }
        }
    }
    commands
}

pub fn main(args: Vec<String>, root: &Path) -> ExitCode {
    let list = match args.as_slice() {
        [] => false,
        [a] if a == "--list" => true,
        [a] if a == "-h" || a == "--help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("readme: unexpected arguments {args:?}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let path = root.join("README.md");
    let markdown = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("readme: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let commands = commands(&markdown);
    for (n, command) in commands.iter().enumerate() {
        println!(
            "readme: [{}/{}] README.md:{}: $ {}",
            n + 1,
            commands.len(),
            command.line,
            command.text
        );
        if list {
            continue;
        }
        let status = Command::new("bash")
            .args(["-eo", "pipefail", "-c", &command.text])
            .current_dir(root)
            .status();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => {
                eprintln!(
                    "readme: FAILED ({s}): README.md:{}: {}",
                    command.line, command.text
                );
                return ExitCode::from(u8::try_from(s.code().unwrap_or(1)).unwrap_or(1).max(1));
            }
            Err(e) => {
                eprintln!("readme: cannot run bash: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if !list {
        println!(
            "readme: all {} commands of README.md passed",
            commands.len()
        );
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    const README: &str = "\
# Title

```sh
cargo test -p a     # a comment
# a whole-line comment

cargo test \\
    --workspace
```

```toml
[not] = \"run\"
```

```sh skip-readme-check: the benchmark
cargo bench
```

  ```sh
  indented command
  ```

```rust
fn main() {}
```
";

    #[test]
    fn extracts_the_sh_commands() {
        let got = commands(README);
        assert_eq!(
            got,
            [
                ReadmeCommand {
                    line: 4,
                    text: "cargo test -p a     # a comment".into()
                },
                ReadmeCommand {
                    line: 7,
                    text: "cargo test \\\n    --workspace".into()
                },
                ReadmeCommand {
                    line: 20,
                    text: "indented command".into()
                },
            ]
        );
    }

    #[test]
    fn the_projects_readme_has_commands_and_runs_the_matrix() {
        let readme = include_str!("../../README.md");
        let got = commands(readme);
        assert!(
            got.iter()
                .any(|c| c.text.starts_with("cargo test --workspace"))
        );
        assert!(
            got.iter()
                .any(|c| c.text.starts_with("cargo xtask kernel-matrix"))
        );
        assert!(got.iter().all(|c| !c.text.starts_with("cargo bench")));
    }
}
