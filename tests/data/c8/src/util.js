'use strict';

function clamp(v, lo, hi) {
  if (v < lo) return lo;
  if (v > hi) return hi;
  return v;
}

function sum(xs) {
  let total = 0;
  for (const x of xs) {
    total += x;
  }
  return total;
}

function unused() {
  return 42;
}

module.exports = { clamp, sum, unused };
