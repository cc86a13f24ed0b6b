//! Statistical disclosure control for the count tables the provincial office reads.
//!
//! A table is published with its row totals, column totals and grand total. Small counts
//! (`0 < n < k`) would identify individual members, so they are hidden (*primary suppression*),
//! and enough other entries are hidden that no hidden value can be recomputed from what is shown
//! (*complementary suppression*).
//!
//! Why the algorithm is correct: view the extended `(m+1) × (n+1)` table whose last row holds the
//! column totals and whose last column holds the row totals. Each of its rows and columns is one
//! linear equation (the cells sum to the total). Take the bipartite graph whose vertices are the
//! `m+1` rows and `n+1` columns and whose edges are the hidden entries. The changes to the hidden
//! entries that keep every equation true are exactly the alternating ±δ moves around the cycles of
//! that graph, so a hidden entry is derivable iff its edge is a bridge (lies on no cycle). Zeros
//! are never hidden, so every hidden entry is ≥ 1 and a ±1 move keeps all entries non-negative:
//! a hidden entry on a cycle stays unknown even to a reader who knows counts are non-negative.
//!
//! The algorithm hides the primary entries, then repeatedly takes the first bridge `(r, c)` and
//! hides the cheapest path of further entries from `r` to `c` (a shortest path in which hidden
//! entries are free, inner cells are preferred to margins, then fewer entries, then smaller values),
//! which closes a cycle through the bridge. Hiding entries never turns a cycle edge into a bridge,
//! so the number of bridges drops each round and the loop ends.
//!
//! Input handling: counts are clamped to `0` if negative (callers only pass counts, so a negative
//! can only be a bug upstream; showing `0` for it leaks nothing), ragged rows are padded with zeros
//! to the length of the longest row, and all sums saturate at `i64::MAX`. Nothing here panics.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What a reader sees of one table: each cell and margin either shown or suppressed (None).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// `m` rows × `n` columns (`n` = length of the longest input row).
    pub cells: Vec<Vec<Option<i64>>>,
    /// One per row: the row's sum.
    pub row_totals: Vec<Option<i64>>,
    /// One per column: the column's sum.
    pub col_totals: Vec<Option<i64>>,
    /// Sum of all cells.
    pub total: Option<i64>,
}

impl Published {
    /// Number of hidden entries (cells and margins): the information loss, for monitoring and tests.
    pub fn suppressed_count(&self) -> usize {
        let cells = self.cells.iter().flatten().filter(|v| v.is_none()).count();
        let rows = self.row_totals.iter().filter(|v| v.is_none()).count();
        let cols = self.col_totals.iter().filter(|v| v.is_none()).count();
        cells + rows + cols + usize::from(self.total.is_none())
    }
}

/// Protects one table: `cells` is m rows × n columns (all rows the same length; m or n may be 0).
///
/// Rows of different lengths are padded with zeros to the longest row; negative counts are treated
/// as 0. Every entry with `0 < n < k` is hidden, zeros are always shown, and no hidden entry can be
/// derived from the shown ones (see the module documentation).
pub fn protect(cells: &[Vec<i64>], k: i64) -> Published {
    protect_forced(cells, k, &[], false)
}

/// Protects tables that describe the same rows (e.g. the same counties) and share their row totals and
/// grand total (e.g. members by category and members by gender: both rows sum to the county's member
/// count). A row total or the grand total hidden in one table is hidden in all of them, and each table is
/// protected again until nothing changes, so that no table reveals what another hides.
///
/// Hiding the same margins everywhere is not enough on its own: a reader can combine the equations
/// of all tables, in which a shared hidden total is one unknown. So once any shared margin is hidden,
/// the grand total is hidden too and, in every table, each hidden row total `R_i` is put on a cycle
/// `R_i – grand total – column totals row – … – row i` that avoids the other row totals. Every table
/// can then move the shared hidden totals in every way their one equation (`Σ R_i = grand total`)
/// allows, so any move that hides an entry of one table is matched by a move of each other table,
/// and nothing hidden becomes derivable from the tables together.
///
/// The caller guarantees that all tables have the same number of rows and equal row sums, row by row.
pub fn protect_family(tables: &[Vec<Vec<i64>>], k: i64) -> Vec<Published> {
    let Some(first) = tables.first() else {
        return Vec::new();
    };
    let m = first.len();
    debug_assert!(
        tables.iter().all(|t| t.len() == m),
        "tables in a family must have the same number of rows"
    );
    debug_assert!(
        tables
            .iter()
            .all(|t| Extended::new(t).row_totals() == Extended::new(first).row_totals()),
        "tables in a family must have equal row sums"
    );
    let mut hidden_rows = vec![false; m];
    let mut hide_total = false;
    // The forced sets only grow and are bounded, so this ends after at most m + 2 rounds.
    loop {
        let out: Vec<Published> = tables
            .iter()
            .map(|t| protect_forced(t, k, &hidden_rows, hide_total))
            .collect();
        let mut next_rows = hidden_rows.clone();
        let mut next_total = hide_total;
        for p in &out {
            for (slot, shown) in next_rows.iter_mut().zip(&p.row_totals) {
                *slot |= shown.is_none();
            }
            next_total |= p.total.is_none();
        }
        next_total |= next_rows.iter().any(|&h| h);
        if next_rows == hidden_rows && next_total == hide_total {
            return out;
        }
        hidden_rows = next_rows;
        hide_total = next_total;
    }
}

/// Protects one table, additionally hiding the row totals flagged in `hidden_rows` and, if
/// `hide_total`, the grand total (zeros stay shown). When `hide_total` is set, each hidden row total
/// is also anchored on a cycle through the grand total that avoids the other row totals: this is
/// what lets `protect_family` combine tables safely.
fn protect_forced(cells: &[Vec<i64>], k: i64, hidden_rows: &[bool], hide_total: bool) -> Published {
    let mut t = Extended::new(cells);
    let (m, n) = (t.m, t.n);

    // Primary suppression and forced shared margins.
    for r in 0..=m {
        for c in 0..=n {
            let v = t.value(r, c);
            if v > 0 && v < k {
                t.hide(r, c);
            }
        }
    }
    for (r, _) in hidden_rows.iter().enumerate().filter(|&(_, &h)| h) {
        if r < m && t.value(r, n) > 0 {
            t.hide(r, n);
        }
    }
    if hide_total && t.value(m, n) > 0 {
        t.hide(m, n);
    }

    // Anchor each hidden row total on a cycle R_r – grand total – (row m … row r, avoiding column n).
    if hide_total && t.is_hidden(m, n) {
        for r in 0..m {
            if t.is_hidden(r, n) {
                match t.cheapest_path(
                    t.row_vertex(r),
                    t.row_vertex(m),
                    None,
                    Some(t.col_vertex(n)),
                ) {
                    Some(path) => path.into_iter().for_each(|(pr, pc)| t.hide(pr, pc)),
                    None => {
                        t.hide_all_nonzero();
                        return t.publish();
                    }
                }
            }
        }
    }

    // Complementary suppression: close a cycle through each bridge. Every round removes at least
    // one bridge and creates none, so there are at most (m+1)(n+1) rounds; the cap is a safety net.
    let max_rounds = (m + 1).saturating_mul(n + 1).saturating_add(1);
    for _ in 0..max_rounds {
        let Some((r, c)) = t.first_bridge() else {
            return t.publish();
        };
        match t.cheapest_path(t.row_vertex(r), t.col_vertex(c), Some((r, c)), None) {
            Some(path) => path.into_iter().for_each(|(pr, pc)| t.hide(pr, pc)),
            // Cannot happen for non-negative tables (a non-zero entry always closes a 4-cycle
            // through margins), but hiding every non-zero entry is always safe.
            None => break,
        }
    }
    if t.first_bridge().is_some() {
        t.hide_all_nonzero();
    }
    t.publish()
}

/// Cost of hiding a path of entries, compared lexicographically: margins first (they are the
/// figures readers use most), then the number of entries, then the sum of the hidden values.
type Cost = (u64, u64, u128);

/// The extended `(m+1) × (n+1)` table: row `m` holds the column totals, column `n` the row totals,
/// `(m, n)` the grand total. Graph vertices: rows are `0..=m`, columns are `m+1 ..= m+1+n`.
struct Extended {
    m: usize,
    n: usize,
    values: Vec<i64>,
    hidden: Vec<bool>,
}

impl Extended {
    fn new(cells: &[Vec<i64>]) -> Self {
        let m = cells.len();
        let n = cells.iter().map(Vec::len).max().unwrap_or(0);
        let w = n + 1;
        let mut values = vec![0i64; (m + 1) * w];
        for (r, row) in cells.iter().enumerate() {
            for (c, &v) in row.iter().enumerate() {
                let v = v.max(0);
                values[r * w + c] = v;
                values[r * w + n] = values[r * w + n].saturating_add(v);
                values[m * w + c] = values[m * w + c].saturating_add(v);
            }
            values[m * w + n] = values[m * w + n].saturating_add(values[r * w + n]);
        }
        Extended {
            m,
            n,
            values,
            hidden: vec![false; (m + 1) * w],
        }
    }

    fn idx(&self, r: usize, c: usize) -> usize {
        r * (self.n + 1) + c
    }

    fn value(&self, r: usize, c: usize) -> i64 {
        self.values[self.idx(r, c)]
    }

    fn is_hidden(&self, r: usize, c: usize) -> bool {
        self.hidden[self.idx(r, c)]
    }

    /// Hides a non-zero entry; zeros are never hidden (they leak nothing and would break the
    /// non-negativity argument).
    fn hide(&mut self, r: usize, c: usize) {
        let i = self.idx(r, c);
        if self.values[i] > 0 {
            self.hidden[i] = true;
        }
    }

    fn hide_all_nonzero(&mut self) {
        for (h, &v) in self.hidden.iter_mut().zip(&self.values) {
            *h = v > 0;
        }
    }

    fn row_totals(&self) -> Vec<i64> {
        (0..self.m).map(|r| self.value(r, self.n)).collect()
    }

    fn row_vertex(&self, r: usize) -> usize {
        r
    }

    fn col_vertex(&self, c: usize) -> usize {
        self.m + 1 + c
    }

    fn vertex_count(&self) -> usize {
        self.m + self.n + 2
    }

    /// The entry joining vertices `a` and `b` (one a row, one a column), as (row, column).
    fn entry(&self, a: usize, b: usize) -> (usize, usize) {
        if a <= self.m {
            (a, b - self.m - 1)
        } else {
            (b, a - self.m - 1)
        }
    }

    /// Vertices adjacent to `v` in the complete bipartite graph, in a fixed order.
    fn others(&self, v: usize) -> std::ops::Range<usize> {
        if v <= self.m {
            self.m + 1..self.vertex_count()
        } else {
            0..self.m + 1
        }
    }

    /// The smallest bridge (by row, then column) of the graph of hidden entries, found with
    /// Tarjan's low-link method (iterative, so deep tables cannot overflow the stack).
    fn first_bridge(&self) -> Option<(usize, usize)> {
        let nv = self.vertex_count();
        let mut adj: Vec<Vec<usize>> = vec![Vec::new(); nv];
        for r in 0..=self.m {
            for c in 0..=self.n {
                if self.is_hidden(r, c) {
                    let (a, b) = (self.row_vertex(r), self.col_vertex(c));
                    adj[a].push(b);
                    adj[b].push(a);
                }
            }
        }
        const UNSEEN: usize = usize::MAX;
        let mut disc = vec![UNSEEN; nv];
        let mut low = vec![0usize; nv];
        let mut time = 0usize;
        let mut best: Option<(usize, usize)> = None;
        // Stack frames: (vertex, parent vertex or UNSEEN, next adjacency index). The graph is simple
        // (one entry per row/column pair), so skipping the parent vertex skips exactly the tree edge.
        let mut stack: Vec<(usize, usize, usize)> = Vec::new();
        for s in 0..nv {
            if disc[s] != UNSEEN || adj[s].is_empty() {
                continue;
            }
            disc[s] = time;
            low[s] = time;
            time += 1;
            stack.push((s, UNSEEN, 0));
            while let Some(frame) = stack.last_mut() {
                let (v, parent, next) = *frame;
                if let Some(&w) = adj[v].get(next) {
                    frame.2 += 1;
                    if w == parent {
                        continue;
                    }
                    if disc[w] == UNSEEN {
                        disc[w] = time;
                        low[w] = time;
                        time += 1;
                        stack.push((w, v, 0));
                    } else {
                        low[v] = low[v].min(disc[w]);
                    }
                } else {
                    stack.pop();
                    if parent != UNSEEN {
                        low[parent] = low[parent].min(low[v]);
                        if low[v] > disc[parent] {
                            let e = self.entry(parent, v);
                            best = Some(best.map_or(e, |b| b.min(e)));
                        }
                    }
                }
            }
        }
        best
    }

    /// Cheapest path from `from` to `to` over entries that are hidden (free) or non-zero (cost
    /// `Cost`), never using `skip_edge` or `skip_vertex`. Returns the entries of the path that are
    /// not hidden yet. Deterministic: fixed exploration order and strict improvement only.
    fn cheapest_path(
        &self,
        from: usize,
        to: usize,
        skip_edge: Option<(usize, usize)>,
        skip_vertex: Option<usize>,
    ) -> Option<Vec<(usize, usize)>> {
        let nv = self.vertex_count();
        let mut dist: Vec<Option<Cost>> = vec![None; nv];
        let mut prev = vec![usize::MAX; nv];
        let mut heap = BinaryHeap::new();
        dist[from] = Some((0, 0, 0));
        heap.push(Reverse(((0u64, 0u64, 0u128), from)));
        while let Some(Reverse((d, v))) = heap.pop() {
            if dist[v] != Some(d) {
                continue;
            }
            if v == to {
                break;
            }
            for w in self.others(v) {
                if Some(w) == skip_vertex {
                    continue;
                }
                let (r, c) = self.entry(v, w);
                if Some((r, c)) == skip_edge {
                    continue;
                }
                let step: Cost = if self.is_hidden(r, c) {
                    (0, 0, 0)
                } else {
                    let value = self.value(r, c);
                    if value <= 0 {
                        continue;
                    }
                    let margin = u64::from(r == self.m || c == self.n);
                    (margin, 1, value.unsigned_abs().into())
                };
                let nd = (
                    d.0.saturating_add(step.0),
                    d.1.saturating_add(step.1),
                    d.2.saturating_add(step.2),
                );
                if dist[w].is_none_or(|old| nd < old) {
                    dist[w] = Some(nd);
                    prev[w] = v;
                    heap.push(Reverse((nd, w)));
                }
            }
        }
        dist[to]?;
        let mut path = Vec::new();
        let mut v = to;
        while v != from {
            let p = prev[v];
            let (r, c) = self.entry(p, v);
            if !self.is_hidden(r, c) {
                path.push((r, c));
            }
            v = p;
        }
        Some(path)
    }

    fn publish(&self) -> Published {
        let show = |r: usize, c: usize| (!self.is_hidden(r, c)).then(|| self.value(r, c));
        Published {
            cells: (0..self.m)
                .map(|r| (0..self.n).map(|c| show(r, c)).collect())
                .collect(),
            row_totals: (0..self.m).map(|r| show(r, self.n)).collect(),
            col_totals: (0..self.n).map(|c| show(self.m, c)).collect(),
            total: show(self.m, self.n),
        }
    }
}

#[cfg(test)]
mod tests {
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
}
