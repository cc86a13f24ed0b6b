//! What an answer of the API or the live feed does to the model.

use super::*;

pub(super) fn reply(m: &mut Model, call: Call, result: Result<Reply, ApiError>) -> Vec<Cmd> {
    m.pending = m.pending.saturating_sub(1);
    let r = match result {
        Ok(r) => {
            m.offline = None;
            r
        }
        Err(ApiError::Network(reason)) => {
            m.offline = Some(reason);
            if call.is_read() && m.stage == Stage::Main {
                m.pending += 1;
                return vec![Cmd::Retry(call, Duration::from_secs(2))];
            }
            let text = m.describe(&ApiError::Network(String::new()));
            fail(m, &call, text);
            return Vec::new();
        }
        Err(e) => {
            if e.status() == Some(401) && m.stage == Stage::Main && !matches!(call, Call::SignOut) {
                // The session ended (expired, revoked): back to the sign-in screen.
                let text = m.describe(&e);
                m.sign_out_locally();
                m.error = Some(text);
                return vec![Cmd::ForgetToken];
            }
            if matches!(call, Call::SignOut) {
                m.sign_out_locally();
                return vec![Cmd::ForgetToken];
            }
            if let (Call::SignIn(_), ApiError::Problem(p)) = (&call, &e)
                && p.code == "totp_required"
            {
                m.signin.ask_totp();
            }
            if matches!(call, Call::Deadlines { .. }) {
                m.deadlines.error = Some(m.describe(&e));
                m.deadlines.loaded = true;
            }
            if matches!(call, Call::ServiceRequests { .. }) {
                m.requests.error = Some(m.describe(&e));
                m.requests.loaded = true;
            }
            if matches!(call, Call::Deliveries { .. }) {
                m.notices.error = Some(m.describe(&e));
                m.notices.loaded = true;
            }
            let text = m.describe(&e);
            evaluations::refused(&mut m.evaluations, &call, text);
            let text = m.describe(&e);
            statistics::refused(&mut m.statistics, &call, text.clone());
            province::refused(&mut m.province, &call, text);
            let text = m.describe(&e);
            fail(m, &call, text);
            return Vec::new();
        }
    };
    m.error = None;
    match (call, r) {
        (Call::SignIn(_), Reply::SignedIn(s)) => {
            m.token = Some(s.token.clone());
            m.client = m.client.with_token(Some(s.token.clone()));
            let mut cmds = vec![Cmd::SaveToken(s.token)];
            if s.must_change_password {
                m.stage = Stage::ChangePassword;
                let pw = m.signin.form.value(3);
                m.signin.start_change(&pw);
            } else {
                cmds.push(m.call(Call::Me));
            }
            cmds
        }
        (Call::ChangePassword { .. }, _) => {
            m.message = Some(("密码已修改。".into(), "Password changed.".into()));
            vec![m.call(Call::Me)]
        }
        (Call::Me, Reply::Me(me)) => {
            if me.must_change_password {
                m.stage = Stage::ChangePassword;
                m.signin.start_change("");
                return Vec::new();
            }
            m.enter_main(me)
        }
        (Call::SignOut, _) => {
            m.sign_out_locally();
            vec![Cmd::ForgetToken]
        }
        (Call::Tenants, Reply::Tenants(t)) => {
            m.overview.set_tenants(&t);
            counties::loaded(&mut m.counties, t);
            Vec::new()
        }
        (Call::NationalYears, Reply::NationalYears(y)) => {
            calendar::loaded(&mut m.calendar, y);
            Vec::new()
        }
        (Call::LoadCalendar { .. }, Reply::NationalYear(y)) => {
            m.modal = None;
            m.message = Some((
                format!(
                    "已导入 {} 年全国节假日安排：放假 {} 天，调休上班 {} 天",
                    y.year, y.holidays, y.workdays
                ),
                format!(
                    "Loaded the {} national calendar: {} days off, {} worked weekend days",
                    y.year, y.holidays, y.workdays
                ),
            ));
            vec![m.call(Call::NationalYears)]
        }
        (Call::Provinces, Reply::Provinces(p)) => {
            m.overview.provinces = p;
            Vec::new()
        }
        (Call::CreateTenant { .. }, Reply::TenantCreated(c)) => {
            m.modal = None;
            let pw = c.admin.one_time_password.unwrap_or_default();
            m.message = Some((
                format!(
                    "已创建 {} {}。首位管理员 {}，一次性密码 {}（首次登录须修改）",
                    c.tenant.code, c.tenant.name, c.admin.username, pw
                ),
                format!(
                    "Created {} {}. First admin {}, one-time password {} (must be changed at first sign-in)",
                    c.tenant.code, c.tenant.name, c.admin.username, pw
                ),
            ));
            vec![m.call(Call::Tenants)]
        }
        (Call::SetTenantActive { .. }, _) => vec![m.call(Call::Tenants)],
        (Call::OrgUnits, Reply::OrgUnits(u)) => {
            m.grids.set_units(u.clone());
            m.users.units = u;
            Vec::new()
        }
        (Call::Grids, Reply::Grids(g)) => {
            grids::loaded(&mut m.grids, g);
            Vec::new()
        }
        (Call::CreateGrid { .. } | Call::UpdateGrid { .. } | Call::Township { .. }, _) => {
            m.modal = None;
            vec![m.call(Call::Grids)]
        }
        (Call::Groups, Reply::Groups(g)) => {
            m.rosters.set_groups(g);
            Vec::new()
        }
        (Call::Roster { group }, Reply::Roster(r)) => {
            m.rosters.set_roster(&group, r);
            Vec::new()
        }
        (Call::Snapshots { group }, Reply::Snapshots(s, latest)) => {
            m.rosters.set_snapshots(&group, s, latest);
            Vec::new()
        }
        (Call::Late { group }, Reply::Late(l)) => {
            m.rosters.set_late(&group, l);
            Vec::new()
        }
        (Call::History { group }, Reply::History(h)) => {
            m.rosters.set_history(&group, h);
            Vec::new()
        }
        (Call::ImportPaste { group, .. } | Call::ImportFile { group, .. }, Reply::Imported(r)) => {
            m.modal = None;
            m.rosters.imported(&group, r);
            rosters::group_calls(&group)
                .into_iter()
                .map(|c| m.call(c))
                .collect()
        }
        (Call::Policy, Reply::Policy(p)) | (Call::SetPolicy(_), Reply::Policy(p)) => {
            m.privacy.set_policy(p);
            Vec::new()
        }
        (Call::Exports, Reply::Exports(e)) => {
            m.privacy.set_exports(e);
            Vec::new()
        }
        (Call::Decide { .. }, _) => vec![m.call(Call::Exports), m.call(Call::Audit)],
        (Call::Audit, Reply::Audit(a)) => {
            m.privacy.set_audit(a);
            Vec::new()
        }
        (Call::VerifyAudit, Reply::Chain(c)) => {
            m.privacy.chain = Some(c);
            Vec::new()
        }
        (Call::Users, Reply::Users(u)) => {
            users::loaded(&mut m.users, u);
            Vec::new()
        }
        (Call::CreateUser { .. }, Reply::UserCreated(c)) => {
            m.modal = None;
            let pw = c.credential.one_time_password.unwrap_or_default();
            m.message = Some((
                format!("已创建用户 {}，一次性密码 {}", c.user.username, pw),
                format!("Created user {}, one-time password {}", c.user.username, pw),
            ));
            vec![m.call(Call::Users)]
        }
        (Call::ResetPassword { .. }, Reply::Credential(c)) => {
            let pw = c.one_time_password.unwrap_or_default();
            m.message = Some((
                format!("{} 的新一次性密码：{}（其会话已全部注销）", c.username, pw),
                format!(
                    "New one-time password for {}: {} (their sessions were ended)",
                    c.username, pw
                ),
            ));
            vec![m.call(Call::Users)]
        }
        (Call::SetUserActive { .. }, _) => vec![m.call(Call::Users)],
        (Call::RevokeSessions { .. }, _) => {
            m.message = Some((
                "已注销该用户的全部会话。".into(),
                "All their sessions were ended.".into(),
            ));
            Vec::new()
        }
        (Call::Deadlines { .. }, Reply::Deadlines(d)) => {
            deadlines::loaded(&mut m.deadlines, d);
            Vec::new()
        }
        (Call::ServiceRequests { filter }, Reply::ServiceRequests(l)) => {
            // An answer for a filter no longer shown (f pressed again meanwhile) is dropped.
            if filter == m.requests.filter() {
                requests::loaded(&mut m.requests, l);
            }
            Vec::new()
        }
        (Call::ServiceRequest { .. }, Reply::ServiceRequest(r)) => {
            requests::opened(&mut m.requests, r);
            Vec::new()
        }
        (Call::Deliveries { status, channel }, Reply::Deliveries(v)) => {
            // An answer for a filter no longer shown (f or c pressed again meanwhile) is dropped.
            if status == m.notices.status() && channel.as_deref() == m.notices.channel() {
                notices::loaded(&mut m.notices, v);
            }
            Vec::new()
        }
        (Call::Campaigns, Reply::Campaigns(l)) => {
            evaluations::campaigns_loaded(&mut m.evaluations, l)
                .into_iter()
                .map(|c| m.call(c))
                .collect()
        }
        (Call::BranchEvaluations { year }, Reply::BranchEvaluations(l)) => {
            evaluations::branches_loaded(&mut m.evaluations, year, l);
            Vec::new()
        }
        (Call::VanguardEntries { year, show }, Reply::VanguardEntries(v)) => {
            if show == evaluations::HELP_SHOW {
                evaluations::help_loaded(&mut m.evaluations, year, v);
            }
            Vec::new()
        }
        (Call::CoverageCampaigns, Reply::CoverageCampaigns(v)) => {
            evaluations::coverage_loaded(&mut m.evaluations, v)
                .into_iter()
                .map(|c| m.call(c))
                .collect()
        }
        (Call::CoverageReport { id, cycle }, Reply::CoverageReport(r)) => {
            evaluations::coverage_report_loaded(&mut m.evaluations, &id, cycle, r);
            Vec::new()
        }
        (Call::StatPeriods, Reply::StatPeriods(v)) => {
            statistics::periods_loaded(&mut m.statistics, v)
                .into_iter()
                .map(|c| m.call(c))
                .collect()
        }
        (Call::StatSnapshot { .. }, Reply::StatSnapshot(s)) => {
            statistics::snapshot_loaded(&mut m.statistics, s);
            Vec::new()
        }
        (c @ (Call::StatCompute { .. } | Call::StatAdvance { .. }), Reply::StatSnapshot(s)) => {
            m.modal = None;
            statistics::changed(&mut m.statistics, &c);
            statistics::snapshot_loaded(&mut m.statistics, s);
            m.statistics
                .calls()
                .into_iter()
                .map(|c| m.call(c))
                .collect()
        }
        (Call::StatDiff { from, to }, Reply::StatDiff(d)) => {
            statistics::diff_loaded(&mut m.statistics, &from, &to, d);
            Vec::new()
        }
        (Call::ProvinceStatistics { period, .. }, Reply::ProvinceStatistics(v)) => {
            province::loaded(&mut m.province, &period, v);
            Vec::new()
        }
        (Call::ProvinceTrends { .. }, Reply::ProvinceTrends(v)) => {
            province::trends_loaded(&mut m.province, v);
            Vec::new()
        }
        (Call::RetryDelivery { id }, _) => {
            notices::retried(&mut m.notices, &id);
            m.notices.calls().into_iter().map(|c| m.call(c)).collect()
        }
        (
            Call::ImportSheet {
                sheet,
                path,
                commit,
                ..
            },
            Reply::MemberImport(r),
        ) => {
            m.modal = None;
            m.import.path = Some(path);
            m.import.sheet = sheet;
            if commit {
                let unit = if sheet == SheetKind::Members {
                    "人"
                } else {
                    "户"
                };
                m.message = Some((
                    format!(
                        "已导入：新增 {} {unit}，更新 {} {unit}。",
                        r.created, r.updated
                    ),
                    format!("Imported: {} new, {} updated.", r.created, r.updated),
                ));
            }
            import::reported(&mut m.import, r);
            Vec::new()
        }
        (Call::Mappings, Reply::Mappings(v)) => {
            import::mappings_loaded(&mut m.import, v);
            Vec::new()
        }
        (Call::MapOrgName { .. }, Reply::Mapping(saved)) => {
            import::mapping_saved(&mut m.import, saved);
            // The same file again, now under the mapping that names it.
            m.import.dry_run().into_iter().map(|c| m.call(c)).collect()
        }
        _ => Vec::new(),
    }
}

/// Shows an error where the operator is looking: in the open form, else the status line.
fn fail(m: &mut Model, _call: &Call, text: String) {
    if let Some(md) = &mut m.modal {
        md.form.error = Some(text);
    } else if m.stage != Stage::Main {
        let stage = m.stage.clone();
        m.signin.form_mut(&stage).error = Some(text);
    } else {
        m.error = Some(text);
    }
}

pub(super) fn live(m: &mut Model, feed: Feed) -> Vec<Cmd> {
    match feed {
        Feed::Connected => {
            m.live = Live::On;
            // Anything may have changed while we were away.
            if m.offline.take().is_some() {
                return m.current().map(|t| m.load(t)).unwrap_or_default();
            }
            Vec::new()
        }
        Feed::Lost(reason) => {
            m.live = Live::Lost;
            m.offline = Some(reason);
            Vec::new()
        }
        Feed::Refused(_) => {
            m.live = Live::Off;
            Vec::new()
        }
        Feed::Event(ev) => {
            m.overview.push_event(ev.clone());
            let tabs: &[Tab] = match ev.kind.as_str() {
                "tenant_changed" => &[Tab::Counties, Tab::Overview],
                "grid_changed" => &[Tab::Grids],
                "roster_changed" => &[Tab::Rosters],
                "export_changed" => &[Tab::Privacy],
                "user_changed" => &[Tab::Users],
                "service_request_changed" => &[Tab::Requests],
                _ => &[
                    Tab::Counties,
                    Tab::Overview,
                    Tab::Grids,
                    Tab::Rosters,
                    Tab::Privacy,
                    Tab::Users,
                    Tab::Deadlines,
                    Tab::Import,
                    Tab::Requests,
                    Tab::Notices,
                    Tab::Evaluations,
                    Tab::Statistics,
                    Tab::Province,
                ],
            };
            let cur = m.current();
            let mut cmds = Vec::new();
            for t in tabs {
                if !m.tabs.contains(t) {
                    continue;
                }
                if Some(*t) == cur {
                    cmds.extend(m.load(*t));
                } else {
                    m.stale.insert(*t);
                }
            }
            cmds
        }
    }
}
