//! The committee on the console's 考评 tab: the vanguard campaign, the grading ranking, the
//! 1–2 star members' help, and the 百日攻坚 campaign's cycles and rankings, on the demo.

use super::*;

/// The association committee follows the evaluations in the console (issue 16 item 7): this
/// year's vanguard campaign in its public notice with its open objection, last year's branch
/// grading ranked (a 较差 set outright), last year's members with one or two stars with
/// their talks and mentors, and the coverage campaign (百日攻坚) at day 45 with its township
/// and branch rankings and the township in last place listed for a talk.
#[tokio::test]
async fn the_committee_follows_campaigns_rankings_and_help_in_the_console() {
    let app = spawn_app().await;
    shuanglian::demo::generate(&app.state, shuanglian::demo::Preset::Small, 1)
        .await
        .expect("demo data");
    let pw = shuanglian::demo::DEMO_PASSWORD;
    let tok = app.sign_in(Some("330523"), "assoc.0009", pw).await;
    let year = chrono::Datelike::year(&shuanglian::clock::today());
    let last = year - 1;
    let (s, help) = send(app.get(
        &format!("/api/v1/evaluations/vanguard/{last}/entries?show=needs_help&limit=200"),
        &tok,
    ))
    .await;
    assert_eq!(s, 200, "{help}");
    let helped = help["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["mentor"].is_string())
        .expect("a member with a mentor")
        .clone();
    let name = helped["member_name"].as_str().expect("name").to_owned();

    let tui = Tmux::start(&[
        "--server",
        &app.base,
        "--tenant",
        "330523",
        "--user",
        "assoc.0009",
    ]);
    tui.wait_for(&["登录", "330523"]).await;
    tui.text(pw);
    tui.keys(&["Enter"]);
    tui.wait_for(&["1 网格", "5 考评"]).await;
    tui.keys(&["5"]);
    // This year's campaign first: in its notice, one objection still to answer.
    let s = tui
        .wait_for(&[
            &format!("{year}年度 党员先锋指数考评"),
            "公示中",
            "待答复 1",
            "考评名单",
            "一票否决",
            "5星",
        ])
        .await;
    assert!(s.contains(&last.to_string()), "last year's too: {s}");
    // - shows last year's, reported, with its stars and help.
    tui.keys(&["-"]);
    tui.wait_for(&[
        &format!("{last}年度 党员先锋指数考评"),
        "已上报",
        "需谈心帮扶",
    ])
    .await;
    // → last year's grading, ranked: every grade, a 较差 set outright.
    tui.keys(&["Right"]);
    let s = tui
        .wait_for(&[
            &format!("{last}年度 考评定级排名"),
            "较好",
            "一般",
            "较差·直接定级",
        ])
        .await;
    let first = s
        .lines()
        .find(|l| l.contains("│1 "))
        .unwrap_or_else(|| panic!("the first place is listed:\n{s}"));
    assert!(first.contains("好"), "{first}");
    // → the members with one or two stars, with their talk and mentor.
    tui.keys(&["Right"]);
    tui.wait_for(&["谈心谈话·结对帮扶（1–2星）", "支部书记"])
        .await;
    tui.wait_for_row(
        &name,
        &[
            helped["talk_on"].as_str().expect("talk"),
            helped["help_done_on"].as_str().expect("done"),
        ],
    )
    .await;

    // The coverage campaign as the API has it: day 45, cycles 1 and 2 issued, 3 current, and
    // the township in last place of cycle 3 listed for a talk.
    let (s, list) = send(app.get("/api/v1/evaluations/coverage", &tok)).await;
    assert_eq!(s, 200, "{list}");
    let campaign = &list["items"][0];
    assert_eq!(campaign["day"], 45, "{campaign}");
    assert_eq!(campaign["current_cycle"], 3, "{campaign}");
    let states: Vec<&str> = campaign["cycles"]
        .as_array()
        .expect("cycles")
        .iter()
        .take(3)
        .filter_map(|c| c["state"].as_str())
        .collect();
    assert_eq!(states, ["issued", "issued", "current"], "{campaign}");
    let id = campaign["id"].as_str().expect("id");
    let (s, report) =
        send(app.get(&format!("/api/v1/evaluations/coverage/{id}/cycles/3"), &tok)).await;
    assert_eq!(s, 200, "{report}");
    let last = report["laggards"]
        .as_array()
        .expect("laggards")
        .iter()
        .find(|l| {
            l["level"] == "township"
                && l["reasons"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|r| r["code"] == "last_place"))
        })
        .unwrap_or_else(|| panic!("a township in last place: {report}"));
    let last_name = last["name"].as_str().expect("name");
    // → 百日攻坚: the day, the cycles, the county's rates, this cycle's two rankings.
    tui.keys(&["Right"]);
    tui.wait_for(&[
        "第45/100天",
        "1 已通报",
        "2 已通报",
        "3 本轮",
        "摸底率",
        "党组织覆盖率",
        "党的工作覆盖率",
        "团组织覆盖率",
        "第3轮通报",
        "对比第2轮",
        "建议组建",
        "第3轮 乡镇（街道）排名",
        "第3轮 分会排名",
    ])
    .await;
    // Its row in the township ranking, and the line of those listed for a talk.
    tui.wait_for_row(last_name, &["│", "末位"]).await;
    let talks = report["laggards"].as_array().expect("laggards").len();
    tui.wait_for_row(&format!("约谈 {talks}："), &[last_name, "末位"])
        .await;
    // - the second cycle's report, issued; + back to the third.
    tui.keys(&["-"]);
    tui.wait_for(&["第2轮 乡镇（街道）排名", "对比第1轮"]).await;
    tui.keys(&["+"]);
    tui.wait_for(&["第3轮 乡镇（街道）排名", "未通报，数据实时"])
        .await;
    tui.wait_for_row(last_name, &["│", "末位"]).await;
    tui.keys(&["q"]);
}
