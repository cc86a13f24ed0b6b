//! The columns of the registration form (个体工商户党建信息登记表, SPEC §3) as they appear in
//! county spreadsheets: the Chinese header, the other labels counties write for it (the form's
//! own, the template's, and common variants), the field it fills, and the words allowed in it.
//! The import, the layout detection, the template and the export all read this one table.
//! A business register (经营主体名录: 统一社会信用代码, 名称, 类型, 所属市场, 所在乡镇, 业主) has
//! its own table here, [`BUSINESS_COLUMNS`], read by the same layout detection and mapping.

/// What a sheet holds: which column table its headers are read against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sheet {
    /// 党员: the registration form's columns ([`COLUMNS`]).
    Members,
    /// 经营主体: a business register ([`BUSINESS_COLUMNS`]).
    Businesses,
    /// 非公有制经济组织调查摸底表 (seed 004 attachment 1): one row per organisation of the
    /// businesses register ([`SURVEY_COLUMNS`]).
    CoverageSurvey,
}

impl Sheet {
    pub fn columns(self) -> &'static [ColDef] {
        match self {
            Sheet::Members => COLUMNS,
            Sheet::Businesses => BUSINESS_COLUMNS,
            Sheet::CoverageSurvey => SURVEY_COLUMNS,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Sheet::Members => "党员",
            Sheet::Businesses => "经营主体",
            Sheet::CoverageSurvey => "调查摸底表",
        }
    }
}

/// A column of the member sheet, or (`Biz…`) of a business register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Col {
    Name,
    Gender,
    IdNumber,
    Phone,
    HomeAddress,
    Household,
    IsOwner,
    BusinessName,
    RegistrationNo,
    OrgLifeUnit,
    MembershipOrg,
    MembershipStatus,
    Distribution,
    Market,
    BusinessStatus,
    AwaySince,
    JoinedParty,
    AssociationMember,
    BizCreditCode,
    BizName,
    BizKind,
    BizMarket,
    BizStallNo,
    BizTownship,
    BizAddress,
    BizIndustry,
    BizEmployees,
    BizStatus,
    BizOwnerName,
    BizOwnerIdNumber,
    BizOwnerPhone,
    SvCreditCode,
    SvName,
    SvEmployees,
    SvPartyFull,
    SvPartyProbationary,
    SvLeague,
    SvPartyOrg,
    SvLeagueOrg,
    SvInstructor,
    SvOwnerIdentity,
    SvManagement,
    SvActivities,
    SvVenue,
    SvSurveyedOn,
}

pub struct ColDef {
    pub col: Col,
    /// The header written in the template and the export.
    pub header: &'static str,
    /// Other headers county sheets use for the same column.
    pub aliases: &'static [&'static str],
    /// The API field it fills (error messages name both).
    pub field: &'static str,
    pub required: bool,
    /// The words allowed, for the template's drop-down and notes.
    pub choices: &'static [&'static str],
    pub note: &'static str,
}

pub const COLUMNS: &[ColDef] = &[
    ColDef {
        col: Col::Name,
        header: "姓名",
        aliases: &["党员姓名", "名字"],
        field: "name",
        required: true,
        choices: &[],
        note: "1到50个字",
    },
    ColDef {
        col: Col::Gender,
        header: "性别",
        aliases: &[],
        field: "gender",
        required: false,
        choices: &["男", "女"],
        note: "可不填，按身份证号推算",
    },
    ColDef {
        col: Col::IdNumber,
        header: "身份证号",
        aliases: &["身份证号码", "公民身份号码", "身份证", "身份证件号码"],
        field: "id_number",
        required: true,
        choices: &[],
        note: "18位，末位可为X；请设为文本格式，否则Excel会丢失末尾数字。重复导入时按身份证号匹配",
    },
    ColDef {
        col: Col::Phone,
        header: "手机号码",
        aliases: &["手机", "联系电话", "手机号", "联系方式", "电话", "电话号码"],
        field: "phone",
        required: false,
        choices: &[],
        note: "11位手机号",
    },
    ColDef {
        col: Col::HomeAddress,
        header: "家庭住址",
        aliases: &["住址", "家庭地址", "现住址"],
        field: "home_address",
        required: false,
        choices: &[],
        note: "最多200字",
    },
    ColDef {
        col: Col::Household,
        header: "户籍所在地",
        aliases: &["户籍地", "户籍", "户口所在地"],
        field: "household_registration",
        required: false,
        choices: &[],
        note: "县级行政区划代码（如 330523）或名称（如 安吉县、浙江省湖州市安吉县）",
    },
    ColDef {
        col: Col::IsOwner,
        header: "是否业主",
        aliases: &["是否个体工商户业主", "业主"],
        field: "is_owner",
        required: true,
        choices: &["是", "否"],
        note: "",
    },
    ColDef {
        col: Col::BusinessName,
        header: "单位名称",
        aliases: &["经营单位名称", "字号名称", "个体工商户名称", "字号"],
        field: "business_name",
        required: true,
        choices: &[],
        note: "1到100字",
    },
    ColDef {
        col: Col::RegistrationNo,
        header: "统一社会信用代码",
        aliases: &[
            "注册号",
            "统一社会信用代码或注册号",
            "营业执照号",
            "信用代码",
        ],
        field: "business_registration_no",
        required: false,
        choices: &[],
        note: "",
    },
    ColDef {
        col: Col::OrgLifeUnit,
        header: "组织生活所在辖区党组织",
        aliases: &["组织生活所在党组织", "参加组织生活党组织"],
        field: "org_life_unit_id",
        required: false,
        choices: &[],
        note: "本县组织名称；重名时写“上级/名称”，如 递铺街道/古城村",
    },
    ColDef {
        col: Col::MembershipOrg,
        header: "组织关系所在地党组织",
        aliases: &[
            "组织关系所在党组织",
            "组织关系所在地",
            "党组织关系所在地",
            "所在党组织",
        ],
        field: "membership_org_name",
        required: true,
        choices: &[],
        note: "本县组织写名称（同上）；县外组织写全称，按流动党员登记",
    },
    ColDef {
        col: Col::MembershipStatus,
        header: "党员状态",
        aliases: &["正式/预备", "党员类别", "党员身份"],
        field: "membership_status",
        required: true,
        choices: &["正式", "预备"],
        note: "",
    },
    ColDef {
        col: Col::Distribution,
        header: "分布情况",
        aliases: &["分布", "党员分布"],
        field: "distribution",
        required: true,
        choices: &["个体工商户", "市场内个体工商户"],
        note: "",
    },
    ColDef {
        col: Col::Market,
        header: "所在市场",
        aliases: &["市场名称"],
        field: "market_id",
        required: false,
        choices: &[],
        note: "市场内个体工商户必填，本县市场名称",
    },
    ColDef {
        col: Col::BusinessStatus,
        header: "经营状态",
        aliases: &["营业状态"],
        field: "business_status",
        required: false,
        choices: &["经营", "停歇业", "注销"],
        note: "不填为经营",
    },
    ColDef {
        col: Col::AwaySince,
        header: "外出经营时间",
        aliases: &["外出经营起始时间", "外出时间", "外出经营日期"],
        field: "away_since",
        required: false,
        choices: &[],
        note: "日期，如 2024-03-01",
    },
    ColDef {
        col: Col::JoinedParty,
        header: "入党时间",
        aliases: &["入党日期", "入党年月"],
        field: "joined_party_on",
        required: false,
        choices: &[],
        note: "日期，如 2005-07-01",
    },
    ColDef {
        col: Col::AssociationMember,
        header: "是否协会会员",
        aliases: &["是否个私协会会员", "是否会员"],
        field: "association_member",
        required: false,
        choices: &["是", "否"],
        note: "不填为否",
    },
];

/// The columns of the 调查摸底表 (seed 004 attachment 1): an organisation of the businesses
/// register, found by its credit code or its name, and what the survey counts about it.
pub const SURVEY_COLUMNS: &[ColDef] = &[
    ColDef {
        col: Col::SvCreditCode,
        header: "统一社会信用代码",
        aliases: &[
            "信用代码",
            "社会信用代码",
            "统一代码",
            "营业执照号",
            "注册号",
        ],
        field: "credit_code",
        required: false,
        choices: &[],
        note: "按此代码找到名录中的经营主体；不填时按名称查找（名称须唯一）",
    },
    ColDef {
        col: Col::SvName,
        header: "单位名称",
        aliases: &[
            "名称",
            "经营主体名称",
            "企业名称",
            "个体工商户名称",
            "字号",
            "商户名称",
            "非公有制经济组织名称",
        ],
        field: "name",
        required: true,
        choices: &[],
        note: "与经营主体名录中的名称一致",
    },
    ColDef {
        col: Col::SvEmployees,
        header: "员工人数",
        aliases: &["从业人数", "职工人数", "员工数"],
        field: "employees",
        required: true,
        choices: &[],
        note: "0到100000",
    },
    ColDef {
        col: Col::SvPartyFull,
        header: "正式党员人数",
        aliases: &["正式党员", "正式党员数", "党员人数"],
        field: "party_full",
        required: false,
        choices: &[],
        note: "不填按0",
    },
    ColDef {
        col: Col::SvPartyProbationary,
        header: "预备党员人数",
        aliases: &["预备党员", "预备党员数"],
        field: "party_probationary",
        required: false,
        choices: &[],
        note: "不填按0",
    },
    ColDef {
        col: Col::SvLeague,
        header: "团员人数",
        aliases: &["团员", "团员数", "共青团员人数"],
        field: "league_members",
        required: false,
        choices: &[],
        note: "不填按0",
    },
    ColDef {
        col: Col::SvPartyOrg,
        header: "党组织设置",
        aliases: &["党组织", "党组织建立情况", "党组织组建情况"],
        field: "party_org",
        required: false,
        choices: &["未建立", "单独组建", "联合组建", "挂靠组建", "行业组建"],
        note: "不填按未建立",
    },
    ColDef {
        col: Col::SvLeagueOrg,
        header: "团组织设置",
        aliases: &["团组织", "团组织建立情况", "团组织组建情况"],
        field: "league_org",
        required: false,
        choices: &["未建立", "单独组建", "联合组建", "挂靠组建", "行业组建"],
        note: "不填按未建立",
    },
    ColDef {
        col: Col::SvInstructor,
        header: "党建指导员",
        aliases: &["是否选派党建指导员", "已选派党建指导员"],
        field: "instructor",
        required: false,
        choices: &["是", "否"],
        note: "不填按否",
    },
    ColDef {
        col: Col::SvOwnerIdentity,
        header: "业主身份",
        aliases: &["业主政治面貌", "出资人身份"],
        field: "owner_identity",
        required: false,
        choices: &["党员", "团员", "群众"],
        note: "不填按群众",
    },
    ColDef {
        col: Col::SvManagement,
        header: "管理关系",
        aliases: &["隶属关系", "党组织隶属关系"],
        field: "management",
        required: false,
        choices: &[],
        note: "最多100字",
    },
    ColDef {
        col: Col::SvActivities,
        header: "开展活动",
        aliases: &["党团组织开展活动情况", "是否开展活动", "活动情况"],
        field: "activities",
        required: false,
        choices: &["是", "否"],
        note: "不填按否",
    },
    ColDef {
        col: Col::SvVenue,
        header: "活动场地",
        aliases: &["是否有活动场地", "活动场所"],
        field: "venue",
        required: false,
        choices: &["有", "无"],
        note: "不填按无",
    },
    ColDef {
        col: Col::SvSurveyedOn,
        header: "摸底日期",
        aliases: &["调查日期", "填表日期"],
        field: "surveyed_on",
        required: false,
        choices: &[],
        note: "不填按导入当天",
    },
];

/// The columns of a business register. Matched on 统一社会信用代码, so importing the same file
/// again changes nothing; a market stall without a code is matched on its market and stall.
pub const BUSINESS_COLUMNS: &[ColDef] = &[
    ColDef {
        col: Col::BizCreditCode,
        header: "统一社会信用代码",
        aliases: &[
            "信用代码",
            "社会信用代码",
            "统一代码",
            "统一社会信用代码或注册号",
            "营业执照号",
            "营业执照号码",
            "注册号",
        ],
        field: "credit_code",
        required: true,
        choices: &[],
        note: "18位（GB 32100），市场摊位可不填；重复导入时按此代码匹配",
    },
    ColDef {
        col: Col::BizName,
        header: "名称",
        aliases: &[
            "个体工商户名称",
            "字号",
            "字号名称",
            "企业名称",
            "单位名称",
            "经营主体名称",
            "市场主体名称",
            "主体名称",
            "经营单位名称",
            "商户名称",
        ],
        field: "name",
        required: true,
        choices: &[],
        note: "1到100字",
    },
    ColDef {
        col: Col::BizKind,
        header: "类型",
        aliases: &[
            "主体类型",
            "经营主体类型",
            "市场主体类型",
            "类别",
            "主体类别",
        ],
        field: "kind",
        required: false,
        choices: &["个体工商户", "小微企业", "市场摊位"],
        note: "不填时按信用代码推断（92开头为个体工商户，91开头为小微企业）",
    },
    ColDef {
        col: Col::BizMarket,
        header: "所属市场",
        aliases: &["所在市场", "市场名称", "市场"],
        field: "market_id",
        required: false,
        choices: &[],
        note: "本县市场名称；市场摊位必填",
    },
    ColDef {
        col: Col::BizStallNo,
        header: "摊位号",
        aliases: &["摊位", "摊位编号", "摊位号码"],
        field: "stall_no",
        required: false,
        choices: &[],
        note: "市场摊位必填，最多20字",
    },
    ColDef {
        col: Col::BizTownship,
        header: "所在乡镇",
        aliases: &[
            "所在乡镇街道",
            "所在乡镇/街道",
            "乡镇街道",
            "乡镇/街道",
            "乡镇",
            "所属乡镇",
            "所属乡镇街道",
            "所属街道",
            "所在街道",
        ],
        field: "township_id",
        required: false,
        choices: &[],
        note: "本县乡镇或街道名称",
    },
    ColDef {
        col: Col::BizAddress,
        header: "经营场所",
        aliases: &["经营地址", "经营场所地址", "地址", "住所"],
        field: "address",
        required: false,
        choices: &[],
        note: "最多200字",
    },
    ColDef {
        col: Col::BizIndustry,
        header: "行业",
        aliases: &["所属行业", "行业类别", "行业门类"],
        field: "industry",
        required: false,
        choices: &[],
        note: "最多40字",
    },
    ColDef {
        col: Col::BizEmployees,
        header: "从业人数",
        aliases: &["从业人员数", "从业人员", "员工人数", "雇工人数"],
        field: "employee_count",
        required: false,
        choices: &[],
        note: "0到1000000",
    },
    ColDef {
        col: Col::BizStatus,
        header: "经营状态",
        aliases: &["营业状态", "登记状态"],
        field: "status",
        required: false,
        choices: &["经营", "停歇业", "注销"],
        note: "不填为经营",
    },
    ColDef {
        col: Col::BizOwnerName,
        header: "业主姓名",
        aliases: &["业主", "经营者", "经营者姓名", "负责人", "法定代表人"],
        field: "owner_name",
        required: false,
        choices: &[],
        note: "业主是本县登记的党员时，与其关联",
    },
    ColDef {
        col: Col::BizOwnerIdNumber,
        header: "业主身份证号",
        aliases: &[
            "业主身份证号码",
            "经营者身份证号",
            "经营者身份证号码",
            "负责人身份证号码",
            "身份证号",
            "身份证号码",
        ],
        field: "owner_id_number",
        required: false,
        choices: &[],
        note: "用于找到党员名册中的业主，不单独保存",
    },
    ColDef {
        col: Col::BizOwnerPhone,
        header: "业主联系电话",
        aliases: &[
            "业主手机号码",
            "经营者联系电话",
            "联系电话",
            "手机号码",
            "联系方式",
        ],
        field: "owner_phone",
        required: false,
        choices: &[],
        note: "没有身份证号时，与业主姓名一起用于找到党员，不单独保存",
    },
];

/// A column's definition, in whichever table holds it.
pub fn def(c: Col) -> &'static ColDef {
    COLUMNS
        .iter()
        .chain(BUSINESS_COLUMNS)
        .chain(SURVEY_COLUMNS)
        .find(|d| d.col == c)
        .unwrap_or(&COLUMNS[0])
}

/// Normalises a header cell: spaces (including full-width ones), an asterisk marking a
/// required column and a trailing note in brackets are not part of the name.
fn normalise(h: &str) -> String {
    let h: String = super::normalise::compact(h)
        .chars()
        .filter(|c| !matches!(c, '*' | '★' | ':'))
        .collect();
    match h.find(['(', '（']) {
        Some(i) if i > 0 => h[..i].to_owned(),
        _ => h,
    }
}

/// A header as compared: without spaces, marks and a bracketed note.
pub fn header_key(h: &str) -> String {
    normalise(h)
}

/// The column a header cell names in a sheet of this kind, by its header or one of its aliases.
pub fn lookup(sheet: Sheet, header: &str) -> Option<Col> {
    let h = normalise(header);
    sheet
        .columns()
        .iter()
        .find(|d| d.header == h || d.aliases.contains(&h.as_str()))
        .map(|d| d.col)
}

/// The column a mapping names in a sheet of this kind: its API field (`id_number`) or its
/// template header (身份证号).
pub fn by_name(sheet: Sheet, name: &str) -> Option<Col> {
    sheet
        .columns()
        .iter()
        .find(|d| d.field == name || d.header == name)
        .map(|d| d.col)
}

/// Whether a mapping's target names a column of any sheet (a saved mapping serves one kind of
/// sheet; the import checks it against its own).
pub fn is_field(name: &str) -> bool {
    by_name(Sheet::Members, name).is_some() || by_name(Sheet::Businesses, name).is_some()
}

/// Required columns missing, and columns given twice, by header.
pub type HeaderProblems = (Vec<&'static str>, Vec<&'static str>);

/// Where each known column is in a header row. Unknown headers are ignored (county sheets
/// carry their own extra columns, e.g. 序号 or 备注).
/// `mapped` is a county's own mapping: `Some(Some(col))` for a header it maps, `Some(None)`
/// for one it ignores, `None` where the synonym table decides.
pub fn locate(
    sheet: Sheet,
    headers: &[String],
    mapped: &dyn Fn(&str) -> Option<Option<Col>>,
) -> Result<Vec<(Col, usize)>, HeaderProblems> {
    let mut found = Vec::new();
    let mut duplicated = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let col = mapped(h).unwrap_or_else(|| lookup(sheet, h));
        if let Some(d) = col.map(def) {
            if found.iter().any(|(c, _)| *c == d.col) {
                duplicated.push(d.header);
            } else {
                found.push((d.col, i));
            }
        }
    }
    let missing: Vec<&'static str> = sheet
        .columns()
        .iter()
        .filter(|d| d.required && !found.iter().any(|(c, _)| *c == d.col))
        .map(|d| d.header)
        .collect();
    if missing.is_empty() && duplicated.is_empty() {
        Ok(found)
    } else {
        Err((missing, duplicated))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn headers_with_marks_aliases_and_extra_columns() {
        let all: Vec<&str> = COLUMNS.iter().map(|d| d.header).collect();
        let mut h = headers(&all);
        h.insert(0, "序号".into());
        h[1] = "*姓 名".into();
        h[3] = "身份证号码（18位）".into();
        let found = locate(Sheet::Members, &h, &|_| None).expect("all found");
        assert_eq!(found.len(), COLUMNS.len());
        assert!(found.contains(&(Col::Name, 1)));
        assert!(found.contains(&(Col::IdNumber, 3)));
    }

    #[test]
    fn missing_and_duplicated_columns_are_named() {
        let (missing, dup) = locate(
            Sheet::Members,
            &headers(&["姓名", "姓名", "手机号码"]),
            &|_| None,
        )
        .unwrap_err();
        assert!(missing.contains(&"身份证号") && missing.contains(&"单位名称"));
        assert!(!missing.contains(&"手机号码"));
        assert_eq!(dup, vec!["姓名"]);
    }

    #[test]
    fn every_column_has_a_distinct_header_and_field() {
        for sheet in [Sheet::Members, Sheet::Businesses] {
            let mut names: Vec<&str> = sheet
                .columns()
                .iter()
                .flat_map(|d| std::iter::once(d.header).chain(d.aliases.iter().copied()))
                .collect();
            let n = names.len();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), n, "{sheet:?}");
            let mut fields: Vec<&str> = sheet.columns().iter().map(|d| d.field).collect();
            fields.sort_unstable();
            fields.dedup();
            assert_eq!(fields.len(), sheet.columns().len(), "{sheet:?}");
            for d in sheet.columns() {
                assert_eq!(def(d.col).header, d.header);
                assert_eq!(by_name(sheet, d.field), Some(d.col));
            }
        }
    }

    #[test]
    fn business_registers_as_counties_keep_them() {
        let h = headers(&[
            "序号",
            "统一社会信用代码",
            "个体工商户名称",
            "经营者",
            "经营者身份证号码",
            "所在乡镇（街道）",
            "所属市场",
            "备注",
        ]);
        let found = locate(Sheet::Businesses, &h, &|_| None).expect("found");
        assert_eq!(
            found,
            vec![
                (Col::BizCreditCode, 1),
                (Col::BizName, 2),
                (Col::BizOwnerName, 3),
                (Col::BizOwnerIdNumber, 4),
                (Col::BizTownship, 5),
                (Col::BizMarket, 6),
            ]
        );
        // The same headers read as a member sheet name other columns.
        assert_eq!(
            lookup(Sheet::Members, "个体工商户名称"),
            Some(Col::BusinessName)
        );
        assert_eq!(lookup(Sheet::Members, "经营者"), None);
        let (missing, _) = locate(Sheet::Businesses, &headers(&["名称", "类型"]), &|_| {
            None
        })
        .unwrap_err();
        assert_eq!(missing, vec!["统一社会信用代码"]);
        assert!(is_field("credit_code") && is_field("id_number") && !is_field("nope"));
    }
}
