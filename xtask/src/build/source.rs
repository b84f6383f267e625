//! Kernel sources: Debian's `linux-source-*` package, fetched with a private apt configuration,
//! or a kernel tree on disk.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::cache::Cache;
use super::make::run_quiet;

/// Where the kernel source comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A Debian source package such as `linux-source-7.2`, from the `sid` suite.
    Debian(String),
    /// A kernel tree, copied before it is patched.
    Tree(PathBuf),
}

impl Default for Source {
    fn default() -> Self {
        Source::Debian("linux-source-7.2".into())
    }
}

impl Source {
    /// `debian:PACKAGE` or a path.
    pub fn parse(value: &str) -> Self {
        match value.strip_prefix("debian:") {
            Some(package) => Source::Debian(package.into()),
            None => Source::Tree(value.into()),
        }
    }

    /// Finds the exact version (downloading a Debian package once).
    pub fn resolve(&self, cache: &Cache) -> Result<Resolved, String> {
        match self {
            Source::Debian(package) => {
                let apt = PrivateApt::new(cache)?;
                let version = apt.candidate(package)?;
                let deb = apt.download(package, &version, &cache.debs())?;
                Ok(Resolved {
                    id: format!("debian:{package}={version}"),
                    origin: Origin::Deb(deb),
                })
            }
            Source::Tree(path) => {
                let path = path
                    .canonicalize()
                    .map_err(|e| format!("kernel tree {}: {e}", path.display()))?;
                if !path.join("Makefile").is_file() || !path.join("Kconfig").is_file() {
                    return Err(format!(
                        "{} is not a kernel tree (no Makefile and Kconfig)",
                        path.display()
                    ));
                }
                let version = run_quiet(
                    Command::new("make")
                        .arg("-s")
                        .arg("kernelversion")
                        .current_dir(&path),
                )?;
                Ok(Resolved {
                    id: format!("tree:{}={}", path.display(), version.trim()),
                    origin: Origin::Tree(path),
                })
            }
        }
    }
}

/// A source at a known version.
pub struct Resolved {
    /// Names the source and its version in keys and manifests.
    pub id: String,
    origin: Origin,
}

enum Origin {
    Deb(PathBuf),
    Tree(PathBuf),
}

impl Resolved {
    /// Fills the empty directory `dst` with the kernel tree.
    pub fn unpack(&self, dst: &Path) -> Result<(), String> {
        fs::create_dir_all(dst).map_err(|e| format!("creating {}: {e}", dst.display()))?;
        match &self.origin {
            Origin::Deb(deb) => {
                let parent = dst.parent().unwrap_or(dst);
                let staging = parent.join("deb");
                let _ = fs::remove_dir_all(&staging);
                run_quiet(Command::new("dpkg-deb").arg("-x").arg(deb).arg(&staging))?;
                let tarball = find_tarball(&staging.join("usr/src"))?;
                run_quiet(
                    Command::new("tar")
                        .arg("-xf")
                        .arg(&tarball)
                        .arg("--strip-components=1")
                        .arg("-C")
                        .arg(dst),
                )?;
                fs::remove_dir_all(&staging)
                    .map_err(|e| format!("removing {}: {e}", staging.display()))
            }
            Origin::Tree(path) => {
                // tar rather than cp: leaves the tree's .git out.
                let copy = format!(
                    "tar -C {src} --exclude=./.git -cf - . | tar -C {dst} -xf -",
                    src = shell_quote(path),
                    dst = shell_quote(dst),
                );
                run_quiet(Command::new("sh").arg("-c").arg(copy)).map(drop)
            }
        }
    }
}

fn find_tarball(dir: &Path) -> Result<PathBuf, String> {
    fs::read_dir(dir)
        .map_err(|e| format!("reading {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|path| path.to_string_lossy().ends_with(".tar.xz"))
        .ok_or_else(|| format!("no linux-source-*.tar.xz in {}", dir.display()))
}

fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// apt-get and apt-cache with their own sources list (sid, from the mirror the host uses),
/// lists and cache under the kernel cache: the host's apt configuration is not touched.
struct PrivateApt {
    options: Vec<String>,
    lists: PathBuf,
}

const KEYRING: &str = "/usr/share/keyrings/debian-archive-keyring.gpg";

impl PrivateApt {
    fn new(cache: &Cache) -> Result<Self, String> {
        let dir = cache.apt();
        let lists = dir.join("lists");
        let archives = dir.join("cache/archives/partial");
        for d in [lists.join("partial"), archives] {
            fs::create_dir_all(&d).map_err(|e| format!("creating {}: {e}", d.display()))?;
        }
        if !Path::new(KEYRING).is_file() {
            return Err(format!(
                "{KEYRING} is missing: apt-get install debian-archive-keyring"
            ));
        }
        let sources = dir.join("sid.list");
        let line = format!("deb [signed-by={KEYRING}] {} sid main\n", host_mirror());
        fs::write(&sources, line).map_err(|e| format!("writing {}: {e}", sources.display()))?;
        let options = [
            format!("Dir::Etc::sourcelist={}", sources.display()),
            "Dir::Etc::sourceparts=-".into(),
            format!("Dir::State::Lists={}", lists.display()),
            format!("Dir::Cache={}", dir.join("cache").display()),
        ]
        .into_iter()
        .flat_map(|o| ["-o".to_string(), o])
        .collect();
        Ok(Self { options, lists })
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.args(&self.options);
        command
    }

    /// The version apt would install; the package lists are fetched once, when missing.
    fn candidate(&self, package: &str) -> Result<String, String> {
        let has_lists = fs::read_dir(&self.lists)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .any(|e| e.file_name().to_string_lossy().contains("_Packages"))
            })
            .unwrap_or(false);
        if !has_lists {
            eprintln!("build-kernel: apt-get update (private sid lists)");
            run_quiet(self.command("apt-get").arg("-q").arg("update"))?;
        }
        let policy = run_quiet(self.command("apt-cache").arg("policy").arg(package))?;
        policy
            .lines()
            .find_map(|line| line.trim().strip_prefix("Candidate: "))
            .filter(|version| *version != "(none)")
            .map(str::to_string)
            .ok_or_else(|| {
                format!(
                    "Debian's sid has no package {package} (apt-cache policy: {}); to refresh \
                     the lists, remove {}",
                    policy.trim(),
                    self.lists.display()
                )
            })
    }

    /// The package's .deb in `dir`, downloaded when missing.
    fn download(&self, package: &str, version: &str, dir: &Path) -> Result<PathBuf, String> {
        fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let name = format!("{package}_{}_all.deb", version.replace(':', "%3a"));
        let deb = dir.join(&name);
        if !deb.is_file() {
            eprintln!("build-kernel: apt-get download {package}={version}");
            run_quiet(
                self.command("apt-get")
                    .arg("-q")
                    .arg("download")
                    .arg(format!("{package}={version}"))
                    .current_dir(dir),
            )?;
            if !deb.is_file() {
                return Err(format!("apt-get download left no {}", deb.display()));
            }
        }
        Ok(deb)
    }
}

/// The Debian mirror of the host's apt sources (deb822 `URIs:` or one-line `deb` entries), so
/// that sid comes from the same host; Debian's own otherwise.
fn host_mirror() -> String {
    let mut files = vec![PathBuf::from("/etc/apt/sources.list")];
    if let Ok(entries) = fs::read_dir("/etc/apt/sources.list.d") {
        let mut more: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "sources" || x == "list"))
            .collect();
        more.sort();
        files.extend(more);
    }
    files
        .iter()
        .filter_map(|file| fs::read_to_string(file).ok())
        .flat_map(|text| {
            text.lines()
                .flat_map(|line| {
                    let line = line.trim();
                    let uris = line
                        .strip_prefix("URIs:")
                        .map(|rest| rest.split_whitespace().collect::<Vec<_>>())
                        .or_else(|| {
                            line.strip_prefix("deb ").map(|rest| {
                                rest.split_whitespace()
                                    .filter(|w| w.contains("://"))
                                    .take(1)
                                    .collect()
                            })
                        })
                        .unwrap_or_default();
                    uris.into_iter().map(str::to_string).collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        })
        .map(|uri| uri.trim_end_matches('/').to_string())
        .find(|uri| uri.ends_with("/debian"))
        .unwrap_or_else(|| "http://deb.debian.org/debian".into())
}
