//! The three printable documents of the floating-member feedback (seed 001: "打印《个体工商户和
//! 商品交易市场流动党员双重管理反馈表》和《函》反馈给该党员组织关系所在党支部，并索回执归档"),
//! built only from what was recorded: the member's register entry, the case, its activities of
//! the year and the evaluation. No ID number or phone number is printed.

use chrono::{Datelike, NaiveDate};

use super::model::{ActivityKind, SendMethod};
use super::repo::{ActivityRow, CaseRow};
use crate::documents::{Block, Document};
use crate::enums::StrEnum;

pub const FEEDBACK_FORM_TITLE: &str = "个体工商户和商品交易市场流动党员双重管理反馈表";
pub const LETTER_TITLE: &str = "函";
pub const RECEIPT_TITLE: &str = "回执";

/// The member's facts the documents print, read from the register.
#[derive(Debug, Clone, Default)]
pub struct MemberFacts {
    pub name: String,
    pub gender: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub joined_party_on: Option<NaiveDate>,
    /// `full` / `probationary`
    pub membership_status: String,
    /// 户籍所在地 (division code)
    pub household_registration: Option<String>,
    pub business_name: String,
    pub market_name: Option<String>,
    /// 组织关系所在地党组织 (the home branch), as the register holds it.
    pub home_org_name: String,
}

/// Everything one rendering needs.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub case: &'a CaseRow,
    pub member: &'a MemberFacts,
    /// The responsible branch at the place of business (经营地党组织).
    pub branch_name: String,
    pub grid_name: Option<String>,
    /// The case year's activities, by date.
    pub activities: &'a [ActivityRow],
    /// Who printed it, and when (China date).
    pub printed_by: String,
    pub today: NaiveDate,
}

fn ymd(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn ym(d: NaiveDate) -> String {
    format!("{}年{}月", d.year(), d.month())
}

fn opt_ymd(d: Option<NaiveDate>) -> String {
    d.map(ymd).unwrap_or_default()
}

fn gender_zh(g: Option<&str>) -> &'static str {
    match g {
        Some("male") => "男",
        Some("female") => "女",
        _ => "",
    }
}

fn status_zh(s: &str) -> &'static str {
    if s == "probationary" {
        "预备党员"
    } else {
        "正式党员"
    }
}

/// A short reference printed on all three documents, so a returned receipt finds its case.
pub fn reference(case: &CaseRow) -> String {
    let tail: String = case.id.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    let tail = &tail[tail.len().saturating_sub(8)..];
    format!("流动反馈〔{}〕{}号", case.year, tail.to_uppercase())
}

fn stamp(ctx: &Context<'_>) -> String {
    format!(
        "双联平台根据登记记录生成 · {} · {} · 编号 {}",
        ctx.printed_by,
        ymd(ctx.today),
        reference(ctx.case)
    )
}

fn counts(activities: &[ActivityRow]) -> String {
    let parts: Vec<String> = ActivityKind::ALL
        .iter()
        .filter_map(|k| {
            let n = activities.iter().filter(|a| a.kind == k.as_str()).count();
            (n > 0).then(|| format!("{}{}次", k.label_zh(), n))
        })
        .collect();
    if parts.is_empty() {
        "无记录".to_owned()
    } else {
        parts.join("，")
    }
}

/// 《个体工商户和商品交易市场流动党员双重管理反馈表》
pub fn feedback_form(ctx: &Context<'_>) -> Document {
    let c = ctx.case;
    let m = ctx.member;
    let mut place = m.business_name.clone();
    if let Some(market) = &m.market_name {
        place = format!("{place}（{market}）");
    }
    let identity = match (&c.proof_reference, c.proof_date) {
        (Some(r), Some(d)) => format!("已确认（{}，证明日期{}）", r, ymd(d)),
        _ => "未确认".to_owned(),
    };
    let rows: Vec<Vec<String>> = ctx
        .activities
        .iter()
        .map(|a| {
            vec![
                ymd(a.held_on),
                ActivityKind::parse(&a.kind)
                    .map(|k| k.label_zh().to_owned())
                    .unwrap_or_default(),
                a.content.clone(),
            ]
        })
        .collect();
    Document {
        title: FEEDBACK_FORM_TITLE.to_owned(),
        subtitle: Some(format!("（{}年度）", c.year)),
        meta: vec![
            ("编号".to_owned(), reference(c)),
            ("填报单位".to_owned(), ctx.branch_name.clone()),
        ],
        blocks: vec![
            Block::Fields(vec![
                ("姓名".to_owned(), m.name.clone()),
                ("性别".to_owned(), gender_zh(m.gender.as_deref()).to_owned()),
                (
                    "出生年月".to_owned(),
                    m.birth_date.map(ym).unwrap_or_default(),
                ),
                (
                    "入党时间".to_owned(),
                    m.joined_party_on.map(ym).unwrap_or_default(),
                ),
                (
                    "党员类别".to_owned(),
                    status_zh(&m.membership_status).to_owned(),
                ),
                (
                    "户籍所在地".to_owned(),
                    m.household_registration.clone().unwrap_or_default(),
                ),
                ("组织关系所在地党组织".to_owned(), m.home_org_name.clone()),
                ("联系单位".to_owned(), c.home_contact_unit.clone()),
                ("经营单位（经营场所）".to_owned(), place),
                ("来本地经营时间".to_owned(), ymd(c.operating_since)),
                ("经营地党组织".to_owned(), ctx.branch_name.clone()),
                (
                    "所在网格".to_owned(),
                    ctx.grid_name.clone().unwrap_or_default(),
                ),
                ("党员身份确认".to_owned(), identity),
                (
                    "参加组织活动情况".to_owned(),
                    format!(
                        "{}年度共{}次：{}",
                        c.year,
                        ctx.activities.len(),
                        counts(ctx.activities)
                    ),
                ),
            ]),
            Block::Table {
                caption: Some("参加组织生活、培训、教育及组织活动情况".to_owned()),
                headers: vec!["日期".to_owned(), "类别".to_owned(), "内容".to_owned()],
                rows,
            },
            Block::Text {
                heading: Some("经营地党组织书记评语".to_owned()),
                text: c.evaluation.clone().unwrap_or_default(),
            },
        ],
        signatures: vec![
            format!(
                "支部书记（签名）：{}",
                c.secretary_name.clone().unwrap_or_default()
            ),
            format!("{}（盖章）", ctx.branch_name),
            format!("日期：{}", opt_ymd(c.evaluated_on)),
        ],
        stamp: stamp(ctx),
    }
}

/// 《函》 to the home branch: the covering letter of the feedback form.
pub fn letter(ctx: &Context<'_>) -> Document {
    let c = ctx.case;
    let m = ctx.member;
    let date = c.sent_on.unwrap_or(ctx.today);
    let body = format!(
        "{home}：\n\n\
         你支部党员{name}同志，自{since}起在我地从事个体经营（经营单位：{business}），其党组织关系仍在你支部。\
         根据“一方隶属、多重管理”的要求和流动党员管理双向互动反馈机制，我支部已将该同志纳入流动党员管理，\
         登记建档并经你支部证明确认其党员身份。\n\n\
         {year}年度，该同志在经营地参加组织生活、培训、教育及组织活动共{n}次（{counts}），\
         具体情况详见所附《{form}》。我支部书记对该同志的评语如下：\n\n\
         {evaluation}\n\n\
         现将该同志在经营地参加组织活动的情况函告你支部，以便你支部了解其党员活动情况。\
         请在收到本函后填写所附回执，寄回或送回我支部。\n\n\
         此致\n敬礼！",
        home = m.home_org_name,
        name = m.name,
        since = ymd(c.operating_since),
        business = m.business_name,
        year = c.year,
        n = ctx.activities.len(),
        counts = counts(ctx.activities),
        form = FEEDBACK_FORM_TITLE,
        evaluation = c.evaluation.clone().unwrap_or_default(),
    );
    Document {
        title: LETTER_TITLE.to_owned(),
        subtitle: Some(format!("关于{}同志在经营地参加组织活动情况的函", m.name)),
        meta: vec![
            ("编号".to_owned(), reference(c)),
            (
                "附件".to_owned(),
                format!("《{FEEDBACK_FORM_TITLE}》、回执"),
            ),
        ],
        blocks: vec![
            Block::Text {
                heading: None,
                text: body,
            },
            Block::Fields(vec![
                ("联系单位".to_owned(), ctx.branch_name.clone()),
                (
                    "寄送方式".to_owned(),
                    c.sent_method
                        .as_deref()
                        .and_then(SendMethod::parse)
                        .map(|s| s.label_zh().to_owned())
                        .unwrap_or_default(),
                ),
            ]),
        ],
        signatures: vec![format!("{}（盖章）", ctx.branch_name), ymd(date)],
        stamp: stamp(ctx),
    }
}

/// 回执: the part the home branch fills in, stamps and returns.
pub fn receipt_form(ctx: &Context<'_>) -> Document {
    let c = ctx.case;
    let m = ctx.member;
    let sent = c
        .sent_on
        .map(ymd)
        .unwrap_or_else(|| "    年  月  日".to_owned());
    Document {
        title: RECEIPT_TITLE.to_owned(),
        subtitle: Some("（由组织关系所在地党支部填写后寄回）".to_owned()),
        meta: vec![("编号".to_owned(), reference(c))],
        blocks: vec![
            Block::Text {
                heading: None,
                text: format!(
                    "{branch}：\n\n\
                     你单位于{sent}寄来的关于{name}同志{year}年度在经营地参加组织活动情况的《函》及《{form}》已收到。",
                    branch = ctx.branch_name,
                    sent = sent,
                    name = m.name,
                    year = c.year,
                    form = FEEDBACK_FORM_TITLE,
                ),
            },
            Block::Fields(vec![
                ("党员姓名".to_owned(), m.name.clone()),
                ("组织关系所在地党组织".to_owned(), m.home_org_name.clone()),
                ("收到日期".to_owned(), "    年  月  日".to_owned()),
                ("组织关系所在地党组织意见".to_owned(), "\n\n\n".to_owned()),
            ]),
        ],
        signatures: vec![
            "经办人（签名）：".to_owned(),
            format!("{}（盖章）", m.home_org_name),
            "    年  月  日".to_owned(),
        ],
        stamp: stamp(ctx),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn case() -> CaseRow {
        let now = chrono::Utc::now().naive_utc();
        CaseRow {
            tenant_id: "t".into(),
            id: "0193a0b2-7c1e-7d00-8000-00000000abcd".into(),
            member_id: "m".into(),
            year: 2026,
            branch_id: "b".into(),
            state: "sent".into(),
            home_contact_unit: "上饶市广丰区五都镇党委".into(),
            home_org_address: None,
            operating_since: d(2023, 3, 1),
            registered_on: d(2026, 2, 1),
            note: None,
            proof_reference: Some("五都党证〔2026〕3号".into()),
            proof_date: Some(d(2026, 2, 10)),
            confirmed_on: Some(d(2026, 2, 12)),
            evaluation: Some("该同志诚信经营，积极参加组织生活。".into()),
            secretary_name: Some("李红梅".into()),
            evaluated_on: Some(d(2026, 11, 2)),
            sent_on: Some(d(2026, 11, 5)),
            sent_method: Some("post".into()),
            sent_note: None,
            received_on: None,
            received_by: None,
            receipt_note: None,
            archived_on: None,
            archive_reference: None,
            registered_by: "u".into(),
            version: 4,
            created_at: now,
            updated_at: now,
        }
    }

    fn member() -> MemberFacts {
        MemberFacts {
            name: "张伟".into(),
            gender: Some("male".into()),
            birth_date: Some(d(1980, 5, 3)),
            joined_party_on: Some(d(2005, 7, 1)),
            membership_status: "full".into(),
            household_registration: Some("361123".into()),
            business_name: "张伟五金店".into(),
            market_name: Some("递铺农贸市场".into()),
            home_org_name: "五都镇西山村党支部".into(),
        }
    }

    #[test]
    fn the_three_documents_carry_the_recorded_facts() {
        let c = case();
        let m = member();
        let acts = vec![ActivityRow {
            tenant_id: "t".into(),
            id: "a".into(),
            case_id: c.id.clone(),
            held_on: d(2026, 7, 1),
            kind: "org_life".into(),
            content: "七一主题党日".into(),
            recorded_by: "u".into(),
            created_at: c.created_at,
        }];
        let ctx = Context {
            case: &c,
            member: &m,
            branch_name: "递铺分会第一支部".into(),
            grid_name: Some("递铺网格".into()),
            activities: &acts,
            printed_by: "王芳".into(),
            today: d(2026, 11, 26),
        };
        let form = feedback_form(&ctx).to_html();
        for s in [
            FEEDBACK_FORM_TITLE,
            "张伟",
            "五都镇西山村党支部",
            "七一主题党日",
            "组织生活1次",
            "该同志诚信经营",
            "支部书记（签名）：李红梅",
            "2023年3月1日",
            "流动反馈〔2026〕0000ABCD号",
        ] {
            assert!(form.contains(s), "form lacks {s}");
        }
        let l = letter(&ctx).to_html();
        assert!(l.contains("五都镇西山村党支部："));
        assert!(l.contains("关于张伟同志在经营地参加组织活动情况的函"));
        assert!(l.contains("2026年度，该同志在经营地参加组织生活、培训、教育及组织活动共1次"));
        assert!(l.contains("2026年11月5日"));
        let r = receipt_form(&ctx).to_html();
        assert!(r.contains("<h1>回执</h1>"));
        assert!(r.contains("递铺分会第一支部："));
        assert!(r.contains("你单位于2026年11月5日寄来的"));
        assert!(r.contains("五都镇西山村党支部（盖章）"));
    }
}
