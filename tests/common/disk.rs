//! A small disk for fault tests: a tmpfs mounted over a folder (which needs root), that a test
//! fills to the last byte and frees again. Without root the tests that need it say so and pass,
//! unless CLEARINGHOUSE_FAULT_TESTS=required (as `.ci/run` sets), when they fail.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct SmallDisk {
    path: PathBuf,
}

impl SmallDisk {
    /// Mounts a tmpfs of `megabytes` over `path` (created when missing); `None` when this
    /// process may not mount.
    pub fn mount(path: &Path, megabytes: u32) -> Option<SmallDisk> {
        std::fs::create_dir_all(path).unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(path)
            .status()
            .is_ok_and(|status| status.success());
        if mounted {
            return Some(SmallDisk {
                path: path.to_owned(),
            });
        }
        let required = std::env::var("CLEARINGHOUSE_FAULT_TESTS").is_ok_and(|v| v == "required");
        assert!(
            !required,
            "cannot mount a tmpfs (the full-disk tests need root)"
        );
        super::say_skipped(
            "cannot mount a tmpfs (the full-disk tests need root); passing without running",
        );
        None
    }

    fn filler(&self) -> PathBuf {
        self.path.join("filler")
    }

    /// Takes every free byte.
    pub fn fill(&self) {
        fill_with(&self.filler());
    }

    /// Gives the space back.
    pub fn free(&self) {
        std::fs::remove_file(self.filler()).unwrap();
    }
}

/// Writes `file` until its disk is full.
pub fn fill_with(file: &Path) {
    let mut file = std::fs::File::create(file).unwrap();
    let block = vec![0u8; 64 * 1024];
    while file.write_all(&block).is_ok() {}
    while file.write_all(&block[..1]).is_ok() {}
    let _ = file.sync_all();
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazily: a server that still holds files there may be stopping.
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}
