//! Printable documents (issue 5 item 7): the forms the seeds name (季报表, the two 反馈表, the
//! floating member feedback form, 函 and 回执) described once as a [`Document`] and rendered
//! as an xlsx workbook (rust_xlsxwriter) or as print-ready A4 HTML with Chinese fonts.
//!
//! A workflow builds the `Document` from its own records ("enter once"); this module knows
//! nothing about workflows. Endpoints serve the two renderings as `….xlsx` and `….html`.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use poem_openapi::ApiResponse;
use poem_openapi::payload::{Binary, Html};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use crate::error::AppError;
use crate::onboarding::xlsx::neutralise;

/// One printable form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// The form's title, e.g. 安吉县党员个体工商户和商品交易市场党员经营户情况季报表.
    pub title: String,
    /// The line under the title, e.g. （村［社区］党组织填写）.
    pub subtitle: Option<String>,
    /// Label–value pairs printed under the title (填报单位, 报送期间, 编号 …).
    pub meta: Vec<(String, String)>,
    pub blocks: Vec<Block>,
    /// Signature and seal lines at the foot (填报人、审核人、（盖章）…), printed with space to sign.
    pub signatures: Vec<String>,
    /// Who generated it and when; printed small at the bottom.
    pub stamp: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A two-column form: label, value.
    Fields(Vec<(String, String)>),
    /// A table with headers.
    Table {
        caption: Option<String>,
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// Running text (a letter's body, an evaluation), paragraphs split on blank lines.
    Text {
        heading: Option<String>,
        text: String,
    },
}

/// An xlsx rendering.
#[derive(ApiResponse)]
pub enum XlsxDocument {
    #[oai(
        status = 200,
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )]
    Ok(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
        #[oai(header = "Cache-Control")] String,
    ),
}

/// A print-ready HTML rendering.
#[derive(ApiResponse)]
pub enum HtmlDocument {
    #[oai(status = 200)]
    Ok(Html<String>, #[oai(header = "Cache-Control")] String),
}

/// The bytes a `filename*` keeps as they are: letters, digits and `-_.`, a subset of RFC 5987's
/// attr-char; every other byte (all of a Chinese name's UTF-8) becomes `%XX`.
const FILENAME: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');

/// `Content-Disposition` for a download named `name` (RFC 6266 / 5987: ASCII fallback and the
/// UTF-8 name).
pub fn attachment(name: &str, fallback: &str) -> String {
    let encoded = utf8_percent_encode(name, FILENAME);
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// Several documents printed one after another, each from a new page (a batch of letters).
pub fn pages_html(title: &str, docs: &[Document]) -> String {
    let mut h = String::with_capacity(4096 * docs.len().max(1));
    h.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str(&format!("<title>{}</title>\n", esc(title)));
    h.push_str(STYLE);
    h.push_str("</head>\n<body>\n");
    for d in docs {
        d.page_html(&mut h);
    }
    h.push_str("</body>\n</html>\n");
    h
}

/// [`pages_html`] as a response.
pub fn pages_response(title: &str, docs: &[Document]) -> HtmlDocument {
    HtmlDocument::Ok(Html(pages_html(title, docs)), "no-store".to_owned())
}

impl Document {
    /// The xlsx response, downloaded as `<title>.xlsx`.
    pub fn xlsx_response(&self) -> Result<XlsxDocument, AppError> {
        Ok(XlsxDocument::Ok(
            Binary(self.to_xlsx()?),
            attachment(&format!("{}.xlsx", self.title), "document.xlsx"),
            "no-store".to_owned(),
        ))
    }

    pub fn html_response(&self) -> HtmlDocument {
        HtmlDocument::Ok(Html(self.to_html()), "no-store".to_owned())
    }

    /// Print-ready HTML: A4, Song-style Chinese fonts, bordered tables, signature space.
    pub fn to_html(&self) -> String {
        pages_html(&self.title, std::slice::from_ref(self))
    }

    /// The document as one printed page (`<main class="page">`).
    fn page_html(&self, h: &mut String) {
        h.push_str("<main class=\"page\">\n");
        h.push_str(&format!("<h1>{}</h1>\n", esc(&self.title)));
        if let Some(s) = &self.subtitle {
            h.push_str(&format!("<p class=\"subtitle\">{}</p>\n", esc(s)));
        }
        if !self.meta.is_empty() {
            h.push_str("<p class=\"meta\">");
            for (k, v) in &self.meta {
                h.push_str(&format!("<span><b>{}：</b>{}</span>", esc(k), esc(v)));
            }
            h.push_str("</p>\n");
        }
        for block in &self.blocks {
            match block {
                Block::Fields(pairs) => {
                    h.push_str("<table class=\"fields\">\n");
                    for (k, v) in pairs {
                        h.push_str(&format!(
                            "<tr><th>{}</th><td>{}</td></tr>\n",
                            esc(k),
                            esc_lines(v)
                        ));
                    }
                    h.push_str("</table>\n");
                }
                Block::Table {
                    caption,
                    headers,
                    rows,
                } => {
                    h.push_str("<table class=\"grid\">\n");
                    if let Some(c) = caption {
                        h.push_str(&format!("<caption>{}</caption>\n", esc(c)));
                    }
                    h.push_str("<thead><tr>");
                    for head in headers {
                        h.push_str(&format!("<th>{}</th>", esc(head)));
                    }
                    h.push_str("</tr></thead>\n<tbody>\n");
                    if rows.is_empty() {
                        h.push_str(&format!(
                            "<tr><td colspan=\"{}\" class=\"empty\">（无）</td></tr>\n",
                            headers.len().max(1)
                        ));
                    }
                    for row in rows {
                        h.push_str("<tr>");
                        for cell in row {
                            h.push_str(&format!("<td>{}</td>", esc_lines(cell)));
                        }
                        h.push_str("</tr>\n");
                    }
                    h.push_str("</tbody>\n</table>\n");
                }
                Block::Text { heading, text } => {
                    if let Some(hd) = heading {
                        h.push_str(&format!("<h2>{}</h2>\n", esc(hd)));
                    }
                    for para in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
                        h.push_str(&format!(
                            "<p class=\"text\">{}</p>\n",
                            esc_lines(para.trim())
                        ));
                    }
                }
            }
        }
        if !self.signatures.is_empty() {
            h.push_str("<div class=\"signatures\">");
            for s in &self.signatures {
                h.push_str(&format!("<span>{}</span>", esc(s)));
            }
            h.push_str("</div>\n");
        }
        h.push_str(&format!("<footer>{}</footer>\n</main>\n", esc(&self.stamp)));
    }

    /// The same form as one worksheet, set up to print on A4.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, AppError> {
        let width = self
            .blocks
            .iter()
            .map(|b| match b {
                Block::Fields(_) | Block::Text { .. } => 2,
                Block::Table { headers, .. } => headers.len(),
            })
            .max()
            .unwrap_or(2)
            .max(2) as u16;
        let last = width - 1;
        let mut book = Workbook::new();
        let title = Format::new()
            .set_bold()
            .set_font_size(16)
            .set_align(FormatAlign::Center);
        let centred = Format::new().set_align(FormatAlign::Center);
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter);
        let head = cell.clone().set_bold().set_background_color("#F2F2F2");
        let wrap = Format::new().set_text_wrap();
        let small = Format::new().set_font_size(8);
        let ws = book.add_worksheet();
        ws.set_name(sheet_name(&self.title)).map_err(failed)?;
        ws.set_paper_size(9); // A4
        if width > 6 {
            ws.set_landscape();
        }
        ws.set_print_fit_to_pages(1, 0);
        for c in 0..width {
            ws.set_column_width(c, if width == 2 && c == 1 { 60 } else { 16 })
                .map_err(failed)?;
        }
        let mut r: u32 = 0;
        ws.merge_range(r, 0, r, last, &neutralise(&self.title), &title)
            .map_err(failed)?;
        ws.set_row_height(r, 30).map_err(failed)?;
        r += 1;
        if let Some(s) = &self.subtitle {
            ws.merge_range(r, 0, r, last, &neutralise(s), &centred)
                .map_err(failed)?;
            r += 1;
        }
        if !self.meta.is_empty() {
            let line: Vec<String> = self.meta.iter().map(|(k, v)| format!("{k}：{v}")).collect();
            ws.merge_range(r, 0, r, last, &neutralise(&line.join("    ")), &wrap)
                .map_err(failed)?;
            r += 1;
        }
        for block in &self.blocks {
            r += 1;
            match block {
                Block::Fields(pairs) => {
                    for (k, v) in pairs {
                        ws.write_string_with_format(r, 0, neutralise(k), &head)
                            .map_err(failed)?;
                        if last > 1 {
                            ws.merge_range(r, 1, r, last, &neutralise(v), &cell)
                                .map_err(failed)?;
                        } else {
                            ws.write_string_with_format(r, 1, neutralise(v), &cell)
                                .map_err(failed)?;
                        }
                        r += 1;
                    }
                }
                Block::Table {
                    caption,
                    headers,
                    rows,
                } => {
                    if let Some(c) = caption {
                        ws.merge_range(r, 0, r, last, &neutralise(c), &centred)
                            .map_err(failed)?;
                        r += 1;
                    }
                    for (c, hd) in headers.iter().enumerate() {
                        ws.write_string_with_format(r, c as u16, neutralise(hd), &head)
                            .map_err(failed)?;
                    }
                    r += 1;
                    for row in rows {
                        for (c, v) in row.iter().enumerate() {
                            ws.write_string_with_format(r, c as u16, neutralise(v), &cell)
                                .map_err(failed)?;
                        }
                        r += 1;
                    }
                }
                Block::Text { heading, text } => {
                    if let Some(hd) = heading {
                        ws.write_string_with_format(
                            r,
                            0,
                            neutralise(hd),
                            &Format::new().set_bold(),
                        )
                        .map_err(failed)?;
                        r += 1;
                    }
                    for para in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
                        ws.merge_range(r, 0, r, last, &neutralise(para.trim()), &wrap)
                            .map_err(failed)?;
                        let lines = para.chars().count() / 40 + 1;
                        ws.set_row_height(r, 15.0 * lines as f64).map_err(failed)?;
                        r += 1;
                    }
                }
            }
        }
        if !self.signatures.is_empty() {
            r += 2;
            ws.merge_range(
                r,
                0,
                r,
                last,
                &neutralise(&self.signatures.join("        ")),
                &wrap,
            )
            .map_err(failed)?;
            r += 1;
        }
        r += 1;
        ws.merge_range(r, 0, r, last, &neutralise(&self.stamp), &small)
            .map_err(failed)?;
        book.save_to_buffer().map_err(failed)
    }
}

fn failed(e: XlsxError) -> AppError {
    AppError::internal(anyhow::anyhow!("xlsx: {e}"))
}

/// A worksheet name: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(title: &str) -> String {
    let name: String = title
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    if name.is_empty() {
        "表".to_owned()
    } else {
        name
    }
}

/// Data as HTML text: `&<>"'` escaped.
fn esc(s: &str) -> Cow<'_, str> {
    html_escape::encode_quoted_attribute(s)
}

fn esc_lines(s: &str) -> String {
    esc(s).replace('\n', "<br>")
}

const STYLE: &str = r#"<style>
@page { size: A4; margin: 20mm 18mm; }
body { font-family: "SimSun", "宋体", "Songti SC", "Noto Serif CJK SC", "Source Han Serif SC", serif; font-size: 12pt; color: #000; margin: 0; }
.page { max-width: 174mm; margin: 0 auto; }
.page + .page { page-break-before: always; }
h1 { font-family: "SimHei", "黑体", "Heiti SC", "Noto Sans CJK SC", sans-serif; font-size: 18pt; text-align: center; margin: 0 0 4mm; }
h2 { font-size: 13pt; margin: 5mm 0 2mm; }
.subtitle { text-align: center; margin: 0 0 4mm; }
.meta { display: flex; flex-wrap: wrap; gap: 2mm 8mm; margin: 0 0 4mm; }
table { width: 100%; border-collapse: collapse; margin: 0 0 5mm; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #000; padding: 1.5mm 2mm; vertical-align: top; text-align: left; }
thead th, .fields th { background: #f2f2f2; font-weight: bold; }
.fields th { width: 30%; }
thead { display: table-header-group; }
caption { font-weight: bold; padding: 1mm; }
.empty { text-align: center; color: #555; }
.text { text-indent: 2em; line-height: 1.8; margin: 0 0 2mm; }
.signatures { display: flex; justify-content: space-between; flex-wrap: wrap; gap: 6mm; margin: 12mm 0 8mm; }
.signatures span { min-width: 50mm; }
footer { font-size: 8pt; color: #444; border-top: 1px solid #999; padding-top: 1mm; }
@media screen { body { background: #eee; } .page { background: #fff; padding: 20mm 18mm; margin: 5mm auto; box-shadow: 0 0 2mm #999; } }
</style>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Document {
        Document {
            title: "情况季报表".to_owned(),
            subtitle: Some("（村［社区］党组织填写）".to_owned()),
            meta: vec![("填报单位".to_owned(), "递铺街道<城东>社区".to_owned())],
            blocks: vec![
                Block::Fields(vec![("姓名".to_owned(), "王建国".to_owned())]),
                Block::Table {
                    caption: None,
                    headers: vec!["日期".to_owned(), "内容".to_owned(), "备注".to_owned()],
                    rows: vec![vec![
                        "2026-10-08".to_owned(),
                        "=HYPERLINK(\"x\")".to_owned(),
                        "志愿服务\n两次".to_owned(),
                    ]],
                },
                Block::Text {
                    heading: Some("评语".to_owned()),
                    text: "第一段。\n\n第二段。".to_owned(),
                },
            ],
            signatures: vec!["填报人：".to_owned(), "（盖章）".to_owned()],
            stamp: "生成：管理员 2026-11-26 10:00".to_owned(),
        }
    }

    #[test]
    fn attachment_names_are_percent_encoded_utf8() {
        assert_eq!(
            attachment("党员名单 (2026)~.xlsx", "export.xlsx"),
            "attachment; filename=\"export.xlsx\"; \
             filename*=UTF-8''%E5%85%9A%E5%91%98%E5%90%8D%E5%8D%95%20%282026%29%7E.xlsx"
        );
    }

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            esc(r#"<a href="x">Tom & Jerry's</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#x27;s&lt;/a&gt;"
        );
        assert!(
            matches!(esc("王建国"), Cow::Borrowed(_)),
            "nothing to escape, no copy"
        );
    }

    #[test]
    fn html_is_escaped_utf8_and_print_ready() {
        let h = sample().to_html();
        assert!(h.contains("<meta charset=\"utf-8\">"));
        assert!(h.contains("@page { size: A4"));
        assert!(
            h.contains("递铺街道&lt;城东&gt;社区"),
            "markup in data is escaped"
        );
        assert!(!h.contains("<城东>"));
        assert!(h.contains("志愿服务<br>两次"));
        assert_eq!(h.matches("<p class=\"text\">").count(), 2);
        assert!(h.contains("<h1>情况季报表</h1>"));
    }

    #[test]
    fn xlsx_holds_the_text_with_formulas_neutralised() {
        use crate::onboarding::sheet::{Cell, MEMBER_SHEET, rows};
        let bytes = sample().to_xlsx().unwrap();
        let (_, rows) = rows(&bytes, MEMBER_SHEET).unwrap();
        let text: Vec<String> = rows
            .iter()
            .flat_map(|(_, r)| r.iter())
            .filter_map(|c| match c {
                Cell::Text(s) => Some(s.clone()),
                _ => None,
            })
            .collect();
        assert!(text.iter().any(|s| s == "情况季报表"));
        assert!(text.iter().any(|s| s == "王建国"));
        assert!(text.iter().any(|s| s == "'=HYPERLINK(\"x\")"));
        assert!(text.iter().any(|s| s.contains("生成：管理员")));
    }

    #[test]
    fn sheet_names_are_legal() {
        assert_eq!(sheet_name("a/b[c]"), "abc");
        assert_eq!(sheet_name("").as_str(), "表");
        assert_eq!(sheet_name(&"长".repeat(40)).chars().count(), 31);
    }
}
