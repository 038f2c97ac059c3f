//! The terminal workbench: state and update ([`app`]), pure drawing ([`draw`]), layout,
//! key bindings as data, themes, highlighting, and the event loop that owns the terminal
//! ([`run`]). The engine modules never import this one.

pub mod app;
pub mod colors;
pub mod draw;
pub mod highlight;
pub mod keymap;
pub mod layout;
pub mod run;
pub mod theme;
