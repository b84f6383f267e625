//! Debian's kernel packages: found, downloaded and unpacked with apt's own tools, under a
//! private apt configuration in the cache directory, so that the host's apt (its sources, lists
//! and what it may upgrade) is never touched.
//!
//! Two layouts: up to 6.x, `linux-image-<release>[-unsigned]` holds `boot/vmlinuz-<release>`
//! and the modules; from 7.x, `linux-binary-unsigned-<release>` holds
//! `usr/lib/modules/<release>/vmlinuz.unsigned` and `linux-modules-<release>` the modules.

use super::version;
use super::{Error, note, run_quiet};
use regex::Regex;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The archive suites the tables draw from: bookworm and its updates, security and backports
/// (6.1, 6.12), trixie-backports, sid and experimental (7.x).
const SUITES: [(&str, &str); 7] = [
    ("debian", "bookworm"),
    ("debian", "bookworm-updates"),
    ("debian-security", "bookworm-security"),
    ("debian", "bookworm-backports"),
    ("debian", "trixie-backports"),
    ("debian", "sid"),
    ("debian", "experimental"),
];
const KEYRING: &str = "/usr/share/keyrings/debian-archive-keyring.gpg";

/// A resolved kernel package: what to download.
#[derive(Clone, Debug)]
pub struct Package {
    pub name: String,
    pub version: String,
}

impl Package {
    /// The 7.x layout keeps the modules in a package of their own.
    fn modules_package(&self) -> Option<Package> {
        let release = self.name.strip_prefix("linux-binary-unsigned-")?;
        Some(Package {
            name: format!("linux-modules-{release}"),
            version: self.version.clone(),
        })
    }

    pub fn describe(&self) -> String {
        format!("{} {}", self.name, self.version)
    }
}

/// An unpacked kernel: what the guest needs of a package.
pub struct Unpacked {
    pub image: PathBuf,
    /// The modules directory (only the subtrees the guest's modules come from).
    pub modules: PathBuf,
}

pub struct Apt {
    dir: PathBuf,
    debs: PathBuf,
    kernels: PathBuf,
    mirror: String,
    updated: bool,
    names: Option<Vec<String>>,
}

impl Apt {
    pub fn new(cache: &Path) -> Apt {
        let mirror = std::env::var("KM_MIRROR").unwrap_or_else(|_| "http://deb.debian.org".into());
        Apt {
            dir: cache.join("apt"),
            debs: cache.join("debs"),
            kernels: cache.join("kernels"),
            mirror: mirror.trim_end_matches('/').to_owned(),
            updated: false,
            names: None,
        }
    }

    /// apt's options that point it at the private configuration.
    fn options(&self) -> Vec<String> {
        let d = self.dir.display();
        [
            format!("Dir::Etc::sourcelist={d}/sources.list"),
            format!("Dir::Etc::sourceparts={d}/empty.d"),
            format!("Dir::Etc::preferences={d}/empty.d/none"),
            format!("Dir::Etc::preferencesparts={d}/empty.d"),
            format!("Dir::State::Lists={d}/lists"),
            format!("Dir::Cache={d}/cache"),
            "Acquire::Languages=none".to_owned(),
            "APT::Sandbox::User=root".to_owned(),
        ]
        .into_iter()
        .flat_map(|o| ["-o".to_owned(), o])
        .collect()
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.args(self.options());
        c
    }

    /// Downloads the package lists: when there are none yet, and when a download failed
    /// (lists older than the mirror name versions it no longer has). Never otherwise, so that a
    /// second run downloads nothing.
    pub fn update(&mut self, force: bool) -> Result<(), Error> {
        let lists = self.dir.join("lists");
        let have_lists = fs::read_dir(&lists)
            .map(|d| {
                d.flatten()
                    .any(|e| e.file_name().to_string_lossy().contains("_Packages"))
            })
            .unwrap_or(false);
        if (have_lists && !force) || self.updated {
            return Ok(());
        }
        for sub in ["lists/partial", "cache/archives/partial", "empty.d"] {
            fs::create_dir_all(self.dir.join(sub))?;
        }
        let sources: String = SUITES
            .iter()
            .map(|(archive, suite)| {
                format!(
                    "deb [signed-by={KEYRING}] {}/{archive} {suite} main\n",
                    self.mirror
                )
            })
            .collect();
        fs::write(self.dir.join("sources.list"), sources)?;
        note(&format!(
            "apt-get update of the kernel suites (private lists in {})",
            lists.display()
        ));
        let mut update = self.command("apt-get");
        update.args([
            "-q",
            "-o",
            "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false",
            "-o",
            "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false",
            "-o",
            "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false",
            "-o",
            "Acquire::IndexTargets::deb::CNF::DefaultEnabled=false",
            "update",
        ]);
        run_quiet(&mut update, "apt-get update (the kernel suites)")?;
        self.updated = true;
        self.names = None;
        Ok(())
    }

    fn names(&mut self) -> Result<&[String], Error> {
        if self.names.is_none() {
            let out = self
                .command("apt-cache")
                .args(["pkgnames", "linux-"])
                .output()?;
            if !out.status.success() {
                return Err(format!(
                    "apt-cache pkgnames failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                )
                .into());
            }
            let text = String::from_utf8_lossy(&out.stdout);
            self.names = Some(text.lines().map(str::to_owned).collect());
        }
        Ok(self.names.as_deref().unwrap_or_default())
    }

    /// For each list of regexes: the newest package with a candidate version among those
    /// matching the first regex that matches any. One `apt-cache policy` for all (each call
    /// reads every package list).
    pub fn resolve(&mut self, tables: &[&[String]]) -> Result<Vec<Option<Package>>, Error> {
        let mut matched: Vec<Vec<Vec<String>>> = Vec::new();
        let mut all: Vec<String> = Vec::new();
        for regexes in tables {
            let mut per_regex = Vec::new();
            for pattern in regexes.iter() {
                let re =
                    Regex::new(pattern).map_err(|e| format!("bad package regex {pattern}: {e}"))?;
                let names: Vec<String> = self
                    .names()?
                    .iter()
                    .filter(|n| re.is_match(n))
                    .cloned()
                    .collect();
                all.extend(names.iter().cloned());
                per_regex.push(names);
            }
            matched.push(per_regex);
        }
        all.sort();
        all.dedup();
        let found = if all.is_empty() {
            Vec::new()
        } else {
            let out = self
                .command("apt-cache")
                .arg("policy")
                .args(&all)
                .output()?;
            candidates(&String::from_utf8_lossy(&out.stdout))
        };
        Ok(matched
            .iter()
            .map(|per_regex| {
                per_regex.iter().find_map(|names| {
                    found
                        .iter()
                        .filter(|p| names.contains(&p.name))
                        .max_by(|a, b| version::compare(&a.version, &b.version))
                        .cloned()
                })
            })
            .collect())
    }

    /// The package's .deb (and the modules' .deb of the 7.x layout), downloaded once.
    fn download(&mut self, package: &Package) -> Result<Vec<PathBuf>, Error> {
        fs::create_dir_all(&self.debs)?;
        let mut debs = Vec::new();
        for p in std::iter::once(package.clone()).chain(package.modules_package()) {
            let prefix = format!("{}_{}_", p.name, p.version.replace(':', "%3a"));
            let cached = |dir: &Path| -> Option<PathBuf> {
                fs::read_dir(dir)
                    .ok()?
                    .flatten()
                    .map(|e| e.path())
                    .find(|path| {
                        path.file_name()
                            .is_some_and(|f| f.to_string_lossy().starts_with(&prefix))
                    })
            };
            if let Some(deb) = cached(&self.debs) {
                debs.push(deb);
                continue;
            }
            note(&format!("downloading {}", p.describe()));
            let mut download = self.command("apt-get");
            download.current_dir(&self.debs).args([
                "-q",
                "download",
                &format!("{}={}", p.name, p.version),
            ]);
            if run_quiet(&mut download, "apt-get download").is_err() {
                // Lists older than the mirror: refresh once and try again.
                self.update(true)?;
                run_quiet(&mut download, "apt-get download")?;
            }
            debs.push(cached(&self.debs).ok_or_else(|| {
                format!(
                    "apt-get download {} left no .deb in {}",
                    p.name,
                    self.debs.display()
                )
            })?);
        }
        Ok(debs)
    }

    /// Downloads and unpacks a kernel package (once: kept in the cache).
    pub fn fetch(&mut self, package: &Package) -> Result<Unpacked, Error> {
        let dir = self.kernels.join(format!(
            "{}_{}",
            package.name,
            package.version.replace(':', "%3a")
        ));
        let unpacked = Unpacked {
            image: dir.join("vmlinuz"),
            modules: dir.join("modules"),
        };
        // Holds the kernel's release once everything is unpacked.
        if dir.join("complete").exists() {
            return Ok(unpacked);
        }
        let debs = self.download(package)?;
        note(&format!("unpacking {}", package.describe()));
        if dir.exists() {
            fs::remove_dir_all(&dir)?;
        }
        fs::create_dir_all(dir.join("modules"))?;
        let mut release = None;
        for deb in &debs {
            let members = list(deb)?;
            let mut wanted = Vec::new();
            for m in &members {
                if let Some(r) = m
                    .strip_prefix("./boot/vmlinuz-")
                    .or_else(|| image_release(m, "/vmlinuz.unsigned"))
                {
                    release = Some(r.to_owned());
                    extract(deb, std::slice::from_ref(m), &dir)?;
                    fs::rename(dir.join(m), dir.join("vmlinuz"))?;
                } else if is_guest_module_tree(m) {
                    wanted.push(m.clone());
                }
            }
            if !wanted.is_empty() {
                extract(deb, &wanted, &dir.join("modules"))?;
            }
        }
        let release = release.ok_or_else(|| {
            format!(
                "no kernel image (boot/vmlinuz-* or usr/lib/modules/*/vmlinuz.unsigned) in {}",
                debs[0].display()
            )
        })?;
        for leftover in ["boot", "usr"] {
            let _ = fs::remove_dir_all(dir.join(leftover));
        }
        fs::write(dir.join("complete"), &release)?;
        Ok(unpacked)
    }
}

/// `./usr/lib/modules/<release>/vmlinuz.unsigned` -> `<release>`.
fn image_release<'a>(member: &'a str, suffix: &str) -> Option<&'a str> {
    member
        .strip_prefix("./usr/lib/modules/")?
        .strip_suffix(suffix)
        .filter(|r| !r.contains('/'))
}

/// The modules the guest may load are filesystems; what they depend on lives in lib/ and
/// crypto/. Unpacking only those keeps the cache small.
fn is_guest_module_tree(member: &str) -> bool {
    let tail = member
        .strip_prefix("./usr/lib/modules/")
        .or_else(|| member.strip_prefix("./lib/modules/"));
    tail.and_then(|t| t.split_once('/'))
        .is_some_and(|(_, path)| {
            ["kernel/fs/", "kernel/lib/", "kernel/crypto/"]
                .iter()
                .any(|p| path.starts_with(p))
                && path.contains(".ko")
        })
}

fn list(deb: &Path) -> Result<Vec<String>, Error> {
    let out = Command::new("sh")
        .args(["-c", "dpkg-deb --fsys-tarfile \"$1\" | tar -t", "sh"])
        .arg(deb)
        .stderr(Stdio::inherit())
        .output()?;
    if !out.status.success() {
        return Err(format!("cannot list {}", deb.display()).into());
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect())
}

fn extract(deb: &Path, members: &[String], into: &Path) -> Result<(), Error> {
    let list = into.join(".members");
    fs::write(&list, members.join("\n") + "\n")?;
    let status = Command::new("sh")
        .args([
            "-c",
            "dpkg-deb --fsys-tarfile \"$1\" | tar -x -C \"$2\" -T \"$3\"",
            "sh",
        ])
        .arg(deb)
        .arg(into)
        .arg(&list)
        .status()?;
    fs::remove_file(&list)?;
    if !status.success() {
        return Err(format!("cannot extract from {}", deb.display()).into());
    }
    Ok(())
}

/// The `(name, candidate)` pairs of `apt-cache policy` output.
fn candidates(policy: &str) -> Vec<Package> {
    let mut found = Vec::new();
    let mut name: Option<&str> = None;
    for line in policy.lines() {
        if !line.starts_with(' ') {
            name = line.strip_suffix(':');
        } else if let (Some(n), Some(v)) = (name, line.trim().strip_prefix("Candidate: "))
            && v != "(none)"
        {
            found.push(Package {
                name: n.to_owned(),
                version: v.to_owned(),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_candidates() {
        let policy = "linux-image-6.1.0-50-amd64-unsigned:\n  Installed: (none)\n  \
                      Candidate: 6.1.176-1\n  Version table:\n     6.1.176-1 500\n\
                      linux-image-6.1.0-48-amd64-unsigned:\n  Installed: (none)\n  \
                      Candidate: (none)\n";
        let c = candidates(policy);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].name, "linux-image-6.1.0-50-amd64-unsigned");
        assert_eq!(c[0].version, "6.1.176-1");
    }

    #[test]
    fn both_layouts() {
        let p = Package {
            name: "linux-binary-unsigned-7.3-amd64".into(),
            version: "7.3~rc7-1~exp1".into(),
        };
        assert_eq!(p.modules_package().unwrap().name, "linux-modules-7.3-amd64");
        assert_eq!(
            image_release(
                "./usr/lib/modules/7.3-amd64/vmlinuz.unsigned",
                "/vmlinuz.unsigned"
            ),
            Some("7.3-amd64")
        );
        assert!(is_guest_module_tree(
            "./usr/lib/modules/7.3-amd64/kernel/fs/overlayfs/overlay.ko.xz"
        ));
        assert!(is_guest_module_tree(
            "./lib/modules/6.1.0-50-amd64/kernel/fs/overlayfs/overlay.ko"
        ));
        assert!(!is_guest_module_tree(
            "./lib/modules/6.1.0-50-amd64/kernel/drivers/x.ko"
        ));
        let old = Package {
            name: "linux-image-6.1.0-50-amd64-unsigned".into(),
            version: "6.1.176-1".into(),
        };
        assert!(old.modules_package().is_none());
    }
}
