//! The export file: JSON Lines, gzip-compressed, encrypted to the county's X25519 key in the
//! age format (age-encryption.org/v1), so the county opens it with the standard `age` tool:
//! `age -d -i county.key 330523.export.age | gunzip`.
//!
//! Lines: a [`Header`]; for each table a [`Section`] followed by its rows (JSON arrays in the
//! section's column order); an [`End`] with the totals. A reader refuses a file whose sections
//! or totals do not add up, so a cut-off file is never taken for a whole one.

use std::io::{BufRead, BufReader, Read, Write};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalog::Column;

/// A table's rows, each in its section's column order.
pub type Rows = Vec<Vec<Value>>;

pub const FORMAT: &str = "shuanglian-county-export";
pub const VERSION: u32 = 1;
/// Longest line a reader accepts (a row, or a header); longer is refused, not buffered.
pub const MAX_LINE: usize = 16 << 20;
/// Most a reader decompresses from one archive.
pub const MAX_BYTES: u64 = 16 << 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct County {
    pub id: String,
    pub code: String,
    pub name: String,
    pub province_code: String,
    pub status: String,
}

impl County {
    pub fn of(t: &shuanglian_register::tenancy::repo::TenantRow) -> Self {
        Self {
            id: t.id.clone(),
            code: t.code.clone(),
            name: t.name.clone(),
            province_code: t.province_code.clone(),
            status: t.status.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    pub county: County,
    pub exported_at: String,
    pub exported_by: String,
    pub source_backend: String,
    /// The county's blind-index key (base64): the blind indexes in the rows stay valid.
    pub index_key: String,
    /// The chain the county's audit log belongs to, and its last hash at export.
    pub audit_chain: String,
    pub audit_head: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Section {
    pub table: String,
    pub columns: Vec<Column>,
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct End {
    pub end: bool,
    pub tables: u64,
    pub rows: u64,
}

/// Why an archive cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("接收方公钥无效（应为 age1 开头的 age X25519 公钥）/ invalid recipient: {0}")]
    Recipient(String),
    #[error("身份密钥无效（应为 AGE-SECRET-KEY-1 开头的 age 私钥）/ invalid identity")]
    Identity,
    #[error("无法解密：文件不是用该县密钥加密的导出，或已损坏 / cannot decrypt: {0}")]
    Decrypt(String),
    #[error("导出文件格式错误（第 {line} 行）/ malformed export (line {line}): {why}")]
    Malformed { line: u64, why: String },
    #[error("读写失败 / I/O: {0}")]
    Io(#[from] std::io::Error),
}

pub fn parse_recipient(s: &str) -> Result<age::x25519::Recipient, ArchiveError> {
    age::x25519::Recipient::from_str(s.trim()).map_err(|e| ArchiveError::Recipient(e.to_string()))
}

/// The identity in an age key file (`age-keygen` output: comments and one secret key line).
pub fn parse_identity(file: &str) -> Result<age::x25519::Identity, ArchiveError> {
    file.lines()
        .map(str::trim)
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .and_then(|l| age::x25519::Identity::from_str(l).ok())
        .ok_or(ArchiveError::Identity)
}

/// A new county key pair: (identity file text, recipient).
pub fn keygen() -> (String, String) {
    use secrecy::ExposeSecret;
    let id = age::x25519::Identity::generate();
    let public = id.to_public().to_string();
    let file = format!(
        "# 双联县级导出密钥 / Shuanglian county export key (age X25519)\n# public key: {public}\n{}\n",
        id.to_string().expose_secret()
    );
    (file, public)
}

/// Writes lines into gzip inside age.
pub struct Writer<W: Write> {
    inner: flate2::write::GzEncoder<age::stream::StreamWriter<W>>,
    tables: u64,
    rows: u64,
}

impl<W: Write> Writer<W> {
    pub fn new(out: W, recipient: &age::x25519::Recipient) -> Result<Self, ArchiveError> {
        let enc =
            age::Encryptor::with_recipients(std::iter::once(recipient as &dyn age::Recipient))
                .map_err(|e| ArchiveError::Recipient(e.to_string()))?;
        let stream = enc.wrap_output(out)?;
        Ok(Self {
            inner: flate2::write::GzEncoder::new(stream, flate2::Compression::default()),
            tables: 0,
            rows: 0,
        })
    }

    fn line<T: Serialize>(&mut self, v: &T) -> Result<(), ArchiveError> {
        serde_json::to_writer(&mut self.inner, v).map_err(std::io::Error::from)?;
        self.inner.write_all(b"\n")?;
        Ok(())
    }

    pub fn header(&mut self, h: &Header) -> Result<(), ArchiveError> {
        self.line(h)
    }

    pub fn table(
        &mut self,
        table: &str,
        columns: &[Column],
        rows: &[Vec<Value>],
    ) -> Result<(), ArchiveError> {
        self.line(&Section {
            table: table.to_owned(),
            columns: columns.to_vec(),
            rows: rows.len() as u64,
        })?;
        for r in rows {
            self.line(r)?;
        }
        self.tables += 1;
        self.rows += rows.len() as u64;
        Ok(())
    }

    /// Writes the totals and closes the encryption; returns the underlying writer.
    pub fn finish(mut self) -> Result<W, ArchiveError> {
        let end = End {
            end: true,
            tables: self.tables,
            rows: self.rows,
        };
        self.line(&end)?;
        let stream = self.inner.finish()?;
        Ok(stream.finish()?)
    }
}

/// Reads an archive section by section.
pub struct Reader<'a> {
    lines: BufReader<std::io::Take<Box<dyn Read + Send + 'a>>>,
    line_no: u64,
    buf: Vec<u8>,
    tables: u64,
    rows: u64,
}

impl<'a> Reader<'a> {
    /// Opens the archive with the county's identity and reads its header.
    pub fn open<R: Read + Send + 'a>(
        input: R,
        identity: &age::x25519::Identity,
    ) -> Result<(Self, Header), ArchiveError> {
        let dec = age::Decryptor::new(input).map_err(|e| ArchiveError::Decrypt(e.to_string()))?;
        let stream = dec
            .decrypt(std::iter::once(identity as &dyn age::Identity))
            .map_err(|e| ArchiveError::Decrypt(e.to_string()))?;
        Self::start(Box::new(flate2::read::GzDecoder::new(stream)))
    }

    /// Reads the lines inside an archive, already decrypted and decompressed (what the county
    /// gets from `age -d … | gunzip`; the fuzz target feeds it directly).
    pub fn from_plain<R: Read + Send + 'a>(plain: R) -> Result<(Self, Header), ArchiveError> {
        Self::start(Box::new(plain))
    }

    fn start(inner: Box<dyn Read + Send + 'a>) -> Result<(Self, Header), ArchiveError> {
        let mut r = Self {
            lines: BufReader::new(inner.take(MAX_BYTES)),
            line_no: 0,
            buf: Vec::new(),
            tables: 0,
            rows: 0,
        };
        let header: Header = r.next_as()?;
        if header.format != FORMAT || header.version != VERSION {
            return Err(r.bad(format!(
                "not a {FORMAT} v{VERSION} file ({} v{})",
                header.format, header.version
            )));
        }
        Ok((r, header))
    }

    fn bad(&self, why: impl Into<String>) -> ArchiveError {
        ArchiveError::Malformed {
            line: self.line_no,
            why: why.into(),
        }
    }

    fn next_line(&mut self) -> Result<&[u8], ArchiveError> {
        self.buf.clear();
        self.line_no += 1;
        let n = (&mut self.lines)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput => {
                    ArchiveError::Decrypt(e.to_string())
                }
                _ => ArchiveError::Io(e),
            })?;
        if n == 0 {
            return Err(self.bad("the file ends early"));
        }
        if self.buf.len() > MAX_LINE {
            return Err(self.bad(format!("a line is longer than {MAX_LINE} bytes")));
        }
        Ok(&self.buf)
    }

    fn next_as<T: serde::de::DeserializeOwned>(&mut self) -> Result<T, ArchiveError> {
        let line = self.next_line()?.to_vec();
        serde_json::from_slice(&line).map_err(|e| self.bad(e.to_string()))
    }

    /// The next table and its rows, or None after the last (the totals then check out).
    pub fn next_table(&mut self) -> Result<Option<(Section, Rows)>, ArchiveError> {
        let line = self.next_line()?.to_vec();
        let v: Value = serde_json::from_slice(&line).map_err(|e| self.bad(e.to_string()))?;
        if v.get("end").is_some() {
            let end: End = serde_json::from_value(v).map_err(|e| self.bad(e.to_string()))?;
            if !end.end || end.tables != self.tables || end.rows != self.rows {
                return Err(self.bad(format!(
                    "the totals ({} tables, {} rows) do not match what was read ({}, {})",
                    end.tables, end.rows, self.tables, self.rows
                )));
            }
            return Ok(None);
        }
        let section: Section = serde_json::from_value(v).map_err(|e| self.bad(e.to_string()))?;
        let mut rows = Vec::new();
        for _ in 0..section.rows {
            let row: Value = self.next_as()?;
            match row {
                Value::Array(a) if a.len() == section.columns.len() => rows.push(a),
                _ => {
                    return Err(self.bad(format!(
                        "a row of {} is not an array of {} values",
                        section.table,
                        section.columns.len()
                    )));
                }
            }
        }
        self.tables += 1;
        self.rows += section.rows;
        Ok(Some((section, rows)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Kind;

    fn sample(recipient: &age::x25519::Recipient) -> Vec<u8> {
        let mut w = Writer::new(Vec::new(), recipient).expect("writer");
        w.header(&Header {
            format: FORMAT.into(),
            version: VERSION,
            county: County {
                id: "a".into(),
                code: "330523".into(),
                name: "安吉县".into(),
                province_code: "330000".into(),
                status: "active".into(),
            },
            exported_at: "2026-12-08T00:00:00".into(),
            exported_by: "cli".into(),
            source_backend: "sqlite".into(),
            index_key: String::new(),
            audit_chain: "a".into(),
            audit_head: String::new(),
        })
        .expect("header");
        let cols = vec![Column {
            name: "id".into(),
            kind: Kind::Text,
        }];
        w.table(
            "t",
            &cols,
            &[vec![Value::from("x")], vec![Value::from("y")]],
        )
        .expect("rows");
        w.finish().expect("finish")
    }

    #[test]
    fn an_archive_opens_only_with_the_county_key() {
        let (file, public) = keygen();
        let id = parse_identity(&file).expect("identity");
        let bytes = sample(&parse_recipient(&public).expect("recipient"));
        let (mut r, h) = Reader::open(&bytes[..], &id).expect("open");
        assert_eq!(h.county.code, "330523");
        let (s, rows) = r.next_table().expect("table").expect("one");
        assert_eq!((s.table.as_str(), rows.len()), ("t", 2));
        assert!(r.next_table().expect("end").is_none());

        let (other, _) = keygen();
        let other = parse_identity(&other).expect("identity");
        assert!(matches!(
            Reader::open(&bytes[..], &other),
            Err(ArchiveError::Decrypt(_))
        ));
        // Cut short: refused (age authenticates every chunk and the last one).
        let cut = &bytes[..bytes.len() - 20];
        let refused = match Reader::open(cut, &id) {
            Err(_) => true,
            Ok((mut r, _)) => loop {
                match r.next_table() {
                    Ok(Some(_)) => continue,
                    Ok(None) => break false,
                    Err(_) => break true,
                }
            },
        };
        assert!(refused);
    }

    #[test]
    fn keys_must_be_well_formed() {
        assert!(matches!(
            parse_recipient("age1nope"),
            Err(ArchiveError::Recipient(_))
        ));
        assert!(matches!(
            parse_identity("# nothing"),
            Err(ArchiveError::Identity)
        ));
    }

    proptest::proptest! {
        /// Whatever bytes arrive, opening them is an error or an archive, never a panic.
        #[test]
        fn any_bytes_open_without_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let (file, _) = keygen();
            let id = parse_identity(&file).expect("identity");
            if let Ok((mut r, _)) = Reader::open(&bytes[..], &id) {
                while let Ok(Some(_)) = r.next_table() {}
            }
        }
    }
}
