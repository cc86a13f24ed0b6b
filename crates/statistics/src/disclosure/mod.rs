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
mod tests;
