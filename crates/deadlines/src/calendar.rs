//! The working-day calendar: Monday to Friday, minus the public holidays, plus the weekend days
//! the State Council makes workdays (调休). The notices for 2025 (国办发明电〔2024〕12号) and
//! 2026 (published 4 November 2025) ship here; a county admin may override any day.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// What a day is, when it is not an ordinary weekday or weekend day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum DayKind {
    /// A public holiday (or a weekday given as part of one).
    Holiday,
    /// A weekend day worked instead (调休上班).
    Workday,
    /// An override that undoes a shipped entry: the day follows its weekday again.
    Normal,
}

/// (from, to inclusive, name) of the holidays, and the adjusted workdays, per notice.
type Span = ((i32, u32, u32), (i32, u32, u32), &'static str);

const HOLIDAYS: &[Span] = &[
    // 2025
    ((2025, 1, 1), (2025, 1, 1), "元旦"),
    ((2025, 1, 28), (2025, 2, 4), "春节"),
    ((2025, 4, 4), (2025, 4, 6), "清明节"),
    ((2025, 5, 1), (2025, 5, 5), "劳动节"),
    ((2025, 5, 31), (2025, 6, 2), "端午节"),
    ((2025, 10, 1), (2025, 10, 8), "国庆节、中秋节"),
    // 2026
    ((2026, 1, 1), (2026, 1, 3), "元旦"),
    ((2026, 2, 15), (2026, 2, 23), "春节"),
    ((2026, 4, 4), (2026, 4, 6), "清明节"),
    ((2026, 5, 1), (2026, 5, 5), "劳动节"),
    ((2026, 6, 19), (2026, 6, 21), "端午节"),
    ((2026, 9, 25), (2026, 9, 27), "中秋节"),
    ((2026, 10, 1), (2026, 10, 7), "国庆节"),
];

const WORKDAYS: &[((i32, u32, u32), &str)] = &[
    ((2025, 1, 26), "春节调休上班"),
    ((2025, 2, 8), "春节调休上班"),
    ((2025, 4, 27), "劳动节调休上班"),
    ((2025, 9, 28), "国庆节调休上班"),
    ((2025, 10, 11), "国庆节调休上班"),
    ((2026, 1, 4), "元旦调休上班"),
    ((2026, 2, 14), "春节调休上班"),
    ((2026, 2, 28), "春节调休上班"),
    ((2026, 5, 9), "劳动节调休上班"),
    ((2026, 9, 20), "国庆节调休上班"),
    ((2026, 10, 10), "国庆节调休上班"),
];

/// The years whose State Council notice ships with the code.
pub const SHIPPED_YEARS: [i32; 2] = [2025, 2026];

/// One entry of the calendar (shipped or overridden).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: DayKind,
    pub name: String,
    /// National (shipped with the code or loaded by the platform operator); false: the county's.
    pub shipped: bool,
}

fn ymd((y, m, d): (i32, u32, u32)) -> NaiveDate {
    // The tables above are literal dates checked by a unit test.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// The shipped entries of the State Council notices.
pub fn shipped() -> BTreeMap<NaiveDate, Entry> {
    let mut map = BTreeMap::new();
    for (from, to, name) in HOLIDAYS {
        let (from, to) = (ymd(*from), ymd(*to));
        for day in from.iter_days().take_while(|d| *d <= to) {
            map.insert(
                day,
                Entry {
                    kind: DayKind::Holiday,
                    name: (*name).to_owned(),
                    shipped: true,
                },
            );
        }
    }
    for (day, name) in WORKDAYS {
        map.insert(
            ymd(*day),
            Entry {
                kind: DayKind::Workday,
                name: (*name).to_owned(),
                shipped: true,
            },
        );
    }
    map
}

/// A year of the national calendar loaded by the platform operator: it supersedes the shipped
/// entries of that year (see [`crate::national`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NationalYear {
    pub year: i32,
    pub days: Vec<(NaiveDate, DayKind, String)>,
}

/// A county's calendar, in three layers: the shipped notices, the years the platform operator
/// loaded (each replacing the shipped entries of its year), and the county's own overrides on top.
#[derive(Debug, Clone)]
pub struct Calendar {
    entries: BTreeMap<NaiveDate, Entry>,
    years: Vec<i32>,
}

impl Calendar {
    /// The shipped calendar with `overrides` (day, kind, name) applied.
    pub fn new(overrides: impl IntoIterator<Item = (NaiveDate, DayKind, String)>) -> Calendar {
        Calendar::layered(&[], overrides)
    }

    /// Shipped, then the loaded national years, then the county's `overrides`: the one way a
    /// calendar is built ([`crate::repo::calendar`] reads the layers).
    pub fn layered(
        national: &[NationalYear],
        overrides: impl IntoIterator<Item = (NaiveDate, DayKind, String)>,
    ) -> Calendar {
        let mut entries = shipped();
        let mut years: Vec<i32> = SHIPPED_YEARS.to_vec();
        for y in national {
            entries.retain(|d, _| d.year() != y.year);
            for (day, kind, name) in &y.days {
                // A loaded year holds only its own days (checked on load).
                if day.year() == y.year {
                    entries.insert(
                        *day,
                        Entry {
                            kind: *kind,
                            name: name.clone(),
                            shipped: true,
                        },
                    );
                }
            }
            if !years.contains(&y.year) {
                years.push(y.year);
            }
        }
        for (day, kind, name) in overrides {
            if !years.contains(&day.year()) {
                years.push(day.year());
            }
            entries.insert(
                day,
                Entry {
                    kind,
                    name,
                    shipped: false,
                },
            );
        }
        years.sort_unstable();
        Calendar { entries, years }
    }

    /// The last year whose holidays the calendar knows: due dates after it may move when the
    /// State Council publishes that year's notice.
    pub fn last_known_year(&self) -> i32 {
        self.years.last().copied().unwrap_or(SHIPPED_YEARS[1])
    }

    /// Whether `day` falls after the last known year (see [`Calendar::last_known_year`]).
    pub fn beyond(&self, day: NaiveDate) -> bool {
        day.year() > self.last_known_year()
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        let weekday = !matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        match self.entries.get(&day).map(|e| e.kind) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            Some(DayKind::Normal) | None => weekday,
        }
    }

    /// The `n`th working day after `start` (`start` itself is not counted, whatever it is).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut day = start;
        let mut left = n;
        while left > 0 {
            match day.succ_opt() {
                Some(next) => day = next,
                None => return day,
            }
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Whether the holidays of `year` are known (shipped or entered by the county); otherwise
    /// only weekends are counted and the answer says so.
    pub fn knows_year(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// The entries of one year, in date order.
    pub fn year(&self, year: i32) -> impl Iterator<Item = (&NaiveDate, &Entry)> {
        self.entries.iter().filter(move |(d, _)| d.year() == year)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shuanglian_testkit::assert_str_enum;

    #[test]
    fn enum_names_round_trip() {
        assert_str_enum::<DayKind>();
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_tables_are_real_dates_and_adjusted_days_are_weekends() {
        for (from, to, _) in HOLIDAYS {
            assert!(NaiveDate::from_ymd_opt(from.0, from.1, from.2).is_some());
            assert!(ymd(*from) <= ymd(*to));
        }
        for (day, _) in WORKDAYS {
            let day = NaiveDate::from_ymd_opt(day.0, day.1, day.2).unwrap();
            assert!(
                matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
                "{day} is a weekend day made a workday"
            );
        }
        // 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7 = 33 holiday days, 6 adjusted workdays.
        let cal = Calendar::new([]);
        let holidays = cal
            .year(2026)
            .filter(|(_, e)| e.kind == DayKind::Holiday)
            .count();
        assert_eq!(holidays, 33);
        assert_eq!(
            cal.year(2026)
                .filter(|(_, e)| e.kind == DayKind::Workday)
                .count(),
            6
        );
    }

    #[test]
    fn seven_working_days_across_the_spring_festival_2026() {
        let cal = Calendar::new([]);
        // Friday 13 Feb: Sat 14 (worked) = 1; 15–23 holiday; 24, 25, 26, 27 = 2..5;
        // Sat 28 (worked) = 6; Mon 2 Mar = 7.
        assert!(cal.is_working_day(d(2026, 2, 14)));
        assert!(!cal.is_working_day(d(2026, 2, 23)));
        assert_eq!(cal.add_working_days(d(2026, 2, 13), 7), d(2026, 3, 2));
        // Without the adjusted Saturdays it would be Wednesday 4 March.
        let no_adjust = Calendar::new([
            (d(2026, 2, 14), DayKind::Normal, String::new()),
            (d(2026, 2, 28), DayKind::Normal, String::new()),
        ]);
        assert_eq!(no_adjust.add_working_days(d(2026, 2, 13), 7), d(2026, 3, 4));
        // 2025: received on the Sunday worked (26 Jan): 27 = 1; 28 Jan – 4 Feb holiday;
        // 5, 6, 7 = 2..4; Sat 8 (worked) = 5; 10, 11 = 6, 7.
        assert_eq!(cal.add_working_days(d(2025, 1, 26), 7), d(2025, 2, 11));
    }

    #[test]
    fn overrides_win_and_unknown_years_count_weekends_only() {
        let cal = Calendar::new([(d(2027, 2, 8), DayKind::Holiday, "春节".to_owned())]);
        assert!(!cal.is_working_day(d(2027, 2, 8)));
        assert!(cal.knows_year(2027));
        assert!(!cal.knows_year(2028));
        // An ordinary week: Friday + 7 working days = the Tuesday after next.
        assert_eq!(cal.add_working_days(d(2028, 3, 3), 7), d(2028, 3, 14));
        assert!(cal.is_working_day(d(2026, 10, 10)));
    }

    #[test]
    fn a_loaded_year_supersedes_the_shipped_one_and_overrides_still_win() {
        let national = [
            NationalYear {
                year: 2027,
                days: vec![(d(2027, 2, 8), DayKind::Holiday, "春节".to_owned())],
            },
            NationalYear {
                year: 2026,
                days: vec![(d(2026, 3, 2), DayKind::Holiday, "测试".to_owned())],
            },
        ];
        let cal = Calendar::layered(&national, [(d(2027, 2, 8), DayKind::Normal, String::new())]);
        // The county's override wins over the loaded holiday.
        assert!(cal.is_working_day(d(2027, 2, 8)));
        // 2026 loaded: the shipped Spring Festival is gone, the loaded day is a holiday.
        assert!(cal.is_working_day(d(2026, 2, 16)));
        assert!(!cal.is_working_day(d(2026, 3, 2)));
        // 2025 still shipped.
        assert!(!cal.is_working_day(d(2025, 1, 28)));
        assert_eq!(cal.last_known_year(), 2027);
        assert!(cal.beyond(d(2028, 1, 3)));
        assert!(!cal.beyond(d(2027, 12, 31)));
        assert_eq!(Calendar::new([]).last_known_year(), 2026);
    }
}
