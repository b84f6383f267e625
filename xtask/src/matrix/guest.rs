//! What every kernel shares once there is an image: the suites built on the host, the
//! initramfs (newc cpio, uncompressed: the kernel unpacks it as is), and the qemu boot.

use super::{Error, note};
use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The suites: cargo package and test binary. audit_tree and audit_test need root in the
/// initial namespace, as the guest's init is.
pub const SUITES: [(&str, &str); 10] = [
    ("base-tests", "base_test"),
    ("fs-tests", "fs_test"),
    ("net-tests", "net_test"),
    ("net-tests", "listen_test"),
    ("net-tests", "audit_tree"),
    ("ptrace-tests", "ptrace_test"),
    ("scoped-tests", "scoped_test"),
    ("scoped-tests", "scoped_signal_test"),
    ("scoped-tests", "scoped_abstract_unix_test"),
    ("audit-tests", "audit_test"),
];

/// Kernel modules the suites need, loaded in the guest when the kernel has them as modules
/// (nothing to do when built in). overlay: fs_test's layout2_overlay.
const GUEST_MODULES: [&str; 1] = ["overlay"];

const BUSYBOX: &str = "/bin/busybox";
const INIT: &str = include_str!("guest-init.sh");

/// The built suites, in the order of [`SUITES`], and the other executables of their crates
/// (helper binaries a test runs through `CARGO_BIN_EXE_*`): all go to the guest at their host
/// paths, so that the paths compiled into the tests hold.
pub struct Suites {
    pub tests: Vec<(String, PathBuf)>,
    pub helpers: Vec<PathBuf>,
}

pub fn build_suites(root: &Path, log_dir: &Path) -> Result<Suites, Error> {
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo
        .current_dir(root)
        .args(["test", "--no-run", "--message-format=json"]);
    if std::env::var_os("CI").is_some() {
        cargo.arg("--locked");
    }
    let mut packages: Vec<&str> = SUITES.iter().map(|(p, _)| *p).collect();
    packages.dedup();
    for package in &packages {
        cargo.args(["-p", package]);
    }
    note(&format!(
        "building the suites: cargo test --no-run -p {}",
        packages.join(" -p ")
    ));
    let log = log_dir.join("build.log");
    let out = cargo
        .stderr(fs::File::create(&log)?)
        .stdout(Stdio::piped())
        .output()?;
    if !out.status.success() {
        let text = fs::read_to_string(&log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(30).collect();
        eprintln!("{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
        return Err(format!("building the suites failed (log: {})", log.display()).into());
    }
    let mut tests = Vec::new();
    let mut helpers = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let Some(exe) = msg["executable"].as_str() else {
            continue;
        };
        let kind = msg["target"]["kind"][0].as_str().unwrap_or_default();
        let name = msg["target"]["name"].as_str().unwrap_or_default();
        if kind == "test" && SUITES.iter().any(|(_, t)| *t == name) {
            tests.push((name.to_owned(), PathBuf::from(exe)));
        } else if kind == "bin" {
            helpers.push(PathBuf::from(exe));
        }
    }
    tests.sort_by_key(|(name, _)| SUITES.iter().position(|(_, t)| t == name));
    for (_, test) in SUITES {
        if !tests.iter().any(|(name, _)| name == test) {
            return Err(format!("cargo built no test binary named {test}").into());
        }
    }
    Ok(Suites { tests, helpers })
}

/// A newc cpio archive being written.
struct Cpio {
    out: Vec<u8>,
    ino: u32,
    dirs: HashSet<PathBuf>,
}

impl Cpio {
    fn new() -> Cpio {
        Cpio {
            out: Vec::new(),
            ino: 1,
            dirs: HashSet::new(),
        }
    }

    fn entry(&mut self, name: &str, mode: u32, data: &[u8]) {
        let name = name.trim_start_matches('/');
        let fields = [
            self.ino,
            mode,
            0,
            0,
            1,
            0,
            data.len() as u32,
            0,
            0,
            0,
            0,
            name.len() as u32 + 1,
            0,
        ];
        self.ino += 1;
        self.out.extend_from_slice(b"070701");
        for f in fields {
            self.out.extend_from_slice(format!("{f:08x}").as_bytes());
        }
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(0);
        self.pad();
        self.out.extend_from_slice(data);
        self.pad();
    }

    fn pad(&mut self) {
        while !self.out.len().is_multiple_of(4) {
            self.out.push(0);
        }
    }

    /// A directory and its parents, each once.
    fn dir(&mut self, path: &Path) {
        if path == Path::new("/") || path.as_os_str().is_empty() || self.dirs.contains(path) {
            return;
        }
        if let Some(parent) = path.parent() {
            self.dir(parent);
        }
        self.dirs.insert(path.to_owned());
        self.entry(&path.to_string_lossy(), 0o040755, &[]);
    }

    fn file(&mut self, path: &str, mode: u32, data: &[u8]) {
        if let Some(parent) = Path::new(path).parent() {
            self.dir(parent);
        }
        self.entry(path, 0o100000 | mode, data);
    }

    fn finish(mut self) -> Vec<u8> {
        self.entry("TRAILER!!!", 0, &[]);
        // The kernel reads initramfs archives in 512-byte blocks.
        while !self.out.len().is_multiple_of(512) {
            self.out.push(0);
        }
        self.out
    }
}

/// The initramfs part every kernel shares: busybox, the suites and their helpers with their
/// shared libraries, the init and its settings.
pub fn common_initramfs(
    suites: &Suites,
    threads: u32,
    suite_args: &str,
    work: &Path,
) -> Result<Vec<u8>, Error> {
    let mut cpio = Cpio::new();
    // /run: the audit cases' lock file (landlock_test_core::audit::LOCK_FILE).
    for dir in ["/proc", "/sys", "/dev", "/tmp", "/run", "/modules", "/bin"] {
        cpio.dir(Path::new(dir));
    }
    cpio.file("/init", 0o755, INIT.as_bytes());
    let busybox = fs::read(BUSYBOX).map_err(|e| {
        format!(
            "{BUSYBOX}: {e}: the guests' shell; install it with: apt-get install busybox-static"
        )
    })?;
    cpio.file(BUSYBOX, 0o755, &busybox);
    let list: String = suites
        .tests
        .iter()
        .map(|(name, path)| format!("{name} {}\n", path.display()))
        .collect();
    cpio.file("/suites", 0o644, list.as_bytes());
    cpio.file("/threads", 0o644, format!("{threads}\n").as_bytes());
    cpio.file("/suite-args", 0o644, format!("{suite_args}\n").as_bytes());
    let mut libs = BTreeSet::new();
    for exe in suites.tests.iter().map(|(_, p)| p).chain(&suites.helpers) {
        cpio.file(&exe.to_string_lossy(), 0o755, &stripped(exe, work)?);
        libs.extend(shared_libraries(exe)?);
    }
    for lib in libs {
        let data = fs::read(&lib).map_err(|e| format!("{}: {e}", lib.display()))?;
        cpio.file(&lib.to_string_lossy(), 0o755, &data);
    }
    Ok(cpio.finish())
}

/// The binary without its debug information (a tenth of the size), through `work`.
fn stripped(exe: &Path, work: &Path) -> Result<Vec<u8>, Error> {
    let copy = work.join("stripped");
    let ok = Command::new("objcopy")
        .arg("--strip-debug")
        .arg(exe)
        .arg(&copy)
        .status()
        .is_ok_and(|s| s.success());
    let data = fs::read(if ok { &copy } else { exe })?;
    let _ = fs::remove_file(&copy);
    Ok(data)
}

/// What `ldd` says the executable loads (the dynamic loader included).
fn shared_libraries(exe: &Path) -> Result<Vec<PathBuf>, Error> {
    let out = Command::new("ldd").arg(exe).output()?;
    let mut libs = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let path = match words.as_slice() {
            [_, "=>", path, ..] if path.starts_with('/') => path,
            [path, ..] if path.starts_with('/') => path,
            _ => continue,
        };
        libs.push(PathBuf::from(path));
    }
    Ok(libs)
}

/// The per-kernel part: its modules (in load order) and the suites' environment.
pub fn kernel_initramfs(
    modules: Option<&Path>,
    env: &[(String, String)],
) -> Result<Vec<u8>, Error> {
    let mut cpio = Cpio::new();
    let mut order = String::new();
    if let Some(dir) = modules {
        for (name, data) in collect_modules(dir)? {
            cpio.file(&format!("/modules/{name}.ko"), 0o644, &data);
            order.push_str(&name);
            order.push('\n');
        }
    }
    cpio.file("/modules/order", 0o644, order.as_bytes());
    let env: String = env
        .iter()
        .map(|(k, v)| format!("export {k}='{}'\n", v.replace('\'', "'\\''")))
        .collect();
    cpio.file("/env", 0o644, env.as_bytes());
    Ok(cpio.finish())
}

/// [`GUEST_MODULES`] and what they depend on, found anywhere under `dir` (as `.ko`, `.ko.xz`,
/// `.ko.zst` or `.ko.gz`), uncompressed, dependencies first. A module that is not there is
/// taken to be built in.
fn collect_modules(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    let find = |name: &str| {
        files.iter().find(|p| {
            p.file_name()
                .and_then(|f| f.to_str())
                .and_then(|f| f.split_once(".ko"))
                .is_some_and(|(stem, _)| stem.replace('-', "_") == name)
        })
    };
    let mut loaded = Vec::new();
    let mut seen = HashSet::new();
    let mut queue: Vec<String> = GUEST_MODULES.iter().map(|m| m.replace('-', "_")).collect();
    while let Some(name) = queue.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let Some(path) = find(&name) else {
            continue;
        };
        let data = decompress(path)?;
        queue.extend(depends(&data));
        loaded.push((name, data));
    }
    // Found after their users: load in reverse.
    loaded.reverse();
    Ok(loaded)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), Error> {
    for entry in fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

fn decompress(path: &Path) -> Result<Vec<u8>, Error> {
    let name = path.to_string_lossy();
    let tool = match () {
        _ if name.ends_with(".xz") => "xz",
        _ if name.ends_with(".zst") => "zstd",
        _ if name.ends_with(".gz") => "gzip",
        _ => return Ok(fs::read(path)?),
    };
    let out = Command::new(tool).arg("-dc").arg(path).output()?;
    if !out.status.success() {
        return Err(format!("{tool} -dc {name} failed").into());
    }
    Ok(out.stdout)
}

/// The `depends=` field of a module's `.modinfo`.
fn depends(module: &[u8]) -> Vec<String> {
    module
        .split(|&b| b == 0)
        .find_map(|field| field.strip_prefix(b"depends="))
        .map(|list| {
            String::from_utf8_lossy(list)
                .split(',')
                .filter(|d| !d.is_empty())
                .map(|d| d.replace('-', "_"))
                .collect()
        })
        .unwrap_or_default()
}

/// How a guest ended.
pub struct Boot {
    pub seconds: f64,
    pub timed_out: bool,
    pub status: Option<i32>,
}

pub struct QemuSettings {
    pub timeout: Duration,
    pub memory_mib: u32,
    pub cpus: u32,
}

/// Boots `image` with `initramfs` under qemu (TCG: no KVM needed); the console goes to
/// `run/console.log`, the suites' output to `run/guest.log`.
pub fn boot(
    image: &Path,
    initramfs: &Path,
    cmdline: &str,
    run: &Path,
    settings: &QemuSettings,
) -> Result<Boot, Error> {
    let start = Instant::now();
    // One host thread for all vCPUs: with a thread per vCPU, TCG races the kernel's boot-time
    // code patching (int3 text pokes) and some kernels (7.3) oops at random during boot.
    let mut child = Command::new("qemu-system-x86_64")
        .args(["-accel", "tcg,thread=single", "-cpu", "max", "-smp"])
        .arg(settings.cpus.to_string())
        .arg("-m")
        .arg(settings.memory_mib.to_string())
        .args([
            "-nodefaults",
            "-display",
            "none",
            "-no-reboot",
            "-monitor",
            "none",
        ])
        .arg("-kernel")
        .arg(image)
        .arg("-initrd")
        .arg(initramfs)
        .arg("-append")
        .arg(cmdline)
        .arg("-serial")
        .arg(format!("file:{}", run.join("console.log").display()))
        .arg("-serial")
        .arg(format!("file:{}", run.join("guest.log").display()))
        .stdout(fs::File::create(run.join("qemu.log"))?)
        .stderr(fs::File::create(run.join("qemu.log"))?)
        .spawn()
        .map_err(|e| {
            format!("qemu-system-x86_64: {e}; install it with: apt-get install qemu-system-x86")
        })?;
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() > settings.timeout {
            timed_out = true;
            let _ = child.kill();
            break child.wait()?;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut log = fs::OpenOptions::new()
        .append(true)
        .open(run.join("qemu.log"))?;
    let _ = writeln!(log, "qemu: {status}");
    Ok(Boot {
        seconds: start.elapsed().as_secs_f64(),
        timed_out,
        status: status.code(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpio_entries_are_aligned_and_terminated() {
        let mut c = Cpio::new();
        c.file("/a/b", 0o644, b"hello");
        let out = c.finish();
        assert_eq!(out.len() % 512, 0);
        assert!(out.starts_with(b"070701"));
        let text = String::from_utf8_lossy(&out);
        // The parent directory comes first, then the file, then the trailer.
        let a = text.find("a\0").unwrap();
        let b = text.find("a/b\0").unwrap();
        assert!(a < b);
        assert!(text.contains("hello"));
        assert!(text.contains("TRAILER!!!"));
        // Every header starts on a 4-byte boundary.
        for (i, _) in text.match_indices("070701") {
            assert_eq!(i % 4, 0);
        }
    }

    #[test]
    fn reads_module_dependencies() {
        let modinfo = b"\0license=GPL\0depends=libcrc32c,crc-t10dif\0vermagic=6.1\0";
        assert_eq!(depends(modinfo), ["libcrc32c", "crc_t10dif"]);
        assert!(depends(b"\0depends=\0").is_empty());
    }
}
