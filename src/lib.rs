//! cockpit: a terminal release cockpit for GitHub Actions, environment health and rollbacks.

pub mod app;
pub mod audit;
pub mod clock;
pub mod config;
pub mod demo;
pub mod dispatch;
pub mod effects;
#[doc(hidden)]
pub mod fixtures;
pub mod github;
pub mod health;
pub mod init;
pub mod keymap;
pub mod logging;
pub mod manual;
pub mod model;
pub mod msg;
pub mod notify;
pub mod palette;
pub mod palette_history;
pub mod remote;
pub mod sim;
pub mod status;
pub mod theme;
pub mod token;
pub mod tui;
pub mod update;
pub mod view;
