'use strict';
// Small helpers shared by the web app.

function clamp(x, lo, hi) {
  if (x < lo) return lo;
  if (x > hi) return hi;
  return x;
}

const pick = (obj, keys) => keys.filter((k) => k in obj).map((k) => obj[k]);

module.exports = { clamp, pick };
