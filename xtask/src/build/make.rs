//! Running the build's programs: quietly for the small steps, with progress for make.

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `command` to completion; its standard output, or an error quoting its standard error.
pub fn run_quiet(command: &mut Command) -> Result<String, String> {
    let output = command
        .output()
        .map_err(|e| format!("running {}: {e}", describe(command)))?;
    if !output.status.success() {
        return Err(format!(
            "{} failed ({}):\n{}",
            describe(command),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn describe(command: &Command) -> String {
    let mut words = vec![command.get_program().to_string_lossy().into_owned()];
    words.extend(command.get_args().map(|a| a.to_string_lossy().into_owned()));
    words.join(" ")
}

/// `make -j<cpus> <targets>` in `tree`, every output line to `log`, and progress to standard
/// error: on a terminal the last line, rewritten in place; elsewhere one line in 200.
pub fn run(tree: &Path, targets: &[&str], log: &Path) -> Result<(), String> {
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut log_file = File::create(log).map_err(|e| format!("creating {}: {e}", log.display()))?;
    // make's standard error joins its output (2>&1), in order, through the shell.
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(r#"exec make "$@" 2>&1"#)
        .arg("make")
        .arg(format!("-j{jobs}"))
        .args(targets)
        .current_dir(tree)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running make in {}: {e}", tree.display()))?;
    let terminal = std::io::stderr().is_terminal();
    let mut steps = 0u64;
    let mut last = Vec::new();
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let line = line.map_err(|e| format!("reading make's output: {e}"))?;
        let _ = writeln!(log_file, "{line}");
        steps += 1;
        if terminal {
            let shown: String = line.trim().chars().take(100).collect();
            eprint!("\r\x1b[K[{steps:>5}] {shown}");
        } else if steps % 200 == 1 {
            eprintln!("[{steps:>5}] {}", line.trim());
        }
        last.push(line);
        if last.len() > 30 {
            last.remove(0);
        }
    }
    if terminal {
        eprintln!();
    }
    let status = child.wait().map_err(|e| format!("waiting for make: {e}"))?;
    if !status.success() {
        return Err(format!(
            "make {} failed ({status}) in {}; its last lines (all in {}):\n{}",
            targets.join(" "),
            tree.display(),
            log.display(),
            last.join("\n")
        ));
    }
    Ok(())
}
