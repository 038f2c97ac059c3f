//! Colour depth: themes and syntax colours are 24-bit; a terminal that does not say it
//! shows them (`COLORTERM=truecolor` or `24bit`) gets the nearest of the 256-colour
//! palette, or of the 16 ANSI colours where `TERM` has no `256color` either. The frame
//! is converted cell by cell after it is drawn, so every colour on screen goes through it.

use ratatui::buffer::Buffer;
use ratatui::style::Color;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    TrueColor,
    Palette256,
    Ansi16,
}

impl Depth {
    /// What the environment says the terminal shows. `TFREVIEW_COLORS` (`truecolor`,
    /// `256`, `16`) overrides it.
    pub fn from_env() -> Depth {
        let var = |k: &str| std::env::var(k).unwrap_or_default().to_ascii_lowercase();
        match var("TFREVIEW_COLORS").as_str() {
            "truecolor" | "24bit" => return Depth::TrueColor,
            "256" => return Depth::Palette256,
            "16" => return Depth::Ansi16,
            _ => {}
        }
        let colorterm = var("COLORTERM");
        if colorterm == "truecolor" || colorterm == "24bit" {
            Depth::TrueColor
        } else if var("TERM").contains("256color") {
            Depth::Palette256
        } else {
            Depth::Ansi16
        }
    }
}

/// Converts every 24-bit colour of `buf` to `depth`.
pub fn degrade(buf: &mut Buffer, depth: Depth) {
    if depth == Depth::TrueColor {
        return;
    }
    for cell in buf.content.iter_mut() {
        cell.fg = convert(cell.fg, depth);
        cell.bg = convert(cell.bg, depth);
    }
}

pub fn convert(color: Color, depth: Depth) -> Color {
    let Color::Rgb(r, g, b) = color else {
        return color;
    };
    match depth {
        Depth::TrueColor => color,
        Depth::Palette256 => Color::Indexed(nearest_256(r, g, b)),
        Depth::Ansi16 => nearest_16(r, g, b),
    }
}

fn dist(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).unsigned_abs();
    // Weighted toward green, as the eye is.
    2 * d(a.0, b.0).pow(2) + 4 * d(a.1, b.1).pow(2) + 3 * d(a.2, b.2).pow(2)
}

/// The nearest colour of the xterm palette's 6×6×6 cube (16–231) and grey ramp (232–255).
pub fn nearest_256(r: u8, g: u8, b: u8) -> u8 {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let level = |v: u8| -> usize {
        LEVELS
            .iter()
            .enumerate()
            .min_by_key(|(_, l)| (i32::from(**l) - i32::from(v)).unsigned_abs())
            .map_or(0, |(i, _)| i)
    };
    let (ri, gi, bi) = (level(r), level(g), level(b));
    let cube = (LEVELS[ri], LEVELS[gi], LEVELS[bi]);
    let cube_index = 16 + 36 * ri + 6 * gi + bi;
    let avg = (u32::from(r) + u32::from(g) + u32::from(b)) / 3;
    let grey_step = ((avg.saturating_sub(8)) / 10).min(23);
    let grey_value = u8::try_from(8 + grey_step * 10).unwrap_or(238);
    let grey = (grey_value, grey_value, grey_value);
    let target = (r, g, b);
    let index = if dist(target, grey) < dist(target, cube) {
        232 + grey_step as usize
    } else {
        cube_index
    };
    u8::try_from(index).unwrap_or(15)
}

/// The ANSI colour of the same hue: a grey by lightness when the colour has little
/// chroma, else the colour whose channels are on (those above the middle of the range),
/// in its light variant for pastel or very bright colours.
pub fn nearest_16(r: u8, g: u8, b: u8) -> Color {
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    if max - min < 40 {
        return match (u16::from(r) + u16::from(g) + u16::from(b)) / 3 {
            0..=50 => Color::Black,
            51..=150 => Color::DarkGray,
            151..=220 => Color::Gray,
            _ => Color::White,
        };
    }
    let mid = (u16::from(max) + u16::from(min)) / 2;
    let on = |v: u8| u16::from(v) > mid;
    let light = max >= 240 || min >= 80;
    match (on(r), on(g), on(b), light) {
        (true, false, false, false) => Color::Red,
        (true, false, false, true) => Color::LightRed,
        (false, true, false, false) => Color::Green,
        (false, true, false, true) => Color::LightGreen,
        (true, true, false, false) => Color::Yellow,
        (true, true, false, true) => Color::LightYellow,
        (false, false, true, false) => Color::Blue,
        (false, false, true, true) => Color::LightBlue,
        (true, false, true, false) => Color::Magenta,
        (true, false, true, true) => Color::LightMagenta,
        (false, true, true, false) => Color::Cyan,
        (false, true, true, true) => Color::LightCyan,
        _ => Color::Gray,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette_colours_are_the_nearest() {
        assert_eq!(nearest_256(0, 0, 0), 16);
        assert_eq!(nearest_256(255, 255, 255), 231);
        assert_eq!(nearest_256(255, 0, 0), 196);
        assert_eq!(nearest_256(95, 95, 95), 59);
        assert_eq!(nearest_256(8, 8, 8), 232);
        assert_eq!(nearest_256(238, 238, 238), 255);
        assert_eq!(nearest_256(0x87, 0xd7, 0x87), 114);
        assert_eq!(nearest_16(0xd7, 0x00, 0x00), Color::Red);
        assert_eq!(nearest_16(0x87, 0xd7, 0x87), Color::LightGreen);
        assert_eq!(nearest_16(0xff, 0xaf, 0x00), Color::LightYellow);
        assert_eq!(nearest_16(0x60, 0x60, 0x60), Color::DarkGray);
        assert_eq!(nearest_16(0x1c, 0x1c, 0x1c), Color::Black);
        assert_eq!(convert(Color::Blue, Depth::Ansi16), Color::Blue);
        assert_eq!(
            convert(Color::Rgb(255, 0, 0), Depth::Palette256),
            Color::Indexed(196)
        );
    }
}
