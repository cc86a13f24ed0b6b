//! `GET /api/v1/events`: the caller's live updates as server-sent events.

use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use poem_openapi::payload::EventStream;
use poem_openapi::{OpenApi, Tags};
use tokio::sync::broadcast::error::RecvError;

use super::{Event, visible};
use crate::auth::{Auth, Role};
use crate::error::{AppError, AppResult};
use crate::startup::AppState;

#[derive(Tags)]
enum ApiTags {
    Events,
}

pub struct EventsApi {
    pub state: AppState,
}

#[OpenApi(tag = "ApiTags::Events")]
impl EventsApi {
    /// 实时更新 / Live updates (text/event-stream)
    ///
    /// County users receive their county's events, platform operators the platform's (county
    /// created, renamed, suspended, reactivated), a provincial office those of its province's
    /// counties. Events carry kind, entity id, county code and time, never personal data; a
    /// comment line every 15 s keeps idle connections open. The stream ends when the session
    /// expires; a client that fell far behind gets a `resync` event and should reload.
    #[oai(path = "/events", method = "get")]
    async fn events(&self, auth: Auth) -> AppResult<EventStream<BoxStream<'static, Event>>> {
        let who = auth.0;
        let keys = self.state.sessions.keys().clone();
        let rx = self
            .state
            .sessions
            .kv()
            .subscribe(&keys.events_prefix())
            .await
            .map_err(AppError::internal)?;
        let scope = who.scope.clone();
        let province = (who.role == Role::ProvincialOffice)
            .then(|| who.province_code.clone())
            .flatten();
        let until = who.record.expires_at;
        let stream = futures_util::stream::unfold(rx, move |mut rx| {
            let keys = keys.clone();
            let scope = scope.clone();
            let province = province.clone();
            async move {
                loop {
                    let left = (until - chrono::Utc::now()).to_std().ok()?;
                    let msg = match tokio::time::timeout(left, rx.recv()).await {
                        Err(_) | Ok(Err(RecvError::Closed)) => return None,
                        Ok(Err(RecvError::Lagged(_))) => {
                            return Some((super::Event::resync(), rx));
                        }
                        Ok(Ok(m)) => m,
                    };
                    let Ok(ev) = serde_json::from_str::<Event>(&msg.payload) else {
                        continue;
                    };
                    if visible(&keys, &scope, province.as_deref(), &msg.channel, &ev) {
                        return Some((ev, rx));
                    }
                }
            }
        });
        Ok(EventStream::new(stream.boxed()).keep_alive(Duration::from_secs(15)))
    }
}
