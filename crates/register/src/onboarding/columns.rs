//! The columns of the registration form (个体工商户党建信息登记表, SPEC §3) as they appear in
//! county spreadsheets: the Chinese header, the other labels counties write for it (the form's
//! own, the template's, and common variants), the field it fills, and the words allowed in it.
//! The import, the layout detection, the template and the export all read this one table.

/// A column of the member sheet.
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

pub fn def(c: Col) -> &'static ColDef {
    COLUMNS.iter().find(|d| d.col == c).unwrap_or(&COLUMNS[0])
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

/// The column a header cell names, by its header or one of its aliases.
pub fn lookup(header: &str) -> Option<Col> {
    let h = normalise(header);
    COLUMNS
        .iter()
        .find(|d| d.header == h || d.aliases.contains(&h.as_str()))
        .map(|d| d.col)
}

/// The column a mapping names: its API field (`id_number`) or its template header (身份证号).
pub fn by_name(name: &str) -> Option<Col> {
    COLUMNS
        .iter()
        .find(|d| d.field == name || d.header == name)
        .map(|d| d.col)
}

/// Required columns missing, and columns given twice, by header.
pub type HeaderProblems = (Vec<&'static str>, Vec<&'static str>);

/// Where each known column is in a header row. Unknown headers are ignored (county sheets
/// carry their own extra columns, e.g. 序号 or 备注).
/// `mapped` is a county's own mapping: `Some(Some(col))` for a header it maps, `Some(None)`
/// for one it ignores, `None` where the synonym table decides.
pub fn locate(
    headers: &[String],
    mapped: &dyn Fn(&str) -> Option<Option<Col>>,
) -> Result<Vec<(Col, usize)>, HeaderProblems> {
    let mut found = Vec::new();
    let mut duplicated = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let col = mapped(h).unwrap_or_else(|| lookup(h));
        if let Some(d) = col.map(def) {
            if found.iter().any(|(c, _)| *c == d.col) {
                duplicated.push(d.header);
            } else {
                found.push((d.col, i));
            }
        }
    }
    let missing: Vec<&'static str> = COLUMNS
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
        let found = locate(&h, &|_| None).expect("all found");
        assert_eq!(found.len(), COLUMNS.len());
        assert!(found.contains(&(Col::Name, 1)));
        assert!(found.contains(&(Col::IdNumber, 3)));
    }

    #[test]
    fn missing_and_duplicated_columns_are_named() {
        let (missing, dup) =
            locate(&headers(&["姓名", "姓名", "手机号码"]), &|_| None).unwrap_err();
        assert!(missing.contains(&"身份证号") && missing.contains(&"单位名称"));
        assert!(!missing.contains(&"手机号码"));
        assert_eq!(dup, vec!["姓名"]);
    }

    #[test]
    fn every_column_has_a_distinct_header_and_field() {
        let mut names: Vec<&str> = COLUMNS
            .iter()
            .flat_map(|d| std::iter::once(d.header).chain(d.aliases.iter().copied()))
            .collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n);
        for d in COLUMNS {
            assert_eq!(def(d.col).header, d.header);
        }
    }
}
