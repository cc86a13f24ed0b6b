use super::*;
use crate::sample;

fn k(c: KeyCode) -> KeyEvent {
    KeyEvent::from(c)
}

#[test]
fn the_campaigns_ask_for_last_years_grading_and_the_latest_final_campaigns_help() {
    let mut s = State::default();
    assert_eq!(s.calls(), vec![Call::Campaigns, Call::CoverageCampaigns]);
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
    assert_eq!(s.calls().len(), 4);
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
    assert_eq!(s.part, Part::Coverage);
    key(&mut s, k(KeyCode::Right));
    assert_eq!(s.part, Part::Vanguard, "round again");
    key(&mut s, k(KeyCode::Left));
    assert_eq!(s.part, Part::Coverage);
}

#[test]
fn grades_and_stars_in_words() {
    assert_eq!(grade(Lang::Zh, "较差", true), "较差·直接定级");
    assert_eq!(grade(Lang::En, "较差", true), "poor (outright)");
    assert_eq!(grade(Lang::En, "较好", false), "fairly good");
    assert_eq!(stars(Lang::Zh, Some(2)), "2星");
    assert_eq!(stars(Lang::En, None), "—");
}

fn report_call(cycle: u32) -> Call {
    Call::CoverageReport {
        id: "cov1".into(),
        cycle,
    }
}

#[test]
fn the_coverage_campaign_asks_for_its_current_cycles_report_once() {
    let mut s = State::default();
    let calls = coverage_loaded(&mut s, sample::coverage_campaigns());
    assert_eq!(calls, vec![report_call(3)], "day 45: the third cycle");
    assert!(s.calls().contains(&report_call(3)), "a reload asks again");
    assert!(coverage_loaded(&mut s, sample::coverage_campaigns()).is_empty());
    // An answer for another cycle is dropped; the shown one fills both rankings.
    coverage_report_loaded(&mut s, "cov1", 2, sample::coverage_report());
    assert!(s.coverage.report.is_none());
    coverage_report_loaded(&mut s, "cov1", 3, sample::coverage_report());
    assert_eq!(s.coverage.townships.items.len(), 9);
    assert_eq!(s.coverage.branches.items.len(), 5);
    let r = s.coverage.report.as_ref().expect("report");
    assert!(r.townships.is_empty(), "the rows live in the lists");
    assert_eq!(r.laggards.len(), 2);
    // A refused report is said in the part, a refusal of another cycle is not.
    refused(&mut s, &report_call(2), "no".into());
    assert!(s.coverage.report_error.is_none());
    refused(&mut s, &report_call(3), "no".into());
    assert_eq!(s.coverage.report_error.as_deref(), Some("no"));
    refused(&mut s, &Call::CoverageCampaigns, "gone".into());
    assert_eq!(s.coverage.error.as_deref(), Some("gone"));
    assert!(s.coverage.loaded);
}

#[test]
fn no_report_is_asked_for_before_a_campaign_begins_and_the_last_cycle_once_it_is_over() {
    let mut s = State::default();
    assert!(coverage_loaded(&mut s, Vec::new()).is_empty());
    assert!(s.coverage.loaded && s.coverage.showing.is_none());
    let mut before = sample::coverage_campaigns();
    for c in &mut before[0].cycles {
        c.state = "upcoming".into();
        c.issued_on = None;
    }
    before[0].current_cycle = None;
    before[0].day = 0;
    assert!(coverage_loaded(&mut s, before).is_empty());
    let mut over = sample::coverage_campaigns();
    for c in &mut over[0].cycles {
        c.state = if c.cycle == 7 { "overdue" } else { "issued" }.into();
    }
    over[0].current_cycle = Some(7);
    over[0].day = 120;
    assert_eq!(coverage_loaded(&mut s, over), vec![report_call(7)]);
}

#[test]
fn keys_step_through_the_cycles_begun_and_move_between_the_rankings() {
    let mut s = State::default();
    coverage_loaded(&mut s, sample::coverage_campaigns());
    coverage_report_loaded(&mut s, "cov1", 3, sample::coverage_report());
    s.part = Part::Coverage;
    // + goes no further than the current cycle; - back to the first, its rows gone meanwhile.
    assert_eq!(key(&mut s, k(KeyCode::Char('+'))), Action::None);
    assert_eq!(
        key(&mut s, k(KeyCode::Char('-'))),
        Action::Calls(vec![report_call(2)])
    );
    assert!(s.coverage.townships.items.is_empty() && s.coverage.report.is_none());
    key(&mut s, k(KeyCode::Char('-')));
    assert_eq!(key(&mut s, k(KeyCode::Char('-'))), Action::None);
    assert_eq!(s.coverage.showing, Some(("cov1".into(), 1)));
    assert_eq!(
        key(&mut s, k(KeyCode::Char('='))),
        Action::Calls(vec![report_call(2)])
    );
    coverage_report_loaded(&mut s, "cov1", 2, sample::coverage_report());
    // ↓ moves in the townships; t takes the cursor to the branches and back.
    key(&mut s, k(KeyCode::Down));
    assert_eq!(s.coverage.townships.sel, 1);
    key(&mut s, k(KeyCode::Char('t')));
    assert_eq!(s.coverage.ranking, Ranking::Branches);
    key(&mut s, k(KeyCode::Char('G')));
    assert_eq!(s.coverage.branches.sel, 4);
    assert_eq!(s.coverage.townships.sel, 1);
    // / filters the ranking with the cursor, and takes `t` meanwhile.
    key(&mut s, k(KeyCode::Char('/')));
    assert!(s.filtering());
    for c in "递铺t".chars() {
        key(&mut s, k(KeyCode::Char(c)));
    }
    assert_eq!(s.coverage.ranking, Ranking::Branches);
    assert_eq!(s.coverage.branches.filter, "递铺t");
    key(&mut s, k(KeyCode::Backspace));
    key(&mut s, k(KeyCode::Enter));
    assert_eq!(s.coverage.branches.view.len(), 1);
    key(&mut s, k(KeyCode::Char('t')));
    assert_eq!(s.coverage.ranking, Ranking::Townships);
    assert_eq!(
        s.coverage.townships.view.len(),
        9,
        "each ranking its own filter"
    );
}

#[test]
fn lag_reasons_and_cycle_states_in_words() {
    assert_eq!(
        coverage::reason(Lang::Zh, "survey_stalled", "调查摸底未完成"),
        "迟缓"
    );
    assert_eq!(coverage::reason(Lang::En, "last_place", "排在末位"), "last");
    assert_eq!(coverage::reason(Lang::En, "new_one", "新的"), "新的");
    for st in CYCLE_STATES {
        let (word, _) = coverage::cycle_state(Lang::En, st);
        assert_eq!(word.is_empty(), st == "upcoming", "{st}");
    }
}
