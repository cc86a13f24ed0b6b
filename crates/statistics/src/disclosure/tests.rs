//! Disclosure control's tests: examples, and property tests that prove by exact rank
//! arithmetic (not by the graph argument) that no suppressed entry can be derived.

use super::*;
use proptest::prelude::*;

/// The extended table of `cells` as the reader's equations see it: values by (row, column),
/// with row `m` the column totals and column `n` the row totals (same clamping/padding rules).
fn extended_values(cells: &[Vec<i64>]) -> Vec<Vec<i64>> {
    let t = Extended::new(cells);
    (0..=t.m)
        .map(|r| (0..=t.n).map(|c| t.value(r, c)).collect())
        .collect()
}

/// What `p` shows, as an extended table (None = hidden).
fn extended_shown(p: &Published) -> Vec<Vec<Option<i64>>> {
    let mut rows: Vec<Vec<Option<i64>>> = p
        .cells
        .iter()
        .zip(&p.row_totals)
        .map(|(row, &rt)| row.iter().copied().chain([rt]).collect())
        .collect();
    rows.push(p.col_totals.iter().copied().chain([p.total]).collect());
    rows
}

fn hidden_set(p: &Published) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (r, row) in extended_shown(p).iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if v.is_none() {
                out.push((r, c));
            }
        }
    }
    out
}

// ---- Independent check: exact linear algebra over the reader's equations. ----

/// Rank of an integer matrix by fraction-free Gaussian elimination over i128, dividing each
/// row by the gcd of its entries after every step so numbers stay small.
fn rank(mut a: Vec<Vec<i128>>) -> usize {
    fn gcd(mut x: i128, mut y: i128) -> i128 {
        x = x.abs();
        y = y.abs();
        while y != 0 {
            (x, y) = (y, x % y);
        }
        x
    }
    let cols = a.first().map_or(0, Vec::len);
    let mut rank = 0;
    for col in 0..cols {
        let Some(p) = (rank..a.len()).find(|&r| a[r][col] != 0) else {
            continue;
        };
        a.swap(rank, p);
        let pivot_row = a[rank].clone();
        let pv = pivot_row[col];
        for row in a.iter_mut().skip(rank + 1) {
            let f = row[col];
            if f == 0 {
                continue;
            }
            for (x, &y) in row.iter_mut().zip(&pivot_row) {
                *x = x
                    .checked_mul(pv)
                    .and_then(|x| x.checked_sub(f.checked_mul(y)?))
                    .expect("no overflow in elimination");
            }
            let g = row.iter().fold(0, |g, &x| gcd(g, x));
            if g > 1 {
                row.iter_mut().for_each(|x| *x /= g);
            }
        }
        rank += 1;
    }
    rank
}

/// Checks that no hidden entry of any table can be derived from everything the family shows,
/// with row totals and the grand total being the same unknowns in every table. Returns the
/// first problem found. Works for a single table too.
fn check_underivable(tables: &[Vec<Vec<i64>>], pubs: &[Published]) -> Result<(), String> {
    assert_eq!(tables.len(), pubs.len());
    let shown: Vec<Vec<Vec<Option<i64>>>> = pubs.iter().map(extended_shown).collect();
    let m = shown[0].len() - 1;
    // Shared entries must be hidden everywhere or nowhere, otherwise one table reveals them.
    for (t, s) in shown.iter().enumerate() {
        let n = s[0].len() - 1;
        for r in 0..=m {
            let here = s[r][n].is_none();
            let first = shown[0][r][shown[0][0].len() - 1].is_none();
            if here != first {
                return Err(format!(
                    "shared total of row {r} hidden inconsistently (table {t})"
                ));
            }
        }
    }
    // Unknown ids: shared row totals / grand total first, then each table's own entries.
    let mut ids: Vec<Vec<Vec<Option<usize>>>> = Vec::new();
    let mut next = 0usize;
    let mut shared: Vec<Option<usize>> = vec![None; m + 1];
    let s0n = shown[0][0].len() - 1;
    for (r, slot) in shared.iter_mut().enumerate() {
        if shown[0][r][s0n].is_none() {
            *slot = Some(next);
            next += 1;
        }
    }
    for s in &shown {
        let n = s[0].len() - 1;
        let mut t_ids = vec![vec![None; n + 1]; m + 1];
        for r in 0..=m {
            for c in 0..n {
                if s[r][c].is_none() {
                    t_ids[r][c] = Some(next);
                    next += 1;
                }
            }
            t_ids[r][n] = shared[r];
        }
        ids.push(t_ids);
    }
    // Equations: each extended row and column: (sum of the inner entries) - (the total) = known.
    let mut a: Vec<Vec<i128>> = Vec::new();
    for t_ids in &ids {
        let n = t_ids[0].len() - 1;
        for row in t_ids {
            let mut eq = vec![0i128; next];
            for (c, id) in row.iter().enumerate() {
                if let Some(u) = *id {
                    eq[u] += if c == n { -1 } else { 1 };
                }
            }
            a.push(eq);
        }
        for c in 0..=n {
            let mut eq = vec![0i128; next];
            for (r, row) in t_ids.iter().enumerate() {
                if let Some(u) = row[c] {
                    eq[u] += if r == m { -1 } else { 1 };
                }
            }
            a.push(eq);
        }
    }
    let base = rank(a.clone());
    for u in 0..next {
        let mut e = vec![0i128; next];
        e[u] = 1;
        let mut with = a.clone();
        with.push(e);
        if rank(with) == base {
            return Err(format!("unknown {u} is derivable"));
        }
    }
    Ok(())
}

/// Primary suppression, zeros shown, shown values exact.
fn check_rules(cells: &[Vec<i64>], p: &Published, k: i64) -> Result<(), String> {
    let values = extended_values(cells);
    let shown = extended_shown(p);
    for (r, (vrow, srow)) in values.iter().zip(&shown).enumerate() {
        for (c, (&v, &s)) in vrow.iter().zip(srow).enumerate() {
            match s {
                Some(x) if x != v => return Err(format!("({r},{c}) shows {x}, is {v}")),
                Some(_) if v > 0 && v < k => return Err(format!("({r},{c}) = {v} shown")),
                None if v == 0 => return Err(format!("zero at ({r},{c}) hidden")),
                _ => {}
            }
        }
    }
    Ok(())
}

fn check_all(cells: &[Vec<i64>], k: i64) -> Published {
    let p = protect(cells, k);
    if let Err(e) = check_rules(cells, &p, k) {
        panic!("{e}\n{cells:?} k={k}\n{p:?}");
    }
    if let Err(e) = check_underivable(&[cells.to_vec()], std::slice::from_ref(&p)) {
        panic!("{e}\n{cells:?} k={k}\n{p:?}");
    }
    p
}

// ---- Unit tests ----

#[test]
fn one_by_one_small_cell_hides_everything_non_zero() {
    let p = check_all(&[vec![3]], 5);
    assert_eq!(
        p,
        Published {
            cells: vec![vec![None]],
            row_totals: vec![None],
            col_totals: vec![None],
            total: None,
        }
    );
    assert_eq!(p.suppressed_count(), 4);
}

#[test]
fn three_by_three_one_small_cell_hides_the_cheapest_rectangle() {
    let cells = vec![vec![20, 30, 25], vec![2, 40, 35], vec![50, 45, 60]];
    let p = check_all(&cells, 5);
    assert_eq!(hidden_set(&p), vec![(0, 0), (0, 2), (1, 0), (1, 2)]);
    assert_eq!(p.suppressed_count(), 4);
    assert!(
        p.row_totals
            .iter()
            .chain(&p.col_totals)
            .all(Option::is_some)
    );
    assert_eq!(p.total, Some(307));
}

#[test]
fn ten_counties_three_columns_one_small_cell_hides_a_rectangle() {
    let mut cells: Vec<Vec<i64>> = (0..10).map(|i| vec![30 + i, 40 + 2 * i, 25 + i]).collect();
    cells[4][1] = 1;
    let p = check_all(&cells, 5);
    assert_eq!(p.suppressed_count(), 4);
    assert!(
        p.row_totals
            .iter()
            .chain(&p.col_totals)
            .all(Option::is_some)
    );
}

#[test]
fn zeros_are_never_hidden() {
    let cells = vec![vec![0, 2, 0], vec![0, 0, 9], vec![7, 0, 0]];
    let p = check_all(&cells, 5);
    for (r, row) in cells.iter().enumerate() {
        for (c, &v) in row.iter().enumerate() {
            if v == 0 {
                assert_eq!(p.cells[r][c], Some(0));
            }
        }
    }
    assert_eq!(p.cells[0][1], None);
}

#[test]
fn nothing_small_hides_nothing() {
    let cells = vec![vec![10, 20], vec![30, 0], vec![5, 50]];
    let p = check_all(&cells, 5);
    assert_eq!(p.suppressed_count(), 0);
    assert_eq!(p.row_totals, vec![Some(30), Some(30), Some(55)]);
    assert_eq!(p.col_totals, vec![Some(45), Some(70)]);
    assert_eq!(p.total, Some(115));
}

#[test]
fn small_row_total_is_hidden_and_protected() {
    // Row 0 holds one small cell (4), so its row total (4) is small as well; k = 5.
    let cells = vec![vec![0, 4, 0], vec![20, 30, 40], vec![25, 35, 45]];
    let p = check_all(&cells, 5);
    assert_eq!(p.row_totals[0], None);
    assert_eq!(p.cells[0][1], None);
    // Row total made only of cells >= k: the total alone is small.
    let cells = vec![vec![3, 3], vec![20, 30]];
    let p = check_all(&cells, 7);
    assert_eq!(p.row_totals[0], None);
}

#[test]
fn k_one_hides_nothing() {
    let cells = vec![vec![1, 0, 1], vec![2, 1, 3]];
    assert_eq!(check_all(&cells, 1).suppressed_count(), 0);
    assert_eq!(check_all(&cells, 0).suppressed_count(), 0);
    assert_eq!(check_all(&cells, -5).suppressed_count(), 0);
}

#[test]
fn empty_tables() {
    let p = protect(&[], 5);
    assert_eq!(
        p,
        Published {
            cells: vec![],
            row_totals: vec![],
            col_totals: vec![],
            total: Some(0),
        }
    );
    let p = protect(&[vec![], vec![]], 5);
    assert_eq!(p.cells, vec![Vec::<Option<i64>>::new(), vec![]]);
    assert_eq!(p.row_totals, vec![Some(0), Some(0)]);
    assert_eq!(p.total, Some(0));
    assert!(protect_family(&[], 5).is_empty());
}

#[test]
fn ragged_and_negative_input_is_padded_and_clamped() {
    let p = protect(&[vec![10, -3], vec![20, 30, 40]], 5);
    assert_eq!(p.cells[0], vec![Some(10), Some(0), Some(0)]);
    assert_eq!(p.row_totals, vec![Some(10), Some(90)]);
    let p = protect(&[vec![i64::MAX, i64::MAX], vec![1, 0]], 5);
    assert_eq!(p.cells[1][0], None);
}

#[test]
fn family_shares_hidden_row_totals() {
    // Category table: county 1 has a small row total (3); gender table has no small cell.
    let by_category = vec![
        vec![20, 15, 10],
        vec![1, 2, 0],
        vec![30, 25, 18],
        vec![12, 9, 20],
    ];
    let by_gender = vec![vec![25, 20], vec![0, 3], vec![40, 33], vec![21, 20]];
    let family = vec![by_category.clone(), by_gender.clone()];
    let pubs = protect_family(&family, 5);
    assert_eq!(pubs[0].row_totals[1], None);
    assert_eq!(
        pubs[1].row_totals[1], None,
        "hidden in one table, hidden in all"
    );
    for (p, t) in pubs.iter().zip(&family) {
        check_rules(t, p, 5).expect("rules");
        assert_eq!(p.row_totals, pubs[0].row_totals);
        assert_eq!(p.total, pubs[0].total);
    }
    // The gender table alone would have hidden nothing but (1,1)'s 3 and its complements;
    // together nothing is derivable.
    check_underivable(&family, &pubs).expect("family underivable");
    // Idempotent for a single table: a family of one behaves like `protect` when nothing
    // is shared-hidden.
    let solo = vec![vec![10, 20], vec![30, 40]];
    assert_eq!(
        protect_family(std::slice::from_ref(&solo), 5),
        vec![protect(&solo, 5)]
    );
}

#[test]
fn family_needs_shared_totals_anchored() {
    // Found by the family property test when hidden shared totals were only unified, not
    // anchored: each table alone was safe, the three together revealed a hidden entry.
    let family = vec![
        vec![vec![0], vec![3], vec![1], vec![2]],
        vec![vec![0, 0], vec![1, 2], vec![1, 0], vec![2, 0]],
        vec![vec![0, 0], vec![3, 0], vec![0, 1], vec![0, 2]],
    ];
    let pubs = protect_family(&family, 3);
    for (t, p) in family.iter().zip(&pubs) {
        check_rules(t, p, 3).expect("rules");
    }
    check_underivable(&family, &pubs).expect("family underivable");
}

#[test]
fn the_rank_check_detects_a_derivable_cell() {
    // Only the small cell hidden: it equals its row total minus the other cells.
    let cells = vec![vec![2, 30], vec![40, 50]];
    let mut p = protect(&cells, 1);
    p.cells[0][0] = None;
    assert!(check_underivable(std::slice::from_ref(&cells), std::slice::from_ref(&p)).is_err());
    // A rectangle of cells is safe.
    p.cells[0][1] = None;
    p.cells[1][0] = None;
    p.cells[1][1] = None;
    assert!(check_underivable(&[cells], &[p]).is_ok());
}

#[test]
fn large_table_is_fast() {
    let cells: Vec<Vec<i64>> = (0..100)
        .map(|r| (0..20).map(|c| ((r * 7 + c * 13) % 23) as i64).collect())
        .collect();
    let start = std::time::Instant::now();
    let p = protect(&cells, 5);
    let elapsed = start.elapsed();
    check_rules(&cells, &p, 5).expect("rules");
    assert!(p.suppressed_count() > 0);
    if !cfg!(debug_assertions) {
        assert!(elapsed.as_millis() < 10, "took {elapsed:?}");
    }
}

// ---- Property tests ----

fn small_biased() -> impl Strategy<Value = i64> {
    prop_oneof![8 => 0i64..12, 1 => 0i64..200]
}

fn table() -> impl Strategy<Value = Vec<Vec<i64>>> {
    (1usize..=6, 1usize..=6).prop_flat_map(|(m, n)| {
        proptest::collection::vec(proptest::collection::vec(small_biased(), n), m)
    })
}

/// Splits each row sum of `base` over `n` columns with the given weights (0..4 each, so zeros
/// are common); rows whose weights are all zero go to the first column.
fn split(base: &[Vec<i64>], weights: &[Vec<i64>]) -> Vec<Vec<i64>> {
    base.iter()
        .zip(weights)
        .map(|(row, w)| {
            let total: i64 = row.iter().sum();
            let wsum: i64 = w.iter().sum();
            let mut out = vec![0i64; w.len()];
            if wsum == 0 {
                out[0] = total;
                return out;
            }
            let mut left = total;
            for (o, &wi) in out.iter_mut().zip(w) {
                *o = total * wi / wsum;
                left -= *o;
            }
            // Put the rounding remainder on the last column with a non-zero weight.
            let last = w.iter().rposition(|&x| x > 0).unwrap_or(0);
            out[last] += left;
            out
        })
        .collect()
}

fn family() -> impl Strategy<Value = Vec<Vec<Vec<i64>>>> {
    (table(), 1usize..=4, 1usize..=3, any::<bool>()).prop_flat_map(|(base, n2, n3, third)| {
        let m = base.len();
        let w2 = proptest::collection::vec(proptest::collection::vec(0i64..4, n2), m);
        let w3 = proptest::collection::vec(proptest::collection::vec(0i64..4, n3), m);
        (Just(base), w2, w3, Just(third)).prop_map(|(base, w2, w3, third)| {
            let mut tables = vec![base.clone(), split(&base, &w2)];
            if third {
                tables.push(split(&base, &w3));
            }
            tables
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// The product's requirement: no suppressed cell can be derived from the margins,
    /// checked by exact rank computations, independently of the bridge criterion.
    #[test]
    fn no_suppressed_cell_can_be_derived_from_the_margins(cells in table(), k in 2i64..=10) {
        let p = protect(&cells, k);
        prop_assert!(check_rules(&cells, &p, k).is_ok(), "{:?}", check_rules(&cells, &p, k));
        let r = check_underivable(std::slice::from_ref(&cells), std::slice::from_ref(&p));
        prop_assert!(r.is_ok(), "{:?}\n{:?}", r, p);
        // Deterministic.
        prop_assert_eq!(protect(&cells, k), p);
    }

    #[test]
    fn family_hides_nothing_derivable_from_all_tables_together(tables in family(), k in 2i64..=10) {
        let pubs = protect_family(&tables, k);
        prop_assert_eq!(pubs.len(), tables.len());
        for (t, p) in tables.iter().zip(&pubs) {
            let rules = check_rules(t, p, k);
            prop_assert!(rules.is_ok(), "{:?}", rules);
        }
        let r = check_underivable(&tables, &pubs);
        prop_assert!(r.is_ok(), "{:?}\n{:?}\n{:?}", r, tables, pubs);
    }

    #[test]
    fn protect_never_panics(
        cells in proptest::collection::vec(
            proptest::collection::vec(
                prop_oneof![4 => -5i64..20, 1 => any::<i64>(), 1 => Just(i64::MAX), 1 => Just(i64::MIN)],
                0..6,
            ),
            0..6,
        ),
        k in prop_oneof![3 => -2i64..12, 1 => any::<i64>()],
    ) {
        let p = protect(&cells, k);
        let n = cells.iter().map(Vec::len).max().unwrap_or(0);
        prop_assert_eq!(p.cells.len(), cells.len());
        prop_assert!(p.cells.iter().all(|r| r.len() == n));
        prop_assert_eq!(p.col_totals.len(), n);
    }
}
