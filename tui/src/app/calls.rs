//! The API calls the runtime carries out for [`update`](super::update), their answers, and
//! [`execute`], which runs one.

use crate::api::types::*;
use crate::api::{ApiError, Client};

/// An API call the runtime carries out.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    SignIn(SignInRequestData),
    ChangePassword {
        current: String,
        new: String,
    },
    SignOut,
    Me,
    Tenants,
    Provinces,
    NationalYears,
    /// A year's national calendar from a file (.ics or JSON); `version` is the If-Match of a
    /// reload.
    LoadCalendar {
        year: String,
        path: String,
        version: Option<i64>,
    },
    CreateTenant {
        code: String,
        name: String,
        admin: Option<String>,
    },
    SetTenantActive {
        id: String,
        active: bool,
    },
    OrgUnits,
    Grids,
    CreateGrid {
        name: String,
        office: String,
        branch: Option<String>,
    },
    UpdateGrid {
        id: String,
        name: Option<String>,
        branch: Option<String>,
    },
    Township {
        grid: String,
        township: String,
        add: bool,
    },
    Groups,
    Roster {
        group: String,
    },
    Snapshots {
        group: String,
    },
    Late {
        group: String,
    },
    History {
        group: String,
    },
    ImportPaste {
        group: String,
        text: String,
    },
    ImportFile {
        group: String,
        path: String,
    },
    /// The import of a member sheet or a business register: a dry run, or the commit of the
    /// valid rows.
    ImportSheet {
        sheet: SheetKind,
        path: String,
        mapping: Option<String>,
        commit: bool,
    },
    Mappings,
    MapOrgName {
        mapping: Option<String>,
        name: String,
        unit_id: String,
    },
    Policy,
    SetPolicy(Vec<PolicyEntry>),
    Exports,
    Decide {
        id: String,
        approve: bool,
    },
    Audit,
    VerifyAudit,
    Users,
    CreateUser {
        username: String,
        name: String,
        role: String,
        unit: Option<String>,
    },
    SetUserActive {
        id: String,
        active: bool,
    },
    ResetPassword {
        id: String,
    },
    RevokeSessions {
        id: String,
    },
    Deadlines {
        state: String,
    },
    /// Service requests: `open`, or one state.
    ServiceRequests {
        filter: String,
    },
    /// One service request with its steps.
    ServiceRequest {
        id: String,
    },
    /// Notice deliveries in one status (`dead`: the dead-letter list), on one channel or all.
    Deliveries {
        status: String,
        channel: Option<String>,
    },
    /// Send a dead delivery again.
    RetryDelivery {
        id: String,
    },
    /// The county's vanguard campaigns, with the server's today.
    Campaigns,
    /// A year's branch grading (the server's default year without one).
    BranchEvaluations {
        year: Option<i32>,
    },
    /// A year's members on the campaign's list, under one `show=` filter.
    VanguardEntries {
        year: i32,
        show: String,
    },
    /// The county's coverage campaigns (百日攻坚), the newest first.
    CoverageCampaigns,
    /// A coverage campaign's report of one cycle.
    CoverageReport {
        id: String,
        cycle: u32,
    },
    /// The county's half-years with their revisions (统计).
    StatPeriods,
    /// A period's current snapshot with its tables.
    StatSnapshot {
        period: String,
    },
    /// Computes a period (a frozen one again: a new revision with a reason).
    StatCompute {
        period: String,
        reason: Option<String>,
    },
    /// Reviews (`review`) or freezes (`freeze`) a period's current revision at a version.
    StatAdvance {
        period: String,
        verb: &'static str,
        version: i64,
    },
    /// What changed from one period to another.
    StatDiff {
        from: String,
        to: String,
    },
    /// A province's half-year across its counties (`None`: the server's default period).
    ProvinceStatistics {
        province: Option<String>,
        period: Option<String>,
    },
    /// The province's rankings over the periods.
    ProvinceTrends {
        province: Option<String>,
    },
}

impl Call {
    /// Reads can be retried after a lost connection; changes are not repeated behind the
    /// operator's back.
    pub fn is_read(&self) -> bool {
        matches!(
            self,
            Call::Me
                | Call::Tenants
                | Call::Provinces
                | Call::NationalYears
                | Call::OrgUnits
                | Call::Grids
                | Call::Groups
                | Call::Roster { .. }
                | Call::Snapshots { .. }
                | Call::Late { .. }
                | Call::History { .. }
                | Call::Policy
                | Call::Exports
                | Call::Audit
                | Call::VerifyAudit
                | Call::Users
                | Call::Deadlines { .. }
                | Call::ServiceRequests { .. }
                | Call::ServiceRequest { .. }
                | Call::Deliveries { .. }
                | Call::Campaigns
                | Call::BranchEvaluations { .. }
                | Call::VanguardEntries { .. }
                | Call::CoverageCampaigns
                | Call::CoverageReport { .. }
                | Call::StatPeriods
                | Call::StatSnapshot { .. }
                | Call::StatDiff { .. }
                | Call::ProvinceStatistics { .. }
                | Call::ProvinceTrends { .. }
        )
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SignInRequestData {
    pub tenant_code: Option<String>,
    pub username: String,
    pub password: String,
    pub totp_code: Option<String>,
}

/// A successful answer.
#[derive(Debug, Clone)]
pub enum Reply {
    SignedIn(SignInResponse),
    Done,
    Me(Me),
    Tenants(Vec<Tenant>),
    Provinces(Vec<Province>),
    NationalYears(Vec<NationalYear>),
    NationalYear(NationalYear),
    TenantCreated(TenantCreated),
    Tenant(Tenant),
    OrgUnits(Vec<OrgUnit>),
    Grids(Vec<Grid>),
    Grid(Grid),
    Groups(Vec<QqGroup>),
    Roster(Vec<RosterEntry>),
    Snapshots(Vec<Snapshot>, Option<SnapshotDetail>),
    Late(LateReport),
    History(Vec<HistoryEntry>),
    Imported(ImportResult),
    Policy(Vec<PolicyEntry>),
    Exports(Vec<Export>),
    Export(Export),
    Audit(Vec<AuditEntry>),
    Chain(ChainCheck),
    Users(Vec<User>),
    UserCreated(UserCreated),
    User(User),
    Credential(OneTimeCredential),
    MemberImport(MemberImport),
    Mappings(Vec<ImportMapping>),
    Mapping(ImportMapping),
    Deadlines(DeadlineList),
    ServiceRequests(ServiceRequestList),
    ServiceRequest(ServiceRequest),
    Deliveries(Vec<Delivery>),
    Campaigns(CampaignList),
    BranchEvaluations(BranchEvaluationList),
    VanguardEntries(Vec<VanguardEntry>),
    CoverageCampaigns(Vec<CoverageCampaign>),
    CoverageReport(CoverageReport),
    StatPeriods(Vec<StatPeriod>),
    StatSnapshot(StatSnapshot),
    StatDiff(StatDiff),
    ProvinceStatistics(ProvinceStatistics),
    ProvinceTrends(ProvinceTrends),
}

/// Runs one call against the API.
pub async fn execute(client: &Client, call: &Call) -> Result<Reply, ApiError> {
    Ok(match call {
        Call::SignIn(r) => Reply::SignedIn(
            client
                .sign_in(&SignInRequest {
                    tenant_code: r.tenant_code.clone(),
                    username: r.username.clone(),
                    password: r.password.clone(),
                    totp_code: r.totp_code.clone(),
                })
                .await?,
        ),
        Call::ChangePassword { current, new } => {
            client
                .change_password(&ChangePasswordRequest {
                    current_password: current.clone(),
                    new_password: new.clone(),
                })
                .await?;
            Reply::Done
        }
        Call::SignOut => {
            client.sign_out().await?;
            Reply::Done
        }
        Call::Me => Reply::Me(client.me().await?),
        Call::Tenants => Reply::Tenants(client.tenants().await?),
        Call::Provinces => Reply::Provinces(client.provinces().await?),
        Call::NationalYears => Reply::NationalYears(client.national_years().await?),
        Call::LoadCalendar {
            year,
            path,
            version,
        } => {
            let y: i32 = year.trim().parse().map_err(|_| {
                ApiError::Problem(Problem {
                    status: 0,
                    code: "invalid_year".into(),
                    detail: format!("年份无效：{year}"),
                    detail_en: format!("Not a year: {year}"),
                    ..Problem::default()
                })
            })?;
            let bytes = std::fs::read(path).map_err(|e| unreadable(path, &e))?;
            let lower = path.to_lowercase();
            let ct = if lower.ends_with(".ics") || lower.ends_with(".ical") {
                "text/calendar"
            } else {
                "application/json"
            };
            Reply::NationalYear(client.load_calendar(y, ct, bytes, *version).await?)
        }
        Call::CreateTenant { code, name, admin } => Reply::TenantCreated(
            client
                .create_tenant(&CreateTenantRequest {
                    code: code.clone(),
                    name: name.clone(),
                    admin_username: admin.clone(),
                    admin_display_name: None,
                })
                .await?,
        ),
        Call::SetTenantActive { id, active } => {
            Reply::Tenant(client.set_tenant_active(id, *active).await?)
        }
        Call::OrgUnits => Reply::OrgUnits(client.org_units().await?),
        Call::Grids => Reply::Grids(client.grids().await?),
        Call::CreateGrid {
            name,
            office,
            branch,
        } => Reply::Grid(
            client
                .create_grid(&CreateGridRequest {
                    name: name.clone(),
                    aic_office_id: office.clone(),
                    party_branch_id: branch.clone(),
                })
                .await?,
        ),
        Call::UpdateGrid { id, name, branch } => Reply::Grid(
            client
                .update_grid(
                    id,
                    &UpdateGridRequest {
                        name: name.clone(),
                        party_branch_id: branch.clone(),
                    },
                )
                .await?,
        ),
        Call::Township {
            grid,
            township,
            add,
        } => Reply::Grid(if *add {
            client.assign_township(grid, township).await?
        } else {
            client.unassign_township(grid, township).await?
        }),
        Call::Groups => Reply::Groups(client.qq_groups().await?),
        Call::Roster { group } => Reply::Roster(client.roster(group).await?),
        Call::Snapshots { group } => {
            let s = client.snapshots(group).await?;
            let latest = match s.first() {
                Some(first) => Some(client.snapshot(group, &first.id).await?),
                None => None,
            };
            Reply::Snapshots(s, latest)
        }
        Call::Late { group } => Reply::Late(client.late(group).await?),
        Call::History { group } => Reply::History(client.history(group).await?),
        Call::ImportPaste { group, text } => {
            Reply::Imported(client.import_paste(group, text).await?)
        }
        Call::ImportFile { group, path } => {
            let (ct, bytes) = read_file(path).map_err(|e| unreadable(path, &e))?;
            Reply::Imported(client.import_file(group, ct, bytes).await?)
        }
        Call::ImportSheet {
            sheet,
            path,
            mapping,
            commit,
        } => {
            let (ct, bytes) = read_file(path).map_err(|e| unreadable(path, &e))?;
            Reply::MemberImport(
                client
                    .import_sheet(*sheet, ct, bytes, mapping.as_deref(), *commit)
                    .await?,
            )
        }
        Call::Mappings => Reply::Mappings(client.mappings().await?),
        Call::MapOrgName {
            mapping,
            name,
            unit_id,
        } => Reply::Mapping(
            client
                .map_org_name(mapping.as_deref(), name, unit_id)
                .await?,
        ),
        Call::Policy => Reply::Policy(client.policy().await?),
        Call::SetPolicy(e) => Reply::Policy(client.set_policy(e.clone()).await?),
        Call::Exports => Reply::Exports(client.exports().await?),
        Call::Decide { id, approve } => Reply::Export(client.decide_export(id, *approve).await?),
        Call::Audit => Reply::Audit(client.audit().await?),
        Call::VerifyAudit => Reply::Chain(client.verify_audit().await?),
        Call::Users => Reply::Users(client.users().await?),
        Call::CreateUser {
            username,
            name,
            role,
            unit,
        } => Reply::UserCreated(
            client
                .create_user(&CreateUserRequest {
                    username: username.clone(),
                    display_name: name.clone(),
                    role: role.clone(),
                    org_unit_id: unit.clone(),
                })
                .await?,
        ),
        Call::SetUserActive { id, active } => {
            Reply::User(client.set_user_active(id, *active).await?)
        }
        Call::ResetPassword { id } => Reply::Credential(client.reset_password(id).await?),
        Call::RevokeSessions { id } => {
            client.revoke_sessions(id).await?;
            Reply::Done
        }
        Call::Deadlines { state } => Reply::Deadlines(client.deadlines(state).await?),
        Call::ServiceRequests { filter } => {
            Reply::ServiceRequests(client.service_requests(filter).await?)
        }
        Call::ServiceRequest { id } => Reply::ServiceRequest(client.service_request(id).await?),
        Call::Deliveries { status, channel } => {
            Reply::Deliveries(client.deliveries(status, channel.as_deref()).await?)
        }
        Call::RetryDelivery { id } => {
            client.retry_delivery(id).await?;
            Reply::Done
        }
        Call::Campaigns => Reply::Campaigns(client.campaigns().await?),
        Call::BranchEvaluations { year } => {
            Reply::BranchEvaluations(client.branch_evaluations(*year).await?)
        }
        Call::VanguardEntries { year, show } => {
            Reply::VanguardEntries(client.vanguard_entries(*year, show).await?)
        }
        Call::CoverageCampaigns => Reply::CoverageCampaigns(client.coverage_campaigns().await?),
        Call::CoverageReport { id, cycle } => {
            Reply::CoverageReport(client.coverage_report(id, *cycle).await?)
        }
        Call::StatPeriods => Reply::StatPeriods(client.stat_periods().await?),
        Call::StatSnapshot { period } => Reply::StatSnapshot(client.stat_snapshot(period).await?),
        Call::StatCompute { period, reason } => {
            Reply::StatSnapshot(client.stat_compute(period, reason.as_deref()).await?)
        }
        Call::StatAdvance {
            period,
            verb,
            version,
        } => Reply::StatSnapshot(client.stat_advance(period, verb, *version).await?),
        Call::StatDiff { from, to } => Reply::StatDiff(client.stat_diff(from, to).await?),
        Call::ProvinceStatistics { province, period } => Reply::ProvinceStatistics(
            client
                .province_statistics(province.as_deref(), period.as_deref())
                .await?,
        ),
        Call::ProvinceTrends { province } => {
            Reply::ProvinceTrends(client.province_trends(province.as_deref()).await?)
        }
    })
}

/// A file the operator named, with the content type its extension says.
fn read_file(path: &str) -> Result<(&'static str, Vec<u8>), std::io::Error> {
    let bytes = std::fs::read(path)?;
    let lower = path.to_lowercase();
    let ct = if lower.ends_with(".xlsx") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else if lower.ends_with(".csv") {
        "text/csv"
    } else {
        "text/plain"
    };
    Ok((ct, bytes))
}

/// A file that cannot be read, as the console shows a problem.
fn unreadable(path: &str, e: &std::io::Error) -> ApiError {
    ApiError::Problem(Problem {
        status: 0,
        code: "file_unreadable".into(),
        detail: format!("无法读取文件 {path}：{e}"),
        detail_en: format!("Cannot read {path}: {e}"),
        ..Problem::default()
    })
}
