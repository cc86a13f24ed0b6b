//! Accounts: signing in (with the second factor the harness enrols and remembers), counties
//! with their admin, and county users.

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use shuanglian::db::Mode;

use crate::{OPERATOR, PASSWORD, TestApp};

pub(crate) fn totp_key(tenant_code: Option<&str>, username: &str) -> String {
    format!("{}|{}", tenant_code.unwrap_or("-"), username.to_lowercase())
}

/// The RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret at a Unix time, computed with
/// totp-rs directly (not through the server's own helper).
pub fn totp_code_at(secret: &str, unix: u64) -> String {
    let bytes = totp_rs::Secret::try_from_base32(secret).expect("base32 secret");
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(bytes)
        .build()
        .expect("totp")
        .generate(unix)
        .to_string()
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// The current code of a base32 secret.
pub fn totp_code(secret: &str) -> String {
    totp_code_at(secret, unix_now())
}

/// A county created through the API, with its admin signed in (password already changed).
pub struct County {
    pub id: String,
    pub code: String,
    pub admin_id: String,
    pub admin_token: String,
}

impl TestApp {
    /// A sign-in request; for accounts enrolled through the harness it carries their current
    /// code (tests of the second factor itself use [`TestApp::sign_in_with_code`]).
    pub async fn sign_in_raw(
        &self,
        tenant_code: Option<&str>,
        username: &str,
        password: &str,
    ) -> Response {
        let secret = self.totp_secret(tenant_code, username);
        if secret.is_some() {
            // Tests sign the same account in several times within one 30-second step, which a
            // person with an app cannot: forget the used step so the helper's code is fresh.
            self.forget_totp_step(tenant_code, username).await;
        }
        let code = secret.as_deref().map(totp_code);
        self.sign_in_with_code(tenant_code, username, password, code.as_deref())
            .await
    }

    /// A sign-in request with exactly the given second-factor code (or none).
    pub async fn sign_in_with_code(
        &self,
        tenant_code: Option<&str>,
        username: &str,
        password: &str,
        totp_code: Option<&str>,
    ) -> Response {
        let mut body = json!({ "username": username, "password": password });
        if let Some(c) = tenant_code {
            body["tenant_code"] = json!(c);
        }
        if let Some(c) = totp_code {
            body["totp_code"] = json!(c);
        }
        self.client
            .post(self.url("/api/v1/auth/sign-in"))
            .json(&body)
            .send()
            .await
            .expect("sign-in request")
    }

    pub async fn sign_in(
        &self,
        tenant_code: Option<&str>,
        username: &str,
        password: &str,
    ) -> String {
        let r = self.sign_in_raw(tenant_code, username, password).await;
        let status = r.status();
        let v: Value = r.json().await.expect("json");
        assert_eq!(status, StatusCode::OK, "sign-in failed: {v}");
        let token = v["token"].as_str().expect("token").to_owned();
        // An account that must have a second factor enrols one (once its password is changed).
        if v["totp_enrolment_required"] == true && v["must_change_password"] == false {
            self.enrol_totp(&token, tenant_code, username).await;
        }
        token
    }

    /// The second-factor secret the harness enrolled for an account, if any.
    pub fn totp_secret(&self, tenant_code: Option<&str>, username: &str) -> Option<String> {
        self.totp
            .lock()
            .expect("lock")
            .get(&totp_key(tenant_code, username))
            .cloned()
    }

    /// Enrols a second factor for the signed-in account (enrol, then confirm with the current
    /// code) and remembers its secret; returns the secret.
    pub async fn enrol_totp(
        &self,
        token: &str,
        tenant_code: Option<&str>,
        username: &str,
    ) -> String {
        let r = self
            .post("/api/v1/auth/totp/enrol", token, &json!({}))
            .send()
            .await
            .expect("enrol");
        let status = r.status();
        let v: Value = r.json().await.expect("json");
        assert_eq!(status, StatusCode::OK, "enrol: {v}");
        let secret = v["secret"].as_str().expect("secret").to_owned();
        let r = self
            .post(
                "/api/v1/auth/totp/confirm",
                token,
                &json!({ "code": totp_code(&secret) }),
            )
            .send()
            .await
            .expect("confirm");
        let status = r.status();
        let v: Value = r.json().await.expect("json");
        assert_eq!(status, StatusCode::OK, "confirm: {v}");
        self.totp
            .lock()
            .expect("lock")
            .insert(totp_key(tenant_code, username), secret.clone());
        secret
    }

    /// Enrols a second factor if this session is waiting for one.
    pub async fn ensure_totp(&self, token: &str, tenant_code: Option<&str>, username: &str) {
        let me: Value = self
            .get("/api/v1/me", token)
            .send()
            .await
            .expect("me")
            .json()
            .await
            .expect("json");
        if me["totp_enrolment_required"] == true && me["must_change_password"] == false {
            self.enrol_totp(token, tenant_code, username).await;
        }
    }

    /// Clears an account's record of the last accepted time step (the replay guard).
    pub async fn forget_totp_step(&self, tenant_code: Option<&str>, username: &str) {
        use diesel::prelude::*;
        use shuanglian::db::schema::{platform_user_totp, platform_users, user_totp, users};
        let code = tenant_code.map(str::to_owned);
        let name = username.to_lowercase();
        self.state
            .db
            .platform(Mode::Write, move |tx| {
                match code {
                    None => {
                        diesel::update(
                            platform_user_totp::table.filter(
                                platform_user_totp::user_id.eq_any(
                                    platform_users::table
                                        .filter(platform_users::username.eq(name))
                                        .select(platform_users::id),
                                ),
                            ),
                        )
                        .set(platform_user_totp::last_step.eq(None::<i64>))
                        .execute(tx.conn())?;
                    }
                    Some(code) => {
                        let Some(t) = shuanglian::tenancy::repo::by_code(tx, &code)? else {
                            return Ok(());
                        };
                        let mut ttx = tx.enter_tenant(t.tenant_id())?;
                        let tid = ttx.tid().to_owned();
                        diesel::update(
                            user_totp::table.filter(
                                user_totp::tenant_id.eq(tid.clone()).and(
                                    user_totp::user_id.eq_any(
                                        users::table
                                            .filter(
                                                users::tenant_id
                                                    .eq(tid)
                                                    .and(users::username.eq(name)),
                                            )
                                            .select(users::id),
                                    ),
                                ),
                            ),
                        )
                        .set(user_totp::last_step.eq(None::<i64>))
                        .execute(ttx.conn())?;
                    }
                }
                Ok(())
            })
            .await
            .expect("forget the last used step");
    }

    pub async fn operator_token(&self) -> String {
        self.sign_in(None, OPERATOR, PASSWORD).await
    }

    /// Seeds Zhejiang's provincial office (`zhejiang`, province 330000) and signs it in.
    pub async fn provincial_office(&self) -> String {
        self.seed_provincial_office().await;
        self.sign_in(None, "zhejiang", PASSWORD).await
    }

    /// Seeds Zhejiang's provincial office (`zhejiang`, password [`PASSWORD`], no second factor
    /// yet) without signing it in.
    pub async fn seed_provincial_office(&self) {
        let hash = shuanglian::auth::password::hash(PASSWORD).expect("hash");
        self.state
            .db
            .platform(shuanglian::db::Mode::Write, move |tx| {
                shuanglian::users::repo::platform_insert(
                    tx,
                    "zhejiang",
                    "浙江省局",
                    shuanglian::auth::Role::ProvincialOffice,
                    Some("330000"),
                    &hash,
                    false,
                )?;
                Ok(())
            })
            .await
            .expect("seed");
    }

    /// Creates a county through the platform API, signs its admin in and changes the
    /// one-time password to [`PASSWORD`].
    pub async fn county(&self, code: &str, name: &str) -> County {
        let op = self.operator_token().await;
        let r = self
            .post(
                "/api/v1/platform/tenants",
                &op,
                &json!({ "code": code, "name": name }),
            )
            .send()
            .await
            .expect("create");
        let status = r.status();
        let v: Value = r.json().await.expect("json");
        assert_eq!(status, StatusCode::CREATED, "{v}");
        let otp = v["admin"]["one_time_password"]
            .as_str()
            .expect("otp")
            .to_owned();
        let username = v["admin"]["username"]
            .as_str()
            .expect("username")
            .to_owned();
        let token = self.sign_in(Some(code), &username, &otp).await;
        let r = self
            .post(
                "/api/v1/auth/password",
                &token,
                &json!({ "current_password": otp, "new_password": PASSWORD }),
            )
            .send()
            .await
            .expect("change password");
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        // County admins must have a second factor.
        self.enrol_totp(&token, Some(code), &username).await;
        County {
            id: v["tenant"]["id"].as_str().expect("id").to_owned(),
            code: code.to_owned(),
            admin_id: v["admin"]["user_id"].as_str().expect("uid").to_owned(),
            admin_token: token,
        }
    }

    /// Creates a county user and returns (id, one-time password).
    pub async fn user(&self, county: &County, username: &str, role: &str) -> (String, String) {
        let r = self
            .post(
                "/api/v1/users",
                &county.admin_token,
                &json!({ "username": username, "display_name": "测试用户", "role": role }),
            )
            .send()
            .await
            .expect("create user");
        let status = r.status();
        let v: Value = r.json().await.expect("json");
        assert_eq!(status, StatusCode::CREATED, "{v}");
        (
            v["user"]["id"].as_str().expect("id").to_owned(),
            v["credential"]["one_time_password"]
                .as_str()
                .expect("otp")
                .to_owned(),
        )
    }

    /// Creates a county user (bound to `unit` when given), signs them in and replaces the
    /// one-time password with [`PASSWORD`]; returns (user id, token).
    pub async fn staff(
        &self,
        c: &County,
        username: &str,
        role: &str,
        unit: Option<&str>,
    ) -> (String, String) {
        let mut body =
            serde_json::json!({ "username": username, "display_name": "测试", "role": role });
        if let Some(u) = unit {
            body["org_unit_id"] = serde_json::json!(u);
        }
        let r = self
            .post("/api/v1/users", &c.admin_token, &body)
            .send()
            .await
            .expect("create user");
        let status = r.status();
        let v: Value = r.json().await.expect("json");
        assert_eq!(status, StatusCode::CREATED, "{v}");
        let otp = v["credential"]["one_time_password"]
            .as_str()
            .expect("otp")
            .to_owned();
        let tok = self.sign_in(Some(&c.code), username, &otp).await;
        let r = self
            .post(
                "/api/v1/auth/password",
                &tok,
                &serde_json::json!({ "current_password": otp, "new_password": PASSWORD }),
            )
            .send()
            .await
            .expect("change password");
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        self.ensure_totp(&tok, Some(&c.code), username).await;
        (v["user"]["id"].as_str().expect("id").to_owned(), tok)
    }
}
