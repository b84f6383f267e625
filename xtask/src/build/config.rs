//! The kernel configuration: `make allnoconfig` with the fragment, then a check that every
//! option of the fragment holds (Kconfig drops an option whose dependencies are off, silently).

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use super::make::run_quiet;

/// Writes `tree/.config` from the fragment at `path` (contents `fragment`).
pub fn apply(tree: &Path, path: &Path, fragment: &str) -> Result<(), String> {
    let path = path
        .canonicalize()
        .map_err(|e| format!("config fragment {}: {e}", path.display()))?;
    run_quiet(
        Command::new("make")
            .arg("allnoconfig")
            .env("KCONFIG_ALLCONFIG", &path)
            .current_dir(tree),
    )?;
    let config_path = tree.join(".config");
    let config = fs::read_to_string(&config_path)
        .map_err(|e| format!("reading {}: {e}", config_path.display()))?;
    let missing = unmet(fragment, &config);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the kernel configuration does not hold these options of {} (a dependency is \
             missing from the fragment, or the option does not exist in this kernel): {}",
            path.display(),
            missing.join(", ")
        ))
    }
}

/// The fragment's settings that `config` does not have, as the fragment writes them.
fn unmet(fragment: &str, config: &str) -> Vec<String> {
    let actual: HashMap<String, String> = settings(config).into_iter().collect();
    settings(fragment)
        .into_iter()
        .filter(|(name, value)| actual.get(name).map_or("n", String::as_str) != value)
        .map(|(name, value)| format!("{name}={value}"))
        .collect()
}

/// `CONFIG_X=value` and `# CONFIG_X is not set` (as `n`) lines, in order.
fn settings(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if let Some(name) = line
                .strip_prefix("# ")
                .and_then(|rest| rest.strip_suffix(" is not set"))
            {
                return Some((name.to_string(), "n".to_string()));
            }
            let (name, value) = line.split_once('=')?;
            name.starts_with("CONFIG_")
                .then(|| (name.to_string(), value.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_option_dropped_by_kconfig_is_reported() {
        let fragment =
            "# comment\nCONFIG_A=y\nCONFIG_B=y\nCONFIG_LSM=\"landlock\"\n# CONFIG_C is not set\n";
        let config = "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_LSM=\"landlock\"\n";
        assert_eq!(unmet(fragment, config), ["CONFIG_B=y"]);
    }
}
