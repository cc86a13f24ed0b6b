//! The printed 函 of a batch: one letter per page with its receipt (回执) to cut off and return,
//! and the batch as one xlsx table.

use chrono::NaiveDate;

use super::model::letter_no;
use super::repo::{BatchRow, LetterLine};
use crate::documents::{Block, Document};

/// What every letter of a batch shares.
pub struct Context<'a> {
    pub batch: &'a BatchRow,
    pub centre_name: &'a str,
    pub printed_by: &'a str,
    pub today: NaiveDate,
}

fn stamp(ctx: &Context<'_>) -> String {
    format!(
        "双联平台根据活动出勤、记实和名册生成 · {} · {}",
        ctx.printed_by, ctx.today
    )
}

/// One 函 with its 回执.
pub fn letter(ctx: &Context<'_>, (l, name, business): &LetterLine) -> Document {
    let year = ctx.batch.year;
    let no = letter_no(year, l.seq);
    let date = ctx.batch.sent_on.unwrap_or(ctx.today);
    let body = format!(
        "{recipient}：\n\n\
         {name}同志（经营单位：{business}）在我中心所在区域从事个体经营，其党组织关系在你处。\
         根据区域性党员服务中心工作制度，现将该同志{year}年度参加活动、依法经营和信用记录等情况函告如下：\n\n\
         一、参加活动情况。{activities}\n\n\
         二、依法经营情况。{operation}\n\n\
         三、信用记录。{credit}\n\n\
         请在收到本函后填写回执，寄回或送回我中心。\n\n此致\n敬礼！",
        recipient = l.recipient,
        activities = l.activities,
        operation = l.operation,
        credit = l.credit,
    );
    let receipt = format!(
        "{centre}：\n\n你中心关于{name}同志{year}年度参加活动和经营情况的函（编号{no}）已收到。\n\n\
         收函单位（盖章）：　　　　　　经办人：　　　　　　日期：",
        centre = ctx.centre_name,
    );
    Document {
        title: "函".to_owned(),
        subtitle: Some(format!("关于{name}同志{year}年度参加活动和经营情况的函")),
        meta: vec![("编号".to_owned(), no)],
        blocks: vec![
            Block::Text {
                heading: None,
                text: body,
            },
            Block::Text {
                heading: Some("回执".to_owned()),
                text: receipt,
            },
        ],
        signatures: vec![format!("{}（盖章）", ctx.centre_name), date.to_string()],
        stamp: stamp(ctx),
    }
}

/// The batch as one table (the xlsx kept with the letters sent).
pub fn register(ctx: &Context<'_>, lines: &[LetterLine], part: Option<(usize, usize)>) -> Document {
    let rows = lines
        .iter()
        .map(|(l, name, business)| {
            vec![
                letter_no(ctx.batch.year, l.seq),
                name.clone(),
                business.clone(),
                l.recipient.clone(),
                l.activities.clone(),
                l.operation.clone(),
                l.credit.clone(),
                l.received_on.map(|d| d.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    let mut meta = vec![
        ("年度".to_owned(), ctx.batch.year.to_string()),
        ("函件".to_owned(), format!("{}件", ctx.batch.letters)),
    ];
    if let Some((p, of)) = part {
        meta.push(("分册".to_owned(), format!("第{p}册，共{of}册")));
    }
    Document {
        title: format!(
            "{}{}年度党员情况函告登记表",
            ctx.centre_name, ctx.batch.year
        ),
        subtitle: None,
        meta,
        blocks: vec![Block::Table {
            caption: None,
            headers: [
                "编号",
                "党员",
                "经营单位",
                "组织关系所在党组织",
                "参加活动情况",
                "依法经营情况",
                "信用记录",
                "回执收回",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows,
        }],
        signatures: vec!["经办人：".to_owned(), "中心主任：".to_owned()],
        stamp: stamp(ctx),
    }
}
