//! Themes: UI colours by semantic key (`finding.critical`, `diff.added`, …) and the name
//! of the syntax theme, read from TOML. The dark and light themes in `themes/` are
//! embedded; `--theme` takes one of their names or a file. `NO_COLOR` gives a monochrome
//! theme in which severity, status and diff sides stay visible through text and
//! modifiers.

use std::collections::BTreeMap;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

const DARK: &str = include_str!("../../themes/dark.toml");
const LIGHT: &str = include_str!("../../themes/light.toml");

/// Every key a theme must define.
pub const KEYS: &[&str] = &[
    "text",
    "muted",
    "border",
    "border.focused",
    "title",
    "selection.bg",
    "span.bg",
    "gutter",
    "finding.critical",
    "finding.high",
    "finding.medium",
    "finding.low",
    "status.accepted",
    "status.rejected",
    "status.pending",
    "status.new",
    "status.resolved",
    "diff.added",
    "diff.removed",
    "diff.header",
    "statusline.fg",
    "statusline.bg",
    "warning",
];

#[derive(Debug, Clone, serde::Deserialize)]
struct ThemeFile {
    name: String,
    syntax: String,
    ui: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct Theme {
    pub name: String,
    /// Two-face syntax theme name; `None` for monochrome.
    pub syntax: Option<String>,
    colors: BTreeMap<String, Color>,
    pub mono: bool,
}

impl Theme {
    /// `dark`, `light`, or the path of a theme file.
    pub fn load(name_or_path: &str) -> anyhow::Result<Theme> {
        let text = match name_or_path {
            "dark" => DARK.to_string(),
            "light" => LIGHT.to_string(),
            path => crate::io::read_text(std::path::Path::new(path), crate::io::MAX_CONFIG_BYTES)
                .map_err(|e| {
                anyhow::anyhow!("theme `{path}` is neither dark nor light, and {e}")
            })?,
        };
        Theme::parse(&text)
    }

    pub fn parse(text: &str) -> anyhow::Result<Theme> {
        let file: ThemeFile = toml::from_str(text)?;
        let mut colors = BTreeMap::new();
        for key in KEYS {
            let value = file
                .ui
                .get(*key)
                .ok_or_else(|| anyhow::anyhow!("theme `{}` lacks the colour `{key}`", file.name))?;
            let color = Color::from_str(value).map_err(|_| {
                anyhow::anyhow!("theme `{}`: `{key}` = `{value}` is not a colour", file.name)
            })?;
            colors.insert((*key).to_string(), color);
        }
        if let Some(unknown) = file.ui.keys().find(|k| !KEYS.contains(&k.as_str())) {
            anyhow::bail!("theme `{}` has an unknown key `{unknown}`", file.name);
        }
        Ok(Theme {
            name: file.name,
            syntax: Some(file.syntax),
            colors,
            mono: false,
        })
    }

    /// No colours at all (`NO_COLOR`).
    pub fn mono() -> Theme {
        Theme {
            name: "mono".into(),
            syntax: None,
            colors: BTreeMap::new(),
            mono: true,
        }
    }

    pub fn color(&self, key: &str) -> Color {
        self.colors.get(key).copied().unwrap_or(Color::Reset)
    }

    /// Foreground style of a key; in monochrome, the modifier that stands in for it.
    pub fn fg(&self, key: &str) -> Style {
        if self.mono {
            return match key {
                "finding.critical" | "finding.high" | "title" | "diff.header" => {
                    Style::new().add_modifier(Modifier::BOLD)
                }
                "muted" | "gutter" | "status.pending" => Style::new().add_modifier(Modifier::DIM),
                "diff.removed" => Style::new().add_modifier(Modifier::CROSSED_OUT),
                _ => Style::new(),
            };
        }
        Style::new().fg(self.color(key))
    }

    /// The style of a selected row.
    pub fn selection(&self) -> Style {
        if self.mono {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new().bg(self.color("selection.bg"))
        }
    }

    /// The emphasis of the selected finding's span in the source.
    pub fn span(&self) -> Style {
        if self.mono {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::UNDERLINED)
        } else {
            Style::new()
                .bg(self.color("span.bg"))
                .add_modifier(Modifier::UNDERLINED)
        }
    }

    pub fn statusline(&self) -> Style {
        if self.mono {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
                .fg(self.color("statusline.fg"))
                .bg(self.color("statusline.bg"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_themes_define_every_key() {
        for name in ["dark", "light"] {
            let theme = Theme::load(name).unwrap();
            assert_eq!(theme.name, name);
            assert_ne!(theme.color("finding.critical"), Color::Reset);
        }
    }

    #[test]
    fn a_theme_missing_a_key_or_with_a_bad_colour_is_an_error() {
        let err = Theme::parse("name = \"x\"\nsyntax = \"Nord\"\n[ui]\ntext = \"#ffffff\"\n")
            .unwrap_err();
        assert!(err.to_string().contains("lacks the colour"), "{err}");
        let mut text = DARK.replace("\"#d0d0d0\"", "\"not-a-colour\"");
        text.push('\n');
        assert!(
            Theme::parse(&text)
                .unwrap_err()
                .to_string()
                .contains("is not a colour")
        );
    }
}
