//! Demo and benchmark data: deterministic for a seed (`shuanglian demo-data`), and the small
//! demo world `serve --demo` seeds on an empty database.
//!
//! The counties of a preset and their accounts are made here; each area a county is filled
//! with has its module (`counties`: the presets' plans; `org`: the org tree and grids;
//! `members`: the register), and the domain folders fill their own (`business::demo`,
//! `qq::demo`, the workflows' `demo`).

mod counties;
mod members;
mod org;

use std::fmt::Write as _;

use clap::ValueEnum;

use crate::auth::{Role, password};
use crate::db::{DbResult, Mode};
use crate::error::AppError;
use crate::startup::AppState;
use crate::tenancy::{DivisionCode, repo};
use crate::users::model::Username;
use crate::users::repo::{NewUser, insert, platform_insert};
pub use counties::ZHEJIANG;
use counties::{STAFF_ROLES, plan};
use members::demo_members;
use org::org_plan;

/// Every demo account's password. Demo data only: never use on a real deployment.
pub const DEMO_PASSWORD: &str = "Shuanglian-demo-2026";
/// The second-factor secret (base32) of the demo accounts that must have one (county admins,
/// platform operator, provincial office): published like the password, so anyone trying the
/// demo can compute codes (`shuanglian totp-code --secret …`). Demo data only.
pub const DEMO_TOTP_SECRET: &str = "SHUANGLIANDEMOSECRETSHUANGLIAN22";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// An Anji-like county (330523) and its neighbour.
    Small,
    /// A Yiwu-sized county (330782) and its neighbour.
    Large,
    /// All 90 county-level divisions of Zhejiang, of mixed sizes.
    Province,
}

pub use crate::rng::Rng;

fn app(e: AppError) -> anyhow::Error {
    // A shell command shows the cause (the demo holds no personal data worth hiding).
    match &e.source {
        Some(cause) => anyhow::anyhow!("{} [{}]: {cause:#}", e.zh, e.code),
        None => anyhow::anyhow!("{} [{}]", e.zh, e.code),
    }
}

/// Creates the preset's counties (skipping those that exist) and their accounts.
pub async fn generate(state: &AppState, preset: Preset, seed: u64) -> anyhow::Result<String> {
    let mut rng = Rng::new(seed);
    let hash = tokio::task::spawn_blocking(|| password::hash(DEMO_PASSWORD))
        .await?
        .map_err(app)?;
    let mut out = String::new();
    let (mut counties, mut accounts, mut units, mut members, mut skipped) =
        (0usize, 0usize, 0usize, 0usize, 0usize);
    for c in plan(preset, &mut rng) {
        let code = DivisionCode::parse("code", c.code).map_err(|e| anyhow::anyhow!(e.message))?;
        let names: Vec<(String, Role)> = (0..c.staff)
            .map(|i| (rng.person_name(), STAFF_ROLES[i % STAFF_ROLES.len()]))
            .collect();
        let h = hash.clone();
        let name = c.name.to_owned();
        let org = org_plan(c.code, c.villages_per_township, c.markets, &mut rng);
        let member_seed = rng.next_u64();
        let member_count = c.members;
        let master = *state.master_key.bytes();
        let county_code = c.code.to_owned();
        let leave_latest = matches!(preset, Preset::Small) && c.code == "330523";
        let created = state
            .db
            .platform(Mode::Write, move |tx| -> DbResult<Option<(usize, usize)>> {
                if repo::by_code(tx, code.as_str())?.is_some() {
                    return Ok(None);
                }
                let t = repo::insert(tx, &code, &name)?;
                let mut ttx = tx.enter_tenant(t.tenant_id())?;
                let admin = insert(
                    &mut ttx,
                    &NewUser {
                        username: "admin",
                        display_name: &format!("{name}管理员"),
                        role: Role::CountyAdmin,
                        org_unit_id: None,
                        password_hash: &h,
                        must_change_password: false,
                    },
                )?;
                let (units, bind) = org.create(&mut ttx, &name)?;
                bind.create_grids(&mut ttx, &org.offices)?;
                let keys = crate::privacy::keys::load(&mut ttx, &master)?;
                let secret = secrecy::SecretString::from(DEMO_TOTP_SECRET);
                let sealed = crate::auth::totp::repo::seal_tenant(&keys, &admin.id, &secret);
                crate::auth::totp::repo::put(&mut ttx, &admin.id, &sealed, true)?;
                demo_members(
                    &mut ttx,
                    &keys,
                    &bind,
                    &county_code,
                    member_count,
                    member_seed,
                )?;
                crate::business::demo::generate(&mut ttx, &county_code, member_seed ^ 0xB12)?;
                crate::members::status::demo(&mut ttx, member_seed ^ 0x57A7)?;
                crate::workflows::reporting::demo::linkage(&mut ttx, member_seed ^ 0x2E90)?;
                for (i, (person, role)) in names.iter().enumerate() {
                    let uname = format!("{}.{:04}", role_prefix(*role), i + 1);
                    insert(
                        &mut ttx,
                        &NewUser {
                            username: &uname,
                            display_name: person,
                            role: *role,
                            org_unit_id: bind.for_role(*role, i),
                            password_hash: &h,
                            must_change_password: false,
                        },
                    )?;
                }
                // One full-time staff member per service centre (seed 002 附件1), `centre.0001`….
                let mut names_rng = crate::rng::Rng::new(member_seed ^ 0xCE17);
                for (i, centre) in bind.centres.iter().enumerate() {
                    insert(
                        &mut ttx,
                        &NewUser {
                            username: &format!("centre.{:04}", i + 1),
                            display_name: &names_rng.person_name(),
                            role: Role::BranchStaff,
                            org_unit_id: Some(centre),
                            password_hash: &h,
                            must_change_password: false,
                        },
                    )?;
                }
                let centre_accounts = bind.centres.len();
                crate::qq::demo::fill(&mut ttx, &keys, member_seed ^ 0x5151)?;
                crate::onboarding::mapping::demo(&mut ttx, &name, &admin.id)?;
                crate::workflows::records::demo::generate(&mut ttx, member_seed ^ 0x4EC0)?;
                crate::workflows::floating::demo::fill(&mut ttx, member_seed ^ 0xF10A)?;
                crate::workflows::centres::demo::fill(&mut ttx, member_seed ^ 0xCE27)?;
                crate::workflows::activities::demo::fill(&mut ttx, member_seed ^ 0xAC71)?;
                // Registrations before letters: the members they enter get this year's letter.
                crate::workflows::registrations::demo::fill(&mut ttx, &keys, member_seed ^ 0x2E61)?;
                crate::workflows::letters::demo::fill(&mut ttx, member_seed ^ 0x1E77)?;
                crate::evaluations::demo::fill(&mut ttx, member_seed ^ 0xE7A1)?;
                // Then the daily deadline job over everything generated above.
                crate::deadlines::demo::finish(&mut ttx, crate::clock::today())?;
                // Last: the half-years before today, frozen from all of it (安吉县 leaves the
                // latest to its admin, as the README's tour does).
                crate::statistics::demo::fill(
                    &mut ttx,
                    &admin.id,
                    crate::clock::today(),
                    leave_latest,
                )?;
                Ok(Some((names.len() + 1 + centre_accounts, units)))
            })
            .await
            .map_err(|e| app(e.into()))?;
        match created {
            Some((n, u)) => {
                counties += 1;
                accounts += n;
                units += u;
                members += c.members;
            }
            None => skipped += 1,
        }
    }
    let _ = write!(
        out,
        "demo-data {preset:?} seed {seed}: {counties} counties, {accounts} accounts, {units} org units and {members} members created; {skipped} existing counties skipped. \
         Every account's password: {DEMO_PASSWORD}"
    );
    Ok(out)
}

fn role_prefix(r: Role) -> &'static str {
    match r {
        Role::CountyAdmin => "admin",
        Role::AssociationCommittee => "assoc",
        Role::BranchStaff => "branch",
        Role::AicRecorder => "aic",
        Role::TownshipCommittee => "township",
        Role::VillageRecorder => "village",
        Role::PlatformOperator => "operator",
        Role::ProvincialOffice => "province",
    }
}

/// `serve --demo`: on an empty database, the platform and provincial accounts plus the small
/// preset. Does nothing when counties exist already.
pub async fn seed_demo(state: &AppState) -> anyhow::Result<()> {
    let empty = state
        .db
        .platform(Mode::Read, |tx| {
            let page = crate::api::PageRequest {
                limit: 1,
                after: None,
            };
            repo::list(tx, &page, None, None)
        })
        .await
        .map_err(|e| app(e.into()))?
        .is_empty();
    if !empty {
        tracing::info!("database has counties already: demo seeding skipped");
        return Ok(());
    }
    platform_accounts(state).await?;
    generate(state, Preset::Small, 1).await?;
    tracing::info!("demo data seeded: platform, province and two counties");
    Ok(())
}

/// The demo's platform operator and Zhejiang provincial office (password and TOTP secret as
/// printed), unless accounts of those names exist: `serve --demo` and `demo-data` (so the
/// `province` preset has its provincial office to read it).
pub async fn platform_accounts(state: &AppState) -> anyhow::Result<()> {
    let exists = state
        .db
        .platform(Mode::Read, |tx| {
            crate::users::repo::platform_find_by_username(tx, "zhejiang").map(|u| u.is_some())
        })
        .await
        .map_err(|e| app(e.into()))?;
    if exists {
        return Ok(());
    }
    let hash = tokio::task::spawn_blocking(|| password::hash(DEMO_PASSWORD))
        .await?
        .map_err(app)?;
    let master = *state.master_key.bytes();
    state
        .db
        .platform(Mode::Write, move |tx| {
            let op = Username::parse("u", "operator").map_err(|e| AppError::validation(vec![e]))?;
            let op = platform_insert(
                tx,
                op.as_str(),
                "平台运维演示账户",
                Role::PlatformOperator,
                None,
                &hash,
                false,
            )?;
            let zj = platform_insert(
                tx,
                "zhejiang",
                "浙江省局演示账户",
                Role::ProvincialOffice,
                Some("330000"),
                &hash,
                false,
            )?;
            let secret = secrecy::SecretString::from(DEMO_TOTP_SECRET);
            for id in [op.id, zj.id] {
                let sealed = crate::auth::totp::repo::seal_platform(&master, &id, &secret);
                crate::auth::totp::repo::platform_put(tx, &id, &sealed, true)?;
            }
            Ok(())
        })
        .await
        .map_err(|e| app(e.into()))?;
    Ok(())
}

pub fn print_demo_signins(base: &str) {
    println!();
    println!("演示账户 / demo sign-ins (password for all: {DEMO_PASSWORD})");
    println!("  平台运维 platform operator : username operator            (no tenant_code)");
    println!("  浙江省局 provincial office : username zhejiang            (no tenant_code)");
    println!("  安吉县 330523 county admin : tenant_code 330523, username admin");
    println!(
        "  安吉县 330523 village staff: tenant_code 330523, username village.0001 (sees only their village)"
    );
    println!("  长兴县 330522 county admin : tenant_code 330522, username admin");
    println!();
    println!(
        "二次验证 / second factor (operator, zhejiang, county admins): TOTP secret {DEMO_TOTP_SECRET}"
    );
    println!(
        "  add it to an authenticator app, or print the current code with `shuanglian totp-code --secret {DEMO_TOTP_SECRET}`"
    );
    println!("  (or `oathtool --totp -b {DEMO_TOTP_SECRET}`); each code works once.");
    println!();
    println!("  curl -s {base}/api/v1/auth/sign-in -H 'content-type: application/json' \\");
    println!(
        "       -d '{{\"tenant_code\":\"330523\",\"username\":\"admin\",\"password\":\"{DEMO_PASSWORD}\",\"totp_code\":\"'$(shuanglian totp-code --secret {DEMO_TOTP_SECRET})'\"}}'"
    );
    println!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_is_deterministic_per_seed() {
        let a: Vec<String> = (0..20)
            .map({
                let mut r = Rng::new(7);
                move |_| r.person_name()
            })
            .collect();
        let b: Vec<String> = (0..20)
            .map({
                let mut r = Rng::new(7);
                move |_| r.person_name()
            })
            .collect();
        let c: Vec<String> = (0..20)
            .map({
                let mut r = Rng::new(8);
                move |_| r.person_name()
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
