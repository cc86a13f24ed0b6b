//! The scoring engine. A rubric is data: categories, each with its maximum and the rules that
//! deduct from it or add to it (each rule with the points it may take per occurrence), the
//! conditions that grade a subject outright whatever its points, and the grade bands. A score
//! is a plain function of the rubric, the findings recorded against its rules and the
//! conditions found to hold.
//!
//! Points are kept in tenths ([`Points`]): the seeds deduct half points ("扣0.5-1分"), and whole
//! numbers keep sums exact (89.5 is 895, never 89.499…).

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Points in tenths of a point.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Points(pub i32);

impl Points {
    pub const ZERO: Points = Points(0);

    pub const fn whole(n: i32) -> Points {
        Points(n * 10)
    }

    /// `"89.5"`, `"90"`, `"0.5"`: at most one decimal; `None` for anything else (a negative,
    /// two decimals, text), and for more than a million points.
    pub fn parse(s: &str) -> Option<Points> {
        let s = s.trim();
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        if int.is_empty() || int.len() > 6 || !int.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let whole: i32 = int.parse().ok()?;
        let tenth = match frac {
            None => 0,
            Some(f) if f.len() == 1 && f.bytes().all(|b| b.is_ascii_digit()) => f.parse().ok()?,
            Some(_) => return None,
        };
        Some(Points(whole * 10 + tenth))
    }

    pub fn times(self, n: u32) -> Points {
        Points(self.0.saturating_mul(i32::try_from(n).unwrap_or(i32::MAX)))
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        if a.is_multiple_of(10) {
            write!(f, "{sign}{}", a / 10)
        } else {
            write!(f, "{sign}{}.{}", a / 10, a % 10)
        }
    }
}

/// Whether a rule takes points away or adds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Deduct,
    Add,
}

/// A scoring rule of a category: "一年组织活动少于2次的扣2分" (fixed: min = max = 2),
/// "发展党员工作不规范的扣1-3分" (a range), "未按时回复诉求扣0.5-1分" (per occurrence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub code: String,
    pub text: String,
    pub direction: Direction,
    /// Points one occurrence takes, from `min` to `max`.
    pub min: Points,
    pub max: Points,
    /// Whether it applies once per occurrence (each late reply), or at most once.
    pub per_occurrence: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub max: Points,
    pub rules: Vec<Rule>,
}

/// A condition that grades the subject outright (一票否决, "直接定为较差").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub code: String,
    pub text: String,
    pub grade: String,
}

/// A grade and the least total that earns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub grade: String,
    pub min: Points,
}

/// A rubric at one version: a county's results keep the version they were scored with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    pub code: String,
    pub version: i32,
    pub name: String,
    pub categories: Vec<Category>,
    pub conditions: Vec<Condition>,
    /// Highest first.
    pub bands: Vec<Band>,
}

/// A rule found to apply: the points of one occurrence, how many occurrences, and where the
/// evidence is (a record, a request, a document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub rule: String,
    pub points: Points,
    pub count: u32,
    pub evidence: Option<String>,
}

/// Why a rubric cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RubricError {
    NoCategory,
    /// A category's maximum is not positive.
    CategoryMax(String),
    /// A rule's bounds are not 0 < min ≤ max ≤ its category's maximum.
    RuleBounds(String),
    /// Two rules, categories or conditions share a code.
    DuplicateCode(String),
    /// Bands must descend strictly, and the last must start at zero so every total has a grade.
    Bands,
}

/// Why findings cannot be scored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScoreError {
    UnknownRule(String),
    UnknownCondition(String),
    /// Points outside the rule's bounds.
    OutOfBounds {
        rule: String,
        min: Points,
        max: Points,
    },
    /// A rule that applies once found more than once, or a count of zero.
    Count(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryScore {
    pub code: String,
    pub max: Points,
    pub deducted: Points,
    pub added: Points,
    /// `max − deducted + added`, kept within 0 and `max` ("每个项目分值扣完为止").
    pub score: Points,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    pub categories: Vec<CategoryScore>,
    pub total: Points,
    /// The band of the total, unless a condition graded the subject outright.
    pub grade: String,
    /// The condition that set the grade, if one did.
    pub outright: Option<String>,
}

impl Rubric {
    pub fn max(&self) -> Points {
        Points(self.categories.iter().map(|c| c.max.0).sum())
    }

    pub fn check(&self) -> Result<(), RubricError> {
        if self.categories.is_empty() {
            return Err(RubricError::NoCategory);
        }
        let mut codes = HashSet::new();
        for c in &self.categories {
            if c.max <= Points::ZERO {
                return Err(RubricError::CategoryMax(c.code.clone()));
            }
            if !codes.insert(c.code.as_str()) {
                return Err(RubricError::DuplicateCode(c.code.clone()));
            }
            for r in &c.rules {
                if r.min <= Points::ZERO || r.min > r.max || r.max > c.max {
                    return Err(RubricError::RuleBounds(r.code.clone()));
                }
                if !codes.insert(r.code.as_str()) {
                    return Err(RubricError::DuplicateCode(r.code.clone()));
                }
            }
        }
        for k in &self.conditions {
            if !codes.insert(k.code.as_str()) {
                return Err(RubricError::DuplicateCode(k.code.clone()));
            }
        }
        let descending = self.bands.windows(2).all(|w| w[0].min > w[1].min);
        if self.bands.is_empty()
            || !descending
            || self.bands.last().map(|b| b.min) != Some(Points::ZERO)
        {
            return Err(RubricError::Bands);
        }
        Ok(())
    }

    /// The grade of a total.
    pub fn band(&self, total: Points) -> &str {
        self.bands
            .iter()
            .find(|b| total >= b.min)
            .or(self.bands.last())
            .map_or("", |b| b.grade.as_str())
    }

    fn rule(&self, code: &str) -> Option<(usize, &Rule)> {
        self.categories
            .iter()
            .enumerate()
            .find_map(|(i, c)| c.rules.iter().find(|r| r.code == code).map(|r| (i, r)))
    }

    /// Scores findings and the conditions found to hold. The first condition (in the rubric's
    /// order) that holds sets the grade; the points are still computed and shown.
    pub fn score(&self, findings: &[Finding], holding: &[String]) -> Result<Score, ScoreError> {
        let mut deducted = vec![Points::ZERO; self.categories.len()];
        let mut added = vec![Points::ZERO; self.categories.len()];
        let mut seen = HashSet::new();
        for f in findings {
            let (i, r) = self
                .rule(&f.rule)
                .ok_or_else(|| ScoreError::UnknownRule(f.rule.clone()))?;
            if f.points < r.min || f.points > r.max {
                return Err(ScoreError::OutOfBounds {
                    rule: r.code.clone(),
                    min: r.min,
                    max: r.max,
                });
            }
            let once_only = !r.per_occurrence && (f.count != 1 || !seen.insert(r.code.as_str()));
            if f.count == 0 || once_only {
                return Err(ScoreError::Count(r.code.clone()));
            }
            let amount = f.points.times(f.count);
            let slot = match r.direction {
                Direction::Deduct => &mut deducted[i],
                Direction::Add => &mut added[i],
            };
            *slot = Points(slot.0.saturating_add(amount.0));
        }
        for h in holding {
            if !self.conditions.iter().any(|k| &k.code == h) {
                return Err(ScoreError::UnknownCondition(h.clone()));
            }
        }
        let categories: Vec<CategoryScore> = self
            .categories
            .iter()
            .enumerate()
            .map(|(i, c)| CategoryScore {
                code: c.code.clone(),
                max: c.max,
                deducted: deducted[i],
                added: added[i],
                score: Points(
                    (c.max.0 - deducted[i].0)
                        .saturating_add(added[i].0)
                        .clamp(0, c.max.0),
                ),
            })
            .collect();
        let total = Points(categories.iter().map(|c| c.score.0).sum());
        let outright = self.conditions.iter().find(|k| holding.contains(&k.code));
        Ok(Score {
            grade: outright.map_or_else(|| self.band(total).to_owned(), |k| k.grade.clone()),
            outright: outright.map(|k| k.code.clone()),
            categories,
            total,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> Points {
        Points::parse(s).unwrap()
    }

    fn rule(code: &str, min: &str, max: &str, per: bool) -> Rule {
        Rule {
            code: code.into(),
            text: code.into(),
            direction: Direction::Deduct,
            min: p(min),
            max: p(max),
            per_occurrence: per,
        }
    }

    /// Two categories of 50 and the seed's four bands.
    fn rubric() -> Rubric {
        Rubric {
            code: "t".into(),
            version: 1,
            name: "t".into(),
            categories: vec![
                Category {
                    code: "a".into(),
                    name: "a".into(),
                    max: p("50"),
                    rules: vec![rule("a1", "1", "3", false), rule("a2", "0.5", "1", true)],
                },
                Category {
                    code: "b".into(),
                    name: "b".into(),
                    max: p("50"),
                    rules: vec![
                        rule("b1", "30", "30", false),
                        rule("b2", "25", "25", false),
                        Rule {
                            direction: Direction::Add,
                            ..rule("b3", "1", "5", false)
                        },
                    ],
                },
            ],
            conditions: vec![Condition {
                code: "veto".into(),
                text: "veto".into(),
                grade: "较差".into(),
            }],
            bands: [("好", "90"), ("较好", "80"), ("一般", "60"), ("较差", "0")]
                .map(|(g, m)| Band {
                    grade: g.into(),
                    min: p(m),
                })
                .to_vec(),
        }
    }

    fn f(rule: &str, points: &str, count: u32) -> Finding {
        Finding {
            rule: rule.into(),
            points: p(points),
            count,
            evidence: None,
        }
    }

    #[test]
    fn points_are_tenths_read_and_written_exactly() {
        assert_eq!(p("89.5"), Points(895));
        assert_eq!(p("90"), Points(900));
        assert_eq!(p(" 0.5 "), Points(5));
        for bad in [
            "", "-1", "1.25", "1.", ".5", "abc", "1e3", "1234567", "９０",
        ] {
            assert_eq!(Points::parse(bad), None, "{bad}");
        }
        assert_eq!(Points(895).to_string(), "89.5");
        assert_eq!(Points(900).to_string(), "90");
        assert_eq!(Points(-5).to_string(), "-0.5");
    }

    #[test]
    fn the_seeded_bands_split_at_90_80_and_60() {
        let r = rubric();
        r.check().unwrap();
        // 89.5 is 较好, 90 is 好 (no rounding up).
        let s = r
            .score(&[f("a2", "0.5", 1), f("a1", "3", 1), f("a2", "1", 7)], &[])
            .unwrap();
        assert_eq!(s.total, p("89.5"));
        assert_eq!(s.grade, "较好");
        let s = r.score(&[f("a1", "3", 1), f("a2", "1", 7)], &[]).unwrap();
        assert_eq!((s.total, s.grade.as_str()), (p("90"), "好"));
        assert_eq!(r.band(p("80")), "较好");
        assert_eq!(r.band(p("79.9")), "一般");
        assert_eq!(r.band(p("60")), "一般");
        assert_eq!(r.band(p("59.9")), "较差");
        assert_eq!(r.band(Points::ZERO), "较差");
    }

    #[test]
    fn a_category_deducted_below_zero_stops_at_zero_and_additions_stop_at_its_maximum() {
        let r = rubric();
        let s = r.score(&[f("b1", "30", 1), f("b2", "25", 1)], &[]).unwrap();
        let b = &s.categories[1];
        assert_eq!((b.deducted, b.score), (p("55"), Points::ZERO));
        assert_eq!(s.total, p("50"), "the other category is untouched");
        let s = r.score(&[f("b3", "5", 1)], &[]).unwrap();
        assert_eq!(s.categories[1].score, p("50"));
    }

    #[test]
    fn an_outright_condition_grades_whatever_the_points() {
        let r = rubric();
        let s = r
            .score(&[f("a1", "3", 1), f("a2", "1", 2)], &["veto".into()])
            .unwrap();
        assert_eq!(s.total, p("95"));
        assert_eq!(
            (s.grade.as_str(), s.outright.as_deref()),
            ("较差", Some("veto"))
        );
    }

    #[test]
    fn findings_outside_the_rules_are_refused() {
        let r = rubric();
        let err = |fs: &[Finding]| r.score(fs, &[]).unwrap_err();
        assert_eq!(
            err(&[f("zz", "1", 1)]),
            ScoreError::UnknownRule("zz".into())
        );
        assert_eq!(
            err(&[f("a1", "3.5", 1)]),
            ScoreError::OutOfBounds {
                rule: "a1".into(),
                min: p("1"),
                max: p("3")
            }
        );
        assert!(matches!(
            err(&[f("a2", "0.4", 1)]),
            ScoreError::OutOfBounds { .. }
        ));
        assert_eq!(err(&[f("a1", "1", 2)]), ScoreError::Count("a1".into()));
        assert_eq!(
            err(&[f("a1", "1", 1), f("a1", "2", 1)]),
            ScoreError::Count("a1".into())
        );
        assert_eq!(err(&[f("a2", "1", 0)]), ScoreError::Count("a2".into()));
        assert_eq!(
            r.score(&[], &["nope".into()]).unwrap_err(),
            ScoreError::UnknownCondition("nope".into())
        );
    }

    #[test]
    fn a_rubric_that_cannot_grade_everything_is_refused() {
        let mut r = rubric();
        r.bands.pop();
        assert_eq!(r.check(), Err(RubricError::Bands));
        let mut r = rubric();
        r.bands.swap(0, 1);
        assert_eq!(r.check(), Err(RubricError::Bands));
        let mut r = rubric();
        r.categories[0].rules[0].max = p("60");
        assert_eq!(r.check(), Err(RubricError::RuleBounds("a1".into())));
        let mut r = rubric();
        r.categories[1].rules[0].code = "a1".into();
        assert_eq!(r.check(), Err(RubricError::DuplicateCode("a1".into())));
    }

    proptest! {
        /// Whatever the findings, the total stays within 0 and the rubric's maximum, each
        /// category within its own, and scoring never panics.
        #[test]
        fn totals_stay_within_bounds(picks in proptest::collection::vec((0usize..5, 0i32..400, 0u32..1000), 0..20)) {
            let r = rubric();
            let codes = ["a1", "a2", "b1", "b2", "b3"];
            let findings: Vec<Finding> = picks
                .iter()
                .map(|(i, pts, n)| Finding { rule: codes[*i].into(), points: Points(*pts), count: *n, evidence: None })
                .collect();
            if let Ok(s) = r.score(&findings, &[]) {
                prop_assert!(s.total >= Points::ZERO && s.total <= r.max());
                for (c, k) in s.categories.iter().zip(&r.categories) {
                    prop_assert!(c.score >= Points::ZERO && c.score <= k.max);
                }
            }
        }

        #[test]
        fn any_text_is_points_or_none(s in "\\PC{0,12}") {
            let _ = Points::parse(&s);
        }
    }
}
