//! Flows through `update`, fed key events: what the model becomes and which API calls it asks
//! for. No terminal, no server.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use shuanglian_tui::api::ApiError;
use shuanglian_tui::api::types::{Problem, SheetKind};
use shuanglian_tui::app::{Call, Cmd, Model, Msg, Reply, Stage, Tab, update};
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
fn sign_in_sends_what_was_typed_and_asks_for_the_code_when_needed() {
    let mut m = Model::new("http://127.0.0.1:8080", Lang::Zh);
    key(&mut m, KeyCode::Tab);
    typ(&mut m, "330523");
    key(&mut m, KeyCode::Tab);
    typ(&mut m, "admin");
    key(&mut m, KeyCode::Tab);
    typ(&mut m, "pw-secret");
    let cmds = key(&mut m, KeyCode::Enter);
    let Some(Cmd::Call(Call::SignIn(req))) = cmds.first() else {
        panic!("expected a sign-in call, got {cmds:?}");
    };
    assert_eq!(req.tenant_code.as_deref(), Some("330523"));
    assert_eq!(req.username, "admin");
    assert_eq!(req.password, "pw-secret");
    assert_eq!(m.pending, 1, "the loading indicator runs");

    let call = Call::SignIn(req.clone());
    update(
        &mut m,
        Msg::Reply(
            call,
            Err(problem(
                401,
                "totp_required",
                "请填写动态码",
                "Send the code",
            )),
        ),
    );
    assert_eq!(m.pending, 0);
    assert_eq!(m.signin.form.fields.len(), 5, "a TOTP field appears");
    assert_eq!(m.signin.form.focus, 4);
    assert_eq!(m.signin.form.error.as_deref(), Some("请填写动态码"));
    typ(&mut m, "123456");
    let cmds = key(&mut m, KeyCode::Enter);
    assert!(
        matches!(cmds.first(), Some(Cmd::Call(Call::SignIn(r))) if r.totp_code.as_deref() == Some("123456")),
        "{cmds:?}"
    );
}

#[test]
fn first_sign_in_leads_to_the_password_change() {
    let mut m = Model::new("http://x", Lang::En);
    let call = Call::SignIn(Default::default());
    let cmds = update(
        &mut m,
        Msg::Reply(
            call,
            Ok(Reply::SignedIn(
                shuanglian_tui::api::types::SignInResponse {
                    token: "tok".into(),
                    must_change_password: true,
                },
            )),
        ),
    );
    assert_eq!(cmds, vec![Cmd::SaveToken("tok".into())]);
    assert_eq!(m.stage, Stage::ChangePassword);
    typ(&mut m, "old-password");
    key(&mut m, KeyCode::Tab);
    typ(&mut m, "new-password-1");
    key(&mut m, KeyCode::Tab);
    typ(&mut m, "new-password-2");
    let cmds = key(&mut m, KeyCode::Enter);
    assert!(cmds.is_empty(), "mismatched passwords are not sent");
    assert!(m.signin.change.error.is_some());
    for _ in 0..14 {
        key(&mut m, KeyCode::Backspace);
    }
    typ(&mut m, "new-password-1");
    let cmds = key(&mut m, KeyCode::Enter);
    assert!(
        matches!(cmds.first(), Some(Cmd::Call(Call::ChangePassword { new, .. })) if new == "new-password-1"),
        "{cmds:?}"
    );
}

#[test]
fn slash_filters_a_list_and_escape_clears_it() {
    let mut m = sample::model(Lang::Zh, "platform_operator", Tab::Counties);
    shuanglian_tui::screens::counties::loaded(&mut m.counties, sample::tenants(12));
    assert_eq!(m.counties.list.view.len(), 12);
    key(&mut m, KeyCode::Char('/'));
    typ(&mut m, "长兴");
    assert_eq!(m.counties.list.view.len(), 2);
    // While filtering, letters are text, not commands.
    typ(&mut m, "q");
    assert!(!m.quit);
    assert_eq!(m.counties.list.view.len(), 0);
    key(&mut m, KeyCode::Esc);
    assert_eq!(m.counties.list.view.len(), 12);
    key(&mut m, KeyCode::Down);
    key(&mut m, KeyCode::Down);
    assert_eq!(m.counties.list.sel, 2);
}

#[test]
fn help_opens_with_question_mark_and_any_key_closes_it() {
    let mut m = sample::model(Lang::En, "county_admin", Tab::Grids);
    key(&mut m, KeyCode::Char('?'));
    assert!(m.help);
    key(&mut m, KeyCode::Char('x'));
    assert!(!m.help);
}

#[test]
fn switching_screens_loads_them_once() {
    let mut m = sample::model(Lang::Zh, "county_admin", Tab::Grids);
    let cmds = key(&mut m, KeyCode::Char('2'));
    assert_eq!(m.current(), Some(Tab::Rosters));
    assert_eq!(cmds, vec![Cmd::Call(Call::Groups)]);
    let cmds = key(&mut m, KeyCode::Tab);
    assert_eq!(m.current(), Some(Tab::Privacy));
    assert_eq!(cmds.len(), 4);
}

#[test]
fn creating_a_grid_sends_the_chosen_office() {
    let mut m = sample::model(Lang::Zh, "county_admin", Tab::Grids);
    m.grids.set_units(sample::units());
    shuanglian_tui::screens::grids::loaded(&mut m.grids, sample::grids_list());
    key(&mut m, KeyCode::Char('n'));
    assert!(m.modal.is_some());
    typ(&mut m, "梅溪网格");
    key(&mut m, KeyCode::Tab);
    key(&mut m, KeyCode::Right);
    key(&mut m, KeyCode::Tab);
    let cmds = key(&mut m, KeyCode::Enter);
    assert_eq!(
        cmds,
        vec![Cmd::Call(Call::CreateGrid {
            name: "梅溪网格".into(),
            office: "o2".into(),
            branch: None
        })]
    );
    // A validation problem stays in the form, in the user's language.
    let e = problem(422, "validation_failed", "名称重复", "Name taken");
    update(&mut m, Msg::Reply(Call::Grids, Err(e.clone())));
    update(
        &mut m,
        Msg::Reply(
            Call::CreateGrid {
                name: String::new(),
                office: String::new(),
                branch: None,
            },
            Err(e),
        ),
    );
    assert_eq!(
        m.modal.as_ref().and_then(|x| x.form.error.as_deref()),
        Some("名称重复")
    );
}

#[test]
fn approving_an_export_calls_approve_for_the_pending_one() {
    let mut m = sample::model(Lang::En, "county_admin", Tab::Privacy);
    m.privacy.set_exports(sample::exports());
    key(&mut m, KeyCode::Right);
    let cmds = key(&mut m, KeyCode::Char('a'));
    assert_eq!(
        cmds,
        vec![Cmd::Call(Call::Decide {
            id: "x1".into(),
            approve: true
        })]
    );
    key(&mut m, KeyCode::Down);
    assert!(
        key(&mut m, KeyCode::Char('a')).is_empty(),
        "a decided export is not decided again"
    );
}

#[test]
fn a_lost_connection_is_shown_and_reads_are_retried_but_changes_are_not() {
    let mut m = sample::model(Lang::Zh, "county_admin", Tab::Grids);
    m.pending = 2;
    let cmds = update(
        &mut m,
        Msg::Reply(Call::Grids, Err(ApiError::Network("refused".into()))),
    );
    assert!(m.offline.is_some());
    assert!(
        matches!(cmds.as_slice(), [Cmd::Retry(Call::Grids, _)]),
        "{cmds:?}"
    );
    let cmds = update(
        &mut m,
        Msg::Reply(
            Call::Decide {
                id: "x".into(),
                approve: true,
            },
            Err(ApiError::Network("refused".into())),
        ),
    );
    assert!(cmds.is_empty());
    assert!(m.error.is_some());
    update(&mut m, Msg::Reply(Call::Grids, Ok(Reply::Grids(vec![]))));
    assert!(m.offline.is_none(), "an answer clears the banner");
}

#[test]
fn an_expired_session_returns_to_sign_in() {
    let mut m = sample::model(Lang::En, "county_admin", Tab::Grids);
    let cmds = update(
        &mut m,
        Msg::Reply(
            Call::Grids,
            Err(problem(401, "unauthenticated", "未登录", "Not signed in")),
        ),
    );
    assert_eq!(m.stage, Stage::SignIn);
    assert_eq!(cmds, vec![Cmd::ForgetToken]);
    assert_eq!(m.error.as_deref(), Some("Not signed in"));
}

#[test]
fn a_live_event_reloads_the_screen_showing_it_and_marks_others_stale() {
    use shuanglian_tui::api::sse::Feed;
    use shuanglian_tui::api::types::LiveEvent;
    let mut m = sample::model(Lang::Zh, "county_admin", Tab::Privacy);
    let ev = |kind: &str| {
        Msg::Live(Feed::Event(LiveEvent {
            kind: kind.into(),
            entity_id: "x".into(),
            tenant_code: None,
            at: "2026-11-26T00:00:00Z".into(),
        }))
    };
    let cmds = update(&mut m, ev("export_changed"));
    assert!(cmds.contains(&Cmd::Call(Call::Exports)), "{cmds:?}");
    let cmds = update(&mut m, ev("grid_changed"));
    assert!(cmds.is_empty());
    assert!(m.stale.contains(&Tab::Grids));
    let cmds = key(&mut m, KeyCode::Char('1'));
    assert!(
        cmds.contains(&Cmd::Call(Call::Grids)),
        "a stale screen reloads when shown"
    );
}

#[test]
fn the_masking_matrix_cycles_and_saves() {
    let mut m = sample::model(Lang::Zh, "county_admin", Tab::Privacy);
    m.privacy.set_policy(vec![]);
    key(&mut m, KeyCode::Char(' '));
    assert_eq!(
        m.privacy.exposure("county_admin", "id_number"),
        "on_request"
    );
    let cmds = key(&mut m, KeyCode::Char('w'));
    let Some(Cmd::Call(Call::SetPolicy(e))) = cmds.first() else {
        panic!("{cmds:?}")
    };
    assert_eq!(e.len(), 1);
}

#[test]
fn the_member_import_maps_a_name_then_runs_again_and_commits_when_nothing_is_left() {
    let mut m = sample::model(Lang::Zh, "county_admin", Tab::Import);
    update(
        &mut m,
        Msg::Reply(Call::Mappings, Ok(Reply::Mappings(vec![sample::mapping()]))),
    );
    assert_eq!(
        m.import.mapping_id().as_deref(),
        Some("m1"),
        "the saved mapping is used"
    );
    // Open a file: the dry run goes out under the chosen mapping.
    key(&mut m, KeyCode::Char('o'));
    typ(&mut m, "/tmp/roster.csv");
    let cmds = key(&mut m, KeyCode::Enter);
    let want = Call::ImportSheet {
        sheet: SheetKind::Members,
        path: "/tmp/roster.csv".into(),
        mapping: Some("m1".into()),
        commit: false,
    };
    assert_eq!(cmds.first(), Some(&Cmd::Call(want.clone())), "{cmds:?}");
    update(
        &mut m,
        Msg::Reply(want, Ok(Reply::MemberImport(sample::member_import()))),
    );
    assert!(m.modal.is_none());
    // Nothing is committed while a name is unmapped.
    assert!(key(&mut m, KeyCode::Char('c')).is_empty());
    // → then ← again: back on the first suggestion; Enter maps the chosen name to it.
    key(&mut m, KeyCode::Right);
    assert_eq!(m.import.choice, 1);
    key(&mut m, KeyCode::Right);
    assert_eq!(m.import.choice, 1, "there are two suggestions");
    key(&mut m, KeyCode::Left);
    let cmds = key(&mut m, KeyCode::Enter);
    let map = Call::MapOrgName {
        mapping: Some("m1".into()),
        name: "递铺街道红庙村党支部".into(),
        unit_id: "v1".into(),
    };
    assert_eq!(cmds.first(), Some(&Cmd::Call(map.clone())), "{cmds:?}");
    // Saved: the same file runs again.
    let cmds = update(
        &mut m,
        Msg::Reply(map, Ok(Reply::Mapping(sample::mapping()))),
    );
    let again = Call::ImportSheet {
        sheet: SheetKind::Members,
        path: "/tmp/roster.csv".into(),
        mapping: Some("m1".into()),
        commit: false,
    };
    assert_eq!(cmds.first(), Some(&Cmd::Call(again.clone())), "{cmds:?}");
    let mut clean = sample::member_import();
    clean.unknown_org_names.clear();
    update(&mut m, Msg::Reply(again, Ok(Reply::MemberImport(clean))));
    let cmds = key(&mut m, KeyCode::Char('c'));
    assert_eq!(
        cmds.first(),
        Some(&Cmd::Call(Call::ImportSheet {
            sheet: SheetKind::Members,
            path: "/tmp/roster.csv".into(),
            mapping: Some("m1".into()),
            commit: true,
        })),
        "{cmds:?}"
    );
    // m switches to no mapping, and runs the file again without one.
    let cmds = key(&mut m, KeyCode::Char('m'));
    assert_eq!(
        cmds.first(),
        Some(&Cmd::Call(Call::ImportSheet {
            sheet: SheetKind::Members,
            path: "/tmp/roster.csv".into(),
            mapping: None,
            commit: false,
        })),
        "{cmds:?}"
    );
}

#[test]
fn the_import_screen_switches_to_a_business_register_and_runs_the_file_again() {
    let mut m = sample::model(Lang::Zh, "county_admin", Tab::Import);
    update(
        &mut m,
        Msg::Reply(Call::Mappings, Ok(Reply::Mappings(vec![sample::mapping()]))),
    );
    // Open a member sheet, then say it is a business register: the same file runs again there,
    // without the member sheet's saved mapping.
    key(&mut m, KeyCode::Char('o'));
    typ(&mut m, "/tmp/register.csv");
    let cmds = key(&mut m, KeyCode::Enter);
    let members = Call::ImportSheet {
        sheet: SheetKind::Members,
        path: "/tmp/register.csv".into(),
        mapping: Some("m1".into()),
        commit: false,
    };
    assert_eq!(cmds.first(), Some(&Cmd::Call(members.clone())), "{cmds:?}");
    update(
        &mut m,
        Msg::Reply(members, Ok(Reply::MemberImport(sample::member_import()))),
    );
    let cmds = key(&mut m, KeyCode::Char('t'));
    let businesses = Call::ImportSheet {
        sheet: SheetKind::Businesses,
        path: "/tmp/register.csv".into(),
        mapping: None,
        commit: false,
    };
    assert_eq!(
        cmds.first(),
        Some(&Cmd::Call(businesses.clone())),
        "{cmds:?}"
    );
    assert!(
        m.import.report.is_none(),
        "the members' report is not shown for it"
    );
    let mut clean = sample::member_import();
    clean.unknown_org_names.clear();
    clean.owners_linked = Some(1);
    update(
        &mut m,
        Msg::Reply(businesses, Ok(Reply::MemberImport(clean.clone()))),
    );
    // A file opened now is a business register too, and so is the commit.
    let cmds = key(&mut m, KeyCode::Char('c'));
    let commit = Call::ImportSheet {
        sheet: SheetKind::Businesses,
        path: "/tmp/register.csv".into(),
        mapping: None,
        commit: true,
    };
    assert_eq!(cmds.first(), Some(&Cmd::Call(commit.clone())), "{cmds:?}");
    clean.dry_run = false;
    update(&mut m, Msg::Reply(commit, Ok(Reply::MemberImport(clean))));
    let (zh, _) = m.message.clone().expect("message");
    assert!(zh.contains("户"), "{zh}");
    // Any key closes the message.
    key(&mut m, KeyCode::Esc);
    key(&mut m, KeyCode::Char('o'));
    typ(&mut m, "/tmp/b.csv");
    let cmds = key(&mut m, KeyCode::Enter);
    assert!(
        matches!(
            cmds.first(),
            Some(Cmd::Call(Call::ImportSheet {
                sheet: SheetKind::Businesses,
                ..
            }))
        ),
        "{cmds:?}"
    );
}

#[test]
fn the_requests_tab_is_for_the_county_the_association_and_centre_staff() {
    for role in ["county_admin", "association_committee", "branch_staff"] {
        assert!(Tab::for_role(role).contains(&Tab::Requests), "{role}");
    }
    for role in [
        "aic_recorder",
        "township_committee",
        "village_recorder",
        "platform_operator",
        "provincial_office",
    ] {
        assert!(!Tab::for_role(role).contains(&Tab::Requests), "{role}");
    }
    // The tabs before it keep their numbers (6 is still the import).
    assert_eq!(Tab::for_role("county_admin").get(5), Some(&Tab::Import));
}

#[test]
fn the_requests_tab_lists_open_requests_cycles_states_and_opens_one() {
    use shuanglian_tui::api::sse::Feed;
    use shuanglian_tui::api::types::{LiveEvent, ServiceRequestList};
    let mut m = sample::model(Lang::Zh, "county_admin", Tab::Grids);
    let cmds = key(&mut m, KeyCode::Char('7'));
    assert_eq!(m.current(), Some(Tab::Requests));
    let open = Call::ServiceRequests {
        filter: "open".into(),
    };
    assert_eq!(cmds, vec![Cmd::Call(open.clone())]);
    update(
        &mut m,
        Msg::Reply(
            open.clone(),
            Ok(Reply::ServiceRequests(sample::service_requests())),
        ),
    );
    assert_eq!(m.pending, 0);
    let ids: Vec<&str> = m
        .requests
        .list
        .items
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["r1", "r2", "r3", "r4", "r5"],
        "the server's order, most overdue first"
    );
    assert_eq!(m.requests.today.as_deref(), Some("2026-11-26"));

    // `/` filters by centre (or member, category, owner); letters are text meanwhile.
    key(&mut m, KeyCode::Char('/'));
    typ(&mut m, "递铺");
    assert_eq!(m.requests.list.view.len(), 3);
    typ(&mut m, "q");
    assert!(!m.quit);
    key(&mut m, KeyCode::Esc);
    assert_eq!(m.requests.list.view.len(), 5);

    // f shows the escalated ones; a late answer for the open ones is not shown.
    let cmds = key(&mut m, KeyCode::Char('f'));
    let escalated = Call::ServiceRequests {
        filter: "escalated".into(),
    };
    assert_eq!(cmds, vec![Cmd::Call(escalated.clone())]);
    update(
        &mut m,
        Msg::Reply(
            open,
            Ok(Reply::ServiceRequests(ServiceRequestList::default())),
        ),
    );
    assert_eq!(m.requests.list.items.len(), 5);
    let mut four = sample::service_requests();
    four.items.pop();
    update(
        &mut m,
        Msg::Reply(escalated.clone(), Ok(Reply::ServiceRequests(four))),
    );
    assert_eq!(m.requests.list.items.len(), 4);

    // Enter opens the request under the cursor and asks for its steps.
    key(&mut m, KeyCode::Down);
    let cmds = key(&mut m, KeyCode::Enter);
    let one = Call::ServiceRequest { id: "r2".into() };
    assert_eq!(cmds, vec![Cmd::Call(one.clone())]);
    update(
        &mut m,
        Msg::Reply(
            one.clone(),
            Ok(Reply::ServiceRequest(sample::request_with_steps())),
        ),
    );
    assert_eq!(m.requests.open.as_ref().map(|r| r.steps.len()), Some(3));

    // A change at a centre reloads the list and the request shown; r does the same.
    let cmds = update(
        &mut m,
        Msg::Live(Feed::Event(LiveEvent {
            kind: "service_request_changed".into(),
            entity_id: "r2".into(),
            tenant_code: Some("330523".into()),
            at: "2026-11-26T08:00:00Z".into(),
        })),
    );
    assert_eq!(
        cmds,
        vec![Cmd::Call(escalated.clone()), Cmd::Call(one.clone())]
    );
    assert_eq!(
        key(&mut m, KeyCode::Char('r')),
        vec![Cmd::Call(escalated), Cmd::Call(one)]
    );
    key(&mut m, KeyCode::Esc);
    assert!(m.requests.open.is_none(), "Esc goes back to the list");
    assert!(!m.quit);
}

#[test]
fn a_refused_request_list_is_said_on_its_screen() {
    let mut m = sample::model(Lang::En, "branch_staff", Tab::Requests);
    let call = Call::ServiceRequests {
        filter: "open".into(),
    };
    update(
        &mut m,
        Msg::Reply(
            call,
            Err(problem(403, "forbidden", "无权访问", "Not allowed")),
        ),
    );
    assert_eq!(m.requests.error.as_deref(), Some("Not allowed"));
    assert!(m.requests.loaded, "switching back does not ask again");
}

#[test]
fn the_notices_tab_is_the_county_admins_alone() {
    assert!(Tab::for_role("county_admin").contains(&Tab::Notices));
    for role in [
        "association_committee",
        "branch_staff",
        "aic_recorder",
        "township_committee",
        "village_recorder",
        "platform_operator",
        "provincial_office",
    ] {
        assert!(!Tab::for_role(role).contains(&Tab::Notices), "{role}");
    }
}

#[test]
fn the_notices_tab_lists_dead_letters_and_sends_one_again_after_y() {
    let mut m = sample::model(Lang::Zh, "county_admin", Tab::Grids);
    let cmds = key(&mut m, KeyCode::Char('8'));
    assert_eq!(m.current(), Some(Tab::Notices));
    let dead = Call::Deliveries {
        status: "dead".into(),
        channel: None,
    };
    assert_eq!(cmds, vec![Cmd::Call(dead.clone())]);
    update(
        &mut m,
        Msg::Reply(dead.clone(), Ok(Reply::Deliveries(sample::deliveries()))),
    );
    assert_eq!(m.notices.list.items.len(), 3);

    // c shows one channel; a late answer for all channels is dropped.
    let cmds = key(&mut m, KeyCode::Char('c'));
    let inbox = Call::Deliveries {
        status: "dead".into(),
        channel: Some("inbox".into()),
    };
    assert_eq!(cmds, vec![Cmd::Call(inbox.clone())]);
    update(&mut m, Msg::Reply(dead, Ok(Reply::Deliveries(Vec::new()))));
    assert_eq!(m.notices.list.items.len(), 3);
    let mine: Vec<_> = sample::deliveries()
        .into_iter()
        .filter(|d| d.channel == "inbox")
        .collect();
    update(
        &mut m,
        Msg::Reply(inbox.clone(), Ok(Reply::Deliveries(mine))),
    );
    assert_eq!(m.notices.list.items.len(), 1);

    // R asks first; q answers the question (no) instead of quitting.
    assert!(key(&mut m, KeyCode::Char('R')).is_empty());
    assert!(key(&mut m, KeyCode::Char('q')).is_empty());
    assert!(!m.quit);
    key(&mut m, KeyCode::Char('R'));
    let retry = Call::RetryDelivery { id: "d1".into() };
    assert_eq!(
        key(&mut m, KeyCode::Char('y')),
        vec![Cmd::Call(retry.clone())]
    );
    // Taken: the list reloads (the row leaves the dead letters).
    assert_eq!(
        update(&mut m, Msg::Reply(retry.clone(), Ok(Reply::Done))),
        vec![Cmd::Call(inbox)]
    );
    assert!(m.error.is_none());

    // Sent again meanwhile by someone else: the server's word in the status line.
    key(&mut m, KeyCode::Char('R'));
    key(&mut m, KeyCode::Char('y'));
    let cmds = update(
        &mut m,
        Msg::Reply(
            retry,
            Err(problem(
                409,
                "delivery_not_dead",
                "只有已放弃（死信）的消息可以重新发送",
                "only a dead delivery can be sent again",
            )),
        ),
    );
    assert!(cmds.is_empty(), "{cmds:?}");
    assert_eq!(
        m.error.as_deref(),
        Some("只有已放弃（死信）的消息可以重新发送")
    );
}

#[test]
fn a_refused_delivery_list_is_said_on_its_screen() {
    let mut m = sample::model(Lang::En, "county_admin", Tab::Notices);
    let call = Call::Deliveries {
        status: "dead".into(),
        channel: None,
    };
    update(
        &mut m,
        Msg::Reply(
            call,
            Err(problem(403, "forbidden", "无权访问", "Not allowed")),
        ),
    );
    assert_eq!(m.notices.error.as_deref(), Some("Not allowed"));
    assert!(m.notices.loaded, "switching back does not ask again");
}
