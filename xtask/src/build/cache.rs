//! Where builds are cached, and the keys that name them.

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// `${XDG_CACHE_HOME:-$HOME/.cache}/landlock-test`.
pub struct Cache {
    root: PathBuf,
}

impl Cache {
    pub fn new() -> Result<Self, String> {
        let base = match std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|home| PathBuf::from(home).join(".cache"))
                .ok_or("neither XDG_CACHE_HOME nor HOME is set: no place for the kernel cache")?,
        };
        Ok(Self {
            root: base.join("landlock-test"),
        })
    }

    pub fn kernels(&self) -> PathBuf {
        self.root.join("kernels")
    }

    pub fn trees(&self) -> PathBuf {
        self.root.join("trees")
    }

    pub fn apt(&self) -> PathBuf {
        self.root.join("apt")
    }

    pub fn debs(&self) -> PathBuf {
        self.root.join("debs")
    }
}

/// A patch file, read once: its contents make the key and are what gets applied.
pub struct Patch {
    /// `<directory name>/<file name>`, for messages and the manifest.
    pub name: String,
    pub contents: Vec<u8>,
}

/// The `*.patch` files of each directory, directories in the order given, files in name order.
pub fn patch_files(dirs: &[PathBuf]) -> Result<Vec<Patch>, String> {
    let mut patches = Vec::new();
    for dir in dirs {
        let entries = fs::read_dir(dir)
            .map_err(|e| format!("reading the patch directory {}: {e}", dir.display()))?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "patch"))
            .collect();
        if files.is_empty() {
            return Err(format!("no *.patch file in {}", dir.display()));
        }
        files.sort();
        let dir_name = file_name(dir);
        for file in files {
            let contents =
                fs::read(&file).map_err(|e| format!("reading {}: {e}", file.display()))?;
            patches.push(Patch {
                name: format!("{dir_name}/{}", file_name(&file)),
                contents,
            });
        }
    }
    Ok(patches)
}

fn file_name(path: &Path) -> String {
    path.canonicalize()
        .unwrap_or_else(|_| path.to_path_buf())
        .file_name()
        .map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
}

/// Names a built kernel: what goes into the image and nothing else (patch file names only
/// order them; their contents count).
pub fn kernel_key(source_id: &str, patches: &[Patch], fragment: &str) -> String {
    let mut hash = Sha256::new();
    field(&mut hash, b"bzImage x86_64 allnoconfig");
    field(&mut hash, source_id.as_bytes());
    for patch in patches {
        field(&mut hash, &patch.contents);
    }
    field(&mut hash, fragment.as_bytes());
    hex16(&hash.finalize())
}

/// Names a working tree: one per source and fragment, whatever the patches.
pub fn tree_key(source_id: &str, fragment: &str) -> String {
    let mut hash = Sha256::new();
    field(&mut hash, source_id.as_bytes());
    field(&mut hash, fragment.as_bytes());
    hex16(&hash.finalize())
}

/// Length-prefixed, so that no two different field lists hash the same bytes.
fn field(hash: &mut Sha256, bytes: &[u8]) {
    hash.update((bytes.len() as u64).to_le_bytes());
    hash.update(bytes);
}

fn hex16(digest: &[u8]) -> String {
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// What a cached kernel was built from, for people.
pub fn manifest(source_id: &str, patches: &[Patch], config: &Path, seconds: u64) -> String {
    let mut text = format!("source: {source_id}\nconfig: {}\n", config.display());
    for patch in patches {
        text.push_str(&format!("patch: {}\n", patch.name));
    }
    text.push_str(&format!("build seconds: {seconds}\n"));
    text
}

/// Fills `out` with the image, its config and manifest; the image is renamed in last, so that
/// its presence means a complete entry.
pub fn store(out: &Path, image: &Path, config: &Path, manifest: &str) -> Result<(), String> {
    let io = |what: &str, e: std::io::Error| format!("{what} in {}: {e}", out.display());
    fs::create_dir_all(out).map_err(|e| io("creating the cache entry", e))?;
    fs::copy(config, out.join("config")).map_err(|e| io("copying .config", e))?;
    fs::write(out.join("manifest"), manifest).map_err(|e| io("writing the manifest", e))?;
    let partial = out.join("bzImage.partial");
    fs::copy(image, &partial).map_err(|e| io("copying bzImage", e))?;
    fs::rename(&partial, out.join("bzImage")).map_err(|e| io("renaming bzImage", e))
}
