//! Small statistics with fixed rounding: rates that are null on a zero denominator,
//! averages, medians and the 90th percentile.

use serde::Serialize;

/// A ratio with its parts. `pct` is `None` when the denominator is 0, never a division by 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rate {
    pub numerator: usize,
    pub denominator: usize,
    /// Percentage, one decimal.
    pub pct: Option<f64>,
}

impl Rate {
    pub fn new(numerator: usize, denominator: usize) -> Rate {
        let pct =
            (denominator > 0).then(|| round(numerator as f64 * 100.0 / denominator as f64, 1));
        Rate {
            numerator,
            denominator,
            pct,
        }
    }
}

/// A mean with the number of values it was taken over; `None` without values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Average {
    pub count: usize,
    /// Two decimals.
    pub mean: Option<f64>,
}

impl Average {
    pub fn of(values: &[f64]) -> Average {
        let count = values.len();
        let mean = (count > 0).then(|| round(values.iter().sum::<f64>() / count as f64, 2));
        Average { count, mean }
    }
}

/// Rounds half away from zero to `decimals` places.
pub fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    let r = (x * f).round() / f;
    // Avoid printing -0.0.
    if r == 0.0 { 0.0 } else { r }
}

/// Seconds as hours, two decimals.
pub fn hours(secs: i64) -> f64 {
    round(secs as f64 / 3600.0, 2)
}

/// The median: the middle value, or the mean of the two middle values.
pub fn median(values: &[i64]) -> Option<i64> {
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2),
    }
}

/// The 90th percentile by nearest rank: the value at position ⌈0.9 n⌉ of the sorted values.
pub fn p90(values: &[i64]) -> Option<i64> {
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    if n == 0 {
        return None;
    }
    let rank = (9 * n).div_ceil(10);
    Some(v[rank.max(1) - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_never_divide_by_zero() {
        assert_eq!(Rate::new(0, 0).pct, None);
        assert_eq!(Rate::new(2, 3).pct, Some(66.7));
        assert_eq!(Rate::new(1, 8).pct, Some(12.5));
        assert_eq!(Rate::new(3, 3).pct, Some(100.0));
        assert_eq!(Average::of(&[]).mean, None);
        assert_eq!(Average::of(&[4.0, 5.0, 5.0]).mean, Some(4.67));
    }

    #[test]
    fn median_and_p90() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5]), Some(5));
        assert_eq!(median(&[9, 1, 5]), Some(5));
        assert_eq!(median(&[1, 2, 3, 10]), Some(2));
        assert_eq!(p90(&[]), None);
        assert_eq!(p90(&[7]), Some(7));
        assert_eq!(p90(&[1, 2]), Some(2));
        assert_eq!(p90(&(1..=10).collect::<Vec<_>>()), Some(9));
        assert_eq!(p90(&(1..=11).collect::<Vec<_>>()), Some(10));
    }

    #[test]
    fn hours_round_to_two_places() {
        assert_eq!(hours(5400), 1.5);
        assert_eq!(hours(100), 0.03);
        assert_eq!(hours(0), 0.0);
        assert_eq!(round(-0.001, 1), 0.0);
    }
}
