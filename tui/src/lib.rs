//! The Shuanglian operator console: a terminal client of the public API (never the database).
//! The Elm architecture: `app` (model, messages, update), `view`, `screens` (one module per
//! screen), `api` (the HTTP client and live updates), `runtime` (terminal and event loop).

pub mod api;
pub mod app;
pub mod days;
pub mod i18n;
pub mod runtime;
#[doc(hidden)]
pub mod sample;
pub mod screens;
pub mod view;
pub mod widgets;
