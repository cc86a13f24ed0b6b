//! Benchmark helper (bench/register): writes an N-row member import xlsx for the registration
//! form, or times parsing one (the floor an import cannot beat).
//!
//!   member_sheet write ROWS UNITS_FILE OUT.xlsx   # UNITS_FILE: one `township/village` a line
//!   member_sheet parse FILE.xlsx                   # prints calamine-only and reader times

use std::io::Write;
use std::time::Instant;

use calamine::{Reader, Xlsx};
use shuanglian::onboarding::columns::COLUMNS;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高",
];
const GIVEN: &[&str] = &[
    "建国", "秀英", "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
    "娟", "涛", "明", "超", "霞",
];

fn id_number(seq: usize) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    // Birth dates spread over 1960–1999; the sequence part makes each number unique.
    let year = 1960 + seq % 40;
    let month = 1 + (seq / 40) % 12;
    let day = 1 + (seq / 480) % 28;
    let body = format!("330523{year}{month:02}{day:02}{:03}", (seq / 13_440) % 1000);
    let sum: u32 = body
        .bytes()
        .zip(W)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    format!("{body}{}", C[(sum % 11) as usize])
}

fn write(rows: usize, units: &str, out: &str) -> anyhow::Result<()> {
    let units: Vec<String> = std::fs::read_to_string(units)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    anyhow::ensure!(!units.is_empty(), "no units");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, d) in COLUMNS.iter().enumerate() {
        ws.write_string(0, c as u16, d.header)?;
    }
    let col = |h: &str| COLUMNS.iter().position(|d| d.header == h).unwrap_or(0) as u16;
    for i in 0..rows {
        let r = i as u32 + 1;
        let name = format!(
            "{}{}",
            SURNAMES[i % SURNAMES.len()],
            GIVEN[(i / SURNAMES.len()) % GIVEN.len()]
        );
        let unit = &units[i % units.len()];
        ws.write_string(r, col("姓名"), &name)?;
        ws.write_string(r, col("身份证号"), id_number(i))?;
        ws.write_string(r, col("手机号码"), format!("13{:09}", 500_000_000 + i))?;
        ws.write_string(r, col("家庭住址"), format!("某街道{}号", i % 997))?;
        ws.write_string(r, col("户籍所在地"), "330523")?;
        ws.write_string(r, col("是否业主"), if i % 3 == 0 { "否" } else { "是" })?;
        ws.write_string(r, col("单位名称"), format!("{name}商店"))?;
        ws.write_string(r, col("组织生活所在辖区党组织"), unit)?;
        ws.write_string(
            r,
            col("组织关系所在地党组织"),
            if i % 5 == 0 {
                "江西省某县某村党支部"
            } else {
                unit
            },
        )?;
        ws.write_string(
            r,
            col("党员状态"),
            if i % 12 == 0 { "预备" } else { "正式" },
        )?;
        ws.write_string(r, col("分布情况"), "个体工商户")?;
        ws.write_string(
            r,
            col("经营状态"),
            ["经营", "经营", "经营", "停歇业", "注销"][i % 5],
        )?;
        // Joined at 18 to 24, after the birth year the ID number gives.
        ws.write_string(
            r,
            col("入党时间"),
            format!("{}-07-01", 1960 + i % 40 + 18 + i % 7),
        )?;
        ws.write_string(r, col("是否协会会员"), if i % 4 == 0 { "否" } else { "是" })?;
    }
    book.save(out)?;
    Ok(())
}

fn parse(file: &str) -> anyhow::Result<()> {
    let bytes = std::fs::read(file)?;
    let t = Instant::now();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| anyhow::anyhow!("no sheet"))??;
    let cells = range.cells().count();
    let calamine_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let (_, table) =
        shuanglian::onboarding::sheet::read(&bytes).map_err(|e| anyhow::anyhow!("{}", e.code))?;
    let reader_ms = t.elapsed().as_secs_f64() * 1000.0;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "rows={} cells={cells} calamine_ms={calamine_ms:.0} reader_ms={reader_ms:.0}",
        table.rows.len()
    )?;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("write") if args.len() == 5 => write(args[2].parse()?, &args[3], &args[4]),
        Some("parse") if args.len() == 3 => parse(&args[2]),
        _ => anyhow::bail!("usage: member_sheet write ROWS UNITS_FILE OUT.xlsx | parse FILE.xlsx"),
    }
}
