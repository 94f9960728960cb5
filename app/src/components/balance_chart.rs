//! The balance of the last 30 days as an SVG line, drawn by the app itself
//! (no charting library): end-of-day balances, scaled to the largest.

use crate::i18n::*;
use leptos::prelude::*;
use shared::wallet::BalancePoint;

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 160.0;
const PAD: f64 = 8.0;

/// `x,y` pairs of the line through `values`. Display only: the amounts
/// themselves are never computed in floating point.
fn polyline(values: &[i64]) -> String {
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let n = values.len().max(2) - 1;
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let x = PAD + (WIDTH - 2.0 * PAD) * i as f64 / n as f64;
            let y = HEIGHT - PAD - (HEIGHT - 2.0 * PAD) * (v.max(0) as f64 / max);
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
pub fn BalanceChart(currency: String, points: Vec<BalancePoint>) -> impl IntoView {
    let i18n = use_i18n();
    let values: Vec<i64> = points.iter().map(|p| p.balance_minor).collect();
    let line = polyline(&values);
    let area = format!(
        "{PAD},{bottom} {line} {right},{bottom}",
        bottom = HEIGHT - PAD,
        right = WIDTH - PAD
    );
    let first = points.first().cloned();
    let last = points.last().cloned();
    let max_label = points
        .iter()
        .max_by_key(|p| p.balance_minor)
        .map(|p| p.balance.clone())
        .unwrap_or_default();
    let label = match (&first, &last) {
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
    };
    view! {
        <figure class="chart">
            <svg
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                aria-label=label
                preserveAspectRatio="none"
                class="chart-svg"
            >
                <line x1=PAD y1=PAD x2=WIDTH - PAD y2=PAD class="chart-grid"/>
                <line x1=PAD y1=HEIGHT - PAD x2=WIDTH - PAD y2=HEIGHT - PAD class="chart-grid"/>
                <polygon points=area class="chart-area"/>
                <polyline points=line class="chart-line"/>
            </svg>
            <figcaption class="chart-axis">
                <span>{first.map(|f| f.date)}</span>
                <span class="chart-max">{max_label} " " {currency.clone()}</span>
                <span>{last.map(|l| l.date)}</span>
            </figcaption>
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::polyline;

    #[test]
    fn the_line_spans_the_width_and_puts_the_largest_value_on_top() {
        let line = polyline(&[0, 50, 100]);
        let points: Vec<&str> = line.split(' ').collect();
        assert_eq!(points, ["8.0,152.0", "300.0,80.0", "592.0,8.0"]);
        // All zero: a flat line at the bottom, no division by zero.
        assert!(polyline(&[0, 0]).split(' ').all(|p| p.ends_with(",152.0")));
    }
}
