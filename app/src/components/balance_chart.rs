//! The balance of the last 30 days as an SVG line, drawn by the app itself
//! (no charting library): end-of-day balances on a zero-based scale with
//! round ticks, labelled in the currency's own decimals, and the dates
//! along the bottom.

use crate::i18n::*;
use leptos::prelude::*;
use shared::money::format_amount;
use shared::wallet::BalancePoint;

const WIDTH: f64 = 600.0;
/// The plot's height in CSS pixels too (the SVG is stretched sideways only),
/// so the HTML tick labels line up with the grid lines.
const HEIGHT: f64 = 160.0;
const PAD: f64 = 8.0;

/// Round ticks from zero up to at least `max` (minor units): steps of 1, 2
/// or 5 times a power of ten, at most five intervals. Display only: the
/// amounts themselves are never computed in floating point.
fn ticks(max: i64) -> Vec<i64> {
    let max = max.max(1);
    let mut step: i64 = 1;
    'search: loop {
        for m in [1, 2, 5] {
            let s = step.saturating_mul(m);
            if s.saturating_mul(5) >= max {
                step = s;
                break 'search;
            }
        }
        step = step.saturating_mul(10);
    }
    let top = (max + step - 1) / step * step;
    (0..=top / step).map(|i| i * step).collect()
}

/// The vertical position of `value` on a scale from zero to `top`.
fn y_of(value: i64, top: i64) -> f64 {
    HEIGHT - PAD - (HEIGHT - 2.0 * PAD) * (value.max(0) as f64 / top.max(1) as f64)
}

/// `x,y` pairs of the line through `values`, scaled to `top`.
fn polyline(values: &[i64], top: i64) -> String {
    let n = values.len().max(2) - 1;
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let x = PAD + (WIDTH - 2.0 * PAD) * i as f64 / n as f64;
            format!("{x:.1},{:.1}", y_of(v, top))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The number of decimals the server formatted the balances with (the
/// currency's scale).
fn scale_of(points: &[BalancePoint]) -> u32 {
    points
        .first()
        .and_then(|p| p.balance.split_once('.'))
        .map_or(0, |(_, frac)| frac.len() as u32)
}

#[component]
pub fn BalanceChart(currency: String, points: Vec<BalancePoint>) -> impl IntoView {
    let i18n = use_i18n();
    let values: Vec<i64> = points.iter().map(|p| p.balance_minor).collect();
    let scale = scale_of(&points);
    let ticks = ticks(values.iter().copied().max().unwrap_or(0));
    let top = ticks.last().copied().unwrap_or(1);
    let line = polyline(&values, top);
    let area = format!(
        "{PAD},{bottom} {line} {right},{bottom}",
        bottom = HEIGHT - PAD,
        right = WIDTH - PAD
    );
    let first = points.first().cloned();
    let last = points.last().cloned();
    let middle = (points.len() > 2).then(|| points[points.len() / 2].date.clone());
    let lowest = points
        .iter()
        .min_by_key(|p| p.balance_minor)
        .map(|p| p.balance.clone());
    let highest = points
        .iter()
        .max_by_key(|p| p.balance_minor)
        .map(|p| p.balance.clone());
    // Texts follow a language switch.
    let label = {
        let (currency, first, last) = (currency.clone(), first.clone(), last.clone());
        move || match (&first, &last) {
            (Some(f), Some(l)) => t_string!(
                i18n,
                wallet_chart_label,
                code = currency.clone(),
                first = f.balance.clone(),
                from = f.date.clone(),
                last = l.balance.clone(),
                to = l.date.clone()
            )
            .to_string(),
            _ => String::new(),
        }
    };
    let range = {
        let currency = currency.clone();
        move || match (&lowest, &highest) {
            (Some(low), Some(high)) => t_string!(
                i18n,
                wallet_chart_range,
                code = currency.clone(),
                low = low.clone(),
                high = high.clone()
            )
            .to_string(),
            _ => String::new(),
        }
    };
    let aria_label = label.clone();
    let grid = ticks
        .iter()
        .map(|&t| {
            let y = y_of(t, top);
            view! { <line x1=PAD y1=y x2=WIDTH - PAD y2=y class="chart-grid"/> }
        })
        .collect_view();
    // Top to bottom; the ticks are evenly spaced, so the stylesheet spreads
    // the labels over the plot's height (no inline styles: the CSP has none).
    let y_labels = ticks
        .iter()
        .rev()
        .map(|&t| view! { <span>{format_amount(t, scale)}</span> })
        .collect_view();
    view! {
        <figure class="chart">
            <div class="chart-body">
                <div class="chart-y" aria-hidden="true">{y_labels}</div>
                <div class="chart-plot">
                    <svg
                        viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                        role="img"
                        aria-label=aria_label
                        preserveAspectRatio="none"
                        class="chart-svg"
                    >
                        <title>{label}</title>
                        <desc>{range.clone()}</desc>
                        {grid}
                        <polygon points=area class="chart-area"/>
                        <polyline points=line class="chart-line"/>
                    </svg>
                    <div class="chart-x" aria-hidden="true">
                        <span>{first.map(|f| f.date)}</span>
                        <span>{middle}</span>
                        <span>{last.map(|l| l.date)}</span>
                    </div>
                </div>
            </div>
            <figcaption class="chart-caption">{range}</figcaption>
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::{polyline, ticks};

    #[test]
    fn the_line_spans_the_width_and_the_top_tick_is_at_the_top() {
        let line = polyline(&[0, 50, 100], 100);
        let points: Vec<&str> = line.split(' ').collect();
        assert_eq!(points, ["8.0,152.0", "300.0,80.0", "592.0,8.0"]);
        // All zero: a flat line at the bottom, no division by zero.
        assert!(polyline(&[0, 0], 1)
            .split(' ')
            .all(|p| p.ends_with(",152.0")));
    }

    #[test]
    fn ticks_are_round_steps_from_zero_to_at_least_the_largest_value() {
        assert_eq!(ticks(0), [0, 1]);
        assert_eq!(ticks(100), [0, 20, 40, 60, 80, 100]);
        assert_eq!(ticks(12_345), [0, 5_000, 10_000, 15_000]);
        assert_eq!(
            ticks(150_000_000),
            [0, 50_000_000, 100_000_000, 150_000_000]
        );
        for max in [1, 7, 99, 101, 999_999, i64::MAX / 100] {
            let t = ticks(max);
            assert!(t.len() >= 2 && t.len() <= 6, "{max}: {t:?}");
            assert!(*t.last().unwrap() >= max, "{max}");
        }
    }
}
