//! Summaries over replications: means with confidence intervals, and
//! quantile bands for the time series.

/// A mean over replications with its 95% confidence interval
/// `mean ± t(0.975, n-1) · s / √n` (Student's t, `s` the sample standard
/// deviation). With a single replication the interval collapses to the
/// mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
    /// How many replications contributed.
    pub samples: u32,
}

impl Estimate {
    /// `None` when there are no samples.
    pub fn from_samples(samples: &[f64]) -> Option<Estimate> {
        let n = samples.len();
        if n == 0 {
            return None;
        }
        let mean = samples.iter().sum::<f64>() / n as f64;
        let half_width = if n < 2 {
            0.0
        } else {
            let variance =
                samples.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
            student_t_975(n - 1) * (variance / n as f64).sqrt()
        };
        Some(Estimate {
            mean,
            low: mean - half_width,
            high: mean + half_width,
            samples: n as u32,
        })
    }

    /// Half the width of the interval.
    pub fn half_width(&self) -> f64 {
        (self.high - self.low) / 2.0
    }
}

/// The 5th, 50th and 95th percentiles over replications of one day's value
/// (linear interpolation between order statistics, "type 7").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
}

impl Band {
    /// Sorts `values` in place. An empty slice gives zeros.
    pub fn from_values(values: &mut [f64]) -> Band {
        values.sort_by(f64::total_cmp);
        Band {
            p5: quantile_sorted(values, 0.05),
            p50: quantile_sorted(values, 0.5),
            p95: quantile_sorted(values, 0.95),
        }
    }
}

/// Quantile `p` of sorted values by linear interpolation (type 7).
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => 0.0,
        1 => sorted[0],
        n => {
            let position = p.clamp(0.0, 1.0) * (n - 1) as f64;
            let below = position.floor() as usize;
            let above = (below + 1).min(n - 1);
            let fraction = position - below as f64;
            sorted[below] + (sorted[above] - sorted[below]) * fraction
        }
    }
}

/// The 97.5% quantile of Student's t with `degrees` degrees of freedom:
/// exact to three decimals from a table up to 30, then the Cornish–Fisher
/// expansion around the normal quantile (error below 1e-4).
pub fn student_t_975(degrees: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    if degrees == 0 {
        return f64::INFINITY;
    }
    if degrees <= TABLE.len() {
        return TABLE[degrees - 1];
    }
    let z: f64 = 1.959_963_984_540_054;
    let v = degrees as f64;
    let g1 = (z.powi(3) + z) / 4.0;
    let g2 = (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / 96.0;
    let g3 = (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / 384.0;
    z + g1 / v + g2 / (v * v) + g3 / (v * v * v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantile_matches_tables() {
        assert_eq!(student_t_975(1), 12.706);
        assert!((student_t_975(31) - 2.0395).abs() < 1e-3);
        assert!((student_t_975(60) - 2.0003).abs() < 1e-3);
        assert!((student_t_975(120) - 1.9799).abs() < 1e-3);
        assert!((student_t_975(100_000) - 1.96).abs() < 1e-3);
    }

    #[test]
    fn estimate_of_constant_samples_has_zero_width() {
        let estimate = Estimate::from_samples(&[4.0, 4.0, 4.0]).unwrap();
        assert_eq!(
            (estimate.mean, estimate.low, estimate.high),
            (4.0, 4.0, 4.0)
        );
        assert!(Estimate::from_samples(&[]).is_none());
    }

    #[test]
    fn estimate_interval_uses_t() {
        let estimate = Estimate::from_samples(&[1.0, 2.0, 3.0]).unwrap();
        // s = 1, n = 3, t(2) = 4.303.
        assert!((estimate.half_width() - 4.303 / 3f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn quantiles_interpolate() {
        let mut values = [3.0, 1.0, 2.0, 4.0, 5.0];
        let band = Band::from_values(&mut values);
        assert_eq!(band.p50, 3.0);
        assert!((band.p5 - 1.2).abs() < 1e-12);
        assert!((band.p95 - 4.8).abs() < 1e-12);
    }
}
