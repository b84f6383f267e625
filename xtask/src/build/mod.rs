//! `cargo xtask build-kernel`: a patched test kernel (an x86-64 `bzImage`) from a kernel source,
//! patch directories and a configuration fragment, cached outside the clone.
//!
//! Cache layout, under `${XDG_CACHE_HOME:-$HOME/.cache}/landlock-test/`:
//! - `apt/`, `debs/`: the private apt state that fetches Debian's `linux-source-*` (the host's
//!   apt sources are left alone);
//! - `trees/<tree key>/`: one working tree per source and fragment, where patch sets are
//!   swapped, so that a build with other patches recompiles only what they touch;
//! - `kernels/<key>/`: `bzImage`, its `config` and `manifest`, keyed by the source version, the
//!   patches' contents and the fragment: a second request for the same key costs nothing.

mod cache;
mod config;
mod make;
mod source;
mod tree;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

pub use source::Source;

/// What to build.
#[derive(Debug)]
pub struct KernelSpec {
    pub source: Source,
    /// Directories of `*.patch` files, applied in this order, each directory's in name order,
    /// with `patch -p1`.
    pub patch_dirs: Vec<PathBuf>,
    /// A Kconfig fragment applied on `make allnoconfig` (KCONFIG_ALLCONFIG).
    pub config: PathBuf,
}

/// The project's fragment for test kernels.
pub fn default_config() -> PathBuf {
    workspace_root().join("kernel/config/landlock-selftests.config")
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Builds the kernel of `spec`, or finds it in the cache; returns the `bzImage`'s path.
pub fn build_kernel(spec: &KernelSpec) -> Result<PathBuf, String> {
    let cache = cache::Cache::new()?;
    let source = spec.source.resolve(&cache)?;
    let patches = cache::patch_files(&spec.patch_dirs)?;
    let fragment = std::fs::read_to_string(&spec.config)
        .map_err(|e| format!("reading the config fragment {}: {e}", spec.config.display()))?;
    let key = cache::kernel_key(&source.id, &patches, &fragment);
    let out = cache.kernels().join(&key);
    let image = out.join("bzImage");
    if image.is_file() {
        eprintln!("build-kernel: cached ({})", out.display());
        return Ok(image);
    }

    let tree_key = cache::tree_key(&source.id, &fragment);
    let tree = tree::Tree::lock(&cache.trees().join(tree_key))?;
    if !tree.is_extracted() {
        eprintln!(
            "build-kernel: unpacking {} into {}",
            source.id,
            tree.linux().display()
        );
        source.unpack(&tree.linux())?;
        tree.mark_extracted()?;
    }
    tree.swap_patches(&patches)?;
    config::apply(&tree.linux(), &spec.config, &fragment)?;

    let start = Instant::now();
    let log = tree.root().join("build.log");
    eprintln!(
        "build-kernel: building {} ({} patch(es)), log: {}",
        source.id,
        patches.len(),
        log.display()
    );
    make::run(&tree.linux(), &["bzImage"], &log)?;
    let seconds = start.elapsed().as_secs();
    eprintln!("build-kernel: built in {seconds} s");

    cache::store(
        &out,
        &tree.linux().join("arch/x86/boot/bzImage"),
        &tree.linux().join(".config"),
        &cache::manifest(&source.id, &patches, &spec.config, seconds),
    )?;
    Ok(image)
}

const USAGE: &str = "\
Usage: cargo xtask build-kernel [--source debian:PACKAGE | --source PATH] [--patches DIR]...
                                [--config FRAGMENT]

Builds an x86-64 bzImage (the patches of each DIR in name order with patch -p1, then make
allnoconfig with FRAGMENT) and prints its path. Cached by source version, patch contents and
fragment under ${XDG_CACHE_HOME:-$HOME/.cache}/landlock-test/kernels/.

  --source   debian:linux-source-7.2 (default: Debian's package, fetched with a private apt
             configuration) or a kernel tree (copied, never modified; keyed by its path and
             `make kernelversion`, not by its contents)
  --patches  a directory of *.patch files (repeatable, applied in the order given)
  --config   the Kconfig fragment (default: kernel/config/landlock-selftests.config)

Needs: make, gcc, flex, bison, bc, libelf-dev, libssl-dev, patch, tar, xz-utils (apt-get install
flex bison bc libelf-dev libssl-dev).";

/// The `build-kernel` command line.
pub fn main(args: impl Iterator<Item = String>) -> ExitCode {
    let spec = match parse(args) {
        Ok(Some(spec)) => spec,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("build-kernel: error: {message}");
            return ExitCode::from(2);
        }
    };
    match build_kernel(&spec) {
        Ok(image) => {
            println!("{}", image.display());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("build-kernel: error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The spec, or `None` for `--help`.
fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<KernelSpec>, String> {
    let mut spec = KernelSpec {
        source: Source::default(),
        patch_dirs: Vec::new(),
        config: default_config(),
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        match arg.as_str() {
            "--source" => spec.source = Source::parse(&value("--source")?),
            "--patches" => spec.patch_dirs.push(value("--patches")?.into()),
            "--config" => spec.config = value("--config")?.into(),
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
        }
    }
    Ok(Some(spec))
}
