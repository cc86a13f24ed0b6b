//! Training rates (seed 001; issue 16 item 3): per year and member category, with the seed's
//! targets: affiliated members all trained, floating members at least 80 %, local members at
//! least one session each; market members at least two trainings a year (六化 5). Counted from
//! attendance at activities marked as training.

use shuanglian_register::members::model::{Category, Distribution};

/// Trainings a member must attend in the year.
pub fn sessions_needed(distribution: Distribution) -> u32 {
    match distribution {
        Distribution::MarketBusiness => 2,
        Distribution::IndividualBusiness => 1,
    }
}

/// The share of a category that must be trained, in per mille.
pub fn target_permille(category: Category) -> u32 {
    match category {
        Category::Affiliated | Category::Local => 1000,
        Category::Floating => 800,
    }
}

/// A category's figures for the year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rate {
    pub members: u32,
    pub trained: u32,
}

impl Rate {
    /// Counts one member with `attended` trainings.
    pub fn add(&mut self, distribution: Distribution, attended: u32) {
        self.members += 1;
        if attended >= sessions_needed(distribution) {
            self.trained += 1;
        }
    }

    /// Trained over members, in per mille (rounded down); `None` without members.
    pub fn permille(&self) -> Option<u32> {
        (self.members > 0).then(|| self.trained * 1000 / self.members)
    }

    /// Whether the category meets its target (no members: nothing to miss).
    pub fn met(&self, category: Category) -> bool {
        // Compared as trained × 1000 ≥ target × members, so 80 % of 7 is not rounded up.
        u64::from(self.trained) * 1000
            >= u64::from(target_permille(category)) * u64::from(self.members)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn market_members_need_two_trainings_others_one() {
        let mut r = Rate::default();
        r.add(Distribution::MarketBusiness, 1);
        r.add(Distribution::MarketBusiness, 2);
        r.add(Distribution::IndividualBusiness, 1);
        r.add(Distribution::IndividualBusiness, 0);
        assert_eq!((r.members, r.trained), (4, 2));
        assert_eq!(r.permille(), Some(500));
        assert_eq!(Rate::default().permille(), None);
    }

    #[test]
    fn floating_members_meet_the_target_at_exactly_80_percent() {
        let rate = |members, trained| Rate { members, trained };
        assert!(rate(5, 4).met(Category::Floating));
        assert!(!rate(7, 5).met(Category::Floating), "71 % is short of 80 %");
        assert!(rate(10, 8).met(Category::Floating));
        assert!(!rate(10, 7).met(Category::Floating));
        assert!(rate(3, 3).met(Category::Affiliated));
        assert!(!rate(3, 2).met(Category::Affiliated));
        assert!(
            !rate(4, 3).met(Category::Local),
            "local members: every one at least once"
        );
        assert!(rate(0, 0).met(Category::Local));
    }
}
