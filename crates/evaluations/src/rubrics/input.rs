//! A rubric as the API shows and takes it: points as decimal numbers with at most one decimal
//! (the engine keeps tenths), every size bounded, every fault named by its field.

use poem_openapi::{Enum, Object};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, FieldError};
use crate::rubric::{Band, Category, Condition, Direction, Points, Rubric, RubricError, Rule};

const CATEGORIES_MAX: usize = 20;
const RULES_MAX: usize = 60;
const CONDITIONS_MAX: usize = 20;
const BANDS_MAX: usize = 10;
const TEXT_MAX: usize = 200;
const CODE_MAX: usize = 64;
/// No rubric in the seeds reaches 1,000 points.
const POINTS_MAX: f64 = 1000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Serialize, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum RuleDirection {
    /// 扣分
    Deduct,
    /// 加分
    Add,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct RuleDto {
    /// Stable within the rubric: `[a-z0-9_.]`, up to 64 characters.
    pub code: String,
    pub text: String,
    pub direction: RuleDirection,
    /// Points one occurrence takes, from `min` to `max` (at most one decimal).
    pub min: f64,
    pub max: f64,
    /// Once per occurrence (each late reply), or at most once.
    pub per_occurrence: bool,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CategoryDto {
    pub code: String,
    pub name: String,
    pub max: f64,
    pub rules: Vec<RuleDto>,
}

/// A condition that grades the subject outright (一票否决, 直接定为较差).
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ConditionDto {
    pub code: String,
    pub text: String,
    pub grade: String,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct BandDto {
    pub grade: String,
    /// The least total that earns the grade.
    pub min: f64,
}

/// A new version of a county's rubric: everything but its code and number.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct RubricVersionRequest {
    pub name: String,
    pub categories: Vec<CategoryDto>,
    #[oai(default)]
    #[serde(default)]
    pub conditions: Vec<ConditionDto>,
    /// Highest first; the last starts at 0.
    pub bands: Vec<BandDto>,
}

pub fn to_f64(p: Points) -> f64 {
    f64::from(p.0) / 10.0
}

/// A decimal number with at most one decimal, 0 to 1,000, as tenths.
pub fn points(field: &str, v: f64) -> Result<Points, FieldError> {
    let tenths = v * 10.0;
    if v.is_finite() && (0.0..=POINTS_MAX).contains(&v) && (tenths - tenths.round()).abs() < 1e-6 {
        // In range and integral: the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        return Ok(Points(tenths.round() as i32));
    }
    Err(FieldError::new(
        field,
        "invalid_points",
        format!("{field}：分值须在0到1000之间，最多一位小数"),
        format!("{field}: points from 0 to 1000 with at most one decimal"),
    ))
}

fn text(field: &str, v: &str, errs: &mut Vec<FieldError>) -> String {
    let t = v.trim();
    if t.is_empty() || t.chars().count() > TEXT_MAX {
        errs.push(FieldError::new(
            field,
            "invalid_text",
            format!("{field}：须为1到{TEXT_MAX}个字"),
            format!("{field}: 1 to {TEXT_MAX} characters"),
        ));
    }
    t.to_owned()
}

fn code(field: &str, v: &str, errs: &mut Vec<FieldError>) -> String {
    let ok = !v.is_empty()
        && v.len() <= CODE_MAX
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.');
    if !ok {
        errs.push(FieldError::new(
            field,
            "invalid_code",
            format!("{field}：编码只能由小写字母、数字、下划线和点组成，最多{CODE_MAX}个字符"),
            format!("{field}: lower-case letters, digits, '_' and '.', up to {CODE_MAX}"),
        ));
    }
    v.to_owned()
}

fn bounded(field: &str, n: usize, max: usize, errs: &mut Vec<FieldError>) -> bool {
    if n > max {
        errs.push(FieldError::new(
            field,
            "too_many",
            format!("{field}：最多{max}项"),
            format!("{field}: at most {max} entries"),
        ));
        return false;
    }
    true
}

fn point(field: String, v: f64, errs: &mut Vec<FieldError>) -> Points {
    points(&field, v)
        .map_err(|e| errs.push(e))
        .unwrap_or_default()
}

/// The rubric a county admin sends, checked field by field and then as a whole.
pub fn to_rubric(rubric_code: &str, i: &RubricVersionRequest) -> Result<Rubric, AppError> {
    let mut errs = Vec::new();
    let name = text("name", &i.name, &mut errs);
    let mut categories = Vec::new();
    if bounded("categories", i.categories.len(), CATEGORIES_MAX, &mut errs) {
        for (ci, c) in i.categories.iter().enumerate() {
            let f = |s: &str| format!("categories[{ci}].{s}");
            let mut rules = Vec::new();
            if bounded(&f("rules"), c.rules.len(), RULES_MAX, &mut errs) {
                for (ri, r) in c.rules.iter().enumerate() {
                    let g = |s: &str| format!("categories[{ci}].rules[{ri}].{s}");
                    rules.push(Rule {
                        code: code(&g("code"), &r.code, &mut errs),
                        text: text(&g("text"), &r.text, &mut errs),
                        direction: match r.direction {
                            RuleDirection::Deduct => Direction::Deduct,
                            RuleDirection::Add => Direction::Add,
                        },
                        min: point(g("min"), r.min, &mut errs),
                        max: point(g("max"), r.max, &mut errs),
                        per_occurrence: r.per_occurrence,
                    });
                }
            }
            categories.push(Category {
                code: code(&f("code"), &c.code, &mut errs),
                name: text(&f("name"), &c.name, &mut errs),
                max: point(f("max"), c.max, &mut errs),
                rules,
            });
        }
    }
    let mut conditions = Vec::new();
    if bounded("conditions", i.conditions.len(), CONDITIONS_MAX, &mut errs) {
        for (k, c) in i.conditions.iter().enumerate() {
            let f = |s: &str| format!("conditions[{k}].{s}");
            conditions.push(Condition {
                code: code(&f("code"), &c.code, &mut errs),
                text: text(&f("text"), &c.text, &mut errs),
                grade: text(&f("grade"), &c.grade, &mut errs),
            });
        }
    }
    let mut bands = Vec::new();
    if bounded("bands", i.bands.len(), BANDS_MAX, &mut errs) {
        for (k, b) in i.bands.iter().enumerate() {
            let f = |s: &str| format!("bands[{k}].{s}");
            bands.push(Band {
                grade: text(&f("grade"), &b.grade, &mut errs),
                min: point(f("min"), b.min, &mut errs),
            });
        }
    }
    if !errs.is_empty() {
        return Err(AppError::validation(errs));
    }
    let r = Rubric {
        code: rubric_code.to_owned(),
        version: 0,
        name,
        categories,
        conditions,
        bands,
    };
    r.check()
        .map_err(|e| AppError::validation(vec![whole(&r, &e)]))?;
    Ok(r)
}

/// A fault of the rubric as a whole, named by the field where it shows.
fn whole(r: &Rubric, e: &RubricError) -> FieldError {
    let at = |code: &str| -> String {
        for (ci, c) in r.categories.iter().enumerate() {
            if c.code == code {
                return format!("categories[{ci}]");
            }
            if let Some(ri) = c.rules.iter().position(|x| x.code == code) {
                return format!("categories[{ci}].rules[{ri}]");
            }
        }
        r.conditions
            .iter()
            .position(|k| k.code == code)
            .map_or_else(|| "conditions".to_owned(), |k| format!("conditions[{k}]"))
    };
    let (field, code, zh, en) = match e {
        RubricError::NoCategory => (
            "categories".to_owned(),
            "required",
            "至少需要一个考评项目".to_owned(),
            "at least one category",
        ),
        RubricError::CategoryMax(c) => (
            format!("{}.max", at(c)),
            "invalid_points",
            "项目分值须大于0".to_owned(),
            "a category's maximum must be positive",
        ),
        RubricError::RuleBounds(c) => (
            at(c),
            "invalid_bounds",
            "扣（加）分须满足 0 < 最低 ≤ 最高 ≤ 项目分值".to_owned(),
            "a rule needs 0 < min ≤ max ≤ its category's maximum",
        ),
        RubricError::DuplicateCode(c) => (
            format!("{}.code", at(c)),
            "duplicate_code",
            format!("编码{c}重复"),
            "codes must be unique within the rubric",
        ),
        RubricError::Bands => (
            "bands".to_owned(),
            "invalid_bands",
            "等次须按最低分从高到低排列，最后一个等次从0分起".to_owned(),
            "bands must descend strictly and the last must start at 0",
        ),
    };
    FieldError::new(
        &field,
        code,
        format!("{field}：{zh}"),
        format!("{field}: {en}"),
    )
}

/// The API's view of a rubric's content.
pub fn categories(r: &Rubric) -> Vec<CategoryDto> {
    r.categories
        .iter()
        .map(|c| CategoryDto {
            code: c.code.clone(),
            name: c.name.clone(),
            max: to_f64(c.max),
            rules: c
                .rules
                .iter()
                .map(|x| RuleDto {
                    code: x.code.clone(),
                    text: x.text.clone(),
                    direction: match x.direction {
                        Direction::Deduct => RuleDirection::Deduct,
                        Direction::Add => RuleDirection::Add,
                    },
                    min: to_f64(x.min),
                    max: to_f64(x.max),
                    per_occurrence: x.per_occurrence,
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn points_take_one_decimal_within_bounds() {
        assert_eq!(points("p", 0.5).unwrap(), Points(5));
        assert_eq!(points("p", 89.5).unwrap(), Points(895));
        assert_eq!(points("p", 1000.0).unwrap(), Points(10_000));
        for bad in [-0.5, 0.25, 1000.1, f64::NAN, f64::INFINITY] {
            assert_eq!(
                points("p", bad).unwrap_err().code,
                "invalid_points",
                "{bad}"
            );
        }
    }

    #[test]
    fn the_seeded_rubric_goes_through_the_api_shape_unchanged() {
        let r = crate::seeded::branch_standardisation();
        let input = RubricVersionRequest {
            name: r.name.clone(),
            categories: categories(&r),
            conditions: r
                .conditions
                .iter()
                .map(|k| ConditionDto {
                    code: k.code.clone(),
                    text: k.text.clone(),
                    grade: k.grade.clone(),
                })
                .collect(),
            bands: r
                .bands
                .iter()
                .map(|b| BandDto {
                    grade: b.grade.clone(),
                    min: to_f64(b.min),
                })
                .collect(),
        };
        let mut back = to_rubric(&r.code, &input).unwrap();
        back.version = r.version;
        assert_eq!(back, r);
        // A duplicate rule code is named where it shows.
        let mut dup = input.clone();
        dup.categories[1].rules[0].code = "leader.none".into();
        let e = to_rubric(&r.code, &dup).unwrap_err();
        assert_eq!(e.fields[0].field, "categories[0].rules[0].code");
        assert_eq!(e.fields[0].code, "duplicate_code");
    }

    proptest! {
        #[test]
        fn points_never_panic(v in any::<f64>()) {
            if let Ok(p) = points("p", v) {
                prop_assert!((0..=10_000).contains(&p.0));
            }
        }
    }
}
