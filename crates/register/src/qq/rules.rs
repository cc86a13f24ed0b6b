//! The rules of the roster, as plain functions: who is late for the join deadline, the diff
//! between the expected roster and the group's actual member list, and which groups a scoped
//! user may see.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};

use super::model::{JoinDeadline, RosterRole};

/// Why an entry is late, as of a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Late {
    /// Not in the group (no join date, or one after `as_of`) after the deadline passed.
    NotJoined { days_overdue: i64 },
    /// Joined this year after the deadline.
    JoinedLate {
        joined_on: NaiveDate,
        days_late: i64,
    },
}

/// Whether someone who joined on `joined` (if at all) is late as of `as_of`, against that
/// year's deadline. On the deadline day itself nobody is late yet; joining on it is in time.
pub fn lateness(
    deadline: JoinDeadline,
    as_of: NaiveDate,
    joined: Option<NaiveDate>,
) -> Option<Late> {
    let due = deadline.in_year(as_of.year());
    match joined.filter(|j| *j <= as_of) {
        Some(j) if j <= due => None,
        Some(j) => Some(Late::JoinedLate {
            joined_on: j,
            days_late: (j - due).num_days(),
        }),
        None if as_of > due => Some(Late::NotJoined {
            days_overdue: (as_of - due).num_days(),
        }),
        None => None,
    }
}

/// The join date that counts: the one recorded on the entry, else the first day the entry's
/// QQ number was seen in an imported member list.
pub fn effective_join(
    recorded: Option<NaiveDate>,
    first_seen: Option<NaiveDate>,
) -> Option<NaiveDate> {
    recorded.or(first_seen)
}

/// What the diff needs of a roster entry.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    pub qq_bidx: &'a str,
    pub role: RosterRole,
    pub verified: bool,
}

/// The roster against the group's actual list; indexes into the two inputs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// Roster entries found in the group.
    pub matched: Vec<usize>,
    /// Roster entries not in the group (organisers first, then in roster order).
    pub missing: Vec<usize>,
    /// People in the group who are not on the roster.
    pub unknown: Vec<usize>,
    /// Roster entries not real-name verified (whether in the group or not).
    pub unverified: Vec<usize>,
}

impl Diff {
    pub fn missing_organisers(&self, roster: &[Expected<'_>]) -> usize {
        self.missing
            .iter()
            .filter(|i| roster[**i].role.is_organiser())
            .count()
    }
}

/// Compares blind indexes only: the QQ numbers themselves never meet.
pub fn diff(roster: &[Expected<'_>], present: &[&str]) -> Diff {
    let in_group: HashSet<&str> = present.iter().copied().collect();
    let on_roster: HashMap<&str, usize> = roster
        .iter()
        .enumerate()
        .map(|(i, e)| (e.qq_bidx, i))
        .collect();
    let mut d = Diff::default();
    for (i, e) in roster.iter().enumerate() {
        if in_group.contains(e.qq_bidx) {
            d.matched.push(i);
        } else {
            d.missing.push(i);
        }
        if !e.verified {
            d.unverified.push(i);
        }
    }
    d.missing
        .sort_by_key(|i| (!roster[*i].role.is_organiser(), *i));
    d.unknown = present
        .iter()
        .enumerate()
        .filter(|(_, b)| !on_roster.contains_key(**b))
        .map(|(i, _)| i)
        .collect();
    d
}

/// Whether a unit is relevant to a user bound at `my_path`: inside the user's subtree, or an
/// ancestor of (or the same as) the user's unit. A village recorder thus sees the groups of
/// its township and of the grid serving it, a branch's staff the groups of its party branches.
pub fn relevant(my_path: &str, unit_path: &str) -> bool {
    unit_path.starts_with(my_path) || my_path.starts_with(unit_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).expect("date")
    }

    #[test]
    fn lateness_at_the_boundaries() {
        let dl = JoinDeadline::default();
        // Joined on 9, 10 or 11 May, seen from 11 May.
        assert_eq!(lateness(dl, d(5, 11), Some(d(5, 9))), None);
        assert_eq!(lateness(dl, d(5, 11), Some(d(5, 10))), None);
        assert_eq!(
            lateness(dl, d(5, 11), Some(d(5, 11))),
            Some(Late::JoinedLate {
                joined_on: d(5, 11),
                days_late: 1
            })
        );
        // Not joined: not late on the 9th or the 10th, late from the 11th.
        assert_eq!(lateness(dl, d(5, 9), None), None);
        assert_eq!(lateness(dl, d(5, 10), None), None);
        assert_eq!(
            lateness(dl, d(5, 11), None),
            Some(Late::NotJoined { days_overdue: 1 })
        );
        // A join date after `as_of` has not happened yet.
        assert_eq!(
            lateness(dl, d(5, 12), Some(d(6, 1))),
            Some(Late::NotJoined { days_overdue: 2 })
        );
        // Joined in an earlier year: in time.
        let last_year = NaiveDate::from_ymd_opt(2025, 8, 1).expect("date");
        assert_eq!(lateness(dl, d(9, 1), Some(last_year)), None);
        // Another deadline.
        let dl = JoinDeadline::new(5, 20).expect("dl");
        assert_eq!(lateness(dl, d(5, 15), None), None);
        assert_eq!(effective_join(None, Some(d(5, 1))), Some(d(5, 1)));
        assert_eq!(effective_join(Some(d(4, 1)), Some(d(5, 1))), Some(d(4, 1)));
    }

    #[test]
    fn shanghai_dates_turn_at_16_00_utc() {
        let t = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .expect("t")
                .with_timezone(&chrono::Utc)
        };
        assert_eq!(
            crate::clock::china_date(t("2026-05-10T15:59:59Z")),
            d(5, 10)
        );
        assert_eq!(
            crate::clock::china_date(t("2026-05-10T16:00:00Z")),
            d(5, 11)
        );
    }

    #[test]
    fn the_diff_finds_missing_unknown_and_unverified() {
        let roster = vec![
            Expected {
                qq_bidx: "a",
                role: RosterRole::Member,
                verified: true,
            },
            Expected {
                qq_bidx: "b",
                role: RosterRole::VillageOrganiser,
                verified: false,
            },
            Expected {
                qq_bidx: "c",
                role: RosterRole::Member,
                verified: false,
            },
            Expected {
                qq_bidx: "d",
                role: RosterRole::Administrator,
                verified: true,
            },
        ];
        let got = diff(&roster, &["d", "x", "a", "y"]);
        assert_eq!(got.matched, vec![0, 3]);
        assert_eq!(got.missing, vec![1, 2], "organisers first");
        assert_eq!(got.unknown, vec![1, 3]);
        assert_eq!(got.unverified, vec![1, 2]);
        assert_eq!(got.missing_organisers(&roster), 1);
        let empty = diff(&[], &[]);
        assert_eq!(empty, Diff::default());
    }

    #[test]
    fn relevance_is_subtree_or_ancestor() {
        assert!(relevant("/t/v/", "/t/"), "a village sees its township");
        assert!(
            relevant("/c/b/", "/c/b/p/"),
            "a branch sees its party branch"
        );
        assert!(relevant("/c/b/", "/c/b/"));
        assert!(!relevant("/c/b/", "/c/b2/p/"));
        assert!(!relevant("/t/v/", "/t/v2/"));
    }
}
