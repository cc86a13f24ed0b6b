//! The console's building blocks: a filterable, virtualised list; a keyboard form; text
//! fitted to terminal columns (a CJK character takes two).

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, Wrap};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::i18n::{Lang, tr};

/// Cuts `s` to at most `width` columns, ending in `…` when cut, and pads it to exactly
/// `width` columns, so columns of Chinese and Latin text line up.
pub fn fit(s: &str, width: usize) -> String {
    let w = s.width();
    if w <= width {
        return format!("{s}{}", " ".repeat(width - w));
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > width {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    used += 1;
    out.push_str(&" ".repeat(width.saturating_sub(used)));
    out
}

/// Items with a cursor and a `/` filter. `view` holds the indices that pass the filter; only
/// the rows on screen are ever built (see [`draw_table`]), so 10,000 entries cost no more to
/// draw than 20.
#[derive(Debug, Clone)]
pub struct List<T> {
    pub items: Vec<T>,
    pub view: Vec<usize>,
    pub sel: usize,
    pub filter: String,
    pub filtering: bool,
    pub loaded: bool,
}

impl<T> Default for List<T> {
    fn default() -> Self {
        List {
            items: Vec::new(),
            view: Vec::new(),
            sel: 0,
            filter: String::new(),
            filtering: false,
            loaded: false,
        }
    }
}

impl<T> List<T> {
    pub fn set(&mut self, items: Vec<T>, text: impl Fn(&T) -> String) {
        self.items = items;
        self.loaded = true;
        self.refilter(text);
    }

    pub fn refilter(&mut self, text: impl Fn(&T) -> String) {
        let needle = self.filter.to_lowercase();
        self.view = self
            .items
            .iter()
            .enumerate()
            .filter(|(_, t)| needle.is_empty() || text(t).to_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect();
        self.sel = self.sel.min(self.view.len().saturating_sub(1));
    }

    pub fn selected(&self) -> Option<&T> {
        self.view.get(self.sel).and_then(|&i| self.items.get(i))
    }

    /// Cursor and filter keys; true when the key was used. `text` rebuilds the filter.
    pub fn key(&mut self, k: KeyEvent, text: impl Fn(&T) -> String) -> bool {
        if self.filtering {
            match k.code {
                KeyCode::Esc => {
                    self.filtering = false;
                    self.filter.clear();
                }
                KeyCode::Enter => self.filtering = false,
                KeyCode::Backspace => {
                    self.filter.pop();
                }
                KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                    self.filter.push(c)
                }
                _ => return true,
            }
            self.refilter(text);
            return true;
        }
        let n = self.view.len();
        match k.code {
            KeyCode::Char('/') => self.filtering = true,
            KeyCode::Down | KeyCode::Char('j') => {
                self.sel = (self.sel + 1).min(n.saturating_sub(1))
            }
            KeyCode::Up | KeyCode::Char('k') => self.sel = self.sel.saturating_sub(1),
            KeyCode::PageDown => self.sel = (self.sel + 10).min(n.saturating_sub(1)),
            KeyCode::PageUp => self.sel = self.sel.saturating_sub(10),
            KeyCode::Home | KeyCode::Char('g') => self.sel = 0,
            KeyCode::End | KeyCode::Char('G') => self.sel = n.saturating_sub(1),
            _ => return false,
        }
        true
    }
}

/// Draws the visible window of a list as a table. `cells` builds one row's cells; it is called
/// only for rows on screen.
/// A list screen's load error, in place of its table.
pub fn draw_load_error(f: &mut Frame, area: Rect, error: &str) {
    f.render_widget(
        Paragraph::new(format!("✗ {error}")).style(Style::default().fg(Color::Red)),
        area,
    );
}

pub fn draw_table<T>(
    f: &mut Frame,
    area: Rect,
    lang: Lang,
    title: &str,
    header: &[(&str, u16)],
    list: &List<T>,
    cells: impl Fn(&T) -> Vec<String>,
) {
    draw_table_styled(f, area, lang, title, header, list, cells, |_| {
        Style::default()
    });
}

/// [`draw_table`] with a style for each row (an overdue one in red, say); the cursor's row is
/// that style reversed.
#[allow(clippy::too_many_arguments)]
pub fn draw_table_styled<T>(
    f: &mut Frame,
    area: Rect,
    lang: Lang,
    title: &str,
    header: &[(&str, u16)],
    list: &List<T>,
    cells: impl Fn(&T) -> Vec<String>,
    row_style: impl Fn(&T) -> Style,
) {
    draw_table_focus(f, area, lang, title, header, list, cells, row_style, true);
}

/// [`draw_table_styled`], the cursor's row shown only when `focused` (of two tables on a
/// screen, the one the keys move).
#[allow(clippy::too_many_arguments)]
pub fn draw_table_focus<T>(
    f: &mut Frame,
    area: Rect,
    lang: Lang,
    title: &str,
    header: &[(&str, u16)],
    list: &List<T>,
    cells: impl Fn(&T) -> Vec<String>,
    row_style: impl Fn(&T) -> Style,
    focused: bool,
) {
    let count = if list.filter.is_empty() {
        format!(" {title} ({}) ", list.view.len())
    } else {
        format!(
            " {title} ({}/{}) /{}{} ",
            list.view.len(),
            list.items.len(),
            list.filter,
            if list.filtering { "▏" } else { "" }
        )
    };
    let block = Block::default().borders(Borders::ALL).title(count);
    let inner_h = area.height.saturating_sub(3) as usize; // borders and header
    let offset = if inner_h == 0 {
        0
    } else {
        list.sel.saturating_sub(inner_h - 1)
    };
    let widths: Vec<u16> = header.iter().map(|(_, w)| *w).collect();
    let rows: Vec<Row> = list
        .view
        .iter()
        .skip(offset)
        .take(inner_h)
        .enumerate()
        .filter_map(|(i, &idx)| {
            let item = list.items.get(idx)?;
            let style = if focused && offset + i == list.sel {
                row_style(item).add_modifier(Modifier::REVERSED)
            } else {
                row_style(item)
            };
            let cs = cells(item)
                .into_iter()
                .zip(&widths)
                .map(|(c, w)| Cell::from(fit(&c, *w as usize)));
            Some(Row::new(cs).style(style))
        })
        .collect();
    let head = Row::new(
        header
            .iter()
            .map(|(h, w)| Cell::from(fit(h, *w as usize)))
            .collect::<Vec<_>>(),
    )
    .style(Style::default().add_modifier(Modifier::BOLD));
    let constraints: Vec<Constraint> = widths.iter().map(|w| Constraint::Length(*w)).collect();
    let table = Table::new(rows, constraints).header(head).block(block);
    f.render_widget(table, area);
    if list.loaded && list.view.is_empty() {
        let msg = tr(lang, "（无记录）", "(nothing here)");
        let r = Rect::new(
            area.x + 2,
            area.y + 2,
            area.width.saturating_sub(4).min(20),
            1,
        );
        if area.height > 3 {
            f.render_widget(Paragraph::new(msg), r);
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Text,
    Secret,
    Multiline,
    /// (value, label) options, the chosen index and what was typed to search.
    Select(Vec<(String, String)>, usize, String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub label: (String, String),
    pub value: String,
    pub kind: FieldKind,
}

impl Field {
    pub fn text(zh: &str, en: &str) -> Field {
        Field {
            label: (zh.into(), en.into()),
            value: String::new(),
            kind: FieldKind::Text,
        }
    }

    pub fn secret(zh: &str, en: &str) -> Field {
        Field {
            kind: FieldKind::Secret,
            ..Field::text(zh, en)
        }
    }

    pub fn multiline(zh: &str, en: &str) -> Field {
        Field {
            kind: FieldKind::Multiline,
            ..Field::text(zh, en)
        }
    }

    pub fn select(zh: &str, en: &str, options: Vec<(String, String)>) -> Field {
        Field {
            kind: FieldKind::Select(options, 0, String::new()),
            ..Field::text(zh, en)
        }
    }

    pub fn with(mut self, v: &str) -> Field {
        self.value = v.to_owned();
        self
    }

    /// The value to send: the typed text, or the chosen option's value.
    pub fn get(&self) -> String {
        match &self.kind {
            FieldKind::Select(o, i, _) => o.get(*i).map(|(v, _)| v.clone()).unwrap_or_default(),
            _ => self.value.trim_end_matches(['\n', ' ']).to_owned(),
        }
    }

    fn shown(&self) -> String {
        match &self.kind {
            FieldKind::Secret => "•".repeat(self.value.chars().count()),
            FieldKind::Select(o, i, q) => {
                let l = o.get(*i).map(|(_, l)| l.as_str()).unwrap_or("—");
                if q.is_empty() {
                    format!("◀ {l} ▶")
                } else {
                    format!("◀ {l} ▶  ({q})")
                }
            }
            _ => self.value.clone(),
        }
    }
}

/// What a key did to a form.
#[derive(Debug, Clone, PartialEq)]
pub enum FormKey {
    Edited,
    Submit,
    Cancel,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub title: (String, String),
    pub fields: Vec<Field>,
    pub focus: usize,
    /// The last error from the API, shown inside the form.
    pub error: Option<String>,
}

impl Form {
    pub fn new(zh: &str, en: &str, fields: Vec<Field>) -> Form {
        Form {
            title: (zh.into(), en.into()),
            fields,
            focus: 0,
            error: None,
        }
    }

    pub fn value(&self, i: usize) -> String {
        self.fields.get(i).map(Field::get).unwrap_or_default()
    }

    /// The value, or None when left empty.
    pub fn opt(&self, i: usize) -> Option<String> {
        Some(self.value(i)).filter(|v| !v.trim().is_empty())
    }

    pub fn key(&mut self, k: KeyEvent) -> FormKey {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let n = self.fields.len();
        let Some(field) = self.fields.get_mut(self.focus) else {
            return FormKey::Cancel;
        };
        let multiline = field.kind == FieldKind::Multiline;
        match k.code {
            KeyCode::Esc => return FormKey::Cancel,
            KeyCode::F(2) => return FormKey::Submit,
            KeyCode::Char('s') if ctrl => return FormKey::Submit,
            KeyCode::Enter if multiline => field.value.push('\n'),
            KeyCode::Enter if self.focus + 1 < n => self.focus += 1,
            KeyCode::Enter => return FormKey::Submit,
            KeyCode::Tab | KeyCode::Down => self.focus = (self.focus + 1) % n,
            KeyCode::BackTab | KeyCode::Up => self.focus = (self.focus + n - 1) % n,
            KeyCode::Left | KeyCode::Right => {
                if let FieldKind::Select(o, i, q) = &mut field.kind
                    && !o.is_empty()
                {
                    q.clear();
                    *i = if k.code == KeyCode::Right {
                        (*i + 1) % o.len()
                    } else {
                        (*i + o.len() - 1) % o.len()
                    };
                }
            }
            KeyCode::Backspace => match &mut field.kind {
                FieldKind::Select(_, _, q) => {
                    q.pop();
                }
                _ => {
                    field.value.pop();
                }
            },
            KeyCode::Char(c) if !ctrl => match &mut field.kind {
                FieldKind::Select(o, i, q) => {
                    q.push(c);
                    let needle = q.to_lowercase();
                    if let Some(p) = o.iter().position(|(v, l)| {
                        l.to_lowercase().contains(&needle) || v.to_lowercase().starts_with(&needle)
                    }) {
                        *i = p;
                    }
                }
                _ => field.value.push(c),
            },
            _ => {}
        }
        FormKey::Edited
    }

    /// Pasted text goes into the focused text field as is.
    pub fn paste(&mut self, text: &str) {
        if let Some(f) = self.fields.get_mut(self.focus)
            && !matches!(f.kind, FieldKind::Select(..))
        {
            f.value.push_str(text);
        }
    }
}

/// A centred box of `w`×`h` (clamped to the area).
pub fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Draws a form as a modal box.
pub fn draw_form(f: &mut Frame, area: Rect, lang: Lang, form: &Form) {
    let label_w = form
        .fields
        .iter()
        .map(|x| tr(lang, &x.label.0, &x.label.1).width())
        .max()
        .unwrap_or(0)
        + 2;
    let mut lines: Vec<Line> = Vec::new();
    for (i, fld) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let label = fit(tr(lang, &fld.label.0, &fld.label.1), label_w);
        let style = if focused {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        };
        let shown = fld.shown();
        let mut first = true;
        for part in shown.split('\n') {
            let head = if first {
                label.clone()
            } else {
                " ".repeat(label_w)
            };
            first = false;
            lines.push(Line::from(vec![
                Span::raw(head),
                Span::styled(format!("{part}{}", if focused { "▏" } else { "" }), style),
            ]));
        }
    }
    lines.push(Line::raw(""));
    if let Some(e) = &form.error {
        lines.push(Line::styled(
            format!("✗ {e}"),
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        ));
    }
    lines.push(Line::styled(
        tr(
            lang,
            "Tab 下一项 · ←→ 选择 · Enter 确定 · F2/Ctrl+S 提交 · Esc 取消",
            "Tab next · ←→ choose · Enter ok · F2/Ctrl+S submit · Esc cancel",
        ),
        Style::default().fg(Color::DarkGray),
    ));
    let h = (lines.len() as u16 + 4).max(8);
    let r = centred(area, area.width.saturating_sub(4).min(76), h);
    f.render_widget(Clear, r);
    let p = Paragraph::new(lines).wrap(Wrap { trim: false }).block(
        Block::default()
            .borders(Borders::ALL)
            .title(format!(" {} ", tr(lang, &form.title.0, &form.title.1))),
    );
    f.render_widget(p, r);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_counts_wide_characters_twice() {
        assert_eq!(fit("安吉县", 8), "安吉县  ");
        assert_eq!(fit("安吉县", 6), "安吉县");
        assert_eq!(fit("安吉县党委", 6), "安吉… ");
        assert_eq!(fit("安吉县党委", 6).width(), 6);
        assert_eq!(fit("abc", 2), "a…");
    }
}
