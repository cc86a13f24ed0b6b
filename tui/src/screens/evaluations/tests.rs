use super::*;
use crate::sample;

fn k(c: KeyCode) -> KeyEvent {
    KeyEvent::from(c)
}

#[test]
fn the_campaigns_ask_for_last_years_grading_and_the_latest_final_campaigns_help() {
    let mut s = State::default();
    assert_eq!(s.calls(), vec![Call::Campaigns]);
    let calls = campaigns_loaded(&mut s, sample::campaigns());
    assert_eq!(
        calls,
        vec![
            Call::BranchEvaluations { year: Some(2025) },
            Call::VanguardEntries {
                year: 2025,
                show: "needs_help".into()
            }
        ],
        "last year by the server's day; the 2026 campaign is still in its notice"
    );
    assert_eq!(s.campaign().map(|c| c.year), Some(2026), "the latest first");
    // A reload asks again for what is shown, and the campaigns' answer adds nothing.
    assert_eq!(s.calls().len(), 3);
    assert!(campaigns_loaded(&mut s, sample::campaigns()).is_empty());
}

#[test]
fn without_the_servers_day_the_servers_default_year_is_asked_for() {
    let mut s = State::default();
    let mut l = sample::campaigns();
    l.today = None;
    l.items.clear();
    let calls = campaigns_loaded(&mut s, l);
    assert_eq!(calls, vec![Call::BranchEvaluations { year: None }]);
    assert!(s.help.loaded, "nothing final: an empty list, not a spinner");
    branches_loaded(&mut s, None, sample::branch_ranking());
    assert_eq!(
        s.branches_year,
        Some(2025),
        "the year the server answered for"
    );
}

#[test]
fn answers_for_another_year_are_dropped() {
    let mut s = State::default();
    campaigns_loaded(&mut s, sample::campaigns());
    branches_loaded(&mut s, Some(2024), sample::branch_ranking());
    assert!(s.branches.is_none());
    branches_loaded(&mut s, Some(2025), sample::branch_ranking());
    assert_eq!(s.ranking.items.len(), 5);
    assert_eq!(s.branches.as_ref().map(|b| b.assessed), Some(5));
    help_loaded(&mut s, 2026, sample::needs_help());
    assert!(s.help.items.is_empty());
    help_loaded(&mut s, 2025, sample::needs_help());
    assert_eq!(s.help.items.len(), 3);
}

#[test]
fn keys_switch_parts_and_move_the_year() {
    let mut s = State::default();
    campaigns_loaded(&mut s, sample::campaigns());
    branches_loaded(&mut s, Some(2025), sample::branch_ranking());
    // The campaigns: - shows last year's, + this year's again, no further.
    assert_eq!(key(&mut s, k(KeyCode::Char('-'))), Action::None);
    assert_eq!(s.campaign().map(|c| c.year), Some(2025));
    key(&mut s, k(KeyCode::Char('-')));
    assert_eq!(s.campaign().map(|c| c.year), Some(2025), "the oldest");
    key(&mut s, k(KeyCode::Char('+')));
    key(&mut s, k(KeyCode::Char('+')));
    assert_eq!(s.campaign().map(|c| c.year), Some(2026));
    // The grading: - asks for the year before, + comes back, not past the server's year.
    key(&mut s, k(KeyCode::Right));
    assert_eq!(s.part, Part::Branches);
    assert_eq!(
        key(&mut s, k(KeyCode::Char('-'))),
        Action::Calls(vec![Call::BranchEvaluations { year: Some(2024) }])
    );
    assert!(s.ranking.items.is_empty(), "no other year's rows meanwhile");
    key(&mut s, k(KeyCode::Char('+')));
    assert_eq!(
        key(&mut s, k(KeyCode::Char('+'))),
        Action::Calls(vec![Call::BranchEvaluations { year: Some(2026) }])
    );
    assert_eq!(key(&mut s, k(KeyCode::Char('+'))), Action::None);
    // / filters the ranking and takes every key meanwhile.
    branches_loaded(&mut s, Some(2026), sample::branch_ranking());
    key(&mut s, k(KeyCode::Char('/')));
    assert!(s.filtering());
    for c in "较差".chars() {
        key(&mut s, k(KeyCode::Char(c)));
    }
    assert_eq!(s.ranking.view.len(), 2);
    key(&mut s, k(KeyCode::Enter));
    assert!(!s.filtering());
    key(&mut s, k(KeyCode::Char(']')));
    assert_eq!(s.part, Part::Help);
    assert_eq!(key(&mut s, k(KeyCode::Char('-'))), Action::None);
    key(&mut s, k(KeyCode::Right));
    assert_eq!(s.part, Part::Vanguard, "round again");
    key(&mut s, k(KeyCode::Left));
    assert_eq!(s.part, Part::Help);
}

#[test]
fn grades_and_stars_in_words() {
    assert_eq!(grade(Lang::Zh, "较差", true), "较差·直接定级");
    assert_eq!(grade(Lang::En, "较差", true), "poor (outright)");
    assert_eq!(grade(Lang::En, "较好", false), "fairly good");
    assert_eq!(stars(Lang::Zh, Some(2)), "2星");
    assert_eq!(stars(Lang::En, None), "—");
}
