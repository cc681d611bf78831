'use strict';
// A small module with covered and uncovered paths for c8.

function area(shape) {
  switch (shape.kind) {
    case 'square':
      return shape.size * shape.size;
    case 'circle':
      return Math.PI * shape.r * shape.r;
    default:
      throw new Error(`unknown shape ${shape.kind}`);
  }
}

function describe(shape) {
  const a = area(shape);
  if (a > 10) {
    return 'big';
  }
  return 'small';
}

const scale = (shape, k) =>
  shape.kind === 'square'
    ? { ...shape, size: shape.size * k }
    : { ...shape, r: shape.r * k };

function neverCalled(x) {
  let y = x + 1;
  y = y * 2;
  return y;
}

module.exports = { area, describe, scale, neverCalled };
