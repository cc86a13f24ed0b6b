//! The dashboard's counts come from tallies that triggers keep beside the obligations (issue 18).
//! They must stay exact: after random sequences of opens, closes, withdrawals and moves (owner,
//! due day, reopening), every count the dashboard shows equals a full recount of the
//! obligations, for several days and filters, and one county's tallies never reach another's.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use serde_json::Value;
use shuanglian::db::Mode;
use shuanglian::db::schema::obligations as o;
use shuanglian::deadlines::{self, NewObligation, ObligationKind, Period};
use shuanglian::enums::StrEnum as _;
use shuanglian::tenant::TenantId;
use shuanglian_tests::{TestApp, send, spawn_app};

/// A small deterministic generator (xorshift64*): the seed is printed, so a failure replays.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

const KINDS: [ObligationKind; 3] = [
    ObligationKind::TwoWayReporting,
    ObligationKind::QuarterlyFiling,
    ObligationKind::FloatingFeedback,
];

type Counts = BTreeMap<(String, String), (i64, i64, i64)>;

type Row = (String, String, NaiveDate, bool);

/// Every obligation of the county: owner, kind, due day, met.
async fn rows(app: &TestApp, tid: &TenantId) -> Vec<Row> {
    app.state
        .db
        .tenant(tid.clone(), Mode::Read, move |tx| {
            let t = tx.tid().to_owned();
            let rows: Vec<(String, String, NaiveDate, Option<chrono::NaiveDateTime>)> = o::table
                .filter(o::tenant_id.eq(t))
                .select((o::owner_org_unit_id, o::kind, o::due_on, o::done_at))
                .load(tx.conn())?;
            Ok(rows
                .into_iter()
                .map(|(a, b, c, d)| (a, b, c, d.is_some()))
                .collect())
        })
        .await
        .expect("the county's obligations")
}

/// (owner, kind) → (due, overdue, done) on `as_of` over the rows `keep` selects: the recount.
fn count(rows: &[Row], as_of: NaiveDate, keep: impl Fn(&Row) -> bool) -> Counts {
    let mut out = Counts::new();
    for r in rows.iter().filter(|r| keep(r)) {
        let e = out.entry((r.0.clone(), r.1.clone())).or_default();
        if r.3 {
            e.2 += 1;
        } else if r.2 < as_of {
            e.1 += 1;
        } else {
            e.0 += 1;
        }
    }
    out
}

async fn shown(app: &TestApp, tok: &str, query: &str) -> (Counts, (i64, i64, i64)) {
    let (s, v) = send(app.get(
        &format!("/api/v1/deadlines?limit=1&owners=1000&{query}"),
        tok,
    ))
    .await;
    assert_eq!(s, 200, "{query}: {v}");
    assert_eq!(
        v["by_owner_total"].as_u64(),
        v["by_owner"].as_array().map(|a| a.len() as u64),
        "{v}"
    );
    let n = |v: &Value, k: &str| v[k].as_i64().expect("a count");
    let mut out = Counts::new();
    for r in v["by_owner"].as_array().expect("by_owner") {
        let key = (
            r["owner_org_unit_id"].as_str().expect("owner").to_owned(),
            r["kind"].as_str().expect("kind").to_owned(),
        );
        let was = out.insert(key, (n(r, "due"), n(r, "overdue"), n(r, "done")));
        assert!(was.is_none(), "one line per owner and kind: {v}");
    }
    let s = &v["summary"];
    (out, (n(s, "due"), n(s, "overdue"), n(s, "done")))
}

#[tokio::test]
async fn dashboard_counts_equal_a_full_recount_after_random_opens_closes_withdrawals_and_moves() {
    let app = spawn_app().await;
    let a = app.county("330501", "吴兴区").await;
    let b = app.county("330502", "南浔区").await;
    let tid = TenantId::parse(&a.id).expect("a tenant id");
    let town = app.org_unit(&a, "township", "八里店镇", None).await;
    let mut owners = vec![town.clone()];
    for name in ["南庄村", "尹家圩村", "潘店村"] {
        owners.push(app.org_unit(&a, "village", name, Some(&town)).await);
    }
    // The other county: its own obligations, which must never show in the first one's counts.
    let b_town = app.org_unit(&b, "township", "练市镇", None).await;
    let b_tid = TenantId::parse(&b.id).expect("a tenant id");
    app.state
        .db
        .tenant(b_tid, Mode::Write, move |tx| {
            for i in 0..7 {
                deadlines::open(
                    tx,
                    NewObligation {
                        kind: ObligationKind::TwoWayReporting,
                        period: Period::Anchored,
                        subject_type: "handbook",
                        subject_id: &format!("b-{i}"),
                        owner_org_unit_id: &b_town,
                        member_id: None,
                        title: "双向报到".into(),
                        due_on: NaiveDate::from_ymd_opt(2026, 6, 1).expect("a day"),
                    },
                )?;
            }
            Ok(())
        })
        .await
        .expect("county b's obligations");

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_nanos() as u64
        | 1;
    println!("seed {seed}");
    let mut rng = Rng(seed);
    let day0 = NaiveDate::from_ymd_opt(2026, 6, 1).expect("a day");
    let days: Vec<NaiveDate> = (0..6).map(|i| day0 + Duration::days(i * 3)).collect();
    for round in 0..8 {
        // A batch of random operations in one transaction, as a workflow's request would be.
        let ops: Vec<(usize, usize, usize, usize, usize)> = (0..25)
            .map(|_| {
                (
                    rng.below(6),
                    rng.below(KINDS.len()),
                    rng.below(12),
                    rng.below(owners.len()),
                    rng.below(days.len()),
                )
            })
            .collect();
        let (owners_, days_) = (owners.clone(), days.clone());
        app.state
            .db
            .tenant(tid.clone(), Mode::Write, move |tx| {
                for (op, k, subject, owner, day) in ops {
                    let kind = KINDS[k];
                    let subject_id = format!("s-{subject}");
                    match op {
                        0 | 1 => {
                            deadlines::open(
                                tx,
                                NewObligation {
                                    kind,
                                    period: Period::Anchored,
                                    subject_type: "test",
                                    subject_id: &subject_id,
                                    owner_org_unit_id: &owners_[owner],
                                    member_id: None,
                                    title: "测试".into(),
                                    due_on: days_[day],
                                },
                            )?;
                        }
                        2 => {
                            deadlines::close(tx, kind, &subject_id, Period::Anchored, "tester")?;
                        }
                        3 => {
                            deadlines::withdraw(tx, kind, &subject_id, Period::Anchored)?;
                        }
                        4 => {
                            // A moved obligation (another owner, another day): both tallies move.
                            let t = tx.tid().to_owned();
                            diesel::update(
                                o::table
                                    .filter(o::tenant_id.eq(t))
                                    .filter(o::kind.eq(kind.as_str()))
                                    .filter(o::subject_id.eq(&subject_id)),
                            )
                            .set((
                                o::owner_org_unit_id.eq(&owners_[owner]),
                                o::due_on.eq(days_[day]),
                            ))
                            .execute(tx.conn())?;
                        }
                        _ => {
                            // Reopened (a met obligation set back), and the overdue stamp alone.
                            let t = tx.tid().to_owned();
                            diesel::update(
                                o::table
                                    .filter(o::tenant_id.eq(t))
                                    .filter(o::kind.eq(kind.as_str()))
                                    .filter(o::subject_id.eq(&subject_id)),
                            )
                            .set((
                                o::done_at.eq(None::<chrono::NaiveDateTime>),
                                o::overdue_since.eq(Some(days_[day])),
                            ))
                            .execute(tx.conn())?;
                        }
                    }
                }
                Ok(())
            })
            .await
            .expect("a batch of operations");

        let all = rows(&app, &tid).await;
        for as_of in [days[0], days[2], days[5] + Duration::days(1)] {
            for kind in [None, Some("quarterly_filing")] {
                let want = count(&all, as_of, |r| kind.is_none_or(|k| r.1 == k));
                let q = match kind {
                    Some(k) => format!("as_of={as_of}&kind={k}"),
                    None => format!("as_of={as_of}"),
                };
                let (got, summary) = shown(&app, &a.admin_token, &q).await;
                assert_eq!(got, want, "seed {seed}, round {round}, {q}");
                let total = want
                    .values()
                    .fold((0, 0, 0), |s, c| (s.0 + c.0, s.1 + c.1, s.2 + c.2));
                assert_eq!(summary, total, "seed {seed}, round {round}, {q}");
            }
        }
        // A due-day window, and one village's subtree, from the same tallies.
        let (from, to) = (days[1], days[3]);
        let q = format!("as_of={}&from={from}&to={to}", days[2]);
        let (got, _) = shown(&app, &a.admin_token, &q).await;
        let want = count(&all, days[2], |r| r.2 >= from && r.2 <= to);
        assert_eq!(got, want, "seed {seed}, round {round}, {q}");
        let q = format!("as_of={}&org_unit_id={}", days[2], owners[1]);
        let (got, _) = shown(&app, &a.admin_token, &q).await;
        let want = count(&all, days[2], |r| r.0 == owners[1]);
        assert_eq!(got, want, "seed {seed}, round {round}, {q}");
    }
    // By default a screen gets the most overdue lines first, and how many there are in all.
    let as_of = days[5] + Duration::days(1);
    let all = count(&rows(&app, &tid).await, as_of, |_| true);
    let (s, v) = send(app.get(
        &format!("/api/v1/deadlines?owners=1&as_of={as_of}"),
        &a.admin_token,
    ))
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["by_owner_total"].as_u64(), Some(all.len() as u64), "{v}");
    let top = v["by_owner"].as_array().expect("by_owner");
    assert_eq!(top.len(), 1.min(all.len()), "{v}");
    let most = all.values().map(|c| c.1).max().unwrap_or(0);
    assert_eq!(
        top.first()
            .map_or(0, |l| l["overdue"].as_i64().expect("a count")),
        most
    );
    let (s, v) = send(app.get("/api/v1/deadlines?owners=1001", &a.admin_token)).await;
    assert_eq!(s, 400, "{v}");

    // The other county sees only its own seven, whatever the first county did.
    let (got, summary) = shown(&app, &b.admin_token, "as_of=2026-06-01").await;
    assert_eq!(summary, (7, 0, 0));
    assert_eq!(got.len(), 1, "{got:?}");
}
