//! The result as a PNG bar chart, drawn in-process.
//!
//! The font (Inter, SIL OFL, `assets/fonts`) is compiled into the binary and
//! glyphs are rasterised by `ab_glyph`, so a fresh machine needs no system font
//! or library. The chart sits on its own opaque light card with dark text, so it
//! reads the same in Discord's dark and light themes.

use super::{letter, Results};
use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};

static FONT: &[u8] = include_bytes!("../../../../assets/fonts/Inter-Regular.otf");

const WIDTH: u32 = 800;
const PADDING: f32 = 28.0;
const ROW: f32 = 54.0;
const LABEL_WIDTH: f32 = 290.0;
const BAR_HEIGHT: f32 = 26.0;
const COUNT_WIDTH: f32 = 120.0;
/// The question wraps onto at most this many lines.
const TITLE_LINES: usize = 3;
const TITLE_LINE: f32 = 32.0;

const BACKGROUND: [u8; 3] = [0xF7, 0xF6, 0xFB];
const BORDER: [u8; 3] = [0xC9, 0xC4, 0xDA];
const TEXT: [u8; 3] = [0x1E, 0x1B, 0x2E];
const MUTED: [u8; 3] = [0x5A, 0x55, 0x6E];
const TRACK: [u8; 3] = [0xE4, 0xE0, 0xEF];
const WINNER: [u8; 3] = [0x6C, 0x4A, 0xB6];
const OTHER: [u8; 3] = [0x9E, 0x8C, 0xD0];

/// Why the chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the bundled font cannot be read")]
    Font,
    #[error("PNG encoding failed: {0}")]
    Png(#[from] png::EncodingError),
}

/// An RGB canvas.
struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: u32, height: u32) -> Self {
        let mut pixels = Vec::with_capacity((width * height * 3) as usize);
        for _ in 0..width * height {
            pixels.extend_from_slice(&BACKGROUND);
        }
        Self {
            width,
            height,
            pixels,
        }
    }

    /// Mixes `colour` into the pixel at (x, y) with `coverage` 0..=1.
    fn blend(&mut self, x: i64, y: i64, colour: [u8; 3], coverage: f32) {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return;
        }
        let index = ((y as u64 * u64::from(self.width) + x as u64) * 3) as usize;
        let alpha = coverage.clamp(0.0, 1.0);
        for (channel, target) in colour.iter().enumerate() {
            let old = f32::from(self.pixels[index + channel]);
            let new = old + (f32::from(*target) - old) * alpha;
            self.pixels[index + channel] = new.round() as u8;
        }
    }

    fn rect(&mut self, x: f32, y: f32, width: f32, height: f32, colour: [u8; 3]) {
        for py in y.round() as i64..(y + height).round() as i64 {
            for px in x.round() as i64..(x + width).round() as i64 {
                self.blend(px, py, colour, 1.0);
            }
        }
    }

    fn encode(&self) -> Result<Vec<u8>, ChartError> {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&self.pixels)?;
        writer.finish()?;
        Ok(bytes)
    }
}

/// Text drawing with the bundled font.
struct Pen<'f> {
    font: FontRef<'f>,
}

impl Pen<'_> {
    /// Width of `text` at `size` px; characters the font lacks are skipped.
    fn measure(&self, text: &str, size: f32) -> f32 {
        let scaled = self.font.as_scaled(PxScale::from(size));
        text.chars()
            .map(|c| scaled.glyph_id(c))
            .filter(|id| id.0 != 0)
            .map(|id| scaled.h_advance(id))
            .sum()
    }

    /// Draws `text` with its baseline at `y`; returns its width.
    fn draw(
        &self,
        canvas: &mut Canvas,
        text: &str,
        size: f32,
        (x, y): (f32, f32),
        colour: [u8; 3],
    ) -> f32 {
        let scaled = self.font.as_scaled(PxScale::from(size));
        let mut caret = x;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if id.0 == 0 {
                continue;
            }
            let glyph = id.with_scale_and_position(size, point(caret, y));
            caret += scaled.h_advance(id);
            if let Some(outline) = self.font.outline_glyph(glyph) {
                let bounds = outline.px_bounds();
                outline.draw(|gx, gy, coverage| {
                    let px = bounds.min.x as i64 + i64::from(gx);
                    let py = bounds.min.y as i64 + i64::from(gy);
                    canvas.blend(px, py, colour, coverage);
                });
            }
        }
        caret - x
    }

    /// `text` cut with an ellipsis to fit `width` px at `size`.
    fn fit(&self, text: &str, size: f32, width: f32) -> String {
        if self.measure(text, size) <= width {
            return text.to_owned();
        }
        let mut cut: String = text.to_owned();
        while !cut.is_empty() && self.measure(&format!("{cut}…"), size) > width {
            cut.pop();
        }
        format!("{}…", cut.trim_end())
    }

    /// `text` word-wrapped to `width` px on at most `lines` lines, the last one
    /// cut with an ellipsis if the text goes on.
    fn wrap(&self, text: &str, size: f32, width: f32, lines: usize) -> Vec<String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let mut wrapped = Vec::new();
        let mut line = String::new();
        for (index, word) in words.iter().enumerate() {
            let longer = format!("{line} {word}");
            if line.is_empty() || self.measure(&longer, size) <= width {
                line = longer.trim_start().to_owned();
                continue;
            }
            if wrapped.len() + 1 >= lines {
                let rest = words[index..].join(" ");
                wrapped.push(self.fit(&format!("{line} {rest}"), size, width));
                return wrapped;
            }
            wrapped.push(self.fit(&line, size, width));
            line = (*word).to_owned();
        }
        if !line.is_empty() {
            wrapped.push(self.fit(&line, size, width));
        }
        wrapped
    }
}

/// Renders `results` as a PNG bar chart.
///
/// # Errors
/// [`ChartError`] if the font cannot be read or the PNG not encoded.
pub fn bar_chart(results: &Results) -> Result<Vec<u8>, ChartError> {
    let pen = Pen {
        font: FontRef::try_from_slice(FONT).map_err(|_| ChartError::Font)?,
    };
    let inner = WIDTH as f32 - 2.0 * PADDING;
    let title = pen.wrap(&results.question, 24.0, inner, TITLE_LINES);
    let title_height = TITLE_LINE * title.len().max(1) as f32;
    let rows = results.options.len() as f32;
    let height = (PADDING * 2.0 + title_height + 12.0 + rows * ROW + 36.0).round() as u32;
    let mut canvas = Canvas::new(WIDTH, height);
    frame(&mut canvas);
    for (line, text) in title.iter().enumerate() {
        let baseline = PADDING + 24.0 + TITLE_LINE * line as f32;
        pen.draw(&mut canvas, text, 24.0, (PADDING, baseline), TEXT);
    }
    let top = PADDING + title_height + 12.0;
    for (index, option) in results.options.iter().enumerate() {
        let y = top + index as f32 * ROW;
        let label = format!("{}  {}", letter(index), option.label);
        let label = pen.fit(&label, 19.0, LABEL_WIDTH - 16.0);
        pen.draw(&mut canvas, &label, 19.0, (PADDING, y + 26.0), TEXT);
        let bar_x = PADDING + LABEL_WIDTH;
        let bar_width = inner - LABEL_WIDTH - COUNT_WIDTH;
        canvas.rect(bar_x, y + 7.0, bar_width, BAR_HEIGHT, TRACK);
        let filled = (bar_width * (option.percent / 100.0) as f32).clamp(0.0, bar_width);
        let colour = if results.winners.contains(&index) {
            WINNER
        } else {
            OTHER
        };
        canvas.rect(bar_x, y + 7.0, filled, BAR_HEIGHT, colour);
        let count = format!("{}  ({:.0}%)", option.votes, option.percent);
        pen.draw(
            &mut canvas,
            &count,
            18.0,
            (bar_x + bar_width + 14.0, y + 26.0),
            TEXT,
        );
    }
    let footer = format!("{} · emcee flash poll", results.voters_text());
    let footer_y = top + rows * ROW + 20.0;
    pen.draw(&mut canvas, &footer, 16.0, (PADDING, footer_y), MUTED);
    canvas.encode()
}

/// A one-pixel border around the card.
fn frame(canvas: &mut Canvas) {
    let (w, h) = (canvas.width as f32, canvas.height as f32);
    canvas.rect(0.0, 0.0, w, 1.0, BORDER);
    canvas.rect(0.0, h - 1.0, w, 1.0, BORDER);
    canvas.rect(0.0, 0.0, 1.0, h, BORDER);
    canvas.rect(w - 1.0, 0.0, 1.0, h, BORDER);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::polls::{OptionResult, Results};

    fn pen() -> Pen<'static> {
        Pen {
            font: FontRef::try_from_slice(FONT).unwrap(),
        }
    }

    #[test]
    fn a_long_question_wraps_onto_three_lines_at_most_and_nothing_is_lost_before_the_cut() {
        let pen = pen();
        let words = "word ".repeat(80);
        let lines = pen.wrap(&words, 24.0, 400.0, 3);
        assert_eq!(lines.len(), 3);
        assert!(lines[2].ends_with('…'), "{lines:?}");
        assert!(lines.iter().all(|l| pen.measure(l, 24.0) <= 400.0));
        let short = pen.wrap("Tabs or spaces?", 24.0, 400.0, 3);
        assert_eq!(short, ["Tabs or spaces?"]);
        let joined = pen
            .wrap("one two three four five six", 24.0, 120.0, 3)
            .join(" ");
        assert!(joined.starts_with("one two"), "{joined}");
    }

    #[test]
    fn a_chart_is_a_png_with_a_row_per_option() {
        let option = |label: &str, votes: u64, percent: f64| OptionResult {
            key: String::new(),
            label: label.into(),
            votes,
            percent,
        };
        let results = Results {
            question: "If you had to select one of the following programming languages for a new project, which would you choose?".into(),
            multi: false,
            options: vec![
                option("Rust", 412, 41.2),
                option("Go", 231, 23.1),
                option("C++ — with the usual caveats and a very long label", 97, 9.7),
                option("Java", 160, 16.0),
                option("Python", 100, 10.0),
                option("Ñandú (other)", 0, 0.0),
            ],
            voters: 1000,
            winners: vec![0],
        };
        let png = bar_chart(&results).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let height = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
        let title_lines = 2.0;
        assert_eq!(
            height,
            (PADDING * 2.0 + TITLE_LINE * title_lines + 12.0 + 6.0 * ROW + 36.0).round() as u32
        );
        assert_eq!(
            pen()
                .wrap(&results.question, 24.0, WIDTH as f32 - 2.0 * PADDING, 3)
                .len(),
            2
        );
        // Kept for a look: `target/…/emcee-poll-chart.png` in the temp folder.
        let _ = std::fs::write(std::env::temp_dir().join("emcee-poll-chart.png"), &png);
    }
}
