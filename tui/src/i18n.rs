//! zh-CN first, English with `--lang en`. Texts sit next to their use as `tr(lang, zh, en)`;
//! labels of API codes (roles, fields, states) are here, in one place.

use crate::api::types::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" | "zh-CN" | "zh_CN" => Some(Lang::Zh),
            "en" | "en-US" | "en_GB" | "en-GB" => Some(Lang::En),
            _ => None,
        }
    }
}

pub fn tr<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// A problem in the user's language, with the fields at fault.
pub fn problem(lang: Lang, p: &Problem) -> String {
    let mut s = tr(lang, &p.detail, &p.detail_en).to_owned();
    for e in &p.errors {
        s.push('；');
        s.push_str(tr(lang, &e.message, &e.message_en));
    }
    if let Some(id) = &p.request_id {
        s.push_str(&format!(" [{id}]"));
    }
    s
}

/// County roles a county admin can give (platform roles are not county roles).
pub const COUNTY_ROLES: &[&str] = &[
    "county_admin",
    "association_committee",
    "branch_staff",
    "aic_recorder",
    "township_committee",
    "village_recorder",
];

pub const PERSONAL_FIELDS: &[&str] = &["id_number", "phone", "home_address", "qq_number"];

pub const EXPOSURES: &[&str] = &["masked", "on_request", "visible"];

pub fn label(lang: Lang, code: &str) -> String {
    let (zh, en) = match code {
        "platform_operator" => ("平台运维", "Platform operator"),
        "provincial_office" => ("省局", "Provincial office"),
        "county_admin" => ("县级管理员", "County admin"),
        "association_committee" => ("协会党委", "Association committee"),
        "branch_staff" => ("分会支部", "Branch staff"),
        "aic_recorder" => ("工商所记录员", "AIC recorder"),
        "township_committee" => ("乡镇党委", "Township committee"),
        "village_recorder" => ("村社区记录员", "Village recorder"),
        "id_number" => ("身份证号", "ID number"),
        "phone" => ("手机号", "Phone"),
        "home_address" => ("家庭住址", "Home address"),
        "qq_number" => ("QQ号", "QQ number"),
        "masked" => ("脱敏", "masked"),
        "on_request" => ("申请查看", "on request"),
        "visible" => ("明文", "visible"),
        "active" => ("正常", "active"),
        "suspended" => ("已停用", "suspended"),
        "disabled" => ("已锁定", "locked"),
        "pending" => ("待审批", "pending"),
        "approved" => ("已批准", "approved"),
        "denied" => ("已拒绝", "denied"),
        "downloaded" => ("已下载", "downloaded"),
        "due" => ("待办", "due"),
        "overdue" => ("逾期", "overdue"),
        "done" => ("已完成", "done"),
        "all" => ("全部", "all"),
        "township_organiser" => ("乡镇联络员", "Township organiser"),
        "village_organiser" => ("村联络员", "Village organiser"),
        "administrator" => ("群管理员", "Administrator"),
        "member" => ("成员", "Member"),
        "not_joined" => ("未入群", "not joined"),
        "joined_late" => ("逾期入群", "joined late"),
        "open" => ("未办结", "open"),
        "taken" => ("已受理", "taken"),
        "escalated" => ("已转办", "escalated"),
        "extended" => ("延期", "extended"),
        "handed_over" => ("移交", "handed over"),
        "answered" => ("已答复", "answered"),
        "followed_up" => ("已回访", "followed up"),
        "archived" => ("已归档", "archived"),
        "consultation" => ("咨询", "consultation"),
        "rights" => ("维权", "rights"),
        "legal_aid" => ("法律援助", "legal aid"),
        "hardship" => ("困难帮扶", "hardship"),
        "other" => ("其他", "other"),
        "computed" => ("已生成", "computed"),
        "reviewed" => ("已审核", "reviewed"),
        "frozen" => ("已冻结", "frozen"),
        "paste" => ("粘贴", "paste"),
        "xlsx" => ("xlsx", "xlsx"),
        "csv" => ("CSV", "CSV"),
        other => return other.to_owned(),
    };
    tr(lang, zh, en).to_owned()
}
