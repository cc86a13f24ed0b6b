//! `GET /api/v1/events`: the caller's live updates as server-sent events.

use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use poem_openapi::payload::EventStream;
use poem_openapi::{OpenApi, Tags};

use super::Event;
use super::stream::Subscription;
use crate::AppState;
use crate::auth::Auth;
use crate::error::AppResult;

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
    /// County users receive the events of their county about what they may see (a scoped user
    /// only those about entities in their scope), platform operators the platform's (county
    /// created, renamed, suspended, reactivated), a provincial office those of its province's
    /// counties. Events carry kind, entity id, county code and time, never personal data; a
    /// comment line every 15 s keeps idle connections open. The stream ends when the session
    /// expires or is revoked (sign-out, a disabled account) and when the county is suspended,
    /// within a few seconds; a client that fell far behind gets a `resync` event and should
    /// reload.
    #[oai(path = "/events", method = "get")]
    async fn events(&self, auth: Auth) -> AppResult<EventStream<BoxStream<'static, Event>>> {
        let sub = Subscription::open(&self.state, &auth.0).await?;
        let stream = futures_util::stream::unfold(sub, |mut sub| async move {
            let ev = sub.next().await?;
            Some((ev, sub))
        });
        Ok(EventStream::new(stream.boxed()).keep_alive(Duration::from_secs(15)))
    }
}
