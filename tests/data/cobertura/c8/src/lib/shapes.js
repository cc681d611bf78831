'use strict';

function area(shape) {
  switch (shape.kind) {
    case 'square':
      return shape.side * shape.side;
    case 'circle':
      return Math.PI * shape.r * shape.r;
    default:
      throw new Error('unknown shape ' + shape.kind);
  }
}

const describe = (shape) => (shape.label ? shape.label : shape.kind);

function unusedHelper(x) {
  if (x > 1 && x < 10) {
    return x * 2;
  }
  return 0;
}

module.exports = { area, describe, unusedHelper };
