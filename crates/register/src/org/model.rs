//! Org-unit kinds, where each may sit in the tree, and the materialised path.

use serde::{Deserialize, Serialize};

use crate::enums::StrEnum;
use crate::error::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum OrgKind {
    /// 县个体民营企业协会党委 (root; seed 000: 县个民协会)
    AssociationCommittee,
    /// 分会
    Branch,
    /// 支部 (under a branch)
    PartyBranch,
    /// 区域性党员服务中心 (attached to a branch)
    ServiceCentre,
    /// 乡镇 / 街道 (root)
    Township,
    /// 村 / 社区
    Village,
    /// 工商所 / 分局 (root)
    AicOffice,
    /// 商品交易市场 (root, or under the AIC office that supervises it)
    Market,
    /// 市场党组织
    MarketPartyOrg,
}

impl OrgKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            OrgKind::AssociationCommittee => "协会党委",
            OrgKind::Branch => "分会",
            OrgKind::PartyBranch => "支部",
            OrgKind::ServiceCentre => "区域性党员服务中心",
            OrgKind::Township => "乡镇/街道",
            OrgKind::Village => "村/社区",
            OrgKind::AicOffice => "工商所/分局",
            OrgKind::Market => "商品交易市场",
            OrgKind::MarketPartyOrg => "市场党组织",
        }
    }

    /// The parents a unit of this kind may have (`None`: it may be a root).
    pub fn allowed_parents(self) -> &'static [Option<OrgKind>] {
        match self {
            OrgKind::AssociationCommittee | OrgKind::Township | OrgKind::AicOffice => &[None],
            OrgKind::Branch => &[Some(OrgKind::AssociationCommittee)],
            OrgKind::PartyBranch | OrgKind::ServiceCentre => &[Some(OrgKind::Branch)],
            OrgKind::Village => &[Some(OrgKind::Township)],
            OrgKind::Market => &[None, Some(OrgKind::AicOffice)],
            OrgKind::MarketPartyOrg => &[Some(OrgKind::Market)],
        }
    }
}

/// Whether `kind` may sit under `parent`; the field error names `parent_id` otherwise.
pub fn check_parent(kind: OrgKind, parent: Option<OrgKind>) -> Result<(), FieldError> {
    if kind.allowed_parents().contains(&parent) {
        return Ok(());
    }
    let allowed: Vec<&str> = kind
        .allowed_parents()
        .iter()
        .map(|p| p.map_or("（顶层）", OrgKind::label_zh))
        .collect();
    let allowed_en: Vec<&str> = kind
        .allowed_parents()
        .iter()
        .map(|p| p.map_or("(top level)", OrgKind::as_str))
        .collect();
    Err(FieldError::new(
        "parent_id",
        "parent_kind_not_allowed",
        format!(
            "parent_id：{}只能设在{}之下",
            kind.label_zh(),
            allowed.join("或")
        ),
        format!(
            "parent_id: a {} belongs under {}",
            kind.as_str(),
            allowed_en.join(" or ")
        ),
    ))
}

/// A unit name: trimmed, 2–60 characters, no control characters.
pub fn parse_name(field: &str, s: &str) -> Result<String, FieldError> {
    let t = s.trim();
    let n = t.chars().count();
    if !(2..=60).contains(&n) || t.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "invalid_name",
            format!("{field}：名称应为2到60个字符"),
            format!("{field}: a name has 2 to 60 characters"),
        ));
    }
    Ok(t.to_owned())
}

/// The materialised path of a unit: its ancestors' ids and its own, `/a/b/c/`.
pub fn child_path(parent_path: Option<&str>, id: &str) -> String {
    format!("{}{id}/", parent_path.unwrap_or("/"))
}

/// Upper bound of a subtree's path range: every descendant's path sorts in `[path, end)`.
/// Paths hold only hex digits, `-` and `/`, all below `~`.
pub fn subtree_end(path: &str) -> String {
    format!("{path}~")
}

/// Ancestor ids (root first), excluding the unit itself.
pub fn ancestors(path: &str) -> Vec<String> {
    let mut ids: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    ids.pop();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use shuanglian_testkit::assert_str_enum;

    #[test]
    fn enum_names_round_trip() {
        assert_str_enum::<OrgKind>();
    }

    #[test]
    fn the_tree_shape_is_enforced() {
        assert!(check_parent(OrgKind::AssociationCommittee, None).is_ok());
        assert!(check_parent(OrgKind::Branch, Some(OrgKind::AssociationCommittee)).is_ok());
        assert!(check_parent(OrgKind::PartyBranch, Some(OrgKind::Branch)).is_ok());
        assert!(check_parent(OrgKind::ServiceCentre, Some(OrgKind::Branch)).is_ok());
        assert!(check_parent(OrgKind::Village, Some(OrgKind::Township)).is_ok());
        assert!(check_parent(OrgKind::Market, None).is_ok());
        assert!(check_parent(OrgKind::Market, Some(OrgKind::AicOffice)).is_ok());
        assert!(check_parent(OrgKind::MarketPartyOrg, Some(OrgKind::Market)).is_ok());
        let e = check_parent(OrgKind::Village, Some(OrgKind::Branch)).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code.as_str()),
            ("parent_id", "parent_kind_not_allowed")
        );
        assert!(e.message.contains("乡镇/街道"), "{}", e.message);
        assert!(check_parent(OrgKind::Branch, None).is_err());
        assert!(check_parent(OrgKind::Township, Some(OrgKind::Township)).is_err());
    }

    #[test]
    fn paths_and_ranges() {
        let root = child_path(None, "a1");
        let child = child_path(Some(&root), "b2");
        assert_eq!(child, "/a1/b2/");
        assert!(child.as_str() >= root.as_str() && child < subtree_end(&root));
        let sibling = child_path(None, "a2");
        assert!(
            sibling.as_str() >= subtree_end(&root).as_str(),
            "a sibling falls outside"
        );
        assert_eq!(ancestors(&child), vec!["a1".to_owned()]);
        assert!(ancestors(&root).is_empty());
        let id = uuid::Uuid::now_v7().to_string();
        assert!(id.chars().all(|c| c < '~'));
    }
}
