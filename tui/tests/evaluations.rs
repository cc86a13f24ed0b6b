//! The evaluations tab (考评) through `update`, fed key events: who has it, what it loads and
//! in which order, and where a refusal is said. No terminal, no server.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use shuanglian_tui::api::ApiError;
use shuanglian_tui::api::types::Problem;
use shuanglian_tui::app::{Call, Cmd, Model, Msg, Reply, Tab, update};
use shuanglian_tui::i18n::Lang;
use shuanglian_tui::sample;

fn key(m: &mut Model, code: KeyCode) -> Vec<Cmd> {
    update(m, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typ(m: &mut Model, s: &str) {
    for c in s.chars() {
        key(m, KeyCode::Char(c));
    }
}

fn problem(status: u16, code: &str, zh: &str, en: &str) -> ApiError {
    ApiError::Problem(Problem {
        status,
        code: code.into(),
        detail: zh.into(),
        detail_en: en.into(),
        ..Problem::default()
    })
}

#[test]
fn the_evaluations_tab_is_the_committees_and_the_branch_staffs() {
    for role in ["association_committee", "branch_staff"] {
        assert_eq!(
            Tab::for_role(role).get(4),
            Some(&Tab::Evaluations),
            "{role}: after the requests, as 5"
        );
    }
    for role in ["county_admin", "aic_recorder", "platform_operator"] {
        assert!(!Tab::for_role(role).contains(&Tab::Evaluations), "{role}");
    }
}

#[test]
fn the_evaluations_tab_loads_progress_then_last_years_grading_and_the_help_list() {
    use shuanglian_tui::screens::evaluations::Part;
    let mut m = sample::model(Lang::Zh, "association_committee", Tab::Grids);
    let cmds = key(&mut m, KeyCode::Char('5'));
    assert_eq!(m.current(), Some(Tab::Evaluations));
    assert_eq!(
        cmds,
        vec![
            Cmd::Call(Call::Campaigns),
            Cmd::Call(Call::CoverageCampaigns)
        ]
    );
    // The campaigns' answer (the server's today 2026-12-07) asks for the rest.
    let cmds = update(
        &mut m,
        Msg::Reply(Call::Campaigns, Ok(Reply::Campaigns(sample::campaigns()))),
    );
    let grading = Call::BranchEvaluations { year: Some(2025) };
    let help = Call::VanguardEntries {
        year: 2025,
        show: "needs_help".into(),
    };
    assert_eq!(
        cmds,
        vec![Cmd::Call(grading.clone()), Cmd::Call(help.clone())]
    );
    assert_eq!(m.pending, 3);
    // The coverage campaigns' answer asks for the current cycle's report.
    let report = Call::CoverageReport {
        id: "cov1".into(),
        cycle: 3,
    };
    let cmds = update(
        &mut m,
        Msg::Reply(
            Call::CoverageCampaigns,
            Ok(Reply::CoverageCampaigns(sample::coverage_campaigns())),
        ),
    );
    assert_eq!(cmds, vec![Cmd::Call(report.clone())]);
    update(
        &mut m,
        Msg::Reply(
            report.clone(),
            Ok(Reply::CoverageReport(sample::coverage_report())),
        ),
    );
    update(
        &mut m,
        Msg::Reply(
            grading.clone(),
            Ok(Reply::BranchEvaluations(sample::branch_ranking())),
        ),
    );
    update(
        &mut m,
        Msg::Reply(
            help.clone(),
            Ok(Reply::VanguardEntries(sample::needs_help())),
        ),
    );
    assert_eq!(m.pending, 0);
    assert_eq!(m.evaluations.ranking.items.len(), 5);
    assert_eq!(m.evaluations.help.items.len(), 3);
    assert_eq!(m.evaluations.coverage.townships.items.len(), 9);

    // r reloads every part; switching away and back asks for nothing.
    assert_eq!(
        key(&mut m, KeyCode::Char('r')),
        vec![
            Cmd::Call(Call::Campaigns),
            Cmd::Call(Call::CoverageCampaigns),
            Cmd::Call(grading.clone()),
            Cmd::Call(help),
            Cmd::Call(report)
        ]
    );
    m.pending = 0;
    key(&mut m, KeyCode::Char('1'));
    assert!(key(&mut m, KeyCode::Char('5')).is_empty());

    // → the grading; - the year before; `q` typed into the filter does not quit.
    key(&mut m, KeyCode::Right);
    assert_eq!(m.evaluations.part, Part::Branches);
    assert_eq!(
        key(&mut m, KeyCode::Char('-')),
        vec![Cmd::Call(Call::BranchEvaluations { year: Some(2024) })]
    );
    // The late answer for 2025 is not shown under 2024.
    update(
        &mut m,
        Msg::Reply(
            grading,
            Ok(Reply::BranchEvaluations(sample::branch_ranking())),
        ),
    );
    assert!(m.evaluations.ranking.items.is_empty());
    key(&mut m, KeyCode::Char('/'));
    typ(&mut m, "q");
    assert!(!m.quit);
    key(&mut m, KeyCode::Esc);
}

#[test]
fn a_refused_evaluation_read_is_said_in_its_part() {
    let mut m = sample::model(Lang::En, "branch_staff", Tab::Evaluations);
    update(
        &mut m,
        Msg::Reply(Call::Campaigns, Ok(Reply::Campaigns(sample::campaigns()))),
    );
    let grading = Call::BranchEvaluations { year: Some(2025) };
    update(
        &mut m,
        Msg::Reply(
            grading,
            Err(problem(403, "forbidden", "无权访问", "Not allowed")),
        ),
    );
    assert_eq!(m.evaluations.branches_error.as_deref(), Some("Not allowed"));
    assert!(m.evaluations.campaigns_error.is_none());
    update(
        &mut m,
        Msg::Reply(
            Call::Campaigns,
            Err(problem(403, "forbidden", "无权访问", "Not allowed")),
        ),
    );
    assert_eq!(
        m.evaluations.campaigns_error.as_deref(),
        Some("Not allowed")
    );
    assert!(m.evaluations.loaded, "switching back does not ask again");
    update(
        &mut m,
        Msg::Reply(
            Call::CoverageCampaigns,
            Err(problem(403, "forbidden", "无权访问", "Not allowed")),
        ),
    );
    assert_eq!(m.evaluations.coverage.error.as_deref(), Some("Not allowed"));
    assert!(m.evaluations.coverage.loaded);
}
