//! The statistics screens through `update`: the county admin's tab 9 (compute, review, freeze
//! at the version shown, a frozen period's reason, the server's 409 in the status line) and the
//! provincial office's 全省统计 (its only tab; ←/→ step the periods).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;
use shuanglian_tui::api::ApiError;
use shuanglian_tui::api::types::{Problem, ProvinceStatistics, ProvinceTrends, StatPeriod};
use shuanglian_tui::app::{Call, Cmd, Model, Msg, Reply, Tab, update};
use shuanglian_tui::i18n::Lang;
use shuanglian_tui::sample;

fn key(m: &mut Model, code: KeyCode) -> Vec<Call> {
    calls(update(m, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))))
}

fn calls(cmds: Vec<Cmd>) -> Vec<Call> {
    cmds.into_iter()
        .filter_map(|c| match c {
            Cmd::Call(c) => Some(c),
            _ => None,
        })
        .collect()
}

fn periods() -> Vec<StatPeriod> {
    serde_json::from_value(json!([
        { "period": "2026H2", "label": "2026年下半年", "cutoff": "2026-12-31", "over": false,
          "revisions": [] },
        { "period": "2026H1", "label": "2026年上半年", "cutoff": "2026-06-30", "over": true,
          "revisions": [] },
        { "period": "2025H2", "label": "2025年下半年", "cutoff": "2025-12-31", "over": true,
          "revisions": [{ "revision": 1, "state": "frozen", "state_label": "已冻结",
            "computed_at": "2026-01-05T02:00:00Z", "version": 3 }] }
    ]))
    .expect("periods")
}

#[test]
fn the_statistics_tabs_by_role() {
    assert_eq!(Tab::for_role("county_admin").get(8), Some(&Tab::Statistics));
    assert!(Tab::for_role("association_committee").contains(&Tab::Statistics));
    assert!(!Tab::for_role("branch_staff").contains(&Tab::Statistics));
    assert_eq!(Tab::for_role("provincial_office"), vec![Tab::Province]);
    assert!(Tab::for_role("platform_operator").contains(&Tab::Province));
}

#[test]
fn the_county_admin_computes_reviews_and_freezes_a_period() {
    let mut m = sample::model(Lang::Zh, "county_admin", Tab::Statistics);
    update(
        &mut m,
        Msg::Reply(Call::StatPeriods, Ok(Reply::StatPeriods(periods()))),
    );
    // ↓ to 2026H1: nothing computed, nothing to read.
    assert!(key(&mut m, KeyCode::Down).is_empty());
    assert_eq!(
        key(&mut m, KeyCode::Char('c')),
        vec![Call::StatCompute {
            period: "2026H1".into(),
            reason: None
        }]
    );
    // The server's refusal, in Chinese in the status line.
    update(
        &mut m,
        Msg::Reply(
            Call::StatCompute {
                period: "2026H1".into(),
                reason: None,
            },
            Err(ApiError::Problem(Problem {
                status: 409,
                code: "period_not_over".into(),
                detail: "统计截止日之后才能生成该期统计".into(),
                detail_en: "A period is computed after its cut-off".into(),
                ..Problem::default()
            })),
        ),
    );
    assert_eq!(m.error.as_deref(), Some("统计截止日之后才能生成该期统计"));
    // ↓ to the frozen 2025H2: r reviews (not a reload) at its version; F asks, y freezes.
    let got = key(&mut m, KeyCode::Down);
    assert_eq!(
        got,
        vec![Call::StatSnapshot {
            period: "2025H2".into()
        }]
    );
    assert_eq!(
        key(&mut m, KeyCode::Char('r')),
        vec![Call::StatAdvance {
            period: "2025H2".into(),
            verb: "review",
            version: 3
        }]
    );
    assert!(key(&mut m, KeyCode::Char('F')).is_empty());
    assert!(m.statistics.confirm);
    assert_eq!(
        key(&mut m, KeyCode::Char('y')),
        vec![Call::StatAdvance {
            period: "2025H2".into(),
            verb: "freeze",
            version: 3
        }]
    );
    // Any other key cancels.
    key(&mut m, KeyCode::Char('F'));
    assert!(key(&mut m, KeyCode::Char('n')).is_empty());
    assert!(!m.statistics.confirm);
    // c on a frozen period asks for the reason of the new revision.
    assert!(key(&mut m, KeyCode::Char('c')).is_empty());
    assert!(m.modal.is_some());
    for c in "更正".chars() {
        key(&mut m, KeyCode::Char(c));
    }
    assert_eq!(
        key(&mut m, KeyCode::F(2)),
        vec![Call::StatCompute {
            period: "2025H2".into(),
            reason: Some("更正".into())
        }]
    );
}

#[test]
fn the_provincial_office_steps_through_the_periods() {
    let mut m = sample::model(Lang::Zh, "provincial_office", Tab::Province);
    let stats: ProvinceStatistics = serde_json::from_value(json!({
        "province_code": "330000", "period": "2026H1", "label": "2026年上半年", "min_cell": 3,
        "counties": [{ "code": "330523", "name": "安吉县", "revision": 1 }], "frozen": 1,
        "tables": [], "rankings": []
    }))
    .expect("stats");
    let trends: ProvinceTrends = serde_json::from_value(json!({
        "province_code": "330000",
        "periods": [
            { "period": "2025H2", "label": "2025年下半年", "frozen": 1, "rankings": [] },
            { "period": "2026H1", "label": "2026年上半年", "frozen": 1, "rankings": [] }
        ]
    }))
    .expect("trends");
    let none = Call::ProvinceStatistics {
        province: None,
        period: None,
    };
    update(
        &mut m,
        Msg::Reply(none, Ok(Reply::ProvinceStatistics(stats))),
    );
    update(
        &mut m,
        Msg::Reply(
            Call::ProvinceTrends { province: None },
            Ok(Reply::ProvinceTrends(trends)),
        ),
    );
    assert!(key(&mut m, KeyCode::Right).is_empty(), "no later period");
    assert_eq!(
        key(&mut m, KeyCode::Left),
        vec![Call::ProvinceStatistics {
            province: None,
            period: Some("2025H2".into())
        }]
    );
}
