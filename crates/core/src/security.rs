//! The master key for field encryption (used by the register's personal-data columns).
//! From `SHUANGLIAN_MASTER_KEY` (base64 of 32 bytes) or a key file; the demo generates a file
//! on first start and says so loudly. Never printed.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretBox};

use sha2::{Digest, Sha256};

use crate::config::SecuritySettings;

/// Hex SHA-256: how tokens, client addresses and user names are keyed in the store, never in
/// clear.
pub fn digest(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

pub struct MasterKey(SecretBox<[u8; 32]>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey([REDACTED])")
    }
}

impl MasterKey {
    pub fn from_b64(s: &str) -> anyhow::Result<Self> {
        let bytes = STANDARD
            .decode(s.trim())
            .map_err(|_| anyhow::anyhow!("master key is not valid base64"))?;
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| anyhow::anyhow!("master key must be exactly 32 bytes"))?;
        Ok(Self(SecretBox::new(Box::new(arr))))
    }

    pub fn generate() -> Self {
        let mut k = [0u8; 32];
        getrandom::fill(&mut k).expect("operating system random source");
        Self(SecretBox::new(Box::new(k)))
    }

    pub fn to_b64(&self) -> String {
        STANDARD.encode(self.0.expose_secret())
    }

    pub fn bytes(&self) -> &[u8; 32] {
        self.0.expose_secret()
    }

    /// Loads the key: environment/config value first, then the key file. With `generate_at`
    /// (demo), a missing key file is created with mode 0600.
    pub fn load(cfg: &SecuritySettings, generate_at: Option<&Path>) -> anyhow::Result<Self> {
        if let Some(k) = &cfg.master_key {
            return Self::from_b64(k.expose_secret());
        }
        let file = cfg.master_key_file.as_deref().or(generate_at);
        let Some(file) = file else {
            anyhow::bail!(
                "没有主密钥 / no master key: set SHUANGLIAN_MASTER_KEY (base64 of 32 bytes) or \
                 SHUANGLIAN_MASTER_KEY_FILE; `shuanglian serve --demo` generates one"
            );
        };
        if file.exists() {
            let text = std::fs::read_to_string(file)?;
            return Self::from_b64(&text);
        }
        if generate_at.is_none() {
            anyhow::bail!("master key file {} does not exist", file.display());
        }
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let key = Self::generate();
        write_private(file, &key.to_b64())?;
        tracing::warn!(
            path = %file.display(),
            "DEMO: generated a new master key file. Back it up: data encrypted with it cannot be read without it. \
             Production keys come from SHUANGLIAN_MASTER_KEY or a mounted secret."
        );
        Ok(key)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_load_generate_and_never_print() {
        let k = MasterKey::generate();
        let again = MasterKey::from_b64(&k.to_b64()).expect("round trip");
        assert_eq!(k.bytes(), again.bytes());
        assert!(!format!("{k:?}").contains(&k.to_b64()));
        assert!(MasterKey::from_b64("c2hvcnQ=").is_err());
        let dir = std::env::temp_dir().join(format!("sl-key-{}", uuid::Uuid::now_v7()));
        let path = dir.join("master.key");
        let cfg = SecuritySettings {
            master_key: None,
            master_key_file: None,
        };
        assert!(
            MasterKey::load(&cfg, None).is_err(),
            "no key and no demo: refuse"
        );
        let a = MasterKey::load(&cfg, Some(&path)).expect("generated");
        let b = MasterKey::load(&cfg, Some(&path)).expect("reloaded");
        assert_eq!(a.bytes(), b.bytes());
    }
}
