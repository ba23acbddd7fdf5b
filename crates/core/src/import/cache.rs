//! The last good copy of a URL source, on disk.
//!
//! A bot restarted while the publisher's server is down must still know the
//! programme, so every version that imported cleanly is kept: the body as
//! fetched, plus a small JSON sidecar with its validators so the first request
//! after a restart can be a cheap revalidation. Both files are written to a
//! temporary name and renamed, so a crash mid-write never leaves half a schedule.

use super::fetch::Validators;
use std::path::{Path, PathBuf};

/// Where the copy lives: `file` and `file.meta.json` beside it.
#[derive(Debug, Clone)]
pub(crate) struct Cache {
    body: PathBuf,
    meta: PathBuf,
}

impl Cache {
    pub fn new(file: &Path) -> Self {
        let mut meta = file.as_os_str().to_owned();
        meta.push(".meta.json");
        Self {
            body: file.to_owned(),
            meta: PathBuf::from(meta),
        }
    }

    /// The stored copy, if there is one that can be read.
    pub async fn load(&self) -> Option<(Vec<u8>, Validators)> {
        let bytes = match tokio::fs::read(&self.body).await {
            Ok(bytes) => bytes,
            Err(error) => {
                if error.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(file = %self.body.display(), %error, "cannot read the schedule cache");
                }
                return None;
            }
        };
        // Without readable validators the copy is still good; it just cannot be revalidated.
        let validators = match tokio::fs::read(&self.meta).await {
            Ok(meta) => serde_json::from_slice(&meta).unwrap_or_default(),
            Err(_) => Validators::default(),
        };
        Some((bytes, validators))
    }

    /// Replaces the stored copy.
    pub async fn store(&self, bytes: &[u8], validators: &Validators) -> std::io::Result<()> {
        if let Some(parent) = self.body.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent).await?;
        }
        let meta = serde_json::to_vec(validators).map_err(std::io::Error::other)?;
        // Body first: a crash in between leaves old validators on a new body, which
        // only costs one full download, never a 304 that keeps a stale body.
        write_atomically(&self.body, bytes).await?;
        write_atomically(&self.meta, &meta).await
    }
}

async fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    tokio::fs::write(&temporary, bytes).await?;
    tokio::fs::rename(&temporary, path).await
}
