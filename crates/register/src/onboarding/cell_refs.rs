//! Cell references in an xlsx's worksheets, checked before calamine reads them (see [`check`]).

use std::io::Read;

use crate::error::AppError;

/// Excel's last cell is XFD1048576: three letters, seven digits.
const MAX_LETTERS: usize = 3;
const MAX_DIGITS: usize = 7;

/// Every position calamine parses on the way to a cell (`<dimension ref>`, `<row r>`, `<c r>`)
/// is within Excel's grid. calamine adds these up in a `u32` without a bound
/// (tafia/calamine#709): a run of letters or digits long enough overflows, which panics in a
/// checked build and, in a release build, silently puts the cell somewhere else. No spreadsheet
/// program writes such a position, so the file is refused as damaged. Every XML part but the
/// shared strings (already counted) is read: calamine finds worksheets through relationships,
/// wherever in the archive they lie. The parts' sizes are already bounded.
pub(super) fn check(
    zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
    bad_xlsx: fn() -> AppError,
    bad_reference: fn() -> AppError,
) -> Result<(), AppError> {
    let parts: Vec<usize> = (0..zip.len())
        .filter(|&i| {
            zip.name_for_index(i)
                .and_then(Result::ok)
                .map(|n| n.to_ascii_lowercase())
                .is_some_and(|n| n.ends_with(".xml") && !n.ends_with("sharedstrings.xml"))
        })
        .collect();
    for i in parts {
        let part = zip.by_index(i).map_err(|_| bad_xlsx())?;
        if !part_positions_hold(part).map_err(|_| bad_xlsx())? {
            return Err(bad_reference());
        }
    }
    Ok(())
}

/// Whether every position in one part is inside the grid.
fn part_positions_hold(mut part: impl Read) -> std::io::Result<bool> {
    let mut scanner = Scanner::default();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = part.read(&mut buf)?;
        if n == 0 {
            return Ok(true);
        }
        if !scanner.feed(&buf[..n]) {
            return Ok(false);
        }
    }
}

/// A streaming scan of the tags' attributes, byte by byte across reads; text between tags is
/// skipped with memchr. It keeps no more than one name (16 bytes), so a part of any size is
/// read in constant memory. Markup declarations and processing instructions (`<!…>`, `<?…?>`)
/// are scanned like tags: a position written inside a comment is checked too, which can only
/// refuse a crafted file.
#[derive(Default)]
struct Scanner {
    state: State,
    name: Name,
}

/// Which attribute of the current element holds positions: `r` on `c` and `row`, `ref` on
/// `dimension`, none on anything else.
type Checked = Option<&'static [u8]>;

#[derive(Default, Clone, Copy)]
enum State {
    #[default]
    Text,
    TagName,
    Attributes(Checked),
    AttrName(Checked),
    /// After an attribute's name, before its opening quote; `wanted` when it holds positions.
    BeforeValue(Checked, bool),
    Value {
        checked: Checked,
        quote: u8,
        wanted: bool,
        letters: usize,
        digits: usize,
    },
}

/// A name as far as it matters: a longer one is never one of ours.
#[derive(Default)]
struct Name {
    bytes: [u8; 16],
    len: usize,
}

impl Name {
    fn push(&mut self, b: u8) {
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = b;
        }
        self.len = self.len.saturating_add(1);
    }

    /// The name after its namespace prefix, if it fitted; the name is cleared.
    fn take(&mut self) -> Option<&[u8]> {
        let len = std::mem::take(&mut self.len);
        self.bytes
            .get(..len)
            .and_then(|n| n.rsplit(|b| *b == b':').next())
    }

    /// For an element's name: which of its attributes holds positions.
    fn take_checked(&mut self) -> Checked {
        match self.take()? {
            b"c" | b"row" => Some(b"r"),
            b"dimension" => Some(b"ref"),
            _ => None,
        }
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

impl Scanner {
    /// The next bytes of the part; false as soon as a position is outside Excel's grid.
    fn feed(&mut self, chunk: &[u8]) -> bool {
        let mut i = 0;
        while i < chunk.len() {
            if let State::Text = self.state {
                let Some(at) = memchr::memchr(b'<', &chunk[i..]) else {
                    return true;
                };
                i += at + 1;
                self.state = State::TagName;
                continue;
            }
            let b = chunk[i];
            i += 1;
            self.state = match self.state {
                State::Text => State::Text,
                State::TagName if is_space(b) || b == b'/' || b == b'>' => {
                    let checked = self.name.take_checked();
                    if b == b'>' {
                        State::Text
                    } else {
                        State::Attributes(checked)
                    }
                }
                State::TagName => {
                    self.name.push(b);
                    State::TagName
                }
                State::Attributes(_) if b == b'>' => State::Text,
                // A value without a name (malformed): skipped, its quotes respected.
                State::Attributes(checked) if b == b'"' || b == b'\'' => State::Value {
                    checked,
                    quote: b,
                    wanted: false,
                    letters: 0,
                    digits: 0,
                },
                s @ State::Attributes(_) if is_space(b) || b == b'/' => s,
                State::Attributes(checked) => {
                    self.name.push(b);
                    State::AttrName(checked)
                }
                State::AttrName(checked) if b == b'=' || is_space(b) => {
                    let wanted = self.name.take().is_some_and(|n| Some(n) == checked);
                    State::BeforeValue(checked, wanted)
                }
                State::AttrName(_) if b == b'>' => {
                    self.name.take();
                    State::Text
                }
                s @ State::AttrName(_) => {
                    self.name.push(b);
                    s
                }
                State::BeforeValue(checked, wanted) if b == b'"' || b == b'\'' => State::Value {
                    checked,
                    quote: b,
                    wanted,
                    letters: 0,
                    digits: 0,
                },
                State::BeforeValue(..) if b == b'>' => State::Text,
                s @ State::BeforeValue(..) => s,
                State::Value { checked, quote, .. } if b == quote => State::Attributes(checked),
                s @ State::Value { wanted: false, .. } => s,
                State::Value {
                    checked,
                    quote,
                    wanted,
                    letters,
                    digits,
                } => {
                    let (letters, digits) = match b {
                        b'A'..=b'Z' | b'a'..=b'z' => (letters + 1, 0),
                        b'0'..=b'9' => (0, digits + 1),
                        _ => (0, 0),
                    };
                    if letters > MAX_LETTERS || digits > MAX_DIGITS {
                        return false;
                    }
                    State::Value {
                        checked,
                        quote,
                        wanted,
                        letters,
                        digits,
                    }
                }
            };
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn within_grid(reference: &[u8]) -> bool {
        let mut xml = b"<c r=\"".to_vec();
        xml.extend_from_slice(reference);
        xml.extend_from_slice(b"\"/>");
        part_positions_hold(&xml[..]).expect("read")
    }

    #[test]
    fn positions_past_excels_grid_are_out() {
        for ok in ["A1", "XFD1048576", "A1:XFD1048576", "c7", "", "A", "$A$1"] {
            assert!(within_grid(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "AAAA1",
            "A12345678",
            "A1:XFDA1",
            "ZZZZZZZZZZ1",
            "A99999999999",
        ] {
            assert!(!within_grid(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn only_the_positions_calamine_reads_are_checked() {
        let ok = br#"<worksheet><dimension ref="A1:B2"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData><hyperlinks><x:c r="B2"/></hyperlinks><t r="AAAAAAAAAA1">r="AAAAAAAAAA1"</t></worksheet>"#;
        assert!(part_positions_hold(&ok[..]).expect("xml"));
        for bad in [
            r#"<worksheet><dimension ref="A1:B99999999999"/></worksheet>"#,
            r#"<worksheet><sheetData><row r="99999999999"/></sheetData></worksheet>"#,
            r#"<x:worksheet><x:sheetData><x:row><x:c r="AAAAAAAAAA1"/></x:row></x:sheetData></x:worksheet>"#,
        ] {
            assert!(!part_positions_hold(bad.as_bytes()).expect("xml"), "{bad}");
        }
    }

    #[test]
    fn the_scanner_follows_tags_across_reads() {
        let xml = br#"<?xml version="1.0"?><x:worksheet a='>'><x:dimension ref="A1:C3" /><row r="1" spans="1:3"><c s="1" r="B1" t="s"><v>0</v></c><c r = 'C1'/></row><!-- <c r="A1"> --></x:worksheet>"#;
        let bad = String::from_utf8_lossy(xml).replace("'C1'", "'CCCC1'");
        for split in 0..xml.len() {
            let mut s = Scanner::default();
            assert!(
                s.feed(&xml[..split]) && s.feed(&xml[split..]),
                "split at {split}"
            );
            let mut s = Scanner::default();
            let (a, b) = bad.as_bytes().split_at(split.min(bad.len()));
            assert!(!(s.feed(a) && s.feed(b)), "bad, split at {split}");
        }
    }
}
